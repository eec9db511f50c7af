/* SPDX-License-Identifier: MIT */
/* ktls: client certificates the agent issues at enrolment (decision 0019).
 * The public key arrives from the network: it must be exactly an
 * uncompressed P-256 SubjectPublicKeyInfo whose point is on the curve. */
#include "cert.h"

#include <string.h>

/* 0 if spki is a P-256 SPKI with a valid point. */
static int spki_ok(const unsigned char *spki, size_t len)
{
    unsigned char want[KTLS_SPKI_LEN], point[65];
    static const unsigned char one = 1;

    if (!spki || len != KTLS_SPKI_LEN)
        return -1;
    ktls_spki(point, want, sizeof want); /* the fixed header; the point part is ignored */
    if (memcmp(spki, want, KTLS_SPKI_LEN - 65) != 0 || spki[KTLS_SPKI_LEN - 65] != 0x04)
        return -1;
    /* BearSSL decodes the point (and refuses one off the curve) before it
     * multiplies; multiplying by one changes nothing else. */
    memcpy(point, spki + KTLS_SPKI_LEN - 65, 65);
    return br_ec_p256_m31.mul(point, sizeof point, &one, 1, BR_EC_secp256r1) ? 0 : -1;
}

int ktls_issue_cert(const struct ktls_identity *issuer, struct ktls_rng *rng,
                    const unsigned char *spki, size_t spki_len, const char *cn, const char *org,
                    unsigned char *out, size_t cap, size_t *out_len)
{
    if (!issuer || issuer->cert_len == 0 || issuer->dn_len == 0 || !out || !out_len)
        return KTLS_EINVAL;
    if (!ktls_name_ok(cn) || !ktls_name_ok(org))
        return KTLS_EINVAL;
    if (spki_ok(spki, spki_len) != 0)
        return KTLS_EKEY;

    struct ktls_cert_spec c = {
            .issuer_dn = issuer->dn,
            .issuer_dn_len = issuer->dn_len,
            .issuer_priv = issuer->priv,
            .cn = cn,
            .org = org,
            .spki = spki,
            .ca = 0,
            .not_before = KTLS_NOT_BEFORE,
            .not_after = KTLS_NOT_AFTER,
    };
    ktls_rng_bytes(rng, c.serial, sizeof c.serial);
    c.serial[0] = (unsigned char)((c.serial[0] & 0x3f) | 0x40);
    return ktls_cert_write(&c, out, cap, out_len);
}
