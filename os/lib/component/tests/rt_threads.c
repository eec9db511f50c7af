/* SPDX-License-Identifier: MIT */
/* The runtime's QEMU test, part two: threads (KIDE_CORE_THREAD), the low
 * window, EXIT's signal and the CPU budget split.
 *
 * Tests that need a component of their own start this same binary (module
 * "hoitaja") as a sub-account whose args name what it does (rt_child_main):
 * end by a signal, send a bad signal, fault in a thread, or spin in n threads.
 * The split test runs a 16-thread spinner at 10% against a one-thread spinner
 * at 90% on the one CPU: the CPU is never idle, so each gets its budget and no
 * more, and the 17 threads must add up to the 10%, not 17 x 10%.
 */
#include "rt_test.h"

/* ---- sub-accounts of the test ---- */

struct sub {
    kide_sel owner, pd;
    kide_u64 id;
};

static kide_sel children_sm;

static struct kide_core_chan self_chan(void)
{
    return kide_core_self_chan(kide_utcb(), KIDE_COMP_SEL_CORE);
}

/* A sub-account running this binary with args, at pct% of our CPU. */
static int sub_start(struct sub *s, const char *name, const char *args, kide_u64 pct, kide_u64 caps)
{
    if (!children_sm && !(children_sm = kide_sel_alloc(0)))
        return KIDE_QUOTA;
    if (!(s->owner = kide_sel_alloc(1)))
        return KIDE_QUOTA;
    s->pd = s->owner + 1;
    kide_u64 prio = kide_info(E)->priority ? kide_info(E)->priority - 1 : 0;
    struct kide_core_child_req req = {.own_sel = s->owner,
                                      .pd_sel = s->pd,
                                      .sm_sel = children_sm,
                                      .ram = 8u << 20,
                                      .caps = caps,
                                      .cpu_pct = pct,
                                      .prio = prio};
    struct kide_core_child_rep rep;
    struct kide_core_chan ch = self_chan();
    int st = KIDE_WIRE_STR(req.name, name, kide_wire_strlen(name));
    if (st == KIDE_OK)
        st = kide_core_child(&ch, &req, &rep);
    if (st != KIDE_OK)
        return st;
    s->id = rep.id;
    struct kide_core_chan own = kide_core_owner_chan(kide_utcb(), s->owner);
    struct kide_own_load_req load;
    struct kide_own_args_req a;
    KIDE_WIRE_STR(load.rom, "hoitaja", 7);
    KIDE_WIRE_STR(a.args, args, kide_wire_strlen(args));
    st = kide_own_load(&own, &load);
    if (st == KIDE_OK)
        st = kide_own_args(&own, &a);
    if (st == KIDE_OK)
        st = kide_own_start(&own);
    return st;
}

static int sub_state(struct sub *s, struct kide_own_state_rep *w)
{
    struct kide_core_chan own = kide_core_owner_chan(kide_utcb(), s->owner);
    return kide_own_state(&own, w);
}

/* Wait (60 s at most) until the sub-account has ended; its state in *w. */
static int sub_wait_end(struct sub *s, struct kide_own_state_rep *w)
{
    kide_u64 deadline = kide_now_ns() + 60000000000ull;
    for (;;) {
        int st = sub_state(s, w);
        if (st != KIDE_OK || w->state == KIDE_ACC_EXITED || w->state == KIDE_ACC_FAULTED)
            return st;
        if (kide_now_ns() > deadline)
            return KIDE_TIMEOUT;
        kide_ctrl_sm(KIDE_CTRL_SM_DOWN, children_sm, kide_now_ns() + 100000000ull);
    }
}

static void sub_destroy(struct sub *s)
{
    struct kide_core_chan own = kide_core_owner_chan(kide_utcb(), s->owner);
    kide_own_destroy(&own);
    kide_sel_free(s->owner, 1);
}

/* ---- the sub-accounts' side ---- */

static void spin(void *arg)
{
    (void)arg;
    for (volatile kide_u64 i = 0;; i++)
        ;
}

static volatile kide_u64 fault_at = 8; /* below the low window: never mapped */

static void fault(void *arg)
{
    (void)arg;
    *(volatile int *)fault_at = 1;
}

