/* SPDX-License-Identifier: MIT */
/* libFuzzer target: hostile bytes from the network into a ktls server.
 *
 * The first input byte picks where the bytes arrive (mod 3):
 *   0  a fresh server (they stand for the client's first flight),
 *   1  a server mid-handshake (a BearSSL client's ClientHello was taken and
 *      the server's flight answered it: they stand for the client's second
 *      flight, where the client certificate is checked),
 *   2  an open connection (a completed handshake with an issued client
 *      certificate: they stand for records).
 * The second byte sets the size of the pieces they are fed in. Whatever
 * arrives, the server must not crash (ASan, UBSan), must take no more than
 * it was given, must keep its output within its buffer, must reach a
 * defined state, and must name a reason whenever it failed. Everything is
 * deterministic (the fixed generator), so a crash reproduces. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <kide/ktls.h>
#include <kide/ktls_client.h>

static struct ktls_rng rng;
static struct ktls_identity id;
static struct ktls_server srv;
static struct ktls_client cli;
static unsigned char cert[KTLS_CERT_MAX], priv[32];
static size_t cert_len;

static void check(int cond)
{
    if (!cond)
        abort();
}

static void once(void)
{
    static int done;
    static const unsigned char seed[32] = {7};
    unsigned char pub[65], spki[KTLS_SPKI_LEN];
    if (done)
        return;
    ktls_rng_init_fixed(&rng, "fuzz_ktls", 9);
    check(ktls_identity_from_seed(&id, seed, "fuzz-agent") == 0);
    check(ktls_keygen(&rng, priv, pub) == 0);
    ktls_spki(pub, spki, sizeof spki);
    check(ktls_issue_cert(&id, &rng, spki, sizeof spki, "fuzz", "habitat", cert, sizeof cert,
                          &cert_len) == 0);
    done = 1;
}

/* Drops what the server would send; bounded by its buffer. */
static void drain(void)
{
    for (int i = 0; i < 64; i++) {
        size_t n;
        const void *p = ktls_pending(&srv, &n);
        if (!p)
            return;
        check(n > 0 && n <= KTLS_OBUF_LEN);
        ktls_sent(&srv, n);
    }
}

/* One client -> server and server -> client exchange, by hand, so that the
 * client's next flight (which the fuzzer replaces) is not sent. */
static void first_round_trip(void)
{
    for (int i = 0; i < 4; i++) {
        unsigned st = ktls_client_state(&cli);
        if (!(st & BR_SSL_SENDREC))
            break;
        size_t len;
        unsigned char *buf = br_ssl_engine_sendrec_buf(&cli.cc.eng, &len);
        size_t t = ktls_feed(&srv, buf, len);
        if (t == 0)
            break;
        br_ssl_engine_sendrec_ack(&cli.cc.eng, t);
    }
    drain();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    once();
    if (size < 2)
        return 0;
    int mode = data[0] % 3;
    size_t piece = (size_t)data[1] + 1;
    data += 2;
    size -= 2;

    ktls_rng_init_fixed(&rng, "fuzz_ktls run", 13);
    ktls_server_start(&srv, &id, &rng);
    if (mode >= 1) {
        ktls_client_start(&cli, id.pub, cert, cert_len, priv, &rng);
        if (mode == 1) {
            first_round_trip();
            check(ktls_state_of(&srv) == KTLS_HANDSHAKE);
        } else {
            for (int i = 0; i < 32 && ktls_state_of(&srv) == KTLS_HANDSHAKE; i++)
                if (ktls_pump(&cli, &srv) == 0)
                    break;
            check(ktls_state_of(&srv) == KTLS_OPEN);
        }
    }

    size_t off = 0;
    unsigned char plain[4096];
    for (int stalls = 0; off < size && stalls < 4;) {
        size_t n = size - off < piece ? size - off : piece;
        size_t t = ktls_feed(&srv, data + off, n);
        check(t <= n);
        off += t;
        stalls = t ? 0 : stalls + 1;
        drain();
        while (ktls_read(&srv, plain, sizeof plain) > 0)
            ;
        if (ktls_state_of(&srv) == KTLS_OPEN)
            (void)ktls_write(&srv, "x", 1);
    }

    enum ktls_state st = ktls_state_of(&srv);
    check(st == KTLS_HANDSHAKE || st == KTLS_OPEN || st == KTLS_CLOSED || st == KTLS_FAILED);
    const char *why = ktls_error(&srv);
    check(why != NULL);
    check(st != KTLS_FAILED || why[0] != 0);
    char cn[KTLS_NAME_MAX + 1], org[KTLS_NAME_MAX + 1];
    unsigned char fp[KTLS_FP_LEN];
    int peer = ktls_peer(&srv, cn, org, fp);
    check(st == KTLS_OPEN || peer == -1);
    if (peer == 1)
        check(strlen(cn) > 0 && strlen(cn) <= KTLS_NAME_MAX && strlen(org) <= KTLS_NAME_MAX);
    ktls_close(&srv);
    drain();
    return 0;
}
