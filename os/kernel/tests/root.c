/* SPDX-License-Identifier: MIT */
/* ktest-root: the kernel test suite, run as the root task.
 *
 * Reads like a table of contents: set up the runtime (allocators, one
 * handler EC per CPU), give the root a known priority, run every test of
 * KTEST_LIST in order, print the summary and leave QEMU with 0x10 (all
 * passed) or 0x11. The module command line may carry `only=<test>` to run a
 * single test while debugging.
 */
#include "ktest.h"

struct ktest {
    const char *name;
    void (*fn)(void);
};

#define KTEST_ENTRY(n) {#n, test_##n},
static const struct ktest tests[] = {KTEST_LIST(KTEST_ENTRY)};

static const char *current;
static bool failed, skipped;
kide_sel ktest_block_sm;

__asm__(".text\n"
        ".globl ktest_block_entry\n"
        "ktest_block_entry:\n"
        "1: mov ktest_block_sm(%rip), %rdi\n"
        "   mov $(13 | (1 << 8)), %eax\n" /* ctrl_sm DOWN, no deadline */
        "   xor %esi, %esi\n"
        "   syscall\n"
        "   jmp 1b\n");

void ktest_fail(const char *file, int line, const char *expr, const char *detail)
{
    if (failed)
        return;
    failed = true;
    const char *base = file;
    for (const char *p = file; *p; p++)
        if (*p == '/')
            base = p + 1;
    printf("ktest: %s: FAIL %s:%d %s%s%s\n", current, base, line, expr, detail ? " " : "",
           detail ? detail : "");
}

void ktest_skip(const char *why)
{
    skipped = true;
    printf("ktest: %s: skip %s\n", current, why);
}

unsigned ktest_cpus(void)
{
    return (unsigned)krt_bootinfo->cpus;
}
unsigned ktest_other_cpu(void)
{
    return ktest_cpus() > 1 ? 1 : 0;
}

kide_sel ktest_weak(kide_sel sel, unsigned perm)
{
    kide_sel w = krt_sel_alloc(0);
    if (!w)
        return 0;
    int st = kide_delegate(KIDE_ROOT_SEL_PD, KIDE_CRD(KIDE_CRD_OBJ, sel, 0, perm), w);
    if (st != KIDE_OK) {
        printf("ktest: delegate %lu into the root itself: %s\n", sel, base_status_name(st));
        krt_sel_free(w, 0);
        return 0;
    }
    return w;
}

kide_sel ktest_pd(u64 quota)
{
    kide_sel pd = krt_sel_alloc(0);
    if (!pd)
        return 0;
    int st = kide_create_pd(pd, KIDE_ROOT_SEL_PD, quota, 0);
    if (st != KIDE_OK) {
        printf("ktest: create_pd quota %lu: %s\n", quota, base_status_name(st));
        krt_sel_free(pd, 0);
        return 0;
    }
    return pd;
}

u64 ktest_root_free(void)
{
    u64 limit = 0, used = 0;
    kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, KIDE_ROOT_SEL_PD, 0, 0, &limit, &used);
    return limit - used;
}

u64 ktest_ec_state(kide_sel ec)
{
    u64 state = ~0ull;
    if (kide_ctrl_ec(KIDE_CTRL_EC_QUERY, ec, 0, 0, 0, &state, NULL, NULL) != KIDE_OK)
        return ~0ull;
    return state;
}

static int helper(struct krt_child *c, unsigned mode, unsigned cpu, const u64 *args, unsigned nargs,
                  bool start)
{
    struct krt_spawn_args a;
    memset(&a, 0, sizeof(a));
    a.cpu = cpu;
    a.prio = PRIO_CHILD;
    a.mode = mode;
    a.io_console = true;
    a.no_start = !start;
    for (unsigned i = 0; i < nargs && i < 16; i++)
        a.arg[i] = args[i];
    const char *name = krt_module_find("ktest-helper.elf") ? "ktest-helper.elf" : "ktest-helper";
    return krt_spawn_module(c, name, &a);
}

int ktest_helper(struct krt_child *c, unsigned mode, unsigned cpu, const u64 *args, unsigned nargs)
{
    return helper(c, mode, cpu, args, nargs, true);
}

