/* SPDX-License-Identifier: MIT */
/* router component: rules changed live through hoitaja, and the packet counters
 * in its state report (docs/network.md, "Changing the rules live").
 *
 * Live rules. The child's entry says `config_live: true`, so hoitaja hands a
 * changed `config` to the running router instead of restarting it: the
 * runtime calls on_config in the component's handler EC (kide_live_config),
 * concurrently with the main loop. The whole document goes through the
 * library's rtr_update_all: valid, it replaces the configuration with the
 * library's per-change cleanup (only what changed loses its NAT entries and
 * queued frames; every other connection goes on), and the answer is
 * "applied" with the changes as a note; invalid in any item, nothing changes
 * and the answer is the library's reason, which hoitaja reports as
 * `rejected: <reason>`. Both are logged here too (with the hint). A session of
 * a habitat the update removed or renamed is unmapped (its frames stay in its
 * ring; the habitat may connect again once it is back).
 *
 * Invariant: r is touched only with the lock held, by the main loop for one
 * round at a time and by on_config for one update. Nobody holds it while
 * calling the parent (hoitaja's handler may be waiting in a call to this
 * component's config portal: holding it there would deadlock until the
 * parent's deadline faults us) or while waiting.
 *
 * Status. Once a second, when the counters changed, the compact status object
 * (rtr_status: per port frames and bytes both ways, drops by reason, NAT
 * entries, forward hits) goes to the parent (kide_status_publish), which shows
 * it as children[].status and on its console.
 */
#include <kide/base.h>
#include "live.h"

#define STATUS_MS 1000 /* publish at most this often */

static struct {
    struct kide_env *env;
    struct rtr *r;
    int *hab_of;
    unsigned nsessions;
    struct kide_mutex mx;
    kide_u64 next_status;                           /**< ms */
    char status[KIDE_STATUS_MAX + 1];               /**< being built */
    char published[KIDE_STATUS_MAX + 1];            /**< the last one the parent took */
    char names[RTR_HABITATS_MAX][RTR_NAME_MAX + 1]; /**< slot names before an update */
    struct rtr_verdicts v;                          /**< an update's verdicts (about 60 KiB) */
} lv;

void router_lock(void)
{
    kide_mutex_lock(&lv.mx);
}

void router_unlock(void)
{
    kide_mutex_unlock(&lv.mx);
}

/* Sessions whose habitat slot no longer holds the habitat they were admitted for. */
static void unmap_gone(void)
{
    for (unsigned i = 0; i < lv.nsessions; i++) {
        int h = lv.hab_of[i];
        if (h < 0 || h >= (int)RTR_HABITATS_MAX)
            continue;
        const struct rtr_hab_cfg *c = &lv.r->cfg.hab[h];
        if (!c->used || strcmp(c->name, lv.names[h]))
            lv.hab_of[i] = -1;
    }
}

static int on_config(struct kide_env *env, void *ctx, const char *json, kide_u64 len, char *text,
                     kide_u64 size)
{
    struct rtr_error err;
    char sum[KIDE_VERDICT_MAX + 1];
    (void)ctx;
    if (len > RTR_CONFIG_MAX) {
        kide_snprintf(text, size, "configuration: %llu bytes, more than %u",
                      (unsigned long long)len, RTR_CONFIG_MAX);
        kide_log(env, "router: live config rejected: %s", text);
        return -1;
    }
    router_lock();
    for (unsigned s = 0; s < RTR_HABITATS_MAX; s++)
        memcpy(lv.names[s], lv.r->cfg.hab[s].used ? lv.r->cfg.hab[s].name : "", RTR_NAME_MAX + 1);
    int rc = rtr_update_all(lv.r, json, (kide_u32)len, kide_now_ns() / 1000000u, &lv.v, &err);
    if (rc == 0)
        unmap_gone();
    router_unlock();
    if (rc != 0) {
        kide_snprintf(text, size, "%s", err.msg);
        kide_log(env, "router: live config rejected: %s", err.msg);
        kide_log(env, "hint: %s", err.hint);
        return -1;
    }
    kide_u32 n = rtr_verdicts_summary(&lv.v, sum, sizeof sum);
    kide_snprintf(text, size, "%s", sum);
    kide_log(env, "router: live config applied: %s", n ? sum : "no change");
    return 0;
}

void router_live_start(struct kide_env *env, struct rtr *r, int *hab_of, unsigned nsessions)
{
    lv.env = env, lv.r = r, lv.hab_of = hab_of, lv.nsessions = nsessions;
    if (kide_mutex_init(env, &lv.mx) != KIDE_OK) {
        kide_log(env, "router: cannot make its lock: not enough caps");
        kide_exit(env, 2);
    }
    int st = kide_live_config(env, on_config, 0);
    if (st == KIDE_DENIED)
        kide_log(env, "router: config changes restart the router (set config_live: true to "
                      "change rules live)");
    else if (st != KIDE_OK)
        kide_log(env, "router: cannot take its configuration live (%s): changes restart it",
                 kide_status_name(st));
}

void router_live_tick(kide_u64 now)
{
    if (now < lv.next_status)
        return;
    lv.next_status = now + STATUS_MS;
    router_lock();
    long n = rtr_status(lv.r, lv.status, sizeof lv.status);
    router_unlock();
    if (n < 0 || !strcmp(lv.status, lv.published))
        return;
    /* Without the lock: the parent may be calling our config portal right now. */
    if (kide_status_publish(lv.env, lv.status) == KIDE_OK)
        memcpy(lv.published, lv.status, (kide_u64)n + 1);
}
