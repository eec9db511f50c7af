/* SPDX-License-Identifier: MIT */
/* Host tests of ktls (os/lib/tls): identities and issued certificates as
 * OpenSSL 3 parses and verifies them, and the server's handshake in memory
 * against an OpenSSL client (memory BIOs) with the certificates a client
 * may present: one ktls issued, none, a self-signed one, one another agent
 * issued, an expired one, garbage (through the BearSSL test client, which
 * sends a chain without parsing it). Built with ASan and UBSan. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "der.h"
#include <kide/ktls.h>
#include <kide/ktls_client.h>

/* Big structures live here, not on the test's stack. */
static struct ktls_rng rng;
static struct ktls_identity agent, other;
static struct ktls_server srv;
static struct ktls_client bcli;

static const unsigned char SEED_A[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
static const unsigned char SEED_B[32] = {42};

static int setup(void **state)
{
    (void)state;
    ktls_rng_init_fixed(&rng, "test_ktls", 9);
    assert_int_equal(ktls_identity_from_seed(&agent, SEED_A, "agent-a"), 0);
    /* Another agent with the same CN: only its key tells it apart. */
    assert_int_equal(ktls_identity_from_seed(&other, SEED_B, "agent-a"), 0);
    return 0;
}

static X509 *parse(const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    assert_non_null(x);
    assert_ptr_equal(p, der + len); /* nothing left over */
    return x;
}

/* The X.509 public key of an identity, through its SPKI. */
static EVP_PKEY *pubkey_of(const struct ktls_identity *id)
{
    unsigned char spki[KTLS_SPKI_LEN];
    assert_int_equal(ktls_spki(id->pub, spki, sizeof spki), KTLS_SPKI_LEN);
    const unsigned char *p = spki;
    EVP_PKEY *k = d2i_PUBKEY(NULL, &p, sizeof spki);
    assert_non_null(k);
    return k;
}

static void name_entry(X509_NAME *n, int nid, char *out, size_t cap)
{
    out[0] = 0;
    X509_NAME_get_text_by_NID(n, nid, out, (int)cap);
}

/* ---- identities and certificates ---------------------------------------- */

static void test_identity_deterministic(void **state)
{
    (void)state;
    static struct ktls_identity again, b;
    assert_int_equal(ktls_identity_from_seed(&again, SEED_A, "agent-a"), 0);
    assert_memory_equal(again.fp, agent.fp, KTLS_FP_LEN);
    assert_int_equal(again.cert_len, agent.cert_len);
    assert_memory_equal(again.cert, agent.cert, agent.cert_len);
    assert_memory_equal(again.priv, agent.priv, 32);
    unsigned char h[32];
    SHA256(agent.cert, agent.cert_len, h);
    assert_memory_equal(h, agent.fp, 32);
    /* Another seed: another key and fingerprint. */
    assert_int_equal(ktls_identity_from_seed(&b, SEED_B, "agent-a"), 0);
    assert_memory_not_equal(b.fp, agent.fp, KTLS_FP_LEN);
    assert_memory_not_equal(b.pub, agent.pub, 65);
    /* The same seed with another CN: same key, other certificate. */
    assert_int_equal(ktls_identity_from_seed(&b, SEED_A, "agent-b"), 0);
    assert_memory_equal(b.pub, agent.pub, 65);
    assert_memory_not_equal(b.fp, agent.fp, KTLS_FP_LEN);
}

static void test_identity_bad_names(void **state)
{
    (void)state;
    static struct ktls_identity b;
    char longname[KTLS_NAME_MAX + 2];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    assert_int_equal(ktls_identity_from_seed(&b, SEED_A, ""), KTLS_EINVAL);
    assert_int_equal(ktls_identity_from_seed(&b, SEED_A, longname), KTLS_EINVAL);
    assert_int_equal(ktls_identity_from_seed(&b, SEED_A, "tab\there"), KTLS_EINVAL);
    assert_int_equal(ktls_identity_from_seed(&b, SEED_A, NULL), KTLS_EINVAL);
    longname[KTLS_NAME_MAX] = 0; /* exactly the maximum */
    assert_int_equal(ktls_identity_from_seed(&b, SEED_A, longname), 0);
    assert_true(b.cert_len <= KTLS_CERT_MAX);
}

static void test_identity_cert_openssl(void **state)
{
    (void)state;
    X509 *x = parse(agent.cert, agent.cert_len);
    EVP_PKEY *k = pubkey_of(&agent);
    assert_int_equal(X509_verify(x, k), 1); /* self-signed */
    assert_int_equal(X509_check_ca(x), 1);
    assert_int_equal(X509_get_version(x), 2); /* v3 */
    char cn[80];
    name_entry(X509_get_subject_name(x), NID_commonName, cn, sizeof cn);
    assert_string_equal(cn, "agent-a");
    assert_int_equal(X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)), 0);
    /* Its subject is the DN ktls keeps (trust anchor, CertificateRequest). */
    unsigned char *dn = NULL;
    int dlen = i2d_X509_NAME(X509_get_subject_name(x), &dn);
    assert_int_equal((size_t)dlen, agent.dn_len);
    assert_memory_equal(dn, agent.dn, agent.dn_len);
    OPENSSL_free(dn);
    EVP_PKEY *o = pubkey_of(&other);
    assert_int_equal(X509_verify(x, o), 0);
    EVP_PKEY_free(o);
    EVP_PKEY_free(k);
    X509_free(x);
}

