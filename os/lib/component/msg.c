/* SPDX-License-Identifier: MIT */
/* Marshalling: checked reads and writes of message words.
 *
 * A message is a window of words (a UTCB's or a private buffer) with a
 * capacity, a fill count and a read position. Strings and byte strings are a
 * length word followed by the bytes packed little-endian (x86 byte order, so
 * a plain copy) into ceil(len / 8) words, the unused bytes of the last word
 * zero. Every operation checks against the capacity (writes) or the fill
 * count (reads) before touching a word; the first failure latches `bad` and
 * turns every later call into a no-op returning 0, so code checks once.
 * Pure code: built into the host unit tests as it is.
 */
#include "rt.h"

static void fail(struct kide_msg *m)
{
    m->bad = 1;
}

/* Whether `words` more words fit; latches bad if not. */
static int room(struct kide_msg *m, kide_u64 words)
{
    if (m->bad || m->n > m->cap || words > m->cap - m->n) {
        fail(m);
        return 0;
    }
    return 1;
}

static int has_nul(const char *p, kide_u64 len)
{
    for (kide_u64 i = 0; i < len; i++)
        if (!p[i])
            return 1;
    return 0;
}

static kide_u64 words_for(kide_u64 len)
{
    return len / 8 + ((len & 7) != 0);
}

void kide_msg_init(struct kide_msg *m, kide_u64 *words, unsigned cap, unsigned n)
{
    m->w = words;
    m->cap = cap;
    m->n = n;
    m->pos = 0;
    m->bad = !words || n > cap;
    m->items = 0;
    m->rcv = 0;
}

void kide_msg_begin(struct kide_msg *m, kide_u64 op)
{
    /* Two words stay free for the typed item kide_msg_call_cap may append. */
    kide_msg_init(m, rt_utcb()->words, KIDE_UTCB_WORDS - 2, 0);
    kide_msg_put(m, op);
}

void kide_msg_put(struct kide_msg *m, kide_u64 v)
{
    if (room(m, 1))
        m->w[m->n++] = v;
}

void kide_msg_put_bytes(struct kide_msg *m, const void *p, kide_u64 len)
{
    if (m->bad)
        return;
    if ((!p && len) || len > (kide_u64)m->cap * 8) {
        fail(m);
        return;
    }
    kide_u64 words = words_for(len);
    if (!room(m, 1 + words))
        return;
    m->w[m->n] = len;
    if (words) {
        m->w[m->n + words] = 0; /* padding bytes of the last word */
        __builtin_memcpy(&m->w[m->n + 1], p, len);
    }
    m->n += (unsigned)(1 + words);
}

void kide_msg_put_str(struct kide_msg *m, const char *s)
{
    if (!s) {
        fail(m);
        return;
    }
    kide_msg_put_bytes(m, s, __builtin_strlen(s));
}

kide_u64 kide_msg_get(struct kide_msg *m)
{
    if (m->bad || m->pos >= m->n || m->n > m->cap) {
        fail(m);
        return 0;
    }
    return m->w[m->pos++];
}

kide_u64 kide_msg_get_bytes(struct kide_msg *m, const void **p, kide_u64 max)
{
    *p = "";
    kide_u64 len = kide_msg_get(m);
    if (m->bad)
        return 0;
    kide_u64 words = words_for(len);
    if (len > max || words > m->n - m->pos) {
        fail(m);
        return 0;
    }
    *p = &m->w[m->pos];
    m->pos += (unsigned)words;
    return len;
}

kide_u64 kide_msg_get_str(struct kide_msg *m, char *buf, kide_u64 size)
{
    const void *p;
    if (!buf || !size) {
        fail(m);
        return 0;
    }
    buf[0] = 0;
    kide_u64 len = kide_msg_get_bytes(m, &p, size - 1);
    if (m->bad)
        return 0;
    if (has_nul(p, len)) {
        fail(m);
        return 0;
    }
    __builtin_memcpy(buf, p, len);
    buf[len] = 0;
    return len;
}
