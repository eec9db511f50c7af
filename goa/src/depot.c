/* SPDX-License-Identifier: MIT */
/* goa: the local depot -- where archives and unpacked dependencies live.
 *
 * Only naming and lookup live here; export, install and build each handle
 * their own part of the depot.
 */
#include "depot.h"

#include "pathcheck.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

char *goa_depot_dir(const char *opt, const char *pdir)
{
    const char *e = getenv("GOA_DEPOT");
    char *d;

    if (opt)
        d = goa_xstrdup(opt);
    else if (e && *e)
        d = goa_xstrdup(e);
    else
        d = goa_fmt("%s/var/depot", pdir ? pdir : ".");
    return d;
}

char *goa_depot_user(const char *opt, const struct goa_project *p)
{
    const char *u = opt;

    if (!u && p && p->depot_user)
        u = p->depot_user;
    if (!u)
        u = getenv("GOA_USER");
    if (!u || !goa_valid_user(u)) {
        goa_error("depot user",
                  "set depot_user in goa.yaml, pass --user USER or set GOA_USER "
                  "([a-z0-9][a-z0-9_-]*)",
                  u ? "'%s' is not a valid depot user" : "%sno depot user given", u ? u : "");
        return NULL;
    }
    return goa_xstrdup(u);
}

char *goa_depots_dir(const char *opt)
{
    const char *e = getenv("GOA_DEPOTS"), *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");

    if (opt)
        return goa_xstrdup(opt);
    if (e && *e)
        return goa_xstrdup(e);
    if (x && *x)
        return goa_fmt("%s/goa/depots", x);
    return goa_fmt("%s/.config/goa/depots", h && *h ? h : ".");
}

size_t goa_depots_search(const char *opt, char *dirs[2])
{
    const char *e = getenv("GOA_DEPOTS");

    dirs[0] = goa_depots_dir(opt);
    if (opt || (e && *e))
        return 1;
    dirs[1] = goa_xstrdup(GOA_DEFAULT_DEPOTS);
    return 2;
}

char *goa_depot_user_dir(const char *opt, const char *user)
{
    char *dirs[2] = {0}, *found = NULL, *first = NULL;
    size_t n = goa_depots_search(opt, dirs);

    for (size_t i = 0; i < n; i++) {
        char *d = goa_fmt("%s/%s", dirs[i], user), *dl = goa_fmt("%s/download", d);
        if (!found && goa_exists(dl))
            found = goa_xstrdup(d);
        if (!first)
            first = goa_xstrdup(dl);
        free(d);
        free(dl);
    }
    if (!found) {
        char *hint =
                goa_fmt("add it with 'goa depot add %s URL PUBKEY-FILE', or pass --from URL", user);
        goa_error(first, hint, "unknown depot user '%s': not in %s%s%s", user, dirs[0],
                  n > 1 ? " or " : "", n > 1 ? dirs[1] : "");
        free(hint);
    }
    free(first);
    free(dirs[0]);
    free(dirs[1]);
    return found;
}

int goa_depot_split(const char *path, char **user, char **type, char **name, char **version)
{
    char *s = goa_xstrdup(path), *parts[6] = {0}, *save = NULL;
    int n = 0, rc = -1;

    for (char *t = strtok_r(s, "/", &save); t && n < 6; t = strtok_r(NULL, "/", &save))
        parts[n++] = t;
    if (n == 5 && !strcmp(parts[1], "bin")) {
        *type = goa_fmt("bin/%s", parts[2]);
        parts[2] = parts[3];
        parts[3] = parts[4];
        n = 4;
    } else if (n == 4) {
        *type = goa_xstrdup(parts[1]);
    } else
        goto out;
    if (!goa_valid_user(parts[0]) || !goa_valid_type(*type) || !goa_valid_name(parts[2]) ||
        !goa_valid_name(parts[3])) {
        free(*type);
        goto out;
    }
    *user = goa_xstrdup(parts[0]);
    *name = goa_xstrdup(parts[2]);
    *version = goa_xstrdup(parts[3]);
    rc = 0;
out:
    free(s);
    return rc;
}
