/* SPDX-License-Identifier: MIT */
/* krt console: a small printf to COM1 and the QEMU exit port.
 *
 * COM1 is driven by polling (THR empty in LSR); the firmware's setup is kept.
 * A line is formatted into a buffer first and written under a spin lock that
 * gives up after a bounded number of tries: a holder preempted on the same
 * CPU by a higher-priority EC must never make that EC spin forever, and a
 * rare interleaved line is the lesser harm.
 */
#include <krt.h>

#define COM1          0x3f8
#define COM1_LSR      (COM1 + 5)
#define LSR_THR_EMPTY 0x20

static volatile int console_lock;

void (*krt_console_hook)(const char *s);
void (*krt_panic_exit)(void);

static void putc_raw(char c)
{
    for (unsigned i = 0; i < 100000 && !(krt_inb(COM1_LSR) & LSR_THR_EMPTY); i++)
        krt_pause();
    krt_outb(COM1, (u8)c);
}

static void write_locked(const char *s)
{
    if (krt_console_hook) {
        krt_console_hook(s);
        return;
    }
    bool locked = false;
    for (unsigned i = 0; i < 1000000; i++) {
        if (!__atomic_exchange_n(&console_lock, 1, __ATOMIC_ACQUIRE)) {
            locked = true;
            break;
        }
        krt_pause();
    }
    for (; *s; s++) {
        if (*s == '\n')
            putc_raw('\r');
        putc_raw(*s);
    }
    if (locked)
        __atomic_store_n(&console_lock, 0, __ATOMIC_RELEASE);
}

void krt_puts(const char *s)
{
    write_locked(s);
}

struct out {
    char *buf;
    size_t size, len;
};

static void emit(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void emit_num(struct out *o, u64 v, unsigned base, bool neg, int width, char pad)
{
    char tmp[24];
    int n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    if (neg)
        tmp[n++] = '-';
    for (int i = n; i < width; i++)
        emit(o, pad);
    while (n)
        emit(o, tmp[--n]);
}

int krt_vsnprintf(char *buf, size_t size, const char *fmt, __builtin_va_list ap)
{
    struct out o = {buf, size, 0};
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            emit(&o, *fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, lng = 0;
        if (*fmt == '0')
            pad = '0', fmt++;
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l' || *fmt == 'z')
            lng++, fmt++;
        switch (*fmt) {
        case 'd': {
            long long v = lng ? __builtin_va_arg(ap, long long) : __builtin_va_arg(ap, int);
            emit_num(&o, v < 0 ? -(u64)v : (u64)v, 10, v < 0, width, pad);
            break;
        }
        case 'u':
        case 'x': {
            u64 v = lng ? __builtin_va_arg(ap, u64) : __builtin_va_arg(ap, unsigned);
            emit_num(&o, v, *fmt == 'u' ? 10 : 16, false, width, pad);
            break;
        }
        case 'p':
            emit(&o, '0'), emit(&o, 'x');
            emit_num(&o, (u64) __builtin_va_arg(ap, void *), 16, false, width, pad);
            break;
        case 's': {
            const char *s = __builtin_va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            int n = (int)strlen(s);
            for (int i = n; i < width; i++)
                emit(&o, ' ');
            while (*s)
                emit(&o, *s++);
            break;
        }
        case 'c':
            emit(&o, (char)__builtin_va_arg(ap, int));
            break;
        case '%':
            emit(&o, '%');
            break;
        case '\0':
            fmt--;
            break;
        default:
            emit(&o, '%');
            emit(&o, *fmt);
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int krt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    __builtin_va_list ap;
    __builtin_va_start(ap, fmt);
    int n = krt_vsnprintf(buf, size, fmt, ap);
    __builtin_va_end(ap);
    return n;
}

int krt_printf(const char *fmt, ...)
{
    char buf[512];
    __builtin_va_list ap;
    __builtin_va_start(ap, fmt);
    int n = krt_vsnprintf(buf, sizeof(buf), fmt, ap);
    __builtin_va_end(ap);
    write_locked(buf);
    return n;
}

void kide_exit_qemu(u32 code)
{
    __asm__ volatile("outl %0, %1" ::"a"(code), "Nd"((u16)KIDE_QEMU_EXIT_PORT));
    /* Without isa-debug-exit the write does nothing: stop here for good. */
    for (;;)
        krt_pause();
}

void krt_panic(const char *fmt, ...)
{
    char buf[512];
    __builtin_va_list ap;
    int n = krt_snprintf(buf, sizeof(buf), "krt: panic: ");
    __builtin_va_start(ap, fmt);
    krt_vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
    __builtin_va_end(ap);
    n = (int)strlen(buf);
    buf[n] = '\n';
    buf[n + 1] = 0;
    write_locked(buf);
    if (krt_panic_exit)
        krt_panic_exit();
    kide_exit_qemu(KRT_QEMU_FAILURE);
}

const char *krt_status_name(int st)
{
    static const char *const names[] = {
            "OK",        "TIMEOUT", "ABORTED",  "BAD_SYSCALL", "BAD_CAP", "BAD_PERM",
            "BAD_PARAM", "BAD_CPU", "BAD_ADDR", "QUOTA",       "BUSY",    "OVERFLOW",
    };
    if (st >= 0 && st < (int)KRT_ARRAY_SIZE(names))
        return names[st];
    return "?";
}
