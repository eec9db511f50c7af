/* SPDX-License-Identifier: MIT */
/* posix_config: parse and validate a `posix:` object (posix_config.h).
 *
 * One pass over the object's members: each known field is checked and its
 * strings copied into the result's pool; defaults fill what was not given;
 * then the checks across fields (a mount at /, the ROM module list). The
 * first problem ends the parse with one message "posix.<field>: <what>, <fix>".
 * Messages are built with the small bounded writer below (no libc here: the
 * file links into core-side components as well as host tools).
 */
#include "posix_config.h"

#include <kide/core.h>

_Static_assert(POSIX_ROMS_MAX == KIDE_CORE_ROM_MAX, "ROM module limits differ");
_Static_assert(POSIX_NAME_MAX + 1 == KIDE_NAME_MAX, "ROM name limits differ");

typedef __SIZE_TYPE__ size_t;

/* ---- bounded message writer ---------------------------------------------------- */

struct msg {
    char *buf;
    size_t size, len; /* len < size whenever size > 0; buf[len] == 0 */
};

static void put(struct msg *m, const char *s)
{
    for (; s && *s && m->len + 1 < m->size; s++)
        m->buf[m->len++] = *s;
    if (m->size)
        m->buf[m->len] = 0;
}

static void put_u64(struct msg *m, kide_u64 v)
{
    char d[24];
    int n = 0;
    do
        d[n++] = (char)('0' + v % 10);
    while ((v /= 10) && n < 23);
    char s[24];
    for (int i = 0; i < n; i++)
        s[i] = d[n - 1 - i];
    s[n] = 0;
    put(m, s);
}

/* Parse state. */
struct pc {
    const struct kide_json_doc *doc;
    struct posix_config *out;
    struct msg m;
    char field[96]; /* "posix.mounts[2].path" while checking it */
};

/* The field name being checked: base, optionally [i], optionally .sub. */
static void at(struct pc *c, const char *base, long idx, const char *sub)
{
    struct msg f = {c->field, sizeof(c->field), 0};
    put(&f, "posix");
    if (base) {
        put(&f, ".");
        put(&f, base);
    }
    if (idx >= 0) {
        put(&f, "[");
        put_u64(&f, (kide_u64)idx);
        put(&f, "]");
    }
    if (sub) {
        put(&f, ".");
        put(&f, sub);
    }
}

/* Start an error about token tok: "<field>: " and remember the token. */
static struct msg *fail(struct pc *c, int tok)
{
    c->out->err_token = tok;
    c->m.len = 0;
    put(&c->m, c->field);
    put(&c->m, ": ");
    return &c->m;
}

/* Append up to 40 bytes of what token tok says, printable ASCII only, as "got 'x'". */
static void got(struct pc *c, int tok)
{
    const struct kide_json_tok *t = &c->doc->tok[tok];
    if (t->type == KIDE_JSON_OBJECT || t->type == KIDE_JSON_ARRAY) {
        put(&c->m, t->type == KIDE_JSON_OBJECT ? ", got an object" : ", got an array");
        return;
    }
    char s[48];
    size_t n = 0;
    for (kide_u32 i = t->start; i < t->end && n < 40; i++) {
        char ch = c->doc->buf[i];
        s[n++] = ch >= 0x20 && ch < 0x7f ? ch : '?';
    }
    s[n] = 0;
    put(&c->m, ", got ");
    put(&c->m, t->type == KIDE_JSON_STRING ? "'" : "");
    put(&c->m, s);
    put(&c->m, t->end - t->start > 40 ? "..." : "");
    put(&c->m, t->type == KIDE_JSON_STRING ? "'" : "");
}

/* ---- strings ------------------------------------------------------------------- */

static size_t slen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static int seq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* Copy string token tok (unescaped) into the pool: at most max bytes, no NUL inside.
 * NULL after recording the error. `example` ends a type error's message. */
