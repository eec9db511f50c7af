/* SPDX-License-Identifier: MIT */
/* kide_log: one formatted line to core's LOG.
 *
 * Core prefixes every LOG call with the component's label, so a line must
 * never carry a newline into core: the text is split at newlines and each
 * piece is its own LOG call (and so its own labelled line). A piece longer
 * than KIDE_CORE_LOG_MAX bytes goes out as several LOG calls (lines) of at
 * most that size; formatted text over LINE_MAX bytes ends in a visible
 * "[cut]" (core escapes control characters and rate-limits, docs/core.md).
 * The base library's console (printf, base_panic) is routed here too: a
 * component has no COM1 and no exit port.
 */
#include <kide/base.h>
#include "rt.h"

#define LINE_MAX 1024

static void core_log(const char *s, kide_u64 len)
{
    struct kide_core_log_req req;
    struct kide_core_chan ch = rt_core_chan();
    if (len > KIDE_CORE_LOG_MAX)
        len = KIDE_CORE_LOG_MAX;
    KIDE_WIRE_STR(req.text, s, len);
    kide_core_log(&ch, &req);
}

static void emit(const char *text)
{
    const char *p = text;
    for (;;) {
        const char *nl = strchr(p, '\n');
        kide_u64 len = nl ? (kide_u64)(nl - p) : strlen(p);
        if (!len && !nl)
            core_log(p, 0);
        for (kide_u64 off = 0; off < len; off += KIDE_CORE_LOG_MAX)
            core_log(p + off, len - off);
        if (!nl || !nl[1])
            break;
        p = nl + 1;
    }
}

void kide_log(struct kide_env *env, const char *fmt, ...)
{
    char line[LINE_MAX];
    __builtin_va_list ap;
    __builtin_va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    __builtin_va_end(ap);
    if (n >= (int)sizeof(line))
        memcpy(line + sizeof(line) - 7, " [cut]", 7);
    (void)env;
    emit(line);
}

int kide_snprintf(char *buf, kide_u64 size, const char *fmt, ...)
{
    __builtin_va_list ap;
    __builtin_va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    __builtin_va_end(ap);
    return n;
}

const char *kide_status_name(int status)
{
    switch (status) {
    case KIDE_DENIED:
        return "DENIED";
    case KIDE_NOT_FOUND:
        return "NOT_FOUND";
    case KIDE_STALE:
        return "STALE";
    case KIDE_INVALID:
        return "INVALID";
    default:
        return base_status_name(status);
    }
}

static void console(const char *s)
{
    emit(s);
}

static void panic_exit(void)
{
    kide_exit(&rt_env, 255);
}

void rt_log_init(void)
{
    base_console_hook = console;
    base_panic_exit = panic_exit;
}
