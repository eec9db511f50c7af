/* SPDX-License-Identifier: MIT */
/* virtio over PCI: capabilities, status and features (virtio 1.2, 4.1).
 *
 * Everything read from configuration space is outside input: a capability
 * list may loop, point outside the standard header, name a BAR that does
 * not exist or a region beyond its end. The walk is bounded (at most
 * CAP_WALK_MAX entries), every region is checked against its BAR's size, and
 * a device without all four regions is refused with a reason. Costs: a few
 * dozen configuration reads at probe; the register helpers are one access.
 */
#include <kide/status.h>
#include "vio_pci.h"
#include "virtio.h"

#define CAP_WALK_MAX  48      /* the standard space holds at most 48 capabilities */
#define RESET_POLLS   100000u /* reads of device_status while a reset completes */
#define CFG_GEN_TRIES 16u     /* device-config reads torn by a concurrent change */
#define CFG_SPACE_STD 256u

kide_u32 vio_rd(struct vio_pci *p, const struct vio_region *r, kide_u64 off, unsigned w)
{
    return p->a->ops->mmio_read(p->a, r->bar, r->off + off, w);
}

void vio_wr(struct vio_pci *p, const struct vio_region *r, kide_u64 off, unsigned w, kide_u32 v)
{
    p->a->ops->mmio_write(p->a, r->bar, r->off + off, w, v);
}

static kide_u32 cfg(struct vio_pci *p, kide_u32 off, unsigned w)
{
    return p->a->ops->cfg_read(p->a, off, w);
}

/* Take the capability at `ptr` if it is a usable virtio one. */
static void take_cap(struct vio_pci *p, kide_u32 ptr)
{
    kide_u32 clen = cfg(p, ptr + 2, 1), type = cfg(p, ptr + VIRTIO_CAP_TYPE, 1);
    kide_u32 bar = cfg(p, ptr + VIRTIO_CAP_BAR, 1);
    kide_u64 off = cfg(p, ptr + VIRTIO_CAP_OFFSET, 4), len = cfg(p, ptr + VIRTIO_CAP_LENGTH, 4);
    struct vio_region *r = 0;
    switch (type) {
    case VIRTIO_PCI_CAP_COMMON_CFG:
        r = &p->common;
        break;
    case VIRTIO_PCI_CAP_NOTIFY_CFG:
        r = &p->notify;
        break;
    case VIRTIO_PCI_CAP_ISR_CFG:
        r = &p->isr;
        break;
    case VIRTIO_PCI_CAP_DEVICE_CFG:
        r = &p->device;
        break;
    default:
        return; /* PCI_CFG access and others: not used */
    }
    if (r->found || clen < VIRTIO_CAP_MIN_LEN || ptr + clen > CFG_SPACE_STD || bar >= VIO_BARS)
        return;
    if (type == VIRTIO_PCI_CAP_NOTIFY_CFG && clen < VIRTIO_CAP_NOTIFY_MULT + 4)
        return;
    kide_u64 size = p->a->bar_size[bar];
    if (len == 0 || off > size || len > size - off)
        return; /* a region beyond its BAR: look for another capability */
    if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
        p->notify_mult = cfg(p, ptr + VIRTIO_CAP_NOTIFY_MULT, 4);
    *r = (struct vio_region){.bar = bar, .off = off, .len = len, .found = 1};
}

static const char *missing(struct vio_pci *p)
{
    if (!p->common.found || p->common.len < VCC_SIZE)
        return "no usable common configuration capability (a legacy-only device?)";
    if (!p->notify.found || p->notify.len < 2)
        return "no usable notify capability";
    if (!p->isr.found)
        return "no usable ISR capability";
    if (!p->device.found)
        return "no usable device configuration capability";
    return 0;
}

