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

/* What the program headers said beyond the loads. */
struct hdr {
    kide_u64 entry, phoff, phnum, phdr_va;
    int have_phdr;
};

static enum posix_elf_err check_header(const kide_u8 *im, kide_u64 size, struct posix_elf *e,
                                       struct hdr *h)
{
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
    e->pie = type == ET_DYN;
    e->base = e->pie ? POSIX_PIE_BASE : 0;
    h->entry = rd(im + 24, 8);
    h->phoff = rd(im + 32, 8);
    kide_u64 phent = rd(im + 54, 2);
    h->phnum = rd(im + 56, 2);
    if (phent != 56 || h->phnum == 0 || h->phnum > POSIX_ELF_MAX_PHDRS || (h->phoff & 7) ||
        !fits(h->phoff, h->phnum * 56, size))
        return POSIX_ELF_PHDRS;
    e->phnum = (unsigned)h->phnum;
    e->phent = 56;
    return POSIX_ELF_OK;
}

/* One PT_LOAD: checked and appended to e->load. */
static enum posix_elf_err add_load(struct posix_elf *e, const kide_u8 *ph, kide_u64 size)
{
    kide_u64 flags = rd(ph + 4, 4), off = rd(ph + 8, 8), va = rd(ph + 16, 8);
    kide_u64 fsz = rd(ph + 32, 8), msz = rd(ph + 40, 8), align = rd(ph + 48, 8);
    if (msz == 0)
        return POSIX_ELF_OK; /* nothing to load; Linux skips it too */
    if (e->nload >= POSIX_ELF_MAX_LOADS)
        return POSIX_ELF_NLOADS;
    if (fsz > msz || !fits(off, fsz, size))
        return POSIX_ELF_SEGMENT;
    /* A power-of-two alignment; at page alignment and above, the address and
     * the file offset must agree within the page (how Linux maps it). */
    if (align & (align - 1))
        return POSIX_ELF_SEGMENT;
    if (align >= POSIX_PAGE && ((va ^ off) & (POSIX_PAGE - 1)))
        return POSIX_ELF_SEGMENT;
    if (!fits(va, e->base, POSIX_LOW_END))
        return POSIX_ELF_WINDOW;
    va += e->base;
    if (va < POSIX_LOW || !fits(va, msz, POSIX_LOW_END) ||
        !fits(va + msz, POSIX_PAGE - 1, POSIX_LOW_END))
        return POSIX_ELF_WINDOW;
    if (e->nload) {
        const struct posix_elf_seg *prev = &e->load[e->nload - 1];
        if (va < prev->vaddr + prev->memsz)
            return POSIX_ELF_ORDER;
    }
    struct posix_elf_seg *s = &e->load[e->nload++];
    s->vaddr = va;
    s->memsz = msz;
    s->offset = off;
    s->filesz = fsz;
    s->prot = (flags & PF_R ? L_PROT_READ : 0) | (flags & PF_W ? L_PROT_WRITE : 0) |
              (flags & PF_X ? L_PROT_EXEC : 0);
    return POSIX_ELF_OK;
}

static enum posix_elf_err walk_phdrs(const kide_u8 *im, kide_u64 size, struct posix_elf *e,
                                     struct hdr *h)
{
    for (kide_u64 i = 0; i < h->phnum; i++) {
        const kide_u8 *ph = im + h->phoff + i * 56;
        kide_u64 ptype = rd(ph, 4);
        enum posix_elf_err err = POSIX_ELF_OK;
        if (ptype == PT_INTERP)
            return POSIX_ELF_INTERP;
        if (ptype == PT_PHDR) {
            kide_u64 va = rd(ph + 16, 8);
            if (!fits(va, e->base, POSIX_LOW_END))
                return POSIX_ELF_PHDR_LOAD;
            h->phdr_va = va + e->base;
            h->have_phdr = 1;
        }
        if (ptype == PT_LOAD)
            err = add_load(e, ph, size);
        if (err != POSIX_ELF_OK)
            return err;
    }
    return e->nload ? POSIX_ELF_OK : POSIX_ELF_NLOADS;
}

/* The entry in an executable segment, the program headers in loaded bytes. */
static enum posix_elf_err check_entry_phdr(struct posix_elf *e, struct hdr *h)
{
    if (!fits(h->entry, e->base, POSIX_LOW_END))
        return POSIX_ELF_ENTRY;
    e->entry = h->entry + e->base;
    int entry_ok = 0;
    kide_u64 tbl = h->phnum * 56;
    for (unsigned i = 0; i < e->nload; i++) {
        const struct posix_elf_seg *s = &e->load[i];
        if ((s->prot & L_PROT_EXEC) && e->entry >= s->vaddr && e->entry < s->vaddr + s->memsz)
            entry_ok = 1;
        /* Without PT_PHDR the headers are found where the file maps them. */
        if (!h->have_phdr && h->phoff >= s->offset && h->phoff + tbl <= s->offset + s->filesz) {
            h->phdr_va = s->vaddr + (h->phoff - s->offset);
            h->have_phdr = 1;
        }
    }
    if (!entry_ok)
        return POSIX_ELF_ENTRY;
    /* musl finds PT_TLS through AT_PHDR: the headers must be loaded bytes. */
    for (unsigned i = 0; h->have_phdr && i < e->nload; i++) {
        const struct posix_elf_seg *s = &e->load[i];
        if (h->phdr_va >= s->vaddr && tbl <= s->filesz &&
            h->phdr_va - s->vaddr <= s->filesz - tbl) {
            e->phdr = h->phdr_va;
            return POSIX_ELF_OK;
        }
    }
    return POSIX_ELF_PHDR_LOAD;
}

enum posix_elf_err posix_elf_check(const void *image, kide_u64 size, struct posix_elf *out)
{
    const kide_u8 *im = image;
    struct posix_elf e = {0};
    struct hdr h = {0};
    enum posix_elf_err err = check_header(im, size, &e, &h);
    if (err == POSIX_ELF_OK)
        err = walk_phdrs(im, size, &e, &h);
    if (err != POSIX_ELF_OK)
        return err;
    e.lo = e.load[0].vaddr & ~(POSIX_PAGE - 1);
    const struct posix_elf_seg *last = &e.load[e.nload - 1];
    e.hi = (last->vaddr + last->memsz + POSIX_PAGE - 1) & ~(POSIX_PAGE - 1);
    err = check_entry_phdr(&e, &h);
    if (err == POSIX_ELF_OK)
        *out = e;
    return err;
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
