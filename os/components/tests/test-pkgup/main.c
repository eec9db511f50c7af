/* SPDX-License-Identifier: MIT */
/* test-pkgup: the live upgrade of a package (decision 0022) in the
 * pkg-start scenario. It waits (report polled, with a deadline) until the
 * child `hello`, started from pkg:tester/hello/1.0, has exited, then applies
 * a partial configuration that changes only its binary to
 * pkg:tester/hello/1.1 (which test-pkgstore also installed): hoitaja must
 * accept it and start the child again from the new package, which then
 * logs its new binary (the scenario's expectation). */
#include "test.h"

#define WHAT "pkg-upgrade"

static struct t_mgmt mg;
static char report[65536], result[4096];
static struct kide_json_tok tok[T_TOKENS];
static struct kide_json_doc doc;

static const char upgrade[] =
        "{\"generation\": 2, \"children\": [{\"name\": \"hello\", "
        "\"binary\": \"pkg:tester/hello/1.1\", \"ram\": 4194304, \"caps\": 64, "
        "\"cpu\": {\"quota\": 10}, \"routes\": [{\"service\": \"Pkg\", \"to\": \"child\", "
        "\"child\": \"store\"}], \"restart\": {\"policy\": \"on-failure\", \"backoff_ms\": 200, "
        "\"max_backoff_ms\": 1000}}]}";

/* Poll the report until `hello` is in state `want`, at most 60 s. */
static void wait_state(struct kide_env *env, const char *want)
{
    kide_u64 deadline = kide_now_ns() + 60000 * 1000000ull;
    char s[32] = "absent";
    for (;;) {
        kide_u64 len;
        int rc = t_mgmt_report(&mg, report, sizeof(report), &len);
        if (rc != KIDE_OK)
            t_fail(env, WHAT, "reading the report: %s", t_status(rc));
        if (t_parse(env, &doc, report, len, tok, T_TOKENS) < 0)
            t_fail(env, WHAT, "the report is not JSON");
        int c = t_report_child(&doc, "hello");
        if (c >= 0 && t_json_str(&doc, c, "state", s, sizeof(s)) == 0 && t_streq(s, want))
            return;
        if (kide_now_ns() >= deadline)
            t_fail(env, WHAT, "hello did not become '%s' in 60 s (it is '%s')", want, s);
        kide_sleep_ms(50);
    }
}

void kide_main(struct kide_env *env)
{
    int rc = t_mgmt_open(env, &mg, 10000);
    if (rc != KIDE_OK)
        t_fail(env, WHAT, "management session: %s", t_status(rc));
    wait_state(env, "exited");
    rc = t_mgmt_apply(&mg, upgrade, 2, 1, result, sizeof(result));
    if (rc != KIDE_OK)
        t_fail(env, WHAT, "apply: %s (%s)", t_status(rc), result);
    kide_log(env, "pkgup: applied binary pkg:tester/hello/1.1: %s", result);
    t_pass(env, WHAT);
}
