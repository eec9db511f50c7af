/* SPDX-License-Identifier: MIT */
/* A habitat YAML file to the JSON configuration the agent's apply takes.
 *
 * libyaml's event parser, bounded: at most 1 MiB of text, nesting 32, 100000
 * nodes, exactly one document, no anchors or aliases (a "billion laughs" file
 * cannot expand), no duplicate keys, only scalar keys. Plain scalars resolve
 * as YAML 1.2's core schema does: null/~/empty -> null, true/false -> bool,
 * integers and decimals -> numbers, anything else (and every quoted scalar)
 * -> string. Fuzzed by fuzz/fuzz_yaml.c.
 */
#ifndef KUORI_YAML2JSON_H
#define KUORI_YAML2JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"

#define KUORI_YAML_MAX_BYTES (1u << 20)
#define KUORI_YAML_MAX_DEPTH 32
#define KUORI_YAML_MAX_NODES 100000

/** Convert @p len bytes of YAML; *out is a new cJSON tree. @p what names the source in errors. */
int kuori_yaml_to_json(const char *text, size_t len, const char *what, cJSON **out,
                       struct kuori_err *e);
/** Read and convert a file ("-" is stdin). */
int kuori_yaml_file(const char *path, cJSON **out, struct kuori_err *e);

#endif
