/* SPDX-License-Identifier: MIT */
/* The POSIX runtime's supervisor (docs/posix.md): reads the child's `posix`
 * configuration, loads the static program from its ROM module, starts its
 * main thread and then only answers its parent (heartbeats, RAM yields)
 * while the program runs; the program's exit ends the component.
 */
#include <kide/base.h>
#include <kide/json.h>
#include "posix.h"
#include "load.h"
#include "posix_config.h"

struct posix_state posix;
static struct posix_config cfg; /* 16 KiB of strings: not on the stack */

static void fail(const char *what, const char *why)
{
    posix_log("posix: %s: %s", what, why);
    kide_exit(posix.env, 127);
}

static void limits(void)
{
    for (unsigned i = 0; i < L_RLIM_NLIMITS; i++)
        posix.rlim[i] = (struct l_rlimit){L_RLIM_INFINITY, L_RLIM_INFINITY};
    posix.rlim[L_RLIMIT_STACK] = (struct l_rlimit){cfg.stack, cfg.stack};
    posix.rlim[L_RLIMIT_NOFILE] = (struct l_rlimit){1024, 1024};
    posix.rlim[L_RLIMIT_CORE] = (struct l_rlimit){0, 0};
    struct kide_quota q;
    if (kide_quota(posix.env, &q) == KIDE_OK)
        posix.rlim[L_RLIMIT_AS] = (struct l_rlimit){q.ram_quota, q.ram_quota};
}

void kide_main(struct kide_env *env)
{
    posix.env = env;
    memcpy(posix.name, "posix", 6);
    if (kide_mutex_init(env, &posix.lock) != KIDE_OK ||
        kide_mutex_init(env, &posix.futex_lock) != KIDE_OK)
        fail("start", "no semaphores: raise the child's caps");

    const struct kide_json_doc *doc;
    char err[200];
    if (kide_config_doc(env, &doc, err, sizeof(err)) != 0)
        fail("configuration", err);
    int tok = kide_json_find(doc, 0, "posix");
    if (tok < 0)
        fail("configuration", "no 'posix' object: start me as a hoitaja child with posix:");
    if (posix_config_parse(doc, tok, &cfg, err, sizeof(err)) != 0)
        fail("configuration", err);
    kide_u64 n = strlen(cfg.program);
    n = n < sizeof(posix.name) - 1 ? n : sizeof(posix.name) - 1;
    memcpy(posix.name, cfg.program, n);
    posix.name[n] = 0;

    posix.umask = 022;
    posix.next_tid = POSIX_PID;
    posix.boot_ns = kide_now_ns();
    limits();
    posix_mem_init();
    posix_table_init();

    if (posix_files_init(&cfg) != 0)
        kide_exit(env, 127);
    struct posix_start st;
    if (posix_load(cfg.program, cfg.argv, cfg.argc, cfg.envp, cfg.envc, cfg.stack, &st) != 0)
        kide_exit(env, 127);

    struct posix_frame f;
    memset(&f, 0, sizeof(f));
    f.rcx = st.entry;
    f.rsp = st.sp;
    f.r11 = 0x202; /* IF, as Linux starts a process */
    long tid = posix_thread_spawn(&f, 0, 0, 0, 0);
    if (tid < 0)
        fail(posix.name, "cannot start the program's main thread (core's THREAD failed)");
    /* Answer the parent; end the threads that ended themselves now and then. */
    for (;;) {
        kide_wait_signal(env, 100);
        kide_mutex_lock(&posix.lock);
        posix_thread_reap();
        kide_mutex_unlock(&posix.lock);
    }
}
