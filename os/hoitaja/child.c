/* SPDX-License-Identifier: MIT */
/* hoitaja children: start, stop, supervise, resize (the owner side of core.h).
 *
 * A child's life: hj_child_start creates its account at core (quotas from
 * its configuration), asks core to grant it the device right if it has
 * `devices`, loads the binary, passes its configuration in chunks,
 * places it on its CPU (cpu.affinity), gives it a parent portal served by
 * hoitaja's handler on that CPU and starts it: state running. core ups the
 * children semaphore when it exits or faults; the main thread then polls
 * KIDE_OWN_STATE, reports the end and either reclaims everything at once
 * (state exited/faulted: the account is destroyed, the entry stays visible)
 * or schedules a restart after the back-off (state restarting). A removed
 * child is stopped the same way and forgotten. Callers hold hj.lock.
 * Nothing here calls a child's portal (only core's), so the main thread never
 * waits for a child: closes of its sessions reach servers later (session.c)
 * and a call into a server past its deadline faults it (hj_child_fault).
 */
#include "glue.h"

#include <kide/sys.h>
#include <kide/stubs.h>

#define MS 1000000ull

const char *hj_status_name(int st)
{
    return kide_status_name(st);
}

void hj_event(kide_u64 type, const char *child, kide_u64 a, kide_u64 b)
{
    hj_events_push(&hj.events, type, child, kide_now_ns(), a, b);
    hj.dirty = 1;
    /* Wake every subscribed management client (one up per event). */
    for (unsigned i = 0; hj.sess && i < HJ_SESSIONS_MAX; i++)
        if (hj.sess[i].kind == HJ_SESS_MGMT && hj.sess[i].mgmt && hj.sess[i].mgmt->events_sm)
            kide_ctrl_sm(KIDE_CTRL_SM_UP, hj.sess[i].mgmt->events_sm, 0);
}

struct kide_core_chan hj_own_chan(struct hj_slot *s)
{
    if (kide_cpu(hj.env) == hj.lim.home_cpu)
        return kide_core_owner_chan(kide_utcb(), s->own_pt);
    /* Owner portals serve hoitaja's CPU: from elsewhere go through core's self
     * portal of this CPU, naming the sub-account. */
    return kide_core_own_via(kide_utcb(), kide_core_portal(), s->acc_id);
}

/* An owner operation with one or two argument words (DEVICES, AFFINITY, CAPS,
 * RAM, RAM_NODE, CPU), or none (SIGNAL), by its typed request. */
static int own_devices(struct hj_slot *s, kide_u64 on)
{
    struct kide_core_chan ch = hj_own_chan(s);
    struct kide_own_devices_req req = {.on = on};
    return kide_own_devices(&ch, &req);
}

static int own_ram_node(struct hj_slot *s, kide_u64 node)
{
    struct kide_core_chan ch = hj_own_chan(s);
    struct kide_own_ram_node_req req = {.node = node, .flags = 0};
    struct kide_own_ram_node_rep rep;
    return kide_own_ram_node(&ch, &req, &rep);
}

static int own_affinity(struct hj_slot *s, kide_u64 cpu)
{
    struct kide_core_chan ch = hj_own_chan(s);
    struct kide_own_affinity_req req = {.cpu = cpu};
    return kide_own_affinity(&ch, &req);
}

static int own_cpu(struct hj_slot *s, kide_u64 pct, kide_u64 prio)
{
    struct kide_core_chan ch = hj_own_chan(s);
    struct kide_own_cpu_req req = {.pct = pct, .prio = prio};
    return kide_own_cpu(&ch, &req);
}

/* OWN_RAM: QUOTA reports in *missing the bytes the child still has to give back. */
static int own_ram(struct hj_slot *s, kide_u64 quota, kide_u64 *missing)
{
    struct kide_core_chan ch = hj_own_chan(s);
    struct kide_own_ram_req req = {.quota = quota};
    struct kide_own_ram_rep rep;
    int st = kide_own_ram(&ch, &req, &rep);
    *missing = rep.missing;
    return st;
}

static int own_signal(struct hj_slot *s)
{
    struct kide_core_chan ch = hj_own_chan(s);
    return kide_own_signal(&ch);
}

/* Its configuration in chunks of KIDE_CORE_CHUNK_MAX (a 3.9 KiB request on the
 * stack: hoitaja's threads have 64 KiB, and its heap use stays as it was). */
