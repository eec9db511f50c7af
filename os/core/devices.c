/* SPDX-License-Identifier: MIT */
/* Devices: I/O ports, device memory and interrupts for user-level drivers.
 *
 * Only accounts with the device right may ask (core gives it to init; an
 * owner passes it on explicitly with KIDE_OWN_DEVICES), and every grant is
 * exclusive, so two drivers can never fight over one device. Some ports are
 * never granted to anyone (reserved_ports below): they belong to the
 * platform, not to a device a driver could own. PCI configuration (the ECAM
 * window, or ports 0xcf8..0xcff without one) goes only to the account with
 * the platform right, the platform driver, which hands every other driver
 * its own function's configuration space (docs/network.md).
 *
 * Device memory is what the kernel gave the root as such (lookup reports
 * KIDE_MEM_DEV): never RAM, never the interrupt controllers. Costs: IO_MEM
 * checks its range against the root's device ranges (a lookup per range
 * node, a few dozen at most) and the KIDE_CORE_DEV_GRANTS grants, then maps
 * at most KIDE_CORE_IO_MEM_MAX / 4 KiB pages one delegation each. MSI takes
 * one of KIDE_ROOT_MSIS semaphores: O(KIDE_ROOT_MSIS).
 */
#include "core.h"

#define MAX_GRANTS 64

struct port_grant {
    u64 base, count;
    struct account *owner;
};
static struct port_grant grants[MAX_GRANTS];
static struct account *irq_owner[KIDE_ROOT_GSIS];
static struct account *msi_owner[KIDE_ROOT_MSIS];
static struct port_grant mem_grants[KIDE_CORE_DEV_GRANTS]; /* base, count in bytes */
static struct account *pci_owner;                          /* the platform driver */

static bool overlaps(u64 b1, u64 n1, u64 b2, u64 n2)
{
    return b1 < b2 + n2 && b2 < b1 + n1;
}

/* Ports whose owner could take the whole machine (reset it, reprogram any
 * device's DMA, change interrupt routing) or forge the console. A PCI
 * driver gets its device's configuration space from the platform driver,
 * never the configuration mechanism itself. */
static const struct reserved_port {
    u16 base, count;
    const char *why;
} reserved_ports[] = {
        {0x20, 2, "the legacy PIC (interrupt routing)"},
        {0x64, 1, "the keyboard controller's command port (it resets the CPU)"},
        {0x92, 1, "system control port A (fast reset)"},
        {0xa0, 2, "the legacy PIC (interrupt routing)"},
        {0xf4, 4, "QEMU's exit device (init's exit ends the machine)"},
        {0x3f8, 8, "COM1 (core's console: every line carries its source)"},
        {0x4d0, 2, "the interrupt edge/level registers"},
        {0xcf8, 8,
         "PCI configuration and the reset control register (bus mastering and DMA of any "
         "device)"},
};

/* The reason a range may never be granted, or NULL. */
static const char *reserved_port_range(u64 base, u64 count)
{
    for (unsigned i = 0; i < sizeof(reserved_ports) / sizeof(reserved_ports[0]); i++)
        if (overlaps(base, count, reserved_ports[i].base, reserved_ports[i].count))
            return reserved_ports[i].why;
    return NULL;
}

int dev_io_port(struct account *a, u64 base, u64 count)
{
    if (!count || count > 0x10000 || (count & (count - 1)) || (base & (count - 1)) ||
        base + count > 0x10000)
        return KIDE_BAD_PARAM;
    if (!a->devices)
        return KIDE_DENIED;
    const char *why = reserved_port_range(base, count);
    if (why) {
        /* Said on the console for the first few only: a driver asking in a
         * loop must not keep core printing under its lock. */
        static unsigned said;
        if (said < 16 && ++said)
            printf("core: %s: I/O ports 0x%lx+%lu refused: they include %s, which no "
                   "component may hold\n",
                   a->label, base, count, why);
        return KIDE_DENIED;
    }
    struct port_grant *free = NULL;
    for (unsigned i = 0; i < MAX_GRANTS; i++) {
        if (!grants[i].owner) {
            if (!free)
                free = &grants[i];
        } else if (overlaps(base, count, grants[i].base, grants[i].count)) {
            return KIDE_BUSY;
        }
    }
    if (!free)
        return KIDE_QUOTA;
    unsigned order = 0;
    while ((1ull << order) < count)
        order++;
    int st = kide_delegate(acc_sel(a, ACC_PD), KIDE_CRD(KIDE_CRD_IO, base, order, KIDE_IO_ACCESS),
                           base);
    if (st == KIDE_OK)
        *free = (struct port_grant){base, count, a};
    return st;
}

