/* SPDX-License-Identifier: MIT */
/* Signals, one mode per case (argv[1]):
 *   handler  sigaction + raise(SIGUSR1): the handler runs, with siginfo;
 *            a blocked signal stays pending until unblocked; exit 0
 *   abort    abort(): the program ends by SIGABRT
 *   segv     a write through NULL: the program ends by SIGSEGV
 *   exit     exit(42) after output: the exit code, no signal */
#include "common.h"

#include <signal.h>
#include <unistd.h>

static volatile sig_atomic_t got, got_code;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    got = sig;
    got_code = si->si_signo == sig;
}

static int handler_mode(void)
{
    struct sigaction sa = {0};
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    must(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
    must(raise(SIGUSR1) == 0, "raise");
    printf("handler ran: %s, signal %s, siginfo signo matches: %s\n", got ? "yes" : "no",
           got == SIGUSR1 ? "SIGUSR1" : "other", got_code ? "yes" : "no");
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    got = 0;
    must(sigprocmask(SIG_BLOCK, &set, &old) == 0, "sigprocmask block");
    must(raise(SIGUSR1) == 0, "raise blocked");
    sigset_t pend;
    sigpending(&pend);
    printf("while blocked: handler ran: %s, pending: %s\n", got ? "yes" : "no",
           sigismember(&pend, SIGUSR1) ? "yes" : "no");
    must(sigprocmask(SIG_SETMASK, &old, NULL) == 0, "sigprocmask unblock");
    printf("after unblock: handler ran: %s\n", got ? "yes" : "no");
    struct sigaction cur;
    must(sigaction(SIGUSR1, NULL, &cur) == 0, "sigaction query");
    printf("installed handler reported back: %s\n", cur.sa_sigaction == on_usr1 ? "yes" : "no");
    report("sigaction SIGKILL", sigaction(SIGKILL, &sa, NULL));
    report("sigaction signal 0", sigaction(0, &sa, NULL));
    signal(SIGUSR2, SIG_IGN);
    report("raise ignored SIGUSR2", raise(SIGUSR2));
    printf("signals: done\n");
    return 0;
}

int main(int argc, char **argv)
{
    line_buffered();
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "handler"))
        return handler_mode();
    if (!strcmp(mode, "abort")) {
        printf("calling abort\n");
        abort();
    }
    if (!strcmp(mode, "segv")) {
        printf("writing through NULL\n");
        *(volatile int *)0 = 1;
        printf("still alive after NULL write\n");
        return 4;
    }
    if (!strcmp(mode, "exit")) {
        printf("exiting with 42\n");
        exit(42);
    }
    printf("usage: signals handler|abort|segv|exit\n");
    return 2;
}