static int own_config(struct hj_slot *s, const char *text, kide_u64 len)
{
    struct kide_core_chan ch = hj_own_chan(s);
    struct kide_own_config_req req;
    int st = KIDE_OK;
    for (kide_u64 off = 0; st == KIDE_OK && off < len; off += KIDE_CORE_CHUNK_MAX) {
        kide_u64 n = len - off < KIDE_CORE_CHUNK_MAX ? len - off : KIDE_CORE_CHUNK_MAX;
        req.total = len;
        req.offset = off;
        KIDE_WIRE_STR(req.chunk, text + off, n);
        st = kide_own_config(&ch, &req);
    }
    return st;
}

static int load_and_configure(struct hj_slot *s, char *why, kide_u64 size)
{
    struct kide_core_chan ch = hj_own_chan(s);
    int st;
    if (hj_binary_is_pkg(s->cfg.binary)) {
        if ((st = hj_pkg_load(s, why, size)) != KIDE_OK)
            return st;
        ch = hj_own_chan(s); /* the same child: the lock was released meanwhile */
    } else {
        struct kide_own_load_req load;
        st = KIDE_WIRE_STR(load.rom, s->cfg.binary, kide_wire_strlen(s->cfg.binary));
        if (st == KIDE_OK)
            st = kide_own_load(&ch, &load);
    }
    if (st != KIDE_OK) {
        hj_snprintf(why, size, "cannot load '%s': %s%s", s->cfg.binary, hj_status_name(st),
                    st == KIDE_BAD_PARAM ? " (no such boot module, or not a program)"
                    : st == KIDE_QUOTA   ? " (ram too small for the program)"
                                         : "");
        return st;
    }
    /* A POSIX child: the runtime maps its program and ROM files (KIDE_CORE_ROM), which
     * core allows for the modules its owner names, before START. */
    for (kide_u32 i = 0; i < s->cfg.nroms; i++) {
        struct kide_own_rom_req rom;
        st = KIDE_WIRE_STR(rom.name, s->cfg.roms[i], kide_wire_strlen(s->cfg.roms[i]));
        if (st == KIDE_OK)
            st = kide_own_rom(&ch, &rom);
        if (st != KIDE_OK) {
            hj_snprintf(why, size, "cannot name boot module '%s' for it: %s%s", s->cfg.roms[i],
                        hj_status_name(st),
                        st == KIDE_NOT_FOUND ? " (no such boot module: add it to the image)" : "");
            return st;
        }
    }
    /* Its args for kide_args(), before START (core keeps them on the info page). */
    if (s->cfg.args[0]) {
        struct kide_own_args_req args;
        st = KIDE_WIRE_STR(args.args, s->cfg.args, kide_wire_strlen(s->cfg.args));
        if (st == KIDE_OK)
            st = kide_own_args(&ch, &args);
        if (st != KIDE_OK) {
            hj_snprintf(why, size, "cannot pass its args: %s", hj_status_name(st));
            return st;
        }
    }
    /* A habitat gets its `habitat` object; everyone else its `config`. */
    const char *text = s->cfg.habitat ? s->cfg.habitat : s->cfg.config;
    kide_u64 len = s->cfg.habitat ? s->cfg.habitat_len : s->cfg.config_len;
    if ((st = own_config(s, text, len)) != KIDE_OK) {
        hj_snprintf(why, size, "cannot pass its configuration: %s", hj_status_name(st));
        return st;
    }
    return KIDE_OK;
}

