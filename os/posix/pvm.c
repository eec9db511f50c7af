/* SPDX-License-Identifier: MIT */
/* The program's address-space map (pvm.h). Areas stay sorted and disjoint;
 * allocations disjoint; an allocation's live count is the bytes of backed
 * areas inside it. Every operation checks its capacity needs before it
 * changes anything.
 */
#include "pvm.h"
#include "linux.h"

#define PAGE 4096ull

static int overlaps(kide_u64 a0, kide_u64 a1, kide_u64 b0, kide_u64 b1)
{
    return a0 < b1 && b0 < a1;
}

static kide_u64 max64(kide_u64 a, kide_u64 b)
{
    return a > b ? a : b;
}
static kide_u64 min64(kide_u64 a, kide_u64 b)
{
    return a < b ? a : b;
}

/* A page-aligned, non-empty range that does not wrap. */
static int range_ok(kide_u64 va, kide_u64 len)
{
    return len && !(va & (PAGE - 1)) && !(len & (PAGE - 1)) && va + len > va;
}

void posix_vm_init(struct posix_vm *vm, kide_u64 lo, kide_u64 hi, const struct posix_vm_ops *ops)
{
    vm->nareas = 0;
    vm->nallocs = 0;
    vm->lo = lo;
    vm->hi = hi;
    vm->ops = *ops;
}

int posix_vm_no_area(const struct posix_vm *vm, kide_u64 va, kide_u64 len)
{
    for (unsigned i = 0; i < vm->nareas; i++)
        if (overlaps(va, va + len, vm->area[i].start, vm->area[i].end))
            return 0;
    return 1;
}

int posix_vm_is_free(const struct posix_vm *vm, kide_u64 va, kide_u64 len)
{
    if (!posix_vm_no_area(vm, va, len))
        return 0;
    for (unsigned i = 0; i < vm->nallocs; i++)
        if (overlaps(va, va + len, vm->alloc[i].start, vm->alloc[i].end))
            return 0;
    return 1;
}

/* The lowest start of an area or allocation meeting [va, va + len), or 0 if none. */
static int obstacle(const struct posix_vm *vm, kide_u64 va, kide_u64 len, kide_u64 *start)
{
    int found = 0;
    kide_u64 s = ~0ull;
    for (unsigned i = 0; i < vm->nareas; i++)
        if (overlaps(va, va + len, vm->area[i].start, vm->area[i].end)) {
            s = min64(s, vm->area[i].start);
            found = 1;
        }
    for (unsigned i = 0; i < vm->nallocs; i++)
        if (overlaps(va, va + len, vm->alloc[i].start, vm->alloc[i].end)) {
            s = min64(s, vm->alloc[i].start);
            found = 1;
        }
    *start = s;
    return found;
}

long posix_vm_find(const struct posix_vm *vm, kide_u64 len, kide_u64 hint, kide_u64 *va)
{
    if (!range_ok(0, len) || len > vm->hi - vm->lo)
        return -L_ENOMEM;
    hint &= ~(PAGE - 1);
    if (hint >= vm->lo && hint <= vm->hi - len && posix_vm_is_free(vm, hint, len)) {
        *va = hint;
        return 0;
    }
    /* Top down: each step moves below one obstacle, so at most one step per
     * area and allocation. */
    kide_u64 cand = vm->hi - len, s;
    for (unsigned n = 0; n <= vm->nareas + vm->nallocs; n++) {
        if (!obstacle(vm, cand, len, &s)) {
            *va = cand;
            return 0;
        }
        if (s < vm->lo + len)
            return -L_ENOMEM;
        cand = s - len;
    }
    return -L_ENOMEM;
}

static int alloc_find(const struct posix_vm *vm, kide_u64 va)
{
    for (unsigned i = 0; i < vm->nallocs; i++)
        if (va >= vm->alloc[i].start && va < vm->alloc[i].end)
            return (int)i;
    return -1;
}

