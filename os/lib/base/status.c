/* SPDX-License-Identifier: MIT */
/* Names of the kernel's status codes (os/abi/kide/status.h), for messages. */
#include <kide/base.h>

const char *base_status_name(int st)
{
    static const char *const names[] = {
            "OK",        "TIMEOUT", "ABORTED",  "BAD_SYSCALL", "BAD_CAP", "BAD_PERM",
            "BAD_PARAM", "BAD_CPU", "BAD_ADDR", "QUOTA",       "BUSY",    "OVERFLOW",
    };
    if (st >= 0 && st < (int)BASE_ARRAY_SIZE(names))
        return names[st];
    return "?";
}
