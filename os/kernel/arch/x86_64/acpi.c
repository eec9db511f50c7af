/* SPDX-License-Identifier: MIT */
/* ACPI: find the MADT and read the CPUs, I/O APICs and ISA overrides from it;
 * find the MCFG's ECAM window of PCI segment 0 for the root (boot info) and
 * the DMAR's VT-d units (dma.c).
 *
 * The tables come from firmware, so every length and checksum is checked and
 * every walk is bounded by the table's own length. Without a usable MADT the
 * kernel runs on the boot CPU alone with the standard I/O APIC address.
 */
#include "acpi.h"
#include "apic.h"
#include "../../kernel.h"
#include "../../mem.h"
#include "../../boot.h"

struct dmar_info dmar;

struct sdt {
    char sig[4];
    u32 len;
    u8 rev, sum;
    char oem[6], oem_table[8];
    u32 oem_rev, creator, creator_rev;
} __attribute__((packed));

static bool sum_ok(const void *p, u64 n)
{
    u8 s = 0;
    for (u64 i = 0; i < n; i++)
        s += ((const u8 *)p)[i];
    return s == 0;
}

/* The RSDP: the loader's copy when it handed one over (Multiboot 2; under UEFI
 * it is the only way, the BIOS area holds none), else a scan of the EBDA and
 * the BIOS ROM area. Either must carry the signature and a valid ACPI 1.0
 * checksum. A 20-byte copy is zero-padded, so its XSDT address reads as 0,
 * which table() refuses: the RSDT is used. */
static const u8 *find_rsdp(void)
{
    if (boot.rsdp_len >= 20) {
        if (!memcmp(boot.rsdp, "RSD PTR ", 8) && sum_ok(boot.rsdp, 20))
            return boot.rsdp;
        printk("kide: acpi: the loader's RSDP copy has a bad signature or checksum; "
               "scanning the BIOS area\n");
    }
    u64 ebda = (u64)(*(u16 *)phys_to_virt(0x40e)) << 4;
    u64 ranges[2][2] = {{ebda, ebda + 1024}, {0xe0000, 0x100000}};
    for (int r = 0; r < 2; r++) {
        if (ranges[r][0] < 0x400 || ranges[r][1] > 0x100000)
            continue;
        for (u64 a = ranges[r][0]; a + 20 <= ranges[r][1]; a += 16) {
            const u8 *p = phys_to_virt(a);
            if (!memcmp(p, "RSD PTR ", 8) && sum_ok(p, 20))
                return p;
        }
    }
    return NULL;
}

static const struct sdt *table(u64 phys)
{
    if (phys == 0 || phys >= (4ul << 30))
        return NULL;
    const struct sdt *t = phys_to_virt(phys);
    if (t->len < sizeof(*t) || t->len > (1u << 20) || !sum_ok(t, t->len))
        return NULL;
    return t;
}

/* Record one enabled local APIC, in MADT order (the boot CPU first, by
 * convention). Firmware may list a CPU twice (a type 0 and a type 9 entry);
 * it counts once. Beyond KIDE_MAX_CPUS, CPUs are only counted (duplicates
 * among those are not detected: the count is what the message reports). */
static void add_cpu(struct acpi_info *info, u32 apic_id)
{
    for (unsigned i = 0; i < info->cpus; i++)
        if (info->apic_ids[i] == apic_id)
            return;
    info->cpus_listed++;
    if (info->cpus < KIDE_MAX_CPUS)
        info->apic_ids[info->cpus++] = apic_id;
}

/* MADT entries: type, length, then per type (ACPI 6.5, 5.2.12):
 *   0 local APIC     uid u8 @2, APIC id u8 @3, flags u32 @4 (bit 0: enabled)
 *   1 I/O APIC       id u8 @2, address u32 @4, GSI base u32 @8
 *   2 ISA override   bus u8 @2, IRQ u8 @3, GSI u32 @4, flags u16 @8
 *   9 local x2APIC   x2APIC id u32 @4, flags u32 @8, uid u32 @12
 * CPUs that are not enabled (bit 0 clear; bit 1, online capable, means
 * hot-pluggable) are not started. Unknown types are skipped by length. */
