/* SPDX-License-Identifier: MIT */
/* Program threads: start (core's THREAD, one EC each), clone for threads,
 * exit and exit_group, set_tid_address, arch_prctl, and the futex.
 *
 * A slot's runtime stack and semaphore stay allocated once made and are
 * reused by later threads of the slot. A thread that ends marks its slot
 * PT_ENDING and ends itself at core; the next spawn reaps such slots (ends
 * the thread at core again, which fails harmlessly when it is gone, and
 * drops its EC capability) before it reuses one, all under posix.lock, so a
 * slot is never reused while its old thread may still run on its stack.
 * fork and vfork are not supported (ENOSYS, docs/posix.md).
 */
#include <kide/base.h>
#include <kide/core_client.h>
#include "posix.h"
#include "uaccess.h"

kide_u64 posix_kstack_top[POSIX_THREADS_MAX];
static struct kide_thread kthread[POSIX_THREADS_MAX]; /* libkide's handle of each slot's thread */

#include "vfs.h"

static struct kide_core_chan chan(void)
{
    return kide_core_self_chan(kide_utcb(), kide_core_portal());
}

int posix_self(void)
{
    kide_u64 sp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
    if (sp < POSIX_KSTACK_VA || sp >= POSIX_KSTACK_VA + POSIX_THREADS_MAX * POSIX_KSTACK_SLOT)
        return -1;
    return (int)((sp - POSIX_KSTACK_VA) / POSIX_KSTACK_SLOT);
}

/* Under posix.lock: end the threads that ended themselves. Such a thread
 * marked its slot PT_ENDING and blocks on its semaphore holding no lock, so
 * ending it at core here is safe at any moment. */
void posix_thread_reap(void)
{
    for (unsigned i = 0; i < POSIX_THREADS_MAX; i++) {
        struct posix_thread *t = &posix.thread[i];
        if (t->state != PT_ENDING)
            continue;
        kide_thread_end(posix.env, &kthread[i]);
        t->state = PT_FREE;
    }
}

/* The slot's runtime stack (mapped once) with libkide's slot words on top. */
static int slot_prepare(unsigned i)
{
    kide_u64 slot = POSIX_KSTACK_VA + i * POSIX_KSTACK_SLOT;
    if (!posix_kstack_top[i]) {
        struct kide_core_chan ch = chan();
        struct kide_core_ram_alloc_req req = {slot + POSIX_KSTACK_SLOT - POSIX_KSTACK_SIZE,
                                              POSIX_KSTACK_SIZE, KIDE_MEM_R | KIDE_MEM_W};
        struct kide_core_ram_alloc_rep rep;
        if (kide_core_ram_alloc(&ch, &req, &rep) != KIDE_OK)
            return -L_EAGAIN;
        posix_kstack_top[i] = slot + POSIX_KSTACK_SLOT - 16;
    }
    struct posix_thread *t = &posix.thread[i];
    if (!t->sm && kide_sm_create(posix.env, 0, &t->sm) != KIDE_OK)
        return -L_EAGAIN;
    return 0;
}

long posix_thread_spawn(const struct posix_frame *f, kide_u64 fs, kide_u64 clear_tid, kide_u64 ptid,
                        kide_u64 ctid)
{
    if (!posix_user_ok((void *)(f->rsp - 144), 144, 1))
        return -L_EINVAL;
    kide_mutex_lock(&posix.lock);
    posix_thread_reap();
    unsigned i = 0;
    while (i < POSIX_THREADS_MAX && posix.thread[i].state != PT_FREE)
        i++;
    long r = -L_EAGAIN;
    if (i == POSIX_THREADS_MAX)
        goto out;
    if ((r = slot_prepare(i)) != 0)
        goto out;
    struct posix_thread *t = &posix.thread[i];
    struct posix_frame *cf = (struct posix_frame *)(posix_kstack_top[i] - sizeof(*cf));
    *cf = *f;
    int self = posix_self();
    t->tid = posix.next_tid++;
    t->fs = fs;
    t->clear_tid = clear_tid;
    t->sigmask = self >= 0 ? posix.thread[self].sigmask : 0;
    t->altstack_sp = t->altstack_size = 0;
    t->altstack_flags = 2; /* SS_DISABLE */
    t->state = PT_STARTING;
    /* The thread runs at once but first takes posix.lock (posix_thread_boot),
     * which we hold until its slot names its UTCB. */
    int st = kide_thread_create(posix.env, (kide_u64)posix_thread_start, (kide_u64)cf, 0,
                                &kthread[i]);
    if (st != KIDE_OK) {
        t->state = PT_FREE;
        posix_log("posix: %s: no thread from core (%s)", posix.name, kide_status_name(st));
        r = -L_EAGAIN;
        goto out;
    }
    kide_u64 *top = (kide_u64 *)posix_kstack_top[i];
    top[0] = kthread[i].utcb; /* rt_utcb() reads it: the slot's UTCB */
    top[1] = 0;               /* no libkide handler: core calls use the account's portal */
    /* The tid words before the thread runs its first program instruction (it
     * waits for posix.lock in posix_thread_boot), as Linux writes them. */
    int v = t->tid; /* posix.lock is held: the map directly, not posix_copy_out */
    if (ptid && posix_vm_access(&posix.vm, ptid, 4, 1))
        memcpy((void *)ptid, &v, 4);
    if (ctid && posix_vm_access(&posix.vm, ctid, 4, 1))
        memcpy((void *)ctid, &v, 4);
    t->core_id = kthread[i].id;
    t->ec = kthread[i].ec;
    posix.live++;
    r = t->tid;
out:
    kide_mutex_unlock(&posix.lock);
    return r;
}

