/* SPDX-License-Identifier: MIT */
/* core's protocol fuzzer: booted as the root habitat with core, it throws
 * random and half-valid requests at core's self portal and at the owner
 * portals of sub-accounts it creates, and lets some of those sub-accounts
 * fault in random ways. core must answer every call (a hang ends the run by
 * the runner's timeout), never fault (core's faults panic the machine), keep
 * its books straight (used never above quota), and, once everything the
 * fuzzer made is freed and destroyed, give back exactly the RAM it started
 * with. Then, for RACE_SECONDS, racers on both CPUs hammer core (RAM_ALLOC,
 * RAM_FREE, PORTAL, SM, grandchildren that hammer too, the odd fault) while
 * the fuzzer destroys them at random moments: destroy races calls queued on
 * their portals and the steps of long calls. The same binary is the children:
 * they idle, hammer, or fault as told.
 * Prints "core-fuzz: N calls, seed S" and "core-fuzz: ok"; exits 0 if the
 * final checks hold.
 */
#include "proto.h"

#define SECONDS      15
#define SLOTS        8
#define SEL_SLOT(i)  (1000 + 4 * (i)) /* owner portal; PD capability at +1 */
#define SEL_CHILDREN 990
#define RACE_SLOTS   4
#define SEL_RACE(i)  (2000 + 4 * (i))

static u64 rng;

static u64 rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

#define say log_line

static BASE_NORETURN void leave(u64 code)
{
    struct kide_core_chan ch = self_chan();
    kide_core_exit(&ch, &(struct kide_core_exit_req){.code = code});
    for (;;)
        base_pause();
}

/** A word that is often interesting: small, boundary, aligned heap address, selector. */
static u64 word(void)
{
    switch (rnd() % 12) {
    case 0:
        return 0;
    case 1:
        return 1;
    case 2:
        return ~0ull;
    case 3:
        return KIDE_COMP_HEAP + (rnd() % 4096) * 4096;
    case 4:
        return KIDE_COMP_SEL_FREE + rnd() % 512;
    case 5:
        return (rnd() % 16) * 4096;
    case 6:
        return 1ull << (rnd() % 64);
    case 7:
        return KIDE_COMP_HEAP_END - 4096 * (rnd() % 4);
    case 8:
        return rnd() % 300;
    case 9:
        return KIDE_COMP_UTCB + 4096 * (1 + rnd() % 64);
    default:
        return rnd();
    }
}

/* Leaves of core's records that device-memory mappings (IO_MEM) keep: RAM_FREE
 * leaves device pages alone (they go with the account), so the books after
 * cleaning up hold one 4 KiB leaf per 508-page block they lie in. */
#define LEAF_SLOTS 508
static u64 dev_leaf[4 * KIDE_CORE_DEV_GRANTS];
static unsigned dev_leaves;

static void note_io_mem(u64 va, u64 bytes)
{
    for (u64 key = (va >> 12) / LEAF_SLOTS; key <= ((va + bytes - 1) >> 12) / LEAF_SLOTS; key++) {
        bool seen = false;
        for (unsigned i = 0; i < dev_leaves; i++)
            seen |= dev_leaf[i] == key;
        if (!seen && dev_leaves < BASE_ARRAY_SIZE(dev_leaf))
            dev_leaf[dev_leaves++] = key;
    }
}

static bool slot_used[SLOTS];
static u64 slot_id[SLOTS]; /* its sub-account id (KIDE_CORE_OWN), stale once unused */

/** A selector the fuzzer itself calls or downs: an owner portal of its slots or
 *  racers (free while unused), or its children semaphore. */
static bool fuzzer_sel(u64 sel)
{
    return sel == SEL_CHILDREN || (sel >= SEL_SLOT(0) && sel < SEL_SLOT(SLOTS)) ||
           (sel >= SEL_RACE(0) && sel < SEL_RACE(RACE_SLOTS));
}

