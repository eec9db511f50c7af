/* SPDX-License-Identifier: MIT */
/* .tar.xz to members: liblzma's single-call stream decoder (imported from
 * Debian's xz-utils, decoder files only) into the caller's heap, then the
 * tar reader (tar.c).
 *
 * The heap is split once: [0, max_unpacked) receives the tar stream, the
 * rest is a bump arena for the decoder (its dictionary, 8 MiB for goa's
 * preset 6, plus about 30 KiB of state). Nothing is freed one by one: the
 * whole arena is dropped when the call returns. An archive that would
 * decompress to more than max_unpacked (a "zip bomb") stops when the output
 * region is full, before any member is looked at.
 */
#include "depot_internal.h"

#include <lzma.h>

struct arena {
    uint8_t *base;
    size_t size, used;
};

static void *arena_alloc(void *opaque, size_t nmemb, size_t size)
{
    struct arena *a = opaque;
    size_t start = (a->used + 15) & ~(size_t)15;

    if (nmemb && size > SIZE_MAX / nmemb)
        return NULL;
    size_t n = nmemb * size;
    if (start > a->size || n > a->size - start)
        return NULL;
    a->used = start + n;
    return a->base + start;
}

static void arena_free(void *opaque, void *ptr)
{
    (void)opaque, (void)ptr;
}

int depot_unpack(const uint8_t *archive, size_t len, void *heap, size_t heap_size,
                 const struct depot_limits *limits, depot_file_fn fn, void *ctx,
                 struct depot_err *err)
{
    struct depot_limits lim = depot_limits_or_default(limits);

    if (err)
        err->msg[0] = '\0';
    if ((!archive && len) || !heap || !fn)
        return depot_fail(err, DEPOT_EINVAL,
                          "depot_unpack needs an archive, a heap and a callback");
    uintptr_t hb = (uintptr_t)heap, ab = (hb + lim.max_unpacked + 15) & ~(uintptr_t)15;
    if (lim.max_unpacked >= heap_size || ab - hb >= heap_size)
        return depot_fail(err, DEPOT_ENOMEM,
                          "the unpack heap of %zu bytes leaves nothing for the xz decoder after "
                          "max_unpacked (%zu): give the installer a larger heap",
                          heap_size, lim.max_unpacked);
    struct arena a = {(uint8_t *)ab, heap_size - (size_t)(ab - hb), 0};
    lzma_allocator alloc = {arena_alloc, arena_free, &a};
    uint64_t memlimit = a.size > 65536 ? a.size - 65536 : 1; /* alignment slack */
    uint8_t *out = heap;
    lzma_stream strm = LZMA_STREAM_INIT;

    /* The streaming decoder rather than lzma_stream_buffer_decode: 5.4.1's
     * buffer variant resets the positions before it tells a truncated
     * input from a full output, so the two could not be told apart. */
    strm.allocator = &alloc;
    lzma_ret r = lzma_stream_decoder(&strm, memlimit, LZMA_TELL_UNSUPPORTED_CHECK);
    if (r == LZMA_OK) {
        strm.next_in = archive;
        strm.avail_in = len;
        strm.next_out = out;
        strm.avail_out = lim.max_unpacked;
        r = lzma_code(&strm, LZMA_FINISH);
        if (r == LZMA_MEMLIMIT_ERROR)
            memlimit = lzma_memusage(&strm);
    }
    size_t in_pos = len - strm.avail_in, out_pos = lim.max_unpacked - strm.avail_out;
    lzma_end(&strm);
    if (r == LZMA_STREAM_END)
        r = LZMA_OK;
    else if (r == LZMA_OK)
        r = LZMA_BUF_ERROR; /* LZMA_FINISH with all input given: it stopped short */
    switch (r) {
    case LZMA_OK:
        break;
    case LZMA_MEMLIMIT_ERROR:
    case LZMA_MEM_ERROR:
        return depot_fail(err, DEPOT_ENOMEM,
                          "the archive needs %lu KiB for its xz dictionary but the decoder has "
                          "%zu KiB of the unpack heap: give the installer more memory, or "
                          "re-export the package with a smaller dictionary",
                          (unsigned long)(r == LZMA_MEMLIMIT_ERROR ? (memlimit + 1023) / 1024 : 0),
                          a.size / 1024);
    case LZMA_BUF_ERROR:
        if (out_pos == lim.max_unpacked)
            return depot_fail(err, DEPOT_ELIMIT,
                              "the archive unpacks to more than %zu bytes (the installer's "
                              "max_unpacked): refused before looking at any file",
                              lim.max_unpacked);
        return depot_fail(err, DEPOT_EFORMAT,
                          "the xz data ends early (after %zu of %zu bytes): the archive is "
                          "truncated",
                          in_pos, len);
    case LZMA_FORMAT_ERROR:
        return depot_fail(err, DEPOT_EFORMAT,
                          "not an .xz file (bad magic): depot archives are .tar.xz");
    case LZMA_OPTIONS_ERROR:
        return depot_fail(err, DEPOT_EFORMAT,
                          "the .xz file uses filters or options this decoder does not have "
                          "(only LZMA2 with CRC32/CRC64 checks): not goa's archive");
    case LZMA_UNSUPPORTED_CHECK:
        return depot_fail(err, DEPOT_EFORMAT,
                          "the .xz file uses an integrity check this decoder does not have "
                          "(CRC32 and CRC64 only): not goa's archive");
    case LZMA_DATA_ERROR:
    default:
        return depot_fail(err, DEPOT_EFORMAT,
                          "the xz data is corrupt (liblzma error %d at input byte %zu): the "
                          "archive is damaged",
                          (int)r, in_pos);
    }
    if (in_pos != len)
        return depot_fail(err, DEPOT_EFORMAT,
                          "%zu bytes follow the xz stream: the archive is not one .xz stream",
                          len - in_pos);
    return depot_tar_walk(out, out_pos, &lim, fn, ctx, err);
}
