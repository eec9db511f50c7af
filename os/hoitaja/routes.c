/* SPDX-License-Identifier: MIT */
/* hoitaja routes: which way a child's session request goes, and client labels.
 *
 * A child's routes are an ordered list; the first whose service is the
 * requested one or "*" decides (the parser guarantees "*" is last and each
 * service appears once). No match means denied. Labels name a client by its
 * path from the root habitat: the root habitat itself is "init" and its
 * children are labelled by their bare name; deeper ones by the path.
 */
#include "hoitaja.h"

const struct hj_route *hj_route_find(const struct hj_child_cfg *c, const char *service)
{
    for (kide_u32 i = 0; i < c->nroutes; i++)
        if (!strcmp(c->routes[i].service, service) || !strcmp(c->routes[i].service, "*"))
            return &c->routes[i];
    return NULL;
}

int hj_provides(const struct hj_child_cfg *c, const char *service)
{
    for (kide_u32 i = 0; i < c->nprovides; i++)
        if (!strcmp(c->provides[i], service))
            return 1;
    return 0;
}

/* Append s to out at *pos; -1 when it does not fit. */
static int append(char *out, kide_u64 size, kide_u64 *pos, const char *s)
{
    kide_u64 n = strlen(s);
    if (*pos + n + 1 > size)
        return -1;
    memcpy(out + *pos, s, n + 1);
    *pos += n;
    return 0;
}

int hj_label(char *out, kide_u64 size, const char *habitat, const char *child, const char *suffix)
{
    kide_u64 pos = 0;
    if (!size)
        return -1;
    out[0] = 0;
    if (strcmp(habitat, "init") &&
        (append(out, size, &pos, habitat) || append(out, size, &pos, "/")))
        return -1;
    if (append(out, size, &pos, child))
        return -1;
    if (suffix && suffix[0] && (append(out, size, &pos, "/") || append(out, size, &pos, suffix)))
        return -1;
    return 0;
}
