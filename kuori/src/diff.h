/* SPDX-License-Identifier: MIT */
/* A structural difference of two JSON values, for kuori diff.
 *
 * Objects compare key by key; arrays whose elements are all objects with a
 * string "name" (children lists) compare by name, other arrays by index;
 * scalars by value (numbers numerically). Each difference is one line:
 * "+ path: new", "- path: old" or "~ path: old -> new", with paths like
 * children[demo].ram. Deterministic: the order of the newer value's keys,
 * then removed keys in the older value's order.
 */
#ifndef KUORI_DIFF_H
#define KUORI_DIFF_H

#include <stdio.h>

#include <cjson/cJSON.h>

/** Print the differences from @p old to @p new to @p f (NULL: count only); their number. */
int kuori_diff(FILE *f, const cJSON *old, const cJSON *new_, int color);

#endif
