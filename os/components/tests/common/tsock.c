/* SPDX-License-Identifier: MIT */
/* The socket helpers of the scenario test components (tsock.h). */
#include "tsock.h"

#include "test.h"

#include <kide/sys.h> /* kide_ctrl_sm */

#define fail(t, ...) t_fail((t)->env, (t)->what, __VA_ARGS__)

kide_u64 t_sock_setup(struct t_sock *t, struct kide_env *env, const char *what, kide_u64 def_port,
                      char *server, kide_u64 size)
{
    kide_u64 port, now;
    kide_u32 ip = 0;
    int st;

    t->env = env;
    t->what = what;
    t_cfg_str(env, "server", "10.0.9.1", server, size);
    port = t_cfg_u64(env, "port", def_port);
    t->deadline = kide_now_ns() + t_cfg_u64(env, "timeout_ms", 60000) * 1000000;
    kide_sock_ip_parse(server, &ip); /* stays 0 (refused below) if malformed */
    if (!ip || !port || port > 65535)
        fail(t, "config: server must be \"a.b.c.d\" and port 1..65535");
    now = kide_now_ns();
    st = kide_sock_open(env, &t->sc, &t->sm, t->deadline > now ? (t->deadline - now) / 1000000 : 0);
    if (st != KIDE_OK)
        fail(t, "socket session: %s", kide_status_name(st));
    return KIDE_SOCK_ADDR(ip, port);
}

void t_sock_wait(struct t_sock *t, kide_u64 ms, kide_u64 until, const char *doing)
{
    kide_u64 now = kide_now_ns(), next = now + ms * 1000000;

    if (now >= until || now >= t->deadline)
        fail(t, "timed out %s", doing);
    if (until > t->deadline)
        until = t->deadline;
    kide_ctrl_sm(KIDE_CTRL_SM_DOWN, t->sm, next < until ? next : until);
}

kide_u64 t_sock_poll1(struct t_sock *t, kide_u64 h)
{
    struct kide_sock_poll_req req = {.count = 1, .handles = {h}};
    struct kide_sock_poll_rep rep = {0};
    int st = kide_sock_poll(&t->sc, &req, &rep);

    if (st != KIDE_OK)
        fail(t, "POLL: %s", kide_status_name(st));
    return rep.events[0];
}

kide_u64 t_sock_err(struct t_sock *t, kide_u64 h)
{
    struct kide_sock_handle_req req = {h};
    struct kide_sock_status_rep rep = {0};

    return kide_sock_status(&t->sc, &req, &rep) == KIDE_OK ? rep.err : KIDE_SOCK_ERR_COUNT;
}

void t_sock_close(struct t_sock *t, kide_u64 h)
{
    struct kide_sock_handle_req req = {h};
    struct kide_sock_err_rep rep = {0};

    kide_sock_close(&t->sc, &req, &rep);
}

/* Errors that mean the other side is not (yet, again) there: no listener,
 * the link or the peer's stack not up, or (after a restart) a reset. */
static int retry_err(kide_u64 err, int retry_reset)
{
    return err == KIDE_SOCK_REFUSED || err == KIDE_SOCK_UNREACHABLE || err == KIDE_SOCK_TIMED_OUT ||
           (retry_reset && err == KIDE_SOCK_RESET);
}

kide_u64 t_sock_connect(struct t_sock *t, kide_u64 remote, kide_u64 retry_ms, kide_u64 until,
                        int retry_reset)
{
    for (;;) {
        struct kide_sock_connect_req req = {remote};
        struct kide_sock_open_rep rep = {0};
        kide_u64 ev, err;
        int st = kide_sock_tcp_connect(&t->sc, &req, &rep);

        if (st == KIDE_OK && retry_err(rep.err, retry_reset)) { /* e.g. the link is still down */
            t_sock_wait(t, retry_ms, until, "connecting");
            continue;
        }
        if (st != KIDE_OK || (rep.err != KIDE_SOCK_OK && rep.err != KIDE_SOCK_IN_PROGRESS))
            fail(t, "CONNECT: %s, socket error %u", kide_status_name(st), (unsigned)rep.err);
        while (!((ev = t_sock_poll1(t, rep.handle)) & (KIDE_SOCK_WRITABLE | KIDE_SOCK_ERROR)))
            t_sock_wait(t, retry_ms, until, "connecting");
        if (!(ev & KIDE_SOCK_ERROR))
            return rep.handle;
        err = t_sock_err(t, rep.handle);
        t_sock_close(t, rep.handle);
        if (!retry_err(err, retry_reset))
            fail(t, "connection failed: socket error %u", (unsigned)err);
        t_sock_wait(t, retry_ms, until, "connecting"); /* the server is not up yet: again */
    }
}

void t_sock_send_all(struct t_sock *t, kide_u64 h, const void *data, kide_u32 len,
                     kide_u64 retry_ms)
{
    kide_u32 sent = 0;

    while (sent < len) {
        struct kide_sock_send_rep r = {0};
        int st = kide_sock_tcp_send(&t->sc, h, (const kide_u8 *)data + sent, len - sent, &r);

        if (st != KIDE_OK || (r.err != KIDE_SOCK_OK && r.err != KIDE_SOCK_WOULD_BLOCK))
            fail(t, "SEND: %s, socket error %u", kide_status_name(st), (unsigned)r.err);
        sent += (kide_u32)r.accepted;
        if (!r.accepted)
            t_sock_wait(t, retry_ms, t->deadline, "sending");
    }
}
