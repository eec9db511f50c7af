/* SPDX-License-Identifier: MIT */
/* goa: downloads and uploads over libcurl.
 *
 * Downloads follow redirects, fail on HTTP errors >= 400 and on truncated
 * bodies (curl compares with Content-Length), and time out when no byte
 * arrives for 30 seconds. The progress line is redrawn at most ten times a
 * second when stderr is a terminal; otherwise one line per finished file.
 */
#include "fetch.h"

#include "util.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/** Per-transfer state attached to an easy handle. */
struct xfer {
    struct goa_dl *dl;            /**< the caller's record */
    FILE *f;                      /**< destination, open while the transfer runs */
    CURL *c;                      /**< the easy handle while the transfer runs */
    char errbuf[CURL_ERROR_SIZE]; /**< curl's detailed message */
};

static void curl_init_once(void)
{
    static int done;

    if (!done) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        done = 1;
    }
}

static CURL *make_easy(struct xfer *x)
{
    CURL *c = curl_easy_init();

    if (!c)
        return NULL;
    curl_easy_setopt(c, CURLOPT_URL, x->dl->url);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, x->f);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 30L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(c, CURLOPT_PRIVATE, x);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "goa/0.1");
    return c;
}

static void progress(struct xfer *xs, size_t n, size_t done, double t0, int final)
{
    static double last;
    double now = goa_now(), total = 0;

    if (goa_opt.quiet || goa_opt.json || !isatty(2))
        return;
    if (!final && now - last < 0.1)
        return;
    last = now;
    for (size_t i = 0; i < n; i++) {
        if (xs[i].f && xs[i].c) {
            curl_off_t got = 0;
            curl_easy_getinfo(xs[i].c, CURLINFO_SIZE_DOWNLOAD_T, &got);
            xs[i].dl->bytes = (double)got;
        }
        total += xs[i].dl->bytes;
    }
    double rate = total / (now - t0 > 0.001 ? now - t0 : 0.001);
    int bar = n ? (int)(20 * done / n) : 20;
    fprintf(stderr, "\r[%.*s%*s] %zu/%zu files  %.1f MiB  %.1f MiB/s ", bar, "####################",
            20 - bar, "", done, n, total / 1048576.0, rate / 1048576.0);
    if (final)
        fputc('\n', stderr);
}

static void finish(CURL *c, CURLcode res)
{
    struct xfer *x;
    curl_off_t got = 0;

    curl_easy_getinfo(c, CURLINFO_PRIVATE, (char **)&x);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x->dl->status);
    curl_easy_getinfo(c, CURLINFO_SIZE_DOWNLOAD_T, &got);
    x->dl->bytes = (double)got;
    if (fclose(x->f) && res == CURLE_OK)
        res = CURLE_WRITE_ERROR;
    x->f = NULL;
    x->c = NULL;
    if (res == CURLE_OK) {
        x->dl->rc = 0;
    } else {
        x->dl->rc = -1;
        if (res == CURLE_HTTP_RETURNED_ERROR)
            snprintf(x->dl->err, sizeof x->dl->err, "HTTP %ld", x->dl->status);
        else if (res == CURLE_PARTIAL_FILE)
            snprintf(x->dl->err, sizeof x->dl->err,
                     "truncated download (%.0f bytes, the server promised more)", x->dl->bytes);
        else
            snprintf(x->dl->err, sizeof x->dl->err, "%s",
                     x->errbuf[0] ? x->errbuf : curl_easy_strerror(res));
        unlink(x->dl->dest);
    }
}

int goa_fetch_all(struct goa_dl *v, size_t n, int jobs)
{
    struct xfer *xs = goa_xmalloc(n * sizeof *xs + 1);
    CURLM *m;
    size_t next = 0, done = 0;
    int running = 0, failed = 0;
    double t0 = goa_now();

    curl_init_once();
    m = curl_multi_init();
    if (jobs < 1)
        jobs = 1;
    while (done < n) {
        while (next < n && running < jobs) {
            struct xfer *x = &xs[next];
            x->dl = &v[next++];
            x->dl->rc = -1;
            x->dl->err[0] = '\0';
            x->f = fopen(x->dl->dest, "wb");
            CURL *c = x->f ? make_easy(x) : NULL;
            if (!c) {
                snprintf(x->dl->err, sizeof x->dl->err, "cannot create %s: %m", x->dl->dest);
                if (x->f)
                    fclose(x->f);
                x->f = NULL;
                done++;
                continue;
            }
            x->c = c;
            curl_multi_add_handle(m, c);
            running++;
        }
        int still;
        curl_multi_perform(m, &still);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(m, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            CURL *c = msg->easy_handle;
            finish(c, msg->data.result);
            curl_multi_remove_handle(m, c);
            curl_easy_cleanup(c);
            running--;
            done++;
            progress(xs, next, done, t0, 0);
        }
        if (running)
            curl_multi_poll(m, NULL, 0, 100, NULL);
        progress(xs, next, done, t0, 0);
    }
    progress(xs, n, done, t0, 1);
    curl_multi_cleanup(m);
    for (size_t i = 0; i < n; i++)
        if (v[i].rc)
            failed++;
    free(xs);
    return failed;
}

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct goa_resp *r = userdata;
    size_t n = size * nmemb;
    char *nb = realloc(r->body, r->len + n + 1);

    if (!nb)
        return 0;
    memcpy(nb + r->len, ptr, n);
    r->body = nb;
    r->len += n;
    r->body[r->len] = '\0';
    return n;
}

static size_t header_cb(char *buf, size_t size, size_t nitems, void *userdata)
{
    struct goa_resp *r = userdata;
    size_t n = size * nitems;

    if (n > 12 && !strncasecmp(buf, "Retry-After:", 12))
        r->retry_after = strtol(buf + 12, NULL, 10);
    return n;
}

int goa_http_put(const char *url, const char *path, const char *const *headers,
                 struct goa_resp *resp)
{
    struct curl_slist *hl = NULL;
    FILE *f = fopen(path, "rb");
    CURL *c;
    CURLcode res;
    long size;
    char errbuf[CURL_ERROR_SIZE] = "";

    memset(resp, 0, sizeof *resp);
    resp->body = goa_xstrdup("");
    if (!f) {
        snprintf(resp->err, sizeof resp->err, "cannot read %s: %m", path);
        return -1;
    }
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    rewind(f);
    curl_init_once();
    c = curl_easy_init();
    for (size_t i = 0; headers && headers[i]; i++)
        hl = curl_slist_append(hl, headers[i]);
    hl = curl_slist_append(hl, "Content-Type: application/x-xz");
    hl = curl_slist_append(hl, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READDATA, f);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)size);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, resp);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 300L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    res = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
    curl_easy_cleanup(c);
    curl_slist_free_all(hl);
    fclose(f);
    if (res != CURLE_OK) {
        snprintf(resp->err, sizeof resp->err, "%s", errbuf[0] ? errbuf : curl_easy_strerror(res));
        return -1;
    }
    return 0;
}
