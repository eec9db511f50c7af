/* SPDX-License-Identifier: MIT */
/* goa: finding the Kide SDK that native components build and boot against. */
#ifndef GOA_SDK_H
#define GOA_SDK_H

/** The SDK directory ($KIDE_SDK, else build/os/sdk next to this goa), checked
 *  to hold what goa needs; NULL after reporting how to get one. Free it. */
char *goa_sdk_dir(const char *what);

/** The first line of SDK/name (cflags, ldflags), or NULL after reporting. Free it. */
char *goa_sdk_line(const char *sdk, const char *name);

#include <stdbool.h>

/**
 * True if the SDK carries the POSIX runtime (SDK/boot/posix: what a static
 * POSIX program needs to run on Kide). *WHERE gets the path looked at (free it).
 * Until it does, POSIX programs run on the host only (goa run --target qemu says so).
 */
bool goa_sdk_has_posix(char **where);

#endif
