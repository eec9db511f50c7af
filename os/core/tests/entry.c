/* SPDX-License-Identifier: MIT */
/* crt0's entries for core's own test programs (core_test.c, core_fuzz.c).
 *
 * They run under core as init and as their own sub-accounts, on nothing but
 * the base library and core's client library: no runtime (libkide or krt)
 * can hide or fake a bug in core (proto.h). Every EC of theirs that core
 * starts at _start is a main EC and enters test_main; they make no portals
 * of their own (a call on one gets an empty reply), and they end through
 * core's EXIT.
 */
#include <kide/base.h>
#include <kide/core.h>
#include <kide/core_client.h>

BASE_NORETURN void test_main(struct kide_utcb *u); /* the test's own (proto.h) */

void base_entry_root(const struct kide_boot_info *bi)
{
    (void)bi;
    base_panic("core test: boot it under core, as init");
}

void base_entry_thread(struct kide_utcb *u)
{
    test_main(u);
}

void base_entry_portal(u64 id, u64 msg, struct kide_utcb *u)
{
    (void)id, (void)msg;
    u->msg = 0;
    base_reply(u);
    struct kide_core_chan ch = kide_core_self_chan(u, KIDE_COMP_SEL_CORE);
    kide_core_exit(&ch, &(struct kide_core_exit_req){.code = 1});
    for (;;)
        base_pause();
}
