/* SPDX-License-Identifier: MIT */
/* The HTTP server: daemon lifetime and request routing.
 *
 * Lifetime: serve takes an exclusive lock on <data>/serve.lock (one server
 * per data directory), empties <data>/tmp (leftovers of a crash), opens the
 * database pool and starts libmicrohttpd with SIGTERM and SIGINT blocked in
 * every thread. The main thread then waits for one of those signals (SIGHUP
 * only reopens the access log), stops
 * accepting, lets in-flight requests finish (up to shutdown_timeout) and
 * stops the daemon. Nothing is half-written at any point: blobs are renamed
 * into place complete and rows are committed in one transaction.
 *
 * Routing: every request is answered on the last call, after its body (if
 * any) is read, because an earlier response costs the keep-alive connection. An error found in the
 * headers of a request with a body is deferred: the body is read and discarded up to
 * REG_DRAIN_MAX bytes, then the error is sent, so the client reads a clean response instead of a
 * reset connection. A client that waits for "100 Continue" gets the error at once and never sends
 * the body. An error found while the body arrives (408, 413, 507), or a body too long to drain, is
 * answered at once on the socket with a lingering close (early.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <unistd.h>

#include "cli.h"
#include "server.h"
#include "unescape.h"

double reg_req_elapsed(const struct reg_req *r)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - r->start.tv_sec) + (now.tv_nsec - r->start.tv_nsec) / 1e9;
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void defer(struct reg_req *r, unsigned status, const char *err, const char *hint)
{
    if (r->err_status)
        return; /* keep the first error */
    r->err_status = status;
    r->err = err;
    r->hint = hint;
}

static enum MHD_Result send_deferred(struct MHD_Connection *c, struct reg_req *r)
{
    return reg_reply_error(c, r, r->err_status, r->err, r->hint, r->retry_after);
}

static void path_error(struct reg_req *r)
{
    if (r->path_rc == -EINVAL)
        defer(r, MHD_HTTP_BAD_REQUEST, "malformed path",
              "paths are /<user>/<type>/<name>/<version>.tar.xz; names and versions match "
              "[A-Za-z0-9][A-Za-z0-9._+-]{0,127}, users [a-z0-9][a-z0-9_-]{0,63}");
    else
        defer(r, MHD_HTTP_NOT_FOUND, "no such resource", "see docs/registry.md for the API");
}

static enum MHD_Result answer_get(struct MHD_Connection *c, struct reg_req *r)
{
    if (r->err_status)
        return send_deferred(c, r);
    switch (r->path.route) {
    case REG_R_ARCHIVE:
    case REG_R_SIG:
        return reg_handle_download(c, r);
    case REG_R_YANK:
    case REG_R_UNYANK:
        return reg_reply_error(c, r, MHD_HTTP_METHOD_NOT_ALLOWED, "yank needs POST",
                               "POST with an Authorization: Bearer token", 0);
    default:
        return reg_handle_meta(c, r);
    }
}

/* Framing that libmicrohttpd lets through but RFC 9112 forbids: a request with
 * both Content-Length and Transfer-Encoding (a smuggling vector: the body's end
 * is ambiguous) and an HTTP/1.1 request without Host. Returns true if refused. */
static bool bad_framing(struct MHD_Connection *c, struct reg_req *r, const char *version)
{
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding");
    if (cl && te) {
        r->err_status = 0; /* this error wins: nothing else about the request is trusted */
        defer(r, MHD_HTTP_BAD_REQUEST, "both Content-Length and Transfer-Encoding",
              "send one of them: Content-Length for a known size, chunked otherwise");
        return true;
    }
    if (strcmp(version, "HTTP/1.1") == 0 &&
        !MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host")) {
        r->err_status = 0;
        defer(r, MHD_HTTP_BAD_REQUEST, "HTTP/1.1 request without Host",
              "send a Host header, as HTTP/1.1 requires");
        return true;
    }
    return false;
}

/* The declared body length, or UINT64_MAX when there is none (chunked) or it is
 * malformed (libmicrohttpd refuses those itself). */
static uint64_t declared_length(struct MHD_Connection *c)
{
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    char *end;
    if (!cl)
        return UINT64_MAX;
    errno = 0;
    unsigned long long v = strtoull(cl, &end, 10);
    return (errno || *end || end == cl) ? UINT64_MAX : (uint64_t)v;
}

