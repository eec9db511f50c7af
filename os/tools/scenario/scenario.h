/* SPDX-License-Identifier: MIT */
/* kide-scenario: a boot scenario (YAML) loaded, validated and emitted as JSON.
 *
 * A scenario moves through two steps: scn_load() parses the YAML with
 * libyaml, checks the form of every field (mappings, lists, known keys, numbers,
 * sizes, durations, names) and builds the model below, then writes init.json
 * and has hoitaja's own validator (os/hoitaja/config.c, compiled in) judge it:
 * ranges, alignments, sums, nesting and every limit of <kide/limits.h> are that
 * validator's, and its message is reported at the YAML line it is about. The
 * first problem stops it. The scn_write_*() functions turn a valid model into
 * init.json (docs/formats/hoitaja-config.md), modules.txt and expect.txt. The
 * model owns the libyaml document, whose `config` subtrees are passed through
 * to JSON unchanged in structure.
 */
#ifndef KIDE_SCENARIO_H
#define KIDE_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <yaml.h>

#include <kide/limits.h>

#define SCN_NAME_MAX         KIDE_NAME_MAX /**< names: [a-z][a-z0-9-]{0,31} */
#define SCN_CONFIG_DEPTH     16 /**< container nesting of a child's config (itself = 1) */
#define SCN_NODES_MAX        KIDE_NODES_MAX /**< NUMA nodes the kernel reports: machine.numa 1..8 */
#define SCN_MACHINE_CPUS_MAX 64             /**< machine.cpus: the CPUs QEMU is given */
#define SCN_QEMU_ARGS_MAX    8 /**< machine.devices and machine.netdevs: entries each */
/** Bytes of one such entry: room for a user netdev with eight hostfwd rules
 *  (`hostfwd=tcp:127.0.0.1:NNNNN-10.0.2.15:NNNNN,` is at most 44 bytes each). */
#define SCN_QEMU_ARG_LEN 400
/** machine.cpu: bytes of a QEMU CPU model ("max", "qemu64,+rdrand,+rdseed"). */
#define SCN_CPU_MODEL_LEN 64

/** Route destination. */
enum scn_to { SCN_TO_PARENT, SCN_TO_CHILD, SCN_TO_DENIED };
/** Restart policy. */
enum scn_restart { SCN_RESTART_NEVER, SCN_RESTART_ON_FAILURE, SCN_RESTART_ALWAYS };
/** Expected outcome of a test scenario. */
enum scn_exit { SCN_EXIT_NONE, SCN_EXIT_SUCCESS, SCN_EXIT_FAILURE };

/** One session route of a child. */
struct scn_route {
    char service[SCN_NAME_MAX + 1]; /**< service name or "*" */
    enum scn_to to;                 /**< where requests go */
    char child[SCN_NAME_MAX + 1];   /**< the sibling named by `child` ("" without one) */
};

struct scn_habitat;

/** One child of a habitat. Numbers are as written (hoitaja's validator judges
 *  their ranges on the emitted init.json). */
struct scn_child {
    char name[SCN_NAME_MAX + 1];        /**< unique within its habitat */
    char binary[SCN_NAME_MAX + 1];      /**< boot module name ("" for a POSIX child) */
    uint64_t ram;                       /**< RAM quota in bytes */
    uint64_t caps;                      /**< capability quota (count) */
    uint64_t cpu_quota;                 /**< percent of the parent's CPU time (of the whole CPU
                                             on another CPU than the parent's), 0..100 */
    uint64_t cpu_priority;              /**< 0..127, higher runs first */
    uint64_t cpu_affinity;              /**< CPU index (has_affinity) */
    bool has_affinity;                  /**< else: the habitat's CPU (default) */
    char (*provides)[SCN_NAME_MAX + 1]; /**< services it announces */
    size_t nprovides;                   /**< entries in provides */
    struct scn_route *routes;           /**< routes, in order */
    size_t nroutes;                     /**< entries in routes */
    enum scn_restart restart;           /**< restart policy */
    uint64_t backoff_ms;                /**< first restart delay */
    uint64_t max_backoff_ms;            /**< cap of the doubling delay */
    uint64_t heartbeat_ms;              /**< heartbeat period, 0 = none */
    bool devices;                       /**< may drive hardware (I/O ports, IRQs) */
    bool platform;                      /**< devices: platform (PCI configuration too) */
    uint64_t ram_node;                  /**< NUMA node its RAM comes from first (has_ram_node) */
    bool has_ram_node;                  /**< ram_node was given */
    const char *args;            /**< its kide_args() string (in the document), "" for none */
    yaml_node_t *config;         /**< config mapping (in the document) or NULL */
    yaml_node_t *posix;          /**< posix mapping (a POSIX child; binary then "") or NULL */
    bool config_live;            /**< config_live: a config change goes to the running child */
    struct scn_habitat *habitat; /**< nested habitat (binary hoitaja) or NULL */
    int line;                    /**< source line of the child */
};

