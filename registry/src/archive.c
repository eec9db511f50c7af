/* SPDX-License-Identifier: MIT */
/* The archive format check (see archive.h). */
#include "archive.h"

#include <lzma.h>
#include <string.h>

int reg_tar_header_ok(const uint8_t b[512])
{
    unsigned long sum = 0, want = 0;
    int zero = 1, digits = 0;
    for (int i = 0; i < 512; i++) {
        zero &= b[i] == 0;
        /* The checksum field (148..155) counts as spaces. */
        sum += (i >= 148 && i < 156) ? ' ' : b[i];
    }
    if (zero)
        return 1;
    /* Octal digits, optionally led by spaces and ended by NUL or space. */
    int i = 148;
    while (i < 156 && b[i] == ' ')
        i++;
    for (; i < 156 && b[i] >= '0' && b[i] <= '7'; i++, digits++)
        want = want * 8 + (unsigned long)(b[i] - '0');
    if (digits == 0 || (i < 156 && b[i] != 0 && b[i] != ' '))
        return 0;
    return sum == want;
}

const char *reg_archive_check(const uint8_t *buf, size_t n)
{
    static const uint8_t magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
    uint8_t block[512];
    if (n < 32 || memcmp(buf, magic, sizeof(magic)) != 0)
        return "not an xz stream (no xz header magic)";
    if (buf[n - 2] != 'Y' || buf[n - 1] != 'Z')
        return "the xz stream is truncated (no xz footer magic)";
    lzma_stream s = LZMA_STREAM_INIT;
    if (lzma_stream_decoder(&s, REG_ARCHIVE_MEMLIMIT, 0) != LZMA_OK)
        return "cannot start the xz decoder";
    s.next_in = buf;
    s.avail_in = n < REG_ARCHIVE_PEEK ? n : REG_ARCHIVE_PEEK;
    s.next_out = block;
    s.avail_out = sizeof(block);
    lzma_ret ret = LZMA_OK;
    while (s.avail_out > 0 && ret == LZMA_OK)
        ret = lzma_code(&s, LZMA_FINISH);
    size_t got = sizeof(block) - s.avail_out;
    lzma_end(&s);
    if (got < sizeof(block)) {
        if (ret == LZMA_MEMLIMIT_ERROR)
            return "the xz stream needs more than 128 MiB to decompress";
        return ret == LZMA_STREAM_END || ret == LZMA_OK || ret == LZMA_BUF_ERROR
                       ? "the xz stream holds less than one tar block"
                       : "the xz stream is corrupt";
    }
    return reg_tar_header_ok(block) ? NULL : "the xz stream does not hold a tar archive";
}
