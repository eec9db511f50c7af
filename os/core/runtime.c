/* SPDX-License-Identifier: MIT */
/* core's backend of the component runtime (os/lib/component/rt.h).
 *
 * core links the runtime's shared objects (libkide_common.a: selectors,
 * semaphores, locks) and supplies here what a component gets through core,
 * done with direct system calls as the root task:
 *  - the base library's crt0 entries: the root (base_entry_root) reserves
 *    the pages no one may be given (base_root_reserve), starts the selector
 *    allocator at KIDE_ROOT_SEL_FREE and runs core_main; every portal call
 *    enters core_portal_entry (service.c) on a handler EC; core starts no
 *    threads of its own;
 *  - semaphores (rt_sm_make) charged to core's PD;
 *  - one handler (local) EC per CPU, on a static stack, with a fresh UTCB:
 *    IPC never crosses CPUs, so every portal binds to its caller's CPU's.
 * RAM is pages.c's, the log is log.c's console, an exit is the QEMU exit port.
 */
#include "core.h"

#define STACK_SIZE 16384u
#define UTCB_BASE  0x0000700000000000ull /* handler UTCBs, one page per CPU */

static u8 stacks[KIDE_MAX_CPUS][STACK_SIZE] __attribute__((aligned(4096)));
static kide_sel handlers[KIDE_MAX_CPUS];
static kide_sel park_sm, null_evt;

const struct kide_boot_info *core_bootinfo;

int rt_sm_make(kide_sel sel, kide_u64 count)
{
    int st = kide_create_sm(sel, KIDE_ROOT_SEL_PD, count);
    if (st != KIDE_OK)
        printf("krt: create_sm: %s\n", base_status_name(st));
    return st;
}

struct kide_utcb *rt_utcb(void)
{
    return (struct kide_utcb *)KIDE_ROOT_UTCB; /* core's main EC; handlers use theirs */
}

static int handler_create(unsigned cpu)
{
    kide_sel sel = kide_sel_alloc(0);
    if (!sel)
        return KIDE_QUOTA;
    u64 utcb = UTCB_BASE + cpu * 4096ull;
    u64 sp = (u64)stacks[cpu] + STACK_SIZE - 16;
    *(u64 *)sp = utcb; /* crt0 finds the UTCB in the word at the initial stack pointer */
    int st = kide_create_ec(0, cpu, sel, KIDE_ROOT_SEL_PD, utcb, sp, 0, null_evt);
    if (st != KIDE_OK) {
        kide_sel_free(sel, 0);
        return st;
    }
    handlers[cpu] = sel;
    return KIDE_OK;
}

int core_handlers_init(void)
{
    null_evt = kide_sel_alloc(6); /* no exception portals: a handler's fault stops it */
    /* The runtime's lock (sel.c) before any handler runs, as in a component. */
    if (!null_evt || kide_mutex_init(&rt_env, &rt_env.misc_mx) != KIDE_OK ||
        kide_sm_create(&rt_env, 0, &park_sm) != KIDE_OK)
        return KIDE_QUOTA;
    for (unsigned c = 0; c < core_cpus(); c++) {
        int st = handler_create(c);
        if (st != KIDE_OK) {
            printf("krt: handler EC for cpu %u: %s\n", c, base_status_name(st));
            return st;
        }
    }
    return KIDE_OK;
}

kide_sel core_handler_ec(unsigned cpu)
{
    return cpu < KIDE_MAX_CPUS ? handlers[cpu] : 0;
}

void base_entry_root(const struct kide_boot_info *bi)
{
    if (bi->magic != KIDE_BOOT_MAGIC)
        base_panic("boot info magic %lx, expected %lx", bi->magic, (u64)KIDE_BOOT_MAGIC);
    core_bootinfo = bi;
    rt_sel_init(KIDE_ROOT_SEL_FREE);
    base_root_reserve(bi);
    core_main(bi);
    for (;;) /* from here on core only answers calls, on its handler ECs */
        kide_ctrl_sm(KIDE_CTRL_SM_DOWN, park_sm, 0);
}

void base_entry_thread(struct kide_utcb *utcb)
{
    (void)utcb;
    base_panic("core: unexpected thread entry");
}

void base_entry_portal(u64 id, u64 msg, struct kide_utcb *utcb)
{
    utcb->msg = 0;
    core_portal_entry(id, msg, utcb);
    base_reply(utcb);
    for (;;) /* the reply keeps failing: stop this handler (it has no exception portals) */
        __asm__ volatile("ud2" ::: "memory");
}
