/* SPDX-License-Identifier: MIT */
/* cmocka tests of posix_config_parse and the signal names (suite os-posix-config-unit):
 * the defaults, a full configuration, and one case per refusal with the field and
 * the fix the message must name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "posix_config.h"
#include "posix_signal.h"

static struct kide_json_tok toks[4096];
static struct kide_json_doc doc;
static struct posix_config cfg;
static char err[256];

/* Parse JSON text (the posix object itself) and the configuration; the parser's result. */
static int parse(const char *json)
{
    assert_int_equal(kide_json_parse(&doc, json, strlen(json), toks, 4096, 0, 0), 0);
    memset(err, 'x', sizeof(err));
    return posix_config_parse(&doc, 0, &cfg, err, sizeof(err));
}

/* The configuration is refused with a message holding every given fragment. */
static void refused(const char *json, const char *a, const char *b)
{
    int rc = parse(json);
    if (rc == 0 || !strstr(err, a) || (b && !strstr(err, b)))
        fail_msg("input %s: rc %d, message '%s', wanted '%s' and '%s'", json, rc, err, a,
                 b ? b : "");
    assert_int_equal(cfg.argc, 0);
    assert_true(cfg.err_token >= 0 && (kide_u32)cfg.err_token < doc.ntok);
}

static void test_defaults(void **state)
{
    (void)state;
    assert_int_equal(parse("{\"program\":\"hello\"}"), 0);
    assert_string_equal(cfg.program, "hello");
    assert_int_equal(cfg.argc, 1);
    assert_string_equal(cfg.argv[0], "hello");
    assert_null(cfg.argv[1]);
    assert_int_equal(cfg.envc, 0);
    assert_null(cfg.envp[0]);
    assert_string_equal(cfg.cwd, "/");
    assert_int_equal(cfg.nmounts, 1);
    assert_string_equal(cfg.mounts[0].path, "/");
    assert_int_equal(cfg.mounts[0].type, POSIX_MOUNT_RAM);
    assert_int_equal(cfg.mounts[0].size, 0);
    assert_int_equal(cfg.std_in.kind, POSIX_STREAM_NONE);
    assert_int_equal(cfg.std_out.kind, POSIX_STREAM_LOG);
    assert_int_equal(cfg.std_err.kind, POSIX_STREAM_LOG);
    assert_int_equal(cfg.stack, POSIX_STACK_DEF);
    assert_int_equal(cfg.nroms, 1);
    assert_string_equal(cfg.roms[0], "hello");
    assert_int_equal(cfg.err_token, -1);
    assert_string_equal(err, "");
}

static void test_full(void **state)
{
    (void)state;
    assert_int_equal(
            parse("{\"program\":\"hello\",\"args\":[\"hello\",\"-v\",\"\"],"
                  "\"env\":[\"HOME=/\",\"PATH=/bin\",\"E=\"],\"cwd\":\"/data\","
                  "\"mounts\":[{\"path\":\"/\",\"type\":\"ram\",\"size\":\"4M\"},"
                  "{\"path\":\"/data\",\"type\":\"rom\",\"modules\":[\"input.txt\",\"words\"]},"
                  "{\"path\":\"/tmp\",\"type\":\"ram\",\"size\":65536}],"
                  "\"stdin\":\"rom:input.txt\",\"stdout\":\"log\",\"stderr\":\"file:/tmp/err\","
                  "\"stack\":\"2M\"}"),
            0);
    assert_int_equal(cfg.argc, 3);
    assert_string_equal(cfg.argv[1], "-v");
    assert_string_equal(cfg.argv[2], "");
    assert_null(cfg.argv[3]);
    assert_int_equal(cfg.envc, 3);
    assert_string_equal(cfg.envp[1], "PATH=/bin");
    assert_string_equal(cfg.cwd, "/data");
    assert_int_equal(cfg.nmounts, 3);
    assert_int_equal(cfg.mounts[0].size, 4u << 20);
    assert_int_equal(cfg.mounts[1].type, POSIX_MOUNT_ROM);
    assert_int_equal(cfg.mounts[1].nmodules, 2);
    assert_string_equal(cfg.mounts[1].modules[1], "words");
    assert_int_equal(cfg.mounts[2].size, 65536);
    assert_int_equal(cfg.std_in.kind, POSIX_STREAM_ROM);
    assert_string_equal(cfg.std_in.arg, "input.txt");
    assert_int_equal(cfg.std_err.kind, POSIX_STREAM_FILE);
    assert_string_equal(cfg.std_err.arg, "/tmp/err");
    assert_int_equal(cfg.stack, 2u << 20);
    /* program, stdin's module, then the mounts' (input.txt only once) */
    assert_int_equal(cfg.nroms, 3);
    assert_string_equal(cfg.roms[0], "hello");
    assert_string_equal(cfg.roms[1], "input.txt");
    assert_string_equal(cfg.roms[2], "words");
}

