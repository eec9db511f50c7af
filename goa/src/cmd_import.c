/* SPDX-License-Identifier: MIT */
/* goa import: download, verify, extract and patch a project's sources.
 *
 * States of one source: cached (its archive is in the download cache),
 * fetched (downloaded from a mirror or upstream), verified (the archive hash
 * matched, or the tree hash matched after extraction into var/quarantine),
 * placed (moved into var/import/src and patched). Only when every source is
 * placed does the new tree replace src/ and var/orig/ (the pristine copy
 * `goa diff` compares against); any failure leaves src/ as it was.
 *
 * Mirrors (--mirror URL, or $GOA_MIRRORS, space-separated) are tried before
 * the upstream URL. A mirror is content-addressed first: <mirror>/sha256/<hex>
 * for a source pinned by sha256, <mirror>/tree-sha256/<hex> for one pinned
 * by tree hash only; then, as a fallback, <mirror>/<basename of URL> (names
 * like v1.0.tar.gz collide between projects, hashes do not). A source with
 * `debian: FILE` is then looked for in Debian's archive (apt.c), and last
 * at its upstream URL.
 * A source is verified when any hash it names matches what it describes:
 * the archive bytes against sha256, or the extracted tree against
 * tree_sha256. With -j N, up to N sources download at once.
 */
#include "apt.h"
#include "cache.h"
#include "cmd.h"
#include "extract.h"
#include "fetch.h"
#include "hash.h"
#include "project.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/** Import state of one source. */
struct src_state {
    const struct goa_source *s; /**< the source from goa.yaml */
    char **cands;               /**< candidate URLs: mirrors first, upstream last */
    size_t ncands;              /**< number of candidates */
    size_t next;                /**< next candidate to try */
    char *archive;              /**< cache path of the accepted archive */
    char *used_url;             /**< where it came from ("cache" if cached) */
    char hex[GOA_HEX_LEN];      /**< SHA-256 of the accepted archive */
    int archive_ok;             /**< 1 if the archive hash matched sha256 */
    char *errors;               /**< accumulated failures, one line each */
    char tree[GOA_HEX_LEN];     /**< tree hash after extraction */
};

static void add_err(struct src_state *st, const char *url, const char *why)
{
    char *n = goa_fmt("%s  %s: %s\n", st->errors ? st->errors : "", url, why);
    free(st->errors);
    st->errors = n;
}

static void plan(struct src_state *st, const struct goa_source *s, char **mirrors, size_t nm)
{
    char *base = goa_basename_url(s->url);

    st->s = s;
    char **deb = s->debian ? goa_apt_archives() : NULL;
    char *pool = s->debian ? goa_debian_pool_path(s->debian) : NULL;
    st->cands = goa_xmalloc((2 * nm + goa_strv_len(deb) + 1) * sizeof(char *));
    for (size_t i = 0; i < nm; i++) {
        size_t l = strlen(mirrors[i]);
        int len = (int)(l && mirrors[i][l - 1] == '/' ? l - 1 : l);
        if (s->sha256)
            st->cands[st->ncands++] = goa_fmt("%.*s/sha256/%s", len, mirrors[i], s->sha256);
        else if (s->tree_sha256)
            st->cands[st->ncands++] =
                    goa_fmt("%.*s/tree-sha256/%s", len, mirrors[i], s->tree_sha256);
        st->cands[st->ncands++] = goa_fmt("%.*s/%s", len, mirrors[i], base);
    }
    /* Debian's archive, as this machine's apt reaches it, before upstream. */
    for (size_t i = 0; deb && deb[i]; i++)
        st->cands[st->ncands++] = goa_fmt("%s/%s", deb[i], pool);
    if (s->debian && !goa_strv_len(deb))
        add_err(st, "debian",
                "no Debian archive in apt's configuration (sources.list, "
                "sources.list.d) or $GOA_DEBIAN_ARCHIVE");
    goa_strv_free(deb);
    free(pool);
    st->cands[st->ncands++] = goa_xstrdup(s->url);
    free(base);
    if (s->sha256 && (st->archive = goa_cache_lookup(s->sha256))) {
        if (goa_sha256_file(st->archive, st->hex) == 0 && !strcasecmp(st->hex, s->sha256)) {
            st->archive_ok = 1;
            st->used_url = goa_xstrdup("cache");
            return;
        }
        /* Defensive: a cache entry that no longer matches its name is
         * removed and fetched again. */
        unlink(st->archive);
        free(st->archive);
        st->archive = NULL;
    }
    /* Tree-pinned sources: reuse what this URL gave last time; the tree
     * hash is still checked after extraction. */
    if (s->tree_sha256 && (st->archive = goa_cache_lookup_url(s->url))) {
        goa_sha256_file(st->archive, st->hex);
        st->archive_ok = s->sha256 && !strcasecmp(st->hex, s->sha256);
        st->used_url = goa_xstrdup("cache");
    }
}

