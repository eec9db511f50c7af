/* SPDX-License-Identifier: MIT */
/* goa fuzzer: apt sources files (one-line and deb822) and Debian pool paths.
 *
 * Any bytes must parse without crashing or reading past the input; every
 * URI found must be a bounded http(s)/file URL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apt.h"
#include "project.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char **uris = NULL;
    size_t n = 0;

    goa_apt_parse((const char *)data, size, 0, &uris, &n);
    goa_apt_parse((const char *)data, size, 1, &uris, &n);
    for (size_t i = 0; i < n; i++)
        if (strlen(uris[i]) > size)
            abort();
    goa_strv_free(uris);
    char *s = strndup((const char *)data, size), *p = goa_debian_pool_path(s);
    free(p);
    free(s);
    return 0;
}
