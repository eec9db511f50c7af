/* SPDX-License-Identifier: MIT */
/* req.c: one request body -> a validated struct kagent_req.
 *
 * Every request is checked here, once, against a table of fields: which ops
 * may carry a field, which need it, its type and range. Anything else (an
 * unknown op or field, a wrong type, a value out of range, a string with a
 * character outside its set or too long) is `bad-request` with a message
 * naming the field and what it must be, so a typo never passes silently.
 * After this, ops.c trusts the struct. Strings are copied out of the
 * request; only `config` and `children` (raw JSON handed on to hoitaja,
 * which validates configurations itself) point into the body.
 */
#include "kagent.h"

#define OPB(op) (1u << (op))

/** How a field is read. */
enum fkind {
    F_NAME,     /* [a-z0-9-], 1..32 */
    F_TEXT,     /* printable ASCII, 1..size-1 */
    F_HEX8,     /* exactly 8 lowercase hex digits */
    F_U64,      /* integer min..max */
    F_BOOL,     /* true / false */
    F_OBJECT,   /* any object: kept raw */
    F_ARRAY,    /* any array: kept raw */
    F_VERSIONS, /* array of 1..16 integers 1..31 */
    F_NAMES,    /* array of 0..KAGENT_WATCH_NAMES names */
};

struct field {
    const char *name;
    enum fkind kind;
    kide_u32 ops;      /* OPB() of the ops that may carry it */
    kide_u32 required; /* OPB() of the ops that need it */
    kide_u64 min, max;
    __SIZE_TYPE__ off, size; /* where it goes in struct kagent_req */
    kide_u32 has;            /* KREQ_HAS_* to set when present */
};

#define AT(f)   __builtin_offsetof(struct kagent_req, f), sizeof(((struct kagent_req *)0)->f)
#define ID_MAX  ((1ull << 53) - 1)
#define HAB_OPS (OPB(KOP_HAB_CREATE) | OPB(KOP_HAB_RESIZE))
#define COMPONENT_OPS                                                                              \
    (OPB(KOP_LOGS) | OPB(KOP_START) | OPB(KOP_STOP) | OPB(KOP_RESTART) | OPB(KOP_SET))