/* The word where a self request places a new object in the caller. */
static const unsigned obj_sel_word[] = {
        [KIDE_CORE_HANDLER] = 5, [KIDE_CORE_PORTAL] = 3, [KIDE_CORE_SM] = 1,
        [KIDE_CORE_IRQ] = 2,     [KIDE_CORE_SELF] = 2,   [KIDE_CORE_MSI] = 1,
};

/** Random self-session request; EXIT is never sent (it would end the fuzzer). */
static void fuzz_self(void)
{
    static const u64 ops[] = {KIDE_CORE_RAM_FREE,
                              KIDE_CORE_RAM_ALLOC,
                              KIDE_CORE_RAM_FREE,
                              KIDE_CORE_QUOTA,
                              KIDE_CORE_HANDLER,
                              KIDE_CORE_PORTAL,
                              KIDE_CORE_SM,
                              KIDE_CORE_CHILD,
                              KIDE_CORE_STATS,
                              KIDE_CORE_THREADS,
                              KIDE_CORE_IO_PORT,
                              KIDE_CORE_IRQ,
                              KIDE_CORE_ROM,
                              KIDE_CORE_SELF,
                              KIDE_CORE_OWN,
                              KIDE_CORE_NODES,
                              KIDE_CORE_IO_MEM,
                              KIDE_CORE_MSI,
                              KIDE_CORE_PCI_CONFIG,
                              KIDE_CORE_LOGS,
                              KIDE_CORE_THREAD_END,  /* THREAD itself would run random code */
                              KIDE_CORE_RAM_PROTECT, /* heap words: only pages it never touches */
                              0,
                              999};
    u64 op = ops[rnd() % BASE_ARRAY_SIZE(ops)];
    unsigned n = (unsigned)(rnd() % 24);
    utcb->words[0] = op;
    for (unsigned i = 1; i < n; i++)
        utcb->words[i] = word();
    if (op == KIDE_CORE_RAM_ALLOC && n > 2 && rnd() % 8) /* mostly sizes that finish fast */
        utcb->words[2] = (1 + rnd() % 64) * 4096;
    if (op == KIDE_CORE_RAM_FREE && rnd() % 2) { /* stands in for LOG: only bad lengths */
        utcb->words[0] = KIDE_CORE_LOG;
        utcb->words[1] = KIDE_CORE_LOG_MAX + 1 + rnd() % 100000;
    }
    if (op == KIDE_CORE_LOGS && rnd() % 2) { /* a name that may be a sub-account's */
        unsigned k = 3;
        utcb->words[1] = rnd() % 2 ? rnd() % 64 : word();
        utcb->words[2] = rnd() % 3;
        put_str(&k, rnd() % 4 ? "fz" : "Bad Name");
        n = k > n ? k : n;
    }
    if (op == KIDE_CORE_CHILD) {
        /* Sub-accounts only at selectors we know, so we can destroy them all. */
        unsigned s = (unsigned)(rnd() % SLOTS);
        if (slot_used[s])
            return;
        n = n < 10 ? 10 : n;
        utcb->words[1] = SEL_SLOT(s);
        utcb->words[2] = SEL_SLOT(s) + 1;
        utcb->words[3] = SEL_CHILDREN;
        if (rnd() % 2) {
            utcb->words[4] = (rnd() % 64) * 4096;
            utcb->words[5] = 16 + rnd() % 64;
        }
        if (rnd() % 2) {
            unsigned k = 8;
            put_str(&k, rnd() % 4 ? "fz" : "Bad Name");
            n = k > n ? k : n;
        }
        if (call(KIDE_COMP_SEL_CORE, n) == KIDE_OK) {
            slot_used[s] = true;
            slot_id[s] = utcb->words[1];
        }
        return;
    }
    /* Random objects never land where the fuzzer itself calls. A HANDLER is a
     * real EC in the fuzzer's own PD at a random IP and stack (core rightly
     * takes any user address: it cannot know what the PD maps there), and a
     * portal to it reached the free owner-portal selector of an unused slot
     * (seed 595542570: HANDLER ip 0x5ffffffff000, then PORTAL to it at
     * 1024 = 1 << 10 = SEL_SLOT(6)); the fuzzer's next owner call to slot 6 ran
     * that EC, it faulted, and a fault of init stops the machine: the fuzzer
     * harming itself, not a finding. Only these few selectors are moved; IPs,
     * stacks, UTCBs, ids, CPUs and every other selector (reserved ones below
     * KIDE_COMP_SEL_FREE, occupied ones, out of range) stay random. */
    unsigned at = op < sizeof(obj_sel_word) / sizeof(obj_sel_word[0]) ? obj_sel_word[op] : 0;
    if (at && at < n && fuzzer_sel(utcb->words[at]))
        utcb->words[at] = KIDE_COMP_SEL_FREE + rnd() % 512;
    u64 own_id = utcb->words[1], own_op = utcb->words[2];
    u64 utcb_va_bytes[2] = {utcb->words[2], utcb->words[3]}; /* IO_MEM's, before the reply */
    if (op == KIDE_CORE_OWN && n > 2) { /* mostly a slot's (live or stale) id, an owner op */
        if (rnd() % 2)
            utcb->words[1] = own_id = slot_id[rnd() % SLOTS];
        if (rnd() % 2)
            utcb->words[2] = own_op =
                    KIDE_OWN_LOAD + rnd() % (KIDE_OWN_LOAD_PAGES - KIDE_OWN_LOAD + 1);
    }
    int st = call(KIDE_COMP_SEL_CORE, n);
    if (op == KIDE_CORE_IO_MEM && st == KIDE_OK)
        note_io_mem(utcb_va_bytes[1], utcb_va_bytes[0]);
    if (op == KIDE_CORE_OWN && n > 2 && own_op == KIDE_OWN_DESTROY && st == KIDE_OK)
        for (unsigned s = 0; s < SLOTS; s++)
            if (slot_used[s] && slot_id[s] == own_id)
                slot_used[s] = false;
}