static const char *copy_str(struct pc *c, int tok, size_t max, const char *example)
{
    struct posix_config *o = c->out;
    if (kide_json_type(c->doc, tok) != KIDE_JSON_STRING) {
        struct msg *m = fail(c, tok);
        put(m, "must be a string, e.g. ");
        put(m, example);
        got(c, tok);
        return 0;
    }
    size_t room = POSIX_POOL_MAX - o->pool_used;
    char *dst = o->pool + o->pool_used;
    int n = kide_json_get_string(c->doc, tok, dst, room < max + 1 ? room : max + 1);
    if (n == KIDE_JSON_ENOSPC) {
        struct msg *m = fail(c, tok);
        if (room < max + 1) {
            put(m, "the posix strings take more than ");
            put_u64(m, POSIX_POOL_MAX);
            put(m, " bytes in all; shorten the arguments and environment");
        } else {
            put(m, "is longer than ");
            put_u64(m, max);
            put(m, " bytes; shorten it");
        }
        return 0;
    }
    if (n < 0 || slen(dst) != (size_t)n) {
        put(fail(c, tok), "holds a NUL byte (\\u0000), which a C string cannot; remove it");
        return 0;
    }
    o->pool_used += (kide_u32)n + 1;
    return dst;
}

/* Whether s is a ROM module name: 1..POSIX_NAME_MAX of [A-Za-z0-9._+-], first a
 * letter or digit. */
static int is_module(const char *s)
{
    size_t n = slen(s);
    int ok = n > 0 && n <= POSIX_NAME_MAX;
    for (size_t i = 0; ok && i < n; i++) {
        char ch = s[i];
        int alnum =
                (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        ok = alnum || (i && (ch == '.' || ch == '_' || ch == '+' || ch == '-'));
    }
    return ok;
}

/* A ROM module name (is_module), copied. */
static const char *module_name(struct pc *c, int tok)
{
    const char *s = copy_str(c, tok, 255, "hello");
    if (!s)
        return 0;
    if (is_module(s))
        return s;
    struct msg *m = fail(c, tok);
    size_t n = slen(s);
    if (n > 4 && s[0] == 'p' && s[1] == 'k' && s[2] == 'g' && s[3] == ':')
        put(m, "packages (pkg:) are not supported yet; name a boot module, e.g. hello");
    else {
        put(m, "must be a boot module name of 1 to ");
        put_u64(m, POSIX_NAME_MAX);
        put(m, " letters, digits and . _ + - (starting with a letter or digit), e.g. hello");
    }
    got(c, tok);
    return 0;
}

/* Why s is no absolute, normalised path (no empty, "." or ".." component, no
 * trailing '/' but "/" itself), or NULL when it is one. */
static const char *path_why(const char *s)
{
    size_t n = slen(s);
    if (s[0] != '/')
        return "must be absolute, e.g. ";
    if (n > 1 && s[n - 1] == '/')
        return "must not end with '/', e.g. ";
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '/')
            continue;
        size_t e = i + 1; /* the component s[i+1 .. e) */
        while (e < n && s[e] != '/')
            e++;
        size_t len = e - i - 1;
        if (len == 0 && n > 1)
            return "must not hold an empty component ('//'), e.g. ";
        if ((len == 1 && s[i + 1] == '.') || (len == 2 && s[i + 1] == '.' && s[i + 2] == '.'))
            return "must not hold '.' or '..' components, e.g. ";
    }
    return 0;
}

/* An absolute, normalised path of at most POSIX_STR_MAX bytes. */
static const char *path_str(struct pc *c, int tok, const char *example)
{
    const char *s = copy_str(c, tok, POSIX_STR_MAX, example);
    if (!s)
        return 0;
    const char *why = path_why(s);
    if (!why)
        return s;
    struct msg *m = fail(c, tok);
    put(m, why);
    put(m, example);
    got(c, tok);
    return 0;
}

/* Whether path p is dir or below it. */
static int under(const char *p, const char *dir)
{
    size_t n = slen(dir);
    for (size_t i = 0; i < n; i++)
        if (p[i] != dir[i])
            return 0;
    return p[n] == 0 || p[n] == '/';
}

