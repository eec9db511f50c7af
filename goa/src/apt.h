/* SPDX-License-Identifier: MIT */
/* goa: Debian's archive -- its address from apt's configuration, and pool paths.
 *
 * Recipes may name the Debian source file that carries their sources
 * (`debian: expat_2.5.0.orig.tar.gz` in a source entry); goa then fetches
 * <archive>/pool/main/<prefix>/<package>/<file>, where the archive address
 * is the machine's own: the URIs of /etc/apt/sources.list and
 * sources.list.d/ (one-line and deb822 formats), so no address is ever
 * written into a recipe. $GOA_DEBIAN_ARCHIVE (space-separated URLs)
 * replaces apt's configuration; $GOA_APT_ETC replaces /etc/apt.
 */
#ifndef GOA_APT_H
#define GOA_APT_H

#include <stddef.h>

/**
 * Parse LEN bytes of an apt sources file (DEB822 nonzero: the .sources
 * format) and append the archive URIs of its enabled entries to *URIS (a
 * NULL-terminated list, grown with realloc; *N counts them). Security
 * archives (pool/updates layout) are left out; duplicates are skipped.
 */
void goa_apt_parse(const char *text, size_t len, int deb822, char ***uris, size_t *n);

/** The Debian archive base URLs to try, in order (NULL-terminated, free with goa_strv_free). */
char **goa_apt_archives(void);

/**
 * The pool path of Debian source file FILE ("pool/main/e/expat/expat_2.5.0.orig.tar.gz"),
 * or NULL if FILE is not <package>_<version>... with a valid package name.
 */
char *goa_debian_pool_path(const char *file);

#endif
