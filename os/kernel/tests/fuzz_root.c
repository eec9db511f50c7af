/* SPDX-License-Identifier: MIT */
/* kfuzz-root: the system-call fuzzer, run as the root task.
 *
 * Starts a victim (ktest-helper in H_VICTIM mode) on the last CPU, doing
 * checked work: checksums over its own memory and IPC ping-pong with a root
 * portal. On every CPU it starts an unprivileged attacker (kfuzz-attacker)
 * that issues random system calls for `seconds=` (module command line; the
 * generator's seed is `seed=`, printed), interleaved with structured rounds
 * (fuzz_struct.c) whose oracles report through the attacker's info page:
 * any oracle failure fails the run, and so does a run of 20 s or more in
 * which some kind of round was never completed. An attacker that stops
 * (it may well unmap its own code) or stalls (blocked in a call it made) is
 * replaced by a fresh one with the next seed. At the end the victim must have made
 * progress all along, finish without an error and produce exactly the
 * accumulator the root recomputes; every attacker must be in a clean state;
 * and destroying them all must give the root back every page of kernel
 * quota. Then `kfuzz: ok calls=<n>` and QEMU exit 0x10; otherwise
 * `kfuzz: FAIL <why>` and 0x11. A kernel panic or hang fails the run in
 * qemu-run.sh.
 */
#include <krt/spawn.h>
#include "proto.h"
#include "victim.h"
#include "fuzz.h"

extern char _start[];

#define MAX_ATTACKERS 4

static struct krt_child victim_c;
static struct krt_child attackers[MAX_ATTACKERS];
static u64 attacker_gen[MAX_ATTACKERS];
static u64 attacker_calls_seen[MAX_ATTACKERS], attacker_progress_at[MAX_ATTACKERS];
static bool attacker_nudged[MAX_ATTACKERS];
static u64 total_calls, respawns, stops_by_vector[KIDE_EXC_COUNT + 1];
static u64 statuses[KIDE_STATUS_COUNT + 1]; /* [KIDE_STATUS_COUNT]: not a status */
static u64 rounds_done[FZ_KINDS], rounds_skipped[FZ_KINDS];
/* in enum fz_kind's order */
static const char *const kind_names[FZ_KINDS] = {"chain", "queue", "rewrite", "deleg",
                                                 "typed", "many",  "io"};
#define FZ_FAIL_NAME(n, s) s,
static const char *const fail_names[FZ_FAIL_COUNT] = {FZ_FAIL_CODES(FZ_FAIL_NAME)};
static bool failed;

static void fail(const char *why, u64 a, u64 b)
{
    printf("kfuzz: FAIL %s (%lu, %lu)\n", why, a, b);
    failed = true;
}

static u64 ktest_ec_state_of(kide_sel ec)
{
    u64 st = ~0ull;
    kide_ctrl_ec(KIDE_CTRL_EC_QUERY, ec, 0, 0, 0, &st, NULL, NULL);
    return st;
}

/* ---- root services ---- */

struct service {
    struct krt_pt_hdr hdr;
    volatile u64 calls;
    kide_sel give; /**< sink: capability offered back in every reply */
} __attribute__((aligned(64)));

static struct service victim_srv, sink_srv[KIDE_MAX_CPUS];
static struct krt_ec victim_h, sink_h[KIDE_MAX_CPUS];

static void victim_fn(struct krt_pt_hdr *h, unsigned sub, u64 msg, struct kide_utcb *u)
{
    (void)sub;
    ((struct service *)h)->calls++;
    unsigned n = KIDE_MSG_UNTYPED(msg);
    if (n > VICTIM_MSG)
        n = VICTIM_MSG;
    for (unsigned k = 0; k < n; k++)
        u->words[k] = victim_f(u->words[k], k);
    u->msg = KIDE_MSG(n, 0);
}

/* The attackers' sink: answers anything with a few words and a typed item
 * (a capability to the attacker's own semaphore). It never trusts the
 * message: only its length is looked at. */
