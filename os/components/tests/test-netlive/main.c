/* SPDX-License-Identifier: MIT */
/* test-netlive: router rules changed live through hoitaja (scenario net-live).
 *
 * Sessions used: "Hoitaja" (its own habitat's management) and "Nic" (the
 * router's downlink of habitat "probe", its own name in the root habitat),
 * raw frames, no stack. The router's configuration names habitats probe
 * (10.1.0.2/24) and tenant-b (10.2.0.2/24, an echo server on UDP port 7) and
 * no allow rule; its entry says config_live: true. Steps, each reconfiguring
 * the router with a partial configuration that repeats its entry field by
 * field and changes only its config (anything else would restart it):
 *  1. the datagram to tenant-b's echo server goes unanswered (no rule);
 *  2. generation 2 adds "allow probe -> tenant-b udp/7": the result for the
 *     router must be "applied", then the echo answers (sent again every
 *     second until then: tenant-b's stack may start after us);
 *  3. generation 3 adds a rule to a habitat that does not exist: the result
 *     must be "rejected: ..." naming it, and the echo still answers;
 *  4. generation 4 removes the rule: "applied", then QUIET_MS without an
 *     answer, and the router's status in the report (children[].status,
 *     published once a second) must count the dropped datagrams under
 *     probe.drops.isolation, more than before step 4.
 * Every wait is bounded by a deadline. Ends with "PASS net-live" or
 * "FAIL net-live: <why>" and exit code 1.
 */
#include "test.h"
#include "nic_client.h"
#include "tframe.h"
#include <kide/base.h>

#define WHAT     "net-live"
#define QUIET_MS 1500
#define ECHO     7
#define SRC_PORT 5555
#define ADDR     0x0a010002u /* 10.1.0.2 */
#define GW       0x0a010001u /* 10.1.0.1 */
#define SIBLING  0x0a020002u /* 10.2.0.2 */

/* The router's entry as kide-scenario writes it from net-live.yaml, with its config. */
#define ROUTER(cfg_extra)                                                                          \
    "{\"generation\":%llu,\"children\":[{\"name\":\"router\",\"binary\":\"router\","               \
    "\"ram\":4194304,\"caps\":128,\"cpu\":{\"quota\":15,\"priority\":80},"                         \
    "\"provides\":[\"Nic\"],\"routes\":[{\"service\":\"Nic\",\"to\":\"child\",\"child\":"          \
    "\"wire\"},{\"service\":\"*\",\"to\":\"denied\"}],\"restart\":{\"policy\":\"never\","          \
    "\"backoff_ms\":100,\"max_backoff_ms\":10000},\"heartbeat_ms\":0,\"devices\":false,"           \
    "\"config_live\":true,\"config\":{\"uplink\":{\"mac\":\"02:6b:69:77:00:10\",\"address\":"      \
    "\"10.0.2.15/24\",\"gateway\":\"10.0.2.2\"},\"habitats\":[{\"name\":\"probe\",\"mac\":"        \
    "\"02:00:00:00:00:0a\",\"address\":\"10.1.0.2/24\",\"gateway\":\"10.1.0.1\"},{\"name\":"       \
    "\"tenant-b\",\"mac\":\"02:00:00:00:00:0b\",\"address\":\"10.2.0.2/24\",\"gateway\":"          \
    "\"10.2.0.1\"}]" cfg_extra "}}]}"
#define RULE "{\"from\":\"probe\",\"to\":\"tenant-b\",\"proto\":\"udp\",\"port\":7}"

static struct kide_env *env;
static struct t_mgmt mg;
static struct nic_client nic;
static kide_u8 mac[6], gw_mac[6], frame[KIDE_NIC_SLOT_SIZE];
static char cfg[4096], result[4096], report[65536];
static struct kide_json_tok tok[T_TOKENS];
static kide_u64 deadline;

