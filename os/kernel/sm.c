/* SPDX-License-Identifier: MIT */
/* Semaphores and wait queues; see sm.h. */
#include "sm.h"
#include "kernel.h"
#include "ec.h"
#include "pd.h"
#include "mem.h"
#include "sched.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include <kide/status.h>

struct sm *gsi_sm[24];
struct sm *msi_sm[KIDE_ROOT_MSIS];

void wq_add(struct ec **head, struct ec *ec)
{
    ec->wq_head = head;
    if (!*head) {
        *head = ec;
        ec->wq_next = ec->wq_prev = ec;
        return;
    }
    struct ec *tail = (*head)->wq_prev;
    ec->wq_next = *head;
    ec->wq_prev = tail;
    tail->wq_next = ec;
    (*head)->wq_prev = ec;
}

void wq_remove(struct ec *ec)
{
    struct ec **head = ec->wq_head;
    if (!head)
        return;
    if (ec->wq_next == ec) {
        *head = NULL;
    } else {
        ec->wq_prev->wq_next = ec->wq_next;
        ec->wq_next->wq_prev = ec->wq_prev;
        if (*head == ec)
            *head = ec->wq_next;
    }
    ec->wq_next = ec->wq_prev = NULL;
    ec->wq_head = NULL;
}

struct sm *sm_create(struct pd *charge, u64 count, int *rc)
{
    struct sm *sm = kmalloc(charge, sizeof(*sm));
    if (!sm) {
        *rc = KIDE_QUOTA;
        return NULL;
    }
    kobj_init(&sm->obj, KOBJ_SM, charge);
    sm->count = count;
    sm->gsi = -1;
    sm->msi = -1;
    return sm;
}

int sm_up(struct sm *sm)
{
    if (sm->waiters) {
        struct ec *e = sm->waiters;
        wq_remove(e);
        timeout_del(e);
        sched_wake(e, KIDE_OK);
        return KIDE_OK;
    }
    if (sm->count >= 0xffffffffu)
        return KIDE_OVERFLOW;
    sm->count++;
    return KIDE_OK;
}

int sm_down(struct sm *sm, struct ec *ec, bool zero, u64 deadline_tsc)
{
    if (sm->gsi >= 0 && sm->level)
        ioapic_mask((unsigned)sm->gsi, false);
    if (sm->count) {
        sm->count = zero ? 0 : sm->count - 1;
        return KIDE_OK;
    }
    if (deadline_tsc && deadline_tsc <= rdtsc())
        return KIDE_TIMEOUT;
    wq_add(&sm->waiters, ec);
    if (deadline_tsc)
        timeout_add(ec, deadline_tsc);
    sched_block(ec);
    schedule();
}

void sm_timeout(struct ec *ec)
{
    wq_remove(ec);
    sched_wake(ec, KIDE_TIMEOUT);
}

void sm_irq(unsigned gsi)
{
    struct sm *sm = gsi < 24 ? gsi_sm[gsi] : NULL;
    if (!sm)
        return;
    if (sm->level)
        ioapic_mask(gsi, true);
    sm_up(sm);
}

void sm_msi(unsigned n)
{
    struct sm *sm = n < KIDE_ROOT_MSIS ? msi_sm[n] : NULL;
    if (sm)
        sm_up(sm);
}

void sm_retire(struct sm *sm)
{
    while (sm->waiters) {
        struct ec *e = sm->waiters;
        wq_remove(e);
        timeout_del(e);
        sched_wake(e, KIDE_ABORTED);
    }
    if (sm->gsi >= 0) {
        ioapic_mask((unsigned)sm->gsi, true);
        gsi_sm[sm->gsi] = NULL;
    }
    if (sm->msi >= 0)
        msi_sm[sm->msi] = NULL;
}

void sm_free(struct sm *sm)
{
    kfree(sm->obj.charge, sm);
}
