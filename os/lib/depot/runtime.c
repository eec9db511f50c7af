/* SPDX-License-Identifier: MIT */
/* The `runtime` file of a pkg archive, exactly the YAML subset goa export
 * writes (goa/src/cmd_export.c, runtime_yaml): one "key: value" per line in
 * the order binary, ram, caps, cpu_quota, requires, provides, rom, then an
 * optional "config: |" block whose lines are indented by two spaces. Lists
 * are flow sequences of double-quoted strings without escapes. Each key at
 * most once; unknown keys, tabs, NUL bytes and anything longer than the
 * struct's fixed fields are refused with the line number. */
#include "depot_internal.h"

struct cursor {
    const char *p, *end;
    unsigned line;
};

/* The next line without its '\n'; 0 at the end. */
static int next_line(struct cursor *c, const char **s, size_t *n)
{
    if (c->p >= c->end)
        return 0;
    const char *e = c->p;
    while (e < c->end && *e != '\n')
        e++;
    *s = c->p;
    *n = (size_t)(e - c->p);
    c->p = e < c->end ? e + 1 : e;
    c->line++;
    return 1;
}

static int is_name_char(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '.' || ch == '_' || ch == '+' || ch == '-';
}

/* A name: [A-Za-z0-9._+-], 1..DEPOT_NAME_MAX-1 bytes, not "." or "..". */
static int name(const char *s, size_t n, char out[DEPOT_NAME_MAX], unsigned line, const char *what,
                struct depot_err *err)
{
    if (n == 0 || n >= DEPOT_NAME_MAX)
        return depot_fail(err, DEPOT_EFORMAT, "runtime line %u: %s must have 1 to %d bytes", line,
                          what, DEPOT_NAME_MAX - 1);
    for (size_t i = 0; i < n; i++)
        if (!is_name_char(s[i]))
            return depot_fail(err, DEPOT_EFORMAT,
                              "runtime line %u: %s has a character outside [A-Za-z0-9._+-]", line,
                              what);
    if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
        return depot_fail(err, DEPOT_EFORMAT, "runtime line %u: %s may not be . or ..", line, what);
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

/* A decimal number up to MAX, with an optional K/M/G suffix when SIZED. */
static int number(const char *s, size_t n, uint64_t max, int sized, uint64_t *out, unsigned line,
                  const char *what, struct depot_err *err)
{
    uint64_t v = 0, mul = 1;
    size_t i = 0;

    if (sized && n > 1 && (s[n - 1] == 'K' || s[n - 1] == 'M' || s[n - 1] == 'G')) {
        mul = s[n - 1] == 'K' ? 1u << 10 : s[n - 1] == 'M' ? 1u << 20 : 1u << 30;
        n--;
    }
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || v > max / 10)
            break;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (n == 0 || i != n || v > max / mul)
        return depot_fail(err, DEPOT_EFORMAT,
                          "runtime line %u: %s must be a number%s no larger than %lu", line, what,
                          sized ? " (with K, M or G)" : "", (unsigned long)max);
    *out = v * mul;
    return 0;
}

/* ["a", "b"] into LIST; names as name() takes them. */
static int list(const char *s, size_t n, char list[][DEPOT_NAME_MAX], size_t *count, unsigned line,
                const char *what, struct depot_err *err)
{
    size_t i = 0;

    *count = 0;
    if (n < 2 || s[0] != '[' || s[n - 1] != ']')
        return depot_fail(err, DEPOT_EFORMAT, "runtime line %u: %s must be a list [\"...\"]", line,
                          what);
    s++, n -= 2;
    while (i < n) {
        if (*count && (n - i < 2 || s[i] != ',' || s[i + 1] != ' '))
            return depot_fail(err, DEPOT_EFORMAT,
                              "runtime line %u: %s entries must be separated by \", \"", line,
                              what);
        if (*count)
            i += 2;
        if (i >= n || s[i] != '"')
            return depot_fail(err, DEPOT_EFORMAT,
                              "runtime line %u: %s entries must be double-quoted", line, what);
        size_t j = ++i;
        while (j < n && s[j] != '"')
            j++;
        if (j == n)
            return depot_fail(err, DEPOT_EFORMAT, "runtime line %u: %s has an unclosed quote", line,
                              what);
        if (*count == DEPOT_LIST_MAX)
            return depot_fail(err, DEPOT_ELIMIT, "runtime line %u: %s has more than %d entries",
                              line, what, DEPOT_LIST_MAX);
        int rc = name(s + i, j - i, list[*count], line, what, err);
        if (rc)
            return rc;
        (*count)++;
        i = j + 1;
    }
    return 0;
}