int hj_child_start(struct hj_slot *s, char *why, kide_u64 size)
{
    int st;
    kide_sel sm = hj.children_sm ? hj.children_sm : kide_sel_alloc(0);
    s->own_pt = kide_sel_alloc(0);
    s->pd = kide_sel_alloc(0);
    s->state = HJ_ST_STARTING;
    s->epoch++;
    s->pkg_due_ns = 0; /* this start wins over one asked of the store (pkgstart.c) */
    if (!s->own_pt || !s->pd || !sm) {
        hj_snprintf(why, size, "out of capability selectors");
        st = KIDE_QUOTA;
        goto error;
    }
    /* core checks the percentages of one CPU's children against 100 on the
     * CPU the account is created on, which is this habitat's: a child bound
     * for another CPU starts with 0% here and gets its share once placed. */
    int elsewhere = s->cfg.affinity != hj.lim.home_cpu;
    struct kide_core_chan core = kide_core_self_chan(kide_utcb(), kide_core_portal());
    struct kide_core_child_req req = {
            .own_sel = s->own_pt,
            .pd_sel = s->pd,
            .sm_sel = sm,
            .ram = s->cfg.ram,
            .caps = s->cfg.caps,
            .cpu_pct = elsewhere ? 0 : s->cfg.cpu_quota,
            .prio = s->cfg.priority,
    };
    struct kide_core_child_rep rep = {0};
    st = KIDE_WIRE_STR(req.name, s->cfg.name, kide_wire_strlen(s->cfg.name));
    if (st == KIDE_OK)
        st = kide_core_child(&core, &req, &rep);
    s->acc_id = rep.id; /* QUOTA: which quota */
    if (st != KIDE_OK) {
        kide_u64 which = s->acc_id;
        hj_snprintf(why, size, "core refused the account: %s%s", hj_status_name(st),
                    st != KIDE_QUOTA ? ""
                    : which == 1     ? " (the habitat lacks free RAM)"
                    : which == 3     ? " (its CPU quota would take this CPU's children past 100%)"
                    : which == 4     ? " (the habitat's share of core's account table is spent: "
                                       "it grows with the habitat's caps)"
                                     : " (the habitat lacks free kernel memory)");
        goto error;
    }
    if (!hj.children_sm)
        hj.children_sm = sm;
    s->live = 1;
    /* The device right passes down explicitly: core grants it only if this
     * habitat holds it (init does; a nested habitat when its entry says so). */
    if (s->cfg.devices &&
        (st = own_devices(s, s->cfg.platform ? KIDE_OWN_DEVICES_PLATFORM : 1)) != KIDE_OK) {
        if (st == KIDE_DENIED)
            hj_snprintf(why, size,
                        "devices: this habitat has no device right (set devices: "
                        "true on the habitat)");
        else
            hj_snprintf(why, size, "core refused the device right: %s", hj_status_name(st));
        goto error;
    }
    /* Its NUMA node, before LOAD so its program and stack are there too. */
    if (s->cfg.has_ram_node && (st = own_ram_node(s, s->cfg.ram_node)) != KIDE_OK) {
        hj_snprintf(why, size, "core refused ram_node %u: %s%s", s->cfg.ram_node,
                    hj_status_name(st),
                    st == KIDE_BAD_PARAM ? " (the machine has no such NUMA node)" : "");
        goto error;
    }
    /* Its CPU (before START); its parent portal is served by a handler there. */
    if (elsewhere && (st = own_affinity(s, s->cfg.affinity)) != KIDE_OK) {
        hj_snprintf(why, size, "core cannot place it on cpu %u: %s", s->cfg.affinity,
                    hj_status_name(st));
        goto error;
    }
    if (elsewhere && s->cfg.cpu_quota &&
        (st = own_cpu(s, s->cfg.cpu_quota, s->cfg.priority)) != KIDE_OK) {
        hj_snprintf(why, size, "core refused its CPU quota of %u%% on cpu %u: %s%s",
                    s->cfg.cpu_quota, s->cfg.affinity, hj_status_name(st),
                    st == KIDE_QUOTA ? " (that CPU's children would exceed 100%)" : "");
        goto error;
    }
    if ((st = load_and_configure(s, why, size)) != KIDE_OK)
        goto error;
    if ((st = kide_portal_create_on(hj.env, s->cfg.affinity, hj_parent_call, s, &s->parent_pt)) !=
        KIDE_OK) {
        hj_snprintf(why, size, "cannot create its parent portal: %s", hj_status_name(st));
        goto error;
    }
    st = kide_delegate(s->pd, KIDE_CRD(KIDE_CRD_OBJ, s->parent_pt, 0, KIDE_PT_CALL),
                       KIDE_COMP_SEL_PARENT);
    if (st != KIDE_OK) {
        hj_snprintf(why, size, "cannot delegate its parent portal: %s", hj_status_name(st));
        goto error;
    }
    struct kide_core_chan own = hj_own_chan(s);
    if ((st = kide_own_start(&own)) != KIDE_OK) {
        hj_snprintf(why, size, "core cannot start it: %s", hj_status_name(st));
        goto error;
    }
    kide_u64 now = kide_now_ns();
    s->state = HJ_ST_RUNNING;
    s->started_ns = s->hb_alive_ns = now;
    s->hb_next_ns = now + s->cfg.heartbeat_ms * MS;
    s->hb_missed = 0;
    s->hb_sent_ns = 0;
    s->pending = 0;
    s->fault_reason = NULL;
    s->ram_quota = s->cfg.ram, s->caps_quota = s->cfg.caps;
    s->ram_used = s->caps_used = s->cpu_ns = 0;
    return KIDE_OK;
error:
    if (!hj.children_sm && sm)
        kide_sel_free(sm, 0);
    hj_child_stop(s);
    s->state = HJ_ST_STOPPED;
    return st;
}