/* A path the runtime provides itself (/dev, /proc) may not be mounted or written to. */
static int reserved(struct pc *c, int tok, const char *p)
{
    if (!under(p, "/dev") && !under(p, "/proc"))
        return 0;
    struct msg *m = fail(c, tok);
    put(m, "is at or below ");
    put(m, under(p, "/dev") ? "/dev" : "/proc");
    put(m, ", which the runtime provides; use another path, e.g. /data");
    return -1;
}

/* ---- sizes --------------------------------------------------------------------- */

/* A size: an integer of bytes or a string "<digits>[K|M|G|T]", lo..hi, whole pages. */
static int size_field(struct pc *c, int tok, kide_u64 lo, kide_u64 hi, kide_u64 *out)
{
    kide_u64 v = 0;
    int ok = 0, type = kide_json_type(c->doc, tok);
    if (type == KIDE_JSON_NUMBER) {
        ok = kide_json_get_u64(c->doc, tok, &v) == 0;
    } else if (type == KIDE_JSON_STRING && !(c->doc->tok[tok].flags & KIDE_JSON_F_ESCAPED)) {
        const char *s = c->doc->buf + c->doc->tok[tok].start;
        kide_u32 n = c->doc->tok[tok].end - c->doc->tok[tok].start;
        unsigned shift = 0;
        if (n > 1) {
            char u = s[n - 1];
            shift = u == 'K' ? 10 : u == 'M' ? 20 : u == 'G' ? 30 : u == 'T' ? 40 : 0;
            if (shift)
                n--;
        }
        ok = n > 0 && n <= 19;
        for (kide_u32 i = 0; ok && i < n; i++) {
            ok = s[i] >= '0' && s[i] <= '9';
            v = v * 10 + (kide_u64)(s[i] - '0');
        }
        /* 19 digits < 2^64; the shift must not lose bits */
        if (ok && shift && v > (~0ull >> shift))
            ok = 0;
        v <<= ok ? shift : 0;
    }
    if (!ok) {
        struct msg *m = fail(c, tok);
        put(m, "must be a size: an integer of bytes or one with K, M, G or T (1024-based), "
               "e.g. \"4M\"");
        got(c, tok);
        return -1;
    }
    if (v < lo || v > hi || v % 4096) {
        struct msg *m = fail(c, tok);
        put(m, "must be a multiple of 4K from ");
        put_u64(m, lo);
        put(m, " to ");
        put_u64(m, hi);
        put(m, " bytes, e.g. \"1M\", got ");
        put_u64(m, v);
        return -1;
    }
    *out = v;
    return 0;
}

/* ---- fields -------------------------------------------------------------------- */

/* An array field of at most max elements (at least min). */
static int array(struct pc *c, int tok, kide_u32 min, kide_u32 max, const char *example)
{
    if (kide_json_type(c->doc, tok) != KIDE_JSON_ARRAY) {
        struct msg *m = fail(c, tok);
        put(m, "must be a list, e.g. ");
        put(m, example);
        got(c, tok);
        return -1;
    }
    kide_u32 n = c->doc->tok[tok].count;
    if (n >= min && n <= max)
        return 0;
    struct msg *m = fail(c, tok);
    put(m, "must hold ");
    put_u64(m, min);
    put(m, " to ");
    put_u64(m, max);
    put(m, " entries, got ");
    put_u64(m, n);
    put(m, n < min ? "; add one, e.g. " : "; remove some");
    put(m, n < min ? example : "");
    return -1;
}

static int args_field(struct pc *c, int tok)
{
    struct posix_config *o = c->out;
    at(c, "args", -1, 0);
    if (array(c, tok, 1, POSIX_ARGS_MAX, "[hello, -v] (argv[0] first)"))
        return -1;
    long i = 0;
    for (int e = kide_json_first(c->doc, tok); e >= 0; e = kide_json_next(c->doc, e), i++) {
        at(c, "args", i, 0);
        if (!(o->argv[i] = copy_str(c, e, POSIX_STR_MAX, "\"-v\"")))
            return -1;
    }
    o->argc = (kide_u32)i;
    return 0;
}

