/* SPDX-License-Identifier: MIT */
/* The registry configuration: one flat YAML mapping of scalar keys.
 *
 * A configuration starts from defaults (reg_config_defaults) and every key in
 * the file overrides one field. Unknown keys, non-scalar values, duplicate
 * keys and out-of-range numbers are errors, so a typo never silently falls
 * back to a default. Sizes accept the suffixes K, M and G (powers of 1024).
 * The parsed structure owns its strings; reg_config_free releases them.
 */
#ifndef REG_CONFIG_H
#define REG_CONFIG_H

#include <stddef.h>
#include <stdint.h>

/** Everything kide-registry reads from its configuration file. */
struct reg_config {
    char *listen_host;               /**< address to bind, e.g. "127.0.0.1" or "::1" */
    uint16_t listen_port;            /**< TCP port; 0 picks a free one */
    char *data;                      /**< data directory: blobs, tmp, registry.db */
    char *tls_cert;                  /**< PEM certificate file, or NULL for plain HTTP */
    char *tls_key;                   /**< PEM private key file, or NULL */
    char *access_log;                /**< "-" for stderr, "off", or a file path */
    uint64_t max_archive_bytes;      /**< largest accepted archive */
    uint64_t user_quota_bytes;       /**< stored bytes per user; 0 = unlimited */
    uint32_t max_header_bytes;       /**< per-connection memory for request headers */
    uint32_t request_timeout;        /**< seconds a single request may take */
    uint32_t idle_timeout;           /**< seconds a connection may stay silent */
    uint32_t rate_limit;             /**< requests per second per client; 0 = off */
    uint32_t rate_burst;             /**< requests a client may burst above the rate */
    uint32_t max_connections;        /**< concurrent connections in total */
    uint32_t max_connections_per_ip; /**< concurrent connections per client address */
    uint32_t workers;                /**< 0: a thread per connection; N: N epoll threads */
    uint32_t shutdown_timeout;       /**< seconds SIGTERM waits for in-flight requests */
    uint32_t db_connections;         /**< SQLite connections in the pool */
    uint32_t check_format;           /**< 1: publishes must be .tar.xz (archive.h); 0: any bytes */
};

/** Fill c with the documented defaults; c owns no memory afterwards needing free except strings
 * set. */
void reg_config_defaults(struct reg_config *c);

/**
 * Parse a YAML document of len bytes into c (which must hold defaults).
 * Returns 0, -EINVAL with a message in err, or -ENOMEM.
 */
int reg_config_parse(const char *buf, size_t len, struct reg_config *c, char *err, size_t errlen);

/**
 * Read and parse the file at path into c, starting from defaults. A relative
 * data, tls_cert, tls_key or access_log path is taken relative to the
 * directory of the configuration file. Returns 0 or a negative errno with a
 * message in err.
 */
int reg_config_load(const char *path, struct reg_config *c, char *err, size_t errlen);

/** Release the strings c owns. */
void reg_config_free(struct reg_config *c);

#endif
