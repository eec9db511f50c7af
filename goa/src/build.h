/* SPDX-License-Identifier: MIT */
/* goa: build systems -- detection and the steps each one runs.
 *
 * A build runs in var/build/<arch>/, a copy of src/ refreshed before every
 * build (cp -a -u, so unchanged files keep their times and make stays
 * incremental). goa_build_detect() picks the system from the files present;
 * goa_build_run() runs configure/build/install for it with the environment
 * prepared by cmd_build.c. Output goes to var/build.log unless -v.
 */
#ifndef GOA_BUILD_H
#define GOA_BUILD_H

#include "project.h"

/** What a build needs besides the project. */
struct goa_build_ctx {
    const struct goa_project *p; /**< the project */
    char *bdir;                  /**< absolute build directory (copy of src/) */
    char *idir;                  /**< absolute install root (DESTDIR) */
    char *log;                   /**< build log, or NULL when verbose */
    char **env;                  /**< NULL-terminated K=V list for every step */
    int jobs;                    /**< parallel jobs */
    const char *cc;              /**< compiler */
    char *cflags;                /**< CFLAGS */
    char *ldflags;               /**< LDFLAGS */
};

/** Detect the build system of the tree in DIR: a static string. */
const char *goa_build_detect(const char *dir);

/** Run the build steps of SYSTEM; 0 or -1 after reporting the failing step. */
int goa_build_run(struct goa_build_ctx *b, const char *system);

struct goa_project;
/** Build a native component in DIR against the Kide SDK with compiler CC (build_native.c). */
int goa_build_native(const struct goa_project *p, const char *dir, const char *cc);

#endif
