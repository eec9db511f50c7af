/* SPDX-License-Identifier: MIT */
/* goa: the goa.yaml schema -- one table that validates and documents.
 *
 * Each field of the project file is one row: its name, its type, whether it
 * is required, an optional value check and a one-line description. The
 * validator walks a libyaml document against the table and reports every
 * unknown field, missing field and badly typed value with its position.
 * `goa schema` prints the table, so the documentation cannot drift from
 * what is enforced.
 */
#ifndef GOA_SCHEMA_H
#define GOA_SCHEMA_H

#include <stdbool.h>
#include <yaml.h>

/** The type of a field's value. */
enum goa_ftype {
    GOA_T_STR,     /**< scalar string */
    GOA_T_INT,     /**< scalar integer */
    GOA_T_BOOL,    /**< true/false */
    GOA_T_STRLIST, /**< sequence of scalars */
    GOA_T_MAP,     /**< mapping with the sub-schema */
    GOA_T_MAPLIST, /**< sequence of mappings with the sub-schema */
};

/** One row of the schema. */
struct goa_field {
    const char *name;                        /**< key in the YAML mapping */
    enum goa_ftype type;                     /**< the value's type */
    bool required;                           /**< missing is an error */
    const struct goa_field *sub;             /**< fields of a map (NULL-name terminated) */
    const char *(*check)(const char *value); /**< NULL or why VALUE is bad */
    const char *doc;                         /**< one line for `goa schema` and the docs */
};

/** The top-level fields of goa.yaml. */
extern const struct goa_field goa_schema_project[];

/**
 * Validate DOC's root against SCHEMA; report each problem with FILE:line:col.
 * Returns the number of problems found (0: valid).
 */
int goa_schema_validate(yaml_document_t *doc, const struct goa_field *schema, const char *file);

/** Print the schema as an indented table (for `goa schema`). */
void goa_schema_print(const struct goa_field *schema, int indent);

#endif
