/* SPDX-License-Identifier: MIT */
/* goa install: download depot archives, verify them, then unpack them.
 *
 * States of one archive: queued -> downloaded (archive and .sig in the
 * depot's .quarantine/) -> verified (Ed25519 signature checked against
 * depots/<user>/pubkey) -> unpacked (extracted into .quarantine/, then
 * renamed to <depot>/<user>/<type>/<name>/<version>/, with the archive and
 * .sig kept beside it). Invariant: nothing is extracted before its
 * signature verified, and a refused archive leaves nothing behind but the
 * message. A pkg archive queues the archives its `archives` file lists.
 * Downloads of one round run in parallel (-j).
 */
#include "cmd.h"
#include "depot.h"
#include "extract.h"
#include "fetch.h"
#include "project.h"
#include "sign.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/** What every install step needs. */
struct ictx {
    char *depot;        /**< depot directory */
    const char *depots; /**< --depots DIR, or NULL for the search order of depot.h */
    const char *from;   /**< --from base URL, or NULL */
    char **queue;       /**< archives to install (depot paths) */
    size_t n, cap;      /**< queue size */
};

static void enqueue(struct ictx *c, const char *rel)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->queue[i], rel))
            return;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 16;
        c->queue = realloc(c->queue, c->cap * sizeof *c->queue);
        if (!c->queue)
            abort();
    }
    c->queue[c->n++] = goa_xstrdup(rel);
}

static char *base_url(struct ictx *c, const char *user)
{
    char *f, *s = NULL;

    if (c->from)
        return goa_xstrdup(c->from);
    char *dir = goa_depot_user_dir(c->depots, user);
    if (!dir)
        return NULL;
    f = goa_fmt("%s/download", dir);
    free(dir);
    if (goa_read_file(f, &s, NULL)) {
        goa_error(f, "add the depot user's download URL there, or pass --from URL",
                  "cannot read: %m");
        free(f);
        return NULL;
    }
    free(f);
    s[strcspn(s, " \t\r\n")] = '\0';
    return s;
}

/* Verify and unpack one downloaded archive. */
static int verify_unpack(struct ictx *c, const char *rel, const char *user, const char *qa,
                         const char *qs, const char *url)
{
    char *udir = goa_depot_user_dir(c->depots, user), *sig = NULL;
    char *pub = udir ? goa_fmt("%s/pubkey", udir) : NULL;
    char *qd = goa_fmt("%s.d", qa), *dest = goa_fmt("%s/%s", c->depot, rel);
    char *fa = goa_fmt("%s.tar.xz", dest), *fs = goa_fmt("%s.tar.xz.sig", dest);
    size_t siglen = 0;
    int rc = -1, v;

    if (!pub)
        goto out;
    if (goa_read_file(qs, &sig, &siglen)) {
        goa_error(qs, NULL, "cannot read the signature: %m");
        goto out;
    }
    v = goa_verify_file(pub, qa, (unsigned char *)sig, siglen);
    if (v < 0)
        goto out;
    if (v == 0) {
        goa_error(url,
                  "the registry's copy is corrupt or was tampered with: tell the registry "
                  "operator; do not use this archive",
                  "signature check failed for %s: the archive does not match its signature by "
                  "'%s'; nothing was unpacked",
                  rel, user);
        goto out;
    }
    goa_rmrf(qd);
    if (goa_mkdirs(qd) || goa_extract(qa, url, qd, 0))
        goto out;
    char *parent = goa_xstrdup(dest);
    *strrchr(parent, '/') = '\0';
    goa_mkdirs(parent);
    free(parent);
    goa_rmrf(dest);
    if (rename(qd, dest) || rename(qa, fa) || rename(qs, fs)) {
        goa_error(dest, "check permissions of the depot",
                  "cannot move the verified archive into place: %m");
        goto out;
    }
    goa_info("goa: installed %s", rel);
    rc = 0;
out:
    if (rc) {
        unlink(qa);
        unlink(qs);
        goa_rmrf(qd);
    }
    free(udir), free(pub), free(sig), free(qd), free(dest), free(fa), free(fs);
    return rc;
}

