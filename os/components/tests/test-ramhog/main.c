/* SPDX-License-Identifier: MIT */
/* test-ramhog: allocates past its RAM quota and must be refused, not killed.
 *
 * Scenario tests/ram. The hog takes heap blocks of `chunk` bytes until
 * kide_malloc returns NULL, then asks for a dataspace that cannot fit and
 * must get KIDE_QUOTA. It passes when the refusal came at or below the
 * quota core reports, after more than half of it was really usable (a
 * runtime that refuses everything must not pass), and when freeing the heap
 * makes allocation work again. It then stays alive holding nothing, so a
 * crash of the sibling or of hoitaja cannot be blamed on it.
 */
#include "test.h"

#define WHAT "ram quota"

static void *blocks[4096];

void kide_main(struct kide_env *env)
{
    kide_u64 chunk = t_cfg_u64(env, "chunk", 65536);
    struct kide_quota q;
    unsigned n = 0;
    void *ds = 0;

    if (kide_quota(env, &q) != KIDE_OK)
        t_fail(env, WHAT, "kide_quota failed");
    kide_log(env, "hog: quota %llu bytes, used %llu", (unsigned long long)q.ram_quota,
             (unsigned long long)q.ram_used);
    while (n < sizeof(blocks) / sizeof(blocks[0]) && (blocks[n] = kide_malloc(chunk)) != 0) {
        /* Touch every block: pages the quota pays for must really exist. */
        ((volatile char *)blocks[n])[0] = 1;
        ((volatile char *)blocks[n])[chunk - 1] = 1;
        n++;
    }
    if (n == sizeof(blocks) / sizeof(blocks[0]))
        t_fail(env, WHAT, "%u blocks of %llu bytes never hit the quota", n,
               (unsigned long long)chunk);
    kide_u64 got = (kide_u64)n * chunk;
    if (kide_quota(env, &q) != KIDE_OK)
        t_fail(env, WHAT, "kide_quota failed");
    kide_log(env, "hog: malloc NULL after %llu bytes; used %llu of %llu", (unsigned long long)got,
             (unsigned long long)q.ram_used, (unsigned long long)q.ram_quota);
    if (q.ram_used > q.ram_quota)
        t_fail(env, WHAT, "core reports %llu bytes used over a quota of %llu",
               (unsigned long long)q.ram_used, (unsigned long long)q.ram_quota);
    if (got > q.ram_quota || got < q.ram_quota / 2)
        t_fail(env, WHAT, "got %llu bytes of a %llu quota", (unsigned long long)got,
               (unsigned long long)q.ram_quota);
    int rc = kide_ram_alloc(env, q.ram_quota, &ds);
    if (rc != KIDE_QUOTA)
        t_fail(env, WHAT, "a dataspace of the whole quota returned %s, not QUOTA", t_status(rc));
    rc = kide_ram_alloc(env, 1ull << 30, &ds);
    if (rc != KIDE_QUOTA)
        t_fail(env, WHAT, "a 1 GiB dataspace returned %s, not QUOTA", t_status(rc));
    for (unsigned i = 0; i < n; i++)
        kide_free(blocks[i]);
    if (!(blocks[0] = kide_malloc(chunk)))
        t_fail(env, WHAT, "after freeing everything a %llu byte block is refused",
               (unsigned long long)chunk);
    kide_free(blocks[0]);
    t_pass(env, WHAT);
    t_idle(env);
}
