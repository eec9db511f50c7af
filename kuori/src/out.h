/* SPDX-License-Identifier: MIT */
/* Output: aligned tables, JSON and YAML from one cJSON value.
 *
 * Data goes to stdout, messages to stderr (err.c). Colour only when stdout is
 * a terminal and NO_COLOR is unset (https://no-color.org): kuori_out_color()
 * decides once. A table owns copies of its cells; widths are computed when it
 * is printed, so a long value never cuts another column.
 */
#ifndef KUORI_OUT_H
#define KUORI_OUT_H

#include <stdio.h>

#include <cjson/cJSON.h>

enum kuori_fmt { KUORI_FMT_TABLE, KUORI_FMT_JSON, KUORI_FMT_YAML };

#define KUORI_TABLE_COLS 12

/** A table being built. */
struct kuori_table {
    int ncols;                         /**< columns */
    const char *hdr[KUORI_TABLE_COLS]; /**< column headers (static strings) */
    char **cells;                      /**< nrows * ncols owned strings */
    int nrows, cap;                    /**< rows in use, allocated */
};

/** 1 if coloured output is wanted on @p f (a TTY and no NO_COLOR). */
int kuori_out_color(FILE *f);
/** Parse "table", "json", "yaml"; -1 if none of those. */
int kuori_fmt_parse(const char *s);

/** Start a table with @p ncols columns named by @p hdr. */
void kuori_table_init(struct kuori_table *t, int ncols, const char *const *hdr);
/** Append a row of ncols strings (copied; NULL prints as "-"). */
void kuori_table_row(struct kuori_table *t, const char *const *cells);
/** Sort rows by column @p col (numeric if @p numeric, descending if @p desc). */
void kuori_table_sort(struct kuori_table *t, int col, int numeric, int desc);
/** Print with aligned columns; headers bold, when @p color. */
void kuori_table_print(const struct kuori_table *t, FILE *f, int color);
/** Free the cells. */
void kuori_table_free(struct kuori_table *t);

/** One JSON document on one line. */
void kuori_out_json(FILE *f, const cJSON *v);
/** A YAML document (block style; strings double-quoted as in JSON). */
void kuori_out_yaml(FILE *f, const cJSON *v);
/** Print @p v as json or yaml (for streams: json one line each, yaml "---" separated). */
void kuori_out_value(FILE *f, int fmt, const cJSON *v);

#endif
