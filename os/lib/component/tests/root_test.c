/* SPDX-License-Identifier: MIT */
/* The runtime as the root task of its own image (goa's QEMU backend).
 *
 * Booted directly by the kernel with arguments "a=1 b": the heap and
 * dataspaces over boot RAM (runs reused after free), the environment, and
 * the parts that do not exist without core answering KIDE_NOT_FOUND.
 * Ends with "root-test: <n> passed, <m> failed" and exit code 0 or 1.
 */
#include <kide/component.h>
#include <kide/json.h>

static int passed, failed;

#define CHECK(env, c)                                                                              \
    do {                                                                                           \
        if (c) {                                                                                   \
            passed++;                                                                              \
        } else {                                                                                   \
            failed++;                                                                              \
            kide_log(env, "root-test: FAIL at line %d: %s", __LINE__, #c);                         \
        }                                                                                          \
    } while (0)

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static struct kide_rpc *unused_rpc;
static int raw(struct kide_env *env, void *obj, struct kide_rpc *rpc)
{
    (void)env, (void)obj;
    unused_rpc = rpc;
    return 0;
}

static const struct kide_service_ops ops;

void kide_main(struct kide_env *env)
{
    static unsigned char *p[300];
    int ok = 1;
    for (int i = 0; i < 300 && ok; i++) {
        kide_u64 n = (i % 5) ? 100 : 50000;
        p[i] = kide_malloc(n);
        ok = p[i] != 0 && ((kide_u64)p[i] & 15) == 0;
        for (kide_u64 j = 0; ok && j < n; j++)
            p[i][j] = (unsigned char)i;
    }
    CHECK(env, ok);
    for (int i = 0; i < 300 && ok; i++)
        ok = p[i][0] == (unsigned char)i && p[i][99] == (unsigned char)i;
    CHECK(env, ok);
    for (int i = 0; i < 300; i++)
        kide_free(p[i]);
    unsigned char *ds = 0, *ds2 = 0;
    CHECK(env, kide_ram_alloc(env, 100000, (void **)&ds) == KIDE_OK && ds && ds[99999] == 0);
    ds[5] = 7;
    CHECK(env, kide_ram_free(env, ds, 100000) == KIDE_OK);
    CHECK(env, kide_ram_alloc(env, 100000, (void **)&ds2) == KIDE_OK && ds2 == ds && ds2[5] == 0);
    CHECK(env, kide_ram_free(env, 0, 4096) == KIDE_BAD_ADDR);
    CHECK(env, kide_ram_alloc(env, 0, (void **)&ds2) == KIDE_BAD_PARAM);

    const struct kide_json_doc *doc;
    char err[100];
    kide_u64 len;
    CHECK(env, kide_config_doc(env, &doc, err, sizeof(err)) == 0);
    CHECK(env, streq(kide_config(env, &len), "{}") && len == 2);
    CHECK(env, streq(kide_args(env), "a=1 b") && streq(kide_name(env), "root-test"));
    CHECK(env, kide_env_is_root(env) && !kide_info(env));

    struct kide_session s;
    kide_sel pt;
    CHECK(env, kide_session_open(env, "X", 0, 0, &s) == KIDE_NOT_FOUND);
    CHECK(env, kide_service_announce(env, "X", &ops) == KIDE_NOT_FOUND);
    CHECK(env, kide_portal_create(env, raw, 0, &pt) == KIDE_NOT_FOUND);
    struct kide_quota q;
    CHECK(env, kide_quota(env, &q) == KIDE_OK);
    kide_u64 t = kide_now_ns();
    kide_sleep_ms(20);
    CHECK(env, kide_now_ns() - t >= 20000000ull);
    t = kide_now_ns();
    CHECK(env, kide_wait_signal(env, 10) == 0 && kide_now_ns() - t >= 10000000ull);
    kide_log(env, "root-test: %d passed, %d failed", passed, failed);
    kide_exit(env, failed ? 1 : 0);
}
