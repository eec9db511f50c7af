/* SPDX-License-Identifier: MIT */
/* Kide ABI: service "KuoriToken", the token authority of kuori-agent
 * (decision 0019, docs/kuori-agent.md). The root habitat's agent provides
 * it; each tenant habitat's agent reaches it through its parent (routes
 * `KuoriToken: to parent` in the tenant habitat, `to: child, child:
 * kuori-agent` in the root). The habitat a call speaks for is taken from the
 * session's label, which hoitaja writes ("tenant-a/kuori-agent" -> tenant-a),
 * never from the request: a session whose label is not "<habitat>/<name>"
 * (a direct child of a root-habitat child) is refused at open (DENIED).
 *
 * Operations (words[0]); each request is one digest (4 words), each reply
 * only a status:
 *   KIDE_KTOK_REGISTER: the calling habitat's agent certificate fingerprint
 *                       (SHA-256 of its DER) -> OK | QUOTA (no room for
 *                       another habitat) | BAD_PARAM
 *   KIDE_KTOK_CONSUME:  SHA-256 of a token's secret -> OK (consumed now) |
 *                       DENIED (unknown, expired, used, revoked or another
 *                       habitat's: one answer) | BAD_PARAM
 */
#ifndef KIDE_KUORI_TOKEN_H
#define KIDE_KUORI_TOKEN_H

#include "types.h"

#define KIDE_KTOK_SERVICE "KuoriToken"

enum kide_ktok_op {
    KIDE_KTOK_REGISTER = 1,
    KIDE_KTOK_CONSUME = 2,
};

/** The request of both operations: 32 bytes as 4 words, in byte order. */
struct kide_ktok_digest {
    kide_u8 bytes[32];
};
#define KIDE_KTOK_DIGEST_WORDS (sizeof(struct kide_ktok_digest) / 8)
_Static_assert(KIDE_KTOK_DIGEST_WORDS == 4, "a digest is 4 words");

#endif
