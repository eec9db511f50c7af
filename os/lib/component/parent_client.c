/* SPDX-License-Identifier: MIT */
/* The client library of the parent interface and the root-portal protocol
 * (kide/parent_client.h), over libkide's marshalling (kide_msg): the typed
 * request is put word by word and string by string in the operation's order,
 * the reply's result words are copied into the typed reply (missing ones
 * zero). The transport is the channel's (hoitaja bounds its calls with a
 * deadline) or kide_msg_call_cap.
 */
#include "rt.h"

/* memcpy and memset only: krt's on the target, the C library's in the host tests. */
void *memcpy(void *dst, const void *src, __SIZE_TYPE__ n);
void *memset(void *dst, int c, __SIZE_TYPE__ n);

#include <kide/parent_client.h>
#include <kide/syscall.h> /* KIDE_PT_CALL */

/* Call with m built; the reply's first rep_words results into rep. `need`: an OK
 * reply must carry that many result words (else KIDE_BAD_PARAM). `no_parent`: the
 * kernel's BAD_CAP without a reply is KIDE_NOT_FOUND (no parent portal). */
static int finish(const struct kide_parent_chan *ch, struct kide_msg *m, kide_sel rcv,
                  kide_sel send, unsigned perm, void *rep, unsigned rep_words, unsigned need,
                  int no_parent, kide_sel *got)
{
    int st = ch->call ? ch->call(ch, m, rcv, send, perm)
                      : kide_msg_call_cap(m, ch->pt, rcv, send, perm);
    unsigned have = m->n > 1 ? m->n - 1 : 0;
    if (got)
        *got = rcv && m->rcv == rcv ? rcv : 0;
    if (rep_words) {
        unsigned n = have < rep_words ? have : rep_words;
        memcpy(rep, m->w + 1, (kide_u64)n * 8);
        memset((kide_u64 *)rep + n, 0, (kide_u64)(rep_words - n) * 8);
    }
    if (no_parent && st == KIDE_BAD_CAP && m->n == 0)
        return KIDE_NOT_FOUND;
    if (st == KIDE_OK && have < need)
        return KIDE_BAD_PARAM;
    return st;
}

static int words(const struct kide_parent_chan *ch, kide_u64 op, const void *req,
                 unsigned req_words, void *rep, unsigned rep_words)
{
    struct kide_msg m;
    const kide_u64 *w = req;
    kide_msg_begin(&m, op);
    for (unsigned i = 0; i < req_words; i++)
        kide_msg_put(&m, w[i]);
    return finish(ch, &m, 0, 0, 0, rep, rep_words, 0, 0, 0);
}

int kide_parent_open(const struct kide_parent_chan *ch, const struct kide_parent_open_req *req,
                     kide_sel rcv, struct kide_parent_open_rep *rep, kide_sel *got)
{
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_PARENT_OPEN);
    kide_msg_put(&m, req->ram);
    kide_msg_put_str(&m, req->service);
    kide_msg_put_str(&m, req->args);
    if (req->label_suffix)
        kide_msg_put_str(&m, req->label_suffix);
    return finish(ch, &m, rcv, 0, 0, rep, 1, 1, 1, got);
}

int kide_parent_close(const struct kide_parent_chan *ch, const struct kide_parent_close_req *req)
{
    return words(ch, KIDE_PARENT_CLOSE, req, 1, 0, 0);
}

int kide_parent_announce(const struct kide_parent_chan *ch, const char *service, kide_sel root_pt)
{
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_PARENT_ANNOUNCE);
    kide_msg_put_str(&m, service);
    return finish(ch, &m, 0, root_pt, KIDE_PT_CALL, 0, 0, 0, 1, 0);
}

int kide_parent_alive(const struct kide_parent_chan *ch)
{
    return words(ch, KIDE_PARENT_ALIVE, 0, 0, 0, 0);
}

int kide_parent_pending(const struct kide_parent_chan *ch, struct kide_parent_pending_rep *rep)
{
    return words(ch, KIDE_PARENT_PENDING, 0, 0, rep, 1);
}

int kide_parent_upgrade(const struct kide_parent_chan *ch,
                        const struct kide_parent_upgrade_req *req)
{
    return words(ch, KIDE_PARENT_UPGRADE, req, 2, 0, 0);
}

int kide_srv_open(const struct kide_parent_chan *ch, const struct kide_srv_open_req *req,
                  kide_sel rcv, struct kide_srv_open_rep *rep, kide_sel *got)
{
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_SRV_OPEN);
    kide_msg_put(&m, req->ram);
    kide_msg_put_str(&m, req->label);
    kide_msg_put_str(&m, req->args);
    return finish(ch, &m, rcv, 0, 0, rep, 1, 1, 0, got);
}

int kide_srv_close(const struct kide_parent_chan *ch, const struct kide_srv_close_req *req)
{
    return words(ch, KIDE_SRV_CLOSE, req, 1, 0, 0);
}

int kide_srv_upgrade(const struct kide_parent_chan *ch, const struct kide_srv_upgrade_req *req)
{
    return words(ch, KIDE_SRV_UPGRADE, req, 2, 0, 0);
}

int kide_parent_config_portal(const struct kide_parent_chan *ch, kide_sel pt)
{
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_PARENT_CONFIG_PORTAL);
    return finish(ch, &m, 0, pt, KIDE_PT_CALL, 0, 0, 0, 1, 0);
}

int kide_parent_status(const struct kide_parent_chan *ch, const char *json)
{
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_PARENT_STATUS);
    kide_msg_put_str(&m, json);
    return finish(ch, &m, 0, 0, 0, 0, 0, 0, 1, 0);
}

int kide_cfg_chunk(const struct kide_parent_chan *ch, const struct kide_cfg_chunk_req *req)
{
    struct kide_msg m;
    if (req->len > KIDE_CFG_CHUNK_MAX)
        return KIDE_BAD_PARAM;
    kide_msg_begin(&m, KIDE_CFG_CHUNK);
    kide_msg_put(&m, req->total);
    kide_msg_put(&m, req->offset);
    kide_msg_put_bytes(&m, req->chunk, req->len);
    return finish(ch, &m, 0, 0, 0, 0, 0, 0, 0, 0);
}

int kide_cfg_apply(const struct kide_parent_chan *ch, const struct kide_cfg_apply_req *req,
                   struct kide_cfg_apply_rep *rep)
{
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_CFG_APPLY);
    kide_msg_put(&m, req->total);
    int st = finish(ch, &m, 0, 0, 0, 0, 0, 0, 0, 0);
    rep->text[0] = 0;
    if (st == KIDE_OK || st == KIDE_INVALID) {
        /* The note or reason: a string after the status; a missing or overlong one reads "". */
        m.pos = 1;
        m.bad = 0;
        if (m.n > 1)
            kide_msg_get_str(&m, rep->text, sizeof(rep->text));
        if (m.bad)
            rep->text[0] = 0;
    }
    return st;
}
