/* SPDX-License-Identifier: MIT */
/* base64.c: see base64.h. */
#include "base64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

long kb64_encode(const kide_u8 *in, __SIZE_TYPE__ n, char *out, __SIZE_TYPE__ cap)
{
    __SIZE_TYPE__ need = (n + 2) / 3 * 4 + 1, o = 0;
    if (need > cap)
        return -1;
    for (__SIZE_TYPE__ i = 0; i < n; i += 3) {
        kide_u32 v = (kide_u32)in[i] << 16;
        if (i + 1 < n)
            v |= (kide_u32)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = alphabet[v >> 18 & 63];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? alphabet[v & 63] : '=';
    }
    out[o] = 0;
    return (long)o;
}

static int value(char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return -1;
}

long kb64_decode(const char *in, kide_u8 *out, __SIZE_TYPE__ cap)
{
    __SIZE_TYPE__ n = 0, o = 0;
    while (in[n])
        n++;
    if (n == 0 || n % 4)
        return -1;
    for (__SIZE_TYPE__ i = 0; i < n; i += 4) {
        int last = i + 4 == n;
        int pad = (in[i + 3] == '=') + (in[i + 2] == '=' && in[i + 3] == '=');
        if (pad && !last)
            return -1;
        int a = value(in[i]), b = value(in[i + 1]);
        int c = pad >= 2 ? 0 : value(in[i + 2]), d = pad >= 1 ? 0 : value(in[i + 3]);
        if (a < 0 || b < 0 || c < 0 || d < 0)
            return -1;
        kide_u32 v = (kide_u32)a << 18 | (kide_u32)b << 12 | (kide_u32)c << 6 | (kide_u32)d;
        /* Canonical: the bits padding leaves over must be 0. */
        if ((pad == 1 && (v & 0xff)) || (pad == 2 && (v & 0xffff)))
            return -1;
        int bytes = 3 - pad;
        if (o + (__SIZE_TYPE__)bytes > cap)
            return -1;
        out[o++] = (kide_u8)(v >> 16);
        if (bytes > 1)
            out[o++] = (kide_u8)(v >> 8);
        if (bytes > 2)
            out[o++] = (kide_u8)v;
    }
    return (long)o;
}