/* A fresh OpenSSL P-256 key and its SPKI. */
static EVP_PKEY *ossl_key(unsigned char *spki, size_t cap, size_t *len)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    assert_non_null(k);
    unsigned char *p = NULL;
    int n = i2d_PUBKEY(k, &p);
    assert_true(n > 0 && (size_t)n <= cap);
    memcpy(spki, p, (size_t)n);
    *len = (size_t)n;
    OPENSSL_free(p);
    return k;
}

static void test_issue_openssl(void **state)
{
    (void)state;
    unsigned char spki[200], cert[KTLS_CERT_MAX];
    size_t slen, clen;
    EVP_PKEY *ck = ossl_key(spki, sizeof spki, &slen);
    assert_int_equal(slen, KTLS_SPKI_LEN);
    assert_int_equal(ktls_issue_cert(&agent, &rng, spki, slen, "kuori@laptop", "tenant-1", cert,
                                     sizeof cert, &clen),
                     0);
    X509 *x = parse(cert, clen);
    EVP_PKEY *ak = pubkey_of(&agent), *ok = pubkey_of(&other);
    assert_int_equal(X509_verify(x, ak), 1);
    assert_int_equal(X509_verify(x, ok), 0);
    char cn[80], o[80];
    name_entry(X509_get_subject_name(x), NID_commonName, cn, sizeof cn);
    name_entry(X509_get_subject_name(x), NID_organizationName, o, sizeof o);
    assert_string_equal(cn, "kuori@laptop");
    assert_string_equal(o, "tenant-1");
    X509 *ax = parse(agent.cert, agent.cert_len);
    assert_int_equal(X509_NAME_cmp(X509_get_issuer_name(x), X509_get_subject_name(ax)), 0);
    assert_int_equal(X509_check_issued(ax, x), X509_V_OK);
    assert_int_equal(X509_check_ca(x), 0);
    EVP_PKEY *pk = X509_get0_pubkey(x);
    assert_int_equal(EVP_PKEY_eq(pk, ck), 1);
    /* Validity 2000-01-01 .. 9999-12-31. */
    ASN1_TIME *t = ASN1_TIME_new();
    assert_true(ASN1_TIME_set_string_X509(t, "20000101000000Z"));
    assert_int_equal(ASN1_TIME_compare(X509_get0_notBefore(x), t), 0);
    assert_true(ASN1_TIME_set_string_X509(t, "99991231235959Z"));
    assert_int_equal(ASN1_TIME_compare(X509_get0_notAfter(x), t), 0);
    ASN1_TIME_free(t);
    /* Two issues: different serials. */
    unsigned char cert2[KTLS_CERT_MAX];
    size_t clen2;
    assert_int_equal(ktls_issue_cert(&agent, &rng, spki, slen, "kuori@laptop", "tenant-1", cert2,
                                     sizeof cert2, &clen2),
                     0);
    X509 *x2 = parse(cert2, clen2);
    assert_int_not_equal(ASN1_INTEGER_cmp(X509_get0_serialNumber(x), X509_get0_serialNumber(x2)),
                         0);
    X509_free(x2);
    X509_free(ax);
    X509_free(x);
    EVP_PKEY_free(ak);
    EVP_PKEY_free(ok);
    EVP_PKEY_free(ck);
}

