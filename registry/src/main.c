/* SPDX-License-Identifier: MIT */
/* kide-registry: command line entry point and verb table.
 *
 * Usage: kide-registry --config FILE VERB [ARGS]. The table below is the one
 * source of the verbs, their synopsis and their --help text; docs/registry.md
 * repeats it for readers. main only finds the verb, loads the configuration
 * and calls it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db.h"

#define VERSION "0.1.0"

const struct reg_verb reg_verbs[] = {
        {"serve", "", "run the HTTP server until SIGTERM",
         "Serve downloads and publishes on the configured address until SIGTERM or SIGINT;\n"
         "then stop accepting, let in-flight requests finish (shutdown_timeout) and exit.\n",
         reg_cmd_serve},
        {"user add", "<user>", "add a depot user",
         "Add a depot user; names match [a-z0-9][a-z0-9_-]{0,63}.\n", reg_cmd_user_add},
        {"key add", "<user> <pubkey.pem>", "register an Ed25519 public key; prints its id",
         "Register a PEM Ed25519 public key (openssl pkey -pubout) for the user and print the\n"
         "key id (16 hex digits). A user may have several active keys.\n",
         reg_cmd_key_add},
        {"key revoke", "<user> <key-id> [--keep-archives]", "revoke a key",
         "Revoke a key: it no longer verifies publishes. Archives it signed are withdrawn\n"
         "(410 on download, hidden from index) unless --keep-archives is given.\n",
         reg_cmd_key_revoke},
        {"token create", "<user>", "create an API token; prints only the token",
         "Create an API token for the user and print it on stdout (only once: the registry\n"
         "stores its SHA-256). Its id is printed on stderr.\n",
         reg_cmd_token_create},
        {"token revoke", "<user> <token-id-or-prefix>", "revoke an API token",
         "Revoke the user's token with this id (or a unique prefix of it, or the token).\n",
         reg_cmd_token_revoke},
        {"yank", "<user>/<type>/<name>/<version>", "hide a version from index and latest",
         "Yank a version: it disappears from the index and from latest but stays\n"
         "downloadable by its exact path.\n",
         reg_cmd_yank},
        {"unyank", "<user>/<type>/<name>/<version>", "undo yank", "Reverse a yank.\n",
         reg_cmd_yank},
        {"verify", "", "check every archive against its hash and signature",
         "Re-hash every stored archive and check its signature with the key that accepted\n"
         "it. Prints each failure and exits 1 if there is any.\n",
         reg_cmd_verify},
        {"gc", "[--grace SECONDS]", "remove blobs nothing refers to",
         "Delete blobs no archive refers to and that are older than the grace period\n"
         "(default 3600 s; a running server may be about to refer to a fresh blob).\n",
         reg_cmd_gc},
        {NULL, NULL, NULL, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: kide-registry --config FILE VERB [ARGS]\n\nverbs:\n");
    for (const struct reg_verb *v = reg_verbs; v->name; v++)
        fprintf(out, "  %-13s %-34s %s\n", v->name, v->args, v->summary);
    fprintf(out, "\n'kide-registry VERB --help' describes a verb; docs/registry.md has the\n"
                 "configuration keys and the HTTP API.\n");
}

static void verb_help(const struct reg_verb *v, FILE *out)
{
    fprintf(out, "usage: kide-registry --config FILE %s %s\n\n%s", v->name, v->args, v->help);
}

/* Find the verb at argv[0] (one word) or argv[0..1] (two words); *words gets the count. */
static const struct reg_verb *find_verb(int argc, char **argv, int *words)
{
    char two[64];
    if (argc >= 2) {
        snprintf(two, sizeof(two), "%s %s", argv[0], argv[1]);
        for (const struct reg_verb *v = reg_verbs; v->name; v++)
            if (strcmp(v->name, two) == 0) {
                *words = 2;
                return v;
            }
    }
    for (const struct reg_verb *v = reg_verbs; v->name; v++)
        if (strcmp(v->name, argv[0]) == 0) {
            *words = 1;
            return v;
        }
    return NULL;
}

/* argv[0] is not a verb: if it is the first word of two-word verbs ("token"),
 * list them (exit 0 with --help, else 2); otherwise it is unknown. */
static int group_help(int argc, char **argv)
{
    size_t n = strlen(argv[0]);
    bool help = argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
    bool any = false;
    for (const struct reg_verb *v = reg_verbs; v->name; v++)
        if (strncmp(v->name, argv[0], n) == 0 && v->name[n] == ' ') {
            if (!any && !help)
                fprintf(stderr, "kide-registry: '%s' needs one of these verbs:\n", argv[0]);
            fprintf(help ? stdout : stderr, "  %-13s %-34s %s\n", v->name, v->args, v->summary);
            any = true;
        }
    if (!any) {
        fprintf(stderr, "kide-registry: unknown verb '%s'\nhint: see kide-registry --help\n",
                argv[0]);
        return 2;
    }
    if (help)
        return 0;
    fprintf(stderr, "hint: 'kide-registry %s VERB --help' describes one\n", argv[0]);
    return 2;
}

int main(int argc, char **argv)
{
    const char *config = getenv("KIDE_REGISTRY_CONFIG");
    char err[512];
    struct reg_config cfg;
    int i = 1, words = 0;
    reg_db_global_init();
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("kide-registry %s\n", VERSION);
            return 0;
        } else if ((strcmp(argv[i], "--config") == 0 || strcmp(argv[i], "-c") == 0) &&
                   i + 1 < argc) {
            config = argv[++i];
        } else {
            fprintf(stderr, "kide-registry: unknown option %s\nhint: see kide-registry --help\n",
                    argv[i]);
            return 2;
        }
    }
    if (i == argc) {
        usage(stderr);
        return 2;
    }
    const struct reg_verb *v = find_verb(argc - i, argv + i, &words);
    if (!v)
        return group_help(argc - i, argv + i);
    for (int j = i + words; j < argc; j++)
        if (strcmp(argv[j], "--help") == 0 || strcmp(argv[j], "-h") == 0) {
            verb_help(v, stdout);
            return 0;
        }
    if (!config) {
        fprintf(stderr, "kide-registry: no configuration file\n"
                        "hint: pass --config FILE before the verb (or set KIDE_REGISTRY_CONFIG)\n");
        return 2;
    }
    int lrc = reg_config_load(config, &cfg, err, sizeof(err));
    if (lrc < 0) {
        fprintf(stderr, "kide-registry: bad configuration: %s\nhint: %s\n", err,
                lrc == -EINVAL ? "see the configuration keys in docs/registry.md"
                               : "check the file given with --config");
        return 2;
    }
    /* The verb sees its last word as argv[0], then its arguments. */
    int vargc = argc - i - words + 1;
    char **vargv = argv + i + words - 1;
    int rc = v->fn(&cfg, vargc, vargv);
    if (rc == 2)
        verb_help(v, stderr);
    /* Run as root on a data directory the service user owns: give back what we made. */
    reg_cli_fix_owner(cfg.data);
    reg_config_free(&cfg);
    return rc;
}