int ktest_helper_prepare(struct krt_child *c, unsigned mode, unsigned cpu, const u64 *args,
                         unsigned nargs)
{
    return helper(c, mode, cpu, args, nargs, false);
}

u64 ktest_stop_quiet(struct krt_ec *ec, struct kide_exc_state *st)
{
    (void)ec, (void)st;
    return KIDE_MSG_EXC_STOP;
}

volatile struct helper_sys *ktest_sys_get(struct krt_child *c, unsigned i)
{
    return &((volatile struct helper_sys *)c->info->scratch)[i];
}

void ktest_sys(struct krt_child *c, unsigned i, u64 word, u64 a0, u64 a1, u64 a2, u64 a3)
{
    volatile struct helper_sys *t = ktest_sys_get(c, i);
    t->word = word;
    t->a[0] = a0, t->a[1] = a1, t->a[2] = a2, t->a[3] = a3, t->a[4] = 0, t->a[5] = 0;
    t->st = ~0ull;
}

static void run(const struct ktest *t)
{
    current = t->name;
    failed = skipped = false;
    printf("ktest: run %s\n", t->name); /* qemu-run.sh names it if the machine dies */
    u64 free0 = krt_pages_free();
    (void)free0;
    t->fn();
    if (!failed && !skipped)
        printf("ktest: %s: ok\n", t->name);
}

void krt_root_main(const struct kide_boot_info *bi)
{
    printf("ktest: Kide kernel test suite\n");
    krt_root_init(bi);
    const char *cmdline = bi->modules[0].cmdline;
    printf("ktest: %lu cpu(s), tsc %lu kHz, kernel quota %lu pages, %lu module(s), "
           "cmdline '%s'\n",
           bi->cpus, bi->tsc_khz, bi->kernel_quota, bi->module_count, cmdline);
    for (u64 i = 0; i < bi->mem_count && i < KIDE_BOOT_MAX_MEM; i++)
        printf("ktest: RAM %lx..%lx\n", bi->mem[i].phys, bi->mem[i].phys + bi->mem[i].size);
    for (u64 i = 0; i < bi->module_count && i < KIDE_BOOT_MAX_MODULES; i++)
        printf("ktest: module %lx..%lx %s\n", bi->modules[i].phys,
               bi->modules[i].phys + bi->modules[i].size, bi->modules[i].cmdline);
    u64 t = 0, budget = 0, period = 0;
    int st = kide_ctrl_sc(KIDE_CTRL_SC_TIME, KIDE_ROOT_SEL_SC, 0, 0, 0, &t, &budget, &period);
    if (st == KIDE_OK)
        st = kide_ctrl_sc(KIDE_CTRL_SC_SET, KIDE_ROOT_SEL_SC, PRIO_MAIN, budget, period, 0, 0, 0);
    if (st != KIDE_OK)
        printf("ktest: warning: cannot set the root's priority to %u: %s\n", PRIO_MAIN,
               base_status_name(st));
    st = krt_handlers_init();
    ktest_block_sm = krt_sm_create(0);
    if (st != KIDE_OK || !ktest_block_sm)
        base_panic("ktest: runtime set-up failed (%s); nothing can be tested",
                   base_status_name(st));

    const char *only = base_cmdline_get(cmdline, "only");
    unsigned passed = 0, nfailed = 0, nskipped = 0;
    u64 t0 = base_now();
    for (unsigned i = 0; i < BASE_ARRAY_SIZE(tests); i++) {
        if (only && (strncmp(only, tests[i].name, strlen(tests[i].name)) ||
                     (only[strlen(tests[i].name)] && only[strlen(tests[i].name)] != ' ')))
            continue;
        run(&tests[i]);
        if (failed)
            nfailed++;
        else if (skipped)
            nskipped++;
        else
            passed++;
    }
    if (only && passed + nfailed + nskipped == 0) {
        /* A typo in only= must not look like a passing run. */
        printf("ktest: FAIL no test is named '%s' (see KTEST_LIST in ktest.h)\n", only);
        nfailed++;
    }
    printf("ktest: %u passed, %u failed, %u skipped (%lu ms)\n", passed, nfailed, nskipped,
           (base_now() - t0) / BASE_MS);
    base_exit_qemu(nfailed ? BASE_QEMU_FAILURE : BASE_QEMU_SUCCESS);
}
