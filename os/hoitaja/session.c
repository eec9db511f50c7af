/* SPDX-License-Identifier: MIT */
/* hoitaja parent interface: the calls children make on their parent portal.
 *
 * OPEN resolves the child's route (first match, "*" matches all, no match
 * is denied): to a sibling (its announced root portal gets KIDE_SRV_OPEN
 * with the client's label), to hoitaja's own parent (forwarded, with the
 * child's name as label suffix so the server sees the whole path), or, for
 * service "Hoitaja" routed to the parent, this habitat's own management
 * session. Donated RAM moves from the client's account to the server's (or
 * to hoitaja's, which its parent then moves on) and back on close or when
 * either side goes away. Sessions live in one table; a handle is
 * (generation << 16 | index + 1), so a stale handle never closes a new
 * session. Runs in the runtime's handler EC on the child's CPU with hj.lock
 * held; a sibling server is on that CPU too (hj_config_check), so its root
 * portal can be called from here.
 */
#include "glue.h"

#include <kide/syscall.h>

#define LABEL_MAX 96u
#define ARGS_MAX  256u

static kide_u64 handle_of(const struct hj_session *ss)
{
    return (kide_u64)ss->gen << 16 | (kide_u64)(ss - hj.sess + 1);
}

static struct hj_session *session_of(kide_u64 handle, struct hj_slot *client)
{
    kide_u64 i = (handle & 0xffff) - 1;
    if (i >= HJ_SESSIONS_MAX || !hj.sess[i].kind || hj.sess[i].client != client ||
        hj.sess[i].gen != handle >> 16)
        return NULL;
    return &hj.sess[i];
}

static struct hj_session *session_new(void)
{
    for (unsigned i = 0; i < HJ_SESSIONS_MAX; i++)
        if (!hj.sess[i].kind) {
            hj.sess[i].gen = (hj.sess[i].gen + 1) & 0xffffffffu;
            return &hj.sess[i];
        }
    return NULL;
}

/* Current RAM quota and use of a live child, from core. */
static int ram_of(struct hj_slot *s, kide_u64 *quota, kide_u64 *used)
{
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_OWN_STATE);
    int st = hj_own_call(s, &m);
    if (st != KIDE_OK)
        return st;
    for (unsigned i = 1; i < 6; i++)
        kide_msg_get(&m);
    *quota = kide_msg_get(&m);
    *used = kide_msg_get(&m);
    return KIDE_OK;
}

static int set_ram(struct hj_slot *s, kide_u64 quota)
{
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_OWN_RAM);
    kide_msg_put(&m, quota);
    int st = hj_own_call(s, &m);
    if (st == KIDE_OK)
        s->ram_quota = quota;
    return st;
}

/* Move d bytes of quota from a to b (either may be NULL: hoitaja's own pool). */
static int move_ram(struct hj_slot *a, struct hj_slot *b, kide_u64 d)
{
    kide_u64 qa = 0, qb = 0, used;
    int st;
    if (!d)
        return KIDE_OK;
    if (a && (st = ram_of(a, &qa, &used)) != KIDE_OK)
        return st;
    if (a && qa - used < d)
        return KIDE_QUOTA;
    if (b && (st = ram_of(b, &qb, &used)) != KIDE_OK)
        return st;
    if (a && (st = set_ram(a, qa - d)) != KIDE_OK) {
        set_ram(a, qa); /* withdraw a yield request a race may have caused */
        return KIDE_QUOTA;
    }
    if (b && (st = set_ram(b, qb + d)) != KIDE_OK) {
        if (a)
            set_ram(a, qa);
        return st;
    }
    return KIDE_OK;
}

static struct hj_announce *announced(struct hj_slot *server, const char *service)
{
    for (unsigned i = 0; i < server->nannounced; i++)
        if (!strcmp(server->announced[i].service, service))
            return &server->announced[i];
    return NULL;
}

