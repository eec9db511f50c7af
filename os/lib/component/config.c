/* SPDX-License-Identifier: MIT */
/* kide_config_doc: the component's config, parsed once with <kide/json.h>.
 *
 * The token array (up to TOKENS tokens) comes from the heap on first use;
 * the result, a document or the parse error, is kept and returned to every
 * later caller, so the config is parsed at most once per run.
 */
#include <kide/base.h>
#include <kide/json.h>
#include "rt.h"

#define TOKENS 4096

static struct kide_json_doc doc;

int kide_config_doc(struct kide_env *env, const struct kide_json_doc **out, char *err,
                    kide_u64 errlen)
{
    kide_mutex_lock(&env->misc_mx);
    if (!env->doc_state) {
        struct kide_json_tok *tok = kide_malloc(TOKENS * sizeof(*tok));
        struct kide_json_error je;
        if (!tok) {
            /* Not kept: a later call may find RAM again. */
            snprintf(env->doc_err, sizeof(env->doc_err), "config: no RAM for %u tokens", TOKENS);
        } else if (kide_json_parse(&doc, env->config, env->config_len, tok, TOKENS, 0, &je) !=
                   KIDE_JSON_OK) {
            int n = snprintf(env->doc_err, sizeof(env->doc_err), "config: ");
            kide_json_error_format(&je, env->doc_err + n, sizeof(env->doc_err) - (size_t)n);
            kide_free(tok);
            env->doc_state = -1;
        } else {
            env->doc = &doc;
            env->doc_state = 1;
        }
    }
    int ok = env->doc_state == 1;
    kide_mutex_unlock(&env->misc_mx);
    if (out)
        *out = ok ? env->doc : 0;
    if (!ok && err && errlen)
        snprintf(err, errlen, "%s", env->doc_err);
    return ok ? 0 : -1;
}
