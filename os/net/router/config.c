/* SPDX-License-Identifier: MIT */
/* rtr configuration: parse and validate the router's JSON, build the candidate configuration.
 *
 * The document (docs/network.md, "Configuration") is parsed with the bounded
 * parser of os/lib/json into r->tok and checked into r->cand: first the uplink
 * and the habitats, as a whole (a problem there rejects the document), then
 * every forward and allow rule on its own, each with a verdict. Every message
 * names the item and the field ("habitats[1] 'b': address: ...") and comes
 * with a hint that says what to write instead. update.c compares the
 * candidate with the configuration in effect and applies it.
 *
 * Cost: linear in the document, plus O(habitats^2 + forwards^2 + rules^2)
 * duplicate and overlap checks, all bounded by the RTR_*_MAX limits.
 */
#include "config.h"

int rtr_fail(struct rtr_error *err, const char *hint, const char *fmt, ...)
{
    __builtin_va_list ap;
    __builtin_va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    __builtin_va_end(ap);
    snprintf(err->hint, sizeof(err->hint), "%s", hint);
    /* Nothing from the document may forge a line of a console or a log. */
    for (char *s = err->msg; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
            *s = '?';
    return -1;
}

/* ---- field syntax ------------------------------------------------------------------ */

/* A decimal number of at most 3 digits without leading zero, up to max. */
static const char *dec(const char *s, u32 max, u32 *out)
{
    u32 v = 0, n = 0;
    while (*s >= '0' && *s <= '9' && n < 4) {
        v = v * 10 + (u32)(*s++ - '0');
        n++;
    }
    if (n == 0 || n > 3 || v > max || (n > 1 && s[-(int)n] == '0'))
        return NULL;
    *out = v;
    return s;
}

int rtr_parse_ip(const char *s, u32 *addr, u32 *prefix)
{
    u32 v = 0, b;
    for (int i = 0; i < 4; i++) {
        s = dec(s, 255, &b);
        if (!s || (i < 3 && *s++ != '.'))
            return -1;
        v = v << 8 | b;
    }
    *addr = v;
    if (!prefix)
        return *s ? -1 : 0;
    if (*s++ != '/')
        return -1;
    s = dec(s, 32, prefix);
    return s && !*s ? 0 : -1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int rtr_parse_mac(const char *s, u8 *mac)
{
    for (int i = 0; i < 6; i++) {
        int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);
        if (lo < 0 || (i < 5 && s[2] != ':') || (i == 5 && s[2]))
            return -1;
        mac[i] = (u8)(hi << 4 | lo);
        s += 3;
    }
    return 0;
}

/* ---- document access ------------------------------------------------------------- */

int rtr_keys_known(struct cfg_ctx *c, int obj, const char *const *keys, const char *hint)
{
    for (int k = kide_json_first(c->doc, obj); k >= 0; k = kide_json_next(c->doc, k)) {
        _Bool ok = 0;
        for (const char *const *p = keys; *p && !ok; p++)
            ok = kide_json_str_eq(c->doc, k, *p);
        if (!ok) {
            char name[40];
            if (kide_json_get_string(c->doc, k, name, sizeof(name)) < 0)
                snprintf(name, sizeof(name), "(long)");
            return rtr_fail(c->err, hint, "%sunknown field '%s'", c->where, name);
        }
    }
    return 0;
}

int rtr_get_str(struct cfg_ctx *c, int obj, const char *key, char *out, u32 size, _Bool need)
{
    int v = kide_json_find(c->doc, obj, key);
    out[0] = 0;
    if (v < 0 && !need)
        return 0;
    if (v < 0)
        return rtr_fail(c->err, "add it", "%s%s: missing", c->where, key);
    if (kide_json_type(c->doc, v) != KIDE_JSON_STRING)
        return rtr_fail(c->err, "write it as a JSON string", "%s%s: not a string", c->where, key);
    if (kide_json_get_string(c->doc, v, out, size) < 0 || strlen(out) == 0)
        return rtr_fail(c->err, "see docs/network.md for its form", "%s%s: empty or too long",
                        c->where, key);
    return 1;
}

int rtr_get_u32(struct cfg_ctx *c, int obj, const char *key, u32 min, u32 max, u32 *out)
{
    int v = kide_json_find(c->doc, obj, key);
    u64 x;
    char hint[64];
    if (v < 0)
        return 0;
    snprintf(hint, sizeof(hint), "give an integer from %u to %u", min, max);
    if (kide_json_get_u64(c->doc, v, &x) < 0 || x < min || x > max)
        return rtr_fail(c->err, hint, "%s%s: not an integer from %u to %u", c->where, key, min,
                        max);
    *out = (u32)x;
    return 1;
}

int rtr_get_addr(struct cfg_ctx *c, int obj, const char *key, u32 *addr, u32 *prefix, _Bool need)
{
    char s[24];
    int rc = rtr_get_str(c, obj, key, s, sizeof(s), need);
    if (rc <= 0)
        return rc;
    if (rtr_parse_ip(s, addr, prefix) < 0)
        return rtr_fail(c->err,
                        prefix ? "write address/prefix, e.g. 10.1.0.2/24"
                               : "write a dotted IPv4 address, e.g. 10.1.0.1",
                        "%s%s: '%s' is not %s", c->where, key, s,
                        prefix ? "an IPv4 address with a prefix" : "an IPv4 address");
    return 1;
}

int rtr_get_mac(struct cfg_ctx *c, int obj, const char *key, u8 *mac, _Bool need)
{
    char s[24];
    int rc = rtr_get_str(c, obj, key, s, sizeof(s), need);
    if (rc <= 0)
        return rc;
    if (rtr_parse_mac(s, mac) < 0 || (mac[0] & 1))
        return rtr_fail(c->err, "write six hex bytes, e.g. 02:00:00:00:00:0a (a unicast MAC)",
                        "%s%s: '%s' is not a unicast MAC address", c->where, key, s);
    return 1;
}

/* ---- networks ---------------------------------------------------------------------- */

int rtr_check_host(struct cfg_ctx *c, const char *key, u32 addr, u32 net, u32 prefix)
{
    u32 m = rtr_mask(prefix);
    char hint[96];
    snprintf(hint, sizeof(hint), "give a host address inside %u.%u.%u.%u/%u", (net & m) >> 24,
             (net & m) >> 16 & 255, (net & m) >> 8 & 255, net & m & 255, prefix);
    if (!rtr_in_net(addr, net, prefix))
        return rtr_fail(c->err, hint, "%s%s: not inside the network", c->where, key);
    if ((addr & ~m) == 0 || (addr & ~m) == ~m)
        return rtr_fail(c->err, hint, "%s%s: the network's own or broadcast address", c->where,
                        key);
    return 0;
}

/* Whether an address is one a network may use: not 0/8, loopback, multicast or above. */
static _Bool usable(u32 a)
{
    return a >> 24 != 0 && a >> 24 != 127 && a >> 28 < 0xe;
}

int rtr_check_net(struct cfg_ctx *c, u32 addr, u32 prefix, u32 gw)
{
    if (prefix < 8 || prefix > 30)
        return rtr_fail(c->err, "use a prefix from /8 to /30, e.g. /24",
                        "%saddress: prefix /%u out of range", c->where, prefix);
    if (!usable(addr))
        return rtr_fail(c->err, "use a private network, e.g. 10.1.0.2/24",
                        "%saddress: not a unicast address", c->where);
    if (rtr_check_host(c, "address", addr, addr, prefix) < 0 ||
        rtr_check_host(c, "gateway", gw, addr, prefix) < 0)
        return -1;
    if (gw == addr)
        return rtr_fail(c->err, "give the router another address of the network",
                        "%sgateway: same as address", c->where);
    return 0;
}

/* Whether two networks overlap. */
_Bool rtr_nets_overlap(u32 a, u32 pa, u32 b, u32 pb)
{
    u32 p = pa < pb ? pa : pb;
    return rtr_in_net(a, b, p);
}

/* ---- equality ---------------------------------------------------------------------- */

_Bool rtr_uplink_eq(const struct rtr_uplink_cfg *a, const struct rtr_uplink_cfg *b)
{
    return !memcmp(a->mac, b->mac, 6) && a->addr == b->addr && a->prefix == b->prefix &&
           a->gateway == b->gateway;
}

_Bool rtr_hab_eq(const struct rtr_hab_cfg *a, const struct rtr_hab_cfg *b)
{
    return a->used == b->used && !strcmp(a->name, b->name) && !memcmp(a->mac, b->mac, 6) &&
           a->addr == b->addr && a->prefix == b->prefix && a->gateway == b->gateway &&
           a->dhcp == b->dhcp && a->nat_max == b->nat_max && a->queue == b->queue;
}

_Bool rtr_fwd_eq(const struct rtr_forward_cfg *a, const struct rtr_forward_cfg *b)
{
    return a->proto == b->proto && a->port == b->port && a->hab == b->hab &&
           a->to_port == b->to_port;
}

_Bool rtr_rule_eq(const struct rtr_rule_cfg *a, const struct rtr_rule_cfg *b)
{
    return a->from == b->from && a->to == b->to && a->proto == b->proto && a->port == b->port;
}
