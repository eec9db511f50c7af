/* SPDX-License-Identifier: MIT */
/* test-netrestart: restarts the NIC server and a TCP/IP stack under a live
 * TCP connection and checks what each restart does to it.
 *
 * Scenario tests/net-restart: nic-wire ("wire") joins two stacks, net-a
 * (10.0.9.1, with echo on port 7) and net-b (10.0.9.2, this component's
 * stack). This component holds the habitat's "Hoitaja" session and restarts
 * a child by applying a partial configuration that names it with new `args`
 * (a change of args always restarts; the child object repeats the
 * scenario's fields with kide-scenario's defaults, see test-reconf). Steps:
 *   1. connect to echo and echo a message;
 *   2. restart the wire: both stacks lose their NIC sessions, re-open them
 *      when the wire is back, and the connection survives (the segments
 *      lost meanwhile are retransmitted): the next message is echoed on it;
 *   3. restart net-a, the server's stack: the connection is gone with it,
 *      so the next message must end in a socket error (the new stack answers
 *      the retransmission with a reset), not a hang;
 *   4. echo, whose socket session went with net-a, re-opens it and listens
 *      again: a new connection echoes;
 *   5. restart echo: net-a frees its old session's sockets (the connection
 *      ends, port 7 is free again), the new echo listens, a new connection
 *      echoes.
 * Mode "router" (scenario net-restart-router) does the same through the
 * router, mode "driver" (net-restart-driver) restarts the virtio-net driver
 * (driver_restart). Every wait is for a condition under the run's deadline
 * (timeout_ms).
 * Ends with "PASS net-restart" or "FAIL net-restart: <why>".
 */
#include "test.h"
#include "tsock.h"

#include <kide/socket_client.h>

#include "nic_client.h"

#define WHAT     "net-restart"
#define RETRY_MS 500
#define MSG_LEN  200u
#define STEP_MS  90000 /* how long one step may take */

static struct kide_env *env_;
static struct t_sock ts; /* the socket session and the run's deadline */
static struct t_mgmt mg;
static kide_u64 gen = 1;
static char cfg[4096], result[8192];
static kide_u8 out[MSG_LEN], in[MSG_LEN];

#define fail(...) t_fail(env_, WHAT, __VA_ARGS__)

/* Connect, retrying while the server's side is not (yet, again) there, for
 * at most STEP_MS. */
static kide_u64 tcp_open(kide_u64 remote)
{
    return t_sock_connect(&ts, remote, RETRY_MS, kide_now_ns() + STEP_MS * 1000000ull, 1);
}

/* Send a message seeded by `seed` and read its echo. -> KIDE_SOCK_OK, or the
 * socket error that ended the connection. Fails on a wrong echo or past
 * STEP_MS (a hang). */
static kide_u64 echo_round(kide_u64 h, kide_u32 seed)
{
    kide_u64 until = kide_now_ns() + STEP_MS * 1000000ull;
    kide_u32 x = seed * 2654435761u | 1, sent = 0, got = 0;
    for (kide_u32 i = 0; i < MSG_LEN; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        out[i] = (kide_u8)x;
    }
    while (got < MSG_LEN) {
        int moved = 0;
        if (sent < MSG_LEN) {
            struct kide_sock_send_rep r = {0};
            int st = kide_sock_tcp_send(&ts.sc, h, out + sent, MSG_LEN - sent, &r);
            if (st != KIDE_OK)
                fail("SEND: %s", kide_status_name(st));
            if (r.err != KIDE_SOCK_OK && r.err != KIDE_SOCK_WOULD_BLOCK)
                return r.err;
            sent += (kide_u32)r.accepted;
            moved |= r.accepted > 0;
        }
        struct kide_sock_recv_rep r = {0};
        int st = kide_sock_tcp_recv(&ts.sc, h, in + got, MSG_LEN - got, &r);
        if (st != KIDE_OK)
            fail("RECV: %s", kide_status_name(st));
        if (r.err != KIDE_SOCK_OK && r.err != KIDE_SOCK_WOULD_BLOCK)
            return r.err;
        got += (kide_u32)r.len;
        moved |= r.len > 0;
        if (!moved)
            t_sock_wait(&ts, RETRY_MS, until, "waiting for the echo");
    }
    for (kide_u32 i = 0; i < MSG_LEN; i++)
        if (in[i] != out[i])
            fail("echo differs at byte %u: 0x%02x, sent 0x%02x", i, in[i], out[i]);
    return KIDE_SOCK_OK;
}

