/* SPDX-License-Identifier: MIT */
/* API tokens: generation, format checks and hashing.
 *
 * A token reads "kr_<id>_<secret>": a 12-hex-digit public id (used to find
 * the token and to revoke it) and 64 hex digits of secret from the OpenSSL
 * CSPRNG. The registry stores only the id and the SHA-256 of the whole
 * token; the plain token is shown once, by `token create`. Hashes are
 * compared in constant time.
 */
#ifndef REG_TOKEN_H
#define REG_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Hex digits in a token id. */
#define REG_TOKEN_ID_LEN 12
/** Length of a token string, without the NUL. */
#define REG_TOKEN_LEN (3 + REG_TOKEN_ID_LEN + 1 + 64)

/** Create a fresh token (REG_TOKEN_LEN + 1 bytes) and its id. Returns 0 or -EIO. */
int reg_token_new(char token[REG_TOKEN_LEN + 1], char id[REG_TOKEN_ID_LEN + 1]);

/**
 * Check the format of the n bytes at token and copy its id out.
 * Returns 0 or -EINVAL.
 */
int reg_token_parse(const char *token, size_t n, char id[REG_TOKEN_ID_LEN + 1]);

/** Hash the n bytes of token into out (SHA-256). */
void reg_token_hash(const char *token, size_t n, uint8_t out[32]);

/** Compare two token hashes in constant time. */
bool reg_token_hash_eq(const uint8_t a[32], const uint8_t b[32]);

#endif
