/* SPDX-License-Identifier: MIT */
/* goa: minimal in-place edits of goa.yaml that keep comments and layout.
 *
 * Commands that change the project file (new, bump-version) replace the
 * value of one top-level scalar field on its own line; everything else in
 * the file stays byte for byte, so hand-written comments survive.
 */
#ifndef GOA_YAMLEDIT_H
#define GOA_YAMLEDIT_H

/**
 * Replace the value of top-level field KEY in FILE with VALUE (written
 * double-quoted). Returns 0, or -1 after reporting (field missing, I/O).
 * The result is parsed again before it replaces FILE.
 */
int goa_yaml_set(const char *file, const char *key, const char *value);

#endif
