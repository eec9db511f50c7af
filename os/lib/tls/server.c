/* SPDX-License-Identifier: MIT */
/* ktls: one TLS 1.2 server connection over BearSSL's engine, driven by the
 * caller through memory (ktls.h). The engine is configured by hand rather
 * than with br_ssl_server_init_full_ec, so that exactly the algorithms of
 * the freestanding build are linked: ECDHE-ECDSA on P-256 (m31), AES-GCM
 * (constant-time ct64) and ChaCha20-Poly1305, SHA-256/384. */
#include "engine.h"
#include "x509.h"

#include <string.h>

/* The server's order wins (BR_OPT_ENFORCE_SERVER_PREFERENCES). ChaCha20-
 * Poly1305 first: without AES instructions (the freestanding build uses
 * none) BearSSL's constant-time AES-GCM costs several times more per byte,
 * and an agent streaming samples pays it on every record (docs/tls.md). */
static const uint16_t SUITES[] = {
        BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
};

/* Engine settings common to the server and the test client (client.c). */
void ktls_engine_setup(br_ssl_engine_context *eng)
{
    br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
    br_ssl_engine_set_suites(eng, SUITES, sizeof SUITES / sizeof SUITES[0]);
    br_ssl_engine_set_hash(eng, br_sha256_ID, &br_sha256_vtable);
    br_ssl_engine_set_hash(eng, br_sha384_ID, &br_sha384_vtable);
    br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
    br_ssl_engine_set_prf_sha384(eng, &br_tls12_sha384_prf);
    br_ssl_engine_set_ec(eng, &br_ec_p256_m31);
    br_ssl_engine_set_ecdsa(eng, &br_ecdsa_i31_vrfy_asn1);
    br_ssl_engine_set_gcm(eng, &br_sslrec_in_gcm_vtable, &br_sslrec_out_gcm_vtable);
    br_ssl_engine_set_aes_ctr(eng, &br_aes_ct64_ctr_vtable);
    br_ssl_engine_set_ghash(eng, &br_ghash_ctmul64);
    br_ssl_engine_set_chapol(eng, &br_sslrec_in_chapol_vtable, &br_sslrec_out_chapol_vtable);
    br_ssl_engine_set_chacha20(eng, &br_chacha20_ct_run);
    br_ssl_engine_set_poly1305(eng, &br_poly1305_ctmul_run);
    br_ssl_engine_add_flags(eng, BR_OPT_NO_RENEGOTIATION);
}

void ktls_server_start(struct ktls_server *s, const struct ktls_identity *id, struct ktls_rng *rng)
{
    unsigned char seed[32];
    br_ssl_engine_context *eng = &s->sc.eng;

    memset(s, 0, sizeof *s);
    s->id = id;
    br_ssl_server_zero(&s->sc);
    if (!id || id->cert_len == 0 || id->cert_len > sizeof id->cert || id->dn_len == 0 ||
        id->dn_len > sizeof id->dn) {
        /* A zeroed engine is closed; the error makes it KTLS_FAILED. */
        s->x509.why = "no identity (make one with ktls_identity_from_seed)";
        s->sc.eng.err = BR_ERR_BAD_PARAM;
        return;
    }
    ktls_engine_setup(eng);
    br_ssl_engine_add_flags(eng,
                            BR_OPT_ENFORCE_SERVER_PREFERENCES | BR_OPT_TOLERATE_NO_CLIENT_AUTH);

    s->chain.data = (unsigned char *)id->cert;
    s->chain.data_len = id->cert_len;
    s->sk.curve = BR_EC_secp256r1;
    s->sk.x = (unsigned char *)id->priv;
    s->sk.xlen = sizeof id->priv;
    br_ssl_server_set_single_ec(&s->sc, &s->chain, 1, &s->sk, BR_KEYTYPE_SIGN, BR_KEYTYPE_EC,
                                &br_ec_p256_m31, &br_ecdsa_i31_sign_asn1);

    /* Asking for a certificate (CertificateRequest names the identity)
     * is what makes clients send theirs; x509.c decides. */
    ktls_x509_init(&s->x509, id, eng);
    br_ssl_server_set_trust_anchor_names_alt(&s->sc, &s->x509.ta, 1);
    br_ssl_engine_set_x509(eng, &s->x509.vtable);

    br_ssl_engine_set_buffers_bidi(eng, s->ibuf, sizeof s->ibuf, s->obuf, sizeof s->obuf);
    ktls_rng_bytes(rng, seed, sizeof seed);
    br_ssl_engine_inject_entropy(eng, seed, sizeof seed);
    memset(seed, 0, sizeof seed);
    br_ssl_server_reset(&s->sc);
}