static void fuzz_owner(void)
{
    unsigned s = (unsigned)(rnd() % SLOTS);
    kide_sel own = SEL_SLOT(s);
    u64 op = KIDE_OWN_LOAD + rnd() % (KIDE_OWN_LOAD_PAGES - KIDE_OWN_LOAD + 1);
    unsigned n = 1;
    utcb->words[0] = op;
    switch (op) {
    case KIDE_OWN_LOAD:
        put_str(&n, rnd() % 3 ? "hoitaja" : "no-such-rom");
        break;
    case KIDE_OWN_LOAD_PAGES: {
        /* own RAM (the stack: snapshot taken, not an ELF), a boot module's pages
         * (the program: refused), or anything */
        u64 pick = rnd() % 3;
        utcb->words[n++] = pick == 0   ? KIDE_COMP_STACK_TOP - KIDE_COMP_STACK_SIZE
                           : pick == 1 ? 0x4000000000ull
                                       : word();
        utcb->words[n++] = rnd() % 2 ? (1 + rnd() % 16) * 4096 : word();
        put_str(&n, rnd() % 2 ? "pkg:fuzz/x/1" : "hoitaja");
        break;
    }
    case KIDE_OWN_ARGS:
        put_str(&n, rnd() % 2 ? "idle" : (rnd() % 2 ? "null" : "ud"));
        break;
    case KIDE_OWN_CONFIG:
        utcb->words[n++] = rnd() % 2 ? 2 : word();
        utcb->words[n++] = rnd() % 2 ? 0 : word();
        put_str(&n, "{}");
        break;
    default:
        n = (unsigned)(1 + rnd() % 6);
        for (unsigned i = 1; i < n; i++)
            utcb->words[i] = rnd() % 2 ? word() : rnd() % 128;
        if (op == KIDE_OWN_RAM && n > 1)
            utcb->words[1] = (rnd() % 256) * 4096;
    }
    if (rnd() % 16 == 0)
        utcb->msg = KIDE_MSG(rnd() % 600, 0); /* overlong or random length */
    int st = call(own, n);
    if (op == KIDE_OWN_DESTROY && st == KIDE_OK)
        slot_used[s] = false;
}

