/* SPDX-License-Identifier: MIT */
/* ops_install.c: `install` (docs/kuori-agent.md, "Installing packages").
 *
 * The order is the point: the pkg archive is fetched and verified against the
 * habitat's keys before anything of it is read; the bin archive it lists the
 * same way before its program reaches the store; only a stored program is
 * started. The child the agent writes gets the runtime's quotas, a route of
 * `Pkg` to the agent (whose store holds the program) and, for each service
 * the runtime requires, a route to the sibling that provides it or to the
 * parent when the habitat already routes it there; any other requirement is
 * left unrouted, so hoitaja denies it (the reply lists them as `denied`).
 * The install runs in the agent's one thread: other clients wait until it
 * is over, which the installer bounds (a deadline on every fetch).
 */
#include "install.h"
#include "reply.h"

static void hex(const kide_u8 in[32], char out[65])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[64] = 0;
}

static void install_error(struct kagent_conn *c, kide_u64 id, int st, const char *what,
                          const char *why)
{
    static const enum kagent_err code[] = {
            [KINST_UNREACHABLE] = KERR_UNAVAILABLE, [KINST_NOTFOUND] = KERR_NOT_FOUND,
            [KINST_TOOBIG] = KERR_TOO_LARGE,        [KINST_REFUSED] = KERR_REJECTED,
            [KINST_QUOTA] = KERR_UNAVAILABLE,       [KINST_ERROR] = KERR_INTERNAL,
    };
    char msg[512];
    enum kagent_err e = st > 0 && st <= KINST_ERROR ? code[st] : KERR_INTERNAL;
    snprintf(msg, sizeof msg, "install: %s: %s%s", what, st == KINST_QUOTA ? "quota: " : "", why);
    kagent_reply_error(c, id, e, msg);
}

/* Whether array `arr` of d holds the string s. */
static int has_string(const struct kide_json_doc *d, int arr, const char *s)
{
    for (int k = kide_json_first(d, arr); k >= 0; k = kide_json_next(d, k))
        if (kide_json_str_eq(d, k, s))
            return 1;
    return 0;
}

/* Where service goes in the habitat whose configuration is d: the name of the
 * sibling providing it (into child), 1 for the parent (a child already routes
 * it there), 0 for nowhere. The new child itself (name) does not count. */
static int route_of(const struct kide_json_doc *d, const char *service, const char *name,
                    char *child, __SIZE_TYPE__ cap)
{
    int children = kide_json_find(d, 0, "children"), parent = 0;
    for (int ch = kide_json_first(d, children); ch >= 0; ch = kide_json_next(d, ch)) {
        if (kide_json_type(d, ch) != KIDE_JSON_OBJECT ||
            kide_json_str_eq(d, kide_json_find(d, ch, "name"), name))
            continue;
        if (has_string(d, kide_json_find(d, ch, "provides"), service) &&
            kide_json_get_string(d, kide_json_find(d, ch, "name"), child, cap) > 0)
            return 2;
        int routes = kide_json_find(d, ch, "routes");
        for (int r = kide_json_first(d, routes); r >= 0; r = kide_json_next(d, r))
            if (kide_json_str_eq(d, kide_json_find(d, r, "service"), service) &&
                kide_json_str_eq(d, kide_json_find(d, r, "to"), "parent"))
                parent = 1;
    }
    return parent;
}

static void route(struct kide_json_writer *w, const char *service, const char *child)
{
    kide_json_begin_object(w);
    kide_json_member_string(w, "service", service);
    kide_json_member_string(w, "to", child ? "child" : "parent");
    if (child)
        kide_json_member_string(w, "child", child);
    kide_json_end_object(w);
}

/* The partial configuration adding (or replacing) child n->name, into a->change.
 * denied gets the requirements left unrouted. Returns its length or -1. */
