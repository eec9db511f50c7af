/* SPDX-License-Identifier: MIT */
/* ELF64 checking and the loading walk; see elf.h. All arithmetic is done so it cannot overflow:
 * every "a + b <= limit" is written as "b <= limit - a" after checking a. */
#include "elf.h"
#include <kide/status.h>
#include <kide/syscall.h>

#define PAGE    4096ull
#define PT_LOAD 1
#define PF_X    1
#define PF_W    2
#define PF_R    4

struct ehdr {
    kide_u8 ident[16];
    kide_u16 type, machine;
    kide_u32 version;
    kide_u64 entry, phoff, shoff;
    kide_u32 flags;
    kide_u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct phdr {
    kide_u32 type, flags;
    kide_u64 offset, vaddr, paddr, filesz, memsz, align;
};

static kide_u64 rd64(const kide_u8 *p)
{
    kide_u64 v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static kide_u32 rd32(const kide_u8 *p)
{
    return (kide_u32)p[0] | (kide_u32)p[1] << 8 | (kide_u32)p[2] << 16 | (kide_u32)p[3] << 24;
}
static kide_u16 rd16(const kide_u8 *p)
{
    return (kide_u16)(p[0] | p[1] << 8);
}

/* Unaligned-safe decoding: the image may sit at any address. */
static void read_phdr(const kide_u8 *p, struct phdr *h)
{
    h->type = rd32(p);
    h->flags = rd32(p + 4);
    h->offset = rd64(p + 8);
    h->vaddr = rd64(p + 16);
    h->filesz = rd64(p + 32);
    h->memsz = rd64(p + 40);
}

static enum kide_elf_error check_segment(const struct phdr *h, kide_u64 size, kide_u64 user_end)
{
    if (h->filesz > h->memsz || h->offset > size || h->filesz > size - h->offset)
        return KIDE_ELF_BAD_SEGMENT;
    if (h->vaddr < PAGE || h->vaddr >= user_end || h->memsz > user_end - h->vaddr)
        return KIDE_ELF_BAD_SEGMENT;
    return KIDE_ELF_OK;
}

static void insert_sorted(struct kide_elf_info *info, const struct kide_elf_segment *s)
{
    unsigned i = info->count++;
    while (i > 0 && info->seg[i - 1].vaddr > s->vaddr) {
        info->seg[i] = info->seg[i - 1];
        i--;
    }
    info->seg[i] = *s;
}

/* The sorted segments: none sharing a page, the entry in an executable one. */
static enum kide_elf_error check_layout(struct kide_elf_info *info, kide_u64 entry)
{
    if (info->count == 0)
        return KIDE_ELF_NO_SEGMENTS;
    /* Pages are mapped with one set of rights each: segments may not share one. */
    for (unsigned i = 1; i < info->count; i++) {
        const struct kide_elf_segment *p = &info->seg[i - 1], *s = &info->seg[i];
        kide_u64 p_last_page = (p->vaddr + p->memsz - 1) & ~(PAGE - 1);
        if ((s->vaddr & ~(PAGE - 1)) <= p_last_page)
            return KIDE_ELF_OVERLAP;
    }
    for (unsigned i = 0; i < info->count; i++) {
        const struct kide_elf_segment *s = &info->seg[i];
        if ((s->perm & KIDE_MEM_X) && entry >= s->vaddr && entry - s->vaddr < s->memsz) {
            info->entry = entry;
            return KIDE_ELF_OK;
        }
    }
    return KIDE_ELF_BAD_ENTRY;
}

/* The contiguous image as a reader. */
static int mem_read(void *ctx, kide_u64 off, void *buf, kide_u64 n)
{
    const kide_u8 *src = (const kide_u8 *)ctx + off;
    kide_u8 *dst = buf;
    for (kide_u64 i = 0; i < n; i++)
        dst[i] = src[i];
    return 0;
}

enum kide_elf_error kide_elf_check(const void *image, kide_u64 size, kide_u64 user_end,
                                   struct kide_elf_info *info)
{
    const struct kide_elf_reader r = {mem_read, (void *)image, size};
    return kide_elf_check_reader(&r, user_end, info);
}

enum kide_elf_error kide_elf_check_reader(const struct kide_elf_reader *r, kide_u64 user_end,
                                          struct kide_elf_info *info)
{
    kide_u8 b[64];
    kide_u64 size = r->size;
    info->count = 0;
    info->entry = 0;
    if (size < 64)
        return KIDE_ELF_TOO_SMALL;
    if (r->read(r->ctx, 0, b, sizeof(b)))
        return KIDE_ELF_UNREADABLE;
    if (b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F')
        return KIDE_ELF_NOT_ELF;
    if (b[4] != 2 || b[5] != 1 || rd16(b + 18) != 62)
        return KIDE_ELF_NOT_X86_64;
    if (rd16(b + 16) != 2)
        return KIDE_ELF_NOT_EXEC;
    kide_u64 phoff = rd64(b + 32), entry = rd64(b + 24);
    kide_u16 phentsize = rd16(b + 54), phnum = rd16(b + 56);
    if (phentsize != 56 || phnum == 0 || phoff > size || (kide_u64)phnum * 56 > size - phoff)
        return KIDE_ELF_BAD_PHDRS;
    for (unsigned i = 0; i < phnum; i++) {
        kide_u8 raw[56];
        struct phdr h;
        /* inside the file: phoff + phnum * 56 <= size was checked above */
        if (r->read(r->ctx, phoff + (kide_u64)i * 56, raw, sizeof(raw)))
            return KIDE_ELF_UNREADABLE;
        read_phdr(raw, &h);
        if (h.type != PT_LOAD || h.memsz == 0)
            continue;
        enum kide_elf_error e = check_segment(&h, size, user_end);
        if (e != KIDE_ELF_OK)
            return e;
        if (info->count == KIDE_ELF_MAX_SEGMENTS)
            return KIDE_ELF_TOO_MANY;
        struct kide_elf_segment s = {
                .vaddr = h.vaddr,
                .memsz = h.memsz,
                .offset = h.offset,
                .filesz = h.filesz,
                .perm = ((h.flags & PF_R) ? KIDE_MEM_R : 0) | ((h.flags & PF_W) ? KIDE_MEM_W : 0) |
                        ((h.flags & PF_X) ? KIDE_MEM_X : 0) | KIDE_MEM_R,
        };
        insert_sorted(info, &s);
    }
    return check_layout(info, entry);
}

/* The loading walk for both forms. `file` is the contiguous image (map() may
 * share its pages) or NULL (a reader: map() gets no data and must back every
 * segment with fresh pages; the bytes are copied through r). */
static int load_walk(const struct kide_elf_reader *r, const kide_u8 *file,
                     const struct kide_elf_info *info, const struct kide_elf_loader *l)
{
    for (unsigned i = 0; i < info->count; i++) {
        const struct kide_elf_segment *sg = &info->seg[i];
        /* kide_elf_check bounded vaddr + memsz by user space and offset +
         * filesz by the image: none of these sums overflows. */
        kide_u64 start = sg->vaddr & ~(PAGE - 1);
        kide_u64 end = (sg->vaddr + sg->memsz + PAGE - 1) & ~(PAGE - 1);
        int filled = 0;
        int st = l->map(l->ctx, i, sg, start, end - start, file ? file + sg->offset : 0, &filled);
        if (st != KIDE_OK)
            return st;
        if (filled && file)
            continue;
        kide_u64 fend = sg->vaddr + sg->filesz;
        for (kide_u64 va = start; va < fend; va += PAGE) {
            /* the part of the file image that falls into this page */
            kide_u64 lo = va > sg->vaddr ? va : sg->vaddr;
            kide_u64 hi = va + PAGE < fend ? va + PAGE : fend;
            if (r->read(r->ctx, sg->offset + (lo - sg->vaddr), l->ptr(l->ctx, lo), hi - lo))
                return KIDE_BAD_PARAM;
        }
    }
    return KIDE_OK;
}

int kide_elf_load(const void *image, const struct kide_elf_info *info,
                  const struct kide_elf_loader *l)
{
    const struct kide_elf_reader r = {mem_read, (void *)image, 0};
    return load_walk(&r, image, info, l);
}

int kide_elf_load_reader(const struct kide_elf_reader *r, const struct kide_elf_info *info,
                         const struct kide_elf_loader *l)
{
    return load_walk(r, 0, info, l);
}

const char *kide_elf_strerror(enum kide_elf_error e)
{
    switch (e) {
    case KIDE_ELF_OK:
        return "no error";
    case KIDE_ELF_TOO_SMALL:
        return "the file is shorter than an ELF header; is it truncated?";
    case KIDE_ELF_NOT_ELF:
        return "not an ELF file (bad magic); give a linked executable";
    case KIDE_ELF_NOT_X86_64:
        return "not a 64-bit little-endian x86_64 ELF; build for x86_64";
    case KIDE_ELF_NOT_EXEC:
        return "not an ET_EXEC executable; link statically without -pie";
    case KIDE_ELF_BAD_PHDRS:
        return "the program header table lies outside the file or is malformed";
    case KIDE_ELF_TOO_MANY:
        return "more than 16 loadable segments; merge sections in the linker script";
    case KIDE_ELF_BAD_SEGMENT:
        return "a loadable segment lies outside the file or outside user space";
    case KIDE_ELF_OVERLAP:
        return "two loadable segments share a page; align segments to 4 KiB";
    case KIDE_ELF_NO_SEGMENTS:
        return "no loadable segment";
    case KIDE_ELF_BAD_ENTRY:
        return "the entry point is not inside an executable segment";
    case KIDE_ELF_UNREADABLE:
        return "the image could not be read (its pages went away while it was checked)";
    }
    return "unknown ELF error";
}
