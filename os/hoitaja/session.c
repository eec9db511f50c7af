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
 * portal can be called from here, but never with the lock held: every call
 * into a server (or our parent) goes through hj_call_unlocked (calls.c),
 * which has a deadline after which the server is treated as faulted. An
 * entry being opened is OPENING meanwhile: whoever stops its client or its
 * server only marks it (gone), and the handler finishes or undoes it.
 *
 * Closing: when a client closes a session (PARENT_CLOSE) its handler tells
 * the server at once (KIDE_SRV_CLOSE, with the deadline) and gives the
 * donation back. When the client stops (the main thread, an apply, possibly
 * on another CPU) nobody there may wait for the server: the entry becomes
 * CLOSING, the server's signal semaphore is upped, and the close is
 * delivered by the handler on the server's CPU when the server asks
 * KIDE_PARENT_PENDING (the runtime does on every signal). At most
 * HJ_CLOSING_MAX closes wait per server; beyond that one is not told.
 *
 * Limits: a child holds at most hj_session_limit() sessions as a client
 * (open, opening and management ones), so it cannot fill the table.
 */
#include "glue.h"

#include <kide/syscall.h>

#define LABEL_MAX (KIDE_LABEL_MAX + 1) /* a label's buffer, with its NUL (core's info page) */
#define ARGS_MAX  KIDE_SESSION_ARGS_MAX

static kide_u64 handle_of(const struct hj_session *ss)
{
    return (kide_u64)ss->gen << 16 | (kide_u64)(ss - hj.sess + 1);
}

/* An open session of `client` (not one being opened or closed). */
static struct hj_session *session_of(kide_u64 handle, struct hj_slot *client)
{
    kide_u64 i = (handle & 0xffff) - 1;
    if (i >= HJ_SESSIONS_MAX || hj.sess[i].client != client || hj.sess[i].gen != handle >> 16)
        return NULL;
    kide_u8 k = hj.sess[i].kind;
    return k == HJ_SESS_SIBLING || k == HJ_SESS_PARENT || k == HJ_SESS_MGMT ? &hj.sess[i] : NULL;
}

static unsigned limit_max(const struct hj_slot *s)
{
    return s->cfg.habitat ? HJ_SESS_HABITAT_MAX : HJ_SESS_CHILD_MAX;
}

unsigned hj_session_limit(const struct hj_slot *s)
{
    kide_u64 n = s->cfg.caps / HJ_SESS_PER_CAPS;
    return n < HJ_SESS_CHILD_MIN ? HJ_SESS_CHILD_MIN
           : n > limit_max(s)    ? limit_max(s)
                                 : (unsigned)n;
}

/* Entries c holds as a client: what its limit counts. */
static unsigned sessions_of(const struct hj_slot *c)
{
    unsigned n = 0;
    for (unsigned i = 0; i < HJ_SESSIONS_MAX; i++) {
        kide_u8 k = hj.sess[i].kind;
        n += hj.sess[i].client == c && k && k != HJ_SESS_CLOSING;
    }
    return n;
}

static unsigned closing_of(const struct hj_slot *srv)
{
    unsigned n = 0;
    for (unsigned i = 0; i < HJ_SESSIONS_MAX; i++)
        n += hj.sess[i].kind == HJ_SESS_CLOSING && hj.sess[i].server == srv;
    return n;
}

static void session_end(struct hj_session *ss)
{
    if (ss->client)
        ss->client->limit_said = 0;
    ss->kind = 0;
    ss->busy = ss->gone = 0;
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
    struct kide_core_chan ch = hj_own_chan(s);
    struct kide_own_state_rep rep;
    int st = kide_own_state(&ch, &rep);
    if (st != KIDE_OK)
        return st;
    *quota = rep.ram_quota;
    *used = rep.ram_used;
    return KIDE_OK;
}

