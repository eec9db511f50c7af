/* SPDX-License-Identifier: MIT */
/* Validation of depot users, archive types, names and versions.
 *
 * Each check is a single pass over the bytes with no allocation; none of them
 * trusts a NUL terminator, so embedded NULs are simply invalid characters.
 */
#include "valid.h"

#include <string.h>

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool reg_valid_user(const char *s, size_t n)
{
    if (n == 0 || n > REG_USER_MAX || !is_lower_alnum(s[0]))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!is_lower_alnum(s[i]) && s[i] != '_' && s[i] != '-')
            return false;
    return true;
}

bool reg_valid_name(const char *s, size_t n)
{
    /* "." and ".." cannot pass: the first character must be alphanumeric. */
    if (n == 0 || n > REG_NAME_MAX || !is_alnum(s[0]))
        return false;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (!is_alnum(c) && c != '.' && c != '_' && c != '+' && c != '-')
            return false;
    }
    return true;
}

bool reg_valid_version(const char *s, size_t n)
{
    return reg_valid_name(s, n);
}

bool reg_valid_arch(const char *s, size_t n)
{
    return n <= 32 && reg_valid_user(s, n);
}

bool reg_valid_type(const char *s, size_t n)
{
    static const char *const plain[] = {"src", "pkg", "raw", "api"};
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
        if (n == strlen(plain[i]) && memcmp(s, plain[i], n) == 0)
            return true;
    return n > 4 && memcmp(s, "bin/", 4) == 0 && reg_valid_arch(s + 4, n - 4);
}

int reg_version_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i = 0, j = 0;
    while (i < an && j < bn) {
        if (is_digit(a[i]) && is_digit(b[j])) {
            /* Compare digit runs by value: skip leading zeros, then length, then bytes. */
            while (i < an && a[i] == '0')
                i++;
            while (j < bn && b[j] == '0')
                j++;
            size_t si = i, sj = j;
            while (i < an && is_digit(a[i]))
                i++;
            while (j < bn && is_digit(b[j]))
                j++;
            size_t la = i - si, lb = j - sj;
            if (la != lb)
                return la < lb ? -1 : 1;
            int c = memcmp(a + si, b + sj, la);
            if (c != 0)
                return c < 0 ? -1 : 1;
            continue;
        }
        if (a[i] != b[j])
            return (unsigned char)a[i] < (unsigned char)b[j] ? -1 : 1;
        i++;
        j++;
    }
    if (i < an)
        return 1;
    if (j < bn)
        return -1;
    return 0;
}
