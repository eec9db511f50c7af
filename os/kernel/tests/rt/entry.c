/* SPDX-License-Identifier: MIT */
/* krt entry: where the base library's crt0 sends the root, threads and
 * portal handlers (the base_entry_* hooks of kide/base.h), and krt_exit.
 *
 * Kept apart from ec.c on purpose: a component that only has a main thread
 * and handlers links this file alone, not the root's thread machinery and its
 * static stack pool (768 KiB of BSS every component would otherwise carry).
 */
#include <krt.h>

/* A weak reference does not pull ec.c out of the archive; a program with
 * root threads (the only EC with tls set) has linked it anyway. */
extern void krt_park(void) __attribute__((weak));

/* ---- portal and thread entry (called from crt0) ---- */

u64 krt_late_calls;

/* A call can reach its handler after its portal's record was cleared: the
 * kernel lets a call that had started finish after the caller's PD is gone
 * (docs/kernel.md, "Lifetimes"), and krt_spawn reuses a destroyed child's
 * record at once (the kernel fuzzer respawns attackers into the same slot).
 * Such a late call is counted and answered STOP, never dispatched through a
 * NULL fn (which stopped the root's handler EC in a 15-minute kfuzz run).
 * A late call that arrives after the record is set up again is still
 * charged to the new child: krt's portal ids carry no generation. */
__attribute__((weak)) void krt_portal_entry(u64 id, u64 msg, struct kide_utcb *utcb)
{
    struct krt_pt_hdr *h = (struct krt_pt_hdr *)(id & ~63ull);
    void (*fn)(struct krt_pt_hdr *, unsigned, u64, struct kide_utcb *) = BASE_READ_ONCE(h->fn);
    if (!fn) {
        __atomic_add_fetch(&krt_late_calls, 1, __ATOMIC_RELAXED);
        utcb->msg = KIDE_MSG_EXC_STOP;
        return;
    }
    fn(h, (unsigned)(id & 63), msg, utcb);
}

__attribute__((weak)) void krt_child_main(struct kide_utcb *utcb)
{
    (void)utcb;
    base_panic("krt: this program has no child main");
}

__attribute__((weak)) void krt_root_main(const struct kide_boot_info *bi)
{
    (void)bi;
    base_panic("krt: this program cannot be the root");
}

void base_entry_root(const struct kide_boot_info *bi)
{
    krt_root_main(bi);
}

void base_entry_portal(u64 id, u64 msg, struct kide_utcb *utcb)
{
    utcb->msg = 0;
    krt_portal_entry(id, msg, utcb);
    base_reply(utcb);
    krt_exit(1); /* recorded by whoever handles this PD's exceptions */
}

void base_entry_thread(struct kide_utcb *utcb)
{
    struct krt_ec *t = (struct krt_ec *)utcb->tls;
    if (!t)
        krt_child_main(utcb);
    t->fn(t);
    BASE_WRITE_ONCE(t->done, 1);
    if (t->done_sm)
        kide_ctrl_sm(KIDE_CTRL_SM_UP, t->done_sm, 0);
    if (krt_park)
        krt_park();
    krt_exit(0);
}

void krt_exit(u64 code)
{
    /* #UD with RAX = KRT_EXIT_MAGIC, RDI = code: whoever handles this EC's
     * exceptions records the code and stops the EC; it never resumes here. */
    for (;;)
        __asm__ volatile("ud2" ::"a"(KRT_EXIT_MAGIC), "D"(code) : "memory");
}