static const struct field fields[] = {
        {"versions", F_VERSIONS, OPB(KOP_HELLO), OPB(KOP_HELLO), 1, 31, AT(versions), 0},
        {"client", F_TEXT, OPB(KOP_HELLO), 0, 0, 0, AT(client), 0},
        {"token", F_TEXT, OPB(KOP_ENROL), OPB(KOP_ENROL), 0, 0, AT(token), 0},
        {"name", F_NAME, OPB(KOP_ENROL) | HAB_OPS | OPB(KOP_HAB_REMOVE),
         OPB(KOP_ENROL) | HAB_OPS | OPB(KOP_HAB_REMOVE), 0, 0, AT(name), 0},
        {"csr_spki", F_TEXT, OPB(KOP_ENROL), OPB(KOP_ENROL), 0, 0, AT(csr_spki), 0},
        {"hz", F_U64, OPB(KOP_WATCH), 0, 1, 20, AT(hz), 0},
        {"components", F_NAMES, OPB(KOP_WATCH), 0, 0, 0, AT(components), 0},
        {"after", F_U64, OPB(KOP_EVENTS), 0, 0, ID_MAX, AT(after), 0},
        {"follow", F_BOOL, OPB(KOP_EVENTS) | OPB(KOP_LOGS), 0, 0, 0, AT(follow), 0},
        {"component", F_NAME, COMPONENT_OPS, COMPONENT_OPS, 0, 0, AT(component), 0},
        {"tail", F_U64, OPB(KOP_LOGS), 0, 0, 1000, AT(tail), 0},
        {"config", F_OBJECT, OPB(KOP_APPLY), OPB(KOP_APPLY), 0, 0, AT(config), 0},
        {"generation", F_U64, OPB(KOP_APPLY), OPB(KOP_APPLY), 1, ID_MAX, AT(generation),
         KREQ_HAS_GENERATION},
        {"partial", F_BOOL, OPB(KOP_APPLY), 0, 0, 0, AT(partial), 0},
        {"dry_run", F_BOOL, OPB(KOP_APPLY), 0, 0, 0, AT(dry_run), 0},
        {"ram", F_U64, OPB(KOP_SET) | HAB_OPS, OPB(KOP_HAB_CREATE), 4096, 1ull << 46, AT(ram),
         KREQ_HAS_RAM},
        {"cpu", F_U64, OPB(KOP_SET) | HAB_OPS, OPB(KOP_HAB_CREATE), 0, 100, AT(cpu), KREQ_HAS_CPU},
        {"caps", F_U64, OPB(KOP_SET) | HAB_OPS, OPB(KOP_HAB_CREATE), 16, 1000000, AT(caps),
         KREQ_HAS_CAPS},
        {"children", F_ARRAY, OPB(KOP_HAB_CREATE), 0, 0, 0, AT(children), KREQ_HAS_CHILDREN},
        {"registry", F_TEXT, OPB(KOP_INSTALL), OPB(KOP_INSTALL), 0, 0, AT(registry), 0},
        {"package", F_TEXT, OPB(KOP_INSTALL), OPB(KOP_INSTALL), 0, 0, AT(package), 0},
        {"start", F_BOOL, OPB(KOP_INSTALL), 0, 0, 0, AT(start), 0},
        {"habitat", F_NAME, OPB(KOP_TOKEN_CREATE), OPB(KOP_TOKEN_CREATE), 0, 0, AT(habitat), 0},
        {"ttl_s", F_U64, OPB(KOP_TOKEN_CREATE), OPB(KOP_TOKEN_CREATE), 60, 86400, AT(ttl_s), 0},
        {"token_id", F_HEX8, OPB(KOP_TOKEN_REVOKE), OPB(KOP_TOKEN_REVOKE), 0, 0, AT(token_id), 0},
        {"target", F_U64, OPB(KOP_CANCEL), OPB(KOP_CANCEL), 1, ID_MAX, AT(target), 0},
};
#define NFIELDS (sizeof fields / sizeof fields[0])

static const char *const op_names[KOP_COUNT] = {
        "hello",          "enrol",        "state",      "config",         "watch",
        "events",         "logs",         "apply",      "start",          "stop",
        "restart",        "set",          "install",    "habitat-create", "habitat-resize",
        "habitat-remove", "token-create", "token-list", "token-revoke",   "cancel",
};

static const char *const err_names[] = {
        "",      "bad-request", "too-large", "version",     "hello-first", "denied",   "not-found",
        "stale", "busy",        "rejected",  "unavailable", "token",       "internal",
};

const char *kagent_op_name(enum kagent_op op)
{
    return (unsigned)op < KOP_COUNT ? op_names[op] : "?";
}

const char *kagent_err_name(enum kagent_err e)
{
    return (unsigned)e < sizeof err_names / sizeof err_names[0] ? err_names[e] : "internal";
}

__attribute__((format(printf, 3, 4))) static enum kagent_err bad(char *msg, __SIZE_TYPE__ cap,
                                                                 const char *fmt, ...)
{
    __builtin_va_list ap;
    __builtin_va_start(ap, fmt);
    vsnprintf(msg, cap, fmt, ap);
    __builtin_va_end(ap);
    return KERR_BAD_REQUEST;
}

static int is_name_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
}

