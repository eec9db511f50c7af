/* SPDX-License-Identifier: MIT */
/* Kernel test suite: the harness every test file uses.
 *
 * A test is a function `void test_x(void)` listed in root.c. It checks with
 * CHECK()/EXPECT_ST(), which on failure print one `ktest: <name>: FAIL
 * <file:line> <expr>` line and jump to the test's `out:` label, where it
 * releases what it created (so a failed test does not disturb the next).
 * A test that needs more CPUs calls NEED_CPUS(n) first and is skipped.
 * The root prints `ktest: <name>: ok` for every test that neither failed nor
 * was skipped, and at the end `ktest: <N> passed, <M> failed, <S> skipped`.
 */
#ifndef KTEST_H
#define KTEST_H

#include <krt/spawn.h>
#include "proto.h"

/** Priorities the suite uses (the root's own SC is set to PRIO_MAIN). */
#define PRIO_LOW   10
#define PRIO_CHILD 40
#define PRIO_MAIN  64
#define PRIO_HIGH  100

/** Record a failure of the running test (first one wins). */
void ktest_fail(const char *file, int line, const char *expr, const char *detail);
/** Mark the running test as skipped with a reason. */
void ktest_skip(const char *why);
/** Number of CPUs. */
unsigned ktest_cpus(void);
/** The CPU to use for "another CPU" work: 1 when there is one, else 0. */
unsigned ktest_other_cpu(void);