void rt_child_main(struct kide_env *env)
{
    const char *args = kide_args(env);
    struct kide_thread t;
    if (!strcmp(args, "signal"))
        kide_exit_signal(env, 128 + 9, 9);
    if (!strcmp(args, "badsignal")) {
        struct kide_core_chan ch = rt_core_chan();
        struct kide_core_exit_req req = {.code = 1, .signal = KIDE_SIGNAL_MAX + 1};
        kide_exit(env, kide_core_exit(&ch, &req) == KIDE_BAD_PARAM ? 42 : 41);
    }
    if (!strcmp(args, "thread-fault")) {
        if (kide_thread_start(env, fault, 0, 0, &t) != KIDE_OK)
            kide_exit(env, 2);
        for (;;)
            kide_sleep_ms(1000);
    }
    if (!strncmp(args, "spin", 4)) {
        unsigned n = 0;
        for (const char *p = args + 4; *p == ' ' || (*p >= '0' && *p <= '9'); p++)
            n = *p == ' ' ? n : n * 10 + (unsigned)(*p - '0');
        for (unsigned i = 0; i < n; i++)
            if (kide_thread_start(env, spin, 0, 16384, &t) != KIDE_OK)
                kide_exit(env, 3);
        spin(0);
    }
}

/* ---- threads ---- */

#define ROUNDS 3000

static struct kide_mutex mx;
static volatile kide_u64 counter;
static volatile kide_u64 seen_utcb[2];
static kide_sel done_sm;

static void count(void *arg)
{
    kide_u64 who = (kide_u64)arg;
    seen_utcb[who] = (kide_u64)kide_utcb(); /* the runtime knows this thread's UTCB */
    for (unsigned i = 0; i < ROUNDS; i++) {
        kide_mutex_lock(&mx);
        kide_u64 c = counter;
        for (volatile int d = 0; d < 50; d++) /* widen the window a race would need */
            ;
        counter = c + 1;
        kide_mutex_unlock(&mx);
    }
    kide_log(E, "rt-test: thread %lu counted", who);
    kide_ctrl_sm(KIDE_CTRL_SM_UP, done_sm, 0);
}

static unsigned threads_now(kide_u64 *sum)
{
    struct kide_core_chan ch = self_chan();
    struct kide_core_threads_rep rep;
    if (kide_core_threads(&ch, &rep) != KIDE_OK)
        return 0;
    *sum = 0;
    for (kide_u64 i = 0; i < rep.n && i < KIDE_CORE_MAX_THREADS; i++)
        *sum += rep.ns[i];
    return (unsigned)rep.n;
}

static kide_u64 quota_ns(void)
{
    struct kide_quota q;
    return kide_quota(E, &q) == KIDE_OK ? q.cpu_ns : 0;
}

static kide_u64 caps_used(void)
{
    struct kide_quota q;
    return kide_quota(E, &q) == KIDE_OK ? q.caps_used : 0;
}

static kide_u64 core_caps_free(void)
{
    struct kide_core_chan ch = self_chan();
    struct kide_core_stats_rep rep;
    return kide_core_stats(&ch, &rep) == KIDE_OK ? rep.caps_free : 0;
}

static kide_u64 ram_used(void)
{
    struct kide_quota q;
    return kide_quota(E, &q) == KIDE_OK ? q.ram_used : 0;
}

/* Down sm `times` times, each within 60 s. */
static int wait_sm(kide_sel sm, unsigned times)
{
    for (unsigned i = 0; i < times; i++)
        if (kide_ctrl_sm(KIDE_CTRL_SM_DOWN, sm, kide_now_ns() + 60000000000ull) != KIDE_OK)
            return KIDE_TIMEOUT;
    return KIDE_OK;
}

