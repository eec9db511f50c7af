/* SPDX-License-Identifier: MIT */
/* goa: the hoitaja child of a posix project on Kide, and reading a Kide run's log.
 *
 * `goa run/test --target qemu` boots a posix project as one hoitaja child of kind
 * posix (docs/hoitaja.md, "POSIX children"): the runtime `posix` started with the
 * project's `posix:` object, the built program as a boot module. The object comes
 * from the project's runtime file (runtime.child, e.g. runtime.yaml: `posix: {...}`;
 * the quotas from goa.yaml's runtime:); goa fills in what the run decides
 * (the program's module name, the run's arguments). The values are judged later, once,
 * by hoitaja's validator in the SDK's kide-scenario (the runtime's own parser). Pure:
 * no I/O, host-testable (tests/unit_posix_child.c).
 */
#ifndef GOA_POSIX_CHILD_H
#define GOA_POSIX_CHILD_H

#include <stddef.h>

/** The child as the scenario gets it. */
struct goa_posix_child {
    char *posix;   /**< the posix object as JSON text (also a YAML flow mapping) */
    char *program; /**< its program's boot module name (posix.program) */
};

/**
 * Make the child from the runtime file's text (text[0..len), or NULL for none: then
 * posix is {program: name}), named file in messages. posix.program defaults to name;
 * run arguments args (NULL-terminated; NULL or empty: keep the file's) become
 * posix.args = [argv0, args...] with argv0 the file's args[0] or the program. Every
 * scalar of posix is a string. Returns 0, or -1 after goa_error() naming the file.
 */
int goa_posix_child(const char *file, const char *text, size_t len, const char *name,
                    char *const *args, struct goa_posix_child *out);
void goa_posix_child_free(struct goa_posix_child *c);

/** A console line of a Kide run: the component's own text when it is child's
 *  ("[child] text" -> "text"), else the line as it is. */
const char *goa_child_line(const char *child, const char *line);

/** The code in hoitaja's "[init] exit_with CHILD: ending the habitat with code N"
 *  line, or -1 when line is not that line for child. */
int goa_exit_with_code(const char *child, const char *line);

#endif
