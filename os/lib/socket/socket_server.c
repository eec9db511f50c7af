/* SPDX-License-Identifier: MIT */
/* What every server on the socket session does the same way: read its port
 * from the config, listen (TCP) or bind (UDP) while an old instance of
 * itself may still hold the port, and close a handle it is done with.
 * Apart from socket_client.c because it needs the runtime (the config, the
 * parent's signals), which the library's host test does not link.
 *
 * ADDR_IN_USE at start: after a restart of the server the stack closes the
 * old instance's sockets only once it got hoitaja's close notice, which may
 * come after the new instance listens; so the call is repeated every
 * RETRY_MS until a deadline, answering the parent's signals meanwhile.
 */
#include "kide/socket_client.h"

#include <kide/json.h>

#define RETRY_MS 50

int kide_sock_config_port(struct kide_env *env, kide_u64 def, kide_u64 *port, char *err,
                          kide_u64 errlen)
{
    const struct kide_json_doc *doc;
    int i;

    *port = def;
    if (kide_config_doc(env, &doc, err, errlen) != 0)
        return -1;
    i = kide_json_find(doc, 0, "port");
    if (i >= 0 && (kide_json_get_u64(doc, i, port) != 0 || *port < 1 || *port > 65535)) {
        kide_snprintf(err, errlen, "config: port: expected 1..65535");
        return -1;
    }
    return 0;
}

int kide_sock_listen_wait(struct kide_env *env, struct kide_sock_client *c, kide_u64 port,
                          kide_u64 backlog, kide_u64 until, struct kide_sock_open_rep *rep)
{
    struct kide_sock_listen_req req = {KIDE_SOCK_ADDR(0, port), backlog};
    int st;

    while ((st = kide_sock_tcp_listen(c, &req, rep)) == KIDE_OK &&
           rep->err == KIDE_SOCK_ADDR_IN_USE && kide_now_ns() < until)
        kide_wait_signal(env, RETRY_MS);
    return st;
}

int kide_sock_bind_wait(struct kide_env *env, struct kide_sock_client *c, kide_u64 port,
                        kide_u64 until, struct kide_sock_open_rep *rep)
{
    struct kide_sock_bind_req req = {KIDE_SOCK_ADDR(0, port)};
    int st;

    while ((st = kide_sock_udp_bind(c, &req, rep)) == KIDE_OK &&
           rep->err == KIDE_SOCK_ADDR_IN_USE && kide_now_ns() < until)
        kide_wait_signal(env, RETRY_MS);
    return st;
}

void kide_sock_drop(struct kide_sock_client *c, kide_u64 handle)
{
    struct kide_sock_handle_req req = {handle};
    struct kide_sock_err_rep rep;

    kide_sock_close(c, &req, &rep);
}
