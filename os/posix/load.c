/* SPDX-License-Identifier: MIT */
/* Loading the program: its ROM module mapped read-only in the heap window,
 * checked completely (pelf.c), its segments given RAM at their addresses in
 * the low window and copied (the rest zero), brk after the highest segment,
 * and the initial stack (pstack.c) in the heap window.
 */
#include <kide/base.h>
#include <kide/core_client.h>
#include "posix.h"
#include "pelf.h"
#include "pstack.h"
#include "load.h"

#define PAGE 4096ull

int posix_load(const char *module, const char *const *argv, unsigned argc, const char *const *envp,
               unsigned envc, kide_u64 stack_size, struct posix_start *out)
{
    const void *image;
    kide_u64 image_size;
    if (posix_rom_map(module, &image, &image_size) != 0)
        return -1; /* logged */
    posix.image_va = (kide_u64)image;
    posix.image_size = image_size;

    struct posix_elf e;
    enum posix_elf_err err = posix_elf_check(image, image_size, &e);
    if (err != POSIX_ELF_OK) {
        posix_log("posix: %s: not a program Kide can run: %s", posix.name, posix_elf_strerror(err));
        return -1;
    }
    /* RAM for the page range of each run of segments (neighbours may share a
     * page), writable while copying; then each segment's protection. */
    for (unsigned i = 0; i < e.nload; i++) {
        const struct posix_elf_seg *s = &e.load[i];
        kide_u64 lo = s->vaddr & ~(PAGE - 1), hi = (s->vaddr + s->memsz + PAGE - 1) & ~(PAGE - 1);
        if (i && lo < ((e.load[i - 1].vaddr + e.load[i - 1].memsz + PAGE - 1) & ~(PAGE - 1)))
            lo += PAGE; /* the shared page is mapped already */
        if (lo < hi &&
            posix_mem_map_fixed(lo, hi - lo, L_PROT_READ | L_PROT_WRITE | L_PROT_EXEC) != 0) {
            posix_log("posix: %s: no RAM for the program's segments at %p (%lu bytes): "
                      "raise the child's ram",
                      posix.name, (void *)lo, (unsigned long)(hi - lo));
            return -1;
        }
        memcpy((void *)s->vaddr, (const kide_u8 *)image + s->offset, s->filesz);
    }
    kide_mutex_lock(&posix.lock);
    for (unsigned i = 0; i < e.nload; i++) {
        const struct posix_elf_seg *s = &e.load[i];
        kide_u64 lo = s->vaddr & ~(PAGE - 1), hi = (s->vaddr + s->memsz + PAGE - 1) & ~(PAGE - 1);
        posix_vm_protect(&posix.vm, lo, hi - lo, s->prot | L_PROT_READ);
    }
    kide_mutex_unlock(&posix.lock);
    posix.brk_start = posix.brk_cur = posix.brk_mapped = e.hi;

    /* The main stack: [top - size, top) plus a guard page nobody maps. */
    kide_u64 top = POSIX_STACK_TOP, size = stack_size;
    if (posix_mem_map_fixed(top - size, size, L_PROT_READ | L_PROT_WRITE) != 0) {
        posix_log("posix: %s: no RAM for the %lu-byte stack: raise ram or lower stack", posix.name,
                  (unsigned long)size);
        return -1;
    }
    posix.stack_lo = top - size;
    posix.stack_hi = top;
    struct posix_stack_in in = {argv,   argc,    envp,    envc,    argv[0], {0},
                                e.phdr, e.phent, e.phnum, e.entry, 0};
    if (posix_random(in.random, 16)) {
        /* No RDRAND: AT_RANDOM from the clock (musl's stack canary; said in the log). */
        kide_u64 t = kide_now_ns() * 0x9e3779b97f4a7c15ull;
        memcpy(in.random, &t, 8);
        t ^= (kide_u64)&in * 0xbf58476d1ce4e5b9ull;
        memcpy(in.random + 8, &t, 8);
        posix_log("posix: %s: no RDRAND on this CPU: AT_RANDOM is not random and getrandom "
                  "fails with EIO; give the machine a CPU model with RDRAND (scenario "
                  "machine.cpu: \"qemu64,+rdrand,+rdseed\")",
                  posix.name);
    }
    unsigned a = 1, b, c, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
    in.hwcap = d; /* Linux's AT_HWCAP on x86: CPUID.1:EDX */
    /* Build in place: the stack is our own memory too. */
    kide_u64 sp = posix_stack_build((kide_u8 *)(top - size), size, top, &in);
    if (!sp) {
        posix_log("posix: %s: arguments and environment do not fit the %lu-byte stack", posix.name,
                  (unsigned long)size);
        return -1;
    }
    out->entry = e.entry;
    out->sp = sp;
    return 0;
}
