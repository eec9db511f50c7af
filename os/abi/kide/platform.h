/* SPDX-License-Identifier: MIT */
/* Kide ABI: the platform session, how a driver reaches its own PCI device.
 *
 * The platform driver (os/drivers/platform) is the only component with PCI
 * configuration access (core's platform right). It enumerates the PCI
 * functions and, by the policy in its configuration, gives each driver's
 * session ("Platform", the session label names the policy entry) exactly one
 * function: its configuration space (reads; writes except the BAR and
 * expansion-ROM registers), its memory BARs (pages shared into the driver,
 * mapped uncacheable: device memory stays device memory through any
 * delegation) and its message-signalled interrupts (the platform driver takes
 * an MSI from core, programs the function's MSI-X table entry or MSI
 * capability with its address and data, and passes the semaphore on; a
 * function with neither gets its legacy INTx line instead), and its I/O BARs
 * (the ports delegated into the driver). A driver needs no device right of
 * its own, so it can reach nothing else.
 *
 * Messages are UTCB words, as for core (core.h): request words[0] = op, then
 * the request struct; reply words[0] = status, then the reply struct. The
 * client library is os/lib/platform (platform_client.h).
 */
#ifndef KIDE_PLATFORM_H
#define KIDE_PLATFORM_H

#include "types.h"

#define KIDE_PLATFORM_SERVICE "Platform"

enum kide_platform_op {
    /** -> OK, struct kide_platform_info_rep. */
    KIDE_PLATFORM_INFO = 1,
    /** Read the function's configuration space: struct kide_platform_cfg_req (value
     *  ignored). -> OK, struct kide_platform_cfg_rep | BAD_PARAM (offset not aligned to
     *  width, width not 1, 2 or 4, or beyond the space: 4096 bytes with ECAM, 256 with
     *  ports). */
    KIDE_PLATFORM_CFG_READ = 2,
    /** Write it: struct kide_platform_cfg_req. -> OK | DENIED (a BAR register
     *  0x10..0x27 or the expansion ROM 0x30..0x33: the platform driver placed them;
     *  for a bridge all of 0x10..0x3f, its bus numbers and windows) | BAD_PARAM. */
    KIDE_PLATFORM_CFG_WRITE = 3,
    /** Share pages of memory BAR `bar`: struct kide_platform_bar_req; the reply carries
     *  them as shared pages (kide_msg_call_attach) and struct kide_platform_bar_rep.
     *  -> OK | BAD_PARAM (no memory BAR there, or pages outside it, or more than
     *  KIDE_PLATFORM_BAR_PAGES) | QUOTA (core could not map it for the platform driver). */
    KIDE_PLATFORM_BAR = 4,
    /** An interrupt: struct kide_platform_irq_req. The reply carries the semaphore
     *  (SM_DOWN) as a capability and struct kide_platform_irq_rep. MSI-X: table entry
     *  `vector` gets the MSI's address and data and is unmasked, and MSI-X is enabled;
     *  MSI (no MSI-X): vector must be 0, the capability is programmed and enabled.
     *  INTx (info irq_kinds is KIDE_PLATFORM_IRQ_INTX alone: the function has neither,
     *  or the policy entry says irq: intx): vector must be 0; the semaphore is the
     *  function's GSI (info intx_gsi), level-triggered: the kernel masks the line when
     *  it fires and each down on the semaphore unmasks it again, so the driver
     *  acknowledges its device (e.g. reads virtio's ISR) before it downs again. The
     *  reply has msi_addr 0 and msi_data the GSI; the function's INTx Disable bit is
     *  cleared. A line is held by one session at a time (BUSY while another function's
     *  session holds it).
     *  -> OK | BAD_PARAM (no such vector, or it has one already) | DENIED (no interrupt
     *  at all: no MSI-X, no MSI, no usable INTx line) | BUSY (the INTx line is another
     *  session's) | QUOTA (no MSI left at core, or KIDE_PLATFORM_IRQS per session). */
    KIDE_PLATFORM_IRQ = 5,
    /** The ports of I/O BAR `bar`: struct kide_platform_io_req. The reply delegates them
     *  (one I/O typed item, at the same port numbers: kide_msg_call_ports) and carries
     *  struct kide_platform_io_rep. They are the driver's alone while the session is open.
     *  -> OK | BAD_PARAM (no I/O BAR there) | DENIED (core refused the ports: they
     *  overlap ones no component may hold, such as 0xcf8..0xcff) | BUSY (another account
     *  holds some of them). */
    KIDE_PLATFORM_IO = 6,
};