int dev_irq(struct account *a, u64 gsi, kide_sel sel, u64 mode)
{
    if (gsi >= KIDE_ROOT_GSIS || sel < KIDE_COMP_SEL_FREE || sel >= KIDE_CAP_SLOTS || mode > 3)
        return KIDE_BAD_PARAM;
    if (!a->devices)
        return KIDE_DENIED;
    if (irq_owner[gsi])
        return KIDE_BUSY;
    kide_sel sm = KIDE_ROOT_SEL_GSI + gsi;
    /* Delivered on the driver's own CPU, where its thread waits for it. */
    int st = kide_assign_gsi((unsigned)mode, sm, a->cpu, NULL, NULL);
    if (st == KIDE_OK)
        /* SM_UP too, as for an MSI: a driver may make its line's semaphore the
         * one its main loop waits on, upped by its clients as well
         * (docs/decisions/0017-one-wake-semaphore.md). An up only wakes the
         * driver; on a level line its down then unmasks the line early, which
         * costs at most one more interrupt while the device still asserts it. */
        st = kide_delegate(acc_sel(a, ACC_PD),
                           KIDE_CRD(KIDE_CRD_OBJ, sm, 0, KIDE_SM_DOWN | KIDE_SM_UP), sel);
    if (st == KIDE_OK)
        irq_owner[gsi] = a;
    return st;
}

/* Whether the root holds [phys, phys + bytes) as device memory: walk its
 * range nodes (lookup describes the whole node a page lies in). */
static bool is_device_memory(u64 phys, u64 bytes)
{
    for (u64 p = phys; p < phys + bytes;) {
        u64 found = 0, info = 0;
        if (p >= KIDE_USER_END ||
            kide_lookup(KIDE_CRD(KIDE_CRD_MEM, p >> 12, 0, 0), &found, &info) != KIDE_OK ||
            KIDE_CRD_KIND(found) != KIDE_CRD_MEM || !(KIDE_CRD_PERM(found) & KIDE_MEM_DEV))
            return false;
        p = (KIDE_CRD_BASE(found) + (1ull << KIDE_CRD_ORDER(found))) << 12;
    }
    return true;
}

/* Whether the range touches the ECAM window (all its buses). */
static bool is_ecam(u64 phys, u64 bytes)
{
    const struct kide_boot_info *bi = core_bootinfo;
    if (!bi->ecam_phys)
        return false;
    u64 size = ((u64)bi->ecam_bus_end - bi->ecam_bus_start + 1) << 20;
    return overlaps(phys, bytes, bi->ecam_phys, size);
}

int dev_io_mem(struct account *a, u64 phys, u64 bytes, u64 va)
{
    if (!bytes || bytes > KIDE_CORE_IO_MEM_MAX || ((phys | bytes | va) & 4095) ||
        phys + bytes < phys)
        return KIDE_BAD_PARAM;
    if (!a->devices || !is_device_memory(phys, bytes))
        return KIDE_DENIED;
    if (is_ecam(phys, bytes) && (!a->platform || pci_owner != a))
        return KIDE_DENIED; /* configuration space: the platform driver's alone */
    struct port_grant *free = NULL;
    for (unsigned i = 0; i < KIDE_CORE_DEV_GRANTS; i++) {
        if (!mem_grants[i].owner) {
            if (!free)
                free = &mem_grants[i];
        } else if (overlaps(phys, bytes, mem_grants[i].base, mem_grants[i].count)) {
            return KIDE_BUSY;
        }
    }
    if (!free)
        return KIDE_QUOTA;
    int st = mem_map_dev(a, va, phys, bytes);
    /* Pages mapped before a failure stay (recorded, they go with the account):
     * so does the grant, or another account could map them too. */
    if (st == KIDE_OK || st == KIDE_QUOTA)
        *free = (struct port_grant){phys, bytes, a};
    return st;
}

