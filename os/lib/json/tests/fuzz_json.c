/* SPDX-License-Identifier: MIT */
/* libFuzzer target: parse arbitrary bytes; for valid documents exercise the
 * accessors, re-serialise through the writer, re-parse, and require that the
 * two documents agree token by token and that writing is idempotent.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <kide/json.h>

#define NTOK 4096
static struct kide_json_tok t1[NTOK], t2[NTOK];

static void check(bool cond)
{
    if (!cond)
        abort();
}

/* Unescaped strings of a (doc, i) and b (doc, j) are equal. */
static bool same_string(const struct kide_json_doc *a, int i, const struct kide_json_doc *b, int j)
{
    static char sa[8192], sb[8192];
    int na = kide_json_get_string(a, i, sa, sizeof(sa));
    int nb = kide_json_get_string(b, j, sb, sizeof(sb));
    check(na >= 0 && nb >= 0);
    return na == nb && memcmp(sa, sb, (size_t)na) == 0;
}

static void accessors(const struct kide_json_doc *d)
{
    static char s[8192];
    for (int i = 0; i < (int)d->ntok; i++) {
        int64_t v;
        uint64_t u;
        bool b;
        kide_json_get_i64(d, i, &v);
        kide_json_get_u64(d, i, &u);
        kide_json_get_bool(d, i, &b);
        kide_json_get_string(d, i, s, 3);
        int n = kide_json_get_string(d, i, s, sizeof(s));
        if (d->tok[i].flags & KIDE_JSON_F_KEY) {
            check(n >= 0);
            /* no duplicate keys, so find() returns exactly this member */
            if (memchr(s, 0, (size_t)n) == NULL)
                check(kide_json_find(d, (int)d->tok[i].parent, s) == i + 1);
            check(kide_json_str_eq(d, i, s) == (memchr(s, 0, (size_t)n) == NULL));
        }
        int count = 0;
        for (int c = kide_json_first(d, i); c >= 0; c = kide_json_next(d, c))
            count++;
        check((uint32_t)count == d->tok[i].count);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kide_json_doc d1, d2;
    struct kide_json_error err;
    struct kide_json_limits lim = {.max_depth = 32, .max_string = 4096};
    if (kide_json_parse(&d1, (const char *)data, size, t1, NTOK, &lim, &err) != 0) {
        check(err.code < 0 && err.offset <= size && err.line >= 1 && err.column >= 1);
        return 0;
    }
    accessors(&d1);

    size_t cap = 2 * size + 16;
    char *out = malloc(cap), *again = malloc(cap);
    struct kide_json_writer w;
    kide_json_writer_init(&w, out, cap);
    kide_json_value(&w, &d1, 0);
    long n = kide_json_writer_finish(&w);
    check(n > 0 && (size_t)n < cap);

    check(kide_json_parse(&d2, out, (size_t)n, t2, NTOK, &lim, &err) == 0);
    check(d1.ntok == d2.ntok);
    for (uint32_t i = 0; i < d1.ntok; i++) {
        const struct kide_json_tok *a = &t1[i], *b = &t2[i];
        check(a->type == b->type && a->count == b->count && a->skip == b->skip &&
              a->parent == b->parent && a->depth == b->depth &&
              (a->flags & ~KIDE_JSON_F_ESCAPED) == (b->flags & ~KIDE_JSON_F_ESCAPED));
        if (a->type == KIDE_JSON_STRING)
            check(same_string(&d1, (int)i, &d2, (int)i));
        if (a->type == KIDE_JSON_NUMBER)
            check(a->end - a->start == b->end - b->start &&
                  memcmp(d1.buf + a->start, d2.buf + b->start, a->end - a->start) == 0);
    }

    /* writing the re-parsed document gives the same bytes */
    kide_json_writer_init(&w, again, cap);
    kide_json_value(&w, &d2, 0);
    check(kide_json_writer_finish(&w) == n && memcmp(out, again, (size_t)n) == 0);

    /* a buffer one byte short is an error, never a truncated document */
    kide_json_writer_init(&w, again, (size_t)n);
    kide_json_value(&w, &d2, 0);
    check(kide_json_writer_finish(&w) == KIDE_JSON_ENOSPC && again[0] == 0);
    /* the sorted copy has the same length, parses to as many tokens, and
     * sorting it again changes nothing (member order is all it changes) */
    char *sorted = malloc(cap);
    kide_json_writer_init(&w, sorted, cap);
    kide_json_value_sorted(&w, &d1, 0);
    check(kide_json_writer_finish(&w) == n);
    check(kide_json_parse(&d2, sorted, (size_t)n, t2, NTOK, &lim, &err) == 0 && d2.ntok == d1.ntok);
    kide_json_writer_init(&w, again, cap);
    kide_json_value_sorted(&w, &d2, 0);
    check(kide_json_writer_finish(&w) == n && memcmp(sorted, again, (size_t)n) == 0);
    free(sorted);
    free(out);
    free(again);
    return 0;
}
