/* SPDX-License-Identifier: MIT */
/* frame.c: the protocol's framing (4-byte big-endian length, then the body).
 * Pure: looks at the bytes received so far and says whether a whole message
 * is there; the length is checked before any body byte is waited for, so an
 * oversized claim is refused at once instead of being buffered. */
#include "kagent.h"

enum kagent_frame kagent_frame_next(const kide_u8 *in, kide_u32 have, kide_u32 *len)
{
    if (have < 4)
        return KFRAME_NEED_MORE;
    kide_u32 n = (kide_u32)in[0] << 24 | (kide_u32)in[1] << 16 | (kide_u32)in[2] << 8 | in[3];
    if (n == 0)
        return KFRAME_EMPTY;
    if (n > KAGENT_REQ_MAX)
        return KFRAME_TOO_LARGE;
    if (have - 4 < n)
        return KFRAME_NEED_MORE;
    *len = n;
    return KFRAME_READY;
}
