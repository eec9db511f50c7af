/* SPDX-License-Identifier: MIT */
/* TCP connect with a deadline, and the SSH jump-host tunnel (see ssh.h). */
#include "ssh.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libssh2.h>

#include "conn.h"

struct tunnel {
    LIBSSH2_SESSION *s;
    LIBSSH2_CHANNEL *ch;
    int sock; /* TCP to the jump host */
    int pump; /* our end of the socketpair */
    pthread_t th;
    int running;
    volatile int stop;
};

static int connect_one(const struct addrinfo *ai, long long deadline_ms, int *fd)
{
    int s = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), err = 0;
    socklen_t len = sizeof err;
    if (s < 0)
        return errno;
    if (connect(s, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
        err = errno;
        close(s);
        return err;
    }
    for (;;) {
        struct pollfd p = {.fd = s, .events = POLLOUT};
        long long left = deadline_ms - kuori_now_ms();
        int r = poll(&p, 1, left > 0 ? (int)left : 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            close(s);
            return ETIMEDOUT;
        }
        break;
    }
    if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err) {
        close(s);
        return err ? err : EIO;
    }
    *fd = s;
    return 0;
}

int kuori_tcp_connect(const char *host, unsigned port, long long deadline_ms, int *fd,
                      struct kuori_err *e)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    char ports[8];
    int r, err = ENOENT;
    snprintf(ports, sizeof ports, "%u", port);
    r = getaddrinfo(host, ports, &hints, &res);
    if (r != 0)
        return kuori_fail(e, KUORI_EXIT_UNREACHABLE, "unreachable",
                          "check the host name in the remote's address",
                          "unreachable: cannot resolve %s: %s", host, gai_strerror(r));
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
        if ((err = connect_one(ai, deadline_ms, fd)) == 0)
            break;
    freeaddrinfo(res);
    if (err)
        return kuori_fail(e, KUORI_EXIT_UNREACHABLE, "unreachable",
                          "check that the server runs and the agent's port is forwarded",
                          "unreachable: %s:%u: %s", host, port,
                          err == ETIMEDOUT ? "no answer within the timeout" : strerror(err));
    return 0;
}

static pthread_once_t ssh_once = PTHREAD_ONCE_INIT;
static void ssh_init(void)
{
    libssh2_init(0);
}

static int check_host_key(struct tunnel *t, const struct kuori_addr *a, struct kuori_err *e)
{
    LIBSSH2_KNOWNHOSTS *kh = libssh2_knownhost_init(t->s);
    const char *home = getenv("HOME");
    char path[1024];
    size_t len;
    int type, r = LIBSSH2_KNOWNHOST_CHECK_FAILURE;
    const char *key = libssh2_session_hostkey(t->s, &len, &type);
    snprintf(path, sizeof path, "%s/.ssh/known_hosts", home ? home : "");
    if (kh && key && libssh2_knownhost_readfile(kh, path, LIBSSH2_KNOWNHOST_FILE_OPENSSH) >= 0) {
        int kt = type == LIBSSH2_HOSTKEY_TYPE_RSA         ? LIBSSH2_KNOWNHOST_KEY_SSHRSA
                 : type == LIBSSH2_HOSTKEY_TYPE_ED25519   ? LIBSSH2_KNOWNHOST_KEY_ED25519
                 : type == LIBSSH2_HOSTKEY_TYPE_ECDSA_256 ? LIBSSH2_KNOWNHOST_KEY_ECDSA_256
                 : type == LIBSSH2_HOSTKEY_TYPE_ECDSA_384 ? LIBSSH2_KNOWNHOST_KEY_ECDSA_384
                                                          : LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
        r = libssh2_knownhost_checkp(
                kh, a->ssh_host, (int)a->ssh_port, key, len,
                LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | kt, NULL);
    }
    if (kh)
        libssh2_knownhost_free(kh);
    if (r == LIBSSH2_KNOWNHOST_CHECK_MATCH)
        return 0;
    if (r == LIBSSH2_KNOWNHOST_CHECK_MISMATCH)
        return kuori_fail(e, KUORI_EXIT_DENIED, "ssh-hostkey",
                          "find out why the key changed before you remove the old line from "
                          "~/.ssh/known_hosts",
                          "ssh: the host key of %s:%u does NOT match ~/.ssh/known_hosts",
                          a->ssh_host, a->ssh_port);
    char hint[1024];
    snprintf(hint, sizeof hint,
             "check the host's key fingerprint, then add it: 'ssh-keyscan -p %u %s >> "
             "~/.ssh/known_hosts' or connect once with 'ssh -p %u %s@%s'",
             a->ssh_port, a->ssh_host, a->ssh_port, a->ssh_user, a->ssh_host);
    return kuori_fail(e, KUORI_EXIT_DENIED, "ssh-hostkey", hint,
                      "ssh: %s:%u is not in ~/.ssh/known_hosts (unknown hosts are refused)",
                      a->ssh_host, a->ssh_port);
}

