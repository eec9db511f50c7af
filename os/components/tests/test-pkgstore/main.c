/* SPDX-License-Identifier: MIT */
/* test-pkgstore: the pkg-start scenario's package store, in the role
 * kuori-agent will play (decision 0022). It carries a bin archive goa
 * exported (tester/hello/1.0, whose program is test-pkghello) and an Ed25519
 * signature over it (make-pkg.sh). It installs the way the agent will:
 * depot_verify over the exact bytes, depot_unpack into a bounded heap, the
 * program added to the store (os/lib/pkg) under "tester/hello/1.0" (and, for
 * the upgrade test-pkgup applies, again as 1.1); then it
 * provides `Pkg` and serves. A copy with one byte flipped is refused by its
 * signature and never reaches the store; "tester/broken/1.0", a "program"
 * that is no ELF, is stored on purpose so hoitaja's start of it must fail
 * at core's check. */
#include <kide/base.h>
#include <kide/component.h>
#include <kide/depot.h>
#include <kide/pkg_store.h>

extern const unsigned char pkg_fx_archive[], pkg_fx_archive_end[];
extern const unsigned char pkg_fx_sig[], pkg_fx_sig_end[];
extern const unsigned char pkg_fx_pub[], pkg_fx_pub_end[];

#define MAX_UNPACKED (1u << 20)
/* The tar, then the xz decoder: goa's 8 MiB dictionary and its state. */
#define HEAP_BYTES (MAX_UNPACKED + (9u << 20) + (256u << 10))

static struct pkg_store store;

struct install {
    struct kide_env *env;
    const uint8_t *program;
    kide_u64 size;
};

/* The bin archive holds the program under the runtime's binary name. */
static int on_file(void *ctx, const struct depot_file *f, struct depot_err *err)
{
    struct install *in = ctx;
    (void)err;
    if (!f->is_dir && !strcmp(f->path, "hello")) {
        in->program = f->data; /* valid until the heap is reused: added before that */
        in->size = f->size;
    }
    return 0;
}

static void sha256(const kide_u8 *data, kide_u64 len, kide_u8 out[32])
{
    depot_sha256(data, len, out);
}

__attribute__((noreturn)) static void fail(struct kide_env *env, const char *what, const char *why)
{
    kide_log(env, "pkgstore: FAIL %s: %s", what, why);
    kide_exit(env, 1);
}

/* One byte flipped: refused by its signature, so nothing is unpacked or stored. */
static void tampered(struct kide_env *env, const struct depot_pubkey *key, kide_u64 len)
{
    struct depot_err err;
    uint8_t *copy = kide_malloc(len);
    if (!copy)
        fail(env, "tampered copy", "no RAM");
    memcpy(copy, pkg_fx_archive, len);
    copy[len / 2] ^= 0x20;
    int rc = depot_verify(copy, len, pkg_fx_sig, (size_t)(pkg_fx_sig_end - pkg_fx_sig), key, 1, 0,
                          0, &err);
    kide_free(copy);
    if (rc != DEPOT_ESIG)
        fail(env, "tampered copy", "not refused by its signature");
    kide_log(env, "pkgstore: tampered archive refused, nothing stored: %s", err.msg);
}

void kide_main(struct kide_env *env)
{
    const kide_u64 len = (kide_u64)(pkg_fx_archive_end - pkg_fx_archive);
    struct depot_pubkey key = {.user = "tester"};
    struct depot_limits lim = {.max_files = 16, .max_unpacked = MAX_UNPACKED};
    struct install in = {env, 0, 0};
    struct depot_err err;
    void *heap;

    memcpy(key.key, pkg_fx_pub, DEPOT_PUBKEY_LEN);
    if (pkg_store_init(&store, env, 4, 4u << 20, sha256) != KIDE_OK)
        fail(env, "store", "no heap for the table");
    tampered(env, &key, len);
    if (kide_ram_alloc(env, HEAP_BYTES, &heap) != KIDE_OK)
        fail(env, "heap", "no RAM for the unpack heap");
    if (depot_verify(pkg_fx_archive, len, pkg_fx_sig, (size_t)(pkg_fx_sig_end - pkg_fx_sig), &key,
                     1, 0, 0, &err))
        fail(env, "verify", err.msg);
    if (depot_unpack(pkg_fx_archive, len, heap, HEAP_BYTES, &lim, on_file, &in, &err))
        fail(env, "unpack", err.msg);
    if (!in.program)
        fail(env, "unpack", "the bin archive holds no program 'hello'");
    struct pkg_add_file prog = {"", in.program, in.size};
    int rc = pkg_store_add(&store, "tester/hello/1.0", &prog, 1);
    if (rc != KIDE_OK)
        fail(env, "add", "the store refused tester/hello/1.0");
    /* the same program as version 1.1: the upgrade test-pkgup applies */
    if (pkg_store_add(&store, "tester/hello/1.1", &prog, 1) != KIDE_OK)
        fail(env, "add", "the store refused tester/hello/1.1");
    kide_ram_free(env, heap, HEAP_BYTES); /* the store has its own copies */
    static const char not_elf[] = "this is not a program\n";
    struct pkg_add_file broken = {"", (const kide_u8 *)not_elf, sizeof(not_elf) - 1};
    if (pkg_store_add(&store, "tester/broken/1.0", &broken, 1) != KIDE_OK)
        fail(env, "add", "the store refused tester/broken/1.0");
    if (pkg_store_add(&store, "tester/hello/1.0", &prog, 1) != KIDE_BUSY)
        fail(env, "add", "a second tester/hello/1.0 was not refused");
    kide_log(env, "pkgstore: installed tester/hello/1.0 and 1.1 (%lu bytes), tester/broken/1.0",
             (unsigned long)in.size);
    if ((rc = pkg_serve(&store)) != KIDE_OK)
        fail(env, "serve", "cannot announce Pkg");
    kide_log(env, "pkgstore: serving Pkg");
    kide_serve(env);
}