#define KIDE_PLATFORM_BARS      6u
#define KIDE_PLATFORM_BAR_PAGES 64u /**< pages per BAR request (KIDE_DS_MAX_PAGES) */
#define KIDE_PLATFORM_IRQS      8u  /**< interrupts per session */

/* BAR flags (struct kide_platform_info_rep bar_flags). */
#define KIDE_PLATFORM_BAR_MEM      1u /**< a memory BAR (shared by KIDE_PLATFORM_BAR) */
#define KIDE_PLATFORM_BAR_IO       2u /**< an I/O BAR (delegated by KIDE_PLATFORM_IO) */
#define KIDE_PLATFORM_BAR_64       4u
#define KIDE_PLATFORM_BAR_PREFETCH 8u

/* Interrupt kinds (info irq_kinds). */
#define KIDE_PLATFORM_IRQ_MSIX 1u
#define KIDE_PLATFORM_IRQ_MSI  2u
#define KIDE_PLATFORM_IRQ_INTX 4u /**< only when neither MSI-X nor MSI is offered */

struct kide_platform_info_rep {
    kide_u64 vendor, device;
    kide_u64 class_code; /**< class << 16 | subclass << 8 | prog-if */
    kide_u64 bdf;        /**< bus << 8 | device << 3 | function */
    kide_u64 cfg_size;   /**< 4096 (ECAM) or 256 (ports) */
    kide_u64 irq_kinds;  /**< KIDE_PLATFORM_IRQ_* */
    kide_u64 msix_vectors;
    kide_u64 bar_size[KIDE_PLATFORM_BARS];  /**< bytes, 0: none */
    kide_u64 bar_flags[KIDE_PLATFORM_BARS]; /**< KIDE_PLATFORM_BAR_* */
    kide_u64 bar_port[KIDE_PLATFORM_BARS];  /**< an I/O BAR's first port, else 0 */
    kide_u64 intx_pin;                      /**< 1..4: INTA..INTD, 0: none */
    kide_u64 intx_gsi;                      /**< its GSI, valid with KIDE_PLATFORM_IRQ_INTX */
};
struct kide_platform_cfg_req {
    kide_u64 offset, width, value;
};
struct kide_platform_cfg_rep {
    kide_u64 value;
};
struct kide_platform_bar_req {
    kide_u64 bar, first_page, pages;
};
struct kide_platform_bar_rep {
    kide_u64 bar_size; /**< the whole BAR's bytes */
};
struct kide_platform_irq_req {
    kide_u64 vector;
};
struct kide_platform_irq_rep {
    kide_u64 msi_addr, msi_data; /**< what the function was programmed with (INTx: 0, GSI) */
};
struct kide_platform_io_req {
    kide_u64 bar;
};
struct kide_platform_io_rep {
    kide_u64 port, count; /**< the ports now delegated: [port, port + count) */
};

#define KIDE_PLATFORM_WORDS_(t) (sizeof(struct t) / 8)
_Static_assert(KIDE_PLATFORM_WORDS_(kide_platform_info_rep) == 9 + 3 * KIDE_PLATFORM_BARS, "INFO");
_Static_assert(KIDE_PLATFORM_WORDS_(kide_platform_cfg_req) == 3, "CFG");
_Static_assert(KIDE_PLATFORM_WORDS_(kide_platform_bar_req) == 3, "BAR");
_Static_assert(KIDE_PLATFORM_WORDS_(kide_platform_irq_rep) == 2, "IRQ");
_Static_assert(KIDE_PLATFORM_WORDS_(kide_platform_io_rep) == 2, "IO");

#endif
