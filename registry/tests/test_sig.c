/* SPDX-License-Identifier: MIT */
/* Tests of key parsing, key ids, signature verification and base64 (src/sig.c).
 *
 * Keys are generated in memory for each run; none is stored in the tree.
 */
#include <errno.h>
#include <openssl/pem.h>
#include <string.h>

#include "sig.h"
#include "unit.h"

struct keys {
    EVP_PKEY *priv; /**< fresh Ed25519 key pair */
    char pem[512];  /**< its public half as PEM */
    size_t pem_len; /**< length of pem */
};

static int setup(void **state)
{
    static struct keys k;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    k.priv = NULL;
    if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_keygen(ctx, &k.priv) != 1)
        return -1;
    EVP_PKEY_CTX_free(ctx);
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(b, k.priv);
    k.pem_len = (size_t)BIO_read(b, k.pem, sizeof(k.pem) - 1);
    k.pem[k.pem_len] = '\0';
    BIO_free(b);
    *state = &k;
    return 0;
}

static int teardown(void **state)
{
    struct keys *k = *state;
    EVP_PKEY_free(k->priv);
    return 0;
}

static void sign(EVP_PKEY *priv, const void *msg, size_t len, uint8_t sig[64])
{
    size_t siglen = 64;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestSignInit(ctx, NULL, NULL, NULL, priv), 1);
    assert_int_equal(EVP_DigestSign(ctx, sig, &siglen, msg, len), 1);
    assert_int_equal(siglen, 64);
    EVP_MD_CTX_free(ctx);
}

static void verify_good_and_bad(void **state)
{
    struct keys *k = *state;
    EVP_PKEY *pub;
    uint8_t sig[64];
    const char msg[] = "archive bytes";
    assert_int_equal(reg_key_parse(k->pem, k->pem_len, &pub), 0);
    sign(k->priv, msg, sizeof(msg), sig);
    assert_int_equal(reg_sig_verify(pub, msg, sizeof(msg), sig), 0);
    sig[10] ^= 1;
    assert_int_equal(reg_sig_verify(pub, msg, sizeof(msg), sig), -EBADMSG);
    sig[10] ^= 1;
    assert_int_equal(reg_sig_verify(pub, msg, sizeof(msg) - 1, sig), -EBADMSG);
    EVP_PKEY_free(pub);
}

static void wrong_key(void **state)
{
    struct keys *k = *state, other;
    void *st = NULL;
    EVP_PKEY *pub;
    uint8_t sig[64];
    sign(k->priv, "x", 1, sig);
    struct keys saved = *k;
    assert_int_equal(setup(&st), 0);
    other = *(struct keys *)st;
    *k = saved;
    assert_int_equal(reg_key_parse(other.pem, other.pem_len, &pub), 0);
    assert_int_equal(reg_sig_verify(pub, "x", 1, sig), -EBADMSG);
    EVP_PKEY_free(pub);
    EVP_PKEY_free(other.priv);
}

static void key_ids(void **state)
{
    struct keys *k = *state;
    EVP_PKEY *a, *b;
    char ida[17], idb[17];
    assert_int_equal(reg_key_parse(k->pem, k->pem_len, &a), 0);
    assert_int_equal(reg_key_parse(k->pem, k->pem_len, &b), 0);
    assert_int_equal(reg_key_id(a, ida), 0);
    assert_int_equal(reg_key_id(b, idb), 0);
    assert_string_equal(ida, idb);
    assert_int_equal(strlen(ida), 16);
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
}

static void bad_keys(void **state)
{
    EVP_PKEY *k = NULL;
    assert_int_equal(reg_key_parse("garbage", 7, &k), -EINVAL);
    assert_null(k);
    const char *truncated =
            "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n";
    assert_int_equal(reg_key_parse(truncated, strlen(truncated), &k), -EINVAL);
    /* An EC P-256 key is a valid PEM public key but not Ed25519. */
    EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(ec);
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, ec);
    char pem[1024];
    int n = BIO_read(bio, pem, sizeof(pem));
    BIO_free(bio);
    EVP_PKEY_free(ec);
    assert_int_equal(reg_key_parse(pem, (size_t)n, &k), -ENOTSUP);
    assert_null(k);
}

static void base64(void **state)
{
    uint8_t out[64];
    size_t n;
    assert_int_equal(reg_b64_decode("aGVsbG8=", 8, out, sizeof(out), &n), 0);
    assert_int_equal(n, 5);
    assert_memory_equal(out, "hello", 5);
    assert_int_equal(reg_b64_decode("aGVsbG8", 7, out, sizeof(out), &n), 0);
    assert_int_equal(n, 5);
    assert_int_equal(reg_b64_decode("", 0, out, sizeof(out), &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(reg_b64_decode("aGVsb*8=", 8, out, sizeof(out), &n), -EINVAL);
    assert_int_equal(reg_b64_decode("a", 1, out, sizeof(out), &n), -EINVAL);
    assert_int_equal(reg_b64_decode("aGVsbG9=", 8, out, sizeof(out), &n), -EINVAL);
    assert_int_equal(reg_b64_decode("aGVsbG8==", 9, out, sizeof(out), &n), -EINVAL);
    assert_int_equal(reg_b64_decode("aGVsbG8=", 8, out, 4, &n), -ENOSPC);
}

int reg_test_sig(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(verify_good_and_bad),
            cmocka_unit_test(wrong_key),
            cmocka_unit_test(key_ids),
            cmocka_unit_test(bad_keys),
            cmocka_unit_test(base64),
    };
    return cmocka_run_group_tests_name("sig", tests, setup, teardown);
}