static void parse_madt(const struct sdt *m, struct acpi_info *info)
{
    const u8 *p = (const u8 *)m + sizeof(*m) + 8; /* skip LAPIC address and flags */
    const u8 *end = (const u8 *)m + m->len;
    while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
        if (p[0] == 0 && p[1] >= 8 && (*(const u32 *)(p + 4) & 1) && p[3] != 0xff) {
            add_cpu(info, p[3]);
        } else if (p[0] == 9 && p[1] >= 16 && (*(const u32 *)(p + 8) & 1) &&
                   *(const u32 *)(p + 4) != 0xffffffffu) {
            add_cpu(info, *(const u32 *)(p + 4));
        } else if (p[0] == 1 && p[1] >= 12) {
            if (info->ioapics < ACPI_MAX_IOAPICS) {
                info->ioapic[info->ioapics].phys = *(const u32 *)(p + 4);
                info->ioapic[info->ioapics].gsi_base = *(const u32 *)(p + 8);
                info->ioapics++;
            } else {
                printk("kide: acpi: I/O APIC %u (GSI base %u) ignored: at most %u are used\n", p[2],
                       *(const u32 *)(p + 8), ACPI_MAX_IOAPICS);
            }
        } else if (p[0] == 2 && p[1] >= 10 && p[3] < 16) {
            isa_gsi[p[3]] = *(const u32 *)(p + 4);
            isa_flags[p[3]] = *(const u16 *)(p + 8);
        }
        p += p[1];
    }
}

/* MCFG (PCI Firmware 3.2, 4.1.2): 8 reserved bytes after the header, then
 * 16-byte entries: base u64 @0, segment u16 @8, start bus u8 @10, end bus
 * u8 @11. Only segment 0 is kept: Kide's platform driver enumerates one. */
static void parse_mcfg(const struct sdt *m)
{
    const u8 *p = (const u8 *)m + sizeof(*m) + 8, *end = (const u8 *)m + m->len;
    for (; p + 16 <= end; p += 16) {
        u64 base = *(const u64 *)p;
        if (*(const u16 *)(p + 8) != 0 || p[11] < p[10] || (base & 0xfffff) || !base)
            continue;
        boot.ecam_phys = base + ((u64)p[10] << 20);
        boot.ecam_bus_start = p[10];
        boot.ecam_bus_end = p[11];
        return;
    }
}

void acpi_init(struct acpi_info *info)
{
    info->cpus = 0;
    info->ioapics = 0;
    const u8 *rsdp = find_rsdp();
    const struct sdt *root = NULL;
    unsigned entry = 4;
    if (rsdp && rsdp[15] >= 2 && sum_ok(rsdp, 36)) {
        root = table(*(const u64 *)(rsdp + 24));
        entry = 8;
    }
    if (!root && rsdp) {
        root = table(*(const u32 *)(rsdp + 16));
        entry = 4;
    }
    if (root) {
        u64 n = (root->len - sizeof(*root)) / entry;
        for (u64 i = 0; i < n; i++) {
            const u8 *e = (const u8 *)root + sizeof(*root) + i * entry;
            u64 a = entry == 8 ? *(const u64 *)e : *(const u32 *)e;
            const struct sdt *t = table(a);
            if (t && !memcmp(t->sig, "APIC", 4))
                parse_madt(t, info);
            else if (t && !memcmp(t->sig, "SRAT", 4))
                srat_parse(t, t->len, &srat); /* NUMA nodes, srat.c */
            else if (t && !memcmp(t->sig, "MCFG", 4))
                parse_mcfg(t);
            else if (t && !memcmp(t->sig, "DMAR", 4))
                dmar_parse(t, t->len, &dmar); /* IOMMUs, dmar.c */
        }
    }
    if (info->ioapics == 0) {
        info->ioapic[0].phys = 0xfec00000;
        info->ioapic[0].gsi_base = 0;
        info->ioapics = 1;
    }
}
