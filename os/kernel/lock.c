/* SPDX-License-Identifier: MIT */
/* Big kernel lock and shoot-down answering; see lock.h. */
#include "lock.h"
#include "kernel.h"
#include "pd.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/paging.h"

static volatile u32 bkl;

/* Lock-hold checking (KIDE_LOCK_CHECK, set by the checking build that the
 * fuzz runs boot, os/kernel/poison.mk). Every cost a tenant controls must be
 * bounded, and whatever it costs is spent under this lock, where every other
 * CPU waits: a hold longer than LOCK_HOLD_BOUND_MS panics, naming it, and
 * each new longest hold from 16 ms on (doubling) is said on the console.
 * The bound is generous because under TCG on a busy host a vCPU holding the
 * lock can be descheduled; quadratic work on tenant input exceeds it by far.
 * The holder's waits for other CPUs' shoot-down answers and for the serial
 * console are left out: the first is bounded by how fast they answer
 * (without the lock), the second by the console's fault budget, and under
 * TCG on a busy host both measure the host (its scheduling of the other
 * vCPU threads, its writing of the console log), not the holder's work.
 * The first hold, the boot CPU's boot (which waits for the APs), is not
 * measured. Under QEMU's emulator (CPUID's hypervisor signature
 * "TCGTCGTCGTCG") the bound is four times longer: every vCPU is a host
 * thread the host deschedules at will, and a loaded 2-core host once made
 * an ordinary hold measure 503 ms; quadratic work still exceeds 2 s by far,
 * and every new longest hold from 16 ms on is printed, so growth shows long
 * before the bound. */
#ifdef KIDE_LOCK_CHECK
#include "time.h"
#include "arch/x86_64/cpu_check.h"
#define LOCK_HOLD_BOUND_MS     500
#define LOCK_HOLD_BOUND_TCG_MS 2000
static u64 held_since, waited, longest, said_from = 16;
static u32 holder = ~0u; /* the CPU holding the lock, while it is measured */
static bool boot_hold_done;

static void hold_begin(void)
{
    held_since = rdtsc();
    waited = 0;
    holder = this_cpu()->id;
}

u64 lock_hold_exclude_begin(void)
{
    return rdtsc();
}

void lock_hold_exclude_end(u64 token)
{
    /* holder first: printk runs before this_cpu() works, but never under the lock */
    if (holder != ~0u && holder == this_cpu()->id)
        waited += rdtsc() - token;
}

/* The bound for this machine (see above). */
static u64 hold_bound_ms(void)
{
    const char *tcg = "TCGTCGTCGTCG";
    if (!cpu_features.hypervisor)
        return LOCK_HOLD_BOUND_MS;
    for (unsigned i = 0; i < 12; i++)
        if (cpu_features.hypervisor_name[i] != tcg[i])
            return LOCK_HOLD_BOUND_MS;
    return LOCK_HOLD_BOUND_TCG_MS;
}

static void hold_end(void)
{
    holder = ~0u;
    u64 ms = tsc_to_ns(rdtsc() - held_since - waited) / 1000000;
    if (!boot_hold_done) {
        boot_hold_done = true;
        return;
    }
    u64 bound = hold_bound_ms();
    if (ms > bound)
        panic("lock: the big lock was held %lu ms on CPU %u, more than the %lu ms bound (a cost "
              "that is not bounded)",
              ms, this_cpu()->id, bound);
    if (ms > longest) {
        longest = ms;
        if (ms >= said_from) {
            printk("kide: lock: longest hold so far %lu ms (CPU %u; bound %lu ms)\n", ms,
                   this_cpu()->id, hold_bound_ms());
            while (said_from <= ms)
                said_from *= 2;
        }
    }
}
#else
static void hold_begin(void) {}
static void hold_end(void) {}
u64 lock_hold_exclude_begin(void)
{
    return 0;
}
void lock_hold_exclude_end(u64 token)
{
    (void)token;
}
#endif

void flush_handle(void)
{
    struct cpu *c = this_cpu();
    if (!__atomic_load_n(&c->flush_pending, __ATOMIC_ACQUIRE))
        return;
    /* A dead PD's tables are about to be freed: stop using them. */
    if (c->loaded_pd && c->loaded_pd->dead) {
        write_cr3(kernel_pml4_phys);
        c->loaded_pd = NULL;
    } else {
        write_cr3(read_cr3());
    }
    /* The I/O bitmap may have lost ports: reload it on the next switch. */
    c->iobm_pd = NULL;
    c->tss.iomap_base = 0xffff;
    __atomic_store_n(&c->flush_pending, 0, __ATOMIC_RELEASE);
}

void bkl_lock(void)
{
    while (__atomic_exchange_n(&bkl, 1, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(&bkl, __ATOMIC_RELAXED)) {
            flush_handle();
            cpu_pause();
        }
    }
    hold_begin();
}

void bkl_unlock(void)
{
    hold_end();
    __atomic_store_n(&bkl, 0, __ATOMIC_RELEASE);
}
