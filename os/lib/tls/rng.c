/* SPDX-License-Identifier: MIT */
/* ktls: the random generator, HMAC-DRBG (SHA-256) seeded from the CPU.
 *
 * Sources, in order of preference: RDSEED (a conditioned entropy source),
 * RDRAND (a DRBG the CPU reseeds), both only when CPUID says the CPU has
 * them; then RDTSC and the caller's bytes, which are mixed in but never
 * counted as entropy. Without RDSEED and RDRAND ktls_rng_init fails: the
 * callers (the agent) refuse to run rather than make guessable keys. */
#include <kide/ktls.h>

#include <stdint.h>

/* 32 bytes of hardware randomness, i.e. 4 words of 64 bits. */
#define HW_WORDS 4
/* Intel's guidance: RDRAND may fail transiently; ten retries per word is
 * their recommendation. RDSEED fails more often under load: more tries. */
#define RDRAND_TRIES 10
#define RDSEED_TRIES 100

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

static int has_rdrand(void)
{
    uint32_t r[4];
    cpuid(0, 0, r);
    if (r[0] < 1)
        return 0;
    cpuid(1, 0, r);
    return (r[2] >> 30) & 1; /* ECX bit 30 */
}

static int has_rdseed(void)
{
    uint32_t r[4];
    cpuid(0, 0, r);
    if (r[0] < 7)
        return 0;
    cpuid(7, 0, r);
    return (r[1] >> 18) & 1; /* EBX bit 18 */
}

/* One 64-bit word; 1 on success (the carry flag says the value is valid). */
static int rdrand64(uint64_t *v)
{
    unsigned char ok;
    __asm__ volatile(".byte 0x48, 0x0f, 0xc7, 0xf0; setc %1" : "=a"(*v), "=qm"(ok)::"cc");
    return ok;
}

static int rdseed64(uint64_t *v)
{
    unsigned char ok;
    __asm__ volatile(".byte 0x48, 0x0f, 0xc7, 0xf8; setc %1" : "=a"(*v), "=qm"(ok)::"cc");
    return ok;
}

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* Fills w with HW_WORDS words from one instruction; 0 if it failed too
 * often or returned a constant (some CPUs' broken RDRAND gives all-ones). */
static int hw_words(int (*insn)(uint64_t *), int tries, uint64_t w[HW_WORDS])
{
    for (int i = 0; i < HW_WORDS; i++) {
        int t = 0;
        while (!insn(&w[i]))
            if (++t >= tries)
                return 0;
    }
    for (int i = 1; i < HW_WORDS; i++)
        if (w[i] != w[0])
            return 1;
    return 0;
}

int ktls_rng_init(struct ktls_rng *r, const void *extra, size_t len, const char **why)
{
    uint64_t w[HW_WORDS];
    int got = 0;

    if (has_rdseed())
        got = hw_words(rdseed64, RDSEED_TRIES, w);
    if (!got && has_rdrand())
        got = hw_words(rdrand64, RDRAND_TRIES, w);
    if (!got) {
        if (why)
            *why = has_rdrand() || has_rdseed()
                           ? "the CPU's RDSEED/RDRAND keep failing or return a constant"
                           : "the CPU has neither RDSEED nor RDRAND (under QEMU: -cpu max, "
                             "or a model with +rdrand)";
        return -1;
    }
    br_hmac_drbg_init(&r->drbg, &br_sha256_vtable, w, sizeof w);
    uint64_t t = rdtsc();
    br_hmac_drbg_update(&r->drbg, &t, sizeof t);
    if (extra && len)
        br_hmac_drbg_update(&r->drbg, extra, len);
    /* The seed must not linger on the stack. */
    volatile unsigned char *p = (volatile unsigned char *)w;
    for (size_t i = 0; i < sizeof w; i++)
        p[i] = 0;
    return 0;
}

void ktls_rng_init_fixed(struct ktls_rng *r, const void *seed, size_t len)
{
    br_hmac_drbg_init(&r->drbg, &br_sha256_vtable, seed, len);
}

void ktls_rng_bytes(struct ktls_rng *r, void *out, size_t len)
{
    br_hmac_drbg_generate(&r->drbg, out, len);
}
