/* SPDX-License-Identifier: MIT */
/* goa: checks for names and paths that come from outside.
 *
 * Archive member names, symlink targets, project file paths and depot names
 * all arrive from files goa did not write. These pure functions decide
 * whether such a string is acceptable; they never touch the file system, so
 * they can be fuzzed on their own (fuzz/fuzz_pathcheck.c).
 */
#ifndef GOA_PATHCHECK_H
#define GOA_PATHCHECK_H

#include <stdbool.h>

/**
 * True if PATH names something inside the tree it is relative to: not empty,
 * not absolute, no ".." component, no NUL-free oddities such as a component
 * that would climb out. "./a", "a//b" and "a/" are accepted.
 */
bool goa_path_inside(const char *path);

/**
 * True if a symlink stored at LINKPATH (relative to the tree root) with the
 * target TARGET stays inside the tree: TARGET is relative and, resolved
 * lexically from LINKPATH's directory, never climbs above the root.
 */
bool goa_link_inside(const char *linkpath, const char *target);

/** True if S is a depot name or version: [A-Za-z0-9][A-Za-z0-9._+-]{0,127}, not "." or "..". */
bool goa_valid_name(const char *s);
/** True if S is a depot user: [a-z0-9][a-z0-9_-]{0,63}. */
bool goa_valid_user(const char *s);
/** True if S is a depot archive type: src, pkg, raw, api or bin/<arch>. */
bool goa_valid_type(const char *s);
/** True if S is 64 lower- or upper-case hex digits. */
bool goa_valid_sha256(const char *s);

#endif
