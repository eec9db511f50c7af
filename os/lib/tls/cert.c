/* SPDX-License-Identifier: MIT */
/* ktls: the X.509 v3 certificates ktls writes (cert.h). Encoding is ours
 * (der.c); the signature is BearSSL's ECDSA, deterministic (RFC 6979), so
 * the same key and contents always give the same certificate. */
#include "cert.h"

#include "der.h"

#include <string.h>

/* Object identifiers, content bytes only. */
static const unsigned char OID_ECDSA_SHA256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
static const unsigned char OID_CN[] = {0x55, 0x04, 0x03};
static const unsigned char OID_O[] = {0x55, 0x04, 0x0a};
static const unsigned char OID_BASIC_CONSTRAINTS[] = {0x55, 0x1d, 0x13};
static const unsigned char OID_KEY_USAGE[] = {0x55, 0x1d, 0x0f};
static const unsigned char OID_EXT_KEY_USAGE[] = {0x55, 0x1d, 0x25};
static const unsigned char OID_CLIENT_AUTH[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02};

int ktls_name_ok(const char *s)
{
    if (!s)
        return 0;
    size_t n = 0;
    for (; s[n]; n++)
        if (n >= KTLS_NAME_MAX || s[n] < 0x20 || s[n] > 0x7e)
            return 0;
    return n > 0;
}

static void rdn(struct der *d, const unsigned char *oid, size_t oid_len, const char *value)
{
    der_begin(d, DER_SET);
    der_begin(d, DER_SEQUENCE);
    der_prim(d, DER_OID, oid, oid_len);
    der_prim(d, DER_UTF8, value, strlen(value));
    der_end(d);
    der_end(d);
}

static void name(struct der *d, const char *cn, const char *org)
{
    der_begin(d, DER_SEQUENCE);
    rdn(d, OID_CN, sizeof OID_CN, cn);
    if (org)
        rdn(d, OID_O, sizeof OID_O, org);
    der_end(d);
}

int ktls_name_der(const char *cn, const char *org, unsigned char *out, size_t cap, size_t *len)
{
    struct der d;
    der_init(&d, out, cap);
    name(&d, cn, org);
    if (der_ok(&d) != 0)
        return KTLS_ESPACE;
    *len = d.len;
    return 0;
}

static void sig_alg(struct der *d)
{
    der_begin(d, DER_SEQUENCE);
    der_prim(d, DER_OID, OID_ECDSA_SHA256, sizeof OID_ECDSA_SHA256);
    der_end(d);
}

/* One extension: SEQUENCE { OID, critical TRUE?, OCTET STRING { value } }. */
static void ext_begin(struct der *d, const unsigned char *oid, size_t oid_len, int critical)
{
    static const unsigned char yes = 0xff;
    der_begin(d, DER_SEQUENCE);
    der_prim(d, DER_OID, oid, oid_len);
    if (critical)
        der_prim(d, DER_BOOLEAN, &yes, 1);
    der_begin(d, DER_OCTET_STRING);
}

static void ext_end(struct der *d)
{
    der_end(d);
    der_end(d);
}

static void extensions(struct der *d, int ca)
{
    static const unsigned char yes = 0xff;
    /* keyUsage bits: digitalSignature (bit 0) for TLS, keyCertSign (bit 5)
     * for the agent, which signs its clients' certificates. */
    static const unsigned char ku_leaf[] = {0x07, 0x80};
    static const unsigned char ku_ca[] = {0x02, 0x84};

    der_begin(d, 0xa3);
    der_begin(d, DER_SEQUENCE);
    if (ca) {
        ext_begin(d, OID_BASIC_CONSTRAINTS, sizeof OID_BASIC_CONSTRAINTS, 1);
        der_begin(d, DER_SEQUENCE);
        der_prim(d, DER_BOOLEAN, &yes, 1);
        der_end(d);
        ext_end(d);
    }
    ext_begin(d, OID_KEY_USAGE, sizeof OID_KEY_USAGE, 1);
    if (ca)
        der_prim(d, DER_BIT_STRING, ku_ca, sizeof ku_ca);
    else
        der_prim(d, DER_BIT_STRING, ku_leaf, sizeof ku_leaf);
    ext_end(d);
    if (!ca) {
        ext_begin(d, OID_EXT_KEY_USAGE, sizeof OID_EXT_KEY_USAGE, 0);
        der_begin(d, DER_SEQUENCE);
        der_prim(d, DER_OID, OID_CLIENT_AUTH, sizeof OID_CLIENT_AUTH);
        der_end(d);
        ext_end(d);
    }
    der_end(d);
    der_end(d);
}

int ktls_cert_write(const struct ktls_cert_spec *c, unsigned char *out, size_t cap, size_t *out_len)
{
    static const unsigned char v3[] = {0xa0, 0x03, 0x02, 0x01, 0x02};
    struct der d;
    unsigned char hash[32], sig[80];

    if (cap > KTLS_CERT_MAX)
        cap = KTLS_CERT_MAX;
    der_init(&d, out, cap);
    der_begin(&d, DER_SEQUENCE);
    size_t tbs = d.len;
    der_begin(&d, DER_SEQUENCE);
    der_raw(&d, v3, sizeof v3);
    der_prim(&d, DER_INTEGER, c->serial, sizeof c->serial);
    sig_alg(&d);
    der_raw(&d, c->issuer_dn, c->issuer_dn_len);
    der_begin(&d, DER_SEQUENCE);
    der_prim(&d, DER_UTCTIME, c->not_before, strlen(c->not_before));
    der_prim(&d, DER_GENTIME, c->not_after, strlen(c->not_after));
    der_end(&d);
    name(&d, c->cn, c->org);
    der_raw(&d, c->spki, KTLS_SPKI_LEN);
    extensions(&d, c->ca);
    der_end(&d);
    if (d.bad)
        return KTLS_ESPACE;

    ktls_sha256(out + tbs, d.len - tbs, hash);
    br_ec_private_key sk = {BR_EC_secp256r1, (unsigned char *)c->issuer_priv, 32};
    size_t slen = br_ecdsa_i31_sign_asn1(&br_ec_p256_m31, &br_sha256_vtable, hash, &sk, sig);
    if (slen == 0 || slen > sizeof sig)
        return KTLS_ECRYPTO;
    sig_alg(&d);
    der_begin(&d, DER_BIT_STRING);
    der_raw(&d, "", 1); /* no unused bits */
    der_raw(&d, sig, slen);
    der_end(&d);
    der_end(&d);
    if (der_ok(&d) != 0)
        return KTLS_ESPACE;
    *out_len = d.len;
    return 0;
}

size_t ktls_spki(const unsigned char pub[65], unsigned char *out, size_t cap)
{
    /* SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING { 0, point } } */
    static const unsigned char head[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
                                         0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                         0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};
    if (cap < KTLS_SPKI_LEN)
        return 0;
    memcpy(out, head, sizeof head);
    memcpy(out + sizeof head, pub, 65);
    return KTLS_SPKI_LEN;
}

const char *ktls_strerror(int err)
{
    switch (err) {
    case 0:
        return "ok";
    case KTLS_EINVAL:
        return "a name is empty, longer than 64 bytes or not printable ASCII";
    case KTLS_EKEY:
        return "the public key is not an uncompressed P-256 point on the curve (SPKI DER)";
    case KTLS_ESPACE:
        return "the certificate does not fit the buffer";
    case KTLS_ECRYPTO:
        return "key derivation or signing failed";
    default:
        return "unknown ktls error";
    }
}
