/* SPDX-License-Identifier: MIT */
/* hoitaja, the habitat manager: start children from the configuration and supervise them.
 *
 * kide_main reads this habitat's configuration (init.json for the root, the
 * `habitat` object of its own entry for a nested one), validates all of it
 * (an invalid configuration is logged with line, column and a hint, and
 * hoitaja exits with code 1), starts the children in order and then runs
 * the supervision loop: wait on core's children semaphore with a deadline
 * (the next restart, heartbeat or report, at most a second), poll the
 * children, run the timers, publish the console report when something
 * changed (at most once a second), and police the deadlines of calls into
 * child servers. The main thread never calls a child's portal, so no child
 * can stop it. Everything else happens in the runtime's handler EC:
 * session.c (children's parent calls) and mgmt.c (management sessions, live
 * reconfiguration).
 */
#include "glue.h"

#include <kide/sys.h>
#include <kide/stubs.h>

#define MS 1000000ull

struct hj hj;

static void die(const char *what, const struct hj_error *err)
{
    kide_log(hj.env, "hoitaja: %s: %s", what, err->msg);
    kide_log(hj.env, "hint: %s", err->hint);
    kide_exit(hj.env, 1);
}

/* What the children may add up to: hoitaja's quota less what it uses itself. */
static void limits(void)
{
    struct kide_quota q = {0};
    kide_quota(hj.env, &q);
    kide_u64 ram = q.ram_quota > q.ram_used ? q.ram_quota - q.ram_used : 0;
    kide_u64 caps = q.caps_quota > q.caps_used ? q.caps_quota - q.caps_used : 0;
    hj.lim.ram = ram > HJ_RESERVE_RAM ? ram - HJ_RESERVE_RAM : 0;
    hj.lim.caps = caps > HJ_RESERVE_CAPS ? caps - HJ_RESERVE_CAPS : 0;
    hj.lim.cpu = 100;
    hj.lim.cpus = kide_cpus(hj.env);
    hj.lim.home_cpu = kide_cpu(hj.env); /* the main thread runs on hoitaja's CPU */
    hj.lim.nest = HJ_NEST_MAX;
}

static void start_all(void)
{
    char why[160];
    for (unsigned i = 0; i < hj.cfg.nchildren; i++) {
        struct hj_slot *s = hj_malloc(sizeof(*s));
        if (!s || hj_child_cfg_copy(&(memset(s, 0, sizeof(*s)), s)->cfg, &hj.cfg.child[i])) {
            kide_log(hj.env, "hoitaja: child %s: out of memory", hj.cfg.child[i].name);
            kide_exit(hj.env, 1);
        }
        hj.slot[i] = s;
        /* The main thread never calls a store: it asks it (pkgstart.c). */
        if (hj_binary_is_pkg(s->cfg.binary)) {
            hj_pkg_start_ask(s, kide_now_ns());
            continue;
        }
        if (hj_child_start(s, why, sizeof(why)) != KIDE_OK) {
            hj_child_start_failed(s, why, kide_now_ns());
            continue;
        }
        hj_say("child %s: started", s->cfg.name);
        hj_event(KIDE_EV_STARTED, s->cfg.name, 0, 0);
    }
}

/* The exit_with child ended for good: destroy every child and exit with its code
 * (for the root habitat core then ends QEMU with it). Called with hj.lock held. */
static void end_habitat(void)
{
    kide_log(hj.env, "exit_with %s: ending the habitat with code %lu", hj.exit_child, hj.exit_code);
    for (unsigned i = 0; i < hj.cfg.nchildren; i++)
        if (hj.slot[i])
            hj_child_stop(hj.slot[i]);
    kide_exit(hj.env, hj.exit_code > 0x7fffffff ? 0x7fffffff : (int)hj.exit_code);
}

static void supervise(void)
{
    kide_u64 next = kide_now_ns() + HJ_REPORT_MS * MS;
    for (;;) {
        int st = KIDE_TIMEOUT;
        if (hj.children_sm)
            st = kide_ctrl_sm(KIDE_CTRL_SM_DOWN, hj.children_sm, next);
        else
            kide_sleep_ms((next - kide_now_ns()) / MS + 1);
        /* A shrink waiting for a yield (handler EC, lock held) retries now. */
        if (st == KIDE_OK && hj.yield_waiting)
            kide_ctrl_sm(KIDE_CTRL_SM_UP, hj.yield_sm, 0);
        /* Our own parent's heartbeat and yield requests (never blocks). */
        kide_wait_signal(hj.env, 0);
        kide_mutex_lock(&hj.lock);
        kide_u64 now = kide_now_ns();
        next = now + HJ_REPORT_MS * MS;
        /* A server past the deadline of a call into it is faulted (calls.c). */
        kide_u64 due = hj_calls_police(now);
        if (due < next)
            next = due;
        hj_slots_reap(now);
        for (unsigned i = 0; i < hj.cfg.nchildren; i++) {
            if (st == KIDE_OK)
                hj_child_poll(hj.slot[i], now);
            kide_u64 t = hj_child_timers(hj.slot[i], now);
            if (t < next)
                next = t;
        }
        if (hj.exit_pending)
            end_habitat();
        if (hj.dirty && now >= hj.report_next_ns) {
            hj.dirty = 0;
            hj.report_next_ns = now + HJ_REPORT_MS * MS;
            hj_report_console(now);
        } else if (hj.status_dirty && now >= hj.report_next_ns) {
            /* Only statuses changed (a router's counters): their lines alone. */
            hj.report_next_ns = now + HJ_REPORT_MS * MS;
            hj_report_status_console(now);
        }
        kide_mutex_unlock(&hj.lock);
    }
}

void kide_main(struct kide_env *env)
{
    struct hj_error err;
    kide_u64 len;
    hj.env = env;
    hj_snprintf(hj.label, sizeof(hj.label), "%s", kide_name(env));
    /* The root habitat is the one core started from the boot modules, the
     * only one without a parent portal; its label ("init") is core's choice. */
    hj.root = !kide_has_parent(env);
    const char *text = kide_config(env, &len);
    limits();
    /* The root's init.json names its generation; a nested habitat starts at 1. */
    if (hj_config_parse(text, len, &hj.lim, hj.root ? 0 : HJ_PARSE_NO_GEN, &hj.cfg, &err))
        die(hj.root ? "init.json" : "habitat configuration", &err);
    if (!hj.cfg.generation)
        hj.cfg.generation = 1;
    hj_events_init(&hj.events);
    hj.sess = hj_malloc(HJ_SESSIONS_MAX * sizeof(*hj.sess));
    if (!hj.sess || kide_mutex_init(env, &hj.lock) != KIDE_OK ||
        kide_sm_create(env, 0, &hj.yield_sm) != KIDE_OK) {
        err = (struct hj_error){"out of memory or kernel memory at start",
                                "give hoitaja more ram and caps"};
        die("start", &err);
    }
    memset(hj.sess, 0, HJ_SESSIONS_MAX * sizeof(*hj.sess));
    kide_mutex_lock(&hj.lock);
    start_all();
    if (hj.exit_pending)
        end_habitat();
    kide_mutex_unlock(&hj.lock);
    supervise();
}
