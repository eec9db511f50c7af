/* SPDX-License-Identifier: MIT */
/* The configuration directory and remotes.json (see config.h). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "units.h"

static const char *const CFG_HINT = "fix or remove the file; 'kuori remote add' writes a new one";

int kuori_valid_name(const char *s)
{
    size_t n = 0;
    if (!s)
        return 0;
    for (; s[n]; n++)
        if (!(islower((unsigned char)s[n]) || isdigit((unsigned char)s[n]) || s[n] == '-'))
            return 0;
    return n >= 1 && n <= KUORI_NAME_MAX;
}

static int is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
            return 0;
    return s[n] == 0;
}

int kuori_config_dir(struct kuori_config *cfg, struct kuori_err *e)
{
    const char *d = getenv("KUORI_CONFIG_DIR");
    const char *x = getenv("XDG_CONFIG_HOME");
    const char *h = getenv("HOME");
    int n;
    if (d && *d)
        n = snprintf(cfg->dir, sizeof cfg->dir, "%s", d);
    else if (x && *x)
        n = snprintf(cfg->dir, sizeof cfg->dir, "%s/kuori", x);
    else if (h && *h)
        n = snprintf(cfg->dir, sizeof cfg->dir, "%s/.config/kuori", h);
    else
        return kuori_fail(e, KUORI_EXIT_LOCAL, "config", "set HOME or KUORI_CONFIG_DIR",
                          "cannot find the configuration directory: HOME is not set");
    if (n < 0 || (size_t)n >= sizeof cfg->dir)
        return kuori_fail(e, KUORI_EXIT_LOCAL, "config", "use a shorter KUORI_CONFIG_DIR",
                          "the configuration directory's path is too long");
    return 0;
}

struct kuori_remote *kuori_config_find(struct kuori_config *cfg, const char *name)
{
    for (int i = 0; i < cfg->n; i++)
        if (strcmp(cfg->remotes[i].name, name) == 0)
            return &cfg->remotes[i];
    return NULL;
}

int kuori_config_path(const struct kuori_config *cfg, const char *name, const char *file, char *buf,
                      size_t n, struct kuori_err *e)
{
    int r;
    if (!kuori_valid_name(name))
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage", NULL, "invalid remote name '%s'", name);
    r = file ? snprintf(buf, n, "%s/remotes/%s/%s", cfg->dir, name, file)
             : snprintf(buf, n, "%s/remotes/%s", cfg->dir, name);
    if (r < 0 || (size_t)r >= n)
        return kuori_fail(e, KUORI_EXIT_LOCAL, "config", "use a shorter KUORI_CONFIG_DIR",
                          "path too long under %s", cfg->dir);
    return 0;
}

/* Copy a string field of exactly the allowed keys; reject anything else. */
static int get_str(const cJSON *o, const char *key, char *dst, size_t n, struct kuori_err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsString(v) || strlen(v->valuestring) >= n)
        return kuori_fail(e, KUORI_EXIT_LOCAL, "config", CFG_HINT,
                          "remotes.json: \"%s\" must be a string of at most %zu bytes", key, n - 1);
    memcpy(dst, v->valuestring, strlen(v->valuestring) + 1);
    return 0;
}

static int only_keys(const cJSON *o, const char *const *keys, const char *where,
                     struct kuori_err *e)
{
    for (const cJSON *c = o->child; c; c = c->next) {
        int ok = 0;
        for (const char *const *k = keys; *k; k++)
            ok |= strcmp(c->string, *k) == 0;
        if (!ok)
            return kuori_fail(e, KUORI_EXIT_LOCAL, "config", CFG_HINT,
                              "remotes.json: unknown field \"%s\" in %s", c->string, where);
    }
    return 0;
}

