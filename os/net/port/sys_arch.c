/* SPDX-License-Identifier: MIT */
/* lwIP port: the clock, random numbers, diagnostics and assertions.
 *
 * The same file serves the freestanding build (os/net) and the host build
 * (tests): it uses only vsnprintf, which both Kide's base library and the
 * host's C library provide. State: the current time and the generator's
 * word, both written by the one thread that runs the stack.
 */
#include "lwip/sys.h"
#include "net/port.h"

#include <stdarg.h>
#include <stddef.h>

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

static uint32_t now_ms;
static uint64_t rand_state = 0x9e3779b97f4a7c15ull;

void net_port_set_now(uint32_t ms)
{
    now_ms = ms;
}

/* lwIP's clock (NO_SYS: timeouts.c compares differences, so wrapping is fine). */
u32_t sys_now(void)
{
    return now_ms;
}

void net_port_seed(uint64_t seed)
{
    rand_state = seed ? seed : 0x9e3779b97f4a7c15ull;
}

uint32_t net_port_rand(void)
{
    rand_state ^= rand_state >> 12;
    rand_state ^= rand_state << 25;
    rand_state ^= rand_state >> 27;
    return (uint32_t)((rand_state * 0x2545f4914f6cdd1dull) >> 32);
}

void net_port_diag(const char *fmt, ...)
{
    char line[160];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    net_port_log(line);
}

void net_port_assert(const char *msg, const char *file, int line)
{
    net_port_diag("lwIP assertion failed: %s (%s:%d)", msg, file, line);
    net_port_panic(msg);
}