/* A child of the two scenarios, as kide-scenario writes it (its defaults:
 * priority 64, restart never, back-off 100..10000 ms, no heartbeat, no
 * devices); config_fn writes the config object's members. */
struct kid {
    const char *name, *binary;
    kide_u64 ram, caps, quota, prio;
    const char *provides, *nic_to; /**< its one route: Nic (or route_svc) to this child */
    void (*config_fn)(struct kide_json_writer *w, const struct kid *k);
    const char *address, *gateway; /**< a stack's config */
    const char *route_svc;         /**< the route's service, if not "Nic" */
};

static void echo_config(struct kide_json_writer *w, const struct kid *k)
{
    (void)k;
    kide_json_member_u64(w, "port", 7);
}

static void stack_config(struct kide_json_writer *w, const struct kid *k)
{
    kide_json_member_string(w, "address", k->address);
    if (k->gateway)
        kide_json_member_string(w, "gateway", k->gateway);
}

/* The router of net-restart-router.yaml: uplink on the wire, habitat
 * tenant-a, TCP 7007 forwarded to its port 7. */
static void router_config(struct kide_json_writer *w, const struct kid *k)
{
    (void)k;
    kide_json_member_object(w, "uplink");
    kide_json_member_string(w, "mac", "02:6b:69:77:00:10");
    kide_json_member_string(w, "address", "10.0.2.15/24");
    kide_json_member_string(w, "gateway", "10.0.2.2");
    kide_json_end_object(w);
    kide_json_key(w, "habitats"), kide_json_begin_array(w), kide_json_begin_object(w);
    kide_json_member_string(w, "name", "tenant-a");
    kide_json_member_string(w, "mac", "02:00:00:00:00:0a");
    kide_json_member_string(w, "address", "10.1.0.2/24");
    kide_json_member_string(w, "gateway", "10.1.0.1");
    kide_json_end_object(w), kide_json_end_array(w);
    kide_json_key(w, "forward"), kide_json_begin_array(w), kide_json_begin_object(w);
    kide_json_member_string(w, "proto", "tcp");
    kide_json_member_u64(w, "port", 7007);
    kide_json_member_string(w, "to", "tenant-a");
    kide_json_member_u64(w, "to_port", 7);
    kide_json_end_object(w), kide_json_end_array(w);
}

static const struct kid kids[] = {
        {"wire", "nic-wire", 1u << 20, 64, 10, 80, "Nic", 0, 0, 0, 0, 0},
        {"net-a", "net", 4u << 20, 256, 25, 64, "Socket", "wire", stack_config, "10.0.9.1/24", 0,
         0},
        {"router", "router", 4u << 20, 128, 15, 80, "Nic", "wire", router_config, 0, 0, 0},
        {"tenant-a", "net", 4u << 20, 256, 20, 64, "Socket", "router", stack_config, "10.1.0.2/24",
         "10.1.0.1", 0},
        {"nic", "virtio-net", 4u << 20, 128, 20, 80, "Nic", "platform", 0, 0, 0, "Platform"},
        {"echo", "echo", 1u << 20, 64, 15, 64, 0, "net-a", echo_config, 0, 0, "Socket"},
};

