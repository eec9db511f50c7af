/* SPDX-License-Identifier: MIT */
/* token_session.c: see token_session.h.
 *
 * The server's calls run in the component's handler EC while the main thread
 * serves connections: both reach the token store only under a->tokens_lock
 * (a->tokens_lock, a kide_mutex set up by ktoken_server_start). The habitat comes
 * from the session label hoitaja wrote, kept per session at open.
 */
#include "token_session.h"

static struct kide_session session;
static int have_session;
static struct kagent *agent;

static void put_digest(struct kide_msg *m, const kide_u8 d[32])
{
    for (unsigned i = 0; i < KIDE_KTOK_DIGEST_WORDS; i++) {
        kide_u64 w;
        memcpy(&w, d + 8 * i, 8);
        kide_msg_put(m, w);
    }
}

static struct kide_env *client_env;
static kide_u8 client_fp[32];

static int client_register(void)
{
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_KTOK_REGISTER);
    put_digest(&m, client_fp);
    return kide_msg_call(&m, session.pt, 0);
}

int ktoken_client_open(struct kide_env *env, const kide_u8 fp[32])
{
    int st = kide_session_open(env, KIDE_KTOK_SERVICE, "", 0, &session);
    if (st != KIDE_OK)
        return st;
    have_session = 1;
    client_env = env;
    memcpy(client_fp, fp, sizeof client_fp);
    return client_register();
}

/* Register again, on a new session when the old one is dead: the authority (the
 * root agent) keeps pins in RAM, so after its restart it knows this agent only
 * once told again. 0, or -2 when the authority is unreachable. */
static int client_refresh(void)
{
    if (!have_session)
        return -2;
    if (client_register() == KIDE_OK)
        return 0;
    kide_session_close(client_env, &session);
    have_session = 0;
    if (kide_session_open(client_env, KIDE_KTOK_SERVICE, "", 0, &session) != KIDE_OK)
        return -2;
    have_session = 1;
    return client_register() == KIDE_OK ? 0 : -2;
}

void ktoken_client_tick(kide_u64 now)
{
    static kide_u64 next;
    if (!client_env || now < next)
        return;
    next = now + KTOKEN_REFRESH_NS;
    client_refresh();
}

int ktoken_client_consume(const kide_u8 hash[32])
{
    if (client_refresh() != 0) /* before each consume: the authority may have restarted */
        return -2;
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_KTOK_CONSUME);
    put_digest(&m, hash);
    int st = kide_msg_call(&m, session.pt, 0);
    return st == KIDE_OK ? 0 : st == KIDE_DENIED ? -1 : -2;
}

struct ktok_session {
    char habitat[KTOK_NAME_MAX + 1];
};

static void *srv_open(struct kide_env *env, const char *label, const char *args, kide_u64 ram,
                      int *status)
{
    (void)args, (void)ram;
    struct ktok_session *s = kide_calloc(1, sizeof *s);
    if (!s) {
        *status = KIDE_QUOTA;
        return 0;
    }
    if (ktok_label_habitat(label, s->habitat, sizeof s->habitat) < 0) {
        kide_log(env, "kuori-agent: KuoriToken session for '%s' refused: not a habitat's agent",
                 label);
        kide_free(s);
        *status = KIDE_DENIED;
        return 0;
    }
    return s;
}

static void srv_close(struct kide_env *env, void *session_)
{
    (void)env;
    kide_free(session_);
}

static int srv_call(struct kide_env *env, void *session_, struct kide_rpc *rpc)
{
    struct ktok_session *s = session_;
    kide_u8 d[32];
    for (unsigned i = 0; i < KIDE_KTOK_DIGEST_WORDS; i++) {
        kide_u64 w = kide_msg_get(&rpc->in);
        memcpy(d + 8 * i, &w, 8);
    }
    if (rpc->in.bad)
        return KIDE_BAD_PARAM;
    int rc, known = 0;
    agent->tokens_lock(agent->lock_ctx);
    if (rpc->op == KIDE_KTOK_REGISTER) {
        /* Agents register again now and then (ktoken_client_tick): log only news. */
        const kide_u8 *pin = ktok_pin_of(&agent->tokens, s->habitat);
        known = pin && !memcmp(pin, d, 32);
        rc = ktok_register(&agent->tokens, s->habitat, d) == 0 ? KIDE_OK : KIDE_QUOTA;
    } else if (rpc->op == KIDE_KTOK_CONSUME)
        rc = ktok_consume(&agent->tokens, kide_now_ns(), s->habitat, d) == 0 ? KIDE_OK
                                                                             : KIDE_DENIED;
    else
        rc = KIDE_BAD_PARAM;
    agent->tokens_unlock(agent->lock_ctx);
    if (rpc->op == KIDE_KTOK_REGISTER && rc == KIDE_OK && !known)
        kide_log(env, "kuori-agent: habitat '%s' registered its agent", s->habitat);
    return rc;
}

static const struct kide_service_ops ops = {
        .open = srv_open,
        .close = srv_close,
        .call = srv_call,
};

static struct kide_mutex store_lock;

static void lock_store(void *ctx)
{
    kide_mutex_lock(ctx);
}

static void unlock_store(void *ctx)
{
    kide_mutex_unlock(ctx);
}

int ktoken_server_start(struct kide_env *env, struct kagent *a)
{
    int st = kide_mutex_init(env, &store_lock);
    if (st != KIDE_OK)
        return st;
    agent = a;
    a->lock_ctx = &store_lock;
    a->tokens_lock = lock_store;
    a->tokens_unlock = unlock_store;
    return kide_service_announce(env, KIDE_KTOK_SERVICE, &ops);
}