static void sink_fn(struct krt_pt_hdr *h, unsigned sub, u64 msg, struct kide_utcb *u)
{
    (void)sub;
    struct service *s = (struct service *)h;
    s->calls++;
    unsigned n = KIDE_MSG_UNTYPED(msg) % 8;
    if (s->give && (s->calls & 1)) {
        u->words[n] = KIDE_CRD(KIDE_CRD_OBJ, s->give, 0, KIDE_SM_UP);
        u->words[n + 1] = s->calls % 4;
        u->msg = KIDE_MSG(n, 1);
    } else {
        u->msg = KIDE_MSG(n, 0);
    }
    u->rcv_crd = 0; /* never accept anything from an attacker */
}

static kide_sel service_portal(struct service *s, struct krt_ec *h, unsigned cpu,
                               void (*fn)(struct krt_pt_hdr *, unsigned, u64, struct kide_utcb *))
{
    s->hdr.fn = fn;
    if (krt_local_ec(h, cpu) != KIDE_OK)
        return 0;
    h->utcb->rcv_crd = 0;
    kide_sel pt = krt_sel_alloc(0);
    if (!pt || kide_create_pt(pt, KIDE_ROOT_SEL_PD, h->ec, (u64)_start, (u64)s) != KIDE_OK)
        return 0;
    return pt;
}

/* ---- attackers ---- */

static kide_sel sink_pt[KIDE_MAX_CPUS];
static kide_sel attacker_sm[MAX_ATTACKERS];
static u64 seed0;

static u64 attacker_stop(struct krt_ec *ec, struct kide_exc_state *st)
{
    (void)ec;
    unsigned v = st->vector < KIDE_EXC_COUNT ? (unsigned)st->vector : KIDE_EXC_COUNT;
    stops_by_vector[v]++;
    return KIDE_MSG_EXC_STOP;
}

/** The kinds of structured round completed least often so far (a bit per
 *  kind), not counting attacker `self` (being replaced: its rounds are in
 *  rounds_done already): a new attacker starts with one of them. */
static u64 rounds_wanted(unsigned self)
{
    u64 n[FZ_KINDS], min = ~0ull, mask = 0;
    for (unsigned k = 0; k < FZ_KINDS; k++) {
        n[k] = rounds_done[k];
        for (unsigned i = 0; i < MAX_ATTACKERS; i++)
            if (i != self && attackers[i].info)
                n[k] += attackers[i].info->scratch[FZ_SX_ROUNDS + k];
        min = n[k] < min ? n[k] : min;
    }
    for (unsigned k = 0; k < FZ_KINDS; k++)
        if (n[k] == min)
            mask |= 1ull << k;
    return mask;
}

