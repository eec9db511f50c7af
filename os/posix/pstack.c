/* SPDX-License-Identifier: MIT */
/* The initial stack builder (pstack.h). */
#include "pstack.h"
#include "linux.h"

#define NAUX 20 /* pairs written below, AT_NULL included (checked by a test) */

static kide_u64 slen(const char *s)
{
    kide_u64 n = 0;
    while (s[n])
        n++;
    return n;
}

struct cursor {
    kide_u8 *buf;
    kide_u64 size, top, pos; /* pos: offset of the lowest byte written so far */
    int bad;
};

/* Push bytes downwards; returns their address as the program sees it. */
static kide_u64 push_bytes(struct cursor *c, const void *p, kide_u64 n)
{
    if (c->bad || n > c->pos) {
        c->bad = 1;
        return 0;
    }
    c->pos -= n;
    const kide_u8 *s = p;
    for (kide_u64 i = 0; i < n; i++)
        c->buf[c->pos + i] = s[i];
    return c->top - c->size + c->pos;
}

static kide_u64 push_str(struct cursor *c, const char *s)
{
    return push_bytes(c, s, slen(s) + 1);
}

static void put_word(struct cursor *c, kide_u64 *slot, kide_u64 v)
{
    kide_u8 *p = (kide_u8 *)slot;
    for (int i = 0; i < 8; i++)
        p[i] = (kide_u8)(v >> (8 * i));
    (void)c;
}

kide_u64 posix_stack_build(kide_u8 *buf, kide_u64 size, kide_u64 top,
                           const struct posix_stack_in *in)
{
    if (!buf || size < 64 || (top & 15) || size > top || in->argc > POSIX_STACK_MAX_STRS ||
        in->envc > POSIX_STACK_MAX_STRS)
        return 0;
    struct cursor c = {buf, size, top, size, 0};
    static const kide_u8 zero8[8];
    push_bytes(&c, zero8, 8);
    kide_u64 execfn = push_str(&c, in->execfn ? in->execfn : "");
    /* Strings go in reverse so envp[0] and argv[0] come lowest, as on Linux. */
    kide_u64 envs[POSIX_STACK_MAX_STRS], args[POSIX_STACK_MAX_STRS];
    for (unsigned i = in->envc; i-- > 0;)
        envs[i] = push_str(&c, in->envp[i]);
    for (unsigned i = in->argc; i-- > 0;)
        args[i] = push_str(&c, in->argv[i]);
    kide_u64 platform = push_str(&c, "x86_64");
    c.pos &= ~15ull; /* the random bytes 16-aligned (not required; tidy) */
    kide_u64 random = push_bytes(&c, in->random, 16);
    if (c.bad)
        return 0;

    kide_u64 words = 1 + (in->argc + 1) + (in->envc + 1) + 2 * NAUX;
    if (words * 8 > c.pos)
        return 0;
    kide_u64 sp_off = (c.pos - words * 8) & ~15ull;
    kide_u64 *w = (kide_u64 *)(buf + sp_off);
    kide_u64 n = 0;
    put_word(&c, &w[n++], in->argc);
    for (unsigned i = 0; i < in->argc; i++)
        put_word(&c, &w[n++], args[i]);
    put_word(&c, &w[n++], 0);
    for (unsigned i = 0; i < in->envc; i++)
        put_word(&c, &w[n++], envs[i]);
    put_word(&c, &w[n++], 0);
    const kide_u64 aux[NAUX][2] = {
            {L_AT_PHDR, in->phdr},   {L_AT_PHENT, in->phent}, {L_AT_PHNUM, in->phnum},
            {L_AT_PAGESZ, 4096},     {L_AT_BASE, 0},          {L_AT_FLAGS, 0},
            {L_AT_ENTRY, in->entry}, {L_AT_UID, 0},           {L_AT_EUID, 0},
            {L_AT_GID, 0},           {L_AT_EGID, 0},          {L_AT_SECURE, 0},
            {L_AT_RANDOM, random},   {L_AT_HWCAP, in->hwcap}, {L_AT_HWCAP2, 0},
            {L_AT_CLKTCK, 100},      {L_AT_EXECFN, execfn},   {L_AT_PLATFORM, platform},
            {L_AT_NULL, 0},          {L_AT_NULL, 0},
    };
    for (unsigned i = 0; i < NAUX; i++) {
        put_word(&c, &w[n++], aux[i][0]);
        put_word(&c, &w[n++], aux[i][1]);
    }
    return top - size + sp_off;
}
