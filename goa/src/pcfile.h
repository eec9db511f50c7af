/* SPDX-License-Identifier: MIT */
/* goa: pkg-config files made relocatable for the depot.
 *
 * Upstream installs .pc files for prefix /usr. An api archive is unpacked
 * anywhere, so goa rewrites them: "prefix=..." becomes
 * "prefix=${pcfiledir}/../.." (the file lives in <archive>/lib/pkgconfig) and
 * any other variable whose value starts with /usr is made relative to
 * ${prefix}. Fields (Name:, Libs:, ...) are kept as they are.
 */
#ifndef GOA_PCFILE_H
#define GOA_PCFILE_H

/** The relocatable form of the .pc text TEXT (a fresh string). */
char *goa_pc_relocate(const char *text);

#endif
