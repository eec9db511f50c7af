/* SPDX-License-Identifier: MIT */
/* goa: the global content-addressed download cache.
 *
 * Downloads are stored once per machine under <cache>/sha256/<hex>, named by
 * the SHA-256 of their bytes, so every project that needs the same archive
 * shares one copy and a file in the cache is verified by its own name. For
 * sources pinned only by tree hash, <cache>/url/<sha256 of URL> records which
 * archive that URL gave last time (the tree hash is still checked on every
 * import). The cache lives in $GOA_CACHE, else $XDG_CACHE_HOME/goa, else
 * ~/.cache/goa. Entries are written via a temporary file and rename, so a
 * crash never leaves a partial entry.
 */
#ifndef GOA_CACHE_H
#define GOA_CACHE_H

#include "hash.h"

/** The cache directory (created if missing), or NULL after reporting. */
const char *goa_cache_dir(void);

/** Path of the entry for HEX if present (caller frees), else NULL. */
char *goa_cache_lookup(const char *hex);

/** Path of the entry last downloaded from URL, if present (caller frees). */
char *goa_cache_lookup_url(const char *url);

/** A fresh temporary file name inside the cache (caller frees). */
char *goa_cache_tmpname(void);

/**
 * Move the downloaded file TMP into the cache under its SHA-256 HEX, and
 * remember it for URL (may be NULL). Returns the entry's path (caller
 * frees), or NULL after reporting.
 */
char *goa_cache_store(const char *tmp, const char *hex, const char *url);

#endif
