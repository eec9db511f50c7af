/* SPDX-License-Identifier: MIT */
/* goa: the staging tree -- classifying installed files into bin, api, doc and dbg.
 *
 * See stage.c for the rules. The four output trees are var/<kind>/<arch>/,
 * each the content of one depot archive (bin/<arch>/<name>, api/<name>,
 * raw/<name>-doc, bin/<arch>/<name>-dbg).
 */
#ifndef GOA_STAGE_H
#define GOA_STAGE_H

/** How many files went where. */
struct goa_stage_counts {
    unsigned bin;      /**< files in the bin tree */
    unsigned api;      /**< headers, static libraries, .pc files */
    unsigned doc;      /**< manual pages and documentation */
    unsigned stripped; /**< programs and libraries whose debug information was split off */
    unsigned dropped;  /**< libtool and CMake package files left out */
};

/**
 * Sort the files of TREE into VAR/{bin,api,doc,dbg}/ARCH (replacing what was
 * there), stripping programs and static libraries if STRIP. 0, or -1 after
 * reporting.
 */
int goa_stage_split(const char *tree, const char *var, const char *arch, int strip,
                    struct goa_stage_counts *n);

#endif
