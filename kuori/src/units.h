/* SPDX-License-Identifier: MIT */
/* Units on the command line and in tables: bytes (64M), percent (30%), durations (2s).
 *
 * Parsers accept exactly one number and one optional suffix and reject
 * everything else (signs, spaces, overflow), returning 0 on success and -1 on
 * a bad value; callers turn -1 into a usage error naming the accepted forms.
 * Formatters never write more than their buffer (at least 16 bytes).
 */
#ifndef KUORI_UNITS_H
#define KUORI_UNITS_H

#include <stddef.h>
#include <stdint.h>

/** "4096", "64K", "64M", "1G", "2T" (binary: K = 1024; "KiB"/"MB" also accepted). */
int kuori_parse_bytes(const char *s, uint64_t *out);
/** "30%" or "30", 1..100. */
int kuori_parse_percent(const char *s, unsigned *out);
/** A decimal integer 0..max, nothing else. */
int kuori_parse_uint(const char *s, uint64_t max, uint64_t *out);
/** "500ms", "2s", "5m", "1h", "1d" (a bare number is seconds) into milliseconds. */
int kuori_parse_duration(const char *s, uint64_t *ms);

/** 401408 -> "392K", 4194304 -> "4.0M", 512 -> "512B". */
void kuori_fmt_bytes(uint64_t v, char *buf, size_t n);
/** Nanoseconds -> "850ms", "42s", "5m12s", "2h03m", "4d02h". */
void kuori_fmt_uptime(uint64_t ns, char *buf, size_t n);

#endif
