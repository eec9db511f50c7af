/* SPDX-License-Identifier: MIT */
/* Devices: I/O ports and interrupts for user-level drivers.
 *
 * Only accounts with the device right may ask (core gives it to init; an
 * owner passes it on explicitly with KIDE_OWN_DEVICES), and every grant is
 * exclusive, so two drivers can never fight over one device. Some ports are
 * never granted to anyone (reserved_ports below): they belong to the
 * platform, not to a device a driver could own. Device memory (IO_MEM) is
 * not offered: the kernel hands the root RAM only.
 */
#include "core.h"

#define MAX_GRANTS 64

struct port_grant {
    u64 base, count;
    struct account *owner;
};
static struct port_grant grants[MAX_GRANTS];
static struct account *irq_owner[KIDE_ROOT_GSIS];

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
    int st = kide_assign_gsi((unsigned)mode, sm, a->cpu);
    if (st == KIDE_OK)
        st = kide_delegate(acc_sel(a, ACC_PD), KIDE_CRD(KIDE_CRD_OBJ, sm, 0, KIDE_SM_DOWN), sel);
    if (st == KIDE_OK)
        irq_owner[gsi] = a;
    return st;
}

void dev_release(struct account *a)
{
    for (unsigned i = 0; i < MAX_GRANTS; i++)
        if (grants[i].owner == a)
            grants[i].owner = NULL;
    for (unsigned g = 0; g < KIDE_ROOT_GSIS; g++)
        if (irq_owner[g] == a)
            irq_owner[g] = NULL;
}
