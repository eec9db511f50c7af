/* SPDX-License-Identifier: MIT */
/* The request-path parser: which resource a URL names.
 *
 * Archive paths are those of a static depot mirror,
 * /<user>/<type>/<name>/<version>.tar.xz and .tar.xz.sig, plus
 * /<user>/<type>/<name>/<version>/yank and /unyank. Everything else the
 * registry serves lives under /-/, which no user name can start with:
 * /-/index/<user>, /-/index/<user>/<type>/<name>, /-/latest/<user>/<type>/<name>,
 * /-/keys/<user>, /-/keys/<user>/<key-id>.pem, /-/search and /-/health.
 *
 * The parser gets the path after libmicrohttpd's percent-decoding. It never
 * builds file names: every component is validated against the depot rules
 * (valid.h), so "..", NUL, backslashes, repeated or encoded slashes and
 * over-long components are rejected whatever their original encoding.
 */
#ifndef REG_PATH_H
#define REG_PATH_H

#include "valid.h"

/** Longest URL path the parser accepts. */
#define REG_PATH_MAX 1024
/** Length of a key id in hex characters. */
#define REG_KEY_ID_LEN 16

/** The resource a path names. */
enum reg_route {
    REG_R_ARCHIVE,    /**< /<u>/<t>/<n>/<v>.tar.xz */
    REG_R_SIG,        /**< /<u>/<t>/<n>/<v>.tar.xz.sig */
    REG_R_YANK,       /**< /<u>/<t>/<n>/<v>/yank */
    REG_R_UNYANK,     /**< /<u>/<t>/<n>/<v>/unyank */
    REG_R_INDEX_USER, /**< /-/index/<u> */
    REG_R_INDEX_NAME, /**< /-/index/<u>/<t>/<n> */
    REG_R_LATEST,     /**< /-/latest/<u>/<t>/<n> */
    REG_R_KEYS,       /**< /-/keys/<u> */
    REG_R_KEY_PEM,    /**< /-/keys/<u>/<id>.pem */
    REG_R_SEARCH,     /**< /-/search */
    REG_R_HEALTH,     /**< /-/health */
};

/** A parsed request path; unused fields are empty strings. */
struct reg_path {
    enum reg_route route;            /**< which resource */
    char user[REG_USER_MAX + 1];     /**< depot user */
    char type[REG_TYPE_MAX + 1];     /**< archive type, e.g. "bin/x86_64" */
    char name[REG_NAME_MAX + 1];     /**< archive name */
    char version[REG_NAME_MAX + 1];  /**< archive version */
    char key_id[REG_KEY_ID_LEN + 1]; /**< key id for REG_R_KEY_PEM */
};

/**
 * Parse the n bytes of a decoded URL path into p.
 * Returns 0, -EINVAL if a component is malformed (HTTP 400) or -ENOENT if the
 * path is well-formed but names no resource (HTTP 404).
 */
int reg_path_parse(const char *url, size_t n, struct reg_path *p);

#endif
