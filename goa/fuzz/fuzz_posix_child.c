/* SPDX-License-Identifier: MIT */
/* goa fuzzer: a posix project's runtime file (posix_child.c).
 *
 * Any text must give a child whose posix object is a JSON object with a string
 * program equal to the child's program and, with arguments, args led by argv[0]
 * and ending in them; or an error; never a crash, a leak or undefined behaviour.
 * The console-line readers take any line.
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "posix_child.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    if (!quiet) {
        goa_opt.quiet = 1; /* errors are expected: keep the output short */
        quiet = 1;
    }
    char *text = strndup((const char *)data, size);
    char *args[] = {"x", "42", NULL};
    struct goa_posix_child c;
    for (int with = 0; with < 2; with++) {
        if (goa_posix_child("fuzz.yaml", text, strlen(text), "prog", with ? args : NULL, &c))
            continue;
        cJSON *o = cJSON_Parse(c.posix);
        cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "program");
        if (!cJSON_IsObject(o) || !cJSON_IsString(p) || strcmp(p->valuestring, c.program))
            abort();
        cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "args");
        int n = cJSON_GetArraySize(a);
        if (with &&
            (!cJSON_IsArray(a) || n < 3 || strcmp(cJSON_GetArrayItem(a, n - 1)->valuestring, "42")))
            abort();
        cJSON_Delete(o);
        goa_posix_child_free(&c);
    }
    (void)goa_child_line("prog", text);
    (void)goa_exit_with_code("prog", text);
    free(text);
    return 0;
}
