/* SPDX-License-Identifier: MIT */
/* A bounded reader of the tar streams goa export writes: ustar headers
 * (with the prefix field) and restricted pax extended headers carrying a
 * long path or size. Everything else an installer could be tricked with is
 * refused: absolute paths, "." and ".." components, links, devices, fifos,
 * global headers, names over DEPOT_PATH_MAX, sizes beyond the input,
 * members out of goa's sorted order (which also rules out duplicates), more
 * than max_files members, files over max_file.
 *
 * Two passes over the same bytes: the first only checks, the second hands
 * the members to the callback, so the callback never sees any part of an
 * archive that is refused later.
 */
#include "depot_internal.h"

#define BLOCK 512u

struct member {
    char path[DEPOT_PATH_MAX + 1];
    size_t size;
    int is_dir;
    int executable;
};

/* An octal field of N bytes: digits, then NUL or space padding. Base-256
 * (the high bit) is refused: goa never writes sizes that need it. */
static int octal(const uint8_t *f, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    size_t i = 0;

    while (i < n && f[i] == ' ')
        i++;
    size_t start = i;
    for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
        if (v >> 60)
            return -1;
        v = v * 8 + (uint64_t)(f[i] - '0');
    }
    if (i == start)
        return -1;
    for (; i < n; i++)
        if (f[i] != ' ' && f[i] != '\0')
            return -1;
    *out = v;
    return 0;
}

static int checksum_ok(const uint8_t *h)
{
    uint64_t want;
    unsigned sum = 0;

    if (octal(h + 148, 8, &want))
        return 0;
    for (size_t i = 0; i < BLOCK; i++)
        sum += (i >= 148 && i < 156) ? ' ' : h[i];
    return sum == want;
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

/* Copy a NUL-terminated-or-full field of at most N bytes. */
static size_t field_len(const uint8_t *f, size_t n)
{
    size_t i = 0;
    while (i < n && f[i])
        i++;
    return i;
}

/* The path rules, on a candidate of LEN bytes (no NUL inside). A directory
 * may end in one '/', which is removed. */
static int check_path(struct member *m, const char *p, size_t len, struct depot_err *err)
{
    if (len && p[len - 1] == '/' && m->is_dir)
        len--;
    if (len == 0)
        return depot_fail(err, DEPOT_EREFUSED, "tar member with an empty name: not goa's archive");
    if (len > DEPOT_PATH_MAX)
        return depot_fail(err, DEPOT_EREFUSED,
                          "tar member name of %zu bytes is longer than the %d this installer "
                          "takes: shorten the path in the package",
                          len, DEPOT_PATH_MAX);
    memcpy(m->path, p, len);
    m->path[len] = '\0';
    if (m->path[0] == '/')
        return depot_fail(err, DEPOT_EREFUSED,
                          "tar member '%s' has an absolute path: packages hold relative paths "
                          "only",
                          m->path);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)m->path[i];
        if (c < 0x20 || c == 0x7f || c == '\\')
            return depot_fail(err, DEPOT_EREFUSED,
                              "tar member name has a control character or backslash at byte "
                              "%zu: not goa's archive",
                              i);
    }
    /* Components: none empty, none "." or "..". */
    size_t s = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && m->path[i] != '/')
            continue;
        size_t n = i - s;
        if (n == 0 || (n == 1 && m->path[s] == '.') ||
            (n == 2 && m->path[s] == '.' && m->path[s + 1] == '.'))
            return depot_fail(err, DEPOT_EREFUSED,
                              "tar member '%s' has an empty, '.' or '..' component: it could "
                              "write outside the package directory",
                              m->path);
        s = i + 1;
    }
    return 0;
}

/* Records goa's libarchive may write that carry nothing an installer uses. */
static int pax_ignored(const char *k, size_t kl)
{
    static const char *const keys[] = {"mtime", "atime", "ctime", "uid", "gid", "uname", "gname"};

    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (kl == strlen(keys[i]) && !memcmp(k, keys[i], kl))
            return 1;
    return 0;
}

/* What a pax extended header says about the member that follows. */
struct pax {
    const char *path; /* into the archive; NULL: none */
    size_t path_len;
    uint64_t size;
    int has_size;
};

static int pax_size(const char *v, size_t vl, struct pax *x, struct depot_err *err)
{
    uint64_t s = 0;

    if (vl == 0 || vl > 19)
        return depot_fail(err, DEPOT_EFORMAT, "pax size out of range: the archive is corrupt");
    for (size_t j = 0; j < vl; j++) {
        if (v[j] < '0' || v[j] > '9')
            return depot_fail(err, DEPOT_EFORMAT,
                              "pax size is not a number: the archive is corrupt");
        s = s * 10 + (uint64_t)(v[j] - '0');
    }
    x->size = s;
    x->has_size = 1;
    return 0;
}

