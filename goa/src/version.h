/* SPDX-License-Identifier: MIT */
/* goa: depot version strings -- ordering and bumping.
 *
 * Versions are compared piecewise: runs of digits numerically, other runs
 * bytewise, so 1.10 > 1.9 and 2024-02-01 > 2024-01-31. Bumping increments
 * the last run of digits (1.2.3 -> 1.2.4, 1.0-rc1 -> 1.0-rc2); a date
 * version YYYY-MM-DD becomes today's date (a suffix letter is added if the
 * date is already today's). A port's own changes are port revisions
 * (1.2.3-kide2), which sort after upstream's 1.2.3 and before 1.2.4.
 */
#ifndef GOA_VERSION_H
#define GOA_VERSION_H

/** <0, 0, >0 as version A sorts before, with, after B. */
int goa_version_cmp(const char *a, const char *b);

/** The next version after V (fresh string); TODAY is "YYYY-MM-DD". */
char *goa_version_bump(const char *v, const char *today);

/** The port revision marker: UPSTREAM-kideN is the Nth revision of the port of UPSTREAM. */
#define GOA_PORT_MARK "-kide"

/**
 * The next port revision of V (fresh string): 1.2.3 -> 1.2.3-kide1,
 * 1.2.3-kide1 -> 1.2.3-kide2. Upstream's part never changes.
 */
char *goa_version_port_bump(const char *v);

#endif
