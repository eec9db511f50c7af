/* SPDX-License-Identifier: MIT */
/* Fuzz remotes.json parsing (config.c), addresses and tokens as they come from the file. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static struct kuori_config cfg;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kuori_err e;
    struct kuori_addr a;
    struct kuori_token t;
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;
    kuori_config_parse(&cfg, s, size, &e);
    kuori_addr_parse(s, &a, &e);
    kuori_token_parse(s, &t, &e);
    free(s);
    return 0;
}
