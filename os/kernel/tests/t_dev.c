/* SPDX-License-Identifier: MIT */
/* Kernel tests: device memory (held by the root, mapped uncacheable once
 * delegated, RAM never) and message-signalled interrupt semaphores (assign
 * returns the MSI address and data). Delivery of an MSI needs a device: the
 * scenario platform-q35 makes a virtio-net function raise one. */
#include "ktest.h"

#define DEV_VA 0x0000520000000000ull /* a root address nothing else uses */
#define VGA_PA 0xa0000ull            /* legacy VGA window: never RAM on a PC */

/* The memory entry the root holds at physical page pa, as (crd, info). */
static int look(u64 va, u64 *found, u64 *info)
{
    return kide_lookup(KIDE_CRD(KIDE_CRD_MEM, va >> 12, 0, 0), found, info);
}

void test_device_memory(void)
{
    u64 found = 0, info = 0;
    bool mapped = false;
    /* The VGA window is device memory the root holds at virtual == physical. */
    EXPECT_ST(look(VGA_PA, &found, &info), KIDE_OK);
    CHECK_EQ(KIDE_CRD_KIND(found), KIDE_CRD_MEM);
    CHECK(KIDE_CRD_PERM(found) & KIDE_MEM_DEV);
    CHECK(!(KIDE_CRD_PERM(found) & KIDE_MEM_X));
    CHECK_EQ(info + ((VGA_PA >> 12) - KIDE_CRD_BASE(found)), VGA_PA >> 12);
    /* The kernel's interrupt window is nobody's device memory. */
    EXPECT_ST(look(0xfee00000ull, &found, &info), KIDE_OK);
    CHECK_EQ(KIDE_CRD_KIND(found), KIDE_CRD_NULL);
    EXPECT_ST(look(0xfec00000ull, &found, &info), KIDE_OK);
    CHECK_EQ(KIDE_CRD_KIND(found), KIDE_CRD_NULL);
    /* Nor is the firmware's flash below 4 GiB. */
    EXPECT_ST(look(0xfffff000ull, &found, &info), KIDE_OK);
    CHECK_EQ(KIDE_CRD_KIND(found), KIDE_CRD_NULL);
    /* A delegation inherits the attribute and maps the page: it reads. */
    EXPECT_ST(kide_delegate(KIDE_ROOT_SEL_PD,
                            KIDE_CRD(KIDE_CRD_MEM, VGA_PA >> 12, 0, KIDE_MEM_R | KIDE_MEM_W),
                            DEV_VA >> 12),
              KIDE_OK);
    mapped = true;
    EXPECT_ST(look(DEV_VA, &found, &info), KIDE_OK);
    CHECK_EQ(KIDE_CRD_KIND(found), KIDE_CRD_MEM);
    CHECK(KIDE_CRD_PERM(found) & KIDE_MEM_DEV);
    CHECK_EQ(info, VGA_PA >> 12);
    (void)*(volatile u8 *)DEV_VA;
out:
    if (mapped)
        kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, VGA_PA >> 12, 0, 0));
}

/* RAM is never uncacheable: not in the root, not in a copy, and a mask
 * that names KIDE_MEM_DEV does not make it so. */
void test_ram_never_uc(void)
{
    const struct kide_boot_info *bi = krt_bootinfo;
    u64 found = 0, info = 0, pa = 0;
    bool mapped = false;
    for (unsigned i = 0; i < bi->mem_count && !pa; i++)
        if (bi->mem[i].phys >= 0x100000 && bi->mem[i].size >= 4096)
            pa = bi->mem[i].phys + bi->mem[i].size - 4096;
    CHECK(pa);
    EXPECT_ST(look(pa, &found, &info), KIDE_OK);
    CHECK_EQ(KIDE_CRD_KIND(found), KIDE_CRD_MEM);
    CHECK(!(KIDE_CRD_PERM(found) & KIDE_MEM_DEV));
    EXPECT_ST(kide_delegate(KIDE_ROOT_SEL_PD,
                            KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, KIDE_MEM_R | KIDE_MEM_DEV),
                            DEV_VA >> 12),
              KIDE_OK);
    mapped = true;
    EXPECT_ST(look(DEV_VA, &found, &info), KIDE_OK);
    CHECK_EQ(KIDE_CRD_KIND(found), KIDE_CRD_MEM);
    CHECK_EQ(KIDE_CRD_PERM(found), KIDE_MEM_R);
out:
    if (mapped)
        kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 0));
}

/* assign_gsi on an MSI semaphore: address 0xfee00000 | APIC id << 12 (QEMU
 * numbers APIC ids like CPUs), data the semaphore's vector; a GSI returns
 * zeros; rights and CPUs are checked as for a GSI. */
