/* SPDX-License-Identifier: MIT */
/* goa hash: print the SHA-256 of files and the tree hash of directories.
 *
 * The porter's tool for filling in sha256 and tree_sha256 in goa.yaml; it
 * uses exactly the functions import verifies with.
 */
#include "cmd.h"
#include "hash.h"
#include "util.h"

#include <stdio.h>

int goa_cmd_hash(int argc, char **argv)
{
    int rc = 0;

    if (goa_want_help(argc, argv))
        return 0;
    if (argc < 2) {
        goa_help("hash");
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        char hex[GOA_HEX_LEN];
        int dir = goa_isdir(argv[i]);
        if (dir ? goa_tree_hash(argv[i], hex) : goa_sha256_file(argv[i], hex)) {
            goa_error(argv[i], "check the path", "cannot hash: %m");
            rc = 1;
            continue;
        }
        printf("%s  %s  %s\n", hex, dir ? "tree" : "file", argv[i]);
    }
    return rc;
}
