/* SPDX-License-Identifier: MIT */
/* The public API native Kide components are written against (first slice).
 *
 * A component provides kide_main(); the runtime calls it with the
 * component's environment once the runtime is set up. Today a component runs
 * as the root task of its own boot image (goa run boots it that way);
 * when hoitaja starts components, the same three calls reach the parent
 * (LOG session, exit report) instead of the serial port and QEMU's exit
 * device, without a change to the component. See
 * docs/decisions/0005-core-hoitaja-design.md.
 */
#ifndef KIDE_COMPONENT_H
#define KIDE_COMPONENT_H

struct kide_env;

/** Provided by the component: its entry point. Returning means kide_exit(env, 0). */
void kide_main(struct kide_env *env);

/** Log one line (printf-style; a newline is added), tagged with nothing today,
 *  with the component's label once it runs under hoitaja. */
void kide_log(struct kide_env *env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** End the component with an exit code 0..111 (larger codes are reported as 111). */
__attribute__((noreturn)) void kide_exit(struct kide_env *env, int code);

/** The component's command line arguments (the boot module string after its name). */
const char *kide_args(struct kide_env *env);

#endif
