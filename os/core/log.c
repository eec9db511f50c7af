/* SPDX-License-Identifier: MIT */
/* core's LOG service: attributable, rate-limited console lines.
 *
 * Invariants (os/tools/scenario-run.sh relies on them, docs/core.md "LOG"):
 *  - A component's LOG request becomes exactly one console line that starts
 *    with "[label] ", where label is the account's label set by core (names
 *    are [a-z0-9-], joined by '/'; service.c name_ok). The component's text
 *    follows, with every byte outside printable ASCII and the backslash
 *    written as a visible escape (\xHH, \\), so the text can neither end the
 *    line nor move the cursor: no component can print a line that starts
 *    with another's prefix or with a prefix only core and the kernel print
 *    ("core: ", "kide: ", "krt: ").
 *  - Text longer than LOG_TEXT_MAX characters once escaped is cut with a
 *    visible " [cut: N more bytes]", never silently.
 *  - Per account, lines pass a token bucket (LOG_RATE_* per second, bursts of
 *    LOG_BURST_*); a line over it is dropped, counted, and the count is
 *    printed as "[label] (rate limit: dropped N lines)" before the next line
 *    that passes. The request then answers KIDE_QUOTA.
 *  - All of core's console output goes through one console lock (a
 *    semaphore, so a waiter sleeps rather than spins), taken outside core's
 *    lock for LOG lines. A writer waits at most CONSOLE_WAIT_MS for it: a
 *    holder is preempted when its caller's budget runs out, and core's own
 *    messages (printed under core's lock) must not stall behind it. A writer
 *    that gives up starts on a fresh line, and the stalled writer notices the
 *    intrusion (console_seq changed) and continues its text on a fresh line
 *    behind its own prefix again, so a torn line can never leave component
 *    text at the start of a line. (The kernel writes COM1 without this lock,
 *    only at boot, on panics and on faults nobody handles.)
 */
#include "log.h"
#include "logring.h"

#define COM1          0x3f8
#define COM1_LSR      (COM1 + 5)
#define LSR_THR_EMPTY 0x20

#define LOG_RATE_LINES  16u    /**< lines per second, sustained */
#define LOG_BURST_LINES 64u    /**< lines at once */
#define LOG_RATE_BYTES  4096u  /**< console bytes per second, sustained */
#define LOG_BURST_BYTES 16384u /**< console bytes at once */
#define CONSOLE_WAIT_MS 100u

/* The buckets as GCRA: tat is the time the bucket would be full again; a line
 * passes while the backlog after it stays within the burst. */
#define NS_PER_S     1000000000ull
#define LINE_NS      (NS_PER_S / LOG_RATE_LINES)
#define LINE_BACKLOG (LOG_BURST_LINES * LINE_NS)
#define BYTE_NS      (NS_PER_S / LOG_RATE_BYTES)
#define BYTE_BACKLOG (LOG_BURST_BYTES * BYTE_NS)

struct bucket {
    u64 gen; /**< the account generation it belongs to: a new account starts full */
    u64 line_tat, byte_tat;
    u64 dropped;
};
static struct bucket buckets[ACC_MAX];

static kide_sel console_sm;
static u64 console_seq; /* bumped by each writer that starts or resumes */

static void uart_putc(char c)
{
    /* Bounded: a wedged UART loses characters rather than stalling core. */
    for (unsigned i = 0; i < 100000 && !(base_inb(COM1_LSR) & LSR_THR_EMPTY); i++)
        base_pause();
    base_outb(COM1, (u8)c);
}

static void uart_puts(const char *s, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (s[i] == '\n')
            uart_putc('\r');
        uart_putc(s[i]);
    }
}

/** Write s (whole lines) to COM1; cont[0..cont_len) is the writer's prefix,
 *  repeated on a fresh line if another writer tore this one. */
static void console_write(const char *s, const char *cont, unsigned cont_len)
{
    bool locked = !console_sm || kide_ctrl_sm(KIDE_CTRL_SM_DOWN, console_sm,
                                              base_now() + CONSOLE_WAIT_MS * BASE_MS) == KIDE_OK;
    u64 me = __atomic_add_fetch(&console_seq, 1, __ATOMIC_SEQ_CST);
    bool line_start = true; /* our last character ended a line (or none yet) */
    if (!locked)
        uart_puts("\n", 1); /* a stalled writer is mid-line: do not join its line */
    for (; *s; s++) {
        if (__atomic_load_n(&console_seq, __ATOMIC_SEQ_CST) != me) {
            /* Someone wrote since our last character and may have left its
             * line open: end it, and continue ours behind our prefix (every
             * line of s starts with it, so at a line start nothing is needed). */
            me = __atomic_add_fetch(&console_seq, 1, __ATOMIC_SEQ_CST);
            uart_puts("\n", 1);
            if (!line_start) {
                uart_puts(cont, cont_len);
                uart_puts("(continued) ", 12);
            }
        }
        uart_puts(s, 1);
        line_start = *s == '\n';
    }
    if (locked && console_sm)
        kide_ctrl_sm(KIDE_CTRL_SM_UP, console_sm, 0);
}