static void test_issue_rejects(void **state)
{
    (void)state;
    unsigned char spki[200], bad[200], cert[KTLS_CERT_MAX];
    size_t slen, clen = 0;
    EVP_PKEY *ck = ossl_key(spki, sizeof spki, &slen);
    char longname[KTLS_NAME_MAX + 2];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;

    assert_int_equal(
            ktls_issue_cert(&agent, &rng, spki, slen - 1, "a", "b", cert, sizeof cert, &clen),
            KTLS_EKEY);
    assert_int_equal(ktls_issue_cert(&agent, &rng, NULL, slen, "a", "b", cert, sizeof cert, &clen),
                     KTLS_EKEY);
    memcpy(bad, spki, slen);
    bad[10] ^= 1; /* another algorithm OID */
    assert_int_equal(ktls_issue_cert(&agent, &rng, bad, slen, "a", "b", cert, sizeof cert, &clen),
                     KTLS_EKEY);
    memcpy(bad, spki, slen);
    bad[slen - 1] ^= 1; /* the point leaves the curve */
    assert_int_equal(ktls_issue_cert(&agent, &rng, bad, slen, "a", "b", cert, sizeof cert, &clen),
                     KTLS_EKEY);
    memcpy(bad, spki, slen);
    bad[26] = 0x02; /* compressed points are not accepted */
    assert_int_equal(ktls_issue_cert(&agent, &rng, bad, slen, "a", "b", cert, sizeof cert, &clen),
                     KTLS_EKEY);
    assert_int_equal(
            ktls_issue_cert(&agent, &rng, spki, slen, longname, "b", cert, sizeof cert, &clen),
            KTLS_EINVAL);
    assert_int_equal(ktls_issue_cert(&agent, &rng, spki, slen, "a", "", cert, sizeof cert, &clen),
                     KTLS_EINVAL);
    assert_int_equal(
            ktls_issue_cert(&agent, &rng, spki, slen, "a\n", "b", cert, sizeof cert, &clen),
            KTLS_EINVAL);
    assert_int_equal(ktls_issue_cert(&agent, &rng, spki, slen, "a", "b", cert, 100, &clen),
                     KTLS_ESPACE);
    assert_int_equal(clen, 0);
    static struct ktls_identity empty;
    assert_int_equal(ktls_issue_cert(&empty, &rng, spki, slen, "a", "b", cert, sizeof cert, &clen),
                     KTLS_EINVAL);
    /* The longest names still fit in KTLS_CERT_MAX. */
    longname[KTLS_NAME_MAX] = 0;
    assert_int_equal(
            ktls_issue_cert(&agent, &rng, spki, slen, longname, longname, cert, sizeof cert, &clen),
            0);
    X509_free(parse(cert, clen));
    assert_string_not_equal(ktls_strerror(KTLS_EKEY), ktls_strerror(KTLS_EINVAL));
    EVP_PKEY_free(ck);
}

static void test_der_bounds(void **state)
{
    (void)state;
    unsigned char buf[300];
    struct der d;
    /* A 200-byte element needs a two-byte length: content moves up. */
    der_init(&d, buf, sizeof buf);
    der_begin(&d, DER_SEQUENCE);
    unsigned char z[200] = {0};
    der_prim(&d, DER_OCTET_STRING, z, sizeof z);
    der_end(&d);
    assert_int_equal(der_ok(&d), 0);
    assert_int_equal(d.len, 2 + 1 + 2 + 200 + 1);
    assert_int_equal(buf[1], 0x81);
    assert_int_equal(buf[2], 203);
    /* One byte short: refused, nothing written beyond cap. */
    unsigned char small[206];
    memset(small, 0xee, sizeof small);
    der_init(&d, small, 205);
    der_begin(&d, DER_SEQUENCE);
    der_prim(&d, DER_OCTET_STRING, z, sizeof z);
    der_end(&d);
    assert_int_not_equal(der_ok(&d), 0);
    assert_int_equal(small[205], 0xee);
    /* Unbalanced nesting and too deep nesting fail. */
    der_init(&d, buf, sizeof buf);
    der_begin(&d, DER_SEQUENCE);
    assert_int_not_equal(der_ok(&d), 0);
    der_init(&d, buf, sizeof buf);
    der_end(&d);
    assert_int_not_equal(der_ok(&d), 0);
    der_init(&d, buf, sizeof buf);
    for (int i = 0; i < DER_DEPTH + 1; i++)
        der_begin(&d, DER_SEQUENCE);
    assert_int_not_equal(der_ok(&d), 0);
}

/* A constructed element whose content outgrows the 3-byte length form must fail
 * the writer, not be left with its one-byte placeholder length (0) as valid DER. */
