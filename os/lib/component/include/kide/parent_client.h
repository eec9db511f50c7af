/* SPDX-License-Identifier: MIT */
/* The client library of the parent interface and of a server's root portal
 * (os/abi/kide/parent.h): one function per operation, typed request in,
 * typed reply out, status returned. libkide's sessions, services and signals
 * and hoitaja (forwarding to its own parent and to sibling servers) use it,
 * so nobody writes these words by hand.
 *
 * A reply is copied into the reply struct as far as it goes (the rest zero);
 * an OPEN answered OK without its result word is KIDE_BAD_PARAM. A capability
 * that comes back (OPEN's session portal) lands at `rcv`; *got says whether
 * it did (rcv, else 0).
 */
#ifndef KIDE_PARENT_CLIENT_H
#define KIDE_PARENT_CLIENT_H

#include <kide/component.h>
#include <kide/parent.h>

/** Where a call goes and how. */
struct kide_parent_chan {
    kide_sel pt; /**< the parent portal (KIDE_PARENT_*) or a server's root portal (KIDE_SRV_*) */
    /** The transport: NULL for kide_msg_call_cap; hoitaja puts its deadline-bounded
     *  call here (ctx is its own). Sends capability `send` (if non-zero) with `perm`,
     *  receives one at rcv (if non-zero); returns as kide_msg_call_cap. */
    int (*call)(const struct kide_parent_chan *ch, struct kide_msg *m, kide_sel rcv, kide_sel send,
                unsigned perm);
    void *ctx;
};

/** OPEN. KIDE_NOT_FOUND also when pt holds no portal (the root habitat has no parent). */
int kide_parent_open(const struct kide_parent_chan *ch, const struct kide_parent_open_req *req,
                     kide_sel rcv, struct kide_parent_open_rep *rep, kide_sel *got);
int kide_parent_close(const struct kide_parent_chan *ch, const struct kide_parent_close_req *req);
/** ANNOUNCE `service` with its root portal. KIDE_NOT_FOUND when pt holds no portal. */
int kide_parent_announce(const struct kide_parent_chan *ch, const char *service, kide_sel root_pt);
int kide_parent_alive(const struct kide_parent_chan *ch);
int kide_parent_pending(const struct kide_parent_chan *ch, struct kide_parent_pending_rep *rep);
int kide_parent_upgrade(const struct kide_parent_chan *ch,
                        const struct kide_parent_upgrade_req *req);
/** CONFIG_PORTAL: register the component's config portal pt (KIDE_CFG_*). */
int kide_parent_config_portal(const struct kide_parent_chan *ch, kide_sel pt);
/** STATUS: publish json (a JSON object, <= KIDE_STATUS_MAX bytes). */
int kide_parent_status(const struct kide_parent_chan *ch, const char *json);
/** CFG_CHUNK on a component's config portal (the parent's side). */
int kide_cfg_chunk(const struct kide_parent_chan *ch, const struct kide_cfg_chunk_req *req);
/** CFG_APPLY: the verdict; rep->text gets the note (OK) or the reason (KIDE_INVALID),
 *  "" when none came or it was longer than KIDE_VERDICT_MAX. */
int kide_cfg_apply(const struct kide_parent_chan *ch, const struct kide_cfg_apply_req *req,
                   struct kide_cfg_apply_rep *rep);

int kide_srv_open(const struct kide_parent_chan *ch, const struct kide_srv_open_req *req,
                  kide_sel rcv, struct kide_srv_open_rep *rep, kide_sel *got);
int kide_srv_close(const struct kide_parent_chan *ch, const struct kide_srv_close_req *req);
int kide_srv_upgrade(const struct kide_parent_chan *ch, const struct kide_srv_upgrade_req *req);

#endif