static long write_child(struct kagent *a, const struct kide_json_doc *cfg,
                        const struct kinst_name *n, const struct kinst_pkg *p,
                        int denied[KINST_REQUIRES_MAX])
{
    struct kide_json_writer w;
    char binary[KINST_PATH_MAX], child[KAGENT_NAME_MAX + 1];
    snprintf(binary, sizeof binary, "pkg:%s/%s/%s", n->user, n->name, n->version);
    kide_json_writer_init(&w, a->change, sizeof a->change);
    kide_json_begin_object(&w);
    kide_json_key(&w, "children");
    kide_json_begin_array(&w);
    kide_json_begin_object(&w);
    kide_json_member_string(&w, "name", n->name);
    kide_json_member_string(&w, "binary", binary);
    kide_json_member_u64(&w, "ram", p->ram);
    kide_json_member_u64(&w, "caps", p->caps);
    kide_json_member_object(&w, "cpu");
    kide_json_member_u64(&w, "quota", p->cpu);
    kide_json_end_object(&w);
    kide_json_key(&w, "routes");
    kide_json_begin_array(&w);
    route(&w, "Pkg", a->self);
    for (unsigned i = 0; i < p->nrequires; i++) {
        int where = route_of(cfg, p->requires[i], n -> name, child, sizeof child);
        denied[i] = where == 0 || !strcmp(p->requires[i], "Pkg");
        if (!denied[i])
            route(&w, p->requires[i], where == 2 ? child : 0);
    }
    kide_json_end_array(&w);
    kide_json_end_object(&w);
    kide_json_end_array(&w);
    kide_json_end_object(&w);
    return kide_json_writer_finish(&w);
}

/* The verdict for child name in hoitaja's apply result, else its status. */
static void verdict_of(const struct kide_json_doc *d, const char *name, char *out,
                       __SIZE_TYPE__ cap)
{
    int results = kide_json_find(d, 0, "results");
    for (int r = kide_json_first(d, results); r >= 0; r = kide_json_next(d, r))
        if (kide_json_str_eq(d, kide_json_find(d, r, "child"), name) &&
            kide_json_get_string(d, kide_json_find(d, r, "result"), out, cap) > 0)
            return;
    if (kide_json_get_string(d, kide_json_find(d, 0, "status"), out, cap) <= 0)
        snprintf(out, cap, "applied");
}

static void reply(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r,
                  const kide_u8 sha[32], const char *component, const char *verdict,
                  const struct kide_json_doc *result, const struct kinst_pkg *p, const int *denied)
{
    struct kide_json_writer w;
    char sum[65];
    hex(sha, sum);
    kr_begin(a, &w, r->id);
    kide_json_member_string(&w, "package", r->package);
    kide_json_member_string(&w, "sha256", sum);
    kide_json_key(&w, "component");
    if (component)
        kide_json_string(&w, component);
    else
        kide_json_null(&w);
    kide_json_member_string(&w, "result", verdict);
    if (denied) {
        kide_json_key(&w, "denied");
        kide_json_begin_array(&w);
        for (unsigned i = 0; i < p->nrequires; i++)
            if (denied[i])
                kide_json_string(&w, p->requires[i]);
        kide_json_end_array(&w);
    }
    if (result) {
        kide_json_key(&w, "apply");
        kide_json_value(&w, result, 0);
    }
    kr_end(a, c, &w, r->id);
}

/* Apply a->change[0..len) at the generation after gen and reply. */
static void start(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r,
                  const struct kinst_name *n, const struct kinst_pkg *p, const kide_u8 sha[32],
                  long len, kide_u64 gen, const int *denied)
{
    __SIZE_TYPE__ rlen = 0;
    struct kide_json_doc d;
    char verdict[400], msg[512];
    if (a->apply_busy) {
        kagent_reply_error(c, r->id, KERR_BUSY,
                           "install: stored; another apply is under way: "
                           "install again to start it");
        return;
    }
    a->apply_busy = 1;
    int st = a->be->apply(a->be->ctx, a->change, (__SIZE_TYPE__)len, gen + 1, 1, a->result,
                          sizeof a->result, &rlen);
    a->apply_busy = 0;
    if (st == KAGENT_B_STALE) {
        snprintf(msg, sizeof msg,
                 "install: stored, not started: the configuration changed while installing "
                 "(generation %lu): install again to start it",
                 (unsigned long)gen);
        kagent_reply_error(c, r->id, KERR_STALE, msg);
        return;
    }
    if (st == KAGENT_B_INVALID) {
        const char *text = a->result;
        if (kr_parse(a, a->result, rlen, &d) == 0 &&
            kide_json_get_string(&d, kide_json_find(&d, 0, "status"), verdict, sizeof verdict) > 0)
            text = verdict;
        snprintf(msg, sizeof msg, "install: stored, not started: %.470s", text);
        kagent_reply_error(c, r->id, KERR_REJECTED, msg);
        return;
    }
    if (st != KAGENT_B_OK) {
        kr_backend_error(a, c, r->id, st, "install: stored, but the apply starting it failed");
        return;
    }
    if (kr_parse(a, a->result, rlen, &d) < 0 || kide_json_type(&d, 0) != KIDE_JSON_OBJECT) {
        kagent_reply_error(c, r->id, KERR_INTERNAL, "hoitaja's apply result is not a JSON object");
        return;
    }
    verdict_of(&d, n->name, verdict, sizeof verdict);
    reply(a, c, r, sha, n->name, verdict, &d, p, denied);
}