/* One record "LEN key=value\n" at D[OFF]; *RL is its length. */
static int pax_record(const uint8_t *d, size_t n, size_t off, size_t *rl, struct pax *x,
                      struct depot_err *err)
{
    size_t l = 0, i = off;

    while (i < n && d[i] >= '0' && d[i] <= '9' && l < 100000)
        l = l * 10 + (size_t)(d[i++] - '0');
    if (i == off || i >= n || d[i] != ' ' || l < 5 || l > n - off || d[off + l - 1] != '\n')
        return depot_fail(err, DEPOT_EFORMAT,
                          "malformed pax record at byte %zu of an extended header: the archive "
                          "is corrupt",
                          off);
    const char *k = (const char *)d + i + 1, *end = (const char *)d + off + l - 1, *eq = k;
    while (eq < end && *eq != '=')
        eq++;
    if (eq == end)
        return depot_fail(err, DEPOT_EFORMAT, "pax record without '=': the archive is corrupt");
    size_t kl = (size_t)(eq - k), vl = (size_t)(end - eq - 1);
    *rl = l;
    if (kl == 4 && !memcmp(k, "path", 4)) {
        for (size_t j = 0; j < vl; j++)
            if (eq[1 + j] == '\0')
                return depot_fail(err, DEPOT_EREFUSED,
                                  "pax path with a NUL byte: not goa's archive");
        x->path = eq + 1;
        x->path_len = vl;
        return 0;
    }
    if (kl == 4 && !memcmp(k, "size", 4))
        return pax_size(eq + 1, vl, x, err);
    if (pax_ignored(k, kl))
        return 0;
    /* linkpath, SCHILY.*, LIBARCHIVE.xattr.*, ...: goa writes none. */
    return depot_fail(err, DEPOT_EREFUSED,
                      "pax header carries a record this installer does not take (only path and "
                      "size are used): not goa's archive");
}

static int pax(const uint8_t *d, size_t n, struct pax *x, struct depot_err *err)
{
    for (size_t off = 0, rl = 0; off < n; off += rl) {
        int rc = pax_record(d, n, off, &rl, x, err);
        if (rc)
            return rc;
    }
    return 0;
}

struct walk {
    const uint8_t *tar;
    size_t len, off, count;
    const struct depot_limits *lim;
    char prev[DEPOT_PATH_MAX + 1];
};

/* The header block at w->off: 1 the end marker, 0 a checked header, <0. */
static int header_at(struct walk *w, int had_pax, uint64_t *size, struct depot_err *err)
{
    if (w->off > w->len || w->len - w->off < BLOCK)
        return depot_fail(err, DEPOT_EFORMAT,
                          "the tar stream ends at byte %zu without its end marker: the archive "
                          "is truncated",
                          w->off);
    const uint8_t *h = w->tar + w->off;
    if (all_zero(h, BLOCK)) {
        if (had_pax)
            return depot_fail(err, DEPOT_EFORMAT, "pax header not followed by a member");
        return 1; /* end of archive; what follows is padding */
    }
    if (!checksum_ok(h))
        return depot_fail(err, DEPOT_EFORMAT,
                          "tar header at byte %zu has a bad checksum: the archive is corrupt",
                          w->off);
    if (octal(h + 124, 12, size))
        return depot_fail(err, DEPOT_EFORMAT, "tar header at byte %zu has a bad size", w->off);
    return 0;
}

/* The kind of the member whose header is H: only files and directories. */
static int member_kind(const uint8_t *h, size_t off, struct member *m, struct depot_err *err)
{
    static const char *const refused[] = {
            ['1'] = "a hard link",         ['2'] = "a symbolic link", ['3'] = "a character device",
            ['4'] = "a block device",      ['6'] = "a fifo",          ['7'] = "a contiguous file",
            ['g'] = "a global pax header", ['L'] = "a GNU long name", ['K'] = "a GNU long link"};
    uint8_t type = h[156];

    if (type == '5') {
        m->is_dir = 1;
        return 0;
    }
    if (type == '0' || type == '\0')
        return 0;
    const char *what = type < sizeof refused / sizeof refused[0] && refused[type]
                               ? refused[type]
                               : "an unknown kind of entry";
    return depot_fail(err, DEPOT_EREFUSED,
                      "tar member at byte %zu is %s (type '%c'): packages hold regular files and "
                      "directories only",
                      off, what, type >= 0x20 && type < 0x7f ? type : '?');
}

/* The member's path: the pax path, or ustar's prefix "/" name. */
static int member_name(const uint8_t *h, const struct pax *x, struct member *m,
                       struct depot_err *err)
{
    char buf[155 + 1 + 100];
    size_t pl = field_len(h + 345, 155), nl = field_len(h, 100), bl;

    if (x->path)
        return check_path(m, x->path, x->path_len, err);
    if (pl && memcmp(h + 257, "ustar", 5))
        pl = 0;
    memcpy(buf, h + 345, pl);
    bl = pl;
    if (pl)
        buf[bl++] = '/';
    memcpy(buf + bl, h, nl);
    return check_path(m, buf, bl + nl, err);
}