static void send_frame(kide_u32 len)
{
    if (nic_client_send(&nic, frame, len < 60 ? 60 : len) != NIC_RING_OK)
        t_fail(env, WHAT, "the tx ring refused a frame");
    nic_client_flush(&nic);
}

/* A UDP datagram from us to the sibling's echo port. */
static void send_probe(void)
{
    static const char msg[] = "live rules";
    kide_u32 ulen = 8 + sizeof msg;
    memset(frame, 0, 14 + 20 + ulen);
    memcpy(frame, gw_mac, 6), memcpy(frame + 6, mac, 6), t_put16(frame + 12, 0x0800);
    kide_u8 *ip = frame + 14, *u = ip + 20;
    ip[0] = 0x45, ip[8] = 64, ip[9] = 17;
    t_put16(ip + 2, 20 + ulen), t_put32(ip + 12, ADDR), t_put32(ip + 16, SIBLING);
    t_put16(ip + 10, ~t_csum(0, ip, 20) & 0xffff);
    t_put16(u, SRC_PORT), t_put16(u + 2, ECHO), t_put16(u + 4, ulen);
    memcpy(u + 8, msg, sizeof msg);
    kide_u32 pseudo =
            (ADDR >> 16) + (ADDR & 0xffff) + (SIBLING >> 16) + (SIBLING & 0xffff) + 17 + ulen;
    kide_u32 s = ~t_csum(pseudo, u, ulen) & 0xffff;
    t_put16(u + 6, s ? s : 0xffff);
    send_frame(14 + 20 + ulen);
}

static int is_echo_reply(kide_u32 len)
{
    return len >= 42 && t_get16(frame + 12) == 0x0800 && frame[23] == 17 &&
           t_get32(frame + 26) == SIBLING && t_get32(frame + 30) == ADDR &&
           t_get16(frame + 34) == ECHO && t_get16(frame + 36) == SRC_PORT;
}

/* Probe once a second until answered or `ms` passed. -> 1 answered, 0 not. */
static int echo_answered(kide_u64 ms)
{
    kide_u64 until = kide_now_ns() + ms * 1000000ull;
    while (kide_now_ns() < until) {
        send_probe();
        kide_u64 round = kide_now_ns() + 1000000000ull;
        for (kide_u32 len;
             (len = t_next_frame(&nic, frame, sizeof frame, round < until ? round : until)) != 0;)
            if (is_echo_reply(len))
                return 1;
    }
    return 0;
}

static void resolve_gateway(void)
{
    send_frame(t_arp_request(frame, mac, ADDR, GW));
    for (kide_u32 len; (len = t_next_frame(&nic, frame, sizeof frame, deadline)) != 0;)
        if (t_is_arp_reply(frame, len, GW)) {
            memcpy(gw_mac, frame + 22, 6);
            return;
        }
    t_fail(env, WHAT, "no ARP reply from the gateway");
}

static int contains(const char *s, const char *needle)
{
    for (; *s; s++) {
        kide_u64 i = 0;
        while (needle[i] && s[i] == needle[i])
            i++;
        if (!needle[i])
            return 1;
    }
    return 0;
}

/* Apply the router entry `fmt` as generation g; its result must start with want. */
static void apply(kide_u64 g, const char *fmt, const char *want, const char *needle)
{
    char got[200];
    struct kide_json_doc doc;
    kide_snprintf(cfg, sizeof cfg, fmt, (unsigned long long)g);
    int rc = t_mgmt_apply(&mg, cfg, g, 1, result, sizeof result);
    if (rc != KIDE_OK)
        t_fail(env, WHAT, "apply generation %llu: %s (%s)", (unsigned long long)g, t_status(rc),
               result);
    if (t_parse(env, &doc, result, t_strlen(result), tok, T_TOKENS) < 0 ||
        t_result_of(&doc, "router", got, sizeof got) < 0)
        t_fail(env, WHAT, "generation %llu: no result for the router in '%s'",
               (unsigned long long)g, result);
    if (!t_startswith(got, want) || (needle && !contains(got, needle)))
        t_fail(env, WHAT, "generation %llu: router: '%s', expected '%s...'", (unsigned long long)g,
               got, want);
    kide_log(env, "netlive: generation %llu: router: %s", (unsigned long long)g, got);
}

