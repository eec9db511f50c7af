/* SPDX-License-Identifier: MIT */
/* Kernel benchmark, run as the root task: the costs that bound everything else.
 *
 *   null_syscall    kide_null(): kernel entry and exit
 *   posix_reflect   a `syscall` from foreign code reflected (ctrl_ec POSIX)
 *                   to an entry that returns at once (`jmp *%rcx`): the
 *                   round trip a POSIX program's system call pays before
 *                   its runtime does any work (no Linux peer)
 *   ipc_roundtrip   call + reply through a portal into another PD on the
 *                   same CPU (the server replies at once)
 *   xcpu_pingpong   semaphore up/down between ECs on CPUs 0 and 1
 *
 * Each is timed per iteration with the TSC; os/bench/run.sh compares the
 * results with the Linux peer (peer/ipcbench.c) measured in the same run.
 * Command line: iterations=N (default 100000).
 */
#include <krt.h>
#include <krt/spawn.h>
#include "bench.h"

#define MAX_N 200000
static unsigned long long samples[MAX_N];
static struct krt_child server;
static struct krt_ec partner;
static kide_sel ping, pong;

static void report(const char *name, unsigned long n)
{
    bench_sort(samples, n);
    printf("bench: %s min=%llu median=%llu n=%lu unit=cycles\n", name, samples[0], samples[n / 2],
           n);
}

static void partner_body(struct krt_ec *self)
{
    for (u64 i = 0; i < self->arg[0]; i++) {
        kide_ctrl_sm(KIDE_CTRL_SM_DOWN, ping, 0);
        kide_ctrl_sm(KIDE_CTRL_SM_UP, pong, 0);
    }
}

BASE_NORETURN void krt_root_main(const struct kide_boot_info *bi)
{
    krt_root_init(bi);
    if (krt_handlers_init() != KIDE_OK)
        base_panic("kbench: cannot create exception handlers");
    unsigned long n = base_cmdline_num(bi->modules[0].cmdline, "iterations", 100000);
    if (n < 100 || n > MAX_N)
        base_panic("kbench: iterations must be 100..%u", MAX_N);
    printf("bench: conditions cpus=%llu tsc_khz=%llu\n", (unsigned long long)bi->cpus,
           (unsigned long long)bi->tsc_khz);

    for (unsigned long i = 0; i < n; i++) {
        unsigned long long t0 = bench_rdtsc();
        kide_null();
        samples[i] = bench_rdtsc() - t0;
    }
    report("null_syscall", n);

    /* The foreign code is a copy of krt's in a RAM page below the image;
     * the native range is the image, so only that copy's call reflects. */
    u64 page = krt_foreign_page();
    if (!page || kide_ctrl_ec(KIDE_CTRL_EC_POSIX, 0, (u64)krt_reflect_return, (u64)__image_start,
                              (u64)__image_end, NULL, NULL, NULL) != KIDE_OK)
        base_panic("kbench: cannot set up system-call reflection");
    u64 (*foreign)(u64) = (u64(*)(u64))page;
    for (unsigned long i = 0; i < n; i++) {
        unsigned long long t0 = bench_rdtsc();
        u64 r = foreign(KIDE_SYS_NULL);
        samples[i] = bench_rdtsc() - t0;
        if (r != KIDE_SYS_NULL)
            base_panic("kbench: the reflected call came back with RAX %lx", r);
    }
    kide_ctrl_ec(KIDE_CTRL_EC_POSIX, 0, 0, 0, 0, NULL, NULL, NULL);
    krt_page_free(page);
    report("posix_reflect", n);

    struct krt_spawn_args a = {.cpu = 0, .prio = 10};
    int rc = krt_spawn_module(&server, "kbench-server.elf", &a);
    if (rc != KIDE_OK)
        base_panic("kbench: cannot start kbench-server.elf (%s)", base_status_name(rc));
    kide_sel pt = krt_child_portal(&server, 0, 1);
    if (!pt)
        base_panic("kbench: cannot create the server portal");
    struct kide_utcb *u = (struct kide_utcb *)KIDE_ROOT_UTCB;
    for (unsigned long i = 0; i < n + 1000; i++) {
        u->msg = 0;
        unsigned long long t0 = bench_rdtsc();
        rc = kide_call(pt);
        unsigned long long dt = bench_rdtsc() - t0;
        if (rc != KIDE_OK)
            base_panic("kbench: call failed: %s", base_status_name(rc));
        if (i >= 1000) /* the first calls fault in the server's stack */
            samples[i - 1000] = dt;
    }
    report("ipc_roundtrip", n);

    if (bi->cpus > 1) {
        unsigned long m = n / 10;
        ping = krt_sm_create(0);
        pong = krt_sm_create(0);
        partner.arg[0] = m + 1;
        if (!ping || !pong || krt_thread_start(&partner, 1, 10, partner_body) != KIDE_OK)
            base_panic("kbench: cannot start the partner on CPU 1");
        kide_ctrl_sm(KIDE_CTRL_SM_UP, ping, 0); /* warm-up round */
        kide_ctrl_sm(KIDE_CTRL_SM_DOWN, pong, 0);
        for (unsigned long i = 0; i < m; i++) {
            unsigned long long t0 = bench_rdtsc();
            kide_ctrl_sm(KIDE_CTRL_SM_UP, ping, 0);
            kide_ctrl_sm(KIDE_CTRL_SM_DOWN, pong, 0);
            samples[i] = bench_rdtsc() - t0;
        }
        report("xcpu_pingpong", m);
    }
    printf("bench: done\n");
    base_exit_qemu(BASE_QEMU_SUCCESS);
}

BASE_NORETURN void krt_child_main(struct kide_utcb *utcb)
{
    (void)utcb;
    krt_park();
}

void krt_portal_entry(u64 id, u64 msg, struct kide_utcb *utcb)
{
    (void)id, (void)msg, (void)utcb;
}
