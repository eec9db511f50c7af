/* SPDX-License-Identifier: MIT */
/* test-pkgbig: the program of the 1 MiB package the management-plane
 * benchmark installs (os/bench/kuori-run.py). Its ELF carries a 1 MiB blob
 * of incompressible bytes (blob.S, made by blob.sh), so the archive the
 * registry serves is about 1 MiB too and the install measures a real
 * download, check and load. It is never a boot module: the agent installs
 * it from a host registry. Its first log line is what the benchmark waits
 * for; it names the binary core recorded and a sum over the blob (which
 * also keeps the blob referenced), then it idles until stopped. */
#include <kide/base.h>
#include <kide/component.h>
#include <kide/core.h>

extern const unsigned char pkgbig_blob[], pkgbig_blob_end[];

void kide_main(struct kide_env *env)
{
    const struct kide_comp_info *info = (const struct kide_comp_info *)KIDE_COMP_INFO;
    unsigned long sum = 0;
    /* A sample every 4 KiB: every page of the blob is touched once. */
    for (const unsigned char *p = pkgbig_blob; p < pkgbig_blob_end; p += 4096)
        sum += *p;
    kide_log(env, "pkgbig: started from %s (%lu bytes of blob, sum %lu)", info->binary,
             (unsigned long)(pkgbig_blob_end - pkgbig_blob), sum);
    for (;;)
        kide_sleep_ms(1000);
}
