/* SPDX-License-Identifier: MIT */
/* The platform driver's internals: PCI functions, configuration access and the
 * policy that gives each driver session one function. */
#ifndef PLAT_PLATFORM_H
#define PLAT_PLATFORM_H

#include <kide/component.h>
#include <kide/core_client.h>
#include <kide/platform.h>

#define PLAT_MAX_FUNCS  64 /* functions recorded; more are logged and left alone */
#define PLAT_MAX_BUSES  8  /* buses scanned (bus 0 and secondary buses of bridges) */
#define PLAT_MAX_POLICY 16
#define PLAT_LABEL_MAX  64

/* Where the platform driver maps device memory: the top of the dataspace
 * range, which the runtime's bump allocator (rt.h) never reaches. */
#define PLAT_ECAM_VA 0x00005d0000000000ull /* one MiB per scanned bus */
#define PLAT_BAR_VA  0x00005d8000000000ull /* 4 GiB per function's BARs */

/** One PCI function as enumerated. */
struct plat_func {
    unsigned bdf; /**< bus << 8 | device << 3 | function */
    unsigned vendor, device, class_code;
    kide_u64 bar_phys[KIDE_PLATFORM_BARS], bar_size[KIDE_PLATFORM_BARS];
    unsigned bar_flags[KIDE_PLATFORM_BARS];
    kide_u64 bar_va[KIDE_PLATFORM_BARS]; /**< where this driver mapped it (0: not yet) */
    unsigned msix_cap, msi_cap;          /**< capability offsets, 0: none */
    unsigned msix_vectors;
    unsigned intx_pin;               /**< Interrupt Pin: 1..4 INTA..INTD, 0 none */
    unsigned intx_gsi;               /**< the firmware's Interrupt Line as a GSI; 0: none usable */
    const struct plat_policy *owner; /**< the policy entry holding it (one session) */
};

/** A policy entry: the session with this label gets the first free function with
 *  this vendor and device id. */
struct plat_policy {
    char label[PLAT_LABEL_MAX + 1];
    unsigned vendor, device;
    int intx;   /**< irq: intx: the function's INTx line even if it has MSI-X or MSI */
    int in_use; /**< a session holds it */
};

extern struct plat_func plat_funcs[PLAT_MAX_FUNCS];
extern unsigned plat_nfuncs;
extern struct plat_policy plat_policy[PLAT_MAX_POLICY];
extern unsigned plat_npolicy;
/** Configuration space per function: 4096 bytes (ECAM) or 256 (ports). */
extern unsigned plat_cfg_size;

/** DMA remapping units the kernel has (0: no IOMMU, DMA is not confined). */
extern kide_u64 plat_iommu_units;
/** Where this component maps function bdf's 4 KiB ECAM page (ECAM only). */
#define PLAT_CFG_PAGE(bdf) (PLAT_ECAM_VA + ((kide_u64)(bdf) << 12))

/** Take PCI configuration from core (ECAM or ports); logs the mechanism. */
int plat_pci_init(struct kide_env *env);
/** Enumerate the buses into plat_funcs; logs every function. */
void plat_pci_scan(struct kide_env *env);
/** Configuration access of one function (offset and width checked by the caller). */
kide_u32 plat_cfg_read(unsigned bdf, unsigned offset, unsigned width);
void plat_cfg_write(unsigned bdf, unsigned offset, unsigned width, kide_u32 value);
/** Map memory BAR i of f at its fixed address in this component (once). */
int plat_map_bar(struct plat_func *f, unsigned i);
/** Announce "Platform" with the session operations (session.c). */
int plat_serve(struct kide_env *env);

#endif