int dev_msi(struct account *a, kide_sel sel, struct kide_core_msi_rep *rep)
{
    if (sel < KIDE_COMP_SEL_FREE || sel >= KIDE_CAP_SLOTS)
        return KIDE_BAD_PARAM;
    if (!a->devices)
        return KIDE_DENIED;
    unsigned m = 0;
    while (m < KIDE_ROOT_MSIS && msi_owner[m])
        m++;
    if (m == KIDE_ROOT_MSIS)
        return KIDE_QUOTA;
    kide_sel sm = KIDE_ROOT_SEL_MSI + m;
    /* A previous owner's messages must not reach the new one. */
    kide_ctrl_sm(KIDE_CTRL_SM_DOWN_ZERO, sm, 1);
    int st = kide_assign_gsi(0, sm, a->cpu, &rep->addr, &rep->data);
    /* SM_UP too: a driver may make its interrupt semaphore the one its main loop
     * waits on, upped by its own clients as well
     * (docs/decisions/0017-one-wake-semaphore.md); an up only wakes whoever waits
     * on this semaphore, and every copy goes with this delegation when the
     * account does. */
    if (st == KIDE_OK)
        st = kide_delegate(acc_sel(a, ACC_PD),
                           KIDE_CRD(KIDE_CRD_OBJ, sm, 0, KIDE_SM_DOWN | KIDE_SM_UP), sel);
    if (st != KIDE_OK) {
        *rep = (struct kide_core_msi_rep){0};
        return st;
    }
    rep->index = m;
    msi_owner[m] = a;
    return KIDE_OK;
}

int dev_pci_config(struct account *a, struct kide_core_pci_config_rep *rep)
{
    const struct kide_boot_info *bi = core_bootinfo;
    if (!a->platform)
        return KIDE_DENIED;
    if (pci_owner && pci_owner != a)
        return KIDE_BUSY;
    if (bi->ecam_phys) {
        *rep = (struct kide_core_pci_config_rep){KIDE_PCI_CFG_ECAM, bi->ecam_phys,
                                                 bi->ecam_bus_start, bi->ecam_bus_end};
    } else {
        /* 0xcf8..0xcff: address, data and the reset control register 0xcf9,
         * which the platform driver must never let a driver reach. */
        int st = kide_delegate(acc_sel(a, ACC_PD), KIDE_CRD(KIDE_CRD_IO, 0xcf8, 3, KIDE_IO_ACCESS),
                               0xcf8);
        if (st != KIDE_OK)
            return st;
        *rep = (struct kide_core_pci_config_rep){KIDE_PCI_CFG_PORTS, 0, 0, 255};
    }
    pci_owner = a;
    return KIDE_OK;
}

void dev_release(struct account *a)
{
    for (unsigned i = 0; i < KIDE_CORE_DEV_GRANTS; i++)
        if (mem_grants[i].owner == a)
            mem_grants[i].owner = NULL;
    for (unsigned m = 0; m < KIDE_ROOT_MSIS; m++)
        if (msi_owner[m] == a)
            msi_owner[m] = NULL;
    if (pci_owner == a)
        pci_owner = NULL;
    for (unsigned i = 0; i < MAX_GRANTS; i++)
        if (grants[i].owner == a)
            grants[i].owner = NULL;
    for (unsigned g = 0; g < KIDE_ROOT_GSIS; g++)
        if (irq_owner[g] == a)
            irq_owner[g] = NULL;
}
