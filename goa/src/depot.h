/* SPDX-License-Identifier: MIT */
/* goa: the local depot -- where archives and unpacked dependencies live.
 *
 * A depot is a directory laid out like the registry: archives at
 * <user>/<type>/<name>/<version>.tar.xz (+ .sig), and what `goa install`
 * unpacked at <user>/<type>/<name>/<version>/. The depot used is --depot
 * DIR, else $GOA_DEPOT, else the project's var/depot. Depot users (their
 * public key and download URL) are read from depots/<user>/ in --depots DIR,
 * $GOA_DEPOTS, or the repository's depots/.
 */
#ifndef GOA_DEPOT_H
#define GOA_DEPOT_H

#include "project.h"

/** The architecture goa builds for. */
#define GOA_ARCH "x86_64"

/** The depot directory for OPT (may be NULL) and project dir PDIR (may be NULL). */
char *goa_depot_dir(const char *opt, const char *pdir);

/** The depot user: OPT, else the project's depot_user, else $GOA_USER; NULL after reporting. */
char *goa_depot_user(const char *opt, const struct goa_project *p);

/**
 * The writable directory of depot users (pubkey, download): OPT, else
 * $GOA_DEPOTS, else ${XDG_CONFIG_HOME:-~/.config}/goa/depots. Free it.
 */
char *goa_depots_dir(const char *opt);

/**
 * The directories searched for depot users, in order, into DIRS (free each):
 * OPT or $GOA_DEPOTS alone when given, else the user's directory and then
 * the users shipped with goa (the repository's depots/). Returns the count.
 */
size_t goa_depots_search(const char *opt, char *dirs[2]);

/** The directory of depot user USER (first in the search order), or NULL after reporting. */
char *goa_depot_user_dir(const char *opt, const char *user);

/**
 * Split a depot path "user/type/name/version" (type may be bin/<arch>) into
 * freshly allocated parts; 0, or -1 if it is malformed (not reported).
 */
int goa_depot_split(const char *path, char **user, char **type, char **name, char **version);

#endif
