/* SPDX-License-Identifier: MIT */
/* The REPL: readline with history and completion over the same grammar as the command line. */
#ifndef KUORI_REPL_H
#define KUORI_REPL_H

#include "cli.h"

/** Split @p line into at most @p max words (quotes '...' and "..." group); -1 if unbalanced. */
int kuori_split(char *line, char **argv, int max);
/** Run the REPL until EOF, exit or quit; returns the last command's exit code. */
int kuori_repl(struct kuori_ctx *ctx);

/**
 * Whether a REPL line may go into the history file: not when it carries a
 * secret (`--token`, a join token that stays valid until used or expired,
 * e.g. after a failed `remote add`). Returns 1 to keep, 0 to leave out.
 */
int kuori_history_keeps(const char *line);

#endif
