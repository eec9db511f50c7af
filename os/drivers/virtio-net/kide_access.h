/* SPDX-License-Identifier: MIT */
/* virtio-net on Kide: the device access through the platform session. */
#ifndef KIDE_ACCESS_H
#define KIDE_ACCESS_H

#include <kide/component.h>
#include "vio_access.h"

/** Open the platform session and fill `a` for the device it grants.
 *  -> KIDE_OK | KIDE_NOT_FOUND (no platform session yet: see kide_access.c) | other. */
int kide_access_open(struct kide_env *env, struct vio_access *a);

#endif
