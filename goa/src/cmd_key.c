/* SPDX-License-Identifier: MIT */
/* goa key: create an Ed25519 signing key, or show its public half.
 *
 * `goa key create FILE` writes FILE (PKCS#8 PEM, 0600) and FILE.pub; the
 * public key is what a registry operator adds with `kide-registry key add`
 * and what installers find in depots/<user>/pubkey.
 */
#include "cmd.h"
#include "sign.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int goa_cmd_key(int argc, char **argv)
{
    if (goa_want_help(argc, argv))
        return 0;
    if (argc != 3 || (strcmp(argv[1], "create") && strcmp(argv[1], "show"))) {
        goa_error("key", "run 'goa key create FILE' or 'goa key show FILE'", "bad arguments");
        return 2;
    }
    if (!strcmp(argv[1], "create")) {
        if (goa_key_create(argv[2]))
            return 1;
        goa_info("goa: wrote private key %s (mode 0600) and public key %s.pub", argv[2], argv[2]);
        return 0;
    }
    char *pem;
    if (goa_key_public_pem(argv[2], &pem))
        return 1;
    fputs(pem, stdout);
    free(pem);
    return 0;
}
