/* SPDX-License-Identifier: MIT */
/* The fuzz victim's checked work, shared by the victim (ktest-helper,
 * H_VICTIM) and the kfuzz root, which recomputes the expected result.
 *
 * The victim fills a buffer from a seeded xorshift generator, then loops:
 * every 8th iteration it re-checksums the buffer (it must never change),
 * and each iteration it sends 16 fresh generator words to the root's victim
 * portal, which answers victim_f(word, index) for each; the victim checks
 * the answers and folds them into an accumulator.
 */
#ifndef KTEST_VICTIM_H
#define KTEST_VICTIM_H

#define VICTIM_WORDS 8192
#define VICTIM_MSG   16

static inline u64 victim_next(u64 *s)
{
    u64 x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/** What the root's portal answers for word w at index i. */
static inline u64 victim_f(u64 w, u64 i)
{
    return (w ^ 0x5bd1e9955bd1e995ull) + i * 0x9e3779b97f4a7c15ull;
}

static inline u64 victim_fold(u64 acc, u64 v)
{
    return (acc ^ v) * 0x100000001b3ull;
}

/** The accumulator after `iters` error-free iterations from `seed`. */
static inline u64 victim_expect(u64 seed, u64 iters)
{
    u64 s = seed | 1, acc = seed | 1;
    for (unsigned i = 0; i < VICTIM_WORDS; i++)
        victim_next(&s);
    for (u64 it = 0; it < iters; it++)
        for (unsigned k = 0; k < VICTIM_MSG; k++)
            acc = victim_fold(acc, victim_f(victim_next(&s), k));
    return acc;
}

#endif