/* A member of a bigger document (as in hoitaja's child object). */
static void test_inner_object(void **state)
{
    (void)state;
    const char *json = "{\"name\":\"a\",\"posix\":{\"program\":\"p\",\"args\":[\"x\"]}}";
    assert_int_equal(kide_json_parse(&doc, json, strlen(json), toks, 4096, 0, 0), 0);
    int obj = kide_json_find(&doc, 0, "posix");
    assert_true(obj > 0);
    assert_int_equal(posix_config_parse(&doc, obj, &cfg, err, sizeof(err)), 0);
    assert_string_equal(cfg.argv[0], "x");
    assert_int_equal(posix_config_parse(&doc, 9999, &cfg, err, sizeof(err)), -1);
    assert_int_equal(posix_config_parse(&doc, -1, &cfg, err, sizeof(err)), -1);
}

static void test_refusals(void **state)
{
    (void)state;
    refused("[]", "posix: must be an object", 0);
    refused("{}", "posix.program: is missing", "program: hello");
    refused("{\"program\":\"hello\",\"argv\":[]}", "posix: unknown field, got 'argv'",
            "known fields: program, args, env, cwd, mounts, stdin, stdout, stderr, stack");
    refused("{\"program\":7}", "posix.program: must be a string", "got 7");
    refused("{\"program\":\"\"}", "posix.program: must be a boot module name", 0);
    refused("{\"program\":\"-x\"}", "posix.program: must be a boot module name", 0);
    refused("{\"program\":\"a/b\"}", "posix.program: must be a boot module name", 0);
    refused("{\"program\":\"abcdefghijabcdefghijabcdefghijab\"}", "posix.program: must be",
            "1 to 31");
    refused("{\"program\":\"pkg:alice/hello/1\"}", "posix.program: packages (pkg:)", 0);
    refused("{\"program\":\"p\",\"args\":[]}", "posix.args: must hold 1 to 64 entries, got 0", 0);
    refused("{\"program\":\"p\",\"args\":\"p\"}", "posix.args: must be a list", 0);
    refused("{\"program\":\"p\",\"args\":[\"p\",3]}", "posix.args[1]: must be a string", 0);
    refused("{\"program\":\"p\",\"args\":[\"a\\u0000b\"]}", "posix.args[0]: holds a NUL byte", 0);
    refused("{\"program\":\"p\",\"env\":[\"X\"]}", "posix.env[0]: must be NAME=value", 0);
    refused("{\"program\":\"p\",\"env\":[\"=1\"]}", "posix.env[0]: must be NAME=value", 0);
    refused("{\"program\":\"p\",\"env\":[\"A=1\",\"A=2\"]}", "posix.env[1]: sets a variable env[0]",
            0);
    refused("{\"program\":\"p\",\"cwd\":\"data\"}", "posix.cwd: must be absolute, e.g. /", 0);
    refused("{\"program\":\"p\",\"cwd\":\"/a/../b\"}", "posix.cwd: must not hold '.' or '..'", 0);
    refused("{\"program\":\"p\",\"cwd\":\"/a//b\"}", "posix.cwd: must not hold an empty", 0);
    refused("{\"program\":\"p\",\"cwd\":\"/a/\"}", "posix.cwd: must not end with '/'", 0);
    refused("{\"program\":\"p\",\"mounts\":[]}", "posix.mounts: must hold 1 to 16", 0);
    refused("{\"program\":\"p\",\"mounts\":[{\"path\":\"/d\",\"type\":\"ram\"}]}",
            "posix.mounts: mounts nothing at /", "{path: /, type: ram}");
    refused("{\"program\":\"p\",\"mounts\":[{\"path\":\"/\",\"type\":\"ram\"},"
            "{\"path\":\"data\",\"type\":\"ram\"}]}",
            "posix.mounts[1].path: must be absolute, e.g. /data", 0);
    refused("{\"program\":\"p\",\"mounts\":[{\"type\":\"ram\"}]}",
            "posix.mounts[0].path: is missing", 0);
    refused("{\"program\":\"p\",\"mounts\":[{\"path\":\"/\"}]}", "posix.mounts[0].type: is missing",
            0);
    refused("{\"program\":\"p\",\"mounts\":[{\"path\":\"/\",\"type\":\"nfs\"}]}",
            "posix.mounts[0].type: must be ram or rom", 0);
    refused("{\"program\":\"p\",\"mounts\":[{\"path\":\"/\",\"type\":\"ram\",\"x\":1}]}",
            "posix.mounts[0]: unknown field, got 'x'", "known fields: path, type, size, modules");
    refused("{\"program\":\"p\",\"mounts\":[{\"path\":\"/\",\"type\":\"ram\"},"
            "{\"path\":\"/\",\"type\":\"ram\"}]}",
            "posix.mounts[1].path: is mounted already by mounts[0]", 0);
    refused("{\"program\":\"p\",\"mounts\":[{\"path\":\"/\",\"type\":\"ram\"},"
            "{\"path\":\"/dev/x\",\"type\":\"ram\"}]}",
            "posix.mounts[1].path: is at or below /dev", 0);
    refused("{\"program\":\"p\",\"mounts\":[{\"path\":\"/\",\"type\":\"ram\",\"size\":\"4X\"}]}",
            "posix.mounts[0].size: must be a size", "\"4M\"");
    refused("{\"program\":\"p\",\"mounts\":[{\"path\":\"/\",\"type\":\"ram\",\"size\":100}]}",
            "posix.mounts[0].size: must be a multiple of 4K", 0);
    refused("{\"program\":\"p\",\"mounts\":[{\"path\":\"/\",\"type\":\"ram\","
            "\"size\":\"99999999999999999T\"}]}",
            "posix.mounts[0].size: must be a size", 0);
    refused("{\"program\":\"p\",\"mounts\":[{\"path\":\"/\",\"type\":\"rom\",\"size\":\"4M\"}]}",
            "posix.mounts[0].size: is for ram mounts only", 0);
    refused("{\"program\":\"p\",\"mounts\":[{\"path\":\"/\",\"type\":\"rom\"}]}",
            "posix.mounts[0].modules: is missing", 0);
    refused("{\"program\":\"p\",\"mounts\":[{\"path\":\"/"
            "\",\"type\":\"ram\",\"modules\":[\"a\"]}]}",
            "posix.mounts[0].modules: is for rom mounts only", 0);
    refused("{\"program\":\"p\",\"mounts\":[{\"path\":\"/\",\"type\":\"rom\",\"modules\":[\"a\","
            "\"a\"]}]}",
            "posix.mounts[0].modules[1]: names a module this mount already holds", 0);
    refused("{\"program\":\"p\",\"mounts\":[{\"path\":\"/\",\"type\":\"rom\",\"modules\":[\"a\","
            "\"b/c\"]}]}",
            "posix.mounts[0].modules[1]: must be a boot module name", 0);
    refused("{\"program\":\"p\",\"mounts\":[{\"path\":\"/\",\"type\":\"rom\",\"modules\":"
            "[\"a\",\"b\",\"c\",\"d\"]},{\"path\":\"/x\",\"type\":\"rom\",\"modules\":"
            "[\"e\",\"f\",\"g\",\"h\"]}]}",
            "more than 8 distinct boot modules (KIDE_CORE_ROM_MAX)", "'h'");
    refused("{\"program\":\"p\",\"stdin\":\"log\"}", "posix.stdin: must be none or rom:<module>",
            0);
    refused("{\"program\":\"p\",\"stdin\":\"rom:\"}", "posix.stdin: rom: must name a boot module",
            0);
    refused("{\"program\":\"p\",\"stdout\":\"none\"}", "posix.stdout: must be log or file:", 0);
    refused("{\"program\":\"p\",\"stderr\":\"file:x\"}", "posix.stderr: file: needs an absolute",
            0);
    refused("{\"program\":\"p\",\"stdout\":\"file:/dev/null\"}",
            "posix.stdout: is at or below /dev", 0);
    refused("{\"program\":\"p\",\"stack\":\"1K\"}",
            "posix.stack: must be a multiple of 4K from 16384", 0);
    refused("{\"program\":\"p\",\"stack\":-1}", "posix.stack: must be a size", 0);
    refused("{\"program\":\"p\",\"stack\":1.5}", "posix.stack: must be a size", 0);
}

