/* SPDX-License-Identifier: MIT */
/* Kide ABI: the limits of a habitat's configuration, shared by the OS and the host tools.
 *
 * hoitaja's validator (os/hoitaja/config.c) checks every configuration
 * against these numbers, and kide-scenario compiles that same validator in
 * (docs/formats/scenario.md), so a scenario the host accepts is one hoitaja
 * accepts at boot. Anything a tool checks about a child, a habitat or the
 * machine takes its bound from here; nothing writes the numbers out again.
 *
 * Like every ABI header this compiles in the kernel, in native components
 * and in host tools: it depends on nothing but the compiler.
 */
#ifndef KIDE_LIMITS_H
#define KIDE_LIMITS_H

#include "types.h"

/* ---- names ---------------------------------------------------------------- */
#define KIDE_NAME_MAX    32u  /**< child, binary and scenario names: [a-z][a-z0-9-]{0,31} */
#define KIDE_SERVICE_MAX 32u  /**< service names: [A-Za-z][A-Za-z0-9_-]{0,31} */
#define KIDE_ARGS_MAX    127u /**< a child's args: printable ASCII (core's info page) */
/** A label, the path of a child from the root habitat ("tenant-a/demo"): core's
 *  info page and accounts hold it in KIDE_LABEL_MAX + 1 bytes, hoitaja builds it
 *  in as many, and a server's runtime receives it in as many. */
#define KIDE_LABEL_MAX 95u
/** A session's args string (KIDE_PARENT_OPEN, parent.h): libkide sends and
 *  hoitaja receives at most this many bytes. */
#define KIDE_SESSION_ARGS_MAX 256u

/* ---- a habitat -------------------------------------------------------------- */
#define KIDE_CHILDREN_MAX 256u      /**< children per habitat */
#define KIDE_ROUTES_MAX   16u       /**< routes per child */
#define KIDE_PROVIDES_MAX 8u        /**< provided services per child */
#define KIDE_NEST_MAX     4u        /**< habitats nested below the root habitat */
#define KIDE_CPUS_MAX     16u       /**< CPU numbers 0..15 (KIDE_MAX_CPUS) */
#define KIDE_NODES_MAX    8u        /**< NUMA nodes 0..7 (KIDE_BOOT_MAX_NODES) */
#define KIDE_CPU_PCT_MAX  100u      /**< cpu.quota: percent */
#define KIDE_CPU_PRIO_MAX 127u      /**< cpu.priority: 0..127 */
#define KIDE_MS_MAX       86400000u /**< back-off and heartbeat periods: a day */

/* ---- a child's quotas ------------------------------------------------------- */
#define KIDE_RAM_ALIGN 4096u        /**< ram is a whole number of pages (core's accounts) */
#define KIDE_RAM_MIN   4096u        /**< one page */
#define KIDE_RAM_MAX   (1ull << 46) /**< 64 TiB: sums of 256 children cannot wrap */
#define KIDE_CAPS_MIN  16u          /**< kernel pages: a PD alone needs 8 */
#define KIDE_CAPS_MAX  1000000u     /**< kernel pages */

/* ---- what a nested habitat's own hoitaja keeps --------------------------------
 * A child with binary hoitaja runs a habitat. Of its quotas the hoitaja itself
 * uses some (image, stack, configuration, heap, PD and threads) and keeps a
 * reserve (512 KiB, 16 pages: HJ_RESERVE_*); its children share the rest. The
 * `nested-limits` scenario boots a habitat filled to exactly this bound
 * (measured: 16M leaves 16142336 bytes, 64M 66461696; 256 caps leave 215). */
#define KIDE_HAB_RAM_OVERHEAD  (1024u * 1024u) /**< bytes a nested hoitaja keeps, at least */
#define KIDE_HAB_CAPS_OVERHEAD 48u             /**< kernel pages a nested hoitaja keeps */

/** RAM a nested habitat's own hoitaja keeps of its quota `ram` when its
 *  configuration (the canonical `habitat` text) is config_len bytes:
 *  KIDE_HAB_RAM_OVERHEAD, the configuration's pages, and a page per 4 MiB of
 *  quota (its page tables and heap grow with it). */
static inline kide_u64 kide_hab_ram_overhead(kide_u64 ram, kide_u64 config_len)
{
    kide_u64 cfg = (config_len + KIDE_RAM_ALIGN - 1) / KIDE_RAM_ALIGN * KIDE_RAM_ALIGN;
    kide_u64 tables = (ram / 1024 + KIDE_RAM_ALIGN - 1) / KIDE_RAM_ALIGN * KIDE_RAM_ALIGN;
    return KIDE_HAB_RAM_OVERHEAD + cfg + tables;
}

/* ---- documents and the machine ------------------------------------------------ */
#define KIDE_CONFIG_MAX 0x100000u /**< bytes of one configuration (KIDE_COMP_CONFIG_MAX) */
/** machine.ram of a scenario: the kernel's pool, core, the root hoitaja and a few
 *  children (measured: 16 MiB leaves hoitaja no heap; 24 MiB runs one child). */
#define KIDE_MACHINE_RAM_MIN (32ull << 20)
/** What the kernel, the boot modules and core keep besides the kernel's pool (low
 *  memory, the kernel image, the modules, core's heap and tables; measured on 128
 *  MiB to 8 GiB machines with the platform's modules). */
#define KIDE_MACHINE_RAM_FIXED (8ull << 20)

/** RAM the root habitat's children may add up to on a machine of `machine` bytes:
 *  what is left after the kernel's pool (an eighth, 8 to 256 MiB: os/kernel/main.c),
 *  KIDE_MACHINE_RAM_FIXED and the root hoitaja's own share, and at most 3/4 of the
 *  machine. An estimate: big boot modules leave less, and hoitaja, which knows its
 *  real quota, says so at boot. */
static inline kide_u64 kide_root_children_ram(kide_u64 machine)
{
    kide_u64 pool = machine / 8;
    pool = pool < (8ull << 20) ? (8ull << 20) : pool > (256ull << 20) ? (256ull << 20) : pool;
    kide_u64 keep = pool + KIDE_MACHINE_RAM_FIXED + kide_hab_ram_overhead(machine, KIDE_RAM_ALIGN);
    kide_u64 left = machine > keep ? machine - keep : 0;
    kide_u64 most = machine / 4 * 3;
    return (left < most ? left : most) / KIDE_RAM_ALIGN * KIDE_RAM_ALIGN;
}

#endif