static int env_field(struct pc *c, int tok)
{
    struct posix_config *o = c->out;
    at(c, "env", -1, 0);
    if (array(c, tok, 0, POSIX_ENV_MAX, "[HOME=/, PATH=/bin]"))
        return -1;
    long i = 0;
    for (int e = kide_json_first(c->doc, tok); e >= 0; e = kide_json_next(c->doc, e), i++) {
        at(c, "env", i, 0);
        const char *s = copy_str(c, e, POSIX_STR_MAX, "\"HOME=/\"");
        if (!s)
            return -1;
        size_t eq = 0;
        while (s[eq] && s[eq] != '=')
            eq++;
        if (eq == 0 || !s[eq]) {
            struct msg *m = fail(c, e);
            put(m, "must be NAME=value with a non-empty NAME, e.g. HOME=/");
            got(c, e);
            return -1;
        }
        for (long k = 0; k < i; k++) {
            const char *p = o->envp[k];
            size_t j = 0;
            while (j <= eq && p[j] == s[j])
                j++;
            if (j > eq) { /* same NAME= */
                struct msg *m = fail(c, e);
                put(m, "sets a variable env[");
                put_u64(m, (kide_u64)k);
                put(m, "] already sets; keep one");
                return -1;
            }
        }
        o->envp[i] = s;
    }
    o->envc = (kide_u32)i;
    return 0;
}

/* The rest of s after prefix pfx, or NULL when s does not start with it. */
static const char *after(const char *s, const char *pfx)
{
    while (*pfx && *s == *pfx)
        s++, pfx++;
    return *pfx ? 0 : s;
}

/* stdin: none | rom:<module>. */
static int stdin_field(struct pc *c, int tok, struct posix_stream *out)
{
    at(c, "stdin", -1, 0);
    const char *s = copy_str(c, tok, POSIX_STR_MAX, "none"), *rest;
    if (!s)
        return -1;
    if (seq(s, "none")) {
        out->kind = POSIX_STREAM_NONE, out->arg = 0;
        return 0;
    }
    if ((rest = after(s, "rom:")) && is_module(rest)) {
        out->kind = POSIX_STREAM_ROM, out->arg = rest;
        return 0;
    }
    struct msg *m = fail(c, tok);
    put(m, rest ? "rom: must name a boot module (1 to 31 letters, digits and . _ + -), "
                  "e.g. rom:input.txt"
                : "must be none or rom:<module>, e.g. rom:input.txt");
    got(c, tok);
    return -1;
}

/* stdout/stderr: log | file:/path. */
static int out_field(struct pc *c, int tok, const char *name, struct posix_stream *out)
{
    at(c, name, -1, 0);
    const char *s = copy_str(c, tok, POSIX_STR_MAX, "log"), *rest;
    if (!s)
        return -1;
    if (seq(s, "log")) {
        out->kind = POSIX_STREAM_LOG, out->arg = 0;
        return 0;
    }
    if (!(rest = after(s, "file:")) || path_why(rest)) {
        struct msg *m = fail(c, tok);
        put(m, rest ? "file: needs an absolute, normalised path, e.g. file:/out.txt"
                    : "must be log or file:<absolute path>, e.g. file:/out.txt");
        got(c, tok);
        return -1;
    }
    if (reserved(c, tok, rest))
        return -1;
    out->kind = POSIX_STREAM_FILE, out->arg = rest;
    return 0;
}