static int attacker_start(unsigned i, bool run)
{
    struct krt_child *c = &attackers[i];
    struct krt_spawn_args a;
    memset(&a, 0, sizeof(a));
    a.cpu = i;
    a.prio = FZ_PRIO;
    a.quota = FZ_QUOTA;
    a.arg[0] = seed0 ^ (attacker_gen[i] * 0x9e3779b97f4a7c15ull) ^ ((u64)i << 56);
    a.arg[1] = krt_bootinfo->cpus;
    a.arg[2] = rounds_wanted(i);
    a.no_start = true;
    int st = krt_spawn_module(c, "kfuzz-attacker.elf", &a);
    if (st != KIDE_OK)
        return st;
    c->ec[0].policy = attacker_stop;
    attacker_sm[i] = krt_sel_alloc(0);
    st = kide_create_sm(attacker_sm[i], c->pd, 0);
    if (st == KIDE_OK)
        st = krt_child_give(c, attacker_sm[i], KIDE_SM_UP | KIDE_SM_DOWN, FZ_SEL_SM);
    if (st == KIDE_OK)
        st = krt_child_give(c, c->pd, KIDE_PERM_ALL, FZ_SEL_PD);
    if (st == KIDE_OK)
        st = krt_child_give(c, c->pd, KIDE_PERM_ALL, FZ_SEL_SPD);
    if (st == KIDE_OK)
        st = krt_child_give(c, sink_pt[i], KIDE_PT_CALL, FZ_SEL_SINK);
    /* for the structured rounds: the arena and a harmless I/O port */
    for (unsigned p = 0; st == KIDE_OK && p < FZ_ARENA_PAGES; p++)
        if (!krt_child_map(c, FZ_ARENA + p * 4096ull, KIDE_MEM_R | KIDE_MEM_W))
            st = KIDE_QUOTA;
    if (st == KIDE_OK)
        st = kide_delegate(c->pd, KIDE_CRD(KIDE_CRD_IO, FZ_IO_PORT, 0, KIDE_IO_ACCESS), FZ_IO_PORT);
    sink_srv[i].give = attacker_sm[i];
    if (st == KIDE_OK && krt_bootinfo->cpus > 1) {
        /* A second attacker EC in the same PD, on the next CPU (also in the
         * dry run, where it runs only briefly: the selectors must be the
         * same). It is set up before the main EC runs: once an attacker runs,
         * its capability space is its own to scramble. */
        struct krt_ec *e = krt_child_thread(c, (i + 1) % (unsigned)krt_bootinfo->cpus, FZ_PRIO, 0);
        if (!e)
            st = KIDE_QUOTA;
        else
            e->policy = attacker_stop;
    }
    if (st == KIDE_OK && run)
        st = krt_child_start(c, FZ_PRIO);
    attacker_calls_seen[i] = 0;
    attacker_nudged[i] = false;
    attacker_progress_at[i] = base_now();
    return st;
}

static void attacker_end(unsigned i)
{
    struct krt_child *c = &attackers[i];
    if (c->info) {
        total_calls += c->info->res[0] + c->info->res[15];
        for (unsigned s = 0; s <= KIDE_STATUS_COUNT; s++)
            statuses[s] += c->info->res[2 + s];
        for (unsigned k = 0; k < FZ_KINDS; k++) {
            rounds_done[k] += c->info->scratch[FZ_SX_ROUNDS + k];
            rounds_skipped[k] += c->info->scratch[FZ_SX_SKIPS + k];
        }
    }
    sink_srv[i].give = 0;
    krt_cap_drop(attacker_sm[i]);
    attacker_sm[i] = 0;
    krt_child_destroy(c);
}

/** Fail the run if a structured round of attacker i saw its oracle fail. */
static void attacker_oracle(unsigned i)
{
    volatile u64 *x = attackers[i].info->scratch;
    if (!x[FZ_SX_FAILS] || failed)
        return;
    u64 kind = x[FZ_SX_FAIL], code = x[FZ_SX_FAIL + 1];
    printf("kfuzz: structured round '%s' of attacker %u gen %lu (attacker seed %lu): %s: "
           "%lx, %lx, %lx (%lu failures)\n",
           kind < FZ_KINDS ? kind_names[kind] : "?", i, attacker_gen[i], attackers[i].info->arg[0],
           code < FZ_FAIL_COUNT ? fail_names[code] : "?", x[FZ_SX_FAIL + 2], x[FZ_SX_FAIL + 3],
           x[FZ_SX_FAIL + 4], x[FZ_SX_FAILS]);
    fail("a structured round's oracle failed: kind, code", kind, code);
}

