/* SPDX-License-Identifier: MIT */
/* The archive format check: is an upload a .tar.xz at all?
 *
 * A depot archive is an xz stream holding a tar archive (issue 12, point 7:
 * anything was accepted). Checked on publish, after the body is complete and
 * before its signature: the xz stream header magic, the stream footer magic
 * at the very end (a cut-off upload fails here), and, decompressed, a first
 * 512-byte block that is a valid tar header (its checksum, as every tar
 * variant since v7 writes it) or the all-zero end-of-archive block. Cost:
 * decoding at most REG_ARCHIVE_PEEK input bytes, whatever the archive's size;
 * the decoder's memory is capped at REG_ARCHIVE_MEMLIMIT. The whole stream is
 * not decompressed: damage further in is the signer's and goa's concern (it
 * verifies the signature over the exact bytes before it extracts).
 */
#ifndef REG_ARCHIVE_H
#define REG_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

/** Most compressed bytes read to find the first tar block. */
#define REG_ARCHIVE_PEEK (4u << 20)
/** Most memory the xz decoder may use (xz -9 needs 65 MiB; presets up to -8 fit in 33). */
#define REG_ARCHIVE_MEMLIMIT (128u << 20)

/**
 * Check that the n bytes at buf are a .tar.xz (see above). Returns NULL if
 * so, else a static string saying what is wrong.
 */
const char *reg_archive_check(const uint8_t *buf, size_t n);

/** Is the 512-byte block b a tar header with a valid checksum, or all zero? */
int reg_tar_header_ok(const uint8_t b[512]);

#endif
