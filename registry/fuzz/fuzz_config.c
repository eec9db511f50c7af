/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the YAML configuration parser (src/config.c). */
#include <stdint.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct reg_config c;
    char err[256];
    reg_config_defaults(&c);
    reg_config_parse((const char *)data, size, &c, err, sizeof(err));
    reg_config_free(&c);
    return 0;
}
