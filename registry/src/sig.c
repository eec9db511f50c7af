/* SPDX-License-Identifier: MIT */
/* Ed25519 public keys and detached signatures over depot archives.
 *
 * Thin, checked wrappers around OpenSSL 3. Verification costs one Ed25519
 * verify over the whole archive (Ed25519 cannot stream), so the caller maps
 * the uploaded file rather than copying it.
 */
#include "sig.h"

#include <errno.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

int reg_key_parse(const char *pem, size_t len, EVP_PKEY **out)
{
    int rc = 0;
    *out = NULL;
    if (len > 16384)
        return -EINVAL;
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    if (!bio)
        return -ENOMEM;
    EVP_PKEY *key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    if (!key) {
        rc = -EINVAL;
        goto out;
    }
    if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(key);
        rc = -ENOTSUP;
        goto out;
    }
    *out = key;
out:
    BIO_free(bio);
    return rc;
}

int reg_key_canonical(const char *pem, size_t len, char **out)
{
    *out = NULL;
    if (memmem(pem, len, "PRIVATE KEY", 11))
        return -EPERM;
    return reg_key_public_pem(pem, len, out);
}

int reg_key_public_pem(const char *pem, size_t len, char **out)
{
    EVP_PKEY *key = NULL;
    char *data;
    *out = NULL;
    int rc = reg_key_parse(pem, len, &key);
    if (rc < 0)
        return rc;
    BIO *bio = BIO_new(BIO_s_mem());
    rc = -ENOMEM;
    if (bio && PEM_write_bio_PUBKEY(bio, key) == 1) {
        long n = BIO_get_mem_data(bio, &data);
        if (n > 0 && (*out = malloc((size_t)n + 1)) != NULL) {
            memcpy(*out, data, (size_t)n);
            (*out)[n] = '\0';
            rc = 0;
        }
    }
    BIO_free(bio);
    EVP_PKEY_free(key);
    return rc;
}

int reg_key_id(EVP_PKEY *key, char id[17])
{
    unsigned char *der = NULL, md[SHA256_DIGEST_LENGTH];
    int n = i2d_PUBKEY(key, &der);
    if (n <= 0)
        return -EIO;
    SHA256(der, (size_t)n, md);
    OPENSSL_free(der);
    for (int i = 0; i < 8; i++)
        snprintf(id + 2 * i, 3, "%02x", md[i]);
    return 0;
}

int reg_sig_verify(EVP_PKEY *key, const void *msg, size_t len, const uint8_t sig[REG_SIG_LEN])
{
    int rc = -EBADMSG;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx)
        return -ENOMEM;
    if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1 &&
        EVP_DigestVerify(ctx, sig, REG_SIG_LEN, msg, len) == 1)
        rc = 0;
    EVP_MD_CTX_free(ctx);
    return rc;
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int reg_b64_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *outlen)
{
    /* Strip up to two '=' of padding; the remainder must be a whole base64 body. */
    size_t pad = 0;
    while (n > 0 && in[n - 1] == '=' && pad < 2) {
        n--;
        pad++;
    }
    if (n % 4 == 1 || (pad && (n + pad) % 4 != 0))
        return -EINVAL;
    size_t need = n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
    if (need > cap)
        return -ENOSPC;
    uint32_t acc = 0;
    size_t bits = 0, o = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64_value(in[i]);
        if (v < 0)
            return -EINVAL;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    /* Non-zero leftover bits mean a non-canonical encoding. */
    if (acc & ((1u << bits) - 1))
        return -EINVAL;
    *outlen = o;
    return 0;
}