static void test_der_constructed_too_long(void **state)
{
    (void)state;
    static unsigned char big[140000], part[40000];
    struct der d;
    der_init(&d, big, sizeof big);
    der_begin(&d, DER_SEQUENCE);
    der_prim(&d, DER_OCTET_STRING, part, sizeof part);
    der_prim(&d, DER_OCTET_STRING, part, sizeof part);
    der_end(&d);
    assert_int_not_equal(der_ok(&d), 0);
}

static void test_hashes(void **state)
{
    (void)state;
    unsigned char a[32], b[32];
    unsigned int blen = 0;
    ktls_sha256("abc", 3, a);
    SHA256((const unsigned char *)"abc", 3, b);
    assert_memory_equal(a, b, 32);
    ktls_hmac_sha256("key", 3, "message", 7, a);
    HMAC(EVP_sha256(), "key", 3, (const unsigned char *)"message", 7, b, &blen);
    assert_int_equal(blen, 32);
    assert_memory_equal(a, b, 32);
    /* A key longer than the block is hashed first, in both. */
    unsigned char longkey[100];
    memset(longkey, 7, sizeof longkey);
    ktls_hmac_sha256(longkey, sizeof longkey, "", 0, a);
    HMAC(EVP_sha256(), longkey, sizeof longkey, (const unsigned char *)"", 0, b, &blen);
    assert_memory_equal(a, b, 32);
}

static int cpu_has_rdrand(void)
{
    unsigned a, b, c, d;
    __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    return (c >> 30) & 1;
}

static void test_rng(void **state)
{
    (void)state;
    struct ktls_rng r1, r2;
    const char *why = NULL;
    if (!cpu_has_rdrand()) {
        assert_int_equal(ktls_rng_init(&r1, NULL, 0, &why), -1);
        assert_non_null(why);
        skip();
    }
    assert_int_equal(ktls_rng_init(&r1, "x", 1, &why), 0);
    assert_int_equal(ktls_rng_init(&r2, "x", 1, &why), 0);
    unsigned char a[32], b[32];
    ktls_rng_bytes(&r1, a, sizeof a);
    ktls_rng_bytes(&r2, b, sizeof b);
    assert_memory_not_equal(a, b, sizeof a);
    /* The fixed generator repeats (tests and fuzzers rely on it). */
    ktls_rng_init_fixed(&r1, "s", 1);
    ktls_rng_init_fixed(&r2, "s", 1);
    ktls_rng_bytes(&r1, a, sizeof a);
    ktls_rng_bytes(&r2, b, sizeof b);
    assert_memory_equal(a, b, sizeof a);
}

/* ---- handshakes against OpenSSL ------------------------------------------ */

struct peer {
    SSL_CTX *ctx;
    SSL *ssl;
    BIO *in, *out; /* in: what the server sent; out: what the client sends */
    unsigned char held[1 << 17];
    size_t nheld; /* client bytes the server has not taken yet */
};

static struct peer P;

