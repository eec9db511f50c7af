/* SPDX-License-Identifier: MIT */
/* ops_apply.c: the ops that change the habitat: apply, set and the
 * operator's habitat-create/resize/remove. set and habitat-* are partial
 * applies that the agent writes (os/lib/json writer) at the generation in
 * force + 1; hoitaja validates them like any configuration and its
 * per-change verdicts come back verbatim. */
#include "reply.h"

void kop_apply(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r)
{
    if (r->dry_run) {
        /* hoitaja has no dry run; the diff is the client's job (kuori diff compares the
         * file with `config`), so the agent never pretends to know what would change. */
        kagent_reply_error(c, r->id, KERR_UNAVAILABLE,
                           "apply: dry_run is not supported by hoitaja; compare with the "
                           "configuration from op 'config' instead (kuori diff)");
        return;
    }
    kr_apply(a, c, r->id, r->config, r->config_len, r->generation, r->partial);
}

/* Write child object `child` of d with the quotas of r replaced. */
static void write_changed_child(struct kide_json_writer *w, const struct kide_json_doc *d,
                                int child, const struct kagent_req *r)
{
    kide_json_begin_object(w);
    for (int k = kide_json_first(d, child); k >= 0; k = kide_json_next(d, k)) {
        if ((r->has & KREQ_HAS_RAM) && kide_json_str_eq(d, k, "ram")) {
            kide_json_member_u64(w, "ram", r->ram);
        } else if ((r->has & KREQ_HAS_CAPS) && kide_json_str_eq(d, k, "caps")) {
            kide_json_member_u64(w, "caps", r->caps);
        } else if ((r->has & KREQ_HAS_CPU) && kide_json_str_eq(d, k, "cpu") &&
                   kide_json_type(d, k + 1) == KIDE_JSON_OBJECT) {
            kide_json_member_object(w, "cpu");
            kide_json_member_u64(w, "quota", r->cpu);
            for (int m = kide_json_first(d, k + 1); m >= 0; m = kide_json_next(d, m))
                if (!kide_json_str_eq(d, m, "quota"))
                    kr_member(w, d, m);
            kide_json_end_object(w);
        } else {
            kr_member(w, d, k);
        }
    }
    kide_json_end_object(w);
}

/* Find child `name` in the configuration in force (read into a->config, parsed into d).
 * Returns its token, or -1 with the error queued. *gen gets the generation. */
static int find_child(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r,
                      const char *name, struct kide_json_doc *d, kide_u64 *gen)
{
    __SIZE_TYPE__ len = 0;
    char msg[128];
    int st = a->be->config(a->be->ctx, a->config, sizeof a->config, &len, gen);
    if (st != KAGENT_B_OK) {
        kr_backend_error(a, c, r->id, st, "cannot read the configuration in force");
        return -1;
    }
    if (kr_parse(a, a->config, len, d) < 0) {
        kagent_reply_error(c, r->id, KERR_INTERNAL, "hoitaja's configuration is not valid JSON");
        return -1;
    }
    int children = kide_json_find(d, 0, "children");
    for (int ch = kide_json_first(d, children); ch >= 0; ch = kide_json_next(d, ch))
        if (kide_json_type(d, ch) == KIDE_JSON_OBJECT &&
            kide_json_str_eq(d, kide_json_find(d, ch, "name"), name))
            return ch;
    snprintf(msg, sizeof msg, "no component '%s' in habitat '%s'", name, a->habitat);
    kagent_reply_error(c, r->id, KERR_NOT_FOUND, msg);
    return -1;
}

static void apply_change(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r,
                         struct kide_json_writer *w, kide_u64 gen)
{
    kide_json_end_array(w);
    kide_json_end_object(w);
    long n = kide_json_writer_finish(w);
    if (n < 0) {
        kagent_reply_error(c, r->id, n == KIDE_JSON_ENOSPC ? KERR_TOO_LARGE : KERR_INTERNAL,
                           n == KIDE_JSON_ENOSPC ? "the change is larger than 64 KiB"
                                                 : "kuori-agent ops_apply.c: the configuration "
                                                   "in force has a key it cannot copy");
        return;
    }
    kr_apply(a, c, r->id, a->change, (__SIZE_TYPE__)n, gen + 1, 1);
}

static void begin_change(struct kagent *a, struct kide_json_writer *w)
{
    kide_json_writer_init(w, a->change, sizeof a->change);
    kide_json_begin_object(w);
    kide_json_key(w, "children");
    kide_json_begin_array(w);
}

void kop_set(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r)
{
    struct kide_json_doc d;
    struct kide_json_writer w;
    kide_u64 gen = 0;
    int child = find_child(a, c, r, r->component, &d, &gen);
    if (child < 0)
        return;
    begin_change(a, &w);
    write_changed_child(&w, &d, child, r);
    apply_change(a, c, r, &w, gen);
}

void kop_habitat(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r)
{
    struct kide_json_doc d;
    struct kide_json_writer w;
    kide_u64 gen = 0;
    if (r->op == KOP_HAB_RESIZE) {
        int child = find_child(a, c, r, r->name, &d, &gen);
        if (child < 0)
            return;
        if (kide_json_find(&d, child, "habitat") < 0) {
            kagent_reply_error(c, r->id, KERR_NOT_FOUND,
                               "habitat-resize: that child is not a habitat (no 'habitat')");
            return;
        }
        begin_change(a, &w);
        write_changed_child(&w, &d, child, r);
        apply_change(a, c, r, &w, gen);
        return;
    }
    gen = kr_generation(a, c, r->id);
    if (!gen)
        return;
    begin_change(a, &w);
    kide_json_begin_object(&w);
    kide_json_member_string(&w, "name", r->name);
    if (r->op == KOP_HAB_REMOVE) {
        kide_json_member_bool(&w, "remove", 1);
    } else {
        kide_json_member_string(&w, "binary", "hoitaja");
        kide_json_member_u64(&w, "ram", r->ram);
        kide_json_member_u64(&w, "caps", r->caps);
        kide_json_member_object(&w, "cpu");
        kide_json_member_u64(&w, "quota", r->cpu);
        kide_json_end_object(&w);
        kide_json_member_object(&w, "habitat");
        kide_json_key(&w, "children");
        if (r->has & KREQ_HAS_CHILDREN) {
            if (kr_parse(a, r->children, r->children_len, &d) < 0) {
                kagent_reply_error(c, r->id, KERR_BAD_REQUEST, "'children' is not valid JSON");
                return;
            }
            kide_json_value(&w, &d, 0);
        } else {
            kide_json_begin_array(&w);
            kide_json_end_array(&w);
        }
        kide_json_end_object(&w);
    }
    kide_json_end_object(&w);
    apply_change(a, c, r, &w, gen);
}
