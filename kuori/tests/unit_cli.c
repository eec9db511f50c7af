/* SPDX-License-Identifier: MIT */
/* Unit tests: the command grammar (cli.c, verbs.c) and the REPL's word splitting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "out.h"
#include "repl.h"

static int parse(struct kuori_cmd *cmd, struct kuori_err *e, ...)
{
    char *argv[32];
    int argc = 0;
    va_list ap;
    va_start(ap, e);
    for (char *a; (a = va_arg(ap, char *));)
        argv[argc++] = a;
    va_end(ap);
    return kuori_parse(argc, argv, cmd, e);
}

static void test_globals_anywhere(void **state)
{
    struct kuori_cmd cmd;
    struct kuori_err e;
    (void)state;
    assert_int_equal(
            parse(&cmd, &e, "-o", "json", "ps", "--remote", "a,b", "--timeout", "2s", NULL), 0);
    assert_string_equal(cmd.verb->name, "ps");
    assert_int_equal(cmd.fmt, KUORI_FMT_JSON);
    assert_string_equal(cmd.remotes, "a,b");
    assert_int_equal(cmd.timeout_ms, 2000);
    assert_int_equal(parse(&cmd, &e, "ps", "--all", "-o=yaml", NULL), 0);
    assert_int_equal(cmd.all, 1);
    assert_int_equal(cmd.fmt, KUORI_FMT_YAML);
    assert_int_equal(parse(&cmd, &e, "ps", NULL), 0);
    assert_int_equal(cmd.timeout_ms, 5000);
}

static void test_verb_options(void **state)
{
    struct kuori_cmd cmd;
    struct kuori_err e;
    (void)state;
    assert_int_equal(parse(&cmd, &e, "logs", "-f", "--tail", "5", "demo", NULL), 0);
    assert_non_null(kuori_flag(&cmd, "follow"));
    assert_string_equal(kuori_flag(&cmd, "tail"), "5");
    assert_string_equal(cmd.pos[0], "demo");
    assert_int_equal(parse(&cmd, &e, "apply", "-f", "h.yaml", "--dry-run", NULL), 0);
    assert_string_equal(kuori_flag(&cmd, "file"), "h.yaml");
    assert_non_null(kuori_flag(&cmd, "dry-run"));
    assert_int_equal(parse(&cmd, &e, "top", "-n", "3", "--hz=5", NULL), 0);
    assert_string_equal(kuori_flag(&cmd, "count"), "3");
    assert_string_equal(kuori_flag(&cmd, "hz"), "5");
    assert_null(kuori_flag(&cmd, "sort"));
    /* -- ends the options: a component called -x */
    assert_int_equal(parse(&cmd, &e, "stop", "--", "-x", NULL), 0);
    assert_string_equal(cmd.pos[0], "-x");
}

static void test_sub_verbs(void **state)
{
    struct kuori_cmd cmd;
    struct kuori_err e;
    (void)state;
    assert_int_equal(parse(&cmd, &e, "remote", "add", "a", "h:1", "--token", "t", NULL), 0);
    assert_string_equal(cmd.sub, "add");
    assert_int_equal(cmd.npos, 2);
    assert_int_equal(parse(&cmd, &e, "remote", "frob", NULL), KUORI_EXIT_USAGE);
    assert_int_equal(parse(&cmd, &e, "remote", NULL), KUORI_EXIT_USAGE);
    assert_int_equal(parse(&cmd, &e, "token", "lis", NULL), KUORI_EXIT_USAGE);
    assert_int_equal(parse(&cmd, &e, "habitat", "create", "t", "ram=1M", "cpu=1", "caps=16", NULL),
                     0);
}

static void test_usage_errors(void **state)
{
    struct kuori_cmd cmd;
    struct kuori_err e;
    (void)state;
    assert_int_equal(parse(&cmd, &e, "frob", NULL), KUORI_EXIT_USAGE);
    assert_non_null(strstr(e.msg, "unknown verb"));
    assert_int_equal(parse(&cmd, &e, "ps", "--frob", NULL), KUORI_EXIT_USAGE);
    assert_non_null(strstr(e.hint, "kuori ps --help"));
    assert_int_equal(parse(&cmd, &e, "ps", "-o", "xml", NULL), KUORI_EXIT_USAGE);
    assert_int_equal(parse(&cmd, &e, "ps", "-o", NULL), KUORI_EXIT_USAGE);
    assert_int_equal(parse(&cmd, &e, "logs", NULL), KUORI_EXIT_USAGE);
    assert_int_equal(parse(&cmd, &e, "logs", "a", "b", NULL), KUORI_EXIT_USAGE);
    assert_int_equal(parse(&cmd, &e, "start", "a", "--all", NULL), KUORI_EXIT_USAGE);
    assert_int_equal(parse(&cmd, &e, "apply", "--dry-run=yes", NULL), KUORI_EXIT_USAGE);
    assert_int_equal(parse(&cmd, &e, "ps", "--timeout", "0s", NULL), KUORI_EXIT_USAGE);
    /* help needs no valid rest */
    assert_int_equal(parse(&cmd, &e, "logs", "--help", NULL), 0);
    assert_int_equal(cmd.help, 1);
}

static void test_every_verb_has_help(void **state)
{
    (void)state;
    for (const struct kuori_verb *v = kuori_verbs; v->name; v++) {
        char want[64];
        snprintf(want, sizeof want, "usage: kuori %s", v->name);
        assert_non_null(strstr(v->help, want));
        assert_true(strlen(v->summary) > 0);
    }
}

static void test_split(void **state)
{
    char line[] = "set demo  'ram=64M' \"a b\"\tcpu=30%", bad[] = "ps 'open";
    char *argv[8];
    (void)state;
    assert_int_equal(kuori_split(line, argv, 8), 5);
    assert_string_equal(argv[0], "set");
    assert_string_equal(argv[2], "ram=64M");
    assert_string_equal(argv[3], "a b");
    assert_string_equal(argv[4], "cpu=30%");
    assert_int_equal(kuori_split(bad, argv, 8), -1);
    char many[] = "a b c";
    assert_int_equal(kuori_split(many, argv, 2), -1);
}

/* A join token typed in the REPL must not reach the history file. */
static void test_history_leaves_out_tokens(void **state)
{
    (void)state;
    assert_int_equal(kuori_history_keeps("ps -o json"), 1);
    assert_int_equal(kuori_history_keeps("remote add a 10.0.0.1:7443 --token kide1.a.b.c"), 0);
    assert_int_equal(kuori_history_keeps("remote add a 10.0.0.1:7443 --token=x"), 0);
    assert_int_equal(kuori_history_keeps("remote add a 10.0.0.1:7443 kide1.tenant-a.00.11"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_history_leaves_out_tokens),
            cmocka_unit_test(test_globals_anywhere),
            cmocka_unit_test(test_verb_options),
            cmocka_unit_test(test_sub_verbs),
            cmocka_unit_test(test_usage_errors),
            cmocka_unit_test(test_every_verb_has_help),
            cmocka_unit_test(test_split),
    };
    return cmocka_run_group_tests_name("kuori cli", tests, NULL, NULL);
}
