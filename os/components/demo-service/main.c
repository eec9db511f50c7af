/* SPDX-License-Identifier: MIT */
/* demo-service: the example component, a tiny service named "Demo".
 *
 * Config: {"greeting": string (default "hello", <= 64 bytes),
 *          "interval_ms": integer (default 0: quiet, at most 3600000)}.
 * At start it logs "<greeting> from <label>" and announces "Demo". Session
 * operations (words[0] of a call on the session portal):
 *   DEMO_HELLO (1) -> OK, w1 = this session's call number (1, 2, ...), the greeting
 *   DEMO_COUNT (2) -> OK, w1 = requests served by the whole service so far
 * anything else   -> KIDE_BAD_PARAM.
 * Sessions cost nothing, so any donation is accepted and ignored.
 * Then it serves: with an interval it logs "served <n> requests" every
 * interval_ms, else it just waits. Both loops go through the runtime's signal
 * handling, so heartbeats and yield requests are answered.
 * The counters are written by the handler EC and read by the main thread:
 * atomics, because a lock would be more than one 64-bit value needs.
 */
#include <kide/component.h>
#include <kide/json.h>

#define DEMO_HELLO   1
#define DEMO_COUNT   2
#define GREETING_MAX 64
#define INTERVAL_MAX 3600000

struct demo_session {
    kide_u64 calls;
};

static char greeting[GREETING_MAX + 1] = "hello";
static kide_u64 served;

static void *demo_open(struct kide_env *env, const char *label, const char *args, kide_u64 ram,
                       int *status)
{
    (void)args, (void)ram;
    struct demo_session *s = kide_calloc(1, sizeof(*s));
    if (!s) {
        *status = KIDE_QUOTA;
        return 0;
    }
    kide_log(env, "session for %s", label);
    return s;
}

static void demo_close(struct kide_env *env, void *session)
{
    (void)env;
    kide_free(session);
}

static int demo_call(struct kide_env *env, void *session, struct kide_rpc *rpc)
{
    struct demo_session *s = session;
    (void)env;
    __atomic_add_fetch(&served, 1, __ATOMIC_RELAXED);
    switch (rpc->op) {
    case DEMO_HELLO:
        kide_msg_put(&rpc->out, ++s->calls);
        kide_msg_put_str(&rpc->out, greeting);
        return KIDE_OK;
    case DEMO_COUNT:
        kide_msg_put(&rpc->out, __atomic_load_n(&served, __ATOMIC_RELAXED));
        return KIDE_OK;
    default:
        return KIDE_BAD_PARAM;
    }
}

static const struct kide_service_ops demo_ops = {
        .open = demo_open,
        .close = demo_close,
        .call = demo_call,
};

/* Read the config into greeting and *interval; 0 or -1 with a message in err. */
static int read_config(struct kide_env *env, kide_u64 *interval, char *err, kide_u64 errlen)
{
    const struct kide_json_doc *doc;
    if (kide_config_doc(env, &doc, err, errlen) != 0)
        return -1;
    if (kide_json_type(doc, 0) != KIDE_JSON_OBJECT) {
        kide_snprintf(err, errlen, "config: expected an object");
        return -1;
    }
    int i = kide_json_find(doc, 0, "greeting");
    if (i >= 0 && kide_json_get_string(doc, i, greeting, sizeof(greeting)) < 0) {
        kide_snprintf(err, errlen, "config: greeting: expected a string of at most %d bytes",
                      GREETING_MAX);
        return -1;
    }
    i = kide_json_find(doc, 0, "interval_ms");
    if (i >= 0 && (kide_json_get_u64(doc, i, interval) < 0 || *interval > INTERVAL_MAX)) {
        kide_snprintf(err, errlen, "config: interval_ms: expected an integer 0..%d", INTERVAL_MAX);
        return -1;
    }
    return 0;
}

void kide_main(struct kide_env *env)
{
    char err[160];
    kide_u64 interval = 0;
    if (read_config(env, &interval, err, sizeof(err)) != 0) {
        kide_log(env, "demo-service: %s", err);
        kide_exit(env, 2);
    }
    kide_log(env, "%s from %s", greeting, kide_name(env));
    int st = kide_service_announce(env, "Demo", &demo_ops);
    if (st != KIDE_OK)
        kide_log(env, "demo-service: cannot announce Demo: %s", kide_status_name(st));
    if (!interval)
        kide_serve(env);
    kide_u64 next = kide_now_ns() + interval * 1000000ull;
    for (;;) {
        kide_u64 now = kide_now_ns();
        if (now >= next) {
            kide_log(env, "served %lu requests", __atomic_load_n(&served, __ATOMIC_RELAXED));
            next += interval * 1000000ull;
            if (next <= now)
                next = now + interval * 1000000ull;
            continue;
        }
        kide_wait_signal(env, (next - now + 999999) / 1000000);
    }
}
