/* SPDX-License-Identifier: MIT */
/* Component runtime, first slice: a component as the root task of its image.
 *
 * Maps the public component API (kide/component.h) onto krt: the root's
 * set-up, COM1 logging, and QEMU's isa-debug-exit for the exit code, which
 * goa's QEMU backend maps back (code c is written as 0x10 + c, so QEMU exits
 * with 2 * (0x10 + c) + 1). It also provides krt's thread and portal hooks,
 * so a component that starts neither needs to define nothing else.
 */
#include <krt.h>
#include <kide/component.h>

struct kide_env {
    const struct kide_boot_info *boot; /**< the boot information */
    const char *args;                  /**< module string after the program name */
};

static struct kide_env env;

void kide_log(struct kide_env *e, const char *fmt, ...)
{
    char line[512];
    __builtin_va_list ap;
    (void)e;
    __builtin_va_start(ap, fmt);
    int n = krt_vsnprintf(line, sizeof(line) - 1, fmt, ap);
    __builtin_va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n > sizeof(line) - 2)
        n = sizeof(line) - 2;
    line[n] = '\n';
    line[n + 1] = 0;
    krt_puts(line);
}

void kide_exit(struct kide_env *e, int code)
{
    (void)e;
    if (code < 0 || code > 111)
        code = 111;
    kide_exit_qemu(0x10 + (u32)code);
}

const char *kide_args(struct kide_env *e) { return e->args; }

KRT_NORETURN void krt_root_main(const struct kide_boot_info *bi)
{
    krt_root_init(bi);
    env.boot = bi;
    const char *cmd = bi->modules[0].cmdline;
    while (*cmd && *cmd != ' ')
        cmd++;
    while (*cmd == ' ')
        cmd++;
    env.args = cmd;
    kide_main(&env);
    kide_exit(&env, 0);
}

/* A component that starts no threads or portals never reaches these. */
__attribute__((weak)) KRT_NORETURN void krt_child_main(struct kide_utcb *utcb)
{
    (void)utcb;
    krt_park();
}

__attribute__((weak)) void krt_portal_entry(u64 id, u64 msg, struct kide_utcb *utcb)
{
    (void)id, (void)msg, (void)utcb;
}
