/* SPDX-License-Identifier: MIT */
/* ktls: the agent's identity, a pure function of (seed, CN): the key comes
 * from an HMAC-DRBG seeded with the seed and a fixed label (BearSSL's
 * br_ec_keygen: rejection sampling, so the key is uniform), the certificate
 * from cert.c with a serial derived from the public key. A restarted agent
 * with the same seed therefore has the same fingerprint, and its clients
 * keep their pin (decision 0019). */
#include "cert.h"

#include <string.h>

/* Changing the label changes every agent's key: never do it in place. */
static const char LABEL[] = "kide ktls identity v1";

int ktls_identity_from_seed(struct ktls_identity *id, const unsigned char seed[32], const char *cn)
{
    br_hmac_drbg_context drbg;
    br_ec_private_key sk;
    br_ec_public_key pk;
    unsigned char kbuf[BR_EC_KBUF_PRIV_MAX_SIZE], pbuf[BR_EC_KBUF_PUB_MAX_SIZE],
            spki[KTLS_SPKI_LEN];
    unsigned char h[32];
    int rc;

    memset(id, 0, sizeof *id);
    if (!ktls_name_ok(cn))
        return KTLS_EINVAL;
    br_hmac_drbg_init(&drbg, &br_sha256_vtable, seed, 32);
    br_hmac_drbg_update(&drbg, LABEL, sizeof LABEL - 1);
    if (br_ec_keygen(&drbg.vtable, &br_ec_p256_m31, &sk, kbuf, BR_EC_secp256r1) != 32 ||
        br_ec_compute_pub(&br_ec_p256_m31, &pk, pbuf, &sk) != 65) {
        rc = KTLS_ECRYPTO;
        goto out;
    }
    memcpy(id->priv, sk.x, 32);
    memcpy(id->pub, pk.q, 65);
    rc = ktls_name_der(cn, NULL, id->dn, sizeof id->dn, &id->dn_len);
    if (rc != 0)
        goto out;

    struct ktls_cert_spec c = {
            .issuer_dn = id->dn,
            .issuer_dn_len = id->dn_len,
            .issuer_priv = id->priv,
            .cn = cn,
            .org = NULL,
            .spki = spki,
            .ca = 1,
            .not_before = KTLS_NOT_BEFORE,
            .not_after = KTLS_NOT_AFTER,
    };
    ktls_spki(id->pub, spki, sizeof spki);
    ktls_sha256(id->pub, sizeof id->pub, h);
    memcpy(c.serial, h, sizeof c.serial);
    c.serial[0] = (unsigned char)((c.serial[0] & 0x3f) | 0x40);
    rc = ktls_cert_write(&c, id->cert, sizeof id->cert, &id->cert_len);
    if (rc == 0)
        ktls_sha256(id->cert, id->cert_len, id->fp);
out:
    memset(kbuf, 0, sizeof kbuf);
    memset(&drbg, 0, sizeof drbg);
    if (rc != 0)
        memset(id, 0, sizeof *id);
    return rc;
}
