/* SPDX-License-Identifier: MIT */
/* remote add (enrolment), list, remove, use.
 *
 * Enrolment (docs/formats/kuori-protocol.md, decision 0019): a fresh P-256
 * key; a TLS connection without a client certificate on which the agent's
 * certificate must match the token's pin (checked in the handshake, so the
 * token is never sent to anyone else); enrol with the token, the client's
 * name and the public key; the agent's certificate is checked to carry our
 * key and the fingerprint it reports to be the one we saw. Only then are key
 * (0600), certificate and the full pin stored.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cmds.h"
#include "out.h"

static void default_client(char *buf, size_t n)
{
    const char *u = getenv("USER");
    size_t k = 0;
    for (; u && *u && k + 1 < n && k < KUORI_NAME_MAX; u++)
        buf[k++] = isalnum((unsigned char)*u) ? (char)tolower((unsigned char)*u) : '-';
    buf[k] = 0;
    if (!kuori_valid_name(buf))
        snprintf(buf, n, "kuori");
}

static char *b64(const unsigned char *p, int n)
{
    char *out = malloc((size_t)(4 * ((n + 2) / 3) + 1));
    if (out)
        EVP_EncodeBlock((unsigned char *)out, p, n);
    return out;
}

/* Base64 DER certificate -> X509 (NULL if malformed or over 16 KiB). */
static X509 *cert_from_b64(const char *s)
{
    size_t len = strlen(s);
    unsigned char *der;
    const unsigned char *p;
    int n, pad = 0;
    X509 *x;
    if (len == 0 || len > 16384 || len % 4)
        return NULL;
    der = malloc(len);
    if (!der)
        return NULL;
    n = EVP_DecodeBlock(der, (const unsigned char *)s, (int)len);
    pad = (s[len - 1] == '=') + (s[len - 2] == '=');
    p = der;
    x = n > pad ? d2i_X509(NULL, &p, n - pad) : NULL;
    if (x && p != der + n - pad) {
        X509_free(x);
        x = NULL;
    }
    free(der);
    return x;
}

/* Write the key (0600) and certificate into DIR/remotes/NAME/. */
static int store(struct kuori_ctx *ctx, const char *name, EVP_PKEY *key, X509 *cert,
                 struct kuori_err *e)
{
    char dir[1100], path[1200];
    FILE *f;
    int fd, ok;
    snprintf(dir, sizeof dir, "%s/remotes", ctx->cfg.dir);
    if ((mkdir(ctx->cfg.dir, 0700) && errno != EEXIST) || (mkdir(dir, 0700) && errno != EEXIST) ||
        kuori_config_path(&ctx->cfg, name, NULL, dir, sizeof dir, e) ||
        (mkdir(dir, 0700) && errno != EEXIST))
        return kuori_fail(e, KUORI_EXIT_LOCAL, "config", "check KUORI_CONFIG_DIR's permissions",
                          "cannot create %s: %s", dir, strerror(errno));
    snprintf(path, sizeof path, "%s/key.pem", dir);
    unlink(path);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    f = fd >= 0 ? fdopen(fd, "w") : NULL;
    ok = f && PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1;
    ok = (f ? fclose(f) == 0 : 0) && ok;
    if (!ok)
        return kuori_fail(e, KUORI_EXIT_LOCAL, "config", NULL, "cannot write %s", path);
    snprintf(path, sizeof path, "%s/cert.pem", dir);
    f = fopen(path, "w");
    ok = f && PEM_write_X509(f, cert) == 1;
    ok = (f ? fclose(f) == 0 : 0) && ok;
    if (!ok)
        return kuori_fail(e, KUORI_EXIT_LOCAL, "config", NULL, "cannot write %s", path);
    return 0;
}

/* Check the enrol result: a certificate for our key, the fingerprint we saw. */
static int check_enrol(struct kuori_conn *c, const cJSON *res, EVP_PKEY *key, X509 **cert,
                       struct kuori_err *e)
{
    const cJSON *crt = cJSON_GetObjectItemCaseSensitive(res, "certificate");
    const cJSON *fp = cJSON_GetObjectItemCaseSensitive(res, "agent_fingerprint");
    *cert = cJSON_IsString(crt) ? cert_from_b64(crt->valuestring) : NULL;
    if (!*cert)
        return kuori_fail(e, KUORI_EXIT_SERVER, "protocol", "report this with the agent's log",
                          "%s: the agent's certificate for us is not base64 DER", c->label);
    if (EVP_PKEY_eq(X509_get0_pubkey(*cert), key) != 1)
        return kuori_fail(e, KUORI_EXIT_SERVER, "protocol", "report this with the agent's log",
                          "%s: the issued certificate does not carry our key", c->label);
    if (!cJSON_IsString(fp) || strcmp(fp->valuestring, c->seen_pin) != 0)
        return kuori_fail(e, KUORI_EXIT_DENIED, "pin", "do not use this agent; ask the operator",
                          "%s: the agent reports fingerprint %s but presented %s", c->label,
                          cJSON_IsString(fp) ? fp->valuestring : "none", c->seen_pin);
    return 0;
}

