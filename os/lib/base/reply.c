/* SPDX-License-Identifier: MIT */
/* base_reply: how every portal handler answers (see kide/base.h). */
#include <kide/base.h>

void base_reply(struct kide_utcb *utcb)
{
    for (unsigned i = 0; i < 3; i++) {
        int st = kide_reply();
        printf("krt: reply (msg %lx) failed: %s\n", utcb->msg, base_status_name(st));
        utcb->msg = 0;
    }
}