void t_threads(void)
{
    struct kide_thread t[2];
    kide_u64 sum;
    CHECK(kide_mutex_init(E, &mx) == KIDE_OK && kide_sm_create(E, 0, &done_sm) == KIDE_OK);
    CHECK(threads_now(&sum) == 1);
    kide_u64 base = ram_used(), caps0 = caps_used();
    CHECK(kide_thread_start(E, count, (void *)0, 0, &t[0]) == KIDE_OK);
    CHECK(kide_thread_start(E, count, (void *)1, 32768, &t[1]) == KIDE_OK);
    CHECK(caps_used() > caps0); /* EC, UTCB and SC are the component's kernel memory */
    CHECK(t[0].id != t[1].id && t[0].utcb != t[1].utcb && t[0].ec && t[1].ec);
    CHECK(wait_sm(done_sm, 2) == KIDE_OK);
    CHECK(counter == 2 * ROUNDS);
    CHECK(seen_utcb[0] == t[0].utcb && seen_utcb[1] == t[1].utcb);
    kide_u64 before = quota_ns();
    CHECK(kide_thread_end(E, &t[0]) == KIDE_OK && kide_thread_end(E, &t[1]) == KIDE_OK);
    CHECK(kide_thread_end(E, &t[0]) == KIDE_BAD_PARAM); /* gone */
    /* Ended threads' time stays counted; the report still adds up. */
    CHECK(threads_now(&sum) == 1);
    CHECK(quota_ns() >= before && sum >= before);
    CHECK(ram_used() == base); /* stacks freed */
}

static kide_sel hold_sm;

static void hold(void *arg)
{
    (void)arg;
    kide_ctrl_sm(KIDE_CTRL_SM_DOWN, hold_sm, 0);
}

void t_thread_limit(void)
{
    static struct kide_thread t[KIDE_CORE_MAX_THREADS];
    unsigned n = 0;
    kide_u64 sum;
    CHECK(kide_sm_create(E, 0, &hold_sm) == KIDE_OK);
    while (n < KIDE_CORE_MAX_THREADS && kide_thread_start(E, hold, 0, 8192, &t[n]) == KIDE_OK)
        n++;
    CHECK(n == KIDE_CORE_MAX_THREADS - 1);
    CHECK(kide_thread_start(E, hold, 0, 8192, &t[n]) == KIDE_QUOTA);
    CHECK(threads_now(&sum) == KIDE_CORE_MAX_THREADS);
    /* core itself refuses the next one, saying why (w1 = 1: the thread limit). */
    kide_sel sel = kide_sel_alloc(0);
    struct kide_core_chan ch = self_chan();
    struct kide_core_thread_req req = {(kide_u64)hold, 0x1000, rt_utcb_area() + 0x400000, sel, 0};
    struct kide_core_thread_rep rep;
    CHECK(kide_core_thread(&ch, &req, &rep) == KIDE_QUOTA && rep.id == 1);
    kide_sel_free(sel, 0);
    for (unsigned i = 0; i < n; i++)
        kide_ctrl_sm(KIDE_CTRL_SM_UP, hold_sm, 0);
    for (unsigned i = 0; i < n; i++)
        CHECK(kide_thread_end(E, &t[i]) == KIDE_OK);
    CHECK(threads_now(&sum) == 1);
    /* and the slots are there again */
    CHECK(kide_thread_start(E, hold, 0, 0, &t[0]) == KIDE_OK);
    kide_ctrl_sm(KIDE_CTRL_SM_UP, hold_sm, 0);
    CHECK(kide_thread_end(E, &t[0]) == KIDE_OK);
}

void t_thread_bad(void)
{
    kide_sel sel = kide_sel_alloc(0);
    struct kide_core_chan ch = self_chan();
    struct kide_core_thread_rep rep;
    kide_u64 ok_utcb = rt_utcb_area() + 0x400000;
    struct kide_core_thread_req bad[] = {
            {0x1000, 0x1000, KIDE_COMP_HEAP, sel, 0},       /* UTCB in the heap */
            {0x1000, 0x1000, ok_utcb + 8, sel, 0},          /* unaligned */
            {0x1000, 0x1000, KIDE_COMP_UTCB, sel, 0},       /* the main EC's */
            {0x1000, 0x1000, ok_utcb, 5, 0},                /* core's selector range */
            {0x1000, 0x1000, ok_utcb, sel, 7},              /* evt_base below the free ones */
            {0x1000, 0x1000, ok_utcb, sel, ~0ull - 10},     /* evt_base out of range */
            {KIDE_USER_END, 0x1000, ok_utcb, sel, 0},       /* ip not a user address */
            {0x1000, KIDE_USER_END + 16, ok_utcb, sel, 0}}; /* sp not a user address */
    int want[] = {KIDE_BAD_ADDR,  KIDE_BAD_ADDR,  KIDE_BAD_ADDR,  KIDE_BAD_PARAM,
                  KIDE_BAD_PARAM, KIDE_BAD_PARAM, KIDE_BAD_PARAM, KIDE_BAD_PARAM};
    for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        int st = kide_core_thread(&ch, &bad[i], &rep);
        if (st != want[i])
            kide_log(E, "rt-test: thread-bad: case %u gave %s", i, kide_status_name(st));
        CHECK(st == want[i]);
    }
    struct kide_core_thread_end_req end = {12345};
    CHECK(kide_core_thread_end(&ch, &end) == KIDE_BAD_PARAM);
    struct kide_thread none = {0, 0, 0};
    CHECK(kide_thread_end(E, &none) == KIDE_BAD_PARAM);
    CHECK(kide_thread_start(E, 0, 0, 0, &none) == KIDE_BAD_PARAM);
    kide_sel_free(sel, 0);
}