static enum MHD_Result first_call(struct MHD_Connection *c, struct reg_req *r, const char *url,
                                  const char *method, const char *version)
{
    if (bad_framing(c, r, version))
        return send_deferred(c, r); /* at once: the body's framing cannot be trusted */
    const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    if (reg_rl_take(r->srv->rl, sa, now_seconds(), &r->retry_after) < 0)
        defer(r, MHD_HTTP_TOO_MANY_REQUESTS, "rate limit exceeded",
              "wait for the number of seconds in Retry-After, then retry");
    r->path_rc = reg_path_parse(url, strlen(url), &r->path);
    if (r->path_rc < 0)
        path_error(r);
    /* Answered on the last call: a response queued before the request is fully read
     * makes libmicrohttpd close the connection, which would defeat keep-alive. */
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
        return MHD_YES;
    const char *expect = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Expect");
    r->expect_continue = expect && strcasecmp(expect, "100-continue") == 0;
    if (strcmp(method, "PUT") == 0) {
        if (!r->err_status && r->path.route != REG_R_ARCHIVE)
            defer(r, MHD_HTTP_METHOD_NOT_ALLOWED, "only archives can be published",
                  "PUT /<user>/<type>/<name>/<version>.tar.xz with X-Kide-Signature");
        if (!r->err_status)
            reg_publish_begin(c, r);
    } else if (strcmp(method, "POST") == 0) {
        if (!r->err_status && r->path.route != REG_R_YANK && r->path.route != REG_R_UNYANK)
            defer(r, MHD_HTTP_METHOD_NOT_ALLOWED, "POST is only for yank and unyank",
                  "POST /<user>/<type>/<name>/<version>/yank");
    } else {
        defer(r, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed",
              "use GET or HEAD to download, PUT to publish, POST to yank");
    }
    if (r->err_status && r->expect_continue)
        return send_deferred(c, r);
    /* A declared body too long to drain: answer before reading it (early.c). */
    uint64_t len = declared_length(c);
    if (r->err_status && len != UINT64_MAX && len > REG_DRAIN_MAX && !r->srv->tls_cert)
        return reg_answer_now(c, r, r->err_status, r->err, r->hint);
    return MHD_YES;
}

static enum MHD_Result body_call(struct MHD_Connection *c, struct reg_req *r, const char *data,
                                 size_t n)
{
    if (!r->err_status && r->up.fd >= 0)
        return reg_publish_data(c, r, data, n);
    r->drained += n;
    if (r->drained > REG_DRAIN_MAX) {
        /* Too much to drain for an answer on the last call: answer now. */
        defer(r, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large",
              "yank and unyank take no body");
        if (r->srv->tls_cert)
            return MHD_NO; /* HTTPS cannot answer mid-body (early.c): cut off */
        return reg_answer_now(c, r, r->err_status, r->err, r->hint);
    }
    return MHD_YES;
}

static enum MHD_Result last_call(struct MHD_Connection *c, struct reg_req *r, const char *method)
{
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
        return answer_get(c, r);
    if (r->err_status)
        return send_deferred(c, r);
    if (strcmp(method, "PUT") == 0)
        return reg_publish_end(c, r);
    return reg_handle_yank(c, r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **ctx)
{
    struct reg_server *srv = cls;
    struct reg_req *r = *ctx;
    if (!r) {
        r = calloc(1, sizeof(*r));
        if (!r)
            return MHD_NO;
        r->srv = srv;
        r->up.fd = -1;
        clock_gettime(CLOCK_MONOTONIC, &r->start);
        snprintf(r->method, sizeof(r->method), "%s", method);
        snprintf(r->url, sizeof(r->url), "%s", url);
        const union MHD_ConnectionInfo *ci =
                MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
            inet_ntop(AF_INET, &((struct sockaddr_in *)ci->client_addr)->sin_addr, r->client,
                      sizeof(r->client));
        else if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ci->client_addr)->sin6_addr, r->client,
                      sizeof(r->client));
        atomic_fetch_add(&srv->inflight, 1);
        *ctx = r;
        return first_call(c, r, url, method, version);
    }
    if (r->lingering) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        return reg_linger(r, n);
    }
    if (r->responded) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        return body_call(c, r, upload_data, n);
    }
    return last_call(c, r, method);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **ctx,
                         enum MHD_RequestTerminationCode toe)
{
    struct reg_server *srv = cls;
    struct reg_req *r = *ctx;
    if (!r)
        return;
    if (!r->responded || toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
        r->status = r->responded ? r->status : 499; /* client went away first */
    reg_upload_abort(&r->up);
    reg_publish_release(r);
    reg_access_log(srv->log_fd, r);
    atomic_fetch_sub(&srv->inflight, 1);
    free(r);
    *ctx = NULL;
}

static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
    return reg_url_unescape(s);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && msg[n - 1] == '\n')
        msg[--n] = '\0';
    fprintf(stderr, "kide-registry: libmicrohttpd: %s\n", msg);
}

