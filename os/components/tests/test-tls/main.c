/* SPDX-License-Identifier: MIT */
/* test-tls: ktls and BearSSL inside Kide (os/lib/tls, docs/tls.md).
 *
 * Seeds ktls's generator from the CPU (RDSEED/RDRAND: the scenario's machine
 * must have them), derives an agent identity from a seed twice (the same
 * fingerprint both times), issues a client certificate, then runs a BearSSL
 * client and a ktls server in this one component, connected through memory:
 * the handshake must complete with the client's certificate verified (CN,
 * O and fingerprint as issued), bytes must cross both ways intact, and
 * close_notify must close the connection. Logs the handshake's time on the
 * kernel clock, then `PASS tls-selftest` and exits 0.
 * Config: `bytes` (8192): plaintext sent each way.
 */
#include "test.h"

#include <kide/ktls.h>
#include <kide/ktls_client.h>

#define WHAT      "tls-selftest"
#define MAX_BYTES 65536
/* Round trips of the pump are bounded: a handshake takes a handful. */
#define MAX_PUMPS 64

static struct ktls_rng rng;
static struct ktls_identity id, id2;
static struct ktls_server srv;
static struct ktls_client cli;
static unsigned char client_cert[KTLS_CERT_MAX];
static unsigned char out[MAX_BYTES], in[MAX_BYTES];

static int same(const void *a, const void *b, kide_u64 n)
{
    const unsigned char *x = a, *y = b;
    for (kide_u64 i = 0; i < n; i++)
        if (x[i] != y[i])
            return 0;
    return 1;
}

/* Pumps until the server is open (or failed); FAIL on no progress. */
static void handshake(struct kide_env *env)
{
    for (int i = 0; i < MAX_PUMPS; i++) {
        enum ktls_state st = ktls_state_of(&srv);
        if (st == KTLS_OPEN && (ktls_client_state(&cli) & BR_SSL_SENDAPP))
            return;
        if (st == KTLS_FAILED || st == KTLS_CLOSED)
            t_fail(env, WHAT, "server: %s", ktls_error(&srv));
        if (ktls_client_state(&cli) & BR_SSL_CLOSED)
            t_fail(env, WHAT, "client failed with BearSSL error %d", ktls_client_error(&cli));
        if (ktls_pump(&cli, &srv) == 0 && ktls_state_of(&srv) == KTLS_HANDSHAKE)
            t_fail(env, WHAT, "handshake stalled");
    }
    t_fail(env, WHAT, "handshake not done after %d round trips", MAX_PUMPS);
}

/* Sends n bytes from the client to the server and back, each way in pieces. */
static void exchange(struct kide_env *env, kide_u64 n)
{
    for (kide_u64 i = 0; i < n; i++)
        out[i] = (unsigned char)(i * 7 + 3);
    kide_u64 sent = 0, got = 0;
    for (int round = 0; got < n && round < 4 * MAX_PUMPS; round++) {
        sent += ktls_client_write(&cli, out + sent, n - sent);
        ktls_pump(&cli, &srv);
        got += ktls_read(&srv, in + got, n - got);
    }
    if (got != n || !same(in, out, n))
        t_fail(env, WHAT, "client to server: %llu of %llu bytes arrived intact",
               (unsigned long long)got, (unsigned long long)n);
    sent = got = 0;
    for (int round = 0; got < n && round < 4 * MAX_PUMPS; round++) {
        sent += ktls_write(&srv, in + sent, n - sent);
        ktls_flush(&srv);
        ktls_pump(&cli, &srv);
        got += ktls_client_read(&cli, out + got, n - got);
    }
    if (got != n || !same(in, out, n))
        t_fail(env, WHAT, "server to client: %llu of %llu bytes arrived intact",
               (unsigned long long)got, (unsigned long long)n);
}

void kide_main(struct kide_env *env)
{
    const char *why = "";
    unsigned char seed[32], priv[32], pub[65], spki[KTLS_SPKI_LEN], fp[KTLS_FP_LEN], h[32];
    char cn[KTLS_NAME_MAX + 1], org[KTLS_NAME_MAX + 1];
    kide_u64 n = t_cfg_u64(env, "bytes", 8192);
    if (n == 0 || n > MAX_BYTES)
        t_fail(env, WHAT, "config bytes must be 1..%d", MAX_BYTES);

    kide_u64 t0 = kide_now_ns();
    if (ktls_rng_init(&rng, WHAT, sizeof WHAT, &why) != 0)
        t_fail(env, WHAT, "no hardware randomness: %s", why);
    ktls_rng_bytes(&rng, seed, sizeof seed);
    int rc = ktls_identity_from_seed(&id, seed, "test-agent");
    if (rc == 0)
        rc = ktls_identity_from_seed(&id2, seed, "test-agent");
    if (rc != 0)
        t_fail(env, WHAT, "identity: %s", ktls_strerror(rc));
    if (!same(id.fp, id2.fp, KTLS_FP_LEN) || id.cert_len != id2.cert_len)
        t_fail(env, WHAT, "two identities from one seed differ");
    if (ktls_keygen(&rng, priv, pub) != 0)
        t_fail(env, WHAT, "client key generation failed");
    ktls_spki(pub, spki, sizeof spki);
    size_t cert_len = 0;
    rc = ktls_issue_cert(&id, &rng, spki, sizeof spki, "kuori-test", "test-habitat", client_cert,
                         sizeof client_cert, &cert_len);
    if (rc != 0)
        t_fail(env, WHAT, "issuing: %s", ktls_strerror(rc));
    kide_u64 t1 = kide_now_ns();
    kide_log(env, "tls: identity (%llu-byte certificate) and client certificate in %llu ms",
             (unsigned long long)id.cert_len, (unsigned long long)((t1 - t0) / 1000000));

    ktls_server_start(&srv, &id, &rng);
    ktls_client_start(&cli, id.pub, client_cert, cert_len, priv, &rng);
    handshake(env);
    kide_u64 t2 = kide_now_ns();
    kide_log(env, "tls: handshake took %llu ms (kernel clock), cipher suite 0x%04x",
             (unsigned long long)((t2 - t1) / 1000000), (unsigned)srv.sc.eng.session.cipher_suite);

    if (ktls_peer(&srv, cn, org, fp) != 1)
        t_fail(env, WHAT, "the client's certificate was not verified");
    ktls_sha256(client_cert, cert_len, h);
    if (!same(cn, "kuori-test", 11) || !same(org, "test-habitat", 13) || !same(fp, h, sizeof h))
        t_fail(env, WHAT, "peer names or fingerprint differ from the issued certificate");

    exchange(env, n);
    kide_log(env, "tls: %llu bytes each way in %llu ms", (unsigned long long)n,
             (unsigned long long)((kide_now_ns() - t2) / 1000000));

    ktls_close(&srv);
    ktls_pump(&cli, &srv);
    if (ktls_state_of(&srv) == KTLS_FAILED)
        t_fail(env, WHAT, "close: %s", ktls_error(&srv));
    t_pass(env, WHAT);
}
