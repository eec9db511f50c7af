/* SPDX-License-Identifier: MIT */
/* goa: Ed25519 keys and detached signatures (OpenSSL).
 *
 * Thin wrappers over OpenSSL's EVP interface; every OpenSSL failure is
 * reported with the file involved. Key files are created with O_EXCL so an
 * existing key is never overwritten.
 */
#include "sign.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *ossl_why(void)
{
    static char buf[256];
    unsigned long e = ERR_get_error();

    if (!e)
        return "unknown OpenSSL error";
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

static FILE *create_excl(const char *path, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);

    return fd < 0 ? NULL : fdopen(fd, "w");
}

int goa_key_create(const char *path)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    EVP_PKEY *k = NULL;
    char *pub = goa_fmt("%s.pub", path);
    FILE *f = NULL;
    int rc = -1;

    if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_keygen(ctx, &k) <= 0) {
        goa_error("key create", NULL, "cannot generate an Ed25519 key: %s", ossl_why());
        goto out;
    }
    if (!(f = create_excl(path, 0600))) {
        goa_error(path,
                  errno == EEXIST ? "choose another file name; goa never overwrites a key"
                                  : "check the directory",
                  "cannot create the key file: %m");
        goto out;
    }
    if (!PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) || fclose(f)) {
        f = NULL;
        goa_error(path, NULL, "cannot write the private key: %s", ossl_why());
        goto out;
    }
    f = NULL;
    if (!(f = fopen(pub, "w")) || !PEM_write_PUBKEY(f, k) || fclose(f)) {
        f = NULL;
        goa_error(pub, NULL, "cannot write the public key");
        goto out;
    }
    f = NULL;
    rc = 0;
out:
    if (f)
        fclose(f);
    EVP_PKEY_free(k);
    EVP_PKEY_CTX_free(ctx);
    free(pub);
    return rc;
}

static EVP_PKEY *load_private(const char *path)
{
    FILE *f = fopen(path, "r");
    EVP_PKEY *k;

    if (!f) {
        goa_error(path, "create a key with 'goa key create FILE' or pass --key",
                  "cannot open the private key: %m");
        return NULL;
    }
    k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (!k || EVP_PKEY_id(k) != EVP_PKEY_ED25519) {
        goa_error(path, "the key must be an Ed25519 private key in PEM PKCS#8 ('goa key create')",
                  "not a usable signing key");
        EVP_PKEY_free(k);
        return NULL;
    }
    return k;
}

int goa_key_public_pem(const char *path, char **out)
{
    EVP_PKEY *k = load_private(path);
    BIO *b;
    char *p;
    long n;

    if (!k)
        return -1;
    b = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(b, k);
    n = BIO_get_mem_data(b, &p);
    *out = strndup(p, (size_t)n);
    BIO_free(b);
    EVP_PKEY_free(k);
    return *out ? 0 : -1;
}

int goa_sign_file(const char *key, const char *archive, unsigned char sig[GOA_SIG_LEN])
{
    EVP_PKEY *k = load_private(key);
    EVP_MD_CTX *ctx = NULL;
    char *data = NULL;
    size_t len, siglen = GOA_SIG_LEN;
    int rc = -1;

    if (!k)
        return -1;
    if (goa_read_file(archive, &data, &len)) {
        goa_error(archive, "run 'goa export' first", "cannot read the archive: %m");
        goto out;
    }
    ctx = EVP_MD_CTX_new();
    if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, k) <= 0 ||
        EVP_DigestSign(ctx, sig, &siglen, (unsigned char *)data, len) <= 0 ||
        siglen != GOA_SIG_LEN) {
        goa_error(archive, NULL, "cannot sign: %s", ossl_why());
        goto out;
    }
    rc = 0;
out:
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(k);
    free(data);
    return rc;
}

int goa_verify_file(const char *pubkey, const char *archive, const unsigned char *sig,
                    size_t siglen)
{
    FILE *f = fopen(pubkey, "r");
    EVP_PKEY *k = NULL;
    EVP_MD_CTX *ctx = NULL;
    char *data = NULL;
    size_t len;
    int rc = -1;

    if (!f) {
        goa_error(pubkey, "add the depot user's public key (depots/<user>/pubkey) or pass --depots",
                  "cannot open the public key: %m");
        return -1;
    }
    k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
    fclose(f);
    if (!k || EVP_PKEY_id(k) != EVP_PKEY_ED25519) {
        goa_error(pubkey, "the file must hold an Ed25519 public key in PEM ('goa key show')",
                  "not a usable public key");
        goto out;
    }
    if (goa_read_file(archive, &data, &len)) {
        goa_error(archive, NULL, "cannot read: %m");
        goto out;
    }
    if (siglen != GOA_SIG_LEN) {
        rc = 0;
        goto out;
    }
    ctx = EVP_MD_CTX_new();
    if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k) <= 0) {
        goa_error(pubkey, NULL, "cannot verify: %s", ossl_why());
        goto out;
    }
    rc = EVP_DigestVerify(ctx, sig, siglen, (unsigned char *)data, len) == 1;
    ERR_clear_error();
out:
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(k);
    free(data);
    return rc;
}

int goa_pubkey_check(const char *pubkey)
{
    FILE *f = fopen(pubkey, "r");
    EVP_PKEY *k = NULL;
    int rc = -1;

    if (!f) {
        goa_error(pubkey, "pass the publisher's public key file ('goa key show KEY' prints it)",
                  "cannot open the public key: %m");
        return -1;
    }
    k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
    fclose(f);
    if (!k || EVP_PKEY_id(k) != EVP_PKEY_ED25519)
        goa_error(pubkey, "the file must hold an Ed25519 public key in PEM ('goa key show')",
                  "not a usable public key");
    else
        rc = 0;
    ERR_clear_error();
    EVP_PKEY_free(k);
    return rc;
}