/* The new thread's first C code, on its runtime stack: its own reflection and
 * FS base (the kernel takes 0 as "the calling EC"), then into the program. */
void posix_thread_boot(struct posix_frame *f);
void posix_thread_boot(struct posix_frame *f)
{
    (void)f;
    int i = posix_self();
    struct posix_thread *t = &posix.thread[i];
    /* Wait for the creator to finish the slot (it holds the lock). */
    kide_mutex_lock(&posix.lock);
    kide_mutex_unlock(&posix.lock);
    int st = posix_arch_reflect(0, (kide_u64)posix_entry_table + POSIX_ENTRY_STRIDE * (kide_u64)i,
                                (kide_u64)posix_text_start, (kide_u64)posix_text_end);
    if (st == KIDE_OK && t->fs)
        st = posix_arch_set_fs(0, t->fs);
    if (st != KIDE_OK) {
        posix_log("posix: %s: cannot reflect the program's system calls (%s): the kernel "
                  "lacks KIDE_CTRL_EC_POSIX",
                  posix.name, kide_status_name(st));
        posix_exit(127, 0);
    }
    kide_mutex_lock(&posix.lock);
    t->state = PT_RUNNING;
    kide_mutex_unlock(&posix.lock);
}

void posix_exit(int code, int sig)
{
    vfs_flush();
    kide_mutex_lock(&posix.lock);
    posix.exiting = 1;
    kide_mutex_unlock(&posix.lock);
    if (sig)
        kide_exit_signal(posix.env, 128 + sig, sig);
    kide_exit(posix.env, code & 255);
}

static long futex_wake(kide_u64 addr, kide_u32 bitset, long n);

void posix_thread_exit(int code)
{
    int i = posix_self();
    struct posix_thread *t = &posix.thread[i];
    if (t->clear_tid && !(t->clear_tid & 3)) {
        int zero = 0;
        if (posix_copy_out((void *)t->clear_tid, &zero, 4) == 0)
            futex_wake(t->clear_tid, ~0u, 1);
    }
    kide_mutex_lock(&posix.lock);
    int last = --posix.live == 0;
    t->state = PT_ENDING;
    kide_mutex_unlock(&posix.lock);
    if (last)
        posix_exit(code, 0);
    /* Wait, holding nothing, to be ended by the reaper (spawn or the supervisor). */
    for (;;)
        kide_ctrl_sm(KIDE_CTRL_SM_DOWN, t->sm, 0);
}

/* ---- system calls ---- */

static struct posix_frame *cur_frame(void)
{
    int i = posix_self();
    return (struct posix_frame *)(posix_kstack_top[i] - sizeof(struct posix_frame));
}

long sys_exit(long a0, long a1, long a2, long a3, long a4, long a5)
{
    posix_thread_exit((int)(a0 & 255));
}

long sys_exit_group(long a0, long a1, long a2, long a3, long a4, long a5)
{
    posix_exit((int)(a0 & 255), 0);
}

