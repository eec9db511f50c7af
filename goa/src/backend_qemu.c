/* SPDX-License-Identifier: MIT */
/* goa: the QEMU run backend -- boot a native component on Kide.
 *
 * The image is the SDK's kernel with the component as its first boot module
 * (the root task; os/lib/component maps the component API onto it) and the
 * run's arguments as the module's command line. QEMU runs with the serial
 * console on the pipe goa_backend_exec() reads, KVM when it works (QEMU
 * falls back to TCG by itself), and isa-debug-exit: a component's exit code
 * c arrives as QEMU status 2 * (0x10 + c) + 1 and is mapped back; a kernel
 * panic line is reported as exit 134. Needs: qemu-system-x86_64, the SDK.
 */
#include "backend.h"

#include "sdk.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define QEMU "qemu-system-x86_64"

static int qemu_available(const char **why)
{
    static char msg[256];
    const char *path = getenv("PATH");
    for (const char *p = path ? path : "/usr/bin"; p && *p;) {
        const char *e = strchr(p, ':');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char *f = goa_fmt("%.*s/" QEMU, (int)n, p);
        bool ok = access(f, X_OK) == 0;
        free(f);
        if (ok) {
            *why = NULL;
            return 1;
        }
        p = e ? e + 1 : NULL;
    }
    snprintf(msg, sizeof msg, QEMU " is not installed (Debian package qemu-system-x86)");
    *why = msg;
    return 0;
}

struct watch {
    const struct goa_run_req *req; /**< the caller's request */
    bool panic;                    /**< the kernel panicked */
};

static void watch_line(void *ctx, const char *line)
{
    struct watch *w = ctx;
    if (strstr(line, "kide: panic"))
        w->panic = true;
    w->req->on_line(w->req->ctx, line);
}

/* The module string: binary, then the arguments; QEMU splits modules at commas. */
static char *module_string(const struct goa_run_req *req)
{
    char *s = goa_xstrdup(req->binary);
    for (size_t i = 0; req->args && req->args[i]; i++) {
        char *n = goa_fmt("%s %s", s, req->args[i]);
        free(s);
        s = n;
    }
    if (strchr(s, ',')) {
        goa_error("run", "use arguments without commas", "QEMU cannot pass a comma in '%s'", s);
        free(s);
        return NULL;
    }
    return s;
}

static int qemu_run(const struct goa_run_req *req, struct goa_run_result *res)
{
    const char *why;
    memset(res, 0, sizeof *res);
    if (!qemu_available(&why)) {
        goa_error("run", "run 'make deps' or apt-get install qemu-system-x86", "%s", why);
        return -1;
    }
    char *sdk = goa_sdk_dir("run");
    if (!sdk)
        return -1;
    char *kernel = goa_fmt("%s/boot/kide.bin", sdk), *mod = module_string(req);
    int rc = -1;
    if (mod) {
        /* KVM only when the device is there (QEMU would fall back, but noisily). */
        struct stat kvm;
        bool try_kvm = stat("/dev/kvm", &kvm) == 0 && S_ISCHR(kvm.st_mode) && access("/dev/kvm", R_OK | W_OK) == 0;
        char *argv[] = {QEMU, "-accel", try_kvm ? "kvm" : "tcg", "-accel", "tcg", "-m", "256M", "-smp", "1",
                        "-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot",
                        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel", kernel,
                        "-initrd", mod, NULL};
        struct watch w = {req, false};
        struct goa_run_req r = *req;
        r.on_line = watch_line;
        r.ctx = &w;
        r.stdin_file = NULL;
        rc = goa_backend_exec(&r, argv, res);
        if (rc == 0 && !res->timed_out) {
            int st = res->exit_code;
            if (w.panic)
                res->exit_code = 134;
            else if ((st & 1) && st >= 2 * 0x10 + 1)
                res->exit_code = (st - 1) / 2 - 0x10;
            else
                res->exit_code = 128; /* QEMU itself failed or the kernel stopped silently */
        }
    }
    free(mod), free(kernel), free(sdk);
    return rc;
}

const struct goa_backend goa_backend_qemu = {"qemu", qemu_available, qemu_run};

const struct goa_backend *goa_backend_find(const char *name)
{
    static const struct goa_backend *const all[] = {&goa_backend_host, &goa_backend_qemu};

    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!strcmp(all[i]->name, name))
            return all[i];
    goa_error("run", "known targets: host, qemu", "unknown target '%s'", name);
    return NULL;
}
