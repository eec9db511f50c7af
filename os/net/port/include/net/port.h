/* SPDX-License-Identifier: MIT */
/* lwIP port: what the stack needs from its embedder, and the clock.
 *
 * lwIP runs with NO_SYS=1: one thread calls it, so the port has no locks,
 * threads or mailboxes. It needs a millisecond clock (sys_now), random
 * numbers (initial sequence numbers, ports, DHCP transaction ids), a
 * diagnostic sink and an assertion handler. The clock is a variable the
 * embedder advances (net_port_set_now): the os/net component from the
 * timer, the host tests from a virtual clock, so a test steps lwIP's
 * timers without sleeping. Both builds share this file's implementation
 * (os/net/port/sys_arch.c); only net_port_log and net_port_panic are the
 * embedder's own.
 */
#ifndef NET_PORT_H
#define NET_PORT_H

#include <stdint.h>

/** Set the time sys_now() returns, in milliseconds (it may wrap). */
void net_port_set_now(uint32_t ms);

/** Seed the random-number generator (0 is replaced by a fixed odd value). */
void net_port_seed(uint64_t seed);

/** A pseudo-random 32-bit number (xorshift64*): lwIP's LWIP_RAND. Not for
 *  secrets: TCP's initial sequence numbers only need to be unpredictable to
 *  an off-path guesser, and the seed comes from the embedder. */
uint32_t net_port_rand(void);

/** lwIP's LWIP_PLATFORM_DIAG: format and hand to net_port_log. */
void net_port_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** lwIP's LWIP_PLATFORM_ASSERT: report MSG at FILE:LINE and stop. */
__attribute__((noreturn)) void net_port_assert(const char *msg, const char *file, int line);

/* ---- provided by the embedder ---- */

/** Write one line of the stack's diagnostics (no trailing newline needed). */
void net_port_log(const char *line);

/** The stack found its own state broken: stop this stack (the component
 *  exits; a host test aborts). */
__attribute__((noreturn)) void net_port_panic(const char *line);

#endif
