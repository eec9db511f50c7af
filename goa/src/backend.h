/* SPDX-License-Identifier: MIT */
/* goa: run backends -- where `goa run` and `goa test` execute a package.
 *
 * A backend takes one run request (what to start, its arguments and input,
 * a timeout) and delivers the run's log line by line through a callback,
 * then its result (exit code, or timeout). `goa test` judges the lines and
 * the exit code; it does not care where the program ran. Backends:
 *   host  the static binary runs directly on this Linux machine (POSIX
 *         programs built with musl-gcc -static; the same binary runs on
 *         Kide's POSIX personality, so this is the differential peer)
 *   qemu  boots a Kide image (core, the root hoitaja and an init.json made
 *         from runtime:) with the package as hoitaja's only child and
 *         judges the serial log (available when qemu-system-x86_64 is).
 * Contract for a new backend: run() must call on_line once per complete
 * log line (without the newline; a last unterminated line is delivered
 * too), must never block longer than timeout seconds plus a short grace
 * period, must report exit_code as the program's (isa-debug-exit for QEMU
 * scenarios, mapped back to the program's code) and must leave no process
 * behind. Lines longer than GOA_LINE_MAX are split.
 */
#ifndef GOA_BACKEND_H
#define GOA_BACKEND_H

#include <stdbool.h>

#include "project.h"

/** Longest log line delivered in one piece. */
#define GOA_LINE_MAX 4096

/** One run: what to start and how. */
struct goa_run_req {
    const struct goa_project *project; /**< the package's project (runtime, name) */
    const char *binary;                /**< host path of the built binary */
    const char *bin_dir;               /**< var/bin/<arch>: everything the bin archive holds */
    char *const *args;                 /**< arguments (NULL-terminated), without argv[0] */
    const char *stdin_file;            /**< file fed to standard input, or NULL */
    const char *cwd;                   /**< working directory (host backend) */
    int timeout;                       /**< seconds before the run is stopped */
    void (*on_line)(void *ctx, const char *line); /**< log sink: the program's lines */
    /** Sink of the lines that are not the program's own (a qemu run's kernel, core and
     *  hoitaja lines, labels kept); NULL: on_line gets them too. */
    void (*on_boot_line)(void *ctx, const char *line);
    void *ctx; /**< passed to on_line and on_boot_line */
};

/** The outcome of a run. */
struct goa_run_result {
    bool started;   /**< the program started */
    bool timed_out; /**< stopped after timeout seconds */
    int exit_code;  /**< exit status, or 128+signal */
    double seconds; /**< wall-clock duration */
};

/** A backend. */
struct goa_backend {
    const char *name; /**< value of --target / test.target */
    /** 1 if usable here; else 0 with *why set to a static explanation. */
    int (*available)(const char **why);
    /** Run REQ; 0 if the run happened (see RES), -1 after reporting. */
    int (*run)(const struct goa_run_req *req, struct goa_run_result *res);
};

/** The backend called NAME, or NULL after reporting the known ones (backend.c). */
const struct goa_backend *goa_backend_find(const char *name);

/** Run ARGV (argv[0] looked up in PATH) with REQ's stdin, cwd, timeout and
 *  line sink; the common engine of the backends (backend_host.c). */
int goa_backend_exec(const struct goa_run_req *req, char *const argv[], struct goa_run_result *res);

/** The host backend (backend_host.c). */
extern const struct goa_backend goa_backend_host;
/** The QEMU backend (backend_qemu.c). */
extern const struct goa_backend goa_backend_qemu;

#endif