static void peer_open(struct peer *p, X509 *cert, EVP_PKEY *key, const char *ciphers)
{
    p->ctx = SSL_CTX_new(TLS_client_method());
    assert_non_null(p->ctx);
    SSL_CTX_set_min_proto_version(p->ctx, TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(p->ctx, TLS1_2_VERSION);
    if (ciphers)
        assert_int_equal(SSL_CTX_set_cipher_list(p->ctx, ciphers), 1);
    p->ssl = SSL_new(p->ctx);
    assert_non_null(p->ssl);
    if (cert) {
        assert_int_equal(SSL_use_certificate(p->ssl, cert), 1);
        assert_int_equal(SSL_use_PrivateKey(p->ssl, key), 1);
    }
    p->in = BIO_new(BIO_s_mem());
    p->out = BIO_new(BIO_s_mem());
    SSL_set_bio(p->ssl, p->in, p->out);
    SSL_set_connect_state(p->ssl);
    p->nheld = 0;
}

static void peer_close(struct peer *p)
{
    SSL_free(p->ssl);
    SSL_CTX_free(p->ctx);
    ERR_clear_error();
}

/* Moves bytes both ways until neither side moves any, at most `step`
 * bytes per call into and out of the server; the client side advances its
 * handshake on the way. Bounded. */
static void pump_by(struct peer *p, struct ktls_server *s, size_t step)
{
    for (int round = 0; round < 100000; round++) {
        int moved = 0;
        if (!SSL_is_init_finished(p->ssl))
            SSL_do_handshake(p->ssl);
        int n;
        while (p->nheld < sizeof p->held &&
               (n = BIO_read(p->out, p->held + p->nheld, (int)(sizeof p->held - p->nheld))) > 0)
            p->nheld += (size_t)n;
        if (p->nheld) {
            size_t t = ktls_feed(s, p->held, p->nheld < step ? p->nheld : step);
            memmove(p->held, p->held + t, p->nheld - t);
            p->nheld -= t;
            moved |= t > 0;
        }
        size_t len;
        const void *q;
        while ((q = ktls_pending(s, &len)) != NULL && len) {
            len = len < step ? len : step;
            assert_int_equal(BIO_write(p->in, q, (int)len), (int)len);
            ktls_sent(s, len);
            moved = 1;
        }
        if (!moved && BIO_ctrl_pending(p->out) == 0)
            return;
    }
    fail_msg("pump: no quiescence after 100000 rounds");
}

static void pump(struct peer *p, struct ktls_server *s)
{
    pump_by(p, s, SIZE_MAX);
}

/* A client certificate ktls issued for an OpenSSL key. */
static X509 *issued(const struct ktls_identity *by, EVP_PKEY **key, const char *cn, const char *org)
{
    unsigned char spki[200], cert[KTLS_CERT_MAX];
    size_t slen, clen;
    *key = ossl_key(spki, sizeof spki, &slen);
    assert_int_equal(ktls_issue_cert(by, &rng, spki, slen, cn, org, cert, sizeof cert, &clen), 0);
    return parse(cert, clen);
}

/* The server's certificate as the client saw it must be the pinned one. */
static void check_pin(struct peer *p)
{
    X509 *sc = SSL_get1_peer_certificate(p->ssl);
    assert_non_null(sc);
    unsigned char *der = NULL, h[32];
    int n = i2d_X509(sc, &der);
    SHA256(der, (size_t)n, h);
    assert_memory_equal(h, agent.fp, 32);
    OPENSSL_free(der);
    X509_free(sc);
}

static void test_handshake_issued(void **state)
{
    (void)state;
    EVP_PKEY *key;
    X509 *cert = issued(&agent, &key, "kuori@laptop", "tenant-1");
    peer_open(&P, cert, key, NULL);
    ktls_server_start(&srv, &agent, &rng);
    assert_int_equal(ktls_state_of(&srv), KTLS_HANDSHAKE);
    char cn[KTLS_NAME_MAX + 1], org[KTLS_NAME_MAX + 1];
    unsigned char fp[32], h[32];
    assert_int_equal(ktls_peer(&srv, cn, org, fp), -1);
    pump(&P, &srv);
    assert_int_equal(SSL_is_init_finished(P.ssl), 1);
    assert_int_equal(ktls_state_of(&srv), KTLS_OPEN);
    assert_string_equal(ktls_error(&srv), "");
    check_pin(&P);
    assert_int_equal(ktls_peer(&srv, cn, org, fp), 1);
    assert_string_equal(cn, "kuori@laptop");
    assert_string_equal(org, "tenant-1");
    unsigned char *der = NULL;
    int n = i2d_X509(cert, &der);
    SHA256(der, (size_t)n, h);
    OPENSSL_free(der);
    assert_memory_equal(fp, h, 32);
    /* The server's first choice: ChaCha20 (cheaper than constant-time AES). */
    assert_string_equal(SSL_get_cipher_name(P.ssl), "ECDHE-ECDSA-CHACHA20-POLY1305");

    /* A small message each way. */
    char buf[64];
    assert_int_equal(SSL_write(P.ssl, "hello agent", 11), 11);
    pump(&P, &srv);
    assert_int_equal(ktls_read(&srv, buf, sizeof buf), 11);
    assert_memory_equal(buf, "hello agent", 11);
    assert_int_equal(ktls_write(&srv, "hello kuori", 11), 11);
    ktls_flush(&srv);
    pump(&P, &srv);
    assert_int_equal(SSL_read(P.ssl, buf, sizeof buf), 11);
    assert_memory_equal(buf, "hello kuori", 11);

    /* close_notify from the server: the client sees a clean end. */
    ktls_close(&srv);
    pump(&P, &srv);
    assert_true(SSL_read(P.ssl, buf, sizeof buf) <= 0);
    assert_int_equal(SSL_get_error(P.ssl, 0), SSL_ERROR_ZERO_RETURN);
    SSL_shutdown(P.ssl);
    pump(&P, &srv);
    assert_int_equal(ktls_state_of(&srv), KTLS_CLOSED);
    assert_int_equal(ktls_peer(&srv, cn, org, fp), -1);
    peer_close(&P);
    X509_free(cert);
    EVP_PKEY_free(key);
}

/* A server without an identity fails at once, naming why, and takes nothing. */
static void test_server_without_identity(void **state)
{
    (void)state;
    static struct ktls_identity none;
    size_t n = 1;
    ktls_server_start(&srv, &none, &rng);
    assert_int_equal(ktls_state_of(&srv), KTLS_FAILED);
    assert_non_null(strstr(ktls_error(&srv), "no identity"));
    assert_int_equal(ktls_feed(&srv, "\x16\x03\x01", 3), 0);
    assert_null(ktls_pending(&srv, &n));
    assert_int_equal(ktls_write(&srv, "x", 1), 0);
    ktls_server_start(&srv, NULL, &rng);
    assert_int_equal(ktls_state_of(&srv), KTLS_FAILED);
}

/* One byte at a time both ways: the engine takes and gives partial records. */
static void test_handshake_bytewise(void **state)
{
    (void)state;
    EVP_PKEY *key;
    X509 *cert = issued(&agent, &key, "slow", "tenant-1");
    peer_open(&P, cert, key, NULL);
    ktls_server_start(&srv, &agent, &rng);
    assert_int_equal(ktls_feed(&srv, "", 0), 0);
    pump_by(&P, &srv, 1);
    assert_int_equal(ktls_state_of(&srv), KTLS_OPEN);
    char cn[KTLS_NAME_MAX + 1], org[KTLS_NAME_MAX + 1], buf[32];
    unsigned char fp[32];
    assert_int_equal(ktls_peer(&srv, cn, org, fp), 1);
    assert_string_equal(cn, "slow");
    assert_int_equal(SSL_write(P.ssl, "byte by byte", 12), 12);
    pump_by(&P, &srv, 1);
    assert_int_equal(ktls_read(&srv, buf, 5), 5);
    assert_int_equal(ktls_read(&srv, buf + 5, sizeof buf - 5), 7);
    assert_memory_equal(buf, "byte by byte", 12);
    /* Nothing more to read, nothing to send. */
    size_t n = 1;
    assert_int_equal(ktls_read(&srv, buf, sizeof buf), 0);
    assert_null(ktls_pending(&srv, &n));
    assert_int_equal(n, 0);
    ktls_sent(&srv, 100); /* nothing pending: ignored */
    peer_close(&P);
    X509_free(cert);
    EVP_PKEY_free(key);
}

static void test_handshake_no_cert(void **state)
{
    (void)state;
    peer_open(&P, NULL, NULL, NULL);
    ktls_server_start(&srv, &agent, &rng);
    pump(&P, &srv);
    assert_int_equal(SSL_is_init_finished(P.ssl), 1);
    assert_int_equal(ktls_state_of(&srv), KTLS_OPEN);
    check_pin(&P);
    char cn[KTLS_NAME_MAX + 1] = "x", org[KTLS_NAME_MAX + 1] = "y";
    unsigned char fp[32];
    assert_int_equal(ktls_peer(&srv, cn, org, fp), 0);
    assert_string_equal(cn, "");
    assert_string_equal(org, "");
    peer_close(&P);
}

/* A handshake that must fail on the server with a reason containing want. */
static void expect_refused(X509 *cert, EVP_PKEY *key, const char *ciphers, const char *want)
{
    peer_open(&P, cert, key, ciphers);
    ktls_server_start(&srv, &agent, &rng);
    pump(&P, &srv);
    assert_int_equal(ktls_state_of(&srv), KTLS_FAILED);
    char cn[KTLS_NAME_MAX + 1], org[KTLS_NAME_MAX + 1];
    unsigned char fp[32];
    assert_int_equal(ktls_peer(&srv, cn, org, fp), -1);
    const char *why = ktls_error(&srv);
    if (!strstr(why, want))
        fail_msg("ktls_error is '%s', expected it to contain '%s'", why, want);
    /* The client must not believe it is connected and able to talk. */
    char buf[8];
    assert_true(SSL_read(P.ssl, buf, sizeof buf) <= 0);
    peer_close(&P);
}

static void test_refuse_self_signed(void **state)
{
    (void)state;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_NAME *n = X509_get_subject_name(x);
    /* Even with the agent's own CN: a name is no proof. */
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"agent-a", -1, -1, 0);
    X509_set_issuer_name(x, n);
    X509_set_pubkey(x, key);
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    expect_refused(x, key, NULL, "not issued by this agent");
    X509_free(x);
    EVP_PKEY_free(key);
}

