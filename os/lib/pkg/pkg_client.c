/* SPDX-License-Identifier: MIT */
/* The `Pkg` client: OPEN and READ packed and their replies checked; see
 * kide/pkg_client.h. */
#include <kide/base.h>
#include "kide/pkg_client.h"

static int direct_call(const struct pkg_chan *ch, struct kide_msg *m)
{
    return kide_msg_call(m, ch->pt, 0);
}

struct pkg_chan pkg_chan_direct(kide_sel pt)
{
    return (struct pkg_chan){.pt = pt, .call = direct_call, .ctx = 0};
}

static int names_ok(const char *name, const char *file)
{
    return name && file && name[0] && strlen(name) <= KIDE_PKG_NAME_MAX &&
           strlen(file) <= KIDE_PKG_FILE_MAX;
}

int pkg_open(const struct pkg_chan *ch, const char *name, const char *file,
             struct kide_pkg_open_rep *rep)
{
    struct kide_msg m;
    if (!names_ok(name, file))
        return KIDE_BAD_PARAM;
    kide_msg_begin(&m, KIDE_PKG_OPEN);
    kide_msg_put_str(&m, name);
    kide_msg_put_str(&m, file);
    int st = ch->call(ch, &m);
    if (st != KIDE_OK)
        return st;
    rep->size = kide_msg_get(&m);
    for (unsigned i = 0; i < 4; i++) {
        kide_u64 w = kide_msg_get(&m);
        memcpy(rep->sha256 + 8 * i, &w, 8);
    }
    return m.bad ? KIDE_BAD_PARAM : KIDE_OK;
}

/* One READ of want bytes at off into dst: exactly want bytes, or BAD_PARAM. */
static int read_chunk(const struct pkg_chan *ch, const char *name, const char *file, kide_u64 off,
                      kide_u8 *dst, kide_u64 want)
{
    struct kide_msg m;
    const void *p;
    kide_msg_begin(&m, KIDE_PKG_READ);
    kide_msg_put(&m, off);
    kide_msg_put(&m, want);
    kide_msg_put_str(&m, name);
    kide_msg_put_str(&m, file);
    int st = ch->call(ch, &m);
    if (st != KIDE_OK)
        return st;
    kide_u64 n = kide_msg_get_bytes(&m, &p, KIDE_PKG_READ_MAX);
    if (m.bad || n != want)
        return KIDE_BAD_PARAM;
    memcpy(dst, p, n);
    return KIDE_OK;
}

int pkg_fetch(struct kide_env *env, const struct pkg_chan *ch, const char *name, const char *file,
              kide_u64 max, void **image, kide_u64 *size, kide_u64 *alloc)
{
    struct kide_pkg_open_rep rep;
    *image = 0;
    *size = *alloc = 0;
    int st = pkg_open(ch, name, file, &rep);
    if (st != KIDE_OK)
        return st;
    *size = rep.size;
    if (!rep.size || rep.size > max)
        return KIDE_BAD_PARAM;
    kide_u64 bytes = (rep.size + 4095) & ~4095ull;
    void *buf;
    if ((st = kide_ram_alloc(env, bytes, &buf)) != KIDE_OK)
        return st;
    for (kide_u64 off = 0; off < rep.size && st == KIDE_OK; off += KIDE_PKG_READ_MAX) {
        kide_u64 want = rep.size - off < KIDE_PKG_READ_MAX ? rep.size - off : KIDE_PKG_READ_MAX;
        st = read_chunk(ch, name, file, off, (kide_u8 *)buf + off, want);
    }
    if (st != KIDE_OK) {
        kide_ram_free(env, buf, bytes);
        return st;
    }
    *image = buf;
    *alloc = bytes;
    return KIDE_OK;
}