/* Queue the archives a pkg lists. */
static int follow_pkg(struct ictx *c, const char *rel)
{
    char *f = goa_fmt("%s/%s/archives", c->depot, rel), *data = NULL, *save = NULL;
    int rc = 0;

    if (goa_read_file(f, &data, NULL)) {
        free(f);
        return 0;
    }
    for (char *l = strtok_r(data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char *u, *t, *n, *v;
        if (goa_depot_split(l, &u, &t, &n, &v)) {
            goa_error(f, "the package is malformed; report it to its publisher",
                      "bad archive line '%s'", l);
            rc = -1;
            continue;
        }
        enqueue(c, l);
        free(u), free(t), free(n), free(v);
    }
    free(data);
    free(f);
    return rc;
}

/* Install queue entries [from, c->n): download all, then verify each. */
static int round_(struct ictx *c, size_t from)
{
    size_t k = c->n - from, m = 0;
    struct goa_dl *dl = goa_xmalloc(2 * k * sizeof *dl);
    char **urls = goa_xmalloc(2 * k * sizeof *urls), **dests = goa_xmalloc(2 * k * sizeof *dests);
    int rc = 0;

    for (size_t i = from; i < c->n; i++) {
        char *u, *t, *n, *v, *dir = goa_fmt("%s/%s", c->depot, c->queue[i]);
        if (goa_depot_split(c->queue[i], &u, &t, &n, &v)) {
            goa_error(c->queue[i],
                      "name archives as user/type/name/version, e.g. kide/src/zlib/1.3.1",
                      "not a depot archive path");
            free(dir);
            rc = -1;
            continue;
        }
        int installed = goa_isdir(dir);
        char *base = installed ? NULL : base_url(c, u);
        free(dir);
        if (installed)
            goa_info("goa: %s already installed", c->queue[i]);
        else if (!base)
            rc = -1;
        for (int s = 0; base && s < 2; s++) {
            urls[m] = goa_fmt("%s/%s.tar.xz%s", base, c->queue[i], s ? ".sig" : "");
            dests[m] =
                    goa_fmt("%s/.quarantine/%s.tar.xz%s", c->depot, c->queue[i], s ? ".sig" : "");
            char *qdir = goa_xstrdup(dests[m]);
            *strrchr(qdir, '/') = '\0';
            goa_mkdirs(qdir);
            free(qdir);
            dl[m] = (struct goa_dl){.url = urls[m], .dest = dests[m]};
            m++;
        }
        free(base);
        free(u), free(t), free(n), free(v);
    }
    goa_fetch_all(dl, m, goa_opt.jobs);
    for (size_t j = 0; j + 1 < m; j += 2) {
        char *rel = strstr(dests[j], "/.quarantine/") + strlen("/.quarantine/");
        char *relv = strndup(rel, strlen(rel) - strlen(".tar.xz"));
        char *user = strndup(relv, strcspn(relv, "/"));
        int bad = 0;
        /* One message per archive: when the archive is missing, so is its .sig. */
        for (int s = 0; s < 2 && !bad; s++)
            if (dl[j + s].rc) {
                goa_error(dl[j + s].url,
                          dl[j + s].status == 404
                                  ? "check the archive name and version, and that it was published"
                                  : "check that the registry is reachable (depots/<user>/download "
                                    "or --from)",
                          "cannot download: %s", dl[j + s].err);
                bad = 1;
            }
        if (bad) {
            unlink(dests[j]);
            unlink(dests[j + 1]);
            rc = -1;
        } else if (verify_unpack(c, relv, user, dests[j], dests[j + 1], dl[j].url)) {
            rc = -1;
        } else if (!strncmp(strchr(relv, '/'), "/pkg/", 5) && follow_pkg(c, relv)) {
            rc = -1;
        }
        free(relv);
        free(user);
    }
    for (size_t j = 0; j < m; j++) {
        free(urls[j]);
        free(dests[j]);
    }
    free(dl), free(urls), free(dests);
    return rc;
}

int goa_cmd_install(int argc, char **argv)
{
    static const struct option lo[] = {{"depot", required_argument, 0, 'd'},
                                       {"depots", required_argument, 0, 'D'},
                                       {"from", required_argument, 0, 'f'},
                                       {0, 0, 0, 0}};
    struct ictx c = {0};
    const char *dopt = NULL, *Dopt = NULL;
    struct goa_project p = {0};
    int ch, rc = 0, loaded = 0;

    if (goa_want_help(argc, argv))
        return 0;
    while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (ch == 'd')
            dopt = optarg;
        else if (ch == 'D')
            Dopt = optarg;
        else if (ch == 'f')
            c.from = optarg;
        else
            return 2;
    }
    if (optind == argc) {
        if (goa_project_load(goa_opt.dir, &p))
            return 1;
        loaded = 1;
        for (size_t i = 0; p.depends[i]; i++)
            enqueue(&c, p.depends[i]);
    }
    for (int i = optind; i < argc; i++)
        enqueue(&c, argv[i]);
    c.depot = goa_depot_dir(dopt, loaded ? p.dir : ".");
    c.depots = Dopt;
    for (size_t from = 0; from < c.n && rc == 0;) {
        size_t upto = c.n;
        rc = round_(&c, from);
        from = upto;
    }
    char *q = goa_fmt("%s/.quarantine", c.depot);
    goa_rmrf(q);
    free(q);
    for (size_t i = 0; i < c.n; i++)
        free(c.queue[i]);
    free(c.queue);
    free(c.depot);
    if (loaded)
        goa_project_free(&p);
    return rc ? 1 : 0;
}
