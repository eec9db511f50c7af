/* SPDX-License-Identifier: MIT */
/* Validation of depot users, archive types, names and versions.
 *
 * Everything a client puts into a path is checked here before it reaches the
 * database or the log. The rules are the interface fixed with goa: names and
 * versions match [A-Za-z0-9][A-Za-z0-9._+-]{0,127} but are never "." or "..";
 * users match [a-z0-9][a-z0-9_-]{0,63}; a type is src, pkg, raw, api or
 * bin/<arch> with an architecture like a user name of at most 32 characters.
 * The functions are pure and take explicit lengths, so they can be fuzzed.
 */
#ifndef REG_VALID_H
#define REG_VALID_H

#include <stdbool.h>
#include <stddef.h>

/** Longest user name, without the terminating NUL. */
#define REG_USER_MAX 64
/** Longest archive name or version, without the terminating NUL. */
#define REG_NAME_MAX 128
/** Longest type ("bin/" plus an architecture), without the terminating NUL. */
#define REG_TYPE_MAX 36

/** Return true if the n bytes at s form a valid depot user name. */
bool reg_valid_user(const char *s, size_t n);

/** Return true if the n bytes at s form a valid archive name. */
bool reg_valid_name(const char *s, size_t n);

/** Return true if the n bytes at s form a valid version (same rule as names). */
bool reg_valid_version(const char *s, size_t n);

/** Return true if the n bytes at s form a valid architecture (bin/<arch>). */
bool reg_valid_arch(const char *s, size_t n);

/** Return true if the n bytes at s form a valid archive type, e.g. "src" or "bin/x86_64". */
bool reg_valid_type(const char *s, size_t n);

/**
 * Compare two versions in natural order: runs of digits compare numerically,
 * everything else bytewise. Returns <0, 0 or >0 like strcmp.
 */
int reg_version_cmp(const char *a, size_t an, const char *b, size_t bn);

#endif
