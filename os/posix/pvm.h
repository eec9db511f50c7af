/* SPDX-License-Identifier: MIT */
/* The program's address space: which ranges are mapped (areas, with their
 * protection) and which RAM from core backs them (allocations).
 *
 * core records RAM page by page: RAM_FREE frees any page range, even part of
 * an allocation (docs/core.md). An area is what the program sees; an
 * allocation is a range the runtime asked core for (one RAM_ALLOC), with a
 * count of the bytes of it that areas still use. munmap frees exactly the
 * pages it unmaps (the allocation shrinks or splits), so a later access
 * faults as on Linux. A new mapping over unused pages of a live allocation
 * (none arise from munmap any more) reuses them, zeroed. A PROT_NONE mapping
 * (a reservation, e.g. musl's thread stacks and guard pages) gets no RAM
 * until mprotect makes it accessible. Protection is kept by the hardware
 * too: ops.back maps read-write (plus exec if asked), and ops.protect gives
 * each backed area the access its protection allows (none for PROT_NONE,
 * with its contents kept: core's RAM_PROTECT); the runtime's own accesses
 * check the map as well (posix_user_ok).
 *
 * Pure and bounded: the RAM comes through ops, so the host tests drive it
 * with a fake; every failure leaves the map as it was, except a failing
 * mprotect which, like Linux's, may have changed a prefix of the range.
 */
#ifndef POSIX_PVM_H
#define POSIX_PVM_H

#include <kide/types.h>

#define POSIX_VM_AREAS  512u
#define POSIX_VM_ALLOCS 512u

#define PVM_BACKED 1u /* RAM behind the area (else a PROT_NONE reservation) */

struct posix_vm_area {
    kide_u64 start, end; /* page-aligned, start < end */
    unsigned prot;       /* L_PROT_* */
    unsigned flags;      /* PVM_* */
};

struct posix_vm_alloc {
    kide_u64 start, end; /* what core mapped */
    kide_u64 live;       /* bytes of it inside backed areas */
};

struct posix_vm_ops {
    /** Map fresh zeroed RAM at [va, va + len) (page-aligned, free). 0 or -L_ENOMEM. */
    int (*back)(void *ctx, kide_u64 va, kide_u64 len, unsigned prot);
    /** Give the allocation [va, va + len) back. */
    void (*unback)(void *ctx, kide_u64 va, kide_u64 len);
    /** Zero pages of a live allocation that are about to be reused. */
    void (*zero)(void *ctx, kide_u64 va, kide_u64 len);
    /** Give backed [va, va + len) the hardware access prot allows (L_PROT_*; PROT_NONE:
     *  none, contents kept). 0 or a negative errno. */
    int (*protect)(void *ctx, kide_u64 va, kide_u64 len, unsigned prot);
    void *ctx;
};

struct posix_vm {
    struct posix_vm_area area[POSIX_VM_AREAS]; /* sorted, disjoint */
    unsigned nareas;
    struct posix_vm_alloc alloc[POSIX_VM_ALLOCS]; /* unordered, disjoint */
    unsigned nallocs;
    kide_u64 lo, hi; /* the mmap window: where posix_vm_find places mappings */
    struct posix_vm_ops ops;
};

void posix_vm_init(struct posix_vm *vm, kide_u64 lo, kide_u64 hi, const struct posix_vm_ops *ops);
/** 1 if [va, va + len) meets no area and no allocation. */
int posix_vm_is_free(const struct posix_vm *vm, kide_u64 va, kide_u64 len);
/** 1 if [va, va + len) meets no area (allocation pages left by partial unmaps are reusable). */
int posix_vm_no_area(const struct posix_vm *vm, kide_u64 va, kide_u64 len);
/** A free range of len bytes in the window: at hint if that is free, else the
 *  highest free one. 0 or -L_ENOMEM. */
long posix_vm_find(const struct posix_vm *vm, kide_u64 len, kide_u64 hint, kide_u64 *va);
/** Map [va, va + len), which must meet no area: RAM unless prot is PROT_NONE.
 *  0, -L_ENOMEM (no RAM, too many areas) or -L_EINVAL. Neighbours that touch
 *  it with the same protection and backing become one area with it. */
long posix_vm_map(struct posix_vm *vm, kide_u64 va, kide_u64 len, unsigned prot);
/** Unmap every area part in [va, va + len) (nothing mapped there is fine) and free
 *  the RAM behind it. 0, -L_ENOMEM (too many areas or allocations) or -L_EINVAL. */
long posix_vm_unmap(struct posix_vm *vm, kide_u64 va, kide_u64 len);
/** Change the protection of [va, va + len), which must be mapped throughout
 *  (else -L_ENOMEM); RAM is added where a reservation becomes accessible. */
long posix_vm_protect(struct posix_vm *vm, kide_u64 va, kide_u64 len, unsigned prot);
/** 1 if [va, va + len) is mapped throughout with RAM and readable (write: writable). */
int posix_vm_access(const struct posix_vm *vm, kide_u64 va, kide_u64 len, int write);
/** The area containing va, or NULL. */
const struct posix_vm_area *posix_vm_area_at(const struct posix_vm *vm, kide_u64 va);
/** Bytes of RAM the map holds from core (allocations). */
kide_u64 posix_vm_ram(const struct posix_vm *vm);

#endif
