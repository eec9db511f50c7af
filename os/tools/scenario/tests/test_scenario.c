/* SPDX-License-Identifier: MIT */
/* Unit tests of kide-scenario: the validator on good and bad snippets, and the outputs.
 *
 * Every error the loader can report has a case in bad_cases[] with the line
 * it must name and a piece of the message, so a message that names the wrong
 * line or field fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <kide/json.h>
#include "scenario.h"
#include "hoitaja.h"

/* A complete scenario; the bad cases below are variations of its parts. */
static const char good[] =
        "name: default\n"                                                     /* 1 */
        "machine: {cpus: 2, ram: 256M}\n"                                     /* 2 */
        "habitat:\n"                                                          /* 3 */
        "  children:\n"                                                       /* 4 */
        "    - name: timer\n"                                                 /* 5 */
        "      binary: timer\n"                                               /* 6 */
        "      ram: 2M\n"                                                     /* 7 */
        "      caps: 64\n"                                                    /* 8 */
        "      cpu: {quota: 10, priority: 100}\n"                             /* 9 */
        "      provides: [Timer]\n"                                           /* 10 */
        "      restart: {policy: always, backoff: 100ms, max_backoff: 10s}\n" /* 11 */
        "    - name: tenant-a\n"                                              /* 12 */
        "      binary: hoitaja\n"                                             /* 13 */
        "      ram: 32M\n"                                                    /* 14 */
        "      caps: 500\n"                                                   /* 15 */
        "      cpu: {quota: 30, priority: 50}\n"                              /* 16 */
        "      routes:\n"                                                     /* 17 */
        "        - {service: Timer, to: child, child: timer}\n"               /* 18 */
        "        - {service: LOG, to: parent}\n"                              /* 19 */
        "        - {service: \"*\", to: denied}\n"                            /* 20 */
        "      habitat:\n"                                                    /* 21 */
        "        children:\n"                                                 /* 22 */
        "          - {name: demo, binary: demo-service, ram: 4M, caps: 50, cpu: {quota: 50},\n"
        "             config: {greeting: \"hello\", n: 3, f: -1.5e3, t: true, z: ~, s: '42',\n"
        "                      l: [1, x, {a: b}], yes: yes, hex: 0x10},\n"
        "             heartbeat: 1s}\n"             /* 26 */
        "expect:\n"                                 /* 27 */
        "  log: [\"demo: hello\", \"all: done\"]\n" /* 28 */
        "  exit: success\n"                         /* 29 */
        "  timeout: 2m\n";                          /* 30 */

static void test_good(void **state)
{
    struct scn s;
    struct scn_error err;
    int rc = scn_load(&s, good, strlen(good), &err);
    if (rc)
        fail_msg("line %d: %s", err.line, err.msg);
    assert_string_equal(s.name, "default");
    assert_int_equal(s.cpus, 2);
    assert_true(s.ram == 256ull << 20);
    assert_int_equal(s.root.nchildren, 2);
    const struct scn_child *t = &s.root.children[0], *a = &s.root.children[1];
    assert_true(t->ram == 2u << 20);
    assert_int_equal(t->caps, 64);
    assert_int_equal(t->cpu_quota, 10);
    assert_int_equal(t->cpu_priority, 100);
    assert_int_equal(t->restart, SCN_RESTART_ALWAYS);
    assert_int_equal(t->max_backoff_ms, 10000);
    assert_int_equal(a->nroutes, 3);
    assert_int_equal(a->routes[0].to, SCN_TO_CHILD);
    assert_non_null(a->habitat);
    const struct scn_child *d = &a->habitat->children[0];
    assert_int_equal(d->cpu_priority, 64);
    assert_int_equal(d->heartbeat_ms, 1000);
    assert_int_equal(d->restart, SCN_RESTART_NEVER);
    assert_int_equal(s.nexpect_log, 2);
    assert_int_equal(s.expect_exit, SCN_EXIT_SUCCESS);
    assert_int_equal(s.expect_timeout_ms, 120000);

    /* init.json parses with hoitaja's default limits and carries the values */
    char *json;
    long n = scn_write_init(&s, &json);
    assert_true(n > 0);
    static struct kide_json_tok tok[512];
    struct kide_json_doc doc;
    struct kide_json_error jerr;
    assert_int_equal(kide_json_parse(&doc, json, (size_t)n, tok, 512, NULL, &jerr), 0);
    int64_t v;
    assert_int_equal(kide_json_get_i64(&doc, kide_json_find(&doc, 0, "generation"), &v), 0);
    assert_int_equal(v, 1);
    int ch = kide_json_first(&doc, kide_json_find(&doc, 0, "children"));
    assert_true(kide_json_str_eq(&doc, kide_json_find(&doc, ch, "name"), "timer"));
    assert_int_equal(kide_json_get_i64(&doc, kide_json_find(&doc, ch, "ram"), &v), 0);
    assert_int_equal(v, 2 << 20);
    int rs = kide_json_find(&doc, ch, "restart");
    assert_true(kide_json_str_eq(&doc, kide_json_find(&doc, rs, "policy"), "always"));
    int ten = kide_json_next(&doc, ch);
    int hab = kide_json_find(&doc, ten, "habitat");
    int demo = kide_json_first(&doc, kide_json_find(&doc, hab, "children"));
    int cfg = kide_json_find(&doc, demo, "config");
    assert_true(kide_json_str_eq(&doc, kide_json_find(&doc, cfg, "greeting"), "hello"));
    assert_int_equal(kide_json_type(&doc, kide_json_find(&doc, cfg, "n")), KIDE_JSON_NUMBER);
    assert_int_equal(kide_json_type(&doc, kide_json_find(&doc, cfg, "f")), KIDE_JSON_NUMBER);
    assert_int_equal(kide_json_type(&doc, kide_json_find(&doc, cfg, "t")), KIDE_JSON_TRUE);
    assert_int_equal(kide_json_type(&doc, kide_json_find(&doc, cfg, "z")), KIDE_JSON_NULL);
    assert_true(kide_json_str_eq(&doc, kide_json_find(&doc, cfg, "s"), "42"));
    assert_true(kide_json_str_eq(&doc, kide_json_find(&doc, cfg, "yes"), "yes"));
    assert_true(kide_json_str_eq(&doc, kide_json_find(&doc, cfg, "hex"), "0x10"));
    assert_int_equal(kide_json_get_i64(&doc, kide_json_find(&doc, demo, "heartbeat_ms"), &v), 0);
    assert_int_equal(v, 1000);
    int routes = kide_json_find(&doc, ten, "routes");
    int r0 = kide_json_first(&doc, routes);
    assert_true(kide_json_str_eq(&doc, kide_json_find(&doc, r0, "child"), "timer"));
    int r1 = kide_json_next(&doc, r0);
    assert_int_equal(kide_json_find(&doc, r1, "child"), KIDE_JSON_ENOENT);
    /* devices is written for every child, false by default */
    assert_int_equal(kide_json_type(&doc, kide_json_find(&doc, ch, "devices")), KIDE_JSON_FALSE);
    assert_int_equal(kide_json_type(&doc, kide_json_find(&doc, ten, "devices")), KIDE_JSON_FALSE);
    assert_int_equal(kide_json_type(&doc, kide_json_find(&doc, demo, "devices")), KIDE_JSON_FALSE);
    assert_false(t->devices);
    free(json);

    /* modules.txt and expect.txt */
    char *buf;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(scn_write_modules(&s, f), 0);
    fclose(f);
    assert_string_equal(buf, "hoitaja init.json\ntimer\ndemo-service\n");
    free(buf);
    f = open_memstream(&buf, &len);
    assert_int_equal(scn_write_expect(&s, f), 0);
    fclose(f);
    assert_string_equal(buf, "timeout_ms 120000\nexit success\nlog demo: hello\nlog all: done\n");
    free(buf);
    scn_free(&s);
}

static void test_minimal(void **state)
{
    const char *y = "name: m\nmachine: {cpus: 1, ram: 1G}\nhabitat: {children: []}\n";
    struct scn s;
    struct scn_error err;
    assert_int_equal(scn_load(&s, y, strlen(y), &err), 0);
    assert_false(s.has_expect);
    char *json;
    long n = scn_write_init(&s, &json);
    assert_true(n > 0);
    assert_string_equal(json, "{\n  \"generation\": 1,\n  \"children\": []\n}");
    free(json);
    scn_free(&s);
}

/* Strip the whitespace init.json carries outside strings (it is written one member
 * per line), so checks can name compact fragments. */
static void compact(char *json)
{
    bool str = false;
    char *o = json;
    for (char *p = json; *p; p++) {
        if (str && *p == '\\') {
            *o++ = *p++;
        } else if (*p == '"') {
            str = !str;
        } else if (!str && (*p == ' ' || *p == '\n')) {
            continue;
        }
        *o++ = *p;
    }
    *o = 0;
}

/* Base text for child-level cases: one child whose line 5 onwards is replaced. */
#define HEAD         "name: t\nmachine: {cpus: 1, ram: 64M}\nhabitat:\n  children:\n"
#define CHILD(extra) "    - {name: c, binary: b, ram: 1M, caps: 100, cpu: {quota: 10}" extra "}\n"

struct bad {
    const char *yaml;
    int line;
    const char *msg; /* substring of the message */
};

