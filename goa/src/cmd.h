/* SPDX-License-Identifier: MIT */
/* goa: the command table -- one entry point per verb.
 *
 * Each verb lives in its own file (cmd_<verb>.c) and exports one function
 * with the signature below. It receives its own arguments (argv[0] is the
 * verb), returns the process exit status (0 ok, 1 failed, 2 usage error) and
 * reports its failures itself. The help text of every verb lives in the
 * table in main.c, which prints it for `goa help VERB` and `VERB --help`.
 */
#ifndef GOA_CMD_H
#define GOA_CMD_H

/** Signature of every verb. */
typedef int goa_cmd_fn(int argc, char **argv);

goa_cmd_fn goa_cmd_new, goa_cmd_import, goa_cmd_diff, goa_cmd_build, goa_cmd_run, goa_cmd_test,
        goa_cmd_export, goa_cmd_publish, goa_cmd_install, goa_cmd_key, goa_cmd_bump_version,
        goa_cmd_archive_versions, goa_cmd_info, goa_cmd_hash, goa_cmd_schema, goa_cmd_check,
        goa_cmd_clean, goa_cmd_depot;

/** Print the help of VERB to stdout; 0, or 2 if VERB is unknown. */
int goa_help(const char *verb);

/**
 * Shared option scanner: if ARGV holds --help or -h, print the verb's help
 * and return 1 (the verb then exits 0). Otherwise return 0.
 */
int goa_want_help(int argc, char **argv);

#endif
