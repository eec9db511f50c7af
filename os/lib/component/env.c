/* SPDX-License-Identifier: MIT */
/* Start and end of a component: identity and exit.
 *
 * crt0 enters rt_main() on the main EC (entry.c); the runtime reads the info
 * page (validated: core maps it, but a wrong magic must not make the
 * component read garbage as strings), creates its locks and the sleep
 * semaphore, routes the base library's console to core's LOG, and calls
 * kide_main().
 */
#include <kide/base.h>
#include "rt.h"

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
    kide_mutex_init(&rt_env, &rt_env.thread_mx);
    kide_sm_create(&rt_env, 0, &rt_env.sleep_sm);
}

void rt_main(void)
{
    const struct kide_comp_info *info = (const struct kide_comp_info *)KIDE_COMP_INFO;
    rt_env.parent = KIDE_COMP_SEL_PARENT;
    rt_sel_init(KIDE_COMP_SEL_FREE);
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

void kide_exit(struct kide_env *env, int code)
{
    kide_exit_signal(env, code, 0);
}

void kide_exit_signal(struct kide_env *env, int code, int sig)
{
    if (code < 0 || code > 255)
        code = 255;
    if (sig < 0 || sig > (int)KIDE_SIGNAL_MAX)
        sig = 0; /* core would refuse it and the component would not end */
    struct kide_core_chan ch = rt_core_chan();
    struct kide_core_exit_req req = {.code = (kide_u64)code, .signal = (kide_u64)sig};
    kide_core_exit(&ch, &req);
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

int kide_has_parent(struct kide_env *env)
{
    kide_u64 found = KIDE_CRD_NULL;
    (void)env;
    /* core fills the slot before the component runs, for every component
     * but the root habitat (core.h). Look at the slot itself, not at
     * env->parent, which a test may aim elsewhere. */
    if (kide_lookup(KIDE_CRD(KIDE_CRD_OBJ, KIDE_COMP_SEL_PARENT, 0, 0), &found, 0) != KIDE_OK)
        return 0;
    return found != KIDE_CRD_NULL;
}
