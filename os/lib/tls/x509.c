/* SPDX-License-Identifier: MIT */
/* ktls: the server's check of client certificates. BearSSL's minimal X.509
 * engine does the path validation (trust anchor: the identity's key, as a
 * CA); this wrapper around it
 *  - takes the SHA-256 fingerprint of the leaf while the chain streams by,
 *  - refuses a leaf longer than KTLS_CERT_MAX or a chain of more than one
 *    certificate (ktls issues leaves signed directly by the identity),
 *  - refuses names that are not printable ASCII,
 *  - tells "expired" from "not ours": the minimal engine checks the
 *    validity dates before the issuer, so a foreign certificate valid
 *    from today fails as "not yet valid" against ktls's fixed date; for a
 *    date error the leaf is checked once more at a date inside its own
 *    validity (read by BearSSL's decoder), and "not issued by this agent"
 *    wins if that fails too,
 *  - and, when it refuses, turns off BR_OPT_TOLERATE_NO_CLIENT_AUTH: that
 *    flag lets clients without a certificate through (enrolment), but
 *    BearSSL would also let a client with a *rejected* certificate through
 *    as anonymous; without the flag it fails the handshake instead. */
#include "x509.h"

#include "cert.h"

#include <string.h>

/* The time the validity check uses, in days since 0000-01-01 (proleptic
 * Gregorian): 2026-01-01. Kide has no wall clock; ktls issues
 * certificates valid 2000..9999, so any date in that range accepts them,
 * and certificates with other validity (not ours) fail regardless. */
#define KTLS_X509_DAYS 739982u

static const unsigned char OID_CN[] = {3, 0x55, 0x04, 0x03};
static const unsigned char OID_O[] = {3, 0x55, 0x04, 0x0a};

#define X(ctx) ((struct ktls_x509 *)(void *)(ctx))

static void refuse(struct ktls_x509 *x, const char *why)
{
    if (!x->why)
        x->why = why;
}

/* The minimal engine's settings; days: the validation date. */
static void minimal_setup(struct ktls_x509 *x, uint32_t days, uint32_t seconds)
{
    br_x509_minimal_init(&x->minimal, &br_sha256_vtable, &x->ta, 1);
    br_x509_minimal_set_hash(&x->minimal, br_sha256_ID, &br_sha256_vtable);
    br_x509_minimal_set_ecdsa(&x->minimal, &br_ec_p256_m31, br_ecdsa_i31_vrfy_asn1);
    br_x509_minimal_set_time(&x->minimal, days, seconds);
    br_x509_minimal_set_name_elements(&x->minimal, x->names, 2);
}

/* The leaf's verdict at a date inside its own validity: BR_ERR_X509_EXPIRED
 * again if that cannot be found, else what the engine then says. */
static unsigned recheck_in_validity(struct ktls_x509 *x)
{
    br_x509_decoder_context dc;
    br_x509_decoder_init(&dc, NULL, NULL);
    br_x509_decoder_push(&dc, x->leaf, x->leaf_len);
    if (br_x509_decoder_last_error(&dc) != 0 || !br_x509_decoder_get_pkey(&dc))
        return BR_ERR_X509_EXPIRED;
    /* BearSSL keeps the dates in the context (no accessor in 0.6; the
     * recipe pins the release). Day 0 second 0 means "unset" to the engine: one second later. */
    uint32_t days = dc.notbefore_days, secs = dc.notbefore_seconds;
    if (days == 0 && secs == 0)
        secs = 1;
    minimal_setup(x, days, secs);
    const br_x509_class **m = &x->minimal.vtable;
    (*m)->start_chain(m, NULL);
    (*m)->start_cert(m, (uint32_t)x->leaf_len);
    (*m)->append(m, x->leaf, x->leaf_len);
    (*m)->end_cert(m);
    unsigned err = (*m)->end_chain(m);
    return err == BR_ERR_OK ? BR_ERR_X509_EXPIRED : err;
}

static void x_start_chain(const br_x509_class **ctx, const char *server_name)
{
    struct ktls_x509 *x = X(ctx);
    x->certs = 0;
    x->leaf_len = 0;
    x->too_big = 0;
    x->verified = 0;
    x->why = NULL;
    x->cn[0] = x->org[0] = 0;
    minimal_setup(x, KTLS_X509_DAYS, 0);
    x->minimal.vtable->start_chain(&x->minimal.vtable, server_name);
}

