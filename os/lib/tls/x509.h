/* SPDX-License-Identifier: MIT */
/* ktls internal: the client-certificate check of a server connection (x509.c). */
#ifndef KTLS_X509_H
#define KTLS_X509_H

#include <kide/ktls.h>

/* Sets x up to accept exactly leaves issued by id; eng is the connection's
 * engine (its flags change when a certificate is refused). */
void ktls_x509_init(struct ktls_x509 *x, const struct ktls_identity *id,
                    br_ssl_engine_context *eng);

#endif