static void test_refuse_other_agent(void **state)
{
    (void)state;
    EVP_PKEY *key;
    X509 *cert = issued(&other, &key, "kuori@laptop", "tenant-1");
    expect_refused(cert, key, NULL, "not issued by this agent");
    X509_free(cert);
    EVP_PKEY_free(key);
}

static void test_refuse_expired(void **state)
{
    (void)state;
    unsigned char spki[200], der[KTLS_CERT_MAX];
    size_t slen, dlen;
    EVP_PKEY *key = ossl_key(spki, sizeof spki, &slen);
    struct ktls_cert_spec c = {
            .issuer_dn = agent.dn,
            .issuer_dn_len = agent.dn_len,
            .issuer_priv = agent.priv,
            .serial = {0x41, 1},
            .cn = "old",
            .org = "tenant-1",
            .spki = spki,
            .not_before = "900101000000Z",
            .not_after = "19910101000000Z",
    };
    assert_int_equal(ktls_cert_write(&c, der, sizeof der, &dlen), 0);
    X509 *x = parse(der, dlen);
    EVP_PKEY *ak = pubkey_of(&agent);
    assert_int_equal(X509_verify(x, ak), 1); /* really the agent's signature */
    expect_refused(x, key, NULL, "expired");
    EVP_PKEY_free(ak);
    X509_free(x);
    EVP_PKEY_free(key);
}

