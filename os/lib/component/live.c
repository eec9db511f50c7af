/* SPDX-License-Identifier: MIT */
/* Live configuration and status: the component's side of KIDE_PARENT_CONFIG_PORTAL,
 * KIDE_CFG_* and KIDE_PARENT_STATUS (os/abi/kide/parent.h).
 *
 * kide_live_config creates a raw portal on the component's CPU and registers it
 * with the parent. The parent calls it with the new `config` text in chunks
 * (KIDE_CFG_CHUNK: in order, the total fixed by the first chunk, at most
 * KIDE_LIVE_CONFIG_MAX bytes) and then KIDE_CFG_APPLY, which runs the
 * component's callback on the whole NUL-terminated text and answers its
 * verdict. The text lives in one heap buffer from the first chunk to the
 * verdict (a new first chunk drops an unfinished one). Invariant: the portal is
 * served by one handler EC, so the calls never run at once and need no lock;
 * the callback runs in that handler EC, concurrently with the component's main
 * thread, and must synchronise with it itself. The parent's deadline (1 s per
 * call in hoitaja) bounds the callback: a component that misses it is faulted.
 */
#include <kide/base.h>
#include <kide/parent_client.h>
#include "rt.h"

/** The one live-config registration of the component. */
static struct {
    kide_config_fn fn;
    void *ctx;
    kide_sel pt;
    char *text;     /**< the text being received, or NULL */
    kide_u64 total; /**< its announced length */
    kide_u64 have;  /**< bytes received so far */
} live;

static void drop_text(void)
{
    kide_free(live.text);
    live.text = 0;
    live.total = live.have = 0;
}

static int cfg_chunk(struct kide_rpc *rpc)
{
    kide_u64 total = kide_msg_get(&rpc->in), offset = kide_msg_get(&rpc->in);
    const void *p;
    kide_u64 len = kide_msg_get_bytes(&rpc->in, &p, KIDE_CFG_CHUNK_MAX);
    if (rpc->in.bad || total > KIDE_LIVE_CONFIG_MAX ||
        len > total - (offset < total ? offset : total))
        return KIDE_BAD_PARAM;
    if (offset == 0) {
        drop_text();
        if (!(live.text = kide_malloc(total + 1)))
            return KIDE_QUOTA;
        live.total = total;
    } else if (!live.text || total != live.total || offset != live.have) {
        drop_text();
        return KIDE_BAD_PARAM;
    }
    const char *c = p;
    for (kide_u64 i = 0; i < len; i++)
        if (!c[i]) { /* the text is a C string for the callback */
            drop_text();
            return KIDE_BAD_PARAM;
        }
    memcpy(live.text + live.have, p, len);
    live.have += len;
    return KIDE_OK;
}

static int cfg_apply(struct kide_env *env, struct kide_rpc *rpc)
{
    struct kide_cfg_apply_rep rep;
    kide_u64 total = kide_msg_get(&rpc->in);
    if (rpc->in.bad || !live.text || total != live.total || live.have != live.total) {
        drop_text();
        return KIDE_BAD_PARAM;
    }
    live.text[live.total] = 0;
    rep.text[0] = 0;
    int rc = live.fn(env, live.ctx, live.text, live.total, rep.text, sizeof(rep.text));
    drop_text();
    rep.text[sizeof(rep.text) - 1] = 0;
    kide_msg_put_str(&rpc->out, rep.text);
    return rc == 0 ? KIDE_OK : KIDE_INVALID;
}

static int cfg_portal(struct kide_env *env, void *obj, struct kide_rpc *rpc)
{
    (void)obj;
    switch (rpc->op) {
    case KIDE_CFG_CHUNK:
        return cfg_chunk(rpc);
    case KIDE_CFG_APPLY:
        return cfg_apply(env, rpc);
    }
    return KIDE_BAD_PARAM;
}

int kide_live_config(struct kide_env *env, kide_config_fn fn, void *ctx)
{
    if (!fn || live.fn)
        return KIDE_BAD_PARAM;
    kide_sel pt;
    int st = kide_portal_create(env, cfg_portal, 0, &pt);
    if (st != KIDE_OK)
        return st;
    live.fn = fn, live.ctx = ctx, live.pt = pt;
    struct kide_parent_chan ch = {.pt = env->parent};
    st = kide_parent_config_portal(&ch, pt);
    if (st != KIDE_OK) {
        kide_portal_destroy(env, pt);
        live.fn = 0, live.pt = 0;
    }
    return st;
}

int kide_status_publish(struct kide_env *env, const char *json)
{
    struct kide_parent_chan ch = {.pt = env->parent};
    if (strlen(json) > KIDE_STATUS_MAX)
        return KIDE_BAD_PARAM;
    return kide_parent_status(&ch, json);
}
