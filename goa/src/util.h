/* SPDX-License-Identifier: MIT */
/* goa: shared helpers -- error reporting, paths, files, child processes.
 *
 * Every goa function that can fail returns an int rc: 0 on success, -1 on
 * failure after the failure has been reported once with goa_error(). Callers
 * therefore never print a second message for the same failure; they only add
 * context when they know more (the file, the source) than the callee did.
 * Output is quiet unless goa_verbose is set; goa_json switches commands that
 * support it to machine-readable output on stdout.
 */
#ifndef GOA_UTIL_H
#define GOA_UTIL_H

#include <stddef.h>
#include <stdbool.h>
#include <sys/types.h>

/** Global options shared by every command. */
struct goa_opts {
    int jobs;        /**< -j: parallel downloads and build jobs */
    bool json;       /**< --json: machine-readable output */
    bool verbose;    /**< -v: show build commands and their output */
    bool quiet;      /**< -q: no progress bars */
    const char *dir; /**< -C: project directory (default ".") */
};

/** The options of this invocation, filled in by main(). */
extern struct goa_opts goa_opt;

/** Report "goa: WHAT: WHY" and, if HINT is not NULL, "hint: HINT" on stderr. */
void goa_error(const char *what, const char *hint, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/** Print an informational line on stderr unless --quiet or --json. */
void goa_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Allocate or abort: goa cannot do anything useful without memory. */
void *goa_xmalloc(size_t n);
/** Duplicate a string or abort. */
char *goa_xstrdup(const char *s);
/** printf into a fresh string or abort. */
char *goa_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Create DIR and its parents (mode 0755); 0 or -1 with errno set. */
int goa_mkdirs(const char *dir);
/** Remove PATH recursively (like rm -rf); 0 or -1. Missing PATH is fine. */
int goa_rmrf(const char *path);
/** True if PATH exists (any type, symlinks not followed). */
bool goa_exists(const char *path);
/** True if PATH is a directory. */
bool goa_isdir(const char *path);
/** Read a whole file into a NUL-terminated buffer; 0 or -1 (errno set). */
int goa_read_file(const char *path, char **data, size_t *len);
/** Write LEN bytes to PATH atomically (temp file + rename) with MODE. */
int goa_write_file(const char *path, const void *data, size_t len, mode_t mode);
/** Copy a regular file; 0 or -1 (errno set). */
int goa_copy_file(const char *from, const char *to);

/**
 * Run ARGV (argv[0] searched in PATH) in directory CWD (NULL: current) with
 * extra environment ENV (NULL-terminated "K=V" list or NULL). Output goes to
 * LOG (a file appended to) unless it is NULL, in which case it is inherited.
 * Returns the exit status (0..255), 128+signal, or -1 if it could not start.
 */
int goa_run(const char *cwd, char *const argv[], char *const env[], const char *log);

/** goa_run with stdout only (WITH_STDERR 0) or both (1) appended to LOG. */
int goa_run_io(const char *cwd, char *const argv[], char *const env[], const char *log,
               int with_stderr);

/**
 * Run ARGV like goa_run and capture its standard output into *OUT (a fresh
 * NUL-terminated string, "" if nothing); standard error is inherited.
 * Returns the exit status like goa_run.
 */
int goa_capture(const char *cwd, char *const argv[], char *const env[], char **out);

/** Seconds since an arbitrary start, monotonic, with nanosecond resolution. */
double goa_now(void);

/** Last path component of URL or path S, without query string; fresh string. */
char *goa_basename_url(const char *s);

#endif