/** Replace attacker i if it stopped or made no progress for 2 s. */
static void attacker_check(unsigned i, u64 now)
{
    struct krt_child *c = &attackers[i];
    u64 state = ~0ull, fault = 0, addr = 0;
    attacker_oracle(i);
    if (kide_ctrl_ec(KIDE_CTRL_EC_QUERY, c->ec[0].ec, 0, 0, 0, &state, &fault, &addr) != KIDE_OK)
        state = ~0ull;
    /* progress: calls, and the beat of a structured round that waits */
    u64 calls = c->info->res[0] + c->info->scratch[FZ_SX_BEAT];
    if (calls != attacker_calls_seen[i]) {
        attacker_calls_seen[i] = calls;
        attacker_progress_at[i] = now;
        attacker_nudged[i] = false;
    }
    bool stopped = state == KIDE_EC_STATE_STOPPED;
    bool stalled = now - attacker_progress_at[i] > 1000 * BASE_MS;
    if (stalled && !attacker_nudged[i] && state == KIDE_EC_STATE_BLOCKED) {
        /* most likely a down with a far deadline on its semaphore: wake it */
        kide_ctrl_sm(KIDE_CTRL_SM_UP, attacker_sm[i], 0);
        attacker_nudged[i] = true;
        attacker_progress_at[i] = now;
        return;
    }
    if (state > KIDE_EC_STATE_DEAD || state == KIDE_EC_STATE_DEAD) {
        fail("attacker EC in a bad state", i, state);
        return;
    }
    if (!stopped && !stalled)
        return;
    if (respawns < 20 || respawns % 100 == 0)
        printf("kfuzz: attacker %u gen %lu %s after %lu calls (vector %lu at %lx, last "
               "call %lx)\n",
               i, attacker_gen[i], stopped ? "stopped" : "stalled", calls, fault & 0xffffffff, addr,
               c->info->res[1]);
    if (stalled && (respawns < 20 || respawns % 100 == 0))
        printf("kfuzz:   its last call: %lx(%lx, %lx, %lx, %lx, %lx, %lx) at %lu ns, now %lu ns\n",
               c->info->res[1], c->info->scratch[0], c->info->scratch[1], c->info->scratch[2],
               c->info->scratch[3], c->info->scratch[4], c->info->scratch[5], c->info->scratch[6],
               now);
    attacker_end(i);
    attacker_gen[i]++;
    respawns++;
    if (attacker_start(i, true) != KIDE_OK)
        fail("cannot restart an attacker", i, attacker_gen[i]);
}

static void nothing_body(struct krt_ec *t)
{
    (void)t;
}

static void poke_cpus(void)
{
    static struct krt_ec t;
    for (unsigned c = 0; c < krt_bootinfo->cpus; c++) {
        memset(&t, 0, sizeof(t));
        if (krt_thread_start(&t, c, 100, nothing_body) == KIDE_OK)
            krt_sm_wait(t.done_sm, 1000);
        krt_thread_destroy(&t);
    }
}

/* ---- main ---- */

