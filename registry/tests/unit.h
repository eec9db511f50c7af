/* SPDX-License-Identifier: MIT */
/* Unit test groups of kide-registry, one per module; unit.c runs them all.
 *
 * Each function runs one cmocka group and returns its number of failures.
 */
#ifndef REG_UNIT_H
#define REG_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/** Path parser tests. */
int reg_test_path(void);
/** Name, version, user and type validation tests. */
int reg_test_valid(void);
/** Configuration parser tests. */
int reg_test_config(void);
/** Key parsing, key ids, signature verification and base64 tests. */
int reg_test_sig(void);
/** Token generation, format and hashing tests. */
int reg_test_token(void);
/** Range header tests. */
int reg_test_range(void);
/** Blob store and database tests. */
int reg_test_store(void);
/** Verified-blob cache, quota reservations, key reduction and archive format tests. */
int reg_test_integrity(void);
/** Rate limiter tests. */
int reg_test_ratelimit(void);

#endif
