/* SPDX-License-Identifier: MIT */
/* Program memory: brk, mmap, munmap, mprotect, mremap, madvise over the
 * address-space map (pvm.h), with RAM from core's RAM_ALLOC in the low
 * window, charged to the component's RAM quota. Quota exhaustion is an
 * ordinary error (ENOMEM; brk keeps the old break), never a fault.
 * All map changes and RAM calls happen under posix.lock.
 */
#include <kide/base.h>
#include <kide/core_client.h>
#include "posix.h"
#include "uaccess.h"

#define PAGE       4096ull
#define PAGE_UP(x) (((x) + PAGE - 1) & ~(PAGE - 1))

#include "vfs.h"

static struct kide_core_chan chan(void)
{
    return kide_core_self_chan(kide_utcb(), kide_core_portal());
}

static int ram_back(void *ctx, kide_u64 va, kide_u64 len, unsigned prot)
{
    (void)ctx;
    struct kide_core_chan ch = chan();
    /* Read-write first (the runtime may fill it), executable where the program
     * may run code; the map then gives it its protection (ram_protect). */
    kide_u64 perm = KIDE_MEM_R | KIDE_MEM_W | (prot & L_PROT_EXEC ? KIDE_MEM_X : 0);
    struct kide_core_ram_alloc_req req = {.va = va, .bytes = len, .perm = perm};
    struct kide_core_ram_alloc_rep rep;
    return kide_core_ram_alloc(&ch, &req, &rep) == KIDE_OK ? 0 : -L_ENOMEM;
}

static void ram_unback(void *ctx, kide_u64 va, kide_u64 len)
{
    (void)ctx;
    struct kide_core_chan ch = chan();
    struct kide_core_ram_free_req req = {.va = va, .bytes = len};
    struct kide_core_ram_free_rep rep;
    kide_core_ram_free(&ch, &req, &rep);
}

static void ram_zero(void *ctx, kide_u64 va, kide_u64 len)
{
    (void)ctx;
    memset((void *)va, 0, len);
}

/* core's RAM_PROTECT, in steps of at most KIDE_CORE_PROTECT_MAX bytes. */
static int ram_protect(void *ctx, kide_u64 va, kide_u64 len, unsigned prot)
{
    (void)ctx;
    struct kide_core_chan ch = chan();
    kide_u64 perm = prot == L_PROT_NONE ? 0
                                        : KIDE_MEM_R | (prot & L_PROT_WRITE ? KIDE_MEM_W : 0) |
                                                  (prot & L_PROT_EXEC ? KIDE_MEM_X : 0);
    for (kide_u64 done = 0; done < len;) {
        kide_u64 n = len - done < KIDE_CORE_PROTECT_MAX ? len - done : KIDE_CORE_PROTECT_MAX;
        struct kide_core_ram_protect_req req = {.va = va + done, .bytes = n, .perm = perm};
        int st = kide_core_ram_protect(&ch, &req);
        if (st != KIDE_OK) {
            posix_log("posix: %s: RAM_PROTECT %p+%lu: %s", posix.name, (void *)(va + done),
                      (unsigned long)n, kide_status_name(st));
            return -L_ENOMEM;
        }
        done += n;
    }
    return 0;
}

long posix_mem_init(void)
{
    static const struct posix_vm_ops ops = {ram_back, ram_unback, ram_zero, ram_protect, 0};
    posix_vm_init(&posix.vm, POSIX_MMAP_LO, POSIX_MMAP_HI, &ops);
    return 0;
}

long posix_mem_map_fixed(kide_u64 va, kide_u64 len, unsigned prot)
{
    kide_mutex_lock(&posix.lock);
    long r = posix_vm_map(&posix.vm, va, len, prot);
    kide_mutex_unlock(&posix.lock);
    return r;
}

/* ---- brk: an area from brk_start up; shrinking unmaps whole pages. ---- */