static u64 quota_used(u64 *quota)
{
    struct kide_core_chan ch = self_chan();
    struct kide_core_quota_rep rep;
    if (kide_core_quota(&ch, &rep) != KIDE_OK) {
        say("FAIL core-fuzz: QUOTA does not answer OK");
        leave(1);
    }
    *quota = rep.ram_quota;
    return rep.ram_used;
}

static u64 core_free_ram(void)
{
    struct kide_core_chan ch = self_chan();
    struct kide_core_stats_rep rep;
    return kide_core_stats(&ch, &rep) == KIDE_OK ? rep.ram_free : 0;
}

/* ---- the race: sub-accounts hammer core from both CPUs while init destroys
 * them (and they fault): destroy races calls queued on core's portals, steps
 * of RAM_ALLOC, RAM_FREE and DESTROY interleave across CPUs. ---- */

#define RACE_SECONDS 8

/** A child's endless stream of calls; sometimes a grandchild doing the same. */
static BASE_NORETURN void hammer(bool leaf)
{
    rng = base_rdtsc() | 1;
    struct kide_core_chan self = self_chan(), own = own_chan(500);
    struct kide_core_handler_req h = {.ip = 0x4000000000,
                                      .sp = KIDE_COMP_HEAP_END - 4096,
                                      .utcb = KIDE_COMP_UTCB + 0x100000,
                                      .id = 1,
                                      .sel = 600,
                                      .cpu = INFO->cpu}; /* as when absent: its own CPU */
    struct kide_core_handler_rep hrep;
    kide_core_handler(&self, &h, &hrep);
    /* Replies are not looked at: the race is the point. */
    union {
        struct kide_core_ram_alloc_rep alloc;
        struct kide_core_ram_free_rep free;
        struct kide_core_child_rep child;
        struct kide_core_quota_rep quota;
        struct kide_core_stats_rep stats;
        struct kide_own_state_rep state;
    } rep;
    for (kide_sel sel = 601;; sel = sel < 3000 ? sel + 1 : 601) {
        u64 va = KIDE_COMP_HEAP + (rnd() % 64) * (1ull << 22);
        switch (rnd() % 8) {
        case 0:
        case 1: {
            struct kide_core_ram_alloc_req a = {va, (1 + rnd() % 1024) * 4096, 3};
            kide_core_ram_alloc(&self, &a, &rep.alloc);
            break;
        }
        case 2: {
            struct kide_core_ram_free_req f = {
                    KIDE_COMP_HEAP, rnd() % 2 ? 1ull << 30 : KIDE_COMP_HEAP_END - KIDE_COMP_HEAP};
            kide_core_ram_free(&self, &f, &rep.free);
            break;
        }
        case 3:
            kide_core_portal_add(&self, &(struct kide_core_portal_req){0, 1 + sel, sel});
            break;
        case 4:
            kide_core_sm(&self, &(struct kide_core_sm_req){sel, 0});
            break;
        case 5:
            if (!leaf && rnd() % 8 == 0) { /* a grandchild, hammering too */
                struct kide_core_child_req c = {.own_sel = 500,
                                                .pd_sel = 501,
                                                .sm_sel = 502,
                                                .ram = 4 << 20,
                                                .caps = 128,
                                                .cpu_pct = 20,
                                                .prio = 10};
                KIDE_WIRE_STR(c.name, "leaf", 4);
                if (kide_core_child(&self, &c, &rep.child) == KIDE_OK) {
                    struct kide_own_load_req load;
                    struct kide_own_args_req args;
                    KIDE_WIRE_STR(load.rom, "hoitaja", 7);
                    kide_own_load(&own, &load);
                    KIDE_WIRE_STR(args.args, "hammer-leaf", 11);
                    kide_own_args(&own, &args);
                    kide_own_start(&own);
                }
                break;
            }
            kide_core_quota(&self, &rep.quota);
            break;
        case 6:
            if (rnd() % 512 == 0)
                *(volatile u64 *)0 = 1; /* a stop racing the calls of others */
            kide_core_stats(&self, &rep.stats);
            break;
        default:
            kide_own_state(&own, &rep.state); /* its grandchild, if any */
        }
    }
}