static int read_file(const char *path, char **out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -errno;
    char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (!buf)
        return -ENOMEM;
    buf[n] = '\0';
    *out = buf;
    return 0;
}

/* Open resources before the daemon starts; errors are printed here. */
static int prepare(struct reg_server *srv, const struct reg_config *cfg, int *lock_fd)
{
    char p[PATH_MAX];
    int rc = reg_blob_init(cfg->data);
    if (rc < 0) {
        reg_data_fail(cfg->data, rc);
        return rc;
    }
    if ((rc = reg_blob_same_fs(cfg->data)) < 0) {
        fprintf(stderr,
                "kide-registry: %s/tmp and %s/blobs %s\n"
                "hint: keep tmp/ and blobs/ on one filesystem (uploads are renamed from one "
                "into the other); mount or link the whole data directory instead\n",
                cfg->data, cfg->data,
                rc == -EXDEV ? "are on different filesystems" : strerror(-rc));
        return rc;
    }
    snprintf(p, sizeof(p), "%s/serve.lock", cfg->data);
    *lock_fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (*lock_fd < 0 || flock(*lock_fd, LOCK_EX | LOCK_NB) < 0) {
        fprintf(stderr,
                "kide-registry: cannot lock %s: %s\n"
                "hint: another kide-registry already serves this data directory\n",
                p, strerror(errno));
        return -EBUSY;
    }
    reg_blob_clean_tmp(cfg->data);
    if ((rc = reg_pool_init(&srv->pool, cfg->data, cfg->db_connections)) < 0) {
        fprintf(stderr,
                "kide-registry: cannot open %s/registry.db: %s\n"
                "hint: check permissions and free space; run 'verify'\n",
                cfg->data, strerror(-rc));
        return rc;
    }
    srv->rl = reg_rl_new(cfg->rate_limit, cfg->rate_burst);
    srv->vc = calloc(1, sizeof(*srv->vc));
    srv->quota = calloc(1, sizeof(*srv->quota));
    if (!srv->rl || !srv->vc || !srv->quota)
        return -ENOMEM;
    reg_vcache_init(srv->vc);
    reg_quota_init(srv->quota);
    srv->log_fd = -1;
    if (!cfg->access_log || strcmp(cfg->access_log, "-") == 0) {
        srv->log_fd = STDERR_FILENO;
    } else if (strcmp(cfg->access_log, "off") != 0) {
        srv->log_fd = open(cfg->access_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (srv->log_fd < 0) {
            fprintf(stderr,
                    "kide-registry: cannot open access log %s: %s\n"
                    "hint: fix 'access_log' or set it to '-' or 'off'\n",
                    cfg->access_log, strerror(errno));
            return -errno;
        }
    }
    if (cfg->tls_cert) {
        if ((rc = read_file(cfg->tls_cert, &srv->tls_cert)) < 0 ||
            (rc = read_file(cfg->tls_key, &srv->tls_key)) < 0) {
            fprintf(stderr,
                    "kide-registry: cannot read TLS certificate or key: %s\n"
                    "hint: check tls_cert and tls_key in the configuration\n",
                    strerror(-rc));
            return rc;
        }
    }
    return 0;
}

static struct MHD_Daemon *start(struct reg_server *srv, const struct reg_config *cfg,
                                struct sockaddr_storage *ss)
{
    struct MHD_OptionItem opts[16];
    int n = 0;
    unsigned flags = MHD_USE_ITC | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    flags |= cfg->workers ? MHD_USE_EPOLL : MHD_USE_THREAD_PER_CONNECTION;
    if (ss->ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
#define OPT(o, v, p) opts[n++] = (struct MHD_OptionItem){(o), (intptr_t)(v), (p)}
    OPT(MHD_OPTION_SOCK_ADDR, 0, ss);
    OPT(MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv);
    OPT(MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL);
    OPT(MHD_OPTION_CONNECTION_TIMEOUT, cfg->idle_timeout, NULL);
    OPT(MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections, NULL);
    OPT(MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_connections_per_ip, NULL);
    OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->max_header_bytes + 16384, NULL);
    if (cfg->workers)
        OPT(MHD_OPTION_THREAD_POOL_SIZE, cfg->workers, NULL);
    if (srv->tls_cert) {
        flags |= MHD_USE_TLS;
        OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert);
        OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key);
    }
    OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
    return MHD_start_daemon(flags, cfg->listen_port, NULL, NULL, on_request, srv,
                            MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_ARRAY, opts,
                            MHD_OPTION_END);
}

