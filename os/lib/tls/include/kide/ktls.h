/* SPDX-License-Identifier: MIT */
/* ktls: TLS 1.2 for Kide components, a small wrapper around BearSSL
 * (docs/tls.md, decision 0020).
 *
 * One server identity (a P-256 key derived from a seed, and its self-signed
 * certificate), client certificates issued by that identity, and a server
 * connection driven by the caller through memory: the caller moves bytes
 * between the network and the engine (ktls_feed, ktls_pending/ktls_sent)
 * and plaintext in and out (ktls_read, ktls_write). Nothing allocates;
 * every structure lives in the caller's storage.
 *
 * TLS 1.2 only, ECDHE-ECDSA over P-256 with AES-128-GCM, AES-256-GCM or
 * ChaCha20-Poly1305; no renegotiation, no session resumption.
 */
#ifndef KIDE_KTLS_H
#define KIDE_KTLS_H

#include <bearssl.h>
#include <stddef.h>

#define KTLS_FP_LEN   32                       /* SHA-256 of a certificate's DER */
#define KTLS_CERT_MAX 1024                     /* largest certificate we issue or accept */
#define KTLS_NAME_MAX 64                       /* CN / O of issued certificates, bytes */
#define KTLS_DN_MAX   (2 * KTLS_NAME_MAX + 32) /* an encoded Name (CN, O) */
#define KTLS_SPKI_LEN 91 /* a P-256 SubjectPublicKeyInfo, uncompressed point */

/* Record buffers of one connection: a whole incoming record (clients send
 * 16 KiB records), outgoing records of up to 4 KiB of plaintext. */
#define KTLS_IBUF_LEN BR_SSL_BUFSIZE_INPUT
#define KTLS_OBUF_LEN (4096 + 85)

/* HMAC-DRBG (SHA-256). */
struct ktls_rng {
    br_hmac_drbg_context drbg;
};

/* The agent: P-256 key and its deterministic self-signed certificate. Plain
 * data (no pointers): it may be copied. A server connection keeps a
 * pointer to it, so it must outlive every connection started with it. */
struct ktls_identity {
    unsigned char priv[32], pub[65];
    unsigned char cert[KTLS_CERT_MAX];
    size_t cert_len;
    unsigned char fp[KTLS_FP_LEN];
    unsigned char dn[KTLS_DN_MAX]; /* the certificate's subject (= issuer) Name, DER */
    size_t dn_len;
};

/* The certificate check of a server connection: BearSSL's minimal X.509
 * engine (trust anchor: the identity's key) wrapped to take the leaf's
 * fingerprint and names and to refuse what the engine would tolerate. */
struct ktls_x509 {
    const br_x509_class *vtable; /* first: BearSSL calls through it */
    br_x509_minimal_context minimal;
    br_x509_trust_anchor ta;
    br_name_element names[2];
    br_sha256_context fp_ctx;
    br_ssl_engine_context *eng;
    char cn[KTLS_NAME_MAX + 1], org[KTLS_NAME_MAX + 1];
    unsigned char fp[KTLS_FP_LEN];
    unsigned char leaf[KTLS_CERT_MAX]; /* the leaf's DER, kept to explain a refusal */
    size_t leaf_len;
    unsigned certs;  /* certificates seen in the chain */
    int too_big;     /* the leaf is longer than KTLS_CERT_MAX */
    int verified;    /* 1: a chain was presented and verified */
    const char *why; /* our reason for refusing a chain, or NULL */
};

/* One connection, caller's storage, no allocation. Fields are private. */
struct ktls_server {
    br_ssl_server_context sc;
    struct ktls_x509 x509;
    br_x509_certificate chain;
    br_ec_private_key sk;
    const struct ktls_identity *id;
    int opened; /* the handshake completed once */
    char errbuf[48];
    unsigned char ibuf[KTLS_IBUF_LEN];
    unsigned char obuf[KTLS_OBUF_LEN];
};

enum ktls_state { KTLS_HANDSHAKE, KTLS_OPEN, KTLS_CLOSED, KTLS_FAILED };

