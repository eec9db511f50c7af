/* SPDX-License-Identifier: MIT */
/* Client library of the platform session (os/abi/kide/platform.h): a driver's
 * typed calls to the platform driver for its own PCI function. */
#ifndef KIDE_PLATFORM_CLIENT_H
#define KIDE_PLATFORM_CLIENT_H

#include <kide/component.h>
#include <kide/platform.h>

/** An open platform session. */
struct kide_platform {
    struct kide_session s; /**< the session (kide_session_open) */
};

/** Open the platform session (donates no RAM: the platform driver's records are its own). */
int kide_platform_open(struct kide_env *env, struct kide_platform *p);
void kide_platform_close(struct kide_env *env, struct kide_platform *p);
/** The function's identity, BARs and interrupt kinds. */
int kide_platform_info(struct kide_platform *p, struct kide_platform_info_rep *rep);
/** Read `width` (1, 2, 4) bytes of its configuration space at offset into *value. */
int kide_platform_cfg_read(struct kide_platform *p, kide_u64 offset, kide_u64 width,
                           kide_u64 *value);
/** Write them (BAR and expansion-ROM registers: KIDE_DENIED). */
int kide_platform_cfg_write(struct kide_platform *p, kide_u64 offset, kide_u64 width,
                            kide_u64 value);
/** Map `pages` pages of memory BAR `bar` from first_page (uncacheable); *addr gets
 *  their address in this component, *bar_size the BAR's size. pages: a power of two,
 *  at most KIDE_PLATFORM_BAR_PAGES. */
int kide_platform_bar(struct kide_platform *p, kide_u64 bar, kide_u64 first_page, kide_u64 pages,
                      volatile void **addr, kide_u64 *bar_size);
/** An interrupt for MSI-X table entry `vector` (or MSI or INTx, vector 0): the semaphore
 *  lands at a fresh selector *sm (SM_DOWN: kide_sm_down waits for the next interrupt;
 *  with INTx each down also unmasks the line, so acknowledge the device first). */
int kide_platform_irq(struct kide_platform *p, kide_u64 vector, kide_sel *sm,
                      struct kide_platform_irq_rep *rep);
/** The ports of I/O BAR `bar`, delegated into this component at their own numbers:
 *  base..base + count - 1 (rep). KIDE_BAD_PARAM if fewer arrived than the reply says. */
int kide_platform_io(struct kide_platform *p, kide_u64 bar, struct kide_platform_io_rep *rep);

#endif
