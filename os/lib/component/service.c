/* SPDX-License-Identifier: MIT */
/* Server side: announcing a service to the parent.
 *
 * The service's root portal goes to the parent with KIDE_PARENT_ANNOUNCE as
 * a typed item; from then on the parent calls it (KIDE_SRV_OPEN/CLOSE) and
 * the handler EC runs the service's ops (portal.c). A failed announce takes
 * the portal back, so nothing is left half made.
 */
#include <kide/base.h>
#include "rt.h"

int kide_service_announce(struct kide_env *env, const char *service,
                          const struct kide_service_ops *ops)
{
    if (!service || !*service || strnlen(service, RT_SERVICE_NAME_MAX + 1) > RT_SERVICE_NAME_MAX ||
        !ops || !ops->open || !ops->close || !ops->call)
        return KIDE_BAD_PARAM;
    kide_u64 id;
    kide_sel pt;
    int st = rt_portal_new(RT_PT_SERVICE, kide_cpu(env), 0, ops, 0, 0, &id, &pt);
    if (st != KIDE_OK)
        return st;
    struct kide_parent_chan ch = {.pt = env->parent};
    st = kide_parent_announce(&ch, service, pt); /* NOT_FOUND without a parent: the root habitat */
    if (st != KIDE_OK)
        rt_portal_drop(id);
    return st;
}
