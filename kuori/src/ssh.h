/* SPDX-License-Identifier: MIT */
/* The SSH transport: a libssh2 direct-tcpip channel through a jump host, as a local socket.
 *
 * kuori_ssh_open connects to the jump host, checks its host key against
 * ~/.ssh/known_hosts (an unknown or changed key is refused, nothing is
 * added), authenticates with ssh-agent and then ~/.ssh/id_ed25519,
 * id_ecdsa, id_rsa (unencrypted keys only), opens a direct-tcpip channel to
 * the agent's host:port and starts a pump thread that copies bytes between
 * the channel and one end of a socketpair. The caller runs TLS over the other
 * end (*fd) as if it were a TCP socket. The thread owns the SSH session; it
 * ends when either side closes, and kuori_ssh_close joins it.
 */
#ifndef KUORI_SSH_H
#define KUORI_SSH_H

#include "config.h"
#include "err.h"

/** Open the tunnel to @p a (a->ssh set); *fd is the caller's end, *tunnel the handle. */
int kuori_ssh_open(const struct kuori_addr *a, long long deadline_ms, int *fd, void **tunnel,
                   struct kuori_err *e);
/** Stop the pump and free the session (the caller closes *fd first). */
void kuori_ssh_close(void *tunnel);

/** Connect a TCP socket to host:port before the deadline (shared with conn.c). */
int kuori_tcp_connect(const char *host, unsigned port, long long deadline_ms, int *fd,
                      struct kuori_err *e);

#endif
