/* SPDX-License-Identifier: MIT */
/* test-prober: tries every way out of its habitat; all must be refused.
 *
 * Scenario tests/isolation. The prober runs in tenant-a with the route
 * `"*" -> parent`; tenant-a's own routes at the root allow one service
 * (`allowed`, the positive control: it must work, or a broken runtime could
 * pass by refusing everything) and deny the rest. The prober checks:
 *  1. capabilities it was never given: kide_call on selectors 4..255 outside
 *     the exception portals gives BAD_CAP; lookups there find nothing; its
 *     whole capability space holds no PD that can create objects and no SC
 *     it could re-budget; it holds no I/O ports (serial, debug exit, PIC);
 *  2. the allowed service opens and answers;
 *  3. each of `denied` (services of tenant-b and of the root, core's old
 *     service names) is refused with DENIED or NOT_FOUND;
 *  4. "Hoitaja": refused, or, if the habitat gives the prober its own
 *     management session, that report must not show anything outside
 *     tenant-a (no root child, no tenant-b);
 *  5. announcing a service it does not `provide` is DENIED;
 *  6. asking core for hardware on its self portal: KIDE_CORE_IO_PORT (the
 *     serial ports 0x3f8..0x3ff) and KIDE_CORE_IRQ (GSI 4) are DENIED, since
 *     neither tenant-a nor the prober has `devices: true`.
 */
#include "test.h"

#include <kide/sys.h>

#define WHAT "isolation"

static char report[32768];
static struct kide_json_tok tok[T_TOKENS];

static void probe_selectors(struct kide_env *env)
{
    /* A habitat's child has a parent portal, the fact by which hoitaja tells
     * a nested habitat from the root one (kide_has_parent). */
    if (!kide_has_parent(env))
        t_fail(env, WHAT, "no parent portal at selector %d", KIDE_COMP_SEL_PARENT);
    for (kide_sel s = 4; s < KIDE_COMP_SEL_FREE; s++) {
        if (s >= KIDE_COMP_SEL_EVT && s < KIDE_COMP_SEL_EVT + KIDE_EXC_COUNT)
            continue; /* its own exception portals (to core): present by design */
        struct kide_msg m;
        kide_msg_begin(&m, 1);
        int rc = kide_msg_call(&m, s, 0);
        if (rc != KIDE_BAD_CAP)
            t_fail(env, WHAT, "call on selector %llu returned %s, not BAD_CAP",
                   (unsigned long long)s, t_status(rc));
        kide_u64 found = 0, info = 0;
        rc = kide_lookup(KIDE_CRD(KIDE_CRD_OBJ, s, 0, 0), &found, &info);
        if (rc != KIDE_OK || found != KIDE_CRD_NULL)
            t_fail(env, WHAT, "lookup of selector %llu found something (%s, crd %llx)",
                   (unsigned long long)s, t_status(rc), (unsigned long long)found);
    }
    /* The whole object space: nothing that could create kernel objects
     * outside core's accounting or change a scheduling budget. */
    for (kide_sel s = 1; s < 65536; s++) {
        kide_u64 found = 0, info = 0;
        if (kide_lookup(KIDE_CRD(KIDE_CRD_OBJ, s, 0, 0), &found, &info) != KIDE_OK ||
            found == KIDE_CRD_NULL || (found >> 12) != s)
            continue;
        unsigned perm = KIDE_CRD_PERM(found);
        if (info == KIDE_OBJ_PD && (perm & KIDE_PD_CREATE))
            t_fail(env, WHAT, "selector %llu holds a PD with PD_CREATE", (unsigned long long)s);
        if (info == KIDE_OBJ_SC && (perm & KIDE_SC_CTRL))
            t_fail(env, WHAT, "selector %llu holds an SC with SC_CTRL", (unsigned long long)s);
    }
    static const kide_u64 ports[] = {0x3f8, 0xf4, 0x20, 0x60, 0xcf8};
    for (unsigned i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
        kide_u64 found = 0, info = 0;
        int rc = kide_lookup(KIDE_CRD(KIDE_CRD_IO, ports[i], 0, 0), &found, &info);
        if (rc != KIDE_OK || found != KIDE_CRD_NULL)
            t_fail(env, WHAT, "I/O port %#llx is accessible (%s)", (unsigned long long)ports[i],
                   t_status(rc));
    }
    kide_log(env, "prober: selectors 4..255 empty, no PD_CREATE, no SC_CTRL, no I/O ports");
}

/* Device access must be refused by core itself, not only missing from the
 * capability space: no device right was passed down to the prober. */
static void probe_devices(struct kide_env *env)
{
    struct kide_core_chan ch = kide_core_self_chan(kide_utcb(), KIDE_COMP_SEL_CORE);
    struct kide_core_io_port_req io = {.base = 0x3f8, .count = 8};
    int rc = kide_core_io_port(&ch, &io);
    if (rc != KIDE_DENIED)
        t_fail(env, WHAT, "KIDE_CORE_IO_PORT 0x3f8/8 returned %s, not DENIED", t_status(rc));
    kide_sel sm = kide_sel_alloc(0);
    if (!sm)
        t_fail(env, WHAT, "no free selector for the IRQ probe");
    /* mode 0: the GSI's default trigger */
    struct kide_core_irq_req irq = {.gsi = 4, .sel = sm, .mode = 0};
    rc = kide_core_irq(&ch, &irq);
    if (rc != KIDE_DENIED)
        t_fail(env, WHAT, "KIDE_CORE_IRQ GSI 4 returned %s, not DENIED", t_status(rc));
    kide_sel_free(sm, 0);
    kide_log(env, "prober: core denies IO_PORT and IRQ");
}

