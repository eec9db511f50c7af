/* SPDX-License-Identifier: MIT */
/* os/lib/depot host tests (cmocka, ASan+UBSan). The archives are goa's own
 * (make-fixture.sh, $DEPOT_FIXTURE); each test signs them with an Ed25519
 * key OpenSSL makes here, so what is checked is the bytes goa exports and
 * a signature as goa (OpenSSL EVP_DigestSign) makes it. */
#include <kide/depot.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#define HEAP_SIZE (32u << 20) /* 16 MiB of tar by default, 9 MiB of decoder */

static uint8_t *heap;

struct blob {
    uint8_t *p;
    size_t n;
};

static struct blob load(const char *rel)
{
    const char *dir = getenv("DEPOT_FIXTURE");
    char path[4096];
    struct blob b = {0};

    assert_non_null(dir);
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open fixture %s (run make -C os depot-test)", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    b.p = malloc((size_t)n + 1);
    assert_non_null(b.p);
    b.n = fread(b.p, 1, (size_t)n, f);
    assert_int_equal(b.n, (size_t)n);
    fclose(f);
    return b;
}

#define BIN "depot/tester/bin/x86_64/hello/1.0.tar.xz"
#define SRC "depot/tester/src/hello/1.0.tar.xz"
#define PKG "depot/tester/pkg/hello/1.0.tar.xz"

struct key {
    EVP_PKEY *pk;
    struct depot_pubkey pub;
};

static struct key make_key(const char *user)
{
    struct key k = {0};
    size_t n = DEPOT_PUBKEY_LEN;

    k.pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    assert_non_null(k.pk);
    assert_int_equal(EVP_PKEY_get_raw_public_key(k.pk, k.pub.key, &n), 1);
    k.pub.user = user;
    return k;
}

static void sign(const struct key *k, const struct blob *b, uint8_t sig[DEPOT_SIG_LEN])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    size_t n = DEPOT_SIG_LEN;

    assert_int_equal(EVP_DigestSignInit(c, NULL, NULL, NULL, k->pk), 1);
    assert_int_equal(EVP_DigestSign(c, sig, &n, b->p, b->n), 1);
    assert_int_equal(n, DEPOT_SIG_LEN);
    EVP_MD_CTX_free(c);
}

/* What an installer does: verify, and only then unpack. */
struct seen {
    int calls;
    char paths[16][DEPOT_PATH_MAX + 1];
    size_t sizes[16];
    int exec[16], dir[16];
    char runtime[1024];
    size_t runtime_len;
};

static int on_file(void *ctx, const struct depot_file *f, struct depot_err *err)
{
    struct seen *s = ctx;
    (void)err;
    if (s->calls < 16) {
        snprintf(s->paths[s->calls], sizeof s->paths[0], "%s", f->path);
        s->sizes[s->calls] = f->size;
        s->exec[s->calls] = f->executable;
        s->dir[s->calls] = f->is_dir;
    }
    if (!strcmp(f->path, "runtime") && f->size < sizeof s->runtime) {
        memcpy(s->runtime, f->data, f->size);
        s->runtime_len = f->size;
    }
    s->calls++;
    return 0;
}

static int install(const struct blob *a, const uint8_t *sig, size_t sig_len,
                   const struct depot_pubkey *keys, size_t n, struct seen *s, struct depot_err *err)
{
    int rc = depot_verify(a->p, a->n, sig, sig_len, keys, n, NULL, NULL, err);
    if (rc)
        return rc;
    return depot_unpack(a->p, a->n, heap, HEAP_SIZE, NULL, on_file, s, err);
}

