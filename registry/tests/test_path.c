/* SPDX-License-Identifier: MIT */
/* Tests of the request-path parser (src/path.c): every route, every error. */
#include <errno.h>
#include <string.h>

#include "path.h"
#include "unescape.h"
#include "unit.h"

static int parse(const char *url, struct reg_path *p)
{
    return reg_path_parse(url, strlen(url), p);
}

static void archive_paths(void **state)
{
    struct reg_path p;
    assert_int_equal(parse("/alice/src/zlib/1.3.1.tar.xz", &p), 0);
    assert_int_equal(p.route, REG_R_ARCHIVE);
    assert_string_equal(p.user, "alice");
    assert_string_equal(p.type, "src");
    assert_string_equal(p.name, "zlib");
    assert_string_equal(p.version, "1.3.1");
    assert_int_equal(parse("/alice/bin/x86_64/zlib/2024-01-02.tar.xz.sig", &p), 0);
    assert_int_equal(p.route, REG_R_SIG);
    assert_string_equal(p.type, "bin/x86_64");
    assert_string_equal(p.version, "2024-01-02");
    assert_int_equal(parse("/a/pkg/n/v+1/yank", &p), 0);
    assert_int_equal(p.route, REG_R_YANK);
    assert_string_equal(p.version, "v+1");
    assert_int_equal(parse("/a/api/n/v/unyank", &p), 0);
    assert_int_equal(p.route, REG_R_UNYANK);
    assert_int_equal(parse("/a/raw/n/1.tar.xz", &p), 0);
}

static void meta_paths(void **state)
{
    struct reg_path p;
    assert_int_equal(parse("/-/index/alice", &p), 0);
    assert_int_equal(p.route, REG_R_INDEX_USER);
    assert_int_equal(parse("/-/index/alice/bin/arm_v8/zlib", &p), 0);
    assert_int_equal(p.route, REG_R_INDEX_NAME);
    assert_string_equal(p.type, "bin/arm_v8");
    assert_int_equal(parse("/-/latest/alice/src/zlib", &p), 0);
    assert_int_equal(p.route, REG_R_LATEST);
    assert_int_equal(parse("/-/keys/alice", &p), 0);
    assert_int_equal(p.route, REG_R_KEYS);
    assert_int_equal(parse("/-/keys/alice/0123456789abcdef.pem", &p), 0);
    assert_int_equal(p.route, REG_R_KEY_PEM);
    assert_string_equal(p.key_id, "0123456789abcdef");
    assert_int_equal(parse("/-/search", &p), 0);
    assert_int_equal(p.route, REG_R_SEARCH);
    assert_int_equal(parse("/-/health", &p), 0);
    assert_int_equal(p.route, REG_R_HEALTH);
}

static void traversal_rejected(void **state)
{
    struct reg_path p;
    /* Decoded forms of %2e%2e, %2f, %5c, %00 and friends all end up here. */
    assert_int_equal(parse("/alice/src/../1.0.tar.xz", &p), -EINVAL);
    assert_int_equal(parse("/alice/src/zlib/...tar.xz", &p), -EINVAL);
    assert_int_equal(parse("/../src/zlib/1.0.tar.xz", &p), -EINVAL);
    assert_int_equal(parse("/alice/src/./1.0.tar.xz", &p), -EINVAL);
    assert_int_equal(parse("/alice/src/z\\lib/1.0.tar.xz", &p), -EINVAL);
    assert_int_equal(parse("/alice//src/zlib/1.0.tar.xz", &p), -EINVAL);
    assert_int_equal(parse("/alice/src/zlib/1.0.tar.xz/", &p), -EINVAL);
    assert_int_equal(parse("/alice/src/zl%2fib/1.0.tar.xz", &p), -EINVAL);
    assert_int_equal(reg_path_parse("/alice/src/z\0b/1.tar.xz", 21, &p), -EINVAL);
    assert_int_equal(parse("/-/index/../etc", &p), -EINVAL);
    assert_int_equal(parse("/-/keys/alice/../../x.pem", &p), -ENOENT);
}

static void malformed(void **state)
{
    struct reg_path p;
    char big[2048];
    assert_int_equal(parse("", &p), -EINVAL);
    assert_int_equal(parse("alice/src/z/1.tar.xz", &p), -EINVAL);
    assert_int_equal(parse("/Alice/src/z/1.tar.xz", &p), -EINVAL);
    assert_int_equal(parse("/alice/exe/z/1.tar.xz", &p), -EINVAL);
    assert_int_equal(parse("/alice/bin/Z/n/1.tar.xz", &p), -EINVAL);
    assert_int_equal(parse("/alice/src/z/.tar.xz", &p), -EINVAL);
    assert_int_equal(parse("/alice/src/-z/1.tar.xz", &p), -EINVAL);
    assert_int_equal(parse("/-/keys/alice/XYZ.pem", &p), -EINVAL);
    memset(big, 'a', sizeof(big));
    big[0] = '/';
    assert_int_equal(reg_path_parse(big, sizeof(big), &p), -EINVAL);
    assert_int_equal(parse("/a/b/c/d/e/f/g/h/i", &p), -EINVAL);
}

static void not_found(void **state)
{
    struct reg_path p;
    assert_int_equal(parse("/", &p), -ENOENT);
    assert_int_equal(parse("/alice", &p), -ENOENT);
    assert_int_equal(parse("/alice/src/zlib", &p), -ENOENT);
    assert_int_equal(parse("/alice/src/zlib/1.0.zip", &p), -ENOENT);
    assert_int_equal(parse("/alice/src/zlib/1.0/delete", &p), -ENOENT);
    assert_int_equal(parse("/-/nothing", &p), -ENOENT);
    assert_int_equal(parse("/-/latest/alice", &p), -ENOENT);
    assert_int_equal(parse("/-/keys/alice/a/b", &p), -ENOENT);
}

/* The strict decoder: all or nothing, never a control character (issue 12, point 3). */
static void unescape(void **state)
{
    struct reg_path p;
    char ok[] = "/alice/src/z%6Cib/1.0.tar.xz", nul[] = "/a/src/n/1.tar.xz%00.evil";
    char lf[] = "/a/src/n/1.tar.xz%0a", del[] = "/a/src/n/1%7F.tar.xz", bad[] = "/a%zz%41";
    char cut[] = "/a%4", raw[] = "/a\x01%41";
    assert_int_equal(reg_url_unescape(ok), strlen("/alice/src/zlib/1.0.tar.xz"));
    assert_string_equal(ok, "/alice/src/zlib/1.0.tar.xz");
    char *refused[] = {nul, lf, del, bad, cut, raw};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        char before[64];
        strcpy(before, refused[i]);
        assert_int_equal(reg_url_unescape(refused[i]), strlen(before));
        assert_string_equal(refused[i], before);
        assert_int_equal(parse(refused[i], &p), -EINVAL);
    }
    assert_int_equal(parse("/alice/src/zlib/1.0.tar.xz\x7f", &p), -EINVAL);
    assert_int_equal(parse("/alice/src/zlib/1 0.tar.xz", &p), -EINVAL);
}

int reg_test_path(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(archive_paths),      cmocka_unit_test(meta_paths),
            cmocka_unit_test(traversal_rejected), cmocka_unit_test(malformed),
            cmocka_unit_test(not_found),          cmocka_unit_test(unescape),
    };
    return cmocka_run_group_tests_name("path", tests, NULL, NULL);
}
