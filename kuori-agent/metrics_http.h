/* SPDX-License-Identifier: MIT */
/* metrics_http.h: the plain-HTTP metrics endpoint (Kide only): GET /metrics
 * on the metrics port answers kagent_metrics' page. Read-only, no TLS
 * (decision 0019): it shows what `state` shows, to whoever reaches the port. */
#ifndef KAGENT_METRICS_HTTP_H
#define KAGENT_METRICS_HTTP_H

#include <kide/socket_client.h>

#include "http_parse.h"
#include "kagent.h"

#define KMETRICS_CONNS   2u            /* scrapes served at once (more wait in the backlog) */
#define KMETRICS_PAGE    (48u * 1024u) /* the largest page */
#define KMETRICS_IDLE_NS (10ull * 1000000000ull) /* a scrape's request must arrive within */

struct kmetrics_conn {
    int used;
    kide_u64 handle, opened_ns;
    kide_u32 in_len, out_off, out_len;
    int sent;     /**< the whole answer is sent: wait for the client's close */
    int page_200; /**< the answer was a metrics page */
    kide_u8 in[HTTP_HEAD_MAX];
    char out[KMETRICS_PAGE + 256];
};

struct kmetrics {
    struct kide_env *env;
    struct kide_sock_client *sc;
    kide_u64 listener;
    kide_u64 scrapes; /**< pages served */
    struct kmetrics_conn conns[KMETRICS_CONNS];
};

/** Accept, read, answer and close what can move now. Returns 1 if anything moved. */
int kmetrics_serve(struct kagent *a, struct kmetrics *m);
/** Forget every connection (the socket session was lost). */
void kmetrics_reset(struct kmetrics *m);

#endif