/* Bytes of backed areas inside [s, e). */
static kide_u64 live_in(const struct posix_vm *vm, kide_u64 s, kide_u64 e)
{
    kide_u64 n = 0;
    for (unsigned i = 0; i < vm->nareas; i++) {
        const struct posix_vm_area *a = &vm->area[i];
        if ((a->flags & PVM_BACKED) && overlaps(s, e, a->start, a->end))
            n += min64(e, a->end) - max64(s, a->start);
    }
    return n;
}

/* 1 if freeing [va, end) splits an allocation (it needs another slot). */
static unsigned release_splits(const struct posix_vm *vm, kide_u64 va, kide_u64 end)
{
    for (unsigned i = 0; i < vm->nallocs; i++)
        if (va > vm->alloc[i].start && end < vm->alloc[i].end)
            return 1;
    return 0;
}

/* Recount allocation i; give it back if no backed area uses it. 1 if it went
 * (the last allocation took its place). */
static int settle(struct posix_vm *vm, unsigned i)
{
    struct posix_vm_alloc *a = &vm->alloc[i];
    a->live = live_in(vm, a->start, a->end);
    if (a->live)
        return 0;
    vm->ops.unback(vm->ops.ctx, a->start, a->end - a->start);
    vm->alloc[i] = vm->alloc[--vm->nallocs];
    return 1;
}

/* Free the allocation pages in [va, end), which no area uses any more (core
 * frees any page range): each allocation there shrinks, splits or goes, and
 * what is left of it goes too when no backed area uses it. A split without a
 * free slot (the callers check for one, except on an undo) leaves the middle
 * pages to the allocation, unused. */
static void release_range(struct posix_vm *vm, kide_u64 va, kide_u64 end)
{
    for (unsigned i = 0; i < vm->nallocs;) {
        struct posix_vm_alloc *a = &vm->alloc[i];
        if (!overlaps(va, end, a->start, a->end)) {
            i++;
            continue;
        }
        kide_u64 s = max64(va, a->start), e = min64(end, a->end);
        if (s > a->start && e < a->end) {
            if (vm->nallocs < POSIX_VM_ALLOCS) {
                vm->ops.unback(vm->ops.ctx, s, e - s);
                vm->alloc[vm->nallocs++] = (struct posix_vm_alloc){e, a->end, 0};
                a->end = s;
                settle(vm, vm->nallocs - 1); /* past i: not met again */
            }
        } else if (s > a->start || e < a->end) {
            vm->ops.unback(vm->ops.ctx, s, e - s);
            if (s == a->start)
                a->start = e;
            else
                a->end = s;
        } else { /* wholly inside */
            vm->ops.unback(vm->ops.ctx, s, e - s);
            vm->alloc[i] = vm->alloc[--vm->nallocs];
            continue;
        }
        if (!settle(vm, i))
            i++;
    }
}

/* The hardware access of a backed area with protection prot (L_PROT_*): none,
 * or read plus what prot adds (x86 cannot write or run without reading). */
static unsigned hw(unsigned prot)
{
    return prot == L_PROT_NONE ? 0 : L_PROT_READ | (prot & (L_PROT_WRITE | L_PROT_EXEC));
}

/* What ops.back gives. */
static unsigned hw_backed(unsigned prot)
{
    return L_PROT_READ | L_PROT_WRITE | (prot & L_PROT_EXEC);
}

/* Back [va, end) (meeting no backed area): pages of live allocations are
 * zeroed and counted, the gaps between them come fresh from ops.back. On
 * failure nothing has changed. */