static struct hj_slot *sibling(const char *name)
{
    int i = hj_config_find(&hj.cfg, name);
    return i >= 0 ? hj.slot[i] : NULL;
}

/* Open a session at a sibling server; *pt gets hoitaja's copy of the session portal. */
static int open_sibling(struct hj_session *ss, struct hj_slot *c, const char *server_name,
                        const char *service, const char *label, const char *args, kide_u64 d)
{
    struct hj_slot *srv = sibling(server_name);
    struct hj_announce *a =
            srv && srv->live && srv->state == HJ_ST_RUNNING ? announced(srv, service) : NULL;
    if (!a)
        return KIDE_NOT_FOUND;
    int st = move_ram(c, srv, d);
    if (st != KIDE_OK)
        return st == KIDE_QUOTA ? KIDE_QUOTA : st;
    kide_sel pt = kide_sel_alloc(0);
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_SRV_OPEN);
    kide_msg_put(&m, d);
    kide_msg_put_str(&m, label);
    kide_msg_put_str(&m, args);
    st = pt ? kide_msg_call(&m, a->pt, pt) : KIDE_QUOTA;
    kide_u64 id = kide_msg_get(&m);
    if (st == KIDE_OK && (m.bad || m.rcv != pt))
        st = KIDE_BAD_PARAM; /* the server answered OK without a session portal */
    if (st != KIDE_OK) {
        if (pt)
            kide_cap_drop(pt);
        move_ram(srv, c, d);
        return st == KIDE_ABORTED ? KIDE_NOT_FOUND : st;
    }
    *ss = (struct hj_session){.kind = HJ_SESS_SIBLING,
                              .gen = ss->gen,
                              .client = c,
                              .server = srv,
                              .server_id = id,
                              .srv_pt = a->pt,
                              .pt = pt,
                              .donated = d};
    c->donated_out += d;
    srv->donated_in += d;
    return KIDE_OK;
}

/* Forward to hoitaja's own parent with the client's name as label suffix. */
static int open_parent(struct hj_session *ss, struct hj_slot *c, const char *service,
                       const char *suffix, const char *args, kide_u64 d)
{
    char sub[LABEL_MAX];
    if (hj.root)
        return KIDE_DENIED;
    if (hj_label(sub, sizeof(sub), "init", c->cfg.name, suffix))
        return KIDE_BAD_PARAM;
    int st = move_ram(c, NULL, d);
    if (st != KIDE_OK)
        return st;
    kide_sel pt = kide_sel_alloc(0);
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_PARENT_OPEN);
    kide_msg_put(&m, d);
    kide_msg_put_str(&m, service);
    kide_msg_put_str(&m, args);
    kide_msg_put_str(&m, sub);
    st = pt ? kide_msg_call(&m, KIDE_COMP_SEL_PARENT, pt) : KIDE_QUOTA;
    kide_u64 handle = kide_msg_get(&m);
    if (st == KIDE_OK && (m.bad || m.rcv != pt))
        st = KIDE_BAD_PARAM;
    if (st != KIDE_OK) {
        if (pt)
            kide_cap_drop(pt);
        move_ram(NULL, c, d);
        return st;
    }
    *ss = (struct hj_session){.kind = HJ_SESS_PARENT,
                              .gen = ss->gen,
                              .client = c,
                              .server_id = handle,
                              .pt = pt,
                              .donated = d};
    c->donated_out += d;
    return KIDE_OK;
}

