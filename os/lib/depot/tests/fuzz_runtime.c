/* SPDX-License-Identifier: MIT */
/* libFuzzer: the runtime parser on any bytes; every accepted result must
 * keep the struct's invariants (terminated strings, counts in bounds). */
#include <kide/depot.h>

#include <stdlib.h>
#include <string.h>

static struct depot_runtime rt;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct depot_err err;

    if (depot_pkg_runtime((const char *)data, size, &rt, &err) == 0) {
        if (!rt.binary[0] || rt.n_requires > DEPOT_LIST_MAX || rt.n_provides > DEPOT_LIST_MAX ||
            rt.n_rom > DEPOT_LIST_MAX || rt.config_len >= DEPOT_CONFIG_MAX ||
            strlen(rt.config) != rt.config_len || rt.ram == 0 || rt.cpu_quota > 100)
            abort();
        for (size_t i = 0; i < rt.n_requires; i++)
            if (strlen(rt.requires[i]) >= DEPOT_NAME_MAX)
                abort();
    }
    return 0;
}
