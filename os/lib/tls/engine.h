/* SPDX-License-Identifier: MIT */
/* ktls internal: engine settings shared by the server and the test client. */
#ifndef KTLS_ENGINE_H
#define KTLS_ENGINE_H

#include <kide/ktls.h>

/* TLS 1.2 only; the suites, hashes, PRFs, curve and record ciphers of the
 * freestanding build; no renegotiation. */
void ktls_engine_setup(br_ssl_engine_context *eng);

#endif
