/* SPDX-License-Identifier: MIT */
/* goa: safe extraction of source and depot archives with libarchive.
 *
 * Every member is judged before anything is written: its name (after
 * dropping `strip` leading components) must stay inside the destination,
 * symlink and hardlink targets must too, and only files, directories and
 * links are accepted. The first bad member aborts the whole extraction with
 * a message naming it; the caller extracts into a quarantine directory and
 * removes it on failure, so nothing from a refused archive survives.
 */
#ifndef GOA_EXTRACT_H
#define GOA_EXTRACT_H

/**
 * Extract the archive file PATH (any format and compression libarchive
 * reads) into the existing directory DEST, dropping STRIP leading path
 * components. ARCHIVE names it in messages (its URL, say). Returns 0, or -1
 * after reporting the offending member or I/O error.
 */
int goa_extract(const char *path, const char *archive, const char *dest, int strip);

#endif
