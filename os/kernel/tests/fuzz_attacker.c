/* SPDX-License-Identifier: MIT */
/* kfuzz-attacker: issues random system calls with random and malformed
 * arguments, from an unprivileged PD (fuzz.h).
 *
 * Arguments are drawn from a seeded xorshift generator and biased towards
 * what reaches deep into the kernel: selectors near the attacker's own
 * capabilities, well-formed and malformed CRDs, addresses of its own pages,
 * of user-space limits and of the kernel, plus plain random words. The UTCB
 * (message word, receive window, untyped words and typed items) is
 * scrambled before every call. Two restraints keep the attacker from
 * starving the victim by legitimate means (which is policy, not a kernel
 * bug): SCs it creates or changes never get a priority above its own, and
 * new ECs never start inside its own code.
 * With more than one CPU a second EC of the same PD runs the same loop on
 * another CPU, so the two race on the same objects (res15 counts its calls).
 * Every few hundred calls the main EC runs a structured round instead
 * (fuzz_struct.c); the second EC pauses meanwhile, so that the round's
 * oracle sees only what the round did.
 */
#include <krt/spawn.h>
#include "fuzz.h"

extern char __image_start[], __image_end[];

/* Up to two ECs run this code (the second on another CPU, in the same PD,
 * so that they race on the same objects): each has its own generator. */
static u64 rs_of[KRT_CHILD_MAX_EC];

/** Which of the PD's ECs runs this: its stack slot tells (krt/spawn.h layout). */
static unsigned self(void)
{
    u64 sp;
    __asm__("mov %%rsp, %0" : "=r"(sp));
    return (unsigned)((sp - KRT_CHILD_STACKS) / (2 * KRT_CHILD_STACK_SIZE)) % KRT_CHILD_MAX_EC;
}

static u64 rnd(void)
{
    u64 *rs = &rs_of[self()];
    *rs ^= *rs << 13;
    *rs ^= *rs >> 7;
    *rs ^= *rs << 17;
    return *rs;
}
static u64 pick(u64 n)
{
    return rnd() % n;
}

/* The pause of the second EC during a structured round: the main EC sets
 * pause_req, the second EC answers with paused and waits until it is
 * cleared. */
static volatile u32 pause_req, paused;

/** Sleep about 1 ms (on the attacker's semaphore if random calls left it). */
static void nap(void)
{
    int st = kide_ctrl_sm(KIDE_CTRL_SM_DOWN, FZ_SEL_SM, base_now() + BASE_MS);
    if (st != KIDE_OK && st != KIDE_TIMEOUT)
        kide_null();
}

/** The second EC: wait while a structured round runs. */
static void pause_point(void)
{
    if (!pause_req)
        return;
    paused = 1;
    while (pause_req)
        nap();
    paused = 0;
}

/** The main EC: one structured round, with the second EC paused (if it does
 *  not answer within 200 ms while making no calls, it is stopped or blocked
 *  and cannot interfere either). */
static void structured_round(volatile struct krt_child_info *info, struct kide_utcb *u)
{
    if (info->arg[1] > 1) {
        pause_req = 1;
        u64 dl = base_now() + 200 * BASE_MS, c2 = info->res[15];
        while (!paused && base_now() < dl)
            nap();
        if (!paused && info->res[15] != c2) {
            pause_req = 0;
            return;
        }
    }
    fzs_round(u);
    pause_req = 0;
}

static u64 r_sel(void)
{
    switch (pick(8)) {
    case 0:
        return pick(0x10000);
    case 1:
        return rnd();
    case 2:
        return KRT_CHILD_EVT(0) + pick(40); /* its exception portals: rarely called */
    case 3:
        return 0;
    default:
        return FZ_SEL_SM + pick(24); /* its caps and free slots around them */
    }
}

