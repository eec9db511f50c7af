/* SPDX-License-Identifier: MIT */
/* Opening a socket session the way every client does: the stack is started
 * beside its clients and may announce "Socket" after they start, so
 * NOT_FOUND is retried until a deadline; then the shared buffer and the
 * notification semaphore. Releasing and re-opening one whose stack went
 * away (restarted: the same wait covers its start). Apart from socket_client.c because it needs the
 * runtime's sessions, which the library's host test does not link. */
#include "kide/socket_client.h"

#define RETRY_MS 50

int kide_sock_open(struct kide_env *env, struct kide_sock_client *c, kide_sel *sm, kide_u64 wait_ms)
{
    struct kide_session s;
    kide_u64 until = kide_now_ns() + wait_ms * 1000000ull;
    int st;
    while ((st = kide_session_open(env, KIDE_SOCK_SERVICE, "", KIDE_SOCK_SESSION_RAM, &s)) ==
                   KIDE_NOT_FOUND &&
           kide_now_ns() < until)
        kide_wait_signal(env, RETRY_MS);
    if (st != KIDE_OK)
        return st;
    c->ch.pt = s.pt;
    c->session = s;
    if ((st = kide_sock_buffer(c)) != KIDE_OK || (st = kide_sm_create(env, 0, sm)) != KIDE_OK)
        return st;
    return kide_sock_notify(c, *sm);
}

void kide_sock_release(struct kide_env *env, struct kide_sock_client *c, kide_sel *sm)
{
    struct kide_sock_chan ch = c->ch;

    if (c->buf)
        kide_ds_detach(env, c->buf, KIDE_SOCK_BUF_SIZE / 4096);
    if (*sm)
        kide_cap_drop(*sm);
    *sm = 0;
    if (c->session.pt)
        kide_session_close(env, &c->session); /* a stack that is gone: harmless */
    __builtin_memset(c, 0, sizeof *c);
    c->ch.call = ch.call, c->ch.attach = ch.attach, c->ch.ctx = ch.ctx;
}

int kide_sock_reopen(struct kide_env *env, struct kide_sock_client *c, kide_sel *sm,
                     kide_u64 wait_ms)
{
    kide_sock_release(env, c, sm);
    return kide_sock_open(env, c, sm, wait_ms);
}
