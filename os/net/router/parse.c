/* SPDX-License-Identifier: MIT */
/* rtr configuration document: uplink, habitats, forwards and allow rules into r->cand.
 *
 * The uplink and the habitats are checked as a whole: they decide every
 * address the router owns, so one bad habitat rejects the document. A
 * habitat keeps its slot (its port, its counters, its NAT port block) for as
 * long as its name stays; a new one takes a slot no habitat of the
 * configuration in effect uses, where there is one. Forwards and allow rules
 * are checked one by one against the candidate habitats and the items
 * accepted before them; each gets a verdict, and only accepted ones enter
 * the candidate. Verdicts come in document order, removals last.
 */
#include "config.h"

static const char *const top_keys[] = {"uplink",  "router_mac", "dns", "habitats",
                                       "forward", "allow",      NULL};
static const char *const uplink_keys[] = {"mac", "address", "gateway", NULL};
static const char *const hab_keys[] = {"name", "mac",     "address", "gateway",
                                       "dhcp", "nat_max", "queue",   NULL};
static const char *const fwd_keys[] = {"proto", "port", "to", "to_port", NULL};
static const char *const rule_keys[] = {"from", "to", "proto", "port", NULL};

/** The default MAC of the router's downlink ports: locally administered, "kide". */
static const u8 default_router_mac[6] = {0x02, 0x6b, 0x69, 0x64, 0x65, 0x00};

static void verdict(struct rtr_verdicts *v, const char *item, u32 change, const struct rtr_error *e)
{
    struct rtr_verdict *x;
    if (!v || v->n >= RTR_VERDICTS_MAX)
        return;
    x = &v->v[v->n++];
    memset(x, 0, sizeof(*x));
    snprintf(x->item, sizeof(x->item), "%s", item);
    x->change = (u8)change;
    x->applied = !e;
    if (e)
        x->err = *e;
}

static int want_type(struct cfg_ctx *c, int tok, int type, const char *what)
{
    if (kide_json_type(c->doc, tok) == type)
        return 0;
    return rtr_fail(c->err, "see docs/network.md, \"Configuration\"", "%snot %s", c->where, what);
}

static int need_u32(struct cfg_ctx *c, int obj, const char *key, u32 min, u32 max, u32 *out)
{
    int rc = rtr_get_u32(c, obj, key, min, max, out);
    if (rc == 0)
        return rtr_fail(c->err, "add it", "%s%s: missing", c->where, key);
    return rc < 0 ? -1 : 0;
}

static int slot_of(const struct rtr_config *cfg, const char *name)
{
    for (u32 s = 0; s < RTR_HABITATS_MAX; s++)
        if (cfg->hab[s].used && !strcmp(cfg->hab[s].name, name))
            return (int)s;
    return -1;
}

/* ---- uplink and habitats ------------------------------------------------------------ */

static int parse_uplink(struct cfg_ctx *c, int root, struct rtr_config *cand)
{
    int o = kide_json_find(c->doc, root, "uplink");
    struct rtr_uplink_cfg *u = &cand->uplink;
    u32 prefix = 0;
    snprintf(c->where, sizeof(c->where), "uplink: ");
    if (o < 0)
        return rtr_fail(c->err,
                        "add \"uplink\": {\"mac\", \"address\": \"a.b.c.d/p\", \"gateway\"}",
                        "uplink: missing");
    if (want_type(c, o, KIDE_JSON_OBJECT, "an object") < 0 ||
        rtr_keys_known(c, o, uplink_keys, "the uplink has mac, address and gateway") < 0 ||
        rtr_get_mac(c, o, "mac", u->mac, 1) < 0 ||
        rtr_get_addr(c, o, "address", &u->addr, &prefix, 1) < 0 ||
        rtr_get_addr(c, o, "gateway", &u->gateway, NULL, 1) < 0)
        return -1;
    u->prefix = (u8)prefix;
    return rtr_check_net(c, u->addr, prefix, u->gateway);
}