int vio_pci_probe(struct vio_pci *p, struct vio_access *a)
{
    *p = (struct vio_pci){.a = a};
    if (!(cfg(p, PCI_CFG_STATUS, 2) & PCI_STATUS_CAPS)) {
        p->why = "the function has no capability list";
        return KIDE_BAD_PARAM;
    }
    kide_u32 ptr = cfg(p, PCI_CFG_CAP_PTR, 1) & 0xfc;
    for (int n = 0; ptr >= 0x40 && ptr < CFG_SPACE_STD && n < CAP_WALK_MAX; n++) {
        if (cfg(p, ptr, 1) == PCI_CAP_VENDOR)
            take_cap(p, ptr);
        ptr = cfg(p, ptr + 1, 1) & 0xfc;
    }
    p->why = missing(p);
    if (p->why)
        return KIDE_BAD_PARAM;
    kide_u32 cmd = cfg(p, PCI_CFG_COMMAND, 2);
    cmd |= PCI_CMD_MEM | PCI_CMD_MASTER;
    if (a->msix)
        cmd |= PCI_CMD_INTX_OFF;
    a->ops->cfg_write(a, PCI_CFG_COMMAND, 2, cmd);
    return KIDE_OK;
}

kide_u8 vio_pci_status(struct vio_pci *p)
{
    return (kide_u8)vio_rd(p, &p->common, VCC_DEVICE_STATUS, 1);
}

void vio_pci_set_status(struct vio_pci *p, kide_u8 bits)
{
    vio_wr(p, &p->common, VCC_DEVICE_STATUS, 1, vio_pci_status(p) | bits);
}

int vio_pci_reset(struct vio_pci *p)
{
    vio_wr(p, &p->common, VCC_DEVICE_STATUS, 1, 0);
    for (kide_u32 i = 0; i < RESET_POLLS; i++)
        if (vio_pci_status(p) == 0)
            return KIDE_OK;
    p->why = "the device did not finish its reset";
    return KIDE_TIMEOUT;
}

static kide_u64 device_features(struct vio_pci *p)
{
    vio_wr(p, &p->common, VCC_DEVICE_FEATURE_SELECT, 4, 0);
    kide_u64 lo = vio_rd(p, &p->common, VCC_DEVICE_FEATURE, 4);
    vio_wr(p, &p->common, VCC_DEVICE_FEATURE_SELECT, 4, 1);
    kide_u64 hi = vio_rd(p, &p->common, VCC_DEVICE_FEATURE, 4);
    return lo | hi << 32;
}

int vio_pci_features(struct vio_pci *p, kide_u64 want, kide_u64 need, kide_u64 *got)
{
    kide_u64 dev = device_features(p);
    if ((dev & need) != need) {
        p->why = !(dev & VIRTIO_BIT(VIRTIO_F_VERSION_1))
                         ? "the device does not offer VIRTIO_F_VERSION_1 (legacy only)"
                         : "the device lacks a feature the driver needs";
        vio_pci_set_status(p, VIRTIO_STATUS_FAILED);
        return KIDE_BAD_PARAM;
    }
    kide_u64 drv = dev & (want | need);
    vio_wr(p, &p->common, VCC_DRIVER_FEATURE_SELECT, 4, 0);
    vio_wr(p, &p->common, VCC_DRIVER_FEATURE, 4, (kide_u32)drv);
    vio_wr(p, &p->common, VCC_DRIVER_FEATURE_SELECT, 4, 1);
    vio_wr(p, &p->common, VCC_DRIVER_FEATURE, 4, (kide_u32)(drv >> 32));
    vio_pci_set_status(p, VIRTIO_STATUS_FEATURES_OK);
    if (!(vio_pci_status(p) & VIRTIO_STATUS_FEATURES_OK)) {
        p->why = "the device refused the features the driver accepted (FEATURES_OK cleared)";
        vio_pci_set_status(p, VIRTIO_STATUS_FAILED);
        return KIDE_BAD_PARAM;
    }
    *got = drv;
    return KIDE_OK;
}

int vio_pci_device_cfg(struct vio_pci *p, kide_u32 off, void *buf, kide_u32 len)
{
    if (off > p->device.len || len > p->device.len - off) {
        p->why = "the device configuration region is too small";
        return KIDE_BAD_PARAM;
    }
    kide_u8 *b = buf;
    for (kide_u32 t = 0; t < CFG_GEN_TRIES; t++) {
        kide_u32 gen = vio_rd(p, &p->common, VCC_CONFIG_GENERATION, 1);
        for (kide_u32 i = 0; i < len; i++)
            b[i] = (kide_u8)vio_rd(p, &p->device, off + i, 1);
        if (vio_rd(p, &p->common, VCC_CONFIG_GENERATION, 1) == gen)
            return KIDE_OK;
    }
    p->why = "the device configuration kept changing while it was read";
    return KIDE_TIMEOUT;
}
