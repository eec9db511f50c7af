/* SPDX-License-Identifier: MIT */
/* The registry configuration: one flat YAML mapping of scalar keys.
 *
 * libyaml's event parser is driven through a small state machine: stream,
 * document, one mapping, then alternating key and value scalars. Each key is
 * looked up in a table that says which field it sets and how to parse it.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

enum kind { K_STR, K_LISTEN, K_SIZE, K_U32 };

struct key {
    const char *name; /**< YAML key */
    enum kind kind;   /**< how the value is parsed */
    size_t off;       /**< offset of the field in struct reg_config */
    uint64_t max;     /**< largest accepted number */
};

#define F(f) offsetof(struct reg_config, f)

static const struct key keys[] = {
        {"listen", K_LISTEN, 0, 0},
        {"data", K_STR, F(data), 0},
        {"tls_cert", K_STR, F(tls_cert), 0},
        {"tls_key", K_STR, F(tls_key), 0},
        {"access_log", K_STR, F(access_log), 0},
        {"max_archive_bytes", K_SIZE, F(max_archive_bytes), 1ull << 40},
        {"user_quota_bytes", K_SIZE, F(user_quota_bytes), 1ull << 50},
        {"max_header_bytes", K_U32, F(max_header_bytes), 1 << 20},
        {"request_timeout", K_U32, F(request_timeout), 86400},
        {"idle_timeout", K_U32, F(idle_timeout), 3600},
        {"rate_limit", K_U32, F(rate_limit), 1000000},
        {"rate_burst", K_U32, F(rate_burst), 1000000},
        {"max_connections", K_U32, F(max_connections), 100000},
        {"max_connections_per_ip", K_U32, F(max_connections_per_ip), 100000},
        {"workers", K_U32, F(workers), 256},
        {"shutdown_timeout", K_U32, F(shutdown_timeout), 3600},
        {"db_connections", K_U32, F(db_connections), 64},
        {"check_archive_format", K_U32, F(check_format), 1},
};

void reg_config_defaults(struct reg_config *c)
{
    memset(c, 0, sizeof(*c));
    c->listen_port = 8080;
    c->max_archive_bytes = 256ull << 20;
    c->max_header_bytes = 16384;
    c->request_timeout = 600;
    c->idle_timeout = 30;
    c->rate_limit = 50;
    c->rate_burst = 200;
    c->max_connections = 1000;
    c->max_connections_per_ip = 100;
    c->check_format = 1;
    c->shutdown_timeout = 30;
    c->db_connections = 8;
}

/* Parse a decimal number with an optional K/M/G suffix. */
static int parse_number(const char *s, bool suffix, uint64_t max, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return -EINVAL;
    uint64_t v = 0;
    while (*s >= '0' && *s <= '9') {
        if (v > (UINT64_MAX - 9) / 10)
            return -ERANGE;
        v = v * 10 + (uint64_t)(*s++ - '0');
    }
    unsigned shift = 0;
    if (suffix && (*s == 'K' || *s == 'k'))
        shift = 10;
    else if (suffix && (*s == 'M' || *s == 'm'))
        shift = 20;
    else if (suffix && (*s == 'G' || *s == 'g'))
        shift = 30;
    if (shift) {
        s++;
        if (v > (max >> shift))
            return -ERANGE;
        v <<= shift;
    }
    if (*s != '\0')
        return -EINVAL;
    if (v > max)
        return -ERANGE;
    *out = v;
    return 0;
}

/* Split "host:port", "[v6]:port" into the config. */
static int parse_listen(const char *s, struct reg_config *c)
{
    const char *colon, *host = s;
    size_t hlen;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return -EINVAL;
        host = s + 1;
        hlen = (size_t)(close - host);
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return -EINVAL;
        hlen = (size_t)(colon - s);
    }
    uint64_t port;
    if (hlen == 0 || hlen > 63 || parse_number(colon + 1, false, 65535, &port) < 0)
        return -EINVAL;
    char *h = strndup(host, hlen);
    if (!h)
        return -ENOMEM;
    free(c->listen_host);
    c->listen_host = h;
    c->listen_port = (uint16_t)port;
    return 0;
}

static int set_value(const struct key *k, const char *v, struct reg_config *c, char *err,
                     size_t errlen)
{
    char *base = (char *)c;
    uint64_t n;
    int rc;
    switch (k->kind) {
    case K_LISTEN:
        rc = parse_listen(v, c);
        if (rc == -EINVAL)
            snprintf(err, errlen, "listen: '%s' is not host:port", v);
        return rc;
    case K_STR: {
        if (v[0] == '\0') {
            snprintf(err, errlen, "%s: empty value", k->name);
            return -EINVAL;
        }
        char **field = (char **)(base + k->off);
        char *dup = strdup(v);
        if (!dup)
            return -ENOMEM;
        free(*field);
        *field = dup;
        return 0;
    }
    case K_SIZE:
    case K_U32:
        rc = parse_number(v, k->kind == K_SIZE, k->max, &n);
        if (rc < 0) {
            snprintf(err, errlen, "%s: '%s' is not a number from 0 to %" PRIu64 "%s", k->name, v,
                     k->max, k->kind == K_SIZE ? " (suffix K, M or G allowed)" : "");
            return -EINVAL;
        }
        if (k->kind == K_SIZE)
            *(uint64_t *)(base + k->off) = n;
        else
            *(uint32_t *)(base + k->off) = (uint32_t)n;
        return 0;
    }
    return -EINVAL;
}

