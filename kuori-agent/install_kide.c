/* SPDX-License-Identifier: MIT */
/* install_kide.c: see install_kide.h.
 *
 * Each archive: GET the .tar.xz (at most KIKI_ARCHIVE_MAX bytes) and its .sig
 * (exactly 64) with a deadline each, depot_verify over the exact bytes with
 * the keys configured for the archive's user, and only then depot_unpack.
 * The fetch buffer and the unpack heap (about 13 MiB: 2 MiB of archive, the
 * unpacked tar and goa's 8 MiB xz dictionary) are taken from the agent's RAM
 * once at start and kept (see take()); an agent whose quota cannot spare them
 * says how much it needs and answers install with `unavailable`. The store's
 * RAM (store_bytes) comes on top, as programs are added.
 * The fetches share the agent's socket session: a notification of another
 * socket taken during an install only delays that socket to the main loop's
 * next pass (at most its 1 s wait).
 */
#include <kide/base.h>
#include <kide/component.h>
#include <kide/pkg_fetch.h>
#include <kide/pkg_store.h>

#include "install_kide.h"
#include "kagent.h"

#define FETCH_CAP (KIKI_ARCHIVE_MAX + PKG_HTTP_HEAD_MAX)
#define SIG_CAP   (DEPOT_SIG_LEN + PKG_HTTP_HEAD_MAX)
/* The unpacked tar, then the xz decoder: goa's 8 MiB dictionary and its state. */
#define HEAP_BYTES (KIKI_UNPACKED_MAX + (9u << 20) + (256u << 10))

static struct pkg_store store;
static struct kide_env *env_;
static struct kide_sock_client *sc_;
static const kide_sel *sm_; /* main.c's: it changes when the session is re-opened */
static const struct kiki_keys *keys_;
static kide_u8 sig[SIG_CAP];

struct work {
    void *buf, *heap; /* FETCH_CAP and HEAP_BYTES of RAM, for one archive */
    kide_u64 len;     /* archive bytes in buf */
    kide_u8 sha[32];
};

static void sha256(const kide_u8 *data, kide_u64 len, kide_u8 out[32])
{
    depot_sha256(data, len, out);
}

/* The download buffer and the unpack heap, taken once at start (kiki_start) and
 * kept: the runtime's dataspace addresses only grow, so allocating them per
 * install would use up core's page records of the agent's account. */
static void *fetch_buf, *unpack_heap;

static int take(struct work *w, char *err, __SIZE_TYPE__ cap)
{
    (void)err, (void)cap;
    w->buf = fetch_buf;
    w->heap = unpack_heap;
    return KINST_OK;
}

static void give_back(struct work *w)
{
    w->buf = w->heap = 0;
}

/* Whether text contains word (the freestanding base has no strstr). */
static int contains(const char *text, const char *word)
{
    __SIZE_TYPE__ n = strlen(word);
    for (; *text; text++)
        if (!strncmp(text, word, n))
            return 1;
    return 0;
}

static int get(const struct kinst_registry *reg, const char *path, kide_u64 max, void *buf,
               kide_u64 cap, kide_u64 *len, char *err, __SIZE_TYPE__ errcap)
{
    char why[PKG_HTTP_ERR_MAX];
    struct pkg_http_req req = {reg->ip, reg->port, reg->host, path, KIKI_FETCH_MS};
    int st = pkg_http_get(sc_, *sm_, &req, max, buf, cap, len, why, sizeof why);
    if (st == KIDE_OK)
        return KINST_OK;
    snprintf(err, errcap, "GET http://%s%s: %s", reg->host, path, why);
    if (st == KIDE_NOT_FOUND)
        return KINST_NOTFOUND;
    if (st == KIDE_BAD_PARAM) /* the head parser's refusal of a too long body says so */
        return contains(why, "more than the") ? KINST_TOOBIG : KINST_REFUSED;
    return KINST_UNREACHABLE;
}

/* Fetch path's archive and signature and verify them with the keys of the
 * archive's user (its first segment). */
