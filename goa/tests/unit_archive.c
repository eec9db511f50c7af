/* SPDX-License-Identifier: MIT */
/* goa unit tests: hashing, reproducible archives, safe extraction.
 *
 * Works in a scratch directory below $BUILD (or /tmp): builds a small tree,
 * checks its tree hash against a value computed independently (Python, see
 * docs/formats/tree-hash.md), writes it as .tar.xz twice and compares the
 * bytes, and extracts archives with hostile member names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "extract.h"
#include "hash.h"
#include "sign.h"
#include "tarxz.h"
#include "util.h"

static char *scratch;

static int setup(void **state)
{
    const char *b = getenv("BUILD");
    scratch = goa_fmt("%s/goa/unit-scratch.%d", b ? b : "/tmp", (int)getpid());
    goa_rmrf(scratch);
    return goa_mkdirs(scratch);
}

static int teardown(void **state)
{
    goa_rmrf(scratch);
    free(scratch);
    return 0;
}

static void put(const char *rel, const char *data, mode_t mode)
{
    char *p = goa_fmt("%s/%s", scratch, rel);
    assert_int_equal(goa_write_file(p, data, strlen(data), mode), 0);
    free(p);
}

static void test_sha256(void **state)
{
    char hex[GOA_HEX_LEN];
    goa_sha256_buf("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static char *make_tree(void)
{
    char *t = goa_fmt("%s/t", scratch), *sub = goa_fmt("%s/t/sub", scratch),
         *l = goa_fmt("%s/t/link", scratch);
    goa_mkdirs(sub);
    put("t/a.txt", "hello\n", 0644);
    put("t/sub/run.sh", "#!/bin/sh\n", 0755);
    assert_int_equal(symlink("a.txt", l), 0);
    free(sub);
    free(l);
    return t;
}

static void test_tree_hash(void **state)
{
    char hex[GOA_HEX_LEN], *t = make_tree();
    assert_int_equal(goa_tree_hash(t, hex), 0);
    /* Computed with the reference Python code of docs/formats/tree-hash.md. */
    assert_string_equal(hex, "d19f3330bf2fea6f6673a4e00e84b89d0af6455e8e80934264dddbe8783e8136");
    free(t);
}

static void test_reproducible_archive(void **state)
{
    char *t = make_tree(), *a1 = goa_fmt("%s/1.tar.xz", scratch),
         *a2 = goa_fmt("%s/2.tar.xz", scratch);
    struct goa_tar_list l = {0};
    char *d1, *d2;
    size_t n1, n2;

    assert_int_equal(goa_tar_add_tree(&l, t, "", NULL), 0);
    assert_int_equal(goa_tar_write(&l, a1), 0);
    goa_tar_free(&l);
    /* Change times and permissions that must not matter, then write again. */
    char *f = goa_fmt("%s/a.txt", t);
    chmod(f, 0600);
    free(f);
    assert_int_equal(goa_tar_add_tree(&l, t, "", NULL), 0);
    assert_int_equal(goa_tar_write(&l, a2), 0);
    goa_tar_free(&l);
    assert_int_equal(goa_read_file(a1, &d1, &n1), 0);
    assert_int_equal(goa_read_file(a2, &d2, &n2), 0);
    assert_int_equal(n1, n2);
    assert_memory_equal(d1, d2, n1);
    /* And the round trip gives the same tree hash. */
    char *x = goa_fmt("%s/x", scratch), h1[GOA_HEX_LEN], h2[GOA_HEX_LEN];
    goa_mkdirs(x);
    assert_int_equal(goa_extract(a1, "1.tar.xz", x, 0), 0);
    assert_int_equal(goa_tree_hash(t, h1), 0);
    assert_int_equal(goa_tree_hash(x, h2), 0);
    assert_string_equal(h1, h2);
    free(d1), free(d2), free(t), free(a1), free(a2), free(x);
}

/* Write a tar.gz with one member NAME (a symlink to TARGET if given). */
static char *hostile(const char *name, const char *target)
{
    char *path = goa_fmt("%s/evil.tar.gz", scratch);
    struct archive *a = archive_write_new();
    struct archive_entry *e = archive_entry_new();

    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter_gzip(a);
    archive_write_open_filename(a, path);
    archive_entry_set_pathname(e, name);
    archive_entry_set_perm(e, 0644);
    if (target) {
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_symlink(e, target);
    } else {
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, 2);
    }
    archive_write_header(a, e);
    if (!target)
        archive_write_data(a, "x\n", 2);
    archive_entry_free(e);
    archive_write_close(a);
    archive_write_free(a);
    return path;
}

static void test_extract_refuses(void **state)
{
    static const struct {
        const char *name, *target;
        int strip;
    } cases[] = {
            {"top/../../escaped", NULL, 0},
            {"/tmp/goa-unit-abs", NULL, 0},
            {"top/link", "../../outside", 1},
            {"top/link", "/etc", 0},
            {"../x", NULL, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *a = hostile(cases[i].name, cases[i].target), *d = goa_fmt("%s/dest%zu", scratch, i);
        goa_mkdirs(d);
        assert_int_equal(goa_extract(a, "evil.tar.gz", d, cases[i].strip), -1);
        char *esc = goa_fmt("%s/escaped", scratch);
        assert_false(goa_exists(esc));
        free(esc), free(a), free(d);
    }
    assert_false(goa_exists("/tmp/goa-unit-abs"));
}

static void test_sign_verify(void **state)
{
    char *key = goa_fmt("%s/k.pem", scratch), *pub = goa_fmt("%s/k.pem.pub", scratch);
    unsigned char sig[GOA_SIG_LEN];

    put("blob", "some archive bytes", 0644);
    char *blob = goa_fmt("%s/blob", scratch);
    assert_int_equal(goa_key_create(key), 0);
    struct stat st;
    assert_int_equal(stat(key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(goa_sign_file(key, blob, sig), 0);
    assert_int_equal(goa_verify_file(pub, blob, sig, sizeof sig), 1);
    sig[10] ^= 1;
    assert_int_equal(goa_verify_file(pub, blob, sig, sizeof sig), 0);
    sig[10] ^= 1;
    put("blob", "some archive bytez", 0644);
    assert_int_equal(goa_verify_file(pub, blob, sig, sizeof sig), 0);
    assert_int_equal(goa_verify_file(pub, blob, sig, 10), 0);
    free(key), free(pub), free(blob);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_sha256, setup, teardown),
            cmocka_unit_test_setup_teardown(test_tree_hash, setup, teardown),
            cmocka_unit_test_setup_teardown(test_reproducible_archive, setup, teardown),
            cmocka_unit_test_setup_teardown(test_extract_refuses, setup, teardown),
            cmocka_unit_test_setup_teardown(test_sign_verify, setup, teardown),
    };
    return cmocka_run_group_tests_name("goa archive", tests, NULL, NULL);
}