#define CLONE_THREAD_FLAGS (L_CLONE_VM | L_CLONE_SIGHAND | L_CLONE_THREAD)
#define CLONE_KNOWN                                                                                \
    (CLONE_THREAD_FLAGS | L_CLONE_FS | L_CLONE_FILES | L_CLONE_SYSVSEM | L_CLONE_SETTLS |          \
     L_CLONE_PARENT_SETTID | L_CLONE_CHILD_CLEARTID | L_CLONE_CHILD_SETTID | L_CLONE_DETACHED)

long sys_clone(long a0, long a1, long a2, long a3, long a4, long a5)
{
    kide_u64 flags = (kide_u64)a0, sp = (kide_u64)a1, ptid = (kide_u64)a2;
    kide_u64 ctid = (kide_u64)a3, tls = (kide_u64)a4;
    if ((flags & CLONE_THREAD_FLAGS) != CLONE_THREAD_FLAGS)
        return -L_ENOSYS; /* a new process (fork): not supported */
    if ((flags & ~(kide_u64)(CLONE_KNOWN | L_CSIGNAL)) || !sp || (sp & 7))
        return -L_EINVAL;
    if ((flags & (L_CLONE_PARENT_SETTID | L_CLONE_CHILD_SETTID)) &&
        !posix_user_ok((void *)(flags & L_CLONE_PARENT_SETTID ? ptid : ctid), 4, 1))
        return -L_EFAULT;
    struct posix_frame child = *cur_frame();
    child.rax = 0;
    child.rsp = sp;
    int self = posix_self();
    kide_u64 fs = flags & L_CLONE_SETTLS ? tls : posix.thread[self].fs;
    return posix_thread_spawn(&child, fs, flags & L_CLONE_CHILD_CLEARTID ? ctid : 0,
                              flags & L_CLONE_PARENT_SETTID ? ptid : 0,
                              flags & L_CLONE_CHILD_SETTID ? ctid : 0);
}

long sys_fork(long a0, long a1, long a2, long a3, long a4, long a5)
{
    return -L_ENOSYS;
}

long sys_set_tid_address(long a0, long a1, long a2, long a3, long a4, long a5)
{
    struct posix_thread *t = &posix.thread[posix_self()];
    t->clear_tid = (kide_u64)a0;
    return t->tid;
}

long sys_gettid(long a0, long a1, long a2, long a3, long a4, long a5)
{
    return posix.thread[posix_self()].tid;
}

long sys_arch_prctl(long a0, long a1, long a2, long a3, long a4, long a5)
{
    struct posix_thread *t = &posix.thread[posix_self()];
    switch (a0) {
    case L_ARCH_SET_FS:
        if ((kide_u64)a1 >= 0x800000000000ull)
            return -L_EPERM;
        if (posix_arch_set_fs(0, (kide_u64)a1) != KIDE_OK)
            return -L_EINVAL;
        t->fs = (kide_u64)a1;
        return 0;
    case L_ARCH_GET_FS:
        return posix_copy_out((void *)a1, &t->fs, 8);
    default:
        return -L_EINVAL; /* GS: not supported */
    }
}

/* ---- futex ---- */

void posix_futex_up(struct posix_futex_waiter *w)
{
    struct posix_thread *t = w->thread;
    kide_ctrl_sm(KIDE_CTRL_SM_UP, t->sm, 0);
}

static long futex_wake(kide_u64 addr, kide_u32 bitset, long n)
{
    kide_mutex_lock(&posix.futex_lock);
    long r = posix_futex_wake(&posix.fq, addr, bitset, n, posix_futex_up);
    kide_mutex_unlock(&posix.futex_lock);
    return r;
}

/* A timespec from the program as ns; -EINVAL / -EFAULT. */
static long get_ts(kide_u64 p, kide_u64 *ns)
{
    struct l_timespec ts;
    long r = posix_copy_in(&ts, (void *)p, sizeof(ts));
    if (r)
        return r;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
        return -L_EINVAL;
    kide_u64 s = (kide_u64)ts.tv_sec;
    *ns = s > 18000000000ull ? ~0ull >> 2 : s * 1000000000ull + (kide_u64)ts.tv_nsec;
    return 0;
}

long posix_get_timespec(kide_u64 p, kide_u64 *ns);
long posix_get_timespec(kide_u64 p, kide_u64 *ns)
{
    return get_ts(p, ns);
}

/* Block on the calling thread's semaphore until w is woken or the kernel-clock
 * deadline passes (0: never). 0 woken, -ETIMEDOUT. */
