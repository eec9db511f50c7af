/* SPDX-License-Identifier: MIT */
/* virtio-net on Kide: the device access through the platform session. */
#ifndef KIDE_ACCESS_H
#define KIDE_ACCESS_H

#include <kide/component.h>
#include "vio_access.h"

/** Open the platform session and fill `a` for the device it grants.
 *  -> KIDE_OK | KIDE_NOT_FOUND (no platform session yet: see kide_access.c) | other. */
int kide_access_open(struct kide_env *env, struct vio_access *a);
/** The device's interrupt semaphore (after kide_access_open: SM_DOWN and SM_UP, so
 *  the driver can make it its NIC server semaphore and wait on one semaphore for the
 *  device and its clients alike). */
kide_sel kide_access_irq_sm(void);
/** Under INTx: says on the log the first interrupt the device raised and the next
 *  one (the line was unmasked again), given the driver's count of wake-ups whose
 *  ISR read said the device interrupted (vnet_stats.isr_irqs). */
void kide_access_intx_note(struct kide_env *env, kide_u64 isr_irqs);

#endif