static bool race_live[RACE_SLOTS];

static int race_start(unsigned i, u64 cpus)
{
    kide_sel own = SEL_RACE(i);
    u64 *w = utcb->words;
    unsigned n = 0;
    w[n++] = KIDE_CORE_CHILD, w[n++] = own, w[n++] = own + 1, w[n++] = SEL_CHILDREN;
    w[n++] = 24 << 20, w[n++] = 1024, w[n++] = 20, w[n++] = 10;
    put_str(&n, "racer");
    int st = call(KIDE_COMP_SEL_CORE, n);
    if (st != KIDE_OK)
        return st;
    race_live[i] = true;
    w[0] = KIDE_OWN_AFFINITY, w[1] = i % cpus;
    call(own, 2);
    n = 0;
    w[n++] = KIDE_OWN_LOAD;
    put_str(&n, "hoitaja");
    if ((st = call(own, n)) != KIDE_OK)
        return st;
    n = 0;
    w[n++] = KIDE_OWN_ARGS;
    put_str(&n, "hammer");
    call(own, n);
    w[0] = KIDE_OWN_START;
    return call(own, 1);
}

static void race_destroy(unsigned i, u64 seed)
{
    utcb->words[0] = KIDE_OWN_DESTROY;
    if (call(SEL_RACE(i), 1) != KIDE_OK) {
        say("FAIL core-fuzz: race: destroying racer %u (seed %lu)", i, seed);
        leave(1);
    }
    race_live[i] = false;
}

/** Start racers, let them run a random while, destroy one; RACE_SECONDS long. */
static void race(u64 seed)
{
    utcb->words[0] = KIDE_CORE_STATS;
    call(KIDE_COMP_SEL_CORE, 1);
    u64 cpus = utcb->words[5] ? utcb->words[5] : 1, rounds = 0, starts = 0;
    u64 end = base_now() + RACE_SECONDS * 1000000000ull;
    while (base_now() < end) {
        for (unsigned i = 0; i < RACE_SLOTS; i++)
            if (!race_live[i])
                starts += race_start(i, cpus) == KIDE_OK;
        u64 until = base_now() + (rnd() % 30) * BASE_MS;
        while (base_now() < until)
            kide_ctrl_sm(KIDE_CTRL_SM_DOWN, SEL_CHILDREN, until);
        race_destroy((unsigned)(rnd() % RACE_SLOTS), seed);
        rounds++;
    }
    for (unsigned i = 0; i < RACE_SLOTS; i++)
        if (race_live[i])
            race_destroy(i, seed);
    say("core-fuzz: race: %lu rounds, %lu racers started on %lu CPUs", rounds, starts, cpus);
}

static void as_child(const char *args)
{
    if (!strncmp(args, "hammer", 6))
        hammer(!strcmp(args, "hammer-leaf"));
    if (!strcmp(args, "null"))
        *(volatile u64 *)0 = 1;
    if (!strcmp(args, "ud"))
        __asm__ volatile("ud2");
    /* idle: wait on the signal semaphore forever (until destroyed) */
    for (;;)
        kide_ctrl_sm(KIDE_CTRL_SM_DOWN, KIDE_COMP_SEL_SIGNAL, 0);
}