static u64 r_page(void)
{
    switch (pick(8)) {
    case 0:
        return ((u64)__image_start >> 12) + pick(64);
    case 1:
        return (KRT_CHILD_INFO >> 12) + pick(4);
    case 2:
        return (KRT_CHILD_UTCBS >> 12) + pick(4);
    case 3:
        return (KIDE_USER_END >> 12) - pick(4);
    case 4:
        return rnd() >> 12;
    case 5:
        return (KRT_CHILD_STACKS >> 12) + pick(64);
    default:
        return (KRT_CHILD_FREE_VA >> 12) + pick(1 << 12);
    }
}

static u64 r_crd(void)
{
    unsigned kind = (unsigned)pick(4), order = (unsigned)(pick(4) ? pick(4) : pick(32));
    u64 base;
    if (pick(16) == 0)
        return rnd();
    switch (kind) {
    case KIDE_CRD_OBJ:
        base = r_sel();
        break;
    case KIDE_CRD_MEM:
        base = r_page();
        break;
    case KIDE_CRD_IO:
        base = pick(2) ? 0x3f8 + pick(8) : pick(0x10000);
        break;
    default:
        base = rnd();
    }
    if (pick(4))
        base &= ~((1ull << (order < 52 ? order : 0)) - 1);
    return KIDE_CRD(kind, base & 0xfffffffffffffull, order, pick(32));
}

static u64 r_addr(void)
{
    switch (pick(8)) {
    case 0:
        return rnd();
    case 1:
        return r_page() << 12;
    case 2:
        return (r_page() << 12) + pick(4096);
    case 3:
        return 0xffff800000000000ull + pick(1ull << 40);
    case 4:
        return KIDE_USER_END - 4096 * pick(3);
    case 5:
        return 0x0000800000000000ull + pick(1ull << 20);
    default:
        return KRT_CHILD_FREE_VA + (pick(1 << 20) << 12);
    }
}

static u64 r_num(void)
{
    switch (pick(6)) {
    case 0:
        return rnd();
    case 1:
        return pick(16);
    case 2:
        return 1ull << pick(64);
    case 3:
        return (1ull << pick(64)) - 1;
    case 4:
        return pick(20000000); /* around the scheduling limits */
    default:
        return pick(0x10000);
    }
}

static u64 r_arg(void)
{
    switch (pick(5)) {
    case 0:
        return r_sel();
    case 1:
        return r_crd();
    case 2:
        return r_addr();
    case 3:
        return r_num();
    default:
        return rnd();
    }
}

static void scramble_utcb(struct kide_utcb *u)
{
    unsigned untyped = (unsigned)(pick(4) ? pick(16) : pick(0x400));
    unsigned typed = (unsigned)(pick(2) ? pick(4) : pick(256));
    u->msg = KIDE_MSG(untyped & 0x3ff, typed & 0xff) | (pick(8) ? 0 : rnd() & ~0xffffffffull);
    u->rcv_crd = r_crd();
    unsigned n = untyped < KIDE_UTCB_WORDS ? untyped : 16;
    for (unsigned i = 0; i < n; i++)
        u->words[i] = r_arg();
    for (unsigned i = 0; i < typed && untyped + 2 * i + 1 < KIDE_UTCB_WORDS; i++) {
        u->words[untyped + 2 * i] = r_crd();
        u->words[untyped + 2 * i + 1] = pick(4) ? pick(8) : rnd();
    }
}

static u64 r_prio_capped(void)
{
    return pick(16) ? pick(FZ_PRIO + 1) : pick(256);
}

/* What the attacker created, by selector (1100 + i), so that calls often get
 * past the capability checks and reach the deeper ones. Stale entries are
 * fine: they are just more malformed input. */
#define OWN_BASE  1100
#define OWN_SLOTS 32
static u8 own_type[OWN_SLOTS];

static u64 r_own(unsigned type)
{
    for (unsigned tries = 0; tries < 8; tries++) {
        unsigned i = (unsigned)pick(OWN_SLOTS);
        if (own_type[i] == type)
            return OWN_BASE + i;
    }
    switch (type) {
    case KIDE_OBJ_PD:
        return FZ_SEL_PD;
    case KIDE_OBJ_SM:
        return FZ_SEL_SM;
    case KIDE_OBJ_PT:
        return pick(2) ? FZ_SEL_SINK : KRT_CHILD_EVT(0) + pick(KIDE_EXC_COUNT);
    default:
        return r_sel();
    }
}