static int parse_hab(struct cfg_ctx *c, int o, u32 i, struct rtr_hab_cfg *h)
{
    u32 prefix = 0;
    int d;
    memset(h, 0, sizeof(*h));
    h->used = 1;
    h->nat_max = RTR_NAT_DEFAULT;
    h->queue = RTR_QUEUE_DEFAULT;
    snprintf(c->where, sizeof(c->where), "habitats[%u]: ", i);
    if (want_type(c, o, KIDE_JSON_OBJECT, "an object") < 0 ||
        rtr_get_str(c, o, "name", h->name, sizeof(h->name), 1) < 0)
        return -1;
    snprintf(c->where, sizeof(c->where), "habitats[%u] '%s': ", i, h->name);
    if (rtr_keys_known(c, o, hab_keys,
                       "a habitat has name, mac, address, gateway, dhcp, "
                       "nat_max and queue") < 0 ||
        rtr_get_mac(c, o, "mac", h->mac, 1) < 0 ||
        rtr_get_addr(c, o, "address", &h->addr, &prefix, 1) < 0 ||
        rtr_get_addr(c, o, "gateway", &h->gateway, NULL, 1) < 0 ||
        rtr_get_u32(c, o, "nat_max", 1, RTR_NAT_PER_HAB, &h->nat_max) < 0 ||
        rtr_get_u32(c, o, "queue", 1, RTR_QUEUE_MAX, &h->queue) < 0)
        return -1;
    d = kide_json_find(c->doc, o, "dhcp");
    if (d >= 0 && kide_json_get_bool(c->doc, d, &h->dhcp) < 0)
        return rtr_fail(c->err, "write true or false", "%sdhcp: not a boolean", c->where);
    h->prefix = (u8)prefix;
    return rtr_check_net(c, h->addr, prefix, h->gateway);
}

/* h against the uplink and the habitats parsed before it. */
static int check_hab(struct cfg_ctx *c, const struct rtr_config *cand, const struct rtr_hab_cfg *hs,
                     u32 n, const struct rtr_hab_cfg *h)
{
    const struct rtr_uplink_cfg *u = &cand->uplink;
    if (rtr_nets_overlap(h->addr, h->prefix, u->addr, u->prefix))
        return rtr_fail(c->err, "give the habitat a network apart from the uplink's",
                        "%saddress: overlaps the uplink's network", c->where);
    if (!memcmp(h->mac, cand->router_mac, 6))
        return rtr_fail(c->err, "give the habitat another MAC", "%smac: the router's own MAC",
                        c->where);
    for (u32 j = 0; j < n; j++) {
        if (!strcmp(hs[j].name, h->name))
            return rtr_fail(c->err, "give every habitat its own name",
                            "%sname: given twice (habitats[%u])", c->where, j);
        if (rtr_nets_overlap(h->addr, h->prefix, hs[j].addr, hs[j].prefix))
            return rtr_fail(c->err, "give every habitat a network of its own",
                            "%saddress: overlaps the network of habitat '%s'", c->where,
                            hs[j].name);
    }
    return 0;
}

/* Place the parsed habitats into slots: a known name keeps its slot. */
static void assign_slots(const struct rtr *r, struct rtr_config *cand, const struct rtr_hab_cfg *hs,
                         u32 n)
{
    int slot[RTR_HABITATS_MAX];
    for (u32 i = 0; i < n; i++)
        slot[i] = r->configured ? slot_of(&r->cfg, hs[i].name) : -1;
    for (u32 i = 0; i < n; i++) {
        for (int pass = 0; pass < 2 && slot[i] < 0; pass++)
            for (u32 s = 0; s < RTR_HABITATS_MAX && slot[i] < 0; s++) {
                _Bool taken = pass == 0 && r->configured && r->cfg.hab[s].used;
                for (u32 j = 0; j < n && !taken; j++)
                    taken = slot[j] == (int)s;
                if (!taken)
                    slot[i] = (int)s;
            }
        cand->hab[slot[i]] = hs[i];
    }
}

