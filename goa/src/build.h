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
    char *libs;                  /**< -l flags of the dependencies (LIBS, LDLIBS) */
};

/** Compile and link flags of the dependencies, from pkg-config (build_deps.c). */
struct goa_depflags {
    char *pc_path; /**< PKG_CONFIG_PATH: var/pkgconfig and the archives' lib/pkgconfig */
    char *cflags;  /**< pkg-config --cflags */
    char *ldflags; /**< pkg-config --libs-only-L */
    char *libs;    /**< pkg-config --libs-only-l */
    char *names;   /**< the packages, space-separated */
};

/**
 * Check that every dependency of P is unpacked in DEPOT, write .pc files for
 * archives without their own into PCDIR and resolve the flags into *F
 * (caller frees with goa_deps_free). 0, or -1 after reporting.
 */
int goa_deps_prepare(const struct goa_project *p, const char *depot, const char *pcdir,
                     struct goa_depflags *f);

/** Release what goa_deps_prepare filled in. */
void goa_deps_free(struct goa_depflags *f);

/**
 * Detect the build system of the tree in DIR, in debhelper's order: autoconf
 * (configure, configure.ac), make, cmake, meson, plain C. Returns a static
 * string; if WHY is not NULL it receives a fresh sentence naming the file that
 * decided and the other candidates present.
 */
const char *goa_build_detect(const char *dir, char **why);

/** Run upstream's test suite through SYSTEM (make check, ctest, meson test); 0 or -1. */
int goa_build_check(struct goa_build_ctx *b, const char *system);

/** Run the build steps of SYSTEM; 0 or -1 after reporting the failing step. */
int goa_build_run(struct goa_build_ctx *b, const char *system);

struct goa_project;
/** Build a native component in DIR against the Kide SDK with compiler CC (build_native.c). */
int goa_build_native(const struct goa_project *p, const char *dir, const char *cc);

#endif