void hj_child_stop(struct hj_slot *s)
{
    s->epoch++;
    s->pkg_due_ns = 0; /* a start asked of the store is off (pkgstart.c) */
    hj_sessions_drop_client(s);
    /* A handler may be calling one of them right now (calls.c): parked. */
    for (unsigned i = 0; i < s->nannounced; i++)
        hj_slot_park(s, s->announced[i].pt);
    s->nannounced = 0;
    hj_live_forget(s);
    if (s->live) {
        struct kide_core_chan ch = hj_own_chan(s);
        kide_own_destroy(&ch);
        s->live = 0;
        s->ram_used = s->caps_used = 0;
    }
    /* OWN_DESTROY emptied both selectors; a failed start may have left them unused. */
    if (s->own_pt)
        kide_cap_drop(s->own_pt);
    if (s->pd)
        kide_cap_drop(s->pd);
    s->own_pt = s->pd = 0;
    if (s->parent_pt)
        kide_portal_destroy(hj.env, s->parent_pt);
    s->parent_pt = 0;
    hj_sessions_drop_server(s);
    s->donated_in = s->donated_out = 0;
    s->pending = 0;
}

void hj_child_gone(struct hj_slot *s, kide_u64 code)
{
    /* The main thread ends the habitat (a handler EC may get here through a poll). */
    if (hj.cfg.exit_with[0] && !strcmp(hj.cfg.exit_with, s->cfg.name) && !hj.exit_pending) {
        hj.exit_pending = 1;
        hj.exit_code = code;
        hj_snprintf(hj.exit_child, sizeof(hj.exit_child), "%s", s->cfg.name);
    }
}

void hj_child_start_failed(struct hj_slot *s, const char *why, kide_u64 now)
{
    hj_say("child %s: start failed: %s", s->cfg.name, why);
    /* A package's store may not be up yet (it announces Pkg after the boot
     * started everyone) or may install the package later: a `pkg:` child is
     * tried again by its restart policy, with its back-off. A boot module
     * that does not load will not load the next time either. */
    if (hj_binary_is_pkg(s->cfg.binary) && hj_should_restart(s->cfg.policy, 1, 0)) {
        kide_u64 d = hj_backoff_next(&s->backoff, s->cfg.backoff_ms, s->cfg.max_backoff_ms, 0);
        s->state = HJ_ST_RESTARTING;
        s->restart_at_ns = now + d * MS;
        hj_say("child %s: restart %lu in %lu ms", s->cfg.name, s->restarts + 1, d);
        return;
    }
    hj_child_gone(s, HJ_EXIT_NO_CODE);
}

/* The child ended (exit, fault or a missed heartbeat): reclaim, maybe restart. */
static void ended(struct hj_slot *s, int faulted, kide_u64 now)
{
    kide_u64 ran = now - s->started_ns;
    s->ended_ns = now;
    hj_child_stop(s);
    if (!hj_should_restart(s->cfg.policy, faulted, s->exit_code)) {
        s->state = faulted ? HJ_ST_FAULTED : HJ_ST_EXITED;
        /* A POSIX child ended by a signal ends the habitat as a shell reports it:
         * 128 + signal (a fault included: SIGSEGV 139). */
        hj_child_gone(s, faulted && s->signal ? 128 + s->signal
                         : faulted            ? HJ_EXIT_NO_CODE
                                              : s->exit_code);
        return;
    }
    kide_u64 d = hj_backoff_next(&s->backoff, s->cfg.backoff_ms, s->cfg.max_backoff_ms, ran);
    s->state = HJ_ST_RESTARTING;
    s->restart_at_ns = now + d * MS;
    hj_say("child %s: restart %lu in %lu ms", s->cfg.name, s->restarts + 1, d);
}

