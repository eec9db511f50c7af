/* SPDX-License-Identifier: MIT */
/* tokens.h: the token authority's store (decision 0019) and the token format.
 *
 * A token is kide1.<habitat>.<secret: 32 hex>.<pin: 32 hex>: the secret is
 * 16 random bytes, the pin the first 16 bytes of the habitat agent's
 * certificate fingerprint (kuori checks the agent against it before it
 * sends the token). The store keeps only SHA-256(secret), the habitat, the
 * expiry (kernel clock) and the state; a token is consumed by the first
 * successful enrolment and never valid again. The store lives in RAM: when
 * the authority restarts, outstanding tokens are invalid (fails closed).
 */
#ifndef KAGENT_TOKENS_H
#define KAGENT_TOKENS_H

#include <kide/types.h>

#define KTOK_MAX      32u /* tokens kept (valid, used, expired, revoked) */
#define KTOK_HABITATS 16u /* habitats with a registered agent fingerprint */
#define KTOK_NAME_MAX 32u
#define KTOK_TEXT_MAX (6 + KTOK_NAME_MAX + 1 + 32 + 1 + 32 + 1) /* kide1.h.s.p and NUL */

enum ktok_state { KTOK_VALID, KTOK_USED, KTOK_EXPIRED, KTOK_REVOKED };

struct ktok {
    int used;
    kide_u8 hash[32]; /* SHA-256 of the secret */
    char id[9];       /* 8 hex digits of the hash: names the token in lists */
    char habitat[KTOK_NAME_MAX + 1];
    kide_u64 expires_ns;
    enum ktok_state state; /* KTOK_VALID, KTOK_USED or KTOK_REVOKED (expiry is computed) */
};

struct ktok_pin {
    int used;
    char habitat[KTOK_NAME_MAX + 1];
    kide_u8 fp[32];
};

struct ktok_store {
    struct ktok t[KTOK_MAX];
    struct ktok_pin pins[KTOK_HABITATS];
};

/** A token's parts. */
struct ktok_parsed {
    char habitat[KTOK_NAME_MAX + 1];
    kide_u8 secret[16];
    kide_u8 pin[16];
};

/** Record habitat's agent fingerprint (replaces an earlier one). 0, or -1 when full. */
int ktok_register(struct ktok_store *s, const char *habitat, const kide_u8 fp[32]);
/** The registered fingerprint of habitat, or NULL. */
const kide_u8 *ktok_pin_of(const struct ktok_store *s, const char *habitat);
/** Make a token for habitat valid for ttl_ns from now, from 16 random bytes and the
 *  secret's SHA-256 (the caller's crypto). Writes the token text and its id.
 *  0; -1: no fingerprint registered for habitat; -2: the store is full of valid tokens. */
int ktok_create(struct ktok_store *s, kide_u64 now, const char *habitat, kide_u64 ttl_ns,
                const kide_u8 secret[16], const kide_u8 hash[32], char text[KTOK_TEXT_MAX],
                char id[9]);
/** Consume the token whose secret hashes to hash, for habitat, at now: 0, or -1 (unknown,
 *  expired, used, revoked or another habitat's: one answer for all, on purpose). */
int ktok_consume(struct ktok_store *s, kide_u64 now, const char *habitat, const kide_u8 hash[32]);
/** Revoke the token with this id: 0, or -1 if there is none. */
int ktok_revoke(struct ktok_store *s, const char *id);
/** The state of slot t at now. */
enum ktok_state ktok_state_at(const struct ktok *t, kide_u64 now);
/** Parse token text: 0, or -1 if it is not of the form above. */
int ktok_parse(const char *text, struct ktok_parsed *out);
/** The habitat a KuoriToken session speaks for, from the label hoitaja wrote:
 *  "tenant-a/kuori-agent" -> "tenant-a"; -1 unless the label is exactly
 *  "<habitat>/<name>" with a habitat name [a-z][a-z0-9-]{0,31}. */
int ktok_label_habitat(const char *label, char *habitat, __SIZE_TYPE__ cap);
/** Hex of n bytes into out (2n + 1 bytes). */
void ktok_hex(const kide_u8 *in, unsigned n, char *out);

#endif
