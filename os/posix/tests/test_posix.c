/* SPDX-License-Identifier: MIT */
/* Host unit tests of the POSIX runtime's pure parts: the static-executable
 * checker (valid programs and hostile ones), the initial stack builder, the
 * address-space map (over a fake core) and the futex queue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "linux.h"
#include "pelf.h"
#include "pfutex.h"
#include "pstack.h"
#include "pvm.h"

/* ---- ELF images made to measure ---- */

struct ph {
    uint32_t type, flags;
    uint64_t off, va, fsz, msz, align;
};

static uint8_t img[16384];

static void put(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* An ELF64 x86_64 image of type `type` with the program headers ph at 64. */
static size_t mk(int type, uint64_t entry, const struct ph *ph, int n)
{
    memset(img, 0, sizeof(img));
    memcpy(img, "\177ELF", 4);
    img[4] = 2, img[5] = 1, img[6] = 1;
    put(img + 16, (uint64_t)type, 2);
    put(img + 18, 62, 2);
    put(img + 20, 1, 4);
    put(img + 24, entry, 8);
    put(img + 32, 64, 8);
    put(img + 52, 64, 2);
    put(img + 54, 56, 2);
    put(img + 56, (uint64_t)n, 2);
    for (int i = 0; i < n; i++) {
        uint8_t *p = img + 64 + 56 * i;
        put(p, ph[i].type, 4);
        put(p + 4, ph[i].flags, 4);
        put(p + 8, ph[i].off, 8);
        put(p + 16, ph[i].va, 8);
        put(p + 24, ph[i].va, 8);
        put(p + 32, ph[i].fsz, 8);
        put(p + 40, ph[i].msz, 8);
        put(p + 48, ph[i].align, 8);
    }
    return 8192;
}

/* A typical static musl layout: R (headers), RX, RW with bss. */
static const struct ph good[] = {
        {1, 4, 0, 0x400000, 0x200, 0x200, 0x1000},
        {1, 5, 0x1000, 0x401000, 0x800, 0x800, 0x1000},
        {1, 6, 0x1fc0, 0x402fc0, 0x40, 0x1000, 0x1000},
};

static void elf_valid_exec(void **state)
{
    (void)state;
    struct posix_elf e;
    size_t n = mk(2, 0x401010, good, 3);
    assert_int_equal(posix_elf_check(img, n, &e), POSIX_ELF_OK);
    assert_int_equal(e.nload, 3);
    assert_int_equal(e.pie, 0);
    assert_int_equal(e.entry, 0x401010);
    assert_int_equal(e.phdr, 0x400040);
    assert_int_equal(e.phnum, 3);
    assert_int_equal(e.lo, 0x400000);
    assert_int_equal(e.hi, 0x404000);
    assert_int_equal(e.load[1].prot, L_PROT_READ | L_PROT_EXEC);
    assert_int_equal(e.load[2].prot, L_PROT_READ | L_PROT_WRITE);
}

static void elf_valid_pie(void **state)
{
    (void)state;
    struct ph p[] = {{1, 5, 0, 0, 0x800, 0x800, 0x1000}, {2, 6, 0x100, 0x100, 0x10, 0x10, 8}};
    struct posix_elf e;
    size_t n = mk(3, 0x10, p, 2);
    assert_int_equal(posix_elf_check(img, n, &e), POSIX_ELF_OK);
    assert_int_equal(e.pie, 1);
    assert_int_equal(e.load[0].vaddr, POSIX_PIE_BASE);
    assert_int_equal(e.entry, POSIX_PIE_BASE + 0x10);
    assert_int_equal(e.phdr, POSIX_PIE_BASE + 64);
}

static void elf_shared_page_ok(void **state)
{
    (void)state;
    /* RX ends mid-page, RW starts in the same page (no byte overlap): allowed. */
    struct ph p[] = {{1, 5, 0, 0x400000, 0x900, 0x900, 0x1000},
                     {1, 6, 0x900, 0x400900, 0x100, 0x200, 0x1000}};
    struct posix_elf e;
    assert_int_equal(posix_elf_check(img, mk(2, 0x400100, p, 2), &e), POSIX_ELF_OK);
}

/* Each hostile variant gets its error, never a crash (ASan watches). */
static void elf_hostile(void **state)
{
    (void)state;
    struct posix_elf e;
    size_t n;
    assert_int_equal(posix_elf_check(img, 10, &e), POSIX_ELF_SHORT);
    assert_int_equal(posix_elf_check(NULL, 100, &e), POSIX_ELF_SHORT);
    n = mk(2, 0x401010, good, 3);
    img[1] = 'X';
    assert_int_equal(posix_elf_check(img, n, &e), POSIX_ELF_MAGIC);
    n = mk(2, 0x401010, good, 3);
    img[4] = 1; /* ELFCLASS32 */
    assert_int_equal(posix_elf_check(img, n, &e), POSIX_ELF_ARCH);
    n = mk(2, 0x401010, good, 3);
    put(img + 18, 183, 2); /* aarch64 */
    assert_int_equal(posix_elf_check(img, n, &e), POSIX_ELF_ARCH);
    n = mk(1, 0x401010, good, 3); /* ET_REL */
    assert_int_equal(posix_elf_check(img, n, &e), POSIX_ELF_TYPE);
    n = mk(2, 0x401010, good, 3);
    put(img + 54, 32, 2); /* phentsize */
    assert_int_equal(posix_elf_check(img, n, &e), POSIX_ELF_PHDRS);
    n = mk(2, 0x401010, good, 0);
    assert_int_equal(posix_elf_check(img, n, &e), POSIX_ELF_PHDRS);
    n = mk(2, 0x401010, good, 3);
    put(img + 56, 65535, 2); /* phnum */
    assert_int_equal(posix_elf_check(img, n, &e), POSIX_ELF_PHDRS);
    n = mk(2, 0x401010, good, 3);
    put(img + 32, ~0ull - 8, 8); /* phoff wraps */
    assert_int_equal(posix_elf_check(img, n, &e), POSIX_ELF_PHDRS);
    n = mk(2, 0x401010, good, 3);
    assert_int_equal(posix_elf_check(img, 200, &e), POSIX_ELF_PHDRS); /* table past the end */

    struct ph p[3];
    memcpy(p, good, sizeof(p));
    p[0].type = 3; /* PT_INTERP */
    assert_int_equal(posix_elf_check(img, mk(2, 0x401010, p, 3), &e), POSIX_ELF_INTERP);
    memcpy(p, good, sizeof(p));
    p[2].fsz = 0x2000; /* filesz > memsz */
    assert_int_equal(posix_elf_check(img, mk(2, 0x401010, p, 3), &e), POSIX_ELF_SEGMENT);
    memcpy(p, good, sizeof(p));
    p[1].off = ~0ull - 0x100; /* offset + filesz wraps */
    assert_int_equal(posix_elf_check(img, mk(2, 0x401010, p, 3), &e), POSIX_ELF_SEGMENT);
    memcpy(p, good, sizeof(p));
    p[1].off = 0x1010; /* not congruent with the address */
    assert_int_equal(posix_elf_check(img, mk(2, 0x401010, p, 3), &e), POSIX_ELF_SEGMENT);
    memcpy(p, good, sizeof(p));
    p[1].align = 0x1001;
    assert_int_equal(posix_elf_check(img, mk(2, 0x401010, p, 3), &e), POSIX_ELF_SEGMENT);
    memcpy(p, good, sizeof(p));
    p[0].va = 0x1000; /* below the low window */
    assert_int_equal(posix_elf_check(img, mk(2, 0x401010, p, 3), &e), POSIX_ELF_WINDOW);
    memcpy(p, good, sizeof(p));
    p[2].off = 0x1ff0; /* runs past the window's end */
    p[2].fsz = 0x10;
    p[2].va = POSIX_LOW_END - 0x10;
    assert_int_equal(posix_elf_check(img, mk(2, 0x401010, p, 3), &e), POSIX_ELF_WINDOW);
    memcpy(p, good, sizeof(p));
    p[2].va = ~0ull - 0x3f; /* wraps */
    p[2].off = 0x1fc0;
    assert_int_equal(posix_elf_check(img, mk(2, 0x401010, p, 3), &e), POSIX_ELF_WINDOW);
    memcpy(p, good, sizeof(p));
    p[2].va = 0x401700, p[2].off = 0x1700; /* overlaps the text */
    assert_int_equal(posix_elf_check(img, mk(2, 0x401010, p, 3), &e), POSIX_ELF_ORDER);
    memcpy(p, good, sizeof(p));
    assert_int_equal(posix_elf_check(img, mk(2, 0x402fc8, p, 3), &e), POSIX_ELF_ENTRY);
    assert_int_equal(posix_elf_check(img, mk(2, 0x900000, p, 3), &e), POSIX_ELF_ENTRY);
    memcpy(p, good, sizeof(p));
    p[0].type = 4; /* the segment holding the headers becomes a PT_NOTE: not loaded */
    assert_int_equal(posix_elf_check(img, mk(2, 0x401010, p, 3), &e), POSIX_ELF_PHDR_LOAD);
    /* Only non-loads (or empty loads): nothing to run. */
    struct ph none[] = {{1, 5, 0, 0x400000, 0, 0, 0x1000}};
    assert_int_equal(posix_elf_check(img, mk(2, 0x400000, none, 1), &e), POSIX_ELF_NLOADS);
    /* Seventeen loads: too many. */
    struct ph many[17];
    for (int i = 0; i < 17; i++)
        many[i] = (struct ph){1, 5, 0, 0x400000 + 0x1000 * (uint64_t)i, 0x10, 0x10, 0x1000};
    many[0].fsz = many[0].msz = 0x400;
    assert_int_equal(posix_elf_check(img, mk(2, 0x400010, many, 17), &e), POSIX_ELF_NLOADS);
    for (int i = 0; i <= POSIX_ELF_PHDR_LOAD; i++)
        assert_non_null(posix_elf_strerror((enum posix_elf_err)i));
}

/* ---- initial stack ---- */

static uint64_t rd64(const uint8_t *base, uint64_t top, uint64_t size, uint64_t va)
{
    uint64_t v;
    memcpy(&v, base + (va - (top - size)), 8);
    return v;
}

static void stack_layout(void **state)
{
    (void)state;
    static uint8_t buf[8192];
    const uint64_t top = 0x7000000000, size = sizeof(buf);
    const char *argv[] = {"prog", "-v", ""};
    const char *envp[] = {"HOME=/", "A=b"};
    struct posix_stack_in in = {argv, 3, envp, 2, "/bin/prog", {0}, 0x400040, 56, 6, 0x401000, 7};
    for (int i = 0; i < 16; i++)
        in.random[i] = (uint8_t)(i + 1);
    uint64_t sp = posix_stack_build(buf, size, top, &in);
    assert_true(sp != 0);
    assert_int_equal(sp & 15, 0);
    assert_true(sp >= top - size && sp < top);
    assert_int_equal(rd64(buf, top, size, sp), 3);
    for (int i = 0; i < 3; i++) {
        uint64_t p = rd64(buf, top, size, sp + 8 + 8 * (uint64_t)i);
        assert_string_equal((const char *)buf + (p - (top - size)), argv[i]);
    }
    assert_int_equal(rd64(buf, top, size, sp + 8 * 4), 0);
    for (int i = 0; i < 2; i++) {
        uint64_t p = rd64(buf, top, size, sp + 8 * 5 + 8 * (uint64_t)i);
        assert_string_equal((const char *)buf + (p - (top - size)), envp[i]);
    }
    assert_int_equal(rd64(buf, top, size, sp + 8 * 7), 0);
    /* auxv: find the entries by type */
    uint64_t a = sp + 8 * 8, seen = 0;
    for (int i = 0; i < 40; i++, a += 16) {
        uint64_t t = rd64(buf, top, size, a), v = rd64(buf, top, size, a + 8);
        if (t == L_AT_NULL)
            break;
        seen |= 1ull << t;
        if (t == L_AT_PHDR)
            assert_int_equal(v, 0x400040);
        if (t == L_AT_PAGESZ)
            assert_int_equal(v, 4096);
        if (t == L_AT_ENTRY)
            assert_int_equal(v, 0x401000);
        if (t == L_AT_RANDOM)
            assert_memory_equal(buf + (v - (top - size)), in.random, 16);
        if (t == L_AT_EXECFN)
            assert_string_equal((const char *)buf + (v - (top - size)), "/bin/prog");
        if (t == L_AT_PLATFORM)
            assert_string_equal((const char *)buf + (v - (top - size)), "x86_64");
        if (t == L_AT_CLKTCK)
            assert_int_equal(v, 100);
    }
    uint64_t want = (1ull << L_AT_PHDR) | (1ull << L_AT_PHENT) | (1ull << L_AT_PHNUM) |
                    (1ull << L_AT_PAGESZ) | (1ull << L_AT_ENTRY) | (1ull << L_AT_RANDOM) |
                    (1ull << L_AT_UID) | (1ull << L_AT_SECURE) | (1ull << L_AT_EXECFN);
    assert_int_equal(seen & want, want);
}

static void stack_too_small(void **state)
{
    (void)state;
    static uint8_t buf[128];
    const char *argv[] = {"a-rather-long-program-name-that-needs-room"};
    struct posix_stack_in in = {argv, 1, NULL, 0, argv[0], {0}, 0, 56, 1, 0, 0};
    assert_int_equal(posix_stack_build(buf, sizeof(buf), 0x1000, &in), 0);
    assert_int_equal(posix_stack_build(buf, sizeof(buf), 0x1008, &in), 0); /* unaligned top */
}

/* ---- address-space map over a fake core ---- */

#define FAKE_PAGES 0x10000 /* the window 0x10000000..0x20000000 in pages */

struct fake {
    int backs, unbacks, zeros, protects;
    uint64_t ram, limit; /* bytes held, quota */
    int fail_protect;    /* the next protect fails */
    /* Per page of the window: 0 unmapped, else 0x100 | hardware L_PROT_* (as core). */
    unsigned short page[FAKE_PAGES];
};

static unsigned short *fpage(struct fake *f, uint64_t va)
{
    assert_true(va >= 0x10000000 && va < 0x20000000);
    return &f->page[(va - 0x10000000) >> 12];
}

static int f_back(void *ctx, uint64_t va, uint64_t len, unsigned prot)
{
    struct fake *f = ctx;
    if (f->ram + len > f->limit)
        return -L_ENOMEM;
    for (uint64_t p = va; p < va + len; p += 0x1000) {
        assert_int_equal(*fpage(f, p), 0); /* core refuses occupied pages */
        *fpage(f, p) = 0x100 | L_PROT_READ | L_PROT_WRITE | (prot & L_PROT_EXEC);
    }
    f->ram += len;
    f->backs++;
    return 0;
}
static void f_unback(void *ctx, uint64_t va, uint64_t len)
{
    struct fake *f = ctx;
    for (uint64_t p = va; p < va + len; p += 0x1000) {
        assert_int_not_equal(*fpage(f, p), 0); /* only what it holds */
        *fpage(f, p) = 0;
    }
    f->ram -= len;
    f->unbacks++;
}
static int f_protect(void *ctx, uint64_t va, uint64_t len, unsigned prot)
{
    struct fake *f = ctx;
    if (f->fail_protect) {
        f->fail_protect = 0;
        return -L_ENOMEM;
    }
    for (uint64_t p = va; p < va + len; p += 0x1000)
        assert_int_not_equal(*fpage(f, p), 0); /* core: BAD_ADDR */
    unsigned hw = prot == L_PROT_NONE ? 0 : L_PROT_READ | prot;
    for (uint64_t p = va; p < va + len; p += 0x1000)
        *fpage(f, p) = (unsigned short)(0x100 | hw);
    f->protects++;
    return 0;
}
static void f_zero(void *ctx, uint64_t va, uint64_t len)
{
    (void)va, (void)len;
    ((struct fake *)ctx)->zeros++;
}

static struct posix_vm vm;
static struct fake fk;

/** The fake hardware's access of the page at va: -1 unmapped, else L_PROT_*. */
static int hw_at(uint64_t va)
{
    unsigned short p = *fpage(&fk, va);
    return p ? (int)(p & 7) : -1;
}

static void vm_setup(uint64_t limit)
{
    memset(&fk, 0, sizeof(fk));
    fk.limit = limit;
    struct posix_vm_ops ops = {f_back, f_unback, f_zero, f_protect, &fk};
    posix_vm_init(&vm, 0x10000000, 0x20000000, &ops);
}

#define RW (L_PROT_READ | L_PROT_WRITE)

static void vm_map_unmap(void **state)
{
    (void)state;
    vm_setup(1 << 30);
    uint64_t va;
    assert_int_equal(posix_vm_find(&vm, 0x4000, 0, &va), 0);
    assert_int_equal(va, 0x20000000 - 0x4000); /* top down */
    assert_int_equal(posix_vm_map(&vm, va, 0x4000, RW), 0);
    assert_int_equal(fk.ram, 0x4000);
    assert_true(posix_vm_access(&vm, va, 0x4000, 1));
    assert_false(posix_vm_access(&vm, va - 1, 2, 0));
    assert_int_equal(posix_vm_map(&vm, va, 0x1000, RW), -L_EINVAL); /* occupied */
    uint64_t va2;
    assert_int_equal(posix_vm_find(&vm, 0x2000, 0, &va2), 0);
    assert_int_equal(va2, va - 0x2000);
    assert_int_equal(posix_vm_find(&vm, 0x1000, 0x15000000, &va2), 0); /* hint honoured */
    assert_int_equal(va2, 0x15000000);
    assert_int_equal(posix_vm_unmap(&vm, va, 0x4000), 0);
    assert_int_equal(fk.ram, 0);
    assert_int_equal(vm.nareas, 0);
    assert_int_equal(vm.nallocs, 0);
}

static void vm_partial_unmap(void **state)
{
    (void)state;
    vm_setup(1 << 30);
    uint64_t va = 0x18000000;
    assert_int_equal(posix_vm_map(&vm, va, 0x4000, RW), 0);
    /* Unmap the middle: two areas remain, the hole's pages go back to core at
     * once (a later access faults), the allocation splits around them. */
    assert_int_equal(posix_vm_unmap(&vm, va + 0x1000, 0x2000), 0);
    assert_int_equal(vm.nareas, 2);
    assert_int_equal(vm.nallocs, 2);
    assert_int_equal(fk.ram, 0x2000);
    assert_int_equal(hw_at(va + 0x1000), -1);
    assert_int_equal(hw_at(va + 0x2000), -1);
    assert_int_equal(hw_at(va), RW);
    assert_int_equal(hw_at(va + 0x3000), RW);
    assert_false(posix_vm_access(&vm, va + 0x1000, 1, 0));
    assert_true(posix_vm_access(&vm, va + 0x3000, 0x1000, 1));
    /* A new mapping there gets fresh RAM. */
    int backs = fk.backs;
    assert_int_equal(posix_vm_map(&vm, va + 0x1000, 0x1000, RW), 0);
    assert_int_equal(fk.backs, backs + 1);
    assert_int_equal(fk.zeros, 0);
    assert_int_equal(fk.ram, 0x3000);
    /* The first page alone, then the last: the allocations shrink. */
    assert_int_equal(posix_vm_unmap(&vm, va, 0x1000), 0);
    assert_int_equal(hw_at(va), -1);
    assert_int_equal(fk.ram, 0x2000);
    assert_int_equal(posix_vm_unmap(&vm, va + 0x3000, 0x1000), 0);
    assert_int_equal(fk.ram, 0x1000);
    assert_int_equal(posix_vm_ram(&vm), 0x1000);
    /* Unmapping everything gives everything back. */
    assert_int_equal(posix_vm_unmap(&vm, va, 0x4000), 0);
    assert_int_equal(fk.ram, 0);
    assert_int_equal(vm.nallocs, 0);
    for (uint64_t p = va; p < va + 0x4000; p += 0x1000)
        assert_int_equal(hw_at(p), -1);
    /* Unmapping nothing is fine; bad arguments are not. */
    assert_int_equal(posix_vm_unmap(&vm, va, 0x1000), 0);
    assert_int_equal(posix_vm_unmap(&vm, va + 1, 0x1000), -L_EINVAL);
    assert_int_equal(posix_vm_unmap(&vm, ~0ull & ~0xfffull, 0x2000), -L_EINVAL);
}

static void vm_hw_protect(void **state)
{
    (void)state;
    vm_setup(1 << 30);
    uint64_t va = 0x18000000;
    assert_int_equal(posix_vm_map(&vm, va, 0x4000, RW), 0);
    assert_int_equal(fk.protects, 0); /* read-write as backed: nothing to change */
    /* Read-only: the hardware too. */
    assert_int_equal(posix_vm_protect(&vm, va + 0x2000, 0x1000, L_PROT_READ), 0);
    assert_int_equal(hw_at(va + 0x2000), L_PROT_READ);
    assert_int_equal(hw_at(va + 0x1000), RW);
    /* PROT_NONE keeps the pages (contents survive), without access. */
    assert_int_equal(posix_vm_protect(&vm, va + 0x2000, 0x2000, L_PROT_NONE), 0);
    assert_int_equal(hw_at(va + 0x2000), 0);
    assert_int_equal(hw_at(va + 0x3000), 0);
    assert_int_equal(fk.ram, 0x4000);
    assert_int_equal(posix_vm_protect(&vm, va + 0x2000, 0x2000, RW), 0);
    assert_int_equal(hw_at(va + 0x3000), RW);
    assert_int_equal(fk.zeros, 0);
    /* The same protection again costs nothing; write alone means read-write. */
    int n = fk.protects;
    assert_int_equal(posix_vm_protect(&vm, va, 0x4000, RW), 0);
    assert_int_equal(posix_vm_protect(&vm, va, 0x4000, L_PROT_WRITE), 0);
    assert_int_equal(fk.protects, n);
    /* A read-only mapping is read-only from the start; exec is kept. */
    assert_int_equal(posix_vm_map(&vm, 0x19000000, 0x2000, L_PROT_READ | L_PROT_EXEC), 0);
    assert_int_equal(hw_at(0x19001000), L_PROT_READ | L_PROT_EXEC);
    /* A reservation made accessible read-only: backed, then protected. */
    assert_int_equal(posix_vm_map(&vm, 0x1a000000, 0x2000, L_PROT_NONE), 0);
    assert_int_equal(hw_at(0x1a000000), -1);
    assert_int_equal(posix_vm_protect(&vm, 0x1a000000, 0x1000, L_PROT_READ), 0);
    assert_int_equal(hw_at(0x1a000000), L_PROT_READ);
    assert_int_equal(hw_at(0x1a001000), -1);
    /* A map whose protect fails: ENOMEM and nothing left behind. */
    uint64_t ram = fk.ram;
    unsigned areas = vm.nareas, allocs = vm.nallocs;
    fk.fail_protect = 1;
    assert_int_equal(posix_vm_map(&vm, 0x1b000000, 0x3000, L_PROT_READ), -L_ENOMEM);
    assert_int_equal(fk.ram, ram);
    assert_int_equal(vm.nareas, areas);
    assert_int_equal(vm.nallocs, allocs);
    assert_int_equal(hw_at(0x1b000000), -1);
    /* Unmapping a PROT_NONE part frees it like any other. */
    assert_int_equal(posix_vm_protect(&vm, va + 0x1000, 0x1000, L_PROT_NONE), 0);
    assert_int_equal(posix_vm_unmap(&vm, va + 0x1000, 0x1000), 0);
    assert_int_equal(hw_at(va + 0x1000), -1);
    assert_int_equal(posix_vm_unmap(&vm, 0x10000000, 0x10000000), 0);
    assert_int_equal(fk.ram, 0);
    assert_int_equal(vm.nallocs, 0);
}

static void vm_reserve_then_protect(void **state)
{
    (void)state;
    vm_setup(1 << 30);
    uint64_t va = 0x18000000;
    /* musl's thread stack: PROT_NONE for guard + stack, then RW above the guard. */
    assert_int_equal(posix_vm_map(&vm, va, 0x10000, L_PROT_NONE), 0);
    assert_int_equal(fk.ram, 0);
    assert_false(posix_vm_access(&vm, va, 1, 0));
    assert_int_equal(posix_vm_protect(&vm, va + 0x1000, 0xf000, RW), 0);
    assert_int_equal(fk.ram, 0xf000);
    assert_int_equal(vm.nareas, 2);
    assert_true(posix_vm_access(&vm, va + 0x1000, 0xf000, 1));
    assert_false(posix_vm_access(&vm, va, 0x1000, 0));
    /* Read-only: reads pass, writes do not. */
    assert_int_equal(posix_vm_protect(&vm, va + 0x2000, 0x1000, L_PROT_READ), 0);
    assert_true(posix_vm_access(&vm, va + 0x2000, 8, 0));
    assert_false(posix_vm_access(&vm, va + 0x2000, 8, 1));
    /* A hole: ENOMEM, as on Linux. */
    assert_int_equal(posix_vm_protect(&vm, va + 0xf000, 0x2000, RW), -L_ENOMEM);
    assert_int_equal(posix_vm_unmap(&vm, va, 0x10000), 0);
    assert_int_equal(fk.ram, 0);
}

static void vm_coalesce(void **state)
{
    (void)state;
    vm_setup(1 << 30);
    /* Grown in place (brk, mremap): one area, so a later mremap sees one mapping. */
    assert_int_equal(posix_vm_map(&vm, 0x18000000, 0x2000, RW), 0);
    assert_int_equal(posix_vm_map(&vm, 0x18002000, 0x2000, RW), 0);
    assert_int_equal(vm.nareas, 1);
    const struct posix_vm_area *a = posix_vm_area_at(&vm, 0x18003000);
    assert_non_null(a);
    assert_int_equal(a->start, 0x18000000);
    assert_int_equal(a->end, 0x18004000);
    /* Another protection stays apart; restoring it joins them again. */
    assert_int_equal(posix_vm_protect(&vm, 0x18001000, 0x1000, L_PROT_READ), 0);
    assert_int_equal(vm.nareas, 3);
    assert_int_equal(posix_vm_protect(&vm, 0x18001000, 0x1000, RW), 0);
    assert_int_equal(vm.nareas, 1);
    assert_int_equal(posix_vm_unmap(&vm, 0x18000000, 0x4000), 0);
    assert_int_equal(fk.ram, 0);
}

static void vm_quota(void **state)
{
    (void)state;
    vm_setup(0x3000);
    assert_int_equal(posix_vm_map(&vm, 0x18000000, 0x2000, RW), 0);
    /* Past the quota: ENOMEM and the map unchanged. */
    assert_int_equal(posix_vm_map(&vm, 0x19000000, 0x2000, RW), -L_ENOMEM);
    assert_int_equal(vm.nareas, 1);
    assert_int_equal(fk.ram, 0x2000);
    /* The freed page makes room: a map of 2 pages fits again. */
    assert_int_equal(posix_vm_unmap(&vm, 0x18001000, 0x1000), 0);
    assert_int_equal(fk.ram, 0x1000);
    assert_int_equal(posix_vm_map(&vm, 0x18001000, 0x3000, RW), -L_ENOMEM);
    assert_int_equal(fk.ram, 0x1000);
    assert_int_equal(vm.nareas, 1);
    assert_int_equal(posix_vm_map(&vm, 0x18001000, 0x2000, RW), 0);
    assert_int_equal(fk.ram, 0x3000);
    assert_int_equal(posix_vm_ram(&vm), 0x3000);
}

static void vm_area_limit(void **state)
{
    (void)state;
    vm_setup(1ull << 40);
    /* Every other page mapped: the table fills, then ENOMEM, never overflow. */
    long r = 0;
    unsigned i;
    for (i = 0; i < POSIX_VM_AREAS + 4 && r == 0; i++)
        r = posix_vm_map(&vm, 0x10000000 + 0x2000ull * i, 0x1000, RW);
    assert_int_equal(r, -L_ENOMEM);
    assert_int_equal(vm.nareas,
                     POSIX_VM_AREAS < POSIX_VM_ALLOCS ? POSIX_VM_AREAS : POSIX_VM_ALLOCS);
    /* Splitting a full table: ENOMEM, unchanged. */
    unsigned n = vm.nareas;
    assert_int_equal(posix_vm_map(&vm, 0x30000000, 0x1000, RW), -L_ENOMEM);
    assert_int_equal(vm.nareas, n);
    uint64_t va;
    assert_int_equal(posix_vm_find(&vm, 0x20000000, 0, &va),
                     -L_ENOMEM); /* bigger than the window */
}

/* ---- futex queue ---- */

static int woken[8];
static void on_wake(struct posix_futex_waiter *w)
{
    woken[(intptr_t)w->thread]++;
}

static void futex_queue(void **state)
{
    (void)state;
    struct posix_futex_queue q = {0, 0};
    struct posix_futex_waiter w[5];
    memset(woken, 0, sizeof(woken));
    for (int i = 0; i < 5; i++) {
        w[i] = (struct posix_futex_waiter){i < 3 ? 0x1000u : 0x2000u, ~0u, 0, (void *)(intptr_t)i,
                                           0};
        posix_futex_enqueue(&q, &w[i]);
    }
    w[1].bitset = 2;
    /* FIFO: the first matching one. */
    assert_int_equal(posix_futex_wake(&q, 0x1000, ~0u, 1, on_wake), 1);
    assert_int_equal(woken[0], 1);
    assert_true(w[0].woken);
    /* A bitset that does not meet w[1]'s skips it. */
    assert_int_equal(posix_futex_wake(&q, 0x1000, 1, 5, on_wake), 1);
    assert_int_equal(woken[2], 1);
    assert_int_equal(woken[1], 0);
    /* Removal: once (a timed-out waiter), not after a wake. */
    assert_int_equal(posix_futex_remove(&q, &w[0]), 0);
    assert_int_equal(posix_futex_remove(&q, &w[1]), 1);
    assert_int_equal(posix_futex_remove(&q, &w[1]), 0);
    /* Requeue: wake 0 on 0x2000, move up to 1 to 0x3000. */
    assert_int_equal(posix_futex_requeue(&q, 0x2000, 0, 0x3000, 1, on_wake), 1);
    assert_int_equal(w[3].addr, 0x3000);
    assert_int_equal(w[4].addr, 0x2000);
    assert_int_equal(posix_futex_wake(&q, 0x3000, ~0u, 10, on_wake), 1);
    assert_int_equal(woken[3], 1);
    assert_int_equal(posix_futex_wake(&q, 0x2000, ~0u, 10, NULL), 1);
    assert_null(q.head);
    assert_null(q.tail);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(elf_valid_exec),     cmocka_unit_test(elf_valid_pie),
            cmocka_unit_test(elf_shared_page_ok), cmocka_unit_test(elf_hostile),
            cmocka_unit_test(stack_layout),       cmocka_unit_test(stack_too_small),
            cmocka_unit_test(vm_map_unmap),       cmocka_unit_test(vm_partial_unmap),
            cmocka_unit_test(vm_hw_protect),      cmocka_unit_test(vm_reserve_then_protect),
            cmocka_unit_test(vm_coalesce),        cmocka_unit_test(vm_quota),
            cmocka_unit_test(vm_area_limit),      cmocka_unit_test(futex_queue),
    };
    return cmocka_run_group_tests_name("os-posix-unit", tests, NULL, NULL);
}