void test_msi_assign(void)
{
    u64 addr = 1, data = 1;
    kide_sel w = 0;
    for (unsigned cpu = 0; cpu < ktest_cpus(); cpu++) {
        EXPECT_ST(kide_assign_gsi(0, KIDE_ROOT_SEL_MSI + 3, cpu, &addr, &data), KIDE_OK);
        CHECK_EQ(addr >> 20, 0xfee);
        CHECK_EQ((addr >> 12) & 0xff, cpu);
        CHECK_EQ(addr & 0xfff, 0);
        CHECK_EQ(data, 0x50 + 3);
    }
    EXPECT_ST(kide_assign_gsi(0, KIDE_ROOT_SEL_MSI + KIDE_ROOT_MSIS - 1, 0, &addr, &data), KIDE_OK);
    CHECK_EQ(data, 0x50 + KIDE_ROOT_MSIS - 1);
    EXPECT_ST(kide_assign_gsi(0, KIDE_ROOT_SEL_MSI, ktest_cpus(), &addr, &data), KIDE_BAD_CPU);
    CHECK_EQ(addr, 0);
    w = ktest_weak(KIDE_ROOT_SEL_MSI, KIDE_SM_DOWN);
    CHECK(w);
    EXPECT_ST(kide_assign_gsi(0, w, 0, &addr, &data), KIDE_BAD_PERM);
    /* The selector after the last MSI holds nothing. */
    EXPECT_ST(kide_assign_gsi(0, KIDE_ROOT_SEL_MSI + KIDE_ROOT_MSIS, 0, &addr, &data),
              KIDE_BAD_CAP);
out:
    krt_cap_drop(w);
}

/* assign_dev's checks. Without an IOMMU (the kernel tests' usual machines)
 * QUERY says 0 units and a valid assignment changes nothing but still needs
 * the function's ECAM page (q35); with one (q35 with intel-iommu) a child PD
 * holding a few pages gets a domain, the child's destruction blocks the
 * function and frees the domain (its quota comes back whole). Everything
 * else is refused before any IOMMU is looked at. Confinement itself: make
 * vnet-iommu-test. */
void test_assign_dev(void)
{
    const struct kide_boot_info *bi = krt_bootinfo;
    u64 units = 7, have = 0, limit = 0, used = 0, pa = krt_page_alloc();
    kide_sel w = 0, pd = krt_sel_alloc(0);
    CHECK(pa && pd);
    EXPECT_ST(kide_assign_dev(KIDE_ASSIGN_DEV_QUERY, 0, 0, &have), KIDE_OK);
    CHECK(have <= 4);
    EXPECT_ST(kide_assign_dev(7, KIDE_ROOT_SEL_PD, 0, &units), KIDE_BAD_SYSCALL);
    /* Not a handler serving a call: there is no caller to assign to. */
    EXPECT_ST(kide_assign_dev(KIDE_ASSIGN_DEV_CALLER, 0, VGA_PA, &units), KIDE_BAD_CAP);
    EXPECT_ST(kide_assign_dev(KIDE_ASSIGN_DEV_PD, KIDE_ROOT_SEL_SC, VGA_PA, &units), KIDE_BAD_CAP);
    w = ktest_weak(KIDE_ROOT_SEL_PD, KIDE_PD_CREATE);
    CHECK(w);
    EXPECT_ST(kide_assign_dev(KIDE_ASSIGN_DEV_PD, w, VGA_PA, &units), KIDE_BAD_PERM);
    /* Only a page of the ECAM window names a function: not unaligned, not
     * other device memory, not RAM, not nothing. */
    EXPECT_ST(kide_assign_dev(KIDE_ASSIGN_DEV_PD, KIDE_ROOT_SEL_PD, VGA_PA + 8, &units),
              KIDE_BAD_ADDR);
    EXPECT_ST(kide_assign_dev(KIDE_ASSIGN_DEV_PD, KIDE_ROOT_SEL_PD, VGA_PA, &units), KIDE_BAD_ADDR);
    EXPECT_ST(kide_assign_dev(KIDE_ASSIGN_DEV_BLOCK, 0, VGA_PA, &units), KIDE_BAD_ADDR);
    EXPECT_ST(kide_assign_dev(KIDE_ASSIGN_DEV_PD, KIDE_ROOT_SEL_PD, KIDE_ROOT_STACK_TOP - 4096,
                              &units),
              KIDE_BAD_ADDR);
    EXPECT_ST(kide_assign_dev(KIDE_ASSIGN_DEV_BLOCK, 0, KIDE_USER_END, &units), KIDE_BAD_ADDR);
    EXPECT_ST(kide_assign_dev(KIDE_ASSIGN_DEV_BLOCK, 0, 0x0000500000000000ull, &units),
              KIDE_BAD_ADDR);
    if (!bi->ecam_phys) /* i440fx: no ECAM, nothing can be named */
        goto out;
    /* q35: the root holds the ECAM (held device memory); 00:00.0 goes to a
     * child holding one page, mapped twice (the leaf counts both). */
    EXPECT_ST(kide_create_pd(pd, KIDE_ROOT_SEL_PD, 32, 0), KIDE_OK);
    for (u64 va = DEV_VA; va < DEV_VA + 2 * 4096; va += 4096)
        EXPECT_ST(kide_delegate(pd, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, KIDE_MEM_R | KIDE_MEM_W),
                                va >> 12),
                  KIDE_OK);
    EXPECT_ST(kide_assign_dev(KIDE_ASSIGN_DEV_PD, pd, bi->ecam_phys, &units), KIDE_OK);
    CHECK_EQ(units, have);
    EXPECT_ST(kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, pd, 0, 0, &limit, &used), KIDE_OK);
    printf("ktest: assign_dev: %lu unit(s); the child uses %lu of %lu quota pages\n", have, used,
           limit);
    kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 0)); /* the domain empties */
    krt_cap_drop(pd);                                       /* blocks 00:00.0, frees the domain */
    pd = 0;
    EXPECT_ST(kide_assign_dev(KIDE_ASSIGN_DEV_BLOCK, 0, bi->ecam_phys, &units), KIDE_OK);
