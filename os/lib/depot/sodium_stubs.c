/* SPDX-License-Identifier: MIT */
/* The three helpers of libsodium's utils.c that the verification files
 * call. utils.c itself is not compiled: it brings in mlock, mmap, guarded
 * allocation and randombytes, none of which verification needs. Ours, with
 * the same contracts (sodium/utils.h). */
#include <stddef.h>
#include <stdint.h>

void sodium_memzero(void *const pnt, const size_t len);
int sodium_memcmp(const void *const b1_, const void *const b2_, size_t len);
int sodium_is_zero(const unsigned char *n, const size_t nlen);

/* Zeroing that the compiler may not drop as a dead store. */
void sodium_memzero(void *const pnt, const size_t len)
{
    volatile unsigned char *p = (volatile unsigned char *)pnt;
    for (size_t i = 0; i < len; i++)
        p[i] = 0;
}

/* 0 when equal, -1 otherwise, in time that depends on LEN only. */
int sodium_memcmp(const void *const b1_, const void *const b2_, size_t len)
{
    const volatile unsigned char *a = (const volatile unsigned char *)b1_;
    const volatile unsigned char *b = (const volatile unsigned char *)b2_;
    unsigned char d = 0;

    for (size_t i = 0; i < len; i++)
        d |= a[i] ^ b[i];
    return (1 & ((d - 1) >> 8)) - 1;
}

/* 1 when all NLEN bytes are zero, in time that depends on NLEN only. */
int sodium_is_zero(const unsigned char *n, const size_t nlen)
{
    volatile unsigned char d = 0;

    for (size_t i = 0; i < nlen; i++)
        d |= n[i];
    return 1 & ((d - 1) >> 8);
}
