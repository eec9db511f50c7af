/* SPDX-License-Identifier: MIT */
/* kuori's error type: filling, printing and mapping agent codes to exit codes. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* C0 controls and DEL, and the C1 controls U+0080..U+009F in UTF-8 (0xc2 0x80..0x9f:
 * CSI, OSC, DCS to terminals that honour them); other UTF-8 is left as it is. */
void kuori_sanitize(char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s, n = (unsigned char)s[1];
        if (c == 0xc2 && n >= 0x80 && n <= 0x9f)
            s[0] = s[1] = '?';
        else if (c < 0x20 || c == 0x7f)
            *s = '?';
    }
}

int kuori_fail(struct kuori_err *e, int exit, const char *code, const char *hint, const char *fmt,
               ...)
{
    va_list ap;
    e->exit = exit;
    e->current = -1;
    snprintf(e->code, sizeof e->code, "%s", code ? code : "");
    snprintf(e->hint, sizeof e->hint, "%s", hint ? hint : "");
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    kuori_sanitize(e->msg); /* for a terminal, and it often quotes the agent */
    return exit;
}

void kuori_err_print(const struct kuori_err *e, const char *prefix)
{
    if (prefix && *prefix)
        fprintf(stderr, "kuori: %s: %s\n", prefix, e->msg);
    else
        fprintf(stderr, "kuori: %s\n", e->msg);
    if (e->hint[0])
        fprintf(stderr, "hint: %s\n", e->hint);
}

void kuori_err_clear(struct kuori_err *e)
{
    memset(e, 0, sizeof *e);
}

int kuori_exit_for_code(const char *code)
{
    static const struct {
        const char *code;
        int exit;
    } map[] = {
            {"rejected", KUORI_EXIT_REJECTED},  {"stale", KUORI_EXIT_REJECTED},
            {"busy", KUORI_EXIT_REJECTED},      {"denied", KUORI_EXIT_DENIED},
            {"token", KUORI_EXIT_DENIED},       {"not-found", KUORI_EXIT_NOTFOUND},
            {"unavailable", KUORI_EXIT_SERVER}, {"bad-request", KUORI_EXIT_SERVER},
            {"too-large", KUORI_EXIT_SERVER},   {"version", KUORI_EXIT_SERVER},
            {"hello-first", KUORI_EXIT_SERVER}, {"internal", KUORI_EXIT_SERVER},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (code && strcmp(code, map[i].code) == 0)
            return map[i].exit;
    return KUORI_EXIT_SERVER;
}
