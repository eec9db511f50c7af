/* SPDX-License-Identifier: MIT */
/* Linux signal names and the signal of a CPU fault (posix_signal.h). */
#include "posix_signal.h"

const char *posix_signal_name(unsigned sig)
{
    /* Linux x86_64 numbering (asm/signal.h); 32 and 33 are glibc/musl-internal. */
    static const char *const names[] = {
            0,          "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",  "SIGTRAP",   "SIGABRT",
            "SIGBUS",   "SIGFPE",  "SIGKILL",   "SIGUSR1", "SIGSEGV", "SIGUSR2",   "SIGPIPE",
            "SIGALRM",  "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP",   "SIGTSTP",
            "SIGTTIN",  "SIGTTOU", "SIGURG",    "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
            "SIGWINCH", "SIGIO",   "SIGPWR",    "SIGSYS",
    };
    if (sig < sizeof(names) / sizeof(names[0]) && names[sig])
        return names[sig];
    return "SIG?";
}

unsigned posix_fault_signal(unsigned vector)
{
    switch (vector) {
    case 0:
    case 16:
    case 19:
        return 8; /* SIGFPE */
    case 3:
        return 5; /* SIGTRAP */
    case 6:
        return 4; /* SIGILL */
    case 13:
    case 14:
        return 11; /* SIGSEGV */
    case 17:
        return 7; /* SIGBUS */
    default:
        return 0;
    }
}