static const struct bad bad_cases[] = {
        /* document level */
        {"", 0, "the file is empty"},
        {"name: [\n", 2, "malformed YAML"},
        {"a: *x\n", 1, "YAML aliases are not supported"},
        {"a: &x 1\nb: *x\n", 2, "YAML aliases are not supported"},
        {"name: a\n---\nname: b\n", 2, "more than one YAML document"},
        {"- 1\n", 1, "scenario must be a mapping, got a list"},
        {"name: t\nmachin: {}\n", 2, "scenario: unknown field 'machin'"},
        {"name: t\nname: u\n", 2, "scenario: field 'name' appears twice"},
        {"? [a]\n: 1\n", 1, "scenario: keys must be plain names"},
        {"machine: {cpus: 1, ram: 64M}\nhabitat: {children: []}\n", 1,
         "scenario: missing required field 'name'"},
        {"name: Big\n", 1, "scenario: name 'Big' must start with a lowercase letter"},
        {"name: \"a\\0b\"\n", 1, "contains a NUL character"},
        {"name: abcdefghijabcdefghijabcdefghijabc\n", 1,
         "scenario: name 'abcdefghijabcdefghijabcdefghijabc' is 33 bytes, at most 32"},
        {"name: 1abc\n", 1, "name '1abc' must start with a lowercase letter"},
        {"name: t\nhabitat: {children: []}\n", 1, "missing required field 'machine'"},
        {"name: t\nmachine: {cpus: 1, ram: 64M}\n", 1, "missing required field 'habitat'"},
        /* machine */
        {"name: t\nmachine: {cpus: 0, ram: 64M}\n", 2,
         "machine: cpus must be an integer from 1 to 64, got '0'"},
        {"name: t\nmachine: {cpus: 65, ram: 64M}\n", 2, "from 1 to 64"},
        {"name: t\nmachine: {cpus: -1, ram: 64M}\n", 2,
         "machine: cpus must be an integer, got '-1'"},
        {"name: t\nmachine: {cpus: 99999999999999999999999, ram: 64M}\n", 2,
         "machine: cpus '99999999999999999999999' is too large (more than 64 bits)"},
        {"name: t\nmachine: {cpus: [1], ram: 64M}\n", 2, "cpus must be a single value, got a list"},
        {"name: t\nmachine: {cpus: 1, ram: lots}\n", 2,
         "machine: ram must be a size like 4M, got 'lots'"},
        {"name: t\nmachine: {cpus: 1, ram: 0}\n", 2, "machine: ram must be at least 32M, got '0'"},
        {"name: t\nmachine: {cpus: 1, ram: 4P}\n", 2, "must be a size"},
        {"name: t\nmachine: {cpus: 1, ram: M}\n", 2, "must be a size"},
        {"name: t\nmachine: {cpus: 1, ram: 99999999999G}\n", 2, "must be a size"},
        {"name: t\nmachine: {cpus: 1}\n", 2, "machine: missing required field 'ram'"},
        {"name: t\nmachine: {cpus: 1, ram: 64M, disk: 1G}\n", 2, "machine: unknown field 'disk'"},
        {"name: t\nmachine: 4\n", 2, "machine must be a mapping, got '4'"},
        /* habitat */
        {HEAD "  kids: []\n", 5, "habitat: unknown field 'kids'"},
        {"name: t\nmachine: {cpus: 1, ram: 64M, type: isapc}\nhabitat: {children: []}\n", 2,
         "machine: type must be one of pc, q35, got 'isapc'"},
        {"name: t\nmachine: {cpus: 1, ram: 64M, cpu: \"max -s\"}\nhabitat: {children: []}\n", 2,
         "machine: cpu 'max -s' is not a QEMU CPU model"},
        {"name: t\nmachine: {cpus: 1, ram: 64M, cpu: \"\"}\nhabitat: {children: []}\n", 2,
         "machine: cpu '' is not a QEMU CPU model"},
        {"name: t\nmachine: {cpus: 1, ram: 64M, cpu: [max]}\nhabitat: {children: []}\n", 2,
         "cpu must be a single value, got a list"},
        {"name: t\nmachine: {cpus: 1, ram: 64M, devices: \"e1000\"}\nhabitat: {children: []}\n", 2,
         "machine: devices must be a list"},
        {"name: t\nmachine: {cpus: 1, ram: 64M, devices: [\"e1000 -s\"]}\nhabitat: {children: "
         "[]}\n",
         2, "machine: devices entry 1 'e1000 -s' is not one QEMU argument"},
        {"name: t\nmachine: {cpus: 1, ram: 64M, netdevs: [a, b, c, d, e, f, g, h, i]}\nhabitat: "
         "{children: []}\n",
         2, "machine: netdevs has 9 entries, at most 8"},
        {"name: t\nmachine: {cpus: 1, ram: 64M}\nhabitat: {}\n", 3,
         "habitat: missing required field 'children'"},
        {"name: t\nmachine: {cpus: 1, ram: 64M}\nhabitat: {children: 3}\n", 3,
         "children must be a list, got a scalar"},
        {HEAD "    - 3\n", 5, "child must be a mapping, got a scalar"},
        {HEAD "    - {binary: b}\n", 5, "child without a name"},
        {HEAD "    - {name: C}\n", 5, "child: name 'C' must start with a lowercase letter"},
        /* child fields */
        {HEAD CHILD(", rma: 1M"), 5, "child 'c': unknown field 'rma'"},
        {HEAD CHILD(", ram: 2M"), 5, "child 'c': field 'ram' appears twice"},
        {HEAD "    - {name: c, ram: 1M, caps: 100, cpu: {quota: 10}}\n", 5,
         "child 'c': missing required field 'binary'"},
        {HEAD "    - {name: c, binary: b, caps: 100, cpu: {quota: 10}}\n", 5,
         "child 'c': missing required field 'ram'"},
        {HEAD "    - {name: c, binary: b, ram: 1M, cpu: {quota: 10}}\n", 5,
         "child 'c': missing required field 'caps'"},
        {HEAD "    - {name: c, binary: b, ram: 1M, caps: 16}\n", 5,
         "child 'c': missing required field 'cpu'"},
        {HEAD "    - {name: c, binary: B, ram: 1M, caps: 16, cpu: {quota: 1}}\n", 5,
         "child 'c': binary 'B' must start with a lowercase letter"},
        {HEAD "    - {name: c, binary: b, ram: lots, caps: 16, cpu: {quota: 1}}\n", 5,
         "child 'c': ram must be a size like 4M, got 'lots'"},
        {HEAD "    - {name: c, binary: b, ram: 1M, caps: 0, cpu: {quota: 1}}\n", 5,
         "child 'c': caps must be an integer from 16 to 1000000, got 0"},
        {HEAD "    - {name: c, binary: b, ram: 1M, caps: 16, cpu: {quota: 101}}\n", 5,
         "child 'c': cpu.quota must be an integer from 0 to 100, got 101"},
        {HEAD "    - {name: c, binary: b, ram: 1M, caps: 16, cpu: {quota: 5%}}\n", 5,
         "cpu.quota must be an integer"},
        {HEAD "    - {name: c, binary: b, ram: 1M, caps: 16, cpu: {quota: 1, priority: 128}}\n", 5,
         "child 'c': cpu.priority must be an integer from 0 to 127, got 128"},
        {HEAD "    - {name: c, binary: b, ram: 1M, caps: 16, cpu: {priority: 1}}\n", 5,
         "child 'c': missing required field 'quota'"},
        {HEAD "    - {name: c, binary: b, ram: 1M, caps: 16, cpu: {quota: 1, share: 2}}\n", 5,
         "child 'c': unknown field 'share'"},
        {HEAD "    - {name: c, binary: b, ram: 1M, caps: 16, cpu: 10}\n", 5,
         "child 'c': cpu must be a mapping, got '10'"},
        {HEAD CHILD(", heartbeat: 1.5s"), 5,
         "child 'c': heartbeat must be a duration like 100ms or 10s, got '1.5s'"},
        {HEAD CHILD(", heartbeat: 10"), 5, "must be a duration"},
        {HEAD CHILD(", heartbeat: 10d"), 5, "must be a duration"},
        {HEAD CHILD(", devices: yes"), 5,
         "child 'c': devices must be one of true, false, platform, got 'yes'"},
        {HEAD CHILD(", devices: 1"), 5,
         "child 'c': devices must be one of true, false, platform, got '1'"},
        {HEAD CHILD(", devices: [true]"), 5,
         "child 'c': devices must be a single value, got a list"},
        {HEAD CHILD(", devices: true, devices: false"), 5,
         "child 'c': field 'devices' appears twice"},
        {HEAD CHILD(", config: 3"), 5, "child 'c': config must be a mapping, got a scalar"},
        {HEAD CHILD(", config: {a: 1, a: 2}"), 5, "child 'c': config key 'a' appears twice"},
        {HEAD CHILD(", config: {[a]: 1}"), 5, "config keys must be strings, got a list"},
        {HEAD CHILD(", config: {\"a\\0\": 1}"), 5, "config key contains a NUL character"},
        {HEAD CHILD(", config: {a: [[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]}"), 5,
         "config nested deeper than 16 levels"},
        /* restart */
        {HEAD CHILD(", restart: {policy: sometimes}"), 5,
         "child 'c': restart.policy must be one of never, on-failure, always, got 'sometimes'"},
        {HEAD CHILD(", restart: {backoff: 1s}"), 5, "child 'c': missing required field 'policy'"},
        {HEAD CHILD(", restart: {policy: always, backoff: 0ms}"), 5,
         "child 'c': restart.backoff_ms must be from 1ms to 24h, got 0ms"},
        {HEAD CHILD(", restart: {policy: always, backoff: 2s, max_backoff: 1s}"), 5,
         "child 'c': restart.max_backoff_ms 1s is below restart.backoff_ms 2s"},
        {HEAD CHILD(", restart: {policy: always, max_backoff: x}"), 5,
         "restart.max_backoff must be a duration"},
        {HEAD CHILD(", restart: {policy: always, retries: 3}"), 5, "unknown field 'retries'"},
        /* provides and routes */
        {HEAD CHILD(", provides: Timer"), 5, "child 'c': provides must be a list, got a scalar"},
        {HEAD CHILD(", provides: [Timer, Timer]"), 5, "child 'c': provides lists 'Timer' twice"},
        {HEAD CHILD(", provides: [\"*\"]"), 5, "child 'c': provides '*' must start with a letter"},
        {HEAD CHILD(", provides: [1x]"), 5, "provides '1x' must start with a letter"},
        {HEAD CHILD(", routes: {}"), 5, "child 'c': routes must be a list, got a mapping"},
        {HEAD CHILD(", routes: [{to: parent}]"), 5, "child 'c': missing required field 'service'"},
        {HEAD CHILD(", routes: [{service: LOG}]"), 5, "child 'c': missing required field 'to'"},
        {HEAD CHILD(", routes: [{service: LOG, to: sibling}]"), 5,
         "child 'c': route to must be one of parent, child, denied, got 'sibling'"},
        {HEAD CHILD(", routes: [{service: LOG, to: child}]"), 5,
         "child 'c': route 'LOG' goes to a child but names none"},
        {HEAD CHILD(", routes: [{service: LOG, to: parent, child: x}]"), 5,
         "child 'c': route 'LOG' names a 'child' but does not go to one"},
        {HEAD CHILD(", routes: [{service: LOG, to: parent, label: x}]"), 5,
         "unknown field 'label'"},
        {HEAD CHILD(", routes: [{service: LOG, to: parent}, {service: LOG, to: denied}]"), 5,
         "child 'c': two routes for service 'LOG'"},
        {HEAD CHILD(", routes: [{service: \"*\", to: denied}, {service: LOG, to: parent}]"), 5,
         "child 'c': route 'LOG' follows the \"*\" route and can never match"},
        {HEAD CHILD(", routes: [{service: T, to: child, child: nobody}]"), 5,
         "child 'c': route 'T' to missing sibling 'nobody'"},
        {HEAD CHILD(", routes: [{service: T, to: child, child: c}]"), 5,
         "child 'c': route 'T' to itself ('c')"},
        {HEAD CHILD("") "    - {name: d, binary: b, ram: 1M, caps: 16, cpu: {quota: 1},\n"
                        "       routes: [{service: Timer, to: child, child: c}]}\n",
         7, "child 'd': route 'Timer' to sibling 'c', which does not provide it"},
        {HEAD CHILD("") CHILD(""), 6, "child 'c': the name is used twice"},
        /* nested habitats */
        {HEAD CHILD(", habitat: {children: []}"), 5,
         "child 'c': 'habitat' on a child that is not a hoitaja"},
        {HEAD "    - {name: h, binary: hoitaja, ram: 1M, caps: 16, cpu: {quota: 1}}\n", 5,
         "child 'h': a child with binary \"hoitaja\" needs a 'habitat'"},
        {HEAD "    - {name: h, binary: hoitaja, ram: 8M, caps: 100, cpu: {quota: 50}, habitat: "
              "{children: [\n"
              "       {name: x, binary: b, ram: 1M, caps: 16, cpu: {quota: 1}, rma: 1}]}}\n",
         6, "child 'h/x': unknown field 'rma'"},
        {HEAD "    - {name: h, binary: hoitaja, ram: 8M, caps: 100, cpu: {quota: 50}, habitat: "
              "{children: [\n"
              "       {name: x, binary: b, ram: 6M, caps: 16, cpu: {quota: 1}},\n"
              "       {name: y, binary: b, ram: 3M, caps: 16, cpu: {quota: 1}}]}}\n",
         7,
         "child 'h/y': the children's ram adds up to 9M with its 3M, more than the habitat's "
         "7156K"},
        {HEAD "    - {name: h, binary: hoitaja, ram: 8M, caps: 100, cpu: {quota: 50}, habitat: "
              "{children: [\n"
              "       {name: x, binary: b, ram: 1M, caps: 90, cpu: {quota: 1}}]}}\n",
         6,
         "child 'h/x': the children's caps add up to 90 with its 90, more than the habitat's 52"},
        {HEAD "    - {name: h, binary: hoitaja, ram: 8M, caps: 100, cpu: {quota: 50}, habitat: "
              "{children: [\n"
              "       {name: x, binary: b, ram: 1M, caps: 16, cpu: {quota: 60}},\n"
              "       {name: y, binary: b, ram: 1M, caps: 16, cpu: {quota: 60}}]}}\n",
         7,
         "child 'h/y': the children's cpu.quota adds up to 120% on cpu 0 with its 60%, more than "
         "the habitat's share (100%)"},
        {HEAD "    - {name: h, binary: hoitaja, ram: 8M, caps: 100, cpu: {quota: 50}, habitat: "
              "{kids: []}}\n",
         5, "habitat of h: unknown field 'kids'"},
        {HEAD "    - {name: a, binary: hoitaja, ram: 8M, caps: 100, cpu: {quota: 1}, habitat: "
              "{children: [\n"
              "      {name: b, binary: hoitaja, ram: 8M, caps: 100, cpu: {quota: 1}, habitat: "
              "{children: [\n"
              "      {name: c, binary: hoitaja, ram: 8M, caps: 100, cpu: {quota: 1}, habitat: "
              "{children: [\n"
              "      {name: d, binary: hoitaja, ram: 8M, caps: 100, cpu: {quota: 1}, habitat: "
              "{children: [\n"
              "      {name: e, binary: hoitaja, ram: 8M, caps: 100, cpu: {quota: 1}, habitat: "
              "{children: [\n"
              "      ]}}]}}]}}]}}]}}\n",
         9, "child 'a/b/c/d/e': habitats nested more than 4 deep"},
        /* devices flow down only through habitats that have them */
        {HEAD "    - {name: h, binary: hoitaja, ram: 8M, caps: 100, cpu: {quota: 50}, habitat: "
              "{children: [\n"
              "       {name: x, binary: b, ram: 1M, caps: 16, cpu: {quota: 1}, devices: true}]}}\n",
         6, "child 'h/x': devices: true, but its habitat 'h' has no device right"},
        {HEAD "    - {name: h, binary: hoitaja, ram: 8M, caps: 100, cpu: {quota: 50}, devices: "
              "false, habitat: {children: [\n"
              "       {name: x, binary: b, ram: 1M, caps: 16, cpu: {quota: 1}, devices: true}]}}\n",
         6, "child 'h/x': devices: true, but its habitat 'h' has no device right"},
        {HEAD
         "    - {name: a, binary: hoitaja, ram: 8M, caps: 200, cpu: {quota: 1}, devices: true,\n"
         "       habitat: {children: [\n"
         "      {name: b, binary: hoitaja, ram: 4M, caps: 100, cpu: {quota: 1}, habitat: "
         "{children: [\n"
         "      {name: c, binary: b, ram: 1M, caps: 16, cpu: {quota: 1}, devices: true}]}}]}}\n",
         8, "child 'a/b/c': devices: true, but its habitat 'a/b' has no device right"},
        /* root sums */
        {HEAD "    - {name: c, binary: b, ram: 65M, caps: 16, cpu: {quota: 1}}\n", 5,
         "child 'c': the children's ram adds up to 65M with its 65M, more than the habitat's "
         "48060K"},
        {HEAD CHILD("") "    - {name: d, binary: b, ram: 1M, caps: 16, cpu: {quota: 91}}\n", 6,
         "child 'd': the children's cpu.quota adds up to 101% on cpu 0 with its 91%, more than the "
         "habitat's share (100%)"},
        /* CPU placement */
        {HEAD CHILD(", args: [a, b]"), 5, "child 'c': args must be a single value, got a list"},
        {HEAD CHILD(", args: \"a\\tb\""), 5, "child 'c': args holds the byte 0x09 at offset 1"},
        {HEAD CHILD(", args: \"\\u00e9\""), 5, "child 'c': args holds the byte 0xc3 at offset 0"},
        {"name: t\nmachine: {cpus: 1, ram: 64M}\nhabitat:\n  exit_with: zz\n  children:\n" CHILD(
                 ""),
         4, "habitat: exit_with names 'zz', which is not a child"},
        {"name: t\nmachine: {cpus: 1, ram: 64M}\nhabitat:\n  exit_with: [c]\n  children:\n" CHILD(
                 ""),
         4, "habitat: exit_with must be a single value"},
        {"name: t\nmachine: {cpus: 1, ram: 64M}\nhabitat:\n  exit_with: Bad\n  children:\n" CHILD(
                 ""),
         4, "habitat: exit_with 'Bad' must start with a lowercase letter"},
        {HEAD
         "    - {name: h, binary: hoitaja, ram: 8M, caps: 100, cpu: {quota: 1}, habitat: "
         "{exit_with: y, children: [{name: x, binary: b, ram: 1M, caps: 16, cpu: {quota: 1}}]}}\n",
         5, "habitat of h: exit_with names 'y', which is not a child"},
#define HEAD2 "name: t\nmachine: {cpus: 2, ram: 64M}\nhabitat:\n  children:\n"
        {HEAD CHILD("") "    - {name: d, binary: b, ram: 1M, caps: 16, cpu: {quota: 1, affinity: "
                        "1}}\n",
         6, "child 'd': cpu.affinity 1, but the machine has 1 CPU"},
        {HEAD2 "    - {name: d, binary: b, ram: 1M, caps: 16, cpu: {quota: 1, affinity: x}}\n", 5,
         "child 'd': cpu.affinity must be an integer, got 'x'"},
        {HEAD2 "    - {name: a, binary: b, ram: 1M, caps: 16, cpu: {quota: 60, affinity: 1}}\n"
               "    - {name: d, binary: b, ram: 1M, caps: 16, cpu: {quota: 60, affinity: 1}}\n",
         6,
         "child 'd': the children's cpu.quota adds up to 120% on cpu 1 with its 60%, more than the "
         "whole CPU (100%)"},
        {HEAD2 "    - {name: a, binary: b, ram: 1M, caps: 16, cpu: {quota: 60}}\n"
               "    - {name: d, binary: b, ram: 1M, caps: 16, cpu: {quota: 60, affinity: 0}}\n",
         6,
         "child 'd': the children's cpu.quota adds up to 120% on cpu 0 with its 60%, more than the "
         "habitat's share (100%)"},
        {HEAD2 "    - {name: a, binary: b, ram: 1M, caps: 16, cpu: {quota: 1, affinity: 1}, "
               "provides: [T]}\n"
               "    - {name: d, binary: b, ram: 1M, caps: 16, cpu: {quota: 1},\n"
               "       routes: [{service: T, to: child, child: a}]}\n",
         7, "child 'd': route 'T' to 'a' on cpu 1 from cpu 0: sessions cannot cross CPUs yet"},
        {HEAD2 "    - {name: h, binary: hoitaja, ram: 8M, caps: 100, cpu: {quota: 50, affinity: "
               "1}, habitat: {children: [\n"
               "       {name: x, binary: b, ram: 1M, caps: 16, cpu: {quota: 1, affinity: 0},\n"
               "        routes: [{service: \"*\", to: parent}]}]}}\n",
         6, "child 'h/x': cpu.affinity 0, but this habitat runs on cpu 1"},
        {HEAD2 "    - {name: h, binary: hoitaja, ram: 8M, caps: 100, cpu: {quota: 50, affinity: "
               "1}, habitat: {children: [\n"
               "       {name: x, binary: b, ram: 1M, caps: 16, cpu: {quota: 60}},\n"
               "       {name: y, binary: b, ram: 1M, caps: 16, cpu: {quota: 60, affinity: 1}}]}}\n",
         7,
         "child 'h/y': the children's cpu.quota adds up to 120% on cpu 1 with its 60%, more than "
         "the habitat's share (100%)"},
        /* NUMA: ram_node as hoitaja checks it, and a node the machine has */
        {HEAD CHILD(", ram_node: 1"), 5, "child 'c': ram_node 1, but the machine has 1 NUMA node"},
        {HEAD2 CHILD(", ram_node: 8"), 5, "child 'c': ram_node must be an integer from 0 to 7"},
        {HEAD2 CHILD(", ram_node: -1"), 5, "child 'c': ram_node must be an integer, got '-1'"},
        {HEAD2 CHILD(", ram_node: [1]"), 5, "child 'c': ram_node must be a single value"},
        {"name: t\nmachine: {cpus: 2, ram: 64M, numa: 3}\nhabitat:\n  children:\n" CHILD(""), 2,
         "machine: numa 3 is more than its 2 CPUs"},
        {"name: t\nmachine: {cpus: 2, ram: 64M, numa: 0}\nhabitat:\n  children:\n" CHILD(""), 2,
         "machine: numa must be an integer from 1 to 8"},
        /* expect */
        {HEAD CHILD("") "expect: {log: x}\n", 6,
         "expect: log must be a list of lines, got a scalar"},
        {HEAD CHILD("") "expect: {log: [[a]]}\n", 6, "expect: log line must be a single value"},
        {HEAD CHILD("") "expect: {log: [\"a\\nb\"]}\n", 6,
         "expect: log line 1 must be one non-empty line"},
        {HEAD CHILD("") "expect: {log: [\"\"]}\n", 6, "must be one non-empty line"},
        {HEAD CHILD("") "expect: {exit: maybe}\n", 6,
         "expect: exit must be one of success, failure, none, got 'maybe'"},
        {HEAD CHILD("") "expect: {timeout: soon}\n", 6, "expect: timeout must be a duration"},
        {HEAD CHILD("") "expect: {output: []}\n", 6, "expect: unknown field 'output'"},
};