static int enrol(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, const char *name,
                 const char *address, const char *token, const char *client, struct kuori_err *e)
{
    struct kuori_token tk;
    struct kuori_conn c;
    struct kuori_dial d = {.label = name, .address = address, .timeout_ms = (int)cmd->timeout_ms};
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    unsigned char *der = NULL;
    cJSON *req, *res = NULL;
    char *spki = NULL;
    int rc, n;
    if ((rc = kuori_token_parse(token, &tk, e)))
        return rc;
    d.pin_prefix = tk.pin_prefix;
    key = EVP_EC_gen("P-256");
    n = key ? i2d_PUBKEY(key, &der) : -1;
    spki = n > 0 ? b64(der, n) : NULL;
    OPENSSL_free(der);
    if (!spki) {
        EVP_PKEY_free(key);
        return kuori_fail(e, KUORI_EXIT_LOCAL, "key", NULL, "cannot make a P-256 key");
    }
    if ((rc = kuori_conn_open(&c, &d, e))) /* the pin is checked here, before the token */
        goto out;
    req = kuori_req("enrol");
    cJSON_AddStringToObject(req, "token", token);
    cJSON_AddStringToObject(req, "name", client);
    cJSON_AddStringToObject(req, "csr_spki", spki);
    rc = kuori_conn_call(&c, req, &res, (int)cmd->timeout_ms, e);
    if (!rc && !kuori_valid_name(c.habitat))
        rc = kuori_fail(e, KUORI_EXIT_SERVER, "protocol", "report this with the agent's log",
                        "%s: the agent names its habitat '%s' (not [a-z0-9-]{1,32})", name,
                        c.habitat);
    if (!rc && !(rc = check_enrol(&c, res, key, &cert, e)) &&
        !(rc = store(ctx, name, key, cert, e))) {
        struct kuori_remote *r = &ctx->cfg.remotes[ctx->cfg.n];
        memset(r, 0, sizeof *r);
        snprintf(r->name, sizeof r->name, "%s", name);
        snprintf(r->address, sizeof r->address, "%s", address);
        snprintf(r->habitat, sizeof r->habitat, "%.32s", c.habitat);
        snprintf(r->pin, sizeof r->pin, "%s", c.seen_pin);
        ctx->cfg.n++;
        if (!ctx->cfg.current[0])
            snprintf(ctx->cfg.current, sizeof ctx->cfg.current, "%s", name);
        rc = kuori_config_save(&ctx->cfg, e);
    }
    kuori_conn_close(&c);
    if (!rc && cmd->fmt != KUORI_FMT_TABLE) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "remote", name);
        cJSON_AddStringToObject(o, "habitat", ctx->cfg.remotes[ctx->cfg.n - 1].habitat);
        cJSON_AddStringToObject(o, "client", client);
        cJSON_AddStringToObject(o, "pin", ctx->cfg.remotes[ctx->cfg.n - 1].pin);
        kuori_out_value(stdout, cmd->fmt, o);
        cJSON_Delete(o);
    } else if (!rc) {
        printf("enrolled %s: habitat %s, client %s, pin %s\n", name,
               ctx->cfg.remotes[ctx->cfg.n - 1].habitat, client,
               ctx->cfg.remotes[ctx->cfg.n - 1].pin);
    }
out:
    cJSON_Delete(res);
    X509_free(cert);
    EVP_PKEY_free(key);
    free(spki);
    return rc;
}

