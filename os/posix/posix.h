/* SPDX-License-Identifier: MIT */
/* The POSIX runtime's shared state and internal interfaces (docs/posix.md).
 *
 * Threads: the supervisor (the component's main EC, main.c) loads the
 * program and then only answers its parent; every program thread is its own
 * EC (core's THREAD) whose `syscall` the kernel reflects to the entry stub of
 * its slot (entry.S). Each slot i has a runtime stack at
 * POSIX_KSTACK_VA + i * POSIX_KSTACK_SLOT laid out like libkide's handler
 * slots (the top words name the slot's UTCB and no handler), so the
 * component runtime's calls (log, heap, core) work from a system call as
 * from the main thread. All mutable state is under posix.lock except the
 * futex queue (posix.futex_lock); neither is held while a thread blocks.
 */
#ifndef POSIX_POSIX_H
#define POSIX_POSIX_H

#include <kide/component.h>
#include <kide/core.h>
#include "linux.h"
#include "pvm.h"
#include "pfutex.h"
#include "pelf.h"

struct posix_config;

#define POSIX_THREADS_MAX 32u
#define POSIX_KSTACK_SLOT 0x20000ull /* libkide's handler stack slot size */
#define POSIX_KSTACK_SIZE 0x10000ull /* mapped: the slot's upper half */
/* The upper half of libkide's 1 TiB of handler stack slots (it uses the first few). */
#define POSIX_KSTACK_VA (KIDE_COMP_HEAP_END - 0x8000000000ull)
/* The program's ROM image and its initial stack (heap window, fixed places). */
#define POSIX_ROM_VA                                                                               \
    (KIDE_COMP_HEAP + 0xd0000000000ull) /* 13 TiB in: below libkide's attach windows */
#define POSIX_STACK_TOP (KIDE_COMP_HEAP + 0xc8000000000ull) /* 12.5 TiB in */
/* The mmap window (top down) and the brk limit in the low window. */
#define POSIX_MMAP_LO 0x1000000000ull /* 64 GiB */
#define POSIX_MMAP_HI 0x3ff0000000ull
#define POSIX_PID     2
#define POSIX_PPID    1

/* The register image of a system call, on the thread's runtime stack (entry.S
 * knows these offsets). The way back resumes the program at rcx with rflags
 * = r11 and the stack pointer rsp (Linux's contract: RCX and R11 hold the
 * return address and RFLAGS after a syscall); it never touches the
 * program's stack. */
struct posix_frame {
    kide_u64 rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
    kide_u64 rsp;    /* the program's stack pointer at the syscall */
    kide_u64 pad[2]; /* 16-byte size: the stack below the frame stays aligned */
};
_Static_assert(sizeof(struct posix_frame) == 144, "entry.S frame size");

enum { PT_FREE = 0, PT_STARTING, PT_RUNNING, PT_ENDING };

struct posix_thread {
    int state; /* PT_* */
    int tid;
    kide_u64 core_id; /* core's thread id */
    kide_sel ec;      /* its EC capability */
    kide_sel sm;      /* its semaphore: futex waits and sleeps */
    kide_u64 utcb;
    kide_u64 fs;        /* FS base to set when it starts */
    kide_u64 clear_tid; /* CLONE_CHILD_CLEARTID / set_tid_address */
    kide_u64 sigmask;
    kide_u64 altstack_sp, altstack_size;
    int altstack_flags;
};

struct posix_state {
    struct kide_env *env;
    char name[32]; /* the program's name for log lines */
    struct kide_mutex lock, futex_lock;
    struct posix_vm vm;
    kide_u64 brk_start, brk_cur, brk_mapped; /* brk_mapped: page-aligned end of the brk area */
    kide_u64 stack_lo, stack_hi;             /* the main stack */
    kide_u64 image_va, image_size;           /* the ELF as ROM */
    struct posix_futex_queue fq;
    struct posix_thread thread[POSIX_THREADS_MAX];
    unsigned live; /* threads started and not ended */
    int next_tid;
    struct l_sigaction act[L_NSIG + 1];
    kide_u64 pending; /* signals raised while blocked */
    kide_u32 umask;
    kide_u64 boot_ns;     /* kernel clock when the program started */
    kide_u64 realtime_ns; /* REALTIME at boot_ns */
    struct l_rlimit rlim[L_RLIM_NLIMITS];
    kide_u8 unknown_logged[L_SYS_MAX / 8];
    int exiting;
};