static int auth_agent(struct tunnel *t, const char *user)
{
    LIBSSH2_AGENT *ag = libssh2_agent_init(t->s);
    struct libssh2_agent_publickey *id = NULL, *prev = NULL;
    int ok = 0;
    if (!ag)
        return 0;
    if (getenv("SSH_AUTH_SOCK") && libssh2_agent_connect(ag) == 0 &&
        libssh2_agent_list_identities(ag) == 0) {
        while (!ok && libssh2_agent_get_identity(ag, &id, prev) == 0) {
            ok = libssh2_agent_userauth(ag, user, id) == 0;
            prev = id;
        }
        libssh2_agent_disconnect(ag);
    }
    libssh2_agent_free(ag);
    return ok;
}

static int authenticate(struct tunnel *t, const struct kuori_addr *a, struct kuori_err *e)
{
    static const char *const keys[] = {"id_ed25519", "id_ecdsa", "id_rsa"};
    const char *home = getenv("HOME");
    char path[1024];
    if (auth_agent(t, a->ssh_user))
        return 0;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        snprintf(path, sizeof path, "%s/.ssh/%s", home ? home : "", keys[i]);
        if (access(path, R_OK) == 0 &&
            libssh2_userauth_publickey_fromfile(t->s, a->ssh_user, NULL, path, NULL) == 0)
            return 0;
    }
    return kuori_fail(e, KUORI_EXIT_DENIED, "ssh-auth",
                      "load a key into ssh-agent (ssh-add) or put an unencrypted key in "
                      "~/.ssh/id_ed25519; 'ssh USER@HOST' must work without a password",
                      "ssh: %s@%s refused every key (ssh-agent, ~/.ssh/id_*)", a->ssh_user,
                      a->ssh_host);
}

/* Wait for the SSH socket in the direction libssh2 is blocked on. */
static void wait_ssh(struct tunnel *t, int extra)
{
    int dir = libssh2_session_block_directions(t->s);
    struct pollfd p[2] = {{.fd = t->sock}, {.fd = extra, .events = POLLIN}};
    if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
        p[0].events |= POLLIN;
    if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
        p[0].events |= POLLOUT;
    if (!p[0].events)
        p[0].events = POLLIN;
    poll(p, extra >= 0 ? 2 : 1, 100);
}

/* Channel -> socketpair until EOF; returns 0 when the tunnel should end. */
static int pump_in(struct tunnel *t)
{
    char buf[16384];
    ssize_t n = libssh2_channel_read(t->ch, buf, sizeof buf);
    if (n == LIBSSH2_ERROR_EAGAIN)
        return libssh2_channel_eof(t->ch) ? 0 : 2;
    if (n <= 0)
        return 0;
    for (ssize_t off = 0; off < n;) {
        ssize_t w = write(t->pump, buf + off, (size_t)(n - off));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return 0;
        off += w;
    }
    return 1;
}

