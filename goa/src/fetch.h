/* SPDX-License-Identifier: MIT */
/* goa: downloads and uploads over libcurl.
 *
 * goa_fetch_all() runs a batch of downloads on one curl multi handle with at
 * most `jobs` transfers in flight and draws one progress line for the whole
 * batch. Each download goes to its own destination file; a failed transfer
 * leaves no file behind and records why in its struct goa_dl. The caller
 * decides what a failure means (try the next mirror, give up).
 */
#ifndef GOA_FETCH_H
#define GOA_FETCH_H

#include <stddef.h>

/** One download: filled in by the caller, results filled in by goa_fetch_all. */
struct goa_dl {
    const char *url;  /**< what to fetch (http, https, file) */
    const char *dest; /**< file to write; removed on failure */
    int rc;           /**< result: 0 ok, -1 failed */
    long status;      /**< HTTP status, 0 for file:// or no response */
    double bytes;     /**< bytes received */
    char err[256];    /**< why it failed, for messages */
};

/** Run every download in V, at most JOBS at once; returns the number failed. */
int goa_fetch_all(struct goa_dl *v, size_t n, int jobs);

/** A response held in memory. */
struct goa_resp {
    long status;      /**< HTTP status, 0 if none */
    char *body;       /**< NUL-terminated body (may be empty), caller frees */
    size_t len;       /**< body length */
    char err[256];    /**< transport error, empty if the request completed */
    long retry_after; /**< Retry-After seconds of a 429, or 0 */
};

/**
 * PUT the file PATH to URL with the extra HEADERS (NULL-terminated list of
 * "Name: value"). Returns 0 if a response arrived (see resp->status), -1 on a
 * transport failure (resp->err says why).
 */
int goa_http_put(const char *url, const char *path, const char *const *headers,
                 struct goa_resp *resp);

#endif
