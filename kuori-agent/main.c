/* SPDX-License-Identifier: MIT */
/* kuori-agent: the management daemon of a habitat (docs/kuori-agent.md).
 *
 * Sessions: "Hoitaja" (the habitat's management session: all the agent can
 * see and change), "Socket" (the habitat's network stack). Config:
 *   {"port": 7443, "metrics_port": 9110, "key_seed": "<64 hex>",
 *    "keys": [{"user": "alice", "pem": "-----BEGIN PUBLIC KEY-----..."}],
 *    "store_bytes": 8388608}
 * port: the agent port (TLS, the kuori protocol); metrics_port: Prometheus'
 * plain-HTTP /metrics (0 turns it off); key_seed: the agent's identity
 * (decision 0019; kide-scenario fills in `generate`); keys: the depot users
 * whose packages `install` accepts (the habitat's trust, never a registry's);
 * store_bytes: the package store's bound. With keys, the agent provides `Pkg`
 * (list it in its `provides`) from its store.
 *
 * Role: the agent's label is written by core, a path from the root habitat
 * ("kuori-agent" for a child of the root habitat, "tenant-a/kuori-agent"
 * below): with no '/' it runs in the root habitat and is the operator's,
 * otherwise a tenant's, of the habitat its label names. A tenant cannot
 * choose its label, and the role is only what the agent offers: what it can
 * do is what its management session reaches.
 *
 * Loop (one thread): serve the metrics port and the agent port, tick the
 * connections, and when nothing moved wait on the socket session's
 * notification semaphore until the earliest deadline a connection needs
 * (the next watch sample, a timeout), at most 1 s; with an events or logs
 * stream open at most 100 ms, then look at hoitaja's event semaphore
 * without blocking (the runtime has one thread, so the two semaphores
 * cannot be waited on together).
 */
#include <kide/base.h>
#include <kide/component.h>
#include <kide/socket_client.h>
#include <kide/sys.h>

#include "backend_mgmt.h"
#include "install_kide.h"
#include "metrics_http.h"
#include "net.h"
#include "token_session.h"

#define OPEN_WAIT_MS   30000
#define IN_USE_WAIT_MS 10000
#define WAIT_MAX_NS    1000000000ull
#define FOLLOW_WAIT_NS 100000000ull

static struct kagent agent;
static struct kagent_mgmt mgmt;
static struct kagent_backend be;
static struct kmetrics metrics;
static struct kide_sock_client sc;
static struct kiki_keys keys;
static struct kagent_installer installer;
static kide_sel sm;

struct agent_config {
    kide_u64 port, metrics_port;
    kide_u8 seed[32];
    int have_seed;
    kide_u64 store_bytes;
};

__attribute__((noreturn)) static void config_error(struct kide_env *env, const char *what)
{
    kide_log(env, "kuori-agent: config: %s", what);
    kide_exit(env, 2);
}