static void x_start_cert(const br_x509_class **ctx, uint32_t length)
{
    struct ktls_x509 *x = X(ctx);
    if (x->certs == 0) {
        br_sha256_init(&x->fp_ctx);
        if (length > KTLS_CERT_MAX)
            x->too_big = 1;
    }
    x->minimal.vtable->start_cert(&x->minimal.vtable, length);
}

static void x_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
    struct ktls_x509 *x = X(ctx);
    if (x->certs == 0) {
        br_sha256_update(&x->fp_ctx, buf, len);
        if (len <= sizeof x->leaf - x->leaf_len) {
            memcpy(x->leaf + x->leaf_len, buf, len);
            x->leaf_len += len;
        } else {
            x->too_big = 1;
        }
    }
    x->minimal.vtable->append(&x->minimal.vtable, buf, len);
}

static void x_end_cert(const br_x509_class **ctx)
{
    struct ktls_x509 *x = X(ctx);
    if (x->certs == 0)
        br_sha256_out(&x->fp_ctx, x->fp);
    x->certs++;
    x->minimal.vtable->end_cert(&x->minimal.vtable);
}

static int printable(const char *s)
{
    for (; *s; s++)
        if (*s < 0x20 || *s > 0x7e)
            return 0;
    return 1;
}

static unsigned x_end_chain(const br_x509_class **ctx)
{
    struct ktls_x509 *x = X(ctx);
    unsigned err = x->minimal.vtable->end_chain(&x->minimal.vtable);

    if (err == BR_ERR_OK) {
        if (x->too_big)
            refuse(x, "client certificate longer than 1024 bytes");
        else if (x->certs != 1)
            refuse(x,
                   "client sent a certificate chain; send only the certificate this agent issued");
        else if (x->names[0].status != 1 || !printable(x->cn) || x->cn[0] == 0)
            refuse(x, "client certificate has no printable CN of at most 64 bytes");
        else if (x->names[1].status < 0 || !printable(x->org))
            refuse(x, "client certificate's O is not printable or longer than 64 bytes");
        if (x->why)
            err = BR_ERR_X509_NOT_TRUSTED;
    }
    if (err == BR_ERR_X509_EXPIRED && !x->too_big && x->certs == 1)
        err = recheck_in_validity(x);
    if (err != BR_ERR_OK) {
        br_ssl_engine_remove_flags(x->eng, BR_OPT_TOLERATE_NO_CLIENT_AUTH);
        x->cn[0] = x->org[0] = 0;
        return err;
    }
    if (x->names[1].status != 1)
        x->org[0] = 0;
    x->verified = 1;
    return BR_ERR_OK;
}

static const br_x509_pkey *x_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
    const struct ktls_x509 *x = (const struct ktls_x509 *)(const void *)ctx;
    return x->minimal.vtable->get_pkey(&x->minimal.vtable, usages);
}

static const br_x509_class ktls_x509_vtable = {
        sizeof(struct ktls_x509),
        x_start_chain,
        x_start_cert,
        x_append,
        x_end_cert,
        x_end_chain,
        x_get_pkey,
};

void ktls_x509_init(struct ktls_x509 *x, const struct ktls_identity *id, br_ssl_engine_context *eng)
{
    memset(x, 0, sizeof *x);
    x->vtable = &ktls_x509_vtable;
    x->eng = eng;
    x->ta.dn.data = (unsigned char *)id->dn;
    x->ta.dn.len = id->dn_len;
    x->ta.flags = BR_X509_TA_CA;
    x->ta.pkey.key_type = BR_KEYTYPE_EC;
    x->ta.pkey.key.ec.curve = BR_EC_secp256r1;
    x->ta.pkey.key.ec.q = (unsigned char *)id->pub;
    x->ta.pkey.key.ec.qlen = sizeof id->pub;
    x->names[0].oid = OID_CN;
    x->names[0].buf = x->cn;
    x->names[0].len = sizeof x->cn;
    x->names[1].oid = OID_O;
    x->names[1].buf = x->org;
    x->names[1].len = sizeof x->org;
    minimal_setup(x, KTLS_X509_DAYS, 0);
}
