/* SPDX-License-Identifier: MIT */
/* goa: the project file (goa.yaml) -- its in-memory form and loader.
 *
 * A project is one directory holding goa.yaml, optional patches/ and, after
 * `goa import`, src/ (the editable sources) and var/ (goa's own state: the
 * pristine import, build trees, exported archives). The loader parses the
 * YAML, validates it against the schema in schema.c (unknown fields and type
 * errors are reported with file:line:column) and fills struct goa_project.
 * All strings are owned by the project and freed by goa_project_free().
 * String lists are NULL-terminated arrays.
 */
#ifndef GOA_PROJECT_H
#define GOA_PROJECT_H

#include <stdbool.h>
#include <stddef.h>

/** One source archive (or tree) the project imports. */
struct goa_source {
    char *url;         /**< upstream URL (http, https or file) */
    char *sha256;      /**< SHA-256 of the archive bytes, or NULL */
    char *tree_sha256; /**< tree hash of the extracted sources, or NULL */
    int strip;         /**< leading path components dropped (default 1) */
    char **patches;    /**< patch files relative to the project, applied with -p1 */
    char *dir;         /**< destination below src/ (default: src/ itself) */
    char *debian;      /**< Debian source file carrying it (pool lookup), or NULL */
    int line;          /**< line of this entry in goa.yaml, for messages */
};

/** The runtime of a packaged component: what it needs to be started. */
struct goa_runtime {
    char *binary;    /**< program or component binary name */
    char *ram;       /**< RAM quota, e.g. "16M" */
    long caps;       /**< capability quota */
    long cpu_quota;  /**< CPU quota in percent (0: unlimited) */
    char **requires; /**< services the component needs (LOG, ROM, ...) */
    char **provides; /**< services the component offers */
    char *config;    /**< configuration handed to the component */
    char **rom;      /**< extra ROM modules */
    char *child;     /**< posix projects: file (in the project) holding the hoitaja child goa
                          boots on Kide: its posix: object and quotas (posix_child.h) */
};

/** How `goa test` judges a run. */
struct goa_testspec {
    char **args;      /**< program arguments */
    char *stdin_file; /**< file (relative to the project) fed to stdin */
    char **expect;    /**< log lines that must appear, in this order */
    int exit_code;    /**< expected exit code (default 0) */
    int timeout;      /**< seconds before the run is killed (default 60) */
    char *target;     /**< backend: "host" or "qemu" (default "host") */
};

/** A parsed, validated goa.yaml. */
struct goa_project {
    char *dir;                  /**< project directory */
    char *file;                 /**< path of goa.yaml, for messages */
    char *name;                 /**< depot name */
    char *version;              /**< depot version */
    char *type;                 /**< native, posix or library */
    char *license;              /**< SPDX licence expression, or NULL */
    char *summary;              /**< one-line description, or NULL */
    char *depot_user;           /**< depot user exports go to, or NULL */
    struct goa_source *sources; /**< nsources entries */
    size_t nsources;            /**< number of sources */
    char *build_system;         /**< auto, make, cmake, autoconf, meson, plain or none */
    char **build_args;          /**< extra arguments to configure/cmake/meson/make */
    char **build_targets;       /**< make targets (make and plain systems) */
    char **build_env;           /**< extra K=V environment for the build */
    char **build_check;         /**< shell commands of goa check, or NULL: the system's suite */
    int build_install;          /**< -1: per system default, 0: no, 1: yes */
    char **artifacts;           /**< files copied into the bin archive */
    char **depends;             /**< depot archives user/type/name/version */
    bool has_runtime;           /**< runtime: present */
    struct goa_runtime runtime; /**< the component's runtime */
    bool has_test;              /**< test: present */
    struct goa_testspec test;   /**< how goa test judges a run */
};

/**
 * Parse and validate LEN bytes of YAML named FILE (used only in messages).
 * On success fills *P (caller frees with goa_project_free) and returns 0; on
 * failure reports each problem as "goa: FILE:LINE:COL: ..." and returns -1.
 */
int goa_project_parse(const char *data, size_t len, const char *file, struct goa_project *p);

/** Load DIR/goa.yaml; 0 or -1 after reporting why. */
int goa_project_load(const char *dir, struct goa_project *p);

/** Release everything a parsed project owns. */
void goa_project_free(struct goa_project *p);

/** Free a NULL-terminated string list. */
void goa_strv_free(char **v);
/** Number of entries of a NULL-terminated string list (NULL counts 0). */
size_t goa_strv_len(char *const *v);

#endif
