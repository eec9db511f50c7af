/* SPDX-License-Identifier: MIT */
/* ktls: a BearSSL TLS 1.2 client for tests and self-tests (client.c): it
 * pins the server's public key, may present a client certificate, and is
 * driven through memory like the server; ktls_pump connects the two. Not
 * for production peers (kuori uses OpenSSL on the host). */
#ifndef KIDE_KTLS_CLIENT_H
#define KIDE_KTLS_CLIENT_H

#include <kide/ktls.h>

struct ktls_client {
    br_ssl_client_context cc;
    br_x509_knownkey_context xk;
    br_x509_certificate chain;
    br_ec_private_key sk;
    unsigned char server_pub[65];
    unsigned char priv[32];
    unsigned char ibuf[KTLS_IBUF_LEN];
    unsigned char obuf[KTLS_OBUF_LEN];
};

/* A fresh P-256 key pair from r. 0 or KTLS_ECRYPTO. */
int ktls_keygen(struct ktls_rng *r, unsigned char priv[32], unsigned char pub[65]);
/* Starts a handshake with a server whose identity has public key
 * server_pub; cert (cert_len bytes, sent as is, not parsed) and priv are
 * the client's certificate and key, or cert NULL for none. */
void ktls_client_start(struct ktls_client *c, const unsigned char server_pub[65],
                       const unsigned char *cert, size_t cert_len, const unsigned char priv[32],
                       struct ktls_rng *rng);
/* Moves records both ways until neither side has any to move; returns the
 * bytes moved. */
size_t ktls_pump(struct ktls_client *c, struct ktls_server *s);
/* The client side's plaintext, like ktls_read/ktls_write. */
size_t ktls_client_read(struct ktls_client *c, void *out, size_t cap);
size_t ktls_client_write(struct ktls_client *c, const void *in, size_t n);
/* BearSSL's state bits and error of the client's engine. */
unsigned ktls_client_state(const struct ktls_client *c);
int ktls_client_error(const struct ktls_client *c);

#endif
