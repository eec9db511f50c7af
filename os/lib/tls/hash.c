/* SPDX-License-Identifier: MIT */
/* ktls: SHA-256 and HMAC-SHA-256, BearSSL's, for the agent's tokens and pins. */
#include <kide/ktls.h>

void ktls_sha256(const void *data, size_t len, unsigned char out[32])
{
    br_sha256_context c;
    br_sha256_init(&c);
    br_sha256_update(&c, data, len);
    br_sha256_out(&c, out);
}

void ktls_hmac_sha256(const void *key, size_t klen, const void *data, size_t len,
                      unsigned char out[32])
{
    br_hmac_key_context kc;
    br_hmac_context c;
    br_hmac_key_init(&kc, &br_sha256_vtable, key, klen);
    br_hmac_init(&c, &kc, 0);
    br_hmac_update(&c, data, len);
    br_hmac_out(&c, out);
}