static long futex_block(struct posix_thread *t, struct posix_futex_waiter *w, kide_u64 deadline)
{
    for (;;) {
        int st = kide_ctrl_sm(KIDE_CTRL_SM_DOWN, t->sm, deadline);
        kide_mutex_lock(&posix.futex_lock);
        if (w->woken) {
            kide_mutex_unlock(&posix.futex_lock);
            return 0;
        }
        if (st == KIDE_TIMEOUT || (deadline && kide_now_ns() >= deadline)) {
            posix_futex_remove(&posix.fq, w);
            kide_mutex_unlock(&posix.futex_lock);
            return -L_ETIMEDOUT;
        }
        kide_mutex_unlock(&posix.futex_lock); /* a stale up: wait again */
    }
}

long posix_sleep_until(kide_u64 deadline);
long posix_sleep_until(kide_u64 deadline)
{
    struct posix_thread *t = &posix.thread[posix_self()];
    struct posix_futex_waiter w = {.addr = 0, .bitset = 0, .thread = t};
    /* A waiter nobody can wake (bitset 0): only the deadline ends it. */
    kide_mutex_lock(&posix.futex_lock);
    posix_futex_enqueue(&posix.fq, &w);
    kide_mutex_unlock(&posix.futex_lock);
    futex_block(t, &w, deadline ? deadline : 1);
    return 0;
}

extern kide_u64 posix_realtime_offset(void);

long sys_futex(long a0, long a1, long a2, long a3, long a4, long a5)
{
    kide_u64 addr = (kide_u64)a0;
    int op = (int)a1, cmd = op & ~(L_FUTEX_PRIVATE_FLAG | L_FUTEX_CLOCK_REALTIME);
    kide_u32 val = (kide_u32)a2, bitset = (kide_u32)a5;
    if (addr & 3)
        return -L_EINVAL;
    switch (cmd) {
    case L_FUTEX_WAIT:
    case L_FUTEX_WAIT_BITSET: {
        if (cmd == L_FUTEX_WAIT)
            bitset = ~0u;
        if (!bitset)
            return -L_EINVAL;
        kide_u64 deadline = 0, ns;
        if (a3) {
            long r = get_ts((kide_u64)a3, &ns);
            if (r)
                return r;
            if (cmd == L_FUTEX_WAIT)
                deadline = kide_now_ns() + ns; /* relative, monotonic */
            else if (op & L_FUTEX_CLOCK_REALTIME)
                deadline = ns > posix_realtime_offset() ? ns - posix_realtime_offset() : 1;
            else
                deadline = ns;
            if (!deadline)
                deadline = 1;
        }
        struct posix_thread *t = &posix.thread[posix_self()];
        struct posix_futex_waiter w = {.addr = addr, .bitset = bitset, .thread = t};
        kide_mutex_lock(&posix.futex_lock);
        kide_u32 cur;
        long r = posix_copy_in(&cur, (void *)addr, 4);
        if (!r && cur != val)
            r = -L_EAGAIN;
        if (!r)
            posix_futex_enqueue(&posix.fq, &w);
        kide_mutex_unlock(&posix.futex_lock);
        if (r)
            return r;
        return futex_block(t, &w, deadline);
    }
    case L_FUTEX_WAKE:
    case L_FUTEX_WAKE_BITSET:
        if (cmd == L_FUTEX_WAKE)
            bitset = ~0u;
        if (!bitset)
            return -L_EINVAL;
        return futex_wake(addr, bitset, (int)val < 0 ? 0x7fffffff : (long)(int)val);
    case L_FUTEX_REQUEUE:
    case L_FUTEX_CMP_REQUEUE: {
        kide_u64 addr2 = (kide_u64)a4;
        long n = (int)val, m = (int)a3;
        if ((addr2 & 3) || n < 0 || m < 0)
            return -L_EINVAL;
        kide_mutex_lock(&posix.futex_lock);
        long r = 0;
        if (cmd == L_FUTEX_CMP_REQUEUE) {
            kide_u32 cur;
            r = posix_copy_in(&cur, (void *)addr, 4);
            if (!r && cur != (kide_u32)a5)
                r = -L_EAGAIN;
        }
        if (!r)
            r = posix_futex_requeue(&posix.fq, addr, n, addr2, m, posix_futex_up);
        kide_mutex_unlock(&posix.futex_lock);
        return r;
    }
    default:
        return -L_ENOSYS;
    }
}
