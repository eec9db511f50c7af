/* SPDX-License-Identifier: MIT */
/* goa: the QEMU run backend -- boot the package on Kide (not yet available).
 *
 * Planned shape (docs/goa.md, "Run backends"): assemble a boot image from
 * the os/ image builder with the package's bin archive, its dependencies
 * and a hoitaja configuration generated from the runtime (binary, RAM,
 * caps, CPU quota, routes for required services, config, ROM modules);
 * boot it in QEMU (KVM when /dev/kvm opens, TCG otherwise) with the serial
 * console on a pipe and isa-debug-exit; stream the serial log through
 * on_line; map the debug-exit code back to the component's exit code; kill
 * QEMU at the timeout. Until the OS boots user components this backend
 * reports itself unavailable instead of pretending.
 */
#include "backend.h"

#include "util.h"

#include <string.h>

static int qemu_available(const char **why)
{
    *why = "the Kide OS cannot boot user components yet (os/ is being written); use --target host "
           "for POSIX programs";
    return 0;
}

static int qemu_run(const struct goa_run_req *req, struct goa_run_result *res)
{
    const char *why;

    memset(res, 0, sizeof *res);
    qemu_available(&why);
    goa_error("run", "use --target host for POSIX programs until then",
              "the qemu backend is unavailable: %s", why);
    return -1;
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