/* ---- the low window ---- */

static int ram_map(kide_u64 va, kide_u64 bytes)
{
    struct kide_core_chan ch = self_chan();
    struct kide_core_ram_alloc_req req = {va, bytes, KIDE_MEM_R | KIDE_MEM_W};
    struct kide_core_ram_alloc_rep rep;
    return kide_core_ram_alloc(&ch, &req, &rep);
}

static int ram_unmap(kide_u64 va, kide_u64 bytes, kide_u64 *freed)
{
    struct kide_core_chan ch = self_chan();
    struct kide_core_ram_free_req req = {va, bytes};
    struct kide_core_ram_free_rep rep;
    int st = kide_core_ram_free(&ch, &req, &rep);
    *freed = rep.freed;
    return st;
}

void t_low_window(void)
{
    kide_u64 base = ram_used(), freed;
    CHECK(ram_map(0x400000, 0x2000) == KIDE_OK);
    volatile char *p = (volatile char *)0x400000;
    CHECK(p[0] == 0 && p[0x1fff] == 0);
    p[0] = 'k', p[0x1fff] = 'e';
    CHECK(p[0] == 'k' && p[0x1fff] == 'e');
    CHECK(ram_map(0x401000, 0x1000) == KIDE_BAD_ADDR); /* occupied */
    CHECK(ram_unmap(0x400000, 0x2000, &freed) == KIDE_OK && freed == 0x2000);
    CHECK(ram_used() == base);
    /* the first page of the window and its last */
    CHECK(ram_map(KIDE_COMP_LOW, 0x1000) == KIDE_OK);
    CHECK(ram_map(KIDE_COMP_LOW_END - 0x1000, 0x1000) == KIDE_OK);
    CHECK(ram_unmap(KIDE_COMP_LOW, 0x1000, &freed) == KIDE_OK && freed == 0x1000);
    CHECK(ram_unmap(KIDE_COMP_LOW_END - 0x1000, 0x1000, &freed) == KIDE_OK && freed == 0x1000);
    /* refused: below it, across its ends, the program image */
    CHECK(ram_map(0, 0x1000) == KIDE_BAD_ADDR);
    CHECK(ram_map(0xf000, 0x1000) == KIDE_BAD_ADDR);
    CHECK(ram_map(0xf000, 0x2000) == KIDE_BAD_ADDR);
    CHECK(ram_map(KIDE_COMP_LOW_END - 0x1000, 0x2000) == KIDE_BAD_ADDR);
    CHECK(ram_map(KIDE_COMP_LOW_END, 0x1000) == KIDE_BAD_ADDR);
    CHECK(ram_map(KIDE_COMP_LOW, KIDE_COMP_HEAP) == KIDE_BAD_ADDR); /* both windows */
    CHECK(ram_unmap(KIDE_COMP_LOW_END, 0x1000, &freed) == KIDE_BAD_PARAM);
    CHECK(ram_unmap(0, 0x10000, &freed) == KIDE_BAD_PARAM);
    CHECK(ram_used() == base);
    /* a boot module mapped there */
    struct kide_core_chan ch = self_chan();
    struct kide_core_rom_req rom = {.va = 0x800000};
    struct kide_core_rom_rep size;
    KIDE_WIRE_STR(rom.name, "init.json", 9);
    CHECK(kide_core_rom(&ch, &rom, &size) == KIDE_OK && size.size > 0);
    CHECK(*(volatile char *)0x800000 == '{');
    rom.va = 0xf000;
    CHECK(kide_core_rom(&ch, &rom, &size) == KIDE_BAD_ADDR);
}

