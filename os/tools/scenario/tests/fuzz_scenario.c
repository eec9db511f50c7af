/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the YAML -> JSON path of kide-scenario.
 *
 * Any input must be rejected with a message or accepted; an accepted
 * scenario must produce an init.json that the OS's JSON parser accepts and
 * that hoitaja's validator (os/hoitaja/config.c, as kide-scenario runs it)
 * accepts or refuses with a message and a hint, plus modules.txt and
 * expect.txt.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <kide/json.h>
#include "scenario.h"

static void check(bool cond)
{
    if (!cond)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scn s;
    struct scn_error err;
    if (scn_load(&s, (const char *)data, size, &err) != 0) {
        check(err.msg[0] != 0 && err.hint[0] != 0 && err.line >= 0);
        return 0;
    }
    char *json;
    long n = scn_write_init(&s, &json);
    check(n > 0);
    struct kide_json_tok *tok = malloc(((size_t)n + 1) * sizeof(*tok));
    struct kide_json_doc doc;
    struct kide_json_error jerr;
    check(tok && kide_json_parse(&doc, json, (size_t)n, tok, (size_t)n + 1, NULL, &jerr) == 0);
    check(kide_json_type(&doc, 0) == KIDE_JSON_OBJECT && kide_json_find(&doc, 0, "children") > 0);
    free(tok);
    /* hoitaja's own validator (compiled in) accepts it, or kide-scenario says why not,
     * with a hint. */
    if (scn_check_init(&s, json, (size_t)n, &err) != 0)
        check(err.msg[0] != 0 && err.hint[0] != 0);
    free(json);
    char *buf;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    check(f && scn_write_modules(&s, f) == 0 && scn_write_expect(&s, f) == 0);
    fclose(f);
    free(buf);
    scn_free(&s);
    return 0;
}
