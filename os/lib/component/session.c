/* SPDX-License-Identifier: MIT */
/* Client side: sessions opened through the parent.
 *
 * The session portal arrives as a typed item in a selector the runtime
 * allocates; a reply that says OK without delivering it there is treated as
 * malformed (the session is closed again and KIDE_BAD_PARAM returned).
 */
#include <kide/base.h>
#include "rt.h"

static void parent_close(struct kide_env *env, kide_u64 handle)
{
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_PARENT_CLOSE);
    kide_msg_put(&m, handle);
    kide_msg_call(&m, env->parent, 0);
}

int kide_session_open(struct kide_env *env, const char *service, const char *args, kide_u64 ram,
                      struct kide_session *s)
{
    if (!s)
        return KIDE_BAD_PARAM;
    memset(s, 0, sizeof(*s));
    if (!args)
        args = "";
    if (!service || !*service || strnlen(service, RT_SERVICE_NAME_MAX + 1) > RT_SERVICE_NAME_MAX ||
        strnlen(args, RT_ARGS_MAX + 1) > RT_ARGS_MAX)
        return KIDE_BAD_PARAM;
    kide_sel sel = kide_sel_alloc(0);
    if (!sel)
        return KIDE_QUOTA;
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_PARENT_OPEN);
    kide_msg_put(&m, ram);
    kide_msg_put_str(&m, service);
    kide_msg_put_str(&m, args);
    int st = kide_msg_call(&m, env->parent, sel);
    if (st == KIDE_BAD_CAP && m.n == 0)
        st = KIDE_NOT_FOUND; /* no parent: the root habitat */
    if (st == KIDE_OK) {
        kide_u64 handle = kide_msg_get(&m);
        int have_pt = m.rcv == sel;
        if (m.bad) {
            st = KIDE_BAD_PARAM;
        } else if (!have_pt) {
            parent_close(env, handle);
            st = KIDE_BAD_PARAM;
        } else {
            s->pt = sel;
            s->handle = handle;
            s->donated = ram;
            return KIDE_OK;
        }
    }
    kide_cap_drop(sel);
    return st;
}

int kide_session_upgrade(struct kide_env *env, struct kide_session *s, kide_u64 ram)
{
    if (!s || !s->pt)
        return KIDE_BAD_PARAM;
    if (!ram)
        return KIDE_OK;
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_PARENT_UPGRADE);
    kide_msg_put(&m, s->handle);
    kide_msg_put(&m, ram);
    int st = kide_msg_call(&m, env->parent, 0);
    if (st == KIDE_OK)
        s->donated += ram;
    return st;
}

void kide_session_close(struct kide_env *env, struct kide_session *s)
{
    if (!s || !s->pt)
        return;
    parent_close(env, s->handle);
    kide_cap_drop(s->pt);
    memset(s, 0, sizeof(*s));
}
