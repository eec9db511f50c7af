/* SPDX-License-Identifier: MIT */
/* Multiboot 1 and 2 readers (see multiboot.h for the contract).
 *
 * Layouts: Multiboot 1 (specification 0.6.96, section 3.3) and Multiboot 2
 * (specification 2.0, section 3.6). Fields are read byte-wise, little-endian,
 * so no read depends on the loader's alignment. Invariant: a byte is read
 * only after map() accepted a range that contains it, and for Multiboot 2
 * only inside [info, info + total_size).
 */
#include "multiboot.h"

#include <stddef.h> /* NULL; freestanding */

typedef kide_u8 u8;
typedef kide_u32 u32;
typedef kide_u64 u64;

static u32 rd32(const u8 *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}
static u64 rd64(const u8 *p)
{
    return rd32(p) | (u64)rd32(p + 4) << 32;
}

/* Nothing is read from an empty range, so it does not count (an unused
 * field's address may be anything). */
static void note_end(struct mb_boot *out, u64 phys, u64 len)
{
    if (len && phys + len > out->info_end)
        out->info_end = phys + len;
}

/* A usable range that starts where the previous one ends extends it: an EFI
 * memory map lists free memory, boot services code and data and loader data
 * as separate, often adjacent entries, all usable RAM once the kernel runs,
 * and real firmware has more of them than MB_MAX_RANGES. */
static void add_firm(struct mb_boot *out, u64 addr, u64 len)
{
    struct mb_range *last = out->firm_count ? &out->firm[out->firm_count - 1] : NULL;
    if (last && last->addr + last->len == addr) {
        last->len += len;
        return;
    }
    if (out->firm_count == MB_MAX_FIRM) {
        out->firm_dropped++;
        return;
    }
    out->firm[out->firm_count].addr = addr;
    out->firm[out->firm_count].len = len;
    out->firm_count++;
}

static void add_ram(struct mb_boot *out, u64 addr, u64 len, u32 type)
{
    if (len == 0 || addr + len < addr)
        return;
    if (type != 1) {
        if (type != 2)
            add_firm(out, addr, len); /* ACPI, NVS, defective, persistent: not a device's */
        return;
    }
    struct mb_range *last = out->ram_count ? &out->ram[out->ram_count - 1] : NULL;
    if (last && last->addr + last->len == addr) {
        last->len += len; /* no wrap: addr + len does not */
        return;
    }
    if (out->ram_count == MB_MAX_RANGES) {
        out->ram_dropped++;
        return;
    }
    out->ram[out->ram_count].addr = addr;
    out->ram[out->ram_count].len = len;
    out->ram_count++;
}

/* The next module slot, or NULL (counted) when all are taken. */
static struct mb_module *new_module(struct mb_boot *out, u64 start, u64 end)
{
    if (out->mods_count == MB_MAX_MODULES) {
        out->mods_dropped++;
        return NULL;
    }
    struct mb_module *m = &out->mods[out->mods_count++];
    m->start = start;
    m->end = end;
    m->cmdline[0] = 0;
    return m;
}

/* ---- Multiboot 1 ---- */

#define MB1_INFO_SIZE 52 /* through mmap_addr */
#define MB1_MOD_SIZE  16

const char *mb1_read(u32 info_phys, mb_map_fn *map, void *ctx, struct mb_boot *out)
{
    out->version = 1;
    const u8 *mb = map(info_phys, MB1_INFO_SIZE, ctx);
    if (!mb)
        return "the info structure lies outside the memory mapped at boot";
    note_end(out, info_phys, MB1_INFO_SIZE);
    u32 flags = rd32(mb);
    if (!(flags & (1u << 6)))
        return "the loader gave no memory map (flags bit 6)";
    u32 mmap_len = rd32(mb + 44), mmap_addr = rd32(mb + 48);
    const u8 *p = map(mmap_addr, mmap_len, ctx);
    if (!p)
        return "the memory map lies outside the memory mapped at boot";
    note_end(out, mmap_addr, mmap_len);
    /* Entries: size u32 (not counting itself), base u64, length u64, type u32. */
    for (u32 off = 0; off < mmap_len;) {
        if (mmap_len - off < 24)
            return "the memory map ends inside an entry";
        u32 size = rd32(p + off);
        if (size < 20 || size > mmap_len - off - 4)
            return "a memory map entry has a bad size";
        add_ram(out, rd64(p + off + 4), rd64(p + off + 12), rd32(p + off + 20));
        off += size + 4;
    }
    if (!(flags & (1u << 3)))
        return NULL;
    u32 count = rd32(mb + 20), mods_addr = rd32(mb + 24);
    if (count > 1024)
        return "the module count is implausible (over 1024)";
    const u8 *m = map(mods_addr, (u64)count * MB1_MOD_SIZE, ctx);
    if (!m && count)
        return "the module list lies outside the memory mapped at boot";
    note_end(out, mods_addr, (u64)count * MB1_MOD_SIZE);
    for (u32 i = 0; i < count; i++, m += MB1_MOD_SIZE) {
        u32 start = rd32(m), end = rd32(m + 4), string = rd32(m + 8);
        if (end < start)
            return "a module ends before it starts";
        struct mb_module *bm = new_module(out, start, end);
        if (!bm || !string)
            continue;
        /* The string has no stated length: map it byte by byte up to the NUL. */
        unsigned n = 0;
        for (; n < MB_CMDLINE - 1; n++) {
            const char *c = map((u64)string + n, 1, ctx);
            if (!c)
                return "a module string runs outside the memory mapped at boot";
            if (!*c)
                break;
            bm->cmdline[n] = *c;
        }
        bm->cmdline[n] = 0;
        note_end(out, string, n + 1);
    }
    return NULL;
}

