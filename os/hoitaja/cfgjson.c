/* SPDX-License-Identifier: MIT */
/* The configuration in force as JSON (KIDE_MGMT_CONFIG): a full configuration
 * that hj_config_parse reads back into the same struct hj_config, so a client
 * can diff it, edit it and apply it (generation + 1).
 *
 * Canonical: no whitespace, fields in one fixed order, every default written
 * out (priority, restart, devices) except those whose absence is the only
 * way to say them (heartbeat_ms 0, no args, no ram_node, affinity on the
 * habitat's CPU). A child's `config` and `habitat` are already canonical JSON
 * (config.c keeps them so) and are spliced in as they are. Pure: the host
 * tests check the round trip.
 */
#include "hoitaja.h"

#include <kide/json.h>

static const char *policy_name(kide_u8 p)
{
    return p == HJ_RESTART_NEVER ? "never" : p == HJ_RESTART_ALWAYS ? "always" : "on-failure";
}

static const char *to_name(kide_u8 to)
{
    return to == HJ_TO_PARENT ? "parent" : to == HJ_TO_CHILD ? "child" : "denied";
}

/** Append s[0..n) at *len within size (keeping a NUL); -1 when it does not fit. */
static int put(char *buf, kide_u64 size, kide_u64 *len, const char *s, kide_u64 n)
{
    if (n >= size - *len)
        return -1;
    memcpy(buf + *len, s, n);
    *len += n;
    buf[*len] = 0;
    return 0;
}

/* The child's fields but config and habitat, as an object at buf + *len. */
static int child_fields(const struct hj_child_cfg *c, kide_u32 home_cpu, char *buf, kide_u64 size,
                        kide_u64 *len)
{
    struct kide_json_writer w;
    kide_json_writer_init(&w, buf + *len, size - *len);
    kide_json_begin_object(&w);
    kide_json_member_string(&w, "name", c->name);
    if (!c->posix) /* a POSIX child's binary is implied by its posix object */
        kide_json_member_string(&w, "binary", c->binary);
    kide_json_member_u64(&w, "ram", c->ram);
    kide_json_member_u64(&w, "caps", c->caps);
    kide_json_member_object(&w, "cpu");
    kide_json_member_u64(&w, "quota", c->cpu_quota);
    kide_json_member_u64(&w, "priority", c->priority);
    if (c->affinity != home_cpu)
        kide_json_member_u64(&w, "affinity", c->affinity);
    kide_json_end_object(&w);
    if (c->nprovides) {
        kide_json_key(&w, "provides");
        kide_json_begin_array(&w);
        for (kide_u32 i = 0; i < c->nprovides; i++)
            kide_json_string(&w, c->provides[i]);
        kide_json_end_array(&w);
    }
    if (c->nroutes) {
        kide_json_key(&w, "routes");
        kide_json_begin_array(&w);
        for (kide_u32 i = 0; i < c->nroutes; i++) {
            const struct hj_route *r = &c->routes[i];
            kide_json_begin_object(&w);
            kide_json_member_string(&w, "service", r->service);
            kide_json_member_string(&w, "to", to_name(r->to));
            if (r->to == HJ_TO_CHILD)
                kide_json_member_string(&w, "child", r->child);
            kide_json_end_object(&w);
        }
        kide_json_end_array(&w);
    }
    kide_json_member_object(&w, "restart");
    kide_json_member_string(&w, "policy", policy_name(c->policy));
    kide_json_member_u64(&w, "backoff_ms", c->backoff_ms);
    kide_json_member_u64(&w, "max_backoff_ms", c->max_backoff_ms);
    kide_json_end_object(&w);
    if (c->heartbeat_ms)
        kide_json_member_u64(&w, "heartbeat_ms", c->heartbeat_ms);
    if (c->platform)
        kide_json_member_string(&w, "devices", "platform");
    else
        kide_json_member_bool(&w, "devices", c->devices);
    if (c->args[0])
        kide_json_member_string(&w, "args", c->args);
    if (c->has_ram_node)
        kide_json_member_u64(&w, "ram_node", c->ram_node);
    if (c->config_live)
        kide_json_member_bool(&w, "config_live", 1);
    kide_json_end_object(&w);
    long n = kide_json_writer_finish(&w);
    if (n < 2)
        return -1;
    *len += (kide_u64)n - 1; /* without its '}': config and habitat follow */
    return 0;
}

long hj_config_json(const struct hj_config *cfg, kide_u32 home_cpu, char *buf, kide_u64 size)
{
    char head[96];
    kide_u64 len = 0;
    if (!size)
        return -1;
    buf[0] = 0;
    /* A nested habitat's configuration may have none (0): then none is written. */
    int n = cfg->generation
                    ? hj_snprintf(head, sizeof(head), "{\"generation\":%lu,", cfg->generation)
                    : hj_snprintf(head, sizeof(head), "{");
    if (n < 0 || put(buf, size, &len, head, (kide_u64)n))
        return -1;
    if (cfg->exit_with[0]) {
        struct kide_json_writer w;
        kide_json_writer_init(&w, head, sizeof(head));
        kide_json_string(&w, cfg->exit_with);
        long m = kide_json_writer_finish(&w);
        if (m < 0 || put(buf, size, &len, "\"exit_with\":", 12) ||
            put(buf, size, &len, head, (kide_u64)m) || put(buf, size, &len, ",", 1))
            return -1;
    }
    if (put(buf, size, &len, "\"children\":[", 12))
        return -1;
    for (kide_u32 i = 0; i < cfg->nchildren; i++) {
        const struct hj_child_cfg *c = &cfg->child[i];
        if ((i && put(buf, size, &len, ",", 1)) || child_fields(c, home_cpu, buf, size, &len))
            return -1;
        /* A POSIX child's config is {"posix":X} (config.c): written back as "posix":X. */
        if (c->posix && (c->config_len < 10 || memcmp(c->config, "{\"posix\":", 9) ||
                         put(buf, size, &len, ",", 1) ||
                         put(buf, size, &len, c->config + 1, c->config_len - 2)))
            return -1;
        if (!c->posix &&
            (put(buf, size, &len, ",\"config\":", 10) ||
             put(buf, size, &len, c->config ? c->config : "{}", c->config ? c->config_len : 2)))
            return -1;
        if (c->habitat && (put(buf, size, &len, ",\"habitat\":", 11) ||
                           put(buf, size, &len, c->habitat, c->habitat_len)))
            return -1;
        if (put(buf, size, &len, "}", 1))
            return -1;
    }
    if (put(buf, size, &len, "]}", 2)) {
        buf[0] = 0;
        return -1;
    }
    return (long)len;
}