static long back_range(struct posix_vm *vm, kide_u64 va, kide_u64 end, unsigned prot)
{
    /* Pass 1: count the gaps (each needs an allocation slot). */
    unsigned gaps = 0;
    for (kide_u64 p = va; p < end;) {
        int i = alloc_find(vm, p);
        if (i >= 0) {
            p = min64(end, vm->alloc[i].end);
            continue;
        }
        kide_u64 q = end; /* the gap ends at the next allocation */
        for (unsigned k = 0; k < vm->nallocs; k++)
            if (vm->alloc[k].start > p && vm->alloc[k].start < q)
                q = vm->alloc[k].start;
        gaps++;
        p = q;
    }
    if (vm->nallocs + gaps > POSIX_VM_ALLOCS)
        return -L_ENOMEM;
    /* Pass 2: back the gaps, undoing on failure. */
    unsigned first_new = vm->nallocs;
    for (kide_u64 p = va; p < end;) {
        int i = alloc_find(vm, p);
        if (i >= 0) {
            p = min64(end, vm->alloc[i].end);
            continue;
        }
        kide_u64 q = end;
        for (unsigned k = 0; k < vm->nallocs; k++)
            if (vm->alloc[k].start > p && vm->alloc[k].start < q)
                q = vm->alloc[k].start;
        if (vm->ops.back(vm->ops.ctx, p, q - p, prot) != 0) {
            while (vm->nallocs > first_new) {
                struct posix_vm_alloc *a = &vm->alloc[--vm->nallocs];
                vm->ops.unback(vm->ops.ctx, a->start, a->end - a->start);
            }
            return -L_ENOMEM;
        }
        vm->alloc[vm->nallocs++] = (struct posix_vm_alloc){p, q, 0};
        p = q;
    }
    /* Pass 3: count the bytes; zero reused pages of older allocations. */
    for (unsigned i = 0; i < vm->nallocs; i++) {
        struct posix_vm_alloc *a = &vm->alloc[i];
        if (!overlaps(va, end, a->start, a->end))
            continue;
        kide_u64 s = max64(va, a->start), e = min64(end, a->end);
        if (i < first_new)
            vm->ops.zero(vm->ops.ctx, s, e - s);
        a->live += e - s;
    }
    return 0;
}

/* Split the area containing addr (strictly inside) in two at addr. The caller
 * made sure there is room. */
static void split_at(struct posix_vm *vm, kide_u64 addr)
{
    for (unsigned i = 0; i < vm->nareas; i++) {
        struct posix_vm_area *a = &vm->area[i];
        if (addr > a->start && addr < a->end) {
            for (unsigned k = vm->nareas; k > i + 1; k--)
                vm->area[k] = vm->area[k - 1];
            vm->area[i + 1] = *a;
            vm->area[i + 1].start = addr;
            a->end = addr;
            vm->nareas++;
            return;
        }
    }
}

static unsigned splits_needed(const struct posix_vm *vm, kide_u64 va, kide_u64 end)
{
    unsigned n = 0;
    for (unsigned i = 0; i < vm->nareas; i++) {
        const struct posix_vm_area *a = &vm->area[i];
        n += va > a->start && va < a->end;
        n += end > a->start && end < a->end;
    }
    return n;
}

/* Join neighbouring areas that touch and agree (protection, backing), so a
 * mapping grown in place (brk, mremap) stays one area. */
static void coalesce(struct posix_vm *vm)
{
    unsigned out = 0;
    for (unsigned i = 0; i < vm->nareas; i++) {
        struct posix_vm_area *prev = out ? &vm->area[out - 1] : 0;
        const struct posix_vm_area *a = &vm->area[i];
        if (prev && prev->end == a->start && prev->prot == a->prot && prev->flags == a->flags)
            prev->end = a->end;
        else
            vm->area[out++] = *a;
    }
    vm->nareas = out;
}

long posix_vm_map(struct posix_vm *vm, kide_u64 va, kide_u64 len, unsigned prot)
{
    if (!range_ok(va, len))
        return -L_EINVAL;
    if (!posix_vm_no_area(vm, va, len))
        return -L_EINVAL;
    if (vm->nareas >= POSIX_VM_AREAS)
        return -L_ENOMEM;
    unsigned flags = 0;
    if (prot != L_PROT_NONE) {
        long r = back_range(vm, va, va + len, prot);
        if (r)
            return r;
        flags = PVM_BACKED;
    }
    unsigned i = 0;
    while (i < vm->nareas && vm->area[i].start < va)
        i++;
    for (unsigned k = vm->nareas; k > i; k--)
        vm->area[k] = vm->area[k - 1];
    vm->area[i] = (struct posix_vm_area){va, va + len, prot, flags};
    vm->nareas++;
    if (flags && hw(prot) != hw_backed(prot)) {
        long r = vm->ops.protect(vm->ops.ctx, va, len, prot);
        if (r) { /* undo: the area goes, its RAM with it */
            for (unsigned k = i; k + 1 < vm->nareas; k++)
                vm->area[k] = vm->area[k + 1];
            vm->nareas--;
            release_range(vm, va, va + len);
            return r;
        }
    }
    coalesce(vm);
    return 0;
}

