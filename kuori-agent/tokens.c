/* SPDX-License-Identifier: MIT */
/* tokens.c: see tokens.h. No crypto here: random bytes and hashes come from
 * the caller (ktls in the component, OpenSSL in the host tests); hashes are
 * compared in constant time so a wrong guess learns nothing from timing. */
#include "tokens.h"

#include "kagent.h" /* string functions, host or Kide */

static int name_eq(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}

static void name_copy(char *dst, const char *src)
{
    __SIZE_TYPE__ n = strlen(src);
    if (n > KTOK_NAME_MAX)
        n = KTOK_NAME_MAX;
    memcpy(dst, src, n);
    dst[n] = 0;
}

static int same_hash(const kide_u8 a[32], const kide_u8 b[32])
{
    kide_u8 d = 0;
    for (int i = 0; i < 32; i++)
        d |= (kide_u8)(a[i] ^ b[i]);
    return d == 0;
}

void ktok_hex(const kide_u8 *in, unsigned n, char *out)
{
    for (unsigned i = 0; i < n; i++) {
        out[2 * i] = "0123456789abcdef"[in[i] >> 4];
        out[2 * i + 1] = "0123456789abcdef"[in[i] & 15];
    }
    out[2 * n] = 0;
}

int ktok_register(struct ktok_store *s, const char *habitat, const kide_u8 fp[32])
{
    struct ktok_pin *free_pin = 0;
    for (unsigned i = 0; i < KTOK_HABITATS; i++) {
        if (s->pins[i].used && name_eq(s->pins[i].habitat, habitat)) {
            memcpy(s->pins[i].fp, fp, 32);
            return 0;
        }
        if (!s->pins[i].used && !free_pin)
            free_pin = &s->pins[i];
    }
    if (!free_pin)
        return -1;
    free_pin->used = 1;
    name_copy(free_pin->habitat, habitat);
    memcpy(free_pin->fp, fp, 32);
    return 0;
}

const kide_u8 *ktok_pin_of(const struct ktok_store *s, const char *habitat)
{
    for (unsigned i = 0; i < KTOK_HABITATS; i++)
        if (s->pins[i].used && name_eq(s->pins[i].habitat, habitat))
            return s->pins[i].fp;
    return 0;
}

enum ktok_state ktok_state_at(const struct ktok *t, kide_u64 now)
{
    if (t->state == KTOK_VALID && now >= t->expires_ns)
        return KTOK_EXPIRED;
    return t->state;
}

int ktok_create(struct ktok_store *s, kide_u64 now, const char *habitat, kide_u64 ttl_ns,
                const kide_u8 secret[16], const kide_u8 hash[32], char text[KTOK_TEXT_MAX],
                char id[9])
{
    const kide_u8 *fp = ktok_pin_of(s, habitat);
    if (!fp)
        return -1;
    /* A free slot, else the oldest that can no longer be used. */
    struct ktok *slot = 0;
    for (unsigned i = 0; i < KTOK_MAX && !slot; i++)
        if (!s->t[i].used)
            slot = &s->t[i];
    for (unsigned i = 0; i < KTOK_MAX && !slot; i++)
        if (ktok_state_at(&s->t[i], now) != KTOK_VALID)
            slot = &s->t[i];
    if (!slot)
        return -2;
    slot->used = 1;
    memcpy(slot->hash, hash, 32);
    ktok_hex(hash, 4, slot->id);
    name_copy(slot->habitat, habitat);
    slot->expires_ns = now + ttl_ns;
    slot->state = KTOK_VALID;
    char sec[33], pin[33];
    ktok_hex(secret, 16, sec);
    ktok_hex(fp, 16, pin);
    snprintf(text, KTOK_TEXT_MAX, "kide1.%s.%s.%s", slot->habitat, sec, pin);
    memcpy(id, slot->id, 9);
    return 0;
}

int ktok_consume(struct ktok_store *s, kide_u64 now, const char *habitat, const kide_u8 hash[32])
{
    for (unsigned i = 0; i < KTOK_MAX; i++) {
        struct ktok *t = &s->t[i];
        if (t->used && same_hash(t->hash, hash)) {
            if (ktok_state_at(t, now) != KTOK_VALID || !name_eq(t->habitat, habitat))
                return -1;
            t->state = KTOK_USED;
            return 0;
        }
    }
    return -1;
}

int ktok_revoke(struct ktok_store *s, const char *id)
{
    for (unsigned i = 0; i < KTOK_MAX; i++)
        if (s->t[i].used && name_eq(s->t[i].id, id)) {
            if (s->t[i].state == KTOK_VALID)
                s->t[i].state = KTOK_REVOKED;
            return 0;
        }
    return -1;
}

static int unhex(const char *p, unsigned n, kide_u8 *out)
{
    for (unsigned i = 0; i < n; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char ch = p[2 * i + (unsigned)k];
            int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
            if (d < 0)
                return -1;
            v = v << 4 | d;
        }
        out[i] = (kide_u8)v;
    }
    return 0;
}

int ktok_parse(const char *text, struct ktok_parsed *out)
{
    if (strncmp(text, "kide1.", 6))
        return -1;
    const char *h = text + 6, *dot = h;
    while (*dot && *dot != '.')
        dot++;
    __SIZE_TYPE__ hl = (__SIZE_TYPE__)(dot - h);
    if (*dot != '.' || hl == 0 || hl > KTOK_NAME_MAX)
        return -1;
    for (const char *p = h; p < dot; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return -1;
    const char *sec = dot + 1;
    if (strlen(sec) != 32 + 1 + 32 || sec[32] != '.')
        return -1;
    if (unhex(sec, 16, out->secret) || unhex(sec + 33, 16, out->pin))
        return -1;
    memcpy(out->habitat, h, hl);
    out->habitat[hl] = 0;
    return 0;
}

int ktok_label_habitat(const char *label, char *habitat, __SIZE_TYPE__ cap)
{
    const char *slash = strchr(label, '/');
    if (!slash || strchr(slash + 1, '/') || !slash[1])
        return -1;
    __SIZE_TYPE__ n = (__SIZE_TYPE__)(slash - label);
    if (n == 0 || n > KTOK_NAME_MAX || n >= cap || label[0] < 'a' || label[0] > 'z')
        return -1;
    for (__SIZE_TYPE__ i = 0; i < n; i++) {
        char ch = label[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'))
            return -1;
    }
    memcpy(habitat, label, n);
    habitat[n] = 0;
    return 0;
}
