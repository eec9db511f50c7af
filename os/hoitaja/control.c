/* SPDX-License-Identifier: MIT */
/* hoitaja management: stop, start or restart one child (KIDE_MGMT_CONTROL).
 *
 * stop: the child's account is destroyed as when it ends (hj_child_stop: its
 * sessions closed, its RAM, caps and CPU share reclaimed) and the slot stays
 * in the report in state `stopped`: no policy restarts it (only RESTARTING is
 * ever restarted by the timers) and no heartbeat is due, until a `start`, a
 * `restart`, or an apply that restarts it (a change that plan.c calls a
 * restart starts it with the new configuration; an update in place leaves it
 * stopped). A stopped child is not an ended one: stopping the habitat's
 * exit_with child does not end the habitat (hj_child_gone is not called).
 * start: a stopped, exited, faulted or restarting (in its back-off) child is
 * started now with its configuration in force, back-off reset. restart: stop
 * if it runs, then start; its restart count goes up by one.
 * Invariants: hj.lock held and no apply running (the caller answers BUSY);
 * nothing here calls a child's portal; a child cannot act on itself (its own
 * session would go with it mid-call).
 */
#include "glue.h"

static struct hj_slot *find(const char *name)
{
    int i = hj_config_find(&hj.cfg, name);
    return i >= 0 ? hj.slot[i] : NULL;
}

static int running(const struct hj_slot *s)
{
    return s->state == HJ_ST_RUNNING || s->state == HJ_ST_STARTING;
}

static void stop(struct hj_slot *s)
{
    hj_child_stop(s);
    s->state = HJ_ST_STOPPED;
    s->ended_ns = kide_now_ns();
    s->exit_code = 0;
    s->fault_reason = NULL;
    hj_say("child %s: stopped", s->cfg.name);
    hj_event(KIDE_EV_STOPPED, s->cfg.name, 0, 0);
}

static int start(struct hj_slot *s, char *verdict, kide_u64 size)
{
    char why[160];
    s->backoff.next_ms = 0;
    if (hj_child_start(s, why, sizeof(why)) != KIDE_OK) {
        hj_say("child %s: start failed: %s", s->cfg.name, why);
        hj_snprintf(verdict, size, "rejected: %s", why);
        return 0;
    }
    return 1;
}

int hj_control(struct hj_slot *caller, kide_u64 action, const char *name, char *verdict,
               kide_u64 size)
{
    struct hj_slot *s = find(name);
    if (!s) {
        hj_snprintf(verdict, size, "rejected: no child '%s'", name);
        return 0;
    }
    if (s == caller) {
        hj_snprintf(verdict, size,
                    "rejected: a child cannot %s itself through its own management session",
                    action == KIDE_CTL_START ? "start" : "stop");
        return 0;
    }
    switch (action) {
    case KIDE_CTL_STOP:
        if (s->state == HJ_ST_STOPPED) {
            hj_snprintf(verdict, size, "rejected: already stopped");
            return 0;
        }
        if (s->state == HJ_ST_EXITED || s->state == HJ_ST_FAULTED) {
            hj_snprintf(verdict, size, "rejected: not running (%s)", hj_state_name(s->state));
            return 0;
        }
        stop(s);
        hj_snprintf(verdict, size, "stopped");
        return 1;
    case KIDE_CTL_START:
        if (running(s)) {
            hj_snprintf(verdict, size, "rejected: already running");
            return 0;
        }
        if (!start(s, verdict, size))
            return 0;
        hj_say("child %s: started", s->cfg.name);
        hj_event(KIDE_EV_STARTED, s->cfg.name, 0, 0);
        hj_snprintf(verdict, size, "started");
        return 1;
    case KIDE_CTL_RESTART:
        if (running(s) || s->state == HJ_ST_RESTARTING)
            stop(s);
        s->restarts++;
        if (!start(s, verdict, size))
            return 0;
        hj_say("child %s: restarted", s->cfg.name);
        hj_event(KIDE_EV_RESTARTED, s->cfg.name, s->restarts, 0);
        hj_snprintf(verdict, size, "restarted");
        return 1;
    default:
        hj_snprintf(verdict, size, "rejected: unknown action %lu (1 stop, 2 start, 3 restart)",
                    action);
        return 0;
    }
}

void hj_logs_forget(const char *name)
{
    struct kide_core_chan core = kide_core_self_chan(kide_utcb(), kide_core_portal());
    struct kide_core_logs_req req = {.flags = KIDE_LOGS_FORGET};
    struct kide_core_logs_rep rep;
    if (KIDE_WIRE_STR(req.name, name, kide_wire_strlen(name)) == KIDE_OK)
        kide_core_logs(&core, &req, &rep); /* NOT_FOUND: it never logged */
}