/** A habitat: the children one hoitaja manages. */
struct scn_habitat {
    yaml_node_t *node;                /**< its mapping in the document (NULL: not loaded) */
    struct scn_child *children;       /**< in file order */
    size_t nchildren;                 /**< entries in children */
    char exit_with[SCN_NAME_MAX + 1]; /**< child whose end ends the habitat, "" for none */
};

/** A whole scenario. */
struct scn {
    char name[SCN_NAME_MAX + 1];     /**< scenario name */
    unsigned cpus;                   /**< machine CPUs */
    uint64_t ram;                    /**< machine RAM in bytes */
    unsigned numa;                   /**< machine.numa: NUMA nodes (1 without the field) */
    char type[8];                    /**< machine.type: "pc", "q35" or "" (QEMU's default) */
    char cpu[SCN_CPU_MODEL_LEN + 1]; /**< machine.cpu: QEMU -cpu model or "" (QEMU's default) */
    char devices[SCN_QEMU_ARGS_MAX][SCN_QEMU_ARG_LEN + 1]; /**< machine.devices: -device args */
    unsigned ndevices;
    char netdevs[SCN_QEMU_ARGS_MAX][SCN_QEMU_ARG_LEN + 1]; /**< machine.netdevs: -netdev args */
    unsigned nnetdevs;
    struct scn_habitat root;    /**< the root habitat */
    bool has_expect;            /**< an expect section is present */
    char **expect_log;          /**< expected log lines, in order */
    size_t nexpect_log;         /**< entries in expect_log */
    enum scn_exit expect_exit;  /**< expected exit */
    uint64_t expect_timeout_ms; /**< time limit of the test */
    yaml_document_t doc;        /**< the parsed YAML (owns config nodes) */
    bool have_doc;              /**< doc must be deleted */
};

/** Why loading failed: "FILE:LINE: MSG" plus a hint. */
struct scn_error {
    int line;       /**< 1-based line, 0 if none */
    char msg[512];  /**< what is wrong */
    char hint[256]; /**< what to try ("" if none) */
};

/**
 * Parse and validate the YAML text[0..len): its form here, then init.json by
 * hoitaja's validator (scn_check_init). Returns 0 and fills *s (free it with
 * scn_free()), or -1 with *err filled (s is then freed already).
 */
int scn_load(struct scn *s, const char *text, size_t len, struct scn_error *err);

/** Release everything scn_load() allocated. */
void scn_free(struct scn *s);

/**
 * init.json of s into a freshly malloc'ed, NUL-terminated buffer (*out).
 * Returns its length or a negative kide_json status.
 */
long scn_write_init(const struct scn *s, char **out);

/**
 * Check init.json (json[0..len), from scn_write_init) as the root hoitaja will
 * at boot: at most KIDE_CONFIG_MAX bytes, and accepted by hoitaja's own
 * validator (os/hoitaja/config.c, compiled in) with the limits the machine of
 * s gives the root habitat. Returns 0, or -1 with *err: hoitaja's message and
 * hint, placed at the YAML line of the value it is about ("child 'h/x': ram
 * must be from 4K to 64T bytes, got 1T" at the line of that ram), or, when the
 * place cannot be found, with no line and hoitaja's own place in init.json.
 */
int scn_check_init(const struct scn *s, const char *json, size_t len, struct scn_error *err);

/** modules.txt: the boot modules, one per line. Returns 0 or -1 (I/O error). */
int scn_write_modules(const struct scn *s, FILE *f);
/** qemu.txt: "type T", "device D" and "netdev N" lines for scenario-run.sh. */
int scn_write_qemu(const struct scn *s, FILE *f);

/** expect.txt: the expectations of a test scenario. Returns 0 or -1. */
int scn_write_expect(const struct scn *s, FILE *f);

#endif
