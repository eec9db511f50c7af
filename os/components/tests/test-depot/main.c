/* SPDX-License-Identifier: MIT */
/* test-depot: the depot-verify scenario's component. It installs a signed
 * pkg archive the way kuori-agent will (os/lib/depot): verify the Ed25519
 * signature over the exact bytes, then unpack into a bounded heap, then
 * read the runtime; it logs each file, the runtime and the kernel-clock
 * time each step took. Then it flips one byte of a copy and checks that the
 * copy is refused before anything is unpacked. */
#include <kide/base.h>
#include <kide/component.h>
#include <kide/depot.h>

extern const unsigned char depot_fx_archive[], depot_fx_archive_end[];
extern const unsigned char depot_fx_sig[], depot_fx_sig_end[];
extern const unsigned char depot_fx_pub[], depot_fx_pub_end[];

#define MAX_UNPACKED (1u << 20)
/* The tar, then the xz decoder: goa's 8 MiB dictionary and its state. */
#define HEAP_BYTES (MAX_UNPACKED + (9u << 20) + (256u << 10))

struct run {
    struct kide_env *env;
    int files;
    const uint8_t *runtime;
    kide_u64 runtime_len;
};

static int on_file(void *ctx, const struct depot_file *f, struct depot_err *err)
{
    struct run *r = ctx;
    (void)err;
    kide_log(r->env, "depot: file %s (%lu bytes%s)", f->path, (unsigned long)f->size,
             f->is_dir       ? ", directory"
             : f->executable ? ", executable"
                             : "");
    if (!f->is_dir && f->path[0] == 'r' && !strcmp(f->path, "runtime")) {
        r->runtime = f->data; /* valid until the heap is reused */
        r->runtime_len = f->size;
    }
    r->files++;
    return 0;
}

__attribute__((noreturn)) static void fail(struct kide_env *env, const char *what,
                                           const struct depot_err *err)
{
    kide_log(env, "depot: FAIL %s: %s", what, err->msg);
    kide_exit(env, 1);
}

static void log_runtime(struct kide_env *env, const struct depot_runtime *rt)
{
    kide_log(env, "depot: runtime binary %s ram %lu caps %ld cpu_quota %ld", rt->binary,
             (unsigned long)rt->ram, rt->caps, rt->cpu_quota);
    for (kide_u64 i = 0; i < rt->n_requires; i++)
        kide_log(env, "depot: runtime requires %s", rt->requires[i]);
    for (kide_u64 i = 0; i < rt->n_rom; i++)
        kide_log(env, "depot: runtime rom %s", rt->rom[i]);
    kide_log(env, "depot: runtime config of %lu bytes", (unsigned long)rt->config_len);
}

/* A copy with one byte flipped: refused at the signature, so an installer
 * (verify, then unpack) never unpacks it. 0 when refused. */
static int tampered(struct kide_env *env, const struct depot_pubkey *key, kide_u64 len)
{
    struct depot_err err;
    uint8_t *copy = kide_malloc(len);

    if (!copy) {
        kide_log(env, "depot: FAIL no RAM for the tampered copy");
        return 1;
    }
    memcpy(copy, depot_fx_archive, len);
    copy[len / 2] ^= 0x20;
    int rc = depot_verify(copy, len, depot_fx_sig, (size_t)(depot_fx_sig_end - depot_fx_sig), key,
                          1, 0, 0, &err);
    if (rc != DEPOT_ESIG) {
        kide_log(env, "depot: FAIL a tampered copy was not refused by its signature (%d)", rc);
        return 1;
    }
    kide_log(env, "depot: tampered copy refused: %s", err.msg);
    kide_free(copy);
    return 0;
}

void kide_main(struct kide_env *env)
{
    const kide_u64 len = (kide_u64)(depot_fx_archive_end - depot_fx_archive);
    struct depot_pubkey key = {.user = "tester"};
    struct depot_limits lim = {.max_files = 64, .max_unpacked = MAX_UNPACKED};
    static struct depot_runtime rt;
    struct run r = {env, 0, 0, 0};
    uint8_t sha[DEPOT_SHA256_LEN];
    struct depot_err err;
    void *heap;

    memcpy(key.key, depot_fx_pub, DEPOT_PUBKEY_LEN);
    if (kide_ram_alloc(env, HEAP_BYTES, &heap) != KIDE_OK) {
        kide_log(env, "depot: FAIL no RAM for the %u-byte unpack heap", HEAP_BYTES);
        kide_exit(env, 1);
    }
    kide_u64 t0 = kide_now_ns();
    if (depot_verify(depot_fx_archive, len, depot_fx_sig, (size_t)(depot_fx_sig_end - depot_fx_sig),
                     &key, 1, 0, sha, &err))
        fail(env, "verify", &err);
    kide_u64 t1 = kide_now_ns();
    if (depot_unpack(depot_fx_archive, len, heap, HEAP_BYTES, &lim, on_file, &r, &err))
        fail(env, "unpack", &err);
    kide_u64 t2 = kide_now_ns();
    if (!r.runtime || depot_pkg_runtime((const char *)r.runtime, r.runtime_len, &rt, &err))
        fail(env, "runtime", &err);
    kide_u64 t3 = kide_now_ns();
    kide_log(env, "depot: archive of %lu bytes verified", (unsigned long)len);
    kide_log(env, "depot: sha256 %02x%02x%02x%02x%02x%02x%02x%02x...", sha[0], sha[1], sha[2],
             sha[3], sha[4], sha[5], sha[6], sha[7]);
    log_runtime(env, &rt);
    kide_log(env, "depot: verify %lu us, unpack %lu us (%d files), runtime %lu us",
             (unsigned long)((t1 - t0) / 1000), (unsigned long)((t2 - t1) / 1000), r.files,
             (unsigned long)((t3 - t2) / 1000));
    if (tampered(env, &key, len))
        kide_exit(env, 1);
    kide_log(env, "depot: PASS depot-verify");
    kide_exit(env, 0);
}
