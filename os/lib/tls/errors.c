/* SPDX-License-Identifier: MIT */
/* ktls: why a connection failed, in words an operator can act on.
 * BearSSL reports a number (br_ssl_engine_last_error); x509.c may have
 * recorded a reason of its own for refusing a certificate, which wins. */
#include <kide/ktls.h>

struct reason {
    int err;
    const char *text;
};

static const struct reason REASONS[] = {
        {BR_ERR_BAD_PARAM, "malformed handshake message"},
        {BR_ERR_BAD_STATE, "TLS engine in a bad state"},
        {BR_ERR_UNSUPPORTED_VERSION, "client does not speak TLS 1.2"},
        {BR_ERR_BAD_VERSION, "record with the wrong TLS version"},
        {BR_ERR_BAD_LENGTH, "record with a bad length"},
        {BR_ERR_TOO_LARGE, "record too large"},
        {BR_ERR_BAD_MAC, "record authentication failed (corrupted or forged data)"},
        {BR_ERR_NO_RANDOM, "no randomness (ktls_rng not seeded)"},
        {BR_ERR_UNKNOWN_TYPE, "record of an unknown type"},
        {BR_ERR_UNEXPECTED, "unexpected handshake message (not TLS, or out of order)"},
        {BR_ERR_BAD_CCS, "bad ChangeCipherSpec"},
        {BR_ERR_BAD_ALERT, "bad alert"},
        {BR_ERR_BAD_HANDSHAKE,
         "no shared cipher (TLS 1.2 ECDHE-ECDSA, P-256, AES-GCM or ChaCha20-Poly1305 needed)"},
        {BR_ERR_OVERSIZED_ID, "oversized session ID"},
        {BR_ERR_BAD_CIPHER_SUITE, "no shared cipher"},
        {BR_ERR_BAD_COMPRESSION, "client requires compression"},
        {BR_ERR_BAD_FRAGLEN, "bad maximum fragment length"},
        {BR_ERR_BAD_SECRENEG, "bad secure renegotiation"},
        {BR_ERR_EXTRA_EXTENSION, "unexpected extension"},
        {BR_ERR_BAD_SNI, "bad server name"},
        {BR_ERR_LIMIT_EXCEEDED, "handshake message too large"},
        {BR_ERR_BAD_FINISHED, "bad Finished message (handshake tampered with)"},
        {BR_ERR_INVALID_ALGORITHM, "client used an algorithm it did not negotiate"},
        {BR_ERR_BAD_SIGNATURE, "client's CertificateVerify does not match its certificate's key"},
        {BR_ERR_WRONG_KEY_USAGE, "client certificate's key may not sign"},
        {BR_ERR_NO_CLIENT_AUTH, "client sent no certificate"},
        {BR_ERR_IO, "I/O error"},
        {BR_ERR_X509_EMPTY_CHAIN, "client sent an empty certificate chain"},
        {BR_ERR_X509_WRONG_KEY_TYPE, "client certificate is not a P-256 ECDSA key"},
        {BR_ERR_X509_BAD_SIGNATURE,
         "client certificate's signature does not verify: not issued by this agent"},
        {BR_ERR_X509_TIME_UNKNOWN, "no time for the certificate check"},
        {BR_ERR_X509_EXPIRED, "client certificate expired or not yet valid"},
        {BR_ERR_X509_DN_MISMATCH, "certificate chain's names do not link"},
        {BR_ERR_X509_CRITICAL_EXTENSION,
         "client certificate has an unsupported critical extension"},
        {BR_ERR_X509_NOT_CA, "certificate not issued by this agent (issuer is no CA)"},
        {BR_ERR_X509_FORBIDDEN_KEY_USAGE, "client certificate's key usage forbids TLS"},
        {BR_ERR_X509_WEAK_PUBLIC_KEY, "client certificate's key is too weak"},
        {BR_ERR_X509_NOT_TRUSTED, "certificate not issued by this agent"},
        {BR_ERR_X509_LIMIT_EXCEEDED, "client certificate chain too long"},
        {BR_ERR_X509_UNSUPPORTED, "client certificate uses an unsupported algorithm"},
};

const char *ktls_error(const struct ktls_server *s)
{
    int err = br_ssl_engine_last_error(&s->sc.eng);

    if (err == BR_ERR_OK)
        return "";
    if (s->x509.why)
        return s->x509.why;
    for (size_t i = 0; i < sizeof REASONS / sizeof REASONS[0]; i++)
        if (REASONS[i].err == err)
            return REASONS[i].text;
    if (err > BR_ERR_X509_OK && err < BR_ERR_X509_OK + 32)
        return "malformed client certificate";
    if (err >= BR_ERR_RECV_FATAL_ALERT && err < BR_ERR_RECV_FATAL_ALERT + 256)
        return err == BR_ERR_RECV_FATAL_ALERT + 42 || err == BR_ERR_RECV_FATAL_ALERT + 48
                       ? "client refused this agent's certificate (fatal alert; check its pin)"
                       : "client sent a fatal alert";
    /* BearSSL's server fails with handshake_failure (40) when it finds no
     * suite or curve in common, protocol_version (70) for old clients. */
    if (err == BR_ERR_SEND_FATAL_ALERT + 40)
        return "no shared cipher: the client must offer TLS 1.2 ECDHE-ECDSA on P-256 with "
               "AES-GCM or ChaCha20-Poly1305";
    if (err == BR_ERR_SEND_FATAL_ALERT + 70)
        return "client does not speak TLS 1.2";
    if (err >= BR_ERR_SEND_FATAL_ALERT && err < BR_ERR_SEND_FATAL_ALERT + 256)
        return "handshake refused (fatal alert sent to the client)";
    return "TLS error";
}
