/* SPDX-License-Identifier: MIT */
/* goa: the command line -- global options and the verb table.
 *
 * Reads like a table of contents: every verb, its one-line summary and its
 * help text are in `verbs` below; `goa help`, `goa VERB --help` and
 * docs/goa.md's command reference come from the same words. Global options
 * come before the verb: -C DIR, -j N, --json, -q, -v.
 */
#include "cmd.h"
#include "schema.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** One verb: its name, function, one-line summary and full help. */
struct verb {
    const char *name;    /**< what the user types */
    goa_cmd_fn *fn;      /**< implementation */
    const char *summary; /**< one line for `goa help` */
    const char *help;    /**< usage and options for `goa help VERB` */
};

static const struct verb verbs[] = {
        {"new", goa_cmd_new, "create a project from a template",
         "usage: goa new [--template native|posix|library] NAME\n"
         "Creates directory NAME from templates/<template> with goa.yaml filled in.\n"
         "  --template T   native (default), posix or library\n"
         "  --templates D  template directory (default: $GOA_TEMPLATES or the repository's "
         "templates/)\n"},
        {"import", goa_cmd_import, "download, verify, extract and patch the sources",
         "usage: goa import [--mirror URL]... [--force]\n"
         "Fetches every source of goa.yaml (mirrors first, then upstream), verifies its\n"
         "SHA-256 or tree hash, extracts it safely into src/ and applies its patches.\n"
         "  --mirror URL   look for <URL>/<file name> before upstream (also $GOA_MIRRORS)\n"
         "  --force        replace an existing src/ (local edits are lost: goa diff first)\n"
         "The download cache is $GOA_CACHE (default ~/.cache/goa). -j N downloads N at once.\n"},
        {"diff", goa_cmd_diff, "show local edits of src/ as a patch",
         "usage: goa diff\n"
         "Prints a unified diff (patch -p1) of src/ against the pristine import; the file\n"
         "headers carry no times, so the patch only changes when the content does.\n"
         "Exit status: 0 no edits, 1 edits found, 2 error.\n"},
        {"build", goa_cmd_build, "build the project with the Kide toolchain",
         "usage: goa build [--cc CC] [--depot DIR] [--rebuild]\n"
         "Builds in var/build/<arch>/ with musl-gcc -static (POSIX programs and libraries).\n"
         "Unless build.system says otherwise, detects in debhelper's order: autoconf\n"
         "(configure, configure.ac), make (Makefile), cmake, meson, plain C; the choice is\n"
         "printed. Exports CC, CFLAGS, LDFLAGS, LIBS/LDLIBS and PKG_CONFIG_PATH with the\n"
         "flags of every depot library in depends (from their .pc files). Installs into\n"
         "the staging tree var/install/<arch>/ (DESTDIR, prefix /usr), or copies the listed\n"
         "artifacts, and sorts the files into var/bin/<arch>/ (programs, stripped),\n"
         "var/api/<arch>/ (headers, static libraries, relocatable .pc files),\n"
         "var/doc/<arch>/ (manuals) and var/dbg/<arch>/ (split debug information).\n"
         "When anything that affects configuring changed since the last build (system,\n"
         "args, env, compiler, flags, depends), configures again in a fresh build tree.\n"
         "  --cc CC        compiler (default $GOA_CC or musl-gcc); CFLAGS default $GOA_CFLAGS or "
         "-O2\n"
         "  --depot DIR    depot with the dependencies (default $GOA_DEPOT or var/depot)\n"
         "  --rebuild      start from a fresh build tree (configure again)\n"},
        {"check", goa_cmd_check, "build, then run upstream's own test suite",
         "usage: goa check [--cc CC] [--depot DIR] [--rebuild] [--target host]\n"
         "Builds like goa build, then runs the upstream test suite through the build\n"
         "system in the build tree, on the host: make check (or make test) for autoconf\n"
         "and make, ctest for cmake, meson test for meson. Exit status 0 if it passes.\n"
         "  --target T     host (default); qemu is refused until the POSIX personality\n"
         "                 runs upstream's test programs on Kide\n"},
        {"clean", goa_cmd_clean, "remove build trees and build outputs",
         "usage: goa clean\n"
         "Removes var/build, var/install, var/bin, var/api, var/doc, var/dbg and the build\n"
         "log. Sources (src/, var/orig), the depot and the download cache are kept.\n"},
        {"run", goa_cmd_run, "run the built program and stream its log",
         "usage: goa run [USER/pkg/NAME/VERSION] [--target host|qemu] [--depot DIR] [-- ARGS...]\n"
         "Runs the runtime binary through a backend and returns its exit code: the\n"
         "project's (-C DIR), or an installed package's (its goa.yaml from the src archive,\n"
         "its binary from the bin archive; --depot DIR, default $GOA_DEPOT or var/depot).\n"
         "  --target T     host: the static binary on this machine (default for posix);\n"
         "                 qemu: boot it on Kide under core and hoitaja (native components;\n"
         "                 posix projects as a posix child of the SDK's POSIX runtime,\n"
         "                 boot/posix, from runtime.child; exit 128+N for signal N)\n"
         "  --timeout S    kill the run after S seconds (default: test.timeout or 60)\n"},
        {"test", goa_cmd_test, "run and judge expected log lines and exit code",
         "usage: goa test [USER/pkg/NAME/VERSION] [--target host|qemu] [--depot DIR]\n"
         "Runs like goa run with test.args and test.stdin, then checks that every line of\n"
         "test.expect appears in order and the exit code equals test.exit within\n"
         "test.timeout seconds. Exit status 0 if all expectations hold, 1 otherwise.\n"},
        {"export", goa_cmd_export, "write reproducible depot archives",
         "usage: goa export [--depot DIR] [--user USER] [--key FILE]\n"
         "Writes <user>/src|bin/<arch>|pkg|api/<name>/<version>.tar.xz into the depot, and\n"
         "raw/<name>-doc and bin/<arch>/<name>-dbg (manuals, debug information):\n"
         "sorted entries, fixed times and owners, so the same project gives the same bytes.\n"
         "Refuses to overwrite an existing version with different content.\n"
         "  --depot DIR    depot directory (default $GOA_DEPOT or var/depot)\n"
         "  --user USER    depot user (default depot_user of goa.yaml or $GOA_USER)\n"
         "  --key FILE     also sign each archive (<archive>.sig)\n"},
        {"publish", goa_cmd_publish, "sign and upload exported archives",
         "usage: goa publish [--registry URL] [--key FILE] [--token T] [--depot DIR] [--user U]\n"
         "Signs each exported archive of this project with Ed25519 and PUTs it to the\n"
         "registry; archives the registry already has with the same bytes are skipped.\n"
         "  --registry URL $GOA_REGISTRY      --key FILE   $GOA_KEY (PKCS#8 PEM)\n"
         "  --token T      $GOA_TOKEN (or --token-file F)\n"},
        {"install", goa_cmd_install, "download, verify and unpack depot archives",
         "usage: goa install [--depot DIR] [--depots DIR] [--from URL] [ARCHIVE...]\n"
         "Installs user/type/name/version archives (default: the project's depends).\n"
         "Each archive and its .sig are downloaded into the depot's quarantine, the\n"
         "signature is checked against the depot user's pubkey BEFORE unpacking, and only\n"
         "a verified archive is unpacked. pkg archives pull in the archives they list.\n"
         "  --depots DIR   depot users (pubkey, download) (default $GOA_DEPOTS, else the\n"
         "                 users of 'goa depot list': yours, then the shipped ones)\n"
         "  --from URL     download base URL instead of the user's download file\n"},
        {"depot", goa_cmd_depot, "add, list or remove the depot users goa install trusts",
         "usage: goa depot add [--force] USER URL PUBKEY-FILE | goa depot list | goa depot remove "
         "USER\n"
         "A depot user is a download URL and the Ed25519 public key its archives are signed\n"
         "with. add writes USER/download and USER/pubkey into your depot users directory\n"
         "(${XDG_CONFIG_HOME:-~/.config}/goa/depots); list shows yours, then the users\n"
         "shipped with goa (kide: the Kide project's registry); remove deletes one of yours.\n"
         "  --depots DIR   use DIR alone instead (also $GOA_DEPOTS)\n"
         "  --force        add: replace an existing user (or override a shipped one)\n"},
        {"key", goa_cmd_key, "create or show an Ed25519 signing key",
         "usage: goa key create FILE | goa key show FILE\n"
         "create writes a new private key (PKCS#8 PEM, mode 0600) and FILE.pub;\n"
         "show prints the public key (PEM SubjectPublicKeyInfo) for depots/<user>/pubkey.\n"},
        {"bump-version", goa_cmd_bump_version, "raise the version in goa.yaml",
         "usage: goa bump-version [--port | NEW-VERSION]\n"
         "Sets version to NEW-VERSION, which must sort after the current one.\n"
         "  --port         next port revision: 1.2.3 -> 1.2.3-kide1 -> 1.2.3-kide2\n"
         "                 (the port changed, upstream did not)\n"
         "Without either, a project of your own (no sources:) gets its last number raised\n"
         "(1.2.3 -> 1.2.4) or today's date (2024-01-31 -> today); a port (with sources:)\n"
         "is refused, since only upstream raises its version.\n"},
        {"archive-versions", goa_cmd_archive_versions, "list archive versions in a depot",
         "usage: goa archive-versions [--depot DIR] [--user USER] [USER/TYPE/NAME...]\n"
         "Lists the versions present for the project's archives (or the ones named),\n"
         "oldest first.\n"},
        {"info", goa_cmd_info, "describe the project",
         "usage: goa info\n"
         "Prints name, version, type, sources, build system and state (--json for scripts).\n"},
        {"hash", goa_cmd_hash, "print the SHA-256 of a file or the tree hash of a directory",
         "usage: goa hash PATH...\n"},
        {"schema", goa_cmd_schema, "print the goa.yaml schema", "usage: goa schema\n"},
        {NULL, NULL, NULL, NULL},
};

