/* SPDX-License-Identifier: MIT */
/* The REPL: readline with history and completion over the same grammar as the command line. */
#ifndef KUORI_REPL_H
#define KUORI_REPL_H

#include "cli.h"

/** Split @p line into at most @p max words (quotes '...' and "..." group); -1 if unbalanced. */
int kuori_split(char *line, char **argv, int max);
/** Run the REPL until EOF, exit or quit; returns the last command's exit code. */
int kuori_repl(struct kuori_ctx *ctx);

#endif
