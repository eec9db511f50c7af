/* SPDX-License-Identifier: MIT */
/* The runtime under os/lib/pkg on the host (test_pkg.c, fuzz_pkg.c): RAM and
 * heap from libc (counted, so a test sees leaks), a lock that does nothing
 * (one thread), the UTCB a plain array, the announce capturing the service's
 * operations, and a transport that runs the server's handler on the client's
 * request the way the runtime would (request copied in, reply copied back). */
#ifndef PKG_HOST_H
#define PKG_HOST_H

#include <stdlib.h>
#include <string.h>

#include "rt.h"
#include <kide/pkg_client.h>
#include <kide/pkg_store.h>

static struct kide_utcb fake_utcb;
struct kide_utcb *rt_utcb(void)
{
    return &fake_utcb;
}

static long live_ram, live_heap; /* allocations not yet freed */

int kide_ram_alloc(struct kide_env *env, kide_u64 size, void **addr)
{
    (void)env;
    if (!size || size % 4096 || size > (64u << 20))
        return KIDE_BAD_PARAM;
    *addr = aligned_alloc(4096, size);
    if (!*addr)
        return KIDE_QUOTA;
    memset(*addr, 0, size);
    live_ram++;
    return KIDE_OK;
}

int kide_ram_free(struct kide_env *env, void *addr, kide_u64 size)
{
    (void)env, (void)size;
    free(addr);
    live_ram--;
    return KIDE_OK;
}

void *kide_malloc(kide_u64 n)
{
    live_heap++;
    return malloc(n);
}

void kide_free(void *p)
{
    if (p)
        live_heap--;
    free(p);
}

int kide_mutex_init(struct kide_env *env, struct kide_mutex *mx)
{
    (void)env;
    mx->sm = 1;
    return KIDE_OK;
}
void kide_mutex_lock(struct kide_mutex *mx)
{
    (void)mx;
}
void kide_mutex_unlock(struct kide_mutex *mx)
{
    (void)mx;
}

int kide_msg_call(struct kide_msg *m, kide_sel pt, kide_sel rcv)
{
    (void)m, (void)pt, (void)rcv;
    abort(); /* the tests always give their own transport */
}

static const struct kide_service_ops *served_ops;
int kide_service_announce(struct kide_env *env, const char *service,
                          const struct kide_service_ops *ops)
{
    (void)env;
    if (strcmp(service, KIDE_PKG_SERVICE))
        return KIDE_DENIED;
    served_ops = ops;
    return KIDE_OK;
}

/* Run the server's call on words[0..n) (words[0] the op); the reply into
 * out[0..*out_n) with out[0] the status. */
static int serve_words(void *session, const kide_u64 *words, unsigned n, kide_u64 *out,
                       unsigned *out_n)
{
    static kide_u64 in_buf[KIDE_UTCB_WORDS];
    struct kide_rpc rpc;
    memset(&rpc, 0, sizeof(rpc));
    memcpy(in_buf, words, (size_t)n * 8);
    kide_msg_init(&rpc.in, in_buf, KIDE_UTCB_WORDS, n);
    rpc.in.pos = 1;
    rpc.op = n ? in_buf[0] : 0;
    kide_msg_init(&rpc.out, out, KIDE_UTCB_WORDS, 0);
    kide_msg_put(&rpc.out, 0); /* the status word, set below */
    int st = served_ops->call(0, session, &rpc);
    if (rpc.out.bad && st == KIDE_OK)
        st = KIDE_BAD_PARAM;
    out[0] = (kide_u64)st;
    *out_n = st == KIDE_OK ? rpc.out.n : 1;
    return st;
}

#endif
