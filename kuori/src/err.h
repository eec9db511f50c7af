/* SPDX-License-Identifier: MIT */
/* kuori's one error type: an exit code, the agent's error code, a message and a hint.
 *
 * Every function that can fail fills a struct kuori_err and returns its exit
 * code (0 = success). main prints it once as "kuori: MESSAGE" and "hint: HINT"
 * on stderr; nothing else prints errors, so an error is never reported twice.
 * The exit codes are the documented ones (docs/kuori.md, "Exit codes").
 */
#ifndef KUORI_ERR_H
#define KUORI_ERR_H

enum kuori_exit {
    KUORI_EXIT_OK = 0,          /* success, or no differences (diff) */
    KUORI_EXIT_REJECTED = 1,    /* a change rejected, a stale generation, differences (diff) */
    KUORI_EXIT_USAGE = 2,       /* the command line is wrong */
    KUORI_EXIT_UNREACHABLE = 3, /* connection, TLS, SSH or timeout */
    KUORI_EXIT_DENIED = 4,      /* authentication or authorisation: pin, token, denied */
    KUORI_EXIT_SERVER = 5,      /* the agent failed or broke the protocol */
    KUORI_EXIT_NOTFOUND = 6,    /* no such component, token, habitat or remote */
    KUORI_EXIT_LOCAL = 7,       /* a local file: configuration, key, YAML */
};

/** An error: exit code, the agent's code (or a local one), text and fix. */
struct kuori_err {
    int exit;          /**< one of enum kuori_exit */
    char code[32];     /**< the agent's error code ("stale"), or a local one ("unreachable") */
    char msg[768];     /**< what failed and why */
    char hint[640];    /**< what to do; may be empty */
    long long current; /**< stale: the generation in force (the agent's "current"), else -1 */
};

/** Fill @p e (code, hint may be NULL) and return @p exit. */
int kuori_fail(struct kuori_err *e, int exit, const char *code, const char *hint, const char *fmt,
               ...) __attribute__((format(printf, 5, 6)));

/** Print @p e to stderr as "kuori: [prefix: ]msg" and "hint: hint". */
void kuori_err_print(const struct kuori_err *e, const char *prefix);

/** The exit code for an agent error code (docs/formats/kuori-protocol.md). */
int kuori_exit_for_code(const char *code);

/** Reset @p e to "no error". */
void kuori_err_clear(struct kuori_err *e);

/** Replace control characters (C0, DEL, and C1 as UTF-8: each of its two bytes) with
 *  '?', so an agent cannot drive the terminal. */
void kuori_sanitize(char *s);

#endif