static int parse_remote(const cJSON *o, struct kuori_remote *r, struct kuori_err *e)
{
    static const char *const keys[] = {"name", "address", "habitat", "pin", NULL};
    struct kuori_addr a;
    int rc;
    if (!cJSON_IsObject(o))
        return kuori_fail(e, KUORI_EXIT_LOCAL, "config", CFG_HINT,
                          "remotes.json: every remote must be an object");
    if ((rc = only_keys(o, keys, "a remote", e)) ||
        (rc = get_str(o, "name", r->name, sizeof r->name, e)) ||
        (rc = get_str(o, "address", r->address, sizeof r->address, e)) ||
        (rc = get_str(o, "habitat", r->habitat, sizeof r->habitat, e)) ||
        (rc = get_str(o, "pin", r->pin, sizeof r->pin, e)))
        return rc;
    if (!kuori_valid_name(r->name) || !kuori_valid_name(r->habitat))
        return kuori_fail(e, KUORI_EXIT_LOCAL, "config", CFG_HINT,
                          "remotes.json: remote '%s': names must be 1..32 of [a-z0-9-]", r->name);
    if (strncmp(r->pin, "sha256:", 7) != 0 || !is_hex(r->pin + 7, 64))
        return kuori_fail(e, KUORI_EXIT_LOCAL, "config", CFG_HINT,
                          "remotes.json: remote '%s': pin must be sha256:<64 lowercase hex>",
                          r->name);
    if (kuori_addr_parse(r->address, &a, e) != 0)
        return kuori_fail(e, KUORI_EXIT_LOCAL, "config", CFG_HINT, "remotes.json: remote '%s': %s",
                          r->name, e->msg);
    return 0;
}

static int parse_root(struct kuori_config *cfg, const cJSON *root, struct kuori_err *e)
{
    static const char *const keys[] = {"version", "current", "remotes", NULL};
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "version");
    const cJSON *cur = cJSON_GetObjectItemCaseSensitive(root, "current");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "remotes");
    const cJSON *it;
    int rc;
    if (!cJSON_IsObject(root))
        return kuori_fail(e, KUORI_EXIT_LOCAL, "config", CFG_HINT,
                          "remotes.json is not a JSON object");
    if ((rc = only_keys(root, keys, "the top level", e)))
        return rc;
    if (!cJSON_IsNumber(ver) || ver->valuedouble != 1)
        return kuori_fail(e, KUORI_EXIT_LOCAL, "config", CFG_HINT,
                          "remotes.json: \"version\" must be 1 (this kuori reads version 1)");
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) > KUORI_REMOTES_MAX)
        return kuori_fail(e, KUORI_EXIT_LOCAL, "config", CFG_HINT,
                          "remotes.json: \"remotes\" must be a list of at most %d remotes",
                          KUORI_REMOTES_MAX);
    cJSON_ArrayForEach(it, list)
    {
        struct kuori_remote *r = &cfg->remotes[cfg->n];
        if ((rc = parse_remote(it, r, e)))
            return rc;
        if (kuori_config_find(cfg, r->name))
            return kuori_fail(e, KUORI_EXIT_LOCAL, "config", CFG_HINT,
                              "remotes.json: remote '%s' appears twice", r->name);
        cfg->n++;
    }
    if (cJSON_IsNull(cur) || !cur)
        return 0;
    if (!cJSON_IsString(cur) || !kuori_config_find(cfg, cur->valuestring))
        return kuori_fail(e, KUORI_EXIT_LOCAL, "config", CFG_HINT,
                          "remotes.json: \"current\" must name one of the remotes or be null");
    snprintf(cfg->current, sizeof cfg->current, "%s", cur->valuestring);
    return 0;
}

int kuori_config_parse(struct kuori_config *cfg, const char *text, size_t len, struct kuori_err *e)
{
    cJSON *root;
    int rc;
    cfg->n = 0;
    cfg->current[0] = 0;
    if (len > KUORI_CONFIG_BYTES)
        return kuori_fail(e, KUORI_EXIT_LOCAL, "config", CFG_HINT,
                          "remotes.json is larger than %d bytes", KUORI_CONFIG_BYTES);
    root = cJSON_ParseWithLength(text, len);
    if (!root)
        return kuori_fail(e, KUORI_EXIT_LOCAL, "config", CFG_HINT, "remotes.json is not JSON");
    rc = parse_root(cfg, root, e);
    cJSON_Delete(root);
    if (rc) {
        cfg->n = 0;
        cfg->current[0] = 0;
    }
    return rc;
}

