/* SPDX-License-Identifier: MIT */
/* rtr configuration internals: the parse context and the field helpers config.c gives parse.c.
 *
 * Every helper reports through struct cfg_ctx: on a problem it fills
 * c->err with "<where><field>: <what>" and a hint and returns -1; a field
 * that is absent and not needed returns 0, one that was read returns 1.
 */
#ifndef KIDE_NET_ROUTER_CONFIG_H
#define KIDE_NET_ROUTER_CONFIG_H

#include "rtr_internal.h"

/** Where the parser is and where its errors go. */
struct cfg_ctx {
    const struct kide_json_doc *doc; /**< the document */
    struct rtr_error *err;           /**< the error being reported */
    char where[96];                  /**< the item, "habitats[1] 'b': ", or "" */
};

/** Parse a dotted IPv4 address, with "/prefix" when prefix is not NULL. 0 or -1. */
int rtr_parse_ip(const char *s, u32 *addr, u32 *prefix);
/** Parse "xx:xx:xx:xx:xx:xx". 0 or -1. */
int rtr_parse_mac(const char *s, u8 *mac);
/** Fail on a key of object obj not in the NULL-terminated keys. */
int rtr_keys_known(struct cfg_ctx *c, int obj, const char *const *keys, const char *hint);
/** String member key of obj into out (non-empty, fits). */
int rtr_get_str(struct cfg_ctx *c, int obj, const char *key, char *out, u32 size, _Bool need);
/** Integer member key of obj in [min, max]; absent leaves *out alone. */
int rtr_get_u32(struct cfg_ctx *c, int obj, const char *key, u32 min, u32 max, u32 *out);
/** Address member ("a.b.c.d", or "a.b.c.d/p" when prefix is not NULL). */
int rtr_get_addr(struct cfg_ctx *c, int obj, const char *key, u32 *addr, u32 *prefix, _Bool need);
/** MAC member (unicast). */
int rtr_get_mac(struct cfg_ctx *c, int obj, const char *key, u8 *mac, _Bool need);
/** addr is a host address of net/prefix (not the network's or broadcast address). */
int rtr_check_host(struct cfg_ctx *c, const char *key, u32 addr, u32 net, u32 prefix);
/** A network of address addr/prefix with the router's gateway gw is well formed. */
int rtr_check_net(struct cfg_ctx *c, u32 addr, u32 prefix, u32 gw);
/** Whether networks a/pa and b/pb overlap. */
_Bool rtr_nets_overlap(u32 a, u32 pa, u32 b, u32 pb);

/* Field-by-field equality (memcmp would compare padding). */
/** Whether two uplink configurations are the same. */
_Bool rtr_uplink_eq(const struct rtr_uplink_cfg *a, const struct rtr_uplink_cfg *b);
/** Whether two habitat configurations are the same. */
_Bool rtr_hab_eq(const struct rtr_hab_cfg *a, const struct rtr_hab_cfg *b);
/** Whether two forwards are the same (habitats by slot). */
_Bool rtr_fwd_eq(const struct rtr_forward_cfg *a, const struct rtr_forward_cfg *b);
/** Whether two allow rules are the same (habitats by slot). */
_Bool rtr_rule_eq(const struct rtr_rule_cfg *a, const struct rtr_rule_cfg *b);

/** Parse the document into r->cand: uplink and habitats (as a whole); forwards and rules with
 *  a verdict each (v may be NULL). Returns 0, or -1 with *err when the document is rejected;
 *  *rejected counts rejected items and *first (if not NULL) gets the first one's error. */
int rtr_parse(struct rtr *r, const char *json, u32 len, struct rtr_verdicts *v, u32 *rejected,
              struct rtr_error *err, struct rtr_error *first);

#endif