static int mount_field(struct pc *c, int tok, long i, struct posix_mount *mt)
{
    static const char known[] = "path, type, size, modules";
    int ptok = -1, ttok = -1, stok = -1, mtok = -1;
    at(c, "mounts", i, 0);
    if (kide_json_type(c->doc, tok) != KIDE_JSON_OBJECT) {
        struct msg *m = fail(c, tok);
        put(m, "must be an object, e.g. {path: /, type: ram}");
        got(c, tok);
        return -1;
    }
    for (int k = kide_json_first(c->doc, tok); k >= 0; k = kide_json_next(c->doc, k)) {
        int *slot = kide_json_str_eq(c->doc, k, "path")      ? &ptok
                    : kide_json_str_eq(c->doc, k, "type")    ? &ttok
                    : kide_json_str_eq(c->doc, k, "size")    ? &stok
                    : kide_json_str_eq(c->doc, k, "modules") ? &mtok
                                                             : 0;
        if (!slot) {
            struct msg *m = fail(c, k);
            put(m, "unknown field");
            got(c, k);
            put(m, "; known fields: ");
            put(m, known);
            return -1;
        }
        *slot = k + 1;
    }
    at(c, "mounts", i, "path");
    if (ptok < 0) {
        put(fail(c, tok), "is missing; add one, e.g. path: /data");
        return -1;
    }
    if (!(mt->path = path_str(c, ptok, "/data")) || reserved(c, ptok, mt->path))
        return -1;
    at(c, "mounts", i, "type");
    if (ttok < 0) {
        put(fail(c, tok), "is missing; add one: type: ram or type: rom");
        return -1;
    }
    if (kide_json_str_eq(c->doc, ttok, "ram"))
        mt->type = POSIX_MOUNT_RAM;
    else if (kide_json_str_eq(c->doc, ttok, "rom"))
        mt->type = POSIX_MOUNT_ROM;
    else {
        struct msg *m = fail(c, ttok);
        put(m, "must be ram or rom");
        got(c, ttok);
        return -1;
    }
    mt->size = 0;
    if (stok >= 0) {
        at(c, "mounts", i, "size");
        if (mt->type == POSIX_MOUNT_ROM) {
            put(fail(c, stok), "is for ram mounts only; a rom mount's size is its modules'; "
                               "remove it");
            return -1;
        }
        if (size_field(c, stok, POSIX_RAMFS_MIN, POSIX_RAMFS_MAX, &mt->size))
            return -1;
    }
    mt->nmodules = 0;
    at(c, "mounts", i, "modules");
    if (mt->type == POSIX_MOUNT_RAM) {
        if (mtok >= 0) {
            put(fail(c, mtok), "is for rom mounts only; use type: rom or remove it");
            return -1;
        }
        return 0;
    }
    if (mtok < 0) {
        put(fail(c, tok), "is missing: a rom mount lists its boot modules, e.g. "
                          "modules: [input.txt]");
        return -1;
    }
    if (array(c, mtok, 1, POSIX_MOUNT_MODULES_MAX, "[input.txt]"))
        return -1;
    long j = 0;
    for (int e = kide_json_first(c->doc, mtok); e >= 0; e = kide_json_next(c->doc, e), j++) {
        at(c, "mounts", i, "modules");
        /* at() cannot put an index after .modules: append it by hand */
        struct msg f = {c->field, sizeof(c->field), slen(c->field)};
        put(&f, "[");
        put_u64(&f, (kide_u64)j);
        put(&f, "]");
        const char *s = module_name(c, e);
        if (!s)
            return -1;
        for (long k = 0; k < j; k++)
            if (seq(mt->modules[k], s)) {
                put(fail(c, e), "names a module this mount already holds; keep one");
                return -1;
            }
        mt->modules[j] = s;
    }
    mt->nmodules = (kide_u32)j;
    return 0;
}

