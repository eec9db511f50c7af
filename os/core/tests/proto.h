/* SPDX-License-Identifier: MIT */
/* Raw core.h calls for core's own test programs (core_test.c, core_fuzz.c).
 *
 * They drive core without libkide on purpose, so a bug in the runtime can
 * never hide or fake one in core. Each test is one translation unit; these
 * helpers work on that program's main UTCB.
 */
#ifndef CORE_TESTS_PROTO_H
#define CORE_TESTS_PROTO_H

#include <krt.h>
#include <kide/core.h>
#include <kide/parent.h>

#define INFO ((const struct kide_comp_info *)KIDE_COMP_INFO)

static struct kide_utcb *utcb;

/** Append a string (length word, then the bytes packed into words). */
static void put_str(unsigned *n, const char *s)
{
    u64 len = strlen(s);
    utcb->words[(*n)++] = len;
    memset(&utcb->words[*n], 0, (len + 7) / 8 * 8);
    memcpy(&utcb->words[*n], s, len);
    *n += (unsigned)((len + 7) / 8);
}

/** Call with n request words; the kernel's status, else the reply's word 0. */
static int call(kide_sel pt, unsigned n)
{
    utcb->msg = KIDE_MSG(n, 0);
    int st = kide_call(pt);
    return st != KIDE_OK ? st : (int)utcb->words[0];
}

/** One line through core's LOG. */
static __attribute__((format(printf, 1, 2))) void log_line(const char *fmt, ...)
{
    char buf[400];
    __builtin_va_list ap;
    __builtin_va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    __builtin_va_end(ap);
    unsigned n = 0;
    utcb->words[n++] = KIDE_CORE_LOG;
    put_str(&n, buf);
    call(KIDE_COMP_SEL_CORE, n);
}

#endif
