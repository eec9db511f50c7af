/* SPDX-License-Identifier: MIT */
/* ACPI DMAR parser; see dmar.h. Firmware input: every structure is read only
 * as far as its own length covers the fields of its type. */
#include "dmar.h"

#define DMAR_HDR 48 /* ACPI header (36), host address width, flags, 10 reserved */

static kide_u64 rd16(const kide_u8 *p)
{
    return (kide_u64)p[0] | (kide_u64)p[1] << 8;
}

static kide_u64 rd64(const kide_u8 *p)
{
    kide_u64 v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

void dmar_parse(const void *table, kide_u64 len, struct dmar_info *out)
{
    const kide_u8 *t = table;
    kide_u8 *o = (kide_u8 *)out;
    for (kide_u64 i = 0; i < sizeof(*out); i++)
        o[i] = 0;
    if (len < DMAR_HDR)
        return;
    out->haw = (unsigned)t[36] + 1;
    for (kide_u64 off = DMAR_HDR; off + 4 <= len;) {
        const kide_u8 *s = t + off;
        kide_u64 type = rd16(s), slen = rd16(s + 2);
        if (slen < 4 || slen > len - off)
            return;
        off += slen;
        if (type == 1) { /* RMRR */
            out->rmrrs++;
            continue;
        }
        if (type != 0) /* ATSR, RHSA, ANDD, SATC: nothing Kide uses */
            continue;
        /* DRHD: flags @4, segment @6, register base @8 (16 bytes before scopes). */
        kide_u64 base = slen >= 16 ? rd64(s + 8) : 0;
        if (slen < 16 || !base || (base & 0xfff)) {
            out->bad++;
        } else if (rd16(s + 6) != 0) {
            out->other_seg++;
        } else if (out->units == DMAR_MAX_UNITS) {
            out->dropped++;
        } else {
            out->unit[out->units].base = base;
            out->unit[out->units].flags = s[4];
            out->units++;
        }
    }
}

/* Firmware input again: a DRHD base is only a number. Registers on RAM (or on
 * the ACPI tables, the ECAM, an I/O APIC) would make the kernel's register
 * writes corrupt that memory before the unit "fails to answer". */
void dmar_drop_overlaps(struct dmar_info *d, const struct dmar_range *r, unsigned n)
{
    unsigned kept = 0;
    for (unsigned u = 0; u < d->units; u++) {
        kide_u64 base = d->unit[u].base;
        int bogus = 0;
        for (unsigned i = 0; i < n && !bogus; i++)
            bogus = base < r[i].end && base + 4095 >= r[i].start; /* no wrap: base <= 2^64 - 4096 */
        for (unsigned k = 0; k < kept && !bogus; k++)
            bogus = d->unit[k].base == base;
        if (bogus)
            d->bad++;
        else
            d->unit[kept++] = d->unit[u];
    }
    d->units = kept;
}