static void test_bad(void **state)
{
    int failures = 0;
    for (size_t k = 0; k < sizeof(bad_cases) / sizeof(bad_cases[0]); k++) {
        const struct bad *b = &bad_cases[k];
        struct scn s;
        struct scn_error err;
        int rc = scn_load(&s, b->yaml, strlen(b->yaml), &err);
        if (rc == 0) {
            scn_free(&s);
            print_error("case %zu accepted:\n%s", k, b->yaml);
            failures++;
        } else if (err.line != b->line || !strstr(err.msg, b->msg) || !err.hint[0]) {
            print_error("case %zu: got line %d '%s', want line %d '%s'\n%s", k, err.line, err.msg,
                        b->line, b->msg, b->yaml);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* Placement: per-CPU sums, defaults, the emitted field. */
static void test_affinity(void **state)
{
    const char *y =
            HEAD2 "    - {name: a, binary: b, ram: 1M, caps: 16, cpu: {quota: 100, affinity: 1},\n"
                  "       provides: [T]}\n"
                  "    - {name: c, binary: b, ram: 1M, caps: 16, cpu: {quota: 100},\n"
                  "       routes: [{service: Hoitaja, to: parent}]}\n"
                  "    - {name: h, binary: hoitaja, ram: 8M, caps: 100, cpu: {quota: 0, affinity: "
                  "1}, habitat: {children: [\n"
                  "       {name: x, binary: b, ram: 1M, caps: 16, cpu: {quota: 100},\n"
                  "        routes: [{service: \"*\", to: parent}]},\n"
                  "       {name: y, binary: b, ram: 1M, caps: 16, cpu: {quota: 0, affinity: 1},\n"
                  "        routes: [{service: Hoitaja, to: parent}]}]}}\n";
    struct scn s;
    struct scn_error err;
    (void)state;
    int rc = scn_load(&s, y, strlen(y), &err);
    if (rc)
        fail_msg("line %d: %s", err.line, err.msg);
    assert_true(s.root.children[0].has_affinity);
    assert_int_equal(s.root.children[0].cpu_affinity, 1);
    assert_false(s.root.children[1].has_affinity);
    char *json = NULL;
    assert_true(scn_write_init(&s, &json) > 0);
    compact(json);
    assert_non_null(strstr(json, "\"cpu\":{\"quota\":100,\"priority\":64,\"affinity\":1}"));
    assert_non_null(strstr(json, "\"name\":\"c\",\"binary\":\"b\",\"ram\":1048576,\"caps\":16,"
                                 "\"cpu\":{\"quota\":100,\"priority\":64},"));
    free(json);
    scn_free(&s);
}

/* ram_node on a two-node machine: accepted, inherited by nobody here, emitted. */
static void test_ram_node(void **state)
{
    const char *y = "name: t\nmachine: {cpus: 2, ram: 64M, numa: 2}\nhabitat:\n  children:\n"
                    "    - {name: a, binary: b, ram: 1M, caps: 16, cpu: {quota: 1}, ram_node: 1}\n"
                    "    - {name: c, binary: b, ram: 1M, caps: 16, cpu: {quota: 1}}\n";
    struct scn s;
    struct scn_error err;
    (void)state;
    int rc = scn_load(&s, y, strlen(y), &err);
    if (rc)
        fail_msg("line %d: %s", err.line, err.msg);
    assert_int_equal(s.numa, 2);
    assert_true(s.root.children[0].has_ram_node);
    assert_int_equal(s.root.children[0].ram_node, 1);
    assert_false(s.root.children[1].has_ram_node);
    char *json = NULL;
    assert_true(scn_write_init(&s, &json) > 0);
    compact(json);
    assert_non_null(strstr(json, "\"devices\":false,\"ram_node\":1,"));
    assert_null(strstr(strstr(json, "ram_node") + 1, "ram_node")); /* c has none */
    free(json);
    scn_free(&s);
}

static void test_hints(void **state)
{
    struct scn s;
    struct scn_error err;
    const char *y = HEAD CHILD(", rma: 1M");
    assert_int_equal(scn_load(&s, y, strlen(y), &err), -1);
    assert_non_null(strstr(err.hint, "known fields: name, binary, ram"));
    assert_non_null(strstr(err.hint, "heartbeat, devices, config"));
    y = "name: t\nmachine: {cpus: 1, ram: lots}\n";
    assert_int_equal(scn_load(&s, y, strlen(y), &err), -1);
    assert_non_null(strstr(err.hint, "K, M, G or T"));
}

static void test_values(void **state)
{
    /* sizes and durations in all their forms */
    const char *y = HEAD
            "    - {name: a, binary: b, ram: 512K, caps: 16, cpu: {quota: 0, priority: 0},\n"
            "       restart: {policy: on-failure, backoff: 1ms, max_backoff: 1h}, heartbeat: 0s}\n"
            "    - {name: b, binary: b, ram: \"4096\", caps: 1000000, cpu: {quota: 100, priority: "
            "127},\n"
            "       heartbeat: 2m, provides: [X-1, y_2]}\n";
    struct scn s;
    struct scn_error err;
    int rc = scn_load(&s, y, strlen(y), &err);
    if (rc)
        fail_msg("line %d: %s", err.line, err.msg);
    assert_int_equal(s.root.children[0].ram, 512 * 1024);
    assert_int_equal(s.root.children[0].max_backoff_ms, 3600000);
    assert_int_equal(s.root.children[0].restart, SCN_RESTART_ON_FAILURE);
    assert_int_equal(s.root.children[0].heartbeat_ms, 0);
    assert_int_equal(s.root.children[1].ram, 4096);
    assert_int_equal(s.root.children[1].heartbeat_ms, 120000);
    assert_int_equal(s.root.children[1].nprovides, 2);
    scn_free(&s);
    y = "name: t\nmachine: {cpus: 64, ram: 16G}\nhabitat: {children: []}\n";
    assert_int_equal(scn_load(&s, y, strlen(y), &err), 0);
    assert_true(s.ram == 16ull << 30);
    scn_free(&s);
}

/* devices: true passes down explicitly, habitat by habitat; init.json carries it. */
static void test_devices(void **state)
{
    const char *y = HEAD
            "    - {name: drv, binary: b, ram: 1M, caps: 16, cpu: {quota: 1}, devices: true}\n"
            "    - {name: app, binary: b, ram: 1M, caps: 16, cpu: {quota: 1}, devices: false}\n"
            "    - {name: h, binary: hoitaja, ram: 16M, caps: 200, cpu: {quota: 1}, devices: "
            "true, habitat: {children: [\n"
            "       {name: d, binary: b, ram: 1M, caps: 16, cpu: {quota: 1}, devices: "
            "\"true\"},\n"
            "       {name: g, binary: hoitaja, ram: 4M, caps: 64, cpu: {quota: 1}, habitat: "
            "{children: [\n"
            "         {name: x, binary: b, ram: 1M, caps: 16, cpu: {quota: 1}}]}}]}}\n";
    struct scn s;
    struct scn_error err;
    int rc = scn_load(&s, y, strlen(y), &err);
    if (rc)
        fail_msg("line %d: %s", err.line, err.msg);
    const struct scn_child *h = &s.root.children[2];
    assert_true(s.root.children[0].devices);
    assert_false(s.root.children[1].devices);
    assert_true(h->devices);
    assert_true(h->habitat->children[0].devices);
    assert_false(h->habitat->children[1].devices);
    assert_false(h->habitat->children[1].habitat->children[0].devices);

    char *json;
    long n = scn_write_init(&s, &json);
    assert_true(n > 0);
    static struct kide_json_tok tok[512];
    struct kide_json_doc doc;
    assert_int_equal(kide_json_parse(&doc, json, (size_t)n, tok, 512, NULL, NULL), 0);
    int c0 = kide_json_first(&doc, kide_json_find(&doc, 0, "children"));
    int c1 = kide_json_next(&doc, c0), c2 = kide_json_next(&doc, c1);
    assert_int_equal(kide_json_type(&doc, kide_json_find(&doc, c0, "devices")), KIDE_JSON_TRUE);
    assert_int_equal(kide_json_type(&doc, kide_json_find(&doc, c1, "devices")), KIDE_JSON_FALSE);
    assert_int_equal(kide_json_type(&doc, kide_json_find(&doc, c2, "devices")), KIDE_JSON_TRUE);
    int d = kide_json_first(&doc,
                            kide_json_find(&doc, kide_json_find(&doc, c2, "habitat"), "children"));
    assert_int_equal(kide_json_type(&doc, kide_json_find(&doc, d, "devices")), KIDE_JSON_TRUE);
    int g = kide_json_next(&doc, d);
    int x = kide_json_first(&doc,
                            kide_json_find(&doc, kide_json_find(&doc, g, "habitat"), "children"));
    assert_int_equal(kide_json_type(&doc, kide_json_find(&doc, g, "devices")), KIDE_JSON_FALSE);
    assert_int_equal(kide_json_type(&doc, kide_json_find(&doc, x, "devices")), KIDE_JSON_FALSE);
    free(json);
    scn_free(&s);

    /* The refusal of a nested device right explains itself. */
    y = HEAD "    - {name: h, binary: hoitaja, ram: 8M, caps: 100, cpu: {quota: 1}, habitat: "
             "{children: [\n"
             "       {name: d, binary: b, ram: 1M, caps: 16, cpu: {quota: 1},\n"
             "        devices: true}]}}\n";
    assert_int_equal(scn_load(&s, y, strlen(y), &err), -1);
    assert_int_equal(err.line, 7);
    assert_string_equal(err.msg,
                        "child 'h/d': devices: true, but its habitat 'h' has no device right");
    assert_non_null(strstr(err.hint, "set \"devices\": true on the habitat"));
    y = HEAD CHILD(", devices: yes");
    assert_int_equal(scn_load(&s, y, strlen(y), &err), -1);
    assert_non_null(strstr(err.msg, "must be one of true, false"));
}

/* config_live: loaded, emitted only when true, and checked by hoitaja's validator. */
static void test_config_live(void **state)
{
    (void)state;
    const char *y = HEAD
            "    - {name: rtr, binary: b, ram: 1M, caps: 16, cpu: {quota: 1}, config_live: true,\n"
            "       config: {a: 1}}\n"
            "    - {name: app, binary: b, ram: 1M, caps: 16, cpu: {quota: 1}, config_live: "
            "false}\n";
    struct scn s;
    struct scn_error err;
    int rc = scn_load(&s, y, strlen(y), &err);
    if (rc)
        fail_msg("line %d: %s", err.line, err.msg);
    assert_true(s.root.children[0].config_live);
    assert_false(s.root.children[1].config_live);
    char *json;
    long n = scn_write_init(&s, &json);
    assert_true(n > 0);
    static struct kide_json_tok tok[512];
    struct kide_json_doc doc;
    assert_int_equal(kide_json_parse(&doc, json, (size_t)n, tok, 512, NULL, NULL), 0);
    int c0 = kide_json_first(&doc, kide_json_find(&doc, 0, "children"));
    int c1 = kide_json_next(&doc, c0);
    assert_int_equal(kide_json_type(&doc, kide_json_find(&doc, c0, "config_live")), KIDE_JSON_TRUE);
    assert_true(kide_json_find(&doc, c1, "config_live") < 0);
    free(json);
    scn_free(&s);
    y = HEAD CHILD(", config_live: yes");
    assert_int_equal(scn_load(&s, y, strlen(y), &err), -1);
    assert_non_null(strstr(err.msg, "config_live"));
    /* hoitaja's validator refuses it on a habitat. */
    y = HEAD "    - {name: h, binary: hoitaja, ram: 8M, caps: 100, cpu: {quota: 1}, config_live: "
             "true, habitat: {children: []}}\n";
    assert_int_equal(scn_load(&s, y, strlen(y), &err), -1);
    assert_non_null(strstr(err.msg, "config_live on a habitat"));
}

/* key_seed: generate becomes 64 fresh hex digits, a new value per build; a quoted
 * "generate" and any other key stay as written. */
static void test_key_seed_generate(void **state)
{
    (void)state;
    const char *y = HEAD "    - {name: a, binary: b, ram: 1M, caps: 16, cpu: {quota: 1},\n"
                         "       config: {key_seed: generate, other: generate, deep: {key_seed: "
                         "\"generate\"}}}\n";
    struct scn s;
    struct scn_error err;
    char seed[2][80];
    for (int i = 0; i < 2; i++) {
        int rc = scn_load(&s, y, strlen(y), &err);
        if (rc)
            fail_msg("line %d: %s", err.line, err.msg);
        char *json;
        long n = scn_write_init(&s, &json);
        assert_true(n > 0);
        static struct kide_json_tok tok[512];
        struct kide_json_doc doc;
        assert_int_equal(kide_json_parse(&doc, json, (size_t)n, tok, 512, NULL, NULL), 0);
        int c0 = kide_json_first(&doc, kide_json_find(&doc, 0, "children"));
        int cfg = kide_json_find(&doc, c0, "config");
        assert_int_equal(kide_json_get_string(&doc, kide_json_find(&doc, cfg, "key_seed"), seed[i],
                                              sizeof seed[i]),
                         64);
        assert_int_equal(strspn(seed[i], "0123456789abcdef"), 64);
        assert_true(kide_json_str_eq(&doc, kide_json_find(&doc, cfg, "other"), "generate"));
        int deep = kide_json_find(&doc, cfg, "deep");
        assert_true(kide_json_str_eq(&doc, kide_json_find(&doc, deep, "key_seed"), "generate"));
        free(json);
        scn_free(&s);
    }
    assert_string_not_equal(seed[0], seed[1]);
}

/* Load a scenario whose only netdev is `arg`. */
static int load_netdev(struct scn *s, const char *arg, struct scn_error *err)
{
    static char y[2048];
    snprintf(y, sizeof(y), "name: t\nmachine: {cpus: 1, ram: 64M, netdevs: [\"%s\"]}\n%s", arg,
             "habitat: {children: []}\n");
    return scn_load(s, y, strlen(y), err);
}

/* machine.cpu: loaded and emitted as one "cpu" line of machine.txt. */
static void test_cpu_model(void **state)
{
    (void)state;
    static const char y[] = "name: t\nmachine: {cpus: 1, ram: 64M, type: q35, cpu: "
                            "\"qemu64,+rdrand,+rdseed\"}\nhabitat: {children: []}\n";
    struct scn s;
    struct scn_error err;
    char *out = 0;
    size_t outlen = 0;
    int rc = scn_load(&s, y, strlen(y), &err);
    if (rc)
        fail_msg("line %d: %s", err.line, err.msg);
    FILE *f = open_memstream(&out, &outlen);
    assert_non_null(f);
    assert_int_equal(scn_write_qemu(&s, f), 0);
    fclose(f);
    assert_string_equal(out, "type q35\ncpu qemu64,+rdrand,+rdseed\n");
    free(out);
    scn_free(&s);
}

/* machine.netdevs: a user netdev with several hostfwd rules (os/scenarios/net.yaml
 * has three, 139 bytes; the old limit of 127 refused it) loads and is emitted
 * whole; up to SCN_QEMU_ARG_LEN bytes fit, one byte more is refused, naming
 * the length. */
static void test_qemu_arg_len(void **state)
{
    static const char rule[] = ",hostfwd=tcp:127.0.0.1:17007-10.0.2.15:7007";
    char arg[1024], want[160];
    struct scn s;
    struct scn_error err;
    char *out = 0;
    size_t outlen = 0;

    snprintf(arg, sizeof(arg), "user,id=n0%s%s%s", rule, rule, rule);
    int rc = load_netdev(&s, arg, &err);
    if (rc)
        fail_msg("line %d: %s", err.line, err.msg);
    FILE *f = open_memstream(&out, &outlen);
    assert_non_null(f);
    assert_int_equal(scn_write_qemu(&s, f), 0);
    fclose(f);
    snprintf(want, sizeof(want), "netdev %s\n", arg);
    assert_string_equal(out, want);
    free(out);
    scn_free(&s);

    _Static_assert(SCN_QEMU_ARG_LEN + 2 <= sizeof(arg), "the test's buffer");
    memset(arg, 'a', SCN_QEMU_ARG_LEN);
    arg[SCN_QEMU_ARG_LEN] = 0;
    assert_int_equal(load_netdev(&s, arg, &err), 0);
    scn_free(&s);
    arg[SCN_QEMU_ARG_LEN] = 'a', arg[SCN_QEMU_ARG_LEN + 1] = 0;
    assert_int_equal(load_netdev(&s, arg, &err), -1);
    assert_int_equal(err.line, 2);
    snprintf(want, sizeof(want), "machine: netdevs entry 1 is %d bytes, at most %d",
             SCN_QEMU_ARG_LEN + 1, SCN_QEMU_ARG_LEN);
    assert_string_equal(err.msg, want);
    assert_non_null(strstr(err.hint, "fewer hostfwd rules"));
}

/* args per child, exit_with per habitat: loaded, checked and emitted. */
static void test_args_exit_with(void **state)
{
    (void)state;
    const char *y =
            "name: t\nmachine: {cpus: 1, ram: 64M}\nhabitat:\n  exit_with: c\n"
            "  children:\n" CHILD(", args: \"-v  x=1 ~\"") "    - {name: d, binary: b, ram: 1M, "
                                                           "caps: 16, cpu: {quota: 1}}\n";
    struct scn s;
    struct scn_error err;
    if (scn_load(&s, y, strlen(y), &err))
        fail_msg("line %d: %s", err.line, err.msg);
    assert_string_equal(s.root.exit_with, "c");
    assert_string_equal(s.root.children[0].args, "-v  x=1 ~");
    assert_string_equal(s.root.children[1].args, "");
    char *json;
    long n = scn_write_init(&s, &json);
    assert_true(n > 0);
    static struct kide_json_tok tok[256];
    struct kide_json_doc doc;
    assert_int_equal(kide_json_parse(&doc, json, (size_t)n, tok, 256, NULL, NULL), 0);
    assert_true(kide_json_str_eq(&doc, kide_json_find(&doc, 0, "exit_with"), "c"));
    int c0 = kide_json_first(&doc, kide_json_find(&doc, 0, "children"));
    assert_true(kide_json_str_eq(&doc, kide_json_find(&doc, c0, "args"), "-v  x=1 ~"));
    /* Without args, none is written (hoitaja's default is ""). */
    assert_true(kide_json_find(&doc, kide_json_next(&doc, c0), "args") < 0);
    free(json);
    scn_free(&s);

    /* Nested habitats may have one too. */
    y = HEAD "    - {name: h, binary: hoitaja, ram: 8M, caps: 100, cpu: {quota: 1}, habitat: "
             "{exit_with: x, children: [{name: x, binary: b, ram: 1M, caps: 16, cpu: {quota: 1},"
             " args: hi}]}}\n";
    if (scn_load(&s, y, strlen(y), &err))
        fail_msg("line %d: %s", err.line, err.msg);
    assert_string_equal(s.root.children[0].habitat->exit_with, "x");
    assert_string_equal(s.root.children[0].habitat->children[0].args, "hi");
    scn_free(&s);

    /* A scenario without either emits neither. */
    y = HEAD CHILD("");
    assert_int_equal(scn_load(&s, y, strlen(y), &err), 0);
    n = scn_write_init(&s, &json);
    assert_true(n > 0);
    assert_null(strstr(json, "exit_with"));
    assert_null(strstr(json, "args"));
    free(json);
    scn_free(&s);

    /* 127 bytes fit, 128 do not. */
    char big[512], arg[129];
    memset(arg, 'a', 128);
    arg[127] = 0;
    snprintf(big, sizeof(big), HEAD CHILD(", args: %s"), arg);
    assert_int_equal(scn_load(&s, big, strlen(big), &err), 0);
    scn_free(&s);
    arg[127] = 'a', arg[128] = 0;
    snprintf(big, sizeof(big), HEAD CHILD(", args: %s"), arg);
    assert_int_equal(scn_load(&s, big, strlen(big), &err), -1);
    assert_non_null(strstr(err.msg, "child 'c': args is 128 bytes, at most 127"));
}

/* Errors that need large inputs: long config strings, many children. */
static void test_generated(void **state)
{
    struct scn s;
    struct scn_error err;
    size_t cap = 64 * 1024, len = 0;
    char *y = malloc(cap);
    assert_non_null(y);
    /* 2000 quotes escape to 4000 bytes: accepted; one more is too long */
    for (int extra = 0; extra <= 1; extra++) {
        len = (size_t)snprintf(y, cap,
                               HEAD "    - {name: c, binary: b, ram: 1M, caps: 16, "
                                    "cpu: {quota: 1}, config: {k: '");
        for (int k = 0; k < 2000 + extra; k++)
            y[len++] = '"';
        len += (size_t)snprintf(y + len, cap - len, "'}}\n");
        int rc = scn_load(&s, y, len, &err);
        if (extra == 0) {
            if (rc)
                fail_msg("line %d: %s", err.line, err.msg);
            char *json;
            assert_true(scn_write_init(&s, &json) > 0);
            free(json);
            scn_free(&s);
        } else {
            assert_int_equal(rc, -1);
            assert_non_null(strstr(err.msg, "config string longer than 4000 bytes"));
            assert_int_equal(err.line, 5);
        }
    }
    /* 256 children are fine, 257 are not */
    for (int n = 256; n <= 257; n++) {
        len = (size_t)snprintf(y, cap,
                               "name: t\nmachine: {cpus: 64, ram: 1G}\nhabitat:\n"
                               "  children:\n");
        for (int k = 0; k < n; k++)
            len += (size_t)snprintf(y + len, cap - len,
                                    "    - {name: c%d, binary: b, ram: 1M, caps: 16, "
                                    "cpu: {quota: 0}}\n",
                                    k);
        int rc = scn_load(&s, y, len, &err);
        if (n == 256) {
            if (rc)
                fail_msg("line %d: %s", err.line, err.msg);
            scn_free(&s);
        } else {
            assert_int_equal(rc, -1);
            assert_non_null(strstr(err.msg, "habitat: more than 256 children"));
            assert_int_equal(err.line, 5);
        }
    }
    free(y);
}

/* ---- issue 10, finding 16: one validator, one set of limits, boundaries ------------ */

/* Load y and run what kide-scenario runs after it (init.json through hoitaja's
 * validator). Returns 0, or -1 with *err. */
static int full_check(const char *y, struct scn_error *err)
{
    struct scn s;
    if (scn_load(&s, y, strlen(y), err))
        return -1;
    char *json;
    long n = scn_write_init(&s, &json);
    assert_true(n > 0);
    int rc = scn_check_init(&s, json, (size_t)n, err);
    free(json);
    scn_free(&s);
    return rc;
}

/* The message of a refused y contains want (and the hint is not empty). */
static void refused(const char *y, const char *want)
{
    struct scn_error err;
    if (full_check(y, &err) == 0)
        fail_msg("accepted:\n%s", y);
    if (!strstr(err.msg, want))
        fail_msg("message '%s' lacks '%s'", err.msg, want);
    if (!err.hint[0])
        fail_msg("no hint for '%s'", err.msg);
}

static void accepted(const char *y)
{
    struct scn_error err;
    if (full_check(y, &err))
        fail_msg("refused: line %d: %s (%s)\n%s", err.line, err.msg, err.hint, y);
}

/* A POSIX child: posix goes to init.json with every scalar a string, binary and config
 * stay out (hoitaja makes them), modules.txt lists the runtime, the program and its ROM
 * modules; hoitaja's validator (the runtime's parser) refuses bad ones at their YAML line. */
static void test_posix(void **state)
{
    (void)state;
    const char *y = HEAD "    - name: hello\n"
                         "      posix:\n"
                         "        program: hello\n"
                         "        args: [hello, 42, -v]\n"
                         "        mounts:\n"
                         "          - {path: /, type: ram, size: 4M}\n"
                         "          - {path: /data, type: rom, modules: [input.txt, words]}\n"
                         "        stdin: rom:input.txt\n"
                         "        stack: 1M\n"
                         "      ram: 32M\n"
                         "      caps: 64\n"
                         "      cpu: {quota: 10}\n"
                         "    - {name: other, binary: b, ram: 1M, caps: 16, cpu: {quota: 1}}\n";
    struct scn s;
    struct scn_error err;
    if (scn_load(&s, y, strlen(y), &err))
        fail_msg("line %d: %s (%s)", err.line, err.msg, err.hint);
    char *json;
    long n = scn_write_init(&s, &json);
    assert_true(n > 0);
    compact(json);
    assert_non_null(strstr(json, "{\"name\":\"hello\",\"posix\":{\"program\":\"hello\",\"args\":"
                                 "[\"hello\",\"42\",\"-v\"],\"mounts\":[{\"path\":\"/\",\"type\":"
                                 "\"ram\",\"size\":\"4M\"},"));
    assert_non_null(strstr(json, "\"stack\":\"1M\"},\"ram\":33554432"));
    char *hello_end = strstr(json, "\"name\":\"other\"");
    assert_non_null(hello_end);
    *hello_end = 0;
    assert_null(strstr(json, "\"binary\""));
    assert_null(strstr(json, "\"config\""));
    free(json);
    char *buf;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(scn_write_modules(&s, f), 0);
    fclose(f);
    assert_string_equal(buf, "hoitaja init.json\nposix\nhello\ninput.txt\nwords\nb\n");
    free(buf);
    scn_free(&s);
    /* Refusals, placed at the YAML line of the value. */
    y = HEAD "    - name: p\n"
             "      posix:\n"
             "        program: p\n"
             "        cwd: data\n"
             "      ram: 1M\n"
             "      caps: 16\n"
             "      cpu: {quota: 1}\n";
    assert_int_equal(scn_load(&s, y, strlen(y), &err), -1);
    assert_non_null(strstr(err.msg, "posix.cwd: must be absolute"));
    assert_int_equal(err.line, 8);
    refused(HEAD "    - {name: p, posix: {program: p}, binary: b, ram: 1M, caps: 16, cpu: {quota: "
                 "1}}\n",
            "either binary or posix");
    refused(HEAD "    - {name: p, posix: [p], ram: 1M, caps: 16, cpu: {quota: 1}}\n",
            "posix must be a mapping");
    refused(HEAD "    - {name: p, ram: 1M, caps: 16, cpu: {quota: 1}}\n", "binary");
    refused(HEAD "    - {name: p, posix: {program: p, stack: 1Q}, ram: 1M, caps: 16, cpu: {quota: "
                 "1}}\n",
            "posix.stack: must be a size");
}

#define ONE_CHILD(machine, ram, caps)                                                              \
    "name: t\nmachine: {cpus: 1, ram: " machine "}\nhabitat:\n  children:\n"                       \
    "    - {name: c, binary: b, ram: " ram ", caps: " caps ", cpu: {quota: 1}}\n"

static void test_f16_ram(void **state)
{
    /* Whole pages from 4K to 64T: 1048577 is what core refused with BAD_PARAM. */
    accepted(ONE_CHILD("64M", "4096", "16"));
    accepted(ONE_CHILD("64M", "4K", "16"));
    refused(ONE_CHILD("64M", "4097", "16"), "ram 4097 is not a multiple of the 4096-byte page");
    refused(ONE_CHILD("64M", "1048577", "16"),
            "child 'c': ram 1048577 is not a multiple of the 4096-byte page");
    struct scn s;
    struct scn_error err;
    const char *y = ONE_CHILD("64M", "1048577", "16");
    assert_int_equal(scn_load(&s, y, strlen(y), &err), -1);
    assert_non_null(
            strstr(err.hint, "round ram to a multiple of 4K (4096 bytes), e.g. 1028K (1052672)"));
    refused(ONE_CHILD("64M", "4095", "16"),
            "child 'c': ram must be from 4K to 64T bytes, got 4095");
    accepted(ONE_CHILD("100T", "64T", "16"));
    refused(ONE_CHILD("100T", "70368744181760", "16"),
            "child 'c': ram must be from 4K to 64T bytes, got 68719476740K");
    /* caps 16..1000000 */
    refused(ONE_CHILD("64M", "4K", "15"),
            "child 'c': caps must be an integer from 16 to 1000000, got 15");
    accepted(ONE_CHILD("64M", "4K", "1000000"));
    refused(ONE_CHILD("64M", "4K", "1000001"),
            "child 'c': caps must be an integer from 16 to 1000000, got 1000001");
}

/* Two children of 2^63 bytes: refused (they were written to init.json, the sum
 * wrapped); sums name the child that takes them over, never wrap. */
static void test_f16_sums(void **state)
{
    const char *two = "name: t\nmachine: {cpus: 1, ram: 100T}\nhabitat:\n  children:\n"
                      "    - {name: a, binary: b, ram: 9223372036854775808, caps: 16, cpu: {quota: "
                      "1}}\n"
                      "    - {name: b, binary: b, ram: 9223372036854775808, caps: 16, cpu: {quota: "
                      "1}}\n";
    refused(two, "child 'a': ram must be from 4K to 64T bytes, got 8388608T");
    refused("name: t\nmachine: {cpus: 1, ram: 100T}\nhabitat:\n  children:\n"
            "    - {name: a, binary: b, ram: 64T, caps: 16, cpu: {quota: 1}}\n"
            "    - {name: b, binary: b, ram: 64T, caps: 16, cpu: {quota: 1}}\n",
            "child 'b': the children's ram adds up to 128T with its 64T, more than the habitat's "
            "75T");
    /* The root bound: at it passes, a page more fails (64M leaves 48060K). */
    accepted(ONE_CHILD("64M", "48060K", "16"));
    refused(ONE_CHILD("64M", "48064K", "16"),
            "child 'c': the children's ram adds up to 48064K with its 48064K, more than the "
            "habitat's 48060K");
}

/* A nested habitat's children get its quotas less its hoitaja's share, as that
 * hoitaja finds them at boot: 256 caps leave 208 (hoitaja found 215 at boot). */
#define NESTED(caps, kram, kcaps)                                                                  \
    "name: t\nmachine: {cpus: 1, ram: 64M}\nhabitat:\n  children:\n"                               \
    "    - {name: ten, binary: hoitaja, ram: 16M, caps: " caps ", cpu: {quota: 10}, habitat: "     \
    "{children: [\n"                                                                               \
    "       {name: echo, binary: b, ram: " kram ", caps: " kcaps ", cpu: {quota: 1}}]}}\n"

static void test_f16_nested(void **state)
{
    /* 16M keeps 1M + a page of configuration + 16K: 15340K are left. */
    accepted(NESTED("256", "15340K", "208"));
    refused(NESTED("256", "15340K", "209"),
            "child 'ten/echo': the children's caps add up to 209 with its 209, more than the "
            "habitat's 208");
    refused(NESTED("256", "15344K", "208"),
            "child 'ten/echo': the children's ram adds up to 15344K with its 15344K, more than "
            "the habitat's 15340K");
    refused(NESTED("63", "4K", "16"), "child 'ten': caps 63 leaves its children less than 16: the "
                                      "habitat's hoitaja keeps 48");
    accepted(NESTED("64", "4K", "16"));
    /* What only hoitaja's validator sees: a configuration over a page costs the
     * habitat a second page; kide-scenario reports hoitaja's message with its line. */
    char y[8192], pad[4001];
    memset(pad, 'x', 4000);
    pad[4000] = 0;
    snprintf(y, sizeof(y),
             "name: t\nmachine: {cpus: 1, ram: 64M}\nhabitat:\n  children:\n"
             "    - {name: ten, binary: hoitaja, ram: 16M, caps: 256, cpu: {quota: 10}, habitat: "
             "{children: [\n"
             "       {name: echo, binary: b, ram: 15340K, caps: 16, cpu: {quota: 1}, config: {p: "
             "%s}}]}}\n",
             pad);
    struct scn_error err;
    assert_int_equal(full_check(y, &err), -1);
    assert_non_null(strstr(err.msg, "child 'ten/echo': the children's ram adds up to 15340K "
                                    "with its 15340K, more than the habitat's 15336K"));
    assert_int_equal(err.line, 6);
    assert_true(err.hint[0] != 0);
}

/* machine.ram: at least 32M (8M hung after "kide: booting"). */
static void test_f16_machine(void **state)
{
    accepted("name: t\nmachine: {cpus: 1, ram: 32M}\nhabitat: {children: []}\n");
    refused("name: t\nmachine: {cpus: 1, ram: 32767K}\nhabitat: {children: []}\n",
            "machine: ram must be at least 32M, got '32767K'");
    refused("name: t\nmachine: {cpus: 1, ram: 8M}\nhabitat: {children: []}\n",
            "machine: ram must be at least 32M, got '8M'");
}

/* init.json of at most KIDE_CONFIG_MAX bytes: checked at build time, the boundary
 * on scn_check_init itself. */
static void test_f16_size(void **state)
{
    struct scn s;
    struct scn_error err;
    const char *y = "name: t\nmachine: {cpus: 1, ram: 64M}\nhabitat: {children: []}\n";
    assert_int_equal(scn_load(&s, y, strlen(y), &err), 0);
    char *doc = malloc(KIDE_CONFIG_MAX + 2);
    assert_non_null(doc);
    memset(doc, ' ', KIDE_CONFIG_MAX + 1);
    const char *head = "{\"generation\":1,\"children\":[]";
    memcpy(doc, head, strlen(head));
    doc[KIDE_CONFIG_MAX - 1] = '}';
    if (scn_check_init(&s, doc, KIDE_CONFIG_MAX, &err))
        fail_msg("%s", err.msg);
    doc[KIDE_CONFIG_MAX - 1] = ' ';
    doc[KIDE_CONFIG_MAX] = '}';
    assert_int_equal(scn_check_init(&s, doc, KIDE_CONFIG_MAX + 1, &err), -1);
    assert_non_null(strstr(err.msg, "init.json would be 1048577 bytes, more than the 1048576"));
    assert_true(err.hint[0] != 0);
    free(doc);
    scn_free(&s);
    /* A real scenario: 12 habitats of 256 children write more than 1 MiB. */
    size_t cap = 1 << 20, len = 0;
    char *big = malloc(cap);
    assert_non_null(big);
    len += (size_t)snprintf(big + len, cap - len,
                            "name: t\nmachine: {cpus: 1, ram: 1G}\nhabitat:\n  children:\n");
    for (int h = 0; h < 12; h++) {
        len += (size_t)snprintf(big + len, cap - len,
                                "    - {name: h%d, binary: hoitaja, ram: 4M, caps: 5000, cpu: "
                                "{quota: 1}, habitat: {children: [\n",
                                h);
        for (int k = 0; k < 256; k++)
            len += (size_t)snprintf(big + len, cap - len,
                                    "      {name: c%d, binary: b, ram: 4K, caps: 16, cpu: {quota: "
                                    "0}}%s\n",
                                    k, k < 255 ? "," : "]}}");
    }
    struct scn_error e2;
    big[len] = 0;
    assert_int_equal(full_check(big, &e2), -1);
    assert_non_null(strstr(e2.msg, "init.json would be"));
    assert_non_null(strstr(e2.msg, "more than the 1048576 a configuration may have"));
    free(big);
}

/* init.json carries one child field per line, so hoitaja's line numbers are real. */
/* Names, service names and labels at their limits (kide/limits.h): the longest
 * is accepted, one byte more refused with hoitaja's words and hint. */
static void test_name_limits(void **state)
{
    (void)state;
#define N32 "abcdefghijklmnopqrstuvwxyz-12345"
#define S32 "Abcdefghijklmnopqrstuvwxyz_12345"
#define NAMED(child, svc)                                                                          \
    "name: t\nmachine: {cpus: 1, ram: 64M}\nhabitat:\n  children:\n"                               \
    "    - {name: " child ", binary: b, ram: 1M, caps: 16, cpu: {quota: 1}, provides: [" svc       \
    "]}\n"
    accepted(NAMED(N32, S32));
    refused(NAMED(N32 "x", S32), "child: name '" N32 "x' is 33 bytes, at most 32");
    refused(NAMED(N32, S32 "x"), "child '" N32 "': provides '" S32 "x' is 33 bytes, at most 32");
    struct scn_error err;
    assert_int_equal(full_check(NAMED(N32 "x", S32), &err), -1);
    assert_string_equal(err.hint, HJ_NAME_HINT);
    assert_int_equal(full_check(NAMED(N32, S32 "x"), &err), -1);
    assert_string_equal(err.hint, HJ_SERVICE_HINT);
    /* A label is the path from the root habitat: two habitats of 32-byte names and
     * a child of 29 make KIDE_LABEL_MAX (95) bytes; one of 30 is refused by
     * hoitaja's validator, with its message. */
#define LABEL(child)                                                                               \
    "name: t\nmachine: {cpus: 1, ram: 256M}\nhabitat:\n  children:\n"                              \
    "    - name: " N32 "\n      binary: hoitaja\n      ram: 64M\n      caps: 1024\n"               \
    "      cpu: {quota: 10}\n      habitat:\n        children:\n"                                  \
    "          - name: bcdefghijklmnopqrstuvwxyz-123456\n            binary: hoitaja\n"            \
    "            ram: 16M\n            caps: 256\n            cpu: {quota: 10}\n"                  \
    "            habitat:\n              children:\n"                                              \
    "                - {name: " child ", binary: b, ram: 1M, caps: 16, cpu: {quota: 1}}\n"
    _Static_assert(KIDE_LABEL_MAX == 32 + 1 + 32 + 1 + 29, "the limits changed: adapt the test");
    accepted(LABEL("abcdefghijklmnopqrstuvwxyz-12"));
    refused(LABEL("abcdefghijklmnopqrstuvwxyz-123"),
            "its label (the path named above) is 96 bytes, at most 95");
#undef LABEL
#undef NAMED
#undef S32
#undef N32
}

static void test_f16_lines(void **state)
{
    struct scn s;
    struct scn_error err;
    const char *y = ONE_CHILD("64M", "4K", "16");
    assert_int_equal(scn_load(&s, y, strlen(y), &err), 0);
    char *json;
    long n = scn_write_init(&s, &json);
    assert_true(n > 0);
    const char *want = "{\n"
                       "  \"generation\": 1,\n"
                       "  \"children\": [\n"
                       "    {\n"
                       "      \"name\": \"c\",\n"
                       "      \"binary\": \"b\",\n"
                       "      \"ram\": 4096,\n"
                       "      \"caps\": 16,\n"
                       "      \"cpu\": {\"quota\": 1, \"priority\": 64},\n"
                       "      \"provides\": [],\n"
                       "      \"routes\": [],\n"
                       "      \"restart\": {\"policy\": \"never\", \"backoff_ms\": 100, "
                       "\"max_backoff_ms\": 10000},\n"
                       "      \"heartbeat_ms\": 0,\n"
                       "      \"devices\": false,\n"
                       "      \"config\": {}\n"
                       "    }\n"
                       "  ]\n"
                       "}";
    assert_string_equal(json, want);
    /* hoitaja's message about line 7 of it is about the ram line. */
    struct hj_limits lim = {.ram = 1ull << 40, .caps = 1000, .cpu = 100, .cpus = 1, .nest = 4};
    struct hj_config cfg;
    struct hj_error herr;
    char *bad = strdup(json);
    memcpy(strstr(bad, "4096"), "4097", 4);
    assert_int_equal(hj_config_parse(bad, strlen(bad), &lim, 0, &cfg, &herr), -1);
    assert_non_null(strstr(herr.msg, "child 'c' (line 7, column 14): ram 4097 is not a multiple"));
    free(bad);
    free(json);
    scn_free(&s);
}

/* Every limit of <kide/limits.h> a child's field can reach: the bound is accepted,
 * one more refused by hoitaja's validator, with the field, the range and the value
 * given, at the YAML line (issue 11: one validator). */
static void test_limits(void **state)
{
    (void)state;
#define M16 "name: t\nmachine: {cpus: 16, ram: 1G, numa: 8}\nhabitat:\n  children:\n"
#define CPU(cpu, extra)                                                                            \
    M16 "    - {name: c, binary: b, ram: 1M, caps: 16, cpu: {" cpu "}" extra "}\n"
    _Static_assert(KIDE_CPU_PCT_MAX == 100 && KIDE_CPU_PRIO_MAX == 127 && KIDE_CPUS_MAX == 16 &&
                           KIDE_NODES_MAX == 8 && KIDE_MS_MAX == 86400000 &&
                           KIDE_ROUTES_MAX == 16 && KIDE_PROVIDES_MAX == 8 && KIDE_NEST_MAX == 4,
                   "the limits changed: adapt the test");
    accepted(CPU("quota: 100", ""));
    refused(CPU("quota: 101", ""),
            "child 'c': cpu.quota must be an integer from 0 to 100, got 101");
    accepted(CPU("quota: 1, priority: 127", ""));
    refused(CPU("quota: 1, priority: 128", ""),
            "child 'c': cpu.priority must be an integer from 0 to 127, got 128");
    accepted(CPU("quota: 1, affinity: 15", ""));
    refused(CPU("quota: 1, affinity: 16", ""),
            "child 'c': cpu.affinity must be an integer from 0 to 15, got 16");
    accepted(CPU("quota: 1", ", ram_node: 7"));
    refused(CPU("quota: 1", ", ram_node: 8"),
            "child 'c': ram_node must be an integer from 0 to 7, got 8");
    accepted(CPU("quota: 1", ", heartbeat: 24h"));
    refused(CPU("quota: 1", ", heartbeat: 86400001ms"),
            "child 'c': heartbeat_ms must be from 0ms to 24h, got 86400001ms");
    accepted(CPU("quota: 1", ", restart: {policy: always, backoff: 24h, max_backoff: 24h}"));
    refused(CPU("quota: 1", ", restart: {policy: always, backoff: 1441m}"),
            "child 'c': restart.backoff_ms must be from 1ms to 24h, got 1441m");
    refused(CPU("quota: 1", ", restart: {policy: always, max_backoff: 86401s}"),
            "child 'c': restart.max_backoff_ms must be from 0ms to 24h, got 86401s");
    accepted(CPU("quota: 1", ", provides: [A, B, C, D, E, F, G, H]"));
    refused(CPU("quota: 1", ", provides: [A, B, C, D, E, F, G, H, I]"),
            "child 'c': provides lists more than 8 services");
#define R(n) "{service: S" #n ", to: denied}, "
#define R15  R(1) R(2) R(3) R(4) R(5) R(6) R(7) R(8) R(9) R(10) R(11) R(12) R(13) R(14) R(15)
    accepted(CPU("quota: 1", ", routes: [" R15 "{service: \"*\", to: parent}]"));
    refused(CPU("quota: 1", ", routes: [" R15 R(16) "{service: \"*\", to: parent}]"),
            "child 'c': more than 16 routes");
#undef R15
#undef R
    /* Habitats four deep are accepted; the fifth is in the bad cases. */
    accepted("name: t\nmachine: {cpus: 1, ram: 512M}\nhabitat:\n  children:\n"
             "    - {name: a, binary: hoitaja, ram: 64M, caps: 2000, cpu: {quota: 10}, habitat: "
             "{children: [\n"
             "      {name: b, binary: hoitaja, ram: 32M, caps: 1000, cpu: {quota: 10}, habitat: "
             "{children: [\n"
             "      {name: c, binary: hoitaja, ram: 16M, caps: 500, cpu: {quota: 10}, habitat: "
             "{children: [\n"
             "      {name: d, binary: hoitaja, ram: 8M, caps: 250, cpu: {quota: 10}, habitat: "
             "{children: [\n"
             "      {name: e, binary: b, ram: 4M, caps: 120, cpu: {quota: 10}}]}}]}}]}}]}}\n");
    /* The place: the YAML line of the value hoitaja names, not init.json's. */
    struct scn_error err;
    assert_int_equal(full_check(M16 "    - name: c\n      binary: b\n      ram: 1M\n"
                                    "      caps: 16\n      cpu:\n        quota: 1\n"
                                    "        priority: 200\n",
                                &err),
                     -1);
    assert_int_equal(err.line, 11);
    assert_string_equal(err.msg,
                        "child 'c': cpu.priority must be an integer from 0 to 127, got 200");
    assert_string_equal(err.hint, "use a value from 0 to 127 for cpu.priority");
#undef CPU
#undef M16
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_good),
            cmocka_unit_test(test_minimal),
            cmocka_unit_test(test_bad),
            cmocka_unit_test(test_hints),
            cmocka_unit_test(test_values),
            cmocka_unit_test(test_devices),
            cmocka_unit_test(test_config_live),
            cmocka_unit_test(test_posix),
            cmocka_unit_test(test_key_seed_generate),
            cmocka_unit_test(test_generated),
            cmocka_unit_test(test_affinity),
            cmocka_unit_test(test_ram_node),
            cmocka_unit_test(test_args_exit_with),
            cmocka_unit_test(test_f16_ram),
            cmocka_unit_test(test_f16_sums),
            cmocka_unit_test(test_f16_nested),
            cmocka_unit_test(test_f16_machine),
            cmocka_unit_test(test_f16_size),
            cmocka_unit_test(test_f16_lines),
            cmocka_unit_test(test_name_limits),
            cmocka_unit_test(test_limits),
            cmocka_unit_test(test_qemu_arg_len),
            cmocka_unit_test(test_cpu_model),
    };
    return cmocka_run_group_tests_name("os-scenario-unit", tests, NULL, NULL);
}
