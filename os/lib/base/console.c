/* SPDX-License-Identifier: MIT */
/* The console: printf to COM1 (or to a runtime's hook) and the QEMU exit port.
 *
 * COM1 is driven by polling (THR empty in LSR); the firmware's setup is kept.
 * A line is formatted into a buffer first and written under a spin lock that
 * gives up after a bounded number of tries: a holder preempted on the same
 * CPU by a higher-priority EC must never make that EC spin forever, and a
 * rare interleaved line is the lesser harm.
 */
#include <kide/base.h>

#define COM1          0x3f8
#define COM1_LSR      (COM1 + 5)
#define LSR_THR_EMPTY 0x20

static volatile int console_lock;

void (*base_console_hook)(const char *s);
void (*base_panic_exit)(void);

static void putc_raw(char c)
{
    for (unsigned i = 0; i < 100000 && !(base_inb(COM1_LSR) & LSR_THR_EMPTY); i++)
        base_pause();
    base_outb(COM1, (u8)c);
}

static void write_locked(const char *s)
{
    if (base_console_hook) {
        base_console_hook(s);
        return;
    }
    bool locked = false;
    for (unsigned i = 0; i < 1000000; i++) {
        if (!__atomic_exchange_n(&console_lock, 1, __ATOMIC_ACQUIRE)) {
            locked = true;
            break;
        }
        base_pause();
    }
    for (; *s; s++) {
        if (*s == '\n')
            putc_raw('\r');
        putc_raw(*s);
    }
    if (locked)
        __atomic_store_n(&console_lock, 0, __ATOMIC_RELEASE);
}

void base_puts(const char *s)
{
    write_locked(s);
}

int printf(const char *fmt, ...)
{
    char buf[512];
    __builtin_va_list ap;
    __builtin_va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    __builtin_va_end(ap);
    write_locked(buf);
    return n;
}

void base_exit_qemu(u32 code)
{
    __asm__ volatile("outl %0, %1" ::"a"(code), "Nd"((u16)KIDE_QEMU_EXIT_PORT));
    /* Without isa-debug-exit the write does nothing: stop here for good. */
    for (;;)
        base_pause();
}

void base_panic(const char *fmt, ...)
{
    char buf[512];
    __builtin_va_list ap;
    int n = snprintf(buf, sizeof(buf), "krt: panic: ");
    __builtin_va_start(ap, fmt);
    vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
    __builtin_va_end(ap);
    n = (int)strlen(buf);
    buf[n] = '\n';
    buf[n + 1] = 0;
    write_locked(buf);
    if (base_panic_exit)
        base_panic_exit();
    base_exit_qemu(BASE_QEMU_FAILURE);
}