#define CHECK(e)                                                                                   \
    do {                                                                                           \
        if (!(e)) {                                                                                \
            ktest_fail(__FILE__, __LINE__, #e, NULL);                                              \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)

/** CHECK with the values printed: a and b are compared as u64. */
#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        u64 a_ = (u64)(a), b_ = (u64)(b);                                                          \
        if (a_ != b_) {                                                                            \
            char d_[96];                                                                           \
            snprintf(d_, sizeof(d_), "(got 0x%lx, expected 0x%lx)", a_, b_);                       \
            ktest_fail(__FILE__, __LINE__, #a " == " #b, d_);                                      \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)

/** A system call must return status `want`. */
#define EXPECT_ST(call, want)                                                                      \
    do {                                                                                           \
        int st_ = (call);                                                                          \
        if (st_ != (want)) {                                                                       \
            char d_[64];                                                                           \
            snprintf(d_, sizeof(d_), "(got %s)", base_status_name(st_));                           \
            ktest_fail(__FILE__, __LINE__, #call " == " #want, d_);                                \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)

#define NEED_CPUS(n)                                                                               \
    do {                                                                                           \
        if (ktest_cpus() < (n)) {                                                                  \
            ktest_skip("(1 cpu)");                                                                 \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/** Wait (blocking, 1 ms at a time) until cond holds or ms pass; yields the cond. */
#define WAIT_FOR(cond, ms)                                                                         \
    ({                                                                                             \
        u64 dl_ = base_now() + (u64)(ms)*BASE_MS;                                                  \
        while (!(cond) && base_now() < dl_)                                                        \
            krt_sleep_ms(1);                                                                       \
        (bool)(cond);                                                                              \
    })

/** WAIT_FOR with 20 ms steps: for waits on ECs that share a CPU with each
 *  other, so that the root's wake-ups do not keep preempting them (see
 *  test_round_robin_preempted). */
#define WAIT_FOR_SLOW(cond, ms)                                                                    \
    ({                                                                                             \
        u64 dl_ = base_now() + (u64)(ms)*BASE_MS;                                                  \
        while (!(cond) && base_now() < dl_)                                                        \
            krt_sleep_ms(20);                                                                      \
        (bool)(cond);                                                                              \
    })

/* ---- helpers shared by the test files (root.c) ---- */

/** The root's UTCB. */
#define ROOT_UTCB ((struct kide_utcb *)KIDE_ROOT_UTCB)
/** A copy of root capability `sel` in the root with rights masked to `perm`
 *  (delegation into the root itself); 0 on failure. Drop with krt_cap_drop. */
kide_sel ktest_weak(kide_sel sel, unsigned perm);
/** A child PD (no memory, no ECs) with `quota` pages; 0 on failure. */
kide_sel ktest_pd(u64 quota);
/** Root quota: free pages (limit - used). */
u64 ktest_root_free(void);
/** State of an EC (ctrl_ec QUERY), or ~0 on error. */
u64 ktest_ec_state(kide_sel ec);
/** Spawn ktest-helper in `mode` on `cpu` with args; NULL-terminated arg list
 *  via the array. Returns 0 or fails the test. */
int ktest_helper(struct krt_child *c, unsigned mode, unsigned cpu, const u64 *args, unsigned nargs);
/** ktest_helper() without starting it: call krt_child_start(c, PRIO_CHILD) later. */
int ktest_helper_prepare(struct krt_child *c, unsigned mode, unsigned cpu, const u64 *args,
                         unsigned nargs);
/** Exception policy: record and stop quietly. */
u64 ktest_stop_quiet(struct krt_ec *ec, struct kide_exc_state *st);
/** Set entry i of a H_SYSCALLS table. */
void ktest_sys(struct krt_child *c, unsigned i, u64 word, u64 a0, u64 a1, u64 a2, u64 a3);
/** Entry i of a H_SYSCALLS table (results). */
volatile struct helper_sys *ktest_sys_get(struct krt_child *c, unsigned i);
/** Entry of ECs that only block forever on ktest_block_sm (no stack needed). */
extern char ktest_block_entry[];
extern kide_sel ktest_block_sm;

/* The tests, in order. The last ones can take the machine down (a kernel
 * that fails them resets or hangs), so they run when everything else is done. */
/* One test per line: clang-format 14 folds this list badly. */
/* clang-format off */
#define KTEST_LIST(X) \
    X(null) \
    X(clock) \
    X(bad_syscall) \
    X(lookup) \
    X(lookup_kernel_page) \
    X(device_memory) \
    X(ram_never_uc) \
    X(msi_assign) \
    X(assign_dev) \
    X(assign_dev_overflow) \
    X(delegate_self) \
    X(create_sm) \
    X(ctrl_sm) \
    X(sm_block_wake) \
    X(sm_aborted) \
    X(sm_cross_cpu) \
    X(create_pd) \
    X(ctrl_pd) \
    X(create_ec) \
    X(create_sc) \
    X(create_pt) \
    X(query_states) \
    X(delegate_obj) \
    X(revoke_local) \
    X(revoke_3pd) \
    X(mem_delegate_revoke) \
    X(revoke_page_isolation) \
    X(mem_perm) \
    X(mem_perm_subtree) \
    X(revoke_deep_chain) \
    X(mem_errors) \
    X(ram_high) \
    X(io_ports) \
    X(ipc_call) \
    X(ipc_errors) \
    X(ipc_typed) \
    X(ipc_typed_wrap) \
    X(ipc_child) \
    X(ipc_bad_cpu) \
    X(ipc_late_call) \
    X(ipc_aborted) \
    X(ipc_aborted_remote) \
    X(exit_notify) \
    X(pf_resume) \
    X(exc_stop) \
    X(exc_update) \
    X(exc_bad_rip) \
    X(recall) \
    X(recall_remote) \
    X(recall_blocked) \
    X(posix_reflect) \
    X(posix_regs) \
    X(posix_errors) \
    X(posix_fs) \
    X(posix_fs_remote) \
    X(posix_cost) \
    X(sc_time) \
    X(ctrl_sc_errors) \
    X(sc_set_remote) \
    X(sc_budget) \
    X(sc_debt) \
    X(priority) \
    X(round_robin) \
    X(round_robin_preempted) \
    X(quota_exhaust) \
    X(quota_cycles) \
    X(pd_destroy) \
    X(assign_gsi) \
    X(child_print) \
    X(elf_check) \
    X(tlb_shootdown) \
    X(tlb_downgrade_in_call) \
    X(reply_to_dead_caller) \
    X(ipc_chain_abort) \
    X(ipc_queue_abort) \
    X(ipc_msg_snapshot) \
    X(ipc_queued_portal_revoked) \
    X(ipc_queued_caller_sc_revoked) \
    X(ipc_chain_handler_freed) \
    X(sched_many_wild_ecs) \
    X(sm_fifo) \
    X(sm_stress) \
    X(ipc_parallel) \
    X(remote_wakeup) \
    X(smp_shootdown_stress) \
    X(io_after_shootdown) \
    X(exc_queue_caller_dies) \
    X(exc_vectors) \
    X(sysret_noncanonical) \
    X(kill_running_remote) \
    X(user_df_syscall) \
    X(user_df_irq) \
    X(user_df_exception) \
    X(exc_wild_state)
/* clang-format on */

#define KTEST_DECL(n) void test_##n(void);
KTEST_LIST(KTEST_DECL)

#endif
