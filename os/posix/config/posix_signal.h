/* SPDX-License-Identifier: MIT */
/* Linux signal numbers and names for reports: hoitaja's state report and exit log line
 * ("signal": 11, "signal_name": "SIGSEGV"), kuori, goa. Freestanding, no libc. */
#ifndef POSIX_SIGNAL_H
#define POSIX_SIGNAL_H

/** Name of Linux x86_64 signal sig: "SIGSEGV" for 11; "SIGRTMIN+n" forms for 34..64 are
 *  not spelled out: those and anything unknown give "SIG?" (never NULL). */
const char *posix_signal_name(unsigned sig);

/** The signal a CPU exception vector stands for: 14 (page fault) and 13 (general
 *  protection) SIGSEGV 11, 6 (invalid opcode) SIGILL 4, 0 (divide error) SIGFPE 8,
 *  3 (breakpoint) SIGTRAP 5, 16/19 (x87/SIMD floating point) SIGFPE 8, 17 (alignment
 *  check) SIGBUS 7; other vectors 0 (no signal: reported as a fault only). */
unsigned posix_fault_signal(unsigned vector);

#endif
