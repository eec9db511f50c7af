/* SPDX-License-Identifier: MIT */
/* Kernel-wide declarations: console, panic, assertions, boot parameters. */
#ifndef KIDE_KERNEL_H
#define KIDE_KERNEL_H

#include "types.h"
#include <kide/status.h>

void console_init(void);
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Internal invariants only; never for anything that came from user space. */
#define assert(c)                                                                                  \
    do {                                                                                           \
        if (unlikely(!(c)))                                                                        \
            panic("assertion '%s' failed at %s:%d", #c, __FILE__, __LINE__);                       \
    } while (0)

/** [off, off + len) lies inside [0, limit), computed without overflow: the
 * one way the kernel checks a range that came from user space. */
static inline bool range_within(u64 off, u64 len, u64 limit)
{
    return off <= limit && len <= limit - off;
}

/** Kernel boot sequence, on the boot CPU. */
noreturn void kernel_main(u32 magic, u32 mbi);
/** First code an application processor runs in C. */
noreturn void ap_main(void);

#endif