BASE_NORETURN void test_main(struct kide_utcb *u)
{
    utcb = u;
    if (strcmp(INFO->name, "init")) {
        as_child(INFO->args);
        leave(0);
    }
    /* "seed=N" in init's arguments replays a run. */
    const char *s = base_cmdline_get(INFO->args, "seed");
    rng = s ? base_strtou64(s, NULL) : base_rdtsc();
    rng = rng ? rng : 1;
    u64 seed = rng;
    /* Our first line takes our log ring from our quota: before the books open. */
    say("core-fuzz: seed %lu, %u s", seed, SECONDS);
    u64 quota0, used0 = quota_used(&quota0), free0 = core_free_ram();
    u64 end = base_now() + SECONDS * 1000000000ull, calls = 0;
    while (base_now() < end) {
        for (unsigned i = 0; i < 200; i++, calls++)
            rnd() % 3 ? fuzz_self() : fuzz_owner();
        if (calls % 20000 == 0)
            say("core-fuzz: %lu calls", calls);
        u64 q, used = quota_used(&q);
        if (used > q) {
            say("FAIL core-fuzz: used %lu above quota %lu (seed %lu)", used, q, seed);
            leave(1);
        }
    }
    race(seed);
    /* Clean up everything we made, then the books must balance. */
    for (unsigned s = 0; s < SLOTS; s++) {
        utcb->words[0] = KIDE_OWN_DESTROY;
        if (slot_used[s] && call(SEL_SLOT(s), 1) != KIDE_OK) {
            say("FAIL core-fuzz: destroying slot %u (seed %lu)", s, seed);
            leave(1);
        }
    }
    /* The log rings of our ended sub-accounts stay with us until we forget them. */
    for (unsigned k = 0; k < 2; k++) {
        unsigned n = 3;
        utcb->words[0] = KIDE_CORE_LOGS;
        utcb->words[1] = 0;
        utcb->words[2] = KIDE_LOGS_FORGET;
        put_str(&n, k ? "racer" : "fz");
        int st = call(KIDE_COMP_SEL_CORE, n);
        if (st != KIDE_OK && st != KIDE_NOT_FOUND) {
            say("FAIL core-fuzz: forgetting the ring of %s: %d (seed %lu)", k ? "racer" : "fz", st,
                seed);
            leave(1);
        }
    }
    utcb->words[0] = KIDE_CORE_RAM_FREE;
    utcb->words[1] = KIDE_COMP_HEAP;
    utcb->words[2] = KIDE_COMP_HEAP_END - KIDE_COMP_HEAP;
    call(KIDE_COMP_SEL_CORE, 3);
    /* random words (1 << n, small pages) also land in the low window */
    utcb->words[0] = KIDE_CORE_RAM_FREE;
    utcb->words[1] = KIDE_COMP_LOW;
    utcb->words[2] = KIDE_COMP_LOW_END - KIDE_COMP_LOW;
    call(KIDE_COMP_SEL_CORE, 3);
    u64 quota1, used1 = quota_used(&quota1), free1 = core_free_ram();
    say("core-fuzz: %lu calls, seed %lu; used %lu -> %lu, core free RAM %lu -> %lu", calls, seed,
        used0, used1, free0, free1);
    u64 kept = dev_leaves * 4096ull;
    if (kept)
        say("core-fuzz: %u leaves of device-memory records stay with init", dev_leaves);
    if (used1 != used0 + kept || quota1 != quota0 || free1 + kept != free0) {
        say("FAIL core-fuzz: the books do not balance after cleaning up (seed %lu)", seed);
        leave(1);
    }
    utcb->words[0] = KIDE_CORE_STATS;
    call(KIDE_COMP_SEL_CORE, 1);
    say("core-fuzz: longest hold of core's lock %lu us (a hold over 1 s fails the run)",
        utcb->words[6]);
    say("core-fuzz: ok");
    leave(0);
}