static void test_pubkey_pem(void **state)
{
    (void)state;
    struct key k = make_key("tester");
    BIO *bio = BIO_new(BIO_s_mem());
    char *pem;
    uint8_t raw[DEPOT_PUBKEY_LEN];
    struct depot_err err;

    assert_int_equal(PEM_write_bio_PUBKEY(bio, k.pk), 1);
    long n = BIO_get_mem_data(bio, &pem);
    assert_int_equal(depot_pubkey_from_pem(pem, (size_t)n, raw, &err), 0);
    assert_memory_equal(raw, k.pub.key, DEPOT_PUBKEY_LEN);
    /* Damaged base64 and a private key are refused. */
    char *bad = strndup(pem, (size_t)n);
    bad[40] = '*';
    assert_int_equal(depot_pubkey_from_pem(bad, (size_t)n, raw, &err), DEPOT_EINVAL);
    const char priv[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    assert_int_equal(depot_pubkey_from_pem(priv, sizeof priv - 1, raw, &err), DEPOT_EINVAL);
    assert_non_null(strstr(err.msg, "private key"));
    free(bad);
    BIO_free(bio);
    EVP_PKEY_free(k.pk);
}

static void test_verify_and_hash(void **state)
{
    (void)state;
    struct blob a = load(BIN);
    struct key other = make_key("other"), k = make_key("tester");
    struct depot_pubkey keys[2] = {other.pub, k.pub};
    uint8_t sig[DEPOT_SIG_LEN], sha[DEPOT_SHA256_LEN], want[SHA256_DIGEST_LENGTH];
    size_t which = 99;
    struct depot_err err;

    sign(&k, &a, sig);
    assert_int_equal(depot_verify(a.p, a.n, sig, sizeof sig, keys, 2, &which, sha, &err), 0);
    assert_int_equal(which, 1);
    SHA256(a.p, a.n, want);
    assert_memory_equal(sha, want, sizeof want);
    free(a.p);
    EVP_PKEY_free(k.pk);
    EVP_PKEY_free(other.pk);
}

/* Every single flipped bit position class: each byte of the archive in
 * turn, and each byte of the signature. The callback never runs. */
static void test_flipped_byte_refused_before_unpack(void **state)
{
    (void)state;
    struct blob a = load(BIN);
    struct key k = make_key("tester");
    uint8_t sig[DEPOT_SIG_LEN];
    struct seen s = {0};
    struct depot_err err;

    sign(&k, &a, sig);
    for (size_t i = 0; i < a.n; i++) {
        a.p[i] ^= 0x01;
        assert_int_equal(install(&a, sig, sizeof sig, &k.pub, 1, &s, &err), DEPOT_ESIG);
        a.p[i] ^= 0x01;
    }
    for (size_t i = 0; i < sizeof sig; i++) {
        sig[i] ^= 0x80;
        assert_int_equal(install(&a, sig, sizeof sig, &k.pub, 1, &s, &err), DEPOT_ESIG);
        sig[i] ^= 0x80;
    }
    assert_int_equal(s.calls, 0);
    assert_non_null(strstr(err.msg, "signature does not verify with any configured key of "
                                    "user tester"));
    assert_non_null(strstr(err.msg, "changed or signed by someone else"));
    /* Intact: it installs. */
    assert_int_equal(install(&a, sig, sizeof sig, &k.pub, 1, &s, &err), 0);
    assert_true(s.calls > 0);
    free(a.p);
    EVP_PKEY_free(k.pk);
}

static void test_wrong_key_and_truncated_sig(void **state)
{
    (void)state;
    struct blob a = load(PKG);
    struct key k = make_key("tester"), mallory = make_key("tester");
    uint8_t sig[DEPOT_SIG_LEN];
    struct seen s = {0};
    struct depot_err err;

    sign(&mallory, &a, sig);
    assert_int_equal(install(&a, sig, sizeof sig, &k.pub, 1, &s, &err), DEPOT_ESIG);
    sign(&k, &a, sig);
    assert_int_equal(install(&a, sig, 63, &k.pub, 1, &s, &err), DEPOT_ESIG);
    assert_non_null(strstr(err.msg, "63 bytes, not 64"));
    assert_int_equal(install(&a, NULL, 0, &k.pub, 1, &s, &err), DEPOT_ESIG);
    assert_int_equal(install(&a, sig, sizeof sig, NULL, 0, &s, &err), DEPOT_EINVAL);
    /* Appending bytes to the archive breaks it as well. */
    struct blob longer = {realloc(a.p, a.n + 1), a.n + 1};
    longer.p[a.n] = 0;
    assert_int_equal(install(&longer, sig, sizeof sig, &k.pub, 1, &s, &err), DEPOT_ESIG);
    assert_int_equal(s.calls, 0);
    free(longer.p);
    EVP_PKEY_free(k.pk);
    EVP_PKEY_free(mallory.pk);
}

static void test_unpack_bin(void **state)
{
    (void)state;
    struct blob a = load(BIN);
    struct seen s = {0};
    struct depot_err err;

    assert_int_equal(depot_unpack(a.p, a.n, heap, HEAP_SIZE, NULL, on_file, &s, &err), 0);
    assert_int_equal(s.calls, 2);
    assert_string_equal(s.paths[0], "hello");
    assert_true(s.exec[0]);
    assert_string_equal(s.paths[1], "hello.cfg");
    assert_false(s.exec[1]);
    assert_int_equal(s.sizes[1], 5);
    free(a.p);
}

static void test_unpack_src_long_path(void **state)
{
    (void)state;
    struct blob a = load(SRC);
    struct seen s = {0};
    struct depot_err err;
    int found = 0;

    assert_int_equal(depot_unpack(a.p, a.n, heap, HEAP_SIZE, NULL, on_file, &s, &err), 0);
    for (int i = 0; i < s.calls && i < 16; i++)
        if (strlen(s.paths[i]) > 100 && strstr(s.paths[i], "/file.txt"))
            found = 1, assert_int_equal(s.sizes[i], 3);
    assert_true(found);
    /* The same archive with a limit of 2 members: refused, nothing seen. */
    struct seen none = {0};
    struct depot_limits lim = {.max_files = 2};
    assert_int_equal(depot_unpack(a.p, a.n, heap, HEAP_SIZE, &lim, on_file, &none, &err),
                     DEPOT_ELIMIT);
    assert_int_equal(none.calls, 0);
    assert_non_null(strstr(err.msg, "more than 2 members"));
    free(a.p);
}

static void test_pkg_runtime(void **state)
{
    (void)state;
    struct blob a = load(PKG);
    struct seen s = {0};
    struct depot_err err;
    static struct depot_runtime rt;

    assert_int_equal(depot_unpack(a.p, a.n, heap, HEAP_SIZE, NULL, on_file, &s, &err), 0);
    assert_true(s.runtime_len > 0);
    assert_int_equal(depot_pkg_runtime(s.runtime, s.runtime_len, &rt, &err), 0);
    assert_string_equal(rt.binary, "hello");
    assert_int_equal(rt.ram, 2u << 20);
    assert_int_equal(rt.caps, 64);
    assert_int_equal(rt.cpu_quota, 10);
    assert_int_equal(rt.n_requires, 2);
    assert_string_equal(rt.requires[0], "LOG");
    assert_string_equal(rt.requires[1], "Timer");
    assert_int_equal(rt.n_provides, 0);
    assert_int_equal(rt.n_rom, 1);
    assert_string_equal(rt.rom[0], "hello.cfg");
    assert_string_equal(rt.config, "greeting: hi\ncount: 3\n");
    free(a.p);
}

static void test_runtime_refusals(void **state)
{
    (void)state;
    static struct depot_runtime rt;
    struct depot_err err;
    static const struct {
        const char *text, *msg;
    } bad[] = {
            {"ram: 1M\n", "no binary"},
            {"binary: ../x\n", "character outside"},
            {"binary: a\nbinary: b\n", "given twice"},
            {"binary: a\nshell: rm\n", "newer goa"},
            {"binary: a\nram: 0\n", "may not be 0"},
            {"binary: a\nram: 99999999999999G\n", "no larger than"},
            {"binary: a\ncpu_quota: 101\n", "no larger than"},
            {"binary: a\ncaps: -1\n", "must be a number"},
            {"binary: a\nrequires: [\"LOG\"\n", "must be a list"},
            {"binary: a\nrequires: [\"LOG]\n", "unclosed quote"},
            {"binary: a\nrequires: [LOG]\n", "double-quoted"},
            {"binary: a\nrequires: [\"a\",\"b\"]\n", "separated"},
            {"binary: a\nconfig: x\n", "must be a block"},
            {"binary:\ta\n", "tab"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = depot_pkg_runtime(bad[i].text, strlen(bad[i].text), &rt, &err);
        if (rc == 0 || !strstr(err.msg, bad[i].msg))
            fail_msg("runtime %zu: rc %d, message '%s', want '%s'", i, rc, err.msg, bad[i].msg);
    }
    /* Seventeen requires: over DEPOT_LIST_MAX. */
    char many[512] = "binary: a\nrequires: [";
    for (int i = 0; i < 17; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%s\"s%d\"", i ? ", " : "", i);
    strcat(many, "]\n");
    assert_int_equal(depot_pkg_runtime(many, strlen(many), &rt, &err), DEPOT_ELIMIT);
}

static void test_zip_bomb(void **state)
{
    (void)state;
    struct blob a = load("bomb.tar.xz");
    struct seen s = {0};
    struct depot_err err;
    struct depot_limits lim = {.max_unpacked = 1u << 20};

    assert_int_equal(depot_unpack(a.p, a.n, heap, HEAP_SIZE, &lim, on_file, &s, &err),
                     DEPOT_ELIMIT);
    assert_non_null(strstr(err.msg, "unpacks to more than 1048576 bytes"));
    assert_int_equal(s.calls, 0);
    free(a.p);
}

static void test_dotdot(void **state)
{
    (void)state;
    struct blob a = load("dotdot.tar.xz");
    struct seen s = {0};
    struct depot_err err;

    assert_int_equal(depot_unpack(a.p, a.n, heap, HEAP_SIZE, NULL, on_file, &s, &err),
                     DEPOT_EREFUSED);
    assert_non_null(strstr(err.msg, "'../x'"));
    assert_int_equal(s.calls, 0);
    free(a.p);
}

static void test_small_heap_and_truncated_xz(void **state)
{
    (void)state;
    struct blob a = load(BIN);
    struct seen s = {0};
    struct depot_err err;
    struct depot_limits lim = {.max_unpacked = 1u << 20};

    /* 1 MiB of output and 4 MiB for the decoder: goa's 8 MiB dictionary
     * does not fit. */
    assert_int_equal(depot_unpack(a.p, a.n, heap, 5u << 20, &lim, on_file, &s, &err), DEPOT_ENOMEM);
    assert_non_null(strstr(err.msg, "xz dictionary"));
    assert_int_equal(depot_unpack(a.p, a.n - 10, heap, HEAP_SIZE, NULL, on_file, &s, &err),
                     DEPOT_EFORMAT);
    assert_int_equal(depot_unpack(a.p + 1, a.n - 1, heap, HEAP_SIZE, NULL, on_file, &s, &err),
                     DEPOT_EFORMAT);
    assert_non_null(strstr(err.msg, "not an .xz file"));
    assert_int_equal(s.calls, 0);
    free(a.p);
}

/* --- tar streams built here --- */

static void header(uint8_t *h, const char *name, char type, size_t size)
{
    unsigned sum = 0;

    memset(h, 0, 512);
    memcpy(h, name, strnlen(name, 100));
    memcpy(h + 100, "0000644", 7);
    snprintf((char *)h + 124, 12, "%011zo", size);
    h[156] = (uint8_t)type;
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
}

static int walk_one(const char *name, char type, size_t size, size_t len, struct depot_err *err)
{
    static uint8_t t[4096];
    struct seen s = {0};

    memset(t, 0, sizeof t);
    header(t, name, type, size);
    int rc = depot_tar_walk(t, len, NULL, on_file, &s, err);
    if (rc)
        assert_int_equal(s.calls, 0);
    return rc;
}

static void test_tar_refusals(void **state)
{
    (void)state;
    struct depot_err err;

    assert_int_equal(walk_one("ok", '0', 3, 2048, &err), 0);
    assert_int_equal(walk_one("/etc/passwd", '0', 0, 2048, &err), DEPOT_EREFUSED);
    assert_non_null(strstr(err.msg, "absolute"));
    assert_int_equal(walk_one("a/../../b", '0', 0, 2048, &err), DEPOT_EREFUSED);
    assert_int_equal(walk_one("a//b", '0', 0, 2048, &err), DEPOT_EREFUSED);
    assert_int_equal(walk_one("./a", '0', 0, 2048, &err), DEPOT_EREFUSED);
    assert_int_equal(walk_one("link", '2', 0, 2048, &err), DEPOT_EREFUSED);
    assert_non_null(strstr(err.msg, "symbolic link"));
    assert_int_equal(walk_one("hard", '1', 0, 2048, &err), DEPOT_EREFUSED);
    assert_int_equal(walk_one("dev", '3', 0, 2048, &err), DEPOT_EREFUSED);
    assert_non_null(strstr(err.msg, "character device"));
    assert_int_equal(walk_one("fifo", '6', 0, 2048, &err), DEPOT_EREFUSED);
    /* A size beyond the remaining input. */
    assert_int_equal(walk_one("big", '0', 1u << 20, 2048, &err), DEPOT_EFORMAT);
    assert_non_null(strstr(err.msg, "only 1536 remain"));
    /* No end marker: truncated. */
    assert_int_equal(walk_one("ok", '0', 3, 1024, &err), DEPOT_EFORMAT);
    assert_non_null(strstr(err.msg, "truncated"));
    /* A damaged checksum. */
    static uint8_t t[2048];
    memset(t, 0, sizeof t);
    header(t, "ok", '0', 0);
    t[0] = 'p';
    assert_int_equal(depot_tar_walk(t, sizeof t, NULL, NULL, NULL, &err), DEPOT_EFORMAT);
    assert_non_null(strstr(err.msg, "checksum"));
    /* Out of order (or repeated). */
    static uint8_t two[3072];
    memset(two, 0, sizeof two);
    header(two, "b", '0', 0);
    header(two + 512, "a", '0', 0);
    assert_int_equal(depot_tar_walk(two, sizeof two, NULL, NULL, NULL, &err), DEPOT_EREFUSED);
    header(two + 512, "b", '0', 0);
    assert_int_equal(depot_tar_walk(two, sizeof two, NULL, NULL, NULL, &err), DEPOT_EREFUSED);
    /* A per-file limit. */
    header(two, "a", '0', 600);
    memset(two + 512 + 1024, 0, 1024);
    struct depot_limits lim = {.max_file = 512};
    assert_int_equal(depot_tar_walk(two, sizeof two, &lim, NULL, NULL, &err), DEPOT_ELIMIT);
}

/* A pax path longer than DEPOT_PATH_MAX and one with "..". */
static void test_pax_paths(void **state)
{
    (void)state;
    static uint8_t t[4096];
    struct depot_err err;
    char rec[400], path[300];

    for (int c = 0; c < 2; c++) {
        memset(t, 0, sizeof t);
        if (c == 0) {
            memset(path, 'p', 299);
            path[299] = '\0';
        } else {
            snprintf(path, sizeof path, "ok/../../escape");
        }
        /* "LEN path=...\n" where LEN counts itself. */
        size_t body = strlen(" path=\n") + strlen(path), len = body + 1;
        while (snprintf(NULL, 0, "%zu", len) + body != len)
            len++;
        snprintf(rec, sizeof rec, "%zu path=%s\n", len, path);
        header(t, "PaxHeader", 'x', strlen(rec));
        memcpy(t + 512, rec, strlen(rec));
        header(t + 1024, "short", '0', 0);
        int rc = depot_tar_walk(t, sizeof t, NULL, NULL, NULL, &err);
        assert_int_equal(rc, DEPOT_EREFUSED);
        assert_non_null(strstr(err.msg, c == 0 ? "longer than" : "'..'"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_pubkey_pem),
            cmocka_unit_test(test_verify_and_hash),
            cmocka_unit_test(test_flipped_byte_refused_before_unpack),
            cmocka_unit_test(test_wrong_key_and_truncated_sig),
            cmocka_unit_test(test_unpack_bin),
            cmocka_unit_test(test_unpack_src_long_path),
            cmocka_unit_test(test_pkg_runtime),
            cmocka_unit_test(test_runtime_refusals),
            cmocka_unit_test(test_zip_bomb),
            cmocka_unit_test(test_dotdot),
            cmocka_unit_test(test_small_heap_and_truncated_xz),
            cmocka_unit_test(test_tar_refusals),
            cmocka_unit_test(test_pax_paths),
    };
    heap = malloc(HEAP_SIZE);
    if (!heap)
        return 1;
    int rc = cmocka_run_group_tests_name("os-depot-unit", tests, NULL, NULL);
    free(heap);
    return rc;
}
