/* SPDX-License-Identifier: MIT */
/* virtio over PCI: finding the device's register regions and driving its
 * status and feature registers (virtio 1.2, 4.1).
 */
#ifndef VIO_PCI_H
#define VIO_PCI_H

#include "vio_access.h"

/** A register region a virtio capability points to, checked against its BAR. */
struct vio_region {
    unsigned bar; /**< BAR number (< VIO_BARS) */
    kide_u64 off; /**< offset in the BAR */
    kide_u64 len; /**< bytes */
    int found;    /**< 1 once a usable capability named it */
};

/** The transport of one virtio PCI function. */
struct vio_pci {
    struct vio_access *a;
    struct vio_region common; /**< struct virtio_pci_common_cfg */
    struct vio_region notify; /**< queue notification addresses */
    struct vio_region isr;    /**< the ISR status byte */
    struct vio_region device; /**< the device-specific configuration */
    kide_u32 notify_mult;     /**< notify_off_multiplier */
    const char *why;          /**< after a failure: what was wrong */
};

/** Find the common, notify, ISR and device regions from the vendor capabilities
 *  in configuration space (the first usable one of each type), enable memory
 *  decoding and bus mastering. -> KIDE_OK | KIDE_BAD_PARAM (p->why says what is
 *  missing or out of its BAR). */
int vio_pci_probe(struct vio_pci *p, struct vio_access *a);

/** Register access in a region (the caller keeps off + width within region len). */
kide_u32 vio_rd(struct vio_pci *p, const struct vio_region *r, kide_u64 off, unsigned w);
void vio_wr(struct vio_pci *p, const struct vio_region *r, kide_u64 off, unsigned w, kide_u32 v);

/** Reset the device (status 0) and wait until it reads back 0. -> KIDE_OK | KIDE_TIMEOUT. */
int vio_pci_reset(struct vio_pci *p);
kide_u8 vio_pci_status(struct vio_pci *p);
/** Add status bits (the device keeps the ones set before). */
void vio_pci_set_status(struct vio_pci *p, kide_u8 bits);

/** Negotiate: read the device's features, take those in `want`, require those in
 *  `need`, write them and set FEATURES_OK. *got is the result.
 *  -> KIDE_OK | KIDE_BAD_PARAM (a needed feature is missing or the device refused:
 *  FAILED is set and p->why says which). */
int vio_pci_features(struct vio_pci *p, kide_u64 want, kide_u64 need, kide_u64 *got);

/** Read `len` bytes of the device configuration at `off` consistently (retrying
 *  while config_generation changes). -> KIDE_OK | KIDE_BAD_PARAM (outside the region)
 *  | KIDE_TIMEOUT (it kept changing). */
int vio_pci_device_cfg(struct vio_pci *p, kide_u32 off, void *buf, kide_u32 len);

#endif