void hj_child_poll(struct hj_slot *s, kide_u64 now)
{
    char rbuf[32], sbuf[40];
    if (!s->live || s->state != HJ_ST_RUNNING)
        return;
    struct kide_core_chan ch = hj_own_chan(s);
    struct kide_own_state_rep w;
    if (kide_own_state(&ch, &w) != KIDE_OK)
        return;
    s->ram_quota = w.ram_quota, s->ram_used = w.ram_used;
    s->caps_quota = w.caps_quota, s->caps_used = w.caps_used;
    /* The whole subtree: a habitat child is charged for its children's time,
     * as its RAM use already counts their quotas. */
    s->cpu_ns = w.tree_ns;
    if (w.state == KIDE_ACC_EXITED) {
        s->exit_code = w.exit_code;
        /* w.signal: KIDE_OWN_STATE w18, KIDE_CORE_EXIT's signal (0: a plain exit) */
        s->signal = hj_end_signal(s->cfg.posix, 0, w.signal, 0, NULL);
        hj_say("child %s: exited with code %lu%s", s->cfg.name, s->exit_code,
               hj_signal_text(s->signal, sbuf, sizeof(sbuf)));
        hj_event(KIDE_EV_EXITED, s->cfg.name, s->exit_code, 0);
        ended(s, 0, now);
    } else if (w.state == KIDE_ACC_FAULTED) {
        s->fault_vector = w.fault_vector, s->fault_addr = w.fault_addr, s->fault_ip = w.fault_ip;
        s->exit_code = 0;
        s->signal = hj_end_signal(s->cfg.posix, 1, 0, s->fault_vector, NULL);
        hj_say("child %s: faulted: %s at 0x%lx (ip 0x%lx)%s", s->cfg.name,
               hj_fault_reason(s->fault_vector, rbuf, sizeof(rbuf)), s->fault_addr, s->fault_ip,
               hj_signal_text(s->signal, sbuf, sizeof(sbuf)));
        hj_event(KIDE_EV_FAULTED, s->cfg.name, s->fault_vector, s->fault_addr);
        ended(s, 1, now);
    }
}

void hj_child_fault(struct hj_slot *s, const char *reason, kide_u64 now)
{
    if (!s->live || s->state != HJ_ST_RUNNING)
        return;
    s->fault_reason = reason;
    s->signal = 0;
    s->fault_vector = s->fault_addr = s->fault_ip = 0;
    s->exit_code = 0;
    hj_say("child %s: faulted: %s", s->cfg.name, reason);
    hj_event(KIDE_EV_FAULTED, s->cfg.name, ~0ull, 0);
    ended(s, 1, now);
}

static kide_u64 min_u64(kide_u64 a, kide_u64 b)
{
    return a < b ? a : b;
}

kide_u64 hj_child_timers(struct hj_slot *s, kide_u64 now)
{
    char why[160];
    if (s->state == HJ_ST_RESTARTING && s->pkg_due_ns)
        return hj_pkg_start_due(s, now); /* asked of the store, which has not taken it */
    if (s->state == HJ_ST_RESTARTING) {
        if (now < s->restart_at_ns)
            return s->restart_at_ns;
        s->restarts++;
        /* The main thread never calls a store: it asks it (pkgstart.c). */
        if (hj_binary_is_pkg(s->cfg.binary)) {
            hj_pkg_start_ask(s, now);
            return s->pkg_due_ns                  ? s->pkg_due_ns
                   : s->state == HJ_ST_RESTARTING ? s->restart_at_ns
                                                  : ~0ull;
        }
        if (hj_child_start(s, why, sizeof(why)) != KIDE_OK) {
            hj_child_start_failed(s, why, now);
            return s->state == HJ_ST_RESTARTING ? s->restart_at_ns : ~0ull;
        }
        hj_say("child %s: started", s->cfg.name);
        hj_event(KIDE_EV_RESTARTED, s->cfg.name, s->restarts, 0);
    }
    if (s->state != HJ_ST_RUNNING || !s->cfg.heartbeat_ms)
        return ~0ull;
    kide_u64 period = s->cfg.heartbeat_ms * MS;
    if (now >= s->hb_next_ns) {
        /* Missed only if a signal went out and stayed unanswered for two
         * periods: a slow start (or a slow machine) is not a missed beat.
         * Nor is the time its CPU's handler spent in a call into a server
         * (the child's ALIVE waited for it): count from when it was free. */
        kide_u64 idle = hj_cpu_free_since(s->cfg.affinity);
        kide_u64 from = idle > s->hb_sent_ns ? idle : s->hb_sent_ns;
        if (!s->hb_missed && s->hb_sent_ns && s->hb_alive_ns < s->hb_sent_ns && from < now &&
            now - from > 2 * period) {
            s->hb_missed = 1;
            hj_say("child %s: heartbeat missed", s->cfg.name);
            if (s->cfg.policy != HJ_RESTART_NEVER) {
                s->fault_reason = "heartbeat missed";
                s->signal = 0;
                s->fault_vector = s->fault_addr = s->fault_ip = 0;
                hj_event(KIDE_EV_FAULTED, s->cfg.name, ~0ull, 0);
                ended(s, 1, now);
                return s->state == HJ_ST_RESTARTING ? s->restart_at_ns : ~0ull;
            }
        }
        if (!s->hb_sent_ns || s->hb_alive_ns >= s->hb_sent_ns)
            s->hb_sent_ns = now; /* a new round; an unanswered one keeps its start */
        s->pending |= KIDE_PARENT_WANT_HEARTBEAT;
        own_signal(s);
        s->hb_next_ns = now + period;
    }
    return min_u64(s->hb_next_ns, ~0ull);
}

