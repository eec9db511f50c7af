/* SPDX-License-Identifier: MIT */
/* Fuzz the habitat YAML reader (yaml2json.c) and the structural diff of its result. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diff.h"
#include "yaml2json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kuori_err e;
    cJSON *doc = NULL, *copy;
    if (kuori_yaml_to_json((const char *)data, size, "fuzz", &doc, &e) != 0)
        return 0;
    copy = cJSON_Duplicate(doc, 1);
    if (copy && cJSON_GetArraySize(copy) > 0)
        cJSON_DeleteItemFromArray(copy, 0);
    if (copy)
        kuori_diff(NULL, doc, copy, 0);
    cJSON_Delete(copy);
    cJSON_Delete(doc);
    return 0;
}
