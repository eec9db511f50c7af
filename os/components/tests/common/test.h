/* SPDX-License-Identifier: MIT */
/* Shared helpers of the scenario test components (os/components/tests).
 *
 * Test components are small programs that exercise one enforcement point of
 * the platform and end with one console line, `PASS <what>` or
 * `FAIL <what>: <why>` (docs/decisions/0006-platform-contract.md), which
 * os/tools/scenario-run.sh judges. This library wraps the raw protocols the
 * public API does not cover (core's self and owner operations, the "Hoitaja"
 * management session) and reading the configuration and the JSON state
 * report. Everything is synchronous and bounded: no helper waits without a
 * deadline, so a broken platform shows up as a FAIL line or a timeout,
 * never as a silent hang inside a helper.
 */
#ifndef KIDE_TEST_H
#define KIDE_TEST_H

#include <kide/component.h>
#include <kide/core.h>
#include <kide/core_client.h>
#include <kide/mgmt_client.h>
#include <kide/parent_client.h>
#include <kide/json.h>
#include <kide/parent.h>
#include <kide/status.h>

/* ---- results ----------------------------------------------------------- */
/** Log `FAIL <what>: <why>` and end the component with exit code 1. */
__attribute__((noreturn, format(printf, 3, 4))) void t_fail(struct kide_env *env, const char *what,
                                                            const char *fmt, ...);
/** Log `PASS <what>` (the component keeps running). */
void t_pass(struct kide_env *env, const char *what);
/** Block the main thread for good, still answering the parent (heartbeats, yields). */
__attribute__((noreturn)) void t_idle(struct kide_env *env);
/** A status code's name for messages ("OK", "QUOTA", "DENIED", ...). */
const char *t_status(int st);

/* ---- configuration ------------------------------------------------------ */
/** Integer member `key` of the config object, or def when absent. A present
 *  but malformed value ends the component with FAIL (a typo must not pass). */
kide_u64 t_cfg_u64(struct kide_env *env, const char *key, kide_u64 def);
/** String member `key` into buf, or def when absent. */
void t_cfg_str(struct kide_env *env, const char *key, const char *def, char *buf, kide_u64 size);

/* ---- core: self session ------------------------------------------------- */
/** KIDE_CORE_STATS: free and total RAM bytes, free kernel pages of core, live accounts. */
struct t_stats {
    kide_u64 free_ram, total_ram, free_kpages, accounts;
};
int t_core_stats(struct t_stats *s);

/** A sub-account created with KIDE_CORE_CHILD and driven over its owner portal. */
struct t_sub {
    kide_sel owner; /**< owner portal */
    kide_sel pd;    /**< its PD capability (PD_DELEGATE) */
    kide_u64 id;    /**< core's account id */
};
/** Create a sub-account; its owner portal and PD land at fresh selectors. */
int t_sub_create(struct t_sub *sub, const char *name, kide_u64 ram, kide_u64 caps, kide_u64 cpu,
                 kide_u64 prio);
/** Load ROM `binary`, pass `config` (JSON, may be NULL) and start it. */
int t_sub_start(struct t_sub *sub, const char *binary, const char *config);
/** KIDE_OWN_STATE. */
int t_sub_state(struct t_sub *sub, struct kide_own_state_rep *w);
/** KIDE_OWN_THREADS: up to max per-thread ns into ns[], *n threads. */
int t_sub_threads(struct t_sub *sub, kide_u64 *ns, unsigned max, unsigned *n);
/** Wait until the sub-account left RUNNING (exited or faulted), at most ms.
 *  Returns KIDE_OK with its state in w, or KIDE_TIMEOUT. */
int t_sub_wait_end(struct t_sub *sub, kide_u64 ms, struct kide_own_state_rep *w);
/** Destroy it (everything below goes too) and free its selectors. */
int t_sub_destroy(struct t_sub *sub);

/* ---- the "Hoitaja" management session ---------------------------------- */
struct t_mgmt {
    struct kide_session s;
    int open;
};
/** Open the management session through the parent, retrying NOT_FOUND for up to ms. */
int t_mgmt_open(struct kide_env *env, struct t_mgmt *m, kide_u64 ms);
/** A fresh report snapshot into buf (NUL-terminated); *len its length. */
int t_mgmt_report(struct t_mgmt *m, char *buf, kide_u64 size, kide_u64 *len);
/** Upload json and apply it as generation gen (partial: only the children it names).
 *  Returns the apply status; the result JSON goes to res (NUL-terminated). */
int t_mgmt_apply(struct t_mgmt *m, const char *json, kide_u64 gen, int partial, char *res,
                 kide_u64 size);

/* ---- reading reports and results --------------------------------------- */
#define T_TOKENS 4096
/** Parse buf into doc using the caller's token array; logs the reason on error. */
int t_parse(struct kide_env *env, struct kide_json_doc *doc, const char *buf, kide_u64 len,
            struct kide_json_tok *tok, kide_u64 ntok);
/** The report entry of child `path` ("spin" or "tenant-lo/spin"): the object token
 *  with "name" == the last path element, reached through "children" arrays
 *  (directly or under "habitat"). -1 if absent. */
int t_report_child(const struct kide_json_doc *doc, const char *path);
/** Integer at a dotted member path below obj ("cpu.ns"); -1 if absent or not an integer. */
int t_json_u64(const struct kide_json_doc *doc, int obj, const char *path, kide_u64 *out);
/** String at a dotted member path below obj into buf; -1 if absent. */
int t_json_str(const struct kide_json_doc *doc, int obj, const char *path, char *buf,
               kide_u64 size);
/** In an apply result, the result string of child `name`: the first object that has a
 *  string member equal to name; its other string member that is not the name
 *  (e.g. "added", "rejected: child kept ..."). Independent of the exact layout. */
int t_result_of(const struct kide_json_doc *doc, const char *name, char *buf, kide_u64 size);

/* ---- small helpers -------------------------------------------------------- */
kide_u64 t_strlen(const char *s);
int t_streq(const char *a, const char *b);
int t_startswith(const char *s, const char *prefix);
/** Median of n values (sorts v in place). */
kide_u64 t_median(kide_u64 *v, unsigned n);

#endif