static const char usage[] =
        "usage: goa [-C DIR] [-j N] [--json] [-q] [-v] VERB [ARGS]\n"
        "goa ports, builds, runs, packages, signs and publishes software for Kide.\n";

int goa_help(const char *verb)
{
    if (!verb) {
        fputs(usage, stdout);
        puts("\nverbs:");
        for (const struct verb *v = verbs; v->name; v++)
            printf("  %-17s %s\n", v->name, v->summary);
        puts("\n'goa help VERB' or 'goa VERB --help' describes one verb; docs/goa.md has more.");
        return 0;
    }
    for (const struct verb *v = verbs; v->name; v++)
        if (!strcmp(v->name, verb)) {
            printf("goa %s: %s\n%s", v->name, v->summary, v->help);
            return 0;
        }
    goa_error("help", "run 'goa help' for the list of verbs", "unknown verb '%s'", verb);
    return 2;
}

int goa_want_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            break;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            goa_help(argv[0]);
            return 1;
        }
    }
    return 0;
}

int goa_cmd_schema(int argc, char **argv)
{
    if (goa_want_help(argc, argv))
        return 0;
    puts("goa.yaml fields (see docs/formats/project.md):");
    goa_schema_print(goa_schema_project, 2);
    return 0;
}

int main(int argc, char **argv)
{
    int i = 1;

    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-C") && i + 1 < argc)
            goa_opt.dir = argv[++i];
        else if (!strcmp(a, "-j") && i + 1 < argc)
            goa_opt.jobs = atoi(argv[++i]);
        else if (!strncmp(a, "-j", 2) && a[2])
            goa_opt.jobs = atoi(a + 2);
        else if (!strcmp(a, "--json"))
            goa_opt.json = true;
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
            goa_opt.quiet = true;
        else if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
            goa_opt.verbose = true;
        else if (!strcmp(a, "-h") || !strcmp(a, "--help"))
            return goa_help(NULL);
        else if (!strcmp(a, "--version")) {
            puts("goa 0.1");
            return 0;
        } else {
            goa_error("options", "run 'goa help' for the global options", "unknown option '%s'", a);
            return 2;
        }
    }
    if (goa_opt.jobs < 1 || goa_opt.jobs > 256) {
        goa_error("options", "pass -j with a number from 1 to 256", "bad job count");
        return 2;
    }
    if (i == argc) {
        goa_help(NULL);
        return 2;
    }
    if (!strcmp(argv[i], "help"))
        return goa_help(i + 1 < argc ? argv[i + 1] : NULL);
    for (const struct verb *v = verbs; v->name; v++)
        if (!strcmp(v->name, argv[i])) {
            optind = 1;
            return v->fn(argc - i, argv + i);
        }
    goa_error(argv[i], "run 'goa help' for the list of verbs", "unknown verb");
    return 2;
}
