/* SPDX-License-Identifier: MIT */
/* Raw-frame helpers of the scenario test components; see tframe.h. */
#include "tframe.h"
#include "test.h"
#include <kide/base.h>          /* memset, memcpy */
#include <kide/socket_client.h> /* kide_sock_ip_parse */

kide_u32 t_csum(kide_u32 sum, const kide_u8 *p, kide_u32 n)
{
    for (kide_u32 i = 0; i + 1 < n; i += 2)
        sum += t_get16(p + i);
    if (n & 1)
        sum += (kide_u32)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

kide_u32 t_cfg_ip(struct kide_env *env, const char *what, const char *key, const char *def)
{
    char s[32];
    kide_u32 v = 0;
    t_cfg_str(env, key, def, s, sizeof s);
    if (kide_sock_ip_parse(s, &v) != 0)
        t_fail(env, what, "config: %s: expected a.b.c.d", key);
    return v;
}

kide_u32 t_arp_request(kide_u8 *frame, const kide_u8 *mac, kide_u32 addr, kide_u32 target)
{
    memset(frame, 0, 60);
    memset(frame, 0xff, 6);
    memcpy(frame + 6, mac, 6);
    t_put16(frame + 12, 0x0806);
    kide_u8 *a = frame + 14;
    t_put16(a, 1), t_put16(a + 2, 0x0800), a[4] = 6, a[5] = 4, t_put16(a + 6, 1);
    memcpy(a + 8, mac, 6), t_put32(a + 14, addr), t_put32(a + 24, target);
    return 60;
}

int t_is_arp_reply(const kide_u8 *frame, kide_u32 len, kide_u32 target)
{
    return len >= 42 && t_get16(frame + 12) == 0x0806 && t_get16(frame + 20) == 2 &&
           t_get32(frame + 28) == target;
}

kide_u32 t_next_frame(struct nic_client *nic, kide_u8 *frame, kide_u32 cap, kide_u64 until)
{
    for (;;) {
        kide_u32 len = 0;
        if (nic_client_recv(nic, frame, cap, &len) == NIC_RING_OK)
            return len;
        nic_client_flush(nic);
        if (kide_now_ns() >= until)
            return 0;
        nic_client_wait(nic, until);
    }
}
