/* SPDX-License-Identifier: MIT */
/* Threads: core's KIDE_CORE_THREAD and THREAD_END, and the convenient
 * kide_thread_start on a runtime-made stack.
 *
 * A thread's UTCB lies in the handler-UTCB area (rt_utcb_area()), after the
 * pages the handler ECs may use (one per CPU): the runtime picks a page no
 * live thread holds. A page whose thread ended is only taken again after the
 * other pages were tried once (round robin), and a page the kernel still
 * refuses (BAD_ADDR) is skipped for the next one.
 *
 * The runtime finds the calling thread's UTCB by its stack pointer (rt_utcb):
 * handler stacks by their slot, threads by the stack range registered here.
 * The table is read without a lock by rt_thread_utcb: an entry's range and UTCB
 * are written before the thread can run on it and cleared only after it ended,
 * so a thread always finds its own entry intact; other entries may change
 * meanwhile but never match its stack.
 *
 * A thread that ends itself (fn returned, kide_thread_exit) cannot free the
 * stack it runs on: it marks its entry done and ends; the entry (and its
 * stack) is reaped by the next create/start/end, which first ends the thread
 * at core again (OK, or BAD_PARAM once it is gone: either way it no longer
 * runs) and only then frees the stack.
 */
#include <kide/base.h>
#include "rt.h"

#define RT_THREADS       (KIDE_CORE_MAX_THREADS - 1)
#define RT_THREAD_PAGES  (2 * RT_THREADS) /**< UTCB pages the runtime rotates through */
#define RT_THREAD_STACK  0x10000ull       /**< kide_thread_start's default stack */
#define RT_THREAD_GUARD  4096ull
#define RT_THREAD_MAXSTK (64ull << 20) /**< largest kide_thread_start stack */

struct rt_thread {
    volatile kide_u64 lo, hi; /**< its registered stack (0, 0: none) */
    volatile kide_u64 utcb;   /**< 0: the entry is free */
    volatile kide_u64 id;     /**< core's id (written under thread_mx before it is read) */
    kide_sel ec;
    void *stack; /**< a kide_thread_start stack the runtime frees, or NULL */
    kide_u64 stack_bytes;
    void (*fn)(void *arg);
    void *arg;
    volatile int done; /**< it ended itself: reap it */
};

static struct rt_thread table[RT_THREADS]; /* guarded by rt_env.thread_mx (see above) */
static kide_u64 page_next;                 /* the UTCB page to try first */
static kide_u64 page_used[(RT_THREAD_PAGES + 63) / 64];

kide_u64 rt_thread_utcb(kide_u64 sp)
{
    for (unsigned i = 0; i < RT_THREADS; i++) {
        struct rt_thread *t = &table[i];
        if (t->utcb && sp >= t->lo && sp < t->hi)
            return t->utcb;
    }
    return 0;
}

static kide_u64 page_va(kide_u64 page)
{
    return rt_utcb_area() + (KIDE_MAX_CPUS + page) * 4096ull;
}

static void page_put(kide_u64 utcb)
{
    kide_u64 page = (utcb - page_va(0)) / 4096;
    if (page < RT_THREAD_PAGES)
        page_used[page / 64] &= ~(1ull << (page % 64));
}

/** Forget entry t (thread_mx held); its stack is freed by the caller afterwards. */
static void entry_clear(struct rt_thread *t)
{
    page_put(t->utcb);
    t->lo = t->hi = 0;
    t->utcb = 0;
    t->id = 0;
    t->ec = 0;
    t->stack = 0;
    t->done = 0;
}

/** End entry t's thread at core and free what it held (thread_mx held). */
static int entry_end(struct rt_thread *t)
{
    struct kide_core_chan ch = rt_core_chan();
    struct kide_core_thread_end_req req = {t->id};
    int st = kide_core_thread_end(&ch, &req);
    /* BAD_PARAM: core has no such thread any more (it ended itself). */
    if (st != KIDE_OK && st != KIDE_BAD_PARAM)
        return st;
    void *stack = t->stack;
    kide_u64 bytes = t->stack_bytes;
    kide_sel ec = t->ec;
    entry_clear(t);
    if (ec)
        kide_sel_free(ec, 0); /* core's revoke emptied it */
    if (stack)
        kide_ram_free(&rt_env, stack, bytes);
    return KIDE_OK;
}