static int do_open(struct hj_slot *c, struct kide_rpc *rpc)
{
    char service[HJ_SERVICE_MAX + 1], args[ARGS_MAX + 1], suffix[LABEL_MAX] = "", label[LABEL_MAX];
    kide_u64 d = kide_msg_get(&rpc->in);
    kide_msg_get_str(&rpc->in, service, sizeof(service));
    kide_msg_get_str(&rpc->in, args, sizeof(args));
    /* A nested habitat forwarding for its child names it (it can only extend its own label). */
    if (rpc->in.pos < rpc->in.n)
        kide_msg_get_str(&rpc->in, suffix, sizeof(suffix));
    if (rpc->in.bad || hj_label(label, sizeof(label), hj.label, c->cfg.name, suffix))
        return KIDE_BAD_PARAM;
    const struct hj_route *r = hj_route_find(&c->cfg, service);
    if (!r || r->to == HJ_TO_DENIED)
        return KIDE_DENIED;
    /* Managing the habitat is granted only by name: a catch-all route to the
     * parent must not hand a child the power to reconfigure its siblings. */
    if (!strcmp(service, "Hoitaja") && strcmp(r->service, "Hoitaja"))
        return KIDE_DENIED;
    struct hj_session *ss = session_new();
    if (!ss)
        return KIDE_BUSY;
    int st;
    if (r->to == HJ_TO_PARENT && !strcmp(service, "Hoitaja")) {
        /* The habitat's own management session: never forwarded upwards. */
        kide_sel pt = 0;
        ss->client = c;
        if ((st = hj_mgmt_open(ss, &pt)) != KIDE_OK)
            return st;
        ss->kind = HJ_SESS_MGMT;
        ss->pt = pt;
    } else if (r->to == HJ_TO_CHILD) {
        st = open_sibling(ss, c, r->child, service, label, args, d);
    } else {
        st = open_parent(ss, c, service, suffix, args, d);
    }
    if (st != KIDE_OK)
        return st;
    kide_msg_put(&rpc->out, handle_of(ss));
    rpc->cap_out = ss->pt;
    rpc->cap_perm = KIDE_PT_CALL;
    return KIDE_OK;
}

/* End session ss. client_gone: the client's account is going (no credit back). */
static void close_session(struct hj_session *ss, int client_gone)
{
    struct kide_msg m;
    struct hj_slot *c = ss->client;
    if (ss->kind == HJ_SESS_SIBLING) {
        if (ss->server->live) {
            kide_msg_begin(&m, KIDE_SRV_CLOSE);
            kide_msg_put(&m, ss->server_id);
            kide_msg_call(&m, ss->srv_pt, 0);
        }
        kide_cap_drop(ss->pt);
        /* The donation comes back from the server if it can give it. */
        if (ss->server->live &&
            move_ram(ss->server, client_gone ? NULL : c, ss->donated) != KIDE_OK)
            hj_say("child %s: kept %lu bytes of a closed session of %s", ss->server->cfg.name,
                   ss->donated, c->cfg.name);
        else
            ss->server->donated_in -= ss->donated;
        c->donated_out -= ss->donated;
    } else if (ss->kind == HJ_SESS_PARENT) {
        kide_msg_begin(&m, KIDE_PARENT_CLOSE);
        kide_msg_put(&m, ss->server_id);
        kide_msg_call(&m, KIDE_COMP_SEL_PARENT, 0);
        kide_cap_drop(ss->pt);
        if (!client_gone)
            move_ram(NULL, c, ss->donated);
        c->donated_out -= ss->donated;
    } else if (ss->kind == HJ_SESS_MGMT) {
        hj_mgmt_close(ss);
    }
    ss->kind = 0;
}

void hj_sessions_drop_client(struct hj_slot *s)
{
    for (unsigned i = 0; hj.sess && i < HJ_SESSIONS_MAX; i++)
        if (hj.sess[i].kind && hj.sess[i].client == s)
            close_session(&hj.sess[i], 1);
}

void hj_sessions_drop_server(struct hj_slot *s)
{
    /* The server's account is gone and its quota, donations included, is back
     * with hoitaja: credit each client its donation. */
    for (unsigned i = 0; hj.sess && i < HJ_SESSIONS_MAX; i++) {
        struct hj_session *ss = &hj.sess[i];
        if (ss->kind != HJ_SESS_SIBLING || ss->server != s)
            continue;
        kide_cap_drop(ss->pt);
        if (ss->client->live)
            move_ram(NULL, ss->client, ss->donated);
        ss->client->donated_out -= ss->donated;
        ss->kind = 0;
    }
}