static int mounts_field(struct pc *c, int tok)
{
    struct posix_config *o = c->out;
    at(c, "mounts", -1, 0);
    if (array(c, tok, 1, POSIX_MOUNTS_MAX, "[{path: /, type: ram}]"))
        return -1;
    long i = 0;
    for (int e = kide_json_first(c->doc, tok); e >= 0; e = kide_json_next(c->doc, e), i++) {
        if (mount_field(c, e, i, &o->mounts[i]))
            return -1;
        for (long k = 0; k < i; k++)
            if (seq(o->mounts[k].path, o->mounts[i].path)) {
                at(c, "mounts", i, "path");
                struct msg *m = fail(c, e);
                put(m, "is mounted already by mounts[");
                put_u64(m, (kide_u64)k);
                put(m, "]; mount each path once");
                return -1;
            }
    }
    o->nmounts = (kide_u32)i;
    int root = 0;
    for (kide_u32 k = 0; k < o->nmounts; k++)
        root |= seq(o->mounts[k].path, "/");
    if (!root) {
        at(c, "mounts", -1, 0);
        put(fail(c, tok), "mounts nothing at /; add {path: /, type: ram}");
        return -1;
    }
    return 0;
}

/* Add module name s to roms[] unless there; -1 (error about tok) when full. */
static int add_rom(struct pc *c, int tok, const char *s)
{
    struct posix_config *o = c->out;
    for (kide_u32 k = 0; k < o->nroms; k++)
        if (seq(o->roms[k], s))
            return 0;
    if (o->nroms == POSIX_ROMS_MAX) {
        struct msg *m = fail(c, tok);
        put(m, "the program, stdin and rom mounts name more than ");
        put_u64(m, POSIX_ROMS_MAX);
        put(m, " distinct boot modules (KIDE_CORE_ROM_MAX); '");
        put(m, s);
        put(m, "' is one too many: use fewer modules");
        return -1;
    }
    o->roms[o->nroms++] = s;
    return 0;
}

/* ---- the object ---------------------------------------------------------------- */

static void clear(struct posix_config *o)
{
    char *p = (char *)o;
    for (size_t i = 0; i < sizeof(*o) - sizeof(o->pool); i++)
        p[i] = 0;
    o->err_token = -1;
    o->pool[0] = 0;
}

/* Copy a literal into the pool (defaults). Literals are short: never fails while
 * the pool has room for them, which the caller reserved. */
static const char *lit(struct posix_config *o, const char *s)
{
    size_t n = slen(s);
    if (o->pool_used + n + 1 > POSIX_POOL_MAX)
        return 0;
    char *d = o->pool + o->pool_used;
    for (size_t i = 0; i <= n; i++)
        d[i] = s[i];
    o->pool_used += (kide_u32)n + 1;
    return d;
}

enum { F_PROGRAM, F_ARGS, F_ENV, F_CWD, F_MOUNTS, F_STDIN, F_STDOUT, F_STDERR, F_STACK, F_N };

/* The members of object obj into val[F_*] (the value's token, -1 when absent);
 * an unknown one is refused with the known ones. */
static int members(struct pc *c, int obj, int val[F_N])
{
    static const char known[] = "program, args, env, cwd, mounts, stdin, stdout, stderr, stack";
    static const char *const names[] = {"program", "args",   "env",    "cwd",  "mounts",
                                        "stdin",   "stdout", "stderr", "stack"};
    at(c, 0, -1, 0);
    if (kide_json_type(c->doc, obj) != KIDE_JSON_OBJECT) {
        struct msg *m = fail(c, obj);
        put(m, "must be an object, e.g. {program: hello}");
        got(c, obj);
        return -1;
    }
    for (int f = 0; f < F_N; f++)
        val[f] = -1;
    for (int k = kide_json_first(c->doc, obj); k >= 0; k = kide_json_next(c->doc, k)) {
        int f = 0;
        while (f < F_N && !kide_json_str_eq(c->doc, k, names[f]))
            f++;
        if (f == F_N) {
            struct msg *m = fail(c, k);
            put(m, "unknown field");
            got(c, k);
            put(m, "; known fields: ");
            put(m, known);
            return -1;
        }
        val[f] = k + 1; /* keys are unique (the JSON parser refuses duplicates) */
    }
    return 0;
}