/* Remembers that the handshake completed: BearSSL offers application data
 * only after it, but may stop offering it while its buffers are full. */
static unsigned update(struct ktls_server *s)
{
    unsigned st = br_ssl_engine_current_state(&s->sc.eng);
    if (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP))
        s->opened = 1;
    return st;
}

size_t ktls_feed(struct ktls_server *s, const void *in, size_t n)
{
    const unsigned char *p = in;
    size_t taken = 0;

    while (taken < n) {
        unsigned st = update(s);
        if (!(st & BR_SSL_RECVREC))
            break;
        size_t room;
        unsigned char *buf = br_ssl_engine_recvrec_buf(&s->sc.eng, &room);
        if (room > n - taken)
            room = n - taken;
        memcpy(buf, p + taken, room);
        br_ssl_engine_recvrec_ack(&s->sc.eng, room);
        taken += room;
    }
    update(s);
    return taken;
}

const void *ktls_pending(struct ktls_server *s, size_t *n)
{
    *n = 0;
    if (!(update(s) & BR_SSL_SENDREC))
        return NULL;
    return br_ssl_engine_sendrec_buf(&s->sc.eng, n);
}

void ktls_sent(struct ktls_server *s, size_t n)
{
    size_t len = 0;
    if (n == 0 || !(update(s) & BR_SSL_SENDREC))
        return;
    br_ssl_engine_sendrec_buf(&s->sc.eng, &len);
    br_ssl_engine_sendrec_ack(&s->sc.eng, n < len ? n : len);
    update(s);
}

size_t ktls_read(struct ktls_server *s, void *out, size_t cap)
{
    unsigned char *o = out;
    size_t got = 0;

    while (got < cap && (update(s) & BR_SSL_RECVAPP)) {
        size_t len;
        unsigned char *buf = br_ssl_engine_recvapp_buf(&s->sc.eng, &len);
        if (len > cap - got)
            len = cap - got;
        memcpy(o + got, buf, len);
        br_ssl_engine_recvapp_ack(&s->sc.eng, len);
        got += len;
    }
    update(s);
    return got;
}

size_t ktls_write(struct ktls_server *s, const void *in, size_t n)
{
    const unsigned char *p = in;
    size_t put = 0;

    while (put < n && (update(s) & BR_SSL_SENDAPP)) {
        size_t len;
        unsigned char *buf = br_ssl_engine_sendapp_buf(&s->sc.eng, &len);
        if (len > n - put)
            len = n - put;
        memcpy(buf, p + put, len);
        br_ssl_engine_sendapp_ack(&s->sc.eng, len);
        put += len;
    }
    update(s);
    return put;
}

void ktls_flush(struct ktls_server *s)
{
    br_ssl_engine_flush(&s->sc.eng, 0);
    update(s);
}

void ktls_close(struct ktls_server *s)
{
    br_ssl_engine_close(&s->sc.eng);
    update(s);
}

enum ktls_state ktls_state_of(const struct ktls_server *s)
{
    unsigned st = br_ssl_engine_current_state(&s->sc.eng);
    if (st & BR_SSL_CLOSED)
        return br_ssl_engine_last_error(&s->sc.eng) == BR_ERR_OK ? KTLS_CLOSED : KTLS_FAILED;
    if (s->opened || (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP)))
        return KTLS_OPEN;
    return KTLS_HANDSHAKE;
}

int ktls_peer(const struct ktls_server *s, char cn[KTLS_NAME_MAX + 1], char org[KTLS_NAME_MAX + 1],
              unsigned char fp[KTLS_FP_LEN])
{
    if (ktls_state_of(s) != KTLS_OPEN)
        return -1;
    if (!s->x509.verified) {
        cn[0] = org[0] = 0;
        memset(fp, 0, KTLS_FP_LEN);
        return 0;
    }
    memcpy(cn, s->x509.cn, KTLS_NAME_MAX + 1);
    memcpy(org, s->x509.org, KTLS_NAME_MAX + 1);
    memcpy(fp, s->x509.fp, KTLS_FP_LEN);
    return 1;
}