static int fetch_verified(const struct kinst_registry *reg, const char *path, struct work *w,
                          char *err, __SIZE_TYPE__ cap)
{
    char url[KINST_PATH_MAX + 16];
    struct depot_pubkey mine[KIKI_KEYS_MAX];
    struct depot_err derr;
    kide_u64 slen = 0;
    __SIZE_TYPE__ n = 0, ulen = 0;
    while (path[ulen] && path[ulen] != '/')
        ulen++;
    for (unsigned i = 0; i < keys_->n; i++)
        if (strlen(keys_->user[i]) == ulen && !memcmp(keys_->user[i], path, ulen))
            mine[n++] = keys_->key[i];
    if (!n) {
        snprintf(err, cap,
                 "no key of user '%.*s' is configured for this habitat: add {user, pem} to "
                 "the agent's `keys` (goa key show prints the pem)",
                 (int)ulen, path);
        return KINST_REFUSED;
    }
    snprintf(url, sizeof url, "/%s.tar.xz", path);
    int st = get(reg, url, KIKI_ARCHIVE_MAX, w->buf, FETCH_CAP, &w->len, err, cap);
    if (st != KINST_OK)
        return st;
    snprintf(url, sizeof url, "/%s.tar.xz.sig", path);
    if ((st = get(reg, url, DEPOT_SIG_LEN, sig, sizeof sig, &slen, err, cap)) != KINST_OK)
        return st;
    if (depot_verify(w->buf, w->len, sig, slen, mine, n, 0, w->sha, &derr) != DEPOT_OK) {
        snprintf(err, cap, "refused before unpacking: %s", derr.msg);
        return KINST_REFUSED;
    }
    return KINST_OK;
}

struct pkg_walk {
    struct kinst_pkg *out;
    int have_runtime, have_archives;
};

static int on_pkg_file(void *ctx, const struct depot_file *f, struct depot_err *err)
{
    static struct depot_runtime rt; /* one thread; 6 KiB */
    struct pkg_walk *pw = ctx;
    struct kinst_pkg *o = pw->out;
    if (f->is_dir)
        return 0;
    if (!strcmp(f->path, "archives")) {
        if (f->size >= sizeof o->archives) {
            snprintf(err->msg, sizeof err->msg, "`archives` is longer than %u bytes",
                     (unsigned)sizeof o->archives - 1);
            return -1;
        }
        memcpy(o->archives, f->data, f->size);
        o->archives[f->size] = 0;
        pw->have_archives = 1;
    } else if (!strcmp(f->path, "runtime")) {
        if (depot_pkg_runtime((const char *)f->data, f->size, &rt, err) != DEPOT_OK)
            return -1;
        if (!rt.binary[0] || strlen(rt.binary) >= sizeof o->binary || rt.caps <= 0 ||
            rt.cpu_quota < 0 || rt.cpu_quota > 100) {
            snprintf(err->msg, sizeof err->msg,
                     "`runtime` needs a binary, caps > 0 and cpu_quota 0..100");
            return -1;
        }
        memcpy(o->binary, rt.binary, strlen(rt.binary) + 1);
        o->ram = rt.ram;
        o->caps = (kide_u64)rt.caps;
        o->cpu = (kide_u64)rt.cpu_quota;
        o->nrequires = 0;
        for (__SIZE_TYPE__ i = 0; i < rt.n_requires && i < KINST_REQUIRES_MAX; i++) {
            memcpy(o->requires[i], rt.requires[i], sizeof o->requires[i]);
            o->requires[i][sizeof o->requires[i] - 1] = 0;
            o->nrequires++;
        }
        pw->have_runtime = 1;
    }
    return 0;
}

static int unpack(struct work *w, depot_file_fn fn, void *ctx, char *err, __SIZE_TYPE__ cap)
{
    struct depot_limits lim = {.max_files = 64, .max_unpacked = KIKI_UNPACKED_MAX};
    struct depot_err derr;
    int rc = depot_unpack(w->buf, w->len, w->heap, HEAP_BYTES, &lim, fn, ctx, &derr);
    if (rc == DEPOT_OK)
        return KINST_OK;
    snprintf(err, cap, "%s", derr.msg);
    return rc == DEPOT_ELIMIT ? KINST_TOOBIG : rc == DEPOT_ENOMEM ? KINST_QUOTA : KINST_REFUSED;
}