/* The standard streams; stdin's module joins roms[]. */
static int streams(struct pc *c, const int val[F_N])
{
    struct posix_config *o = c->out;
    o->std_out.kind = o->std_err.kind = POSIX_STREAM_LOG;
    if ((val[F_STDIN] >= 0 && stdin_field(c, val[F_STDIN], &o->std_in)) ||
        (val[F_STDOUT] >= 0 && out_field(c, val[F_STDOUT], "stdout", &o->std_out)) ||
        (val[F_STDERR] >= 0 && out_field(c, val[F_STDERR], "stderr", &o->std_err)))
        return -1;
    return o->std_in.kind == POSIX_STREAM_ROM ? add_rom(c, val[F_STDIN], o->std_in.arg) : 0;
}

/* The mounts; their modules join roms[] after the program's and stdin's. */
static int mounts_and_roms(struct pc *c, const int val[F_N])
{
    struct posix_config *o = c->out;
    if (val[F_MOUNTS] >= 0 && mounts_field(c, val[F_MOUNTS]))
        return -1;
    for (kide_u32 k = 0; k < o->nmounts; k++)
        for (kide_u32 j = 0; j < o->mounts[k].nmodules; j++) {
            at(c, "mounts", (long)k, "modules");
            if (add_rom(c, val[F_MOUNTS], o->mounts[k].modules[j]))
                return -1;
        }
    return 0;
}

/* What was not given. The pool holds the given strings and these short literals:
 * when they do not fit, the configuration is refused, never cut. */
static int defaults(struct pc *c, int obj)
{
    struct posix_config *o = c->out;
    if (!o->argc) {
        o->argv[0] = o->program;
        o->argc = 1;
    }
    if (!o->cwd && !(o->cwd = lit(o, "/")))
        goto full;
    if (!o->nmounts) {
        if (!(o->mounts[0].path = lit(o, "/")))
            goto full;
        o->mounts[0].type = POSIX_MOUNT_RAM;
        o->nmounts = 1;
    }
    o->argv[o->argc] = 0;
    o->envp[o->envc] = 0;
    return 0;
full:
    at(c, 0, -1, 0);
    put(fail(c, obj), "the strings take more than the pool's bytes; shorten the arguments "
                      "and environment");
    return -1;
}

static int parse(struct pc *c, int obj)
{
    int val[F_N];
    struct posix_config *o = c->out;
    if (members(c, obj, val))
        return -1;
    at(c, "program", -1, 0);
    if (val[F_PROGRAM] < 0) {
        put(fail(c, obj), "is missing; name the boot module holding the static ELF, "
                          "e.g. program: hello");
        return -1;
    }
    if (!(o->program = module_name(c, val[F_PROGRAM])) || add_rom(c, val[F_PROGRAM], o->program))
        return -1;
    if ((val[F_ARGS] >= 0 && args_field(c, val[F_ARGS])) ||
        (val[F_ENV] >= 0 && env_field(c, val[F_ENV])))
        return -1;
    at(c, "cwd", -1, 0);
    if (val[F_CWD] >= 0 && !(o->cwd = path_str(c, val[F_CWD], "/")))
        return -1;
    if (streams(c, val) || mounts_and_roms(c, val))
        return -1;
    o->stack = POSIX_STACK_DEF;
    at(c, "stack", -1, 0);
    if (val[F_STACK] >= 0 &&
        size_field(c, val[F_STACK], POSIX_STACK_MIN, POSIX_STACK_MAX, &o->stack))
        return -1;
    return defaults(c, obj);
}

int posix_config_parse(const struct kide_json_doc *doc, int obj_token, struct posix_config *out,
                       char *err, size_t errlen)
{
    struct pc c = {.doc = doc, .out = out, .m = {err, errlen, 0}};
    clear(out);
    if (errlen)
        err[0] = 0;
    if (!doc || obj_token < 0 || (kide_u32)obj_token >= doc->ntok) {
        at(&c, 0, -1, 0);
        put(fail(&c, -1), "no such value in the document (bad token index)");
        return -1;
    }
    if (parse(&c, obj_token) == 0)
        return 0;
    int tok = out->err_token;
    clear(out);
    out->err_token = tok;
    return -1;
}
