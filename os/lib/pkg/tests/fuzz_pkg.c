/* SPDX-License-Identifier: MIT */
/* libFuzzer target for os/lib/pkg: the input is taken as the words of a
 * request to the server (over a store holding one package) and as the
 * server's replies to a client's fetch. Neither side may crash, read past a
 * message, or hand back more than it was asked for; a fetch that succeeds
 * returns exactly OPEN's size and frees everything when it fails. */
#include <stddef.h>
#include <stdint.h>

#include "pkg_host.h"

static struct pkg_store st;
static const uint8_t *fz;
static size_t fz_len, fz_pos;

static void hash(const kide_u8 *data, kide_u64 len, kide_u8 out[32])
{
    (void)data;
    memset(out, (int)len, 32);
}

static void init_once(void)
{
    static int done;
    static kide_u8 prog[5000];
    if (done)
        return;
    done = 1;
    for (unsigned i = 0; i < sizeof(prog); i++)
        prog[i] = (kide_u8)i;
    struct pkg_add_file f = {"", prog, sizeof(prog)};
    if (pkg_store_init(&st, 0, 2, 1 << 20, hash) || pkg_serve(&st) ||
        pkg_store_add(&st, "a/b/1", &f, 1))
        abort();
}

/* Replies made of the input: each call takes the next up to 64 words. */
static int fuzz_call(const struct pkg_chan *ch, struct kide_msg *m)
{
    (void)ch;
    size_t left = fz_len - fz_pos, bytes = left < 64 * 8 ? left : 64 * 8;
    memset(fake_utcb.words, 0, 64 * 8);
    memcpy(fake_utcb.words, fz + fz_pos, bytes);
    fz_pos += bytes;
    if (!bytes)
        return KIDE_ABORTED;
    fake_utcb.words[0] &= 1; /* OK or an error status */
    m->w = fake_utcb.words;
    m->n = (unsigned)((bytes + 7) / 8);
    m->pos = 1;
    m->bad = 0;
    return (int)fake_utcb.words[0];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static kide_u64 words[KIDE_UTCB_WORDS], out[KIDE_UTCB_WORDS];
    init_once();
    /* the server */
    size_t n = size / 8 < KIDE_UTCB_WORDS ? size / 8 : KIDE_UTCB_WORDS;
    unsigned out_n;
    memcpy(words, data, n * 8);
    if (n) {
        words[0] %= 4; /* mostly the real ops */
        if (serve_words(&st, words, (unsigned)n, out, &out_n) == KIDE_OK &&
            (out_n > KIDE_UTCB_WORDS || (words[0] == KIDE_PKG_READ && out[1] > KIDE_PKG_READ_MAX)))
            abort();
    }
    /* the client */
    long ram0 = live_ram;
    void *img;
    kide_u64 got, alloc;
    struct pkg_chan ch = {.pt = 1, .call = fuzz_call};
    fz = data, fz_len = size, fz_pos = 0;
    if (pkg_fetch(0, &ch, "a/b/1", "", 1 << 16, &img, &got, &alloc) == KIDE_OK) {
        if (!img || !got || got > (1 << 16) || alloc < got || live_ram != ram0 + 1)
            abort();
        kide_ram_free(0, img, alloc);
    } else if (live_ram != ram0) {
        abort();
    }
    return 0;
}