/* Judge one finished download of source ST; 1 accepted, 0 try the next. */
static int judge(struct src_state *st, struct goa_dl *dl)
{
    char hex[GOA_HEX_LEN];

    if (dl->rc) {
        add_err(st, dl->url, dl->err);
        return 0;
    }
    if (goa_sha256_file(dl->dest, hex)) {
        add_err(st, dl->url, "cannot hash the download");
        unlink(dl->dest);
        return 0;
    }
    int match = st->s->sha256 && !strcasecmp(hex, st->s->sha256);
    if (st->s->sha256 && !match && !st->s->tree_sha256) {
        char *why = goa_fmt("SHA-256 mismatch: expected %s, got %s", st->s->sha256, hex);
        add_err(st, dl->url, why);
        free(why);
        unlink(dl->dest);
        return 0;
    }
    st->archive = goa_cache_store(dl->dest, hex, st->s->url);
    if (!st->archive) {
        unlink(dl->dest);
        return 0;
    }
    memcpy(st->hex, hex, sizeof hex);
    st->archive_ok = match;
    st->used_url = goa_xstrdup(dl->url);
    return 1;
}

static int fetch_missing(struct src_state *sts, size_t n)
{
    struct goa_dl *dls = goa_xmalloc(n * sizeof *dls);
    size_t *who = goa_xmalloc(n * sizeof *who);
    int rc = 0;

    for (;;) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (sts[i].archive || sts[i].next >= sts[i].ncands)
                continue;
            dls[k] = (struct goa_dl){.url = sts[i].cands[sts[i].next++],
                                     .dest = goa_cache_tmpname()};
            if (!dls[k].dest) {
                rc = -1;
                goto out;
            }
            who[k++] = i;
        }
        if (k == 0)
            break;
        goa_fetch_all(dls, k, goa_opt.jobs);
        for (size_t j = 0; j < k; j++) {
            judge(&sts[who[j]], &dls[j]);
            free((char *)dls[j].dest);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (sts[i].archive)
            continue;
        goa_error("import",
                  "check the URL and hashes in goa.yaml; for offline use pass --mirror DIR-URL or "
                  "set GOA_MIRRORS",
                  "cannot obtain %s (goa.yaml line %d); tried:\n%s", sts[i].s->url, sts[i].s->line,
                  sts[i].errors ? sts[i].errors : "  (nothing)\n");
        rc = -1;
    }
out:
    free(dls);
    free(who);
    return rc;
}

