/* SPDX-License-Identifier: MIT */
/* What the runtime's QEMU test files share (rt_test.c, rt_threads.c). */
#ifndef RT_TEST_H
#define RT_TEST_H

#include <kide/component.h>
#include <kide/base.h>
#include "rt.h"

extern struct kide_env *E;
extern const char *cur;
extern int passed, failed;

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            kide_log(E, "rt-test: %s: FAIL at line %d: %s", cur, __LINE__, #c);                    \
            failed++;                                                                              \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* rt_threads.c */
void t_threads(void);
void t_thread_limit(void);
void t_thread_bad(void);
void t_low_window(void);
void t_exit_signal(void);
void t_thread_fault(void);
void t_cpu_split(void);
/** When the component runs as one of the tests' sub-accounts (its args say what to
 *  do): does it and never returns; returns at once otherwise. */
void rt_child_main(struct kide_env *env);

#endif
