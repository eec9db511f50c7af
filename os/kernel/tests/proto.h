/* SPDX-License-Identifier: MIT */
/* Kernel test suite: what the root asks of ktest-helper, through the info page.
 *
 * The root writes `mode` and `arg[]` before the helper starts; the helper
 * writes `res[]` and `state`, and ends with krt_exit(code). Selectors in args
 * are the helper's own (the root delegated them there). Portal handlers the
 * root creates inside the helper are told apart by their portal id.
 */
#ifndef KTEST_PROTO_H
#define KTEST_PROTO_H

enum helper_mode {
    H_EXIT = 1,  /**< exit with arg0 */
    H_TOUCH,     /**< write arg1 to address arg0, read it back to res0, exit 7 */
    H_READ_LOOP, /**< read address arg0 into res0, count in res1, until stop; exit 0 */
    H_UD2,       /**< ud2 with rax = rbx = 0; then res0 = rax, res1 = rbx, res2 = rflags; exit 9 */
    H_SPIN,      /**< count in res0 until stop; exit 0 */
    H_SM_DOWN,   /**< down on sm arg0 (deadline 0): res0 = status; exit 0 */
    H_RELAY,     /**< relay a capability: see helper.c */
    H_IO_LOOP,   /**< in from port arg0, count in res1 until stop; exit 0 */
    H_CALL, /**< call portal arg0 arg1 times with words; res0 = good replies, res1 = last status */
    H_SERVER,     /**< main EC waits (spins) until stop; portals do the work */
    H_VICTIM,     /**< fuzz victim: checksums and ping-pong with portal arg0; see helper.c */
    H_PRINT,      /**< print a line to COM1; exit 0 */
    H_SYSCALLS,   /**< run the syscall table in scratch[] (struct helper_sys), exit 0 */
    H_JUMP,       /**< call the code at arg0; exit 5 if it returns */
    H_WRITE_LOOP, /**< write an increasing counter to address arg0 (and res1) until stop */
    H_INSN, /**< execute the faulting instruction number arg0 (INSN_*); exit 8 if it returns */
};

/* Portal ids of H_SERVER handler ECs. */
#define H_PT_ECHO    1 /**< reply words[i] + 1 for every untyped word */
#define H_PT_BLOCK   2 /**< down on sm arg0 forever (a server that never replies) */
#define H_PT_FORWARD 3 /**< call portal arg1, reply its status in words[0] */
#define H_PT_WATCH                                                                                 \
    4 /**< (with H_WRITE_LOOP) receive the next call's item at arg0's page;                        \
           words[0] = *arg0, words[1] = *arg0 once it changed or after                             \
           H_WATCH_SPINS reads (no system call in between) */
#define H_WATCH_SPINS 20000000ul

/* H_INSN instructions. */
enum {
    INSN_DIV0,        /**< divide by zero: #DE (0) */
    INSN_HLT,         /**< privileged: #GP (13) */
    INSN_CLI,         /**< IOPL 0: #GP (13) */
    INSN_INT3,        /**< #BP (3), or #GP if the gate is not for user mode */
    INSN_INT80,       /**< int 0x80: #GP or #NP, never a kernel entry */
    INSN_NONCANON,    /**< load from a non-canonical address: #GP (13) */
    INSN_KREAD,       /**< load from the kernel half: #PF (14) */
    INSN_CODEWRITE,   /**< store into its own code: #PF (14), P|W|U */
    INSN_TRAPFLAG,    /**< set RFLAGS.TF: #DB (1) */
    INSN_MOVCR3,      /**< privileged: #GP (13) */
    INSN_WRMSR,       /**< privileged: #GP (13) */
    INSN_SYSCALL_AT,  /**< null syscall from the instruction at arg1 (e.g. the last user bytes) */
    INSN_IRETQ,       /**< iretq to a kernel code segment: #GP (13) */
    INSN_STD_SYSCALL, /**< std, then a null syscall: the kernel must not run with DF set */
    INSN_STD_UD2,     /**< std, then #UD (6): likewise for exception entry */
    INSN_STD_SPIN,    /**< std, spin 50 ms (timer interrupts), cld: likewise for interrupts */
    INSN_COUNT
};

/** One system call H_SYSCALLS issues; `st` and `r` are written back. */
struct helper_sys {
    u64 word, a[6];
    u64 st, r[3];
};
#define H_SYS_MAX 24 /* 24 * 11 words fit scratch[] */

#endif