/* keys: [{user, pem}] into the file's `keys`; any fault ends the agent with what to fix. */
static void read_keys(struct kide_env *env, const struct kide_json_doc *d, int arr)
{
    static char pem[1024];
    char msg[DEPOT_ERR_MAX + 64];
    if (kide_json_type(d, arr) != KIDE_JSON_ARRAY)
        config_error(env, "keys: expected an array of {user, pem}");
    for (int k = kide_json_first(d, arr); k >= 0; k = kide_json_next(d, k)) {
        struct depot_err err;
        unsigned i = keys.n;
        int ul = kide_json_get_string(d, kide_json_find(d, k, "user"), keys.user[i],
                                      sizeof keys.user[i]);
        int pl = kide_json_get_string(d, kide_json_find(d, k, "pem"), pem, sizeof pem);
        if (i == KIKI_KEYS_MAX)
            config_error(env, "keys: at most 8");
        if (kide_json_type(d, k) != KIDE_JSON_OBJECT || ul <= 0 || pl <= 0)
            config_error(env, "keys: each is {user: NAME (at most 32), pem: the public key "
                              "`goa key show` prints}");
        if (depot_pubkey_from_pem(pem, (size_t)pl, keys.key[i].key, &err) != DEPOT_OK) {
            snprintf(msg, sizeof msg, "keys: user %s: %s", keys.user[i], err.msg);
            config_error(env, msg);
        }
        keys.key[i].user = keys.user[i];
        keys.n++;
    }
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Read and check the config once; on any error say what to fix and exit 2. */
static void read_config(struct kide_env *env, struct agent_config *cfg)
{
    const struct kide_json_doc *d;
    char err[160];
    cfg->port = 7443;
    cfg->metrics_port = 9110;
    cfg->have_seed = 0;
    cfg->store_bytes = KIKI_STORE_DEFAULT;
    if (kide_config_doc(env, &d, err, sizeof err) < 0) {
        kide_log(env, "kuori-agent: config: %s", err);
        kide_exit(env, 2);
    }
    for (int k = kide_json_first(d, 0); k >= 0; k = kide_json_next(d, k)) {
        kide_u64 v;
        char seed[80];
        if (kide_json_str_eq(d, k, "port") || kide_json_str_eq(d, k, "metrics_port")) {
            int is_port = kide_json_str_eq(d, k, "port");
            if (kide_json_get_u64(d, k + 1, &v) < 0 || v > 65535 || (is_port && v == 0)) {
                kide_log(env, "kuori-agent: config: %s: expected %s..65535",
                         is_port ? "port" : "metrics_port", is_port ? "1" : "0");
                kide_exit(env, 2);
            }
            *(is_port ? &cfg->port : &cfg->metrics_port) = v;
        } else if (kide_json_str_eq(d, k, "key_seed")) {
            int n = kide_json_get_string(d, k + 1, seed, sizeof seed);
            int ok = n == 64;
            for (int i = 0; ok && i < 32; i++) {
                int hi = hexval(seed[2 * i]), lo = hexval(seed[2 * i + 1]);
                ok = hi >= 0 && lo >= 0;
                cfg->seed[i] = (kide_u8)(hi << 4 | lo);
            }
            if (!ok) {
                kide_log(env, "kuori-agent: config: key_seed: expected 64 hex digits (write "
                              "`key_seed: generate` in the scenario)");
                kide_exit(env, 2);
            }
            cfg->have_seed = 1;
        } else if (kide_json_str_eq(d, k, "keys")) {
            read_keys(env, d, k + 1);
        } else if (kide_json_str_eq(d, k, "store_bytes")) {
            if (kide_json_get_u64(d, k + 1, &v) < 0 || v < 4096 || v > (1ull << 30))
                config_error(env, "store_bytes: expected 4096..1073741824");
            cfg->store_bytes = v;
        } else {
            config_error(env, "unknown field (known: port, metrics_port, key_seed, keys, "
                              "store_bytes)");
        }
    }
}

/* The habitat and role from the label (see the top). */
static enum kagent_role role_of(struct kide_env *env, char *habitat, kide_u64 cap)
{
    const char *label = kide_name(env);
    const char *slash = 0;
    for (const char *p = label; *p; p++)
        if (*p == '/')
            slash = p;
    if (!slash) {
        snprintf(habitat, cap, "init");
        return KROLE_OPERATOR;
    }
    kide_u64 n = (kide_u64)(slash - label);
    const char *start = label;
    for (const char *p = label; p < slash; p++) /* the habitat's own name: the last part */
        if (*p == '/')
            start = p + 1;
    n = (kide_u64)(slash - start);
    if (n >= cap)
        n = cap - 1;
    memcpy(habitat, start, n);
    habitat[n] = 0;
    return KROLE_TENANT;
}

static void listen_metrics(struct kide_env *env, kide_u64 port)
{
    struct kide_sock_open_rep r = {0};
    kide_u64 until = kide_now_ns() + IN_USE_WAIT_MS * 1000000ull;
    metrics.sc = &sc;
    metrics.env = env;
    int st = kide_sock_listen_wait(env, &sc, port, 4, until, &r);
    if (st != KIDE_OK || r.err != KIDE_SOCK_OK) {
        kide_log(env, "kuori-agent: cannot listen on metrics port %u: %s, socket error %u",
                 (unsigned)port, kide_status_name(st), (unsigned)r.err);
        kide_exit(env, 1);
    }
    metrics.listener = r.handle;
    kide_log(env, "kuori-agent: metrics on TCP port %u (GET /metrics)", (unsigned)port);
}

void kide_main(struct kide_env *env)
{
    struct agent_config cfg;
    char habitat[KAGENT_NAME_MAX + 1];
    const char *why = 0;
    read_config(env, &cfg);
    enum kagent_role role = role_of(env, habitat, sizeof habitat);
    int st = kagent_mgmt_open(env, &mgmt, &be);
    if (st != KIDE_OK) {
        kide_log(env, "kuori-agent: no management session (route 'Hoitaja' to parent): %s",
                 kide_status_name(st));
        kide_exit(env, 1);
    }
    kagent_init(&agent, &be, role, habitat);
    const char *self = kide_name(env);
    for (const char *p = self; *p; p++)
        if (*p == '/')
            self = p + 1;
    if (strlen(self) <= KAGENT_NAME_MAX)
        memcpy(agent.self, self, strlen(self) + 1);
    kide_sel ev_sm = 0;
    if ((st = kagent_mgmt_subscribe(env, &mgmt, &ev_sm)) != KIDE_OK)
        kide_log(env, "kuori-agent: no event semaphore (%s): events are read at each wake-up",
                 kide_status_name(st));
    if ((st = kide_sock_open(env, &sc, &sm, OPEN_WAIT_MS)) != KIDE_OK) {
        kide_log(env, "kuori-agent: no socket session: %s", kide_status_name(st));
        kide_exit(env, 1);
    }
    if (cfg.metrics_port)
        listen_metrics(env, cfg.metrics_port);
    if (!keys.n)
        kide_log(env, "kuori-agent: no keys: install is unavailable");
    else if ((st = kiki_start(env, &sc, &sm, &keys, cfg.store_bytes, &installer)) != KIDE_OK)
        kide_log(env, "kuori-agent: no package store (%s): list Pkg in the agent's provides",
                 kide_status_name(st));
    else {
        agent.inst = &installer;
        kide_log(env, "kuori-agent: package store of %lu bytes, %u keys, serving Pkg",
                 (unsigned long)cfg.store_bytes, keys.n);
    }
    int net = 0;
    if (!cfg.have_seed)
        kide_log(env, "kuori-agent: no key_seed: the agent port is not served");
    else if (knet_start(env, &agent, &sc, cfg.port, cfg.seed, &why) == 0)
        net = 1;
    else
        kide_log(env, "kuori-agent: agent port %u not served: %s", (unsigned)cfg.port, why);
    kide_log(env, "kuori-agent: habitat '%s', role %s", habitat,
             role == KROLE_OPERATOR ? "operator" : "tenant");
    for (;;) {
        kide_u64 next = ~0ull;
        ktoken_client_tick(kide_now_ns()); /* a tenant's pin, again at a restarted authority */
        int moved = cfg.metrics_port ? kmetrics_serve(&agent, &metrics) : 0;
        if (net)
            moved |= knet_serve(env, &agent, &next);
        if (sc.lost) {
            kide_log(env, "kuori-agent: the socket session is lost: re-opening");
            kmetrics_reset(&metrics);
            if (kide_sock_reopen(env, &sc, &sm, OPEN_WAIT_MS) != KIDE_OK)
                kide_exit(env, 1);
            if (cfg.metrics_port)
                listen_metrics(env, cfg.metrics_port);
            if (net && knet_restart(env, &why) != 0) {
                kide_log(env, "kuori-agent: %s", why);
                kide_exit(env, 1);
            }
            continue;
        }
        if (!moved) {
            kide_u64 now = kide_now_ns();
            int follow = net && knet_following();
            kide_u64 cap = now + (follow ? FOLLOW_WAIT_NS : WAIT_MAX_NS);
            kide_ctrl_sm(KIDE_CTRL_SM_DOWN, sm, next < cap ? next : cap);
            /* Take hoitaja's pending event wake-ups without blocking; the follow
             * streams read the events at their next tick either way. */
            if (ev_sm)
                kide_ctrl_sm(KIDE_CTRL_SM_DOWN_ZERO, ev_sm, 1);
        }
        kide_wait_signal(env, 0);
    }
}