int kuori_config_load(struct kuori_config *cfg, struct kuori_err *e)
{
    char path[1100], *buf;
    FILE *f;
    size_t n;
    int rc;
    cfg->n = 0;
    cfg->current[0] = 0;
    snprintf(path, sizeof path, "%s/remotes.json", cfg->dir);
    f = fopen(path, "r");
    if (!f && errno == ENOENT)
        return 0;
    if (!f)
        return kuori_fail(e, KUORI_EXIT_LOCAL, "config", "check the file's permissions",
                          "cannot read %s: %s", path, strerror(errno));
    /* It holds the pins: whoever can write it, or replace it in the directory, can send
     * a remote to their own agent. Refused unless only we can (ssh's StrictModes). */
    struct stat fs, ds;
    if (fstat(fileno(f), &fs) != 0 || stat(cfg->dir, &ds) != 0 || fs.st_uid != getuid() ||
        ds.st_uid != getuid() || (fs.st_mode & 022) || (ds.st_mode & 022)) {
        fclose(f);
        return kuori_fail(e, KUORI_EXIT_LOCAL, "config",
                          "run 'chmod 700' on the directory and 'chmod 600' on the file, and check "
                          "that nobody changed the remotes' pins",
                          "%s or its directory is writable by others or not yours: anyone who can "
                          "write it can change a remote's pin",
                          path);
    }
    buf = malloc(KUORI_CONFIG_BYTES + 1);
    if (!buf) {
        fclose(f);
        return kuori_fail(e, KUORI_EXIT_LOCAL, "memory", NULL, "out of memory");
    }
    n = fread(buf, 1, KUORI_CONFIG_BYTES + 1, f);
    fclose(f);
    rc = kuori_config_parse(cfg, buf, n, e);
    free(buf);
    if (rc)
        snprintf(e->msg + strlen(e->msg), sizeof e->msg - strlen(e->msg), " (%s)", path);
    return rc;
}