long sys_brk(long a0, long a1, long a2, long a3, long a4, long a5)
{
    kide_u64 want = (kide_u64)a0;
    kide_mutex_lock(&posix.lock);
    kide_u64 cur = posix.brk_cur;
    if (want >= posix.brk_start && want < POSIX_MMAP_LO) {
        kide_u64 end = PAGE_UP(want);
        long r = 0;
        if (end > posix.brk_mapped)
            r = posix_vm_map(&posix.vm, posix.brk_mapped, end - posix.brk_mapped,
                             L_PROT_READ | L_PROT_WRITE);
        else if (end < posix.brk_mapped)
            r = posix_vm_unmap(&posix.vm, end, posix.brk_mapped - end);
        if (r == 0) {
            posix.brk_mapped = end;
            posix.brk_cur = cur = want;
        }
    }
    kide_mutex_unlock(&posix.lock);
    return (long)cur; /* Linux: the (possibly unchanged) break */
}

/* ---- mmap ---- */

long sys_mmap(long a0, long a1, long a2, long a3, long a4, long a5)
{
    kide_u64 addr = (kide_u64)a0, len = (kide_u64)a1, off = (kide_u64)a5;
    unsigned prot = (unsigned)a2, flags = (unsigned)a3;
    int fd = (int)a4;
    if (!len || len > POSIX_MMAP_HI || (addr & (PAGE - 1)) || (off & (PAGE - 1)))
        return -L_EINVAL;
    if (prot & ~(unsigned)(L_PROT_READ | L_PROT_WRITE | L_PROT_EXEC))
        return -L_EINVAL;
    unsigned type = flags & L_MAP_TYPE;
    if (type != L_MAP_PRIVATE && type != L_MAP_SHARED && type != 3 /* SHARED_VALIDATE */)
        return -L_EINVAL;
    int anon = (flags & L_MAP_ANONYMOUS) != 0;
    /* MAP_SHARED_VALIDATE is MAP_PRIVATE | MAP_SHARED: Linux takes it for files
     * only (anonymous memory: EINVAL). */
    if (anon && type == 3)
        return -L_EINVAL;
    if (!anon && type != L_MAP_PRIVATE && (prot & L_PROT_WRITE))
        return -L_ENOSYS; /* a shared writable file mapping: documented as unsupported */
    len = PAGE_UP(len);
    /* Shared anonymous memory is private memory here: one process, no fork. */
    kide_mutex_lock(&posix.lock);
    kide_u64 va = 0;
    long r;
    if (flags & (L_MAP_FIXED | L_MAP_FIXED_NOREPLACE)) {
        if (addr < POSIX_LOW || addr + len > POSIX_LOW_END || addr + len < addr) {
            r = -L_ENOMEM;
        } else if ((flags & L_MAP_FIXED_NOREPLACE) && !posix_vm_no_area(&posix.vm, addr, len)) {
            r = -L_EEXIST;
        } else {
            r = posix_vm_unmap(&posix.vm, addr, len);
            va = addr;
        }
    } else {
        r = posix_vm_find(&posix.vm, len, addr, &va);
    }
    if (r == 0)
        r = posix_vm_map(&posix.vm, va, len, anon ? prot : (prot | L_PROT_WRITE));
    kide_mutex_unlock(&posix.lock);
    if (r)
        return r;
    if (!anon) {
        /* A private file mapping is a copy of the file's bytes (the rest of the
         * last page stays zero). */
        long n = vfs_read_file(fd, off, (void *)va, len);
        if (n < 0) {
            kide_mutex_lock(&posix.lock);
            posix_vm_unmap(&posix.vm, va, len);
            kide_mutex_unlock(&posix.lock);
            return n;
        }
        if (!(prot & L_PROT_WRITE)) {
            kide_mutex_lock(&posix.lock);
            posix_vm_protect(&posix.vm, va, len, prot);
            kide_mutex_unlock(&posix.lock);
        }
    }
    return (long)va;
}

long sys_munmap(long a0, long a1, long a2, long a3, long a4, long a5)
{
    kide_u64 addr = (kide_u64)a0, len = PAGE_UP((kide_u64)a1);
    if ((addr & (PAGE - 1)) || !len || addr + len < addr)
        return -L_EINVAL;
    kide_mutex_lock(&posix.lock);
    long r = posix_vm_unmap(&posix.vm, addr, len);
    kide_mutex_unlock(&posix.lock);
    return r;
}

