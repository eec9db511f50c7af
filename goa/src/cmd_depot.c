/* SPDX-License-Identifier: MIT */
/* goa depot: the depot users goa install trusts -- add, list, remove.
 *
 * A depot user is a directory <dir>/<user>/ holding `download` (the base URL
 * its archives come from) and `pubkey` (the Ed25519 key its archives are
 * signed with). goa looks in the user's directory
 * (${XDG_CONFIG_HOME:-~/.config}/goa/depots) and then in the users shipped
 * with goa (depots/ of the repository: `kide`); --depots DIR or $GOA_DEPOTS
 * replaces both. add and remove change the user's directory only, so a
 * shipped user is overridden by adding one of the same name, never edited.
 */
#include "cmd.h"
#include "depot.h"
#include "pathcheck.h"
#include "sign.h"
#include "util.h"

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add(const char *dopt, int force, const char *user, const char *url, const char *key)
{
    char *dir = goa_depots_dir(dopt), *udir = goa_fmt("%s/%s", dir, user);
    char *dl = goa_fmt("%s/download", udir), *pk = goa_fmt("%s/pubkey", udir);
    char *pem = NULL, *line = goa_fmt("%s\n", url);
    size_t len;
    int rc = 1;

    if (!goa_valid_user(user)) {
        goa_error(user, "depot users match [a-z0-9][a-z0-9_-]*", "not a valid depot user name");
        goto out;
    }
    if (strncmp(url, "https://", 8) && strncmp(url, "http://", 7) && strncmp(url, "file://", 7)) {
        goa_error(url, "give the registry's base URL, e.g. https://registry.example.org",
                  "not an http, https or file URL");
        goto out;
    }
    if (goa_pubkey_check(key))
        goto out;
    if (goa_exists(dl) && !force) {
        goa_error(udir, "pass --force to replace it, or 'goa depot remove' it first",
                  "depot user '%s' already exists", user);
        goto out;
    }
    if (goa_read_file(key, &pem, &len) || goa_mkdirs(udir) || goa_write_file(pk, pem, len, 0644) ||
        goa_write_file(dl, line, strlen(line), 0644)) {
        goa_error(udir, "check permissions of the depot users directory", "cannot write: %m");
        goto out;
    }
    goa_info("goa: depot user %s added: archives from %s, checked against %s", user, url, pk);
    rc = 0;
out:
    free(dir), free(udir), free(dl), free(pk), free(pem), free(line);
    return rc;
}

static int list(const char *dopt)
{
    char *dirs[2] = {0};
    size_t n = goa_depots_search(dopt, dirs);

    for (size_t i = 0; i < n; i++) {
        DIR *d = opendir(dirs[i]);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            char *f = goa_fmt("%s/%s/download", dirs[i], e->d_name), *url = NULL;
            if (e->d_name[0] != '.' && !goa_read_file(f, &url, NULL)) {
                url[strcspn(url, " \t\r\n")] = '\0';
                /* A user of the first directory hides a shipped one of the same name. */
                char *shadow = i ? goa_fmt("%s/%s/download", dirs[0], e->d_name) : NULL;
                int hidden = shadow && goa_exists(shadow);
                if (goa_opt.json)
                    printf("{\"user\":\"%s\",\"download\":\"%s\",\"dir\":\"%s\",\"shipped\":%s,"
                           "\"overridden\":%s}\n",
                           e->d_name, url, dirs[i], i ? "true" : "false",
                           hidden ? "true" : "false");
                else
                    printf("%-16s %s  (%s%s)\n", e->d_name, url, dirs[i],
                           hidden ? ", overridden" : "");
                free(shadow);
            }
            free(url);
            free(f);
        }
        if (d)
            closedir(d);
    }
    free(dirs[0]);
    free(dirs[1]);
    return 0;
}

static int remove_user(const char *dopt, const char *user)
{
    char *dir = goa_depots_dir(dopt), *udir = goa_fmt("%s/%s", dir, user);
    char *shipped = goa_fmt("%s/%s", GOA_DEFAULT_DEPOTS, user);
    int rc = 1;

    if (!goa_valid_user(user)) {
        goa_error(user, "depot users match [a-z0-9][a-z0-9_-]*", "not a valid depot user name");
    } else if (!goa_isdir(udir)) {
        goa_error(udir,
                  goa_isdir(shipped) ? "it is shipped with goa: override it with 'goa depot add "
                                       "--force', or use --depots DIR"
                                     : "'goa depot list' shows the users goa knows",
                  "no depot user '%s' here", user);
    } else if (goa_rmrf(udir)) {
        goa_error(udir, NULL, "cannot remove: %m");
    } else {
        goa_info("goa: depot user %s removed from %s", user, dir);
        rc = 0;
    }
    free(dir), free(udir), free(shipped);
    return rc;
}

int goa_cmd_depot(int argc, char **argv)
{
    static const struct option lo[] = {
            {"depots", required_argument, 0, 'D'}, {"force", no_argument, 0, 'f'}, {0, 0, 0, 0}};
    const char *dopt = NULL;
    int c, force = 0;

    if (goa_want_help(argc, argv))
        return 0;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (c == 'D')
            dopt = optarg;
        else if (c == 'f')
            force = 1;
        else
            return 2;
    }
    int n = argc - optind;
    const char *sub = n > 0 ? argv[optind] : "";
    if (!strcmp(sub, "add") && n == 4)
        return add(dopt, force, argv[optind + 1], argv[optind + 2], argv[optind + 3]);
    if (!strcmp(sub, "list") && n == 1)
        return list(dopt);
    if (!strcmp(sub, "remove") && n == 2)
        return remove_user(dopt, argv[optind + 1]);
    goa_error("depot", "run 'goa depot --help'",
              "expected 'add USER URL PUBKEY-FILE', 'list' or 'remove USER'");
    return 2;
}
