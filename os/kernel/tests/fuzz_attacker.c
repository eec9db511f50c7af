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
 */
#include <krt/spawn.h>
#include "fuzz.h"

extern char __image_start[], __image_end[];

static u64 rs;
static u64 rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}
static u64 pick(u64 n) { return rnd() % n; }

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

static u64 r_prio_capped(void) { return pick(16) ? pick(FZ_PRIO + 1) : pick(256); }

void krt_child_main(struct kide_utcb *u)
{
    volatile struct krt_child_info *info = krt_info;
    if ((u64)u != KRT_CHILD_UTCBS)
        krt_exit(0); /* an EC it created that happened to start here */
    rs = info->arg[0] | 1;
    u64 calls = 0;
    while (!info->stop) {
        u64 nr = pick(20) ? pick(KIDE_SYS_COUNT) : pick(256);
        u64 flags = pick(4) ? pick(4) : pick(256);
        u64 aux = pick(4) ? pick(8) : pick(0x10000);
        u64 a[6];
        for (unsigned i = 0; i < 6; i++)
            a[i] = r_arg();
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
            /* a down without deadline could block us for good: rarely */
            if (pick(64))
                a[1] = krt_now() + pick(2 * KRT_MS);
            break;
        case KIDE_SYS_CALL:
            if (pick(2))
                a[0] = FZ_SEL_SINK;
            break;
        }
        scramble_utcb(u);
        u64 word = KIDE_SYS_WORD(nr & 0xff, flags & 0xff, aux & 0xffff) |
                   (pick(32) ? 0 : rnd() & ~0xffffffffull);
        info->res[1] = word;
        u64 r[3];
        kide_syscall(word, a[0], a[1], a[2], a[3], a[4], a[5], r);
        info->res[0] = ++calls;
    }
    krt_exit(0);
}
