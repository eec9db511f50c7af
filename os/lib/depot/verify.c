/* SPDX-License-Identifier: MIT */
/* Signature check of a depot archive and the helpers the library shares:
 * Ed25519 (libsodium's ref10, imported from Debian's source archive) over
 * the exact archive bytes, then the archive's SHA-256. Ed25519 hashes the
 * whole message internally, so verification reads the archive twice
 * (signature, then SHA-256); the cost is linear and bounded by LEN. */
#include "depot_internal.h"

#include <crypto_hash_sha256.h>
#include <crypto_sign_ed25519.h>

int depot_fail(struct depot_err *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (err) {
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

struct depot_limits depot_limits_or_default(const struct depot_limits *l)
{
    struct depot_limits d = {0, 0, 0};

    if (l)
        d = *l;
    if (!d.max_files)
        d.max_files = DEPOT_DEFAULT_FILES;
    if (!d.max_unpacked)
        d.max_unpacked = DEPOT_DEFAULT_UNPACKED;
    if (!d.max_file || d.max_file > d.max_unpacked)
        d.max_file = d.max_unpacked;
    return d;
}

void depot_sha256(const uint8_t *data, size_t len, uint8_t out[DEPOT_SHA256_LEN])
{
    crypto_hash_sha256(out, data, (unsigned long long)len);
}

int depot_verify(const uint8_t *archive, size_t len, const uint8_t *sig, size_t sig_len,
                 const struct depot_pubkey *keys, size_t n, size_t *which,
                 uint8_t sha256[DEPOT_SHA256_LEN], struct depot_err *err)
{
    const char *user = n && keys && keys[0].user ? keys[0].user : "(unnamed)";

    if (err)
        err->msg[0] = '\0';
    if ((!archive && len) || !keys || n == 0)
        return depot_fail(err, DEPOT_EINVAL,
                          "no archive or no configured key: add the depot user's public key "
                          "(goa key show) to the installer");
    if (!sig || sig_len != DEPOT_SIG_LEN)
        return depot_fail(err, DEPOT_ESIG,
                          "the signature has %zu bytes, not %d: the .sig download is truncated "
                          "or not a depot signature",
                          sig ? sig_len : 0, DEPOT_SIG_LEN);
    /* Copy the signature once: the caller's buffer may be shared memory a
     * hostile party can still write while we check it. */
    uint8_t s[DEPOT_SIG_LEN];
    memcpy(s, sig, sizeof s);
    for (size_t i = 0; i < n; i++) {
        uint8_t k[DEPOT_PUBKEY_LEN];
        memcpy(k, keys[i].key, sizeof k);
        if (crypto_sign_ed25519_verify_detached(s, archive, (unsigned long long)len, k) == 0) {
            if (which)
                *which = i;
            if (sha256)
                depot_sha256(archive, len, sha256);
            return DEPOT_OK;
        }
    }
    return depot_fail(err, DEPOT_ESIG,
                      "signature does not verify with any configured key of user %s (%zu "
                      "tried): the archive was changed or signed by someone else",
                      user, n);
}

/* Base64 (RFC 4648, with padding) of the PEM body; whitespace skipped. */
static int b64(const char *s, size_t n, uint8_t *out, size_t cap, size_t *outlen)
{
    uint32_t acc = 0;
    int bits = 0, pad = 0;
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int v;
        if (c == '\n' || c == '\r' || c == ' ' || c == '\t')
            continue;
        if (c == '=') {
            pad++;
            continue;
        }
        if (pad)
            return -1;
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= 'a' && c <= 'z')
            v = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            v = c - '0' + 52;
        else if (c == '+')
            v = 62;
        else if (c == '/')
            v = 63;
        else
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o == cap)
                return -1;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    if (pad > 2)
        return -1;
    *outlen = o;
    return 0;
}

static const char *find(const char *h, size_t hl, const char *needle)
{
    size_t nl = strlen(needle);
    for (size_t i = 0; i + nl <= hl; i++)
        if (!memcmp(h + i, needle, nl))
            return h + i;
    return NULL;
}

int depot_pubkey_from_pem(const char *pem, size_t len, uint8_t out[DEPOT_PUBKEY_LEN],
                          struct depot_err *err)
{
    /* SubjectPublicKeyInfo of Ed25519 (RFC 8410): SEQUENCE { SEQUENCE {
     * OID 1.3.101.112 }, BIT STRING (0 unused bits) of the 32-byte key }. */
    static const uint8_t prefix[12] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                       0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    static const char begin[] = "-----BEGIN PUBLIC KEY-----", end[] = "-----END PUBLIC KEY-----";
    uint8_t der[64];
    size_t dl = 0;

    if (err)
        err->msg[0] = '\0';
    if (!pem || len > 16384)
        return depot_fail(err, DEPOT_EINVAL, "no public key, or one over 16 KiB");
    if (find(pem, len, "PRIVATE KEY"))
        return depot_fail(err, DEPOT_EINVAL,
                          "that is a private key: configure the public key (goa key show FILE)");
    const char *b = find(pem, len, begin);
    const char *e = b ? find(b, len - (size_t)(b - pem), end) : NULL;
    if (!b || !e)
        return depot_fail(err, DEPOT_EINVAL,
                          "not a PEM public key (no BEGIN/END PUBLIC KEY lines): use the output "
                          "of goa key show");
    b += sizeof begin - 1;
    if (b64(b, (size_t)(e - b), der, sizeof der, &dl) || dl != 44 ||
        memcmp(der, prefix, sizeof prefix))
        return depot_fail(err, DEPOT_EINVAL,
                          "the PEM public key is not an Ed25519 key: depot users sign with "
                          "Ed25519 (goa key create)");
    memcpy(out, der + sizeof prefix, DEPOT_PUBKEY_LEN);
    return DEPOT_OK;
}