static int parse_habitats(struct rtr *r, struct cfg_ctx *c, int root)
{
    struct rtr_hab_cfg hs[RTR_HABITATS_MAX];
    int arr = kide_json_find(c->doc, root, "habitats");
    u32 n = 0;
    snprintf(c->where, sizeof(c->where), "habitats: ");
    if (arr < 0)
        return rtr_fail(c->err, "add \"habitats\": [ ... ] (it may be empty)", "habitats: missing");
    if (want_type(c, arr, KIDE_JSON_ARRAY, "an array") < 0)
        return -1;
    for (int el = kide_json_first(c->doc, arr); el >= 0; el = kide_json_next(c->doc, el), n++) {
        if (n == RTR_HABITATS_MAX)
            return rtr_fail(c->err, "split the habitats over more routers",
                            "habitats: more than %u", RTR_HABITATS_MAX);
        if (parse_hab(c, el, n, &hs[n]) < 0 || check_hab(c, &r->cand, hs, n, &hs[n]) < 0)
            return -1;
    }
    assign_slots(r, &r->cand, hs, n);
    return 0;
}

static int parse_head(struct rtr *r, struct cfg_ctx *c)
{
    snprintf(c->where, sizeof(c->where), "configuration: ");
    if (want_type(c, 0, KIDE_JSON_OBJECT, "a JSON object") < 0 ||
        rtr_keys_known(c, 0, top_keys,
                       "the router's configuration has uplink, router_mac, dns, "
                       "habitats, forward and allow") < 0)
        return -1;
    memcpy(r->cand.router_mac, default_router_mac, 6);
    snprintf(c->where, sizeof(c->where), "%s", "");
    if (rtr_get_mac(c, 0, "router_mac", r->cand.router_mac, 0) < 0 ||
        rtr_get_addr(c, 0, "dns", &r->cand.dns, NULL, 0) < 0)
        return -1;
    return parse_uplink(c, 0, &r->cand) < 0 || parse_habitats(r, c, 0) < 0 ? -1 : 0;
}

/* ---- forwards --------------------------------------------------------------------- */

static int parse_proto(struct cfg_ctx *c, int o, _Bool any_ok, u8 *proto)
{
    char s[8];
    int rc = rtr_get_str(c, o, "proto", s, sizeof(s), !any_ok);
    if (rc < 0)
        return -1;
    *proto = rc == 0 ? RTR_ANY : !strcmp(s, "tcp") ? RTR_TCP : !strcmp(s, "udp") ? RTR_UDP : 0xff;
    if (any_ok && rc > 0 && !strcmp(s, "icmp"))
        *proto = RTR_ICMP;
    if (any_ok && rc > 0 && !strcmp(s, "any"))
        *proto = RTR_ANY;
    if (*proto == 0xff)
        return rtr_fail(c->err, any_ok ? "write tcp, udp, icmp or any" : "write tcp or udp",
                        "%sproto: '%s' is not one the router knows", c->where, s);
    return 0;
}

static int hab_ref(struct cfg_ctx *c, int o, const char *key, const struct rtr_config *cand,
                   u8 *slot)
{
    char name[RTR_NAME_MAX + 1];
    int s;
    if (rtr_get_str(c, o, key, name, sizeof(name), 1) < 0)
        return -1;
    s = slot_of(cand, name);
    if (s < 0)
        return rtr_fail(c->err, "name a habitat of \"habitats\"", "%s%s: no habitat '%s'", c->where,
                        key, name);
    *slot = (u8)s;
    return 0;
}

static int parse_forward(struct cfg_ctx *c, int o, const struct rtr_config *cand,
                         struct rtr_forward_cfg *f)
{
    u32 port = 0, to_port = 0;
    if (want_type(c, o, KIDE_JSON_OBJECT, "an object") < 0 ||
        rtr_keys_known(c, o, fwd_keys, "a forward has proto, port, to and to_port") < 0 ||
        parse_proto(c, o, 0, &f->proto) < 0 || need_u32(c, o, "port", 1, 65535, &port) < 0)
        return -1;
    f->port = (u16)port;
    if (port >= RTR_NAT_PORT_BASE && port < RTR_NAT_PORT_END)
        return rtr_fail(c->err, "forward a port outside the NAT range (docs/network.md)",
                        "%sport: %u is in the NAT range %u-%u", c->where, port, RTR_NAT_PORT_BASE,
                        RTR_NAT_PORT_END - 1);
    if (hab_ref(c, o, "to", cand, &f->hab) < 0 || need_u32(c, o, "to_port", 1, 65535, &to_port) < 0)
        return -1;
    f->to_port = (u16)to_port;
    for (u32 i = 0; i < cand->nforward; i++) {
        const struct rtr_forward_cfg *g = &cand->forward[i];
        if (g->proto == f->proto && g->port == f->port)
            return rtr_fail(c->err, "forward each uplink port once", "%sport: forwarded twice",
                            c->where);
        if (g->proto == f->proto && g->hab == f->hab && g->to_port == f->to_port)
            return rtr_fail(c->err, "forward one uplink port to a habitat's port",
                            "%sto_port: %u of '%s' is forwarded to already", c->where, to_port,
                            cand->hab[f->hab].name);
    }
    return 0;
}

