/* SPDX-License-Identifier: MIT */
/* Rows of a component table from watch samples (or state reports), and CPU rates.
 *
 * The agent's counters are cumulative (CPU ns since start, restarts); a rate
 * needs two samples. CPU% = delta(cpu.ns) / delta(time_ns) * 100, per
 * component, so a component using one whole CPU shows 100 (more on several
 * CPUs). A counter that went backwards (the component restarted between the
 * samples) counts from zero. Rows point into the cJSON sample they came from:
 * they live as long as that sample.
 */
#ifndef KUORI_SAMPLE_H
#define KUORI_SAMPLE_H

#include <stdint.h>

#include <cjson/cJSON.h>

/** One component of a sample, validated (missing numbers are 0). */
struct kuori_row {
    const char *name;   /**< the component's name */
    const char *state;  /**< its state ("running", ...; "?" if absent) */
    double cpu_pct;     /**< CPU% between the two samples, -1 without a previous sample */
    uint64_t cpu_ns;    /**< cumulative CPU ns */
    uint64_t cpu_quota; /**< CPU quota percent */
    uint64_t ram_used, ram_quota, caps_used, caps_quota, restarts, uptime_ns;
};

/** CPU percent between two cumulative readings; 0 when no time passed. */
double kuori_cpu_percent(uint64_t ns0, uint64_t ns1, uint64_t t0, uint64_t t1);

/**
 * Rows of @p cur ("components" of a watch sample or "children" of a state
 * report), with CPU% against @p prev (may be NULL). Returns the number of
 * rows (malloc'd into *rows) or -1 if @p cur is not a sample.
 */
int kuori_sample_rows(const cJSON *prev, const cJSON *cur, struct kuori_row **rows);

/** Add "cpu_percent" to each component of @p cur (for -o json/yaml). */
void kuori_sample_annotate(cJSON *cur, const cJSON *prev);

/** A number field of @p o at a dotted path ("ram.used"), 0 when absent or not a number >= 0. */
uint64_t kuori_num(const cJSON *o, const char *path);

#endif
