/* SPDX-License-Identifier: MIT */
/* Client library of the platform session: one function per operation of
 * os/abi/kide/platform.h, each a request struct out and a reply struct in,
 * so no driver builds message words by hand. */
#include "platform_client.h"

int kide_platform_open(struct kide_env *env, struct kide_platform *p)
{
    return kide_session_open(env, KIDE_PLATFORM_SERVICE, "", 0, &p->s);
}

void kide_platform_close(struct kide_env *env, struct kide_platform *p)
{
    kide_session_close(env, &p->s);
}

/* Put a request struct of `words` words after the op word. */
static void put_words(struct kide_msg *m, const void *req, unsigned words)
{
    const kide_u64 *w = req;
    for (unsigned i = 0; i < words; i++)
        kide_msg_put(m, w[i]);
}

/* Read a reply struct of `words` words (zero beyond what arrived). */
static void get_words(struct kide_msg *m, void *rep, unsigned words)
{
    kide_u64 *w = rep;
    for (unsigned i = 0; i < words; i++)
        w[i] = m->pos < m->n ? kide_msg_get(m) : 0;
}

int kide_platform_info(struct kide_platform *p, struct kide_platform_info_rep *rep)
{
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_PLATFORM_INFO);
    int st = kide_msg_call(&m, p->s.pt, 0);
    get_words(&m, rep, sizeof(*rep) / 8);
    return st;
}

int kide_platform_cfg_read(struct kide_platform *p, kide_u64 offset, kide_u64 width,
                           kide_u64 *value)
{
    struct kide_platform_cfg_req req = {offset, width, 0};
    struct kide_platform_cfg_rep rep;
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_PLATFORM_CFG_READ);
    put_words(&m, &req, sizeof(req) / 8);
    int st = kide_msg_call(&m, p->s.pt, 0);
    get_words(&m, &rep, sizeof(rep) / 8);
    *value = rep.value;
    return st;
}

int kide_platform_cfg_write(struct kide_platform *p, kide_u64 offset, kide_u64 width,
                            kide_u64 value)
{
    struct kide_platform_cfg_req req = {offset, width, value};
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_PLATFORM_CFG_WRITE);
    put_words(&m, &req, sizeof(req) / 8);
    return kide_msg_call(&m, p->s.pt, 0);
}

int kide_platform_bar(struct kide_platform *p, kide_u64 bar, kide_u64 first_page, kide_u64 pages,
                      volatile void **addr, kide_u64 *bar_size)
{
    struct kide_platform_bar_req req = {bar, first_page, pages};
    struct kide_platform_bar_rep rep;
    struct kide_msg m;
    void *at = 0;
    kide_u64 got = 0;
    kide_msg_begin(&m, KIDE_PLATFORM_BAR);
    put_words(&m, &req, sizeof(req) / 8);
    int st = kide_msg_call_attach(&m, p->s.pt, pages, &at, &got);
    get_words(&m, &rep, sizeof(rep) / 8);
    *bar_size = rep.bar_size;
    *addr = at;
    if (st == KIDE_OK && got != pages)
        st = KIDE_BAD_PARAM; /* fewer pages than asked arrived: a server bug */
    return st;
}

int kide_platform_irq(struct kide_platform *p, kide_u64 vector, kide_sel *sm,
                      struct kide_platform_irq_rep *rep)
{
    struct kide_platform_irq_req req = {vector};
    struct kide_msg m;
    kide_sel sel = kide_sel_alloc(0);
    if (!sel)
        return KIDE_QUOTA;
    kide_msg_begin(&m, KIDE_PLATFORM_IRQ);
    put_words(&m, &req, sizeof(req) / 8);
    int st = kide_msg_call(&m, p->s.pt, sel);
    get_words(&m, rep, sizeof(*rep) / 8);
    if (st != KIDE_OK || !m.rcv) {
        kide_sel_free(sel, 0);
        return st == KIDE_OK ? KIDE_BAD_PARAM : st;
    }
    *sm = sel;
    return KIDE_OK;
}

int kide_platform_io(struct kide_platform *p, kide_u64 bar, struct kide_platform_io_rep *rep)
{
    struct kide_platform_io_req req = {bar};
    struct kide_msg m;
    kide_u64 port = 0, count = 0;
    kide_msg_begin(&m, KIDE_PLATFORM_IO);
    put_words(&m, &req, sizeof(req) / 8);
    int st = kide_msg_call_ports(&m, p->s.pt, &port, &count);
    get_words(&m, rep, sizeof(*rep) / 8);
    if (st == KIDE_OK && (port != rep->port || count != rep->count))
        st = KIDE_BAD_PARAM; /* the ports did not arrive as the reply says */
    return st;
}
