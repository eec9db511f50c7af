/* SPDX-License-Identifier: MIT */
/* ktls: BearSSL's "system seeder", which its engine asks for when a context
 * starts. Kide has no system source BearSSL could use (its sysrng.c wants
 * /dev/urandom or its own RDRAND code, which needs SSE intrinsics the
 * freestanding build forbids), so there is none: ktls injects the entropy
 * of its own generator (rng.c) into every context before it starts it, and
 * a context without it fails with BR_ERR_NO_RANDOM instead of running
 * unseeded. */
#include <bearssl.h>

br_prng_seeder br_prng_seeder_system(const char **name)
{
    if (name)
        *name = "none";
    return 0;
}
