/* SPDX-License-Identifier: MIT */
/* ktls internal: writing X.509 v3 certificates signed with ECDSA P-256 /
 * SHA-256 (cert.c), shared by identity.c, issue.c and the host tests (which
 * also write certificates ktls itself never issues, e.g. expired ones). */
#ifndef KTLS_CERT_H
#define KTLS_CERT_H

#include <kide/ktls.h>

/* Everything a certificate says. Names are checked by the caller
 * (ktls_name_ok); the SPKI is KTLS_SPKI_LEN bytes, checked by the caller. */
struct ktls_cert_spec {
    const unsigned char *issuer_dn; /* the issuer's Name, DER */
    size_t issuer_dn_len;
    const unsigned char *issuer_priv; /* 32 bytes, P-256 */
    unsigned char serial[16];         /* positive, first byte in 0x40..0x7f */
    const char *cn, *org;             /* subject; org may be NULL (no O) */
    const unsigned char *spki;
    int ca;                 /* 1: the agent's own certificate (CA, signs client certificates) */
    const char *not_before; /* UTCTime, "YYMMDDhhmmssZ" */
    const char *not_after;  /* GeneralizedTime, "YYYYMMDDhhmmssZ" */
};

#define KTLS_NOT_BEFORE "000101000000Z"
#define KTLS_NOT_AFTER  "99991231235959Z"

/* 1 when s is 1..KTLS_NAME_MAX bytes of printable ASCII (0x20..0x7e). */
int ktls_name_ok(const char *s);
/* Encodes the Name CN = cn[, O = org]; 0 or KTLS_ESPACE. */
int ktls_name_der(const char *cn, const char *org, unsigned char *out, size_t cap, size_t *len);
/* Writes and signs the certificate; 0 or a KTLS_E* error. */
int ktls_cert_write(const struct ktls_cert_spec *c, unsigned char *out, size_t cap,
                    size_t *out_len);

#endif
