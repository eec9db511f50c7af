/* SPDX-License-Identifier: MIT */
/* The static-executable checker (pelf.h). Every field is read once from the
 * image into a local with fixed-size loads, every sum is checked for
 * overflow before it is used, and nothing outside [image, image + size) is
 * ever read: a hostile file gets an error, never a fault.
 */
#include "pelf.h"
#include "linux.h"

#define PT_LOAD    1
#define PT_DYNAMIC 2
#define PT_INTERP  3
#define PT_PHDR    6
#define ET_EXEC    2
#define ET_DYN     3
#define PF_X       1
#define PF_W       2
#define PF_R       4

static kide_u64 rd(const kide_u8 *p, unsigned n)
{
    kide_u64 v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (kide_u64)p[i] << (8 * i);
    return v;
}

/* a + b <= limit without overflow */
static int fits(kide_u64 a, kide_u64 b, kide_u64 limit)
{
    return a <= limit && b <= limit - a;
}

enum posix_elf_err posix_elf_check(const void *image, kide_u64 size, struct posix_elf *out)
{
    const kide_u8 *im = image;
    struct posix_elf e = {0};
    if (!im || size < 64)
        return POSIX_ELF_SHORT;
    if (im[0] != 0x7f || im[1] != 'E' || im[2] != 'L' || im[3] != 'F')
        return POSIX_ELF_MAGIC;
    /* ELFCLASS64, ELFDATA2LSB, EV_CURRENT; e_machine EM_X86_64; e_version 1 */
    if (im[4] != 2 || im[5] != 1 || im[6] != 1 || rd(im + 18, 2) != 62 || rd(im + 20, 4) != 1)
        return POSIX_ELF_ARCH;
    kide_u64 type = rd(im + 16, 2);
    if (type != ET_EXEC && type != ET_DYN)
        return POSIX_ELF_TYPE;
    e.pie = type == ET_DYN;
    e.base = e.pie ? POSIX_PIE_BASE : 0;
    kide_u64 entry = rd(im + 24, 8), phoff = rd(im + 32, 8);
    kide_u64 phent = rd(im + 54, 2), phnum = rd(im + 56, 2);
    if (phent != 56 || phnum == 0 || phnum > POSIX_ELF_MAX_PHDRS || (phoff & 7) ||
        !fits(phoff, phnum * 56, size))
        return POSIX_ELF_PHDRS;
    e.phnum = (unsigned)phnum;
    e.phent = 56;

    kide_u64 phdr_va = 0;
    int have_phdr = 0;
    for (kide_u64 i = 0; i < phnum; i++) {
        const kide_u8 *ph = im + phoff + i * 56;
        kide_u64 ptype = rd(ph, 4), flags = rd(ph + 4, 4), off = rd(ph + 8, 8);
        kide_u64 va = rd(ph + 16, 8), fsz = rd(ph + 32, 8), msz = rd(ph + 40, 8);
        kide_u64 align = rd(ph + 48, 8);
        if (ptype == PT_INTERP)
            return POSIX_ELF_INTERP;
        if (ptype == PT_PHDR) {
            if (!fits(va, e.base, POSIX_LOW_END))
                return POSIX_ELF_PHDR_LOAD;
            phdr_va = va + e.base;
            have_phdr = 1;
        }
        if (ptype != PT_LOAD)
            continue;
        if (msz == 0)
            continue; /* nothing to load; Linux skips it too */
        if (e.nload >= POSIX_ELF_MAX_LOADS)
            return POSIX_ELF_NLOADS;
        if (fsz > msz || !fits(off, fsz, size))
            return POSIX_ELF_SEGMENT;
        /* A power-of-two alignment; at page alignment and above, the address
         * and the file offset must agree within the page (how Linux maps it). */
        if (align & (align - 1))
            return POSIX_ELF_SEGMENT;
        if (align >= POSIX_PAGE && ((va ^ off) & (POSIX_PAGE - 1)))
            return POSIX_ELF_SEGMENT;
        if (!fits(va, e.base, POSIX_LOW_END))
            return POSIX_ELF_WINDOW;
        va += e.base;
        if (va < POSIX_LOW || !fits(va, msz, POSIX_LOW_END) ||
            !fits(va + msz, POSIX_PAGE - 1, POSIX_LOW_END))
            return POSIX_ELF_WINDOW;
        if (e.nload) {
            const struct posix_elf_seg *prev = &e.load[e.nload - 1];
            if (va < prev->vaddr + prev->memsz)
                return POSIX_ELF_ORDER;
        }
        struct posix_elf_seg *s = &e.load[e.nload++];
        s->vaddr = va;
        s->memsz = msz;
        s->offset = off;
        s->filesz = fsz;
        s->prot = (flags & PF_R ? L_PROT_READ : 0) | (flags & PF_W ? L_PROT_WRITE : 0) |
                  (flags & PF_X ? L_PROT_EXEC : 0);
    }
    if (!e.nload)
        return POSIX_ELF_NLOADS;
    e.lo = e.load[0].vaddr & ~(POSIX_PAGE - 1);
    const struct posix_elf_seg *last = &e.load[e.nload - 1];
    e.hi = (last->vaddr + last->memsz + POSIX_PAGE - 1) & ~(POSIX_PAGE - 1);

