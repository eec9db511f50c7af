/* SPDX-License-Identifier: MIT */
/* The user-memory helpers the VFS copies with: the runtime's own declarations
 * (os/posix/uaccess.h; the runtime implements them, the host tests fake them
 * in tests/uaccess_fake.c). Every pointer a program passes goes through
 * these: the VFS never dereferences program memory.
 */
#ifndef VFS_UACCESS_H
#define VFS_UACCESS_H

#include "../uaccess.h"

#endif
