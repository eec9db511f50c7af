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
    struct kide_parent_chan ch = {.pt = env->parent};
    struct kide_parent_close_req req = {.handle = handle};
    kide_parent_close(&ch, &req);
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
    struct kide_parent_chan ch = {.pt = env->parent};
    struct kide_parent_open_req req = {.ram = ram, .service = service, .args = args};
    struct kide_parent_open_rep rep;
    kide_sel got;
    /* NOT_FOUND also without a parent portal: the root habitat. */
    int st = kide_parent_open(&ch, &req, sel, &rep, &got);
    if (st == KIDE_OK) {
        kide_u64 handle = rep.handle;
        int have_pt = got == sel;
        if (!have_pt) {
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
    struct kide_parent_chan ch = {.pt = env->parent};
    struct kide_parent_upgrade_req req = {.handle = s->handle, .ram = ram};
    int st = kide_parent_upgrade(&ch, &req);
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
