/* SPDX-License-Identifier: MIT */
/* The VFS's view of a parsed posix configuration (os/posix/config): what the
 * runtime hands to vfs_init. A separate header so the VFS proper does not
 * depend on the parser's.
 */
#ifndef VFS_POSIX_H
#define VFS_POSIX_H

#include "posix_config.h"
#include "vfs.h"

/** Fill *out from *pc (which must stay alive until vfs_init returned: the
 *  strings are pc's; vfs_init copies what it keeps). exe is /proc/self/exe's
 *  target (NULL: "/<program>"). */
void vfs_config_from_posix(const struct posix_config *pc, const char *exe, struct vfs_config *out);

#endif