static u64 r_free(void)
{
    return OWN_BASE + 3 + pick(OWN_SLOTS - 3);
}
static u64 r_budget(void)
{
    return KIDE_SC_MIN_NS + pick(20 * BASE_MS);
}

/** Give a call mostly well-formed arguments (the rest stays random). */
static void shape(u64 nr, u64 *flags, u64 *aux, u64 *a, unsigned cpus)
{
    switch (nr) {
    case KIDE_SYS_CALL:
        a[0] = pick(4) ? r_own(KIDE_OBJ_PT) : a[0];
        break;
    case KIDE_SYS_CREATE_PD:
        a[0] = r_free(), a[1] = r_own(KIDE_OBJ_PD), a[2] = 8 + pick(24);
        a[3] = pick(2) ? 0 : r_own(KIDE_OBJ_SM);
        break;
    case KIDE_SYS_CREATE_EC:
        *flags = pick(2), *aux = pick(cpus + 1);
        a[0] = r_free(), a[1] = r_own(KIDE_OBJ_PD);
        a[2] = pick(4) ? KRT_CHILD_FREE_VA + (pick(256) << 12) : r_addr();
        a[5] = pick(2) ? KRT_CHILD_EVT(0) : r_sel();
        break;
    case KIDE_SYS_CREATE_SC:
        a[0] = r_free(), a[1] = r_own(KIDE_OBJ_PD), a[2] = r_own(KIDE_OBJ_EC);
        a[3] = r_budget(), a[4] = a[3] + pick(20 * BASE_MS);
        break;
    case KIDE_SYS_CREATE_PT:
        a[0] = r_free(), a[1] = r_own(KIDE_OBJ_PD), a[2] = r_own(KIDE_OBJ_EC);
        break;
    case KIDE_SYS_CREATE_SM:
        a[0] = r_free(), a[1] = r_own(KIDE_OBJ_PD), a[2] = pick(4);
        break;
    case KIDE_SYS_DELEGATE:
        a[0] = r_own(KIDE_OBJ_PD);
        break;
    case KIDE_SYS_CTRL_PD:
        *flags = pick(2), a[0] = r_own(KIDE_OBJ_PD), a[1] = pick(8), a[2] = r_own(KIDE_OBJ_PD);
        break;
    case KIDE_SYS_CTRL_EC:
        *flags = pick(4), a[0] = pick(8) ? r_own(KIDE_OBJ_EC) : 0;
        a[1] = pick(4) ? r_addr() : 0;
        /* POSIX: a native range around its own code (reflecting its own
         * calls away only stops the attacker: respawned, not a kernel
         * bug), else an empty or oversized one; its new ECs run foreign
         * code and so get reflected. */
        if (pick(4)) {
            a[2] = (u64)__image_start - pick(1 << 20);
            a[3] = (u64)__image_end + pick(1 << 20);
        } else {
            a[2] = r_addr();
            a[3] = pick(2) ? a[2] : KIDE_USER_END + pick(1 << 20);
        }
        break;
    case KIDE_SYS_CTRL_SC:
        *flags = pick(2), a[0] = r_own(KIDE_OBJ_SC), a[2] = r_budget(),
        a[3] = a[2] + pick(20 * BASE_MS);
        break;
    case KIDE_SYS_CTRL_SM:
        *flags = pick(3), a[0] = r_own(KIDE_OBJ_SM);
        break;
    case KIDE_SYS_ASSIGN_GSI:
        a[0] = r_own(KIDE_OBJ_SM), a[1] = pick(cpus + 1);
        break;
    }
}