static const char *proto_name(u32 p)
{
    return p == RTR_TCP ? "tcp" : p == RTR_UDP ? "udp" : p == RTR_ICMP ? "icmp" : "any";
}

/* The verdict's change for forward f against the configuration in effect. */
static u32 fwd_change(const struct rtr *r, const struct rtr_forward_cfg *f)
{
    for (u32 i = 0; r->configured && i < r->cfg.nforward; i++) {
        const struct rtr_forward_cfg *g = &r->cfg.forward[i];
        if (g->proto == f->proto && g->port == f->port)
            return g->hab == f->hab && g->to_port == f->to_port &&
                                   !strcmp(r->cfg.hab[g->hab].name, r->cand.hab[f->hab].name)
                           ? RTR_UNCHANGED
                           : RTR_CHANGED;
    }
    return RTR_ADDED;
}

/* The items of an update: verdicts, rejections and which old items it names. */
struct items {
    struct rtr_verdicts *v;  /**< where verdicts go (may be NULL) */
    u32 *rejected;           /**< rejected items so far */
    struct rtr_error *first; /**< the first rejection's error (may be NULL) */
    _Bool seen[RTR_FORWARDS_MAX > RTR_RULES_MAX ? RTR_FORWARDS_MAX : RTR_RULES_MAX];
    /**< old items the document names */
};

static void reject(struct items *it, const char *item, u32 change, const struct rtr_error *e)
{
    if (it->first && *it->rejected == 0)
        *it->first = *e;
    (*it->rejected)++;
    verdict(it->v, item, change, e);
}

/* A rejected forward replaces nothing: the one in effect for the same uplink port stays,
 * if its habitat does and no forward accepted before it took its ports. */
static void keep_forward(struct rtr *r, struct items *it, const struct rtr_forward_cfg *f)
{
    struct rtr_verdict *x = it->v && it->v->n ? &it->v->v[it->v->n - 1] : NULL;
    const struct rtr_forward_cfg *g = NULL;
    for (u32 i = 0; f->port && r->configured && i < r->cfg.nforward && !g; i++)
        if (r->cfg.forward[i].proto == f->proto && r->cfg.forward[i].port == f->port)
            g = &r->cfg.forward[i];
    if (!g)
        return;
    if (x)
        x->change = RTR_CHANGED;
    if (!r->cand.hab[g->hab].used || strcmp(r->cand.hab[g->hab].name, r->cfg.hab[g->hab].name))
        return;
    for (u32 i = 0; i < r->cand.nforward; i++) {
        const struct rtr_forward_cfg *c = &r->cand.forward[i];
        if (c->proto == g->proto &&
            (c->port == g->port || (c->hab == g->hab && c->to_port == g->to_port)))
            return;
    }
    r->cand.forward[r->cand.nforward++] = *g;
    if (x)
        x->kept = 1;
}

static void parse_forwards(struct rtr *r, struct cfg_ctx *c, int arr, struct items *it)
{
    u32 i = 0;
    for (int el = kide_json_first(c->doc, arr); el >= 0; el = kide_json_next(c->doc, el), i++) {
        struct rtr_forward_cfg f = {0};
        struct rtr_error e;
        char item[96];
        int rc;
        c->err = &e;
        snprintf(c->where, sizeof(c->where), "forward[%u]: ", i);
        rc = parse_forward(c, el, &r->cand, &f);
        if (f.port)
            snprintf(item, sizeof(item), "forward %s/%u", proto_name(f.proto), f.port);
        else
            snprintf(item, sizeof(item), "forward[%u]", i);
        for (u32 j = 0; r->configured && j < r->cfg.nforward; j++)
            if (f.port && r->cfg.forward[j].proto == f.proto && r->cfg.forward[j].port == f.port)
                it->seen[j] = 1;
        if (rc < 0) {
            reject(it, item, RTR_ADDED, &e);
            keep_forward(r, it, &f);
            continue;
        }
        verdict(it->v, item, fwd_change(r, &f), NULL);
        r->cand.forward[r->cand.nforward++] = f;
    }
}

