/* SPDX-License-Identifier: MIT */
/* krt spawn: start a boot module as a child PD of the root.
 *
 * A child's address space is laid out by the constants below. The root backs
 * every page with RAM of its own (identity-mapped, so the root reads and
 * writes child memory directly at the page's physical address) and keeps a
 * list of them so that destroying the child revokes and frees them.
 * The child's info page (KRT_CHILD_INFO) is how the root tells a helper what
 * to do and how the helper reports back without IPC.
 *
 * Costs: one PD (quota `quota` pages moved from the root), per child EC 33
 * exception portals in the root, the EC and SC charged to the child.
 */
#ifndef KRT_SPAWN_H
#define KRT_SPAWN_H

#include <krt.h>

#define KRT_CHILD_INFO       0x0000600000000000ull /**< info page, RW */
#define KRT_CHILD_SHARED     0x0000600000010000ull /**< pages the root shares on request */
#define KRT_CHILD_FREE_VA    0x0000600100000000ull /**< unused by krt: tests map here */
#define KRT_CHILD_STACKS     0x0000610000000000ull /**< 64 KiB stack slot per EC */
#define KRT_CHILD_STACK_SIZE 0x10000ull
#define KRT_CHILD_UTCBS      0x0000700000000000ull /**< one UTCB page per EC */
#define KRT_CHILD_EVT(i)     (64ull * ((i) + 1))   /**< exception portals of child EC i */
#define KRT_CHILD_SEL_FREE   1024u                 /**< first selector spawn leaves alone */
#define KRT_CHILD_MAX_EC     8
#define KRT_CHILD_MAX_PAGES  512

#define KRT_CHILD_MAGIC 0x4b43484c44494e46ull /* "KCHLDINF" */

/** The info page, shared by root and child. */
struct krt_child_info {
    u64 magic;                 /**< KRT_CHILD_MAGIC */
    u64 cpu;                   /**< CPU of the main EC */
    u64 mode;                  /**< what the helper does (test-defined) */
    u64 arg[16];               /**< test-defined arguments (selectors, addresses, counts) */
    volatile u64 res[16];      /**< test-defined results */
    volatile u64 state;        /**< test-defined progress marker */
    volatile u64 stop;         /**< the root asks the child to finish */
    char cmdline[128];         /**< the module's command line */
    volatile u64 scratch[320]; /**< test-defined tables */
};
_Static_assert(sizeof(struct krt_child_info) <= 4096, "info is one page");

/** One page of a child's address space. */
struct krt_child_page {
    u64 va;        /**< child virtual address */
    u64 pa;        /**< root page backing it */
    unsigned perm; /**< KIDE_MEM_* */
    bool mapped;   /**< delegated into the child */
};

/** A child PD as the root sees it. */
struct krt_child {
    const char *name;                     /**< module name, for messages */
    kide_sel pd;                          /**< root's PD capability */
    kide_sel notify;                      /**< notify semaphore (root's) */
    u64 entry;                            /**< ELF entry */
    u64 quota;                            /**< pages given */
    volatile struct krt_child_info *info; /**< root view of the info page */
    struct krt_ec ec[KRT_CHILD_MAX_EC];   /**< its ECs; ec[0] is main */
    unsigned nec;                         /**< ECs in use */
    kide_sel pts[8];                      /**< portals created into it (root sels) */
    unsigned npts;
    struct krt_child_page page[KRT_CHILD_MAX_PAGES]; /**< its pages */
    unsigned npages;
};

/** What to start. */
struct krt_spawn_args {
    unsigned cpu;    /**< CPU of the main EC */
    unsigned prio;   /**< its priority */
    u64 quota;       /**< kernel-memory pages for the PD (0: 192) */
    u64 mode;        /**< copied to info->mode */
    u64 arg[16];     /**< copied to info->arg */
    bool io_console; /**< delegate COM1 (0x3f8..0x3ff) so the child can print */
    bool no_start;   /**< create everything but the main EC's SC */
};

/** Find a boot module by the file name in its command line (basename match). */
const struct kide_boot_module *krt_module_find(const char *name);
/** Check an ELF64 executable image; returns KIDE_OK or prints why and returns
 *  KIDE_BAD_PARAM. */
int krt_elf_check(const void *image, u64 size, const char *name);
struct kide_elf_info;
/** The same, filling *info (os/lib/elf) for the loader. */
int krt_elf_check_info(const void *image, u64 size, const char *name, struct kide_elf_info *info);
/** Create a child PD from an ELF image, map its segments, stack and info page,
 *  create its main EC with exception portals and (unless no_start) its SC.
 *  Returns a status: KIDE_OK, KIDE_BAD_PARAM for a bad image (with a message),
 *  or what the failing step returned (KIDE_QUOTA when out of pages). */
int krt_spawn(struct krt_child *c, const char *name, const void *image, u64 size,
              const struct krt_spawn_args *a);
/** krt_spawn() of the boot module `module` (basename); KIDE_BAD_PARAM (with a
 *  message) when there is no such module. */
int krt_spawn_module(struct krt_child *c, const char *module, const struct krt_spawn_args *a);
/** Give the child's main EC its SC (after no_start). */
int krt_child_start(struct krt_child *c, unsigned prio);
/** Add a RAM page to the child at va (page-aligned) with perm; returns root addr or 0. */
u64 krt_child_map(struct krt_child *c, u64 va, unsigned perm);
/** Delegate a root capability into the child at child_sel with a permission mask. */
int krt_child_give(struct krt_child *c, kide_sel root_sel, unsigned perm, kide_sel child_sel);
/** Create a portal into the child: a handler EC in the child's PD on `cpu`
 *  (entering the child at its ELF entry with RDI = id) and a portal to it
 *  held by the root; returns the root's portal selector or 0. */
kide_sel krt_child_portal(struct krt_child *c, unsigned cpu, u64 id);
/** Create an extra global EC in the child (entering at the ELF entry with RDI = 0;
 *  it is EC index i = its UTCB slot, and finds `tls` in info->arg[8 + i]), with
 *  exception portals, at priority prio. Returns the krt_ec or NULL. */
struct krt_ec *krt_child_thread(struct krt_child *c, unsigned cpu, unsigned prio, u64 tls);
/** Root view (pointer) of child memory at va, or NULL when not mapped by spawn. */
void *krt_child_ptr(struct krt_child *c, u64 va);
/** Wait up to ms for the child's main EC to end (exit or stop). Returns the
 *  status of the semaphore wait (KIDE_OK or KIDE_TIMEOUT). */
int krt_child_wait(struct krt_child *c, u64 ms);
/** Destroy the child: revoke its PD, ECs, SCs, portals and memory, free pages. */
void krt_child_destroy(struct krt_child *c);

/* Child side. */
/** The info page, in the child. */
#define krt_info ((volatile struct krt_child_info *)KRT_CHILD_INFO)

#endif
