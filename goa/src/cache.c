/* SPDX-License-Identifier: MIT */
/* goa: the global content-addressed download cache.
 *
 * Invariant: a file at <cache>/sha256/<hex> has exactly that SHA-256. It is
 * kept by construction (only goa_cache_store puts files there, after the
 * caller hashed them) and re-checked by the importer before use, so a
 * corrupted cache entry is detected and fetched again, not trusted.
 */
#include "cache.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *cache_root;

const char *goa_cache_dir(void)
{
    const char *e;

    if (cache_root)
        return cache_root;
    if ((e = getenv("GOA_CACHE")) && *e)
        cache_root = goa_xstrdup(e);
    else if ((e = getenv("XDG_CACHE_HOME")) && *e)
        cache_root = goa_fmt("%s/goa", e);
    else if ((e = getenv("HOME")) && *e)
        cache_root = goa_fmt("%s/.cache/goa", e);
    else {
        goa_error("cache", "set GOA_CACHE to a writable directory",
                  "no cache directory: neither GOA_CACHE nor HOME is set");
        return NULL;
    }
    char *a = goa_fmt("%s/sha256", cache_root), *b = goa_fmt("%s/url", cache_root),
         *c = goa_fmt("%s/tmp", cache_root);
    int bad = goa_mkdirs(a) || goa_mkdirs(b) || goa_mkdirs(c);
    free(a);
    free(b);
    free(c);
    if (bad) {
        goa_error(cache_root, "set GOA_CACHE to a writable directory",
                  "cannot create the download cache: %m");
        free(cache_root);
        cache_root = NULL;
    }
    return cache_root;
}

char *goa_cache_lookup(const char *hex)
{
    const char *root = goa_cache_dir();
    char *p;

    if (!root)
        return NULL;
    p = goa_fmt("%s/sha256/%s", root, hex);
    for (char *s = strrchr(p, '/'); *s; s++)
        if (*s >= 'A' && *s <= 'F')
            *s = (char)(*s - 'A' + 'a');
    if (access(p, R_OK) == 0)
        return p;
    free(p);
    return NULL;
}

char *goa_cache_lookup_url(const char *url)
{
    const char *root = goa_cache_dir();
    char key[GOA_HEX_LEN], *idx, *hex = NULL, *p = NULL;
    size_t len;

    if (!root)
        return NULL;
    goa_sha256_buf(url, strlen(url), key);
    idx = goa_fmt("%s/url/%s", root, key);
    if (goa_read_file(idx, &hex, &len) == 0 && len >= 64) {
        hex[64] = '\0';
        p = goa_cache_lookup(hex);
    }
    free(hex);
    free(idx);
    return p;
}

char *goa_cache_tmpname(void)
{
    static unsigned seq;
    const char *root = goa_cache_dir();

    return root ? goa_fmt("%s/tmp/dl.%d.%u", root, (int)getpid(), seq++) : NULL;
}

char *goa_cache_store(const char *tmp, const char *hex, const char *url)
{
    const char *root = goa_cache_dir();
    char *dst;

    if (!root)
        return NULL;
    dst = goa_fmt("%s/sha256/%s", root, hex);
    if (rename(tmp, dst)) {
        goa_error(dst, "check that the cache directory is writable (GOA_CACHE)",
                  "cannot store the download in the cache: %m");
        free(dst);
        return NULL;
    }
    if (url) {
        char key[GOA_HEX_LEN];
        goa_sha256_buf(url, strlen(url), key);
        char *idx = goa_fmt("%s/url/%s", root, key);
        goa_write_file(idx, hex, 64, 0644);
        free(idx);
    }
    return dst;
}