extern struct posix_state posix;

typedef long (*posix_sys_fn)(long a0, long a1, long a2, long a3, long a4, long a5);
extern posix_sys_fn posix_syscall_table[L_SYS_MAX];
/** Add the VFS's system calls to the table (when it is linked). */
void posix_table_init(void);

/* entry.S */
extern const char posix_entry_table[];  /* slot i's reflection entry at + POSIX_ENTRY_STRIDE * i */
#define POSIX_ENTRY_STRIDE 32u          /* bytes per stub (entry.S .p2align 5) */
extern const char posix_thread_start[]; /* a new thread's first instruction */
extern kide_u64 posix_kstack_top[POSIX_THREADS_MAX];
/* The native range: the runtime's whole image (the link script's symbols). */
extern const char __image_start[], __image_end[];
#define posix_text_start __image_start
#define posix_text_end   __image_end

/* dispatch.c */
/** The calling program thread's frame (its system call in progress). */
struct posix_frame *posix_cur(void);
/** Do the calling thread's deferred munmap of its own stack, if any. */
void posix_syscall(struct posix_frame *f);
/** Write the exit words for f on the program stack (see struct posix_frame). */
/** The calling program thread's slot (from its runtime stack), or -1 for the supervisor. */
int posix_self(void);

/* arch.c: the kernel's POSIX ops (docs/kernel.md) */
int posix_arch_reflect(kide_sel ec, kide_u64 entry, kide_u64 lo, kide_u64 hi);
int posix_arch_set_fs(kide_sel ec, kide_u64 base);

/* thread.c */
/** Start a program thread in a free slot with the register image *f (rax, rsp
 *  and rip as the child should see them); its tid is written to ptid and ctid
 *  (0: not) before it runs. -> its tid or a negative errno. */
long posix_thread_spawn(const struct posix_frame *f, kide_u64 fs, kide_u64 clear_tid, kide_u64 ptid,
                        kide_u64 ctid);
/** End the threads that ended themselves (under posix.lock). */
void posix_thread_reap(void);
/** End the calling thread (its clear_tid done first); the last one ends the program. */
__attribute__((noreturn)) void posix_thread_exit(int code);
/** End the program: code, or 128 + sig when sig. Flushes the standard streams. */
__attribute__((noreturn)) void posix_exit(int code, int sig);
/** Wake one futex waiter's thread (the queue's callback). */
void posix_futex_up(struct posix_futex_waiter *w);
/** Sleep the calling program thread until the kernel-clock deadline (ns). */
long posix_sleep_until(kide_u64 deadline);
/** A struct timespec from the program as ns: 0, -EFAULT or -EINVAL. */
long posix_get_timespec(kide_u64 p, kide_u64 *ns);
/** REALTIME minus MONOTONIC, in ns. */
kide_u64 posix_realtime_offset(void);

/* mem.c */
long posix_mem_init(void);
/** Map RAM for the program at [va, va + len) with prot (the loader's segments). */
long posix_mem_map_fixed(kide_u64 va, kide_u64 len, unsigned prot);

/* time.c */
kide_u64 posix_now_ns(void);

/* random.c */
/** Fill buf with n bytes from RDSEED/RDRAND. -> 0, or -1 when the CPU gives none. */
int posix_random(void *buf, kide_u64 n);

/* signal.c */
/** Raise sig at the calling thread: ignored, pending (blocked), the default
 *  action (ends the program) or its handler set up to run when f returns. */
void posix_signal_raise(struct posix_frame *f, int sig);
/** Deliver pending signals that are no longer blocked. */
void posix_signal_deliver_pending(struct posix_frame *f);

/* files.c: the VFS with its Kide backend */
/** Set up the VFS from the configuration. 0, or -1 (logged). */
int posix_files_init(const struct posix_config *cfg);
/** Map ROM module name read-only (once; the program's too): 0, -ENOENT or -ENOMEM. */
int posix_rom_map(const char *name, const void **data, kide_u64 *size);

/** Log "posix: <program>: <text>" (the program's name attributes it). */
#define posix_log(...) kide_log(posix.env, __VA_ARGS__)

#endif
