/* SPDX-License-Identifier: MIT */
/* os/lib/depot, freestanding build only: liblzma's assertions are compiled
 * out (NDEBUG), as in its release builds. */
#ifndef DEPOT_FS_ASSERT_H
#define DEPOT_FS_ASSERT_H
#define assert(x) ((void)0)
#endif