static int remote_add(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_err *e)
{
    const char *token = kuori_flag(cmd, "token"), *cname = kuori_flag(cmd, "name");
    char client[KUORI_NAME_MAX + 1];
    struct kuori_addr a;
    int rc;
    if (cmd->npos != 2)
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage", "'kuori remote --help' shows the usage",
                          "remote add needs NAME and ADDRESS");
    if (!kuori_valid_name(cmd->pos[0]))
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage", "use 1..32 of [a-z0-9-]",
                          "invalid remote name '%s'", cmd->pos[0]);
    if (kuori_config_find(&ctx->cfg, cmd->pos[0]))
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage",
                          "choose another name, or 'kuori remote remove' it first",
                          "remote '%s' exists already", cmd->pos[0]);
    if (ctx->cfg.n == KUORI_REMOTES_MAX)
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage", "remove one first", "at most %d remotes",
                          KUORI_REMOTES_MAX);
    if (!token)
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage",
                          "ask the operator for one: 'kuori token create --habitat H'",
                          "remote add needs --token");
    if ((rc = kuori_addr_parse(cmd->pos[1], &a, e)))
        return rc;
    if (cname && !kuori_valid_name(cname))
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage", "use 1..32 of [a-z0-9-]",
                          "invalid client name '%s'", cname);
    if (cname)
        snprintf(client, sizeof client, "%s", cname);
    else
        default_client(client, sizeof client);
    return enrol(ctx, cmd, cmd->pos[0], cmd->pos[1], token, client, e);
}

static void remote_list(struct kuori_ctx *ctx, const struct kuori_cmd *cmd)
{
    static const char *const hdr[] = {"CURRENT", "NAME", "ADDRESS", "HABITAT", "PIN"};
    struct kuori_table t;
    if (cmd->fmt != KUORI_FMT_TABLE) {
        cJSON *o = cJSON_CreateObject(), *l = cJSON_AddArrayToObject(o, "remotes");
        for (int i = 0; i < ctx->cfg.n; i++) {
            const struct kuori_remote *r = &ctx->cfg.remotes[i];
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "name", r->name);
            cJSON_AddStringToObject(x, "address", r->address);
            cJSON_AddStringToObject(x, "habitat", r->habitat);
            cJSON_AddStringToObject(x, "pin", r->pin);
            cJSON_AddBoolToObject(x, "current", !strcmp(r->name, ctx->cfg.current));
            cJSON_AddItemToArray(l, x);
        }
        kuori_out_value(stdout, cmd->fmt, o);
        cJSON_Delete(o);
        return;
    }
    kuori_table_init(&t, 5, hdr);
    for (int i = 0; i < ctx->cfg.n; i++) {
        const struct kuori_remote *r = &ctx->cfg.remotes[i];
        char pin[32];
        snprintf(pin, sizeof pin, "%.23s...", r->pin);
        const char *cells[] = {strcmp(r->name, ctx->cfg.current) ? "" : "*", r->name, r->address,
                               r->habitat, pin};
        kuori_table_row(&t, cells);
    }
    kuori_table_print(&t, stdout, ctx->color);
    kuori_table_free(&t);
}

static int remote_remove(struct kuori_ctx *ctx, const char *name, struct kuori_err *e)
{
    struct kuori_remote *r = kuori_config_find(&ctx->cfg, name);
    char path[1100];
    int i = r ? (int)(r - ctx->cfg.remotes) : -1;
    if (!r)
        return kuori_fail(e, KUORI_EXIT_NOTFOUND, "not-found", "'kuori remote list' shows them",
                          "no remote called '%s'", name);
    memmove(r, r + 1, (size_t)(ctx->cfg.n - i - 1) * sizeof *r);
    ctx->cfg.n--;
    if (!strcmp(ctx->cfg.current, name))
        ctx->cfg.current[0] = 0;
    for (int k = 0; k < 2; k++)
        if (!kuori_config_path(&ctx->cfg, name, k ? "cert.pem" : "key.pem", path, sizeof path, e))
            unlink(path);
    if (!kuori_config_path(&ctx->cfg, name, NULL, path, sizeof path, e))
        rmdir(path);
    return kuori_config_save(&ctx->cfg, e);
}

int kuori_cmd_remote(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_err *e)
{
    if (!strcmp(cmd->sub, "add"))
        return remote_add(ctx, cmd, e);
    if (!strcmp(cmd->sub, "list")) {
        remote_list(ctx, cmd);
        return 0;
    }
    if (cmd->npos != 1)
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage", "'kuori remote --help' shows the usage",
                          "remote %s needs NAME", cmd->sub);
    if (!strcmp(cmd->sub, "remove"))
        return remote_remove(ctx, cmd->pos[0], e);
    if (!kuori_config_find(&ctx->cfg, cmd->pos[0]))
        return kuori_fail(e, KUORI_EXIT_NOTFOUND, "not-found", "'kuori remote list' shows them",
                          "no remote called '%s'", cmd->pos[0]);
    snprintf(ctx->cfg.current, sizeof ctx->cfg.current, "%s", cmd->pos[0]);
    return kuori_config_save(&ctx->cfg, e);
}