/* Long strings: one above the limit is refused, the pool's limit too. */
static void test_limits(void **state)
{
    (void)state;
    static char json[70000];
    char s[300];
    memset(s, 'a', 256);
    s[256] = 0;
    snprintf(json, sizeof(json), "{\"program\":\"p\",\"args\":[\"%s\"]}", s);
    refused(json, "posix.args[0]: is longer than 255 bytes", 0);
    s[255] = 0;
    snprintf(json, sizeof(json), "{\"program\":\"p\",\"args\":[\"%s\"]}", s);
    assert_int_equal(parse(json), 0);
    /* 64 arguments and 64 variables of 255 bytes exceed the 16 KiB pool */
    size_t n = (size_t)snprintf(json, sizeof(json), "{\"program\":\"p\",\"args\":[");
    for (int i = 0; i < 64; i++)
        n += (size_t)snprintf(json + n, sizeof(json) - n, "%s\"%s\"", i ? "," : "", s);
    snprintf(json + n, sizeof(json) - n, "]}");
    refused(json, "more than 16384 bytes in all", 0);
    n = (size_t)snprintf(json, sizeof(json), "{\"program\":\"p\",\"args\":[");
    for (int i = 0; i < 65; i++)
        n += (size_t)snprintf(json + n, sizeof(json) - n, "%s\"a\"", i ? "," : "");
    snprintf(json + n, sizeof(json) - n, "]}");
    refused(json, "posix.args: must hold 1 to 64 entries, got 65", 0);
}

