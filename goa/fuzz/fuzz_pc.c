/* SPDX-License-Identifier: MIT */
/* goa fuzzer: relocating pkg-config files (pcfile.c).
 *
 * Any text must be rewritten without crashing or writing past the output
 * buffer, and relocating twice must change nothing more (idempotent).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pcfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = strndup((const char *)data, size);
    char *once = goa_pc_relocate(in), *twice = goa_pc_relocate(once);

    if (strcmp(once, twice))
        abort();
    free(in), free(once), free(twice);
    return 0;
}