static int set_ram(struct hj_slot *s, kide_u64 quota)
{
    struct kide_core_chan ch = hj_own_chan(s);
    struct kide_own_ram_req req = {.quota = quota};
    struct kide_own_ram_rep rep;
    int st = kide_own_ram(&ch, &req, &rep);
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

/* Up s's signal semaphore: it asks KIDE_PARENT_PENDING, which delivers its closes. */
static void signal_child(struct hj_slot *s)
{
    if (!s->live)
        return;
    struct kide_core_chan ch = hj_own_chan(s);
    kide_own_signal(&ch);
}

/* The client's side of sibling session ss ends now (its portal goes); the
 * server is told later. credit: who gets the donation back (NULL: our pool). */
static void to_closing(struct hj_session *ss, struct hj_slot *credit)
{
    struct hj_slot *srv = ss->server;
    kide_cap_drop(ss->pt);
    ss->pt = 0;
    ss->client->donated_out -= ss->donated;
    ss->client->limit_said = 0;
    ss->client = credit;
    ss->kind = HJ_SESS_CLOSING;
    ss->busy = 0;
    if (closing_of(srv) <= HJ_CLOSING_MAX)
        return;
    /* Too many untold closes (it never asks PENDING): forget this one. */
    if (move_ram(srv, credit, ss->donated) == KIDE_OK)
        srv->donated_in -= ss->donated;
    session_end(ss);
}

/* Calls to a server's root portal or to our own parent through hj_call_unlocked
 * (the deadline), by the parent client library: the channel's transport. */
struct via {
    struct hj_slot *client, *server;
};

static int via_call(const struct kide_parent_chan *ch, struct kide_msg *m, kide_sel rcv,
                    kide_sel send, unsigned perm)
{
    const struct via *v = ch->ctx;
    (void)perm;
    if (send) /* hoitaja sends no capability this way */
        return KIDE_BAD_PARAM;
    return hj_call_unlocked(v->client, v->server, m, ch->pt, rcv);
}

static struct kide_parent_chan chan_via(struct via *v, kide_sel pt)
{
    return (struct kide_parent_chan){.pt = pt, .call = via_call, .ctx = v};
}

/* Tell the server of CLOSING entry ss (handler EC on the server's CPU), then
 * move the donation back. If the server stops meanwhile, hj_sessions_drop_server
 * settles the entry (and the gen check below sees it). */
static void deliver_close(struct hj_session *ss)
{
    struct hj_slot *srv = ss->server;
    kide_u32 gen = ss->gen;
    struct via v = {ss->client, srv};
    struct kide_parent_chan ch = chan_via(&v, ss->srv_pt);
    struct kide_srv_close_req req = {.id = ss->server_id};
    ss->busy = 1;
    kide_srv_close(&ch, &req);
    if (ss->kind != HJ_SESS_CLOSING || ss->gen != gen)
        return;
    struct hj_slot *c = ss->client && ss->client->live ? ss->client : NULL;
    if (srv->live && move_ram(srv, c, ss->donated) != KIDE_OK)
        hj_say("child %s: kept %lu bytes of a closed session", srv->cfg.name, ss->donated);
    else
        srv->donated_in -= ss->donated;
    session_end(ss);
}

/* The closes waiting for server srv (it called PENDING, on its CPU). */
static void deliver_closes(struct hj_slot *srv)
{
    for (unsigned i = 0; i < HJ_SESSIONS_MAX && srv->live; i++)
        if (hj.sess[i].kind == HJ_SESS_CLOSING && hj.sess[i].server == srv && !hj.sess[i].busy)
            deliver_close(&hj.sess[i]);
}

/* Open a session at a sibling server; ss->pt gets hoitaja's copy of the session portal. */
static int open_sibling(struct hj_session *ss, struct hj_slot *c, const char *server_name,
                        const char *service, const char *label, const char *args, kide_u64 d)
{
    struct hj_slot *srv = sibling(server_name);
    struct hj_announce *a =
            srv && srv->live && srv->state == HJ_ST_RUNNING ? announced(srv, service) : NULL;
    if (!a)
        return KIDE_NOT_FOUND;
    kide_sel srv_pt = a->pt; /* a may be reused while we call */
    int st = move_ram(c, srv, d);
    if (st != KIDE_OK)
        return st;
    kide_sel pt = kide_sel_alloc(0);
    if (!pt) {
        move_ram(srv, c, d);
        return KIDE_QUOTA;
    }
    *ss = (struct hj_session){.kind = HJ_SESS_OPENING,
                              .gen = ss->gen,
                              .client = c,
                              .server = srv,
                              .srv_pt = srv_pt,
                              .donated = d};
    struct via v = {c, srv};
    struct kide_parent_chan ch = chan_via(&v, srv_pt);
    struct kide_srv_open_req req = {.ram = d, .label = label, .args = args};
    struct kide_srv_open_rep rep;
    kide_sel got;
    st = kide_srv_open(&ch, &req, pt, &rep, &got); /* OK without an id word: BAD_PARAM */
    ss->server_id = rep.id;
    if (st == KIDE_OK && got != pt)
        st = KIDE_BAD_PARAM; /* the server answered OK without a session portal */
    kide_u8 gone = ss->gone;
    if (st == KIDE_OK && !(gone & HJ_GONE_SERVER)) {
        ss->kind = HJ_SESS_SIBLING;
        ss->pt = pt;
        c->donated_out += d;
        srv->donated_in += d;
        if (!gone)
            return KIDE_OK;
        /* Opened for a client that is gone: the server is told it closed. */
        to_closing(ss, NULL);
        signal_child(srv);
        return KIDE_ABORTED;
    }
    /* Failed, or the server went (with the session; the donation is back in
     * our pool): undo. A server that missed the deadline gives KIDE_TIMEOUT. */
    kide_cap_drop(pt);
    if (!(gone & HJ_GONE_SERVER))
        move_ram(srv, gone & HJ_GONE_CLIENT ? NULL : c, d);
    else if (!(gone & HJ_GONE_CLIENT))
        move_ram(NULL, c, d);
    session_end(ss);
    return st == KIDE_ABORTED || st == KIDE_OK ? KIDE_NOT_FOUND : st;
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
    if (!pt) {
        move_ram(NULL, c, d);
        return KIDE_QUOTA;
    }
    *ss = (struct hj_session){.kind = HJ_SESS_OPENING, .gen = ss->gen, .client = c, .donated = d};
    struct via v = {c, NULL};
    struct kide_parent_chan ch = chan_via(&v, KIDE_COMP_SEL_PARENT);
    struct kide_parent_open_req req = {
            .ram = d, .service = service, .args = args, .label_suffix = sub};
    struct kide_parent_open_rep rep;
    kide_sel got;
    st = kide_parent_open(&ch, &req, pt, &rep, &got);
    kide_u64 handle = rep.handle;
    if (st == KIDE_OK && got != pt)
        st = KIDE_BAD_PARAM;
    if (st == KIDE_OK && !ss->gone) {
        ss->kind = HJ_SESS_PARENT;
        ss->server_id = handle;
        ss->pt = pt;
        c->donated_out += d;
        return KIDE_OK;
    }
    kide_cap_drop(pt);
    if (st == KIDE_OK) { /* the client is gone: close it at our parent again */
        struct via none = {NULL, NULL};
        struct kide_parent_chan up = chan_via(&none, KIDE_COMP_SEL_PARENT);
        struct kide_parent_close_req close = {.handle = handle};
        kide_parent_close(&up, &close);
        st = KIDE_ABORTED;
    }
    if (!(ss->gone & HJ_GONE_CLIENT))
        move_ram(NULL, c, d);
    session_end(ss);
    return st;
}

int hj_session_open_for(struct hj_slot *c, const char *server, const char *service,
                        struct hj_session **out)
{
    char label[LABEL_MAX];
    *out = NULL;
    if (hj_label(label, sizeof(label), hj.label, c->cfg.name, ""))
        return KIDE_BAD_PARAM;
    struct hj_session *ss = session_new();
    if (!ss)
        return KIDE_BUSY;
    int st = open_sibling(ss, c, server, service, label, "", 0);
    if (st == KIDE_OK)
        *out = ss;
    return st;
}

void hj_session_close_for(struct hj_session *ss)
{
    /* The client's side goes now; the server is told on its next PENDING, so
     * no thread here waits for it (not even the store's own PENDING handler,
     * which runs the start: pkgstart.c). */
    if (!ss || ss->kind != HJ_SESS_SIBLING)
        return; /* the server went meanwhile: hj_sessions_drop_server settled it */
    struct hj_slot *srv = ss->server;
    to_closing(ss, ss->client);
    signal_child(srv);
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
    unsigned limit = hj_session_limit(c);
    if (sessions_of(c) >= limit) {
        if (!c->limit_said)
            hj_say("child %s: session limit reached: %u open sessions (caps %lu / %u, between "
                   "%u and %u); hint: close sessions or raise its caps",
                   c->cfg.name, limit, c->cfg.caps, HJ_SESS_PER_CAPS, HJ_SESS_CHILD_MIN,
                   limit_max(c));
        c->limit_said = 1;
        return KIDE_QUOTA;
    }
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

/* The client closes ss (PARENT_CLOSE, its handler EC). */
static int do_close(struct hj_slot *c, struct kide_rpc *rpc)
{
    struct kide_parent_close_req req;
    hj_rpc_decode(rpc, &req, 1);
    struct hj_session *ss = session_of(req.handle, c);
    if (rpc->in.bad || !ss)
        return KIDE_BAD_PARAM;
    if (ss->kind == HJ_SESS_SIBLING) {
        to_closing(ss, c);
        if (ss->kind == HJ_SESS_CLOSING)
            deliver_close(ss); /* this CPU is the server's: tell it now */
    } else if (ss->kind == HJ_SESS_PARENT) {
        kide_u64 d = ss->donated, epoch = c->epoch;
        struct via v = {c, NULL};
        struct kide_parent_chan up = chan_via(&v, KIDE_COMP_SEL_PARENT);
        struct kide_parent_close_req close = {.handle = ss->server_id};
        kide_cap_drop(ss->pt);
        c->donated_out -= d;
        session_end(ss);
        kide_parent_close(&up, &close);
        if (c->live && c->epoch == epoch)
            move_ram(NULL, c, d);
    } else {
        hj_mgmt_close(ss);
        session_end(ss);
    }
    return KIDE_OK;
}

void hj_sessions_drop_client(struct hj_slot *s)
{
    struct kide_parent_chan up = {.pt = KIDE_COMP_SEL_PARENT};
    for (unsigned i = 0; hj.sess && i < HJ_SESSIONS_MAX; i++) {
        struct hj_session *ss = &hj.sess[i];
        if (ss->client != s || !ss->kind)
            continue;
        switch (ss->kind) {
        case HJ_SESS_SIBLING:
            /* Nobody here may wait for the server: it is told on its next PENDING. */
            to_closing(ss, NULL);
            signal_child(ss->server);
            break;
        case HJ_SESS_PARENT:
            /* Our parent is a hoitaja: its own deadlines bound this call. */
            kide_parent_close(&up, &(struct kide_parent_close_req){.handle = ss->server_id});
            kide_cap_drop(ss->pt);
            s->donated_out -= ss->donated;
            session_end(ss);
            break;
        case HJ_SESS_MGMT:
            hj_mgmt_close(ss);
            session_end(ss);
            break;
        case HJ_SESS_OPENING:
            ss->gone |= HJ_GONE_CLIENT; /* its handler undoes it */
            break;
        case HJ_SESS_CLOSING:
            ss->client = NULL; /* no credit for an account that is gone */
            break;
        }
    }
}

void hj_sessions_drop_server(struct hj_slot *s)
{
    /* The server's account is gone and its quota, donations included, is back
     * with hoitaja: credit each client its donation. */
    for (unsigned i = 0; hj.sess && i < HJ_SESSIONS_MAX; i++) {
        struct hj_session *ss = &hj.sess[i];
        if (ss->server != s || !ss->kind)
            continue;
        if (ss->kind == HJ_SESS_OPENING) {
            ss->gone |= HJ_GONE_SERVER;
            continue;
        }
        if (ss->kind == HJ_SESS_SIBLING) {
            kide_cap_drop(ss->pt);
            ss->client->donated_out -= ss->donated;
        }
        if ((ss->kind == HJ_SESS_SIBLING || ss->kind == HJ_SESS_CLOSING) && ss->client &&
            ss->client->live)
            move_ram(NULL, ss->client, ss->donated);
        if (ss->kind == HJ_SESS_SIBLING || ss->kind == HJ_SESS_CLOSING)
            session_end(ss);
    }
}

/* More donation for an open session: from the client to the server (or, for a
 * session at our parent, to our parent's side), then the server is told. */
static int do_upgrade(struct hj_slot *c, struct kide_rpc *rpc)
{
    struct kide_parent_upgrade_req req;
    hj_rpc_decode(rpc, &req, 2);
    struct hj_session *ss = session_of(req.handle, c);
    kide_u64 d = req.ram;
    if (rpc->in.bad || !ss || (ss->kind != HJ_SESS_SIBLING && ss->kind != HJ_SESS_PARENT))
        return KIDE_BAD_PARAM;
    if (!d)
        return KIDE_OK;
    int st;
    struct hj_slot *srv = ss->server;
    if ((st = move_ram(c, ss->kind == HJ_SESS_SIBLING ? srv : NULL, d)) != KIDE_OK)
        return st;
    /* The quota moved: account for it before the lock goes. */
    ss->donated += d;
    c->donated_out += d;
    if (ss->kind == HJ_SESS_SIBLING) {
        struct via v = {c, srv};
        struct kide_parent_chan ch = chan_via(&v, ss->srv_pt);
        struct kide_srv_upgrade_req up = {.id = ss->server_id, .ram = d};
        srv->donated_in += d;
        kide_srv_upgrade(&ch, &up); /* informational: the quota moved already */
        return KIDE_OK;
    }
    kide_u32 gen = ss->gen;
    struct via v = {c, NULL};
    struct kide_parent_chan ch = chan_via(&v, KIDE_COMP_SEL_PARENT);
    struct kide_parent_upgrade_req up = {.handle = ss->server_id, .ram = d};
    if ((st = kide_parent_upgrade(&ch, &up)) != KIDE_OK && ss->kind == HJ_SESS_PARENT &&
        ss->gen == gen && ss->client == c) {
        ss->donated -= d;
        c->donated_out -= d;
        move_ram(NULL, c, d);
    }
    return st;
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

static int do_alive(struct hj_slot *c, struct kide_rpc *rpc)
{
    (void)rpc;
    c->hb_alive_ns = kide_now_ns();
    c->hb_missed = 0;
    return KIDE_OK;
}

static int do_pending(struct hj_slot *c, struct kide_rpc *rpc)
{
    deliver_closes(c);       /* it asks on every signal, on its CPU */
    hj_pkg_start_pending(c); /* a store: the `pkg:` starts asked of it (pkgstart.c) */
    struct kide_parent_pending_rep rep = {.want = c->pending};
    kide_msg_put(&rpc->out, rep.want);
    c->pending &= ~KIDE_PARENT_WANT_HEARTBEAT;
    return KIDE_OK;
}

/* One function per operation of the parent interface, by op number. */
static int (*const parent_ops[])(struct hj_slot *c, struct kide_rpc *rpc) = {
        [KIDE_PARENT_OPEN] = do_open,
        [KIDE_PARENT_CLOSE] = do_close,
        [KIDE_PARENT_ANNOUNCE] = do_announce,
        [KIDE_PARENT_ALIVE] = do_alive,
        [KIDE_PARENT_PENDING] = do_pending,
        [KIDE_PARENT_UPGRADE] = do_upgrade,
        [KIDE_PARENT_CONFIG_PORTAL] = hj_live_register,
        [KIDE_PARENT_STATUS] = hj_live_status,
};

int hj_parent_call(struct kide_env *env, void *obj, struct kide_rpc *rpc)
{
    struct hj_slot *c = obj;
    int st = KIDE_BAD_PARAM;
    (void)env;
    kide_mutex_lock(&hj.lock);
    if (!c->live)
        st = KIDE_ABORTED; /* a call that raced with the child's end */
    else if (rpc->op < sizeof(parent_ops) / sizeof(parent_ops[0]) && parent_ops[rpc->op])
        st = parent_ops[rpc->op](c, rpc);
    kide_mutex_unlock(&hj.lock);
    return st;
}