static cJSON *to_json(const struct kuori_config *cfg)
{
    cJSON *root = cJSON_CreateObject(), *list = cJSON_CreateArray();
    cJSON_AddNumberToObject(root, "version", 1);
    if (cfg->current[0])
        cJSON_AddStringToObject(root, "current", cfg->current);
    else
        cJSON_AddNullToObject(root, "current");
    cJSON_AddItemToObject(root, "remotes", list);
    for (int i = 0; i < cfg->n; i++) {
        const struct kuori_remote *r = &cfg->remotes[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", r->name);
        cJSON_AddStringToObject(o, "address", r->address);
        cJSON_AddStringToObject(o, "habitat", r->habitat);
        cJSON_AddStringToObject(o, "pin", r->pin);
        cJSON_AddItemToArray(list, o);
    }
    return root;
}

int kuori_config_save(const struct kuori_config *cfg, struct kuori_err *e)
{
    char path[1100], tmp[1110];
    cJSON *root = to_json(cfg);
    char *text = cJSON_Print(root);
    int fd, ok;
    cJSON_Delete(root);
    if (!text)
        return kuori_fail(e, KUORI_EXIT_LOCAL, "memory", NULL, "out of memory");
    if (mkdir(cfg->dir, 0700) != 0 && errno != EEXIST) {
        free(text);
        return kuori_fail(e, KUORI_EXIT_LOCAL, "config", "create it or set KUORI_CONFIG_DIR",
                          "cannot create %s: %s", cfg->dir, strerror(errno));
    }
    snprintf(path, sizeof path, "%s/remotes.json", cfg->dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ok = fd >= 0;
    if (ok) {
        size_t n = strlen(text);
        ok = write(fd, text, n) == (ssize_t)n && write(fd, "\n", 1) == 1;
        ok = (close(fd) == 0) && ok;
    }
    free(text);
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return kuori_fail(e, KUORI_EXIT_LOCAL, "config", "check the directory's permissions",
                          "cannot write %s: %s", path, strerror(errno));
    }
    return 0;
}

/* "host:port" or "[v6]:port" at s into host/port. */
static int parse_hostport(const char *s, char *host, size_t hn, unsigned *port, unsigned defport)
{
    const char *colon;
    size_t len;
    uint64_t p = defport;
    if (*s == '[') {
        const char *close = strchr(s, ']');
        if (!close || (close[1] && close[1] != ':'))
            return -1;
        len = (size_t)(close - s - 1);
        if (len == 0 || len >= hn)
            return -1;
        memcpy(host, s + 1, len);
        host[len] = 0;
        colon = close[1] ? close + 1 : NULL;
    } else {
        colon = strrchr(s, ':');
        len = colon ? (size_t)(colon - s) : strlen(s);
        if (len == 0 || len >= hn || memchr(s, ':', len))
            return -1;
        memcpy(host, s, len);
        host[len] = 0;
    }
    for (const char *c = host; *c; c++)
        if (!(isalnum((unsigned char)*c) || strchr(".-_:", *c)))
            return -1;
    if (colon && kuori_parse_uint(colon + 1, 65535, &p) != 0)
        return -1;
    if (p == 0)
        return -1;
    *port = (unsigned)p;
    return 0;
}

int kuori_addr_parse(const char *s, struct kuori_addr *a, struct kuori_err *e)
{
    static const char *const hint = "write host:port, [ipv6]:port or "
                                    "ssh://user@jumphost[:port]/host:port";
    memset(a, 0, sizeof *a);
    if (strncmp(s, "ssh://", 6) == 0) {
        const char *at = strchr(s + 6, '@'), *slash = at ? strchr(at, '/') : NULL;
        char jump[300];
        size_t ul = at ? (size_t)(at - s - 6) : 0;
        if (!at || !slash || ul == 0 || ul >= sizeof a->ssh_user ||
            (size_t)(slash - at - 1) >= sizeof jump)
            return kuori_fail(e, KUORI_EXIT_USAGE, "usage", hint,
                              "address '%s': an SSH address needs a user, a jump host and "
                              "/host:port",
                              s);
        memcpy(a->ssh_user, s + 6, ul);
        a->ssh_user[ul] = 0;
        for (const char *c = a->ssh_user; *c; c++)
            if (!(isalnum((unsigned char)*c) || strchr("._-", *c)))
                return kuori_fail(e, KUORI_EXIT_USAGE, "usage", hint,
                                  "address '%s': invalid SSH user name", s);
        memcpy(jump, at + 1, (size_t)(slash - at - 1));
        jump[slash - at - 1] = 0;
        a->ssh = 1;
        if (parse_hostport(jump, a->ssh_host, sizeof a->ssh_host, &a->ssh_port, 22) != 0)
            return kuori_fail(e, KUORI_EXIT_USAGE, "usage", hint,
                              "address '%s': invalid jump host '%s'", s, jump);
        s = slash + 1;
    }
    if (parse_hostport(s, a->host, sizeof a->host, &a->port, 0) != 0)
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage", hint,
                          "address '%s': expected host:port with a port 1..65535", s);
    return 0;
}

int kuori_token_parse(const char *s, struct kuori_token *t, struct kuori_err *e)
{
    static const char *const hint = "copy the whole token the operator printed with "
                                    "'kuori token create' (kide1.HABITAT.SECRET.PIN)";
    const char *p1, *p2;
    char secret[33];
    size_t hl;
    memset(t, 0, sizeof *t);
    /* kide1.<habitat>.<secret: 32 hex>.<pin: 32 hex>: p1 and p2 are the last two dots */
    if (strncmp(s, "kide1.", 6) != 0 || !(p1 = strchr(s + 6, '.')) || !(p2 = strchr(p1 + 1, '.')))
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage", hint, "the token is malformed");
    hl = (size_t)(p1 - s - 6);
    if (hl == 0 || hl > KUORI_NAME_MAX || p2 - p1 - 1 != 32 || strlen(p2 + 1) != 32)
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage", hint, "the token is malformed");
    memcpy(t->habitat, s + 6, hl);
    t->habitat[hl] = 0;
    memcpy(secret, p1 + 1, 32);
    secret[32] = 0;
    memcpy(t->pin_prefix, p2 + 1, 33);
    if (!kuori_valid_name(t->habitat) || !is_hex(secret, 32) || !is_hex(t->pin_prefix, 32))
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage", hint,
                          "the token is malformed (habitat [a-z0-9-], secret and pin 32 "
                          "lowercase hex each)");
    return 0;
}