static void reap(void)
{
    for (unsigned i = 0; i < RT_THREADS; i++)
        if (table[i].utcb && table[i].done)
            entry_end(&table[i]);
}

/** The entry of thread t (thread_mx held), or NULL. */
static struct rt_thread *entry_of(const struct kide_thread *t)
{
    for (unsigned i = 0; t && t->id && i < RT_THREADS; i++)
        if (table[i].utcb && table[i].id == t->id && table[i].utcb == t->utcb)
            return &table[i];
    return 0;
}

/* The thread is created with thread_mx held, so its entry (id included) is
 * complete before the thread can look at it. */
static int create_locked(kide_u64 ip, kide_u64 sp, kide_sel evt_base, struct rt_thread *e,
                         struct kide_thread *out)
{
    kide_sel sel = kide_sel_alloc(0);
    if (!sel)
        return KIDE_QUOTA;
    struct kide_core_chan ch = rt_core_chan();
    int st = KIDE_QUOTA;
    for (unsigned tries = 0; tries < RT_THREAD_PAGES; tries++) {
        kide_u64 page = page_next++ % RT_THREAD_PAGES;
        if (page_used[page / 64] >> (page % 64) & 1)
            continue;
        e->utcb = page_va(page);
        struct kide_core_thread_req req = {ip, sp, e->utcb, sel, evt_base};
        struct kide_core_thread_rep rep;
        st = kide_core_thread(&ch, &req, &rep);
        if (st == KIDE_BAD_ADDR)
            continue; /* the kernel still holds that page: try the next one */
        if (st == KIDE_OK) {
            page_used[page / 64] |= 1ull << (page % 64);
            e->id = rep.id;
            e->ec = sel;
            out->ec = sel;
            out->id = rep.id;
            out->utcb = e->utcb;
            return KIDE_OK;
        }
        break;
    }
    e->utcb = 0;
    kide_sel_free(sel, 0);
    return st;
}

static struct rt_thread *entry_free(void)
{
    for (unsigned i = 0; i < RT_THREADS; i++)
        if (!table[i].utcb)
            return &table[i];
    return 0;
}

int kide_thread_create(struct kide_env *env, kide_u64 ip, kide_u64 sp, kide_sel evt_base,
                       struct kide_thread *t)
{
    (void)env;
    if (!t)
        return KIDE_BAD_PARAM;
    t->ec = 0, t->id = 0, t->utcb = 0;
    kide_mutex_lock(&rt_env.thread_mx);
    reap();
    struct rt_thread *e = entry_free();
    int st = e ? create_locked(ip, sp, evt_base, e, t) : KIDE_QUOTA;
    kide_mutex_unlock(&rt_env.thread_mx);
    return st;
}

int kide_thread_stack(struct kide_env *env, const struct kide_thread *t, kide_u64 lo, kide_u64 hi)
{
    (void)env;
    if (lo >= hi)
        return KIDE_BAD_PARAM;
    kide_mutex_lock(&rt_env.thread_mx);
    struct rt_thread *e = entry_of(t);
    if (e) {
        e->lo = 0; /* never a half-written range that matches */
        e->hi = hi;
        e->lo = lo;
    }
    kide_mutex_unlock(&rt_env.thread_mx);
    return e ? KIDE_OK : KIDE_BAD_PARAM;
}

/** The calling thread's entry, found by its stack without the lock (its own entry
 *  does not change while it runs), or NULL. */
static struct rt_thread *entry_self(void)
{
    kide_u64 sp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
    for (unsigned i = 0; i < RT_THREADS; i++)
        if (table[i].utcb && sp >= table[i].lo && sp < table[i].hi)
            return &table[i];
    return 0;
}

/* Ends the calling thread, holding no lock of the runtime: a thread ended by
 * another one (reap, kide_thread_end) must never take a lock with it. */
__attribute__((noreturn)) static void end_self(struct rt_thread *e)
{
    e->done = 1; /* reaped by a later create, start or end */
    struct kide_core_chan ch = rt_core_chan();
    struct kide_core_thread_end_req req = {e->id};
    kide_core_thread_end(&ch, &req);
    for (;;)
        __asm__ volatile("ud2");
}