static void record(u64 nr, const u64 *a, int st)
{
    static const u8 made[KIDE_SYS_COUNT] = {
            [KIDE_SYS_CREATE_PD] = KIDE_OBJ_PD, [KIDE_SYS_CREATE_EC] = KIDE_OBJ_EC,
            [KIDE_SYS_CREATE_SC] = KIDE_OBJ_SC, [KIDE_SYS_CREATE_PT] = KIDE_OBJ_PT,
            [KIDE_SYS_CREATE_SM] = KIDE_OBJ_SM,
    };
    if (st == KIDE_OK && nr < KIDE_SYS_COUNT && made[nr] && a[0] >= OWN_BASE &&
        a[0] < OWN_BASE + OWN_SLOTS)
        own_type[a[0] - OWN_BASE] = made[nr];
}

void krt_child_main(struct kide_utcb *u)
{
    volatile struct krt_child_info *info = krt_info;
    unsigned me = (unsigned)(((u64)u - KRT_CHILD_UTCBS) >> 12);
    if (me > 1 || me != self())
        krt_exit(0); /* an EC it created that happened to start here */
    rs_of[me] = (info->arg[0] ^ (me * 0x9e3779b97f4a7c15ull)) | 1;
    own_type[FZ_SEL_SM - OWN_BASE] = KIDE_OBJ_SM;
    own_type[FZ_SEL_PD - OWN_BASE] = KIDE_OBJ_PD;
    own_type[FZ_SEL_SINK - OWN_BASE] = KIDE_OBJ_PT;
    u64 calls = 0, next_round = pick(200);
    if (me == 0)
        fzs_init(info, info->arg[0]);
    while (!info->stop) {
        if (me == 1)
            pause_point();
        else if (calls >= next_round) {
            structured_round(info, u);
            next_round = calls + 100 + pick(600);
        }
        u64 nr = pick(20) ? pick(KIDE_SYS_COUNT) : pick(256);
        u64 flags = pick(4) ? pick(4) : pick(256);
        u64 aux = pick(4) ? pick(8) : pick(0x10000);
        u64 a[6];
        for (unsigned i = 0; i < 6; i++)
            a[i] = r_arg();
        if (pick(4))
            shape(nr, &flags, &aux, a, (unsigned)info->arg[1]);
        switch (nr) {
        case KIDE_SYS_CREATE_EC:
            /* never start a thread in our own code (it could spin at will) */
            if (a[4] >= (u64)__image_start && a[4] < (u64)__image_end)
                a[4] = r_addr() | 1;
            if (a[4] >= (u64)__image_start && a[4] < (u64)__image_end)
                a[4] = 0;
            break;
        case KIDE_SYS_CREATE_SC:
            aux = r_prio_capped();
            break;
        case KIDE_SYS_CTRL_SC:
            a[1] = r_prio_capped();
            break;
        case KIDE_SYS_CTRL_SM:
            /* a down with a far deadline (or none) blocks us until the root
             * notices and ups our semaphore: keep that rare */
            if (pick(256))
                a[1] = pick(8) ? base_now() + pick(2 * BASE_MS) : pick(base_now() + 1);
            break;
        }
        scramble_utcb(u);
        u64 word = KIDE_SYS_WORD(nr & 0xff, flags & 0xff, aux & 0xffff) |
                   (pick(32) ? 0 : rnd() & ~0xffffffffull);
        if (me == 0) {
            info->res[1] = word;
            for (unsigned i = 0; i < 6; i++)
                info->scratch[i] = a[i];
            info->scratch[6] = base_now();
        }
        u64 r[3];
        int st = kide_syscall(word, a[0], a[1], a[2], a[3], a[4], a[5], r);
        if (!(word >> 32))
            record(nr, a, st);
        __atomic_add_fetch(
                &info->res[st >= 0 && st < KIDE_STATUS_COUNT ? 2 + st : 2 + KIDE_STATUS_COUNT], 1,
                __ATOMIC_RELAXED);
        calls++;
        info->res[me ? 15 : 0] = calls;
    }
    krt_exit(0);
}