static int ki_pkg(void *ctx, const struct kinst_registry *reg, const char *path,
                  struct kinst_pkg *out, char *err, __SIZE_TYPE__ cap)
{
    struct work w;
    struct pkg_walk pw = {out, 0, 0};
    (void)ctx;
    int st = take(&w, err, cap);
    if (st == KINST_OK)
        st = fetch_verified(reg, path, &w, err, cap);
    if (st == KINST_OK)
        st = unpack(&w, on_pkg_file, &pw, err, cap);
    if (st == KINST_OK && (!pw.have_runtime || !pw.have_archives)) {
        snprintf(err, cap, "not a pkg archive: it has no %s (export it with goa)",
                 pw.have_runtime ? "`archives`" : "`runtime`");
        st = KINST_REFUSED;
    }
    if (st == KINST_OK)
        memcpy(out->sha256, w.sha, 32);
    give_back(&w);
    return st;
}

struct bin_walk {
    const char *binary, *name;
    int found, status;
};

/* The bin archive holds the program under the runtime's binary name. depot_unpack
 * calls this only once the whole archive was checked, so the add sees only
 * accepted bytes; the store copies them before the heap is reused. */
static int on_bin_file(void *ctx, const struct depot_file *f, struct depot_err *err)
{
    struct bin_walk *bw = ctx;
    if (f->is_dir || strcmp(f->path, bw->binary))
        return 0;
    struct pkg_add_file prog = {"", f->data, f->size};
    int rc = pkg_store_add(&store, bw->name, &prog, 1);
    bw->found = 1;
    if (rc == KIDE_OK || rc == KIDE_BUSY) /* BUSY: stored before; versions are immutable */
        return 0;
    bw->status = rc == KIDE_QUOTA ? KINST_QUOTA : KINST_REFUSED;
    snprintf(err->msg, sizeof err->msg,
             rc == KIDE_QUOTA ? "the store holds %lu of its %lu bytes and %u packages: raise "
                                "the agent's store_bytes (and ram)"
                              : "the store refused the program (%lu of %lu bytes used, %u "
                                "packages at most)",
             (unsigned long)store.bytes, (unsigned long)store.max_bytes, store.max_packages);
    return -1;
}

static int ki_bin(void *ctx, const struct kinst_registry *reg, const char *path, const char *binary,
                  const char *store_name, kide_u8 sha256_out[32], char *err, __SIZE_TYPE__ cap)
{
    struct work w;
    struct bin_walk bw = {binary, store_name, 0, KINST_OK};
    (void)ctx;
    int st = take(&w, err, cap);
    if (st == KINST_OK)
        st = fetch_verified(reg, path, &w, err, cap);
    if (st == KINST_OK) {
        st = unpack(&w, on_bin_file, &bw, err, cap);
        if (bw.status != KINST_OK)
            st = bw.status;
    }
    if (st == KINST_OK && !bw.found) {
        snprintf(err, cap, "the archive holds no program '%s' (the runtime's binary)", binary);
        st = KINST_REFUSED;
    }
    if (st == KINST_OK)
        memcpy(sha256_out, w.sha, 32);
    give_back(&w);
    return st;
}

int kiki_start(struct kide_env *env, struct kide_sock_client *sc, const kide_sel *sm,
               const struct kiki_keys *keys, kide_u64 store_bytes, struct kagent_installer *in)
{
    env_ = env;
    sc_ = sc;
    sm_ = sm;
    keys_ = keys;
    int st = kide_ram_alloc(env, FETCH_CAP, &fetch_buf);
    if (st == KIDE_OK && (st = kide_ram_alloc(env, HEAP_BYTES, &unpack_heap)) != KIDE_OK)
        kide_ram_free(env, fetch_buf, FETCH_CAP);
    if (st != KIDE_OK) {
        kide_log(env,
                 "kuori-agent: install needs %lu MiB of RAM for the download and unpacking "
                 "besides the store: raise the agent's ram",
                 (unsigned long)((FETCH_CAP + HEAP_BYTES) >> 20) + 1);
        return st;
    }
    st = pkg_store_init(&store, env, KIKI_PACKAGES, store_bytes, sha256);
    if (st == KIDE_OK)
        st = pkg_serve(&store);
    if (st != KIDE_OK)
        return st;
    in->ctx = 0;
    in->pkg = ki_pkg;
    in->bin = ki_bin;
    return KIDE_OK;
}