long sys_mprotect(long a0, long a1, long a2, long a3, long a4, long a5)
{
    kide_u64 addr = (kide_u64)a0, len = PAGE_UP((kide_u64)a1);
    unsigned prot = (unsigned)a2;
    if ((addr & (PAGE - 1)) || addr + len < addr)
        return -L_EINVAL;
    if (prot & ~(unsigned)(L_PROT_READ | L_PROT_WRITE | L_PROT_EXEC | 0x01000000 | 0x02000000))
        return -L_EINVAL;
    if (!len)
        return 0;
    prot &= L_PROT_READ | L_PROT_WRITE | L_PROT_EXEC;
    kide_mutex_lock(&posix.lock);
    long r = posix_vm_protect(&posix.vm, addr, len, prot);
    kide_mutex_unlock(&posix.lock);
    return r;
}

long sys_mremap(long a0, long a1, long a2, long a3, long a4, long a5)
{
    kide_u64 old = (kide_u64)a0, olen = PAGE_UP((kide_u64)a1), nlen = PAGE_UP((kide_u64)a2);
    unsigned flags = (unsigned)a3;
    if ((old & (PAGE - 1)) || !nlen || (flags & ~(unsigned)(L_MREMAP_MAYMOVE | L_MREMAP_FIXED)) ||
        (flags & L_MREMAP_FIXED))
        return -L_EINVAL; /* MREMAP_FIXED: not supported (documented) */
    if (!olen || old + olen < old || nlen > POSIX_MMAP_HI)
        return -L_EINVAL;
    kide_mutex_lock(&posix.lock);
    long r;
    const struct posix_vm_area *a = posix_vm_area_at(&posix.vm, old);
    if (!a || a->end < old + olen) {
        r = -L_EFAULT; /* the old range must be one mapping */
    } else if (nlen <= olen) {
        r = nlen < olen ? posix_vm_unmap(&posix.vm, old + nlen, olen - nlen) : 0;
        if (!r)
            r = (long)old;
    } else {
        unsigned prot = a->prot, backed = a->flags & PVM_BACKED; /* a moves with the map */
        kide_u64 va;
        const unsigned rw = L_PROT_READ | L_PROT_WRITE;
        if (old + nlen > old && old + nlen <= POSIX_LOW_END &&
            posix_vm_no_area(&posix.vm, old + olen, nlen - olen) &&
            posix_vm_map(&posix.vm, old + olen, nlen - olen, prot) == 0) {
            r = (long)old; /* grown in place */
        } else if (!(flags & L_MREMAP_MAYMOVE)) {
            r = -L_ENOMEM;
        } else if ((r = posix_vm_find(&posix.vm, nlen, 0, &va)) == 0 &&
                   (r = posix_vm_map(&posix.vm, va, nlen, prot | rw)) == 0) {
            /* The copy needs the old pages readable and the new writable (the
             * hardware keeps the protection, pvm.h). */
            if (backed) {
                if (!(prot & L_PROT_READ))
                    posix_vm_protect(&posix.vm, old, olen, L_PROT_READ);
                memcpy((void *)va, (const void *)old, olen);
            }
            if ((prot | rw) != prot)
                posix_vm_protect(&posix.vm, va, nlen, prot);
            posix_vm_unmap(&posix.vm, old, olen);
            r = (long)va;
        }
    }
    kide_mutex_unlock(&posix.lock);
    return r;
}

long sys_madvise(long a0, long a1, long a2, long a3, long a4, long a5)
{
    kide_u64 addr = (kide_u64)a0, len = PAGE_UP((kide_u64)a1);
    if ((addr & (PAGE - 1)) || addr + len < addr)
        return -L_EINVAL;
    if (a2 != 4 /* MADV_DONTNEED */)
        return 0; /* advice only (MADV_FREE, WILLNEED, ...): nothing to do */
    /* Private anonymous memory reads as zero afterwards, as on Linux. */
    kide_mutex_lock(&posix.lock);
    long r = posix_vm_access(&posix.vm, addr, len, 1) ? 0 : -L_ENOMEM;
    if (!r)
        memset((void *)addr, 0, len);
    kide_mutex_unlock(&posix.lock);
    return r;
}