static const struct key *find_key(const char *name)
{
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

int reg_config_parse(const char *buf, size_t len, struct reg_config *c, char *err, size_t errlen)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    int rc = 0, depth = 0;
    const struct key *pending = NULL;
    uint32_t seen = 0; /* bit i: keys[i] was set; catches duplicates */
    bool done = false;

    err[0] = '\0';
    if (!yaml_parser_initialize(&parser))
        return -ENOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    while (!done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            snprintf(err, errlen, "YAML syntax error at line %zu: %s", parser.problem_mark.line + 1,
                     parser.problem ? parser.problem : "?");
            rc = -EINVAL;
            goto out;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_MAPPING_START_EVENT:
            if (++depth > 1 || pending) {
                snprintf(err, errlen, "line %zu: nested mappings are not allowed",
                         ev.start_mark.line + 1);
                rc = -EINVAL;
            }
            break;
        case YAML_MAPPING_END_EVENT:
            depth--;
            break;
        case YAML_SEQUENCE_START_EVENT:
            if (pending && strcmp(pending->name, "listen") == 0) {
                /* "listen: [::1]:8080" starts a YAML list: say how to write it. */
                snprintf(err, errlen,
                         "line %zu: listen: YAML reads an unquoted '[' as a list; quote IPv6 "
                         "addresses: listen: \"[::1]:8080\"",
                         ev.start_mark.line + 1);
                rc = -EINVAL;
                break;
            }
            /* fall through */
        case YAML_ALIAS_EVENT:
            snprintf(err, errlen, "line %zu: only 'key: value' scalars are allowed",
                     ev.start_mark.line + 1);
            rc = -EINVAL;
            break;
        case YAML_SCALAR_EVENT: {
            const char *v = (const char *)ev.data.scalar.value;
            if (depth != 1 || strlen(v) != ev.data.scalar.length) {
                snprintf(err, errlen, "line %zu: expected a mapping of 'key: value'",
                         ev.start_mark.line + 1);
                rc = -EINVAL;
            } else if (!pending) {
                pending = find_key(v);
                if (!pending) {
                    snprintf(err, errlen, "line %zu: unknown key '%.64s'", ev.start_mark.line + 1,
                             v);
                    rc = -EINVAL;
                } else if (seen & (1u << (pending - keys))) {
                    snprintf(err, errlen, "line %zu: duplicate key '%s'", ev.start_mark.line + 1,
                             v);
                    rc = -EINVAL;
                }
            } else {
                seen |= 1u << (pending - keys);
                rc = set_value(pending, v, c, err, errlen);
                pending = NULL;
            }
            break;
        }
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (rc < 0)
            goto out;
    }
    if (c->tls_cert && !c->tls_key) {
        snprintf(err, errlen, "tls_cert is set but tls_key is not");
        rc = -EINVAL;
    } else if (c->tls_key && !c->tls_cert) {
        snprintf(err, errlen, "tls_key is set but tls_cert is not");
        rc = -EINVAL;
    } else if (c->rate_limit && c->rate_burst == 0) {
        snprintf(err, errlen, "rate_burst must be at least 1 when rate_limit is set");
        rc = -EINVAL;
    } else if (c->db_connections == 0) {
        snprintf(err, errlen, "db_connections must be at least 1");
        rc = -EINVAL;
    }
out:
    yaml_parser_delete(&parser);
    return rc;
}

/* Make *field absolute relative to dir if it is a relative path. */
static int anchor(char **field, const char *dir)
{
    if (!*field || (*field)[0] == '/' || strcmp(*field, "-") == 0 || strcmp(*field, "off") == 0)
        return 0;
    char *abs;
    if (asprintf(&abs, "%s/%s", dir, *field) < 0)
        return -ENOMEM;
    free(*field);
    *field = abs;
    return 0;
}

int reg_config_load(const char *path, struct reg_config *c, char *err, size_t errlen)
{
    int rc = 0;
    char *buf = NULL, *dir = NULL;
    FILE *f = fopen(path, "rb");

    reg_config_defaults(c);
    if (!f) {
        rc = -errno;
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        goto out;
    }
    buf = malloc(65536 + 1);
    if (!buf) {
        rc = -ENOMEM;
        goto out;
    }
    size_t len = fread(buf, 1, 65536 + 1, f);
    if (len > 65536) {
        snprintf(err, errlen, "%s is larger than 64 KiB", path);
        rc = -EFBIG;
        goto out;
    }
    rc = reg_config_parse(buf, len, c, err, errlen);
    if (rc < 0)
        goto out;
    if (!c->data) {
        snprintf(err, errlen, "%s: the key 'data' (data directory) is required", path);
        rc = -EINVAL;
        goto out;
    }
    const char *slash = strrchr(path, '/');
    if (slash == path)
        dir = strdup("/");
    else if (slash)
        dir = strndup(path, (size_t)(slash - path));
    else
        dir = strdup(".");
    if (!dir) {
        rc = -ENOMEM;
        goto out;
    }
    if ((rc = anchor(&c->data, dir)) < 0 || (rc = anchor(&c->tls_cert, dir)) < 0 ||
        (rc = anchor(&c->tls_key, dir)) < 0 || (rc = anchor(&c->access_log, dir)) < 0)
        goto out;
    if (!c->listen_host && !(c->listen_host = strdup("127.0.0.1")))
        rc = -ENOMEM;
out:
    if (f)
        fclose(f);
    free(buf);
    free(dir);
    if (rc < 0)
        reg_config_free(c);
    return rc;
}

void reg_config_free(struct reg_config *c)
{
    free(c->listen_host);
    free(c->data);
    free(c->tls_cert);
    free(c->tls_key);
    free(c->access_log);
    c->listen_host = c->data = c->tls_cert = c->tls_key = c->access_log = NULL;
}