/* ---- allow rules -------------------------------------------------------------------- */

static int parse_rule(struct cfg_ctx *c, int o, const struct rtr_config *cand,
                      struct rtr_rule_cfg *ru)
{
    u32 port = 0;
    if (want_type(c, o, KIDE_JSON_OBJECT, "an object") < 0 ||
        rtr_keys_known(c, o, rule_keys, "an allow rule has from, to, proto and port") < 0 ||
        hab_ref(c, o, "from", cand, &ru->from) < 0 || hab_ref(c, o, "to", cand, &ru->to) < 0 ||
        parse_proto(c, o, 1, &ru->proto) < 0 || rtr_get_u32(c, o, "port", 1, 65535, &port) < 0)
        return -1;
    ru->port = (u16)port;
    if (ru->from == ru->to)
        return rtr_fail(c->err, "a habitat reaches itself without a rule", "%sto: same as from",
                        c->where);
    if (port && ru->proto != RTR_TCP && ru->proto != RTR_UDP)
        return rtr_fail(c->err, "give a port with proto tcp or udp only",
                        "%sport: only TCP and UDP have ports", c->where);
    for (u32 i = 0; i < cand->nrule; i++)
        if (rtr_rule_eq(&cand->rule[i], ru))
            return rtr_fail(c->err, "give each rule once", "%srule given twice", c->where);
    return 0;
}

static _Bool rule_in(const struct rtr_config *cfg, const struct rtr_config *names,
                     const struct rtr_rule_cfg *ru, u32 *at)
{
    for (u32 i = 0; i < cfg->nrule; i++) {
        const struct rtr_rule_cfg *q = &cfg->rule[i];
        if (q->proto == ru->proto && q->port == ru->port &&
            !strcmp(cfg->hab[q->from].name, names->hab[ru->from].name) &&
            !strcmp(cfg->hab[q->to].name, names->hab[ru->to].name)) {
            *at = i;
            return 1;
        }
    }
    return 0;
}

static void parse_rules(struct rtr *r, struct cfg_ctx *c, int arr, struct items *it)
{
    u32 i = 0, at;
    for (int el = kide_json_first(c->doc, arr); el >= 0; el = kide_json_next(c->doc, el), i++) {
        struct rtr_rule_cfg ru = {0};
        struct rtr_error e;
        char item[96];
        _Bool old;
        int rc;
        c->err = &e;
        snprintf(c->where, sizeof(c->where), "allow[%u]: ", i);
        rc = parse_rule(c, el, &r->cand, &ru);
        old = rc == 0 && r->configured && rule_in(&r->cfg, &r->cand, &ru, &at);
        if (old)
            it->seen[at] = 1;
        if (rc < 0) {
            snprintf(item, sizeof(item), "allow[%u]", i);
            reject(it, item, RTR_ADDED, &e);
            continue;
        }
        snprintf(item, sizeof(item), "allow %s -> %s %s/%u", r->cand.hab[ru.from].name,
                 r->cand.hab[ru.to].name, proto_name(ru.proto), ru.port);
        verdict(it->v, item, old ? RTR_UNCHANGED : RTR_ADDED, NULL);
        r->cand.rule[r->cand.nrule++] = ru;
    }
}

/* ---- the document ---------------------------------------------------------------------- */

