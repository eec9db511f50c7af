/* SPDX-License-Identifier: MIT */
/* test-pkghello: the program of the package tester/hello/1.0 the pkg-start
 * scenario installs (os/components/tests/test-pkgstore packs it with goa
 * export). It is never a boot module of that scenario: hoitaja loads it from
 * the store (binary "pkg:tester/hello/1.0"). It logs the binary core wrote
 * on its info page, so the scenario sees it came from the package, and
 * ends with 0. */
#include <kide/base.h>
#include <kide/component.h>
#include <kide/core.h>

void kide_main(struct kide_env *env)
{
    const struct kide_comp_info *info = (const struct kide_comp_info *)KIDE_COMP_INFO;
    kide_log(env, "pkghello: hello from %s", info->binary);
    kide_log(env, "pkghello: PASS pkg-start");
    kide_exit(env, 0);
}