/* Socketpair -> channel; returns 0 when the tunnel should end. */
static int pump_out(struct tunnel *t)
{
    char buf[16384];
    /* Invariant: t->pump is blocking (writes wait for a slow reader), reads never wait. */
    ssize_t n = recv(t->pump, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 2;
    if (n <= 0)
        return 0;
    for (ssize_t off = 0; off < n && !t->stop;) {
        ssize_t w = libssh2_channel_write(t->ch, buf + off, (size_t)(n - off));
        if (w == LIBSSH2_ERROR_EAGAIN) {
            wait_ssh(t, -1);
            continue;
        }
        if (w < 0)
            return 0;
        off += w;
    }
    return 1;
}

static void *pump(void *arg)
{
    struct tunnel *t = arg;
    libssh2_session_set_blocking(t->s, 0);
    while (!t->stop) {
        int a = pump_in(t), b;
        if (a == 0)
            break;
        b = pump_out(t);
        if (b == 0)
            break;
        if (a == 2 && b == 2)
            wait_ssh(t, t->pump);
    }
    shutdown(t->pump, SHUT_RDWR);
    return NULL;
}

static void tunnel_free(struct tunnel *t)
{
    if (t->running) {
        t->stop = 1;
        pthread_join(t->th, NULL);
    }
    /* Invariant: the pump has ended, so this thread owns the session. Blocking mode
     * (with the session's timeout) so that freeing never stops at EAGAIN half done. */
    if (t->s) {
        libssh2_session_set_timeout(t->s, 2000); /* a dead jump host costs at most this */
        libssh2_session_set_blocking(t->s, 1);
    }
    if (t->ch)
        libssh2_channel_free(t->ch);
    if (t->s) {
        libssh2_session_disconnect(t->s, "kuori: done");
        libssh2_session_free(t->s);
    }
    if (t->sock >= 0)
        close(t->sock);
    if (t->pump >= 0)
        close(t->pump);
    free(t);
}

void kuori_ssh_close(void *tunnel)
{
    if (tunnel)
        tunnel_free(tunnel);
}

static int open_channel(struct tunnel *t, const struct kuori_addr *a, struct kuori_err *e)
{
    t->ch = libssh2_channel_direct_tcpip_ex(t->s, a->host, (int)a->port, "127.0.0.1", 22);
    if (!t->ch)
        return kuori_fail(e, KUORI_EXIT_UNREACHABLE, "unreachable",
                          "check that the agent's host:port is reachable from the jump host "
                          "and that its sshd allows TCP forwarding",
                          "unreachable: ssh: %s cannot open a channel to %s:%u", a->ssh_host,
                          a->host, a->port);
    return 0;
}

int kuori_ssh_open(const struct kuori_addr *a, long long deadline_ms, int *fd, void **tunnel,
                   struct kuori_err *e)
{
    struct tunnel *t = calloc(1, sizeof *t);
    int sp[2], rc;
    long long left;
    if (!t)
        return kuori_fail(e, KUORI_EXIT_LOCAL, "memory", NULL, "out of memory");
    t->sock = t->pump = -1;
    pthread_once(&ssh_once, ssh_init);
    if ((rc = kuori_tcp_connect(a->ssh_host, a->ssh_port, deadline_ms, &t->sock, e)))
        goto error;
    fcntl(t->sock, F_SETFL, fcntl(t->sock, F_GETFL) & ~O_NONBLOCK);
    t->s = libssh2_session_init();
    left = deadline_ms - kuori_now_ms();
    libssh2_session_set_timeout(t->s, left > 1000 ? left : 1000);
    if (libssh2_session_handshake(t->s, t->sock) != 0) {
        rc = kuori_fail(e, KUORI_EXIT_UNREACHABLE, "ssh",
                        "check that the jump host's port is its SSH server",
                        "unreachable: ssh: handshake with %s:%u failed", a->ssh_host, a->ssh_port);
        goto error;
    }
    if ((rc = check_host_key(t, a, e)) || (rc = authenticate(t, a, e)) ||
        (rc = open_channel(t, a, e)))
        goto error;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0) {
        rc = kuori_fail(e, KUORI_EXIT_LOCAL, "ssh", NULL, "socketpair: %s", strerror(errno));
        goto error;
    }
    fcntl(t->sock, F_SETFL, fcntl(t->sock, F_GETFL) | O_NONBLOCK);
    fcntl(sp[0], F_SETFL, fcntl(sp[0], F_GETFL) | O_NONBLOCK);
    t->pump = sp[1];
    if (pthread_create(&t->th, NULL, pump, t) != 0) {
        close(sp[0]);
        rc = kuori_fail(e, KUORI_EXIT_LOCAL, "ssh", NULL, "cannot start the SSH pump thread");
        goto error;
    }
    t->running = 1;
    *fd = sp[0];
    *tunnel = t;
    return 0;
error:
    tunnel_free(t);
    return rc;
}