/* Seeds from RDSEED/RDRAND when CPUID has them, RDTSC, and the caller's bytes.
 * Returns 0, or -1 (and a reason in *why) when there is no hardware randomness:
 * the agent then refuses to start (a predictable ECDHE key is worse than none). */
int ktls_rng_init(struct ktls_rng *r, const void *extra, size_t len, const char **why);
void ktls_rng_bytes(struct ktls_rng *r, void *out, size_t len);
/* TESTS AND FUZZERS ONLY: a DRBG seeded with the given bytes alone, so the
 * same seed gives the same stream. Never for keys a peer relies on. */
void ktls_rng_init_fixed(struct ktls_rng *r, const void *seed, size_t len);

/* Deterministic: the same seed and CN give the same key, certificate and fingerprint.
 * cn: 1..KTLS_NAME_MAX printable ASCII bytes. Returns 0 or a negative error. */
int ktls_identity_from_seed(struct ktls_identity *id, const unsigned char seed[32], const char *cn);
/* Issue a client certificate for a P-256 SubjectPublicKeyInfo (DER), signed by issuer,
 * CN = cn, O = org, validity 2000-01-01..9999-12-31. Returns 0 or a negative error. */
int ktls_issue_cert(const struct ktls_identity *issuer, struct ktls_rng *rng,
                    const unsigned char *spki, size_t spki_len, const char *cn, const char *org,
                    unsigned char *out, size_t cap, size_t *out_len);
void ktls_sha256(const void *data, size_t len, unsigned char out[32]);
void ktls_hmac_sha256(const void *key, size_t klen, const void *data, size_t len,
                      unsigned char out[32]);

/* Errors of ktls_identity_from_seed and ktls_issue_cert. */
#define KTLS_EINVAL  -1 /* a name is empty, too long or not printable ASCII */
#define KTLS_EKEY    -2 /* the SPKI is not an uncompressed P-256 point on the curve */
#define KTLS_ESPACE  -3 /* the certificate does not fit (cap, or KTLS_CERT_MAX) */
#define KTLS_ECRYPTO -4 /* key derivation or signing failed */
/* A short text for one of the errors above. */
const char *ktls_strerror(int err);

/* The identity's SubjectPublicKeyInfo (KTLS_SPKI_LEN bytes), e.g. to issue a
 * certificate for a key whose public half is known. Returns its length or 0 if cap is short. */
size_t ktls_spki(const unsigned char pub[65], unsigned char *out, size_t cap);

/* A server connection. Clients either present a certificate issued by `id` (then
 * ktls_peer gives its CN/O) or none (an enrolment connection: ktls_peer returns 0
 * with empty names). Any other certificate (self-signed, another agent's, malformed)
 * fails the handshake: state KTLS_FAILED, ktls_error names why. Without an
 * identity (NULL, or not made by ktls_identity_from_seed) the connection is
 * KTLS_FAILED at once. rng is used only during the call; id must outlive the
 * connection. */
void ktls_server_start(struct ktls_server *s, const struct ktls_identity *id, struct ktls_rng *rng);
size_t ktls_feed(struct ktls_server *s, const void *in,
                 size_t n); /* network -> engine; returns bytes taken */
const void *ktls_pending(struct ktls_server *s, size_t *n); /* engine -> network */
void ktls_sent(struct ktls_server *s, size_t n);
size_t ktls_read(struct ktls_server *s, void *out, size_t cap); /* plaintext in */
size_t ktls_write(struct ktls_server *s, const void *in,
                  size_t n); /* plaintext out; returns bytes taken */
void ktls_flush(struct ktls_server *s);
void ktls_close(struct ktls_server *s); /* close_notify */
enum ktls_state ktls_state_of(const struct ktls_server *s);
/* "no shared cipher", "certificate not issued by this agent", ...; "" while nothing failed. */
const char *ktls_error(const struct ktls_server *s);
/* 1: verified client certificate; 0: no certificate (enrolment connection); -1: not open */
int ktls_peer(const struct ktls_server *s, char cn[KTLS_NAME_MAX + 1], char org[KTLS_NAME_MAX + 1],
              unsigned char fp[KTLS_FP_LEN]);

#endif
