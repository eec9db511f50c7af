/* SPDX-License-Identifier: MIT */
/* Unit tests of os/lib/pkg on the host: the store's names, limits and
 * all-or-nothing add; the server's answers and refusals; the client's fetch
 * through a transport that runs the server (round trip, byte for byte) and
 * through one that lies (short, long or oversized answers are refused and
 * nothing stays allocated). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kide/pkg_fetch.h"
#include "pkg_host.h"

static struct pkg_store st;

/* Not SHA-256: the tests check that the store keeps and serves what the
 * caller's hash gave, not the hash itself (libsodium's, os/lib/depot). */
static void fake_hash(const kide_u8 *data, kide_u64 len, kide_u8 out[32])
{
    memset(out, 0, 32);
    for (kide_u64 i = 0; i < len; i++)
        out[i % 32] ^= data[i];
    out[31] = (kide_u8)len;
}

static kide_u8 prog[10000];

static int setup(void **state)
{
    (void)state;
    for (unsigned i = 0; i < sizeof(prog); i++)
        prog[i] = (kide_u8)(i * 13 + 7);
    assert_int_equal(pkg_store_init(&st, 0, 3, 64 << 10, fake_hash), KIDE_OK);
    assert_int_equal(pkg_serve(&st), KIDE_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (unsigned i = 0; i < st.max_packages; i++)
        if (st.entry[i].used)
            pkg_store_remove(&st, st.entry[i].name);
    kide_free(st.entry);
    assert_int_equal(live_ram, 0);
    assert_int_equal(live_heap, 0);
    return 0;
}

static void names(void **state)
{
    (void)state;
    const char *good[] = {"alice/hello/1.0", "a/b/c", "a-1/b-2/1.0-rc1+x_y", "tester/hello/V2"};
    const char *bad[] = {"",
                         "alice/hello",
                         "alice/hello/1.0/x",
                         "/hello/1.0",
                         "alice//1.0",
                         "Alice/hello/1",
                         "alice/hello/",
                         "alice/hello/.1",
                         "1a/b/1",
                         "a/b-/1/",
                         "a b/c/1"};
    for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (!pkg_name_valid(good[i]))
            fail_msg("refused %s", good[i]);
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (pkg_name_valid(bad[i]))
            fail_msg("accepted %s", bad[i]);
    char longname[KIDE_PKG_NAME_MAX + 2];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[1] = '/', longname[3] = '/', longname[sizeof(longname) - 1] = 0;
    assert_false(pkg_name_valid(longname));
    longname[sizeof(longname) - 2] = 0;
    assert_true(pkg_name_valid(longname));
}

static void store_limits(void **state)
{
    (void)state;
    struct pkg_add_file p = {"", prog, sizeof(prog)}, rom = {"hello.cfg", prog, 10};
    struct pkg_add_file two[] = {p, rom}, noprog[] = {rom}, twoprogs[] = {p, p},
                        dup[] = {p, rom, rom}, slash[] = {p, {"a/b", prog, 1}},
                        empty[] = {p, {"x", prog, 0}};
    assert_int_equal(pkg_store_add(&st, "bad name", &p, 1), KIDE_BAD_PARAM);
    assert_int_equal(pkg_store_add(&st, "t/a/1", noprog, 1), KIDE_BAD_PARAM);
    assert_int_equal(pkg_store_add(&st, "t/a/1", twoprogs, 2), KIDE_BAD_PARAM);
    assert_int_equal(pkg_store_add(&st, "t/a/1", dup, 3), KIDE_BAD_PARAM);
    assert_int_equal(pkg_store_add(&st, "t/a/1", slash, 2), KIDE_BAD_PARAM);
    assert_int_equal(pkg_store_add(&st, "t/a/1", empty, 2), KIDE_BAD_PARAM);
    assert_int_equal(pkg_store_add(&st, "t/a/1", two, 0), KIDE_BAD_PARAM);
    assert_int_equal(pkg_store_add(&st, "t/a/1", two, 2), KIDE_OK);
    assert_int_equal(st.bytes, 12288 + 4096);
    assert_int_equal(pkg_store_add(&st, "t/a/1", two, 2), KIDE_BUSY);
    assert_int_equal(pkg_store_add(&st, "t/b/1", two, 2), KIDE_OK);
    assert_int_equal(pkg_store_add(&st, "t/c/1", two, 2), KIDE_OK);
    /* three packages: the table is full */
    assert_int_equal(pkg_store_add(&st, "t/d/1", &p, 1), KIDE_QUOTA);
    assert_int_equal(pkg_store_remove(&st, "t/c/1"), KIDE_OK);
    assert_int_equal(pkg_store_remove(&st, "t/c/1"), KIDE_NOT_FOUND);
    /* 64 KiB of files at most: 32 KiB used, a program of 30 KiB and a rom of 10
     * bytes does not fit (36 KiB), and nothing of it is kept */
    static kide_u8 big[30 << 10];
    struct pkg_add_file bigtwo[] = {{"", big, sizeof(big)}, rom};
    kide_u64 before = st.bytes;
    assert_int_equal(pkg_store_add(&st, "t/e/1", bigtwo, 2), KIDE_QUOTA);
    assert_int_equal(st.bytes, before);
    assert_int_equal(pkg_store_add(&st, "t/e/1", bigtwo, 1), KIDE_OK);
    /* the store copied: changing the source changes nothing stored */
    kide_u8 out[16];
    kide_u64 n, size;
    prog[0] ^= 1;
    assert_int_equal(pkg_store_read(&st, "t/a/1", "", 0, out, 16, &n, &size, 0), KIDE_OK);
    assert_int_equal(n, 16);
    assert_int_equal(size, sizeof(prog));
    assert_int_equal(out[0], (kide_u8)(prog[0] ^ 1));
    prog[0] ^= 1;
    assert_int_equal(pkg_store_read(&st, "t/a/1", "", sizeof(prog), out, 16, &n, &size, 0),
                     KIDE_BAD_PARAM);
    assert_int_equal(pkg_store_read(&st, "t/a/1", "nope", 0, out, 16, &n, &size, 0),
                     KIDE_NOT_FOUND);
    assert_int_equal(pkg_store_read(&st, "t/a/1", "", sizeof(prog) - 3, out, 16, &n, &size, 0),
                     KIDE_OK);
    assert_int_equal(n, 3);
}

/* The transport into the server, optionally lying about READ. */
static int lie; /* 1: one byte short, 2: one byte long, 3: a huge size on OPEN */
static unsigned calls;

static int server_call(const struct pkg_chan *ch, struct kide_msg *m)
{
    static kide_u64 out[KIDE_UTCB_WORDS];
    unsigned n;
    (void)ch;
    calls++;
    int s = serve_words(&st, m->w, m->n, out, &n);
    if (s == KIDE_OK && lie == 3 && out[0] == KIDE_OK && m->w[0] == KIDE_PKG_OPEN)
        out[1] = 1ull << 40;
    if (s == KIDE_OK && m->w[0] == KIDE_PKG_READ && (lie == 1 || lie == 2)) {
        out[1] += lie == 1 ? (kide_u64)-1 : 1; /* the length word */
        n += lie == 2 && out[1] % 8 == 1;      /* room for the extra byte */
    }
    memcpy(fake_utcb.words, out, (size_t)n * 8);
    m->w = fake_utcb.words;
    m->n = n;
    m->pos = 1;
    m->bad = 0;
    return (int)out[0];
}

static void fetch_round_trip(void **state)
{
    (void)state;
    struct pkg_add_file two[] = {{"", prog, sizeof(prog)},
                                 {"hello.cfg", (const kide_u8 *)"x: 1\n", 5}};
    assert_int_equal(pkg_store_add(&st, "alice/hello/1.0", two, 2), KIDE_OK);
    struct pkg_chan ch = {.pt = 1, .call = server_call};
    struct kide_pkg_open_rep rep;
    kide_u8 want[32];
    fake_hash(prog, sizeof(prog), want);
    assert_int_equal(pkg_open(&ch, "alice/hello/1.0", "", &rep), KIDE_OK);
    assert_int_equal(rep.size, sizeof(prog));
    assert_memory_equal(rep.sha256, want, 32);
    void *img;
    kide_u64 size, alloc;
    calls = 0, lie = 0;
    assert_int_equal(pkg_fetch(0, &ch, "alice/hello/1.0", "", 1 << 20, &img, &size, &alloc),
                     KIDE_OK);
    assert_int_equal(size, sizeof(prog));
    assert_int_equal(alloc, 12288);
    assert_memory_equal(img, prog, sizeof(prog));
    assert_int_equal(calls, 1 + (sizeof(prog) + KIDE_PKG_READ_MAX - 1) / KIDE_PKG_READ_MAX);
    kide_ram_free(0, img, alloc);
    assert_int_equal(
            pkg_fetch(0, &ch, "alice/hello/1.0", "hello.cfg", 1 << 20, &img, &size, &alloc),
            KIDE_OK);
    assert_memory_equal(img, "x: 1\n", 5);
    kide_ram_free(0, img, alloc);
    assert_int_equal(pkg_fetch(0, &ch, "alice/nope/1.0", "", 1 << 20, &img, &size, &alloc),
                     KIDE_NOT_FOUND);
    assert_int_equal(pkg_fetch(0, &ch, "alice/hello/1.0", "", 4096, &img, &size, &alloc),
                     KIDE_BAD_PARAM); /* over the caller's bound */
    assert_int_equal(size, sizeof(prog));
    assert_int_equal(pkg_fetch(0, &ch, "bad", "", 1 << 20, &img, &size, &alloc), KIDE_BAD_PARAM);
    long ram0 = live_ram;
    for (lie = 1; lie <= 3; lie++) {
        assert_int_equal(pkg_fetch(0, &ch, "alice/hello/1.0", "", 1ull << 41, &img, &size, &alloc),
                         KIDE_BAD_PARAM);
        assert_null(img);
        assert_int_equal(live_ram, ram0); /* the partial copy went back */
    }
    lie = 0;
}

/* Malformed requests: refused, never read past the message. */
static void server_refusals(void **state)
{
    (void)state;
    struct pkg_add_file p = {"", prog, sizeof(prog)};
    assert_int_equal(pkg_store_add(&st, "alice/hello/1.0", &p, 1), KIDE_OK);
    kide_u64 out[KIDE_UTCB_WORDS], w[64];
    unsigned n;
    struct kide_msg m;
    /* READ of len 0, len over the maximum, offset past the end */
    kide_u64 cases[][2] = {{0, 0}, {0, KIDE_PKG_READ_MAX + 1}, {sizeof(prog), 16}, {~0ull, 16}};
    for (unsigned i = 0; i < 4; i++) {
        kide_msg_init(&m, w, 64, 0);
        kide_msg_put(&m, KIDE_PKG_READ);
        kide_msg_put(&m, cases[i][0]);
        kide_msg_put(&m, cases[i][1]);
        kide_msg_put_str(&m, "alice/hello/1.0");
        kide_msg_put_str(&m, "");
        assert_int_equal(serve_words(&st, w, m.n, out, &n), KIDE_BAD_PARAM);
    }
    /* OPEN cut short, a name too long for its field, an unknown op */
    kide_msg_init(&m, w, 64, 0);
    kide_msg_put(&m, KIDE_PKG_OPEN);
    kide_msg_put_str(&m, "alice/hello/1.0");
    assert_int_equal(serve_words(&st, w, m.n, out, &n), KIDE_BAD_PARAM);
    char longname[KIDE_PKG_NAME_MAX + 2];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = 0;
    kide_msg_init(&m, w, 64, 0);
    kide_msg_put(&m, KIDE_PKG_OPEN);
    kide_msg_put_str(&m, longname);
    kide_msg_put_str(&m, "");
    assert_int_equal(serve_words(&st, w, m.n, out, &n), KIDE_BAD_PARAM);
    w[0] = 99;
    assert_int_equal(serve_words(&st, w, 1, out, &n), KIDE_BAD_PARAM);
    /* a READ answered: exactly the bytes */
    kide_msg_init(&m, w, 64, 0);
    kide_msg_put(&m, KIDE_PKG_READ);
    kide_msg_put(&m, 100);
    kide_msg_put(&m, 50);
    kide_msg_put_str(&m, "alice/hello/1.0");
    kide_msg_put_str(&m, "");
    assert_int_equal(serve_words(&st, w, m.n, out, &n), KIDE_OK);
    assert_int_equal(out[1], 50);
    assert_memory_equal(&out[2], prog + 100, 50);
}

/* The registry's response head: what is accepted and each refusal. */
static void http_heads(void **state)
{
    (void)state;
    struct pkg_http_head h;
    char err[PKG_HTTP_ERR_MAX];
#define OK200 "HTTP/1.1 200 OK\r\n"
    const char *good = OK200 "Content-Type: application/x-xz\r\ncontent-length:  1234 \r\n\r\nBODY";
    assert_int_equal(pkg_http_head_parse(good, strlen(good), 4096, &h, err, sizeof(err)), 1);
    assert_int_equal(h.status, 200);
    assert_int_equal(h.content_length, 1234);
    assert_int_equal(h.head_len, strlen(good) - 4);
    /* incomplete: more bytes needed, at every cut */
    for (size_t n = 0; n < strlen(good) - 4; n++)
        assert_int_equal(pkg_http_head_parse(good, n, 4096, &h, err, sizeof(err)), 0);
    struct {
        const char *head, *why;
    } bad[] = {
            {"HTTP/1.1 301 Moved\r\nLocation: http://x/\r\nContent-Length: 0\r\n\r\n",
             "redirect (status 301) refused"},
            {"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", "status 404: not published"},
            {OK200 "\r\n", "no Content-Length"},
            {OK200 "Content-Length: 5000\r\n\r\n", "5000 bytes, more than the 4096 allowed"},
            {OK200 "Content-Length: 12x\r\n\r\n", "malformed or repeated Content-Length"},
            {OK200 "Content-Length: \r\n\r\n", "malformed or repeated Content-Length"},
            {OK200 "Content-Length: 1\r\nContent-Length: 2\r\n\r\n", "repeated"},
            {OK200 "Content-Length: 99999999999999999999999\r\n\r\n", "malformed"},
            {OK200 "Transfer-Encoding: chunked\r\n\r\n", "Transfer-Encoding is not supported"},
            {OK200 " folded\r\nContent-Length: 1\r\n\r\n", "folded"},
            {OK200 "X: a\001b\r\nContent-Length: 1\r\n\r\n", "control byte"},
            {"HTTP/2 200\r\nContent-Length: 1\r\n\r\n", "not an HTTP/1.x status line"},
            {"HTTP/1.1 20x OK\r\nContent-Length: 1\r\n\r\n", "not an HTTP/1.x status line"},
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (pkg_http_head_parse(bad[i].head, strlen(bad[i].head), 4096, &h, err, sizeof(err)) != -1)
            fail_msg("accepted: %s", bad[i].head);
        if (!strstr(err, bad[i].why))
            fail_msg("'%s' lacks '%s'", err, bad[i].why);
    }
    /* a head that never ends is refused at PKG_HTTP_HEAD_MAX, not waited for */
    static char endless[PKG_HTTP_HEAD_MAX + 10];
    memcpy(endless, OK200, strlen(OK200));
    memset(endless + strlen(OK200), 'a', sizeof(endless) - strlen(OK200));
    assert_int_equal(
            pkg_http_head_parse(endless, PKG_HTTP_HEAD_MAX - 1, 4096, &h, err, sizeof(err)), 0);
    assert_int_equal(pkg_http_head_parse(endless, sizeof(endless), 4096, &h, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "longer than 8192 bytes"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(names),
            cmocka_unit_test(http_heads),
            cmocka_unit_test_setup_teardown(store_limits, setup, teardown),
            cmocka_unit_test_setup_teardown(fetch_round_trip, setup, teardown),
            cmocka_unit_test_setup_teardown(server_refusals, setup, teardown),
    };
    return cmocka_run_group_tests_name("os-pkg", tests, NULL, NULL);
}