/* The router's count of isolation drops of habitat probe in the report, or -1. */
static long long isolation_drops(void)
{
    struct kide_json_doc doc;
    kide_u64 len, v;
    if (t_mgmt_report(&mg, report, sizeof report, &len) != KIDE_OK ||
        t_parse(env, &doc, report, len, tok, T_TOKENS) < 0)
        t_fail(env, WHAT, "reading the report failed");
    int c = t_report_child(&doc, "router");
    if (c < 0)
        t_fail(env, WHAT, "the report has no router");
    if (t_json_u64(&doc, c, "status.probe.rx", &v) < 0)
        return -1; /* nothing published yet */
    return t_json_u64(&doc, c, "status.probe.drops.isolation", &v) < 0 ? 0 : (long long)v;
}

/* Wait (polling the report, bounded) until the count exceeds `than`. */
static long long wait_drops(long long than, kide_u64 ms)
{
    kide_u64 until = kide_now_ns() + ms * 1000000ull;
    long long n;
    while ((n = isolation_drops()) <= than) {
        if (kide_now_ns() >= until)
            t_fail(env, WHAT,
                   "the router's status counts %lld isolation drops, expected more "
                   "than %lld within %llu ms",
                   n, than, (unsigned long long)ms);
        kide_sleep_ms(100); /* the status is published once a second: poll, bounded */
    }
    return n;
}

static void open_sessions(void)
{
    int st = t_mgmt_open(env, &mg, 10000);
    if (st != KIDE_OK)
        t_fail(env, WHAT, "opening the Hoitaja session: %s", t_status(st));
    st = nic_client_open(env, &nic, 0);
    for (int i = 0; st == KIDE_NOT_FOUND && i < 600; i++) {
        kide_sleep_ms(50); /* retry of an open while the router starts, not synchronisation */
        st = nic_client_open(env, &nic, 0);
    }
    if (st != KIDE_OK)
        t_fail(env, WHAT, "no NIC session: %s", t_status(st));
    for (int i = 0; i < 6; i++)
        mac[i] = (kide_u8)(nic.info.mac >> (8 * i));
}

void kide_main(struct kide_env *e)
{
    env = e;
    deadline = kide_now_ns() + t_cfg_u64(env, "timeout_ms", 60000) * 1000000ull;
    open_sessions();
    resolve_gateway();
    /* 1: no rule. */
    if (echo_answered(QUIET_MS))
        t_fail(env, WHAT, "the sibling answered without an allow rule");
    /* 2: the rule added live. */
    apply(2, ROUTER(",\"allow\":[" RULE "]"), "applied", NULL);
    if (!echo_answered(30000))
        t_fail(env, WHAT, "the echo did not answer after the rule was added");
    /* 3: an invalid document: rejected whole, the rule in force keeps working. */
    apply(3, ROUTER(",\"allow\":[" RULE ",{\"from\":\"probe\",\"to\":\"nobody\"}]"),
          "rejected: ", "nobody");
    if (!echo_answered(5000))
        t_fail(env, WHAT, "the rule in force stopped working after a rejected change");
    long long before = wait_drops(-1, 5000);
    /* 4: the rule removed live: dropped again, and counted. */
    apply(4, ROUTER(""), "applied", NULL);
    if (echo_answered(QUIET_MS))
        t_fail(env, WHAT, "the sibling still answered after the rule was removed");
    long long after = wait_drops(before, 5000);
    kide_log(env, "netlive: isolation drops of probe: %lld before, %lld after the removal", before,
             after);
    t_pass(env, WHAT);
    for (;;)
        kide_wait_signal(env, 1000);
}
