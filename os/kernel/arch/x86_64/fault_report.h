/* SPDX-License-Identifier: MIT */
/* The fault report for exceptions nobody expected (fault_report.c). */
#ifndef KIDE_ARCH_FAULT_REPORT_H
#define KIDE_ARCH_FAULT_REPORT_H

#include "frame.h"

/** Print frame, control registers, entry MSRs, the page walk of cr2 (for a
 * page fault) and CPUID facts; `why` says who could not handle it. */
void fault_report(const struct frame *f, u64 cr2, const char *why);

#endif