void hj_child_status(struct hj_slot *s, kide_u64 now, struct hj_status *o)
{
    memset(o, 0, sizeof(*o));
    o->name = s->cfg.name;
    o->binary = s->cfg.binary;
    o->devices = s->cfg.devices;
    o->state = s->state;
    o->exit_code = s->exit_code;
    o->fault_vector = s->fault_vector, o->fault_addr = s->fault_addr, o->fault_ip = s->fault_ip;
    o->fault_reason = s->fault_reason;
    o->signal = s->signal;
    o->ram_quota = s->live ? s->ram_quota : s->cfg.ram;
    o->ram_used = s->live ? s->ram_used : 0;
    o->caps_quota = s->live ? s->caps_quota : s->cfg.caps;
    o->caps_used = s->live ? s->caps_used : 0;
    o->cpu_ns = s->cpu_ns;
    o->cpu_quota = s->cfg.cpu_quota, o->priority = s->cfg.priority;
    o->affinity = s->cfg.affinity;
    o->has_ram_node = s->cfg.has_ram_node, o->ram_node = s->cfg.ram_node;
    o->restarts = s->restarts;
    /* started_ns may be later than now: a start that fetched a package released the lock */
    o->uptime_ns = s->state == HJ_ST_RUNNING && now > s->started_ns ? now - s->started_ns : 0;
    o->status = s->status_len ? s->status : NULL;
}

int hj_child_set_ram(struct hj_slot *s, kide_u64 quota, kide_u64 *kept, int wait)
{
    *kept = 0;
    if (!s->live)
        return KIDE_OK;
    /* The account at core also carries the session donations. */
    kide_u64 target = quota + s->donated_in - s->donated_out;
    kide_u64 deadline = kide_now_ns() + HJ_YIELD_WAIT_MS * MS;
    for (;;) {
        kide_u64 missing;
        int st = own_ram(s, target, &missing);
        if (st == KIDE_OK) {
            s->ram_quota = target;
            s->pending &= ~KIDE_PARENT_WANT_YIELD;
            return KIDE_OK;
        }
        if (st != KIDE_QUOTA || target >= s->ram_quota || !wait)
            return st;
        *kept = missing;
        kide_u64 now = kide_now_ns();
        if (now >= deadline)
            break;
        /* core asked the child to yield; the main thread ups yield_sm whenever
         * the children semaphore fires (a child freed RAM), so retry then. */
        s->pending |= KIDE_PARENT_WANT_YIELD;
        hj.yield_waiting = 1;
        kide_ctrl_sm(KIDE_CTRL_SM_DOWN, hj.yield_sm, min_u64(deadline, now + 50 * MS));
        hj.yield_waiting = 0;
    }
    /* Give up: keep what it has (asking for its current quota withdraws the request). */
    s->pending &= ~KIDE_PARENT_WANT_YIELD;
    struct kide_core_chan ch = hj_own_chan(s);
    struct kide_own_state_rep state;
    if (kide_own_state(&ch, &state) == KIDE_OK) {
        kide_u64 missing;
        s->ram_quota = state.ram_quota;
        own_ram(s, s->ram_quota, &missing);
    }
    return KIDE_QUOTA;
}

int hj_child_set_caps(struct hj_slot *s, kide_u64 pages)
{
    if (!s->live)
        return KIDE_OK;
    struct kide_core_chan ch = hj_own_chan(s);
    struct kide_own_caps_req req = {.pages = pages};
    int st = kide_own_caps(&ch, &req);
    if (st == KIDE_OK)
        s->caps_quota = pages;
    return st;
}

int hj_child_set_cpu(struct hj_slot *s, kide_u32 quota, kide_u32 prio)
{
    return s->live ? own_cpu(s, quota, prio) : KIDE_OK;
}