/* A message that does not fit is cut, still NUL-terminated; errlen 0 writes nothing. */
static void test_small_err(void **state)
{
    (void)state;
    const char *json = "{}";
    char small[8];
    assert_int_equal(kide_json_parse(&doc, json, 2, toks, 4096, 0, 0), 0);
    assert_int_equal(posix_config_parse(&doc, 0, &cfg, small, sizeof(small)), -1);
    assert_string_equal(small, "posix.p");
    assert_int_equal(posix_config_parse(&doc, 0, &cfg, small, 0), -1);
}

static void test_signals(void **state)
{
    (void)state;
    assert_string_equal(posix_signal_name(11), "SIGSEGV");
    assert_string_equal(posix_signal_name(9), "SIGKILL");
    assert_string_equal(posix_signal_name(31), "SIGSYS");
    assert_string_equal(posix_signal_name(0), "SIG?");
    assert_string_equal(posix_signal_name(40), "SIG?");
    assert_int_equal(posix_fault_signal(14), 11);
    assert_int_equal(posix_fault_signal(13), 11);
    assert_int_equal(posix_fault_signal(6), 4);
    assert_int_equal(posix_fault_signal(0), 8);
    assert_int_equal(posix_fault_signal(3), 5);
    assert_int_equal(posix_fault_signal(2), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_defaults),     cmocka_unit_test(test_full),
            cmocka_unit_test(test_inner_object), cmocka_unit_test(test_refusals),
            cmocka_unit_test(test_limits),       cmocka_unit_test(test_small_err),
            cmocka_unit_test(test_signals),
    };
    return cmocka_run_group_tests_name("os-posix-config-unit", tests, NULL, NULL);
}
