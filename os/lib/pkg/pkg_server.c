/* SPDX-License-Identifier: MIT */
/* The `Pkg` service over a package store (os/abi/kide/pkg.h): every request
 * decoded once, names bounded and checked, the bytes copied out of the store
 * under its lock into the reply. Sessions carry no state: every request names
 * its package, so a removed package answers NOT_FOUND. */
#include <kide/base.h>
#include "kide/pkg_store.h"

static struct pkg_store *served; /* set once by pkg_serve, before the announce */

static void *pkg_session_open(struct kide_env *env, const char *label, const char *args,
                              kide_u64 ram, int *status)
{
    (void)env, (void)label, (void)args, (void)ram, (void)status;
    return served;
}

static void pkg_session_close(struct kide_env *env, void *session)
{
    (void)env, (void)session;
}

/* The two strings every request ends with: package and file names. */
static int get_names(struct kide_rpc *rpc, char *name, char *file)
{
    kide_msg_get_str(&rpc->in, name, KIDE_PKG_NAME_MAX + 1);
    kide_msg_get_str(&rpc->in, file, KIDE_PKG_FILE_MAX + 1);
    return rpc->in.bad || !pkg_name_valid(name) ? KIDE_BAD_PARAM : KIDE_OK;
}

static int pkg_session_call(struct kide_env *env, void *session, struct kide_rpc *rpc)
{
    struct pkg_store *st = session;
    char name[KIDE_PKG_NAME_MAX + 1], file[KIDE_PKG_FILE_MAX + 1];
    kide_u8 buf[KIDE_PKG_READ_MAX], sha[32];
    kide_u64 n, size;
    (void)env;
    if (rpc->op == KIDE_PKG_OPEN) {
        if (get_names(rpc, name, file) != KIDE_OK)
            return KIDE_BAD_PARAM;
        int rc = pkg_store_read(st, name, file, 0, 0, 0, &n, &size, sha);
        if (rc != KIDE_OK)
            return rc;
        kide_msg_put(&rpc->out, size);
        for (unsigned i = 0; i < 4; i++) {
            kide_u64 w;
            memcpy(&w, sha + 8 * i, 8);
            kide_msg_put(&rpc->out, w);
        }
        return KIDE_OK;
    }
    if (rpc->op == KIDE_PKG_READ) {
        kide_u64 off = kide_msg_get(&rpc->in), len = kide_msg_get(&rpc->in);
        if (get_names(rpc, name, file) != KIDE_OK || !len || len > KIDE_PKG_READ_MAX)
            return KIDE_BAD_PARAM;
        int rc = pkg_store_read(st, name, file, off, buf, len, &n, &size, 0);
        if (rc != KIDE_OK)
            return rc;
        kide_msg_put_bytes(&rpc->out, buf, n);
        return rpc->out.bad ? KIDE_BAD_PARAM : KIDE_OK;
    }
    return KIDE_BAD_PARAM;
}

int pkg_serve(struct pkg_store *st)
{
    static const struct kide_service_ops ops = {
            .open = pkg_session_open, .close = pkg_session_close, .call = pkg_session_call};
    if (!st || !st->entry)
        return KIDE_BAD_PARAM;
    served = st;
    return kide_service_announce(st->env, KIDE_PKG_SERVICE, &ops);
}
