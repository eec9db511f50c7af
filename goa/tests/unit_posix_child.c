/* SPDX-License-Identifier: MIT */
/* goa unit tests: the hoitaja child of a posix project and reading a Kide run's log
 * (posix_child.c), with a recorded console (tests/data/posix-run.log: what core and
 * hoitaja print for a POSIX child that faulted) and the exit-code mapping of QEMU. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "posix_child.h"
#include "util.h"

#include <kide/qemu_exit.h>

#ifndef DATA_DIR
#define DATA_DIR "tests/data"
#endif

static const char template_file[] = "posix:\n"
                                    "  program: hello\n"
                                    "  args: [hello]\n"
                                    "  env: [HOME=/, PATH=/bin]\n"
                                    "  mounts:\n"
                                    "    - {path: /, type: ram, size: 1M}\n"
                                    "  stdout: log\n";

static void test_child_from_file(void **state)
{
    struct goa_posix_child c;
    assert_int_equal(
            goa_posix_child("runtime.yaml", template_file, strlen(template_file), "x", NULL, &c),
            0);
    assert_string_equal(c.program, "hello");
    assert_string_equal(c.posix, "{\"program\":\"hello\",\"args\":[\"hello\"],\"env\":[\"HOME=/\","
                                 "\"PATH=/bin\"],\"mounts\":[{\"path\":\"/\",\"type\":\"ram\","
                                 "\"size\":\"1M\"}],\"stdout\":\"log\"}");
    goa_posix_child_free(&c);
    /* The run's arguments replace args after argv[0]; numbers stay strings. */
    char *args[] = {"a b", "42", NULL};
    assert_int_equal(
            goa_posix_child("runtime.yaml", template_file, strlen(template_file), "x", args, &c),
            0);
    assert_non_null(strstr(c.posix, "\"args\":[\"hello\",\"a b\",\"42\"]"));
    assert_null(strstr(c.posix, "\"args\":[\"hello\"]"));
    goa_posix_child_free(&c);
}

static void test_child_defaults(void **state)
{
    struct goa_posix_child c;
    char *args[] = {"-v", NULL};
    assert_int_equal(goa_posix_child("goa.yaml", NULL, 0, "prog", NULL, &c), 0);
    assert_string_equal(c.posix, "{\"program\":\"prog\"}");
    assert_string_equal(c.program, "prog");
    goa_posix_child_free(&c);
    assert_int_equal(goa_posix_child("goa.yaml", NULL, 0, "prog", args, &c), 0);
    assert_string_equal(c.posix, "{\"program\":\"prog\",\"args\":[\"prog\",\"-v\"]}");
    goa_posix_child_free(&c);
    const char *f = "posix: {args: [first]}\n";
    assert_int_equal(goa_posix_child("r.yaml", f, strlen(f), "prog", args, &c), 0);
    assert_string_equal(c.posix, "{\"args\":[\"first\",\"-v\"],\"program\":\"prog\"}");
    goa_posix_child_free(&c);
}

static void test_child_refused(void **state)
{
    struct goa_posix_child c;
    static const char *const bad[] = {
            "posix: [a]\n",            /* not a mapping */
            "ram: 16M\n",              /* not the file's */
            "- a\n",                   /* not a mapping at all */
            "posix: {program: [x]}\n", /* program not a name */
            "posix: {a: [\n",          /* YAML syntax */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (goa_posix_child("r.yaml", bad[i], strlen(bad[i]), "p", NULL, &c) == 0)
            fail_msg("accepted: %s", bad[i]);
        assert_null(c.posix);
        assert_null(c.program);
    }
}

/* The recorded console through the line filter: the child's lines lose their label,
 * everything else (hoitaja's report with the signal) stays; the exit code is read
 * from hoitaja's exit_with line and from QEMU's status. */
static void test_recorded_log(void **state)
{
    char *log = NULL, *want = NULL;
    size_t n = 0, m = 0;
    assert_int_equal(goa_read_file(DATA_DIR "/posix-run.log", &log, &n), 0);
    assert_int_equal(goa_read_file(DATA_DIR "/posix-run.out", &want, &m), 0);
    char *got = calloc(1, n + 1), *save = NULL;
    int code = -1;
    for (char *l = strtok_r(log, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        strcat(got, goa_child_line("hello", l));
        strcat(got, "\n");
        int c = goa_exit_with_code("hello", l);
        if (c >= 0)
            code = c;
    }
    assert_string_equal(got, want);
    assert_int_equal(code, 139); /* 128 + SIGSEGV */
    /* QEMU's status for code c is 2 * (0x10 + c) + 1 (isa-debug-exit), 8 bits: 139 arrives
     * cut to 111, so the backend takes hoitaja's line (backend_qemu.c). */
    assert_int_equal(kide_qemu_exit_decode(2 * (0x10 + 7) + 1), 7);
    assert_int_equal(kide_qemu_exit_decode(2 * (int)kide_qemu_exit_value(139) + 1),
                     KIDE_QEMU_EXIT_CODE_MAX);
    assert_int_equal(goa_exit_with_code("hello", "[init] exit_with hellox: ending the habitat "
                                                 "with code 1"),
                     -1);
    assert_int_equal(goa_exit_with_code("hello", "[init] exit_with hello: ending the habitat "
                                                 "with code 256"),
                     -1);
    assert_int_equal(goa_exit_with_code("hello", "[init] exit_with hello: ending the habitat "
                                                 "with code 7x"),
                     -1);
    assert_string_equal(goa_child_line("hello", "[hello] "), "");
    assert_string_equal(goa_child_line(NULL, "[hello] x"), "[hello] x");
    free(got), free(log), free(want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_child_from_file),
            cmocka_unit_test(test_child_defaults),
            cmocka_unit_test(test_child_refused),
            cmocka_unit_test(test_recorded_log),
    };
    return cmocka_run_group_tests_name("goa posix child", tests, NULL, NULL);
}