/* The verdicts on the router's own addresses and the habitats: all applied. */
static void hab_verdicts(const struct rtr *r, struct rtr_verdicts *v)
{
    const struct rtr_config *o = &r->cfg, *n = &r->cand;
    char item[96];
    _Bool same = r->configured && rtr_uplink_eq(&o->uplink, &n->uplink) &&
                 !memcmp(o->router_mac, n->router_mac, 6) && o->dns == n->dns;
    verdict(v, "router", !r->configured ? RTR_ADDED : same ? RTR_UNCHANGED : RTR_CHANGED, NULL);
    for (u32 s = 0; s < RTR_HABITATS_MAX; s++) {
        _Bool had = r->configured && o->hab[s].used && !strcmp(o->hab[s].name, n->hab[s].name);
        if (!n->hab[s].used)
            continue;
        snprintf(item, sizeof(item), "habitat '%s'", n->hab[s].name);
        verdict(v, item,
                !had                                 ? RTR_ADDED
                : rtr_hab_eq(&o->hab[s], &n->hab[s]) ? RTR_UNCHANGED
                                                     : RTR_CHANGED,
                NULL);
    }
}

/* Removal verdicts: items of the configuration in effect the document no longer has. */
static void removed(const struct rtr *r, struct rtr_verdicts *v, const _Bool *seen, int kind)
{
    char item[96];
    u32 n = !r->configured ? 0
            : kind == 0    ? RTR_HABITATS_MAX
            : kind == 1    ? r->cfg.nforward
                           : r->cfg.nrule;
    for (u32 i = 0; i < n; i++) {
        if (kind == 0 && r->cfg.hab[i].used && slot_of(&r->cand, r->cfg.hab[i].name) < 0) {
            snprintf(item, sizeof(item), "habitat '%s'", r->cfg.hab[i].name);
        } else if (kind == 1 && !seen[i]) {
            snprintf(item, sizeof(item), "forward %s/%u", proto_name(r->cfg.forward[i].proto),
                     r->cfg.forward[i].port);
        } else if (kind == 2 && !seen[i]) {
            const struct rtr_rule_cfg *q = &r->cfg.rule[i];
            snprintf(item, sizeof(item), "allow %s -> %s %s/%u", r->cfg.hab[q->from].name,
                     r->cfg.hab[q->to].name, proto_name(q->proto), q->port);
        } else {
            continue;
        }
        verdict(v, item, RTR_REMOVED, NULL);
    }
}

/* The array member key of the root: its token, -1 when absent, -2 after an error. */
static int item_array(struct cfg_ctx *c, const char *key, u32 max)
{
    int arr = kide_json_find(c->doc, 0, key);
    snprintf(c->where, sizeof(c->where), "%s: ", key);
    if (arr < 0)
        return -1;
    if (want_type(c, arr, KIDE_JSON_ARRAY, "an array") < 0)
        return -2;
    if (c->doc->tok[arr].count > max) {
        rtr_fail(c->err, "drop some, or split the habitats over more routers", "%s: more than %u",
                 key, max);
        return -2;
    }
    return arr;
}

int rtr_parse(struct rtr *r, const char *json, u32 len, struct rtr_verdicts *v, u32 *rejected,
              struct rtr_error *err, struct rtr_error *first)
{
    struct kide_json_doc doc;
    struct kide_json_error je;
    struct cfg_ctx c = {&doc, err, ""};
    struct items it = {v, rejected, first, {0}};
    int fwd, allow;
    *rejected = 0;
    if (v)
        v->n = 0;
    memset(&r->cand, 0, sizeof(r->cand));
    if (len > RTR_CONFIG_MAX)
        return rtr_fail(err, "shorten the configuration", "configuration: %u bytes, more than %u",
                        len, RTR_CONFIG_MAX);
    if (kide_json_parse(&doc, json, len, r->tok, RTR_TOKENS_MAX, NULL, &je) < 0) {
        char where[96];
        kide_json_error_format(&je, where, sizeof(where));
        return rtr_fail(err, "fix the JSON at that place", "configuration: %s", where);
    }
    if (parse_head(r, &c) < 0 || (fwd = item_array(&c, "forward", RTR_FORWARDS_MAX)) < -1 ||
        (allow = item_array(&c, "allow", RTR_RULES_MAX)) < -1)
        return -1;
    hab_verdicts(r, v);
    if (fwd >= 0)
        parse_forwards(r, &c, fwd, &it);
    removed(r, v, it.seen, 1);
    memset(it.seen, 0, sizeof(it.seen));
    if (allow >= 0)
        parse_rules(r, &c, allow, &it);
    removed(r, v, it.seen, 2);
    removed(r, v, it.seen, 0);
    return 0;
}
