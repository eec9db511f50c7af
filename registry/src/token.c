/* SPDX-License-Identifier: MIT */
/* API tokens: generation, format checks and hashing.
 *
 * The hash needs no salt or stretching: the secret has 256 bits of entropy,
 * so a leaked database does not make guessing feasible.
 */
#include "token.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

static void hex(const uint8_t *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

int reg_token_new(char token[REG_TOKEN_LEN + 1], char id[REG_TOKEN_ID_LEN + 1])
{
    uint8_t raw[REG_TOKEN_ID_LEN / 2 + 32];
    char idhex[REG_TOKEN_ID_LEN + 1], secret[65];
    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return -EIO;
    hex(raw, REG_TOKEN_ID_LEN / 2, idhex);
    hex(raw + REG_TOKEN_ID_LEN / 2, 32, secret);
    snprintf(token, REG_TOKEN_LEN + 1, "kr_%s_%s", idhex, secret);
    memcpy(id, idhex, REG_TOKEN_ID_LEN + 1);
    OPENSSL_cleanse(raw, sizeof(raw));
    OPENSSL_cleanse(secret, sizeof(secret));
    return 0;
}

static bool is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

int reg_token_parse(const char *token, size_t n, char id[REG_TOKEN_ID_LEN + 1])
{
    if (n != REG_TOKEN_LEN || memcmp(token, "kr_", 3) != 0 || token[3 + REG_TOKEN_ID_LEN] != '_' ||
        !is_hex(token + 3, REG_TOKEN_ID_LEN) || !is_hex(token + 4 + REG_TOKEN_ID_LEN, 64))
        return -EINVAL;
    memcpy(id, token + 3, REG_TOKEN_ID_LEN);
    id[REG_TOKEN_ID_LEN] = '\0';
    return 0;
}

void reg_token_hash(const char *token, size_t n, uint8_t out[32])
{
    SHA256((const unsigned char *)token, n, out);
}

bool reg_token_hash_eq(const uint8_t a[32], const uint8_t b[32])
{
    return CRYPTO_memcmp(a, b, 32) == 0;
}