    if (!fits(entry, e.base, POSIX_LOW_END))
        return POSIX_ELF_ENTRY;
    e.entry = entry + e.base;
    int entry_ok = 0;
    for (unsigned i = 0; i < e.nload; i++) {
        const struct posix_elf_seg *s = &e.load[i];
        if ((s->prot & L_PROT_EXEC) && e.entry >= s->vaddr && e.entry < s->vaddr + s->memsz)
            entry_ok = 1;
        /* Without PT_PHDR the headers are found where the file maps them. */
        if (!have_phdr && phoff >= s->offset && phoff + phnum * 56 <= s->offset + s->filesz) {
            phdr_va = s->vaddr + (phoff - s->offset);
            have_phdr = 1;
        }
    }
    if (!entry_ok)
        return POSIX_ELF_ENTRY;
    /* musl finds PT_TLS through AT_PHDR: the headers must be loaded bytes. */
    int phdr_ok = 0;
    for (unsigned i = 0; have_phdr && i < e.nload; i++) {
        const struct posix_elf_seg *s = &e.load[i];
        if (phdr_va >= s->vaddr && phnum * 56 <= s->filesz &&
            phdr_va - s->vaddr <= s->filesz - phnum * 56)
            phdr_ok = 1;
    }
    if (!phdr_ok)
        return POSIX_ELF_PHDR_LOAD;
    e.phdr = phdr_va;
    *out = e;
    return POSIX_ELF_OK;
}

const char *posix_elf_strerror(enum posix_elf_err e)
{
    switch (e) {
    case POSIX_ELF_OK:
        return "ok";
    case POSIX_ELF_SHORT:
        return "file too short for an ELF header: is the module the program?";
    case POSIX_ELF_MAGIC:
        return "not an ELF file: give the static Linux executable";
    case POSIX_ELF_ARCH:
        return "not a 64-bit little-endian x86_64 ELF: build for x86_64 Linux";
    case POSIX_ELF_TYPE:
        return "neither an executable nor a static-pie: link with -static";
    case POSIX_ELF_PHDRS:
        return "program header table malformed or outside the file";
    case POSIX_ELF_INTERP:
        return "dynamically linked (it names an interpreter): build it with musl-gcc -static";
    case POSIX_ELF_NLOADS:
        return "no loadable segment, or more than 16";
    case POSIX_ELF_SEGMENT:
        return "a segment lies outside the file, has filesz > memsz or a bad alignment";
    case POSIX_ELF_WINDOW:
        return "a segment lies outside the low window 0x10000..0x4000000000: link at 0x400000";
    case POSIX_ELF_ORDER:
        return "segments out of address order or overlapping";
    case POSIX_ELF_ENTRY:
        return "the entry point is not in an executable segment";
    case POSIX_ELF_PHDR_LOAD:
        return "the program headers are not inside a loaded segment";
    }
    return "unknown ELF error";
}
