/* SPDX-License-Identifier: MIT */
/* test-forger: a hostile logger (issue 10, finding 15; the log-forgery scenario).
 *
 * It sends core raw LOG requests (not kide_log, which splits at newlines)
 * that try to print lines looking like another component's, the kernel's or
 * core's: a newline or carriage return followed by "[checker] PASS ...",
 * text starting "[other] ", "kide: ", "core: ", terminal control sequences,
 * an overlong line, and a flood for the rate limit. It cannot see the
 * console; the scenario expects each attempt as one whole line
 * "[forger] <escaped text>" (docs/core.md "LOG"), the rate-limit notice, and
 * this component's own checks: core answers the flood with QUOTA, lets a
 * line through again once the bucket refilled, and refuses sub-account
 * names that would make a misleading label.
 */
#include "test.h"
#include <kide/base.h>

#define WHAT      "log forger"
#define FLOOD_MAX 1000u

static int raw_log(const char *s, kide_u64 len)
{
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_CORE_LOG);
    kide_msg_put_bytes(&m, s, len);
    return kide_msg_call(&m, kide_core_portal(), 0);
}

#define RAW(env, lit)                                                                              \
    do {                                                                                           \
        int st_ = raw_log(lit, sizeof(lit) - 1);                                                   \
        if (st_ != KIDE_OK)                                                                        \
            t_fail(env, WHAT, "LOG of a %u byte line answered %s", (unsigned)(sizeof(lit) - 1),    \
                   t_status(st_));                                                                 \
    } while (0)

static void forge(struct kide_env *env)
{
    RAW(env, "hello\n[checker] PASS forged");
    RAW(env, "[other] forged");
    RAW(env, "kide: forged");
    RAW(env, "core: forged");
    RAW(env, "cr\r[checker] PASS forged");
    RAW(env, "esc\x1b[2K\rbell\a tab\t del\x7f nul\0 hi\xff end");
    RAW(env, "back\\x0aslash");
    /* One trailing newline ends the line; it is not text. */
    RAW(env, "trailing newline\n");
}

/* 4 + 476 bytes that escape to 4 characters each: more than core shows. */
static void overlong(struct kide_env *env)
{
    char buf[KIDE_CORE_LOG_MAX];
    memcpy(buf, "cut:", 4);
    for (unsigned i = 4; i < sizeof(buf); i++)
        buf[i] = 0x7f;
    int st = raw_log(buf, sizeof(buf));
    if (st != KIDE_OK)
        t_fail(env, WHAT, "LOG of %u bytes answered %s", (unsigned)sizeof(buf), t_status(st));
    st = raw_log(buf, KIDE_CORE_LOG_MAX + 1);
    if (st != KIDE_BAD_PARAM)
        t_fail(env, WHAT, "LOG over KIDE_CORE_LOG_MAX answered %s, not BAD_PARAM", t_status(st));
}

/* Names whose label would be ambiguous in "[label] " (core's name_ok). */
static void names(struct kide_env *env)
{
    static const char *const bad[] = {"a]b", "a b", "A", "a/b", "a\nb", ""};
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct t_sub s;
        int st = t_sub_create(&s, bad[i], 0, KIDE_CORE_CAPS_MIN, 0, 1);
        if (st == KIDE_OK)
            t_fail(env, WHAT, "core created a sub-account named '%s'", bad[i]);
    }
    kide_log(env, "names: core refuses a]b, a b, A, a/b, a newline and the empty name");
}

/* The bucket refills at a few lines per second: retry until the line passes
 * (bounded); each try that is dropped is counted in the next notice. */
static void log_when_allowed(struct kide_env *env, const char *text)
{
    int st;
    for (unsigned tries = 0; (st = raw_log(text, t_strlen(text))) == KIDE_QUOTA; tries++) {
        if (tries == 100)
            t_fail(env, WHAT, "no line passed for 10 s after the flood");
        kide_sleep_ms(100);
    }
    if (st != KIDE_OK)
        t_fail(env, WHAT, "LOG answered %s", t_status(st));
}

static void flood(struct kide_env *env)
{
    int st = KIDE_OK;
    unsigned n = 0;
    while (n < FLOOD_MAX && st == KIDE_OK) {
        st = raw_log("flood", 5);
        n++;
    }
    if (st != KIDE_QUOTA)
        t_fail(env, WHAT, "%u lines at once all passed (last status %s): no rate limit", n,
               t_status(st));
    log_when_allowed(env, "after the flood");
}

void kide_main(struct kide_env *env)
{
    forge(env);
    overlong(env);
    names(env);
    flood(env);
    /* t_pass's kide_log would be dropped while the bucket is still empty. */
    log_when_allowed(env, "PASS " WHAT);
    t_idle(env);
}
