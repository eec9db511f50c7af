/* SPDX-License-Identifier: MIT */
/* Start and end of a component: the krt entry hooks, identity and exit.
 *
 * Under core, crt0 enters krt_child_main() on the main EC; the runtime reads
 * the info page (validated: core maps it, but a wrong magic must not make
 * the component read garbage as strings), creates its locks and the sleep
 * semaphore, routes krt's console to core's LOG, and calls kide_main().
 * As the root task of its own image (goa's QEMU backend), krt_root_main()
 * sets up krt's allocators instead; the log is COM1 and the exit code goes
 * to QEMU's isa-debug-exit as 0x10 + code (QEMU exits 2 * (0x10 + code) + 1).
 */
#include <krt.h>
#include "rt.h"

struct kide_env rt_env;

static void copy_str(char *dst, kide_u64 size, const char *src, kide_u64 max)
{
    kide_u64 n = 0;
    while (n + 1 < size && n < max && src[n])
        n++;
    memcpy(dst, src, n);
    dst[n] = 0;
}

static void common_init(void)
{
    kide_mutex_init(&rt_env, &rt_env.heap_mx);
    kide_mutex_init(&rt_env, &rt_env.misc_mx);
    kide_sm_create(&rt_env, 0, &rt_env.sleep_sm);
}

BASE_NORETURN void krt_child_main(struct kide_utcb *utcb)
{
    const struct kide_comp_info *info = (const struct kide_comp_info *)KIDE_COMP_INFO;
    (void)utcb;
    rt_env.root = 0;
    rt_env.parent = KIDE_COMP_SEL_PARENT;
    rt_sel_init();
    rt_log_init();
    rt_env.config = "{}";
    rt_env.config_len = 2;
    if (info->magic == KIDE_COMP_INFO_MAGIC) {
        rt_env.info = info;
        copy_str(rt_env.name, sizeof(rt_env.name), info->name, sizeof(info->name));
        copy_str(rt_env.args, sizeof(rt_env.args), info->args, sizeof(info->args));
        if (info->config_size && info->config_size <= KIDE_COMP_CONFIG_MAX) {
            rt_env.config = (const char *)KIDE_COMP_CONFIG;
            rt_env.config_len = info->config_size;
        }
    } else {
        copy_str(rt_env.name, sizeof(rt_env.name), "?", 1);
    }
    common_init();
    if (!rt_env.info)
        kide_log(&rt_env, "kide: info page has a wrong magic; running without config");
    kide_main(&rt_env);
    kide_exit(&rt_env, 0);
}

BASE_NORETURN void krt_root_main(const struct kide_boot_info *bi)
{
    krt_root_init(bi);
    rt_env.root = 1;
    rt_env.config = "{}";
    rt_env.config_len = 2;
    const char *cmd = bi->modules[0].cmdline, *base = cmd, *p = cmd;
    kide_u64 max = sizeof(bi->modules[0].cmdline);
    while (p < cmd + max && *p && *p != ' ') {
        if (*p == '/')
            base = p + 1;
        p++;
    }
    copy_str(rt_env.name, sizeof(rt_env.name), base, (kide_u64)(p - base));
    while (p < cmd + max && *p == ' ')
        p++;
    copy_str(rt_env.args, sizeof(rt_env.args), p, (kide_u64)(cmd + max - p));
    common_init();
    kide_main(&rt_env);
    kide_exit(&rt_env, 0);
}

void kide_exit(struct kide_env *env, int code)
{
    if (env->root) {
        if (code < 0 || code > 111)
            code = 111;
        base_exit_qemu(0x10 + (u32)code);
    }
    if (code < 0 || code > 255)
        code = 255;
    kide_u64 req[2] = {KIDE_CORE_EXIT, (kide_u64)code}, res[1];
    rt_core(req, 2, res, 1);
    /* Core never replies to EXIT; if the call failed, stop this thread for good. */
    for (;;) {
        if (env->sleep_sm)
            kide_ctrl_sm(KIDE_CTRL_SM_DOWN, env->sleep_sm, 0);
        else
            __asm__ volatile("ud2");
    }
}

const char *kide_args(struct kide_env *env)
{
    return env->args;
}
const char *kide_name(struct kide_env *env)
{
    return env->name;
}
int kide_env_is_root(struct kide_env *env)
{
    return env->root;
}
const struct kide_comp_info *kide_info(struct kide_env *env)
{
    return env->info;
}

const char *kide_config(struct kide_env *env, kide_u64 *len)
{
    if (len)
        *len = env->config_len;
    return env->config;
}