/* core's own messages (printf, base_panic): "core: ...", "krt: panic: ...". */
static void core_console(const char *s)
{
    console_write(s, "core: ", 6);
}

int log_init(void)
{
    if (kide_sm_create(&rt_env, 1, &console_sm) != KIDE_OK)
        return KIDE_QUOTA;
    base_console_hook = core_console;
    return KIDE_OK;
}

static bool bucket_take(struct bucket *b, u64 now, u64 bytes)
{
    u64 lt = b->line_tat > now ? b->line_tat : now;
    u64 bt = b->byte_tat > now ? b->byte_tat : now;
    u64 bcost = bytes * BYTE_NS;
    if (lt + LINE_NS - now > LINE_BACKLOG || bt + bcost - now > BYTE_BACKLOG)
        return false;
    b->line_tat = lt + LINE_NS;
    b->byte_tat = bt + bcost;
    return true;
}

/** Append what fits of s to buf (size LOG_OUT_MAX, NUL kept); returns the new length. */
static unsigned put(char *buf, unsigned n, const char *s)
{
    while (*s && n + 1 < LOG_OUT_MAX)
        buf[n++] = *s++;
    buf[n] = 0;
    return n;
}

/** "[label] " + escaped text (cut with a marker) + "\n" into line. */
static unsigned format_line(const struct account *a, const char *text, u64 len, char *line,
                            unsigned *prefix)
{
    static const char hex[] = "0123456789abcdef";
    unsigned n = put(line, 0, "[");
    n = put(line, n, a->label);
    n = put(line, n, "] ");
    *prefix = n;
    unsigned shown = 0;
    u64 i = 0;
    for (; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        char e[4];
        unsigned k = 0;
        if (c == '\\') {
            e[k++] = '\\', e[k++] = '\\';
        } else if (c >= 0x20 && c < 0x7f) {
            e[k++] = (char)c;
        } else {
            e[k++] = '\\', e[k++] = 'x', e[k++] = hex[c >> 4], e[k++] = hex[c & 15];
        }
        if (shown + k > LOG_TEXT_MAX)
            break;
        memcpy(line + n, e, k);
        n += k;
        shown += k;
    }
    line[n] = 0;
    if (i < len) {
        char cut[48];
        snprintf(cut, sizeof(cut), " [cut: %lu more bytes]", len - i);
        n = put(line, n, cut);
    }
    return put(line, n, "\n");
}

int log_request(struct account *a, const char *text, u64 len, struct log_out *out)
{
    out->text[0] = 0;
    out->prefix = 0;
    if (len > KIDE_CORE_LOG_MAX)
        len = KIDE_CORE_LOG_MAX; /* the caller checked; the buffers rely on it */
    if (len && text[len - 1] == '\n')
        len--; /* the newline that ends the line is ours to write */
    char line[LOG_OUT_MAX];
    unsigned prefix, n = format_line(a, text, len, line, &prefix);
    /* Every line goes to the account's ring, also one the console drops. */
    ring_record(a, line + prefix, n - prefix - 1);
    struct bucket *b = &buckets[a->index];
    if (b->gen != a->gen)
        *b = (struct bucket){.gen = a->gen};
    if (!bucket_take(b, base_now(), n)) {
        b->dropped++;
        return KIDE_QUOTA;
    }
    unsigned o = 0;
    if (b->dropped) {
        char note[48];
        snprintf(note, sizeof(note), "(rate limit: dropped %lu lines)\n", b->dropped);
        b->dropped = 0;
        o = put(out->text, put(out->text, 0, "["), a->label);
        o = put(out->text, o, "] ");
        o = put(out->text, o, note);
    }
    put(out->text, o, line);
    out->prefix = prefix;
    return KIDE_OK;
}

void log_write(const struct log_out *out)
{
    if (out->text[0])
        console_write(out->text, out->text, out->prefix);
}
