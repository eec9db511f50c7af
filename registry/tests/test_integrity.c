/* SPDX-License-Identifier: MIT */
/* Tests of issue 12's integrity pieces: the verified-blob cache (vcache.c),
 * quota reservations (quota.c), key files reduced to the public key (sig.c)
 * and the archive format check (archive.c). */
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "archive.h"
#include "blob.h"
#include "quota.h"
#include "sig.h"
#include "unit.h"
#include "vcache.h"

static void vcache_rejects_damaged_bytes(void **state)
{
    char path[] = "/tmp/kide-vcache-XXXXXX", sha[REG_SHA_HEX + 1];
    uint64_t size;
    struct stat st;
    static struct reg_vcache vc;
    reg_vcache_init(&vc);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "genuine bytes", 13), 13);
    assert_int_equal(reg_blob_hash_fd(fd, sha, &size), 0);
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal(reg_vcache_check(&vc, fd, &st, sha), 0);
    assert_int_equal(reg_vcache_check(&vc, fd, &st, sha), 0);
    /* Same size, one byte changed: never vouched for. */
    assert_int_equal(pwrite(fd, "G", 1, 0), 1);
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal(reg_vcache_check(&vc, fd, &st, sha), -EBADMSG);
    assert_int_equal(ftruncate(fd, 5), 0);
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal(reg_vcache_check(&vc, fd, &st, sha), -EBADMSG);
    close(fd);
    unlink(path);
    reg_vcache_fini(&vc);
}

static void quota_reservations(void **state)
{
    static struct reg_quota q;
    reg_quota_init(&q);
    assert_int_equal(reg_quota_reserve(&q, "alice", 100, 300, 150), 0);
    assert_int_equal(reg_quota_reserve(&q, "alice", 100, 300, 50), 0);
    assert_int_equal(reg_quota_reserve(&q, "alice", 100, 300, 1), -EDQUOT);
    assert_int_equal(reg_quota_reserve(&q, "bob", 0, 300, 300), 0); /* per user */
    reg_quota_release(&q, "alice", 150);
    assert_int_equal(reg_quota_reserve(&q, "alice", 100, 300, 150), 0);
    assert_int_equal(reg_quota_reserve(&q, "carol", 400, 300, 0), -EDQUOT); /* over already */
    assert_int_equal(reg_quota_reserve(&q, "dave", 0, 300, UINT64_MAX), -EDQUOT);
    reg_quota_release(&q, "alice", 1000); /* more than held: clamps to zero */
    reg_quota_release(&q, "nobody", 5);
    assert_int_equal(reg_quota_reserve(&q, "alice", 0, 300, 300), 0);
    reg_quota_fini(&q);
}

static char *pem_of(EVP_PKEY *k, int private)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *data, *out;
    if (private)
        PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
    PEM_write_bio_PUBKEY(b, k);
    long n = BIO_get_mem_data(b, &data);
    out = strndup(data, (size_t)n);
    BIO_free(b);
    return out;
}

static void key_files_reduced_to_public_key(void **state)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    assert_non_null(k);
    char *pub = pem_of(k, 0), *both = pem_of(k, 1), *out = NULL, noisy[2048];
    assert_int_equal(reg_key_canonical(both, strlen(both), &out), -EPERM);
    assert_null(out);
    snprintf(noisy, sizeof(noisy), "a comment\n%strailing words\n", pub);
    assert_int_equal(reg_key_canonical(noisy, strlen(noisy), &out), 0);
    assert_string_equal(out, pub);
    free(out);
    /* Serving an old row that held both: only the public key comes out. */
    assert_int_equal(reg_key_public_pem(both, strlen(both), &out), 0);
    assert_string_equal(out, pub);
    free(out);
    assert_int_equal(reg_key_canonical("junk", 4, &out), -EINVAL);
    free(pub);
    free(both);
    EVP_PKEY_free(k);
}

static size_t xz(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    size_t pos = 0;
    assert_int_equal(lzma_easy_buffer_encode(0, LZMA_CHECK_CRC64, NULL, in, n, out, &pos, cap),
                     LZMA_OK);
    return pos;
}

static void archive_format(void **state)
{
    static uint8_t tar[1536], buf[4096];
    memset(tar, 0, sizeof(tar));
    /* A minimal ustar header for "a" (size 0) with its checksum. */
    memcpy(tar, "a", 1);
    memcpy(tar + 100, "0000644", 7);
    memcpy(tar + 124, "00000000000", 11);
    memcpy(tar + 257, "ustar", 6);
    memset(tar + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += tar[i];
    snprintf((char *)tar + 148, 8, "%06o", sum);
    assert_true(reg_tar_header_ok(tar));
    size_t n = xz(tar, sizeof(tar), buf, sizeof(buf));
    assert_null(reg_archive_check(buf, n));
    assert_non_null(reg_archive_check(buf, n - 1));     /* truncated */
    assert_non_null(reg_archive_check(buf + 1, n - 1)); /* no magic */
    tar[0] = 'b';                                       /* checksum now wrong */
    n = xz(tar, sizeof(tar), buf, sizeof(buf));
    assert_non_null(reg_archive_check(buf, n));
    n = xz((const uint8_t *)"short", 5, buf, sizeof(buf)); /* less than a block */
    assert_non_null(reg_archive_check(buf, n));
    memset(tar, 0, sizeof(tar)); /* an empty archive: end-of-archive blocks only */
    n = xz(tar, sizeof(tar), buf, sizeof(buf));
    assert_null(reg_archive_check(buf, n));
}

int reg_test_integrity(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(vcache_rejects_damaged_bytes),
            cmocka_unit_test(quota_reservations),
            cmocka_unit_test(key_files_reduced_to_public_key),
            cmocka_unit_test(archive_format),
    };
    return cmocka_run_group_tests_name("integrity", tests, NULL, NULL);
}