int kide_thread_end(struct kide_env *env, struct kide_thread *t)
{
    (void)env;
    struct rt_thread *self = entry_self();
    if (t && self && t->id && self->id == t->id)
        end_self(self);
    kide_mutex_lock(&rt_env.thread_mx);
    struct rt_thread *e = entry_of(t);
    kide_u64 id = e ? e->id : 0;
    if (e)
        e->done = 1; /* t may still be the caller (no stack registered): reaped later */
    kide_mutex_unlock(&rt_env.thread_mx);
    if (!e)
        return KIDE_BAD_PARAM;
    struct kide_core_chan ch = rt_core_chan();
    struct kide_core_thread_end_req req = {id};
    int st = kide_core_thread_end(&ch, &req); /* not under the lock: it may not return */
    if (st != KIDE_OK && st != KIDE_BAD_PARAM)
        return st;
    kide_mutex_lock(&rt_env.thread_mx);
    if (e->utcb && e->id == id) /* not reaped meanwhile: core answers BAD_PARAM now */
        entry_end(e);
    kide_mutex_unlock(&rt_env.thread_mx);
    t->ec = 0, t->id = 0, t->utcb = 0;
    return KIDE_OK;
}

void kide_thread_exit(struct kide_env *env)
{
    struct rt_thread *self = entry_self();
    if (self)
        end_self(self);
    /* Not a thread with a registered stack: a bug of the caller; end the component. */
    kide_log(env, "kide: kide_thread_exit outside a thread with a registered stack");
    kide_exit(env, 1);
}

/* kide_thread_start's threads begin here (rt_thread_entry below): the entry's
 * pointer is the word at the initial stack pointer. */
__attribute__((noreturn, used)) void rt_thread_main(struct rt_thread *e);
void rt_thread_main(struct rt_thread *e)
{
    /* The creator holds thread_mx until the entry is complete. */
    kide_mutex_lock(&rt_env.thread_mx);
    void (*fn)(void *) = e->fn;
    void *arg = e->arg;
    kide_mutex_unlock(&rt_env.thread_mx);
    fn(arg);
    kide_thread_exit(&rt_env);
}

/* RSP = the stack's top - 16, [RSP] = the entry; the call leaves RSP + 8 16-byte
 * aligned at rt_thread_main's entry, as the ABI wants. */
__asm__(".text\n"
        ".globl rt_thread_entry\n"
        ".type rt_thread_entry, @function\n"
        "rt_thread_entry:\n"
        "    mov (%rsp), %rdi\n"
        "    and $-16, %rsp\n"
        "    call rt_thread_main\n"
        "    ud2\n"
        ".size rt_thread_entry, . - rt_thread_entry\n");
extern char rt_thread_entry[];

int kide_thread_start(struct kide_env *env, void (*fn)(void *arg), void *arg, kide_u64 stack_bytes,
                      struct kide_thread *t)
{
    if (!fn || !t || stack_bytes > RT_THREAD_MAXSTK)
        return KIDE_BAD_PARAM;
    t->ec = 0, t->id = 0, t->utcb = 0;
    stack_bytes = stack_bytes ? (stack_bytes + 4095) & ~4095ull : RT_THREAD_STACK;
    void *stack;
    int st = rt_ram_alloc_guarded(stack_bytes, RT_THREAD_GUARD, &stack);
    if (st != KIDE_OK)
        return st;
    kide_u64 top = (kide_u64)stack + stack_bytes, sp = top - 16;
    kide_mutex_lock(&rt_env.thread_mx);
    reap();
    struct rt_thread *e = entry_free();
    st = KIDE_QUOTA;
    if (e) {
        *(struct rt_thread **)sp = e;
        e->fn = fn;
        e->arg = arg;
        e->stack = stack;
        e->stack_bytes = stack_bytes;
        e->hi = top;
        e->lo = (kide_u64)stack;
        st = create_locked((kide_u64)rt_thread_entry, sp, 0, e, t);
        if (st != KIDE_OK) {
            e->lo = e->hi = 0;
            e->stack = 0;
        }
    }
    kide_mutex_unlock(&rt_env.thread_mx);
    if (st != KIDE_OK)
        kide_ram_free(env, stack, stack_bytes);
    return st;
}
