/* SPDX-License-Identifier: MIT */
/* The request-path parser: which resource a URL names.
 *
 * The path is split into at most eight non-empty segments; an empty segment
 * (a doubled or trailing slash) is an error. The segments are then matched
 * against the fixed shapes listed in path.h. Cost is linear in the path.
 */
#include "path.h"

#include <errno.h>
#include <string.h>

#define MAX_SEGS 8

struct seg {
    const char *s; /**< start of the segment */
    size_t n;      /**< its length */
};

static bool seg_is(const struct seg *g, const char *lit)
{
    return g->n == strlen(lit) && memcmp(g->s, lit, g->n) == 0;
}

static void copy(char *dst, const char *s, size_t n)
{
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static bool ends_with(const struct seg *g, const char *suffix, size_t *stem)
{
    size_t k = strlen(suffix);
    if (g->n < k || memcmp(g->s + g->n - k, suffix, k) != 0)
        return false;
    *stem = g->n - k;
    return true;
}

/* Split url into segments; returns the count or -EINVAL. */
static int split(const char *url, size_t n, struct seg *segs)
{
    if (n == 0 || n > REG_PATH_MAX || url[0] != '/')
        return -EINVAL;
    int count = 0;
    size_t i = 1;
    while (i <= n) {
        size_t start = i;
        while (i < n && url[i] != '/')
            i++;
        if (i == start)
            return (n == 1) ? 0 : -EINVAL; /* "/" alone is the root */
        if (count == MAX_SEGS)
            return -EINVAL;
        segs[count].s = url + start;
        segs[count].n = i - start;
        count++;
        i++;
    }
    return count;
}

/* Parse "<type...>/<name>" starting at segs[0]; returns segments used or -EINVAL. */
static int parse_type(const struct seg *segs, int count, struct reg_path *p)
{
    if (count < 1)
        return -EINVAL;
    if (seg_is(&segs[0], "bin")) {
        if (count < 2 || !reg_valid_arch(segs[1].s, segs[1].n))
            return -EINVAL;
        memcpy(p->type, "bin/", 4);
        copy(p->type + 4, segs[1].s, segs[1].n);
        return 2;
    }
    if (!reg_valid_type(segs[0].s, segs[0].n))
        return -EINVAL;
    copy(p->type, segs[0].s, segs[0].n);
    return 1;
}

static int parse_name(const struct seg *g, struct reg_path *p)
{
    if (!reg_valid_name(g->s, g->n))
        return -EINVAL;
    copy(p->name, g->s, g->n);
    return 0;
}

static int parse_user(const struct seg *g, struct reg_path *p)
{
    if (!reg_valid_user(g->s, g->n))
        return -EINVAL;
    copy(p->user, g->s, g->n);
    return 0;
}

/* /<u>/<t>/<n>/<v>.tar.xz[.sig] and /<u>/<t>/<n>/<v>/(un)yank */
static int parse_archive(const struct seg *segs, int count, struct reg_path *p)
{
    int rc = parse_user(&segs[0], p);
    if (rc < 0)
        return rc;
    if (count < 4)
        return -ENOENT;
    int used = parse_type(segs + 1, count - 1, p);
    if (used < 0)
        return used;
    int rest = count - 1 - used;
    const struct seg *r = segs + 1 + used;
    if (rest != 2 && rest != 3)
        return -ENOENT;
    if ((rc = parse_name(&r[0], p)) < 0)
        return rc;
    size_t stem;
    if (rest == 2) {
        if (ends_with(&r[1], ".tar.xz.sig", &stem))
            p->route = REG_R_SIG;
        else if (ends_with(&r[1], ".tar.xz", &stem))
            p->route = REG_R_ARCHIVE;
        else
            return -ENOENT;
    } else {
        stem = r[1].n;
        if (seg_is(&r[2], "yank"))
            p->route = REG_R_YANK;
        else if (seg_is(&r[2], "unyank"))
            p->route = REG_R_UNYANK;
        else
            return -ENOENT;
    }
    if (!reg_valid_version(r[1].s, stem))
        return -EINVAL;
    copy(p->version, r[1].s, stem);
    return 0;
}

static bool valid_key_id(const char *s, size_t n)
{
    if (n != REG_KEY_ID_LEN)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

/* /-/index/<u>[/<t>/<n>], /-/latest/<u>/<t>/<n>, /-/keys/<u>[/<id>.pem], /-/search */
static int parse_meta(const struct seg *segs, int count, struct reg_path *p)
{
    if (count == 2 && seg_is(&segs[1], "search")) {
        p->route = REG_R_SEARCH;
        return 0;
    }
    if (count == 2 && seg_is(&segs[1], "health")) {
        p->route = REG_R_HEALTH;
        return 0;
    }
    if (count < 3)
        return -ENOENT;
    bool index = seg_is(&segs[1], "index"), latest = seg_is(&segs[1], "latest");
    bool keys = seg_is(&segs[1], "keys");
    if (!index && !latest && !keys)
        return -ENOENT;
    int rc = parse_user(&segs[2], p);
    if (rc < 0)
        return rc;
    if (keys) {
        size_t stem;
        if (count == 3) {
            p->route = REG_R_KEYS;
            return 0;
        }
        if (count != 4 || !ends_with(&segs[3], ".pem", &stem))
            return -ENOENT;
        if (!valid_key_id(segs[3].s, stem))
            return -EINVAL;
        copy(p->key_id, segs[3].s, stem);
        p->route = REG_R_KEY_PEM;
        return 0;
    }
    if (index && count == 3) {
        p->route = REG_R_INDEX_USER;
        return 0;
    }
    if (count < 5)
        return -ENOENT;
    int used = parse_type(segs + 3, count - 3, p);
    if (used < 0)
        return used;
    if (count - 3 - used != 1)
        return -ENOENT;
    if ((rc = parse_name(&segs[3 + used], p)) < 0)
        return rc;
    p->route = index ? REG_R_INDEX_NAME : REG_R_LATEST;
    return 0;
}

int reg_path_parse(const char *url, size_t n, struct reg_path *p)
{
    struct seg segs[MAX_SEGS];
    memset(p, 0, sizeof(*p));
    /* Control characters, spaces, non-ASCII, '\\' and '%' (an escape the strict
     * decoder refused, see unescape.h) never belong to a path: 400, whatever route. */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= 0x20 || c >= 0x7f || c == '%' || c == '\\')
            return -EINVAL;
    }
    int count = split(url, n, segs);
    if (count < 0)
        return count;
    if (count == 0)
        return -ENOENT;
    if (seg_is(&segs[0], "-"))
        return parse_meta(segs, count, p);
    return parse_archive(segs, count, p);
}
