/* SPDX-License-Identifier: MIT */
/* Starting a child from an installed package (decision 0022): its binary is
 * "pkg:<user>/<name>/<version>". hoitaja opens a `Pkg` session at the
 * sibling the child's route names, fetches the program into its own RAM
 * (pkg_fetch: OPEN, READ in chunks, every reply checked), closes the
 * session, and hands the pages to core (KIDE_OWN_LOAD_PAGES), which copies
 * them into a snapshot charged to the child and loads from that. hoitaja's
 * copy is freed right after: it needs headroom for the largest program it
 * starts, for the length of one start.
 *
 * Every call into the store goes through hj_call_unlocked (its deadline,
 * calls.c): a store that stalls is faulted and restarted by its policy, and
 * the start fails with the reason. Called with hj.lock held, from a handler
 * EC only (the main thread asks the store instead: pkgstart.c), so the main
 * thread is free to police those deadlines.
 */
#include "glue.h"

#include <kide/core_client.h>
#include <kide/pkg_client.h>

struct pkg_via {
    struct hj_slot *client, *server;
};

static int via_call(const struct pkg_chan *ch, struct kide_msg *m)
{
    const struct pkg_via *v = ch->ctx;
    return hj_call_unlocked(v->client, v->server, m, ch->pt, 0);
}

/* What a failed fetch means, for the start's reason. */
static const char *fetch_hint(int st)
{
    switch (st) {
    case KIDE_NOT_FOUND:
        return "not in the store";
    case KIDE_BAD_PARAM:
        return "the store's answer was refused (bad reply, or bigger than 64 MiB)";
    case KIDE_QUOTA:
        return "hoitaja has no RAM left for a copy of it";
    case KIDE_TIMEOUT:
        return "the store did not answer in time";
    default:
        return hj_status_name(st);
    }
}

int hj_pkg_load(struct hj_slot *s, char *why, kide_u64 size)
{
    const char *pkg = s->cfg.binary + 4; /* after "pkg:" (hj_binary_check) */
    const struct hj_route *r = hj_route_find(&s->cfg, KIDE_PKG_SERVICE);
    if (!r || r->to != HJ_TO_CHILD) {
        hj_snprintf(why, size,
                    "package %s: route service Pkg to the sibling that keeps the store "
                    "(to: child)",
                    pkg);
        return KIDE_BAD_PARAM;
    }
    struct hj_session *ss;
    kide_u64 epoch = s->epoch; /* the lock is released in every call below */
    int st = hj_session_open_for(s, r->child, KIDE_PKG_SERVICE, &ss);
    if (st != KIDE_OK) {
        hj_snprintf(why, size, "package %s: no Pkg session at '%s': %s%s", pkg, r->child,
                    hj_status_name(st),
                    st == KIDE_NOT_FOUND ? " (not running, or Pkg not announced yet)" : "");
        return st;
    }
    struct pkg_via v = {s, ss->server};
    struct pkg_chan ch = {.pt = ss->pt, .call = via_call, .ctx = &v};
    void *image;
    kide_u64 bytes, alloc;
    st = pkg_fetch(hj.env, &ch, pkg, "", KIDE_CORE_LOAD_PAGES_MAX, &image, &bytes, &alloc);
    hj_session_close_for(ss);
    if (st != KIDE_OK) {
        hj_snprintf(why, size, "package %s: %s", pkg, fetch_hint(st));
        return st;
    }
    if (!s->live || s->epoch != epoch) { /* stopped (or restarted) meanwhile */
        kide_ram_free(hj.env, image, alloc);
        hj_snprintf(why, size, "package %s: the child was stopped while loading", pkg);
        return KIDE_ABORTED;
    }
    struct kide_core_chan own = hj_own_chan(s);
    struct kide_own_load_pages_req req = {.addr = (kide_u64)image, .size = alloc};
    st = KIDE_WIRE_STR(req.name, s->cfg.binary, kide_wire_strlen(s->cfg.binary));
    if (st == KIDE_OK)
        st = kide_own_load_pages(&own, &req);
    kide_ram_free(hj.env, image, alloc);
    if (st != KIDE_OK)
        hj_snprintf(why, size, "package %s: cannot load it: %s%s", pkg, hj_status_name(st),
                    st == KIDE_BAD_PARAM ? " (not a loadable program: core's log says why)"
                    : st == KIDE_QUOTA   ? " (ram too small for the program and its copy)"
                                         : "");
    return st;
}
