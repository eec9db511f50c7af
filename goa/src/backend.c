/* SPDX-License-Identifier: MIT */
/* goa: the run backends by name (--target, test.target); see backend.h. */
#include "backend.h"

#include "util.h"

#include <string.h>

const struct goa_backend *goa_backend_find(const char *name)
{
    static const struct goa_backend *const all[] = {&goa_backend_host, &goa_backend_qemu};

    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!strcmp(all[i]->name, name))
            return all[i];
    goa_error("run", "known targets: host, qemu", "unknown target '%s'", name);
    return NULL;
}
