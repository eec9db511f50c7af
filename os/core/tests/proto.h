/* SPDX-License-Identifier: MIT */
/* core.h calls for core's own test programs (core_test.c, core_fuzz.c).
 *
 * They drive core without a runtime (libkide or krt) on purpose, so a bug in the runtime can
 * never hide or fake one in core: valid requests go through the protocol's
 * client library (kide/core_client.h, which needs nothing of libkide), and
 * only deliberately malformed ones are written as raw words (call, put_str).
 * Each test is one translation unit (plus entry.c, crt0's entries); these
 * helpers work on that program's main UTCB.
 */
#ifndef CORE_TESTS_PROTO_H
#define CORE_TESTS_PROTO_H

#include <kide/base.h>
#include <kide/core.h>
#include <kide/core_client.h>
#include <kide/parent.h>

#define INFO ((const struct kide_comp_info *)KIDE_COMP_INFO)

static struct kide_utcb *utcb;

/** The program's start on its main EC (entry.c: crt0's thread entry). */
BASE_NORETURN void test_main(struct kide_utcb *u);

/** The self channel of the main thread (KIDE_COMP_SEL_CORE). */
static inline struct kide_core_chan self_chan(void)
{
    return kide_core_self_chan(utcb, KIDE_COMP_SEL_CORE);
}

/** The owner channel of the sub-account whose owner portal is own. */
static inline struct kide_core_chan own_chan(kide_sel own)
{
    return kide_core_owner_chan(utcb, own);
}

/** Append a string (length word, then the bytes packed into words). */
static inline void put_str(unsigned *n, const char *s)
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
    struct kide_core_chan ch = self_chan();
    struct kide_core_log_req req;
    u64 len = strlen(buf);
    KIDE_WIRE_STR(req.text, buf, len > KIDE_CORE_LOG_MAX ? KIDE_CORE_LOG_MAX : len);
    kide_core_log(&ch, &req);
}

#endif