long posix_vm_unmap(struct posix_vm *vm, kide_u64 va, kide_u64 len)
{
    if (!range_ok(va, len))
        return -L_EINVAL;
    kide_u64 end = va + len;
    if (vm->nareas + splits_needed(vm, va, end) > POSIX_VM_AREAS ||
        vm->nallocs + release_splits(vm, va, end) > POSIX_VM_ALLOCS)
        return -L_ENOMEM;
    split_at(vm, va);
    split_at(vm, end);
    unsigned out = 0;
    for (unsigned i = 0; i < vm->nareas; i++) {
        struct posix_vm_area a = vm->area[i];
        if (a.start < va || a.end > end)
            vm->area[out++] = a;
    }
    vm->nareas = out;
    release_range(vm, va, end);
    return 0;
}

long posix_vm_protect(struct posix_vm *vm, kide_u64 va, kide_u64 len, unsigned prot)
{
    if (!range_ok(va, len))
        return -L_EINVAL;
    kide_u64 end = va + len, p = va;
    for (unsigned i = 0; i < vm->nareas && p < end; i++) {
        if (vm->area[i].end <= p)
            continue;
        if (vm->area[i].start > p)
            break;
        p = vm->area[i].end;
    }
    if (p < end)
        return -L_ENOMEM; /* a hole: Linux says ENOMEM */
    if (vm->nareas + splits_needed(vm, va, end) > POSIX_VM_AREAS)
        return -L_ENOMEM;
    split_at(vm, va);
    split_at(vm, end);
    for (unsigned i = 0; i < vm->nareas; i++) {
        struct posix_vm_area *a = &vm->area[i];
        if (a->start < va || a->end > end)
            continue;
        unsigned was = hw(a->prot);
        if (!(a->flags & PVM_BACKED) && prot != L_PROT_NONE) {
            long r = back_range(vm, a->start, a->end, prot);
            if (r)
                return r;
            a->flags |= PVM_BACKED;
            was = hw_backed(prot);
        }
        if ((a->flags & PVM_BACKED) && was != hw(prot)) {
            long r = vm->ops.protect(vm->ops.ctx, a->start, a->end - a->start, prot);
            if (r)
                return r;
        }
        a->prot = prot;
    }
    coalesce(vm);
    return 0;
}

int posix_vm_access(const struct posix_vm *vm, kide_u64 va, kide_u64 len, int write)
{
    if (!len)
        return 1;
    if (va + len < va)
        return 0;
    kide_u64 end = va + len, p = va;
    unsigned need = write ? L_PROT_WRITE : L_PROT_READ;
    for (unsigned i = 0; i < vm->nareas && p < end; i++) {
        const struct posix_vm_area *a = &vm->area[i];
        if (a->end <= p)
            continue;
        if (a->start > p || !(a->flags & PVM_BACKED) || !(a->prot & need))
            return 0;
        p = a->end;
    }
    return p >= end;
}

const struct posix_vm_area *posix_vm_area_at(const struct posix_vm *vm, kide_u64 va)
{
    for (unsigned i = 0; i < vm->nareas; i++)
        if (va >= vm->area[i].start && va < vm->area[i].end)
            return &vm->area[i];
    return 0;
}

kide_u64 posix_vm_ram(const struct posix_vm *vm)
{
    kide_u64 n = 0;
    for (unsigned i = 0; i < vm->nallocs; i++)
        n += vm->alloc[i].end - vm->alloc[i].start;
    return n;
}