out:
    krt_cap_drop(w);
    if (pd)
        krt_cap_drop(pd);
    if (pa) {
        kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 0));
        krt_page_free(pa);
    }
}

/* With an IOMMU: the per-frame mapping count of a PD with a DMA domain. One
 * page mapped 31 times is fine; the 32nd mapping is refused with OVERFLOW and
 * leaves nothing behind (no CPU mapping either); after everything is revoked
 * the page can be mapped again, and the PD's destruction returns its quota
 * whole. Without an IOMMU (the usual kernel-test machines) there is no count:
 * skipped. Run on q35 with -device intel-iommu. */
void test_assign_dev_overflow(void)
{
    const struct kide_boot_info *bi = krt_bootinfo;
    u64 units = 0, limit = 0, used = 0, used0 = 0, root0 = 0, pa = krt_page_alloc();
    kide_sel pd = krt_sel_alloc(0);
    CHECK(pa && pd);
    EXPECT_ST(kide_assign_dev(KIDE_ASSIGN_DEV_QUERY, 0, 0, &units), KIDE_OK);
    if (!units || !bi->ecam_phys) {
        ktest_skip("no IOMMU");
        goto out;
    }
    EXPECT_ST(kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, KIDE_ROOT_SEL_PD, 0, 0, &root0, &used), KIDE_OK);
    EXPECT_ST(kide_create_pd(pd, KIDE_ROOT_SEL_PD, 64, 0), KIDE_OK);
    EXPECT_ST(kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, pd, 0, 0, &limit, &used0), KIDE_OK);
    EXPECT_ST(kide_assign_dev(KIDE_ASSIGN_DEV_PD, pd, bi->ecam_phys, &units), KIDE_OK);
    for (u64 i = 0; i < 31; i++)
        EXPECT_ST(kide_delegate(pd, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, KIDE_MEM_R | KIDE_MEM_W),
                                (DEV_VA >> 12) + i),
                  KIDE_OK);
    EXPECT_ST(
            kide_delegate(pd, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, KIDE_MEM_R), (DEV_VA >> 12) + 31),
            KIDE_OVERFLOW);
    /* A read-only refresh of a writable one, and back: counts stay in step. */
    EXPECT_ST(kide_delegate(pd, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, KIDE_MEM_R), DEV_VA >> 12),
              KIDE_OK);
    EXPECT_ST(kide_delegate(pd, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, KIDE_MEM_R | KIDE_MEM_W),
                            DEV_VA >> 12),
              KIDE_OK);
    EXPECT_ST(kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 0)), KIDE_OK);
    EXPECT_ST(
            kide_delegate(pd, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, KIDE_MEM_R), (DEV_VA >> 12) + 31),
            KIDE_OK);
    EXPECT_ST(kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 0)), KIDE_OK);
    EXPECT_ST(kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, pd, 0, 0, &limit, &used), KIDE_OK);
    printf("ktest: assign_dev_overflow: the child uses %lu quota pages (%lu before its domain)\n",
           used, used0);
    CHECK(used > used0); /* its domain's tables */
    krt_cap_drop(pd);
    pd = 0;
    EXPECT_ST(kide_assign_dev(KIDE_ASSIGN_DEV_BLOCK, 0, bi->ecam_phys, &units), KIDE_OK);
    EXPECT_ST(kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, KIDE_ROOT_SEL_PD, 0, 0, &limit, &used), KIDE_OK);
    CHECK_EQ(limit, root0); /* the child's quota, domain tables included, is back whole */
out:
    if (pd)
        krt_cap_drop(pd);
    if (pa) {
        kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 0));
        krt_page_free(pa);
    }
}