/* ---- EXIT's signal, a faulting thread ---- */

void t_exit_signal(void)
{
    struct sub s;
    struct kide_own_state_rep w;
    CHECK(sub_start(&s, "sig", "signal", 0, 64) == KIDE_OK);
    CHECK(sub_wait_end(&s, &w) == KIDE_OK);
    CHECK(w.state == KIDE_ACC_EXITED && w.exit_code == 137 && w.signal == 9);
    sub_destroy(&s);
    CHECK(sub_start(&s, "badsig", "badsignal", 0, 64) == KIDE_OK);
    CHECK(sub_wait_end(&s, &w) == KIDE_OK);
    CHECK(w.state == KIDE_ACC_EXITED && w.exit_code == 42 && w.signal == 0);
    sub_destroy(&s);
}

void t_thread_fault(void)
{
    struct sub s;
    struct kide_own_state_rep w;
    CHECK(sub_start(&s, "tfault", "thread-fault", 0, 64) == KIDE_OK);
    CHECK(sub_wait_end(&s, &w) == KIDE_OK);
    CHECK(w.state == KIDE_ACC_FAULTED && w.fault_vector == 14 && w.fault_addr == 8);
    CHECK(w.threads == 0 && w.signal == 0);
    sub_destroy(&s);
}

/* ---- the CPU budget split ---- */

/* Its budgets add up to its quota exactly (core's acc_thread_sc). What it gets on
 * top is background-band time: the spinner at 70% loses budget to the 17
 * staggered periods at its priority, and the kernel shares that time round robin
 * per SC (1 ms slices each), so many threads win more of it. Measured under a
 * loaded TCG: 1 thread 33%, 17 threads 46%; without the split 17 threads take 92%. */
#define SPLIT_THREADS 16
#define SPLIT_PCT     30
#define SPLIT_MAX_PCT 60

void t_cpu_split(void)
{
    struct sub a, b;
    struct kide_own_state_rep wa, wb;
    char args[16];
    kide_snprintf(args, sizeof(args), "spin %u", SPLIT_THREADS);
    kide_u64 caps_free0 = core_caps_free(), caps0 = caps_used();
    CHECK(sub_start(&a, "many", args, SPLIT_PCT, 512) == KIDE_OK);
    CHECK(sub_start(&b, "one", "spin", 100 - SPLIT_PCT, 64) == KIDE_OK);
    /* Wait until all its threads run (a condition with a deadline), then measure. */
    kide_u64 deadline = kide_now_ns() + 60000000000ull;
    do {
        CHECK(sub_state(&a, &wa) == KIDE_OK && wa.state == KIDE_ACC_RUNNING);
        if (wa.threads == 1 + SPLIT_THREADS)
            break;
        kide_sleep_ms(50);
    } while (kide_now_ns() < deadline);
    CHECK(wa.threads == 1 + SPLIT_THREADS);
    kide_sleep_ms(500);
    CHECK(sub_state(&a, &wa) == KIDE_OK && sub_state(&b, &wb) == KIDE_OK);
    kide_u64 a0 = wa.cpu_ns, b0 = wb.cpu_ns;
    kide_sleep_ms(3000);
    CHECK(sub_state(&a, &wa) == KIDE_OK && sub_state(&b, &wb) == KIDE_OK);
    kide_u64 da = wa.cpu_ns - a0, db = wb.cpu_ns - b0;
    kide_u64 pct10 = da + db ? da * 1000 / (da + db) : 0;
    kide_log(E, "rt-test: cpu-split: %u threads at %u%%: %lu.%lu%% of the CPU (%lu ms vs %lu ms)",
             1 + SPLIT_THREADS, SPLIT_PCT, pct10 / 10, pct10 % 10, da / 1000000, db / 1000000);
    CHECK(wa.state == KIDE_ACC_RUNNING && wb.state == KIDE_ACC_RUNNING);
    CHECK(pct10 <= SPLIT_MAX_PCT * 10);
    CHECK(pct10 >= 20); /* it did run */
    sub_destroy(&a);
    sub_destroy(&b);
    /* destroying them ended every thread: all kernel memory is back */
    kide_log(E, "rt-test: cpu-split: core free pages %lu -> %lu, ours used %lu -> %lu", caps_free0,
             core_caps_free(), caps0, caps_used());
    CHECK(caps_used() == caps0);
}
