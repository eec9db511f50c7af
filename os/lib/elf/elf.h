/* SPDX-License-Identifier: MIT */
/* ELF64 executables: checking an image and describing what to load.
 *
 * Boot modules and packages are input from outside, so an image is checked
 * completely before anything is loaded: header, program header table, every
 * loadable segment (inside the file, inside user space, no overflow, no two
 * two segments sharing a page). The result is a small fixed-size description.
 * kide_elf_load then walks it, placing each segment through the caller's
 * callbacks: the one loader of core (os/core/load.c) and of the kernel-test
 * runtime (krt_spawn); nothing is allocated or mapped here itself.
 * Freestanding: builds for the OS and, for tests and fuzzing, on the host.
 */
#ifndef KIDE_ELF_H
#define KIDE_ELF_H

#include <kide/types.h>

#define KIDE_ELF_MAX_SEGMENTS 16

/** One loadable segment, page-granular view included. */
struct kide_elf_segment {
    kide_u64 vaddr;  /**< first byte in memory */
    kide_u64 memsz;  /**< bytes in memory (>= filesz; the rest is zero) */
    kide_u64 offset; /**< first byte in the file */
    kide_u64 filesz; /**< bytes taken from the file */
    kide_u32 perm;   /**< KIDE_MEM_R | _W | _X */
};

struct kide_elf_info {
    kide_u64 entry;                                     /**< start address */
    unsigned count;                                     /**< loadable segments */
    struct kide_elf_segment seg[KIDE_ELF_MAX_SEGMENTS]; /**< sorted by vaddr */
};

enum kide_elf_error {
    KIDE_ELF_OK = 0,
    KIDE_ELF_TOO_SMALL,   /**< shorter than an ELF header */
    KIDE_ELF_NOT_ELF,     /**< bad magic */
    KIDE_ELF_NOT_X86_64,  /**< not ELFCLASS64 / little endian / EM_X86_64 */
    KIDE_ELF_NOT_EXEC,    /**< not ET_EXEC (we do not relocate) */
    KIDE_ELF_BAD_PHDRS,   /**< program header table out of the file or malformed */
    KIDE_ELF_TOO_MANY,    /**< more than KIDE_ELF_MAX_SEGMENTS loadable segments */
    KIDE_ELF_BAD_SEGMENT, /**< a segment lies outside the file or user space */
    KIDE_ELF_OVERLAP,     /**< two segments share a page */
    KIDE_ELF_NO_SEGMENTS, /**< nothing to load */
    KIDE_ELF_BAD_ENTRY,   /**< entry point not in an executable segment */
    KIDE_ELF_UNREADABLE,  /**< the reader failed (kide_elf_reader only) */
};

/** An image that is not one contiguous run of memory (core's snapshot of a
 *  package's pages, page by page): the checker and the walk fetch bytes
 *  through read(), always inside [0, size), header and program headers in
 *  pieces of at most 64 bytes, segment bytes at most one page at a time. */
struct kide_elf_reader {
    /** Copy image bytes [off, off + n) to buf. Returns 0, or nonzero if it cannot. */
    int (*read)(void *ctx, kide_u64 off, void *buf, kide_u64 n);
    void *ctx;
    kide_u64 size; /**< image bytes */
};

/** Check image[0..size) and fill *info. Returns KIDE_ELF_OK or the first problem. */
enum kide_elf_error kide_elf_check(const void *image, kide_u64 size, kide_u64 user_end,
                                   struct kide_elf_info *info);
/** The same through a reader (r->size is the image's size). */
enum kide_elf_error kide_elf_check_reader(const struct kide_elf_reader *r, kide_u64 user_end,
                                          struct kide_elf_info *info);
/** A sentence saying what the error means and what to do. */
const char *kide_elf_strerror(enum kide_elf_error e);

/** How kide_elf_load places a checked image: the caller's memory, the walk's copying.
 *  For each segment in address order the walk calls map() once for the segment's
 *  whole page range, then (unless map() set *filled) copies the segment's file
 *  bytes page by page to ptr(); bytes past filesz stay as map() left them, which
 *  must be zero (fresh pages). */
struct kide_elf_loader {
    /** Back pages [va, va + size) (page-aligned, the segment's pages) with
     *  seg->perm. `data` is the segment's file bytes (image + seg->offset): a
     *  caller that maps them in place (a read-only segment backed by the file at
     *  the same page offset) sets *filled. Returns a status; not KIDE_OK ends the
     *  walk with it. */
    int (*map)(void *ctx, unsigned index, const struct kide_elf_segment *seg, kide_u64 va,
               kide_u64 size, const kide_u8 *data, int *filled);
    /** Where the walk may write the byte at va, inside a page map() has backed. */
    void *(*ptr)(void *ctx, kide_u64 va);
    void *ctx;
};

/** Load an image kide_elf_check accepted (info is its result) through l.
 *  Returns KIDE_OK or the first status map() returned; on failure, pages
 *  already backed are the caller's to release. */
int kide_elf_load(const void *image, const struct kide_elf_info *info,
                  const struct kide_elf_loader *l);
/** The same through a reader: map() gets data NULL (nothing to map in place;
 *  *filled is ignored) and the bytes are copied with r->read. A read failure
 *  ends the walk with KIDE_BAD_PARAM. */
int kide_elf_load_reader(const struct kide_elf_reader *r, const struct kide_elf_info *info,
                         const struct kide_elf_loader *l);

#endif