/* ---- Multiboot 2 ---- */

#define MB2_TAG_END      0
#define MB2_TAG_MODULE   3
#define MB2_TAG_MMAP     6
#define MB2_TAG_RSDP_OLD 14
#define MB2_TAG_RSDP_NEW 15

static const char *mb2_module(struct mb_boot *out, const u8 *t, u32 size)
{
    if (size < 17)
        return "a module tag is shorter than its fields and string";
    u32 start = rd32(t + 8), end = rd32(t + 12);
    if (end < start)
        return "a module ends before it starts";
    const char *s = (const char *)t + 16;
    u32 max = size - 16, n = 0;
    while (n < max && s[n])
        n++;
    if (n == max)
        return "a module string is not NUL-terminated inside its tag";
    struct mb_module *m = new_module(out, start, end);
    if (!m)
        return NULL;
    if (n > MB_CMDLINE - 1)
        n = MB_CMDLINE - 1;
    for (u32 i = 0; i < n; i++)
        m->cmdline[i] = s[i];
    m->cmdline[n] = 0;
    return NULL;
}

static const char *mb2_mmap(struct mb_boot *out, const u8 *t, u32 size)
{
    if (size < 16)
        return "the memory map tag is shorter than its header";
    u32 esize = rd32(t + 8);
    if (esize < 24 || esize % 8)
        return "the memory map's entry size is not a multiple of 8 of at least 24";
    for (u32 off = 16; size - off >= esize; off += esize)
        add_ram(out, rd64(t + off), rd64(t + off + 8), rd32(t + off + 16));
    return NULL;
}

static void mb2_rsdp(struct mb_boot *out, const u8 *t, u32 size, unsigned len)
{
    /* A new (2.0) RSDP wins over an old one whatever their order. */
    if (size - 8 < len || out->rsdp_len > len)
        return;
    for (unsigned i = 0; i < MB_RSDP_MAX; i++)
        out->rsdp[i] = i < len ? t[8 + i] : 0;
    out->rsdp_len = len;
}

const char *mb2_read(u32 info_phys, mb_map_fn *map, void *ctx, struct mb_boot *out)
{
    out->version = 2;
    if (info_phys % 8)
        return "the info structure is not 8-byte aligned";
    const u8 *head = map(info_phys, 8, ctx);
    if (!head)
        return "the info structure lies outside the memory mapped at boot";
    u32 total = rd32(head);
    if (total < 16 || total > MB2_MAX_INFO)
        return "the info's total size is below 16 bytes or above 1 MiB";
    const u8 *info = map(info_phys, total, ctx);
    if (!info)
        return "the info structure lies outside the memory mapped at boot";
    note_end(out, info_phys, total);
    int seen_mmap = 0;
    /* Tags start at 8 and are 8-byte aligned; each lies inside the info. */
    for (u32 off = 8; off <= total - 8;) {
        const u8 *t = info + off;
        u32 type = rd32(t), size = rd32(t + 4);
        if (size < 8 || size > total - off)
            return "a tag's size is below 8 or runs past the info's total size";
        const char *why = NULL;
        switch (type) {
        case MB2_TAG_END:
            if (size != 8)
                return "the end tag's size is not 8";
            return seen_mmap ? NULL : "the loader gave no memory map tag";
        case MB2_TAG_MODULE:
            why = mb2_module(out, t, size);
            break;
        case MB2_TAG_MMAP:
            why = mb2_mmap(out, t, size);
            seen_mmap = 1;
            break;
        case MB2_TAG_RSDP_OLD:
            mb2_rsdp(out, t, size, 20);
            break;
        case MB2_TAG_RSDP_NEW:
            mb2_rsdp(out, t, size, 36);
            break;
        default:
            break;
        }
        if (why)
            return why;
        off += (size + 7) & ~7u; /* no wrap: size <= total - off <= MB2_MAX_INFO */
    }
    return "the info has no end tag inside its total size";
}
