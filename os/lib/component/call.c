/* SPDX-License-Identifier: MIT */
/* kide_msg_call: send a message built with kide_msg_begin and read the reply.
 *
 * The reply is left in the thread's UTCB and the kide_msg re-aimed at it
 * (pos 1, after the status word; reads bounded by the reply's untyped
 * count). A reply without a status word is malformed and reported as
 * KIDE_BAD_PARAM. The thread's receive window is restored afterwards, so a
 * handler that makes calls keeps receiving capabilities with its requests.
 */
#include <kide/base.h>
#include "rt.h"

int kide_msg_call_cap(struct kide_msg *m, kide_sel pt, kide_sel rcv_sel, kide_sel send,
                      unsigned perm)
{
    return rt_msg_call_window(m, pt, rcv_sel ? KIDE_CRD(KIDE_CRD_OBJ, rcv_sel, 0, 0) : 0, send,
                              perm);
}

int rt_msg_call_window(struct kide_msg *m, kide_sel pt, kide_crd window_crd, kide_sel send,
                       unsigned perm)
{
    kide_sel rcv_sel = KIDE_CRD_KIND(window_crd) == KIDE_CRD_OBJ ? KIDE_CRD_BASE(window_crd) : 0;
    struct kide_utcb *u = rt_utcb();
    unsigned typed = send ? 1 : 0;
    if (m->bad || m->w != u->words || m->n == 0 || m->n + 2 * typed > KIDE_UTCB_WORDS) {
        m->bad = 1;
        return KIDE_BAD_PARAM;
    }
    if (send) {
        u->words[m->n] = KIDE_CRD(KIDE_CRD_OBJ, send, 0, perm ? perm : KIDE_PT_CALL);
        u->words[m->n + 1] = 0;
    }
    kide_crd window = u->rcv_crd;
    u->rcv_crd = window_crd;
    u->msg = KIDE_MSG(m->n, typed);
    int st = kide_call(pt);
    u->rcv_crd = window;
    m->pos = 1;
    m->cap = KIDE_UTCB_WORDS;
    m->items = 0;
    m->rcv = 0;
    if (st != KIDE_OK) {
        m->n = 0;
        m->bad = 1;
        return st;
    }
    unsigned n = KIDE_MSG_UNTYPED(u->msg);
    if (n > KIDE_UTCB_WORDS)
        n = KIDE_UTCB_WORDS;
    m->n = n;
    m->items = KIDE_MSG_TYPED(u->msg);
    if (m->items && rcv_sel && n < KIDE_UTCB_WORDS && KIDE_CRD_KIND(u->words[n]) == KIDE_CRD_OBJ &&
        KIDE_CRD_BASE(u->words[n]) == rcv_sel)
        m->rcv = rcv_sel;
    if (n == 0) {
        m->bad = 1;
        return KIDE_BAD_PARAM;
    }
    return u->words[0] > 0xffff ? KIDE_BAD_PARAM : (int)u->words[0];
}

int kide_msg_call(struct kide_msg *m, kide_sel pt, kide_sel rcv_sel)
{
    return kide_msg_call_cap(m, pt, rcv_sel, 0, 0);
}

int kide_msg_call_ports(struct kide_msg *m, kide_sel pt, kide_u64 *port, kide_u64 *count)
{
    *port = *count = 0;
    int st = rt_msg_call_window(m, pt, KIDE_CRD(KIDE_CRD_IO, 0, 16, 0), 0, 0);
    struct kide_utcb *u = rt_utcb();
    /* The kernel wrote where the item landed after the untyped words. */
    if (st == KIDE_OK && m->items && m->n < KIDE_UTCB_WORDS &&
        KIDE_CRD_KIND(u->words[m->n]) == KIDE_CRD_IO) {
        *port = KIDE_CRD_BASE(u->words[m->n]);
        *count = 1ull << KIDE_CRD_ORDER(u->words[m->n]);
    }
    return st;
}