static int apply_patches(const struct goa_project *p, const struct goa_source *s, const char *dir)
{
    for (size_t i = 0; s->patches[i]; i++) {
        char *patch = goa_fmt("%s/%s", p->dir, s->patches[i]);
        char *abs = realpath(patch, NULL);
        char *log = goa_fmt("%s/var/patch.log", p->dir);
        int r = -1;
        if (abs) {
            char *argv[] = {"patch", "-p1", "--batch", "--forward", "-s", "-i", abs, NULL};
            unlink(log);
            r = goa_run(dir, argv, NULL, log);
        }
        if (r) {
            if (!abs)
                goa_error(patch, "check the 'patches' list in goa.yaml",
                          "cannot open the patch: %m");
            else
                goa_error(patch,
                          "the patch no longer applies to these sources: refresh it (edit src/, "
                          "then 'goa diff'), or drop it",
                          "patch failed (exit %d); see %s", r, log);
        }
        free(patch);
        free(abs);
        free(log);
        if (r)
            return -1;
    }
    return 0;
}

/* Extract, verify and patch source ST into STAGE; 0 or -1. */
static int place(const struct goa_project *p, struct src_state *st, const char *stage, int idx)
{
    char *q = goa_fmt("%s/var/quarantine/%d", p->dir, idx);
    char *dst = st->s->dir ? goa_fmt("%s/%s", stage, st->s->dir) : goa_xstrdup(stage);
    int rc = -1;

    goa_rmrf(q);
    if (goa_mkdirs(q)) {
        goa_error(q, "check permissions of the project directory", "cannot create: %m");
        goto out;
    }
    if (goa_extract(st->archive, st->used_url, q, st->s->strip))
        goto out;
    if (goa_tree_hash(q, st->tree)) {
        goa_error(q, NULL, "cannot compute the tree hash: %m");
        goto out;
    }
    if (!st->archive_ok && st->s->tree_sha256 && strcasecmp(st->tree, st->s->tree_sha256)) {
        goa_error(st->used_url,
                  "the sources differ from what goa.yaml pins: check the mirror, or update "
                  "tree_sha256 if you changed the version on purpose",
                  "tree hash mismatch: expected %s, got %s", st->s->tree_sha256, st->tree);
        goto out;
    }
    if (!st->archive_ok && st->s->sha256 && st->s->tree_sha256)
        fprintf(stderr,
                "goa: warning: %s: archive SHA-256 mismatch: expected %s, got %s; accepted "
                "because the extracted tree matches tree_sha256\n"
                "hint: the archive was repacked (mirror or carrier); if upstream's archive is "
                "what you want, check the mirror\n",
                st->used_url, st->s->sha256, st->hex);
    if (!st->archive_ok && !st->s->tree_sha256) {
        goa_error(st->used_url,
                  "the archive differs from what goa.yaml pins: check the URL or mirror",
                  "SHA-256 mismatch: expected %s, got %s", st->s->sha256, st->hex);
        goto out;
    }
    /* Merge the verified tree into the stage. */
    goa_mkdirs(dst);
    char *from = goa_fmt("%s/.", q);
    char *argv[] = {"cp", "-a", from, dst, NULL};
    int r = goa_run(NULL, argv, NULL, NULL);
    free(from);
    if (r) {
        goa_error(dst, "check free space", "cannot copy the sources into place");
        goto out;
    }
    rc = apply_patches(p, st->s, dst);
out:
    goa_rmrf(q);
    free(q);
    free(dst);
    return rc;
}

static char **mirror_list(char **opt_mirrors, size_t nopt, size_t *n)
{
    const char *env = getenv("GOA_MIRRORS");
    char **v = goa_xmalloc((nopt + 64) * sizeof(char *));

    *n = 0;
    for (size_t i = 0; i < nopt; i++)
        v[(*n)++] = goa_xstrdup(opt_mirrors[i]);
    if (env) {
        char *e = goa_xstrdup(env), *save = NULL;
        for (char *t = strtok_r(e, " \t\n", &save); t && *n < nopt + 63;
             t = strtok_r(NULL, " \t\n", &save))
            v[(*n)++] = goa_xstrdup(t);
        free(e);
    }
    return v;
}

