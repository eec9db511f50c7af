/* SPDX-License-Identifier: MIT */
/* The base library (libkbase.a): what every Kide user program stands on,
 * below the component runtime (libkide) and the kernel-test runtime (krt).
 *
 * No libc: memory and string functions, a small formatter, a polled COM1
 * console, the QEMU isa-debug-exit port, status names, crt0 (the one _start)
 * and the link script user.ld. Nothing here allocates, and nothing depends
 * on core or on being the root task; the runtimes above plug into it through
 * the three crt0 entries and the two console hooks below.
 *
 * Naming: functions libc also has keep libc's names and meaning (memcpy,
 * strlen, vsnprintf, snprintf, printf); everything else is base_* (macros
 * BASE_*), so no name here can be mistaken for the runtime's kide_* API.
 */
#ifndef KIDE_BASE_H
#define KIDE_BASE_H

#include <kide/sys.h>
#include <kide/boot.h>
#include <kide/qemu_exit.h>

typedef kide_u64 u64;
typedef kide_u32 u32;
typedef kide_u16 u16;
typedef kide_u8 u8;
typedef unsigned long size_t;
typedef long ssize_t;
typedef unsigned long uintptr_t;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)

#define BASE_MIN(a, b)        ((a) < (b) ? (a) : (b))
#define BASE_ARRAY_SIZE(a)    (sizeof(a) / sizeof((a)[0]))
#define BASE_ALIGN_UP(x, a)   (((x) + (a)-1) & ~((u64)(a)-1))
#define BASE_ALIGN_DOWN(x, a) ((x) & ~((u64)(a)-1))
#define BASE_NORETURN         __attribute__((noreturn))
#define BASE_PRINTF(f, a)     __attribute__((format(printf, f, a)))
#define BASE_READ_ONCE(x)     (*(volatile __typeof__(x) *)&(x))
#define BASE_WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

/* --- string.c ----------------------------------------------------------- */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
/** Parse an unsigned decimal or 0x-hex number; *end (optional) gets the stop. */
u64 base_strtou64(const char *s, const char **end);
/** Find "key=value" in a space-separated command line; returns the value or NULL. */
const char *base_cmdline_get(const char *cmdline, const char *key);
/** Numeric option from a command line, or def when absent or malformed. */
u64 base_cmdline_num(const char *cmdline, const char *key, u64 def);

/* --- boot.c ------------------------------------------------------------- */
/** The boot module whose command line's first word has the file name `name`
 *  (basename match: "build/x/hoitaja arg" is "hoitaja"), or NULL. */
const struct kide_boot_module *base_module_find(const struct kide_boot_info *bi, const char *name);

/* --- reserved.c: the root task's pages no one may be given --------------- */
/** Record the root's reserved pages: low memory (below 1 MiB), every boot
 *  module and the root's own image, stack, boot-info page and UTCB. Root only,
 *  once, before base_root_reserved. */
void base_root_reserve(const struct kide_boot_info *bi);
/** Whether physical page `pa` is one of those (never RAM to hand out). */
bool base_root_reserved(u64 pa);
/** Physical address behind a virtual address of the caller, or ~0 if unmapped. */
u64 base_phys_of(u64 va);

/* --- format.c: %d %u %x %p %s %c %%, flags 0 and width, l/ll/z ----------- */
int vsnprintf(char *buf, size_t size, const char *fmt, __builtin_va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) BASE_PRINTF(3, 4);

/* --- console.c ---------------------------------------------------------- */
/** Port I/O. */
static inline void base_outb(u16 port, u8 v)
{
    __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}
static inline u8 base_inb(u16 port)
{
    u8 v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline void base_outw(u16 port, u16 v)
{
    __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}
static inline u16 base_inw(u16 port)
{
    u16 v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline void base_outl(u16 port, u32 v)
{
    __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}
static inline u32 base_inl(u16 port)
{
    u32 v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline void base_pause(void)
{
    __asm__ volatile("pause" ::: "memory");
}
static inline u64 base_rdtsc(void)
{
    u32 lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((u64)hi << 32) | lo;
}

/** Write a string to the console (COM1, polled: needs ports 0x3f8..0x3ff). */
void base_puts(const char *s);
/** printf to the console; a call's output is never interleaved with another's. */
int printf(const char *fmt, ...) BASE_PRINTF(1, 2);
/** Exit QEMU through isa-debug-exit (port 0xf4): QEMU's status is code*2+1
 *  (the encoding: kide/qemu_exit.h). */
BASE_NORETURN void base_exit_qemu(u32 code);
#define BASE_QEMU_SUCCESS KIDE_QEMU_EXIT_VALUE(0) /**< QEMU exits with 33 */
#define BASE_QEMU_FAILURE KIDE_QEMU_EXIT_VALUE(1) /**< QEMU exits with 35 */
/** When set, console output goes here instead of COM1, and base_panic ends through
 *  base_panic_exit instead of the exit port: a component under core has neither
 *  (the component runtime routes both to core). */
extern void (*base_console_hook)(const char *s);
extern void (*base_panic_exit)(void);
/** Print "krt: panic: <message>" and exit QEMU with failure. (The prefix is what
 *  the test tools match: os/tools/scenario-run.sh, KT_FAIL.) */
BASE_NORETURN void base_panic(const char *fmt, ...) BASE_PRINTF(1, 2);

/* --- status.c ----------------------------------------------------------- */
/** A kernel status code's name ("OK", "BAD_CAP", ...; "?" if unknown). */
const char *base_status_name(int st);

/* --- time --------------------------------------------------------------- */
/** Monotonic ns from the kernel's clock. */
static inline u64 base_now(void)
{
    u64 ns = 0;
    kide_clock(&ns);
    return ns;
}
#define BASE_MS ((u64)1000000)
#define BASE_US ((u64)1000)

/* --- reply.c ------------------------------------------------------------ */
/** A portal handler's reply with the UTCB's message. Returns only if it failed
 *  three times: the kernel reports a failed reply (e.g. OVERFLOW) to the handler
 *  as well as to the caller, so each failure is logged ("krt: reply (msg M)
 *  failed: STATUS") and retried with an empty message, which releases the
 *  caller and keeps the handler EC usable. The caller then ends its program. */
void base_reply(struct kide_utcb *utcb);

/* --- crt0.S entries, provided by the runtime linked above ---------------- */
/* crt0's _start tells the three kinds of EC apart by RDI: KIDE_ROOT_BOOTINFO
 * for the root task, 0 for a thread (global EC), anything else is a portal
 * id. A thread or handler finds its UTCB address in the word at its initial
 * RSP; crt0 realigns the stack below that word, so the word survives and a
 * handler can restart with the same RSP on every call. */
/** The root task (RDI = boot info). */
BASE_NORETURN void base_entry_root(const struct kide_boot_info *bi);
/** A global EC (RDI = 0); must not return. */
BASE_NORETURN void base_entry_thread(struct kide_utcb *utcb);
/** A portal handler (RDI = id, RSI = message word); replies, must not return. */
BASE_NORETURN void base_entry_portal(u64 id, u64 msg, struct kide_utcb *utcb);

#endif