static void write_child(struct kide_json_writer *w, const struct kid *k, const char *args)
{
    kide_json_begin_object(w);
    kide_json_member_string(w, "name", k->name);
    kide_json_member_string(w, "binary", k->binary);
    kide_json_member_u64(w, "ram", k->ram);
    kide_json_member_u64(w, "caps", k->caps);
    kide_json_member_object(w, "cpu");
    kide_json_member_u64(w, "quota", k->quota);
    kide_json_member_u64(w, "priority", k->prio);
    kide_json_end_object(w);
    kide_json_key(w, "provides"), kide_json_begin_array(w);
    if (k->provides)
        kide_json_string(w, k->provides);
    kide_json_end_array(w);
    kide_json_key(w, "routes"), kide_json_begin_array(w);
    if (k->nic_to) {
        kide_json_begin_object(w);
        kide_json_member_string(w, "service", k->route_svc ? k->route_svc : "Nic");
        kide_json_member_string(w, "to", "child");
        kide_json_member_string(w, "child", k->nic_to);
        kide_json_end_object(w);
        kide_json_begin_object(w);
        kide_json_member_string(w, "service", "*");
        kide_json_member_string(w, "to", "denied");
        kide_json_end_object(w);
    }
    kide_json_end_array(w);
    kide_json_member_object(w, "restart");
    kide_json_member_string(w, "policy", "never");
    kide_json_member_u64(w, "backoff_ms", 100);
    kide_json_member_u64(w, "max_backoff_ms", 10000);
    kide_json_end_object(w);
    kide_json_member_u64(w, "heartbeat_ms", 0);
    kide_json_member_bool(w, "devices", 0);
    kide_json_member_string(w, "args", args);
    kide_json_member_object(w, "config");
    if (k->config_fn)
        k->config_fn(w, k);
    kide_json_end_object(w);
    kide_json_end_object(w);
}

/* Restart child `name` (one of kids[]) with new args: the apply's result for
 * it must be "restarted". */
static void restart(const char *name)
{
    struct kide_json_writer w;
    char args[32], got[160];
    const struct kid *k = 0;
    for (unsigned i = 0; i < sizeof kids / sizeof kids[0] && !k; i++)
        if (t_streq(kids[i].name, name))
            k = &kids[i];
    if (!k)
        fail("no child %s to restart", name);
    kide_snprintf(args, sizeof args, "restart-%llu", (unsigned long long)gen + 1);
    kide_json_writer_init(&w, cfg, sizeof cfg);
    kide_json_begin_object(&w);
    kide_json_member_u64(&w, "generation", gen + 1);
    kide_json_key(&w, "children"), kide_json_begin_array(&w);
    write_child(&w, k, args);
    kide_json_end_array(&w);
    kide_json_end_object(&w);
    if (kide_json_writer_finish(&w) < 0)
        fail("building the configuration failed");
    int rc = t_mgmt_apply(&mg, cfg, gen + 1, 1, result, sizeof result);
    if (rc != KIDE_OK)
        fail("restarting %s: apply generation %llu: %s (%s)", name, (unsigned long long)gen + 1,
             t_status(rc), result);
    gen++;
    static struct kide_json_tok tok[512];
    struct kide_json_doc doc;
    if (t_parse(env_, &doc, result, t_strlen(result), tok, 512) < 0 ||
        t_result_of(&doc, name, got, sizeof got) < 0 || !t_startswith(got, "restarted"))
        fail("restarting %s: the apply's result is '%s'", name, result);
    kide_log(env_, "net-restart: %s restarted (generation %llu)", name, (unsigned long long)gen);
}

/* A restart under which the connection must survive: it echoes again. */
static void survives(kide_u64 h, const char *name, kide_u32 seed)
{
    restart(name);
    kide_u64 err = echo_round(h, seed);
    if (err != KIDE_SOCK_OK)
        fail("the connection did not survive the restart of %s: socket error %u", name,
             (unsigned)err);
    kide_log(env_, "net-restart: the connection survived the restart of %s", name);
}

/* The restart of the server's stack (or of the server): the connection ends
 * with a socket error (not a hang), echo listens again and a new connection
 * echoes. */
static kide_u64 reset_by(kide_u64 h, kide_u64 remote, const char *name, kide_u32 seed)
{
    restart(name);
    kide_u64 err = echo_round(h, seed);
    if (err == KIDE_SOCK_OK)
        fail("the connection survived the restart of its server's stack %s", name);
    kide_log(env_, "net-restart: the connection ended with %s: socket error %u", name,
             (unsigned)err);
    t_sock_close(&ts, h);
    h = tcp_open(remote);
    if ((err = echo_round(h, seed + 1)) != KIDE_SOCK_OK)
        fail("the echo after the restart of %s failed: socket error %u", name, (unsigned)err);
    kide_log(env_, "net-restart: echoed again after the restart of %s", name);
    return h;
}