/* The limits and order, once the member is known. */
static int member_fits(struct walk *w, const struct member *m, uint64_t size, struct depot_err *err)
{
    if (++w->count > w->lim->max_files)
        return depot_fail(err, DEPOT_ELIMIT,
                          "the archive has more than %zu members (the installer's limit): raise "
                          "max_files or split the package",
                          w->lim->max_files);
    if (size > w->len - w->off - BLOCK)
        return depot_fail(err, DEPOT_EFORMAT,
                          "tar member '%s' claims %lu bytes but only %zu remain: the archive is "
                          "truncated or corrupt",
                          m->path, (unsigned long)size, w->len - w->off - BLOCK);
    if (size > w->lim->max_file)
        return depot_fail(err, DEPOT_ELIMIT,
                          "tar member '%s' has %lu bytes, more than the installer's limit of %zu "
                          "per file: raise max_file",
                          m->path, (unsigned long)size, w->lim->max_file);
    if (w->count > 1 && strcmp(w->prev, m->path) >= 0)
        return depot_fail(err, DEPOT_EREFUSED,
                          "tar member '%s' is out of goa's sorted order or repeated: not goa's "
                          "archive",
                          m->path);
    memcpy(w->prev, m->path, sizeof w->prev);
    return 0;
}

/* The next member at w->off into *M (its data at w->tar + *DATA): 1 at
 * the end of the archive, 0, or <0. */
static int next_member(struct walk *w, struct member *m, size_t *data, struct depot_err *err)
{
    struct pax x = {NULL, 0, 0, 0};
    uint64_t size;
    int rc = header_at(w, 0, &size, err);

    if (rc)
        return rc;
    if (w->tar[w->off + 156] == 'x') {
        if (size > w->len - w->off - BLOCK || size > 65536)
            return depot_fail(err, DEPOT_EFORMAT,
                              "pax header of %lu bytes runs past the end of the archive",
                              (unsigned long)size);
        if ((rc = pax(w->tar + w->off + BLOCK, (size_t)size, &x, err)))
            return rc;
        w->off += BLOCK + (((size_t)size + BLOCK - 1) / BLOCK) * BLOCK;
        if ((rc = header_at(w, 1, &size, err)))
            return rc;
        if (w->tar[w->off + 156] == 'x')
            return depot_fail(err, DEPOT_EFORMAT, "two pax headers for one member");
    }
    const uint8_t *h = w->tar + w->off;
    uint64_t mode = 0;
    memset(m, 0, sizeof *m);
    if ((rc = member_kind(h, w->off, m, err)) || (rc = member_name(h, &x, m, err)))
        return rc;
    if (x.has_size)
        size = x.size;
    if (m->is_dir && size)
        return depot_fail(err, DEPOT_EFORMAT, "tar directory entry '%s' with a size", m->path);
    if (octal(h + 100, 8, &mode) == 0)
        m->executable = (mode & 0100) != 0;
    if ((rc = member_fits(w, m, size, err)))
        return rc;
    m->size = (size_t)size;
    *data = w->off + BLOCK;
    w->off += BLOCK + ((m->size + BLOCK - 1) / BLOCK) * BLOCK;
    return 0;
}

/* Both passes. FN NULL: check only. */
static int walk(const uint8_t *tar, size_t len, const struct depot_limits *lim, depot_file_fn fn,
                void *ctx, struct depot_err *err)
{
    struct walk w = {tar, len, 0, 0, lim, ""};
    struct member m;
    size_t data = 0;
    int rc;

    while ((rc = next_member(&w, &m, &data, err)) == 0) {
        if (!fn)
            continue;
        struct depot_file f = {m.path, tar + data, m.size, m.is_dir, m.executable};
        if (fn(ctx, &f, err)) {
            if (err && !err->msg[0])
                depot_fail(err, 0, "the installer refused member '%s'", m.path);
            return DEPOT_ECALLBACK;
        }
    }
    return rc == 1 ? 0 : rc;
}

int depot_tar_walk(const uint8_t *tar, size_t len, const struct depot_limits *limits,
                   depot_file_fn fn, void *ctx, struct depot_err *err)
{
    struct depot_limits lim = depot_limits_or_default(limits);
    int rc;

    if (err)
        err->msg[0] = '\0';
    if (!tar && len)
        return depot_fail(err, DEPOT_EINVAL, "no tar data");
    if (len > lim.max_unpacked)
        return depot_fail(err, DEPOT_ELIMIT,
                          "the tar stream has %zu bytes, more than the installer's limit of %zu",
                          len, lim.max_unpacked);
    rc = walk(tar, len, &lim, NULL, NULL, err);
    if (rc || !fn)
        return rc;
    return walk(tar, len, &lim, fn, ctx, err);
}
