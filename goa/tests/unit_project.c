/* SPDX-License-Identifier: MIT */
/* goa unit tests: the project parser and schema validator.
 *
 * Valid input must come out field by field; invalid input must be refused
 * (the messages themselves are checked by the end-to-end suite).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "project.h"

static int parse(const char *yaml, struct goa_project *p)
{
    return goa_project_parse(yaml, strlen(yaml), "test.yaml", p);
}

static void test_full_project(void **state)
{
    static const char y[] =
            "name: sqlite\nversion: 3.44.2\ntype: posix\nlicense: blessing\n"
            "depot_user: kide\n"
            "sources:\n  - url: https://sqlite.org/a.tar.gz\n"
            "    sha256: 1c6719a148bc41cf0f2bbbe3926d7ce3f5ca09d878f1246fcc20767b175bb407\n"
            "    strip: 2\n    patches: [p/1.patch, p/2.patch]\n"
            "build:\n  system: autoconf\n  args: [--disable-readline]\n  install: false\n"
            "artifacts: [sqlite3]\ndepends: [kide/bin/x86_64/zlib/1.3.1, kide/api/libc/1]\n"
            "runtime:\n  binary: sqlite3\n  ram: 32M\n  caps: 200\n  cpu_quota: 50\n"
            "  requires: [LOG]\n  config: |\n    a: 1\n"
            "test:\n  args: [':memory:']\n  expect: [x, y]\n  exit: 3\n  timeout: 9\n";
    struct goa_project p;

    assert_int_equal(parse(y, &p), 0);
    assert_string_equal(p.name, "sqlite");
    assert_string_equal(p.version, "3.44.2");
    assert_int_equal(p.nsources, 1);
    assert_int_equal(p.sources[0].strip, 2);
    assert_int_equal(p.sources[0].line, 7);
    assert_int_equal(goa_strv_len(p.sources[0].patches), 2);
    assert_null(p.sources[0].tree_sha256);
    assert_string_equal(p.build_system, "autoconf");
    assert_int_equal(p.build_install, 0);
    assert_int_equal(goa_strv_len(p.depends), 2);
    assert_true(p.has_runtime);
    assert_int_equal(p.runtime.caps, 200);
    assert_int_equal(p.runtime.cpu_quota, 50);
    assert_string_equal(p.runtime.config, "a: 1\n");
    assert_int_equal(p.test.exit_code, 3);
    assert_int_equal(p.test.timeout, 9);
    assert_string_equal(p.test.target, "host");
    goa_project_free(&p);
}

static void test_defaults(void **state)
{
    struct goa_project p;

    assert_int_equal(parse("name: a\nversion: '1'\ntype: library\n", &p), 0);
    assert_string_equal(p.build_system, "auto");
    assert_int_equal(p.build_install, -1);
    assert_int_equal(goa_strv_len(p.artifacts), 0);
    assert_false(p.has_runtime);
    assert_false(p.has_test);
    goa_project_free(&p);
}

static void test_refused(void **state)
{
    static const char *const bad[] = {
            "",                                              /* empty */
            "- a\n- b\n",                                    /* not a mapping */
            "name: a\nversion: '1'\n",                       /* missing type */
            "name: a\nversion: '1'\ntype: posix\nx: 1\n",    /* unknown field */
            "name: a\nversion: [1\n",                        /* malformed */
            "name: a\nname: b\nversion: '1'\ntype: posix\n", /* duplicate */
            "name: a\nversion: '1'\ntype: posix\nsources: [x]\n",
            "name: a\nversion: '1'\ntype: posix\nsources:\n  - url: ftp://x/y\n    sha256: "
            "1c6719a148bc41cf0f2bbbe3926d7ce3f5ca09d878f1246fcc20767b175bb407\n",
            "name: a\nversion: '1'\ntype: posix\nsources:\n  - url: https://x/y\n",
            "name: a\nversion: '1'\ntype: posix\nsources:\n  - url: https://x/y\n    tree_sha256: "
            "1c6719a148bc41cf0f2bbbe3926d7ce3f5ca09d878f1246fcc20767b175bb407\n    dir: ../up\n",
            "name: a\nversion: '1'\ntype: posix\nartifacts: [/etc/passwd]\n",
            "name: a\nversion: '1'\ntype: posix\nruntime:\n  ram: lots\n  binary: a\n",
            "name: a\nversion: '1'\ntype: posix\nruntime:\n  cpu_quota: 101\n  binary: a\n",
            "name: a\nversion: '1'\ntype: posix\nbuild:\n  install: maybe\n",
            "name: a\nversion: '1'\ntype: posix\nbuild:\n  env: [NOEQUALS]\n",
            "name: a\nversion: '1'\ntype: posix\ntest:\n  target: cloud\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct goa_project p;
        if (parse(bad[i], &p) == 0) {
            goa_project_free(&p);
            fail_msg("case %zu was accepted: %s", i, bad[i]);
        }
    }
}

static void test_alias_bomb_bounded(void **state)
{
    /* Each level names the previous one ten times: 10^8 nodes if expanded. */
    char y[4096] = "name: a\nversion: '1'\ntype: posix\nx0: &a0 [z,z,z,z,z,z,z,z,z,z]\n";
    for (int i = 1; i < 9; i++) {
        char line[256];
        snprintf(line, sizeof line,
                 "x%d: &a%d [*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d]\n", i, i, i - 1,
                 i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
        strcat(y, line);
    }
    struct goa_project p;
    assert_int_not_equal(parse(y, &p), 0);
    /* Inside a known list field the walk must stop too. */
    char z[4096] = "name: a\nversion: '1'\ntype: posix\nsources: &s0\n  - url: https://x/y\n"
                   "    sha256: 1c6719a148bc41cf0f2bbbe3926d7ce3f5ca09d878f1246fcc20767b175bb407\n";
    assert_int_equal(parse(z, &p), 0);
    goa_project_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_full_project),
            cmocka_unit_test(test_defaults),
            cmocka_unit_test(test_refused),
            cmocka_unit_test(test_alias_bomb_bounded),
    };
    return cmocka_run_group_tests_name("goa project", tests, NULL, NULL);
}
