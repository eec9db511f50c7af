/* SPDX-License-Identifier: MIT */
/* Ed25519 public keys and detached signatures over depot archives.
 *
 * A key arrives as PEM SubjectPublicKeyInfo and is accepted only if it is an
 * Ed25519 key. Its id is the first 16 hex digits of the SHA-256 of its DER
 * encoding, so the same key always gets the same id. A signature is the raw
 * 64 bytes of Ed25519 (pure, no pre-hash) over the exact archive bytes, sent
 * base64-encoded in the X-Kide-Signature header.
 */
#ifndef REG_SIG_H
#define REG_SIG_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

/** Length of a raw Ed25519 signature. */
#define REG_SIG_LEN 64

/**
 * Parse len bytes of PEM into an Ed25519 public key (*out, free with
 * EVP_PKEY_free). Returns 0, -EINVAL if it is not a PEM public key or
 * -ENOTSUP if it is a key of another algorithm.
 */
int reg_key_parse(const char *pem, size_t len, EVP_PKEY **out);

/**
 * The canonical PEM of a public key text: pem (len bytes) is parsed as
 * reg_key_parse does and written back as one SubjectPublicKeyInfo PEM block,
 * so nothing else the text held (comments, other blocks) survives. Text that
 * holds private key material ("PRIVATE KEY" anywhere) is refused with -EPERM:
 * it must never be stored or published. *out gets a string (free()).
 * Returns 0, -EPERM, -EINVAL, -ENOTSUP or -ENOMEM.
 */
int reg_key_canonical(const char *pem, size_t len, char **out);

/** As reg_key_canonical, but text around the public key (private or not) is dropped. */
int reg_key_public_pem(const char *pem, size_t len, char **out);

/** Write the 16-hex-digit id of key into id (17 bytes). Returns 0 or -EIO. */
int reg_key_id(EVP_PKEY *key, char id[17]);

/**
 * Verify the Ed25519 signature sig over len bytes at msg with key.
 * Returns 0 if it verifies, -EBADMSG if not.
 */
int reg_sig_verify(EVP_PKEY *key, const void *msg, size_t len, const uint8_t sig[REG_SIG_LEN]);

/**
 * Decode n characters of standard base64 (padding optional, no whitespace)
 * into at most cap bytes at out; *outlen gets the decoded length.
 * Returns 0, -EINVAL for a bad character or length, -ENOSPC if cap is too small.
 */
int reg_b64_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *outlen);

#endif
