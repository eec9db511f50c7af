/* SPDX-License-Identifier: MIT */
/* Checking a static Linux x86_64 executable before anything of it is loaded.
 *
 * The image is the tenant's input: it is checked completely here, once, and
 * the loader then works only from the bounded description this fills in.
 * Accepted: ELF64, little endian, EM_X86_64, ET_EXEC (linked at its address)
 * or ET_DYN without PT_INTERP (static-pie: musl's start code relocates it
 * itself, so the runtime only picks the load base), 1..POSIX_ELF_MAX_LOADS
 * PT_LOAD segments in ascending address order whose byte ranges do not
 * overlap (they may share a page), each inside the file and, after the load
 * base, inside the low window [POSIX_LOW, POSIX_LOW_END). Pure and
 * freestanding: the host tests and the fuzzer run exactly this code.
 */
#ifndef POSIX_PELF_H
#define POSIX_PELF_H

#include <kide/types.h>

#define POSIX_LOW           0x10000ull      /* KIDE_COMP_LOW */
#define POSIX_LOW_END       0x4000000000ull /* KIDE_COMP_LOW_END */
#define POSIX_PIE_BASE      0x10000000ull   /* where an ET_DYN program is loaded */
#define POSIX_ELF_MAX_LOADS 16u
#define POSIX_ELF_MAX_PHDRS 64u
#define POSIX_PAGE          4096ull

struct posix_elf_seg {
    kide_u64 vaddr, memsz; /* after the load base */
    kide_u64 offset, filesz;
    unsigned prot; /* L_PROT_READ | _WRITE | _EXEC */
};

struct posix_elf {
    int pie;        /* 1: ET_DYN, loaded at base */
    kide_u64 base;  /* 0 for ET_EXEC */
    kide_u64 entry; /* after the base */
    kide_u64 phdr;  /* address of the program headers in memory (AT_PHDR) */
    unsigned phnum, phent;
    unsigned nload;
    struct posix_elf_seg load[POSIX_ELF_MAX_LOADS];
    kide_u64 lo, hi; /* page range covered by the segments [lo, hi) */
};

enum posix_elf_err {
    POSIX_ELF_OK = 0,
    POSIX_ELF_SHORT,     /* shorter than the header */
    POSIX_ELF_MAGIC,     /* not ELF */
    POSIX_ELF_ARCH,      /* not ELF64 little-endian x86_64, or bad version */
    POSIX_ELF_TYPE,      /* neither ET_EXEC nor ET_DYN */
    POSIX_ELF_PHDRS,     /* program header table malformed or outside the file */
    POSIX_ELF_INTERP,    /* dynamically linked (PT_INTERP) */
    POSIX_ELF_NLOADS,    /* no PT_LOAD, or too many */
    POSIX_ELF_SEGMENT,   /* a segment outside the file, filesz > memsz, bad alignment */
    POSIX_ELF_WINDOW,    /* a segment outside the low window */
    POSIX_ELF_ORDER,     /* segments out of order or overlapping */
    POSIX_ELF_ENTRY,     /* entry point not in an executable segment */
    POSIX_ELF_PHDR_LOAD, /* the program headers are not in a loaded segment */
};

/** Check image[0..size) and fill *out. Returns POSIX_ELF_OK or the first problem. */
enum posix_elf_err posix_elf_check(const void *image, kide_u64 size, struct posix_elf *out);
/** What the error means and what to do about it (one sentence). */
const char *posix_elf_strerror(enum posix_elf_err e);

#endif
