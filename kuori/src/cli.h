/* SPDX-License-Identifier: MIT */
/* The command grammar shared by one-shot commands and the REPL.
 *
 * A command line is: [global options] VERB [SUB] [options and arguments].
 * Global options (-o, -r/--remote, --all, --timeout, -h) may appear anywhere;
 * a verb's own options only after the verb. The verb table (cli.c) holds each
 * verb's options, argument counts, handler and --help text, from which
 * docs/kuori/<verb>.md is generated; the REPL completes from the same table.
 * Everything parsed here points into argv; nothing is copied or executed.
 */
#ifndef KUORI_CLI_H
#define KUORI_CLI_H

#include <stdint.h>

#include "config.h"
#include "conn.h"
#include "err.h"

#define KUORI_MAX_POS   16
#define KUORI_MAX_FLAGS 16

/** A parsed command line. */
struct kuori_cmd {
    const struct kuori_verb *verb; /**< the verb, NULL for none */
    const char *sub;               /**< the sub-verb ("add" of remote add) or NULL */
    int npos;                      /**< positional arguments after verb and sub */
    const char *pos[KUORI_MAX_POS];
    int nflags;
    const char *flag[KUORI_MAX_FLAGS]; /**< long names of the options given */
    const char *val[KUORI_MAX_FLAGS];  /**< their values ("" for switches) */
    int fmt;                           /**< -o: enum kuori_fmt */
    const char *remotes;               /**< -r a,b,c or NULL */
    int all;                           /**< --all */
    uint64_t timeout_ms;               /**< --timeout (default 5 s) */
    int help;                          /**< -h/--help */
};

/** What a command runs with. */
struct kuori_ctx {
    struct kuori_config cfg; /**< the configuration, loaded once per command */
    int color;               /**< colour on stdout */
    int interactive;         /**< 1 in the REPL */
};

typedef int (*kuori_verb_fn)(struct kuori_ctx *ctx, const struct kuori_cmd *cmd,
                             struct kuori_err *e);

/** One verb of the table. */
struct kuori_verb {
    const char *name;  /**< "ps" */
    const char *subs;  /**< "add list remove use" or NULL */
    const char *flags; /**< "follow,f tail= after=": long[,short][=] separated by spaces */
    int min_pos, max_pos;
    int fleet; /**< 1 if --remote a,b / --all may name several remotes */
    kuori_verb_fn run;
    const char *summary; /**< one line */
    const char *help;    /**< usage and options, as --help prints them */
};

/** The verb table, terminated by a zeroed entry. */
extern const struct kuori_verb kuori_verbs[];
/** The global options' help, shared by every --help. */
extern const char kuori_global_help[];

/** Parse argv (argv[0] is the verb, not the program). */
int kuori_parse(int argc, char **argv, struct kuori_cmd *cmd, struct kuori_err *e);
/** Run a parsed command (help, or the verb's handler). */
int kuori_run(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_err *e);
/** Print the help of @p v (NULL: the overview) to @p f. */
void kuori_help(FILE *f, const struct kuori_verb *v);

/** The value of option @p name, or NULL if not given. */
const char *kuori_flag(const struct kuori_cmd *cmd, const char *name);

/** A resolved remote: its configuration and how to dial it. */
struct kuori_target {
    struct kuori_remote r;
    char key[1100], cert[1100];
    struct kuori_dial d;
};

/**
 * The remotes a command addresses: --remote a,b / --all / the current one.
 * *out is malloc'd; a non-fleet verb gets exactly one.
 */
int kuori_targets(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_target **out,
                  int *n, struct kuori_err *e);
/** Connect to the one remote of a non-fleet command. */
int kuori_connect1(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_conn *c,
                   struct kuori_err *e);
/** Names of the components seen last (for REPL completion); NULL-terminated. */
extern char *kuori_seen_components[];
/** Remember the component names of a sample or report. */
void kuori_remember_components(const cJSON *sample);

/** A request object {"op": op}. */
cJSON *kuori_req(const char *op);

#endif
