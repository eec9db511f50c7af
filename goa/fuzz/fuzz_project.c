/* SPDX-License-Identifier: MIT */
/* goa fuzzer: the goa.yaml parser and schema validator.
 *
 * Any byte string must be either accepted (and then freed cleanly) or
 * refused with a message -- never crash, leak past the sanitizers, or hang
 * (alias bombs are bounded by the validator's visit limit).
 */
#include <stddef.h>
#include <stdint.h>

#include "project.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct goa_project p;

    if (goa_project_parse((const char *)data, size, "fuzz.yaml", &p) == 0)
        goa_project_free(&p);
    return 0;
}