static void test_refuse_no_shared_cipher(void **state)
{
    (void)state;
    /* RSA key exchange and CBC only: nothing ktls offers. */
    expect_refused(NULL, NULL, "AES128-SHA256", "cipher");
}

static void test_aes_gcm(void **state)
{
    (void)state;
    peer_open(&P, NULL, NULL, "ECDHE-ECDSA-AES128-GCM-SHA256");
    ktls_server_start(&srv, &agent, &rng);
    pump(&P, &srv);
    assert_int_equal(ktls_state_of(&srv), KTLS_OPEN);
    assert_string_equal(SSL_get_cipher_name(P.ssl), "ECDHE-ECDSA-AES128-GCM-SHA256");
    char buf[16];
    assert_int_equal(SSL_write(P.ssl, "aesgcm", 6), 6);
    pump(&P, &srv);
    assert_int_equal(ktls_read(&srv, buf, sizeof buf), 6);
    assert_memory_equal(buf, "aesgcm", 6);
    peer_close(&P);
}

/* 64 KiB each way, written in uneven pieces, read in small ones. */
static void test_bulk(void **state)
{
    (void)state;
    enum { N = 65536 };
    static unsigned char out[N], in[N];
    EVP_PKEY *key;
    X509 *cert = issued(&agent, &key, "bulk", "tenant-1");
    peer_open(&P, cert, key, NULL);
    ktls_server_start(&srv, &agent, &rng);
    pump(&P, &srv);
    assert_int_equal(ktls_state_of(&srv), KTLS_OPEN);
    for (size_t i = 0; i < N; i++)
        out[i] = (unsigned char)(i * 31 + (i >> 8));

    size_t sent = 0, got = 0;
    for (int round = 0; got < N && round < 10000; round++) {
        if (sent < N) {
            int piece = (int)((N - sent) < 5000 ? (N - sent) : 1000 + (size_t)round * 37 % 4000);
            assert_int_equal(SSL_write(P.ssl, out + sent, piece), piece);
            sent += (size_t)piece;
        }
        pump(&P, &srv);
        size_t r;
        while ((r = ktls_read(&srv, in + got, (N - got) < 777 ? N - got : 777)) > 0)
            got += r;
    }
    assert_int_equal(got, N);
    assert_memory_equal(in, out, N);

    memset(in, 0, N);
    sent = got = 0;
    for (int round = 0; got < N && round < 10000; round++) {
        if (sent < N) {
            size_t piece = (N - sent) < 3000 ? N - sent : 3000;
            sent += ktls_write(&srv, out + sent, piece);
            ktls_flush(&srv);
        }
        pump(&P, &srv);
        int r;
        while ((r = SSL_read(P.ssl, in + got, (int)((N - got) < 1234 ? N - got : 1234))) > 0)
            got += (size_t)r;
    }
    assert_int_equal(got, N);
    assert_memory_equal(in, out, N);
    peer_close(&P);
    X509_free(cert);
    EVP_PKEY_free(key);
}

/* ---- the BearSSL test client: garbage and the self-test's path ------------ */

static int bpump_open(void)
{
    for (int i = 0; i < 64; i++) {
        if (ktls_state_of(&srv) != KTLS_HANDSHAKE)
            break;
        if (ktls_pump(&bcli, &srv) == 0)
            break;
    }
    return ktls_state_of(&srv) == KTLS_OPEN;
}

