/* SPDX-License-Identifier: MIT */
/* Kernel console: formatted output to the first serial port.
 *
 * Polled output on COM1 (0x3f8), initialised to 115200 8N1. The kernel prints
 * only at boot, on panics and on faults nobody handles, so polling is fine.
 * The format subset is what the kernel uses: %s %c %d %u %x %p with l/ll.
 */
#include "kernel.h"
#include "lock.h"
#include "arch/x86_64/cpu.h"

#define COM1 0x3f8

void console_init(void)
{
    outb(COM1 + 1, 0x00); /* no interrupts */
    outb(COM1 + 3, 0x80); /* DLAB */
    outb(COM1 + 0, 0x01); /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); /* 8N1 */
    outb(COM1 + 2, 0xc7); /* FIFO */
    outb(COM1 + 4, 0x03);
}

static void putc(char c)
{
    if (c == '\n')
        putc('\r');
    for (unsigned i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
        ;
    outb(COM1, (u8)c);
}

static void put_num(u64 v, unsigned base, bool neg, int width, char pad)
{
    char buf[24];
    int n = 0;
    do {
        buf[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (neg)
        buf[n++] = '-';
    while (n < width--)
        putc(pad);
    while (n)
        putc(buf[--n]);
}

void vprintk(const char *fmt, __builtin_va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            putc(*fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, longs = 0;
        if (*fmt == '0')
            pad = '0';
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l')
            longs++, fmt++;
        switch (*fmt) {
        case 's': {
            const char *s = __builtin_va_arg(ap, const char *);
            while (s && *s)
                putc(*s++);
            break;
        }
        case 'c':
            putc((char)__builtin_va_arg(ap, int));
            break;
        case 'd': {
            i64 v = longs ? __builtin_va_arg(ap, i64) : __builtin_va_arg(ap, int);
            put_num(v < 0 ? -(u64)v : (u64)v, 10, v < 0, width, pad);
            break;
        }
        case 'u':
        case 'x': {
            u64 v = longs ? __builtin_va_arg(ap, u64) : __builtin_va_arg(ap, unsigned);
            put_num(v, *fmt == 'u' ? 10 : 16, false, width, pad);
            break;
        }
        case 'p':
            putc('0'), putc('x');
            put_num((u64) __builtin_va_arg(ap, void *), 16, false, 16, '0');
            break;
        default:
            putc('%');
            putc(*fmt);
        }
    }
}

void printk(const char *fmt, ...)
{
    __builtin_va_list ap;
    u64 token = lock_hold_exclude_begin();
    __builtin_va_start(ap, fmt);
    vprintk(fmt, ap);
    __builtin_va_end(ap);
    lock_hold_exclude_end(token);
}

noreturn void panic(const char *fmt, ...)
{
    __builtin_va_list ap;
    irq_disable();
    printk("kide: panic: ");
    __builtin_va_start(ap, fmt);
    vprintk(fmt, ap);
    __builtin_va_end(ap);
    printk("\n");
    outb(0xf4, 0x12); /* isa-debug-exit: QEMU exits with status 37 */
    for (;;)
        cpu_halt();
}