/* Copy string token t into dst (size bytes) and check its character set. */
static int get_str(const struct kide_json_doc *d, int t, enum fkind k, char *dst,
                   __SIZE_TYPE__ size)
{
    int n = kide_json_get_string(d, t, dst, size);
    if (n <= 0)
        return -1; /* not a string, too long, or empty */
    for (int i = 0; i < n; i++) {
        char ch = dst[i];
        if (k == F_NAME && !is_name_char(ch))
            return -1;
        if (k == F_TEXT && (ch < 0x20 || ch > 0x7e))
            return -1;
        if (k == F_HEX8 && !((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
            return -1;
    }
    if (k == F_NAME && n > (int)KAGENT_NAME_MAX)
        return -1;
    if (k == F_HEX8 && n != 8)
        return -1;
    return 0;
}

static const char *what(const struct field *f)
{
    switch (f->kind) {
    case F_NAME:
        return "a name of 1..32 characters [a-z0-9-]";
    case F_TEXT:
        return "a non-empty string of printable ASCII (not too long)";
    case F_HEX8:
        return "8 lowercase hex digits";
    case F_U64:
        return "an integer in its range (docs/formats/kuori-protocol.md)";
    case F_BOOL:
        return "true or false";
    case F_OBJECT:
        return "an object";
    case F_ARRAY:
        return "an array";
    case F_VERSIONS:
        return "an array of 1..16 integers 1..31";
    case F_NAMES:
        return "an array of at most 16 names [a-z0-9-]";
    }
    return "?";
}

/* Read value token t of field f into req. 0 or -1. */
static int get_field(const struct kide_json_doc *d, int t, const struct field *f,
                     struct kagent_req *req)
{
    char *dst = (char *)req + f->off;
    const struct kide_json_tok *tk = &d->tok[t];
    switch (f->kind) {
    case F_NAME:
    case F_TEXT:
    case F_HEX8:
        return get_str(d, t, f->kind, dst, f->size);
    case F_U64: {
        kide_u64 v;
        if (kide_json_get_u64(d, t, &v) < 0 || v < f->min || v > f->max)
            return -1;
        if (f->size == sizeof(kide_u32))
            *(kide_u32 *)(void *)dst = (kide_u32)v;
        else
            *(kide_u64 *)(void *)dst = v;
        return 0;
    }
    case F_BOOL:
        return kide_json_get_bool(d, t, (_Bool *)dst) < 0 ? -1 : 0;
    case F_OBJECT:
    case F_ARRAY:
        if (kide_json_type(d, t) != (f->kind == F_OBJECT ? KIDE_JSON_OBJECT : KIDE_JSON_ARRAY))
            return -1;
        /* Containers: start is the opening bracket, end one past the closing one. */
        *(const char **)(void *)dst = d->buf + tk->start;
        if (f->kind == F_OBJECT)
            req->config_len = tk->end - tk->start;
        else
            req->children_len = tk->end - tk->start;
        return 0;
    case F_VERSIONS: {
        if (kide_json_type(d, t) != KIDE_JSON_ARRAY || tk->count < 1 || tk->count > 16)
            return -1;
        for (int e = kide_json_first(d, t); e >= 0; e = kide_json_next(d, e)) {
            kide_u64 v;
            if (kide_json_get_u64(d, e, &v) < 0 || v < 1 || v > 31)
                return -1;
            req->versions |= 1u << v;
        }
        return 0;
    }
    case F_NAMES: {
        if (kide_json_type(d, t) != KIDE_JSON_ARRAY || tk->count > KAGENT_WATCH_NAMES)
            return -1;
        for (int e = kide_json_first(d, t); e >= 0; e = kide_json_next(d, e))
            if (get_str(d, e, F_NAME, req->components[req->ncomponents++],
                        sizeof req->components[0]) < 0)
                return -1;
        return 0;
    }
    }
    return -1;
}

static const struct field *field_named(const struct kide_json_doc *d, int key)
{
    for (unsigned i = 0; i < NFIELDS; i++)
        if (kide_json_str_eq(d, key, fields[i].name))
            return &fields[i];
    return 0;
}

/* Checks between fields, after each field is valid on its own. */
static enum kagent_err cross_check(struct kagent_req *req, char *msg, __SIZE_TYPE__ cap)
{
    const char *op = kagent_op_name(req->op);
    if ((req->op == KOP_SET || req->op == KOP_HAB_RESIZE) &&
        !(req->has & (KREQ_HAS_RAM | KREQ_HAS_CPU | KREQ_HAS_CAPS)))
        return bad(msg, cap, "%s needs at least one of 'ram', 'cpu', 'caps'", op);
    if ((req->has & KREQ_HAS_RAM) && req->ram % 4096)
        return bad(msg, cap, "'ram' must be a multiple of 4096 bytes (%s)", op);
    if (req->op >= KOP_HAB_CREATE && req->op <= KOP_HAB_REMOVE &&
        !(req->name[0] >= 'a' && req->name[0] <= 'z'))
        return bad(msg, cap, "%s: 'name' must start with a letter [a-z]", op);
    return KERR_NONE;
}

enum kagent_err kagent_req_decode(const char *body, kide_u32 len, struct kagent_req *req, char *msg,
                                  __SIZE_TYPE__ cap)
{
    /* One thread decodes one request at a time: the token array (96 KiB) is static. */
    static struct kide_json_tok tok[KAGENT_REQ_TOKENS];
    struct kide_json_doc d;
    struct kide_json_error jerr;
    struct kide_json_limits lim = {KAGENT_REQ_DEPTH, 0};
    memset(req, 0, sizeof *req);
    req->hz = 1;
    req->tail = 100;
    msg[0] = 0;
    int rc = kide_json_parse(&d, body, len, tok, KAGENT_REQ_TOKENS, &lim, &jerr);
    if (rc < 0) {
        char where[96];
        kide_json_error_format(&jerr, where, sizeof where);
        if (rc == KIDE_JSON_ETOKENS || rc == KIDE_JSON_EDEPTH) {
            /* Beyond the protocol's limits: the caller closes the connection. */
            bad(msg, cap, "more than 4096 JSON values or nesting deeper than 16: %s", where);
            return KERR_TOO_LARGE;
        }
        return bad(msg, cap, "not JSON: %s", where);
    }
    if (kide_json_type(&d, 0) != KIDE_JSON_OBJECT)
        return bad(msg, cap, "a request is a JSON object");
    /* id first, so every later error can carry it. */
    int t = kide_json_find(&d, 0, "id");
    kide_u64 id;
    if (t < 0 || kide_json_get_u64(&d, t, &id) < 0 || id < 1 || id > ID_MAX)
        return bad(msg, cap, "'id' must be an integer 1..2^53-1");
    req->id = id;
    t = kide_json_find(&d, 0, "op");
    char op[24];
    if (t < 0 || kide_json_get_string(&d, t, op, sizeof op) < 0)
        return bad(msg, cap, "'op' must be a string naming an operation");
    req->op = KOP_COUNT;
    for (unsigned i = 0; i < KOP_COUNT; i++)
        if (!strcmp(op, op_names[i]))
            req->op = (enum kagent_op)i;
    if (req->op == KOP_COUNT)
        return bad(msg, cap, "unknown op '%s' (see docs/formats/kuori-protocol.md)", op);
    kide_u32 seen = 0;
    for (int k = kide_json_first(&d, 0); k >= 0; k = kide_json_next(&d, k)) {
        if (kide_json_str_eq(&d, k, "id") || kide_json_str_eq(&d, k, "op"))
            continue;
        const struct field *f = field_named(&d, k);
        if (!f || !(f->ops & OPB(req->op))) {
            char key[40];
            if (kide_json_get_string(&d, k, key, sizeof key) < 0)
                memcpy(key, "(long key)", 11);
            for (char *p = key; *p; p++)
                if (*p < 0x20 || *p > 0x7e)
                    *p = '?';
            return bad(msg, cap, "unknown field '%s' for op '%s'", key, op);
        }
        if (get_field(&d, k + 1, f, req) < 0)
            return bad(msg, cap, "'%s' must be %s", f->name, what(f));
        seen |= 1u << (f - fields);
        req->has |= f->has;
    }
    for (unsigned i = 0; i < NFIELDS; i++)
        if ((fields[i].required & OPB(req->op)) && !(seen & (1u << i)))
            return bad(msg, cap, "op '%s' needs field '%s'", op, fields[i].name);
    return cross_check(req, msg, cap);
}
