/* SPDX-License-Identifier: MIT */
/* goa: Ed25519 keys and detached signatures (OpenSSL).
 *
 * The depot contract: a .sig file is the raw 64-byte Ed25519 signature
 * (EVP_DigestSign with a NULL digest) over the exact .tar.xz bytes. Private
 * keys are PEM PKCS#8 files of mode 0600; public keys are PEM
 * SubjectPublicKeyInfo. Verification reads the whole archive into memory
 * (Ed25519 is a one-shot algorithm); depot archives are bounded by the
 * registry's size limit.
 */
#ifndef GOA_SIGN_H
#define GOA_SIGN_H

#include <stddef.h>

/** Size of an Ed25519 signature. */
#define GOA_SIG_LEN 64

/** Create a new key: private key at PATH (0600), public key at PATH.pub. */
int goa_key_create(const char *path);

/** Write the public key of private key PATH as PEM to OUT (malloc'd string). */
int goa_key_public_pem(const char *path, char **out);

/** Sign the file ARCHIVE with the private key KEY into SIG; 0 or -1 (reported). */
int goa_sign_file(const char *key, const char *archive, unsigned char sig[GOA_SIG_LEN]);

/**
 * Verify that SIG (SIGLEN bytes) is PUBKEY's signature over the file
 * ARCHIVE. Returns 1 valid, 0 invalid, -1 could not check (reported).
 */
int goa_verify_file(const char *pubkey, const char *archive, const unsigned char *sig,
                    size_t siglen);

/** 0 if PUBKEY is a PEM Ed25519 public key, else -1 (reported). */
int goa_pubkey_check(const char *pubkey);

#endif