void krt_root_main(const struct kide_boot_info *bi)
{
    krt_root_init(bi);
    const char *cmdline = bi->modules[0].cmdline;
    u64 seconds = base_cmdline_num(cmdline, "seconds", 30);
    seed0 = base_cmdline_num(cmdline, "seed", base_rdtsc());
    unsigned cpus = (unsigned)(bi->cpus < MAX_ATTACKERS ? bi->cpus : MAX_ATTACKERS);
    printf("kfuzz: seed=%lu seconds=%lu cpus=%lu (rerun with the same seed= to repeat)\n", seed0,
           seconds, bi->cpus);
    u64 t = 0, budget = 0, period = 0;
    if (kide_ctrl_sc(KIDE_CTRL_SC_TIME, KIDE_ROOT_SEL_SC, 0, 0, 0, &t, &budget, &period) == KIDE_OK)
        kide_ctrl_sc(KIDE_CTRL_SC_SET, KIDE_ROOT_SEL_SC, 64, budget, period, 0, 0, 0);
    if (krt_handlers_init() != KIDE_OK)
        base_panic("kfuzz: runtime set-up failed");
    u64 free0 = 0, used0 = 0, limit0 = 0;

    /* services first: their objects stay for the whole run */
    unsigned vcpu = (unsigned)bi->cpus - 1;
    kide_sel vpt = service_portal(&victim_srv, &victim_h, vcpu, victim_fn);
    for (unsigned i = 0; i < cpus; i++)
        if (!(sink_pt[i] = service_portal(&sink_srv[i], &sink_h[i], i, sink_fn)))
            base_panic("kfuzz: cannot create the sink portal on cpu %u", i);
    if (!vpt)
        base_panic("kfuzz: cannot create the victim portal");
    struct krt_spawn_args va;
    memset(&va, 0, sizeof(va));
    va.cpu = vcpu;
    va.prio = FZ_PRIO;
    va.mode = H_VICTIM;
    va.arg[0] = FZ_SEL_VICTIM_PT;
    va.arg[1] = 0;
    va.arg[2] = seed0 ^ 0x76696374696dull;
    va.no_start = true;
    /* A dry run first: the root's own capability table grows to the highest
     * selector the run uses, which must not count as a leak at the end. */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            /* what the dry run freed may come back a little later (an EC that
             * was running on another CPU is freed when that CPU notices) */
            u64 prev = 0;
            poke_cpus(); /* ECs that were running elsewhere are freed now */
            for (unsigned k = 0; k < 100; k++) {
                kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, KIDE_ROOT_SEL_PD, 0, 0, &limit0, &used0);
                if (k && limit0 - used0 == prev)
                    break;
                prev = limit0 - used0;
                krt_sleep_ms(20);
            }
            free0 = limit0 - used0;
        }
        if (krt_spawn_module(&victim_c, "ktest-helper.elf", &va) != KIDE_OK ||
            krt_child_give(&victim_c, vpt, KIDE_PT_CALL, FZ_SEL_VICTIM_PT) != KIDE_OK)
            base_panic("kfuzz: cannot start the victim");
        victim_c.ec[0].policy = NULL; /* a victim fault is printed and fails the run */
        for (unsigned i = 0; i < cpus; i++) {
            attacker_gen[i] = pass;
            if (attacker_start(i, pass == 1) != KIDE_OK)
                base_panic("kfuzz: cannot start attacker %u", i);
        }
        if (pass == 0) {
            for (unsigned i = 0; i < cpus; i++)
                attacker_end(i);
            krt_child_destroy(&victim_c);
        }
    }
    if (krt_child_start(&victim_c, FZ_PRIO) != KIDE_OK)
        base_panic("kfuzz: cannot start the victim");

    u64 start = base_now(), end = start + seconds * 1000 * BASE_MS, next_report = start;
    u64 v_seen = 0, v_progress_at = start;
    while (!failed) {
        u64 now = base_now();
        if (now >= end)
            break;
        krt_sleep_ms(50);
        now = base_now();
        for (unsigned i = 0; i < cpus && !failed; i++)
            attacker_check(i, now);
        u64 v = victim_c.info->res[0];
        if (v != v_seen) {
            v_seen = v;
            v_progress_at = now;
        } else if (now - v_progress_at > 10000 * BASE_MS) {
            u64 st = ~0ull, fault = 0, addr = 0;
            kide_ctrl_ec(KIDE_CTRL_EC_QUERY, victim_c.ec[0].ec, 0, 0, 0, &st, &fault, &addr);
            u64 vt = 0, vb = 0, vp = 0;
            kide_ctrl_sc(KIDE_CTRL_SC_TIME, victim_c.ec[0].sc, 0, 0, 0, &vt, &vb, &vp);
            printf("kfuzz: victim EC state %lu (fault %lx at %lx), SC time %lu ns, its "
                   "portal's handler state %lu, portal calls %lu, last bad status %lx\n",
                   st, fault, addr, vt, ktest_ec_state_of(victim_h.ec), victim_srv.calls,
                   victim_c.info->res[3]);
            for (unsigned i = 0; i < cpus; i++) {
                u64 at = 0;
                kide_ctrl_sc(KIDE_CTRL_SC_TIME, attackers[i].ec[0].sc, 0, 0, 0, &at, NULL, NULL);
                printf("kfuzz: attacker %u: main EC state %lu SC time %lu ns, calls %lu; "
                       "second EC state %lu\n",
                       i, ktest_ec_state_of(attackers[i].ec[0].ec), at, attackers[i].info->res[0],
                       attackers[i].nec > 1 ? ktest_ec_state_of(attackers[i].ec[1].ec) : 99);
            }
            fail("the victim made no progress for 10 s; iterations", v, victim_c.info->res[1]);
        }
        if (victim_c.ec[0].exc_count)
            fail("the victim took an exception: vector, rip", victim_c.ec[0].last.vector,
                 victim_c.ec[0].last.rip);
        if (victim_c.info->res[1])
            fail("the victim saw errors: errors, last bad status", victim_c.info->res[1],
                 victim_c.info->res[3]);
        /* the root's own objects stay intact: the victim's exception portals */
        for (unsigned v = 0; v < KIDE_EXC_COUNT && !failed; v++) {
            u64 found = 0, info = 0;
            kide_sel sel = victim_c.ec[0].evt + v;
            if (kide_lookup(KIDE_CRD(KIDE_CRD_OBJ, sel, 0, 0), &found, &info) != KIDE_OK ||
                KIDE_CRD_KIND(found) != KIDE_CRD_OBJ || info != KIDE_OBJ_PT)
                fail("a root exception portal of the victim vanished: selector, type", sel, info);
        }
        if (ktest_ec_state_of(krt_handler_ec(vcpu)) > KIDE_EC_STATE_IDLE)
            fail("the root's handler EC of the victim's CPU is gone: state",
                 ktest_ec_state_of(krt_handler_ec(vcpu)), vcpu);
        if (now >= next_report) {
            u64 calls = total_calls;
            for (unsigned i = 0; i < cpus; i++)
                calls += attackers[i].info->res[0] + attackers[i].info->res[15];
            printf("kfuzz: t=%lus calls=%lu respawns=%lu victim iterations=%lu\n",
                   (now - start) / (1000 * BASE_MS), calls, respawns, v);
            next_report = now + 5000 * BASE_MS;
        }
    }

    /* the victim finishes and must have computed exactly what we expect */
    victim_c.info->stop = 1;
    if (krt_child_wait(&victim_c, 10000) != KIDE_OK)
        fail("the victim did not finish within 10 s; iterations", victim_c.info->res[0], 0);
    else if (!victim_c.ec[0].exited || victim_c.ec[0].exit_code != 0) {
        u64 st = ~0ull, fault = 0, addr = 0;
        kide_ctrl_ec(KIDE_CTRL_EC_QUERY, victim_c.ec[0].ec, 0, 0, 0, &st, &fault, &addr);
        printf("kfuzz: victim: %lu exceptions (last vector %lu at rip %lx addr %lx); state %lu "
               "fault %lx addr %lx\n",
               victim_c.ec[0].exc_count, victim_c.ec[0].last.vector, victim_c.ec[0].last.rip,
               victim_c.ec[0].last.fault_addr, st, fault, addr);
        fail("the victim ended badly: exited, code", victim_c.ec[0].exited,
             victim_c.ec[0].exit_code);
    }
    u64 iters = victim_c.info->res[0];
    if (!failed && iters == 0)
        fail("the victim did no work", 0, 0);
    if (!failed && victim_c.info->res[2] != victim_expect(va.arg[2], iters))
        fail("the victim's result differs from the expected one", victim_c.info->res[2], iters);
    if (!failed && victim_srv.calls != iters)
        fail("victim portal calls differ from victim iterations", victim_srv.calls, iters);

    /* the attackers: alive or stopped cleanly, then destroyed */
    for (unsigned i = 0; i < cpus; i++) {
        u64 state = ~0ull;
        if (kide_ctrl_ec(KIDE_CTRL_EC_QUERY, attackers[i].ec[0].ec, 0, 0, 0, &state, NULL, NULL) !=
                    KIDE_OK ||
            state > KIDE_EC_STATE_STOPPED)
            fail("attacker in a bad state at the end", i, state);
        attacker_oracle(i);
        attacker_end(i);
    }
    krt_child_destroy(&victim_c);

    /* destroying everything gave back every page of kernel quota */
    u64 limit1 = 0, used1 = 0;
    kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, KIDE_ROOT_SEL_PD, 0, 0, &limit1, &used1);
    if (limit1 - used1 != free0) {
        /* An EC that was running on another CPU when its PD died is freed
         * when that CPU next enters the kernel; make every CPU do so. */
        printf("kfuzz: root free pages %lu, expected %lu: running a thread on every CPU\n",
               limit1 - used1, free0);
        kide_ctrl_pd(KIDE_CTRL_PD_AUDIT, KIDE_ROOT_SEL_PD, 0, 0, NULL, NULL);
        poke_cpus();
        kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, KIDE_ROOT_SEL_PD, 0, 0, &limit1, &used1);
        /* what holds it, even if it comes back below (the checking kernel) */
        if (limit1 - used1 != free0)
            kide_ctrl_pd(KIDE_CTRL_PD_AUDIT, KIDE_ROOT_SEL_PD, 0, 0, NULL, NULL);
    }
    /* Up to 1000 naps of 10 ms: a call still running on a dead PD's zombie
     * SC gives its pages back when it returns, which on a loaded TCG host
     * took longer than the 1 s this waited before (a run failed at 1 s and
     * its rerun with the same seed recovered); a real leak stays. */
    unsigned naps = 0;
    for (; naps < 1000 && limit1 - used1 != free0; naps++) {
        krt_sleep_ms(10);
        kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, KIDE_ROOT_SEL_PD, 0, 0, &limit1, &used1);
    }
    if (naps)
        printf("kfuzz: root free pages %lu after %u naps of 10 ms\n", limit1 - used1, naps);
    if (limit1 - used1 != free0) {
        /* the checking kernel names what still holds the quota */
        kide_ctrl_pd(KIDE_CTRL_PD_AUDIT, KIDE_ROOT_SEL_PD, 0, 0, NULL, NULL);
        fail("kernel quota leaked: root free pages before, after", free0, limit1 - used1);
    }
    if (kide_null() != KIDE_OK)
        fail("null failed at the end", 0, 0);

    printf("kfuzz: statuses:");
    for (int st = 0; st < KIDE_STATUS_COUNT; st++)
        printf(" %s=%lu", base_status_name(st), statuses[st]);
    printf(" other=%lu\n", statuses[KIDE_STATUS_COUNT]);
    if (statuses[KIDE_STATUS_COUNT])
        fail("system calls returned a value outside enum kide_status", statuses[KIDE_STATUS_COUNT],
             0);
    /* every kind of structured round was completed (and how often its
     * set-up was broken by the random calls before it) */
    printf("kfuzz: structured rounds:");
    for (unsigned k = 0; k < FZ_KINDS; k++)
        printf(" %s=%lu", kind_names[k], rounds_done[k]);
    printf(" (set-up broken:");
    for (unsigned k = 0; k < FZ_KINDS; k++)
        printf(" %s=%lu", kind_names[k], rounds_skipped[k]);
    printf(")\n");
    for (unsigned k = 0; k < FZ_KINDS && seconds >= 20 && !failed; k++)
        if (!rounds_done[k]) {
            printf("kfuzz: no structured round '%s' was completed in %lu s\n", kind_names[k],
                   seconds);
            fail("a kind of structured round was never exercised", k, seconds);
        }
    printf("kfuzz: stops by vector:");
    for (unsigned v = 0; v <= KIDE_EXC_COUNT; v++)
        if (stops_by_vector[v])
            printf(" %u:%lu", v, stops_by_vector[v]);
    printf("\nkfuzz: late calls to cleared records (answered STOP): %lu\n",
           BASE_READ_ONCE(krt_late_calls));
    if (failed) {
        printf("kfuzz: FAIL seed=%lu calls=%lu\n", seed0, total_calls);
        base_exit_qemu(BASE_QEMU_FAILURE);
    }
    printf("kfuzz: ok calls=%lu respawns=%lu victim_iterations=%lu seed=%lu\n", total_calls,
           respawns, iters, seed0);
    base_exit_qemu(BASE_QEMU_SUCCESS);
}
