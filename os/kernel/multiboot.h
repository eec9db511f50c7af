/* SPDX-License-Identifier: MIT */
/* Multiboot 1 and 2 boot information: reading what the loader hands over.
 *
 * The kernel is started either by a Multiboot 1 loader (QEMU -kernel, GRUB's
 * `multiboot`) or by a Multiboot 2 loader (GRUB's `multiboot2`, the one that
 * works under UEFI and passes the ACPI RSDP). Both readers fill the same
 * struct mb_boot, so the rest of the boot has one path. The information is
 * input from outside: every structure is bounded by the size the loader
 * states, every pointer goes through the caller's map function (which refuses
 * what the boot mapping cannot reach), and a malformed structure is an error
 * with a reason, never a wild read or an endless walk. Cost is bounded by the
 * info's size (at most MB2_MAX_INFO bytes) and the fixed limits below.
 * Freestanding, no kernel dependencies: builds for the kernel and, for unit
 * tests, on the host (os/kernel/tests/host, make -C os multiboot-test).
 */
#ifndef KIDE_MULTIBOOT_H
#define KIDE_MULTIBOOT_H

#include <kide/types.h>

#define MB1_BOOT_MAGIC 0x2badb002u /**< EAX at entry from a Multiboot 1 loader */
#define MB2_BOOT_MAGIC 0x36d76289u /**< EAX at entry from a Multiboot 2 loader */
#define MB2_MAX_INFO   (1u << 20)  /**< largest Multiboot 2 info accepted, bytes */
#define MB_MAX_RANGES  64          /**< usable RAM ranges kept (more are counted) */
#define MB_MAX_MODULES 16          /**< modules kept (more are counted) */
#define MB_MAX_FIRM    32          /**< firmware ranges kept (more are counted) */
#define MB_CMDLINE     200         /**< module string bytes kept, with the NUL */
#define MB_RSDP_MAX    36          /**< bytes of an ACPI 2.0 RSDP */

/** One range of usable RAM (memory-map type 1); adjacent ones are merged. */
struct mb_range {
    kide_u64 addr; /**< first byte */
    kide_u64 len;  /**< bytes (non-zero; addr + len does not wrap) */
};

/** One boot module. */
struct mb_module {
    kide_u64 start;           /**< first byte */
    kide_u64 end;             /**< one past the last byte (>= start) */
    char cmdline[MB_CMDLINE]; /**< its string, NUL-terminated, cut to fit */
};

/** What either Multiboot version yields; zero-initialise before reading. */
struct mb_boot {
    int version;                        /**< 1 or 2 */
    struct mb_range ram[MB_MAX_RANGES]; /**< usable RAM in memory-map order */
    unsigned ram_count;                 /**< entries in ram */
    unsigned ram_dropped;               /**< usable ranges beyond MB_MAX_RANGES */
    /** The firmware's memory: every range of a type other than usable (1) and
     *  reserved (2): ACPI tables (3), ACPI NVS (4), defective (5), persistent
     *  memory (7), ... It is neither RAM nor a device's: never device memory. */
    struct mb_range firm[MB_MAX_FIRM];
    unsigned firm_count;                   /**< entries in firm */
    unsigned firm_dropped;                 /**< firmware ranges beyond MB_MAX_FIRM */
    struct mb_module mods[MB_MAX_MODULES]; /**< modules in loader order */
    unsigned mods_count;                   /**< entries in mods */
    unsigned mods_dropped;                 /**< modules beyond MB_MAX_MODULES */
    kide_u8 rsdp[MB_RSDP_MAX];             /**< copy of the ACPI RSDP (zero-padded) */
    unsigned rsdp_len;                     /**< 0 (none), 20 (ACPI 1.0) or 36 (2.0+) */
    kide_u64 info_end;                     /**< one past the highest byte of loader
                                                structures read (info, map, strings) */
};

/**
 * Map `len` bytes of loader memory at physical `phys` for reading; NULL when
 * they cannot be reached (the caller's boot mapping ends, or they wrap).
 */
typedef const void *mb_map_fn(kide_u64 phys, kide_u64 len, void *ctx);

/**
 * Read a Multiboot 1 info structure at `info_phys` into `out`.
 * Returns NULL on success, else what is wrong with the info (`out` is then
 * partly filled and must not be used). A missing memory map is an error.
 */
const char *mb1_read(kide_u32 info_phys, mb_map_fn *map, void *ctx, struct mb_boot *out);

/**
 * Read a Multiboot 2 info structure at `info_phys` into `out`: memory map,
 * modules with their strings, ACPI new (preferred) or old RSDP. Unknown tags
 * are skipped. Returns NULL on success, else what is wrong with the info.
 */
const char *mb2_read(kide_u32 info_phys, mb_map_fn *map, void *ctx, struct mb_boot *out);

#endif