static void probe_allowed(struct kide_env *env, const char *service)
{
    struct kide_session s;
    kide_u64 deadline = kide_now_ns() + 20000000000ull;
    int rc;
    /* NOT_FOUND while the allowed server is still starting. */
    while ((rc = kide_session_open(env, service, "", 0, &s)) == KIDE_NOT_FOUND &&
           kide_now_ns() < deadline)
        kide_sleep_ms(50);
    if (rc != KIDE_OK)
        t_fail(env, WHAT, "the allowed service %s: %s (the control must work)", service,
               t_status(rc));
    struct kide_msg m;
    kide_msg_begin(&m, 1);
    kide_msg_put(&m, 41);
    rc = kide_msg_call(&m, s.pt, 0);
    kide_u64 v = kide_msg_get(&m);
    if (rc != KIDE_OK || v != 42)
        t_fail(env, WHAT, "the allowed service answered %s, %llu", t_status(rc),
               (unsigned long long)v);
    kide_session_close(env, &s);
    kide_log(env, "prober: allowed service %s works", service);
}

static void probe_denied(struct kide_env *env, const char *service)
{
    struct kide_session s;
    int rc = kide_session_open(env, service, "", 0, &s);
    if (rc != KIDE_DENIED && rc != KIDE_NOT_FOUND)
        t_fail(env, WHAT, "session to %s returned %s, not DENIED/NOT_FOUND", service, t_status(rc));
    kide_log(env, "prober: %s refused (%s)", service, t_status(rc));
}

static void probe_hoitaja(struct kide_env *env, const char *foreign)
{
    struct t_mgmt mg;
    int rc = kide_session_open(env, "Hoitaja", "", 0, &mg.s);
    if (rc == KIDE_DENIED || rc == KIDE_NOT_FOUND) {
        kide_log(env, "prober: Hoitaja refused (%s)", t_status(rc));
        return;
    }
    if (rc != KIDE_OK)
        t_fail(env, WHAT, "session to Hoitaja returned %s", t_status(rc));
    /* Granted: it can only be tenant-a's own management session. */
    kide_u64 len;
    struct kide_json_doc doc;
    if ((rc = t_mgmt_report(&mg, report, sizeof(report), &len)) != KIDE_OK)
        t_fail(env, WHAT, "reading the granted Hoitaja report: %s", t_status(rc));
    if (t_parse(env, &doc, report, len, tok, T_TOKENS) < 0)
        t_fail(env, WHAT, "the granted Hoitaja report is not JSON");
    for (const char *p = foreign; *p;) {
        char name[40];
        unsigned n = 0;
        while (*p && *p != ',' && n + 1 < sizeof(name))
            name[n++] = *p++;
        name[n] = 0;
        if (*p == ',')
            p++;
        if (t_report_child(&doc, name) >= 0)
            t_fail(env, WHAT, "the Hoitaja session granted to tenant-a shows '%s'", name);
    }
    kide_session_close(env, &mg.s);
    kide_log(env, "prober: Hoitaja is tenant-a's own habitat only");
}

/* A service it may not announce: the ops must be real, or the runtime
 * refuses locally (BAD_PARAM) and the parent is never asked. */
static void *forged_open(struct kide_env *env, const char *label, const char *args, kide_u64 ram,
                         int *status)
{
    (void)env, (void)label, (void)args, (void)ram;
    *status = KIDE_DENIED;
    return 0;
}
static void forged_close(struct kide_env *env, void *session)
{
    (void)env, (void)session;
}
static int forged_call(struct kide_env *env, void *session, struct kide_rpc *rpc)
{
    (void)env, (void)session, (void)rpc;
    return KIDE_BAD_PARAM;
}

void kide_main(struct kide_env *env)
{
    char allowed[40], denied[256], foreign[256];
    t_cfg_str(env, "allowed", "Shared", allowed, sizeof(allowed));
    t_cfg_str(env, "denied", "Echo,Secret", denied, sizeof(denied));
    t_cfg_str(env, "foreign", "", foreign, sizeof(foreign));

    probe_selectors(env);
    probe_devices(env);
    probe_allowed(env, allowed);
    for (const char *p = denied; *p;) {
        char name[40];
        unsigned n = 0;
        while (*p && *p != ',' && n + 1 < sizeof(name))
            name[n++] = *p++;
        name[n] = 0;
        if (*p == ',')
            p++;
        probe_denied(env, name);
    }
    probe_hoitaja(env, foreign);
    static const struct kide_service_ops forged = {
            .open = forged_open, .close = forged_close, .call = forged_call};
    int rc = kide_service_announce(env, "Forged", &forged);
    if (rc != KIDE_DENIED)
        t_fail(env, WHAT, "announcing a service not in provides returned %s, not DENIED",
               t_status(rc));
    t_pass(env, WHAT);
    t_idle(env);
}