static int key_is(const char *s, size_t n, const char *key, const char **val, size_t *vn)
{
    size_t kl = strlen(key);
    if (n < kl + 1 || memcmp(s, key, kl) || s[kl] != ':')
        return 0;
    if (n == kl + 1) {
        *val = s + n;
        *vn = 0;
        return 1;
    }
    if (s[kl + 1] != ' ')
        return 0;
    *val = s + kl + 2;
    *vn = n - kl - 2;
    return 1;
}

int depot_pkg_runtime(const char *text, size_t len, struct depot_runtime *rt, struct depot_err *err)
{
    static const char *const keys[] = {"binary",   "ram",      "caps", "cpu_quota",
                                       "requires", "provides", "rom",  "config"};
    struct cursor c = {text, text + len, 0};
    unsigned seen = 0;
    const char *s, *v;
    size_t n, vn;
    int rc = 0;

    if (err)
        err->msg[0] = '\0';
    if (!rt || (!text && len))
        return depot_fail(err, DEPOT_EINVAL, "depot_pkg_runtime needs text and a result");
    memset(rt, 0, sizeof *rt);
    rt->ram = 16u << 20;
    if (len > 65536)
        return depot_fail(err, DEPOT_ELIMIT, "the runtime file has %zu bytes, more than 64 KiB",
                          len);
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\0' || text[i] == '\t' || text[i] == '\r')
            return depot_fail(err, DEPOT_EFORMAT,
                              "the runtime file has a NUL, tab or carriage return at byte %zu: "
                              "not goa's runtime",
                              i);
    while (next_line(&c, &s, &n)) {
        size_t k = 0;
        for (; k < sizeof keys / sizeof keys[0]; k++)
            if (key_is(s, n, keys[k], &v, &vn))
                break;
        if (k == sizeof keys / sizeof keys[0])
            return depot_fail(err, DEPOT_EFORMAT,
                              "runtime line %u: not one of binary, ram, caps, cpu_quota, "
                              "requires, provides, rom, config: the package was made by a newer "
                              "goa than this installer knows",
                              c.line);
        if (seen & (1u << k))
            return depot_fail(err, DEPOT_EFORMAT, "runtime line %u: %s given twice", c.line,
                              keys[k]);
        seen |= 1u << k;
        uint64_t num = 0;
        switch (k) {
        case 0:
            rc = name(v, vn, rt->binary, c.line, "binary", err);
            break;
        case 1:
            rc = number(v, vn, (uint64_t)1 << 40, 1, &rt->ram, c.line, "ram", err);
            if (!rc && rt->ram == 0)
                rc = depot_fail(err, DEPOT_EFORMAT, "runtime line %u: ram may not be 0", c.line);
            break;
        case 2:
            rc = number(v, vn, 1u << 30, 0, &num, c.line, "caps", err);
            rt->caps = (long)num;
            break;
        case 3:
            rc = number(v, vn, 100, 0, &num, c.line, "cpu_quota", err);
            rt->cpu_quota = (long)num;
            break;
        case 4:
            rc = list(v, vn, rt->requires, &rt->n_requires, c.line, "requires", err);
            break;
        case 5:
            rc = list(v, vn, rt->provides, &rt->n_provides, c.line, "provides", err);
            break;
        case 6:
            rc = list(v, vn, rt->rom, &rt->n_rom, c.line, "rom", err);
            break;
        case 7:
            if (vn != 1 || v[0] != '|')
                return depot_fail(err, DEPOT_EFORMAT,
                                  "runtime line %u: config must be a block (config: |)", c.line);
            /* The block: every following line indented by two spaces. */
            while (c.p < c.end && c.end - c.p >= 2 && c.p[0] == ' ' && c.p[1] == ' ') {
                next_line(&c, &s, &n);
                if (rt->config_len + (n - 2) + 1 >= DEPOT_CONFIG_MAX)
                    return depot_fail(err, DEPOT_ELIMIT,
                                      "runtime line %u: config is longer than %d bytes", c.line,
                                      DEPOT_CONFIG_MAX - 1);
                memcpy(rt->config + rt->config_len, s + 2, n - 2);
                rt->config_len += n - 2;
                rt->config[rt->config_len++] = '\n';
            }
            rt->config[rt->config_len] = '\0';
            break;
        }
        if (rc)
            return rc;
    }
    if (!(seen & 1u))
        return depot_fail(err, DEPOT_EFORMAT,
                          "the runtime has no binary: line: the package cannot be started");
    return DEPOT_OK;
}