void kop_install(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r)
{
    static struct kinst_pkg p; /* one thread; 4 KiB is too much for the stack */
    struct kinst_registry reg;
    struct kinst_name n;
    struct kide_json_doc cfg;
    char err[400], path[KINST_PATH_MAX], bin[KINST_PATH_MAX], store_name[KINST_PATH_MAX];
    kide_u8 sha[32];
    int denied[KINST_REQUIRES_MAX] = {0};
    if (kinst_name_parse(r->package, &n, err, sizeof err) < 0 ||
        kinst_registry_parse(r->registry, &reg, err, sizeof err) < 0) {
        kagent_reply_error(c, r->id, KERR_BAD_REQUEST, err);
        return;
    }
    if (!a->inst) {
        kagent_reply_error(c, r->id, KERR_UNAVAILABLE,
                           "install: this agent has no package store (give it `keys` in its "
                           "config and `provides: [Pkg]`)");
        return;
    }
    memset(&p, 0, sizeof p);
    snprintf(path, sizeof path, "%s/pkg/%s/%s", n.user, n.name, n.version);
    int st = a->inst->pkg(a->inst->ctx, &reg, path, &p, err, sizeof err);
    if (st != KINST_OK) {
        install_error(c, r->id, st, path, err);
        return;
    }
    p.archives[sizeof p.archives - 1] = 0;
    if (kinst_pick_bin(p.archives, &n, bin, sizeof bin) < 0) {
        snprintf(err, sizeof err,
                 "its `archives` lists no %s/bin/x86_64/%s/%s: export it with goa (a pkg "
                 "without its own bin archive has nothing to run)",
                 n.user, n.name, n.version);
        install_error(c, r->id, KINST_REFUSED, path, err);
        return;
    }
    snprintf(store_name, sizeof store_name, "%s/%s/%s", n.user, n.name, n.version);
    memset(sha, 0, sizeof sha);
    st = a->inst->bin(a->inst->ctx, &reg, bin, p.binary, store_name, sha, err, sizeof err);
    if (st != KINST_OK) {
        install_error(c, r->id, st, bin, err);
        return;
    }
    if (!r->start) {
        reply(a, c, r, sha, 0, "installed", 0, &p, 0);
        return;
    }
    /* The configuration in force: where the runtime's requirements go, and its generation. */
    __SIZE_TYPE__ len = 0;
    kide_u64 gen = 0;
    st = a->be->config(a->be->ctx, a->config, sizeof a->config, &len, &gen);
    if (st != KAGENT_B_OK) {
        kr_backend_error(a, c, r->id, st, "install: stored, but the configuration is unreadable");
        return;
    }
    if (kr_parse(a, a->config, len, &cfg) < 0) {
        kagent_reply_error(c, r->id, KERR_INTERNAL, "hoitaja's configuration is not valid JSON");
        return;
    }
    long n_change = write_child(a, &cfg, &n, &p, denied);
    if (n_change < 0) {
        kagent_reply_error(c, r->id, KERR_INTERNAL, "install: the child does not fit 64 KiB");
        return;
    }
    start(a, c, r, &n, &p, sha, n_change, gen, denied);
}