static void print_json(struct src_state *sts, size_t n)
{
    cJSON *a = cJSON_CreateArray();

    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "url", sts[i].s->url);
        cJSON_AddStringToObject(o, "from", sts[i].used_url ? sts[i].used_url : "");
        cJSON_AddStringToObject(o, "sha256", sts[i].hex);
        cJSON_AddStringToObject(o, "tree_sha256", sts[i].tree);
        cJSON_AddBoolToObject(o, "archive_hash_matched", sts[i].archive_ok);
        cJSON_AddItemToArray(a, o);
    }
    char *s = cJSON_Print(a);
    puts(s);
    free(s);
    cJSON_Delete(a);
}

static int swap_in(const struct goa_project *p, const char *stage)
{
    char *src = goa_fmt("%s/src", p->dir), *orig = goa_fmt("%s/var/orig", p->dir);
    int rc = -1;

    goa_rmrf(src);
    goa_rmrf(orig);
    if (rename(stage, src)) {
        goa_error(src, "check permissions of the project directory",
                  "cannot move the sources into place: %m");
        goto out;
    }
    char *argv[] = {"cp", "-a", src, orig, NULL};
    if (goa_run(NULL, argv, NULL, NULL)) {
        goa_error(orig, "check free space", "cannot keep the pristine copy for goa diff");
        goto out;
    }
    rc = 0;
out:
    free(src);
    free(orig);
    return rc;
}

int goa_cmd_import(int argc, char **argv)
{
    static const struct option lo[] = {
            {"mirror", required_argument, 0, 'm'}, {"force", no_argument, 0, 'f'}, {0, 0, 0, 0}};
    struct goa_project p;
    char *optm[32];
    size_t nopt = 0, nm = 0;
    int force = 0, c, rc = 1;
    struct src_state *sts = NULL;
    char **mirrors = NULL, *stage = NULL, *src = NULL;

    if (goa_want_help(argc, argv))
        return 0;
    while ((c = getopt_long(argc, argv, "m:f", lo, NULL)) != -1) {
        if (c == 'm' && nopt < 32)
            optm[nopt++] = optarg;
        else if (c == 'f')
            force = 1;
        else
            return 2;
    }
    if (goa_project_load(goa_opt.dir, &p))
        return 1;
    src = goa_fmt("%s/src", p.dir);
    if (goa_exists(src) && !force) {
        goa_error(src,
                  "save local edits with 'goa diff > patches/local.patch', then run 'goa import "
                  "--force'",
                  "already imported; importing again would replace local edits");
        goto out;
    }
    mirrors = mirror_list(optm, nopt, &nm);
    sts = goa_xmalloc((p.nsources + 1) * sizeof *sts);
    for (size_t i = 0; i < p.nsources; i++)
        plan(&sts[i], &p.sources[i], mirrors, nm);
    if (fetch_missing(sts, p.nsources))
        goto out;
    stage = goa_fmt("%s/var/import", p.dir);
    goa_rmrf(stage);
    if (goa_mkdirs(stage)) {
        goa_error(stage, "check permissions of the project directory", "cannot create: %m");
        goto out;
    }
    for (size_t i = 0; i < p.nsources; i++)
        if (place(&p, &sts[i], stage, (int)i))
            goto out;
    if (swap_in(&p, stage))
        goto out;
    for (size_t i = 0; i < p.nsources; i++)
        goa_info("goa: imported %s (from %s)", sts[i].s->url, sts[i].used_url);
    if (goa_opt.json)
        print_json(sts, p.nsources);
    rc = 0;
out:
    if (stage && rc)
        goa_rmrf(stage);
    for (size_t i = 0; sts && i < p.nsources; i++) {
        for (size_t j = 0; j < sts[i].ncands; j++)
            free(sts[i].cands[j]);
        free(sts[i].cands);
        free(sts[i].archive);
        free(sts[i].used_url);
        free(sts[i].errors);
    }
    free(sts);
    for (size_t i = 0; i < nm; i++)
        free(mirrors[i]);
    free(mirrors);
    free(stage);
    free(src);
    goa_project_free(&p);
    return rc;
}
