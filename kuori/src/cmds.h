/* SPDX-License-Identifier: MIT */
/* The verbs' handlers (one file per group: cmd_remote.c, cmd_watch.c, cmd_read.c,
 * cmd_change.c, cmd_apply.c); each has the signature kuori_verb_fn. */
#ifndef KUORI_CMDS_H
#define KUORI_CMDS_H

#include "cli.h"

int kuori_cmd_remote(struct kuori_ctx *, const struct kuori_cmd *, struct kuori_err *);
int kuori_cmd_ps(struct kuori_ctx *, const struct kuori_cmd *, struct kuori_err *);
int kuori_cmd_stats(struct kuori_ctx *, const struct kuori_cmd *, struct kuori_err *);
int kuori_cmd_top(struct kuori_ctx *, const struct kuori_cmd *, struct kuori_err *);
int kuori_cmd_state(struct kuori_ctx *, const struct kuori_cmd *, struct kuori_err *);
int kuori_cmd_config(struct kuori_ctx *, const struct kuori_cmd *, struct kuori_err *);
int kuori_cmd_events(struct kuori_ctx *, const struct kuori_cmd *, struct kuori_err *);
int kuori_cmd_logs(struct kuori_ctx *, const struct kuori_cmd *, struct kuori_err *);
int kuori_cmd_lifecycle(struct kuori_ctx *, const struct kuori_cmd *, struct kuori_err *);
int kuori_cmd_set(struct kuori_ctx *, const struct kuori_cmd *, struct kuori_err *);
int kuori_cmd_install(struct kuori_ctx *, const struct kuori_cmd *, struct kuori_err *);
int kuori_cmd_habitat(struct kuori_ctx *, const struct kuori_cmd *, struct kuori_err *);
int kuori_cmd_token(struct kuori_ctx *, const struct kuori_cmd *, struct kuori_err *);
int kuori_cmd_apply(struct kuori_ctx *, const struct kuori_cmd *, struct kuori_err *);
int kuori_cmd_diff(struct kuori_ctx *, const struct kuori_cmd *, struct kuori_err *);
int kuori_cmd_version(struct kuori_ctx *, const struct kuori_cmd *, struct kuori_err *);
int kuori_cmd_help(struct kuori_ctx *, const struct kuori_cmd *, struct kuori_err *);

/** Print the per-change verdicts of an apply-like result; KUORI_EXIT_REJECTED if any rejected. */
int kuori_print_verdicts(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, const cJSON *res);

#endif
