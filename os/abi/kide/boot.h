/* SPDX-License-Identifier: MIT */
/* Kide ABI: what the kernel hands the first user component (the root).
 *
 * The root PD starts with: all usable RAM outside the kernel's pool mapped at
 * virtual == physical address (and delegatable from there), the device
 * memory (every physical range below 256 GiB and the CPU's address width
 * that is not RAM, the kernel's, an interrupt controller's or the firmware's
 * flash) held at virtual == physical but not mapped in the root itself (a
 * delegation maps it, always uncacheable: lookup reports KIDE_MEM_DEV), all
 * I/O ports, one
 * interrupt semaphore per GSI, KIDE_ROOT_MSIS message-signalled interrupt
 * semaphores, and capabilities at the fixed selectors below. RDI holds the
 * address of the read-only boot-info page.
 */
#ifndef KIDE_BOOT_H
#define KIDE_BOOT_H

#include "types.h"

#define KIDE_ROOT_SEL_PD  1  /**< the root PD, all rights */
#define KIDE_ROOT_SEL_EC  2  /**< the root's first EC (global, CPU 0) */
#define KIDE_ROOT_SEL_SC  3  /**< its scheduling context */
#define KIDE_ROOT_SEL_GSI 64 /**< interrupt semaphore of GSI n at 64 + n */
#define KIDE_ROOT_GSIS    24
#define KIDE_ROOT_SEL_MSI 88 /**< message-signalled interrupt semaphore n at 88 + n */
#define KIDE_ROOT_MSIS    32 /**< selectors 88..119; 120..127 stay empty */
_Static_assert(KIDE_ROOT_SEL_GSI + KIDE_ROOT_GSIS <= KIDE_ROOT_SEL_MSI, "GSIs before MSIs");
#define KIDE_ROOT_SEL_FREE 128 /**< first selector the kernel leaves empty */

#define KIDE_ROOT_BOOTINFO   0x00007fffff000000ull /**< boot-info page (read-only) */
#define KIDE_ROOT_UTCB       0x00007fffff001000ull /**< root EC's UTCB */
#define KIDE_ROOT_STACK_TOP  0x00007fffff000000ull /**< 64 KiB stack below */
#define KIDE_ROOT_STACK_SIZE 0x10000ull

#define KIDE_BOOT_MAGIC       0x4b49444542303031ull /* "KIDEB001" */
#define KIDE_BOOT_MAX_MODULES 16
#define KIDE_BOOT_MAX_MEM     32
#define KIDE_BOOT_MAX_NODES   8  /**< NUMA nodes the kernel reports (more are folded into node 0) */
#define KIDE_BOOT_MAX_CPUS    16 /**< cpu_node[] entries; equals KIDE_MAX_CPUS (syscall.h) */

struct kide_boot_module {
    kide_u64 phys;     /**< where the module lies (also its root virtual address) */
    kide_u64 size;     /**< bytes */
    char cmdline[200]; /**< NUL-terminated module string (path, then arguments) */
};

struct kide_boot_mem {
    kide_u64 phys; /**< page-aligned start of a RAM range the root holds */
    kide_u64 size; /**< bytes */
};

struct kide_boot_info {
    kide_u64 magic;        /**< KIDE_BOOT_MAGIC */
    kide_u64 cpus;         /**< number of CPUs running */
    kide_u64 tsc_khz;      /**< calibrated TSC frequency */
    kide_u64 kernel_quota; /**< root PD's kernel-memory quota, pages */
    kide_u64 module_count;
    kide_u64 mem_count;
    struct kide_boot_mem mem[KIDE_BOOT_MAX_MEM];            /**< RAM in the root's space */
    struct kide_boot_module modules[KIDE_BOOT_MAX_MODULES]; /**< [0] is the root itself */
    /* NUMA topology (from the ACPI SRAT; without one, everything is node 0).
     * Nodes are numbered 0 .. node_count - 1 in ascending order of the
     * firmware's proximity domains. Every mem[] range lies in one node. */
    kide_u64 node_count;                  /**< >= 1 */
    kide_u8 mem_node[KIDE_BOOT_MAX_MEM];  /**< node of mem[i] */
    kide_u8 cpu_node[KIDE_BOOT_MAX_CPUS]; /**< node of CPU i (the kernel's CPU index) */
    /* PCI Express enhanced configuration (ECAM) of segment 0, from the ACPI
     * MCFG table; ecam_phys 0 when the machine has none (configuration then
     * goes through ports 0xcf8/0xcfc). Bus b, device d, function f lies at
     * ecam_phys + ((b - ecam_bus_start) << 20 | d << 15 | f << 12). */
    kide_u64 ecam_phys;
    kide_u8 ecam_bus_start; /**< first bus the ECAM window decodes */
    kide_u8 ecam_bus_end;   /**< last bus */
};

_Static_assert(sizeof(struct kide_boot_info) <= 4096, "boot info fits one page");

#endif
