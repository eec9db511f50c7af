/* SPDX-License-Identifier: MIT */
/* ktls: the test client (ktls_client.h). */
#include <kide/ktls_client.h>

#include <string.h>

#include "engine.h"

int ktls_keygen(struct ktls_rng *r, unsigned char priv[32], unsigned char pub[65])
{
    br_ec_private_key sk;
    br_ec_public_key pk;
    unsigned char kbuf[BR_EC_KBUF_PRIV_MAX_SIZE], pbuf[BR_EC_KBUF_PUB_MAX_SIZE];

    if (br_ec_keygen(&r->drbg.vtable, &br_ec_p256_m31, &sk, kbuf, BR_EC_secp256r1) != 32 ||
        br_ec_compute_pub(&br_ec_p256_m31, &pk, pbuf, &sk) != 65)
        return KTLS_ECRYPTO;
    memcpy(priv, sk.x, 32);
    memcpy(pub, pk.q, 65);
    memset(kbuf, 0, sizeof kbuf);
    return 0;
}

void ktls_client_start(struct ktls_client *c, const unsigned char server_pub[65],
                       const unsigned char *cert, size_t cert_len, const unsigned char priv[32],
                       struct ktls_rng *rng)
{
    unsigned char seed[32];
    br_ssl_engine_context *eng = &c->cc.eng;

    memset(c, 0, sizeof *c);
    br_ssl_client_zero(&c->cc);
    ktls_engine_setup(eng);
    memcpy(c->server_pub, server_pub, sizeof c->server_pub);
    br_ec_public_key pk = {BR_EC_secp256r1, c->server_pub, sizeof c->server_pub};
    br_x509_knownkey_init_ec(&c->xk, &pk, BR_KEYTYPE_SIGN | BR_KEYTYPE_KEYX);
    br_ssl_engine_set_x509(eng, &c->xk.vtable);
    if (cert) {
        memcpy(c->priv, priv, sizeof c->priv);
        c->chain.data = (unsigned char *)cert;
        c->chain.data_len = cert_len;
        c->sk.curve = BR_EC_secp256r1;
        c->sk.x = c->priv;
        c->sk.xlen = sizeof c->priv;
        br_ssl_client_set_single_ec(&c->cc, &c->chain, 1, &c->sk, BR_KEYTYPE_SIGN, BR_KEYTYPE_EC,
                                    &br_ec_p256_m31, &br_ecdsa_i31_sign_asn1);
    }
    br_ssl_engine_set_buffers_bidi(eng, c->ibuf, sizeof c->ibuf, c->obuf, sizeof c->obuf);
    ktls_rng_bytes(rng, seed, sizeof seed);
    br_ssl_engine_inject_entropy(eng, seed, sizeof seed);
    br_ssl_client_reset(&c->cc, NULL, 0);
}

/* Moves what one engine has to send into the other. */
static size_t client_to_server(struct ktls_client *c, struct ktls_server *s)
{
    br_ssl_engine_context *eng = &c->cc.eng;
    size_t moved = 0;
    while (br_ssl_engine_current_state(eng) & BR_SSL_SENDREC) {
        size_t len;
        unsigned char *buf = br_ssl_engine_sendrec_buf(eng, &len);
        size_t took = ktls_feed(s, buf, len);
        if (took == 0)
            break;
        br_ssl_engine_sendrec_ack(eng, took);
        moved += took;
    }
    return moved;
}

static size_t server_to_client(struct ktls_server *s, struct ktls_client *c)
{
    br_ssl_engine_context *eng = &c->cc.eng;
    size_t moved = 0;
    for (;;) {
        size_t len, room;
        const unsigned char *out = ktls_pending(s, &len);
        if (!out || !(br_ssl_engine_current_state(eng) & BR_SSL_RECVREC))
            break;
        unsigned char *in = br_ssl_engine_recvrec_buf(eng, &room);
        if (room > len)
            room = len;
        memcpy(in, out, room);
        br_ssl_engine_recvrec_ack(eng, room);
        ktls_sent(s, room);
        moved += room;
    }
    return moved;
}

size_t ktls_pump(struct ktls_client *c, struct ktls_server *s)
{
    size_t total = 0, step;
    do {
        step = client_to_server(c, s) + server_to_client(s, c);
        total += step;
    } while (step);
    return total;
}

size_t ktls_client_read(struct ktls_client *c, void *out, size_t cap)
{
    br_ssl_engine_context *eng = &c->cc.eng;
    unsigned char *o = out;
    size_t got = 0;
    while (got < cap && (br_ssl_engine_current_state(eng) & BR_SSL_RECVAPP)) {
        size_t len;
        unsigned char *buf = br_ssl_engine_recvapp_buf(eng, &len);
        if (len > cap - got)
            len = cap - got;
        memcpy(o + got, buf, len);
        br_ssl_engine_recvapp_ack(eng, len);
        got += len;
    }
    return got;
}

size_t ktls_client_write(struct ktls_client *c, const void *in, size_t n)
{
    br_ssl_engine_context *eng = &c->cc.eng;
    const unsigned char *p = in;
    size_t put = 0;
    while (put < n && (br_ssl_engine_current_state(eng) & BR_SSL_SENDAPP)) {
        size_t len;
        unsigned char *buf = br_ssl_engine_sendapp_buf(eng, &len);
        if (len > n - put)
            len = n - put;
        memcpy(buf, p + put, len);
        br_ssl_engine_sendapp_ack(eng, len);
        put += len;
    }
    br_ssl_engine_flush(eng, 0);
    return put;
}

unsigned ktls_client_state(const struct ktls_client *c)
{
    return br_ssl_engine_current_state(&c->cc.eng);
}

int ktls_client_error(const struct ktls_client *c)
{
    return br_ssl_engine_last_error(&c->cc.eng);
}
