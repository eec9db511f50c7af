/* SPDX-License-Identifier: MIT */
/* The server PD of the IPC benchmark: its portal handler replies at once. */
#include <krt.h>

BASE_NORETURN void krt_root_main(const struct kide_boot_info *bi)
{
    (void)bi;
    base_panic("kbench-server: not a root task");
}

BASE_NORETURN void krt_child_main(struct kide_utcb *utcb)
{
    (void)utcb;
    krt_park();
}

void krt_portal_entry(u64 id, u64 msg, struct kide_utcb *utcb)
{
    (void)id, (void)msg;
    utcb->msg = 0;
}