static void test_refuse_garbage(void **state)
{
    (void)state;
    unsigned char garbage[300], priv[32], pub[65];
    for (size_t i = 0; i < sizeof garbage; i++)
        garbage[i] = (unsigned char)(i * 13 + 5);
    garbage[0] = 0x30; /* starts like a certificate */
    assert_int_equal(ktls_keygen(&rng, priv, pub), 0);
    ktls_server_start(&srv, &agent, &rng);
    ktls_client_start(&bcli, agent.pub, garbage, sizeof garbage, priv, &rng);
    assert_false(bpump_open());
    assert_int_equal(ktls_state_of(&srv), KTLS_FAILED);
    assert_true(strlen(ktls_error(&srv)) > 0);
    assert_non_null(strstr(ktls_error(&srv), "certificate"));
}

static void test_refuse_wrong_key(void **state)
{
    (void)state;
    /* A real issued certificate, but the client holds another key: the
     * CertificateVerify signature does not match. */
    unsigned char priv[32], pub[65], priv2[32], pub2[65], spki[KTLS_SPKI_LEN], cert[KTLS_CERT_MAX];
    size_t clen;
    assert_int_equal(ktls_keygen(&rng, priv, pub), 0);
    assert_int_equal(ktls_keygen(&rng, priv2, pub2), 0);
    ktls_spki(pub, spki, sizeof spki);
    assert_int_equal(
            ktls_issue_cert(&agent, &rng, spki, sizeof spki, "c", "o", cert, sizeof cert, &clen),
            0);
    ktls_server_start(&srv, &agent, &rng);
    ktls_client_start(&bcli, agent.pub, cert, clen, priv2, &rng);
    assert_false(bpump_open());
    assert_int_equal(ktls_state_of(&srv), KTLS_FAILED);
    assert_non_null(strstr(ktls_error(&srv), "CertificateVerify"));
}

static void test_bearssl_client(void **state)
{
    (void)state;
    unsigned char priv[32], pub[65], spki[KTLS_SPKI_LEN], cert[KTLS_CERT_MAX], buf[16];
    size_t clen;
    assert_int_equal(ktls_keygen(&rng, priv, pub), 0);
    ktls_spki(pub, spki, sizeof spki);
    assert_int_equal(
            ktls_issue_cert(&agent, &rng, spki, sizeof spki, "b", "o", cert, sizeof cert, &clen),
            0);
    ktls_server_start(&srv, &agent, &rng);
    ktls_client_start(&bcli, agent.pub, cert, clen, priv, &rng);
    assert_true(bpump_open());
    char cn[KTLS_NAME_MAX + 1], org[KTLS_NAME_MAX + 1];
    unsigned char fp[32];
    assert_int_equal(ktls_peer(&srv, cn, org, fp), 1);
    assert_string_equal(cn, "b");
    assert_int_equal(ktls_client_write(&bcli, "ping", 4), 4);
    ktls_pump(&bcli, &srv);
    assert_int_equal(ktls_read(&srv, buf, sizeof buf), 4);
    /* A client pinned to another agent's key refuses this one. */
    ktls_server_start(&srv, &agent, &rng);
    ktls_client_start(&bcli, other.pub, cert, clen, priv, &rng);
    assert_false(bpump_open());
    assert_true(ktls_client_state(&bcli) & BR_SSL_CLOSED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_identity_deterministic),
            cmocka_unit_test(test_identity_bad_names),
            cmocka_unit_test(test_identity_cert_openssl),
            cmocka_unit_test(test_issue_openssl),
            cmocka_unit_test(test_issue_rejects),
            cmocka_unit_test(test_der_bounds),
            cmocka_unit_test(test_der_constructed_too_long),
            cmocka_unit_test(test_hashes),
            cmocka_unit_test(test_rng),
            cmocka_unit_test(test_handshake_issued),
            cmocka_unit_test(test_server_without_identity),
            cmocka_unit_test(test_handshake_bytewise),
            cmocka_unit_test(test_handshake_no_cert),
            cmocka_unit_test(test_refuse_self_signed),
            cmocka_unit_test(test_refuse_other_agent),
            cmocka_unit_test(test_refuse_expired),
            cmocka_unit_test(test_refuse_no_shared_cipher),
            cmocka_unit_test(test_aes_gcm),
            cmocka_unit_test(test_bulk),
            cmocka_unit_test(test_refuse_garbage),
            cmocka_unit_test(test_refuse_wrong_key),
            cmocka_unit_test(test_bearssl_client),
    };
    return cmocka_run_group_tests_name("ktls", tests, setup, NULL);
}