static int resolve(const struct reg_config *cfg, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof(*ss));
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, cfg->listen_host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(cfg->listen_port);
        return 0;
    }
    if (inet_pton(AF_INET6, cfg->listen_host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(cfg->listen_port);
        return 0;
    }
    return -EINVAL;
}

/* SIGHUP: reopen the access log file (after logrotate moved it). dup2 swaps the
 * descriptor atomically, so concurrent writers never see a closed one. */
static void reopen_log(struct reg_server *srv, const struct reg_config *cfg)
{
    if (srv->log_fd <= STDERR_FILENO)
        return;
    int fd = open(cfg->access_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        fprintf(stderr,
                "kide-registry: cannot reopen access log %s: %s\n"
                "hint: check the directory; logging continues to the old file\n",
                cfg->access_log, strerror(errno));
        return;
    }
    dup3(fd, srv->log_fd, O_CLOEXEC);
    close(fd);
    fprintf(stderr, "kide-registry: reopened access log %s\n", cfg->access_log);
}

static void wait_and_drain(struct reg_server *srv, const struct reg_config *cfg,
                           const sigset_t *set)
{
    int sig = 0;
    while (sigwait(set, &sig) == 0 && sig == SIGHUP)
        reopen_log(srv, cfg);
    fprintf(stderr, "kide-registry: %s received, finishing %d in-flight request(s)\n",
            strsignal(sig), atomic_load(&srv->inflight));
    atomic_store(&srv->stopping, true);
    MHD_socket lfd = MHD_quiesce_daemon(srv->mhd);
    if (lfd != MHD_INVALID_SOCKET)
        close(lfd);
    /* Wait (bounded) for in-flight requests; a short poll, as there is no event to wait on. */
    double deadline = now_seconds() + cfg->shutdown_timeout;
    while (atomic_load(&srv->inflight) > 0 && now_seconds() < deadline) {
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

int reg_serve(const struct reg_config *cfg)
{
    struct reg_server srv = {.cfg = cfg, .log_fd = -1};
    struct sockaddr_storage ss;
    sigset_t set;
    int rc, lock_fd = -1;

    if (resolve(cfg, &ss) < 0) {
        fprintf(stderr,
                "kide-registry: cannot listen on '%s': not an IP address\n"
                "hint: use 'listen: 127.0.0.1:8080' or 'listen: \"[::1]:8080\"' (quoted)\n",
                cfg->listen_host);
        return -EINVAL;
    }
    if ((rc = prepare(&srv, cfg, &lock_fd)) < 0)
        goto out;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* A file size limit (ulimit -f) must make writes fail with EFBIG (answered 507),
     * not kill the server. */
    signal(SIGXFSZ, SIG_IGN);
    srv.mhd = start(&srv, cfg, &ss);
    if (!srv.mhd) {
        fprintf(stderr,
                "kide-registry: cannot start the HTTP server on %s:%u\n"
                "hint: is the port in use? are tls_cert and tls_key valid PEM?\n",
                cfg->listen_host, cfg->listen_port);
        rc = -EADDRINUSE;
        goto out;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv.mhd, MHD_DAEMON_INFO_BIND_PORT);
    fprintf(stderr, "kide-registry: listening on %s://%s%s%s:%u (pid %d)\n",
            srv.tls_cert ? "https" : "http", ss.ss_family == AF_INET6 ? "[" : "", cfg->listen_host,
            ss.ss_family == AF_INET6 ? "]" : "", di ? di->port : cfg->listen_port, (int)getpid());
    wait_and_drain(&srv, cfg, &set);
    MHD_stop_daemon(srv.mhd);
    fprintf(stderr, "kide-registry: stopped\n");
    rc = 0;
out:
    if (srv.pool.all)
        reg_pool_fini(&srv.pool);
    reg_rl_free(srv.rl);
    if (srv.vc)
        reg_vcache_fini(srv.vc);
    free(srv.vc);
    if (srv.quota)
        reg_quota_fini(srv.quota);
    free(srv.quota);
    if (srv.log_fd > STDERR_FILENO)
        close(srv.log_fd);
    free(srv.tls_cert);
    free(srv.tls_key);
    if (lock_fd >= 0)
        close(lock_fd);
    return rc;
}
