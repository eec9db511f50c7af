/* SPDX-License-Identifier: MIT */
/* goa publish: sign the exported archives and upload them to a registry.
 *
 * For each archive of this project's version present in the local depot
 * (src, bin/x86_64, api, pkg): sign it (writing <archive>.sig beside it),
 * PUT it to <registry>/<user>/<type>/<name>/<version>.tar.xz with the
 * signature in X-Kide-Signature (base64) and the bearer token. Answers:
 * 201 published, 200 already there with the same bytes (skipped), 409 a
 * different archive holds that version, 401/403 authentication, 422
 * signature rejected, 413 too large, 429 rate limited (retried after
 * Retry-After, at most three times). Any failure stops the run.
 */
#include "cmd.h"
#include "depot.h"
#include "fetch.h"
#include "project.h"
#include "sign.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/** Where and as whom to publish. */
struct target {
    const char *registry; /**< base URL */
    const char *key;      /**< private key file */
    char *token;          /**< bearer token */
};

static void explain(const char *rel, const struct goa_resp *r)
{
    cJSON *j = cJSON_Parse(r->body);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(j, "hint");
    const char *why = cJSON_IsString(e) ? e->valuestring : r->body;
    const char *hint = cJSON_IsString(h) ? h->valuestring : NULL;

    if (!hint) {
        switch (r->status) {
        case 401:
        case 403:
            hint = "check the token (--token, $GOA_TOKEN) and that the key is registered for this "
                   "user";
            break;
        case 409:
            hint = "this version is published with different content: run 'goa bump-version'";
            break;
        case 413:
            hint = "the archive exceeds the registry's size limit";
            break;
        case 422:
            hint = "the registry does not accept the signature: is the key registered for this "
                   "user?";
            break;
        default:
            hint = "check the registry URL and its log";
        }
    }
    goa_error("publish", hint, "%s rejected by the registry (HTTP %ld): %s", rel, r->status,
              why && *why ? why : "(no reason given)");
    cJSON_Delete(j);
}

static int put_one(const struct target *t, const char *depot, const char *rel)
{
    char *archive = goa_fmt("%s/%s.tar.xz", depot, rel), *sigpath = goa_fmt("%s.sig", archive);
    char *url = goa_fmt("%s/%s.tar.xz", t->registry, rel);
    unsigned char sig[GOA_SIG_LEN], b64[128];
    struct goa_resp r = {0};
    int rc = -1;

    if (goa_sign_file(t->key, archive, sig) || goa_write_file(sigpath, sig, sizeof sig, 0644))
        goto out;
    EVP_EncodeBlock(b64, sig, GOA_SIG_LEN);
    char *h1 = goa_fmt("X-Kide-Signature: %s", b64),
         *h2 = goa_fmt("Authorization: Bearer %s", t->token);
    const char *hdr[] = {h1, h2, NULL};
    for (int attempt = 0; attempt < 4; attempt++) {
        free(r.body);
        if (goa_http_put(url, archive, hdr, &r)) {
            goa_error(
                    "publish",
                    "check that the registry runs and the URL (--registry, $GOA_REGISTRY) is right",
                    "cannot reach %s: %s", url, r.err);
            break;
        }
        if (r.status == 429 && attempt < 3) {
            long wait = r.retry_after > 0 && r.retry_after < 60 ? r.retry_after : 1;
            goa_info("goa: rate limited; retrying in %ld s", wait);
            struct timespec ts = {wait, 0};
            nanosleep(&ts, NULL);
            continue;
        }
        if (r.status == 201) {
            goa_info("goa: published %s", rel);
            rc = 0;
        } else if (r.status == 200) {
            goa_info("goa: %s already published (same bytes), skipped", rel);
            rc = 0;
        } else {
            explain(rel, &r);
        }
        if (goa_opt.json && rc == 0)
            printf("{\"archive\":\"%s\",\"state\":\"%s\"}\n", rel,
                   r.status == 201 ? "published" : "skipped");
        break;
    }
    free(h1);
    free(h2);
out:
    free(r.body);
    free(archive), free(sigpath), free(url);
    return rc;
}

static char *read_token(const char *opt, const char *file)
{
    const char *e = getenv("GOA_TOKEN");
    char *t = NULL;

    if (opt)
        return goa_xstrdup(opt);
    if (file) {
        if (goa_read_file(file, &t, NULL)) {
            goa_error(file, NULL, "cannot read the token file: %m");
            return NULL;
        }
        t[strcspn(t, "\r\n")] = '\0';
        return t;
    }
    if (e && *e)
        return goa_xstrdup(e);
    goa_error("publish",
              "pass --token, --token-file or set GOA_TOKEN (kide-registry token create USER)",
              "no registry token");
    return NULL;
}

int goa_cmd_publish(int argc, char **argv)
{
    static const struct option lo[] = {{"registry", required_argument, 0, 'r'},
                                       {"key", required_argument, 0, 'k'},
                                       {"token", required_argument, 0, 't'},
                                       {"token-file", required_argument, 0, 'T'},
                                       {"depot", required_argument, 0, 'd'},
                                       {"user", required_argument, 0, 'u'},
                                       {0, 0, 0, 0}};
    struct goa_project p;
    struct target t = {getenv("GOA_REGISTRY"), getenv("GOA_KEY"), NULL};
    const char *dopt = NULL, *uopt = NULL, *topt = NULL, *tfile = NULL;
    char *user = NULL, *depot = NULL;
    int c, rc = 1, n = 0;

    if (goa_want_help(argc, argv))
        return 0;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'r':
            t.registry = optarg;
            break;
        case 'k':
            t.key = optarg;
            break;
        case 't':
            topt = optarg;
            break;
        case 'T':
            tfile = optarg;
            break;
        case 'd':
            dopt = optarg;
            break;
        case 'u':
            uopt = optarg;
            break;
        default:
            return 2;
        }
    }
    if (!t.registry || !t.key) {
        goa_error("publish", "pass --registry URL and --key FILE (or set GOA_REGISTRY and GOA_KEY)",
                  "no %s given", t.registry ? "signing key" : "registry");
        return 2;
    }
    if (goa_project_load(goa_opt.dir, &p))
        return 1;
    if (!(user = goa_depot_user(uopt, &p)) || !(t.token = read_token(topt, tfile)))
        goto out;
    depot = goa_depot_dir(dopt, p.dir);
    const char *types[] = {"src", "bin/" GOA_ARCH, "api", "pkg"};
    for (size_t i = 0; i < 4; i++) {
        char *rel = goa_fmt("%s/%s/%s/%s", user, types[i], p.name, p.version);
        char *file = goa_fmt("%s/%s.tar.xz", depot, rel);
        int r = 0;
        if (goa_exists(file)) {
            n++;
            r = put_one(&t, depot, rel);
        }
        free(rel);
        free(file);
        if (r)
            goto out;
    }
    if (n == 0) {
        goa_error("publish", "run 'goa export' first", "no exported archives of %s %s in %s",
                  p.name, p.version, depot);
        goto out;
    }
    rc = 0;
out:
    free(user), free(depot), free(t.token);
    goa_project_free(&p);
    return rc;
}
