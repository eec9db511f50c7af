/* SPDX-License-Identifier: MIT */
/* ops_token.c: enrolment and the token authority's ops (decision 0019).
 *
 * enrol: the token is parsed, must name this agent's habitat and carry this
 * agent's pin; the client's key is turned into a certificate first (so a
 * bad key does not burn the token), then the token is consumed (in the
 * root habitat's agent, its own store; a tenant's agent would ask the
 * authority through the KuoriToken session, which this version does not
 * have: `unavailable`), and only then is the certificate handed out. Every
 * token failure is the one error `token` with one message, on purpose.
 */
#include "base64.h"
#include "reply.h"

#define SPKI_MAX 256
#define CERT_MAX 1024

static const char *const token_msg =
        "the token is unknown, expired, already used, or for another habitat: ask the "
        "operator for a new one (kuori token create)";

static void lock(struct kagent *a)
{
    if (a->tokens_lock)
        a->tokens_lock(a->lock_ctx);
}

static void unlock(struct kagent *a)
{
    if (a->tokens_unlock)
        a->tokens_unlock(a->lock_ctx);
}

void kagent_set_crypto(struct kagent *a, const struct kagent_crypto *crypto)
{
    a->crypto = crypto;
    lock(a);
    ktok_register(&a->tokens, a->habitat, crypto->fp);
    unlock(a);
}

int kagent_token_create(struct kagent *a, const char *habitat, kide_u64 ttl_s,
                        char text[KTOK_TEXT_MAX], char id[9])
{
    kide_u8 secret[16], hash[32];
    if (!a->crypto)
        return -3;
    a->crypto->random(a->crypto->ctx, secret, sizeof secret);
    a->crypto->sha256(secret, sizeof secret, hash);
    lock(a);
    int rc = ktok_create(&a->tokens, a->be->now_ns(a->be->ctx), habitat, ttl_s * 1000000000ull,
                         secret, hash, text, id);
    unlock(a);
    memset(secret, 0, sizeof secret);
    return rc;
}

static int no_crypto(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r)
{
    if (a->crypto)
        return 0;
    kagent_reply_error(c, r->id, KERR_UNAVAILABLE,
                       "this agent runs without its TLS library: no enrolment, no tokens");
    return 1;
}

void kop_enrol(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r)
{
    static kide_u8 spki[SPKI_MAX], cert[CERT_MAX];
    static char cert64[CERT_MAX * 4 / 3 + 8];
    struct ktok_parsed t;
    __SIZE_TYPE__ cert_len = 0;
    kide_u8 hash[32];
    char fp[65];
    struct kide_json_writer w;
    if (no_crypto(a, c, r))
        return;
    if (ktok_parse(r->token, &t) < 0 || strcmp(t.habitat, a->habitat) ||
        memcmp(t.pin, a->crypto->fp, sizeof t.pin)) {
        kagent_reply_error(c, r->id, KERR_TOKEN, token_msg);
        return;
    }
    long n = kb64_decode(r->csr_spki, spki, sizeof spki);
    if (n <= 0 || a->crypto->issue(a->crypto->ctx, spki, (__SIZE_TYPE__)n, r->name, a->habitat,
                                   cert, sizeof cert, &cert_len) < 0) {
        kagent_reply_error(c, r->id, KERR_BAD_REQUEST,
                           "'csr_spki' must be the base64 DER SubjectPublicKeyInfo of a P-256 key");
        return;
    }
    a->crypto->sha256(t.secret, sizeof t.secret, hash);
    int used;
    if (a->role == KROLE_OPERATOR) {
        lock(a);
        used = ktok_consume(&a->tokens, a->be->now_ns(a->be->ctx), a->habitat, hash);
        unlock(a);
    } else {
        used = a->token_consume ? a->token_consume(hash) : -2;
    }
    if (used == -2) {
        kagent_reply_error(c, r->id, KERR_UNAVAILABLE,
                           "enrol: the token authority (the root habitat's agent, session "
                           "KuoriToken) is not reachable: route KuoriToken to the parent");
        return;
    }
    if (used < 0) {
        kagent_reply_error(c, r->id, KERR_TOKEN, token_msg);
        return;
    }
    kb64_encode(cert, cert_len, cert64, sizeof cert64);
    ktok_hex(a->crypto->fp, 32, fp);
    kr_begin(a, &w, r->id);
    kide_json_member_string(&w, "certificate", cert64);
    kide_json_member_string(&w, "habitat", a->habitat);
    kide_json_key(&w, "agent_fingerprint");
    char pin[72];
    snprintf(pin, sizeof pin, "sha256:%s", fp);
    kide_json_string(&w, pin);
    kr_end(a, c, &w, r->id);
}

static const char *state_name(enum ktok_state s)
{
    return s == KTOK_VALID     ? "valid"
           : s == KTOK_USED    ? "used"
           : s == KTOK_EXPIRED ? "expired"
                               : "revoked";
}

static void token_create(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r)
{
    char text[KTOK_TEXT_MAX], id[9], msg[160];
    struct kide_json_writer w;
    int rc = kagent_token_create(a, r->habitat, r->ttl_s, text, id);
    if (rc == -1) {
        snprintf(msg, sizeof msg,
                 "token-create: the agent of habitat '%s' has not registered "
                 "its certificate with the authority (is it running?)",
                 r->habitat);
        kagent_reply_error(c, r->id, KERR_UNAVAILABLE, msg);
        return;
    }
    if (rc < 0) {
        kagent_reply_error(c, r->id, KERR_BUSY,
                           "token-create: 32 tokens are valid: revoke one or let them expire");
        return;
    }
    kr_begin(a, &w, r->id);
    kide_json_member_string(&w, "token", text);
    kide_json_member_string(&w, "id", id);
    kide_json_member_string(&w, "habitat", r->habitat);
    kide_json_member_u64(&w, "expires_in_s", r->ttl_s);
    kr_end(a, c, &w, r->id);
}

void kop_token(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r)
{
    struct kide_json_writer w;
    if (no_crypto(a, c, r))
        return;
    if (r->op == KOP_TOKEN_CREATE) {
        token_create(a, c, r);
        return;
    }
    if (r->op == KOP_TOKEN_REVOKE) {
        lock(a);
        int rc = ktok_revoke(&a->tokens, r->token_id);
        unlock(a);
        if (rc < 0) {
            kagent_reply_error(c, r->id, KERR_NOT_FOUND, "token-revoke: no token has that id");
            return;
        }
        kr_begin(a, &w, r->id);
        kide_json_member_string(&w, "id", r->token_id);
        kide_json_member_string(&w, "state", "revoked");
        kr_end(a, c, &w, r->id);
        return;
    }
    kide_u64 now = a->be->now_ns(a->be->ctx);
    kr_begin(a, &w, r->id);
    lock(a);
    kide_json_key(&w, "tokens");
    kide_json_begin_array(&w);
    for (unsigned i = 0; i < KTOK_MAX; i++) {
        const struct ktok *t = &a->tokens.t[i];
        if (!t->used)
            continue;
        kide_json_begin_object(&w);
        kide_json_member_string(&w, "id", t->id);
        kide_json_member_string(&w, "habitat", t->habitat);
        kide_json_member_u64(&w, "expires_in_s",
                             t->expires_ns > now ? (t->expires_ns - now) / 1000000000ull : 0);
        kide_json_member_string(&w, "state", state_name(ktok_state_at(t, now)));
        kide_json_end_object(&w);
    }
    kide_json_end_array(&w);
    unlock(a);
    kr_end(a, c, &w, r->id);
}