/* More donation for an open session: from the client to the server (or, for a
 * session at our parent, to our parent's side), then the server is told. */
static int do_upgrade(struct hj_slot *c, struct kide_rpc *rpc)
{
    struct hj_session *ss = session_of(kide_msg_get(&rpc->in), c);
    kide_u64 d = kide_msg_get(&rpc->in);
    if (rpc->in.bad || !ss || (ss->kind != HJ_SESS_SIBLING && ss->kind != HJ_SESS_PARENT))
        return KIDE_BAD_PARAM;
    if (!d)
        return KIDE_OK;
    struct kide_msg m;
    int st;
    if (ss->kind == HJ_SESS_SIBLING) {
        if ((st = move_ram(c, ss->server, d)) != KIDE_OK)
            return st;
        kide_msg_begin(&m, KIDE_SRV_UPGRADE);
        kide_msg_put(&m, ss->server_id);
        kide_msg_put(&m, d);
        kide_msg_call(&m, ss->srv_pt, 0); /* informational: the quota moved already */
        ss->server->donated_in += d;
    } else {
        if ((st = move_ram(c, NULL, d)) != KIDE_OK)
            return st;
        kide_msg_begin(&m, KIDE_PARENT_UPGRADE);
        kide_msg_put(&m, ss->server_id);
        kide_msg_put(&m, d);
        if ((st = kide_msg_call(&m, KIDE_COMP_SEL_PARENT, 0)) != KIDE_OK) {
            move_ram(NULL, c, d);
            return st;
        }
    }
    ss->donated += d;
    c->donated_out += d;
    return KIDE_OK;
}

static int do_announce(struct hj_slot *c, struct kide_rpc *rpc)
{
    char service[HJ_SERVICE_MAX + 1];
    kide_msg_get_str(&rpc->in, service, sizeof(service));
    if (rpc->in.bad || !rpc->cap_in)
        return KIDE_BAD_PARAM;
    if (!hj_provides(&c->cfg, service))
        return KIDE_DENIED;
    if (announced(c, service))
        return KIDE_BUSY;
    struct hj_announce *a = &c->announced[c->nannounced++];
    memcpy(a->service, service, sizeof(service));
    a->pt = rpc->cap_in;
    rpc->cap_in = 0; /* keep the root portal */
    return KIDE_OK;
}

int hj_parent_call(struct kide_env *env, void *obj, struct kide_rpc *rpc)
{
    struct hj_slot *c = obj;
    struct hj_session *ss;
    int st = KIDE_BAD_PARAM;
    (void)env;
    kide_mutex_lock(&hj.lock);
    if (!c->live) {
        st = KIDE_ABORTED; /* a call that raced with the child's end */
        goto out;
    }
    switch (rpc->op) {
    case KIDE_PARENT_OPEN:
        st = do_open(c, rpc);
        break;
    case KIDE_PARENT_CLOSE:
        ss = session_of(kide_msg_get(&rpc->in), c);
        st = ss ? KIDE_OK : KIDE_BAD_PARAM;
        if (ss)
            close_session(ss, 0);
        break;
    case KIDE_PARENT_ANNOUNCE:
        st = do_announce(c, rpc);
        break;
    case KIDE_PARENT_UPGRADE:
        st = do_upgrade(c, rpc);
        break;
    case KIDE_PARENT_ALIVE:
        c->hb_alive_ns = kide_now_ns();
        c->hb_missed = 0;
        st = KIDE_OK;
        break;
    case KIDE_PARENT_PENDING:
        kide_msg_put(&rpc->out, c->pending);
        c->pending &= ~KIDE_PARENT_WANT_HEARTBEAT;
        st = KIDE_OK;
        break;
    default:
        break;
    }
out:
    kide_mutex_unlock(&hj.lock);
    return st;
}