/* Mode "driver" (scenario net-restart-driver): restart the virtio-net
 * driver "nic" once the router serves. This component is a habitat of the
 * router's configuration, so its own NIC session opening proves the router
 * has its uplink (it announces "Nic" only after that); the session is held
 * and never used. The router's re-open and the host's connections
 * afterwards are judged by the scenario and os/tools/tests/net_e2e.py. */
static __attribute__((noreturn)) void driver_restart(struct kide_env *env)
{
    static struct nic_client down;
    int st = t_mgmt_open(env, &mg, 10000);
    if (st != KIDE_OK)
        fail("opening the Hoitaja session: %s", t_status(st));
    kide_u64 until = kide_now_ns() + STEP_MS * 1000000ull;
    while ((st = nic_client_open(env, &down, 0)) == KIDE_NOT_FOUND && kide_now_ns() < until)
        kide_wait_signal(env, 50); /* the router is not announced yet: retry */
    if (st != KIDE_OK)
        fail("no NIC session at the router: %s", t_status(st));
    kide_log(env, "net-restart: the router serves; restarting its driver");
    restart("nic");
    kide_log(env, "PASS net-restart");
    t_idle(env);
}

void kide_main(struct kide_env *env)
{
    char server[40], mode[16];
    env_ = env;
    t_cfg_str(env, "server", "10.0.9.1", server, sizeof server);
    t_cfg_str(env, "mode", "wire", mode, sizeof mode);
    if (!t_streq(mode, "wire") && !t_streq(mode, "router") && !t_streq(mode, "driver"))
        fail("config: mode must be \"wire\", \"router\" or \"driver\"");
    if (t_streq(mode, "driver"))
        driver_restart(env);
    kide_u64 port = t_cfg_u64(env, "port", 7);
    ts.env = env;
    ts.what = WHAT;
    ts.deadline = kide_now_ns() + t_cfg_u64(env, "timeout_ms", 400000) * 1000000;
    kide_u32 ip = 0;
    kide_sock_ip_parse(server, &ip);
    if (!ip || !port || port > 65535)
        fail("config: server must be \"a.b.c.d\" and port 1..65535");
    int st = t_mgmt_open(env, &mg, 10000);
    if (st != KIDE_OK)
        fail("opening the Hoitaja session: %s", t_status(st));
    if ((st = kide_sock_open(env, &ts.sc, &ts.sm, STEP_MS)) != KIDE_OK)
        fail("socket session: %s", kide_status_name(st));
    kide_u64 remote = KIDE_SOCK_ADDR(ip, port);

    kide_u64 h = tcp_open(remote);
    kide_u64 err = echo_round(h, 1);
    if (err != KIDE_SOCK_OK)
        fail("the first echo failed: socket error %u", (unsigned)err);
    kide_log(env, "net-restart: connected to %s:%u and echoed", server, (unsigned)port);
    if (t_streq(mode, "wire")) {
        survives(h, "wire", 2);
        h = reset_by(h, remote, "net-a", 3);
        /* The server itself: net-a frees the sockets of echo's old session
         * (its connection ends, its port is free for the new echo's listen). */
        h = reset_by(h, remote, "echo", 5);
    } else {
        survives(h, "wire", 2); /* the router's uplink and the outside stack re-open */
        /* The router's NAT and forward state goes with it: the connection's
         * segments are dropped (no mapping) until TCP gives up, so it is
         * abandoned; the tenant's stack re-opens its downlink and a new
         * connection echoes. */
        restart("router");
        t_sock_close(&ts, h);
        h = tcp_open(remote);
        if ((err = echo_round(h, 4)) != KIDE_SOCK_OK)
            fail("the echo after the router's restart failed: socket error %u", (unsigned)err);
        kide_log(env, "net-restart: echoed on a new connection after the router's restart");
        h = reset_by(h, remote, "tenant-a", 5);
    }
    t_sock_close(&ts, h);
    kide_log(env, "PASS net-restart");
    t_idle(env);
}
