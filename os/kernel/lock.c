/* SPDX-License-Identifier: MIT */
/* Big kernel lock and shoot-down answering; see lock.h. */
#include "lock.h"
#include "kernel.h"
#include "pd.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/paging.h"

static volatile u32 bkl;

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
}

void bkl_unlock(void) { __atomic_store_n(&bkl, 0, __ATOMIC_RELEASE); }
