/* SPDX-License-Identifier: MIT */
/* Unit tests of hoitaja's logic: configuration parsing and validation, the
 * reconfiguration plan, routes and labels, back-off, the event ring and the
 * report, the configuration in force as JSON (round trip) (suite os-hoitaja-unit). Every error path
 * of the configuration format has a case; messages are checked for the field and the child. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hoitaja.h"

#include <kide/json.h>
#include <kide/status.h>

static const struct hj_limits big = {
        .ram = 1ull << 40, .caps = 100000, .cpu = 100, .cpus = 4, .nest = 4};

#define CHILD(name, extra)                                                                         \
    "{\"name\":\"" name                                                                            \
    "\",\"binary\":\"demo\",\"ram\":4096,\"caps\":16,\"cpu\":{\"quota\":10}" extra "}"
#define DOC(children) "{\"generation\":1,\"children\":[" children "]}"

static struct hj_config cfg;
static struct hj_error err;

static int parse_lim(const char *s, const struct hj_limits *lim, unsigned flags)
{
    hj_config_free(&cfg);
    return hj_config_parse(s, strlen(s), lim, flags, &cfg, &err);
}
static int parse(const char *s)
{
    return parse_lim(s, &big, 0);
}

/* The parse fails and the message contains every needle. */
static void bad(const char *doc, const char *needle1, const char *needle2)
{
    if (parse(doc) == 0)
        fail_msg("accepted: %s", doc);
    if (needle1 && !strstr(err.msg, needle1))
        fail_msg("message '%s' lacks '%s'", err.msg, needle1);
    if (needle2 && !strstr(err.msg, needle2))
        fail_msg("message '%s' lacks '%s'", err.msg, needle2);
    assert_true(err.hint[0] != 0);
    assert_int_equal(cfg.nchildren, 0);
}

static int teardown(void **state)
{
    (void)state;
    hj_config_free(&cfg);
    return 0;
}

static const char example[] =
        "{\"generation\": 1, \"children\": [\n"
        "  {\"name\": \"timer\", \"binary\": \"timer\", \"ram\": 2097152, \"caps\": 64,\n"
        "   \"cpu\": {\"quota\": 10, \"priority\": 100}, \"provides\": [\"Timer\"], \"routes\": "
        "[],\n"
        "   \"restart\": {\"policy\": \"always\", \"backoff_ms\": 100, \"max_backoff_ms\": "
        "10000},\n"
        "   \"heartbeat_ms\": 0, \"config\": {}},\n"
        "  {\"name\": \"tenant-a\", \"binary\": \"hoitaja\", \"ram\": 33554432, \"caps\": 500,\n"
        "   \"cpu\": {\"quota\": 30, \"priority\": 50}, \"provides\": [],\n"
        "   \"routes\": [{\"service\": \"Timer\", \"to\": \"child\", \"child\": \"timer\"},\n"
        "              {\"service\": \"LOG\", \"to\": \"parent\"},\n"
        "              {\"service\": \"*\", \"to\": \"denied\"}],\n"
        "   \"restart\": {\"policy\": \"never\", \"backoff_ms\": 100, \"max_backoff_ms\": 10000},\n"
        "   \"heartbeat_ms\": 0, \"config\": {},\n"
        "   \"habitat\": {\"children\": [\n"
        "     {\"name\": \"demo\", \"binary\": \"demo-service\", \"ram\": 4194304, \"caps\": 50,\n"
        "      \"cpu\": {\"quota\": 50, \"priority\": 64}, \"provides\": [],\n"
        "      \"routes\": [{\"service\": \"LOG\", \"to\": \"parent\"}],\n"
        "      \"restart\": {\"policy\": \"never\", \"backoff_ms\": 100, \"max_backoff_ms\": "
        "10000},\n"
        "      \"heartbeat_ms\": 1000, \"config\": {\"greeting\": \"hello\"}}]}}]}";

static void test_example(void **state)
{
    (void)state;
    assert_int_equal(parse(example), 0);
    assert_int_equal(cfg.generation, 1);
    assert_int_equal(cfg.nchildren, 2);
    const struct hj_child_cfg *t = &cfg.child[0], *h = &cfg.child[1];
    assert_string_equal(t->name, "timer");
    assert_int_equal(t->ram, 2097152);
    assert_int_equal(t->priority, 100);
    assert_int_equal(t->policy, HJ_RESTART_ALWAYS);
    assert_string_equal(t->config, "{}");
    assert_null(t->habitat);
    assert_int_equal(h->nroutes, 3);
    assert_int_equal(h->routes[0].to, HJ_TO_CHILD);
    assert_string_equal(h->routes[0].child, "timer");
    assert_non_null(h->habitat);
    /* The nested habitat is kept in canonical form (no whitespace). */
    assert_non_null(strstr(h->habitat, "\"greeting\":\"hello\""));
    assert_null(strchr(h->habitat, '\n'));
    /* And it parses on its own, as the nested hoitaja will. */
    struct hj_config nested;
    struct hj_limits lim = {.ram = h->ram, .caps = h->caps, .cpu = 100, .nest = 3};
    assert_int_equal(
            hj_config_parse(h->habitat, h->habitat_len, &lim, HJ_PARSE_NO_GEN, &nested, &err), 0);
    assert_int_equal(nested.generation, 0);
    assert_int_equal(nested.child[0].heartbeat_ms, 1000);
    hj_config_free(&nested);
}

static void test_defaults(void **state)
{
    (void)state;
    assert_int_equal(parse(DOC(CHILD("a", ""))), 0);
    const struct hj_child_cfg *a = &cfg.child[0];
    assert_int_equal(a->priority, 64);
    assert_int_equal(a->policy, HJ_RESTART_NEVER);
    assert_int_equal(a->backoff_ms, 100);
    assert_int_equal(a->max_backoff_ms, 10000);
    assert_int_equal(a->heartbeat_ms, 0);
    assert_false(a->devices);
    assert_int_equal(a->nroutes, 0);
    assert_string_equal(a->config, "{}");
    /* A larger backoff raises the default maximum with it. */
    assert_int_equal(parse(DOC(CHILD("a", ",\"restart\":{\"policy\":\"on-failure\","
                                          "\"backoff_ms\":20000}"))),
                     0);
    assert_int_equal(cfg.child[0].max_backoff_ms, 20000);
    assert_int_equal(parse("{\"generation\":3,\"children\":[]}"), 0);
    assert_int_equal(cfg.nchildren, 0);
}

static void test_bad_json(void **state)
{
    (void)state;
    bad("{\"generation\":1,\n \"children\": [,]}", "line 2", NULL);
    bad("", "line 1", NULL);
    bad("{\"generation\":1,\"children\":[]} x", "line 1", NULL);
    bad("{\"generation\":1,\"generation\":2,\"children\":[]}", "line 1", NULL);
    bad("[1,2]", "configuration must be a JSON object", NULL);
    bad("{\"generation\":1,\"children\":[],}", NULL, NULL);
}

static void test_top_level(void **state)
{
    (void)state;
    bad("{\"children\":[]}", "missing required field 'generation'", NULL);
    bad("{\"generation\":0,\"children\":[]}", "generation must be an integer", NULL);
    bad("{\"generation\":1.5,\"children\":[]}", "generation", NULL);
    bad("{\"generation\":1}", "missing required field 'children'", NULL);
    bad("{\"generation\":1,\"children\":{}}", "children must be", NULL);
    bad("{\"generation\":1,\"children\":[],\"extra\":1}", "unknown field 'extra'", NULL);
    /* Nested and management configurations may leave the generation out. */
    assert_int_equal(parse_lim("{\"children\":[]}", &big, HJ_PARSE_NO_GEN), 0);
}

static void test_child_fields(void **state)
{
    (void)state;
    bad(DOC(CHILD("a", ",\"rma\":1")), "unknown field 'rma'", "child 'a'");
    bad(DOC("{\"name\":\"a\",\"binary\":\"demo\",\"caps\":16,\"cpu\":{\"quota\":1}}"),
        "missing required field 'ram'", "child 'a'");
    bad(DOC("{\"binary\":\"demo\"}"), "missing required field 'name'", NULL);
    bad(DOC("{\"name\":\"A\",\"binary\":\"demo\"}"), "name 'A' must start with a lowercase letter",
        NULL);
    bad(DOC("{\"name\":\"a\",\"binary\":\"x y\",\"ram\":4096,\"caps\":16,\"cpu\":{\"quota\":1}}"),
        "binary 'x y' holds the byte 0x20 at offset 1", "child 'a'");
    bad(DOC("{\"name\":\"a\",\"binary\":\"demo\",\"ram\":0,\"caps\":16,\"cpu\":{\"quota\":1}}"),
        "ram must be from 4K to 64T bytes, got 0", NULL);
    bad(DOC("{\"name\":\"a\",\"binary\":\"demo\",\"ram\":\"4M\",\"caps\":16,\"cpu\":{\"quota\":1}"
            "}"),
        "ram must be from 4K to 64T bytes, got \"4M\"", NULL);
    bad(DOC("{\"name\":\"a\",\"binary\":\"demo\",\"ram\":4096,\"caps\":8,\"cpu\":{\"quota\":1}}"),
        "caps must be an integer from 16 to 1000000, got 8", NULL);
    bad(DOC("{\"name\":\"a\",\"binary\":\"demo\",\"ram\":4096,\"caps\":16,\"cpu\":{\"quota\":101}"
            "}"),
        "cpu.quota", NULL);
    bad(DOC("{\"name\":\"a\",\"binary\":\"demo\",\"ram\":4096,\"caps\":16,\"cpu\":{}}"),
        "missing required field 'quota'", NULL);
    bad(DOC("{\"name\":\"a\",\"binary\":\"demo\",\"ram\":4096,\"caps\":16,\"cpu\":{\"quota\":1,"
            "\"priority\":128}}"),
        "cpu.priority", NULL);
    bad(DOC("{\"name\":\"a\",\"binary\":\"demo\",\"ram\":4096,\"caps\":16,\"cpu\":{\"quota\":1,"
            "\"prio\":1}}"),
        "unknown field 'prio'", NULL);
    bad(DOC(CHILD("a", ",\"config\":[]")), "config must be an object", NULL);
    bad(DOC(CHILD("a", ",\"heartbeat_ms\":-1")), "heartbeat_ms", NULL);
    bad(DOC(CHILD("a", ",\"restart\":{}")), "missing required field 'policy'", NULL);
    bad(DOC(CHILD("a", ",\"restart\":{\"policy\":\"sometimes\"}")), "restart.policy", NULL);
    bad(DOC(CHILD("a", ",\"restart\":{\"policy\":\"always\",\"backoff_ms\":0}")),
        "restart.backoff_ms", NULL);
    bad(DOC(CHILD("a", ",\"restart\":{\"policy\":\"always\",\"backoff_ms\":500,"
                       "\"max_backoff_ms\":100}")),
        "restart.max_backoff_ms", NULL);
    bad(DOC(CHILD("a", ",\"provides\":[\"T\",\"T\"]")), "provides lists 'T' twice", NULL);
    bad(DOC(CHILD("a", ",\"provides\":[\"9x\"]")), "provided service", NULL);
    bad(DOC(CHILD("a", ",\"provides\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]")),
        "more than 8", NULL);
    bad(DOC(CHILD("a", ",\"remove\":true")), "unknown field 'remove'", NULL);
    bad(DOC(CHILD("a", ",\"devices\":1")), "devices must be true, false or \"platform\"",
        "child 'a'");
    bad(DOC(CHILD("a", ",\"devices\":\"true\"")), "devices must be true, false or \"platform\"",
        NULL);
    bad(DOC(CHILD("a", ",\"devices\":null")), "devices must be true, false or \"platform\"", NULL);
    /* The hint lists every field, devices included. */
    bad(DOC(CHILD("a", ",\"device\":true")), "unknown field 'device'", NULL);
    assert_non_null(strstr(err.hint, "heartbeat_ms, devices, config"));
    /* Error locations point at the offending value. */
    bad("{\"generation\":1,\"children\":[\n" CHILD("a", ",\n\"rma\":1") "]}", "line 3, column 1",
        NULL);
}

static void test_control_chars_in_messages(void **state)
{
    (void)state;
    /* An unknown key with a newline must not break the console line. */
    bad(DOC(CHILD("a", ",\"x\\nchild a: started\":1")), "unknown field", NULL);
    assert_null(strchr(err.msg, '\n'));
}

static void test_routes_errors(void **state)
{
    (void)state;
    bad(DOC(CHILD("a", ",\"routes\":[{\"service\":\"T\",\"to\":\"child\",\"child\":\"b\"}]")),
        "missing sibling 'b'", "child 'a'");
    bad(DOC(CHILD("a", ",\"provides\":[\"T\"],\"routes\":[{\"service\":\"T\",\"to\":\"child\","
                       "\"child\":\"a\"}]")),
        "route 'T' to itself ('a')", NULL);
    bad(DOC(CHILD("a", "") "," CHILD("b", ",\"routes\":[{\"service\":\"T\",\"to\":\"child\","
                                          "\"child\":\"a\"}]")),
        "does not provide", "child 'b'");
    bad(DOC(CHILD("a", ",\"routes\":[{\"service\":\"*\",\"to\":\"denied\"},"
                       "{\"service\":\"T\",\"to\":\"parent\"}]")),
        "follows the \"*\" route", NULL);
    bad(DOC(CHILD("a", ",\"routes\":[{\"service\":\"T\",\"to\":\"parent\"},"
                       "{\"service\":\"T\",\"to\":\"denied\"}]")),
        "two routes for service 'T'", NULL);
    bad(DOC(CHILD("a", ",\"routes\":[{\"service\":\"T\",\"to\":\"elsewhere\"}]")), "route 'to'",
        NULL);
    bad(DOC(CHILD("a", ",\"routes\":[{\"service\":\"T\",\"to\":\"child\"}]")),
        "route 'T' goes to a child but names none (no 'child')", NULL);
    bad(DOC(CHILD("a", ",\"routes\":[{\"service\":\"T\",\"to\":\"parent\",\"child\":\"x\"}]")),
        "names a 'child' but does not go to one", NULL);
    bad(DOC(CHILD("a", ",\"routes\":[{\"to\":\"parent\"}]")), "missing required field 'service'",
        NULL);
    bad(DOC(CHILD("a", ",\"routes\":[{\"service\":\"T\",\"to\":\"parent\",\"x\":1}]")),
        "unknown field 'x'", NULL);
    /* "*" to a sibling needs no provides. */
    assert_int_equal(
            parse(DOC(CHILD("a", "") "," CHILD("b", ",\"routes\":[{\"service\":\"*\","
                                                    "\"to\":\"child\",\"child\":\"a\"}]"))),
            0);
}

static void test_names_and_sums(void **state)
{
    (void)state;
    bad(DOC(CHILD("a", "") "," CHILD("a", "")), "used twice", "child 'a'");
    struct hj_limits lim = {.ram = 8192, .caps = 32, .cpu = 100, .nest = 4};
    assert_int_equal(parse_lim(DOC(CHILD("a", "") "," CHILD("b", "")), &lim, 0), 0);
    assert_int_not_equal(
            parse_lim(DOC(CHILD("a", "") "," CHILD("b", "") "," CHILD("c", "")), &lim, 0), 0);
    assert_non_null(strstr(err.msg, "child 'c' (line 1): the children's ram adds up to 12K with "
                                    "its 4K, more than the habitat's 8K"));
    /* The place, for tools that point elsewhere (kide-scenario: the YAML line). */
    struct hj_place at;
    const char *three = DOC(CHILD("a", "") "," CHILD("b", "") "," CHILD("c", ""));
    hj_config_free(&cfg);
    assert_int_not_equal(hj_config_parse_at(three, strlen(three), &lim, 0, &cfg, &err, &at), 0);
    assert_int_equal(at.line, 1);
    assert_int_equal(at.col, 0);
    assert_string_equal(
            err.msg + at.what,
            "the children's ram adds up to 12K with its 4K, more than the habitat's 8K");
    /* A field's place: its line and column. */
    const char *q = DOC("{\"name\":\"a\",\"binary\":\"d\",\"ram\":4096,\"caps\":16,\n"
                        "\"cpu\":{\"quota\":101}}");
    assert_int_not_equal(hj_config_parse_at(q, strlen(q), &lim, 0, &cfg, &err, &at), 0);
    assert_int_equal(at.line, 2);
    assert_int_equal(at.col, 16);
    assert_string_equal(err.msg + at.what, "cpu.quota must be an integer from 0 to 100, got 101");
    lim.ram = 1 << 20;
    assert_int_not_equal(
            parse_lim(DOC(CHILD("a", "") "," CHILD("b", "") "," CHILD("c", "")), &lim, 0), 0);
    assert_non_null(strstr(err.msg, "caps add up to 48"));
    lim.caps = 1000, lim.cpu = 25;
    assert_int_not_equal(
            parse_lim(DOC(CHILD("a", "") "," CHILD("b", "") "," CHILD("c", "")), &lim, 0), 0);
    assert_non_null(strstr(err.msg, "child 'c' (line 1): the children's cpu.quota adds up to 30% "
                                    "on cpu 0 with its 10%, more than the habitat's share (25%)"));
}

static void test_too_many_children(void **state)
{
    (void)state;
    char *doc = malloc(300 * 128);
    size_t n = (size_t)sprintf(doc, "{\"generation\":1,\"children\":[");
    for (int i = 0; i < 257; i++)
        n += (size_t)sprintf(doc + n, "%s{\"name\":\"c%d\"}", i ? "," : "", i);
    sprintf(doc + n, "]}");
    bad(doc, "more than 256 children", NULL);
    free(doc);
}

static void test_habitat(void **state)
{
    (void)state;
    bad(DOC("{\"name\":\"t\",\"binary\":\"hoitaja\",\"ram\":4194304,\"caps\":128,\"cpu\":{"
            "\"quota\":1}"
            "}"),
        "needs a 'habitat'", "child 't'");
    bad(DOC(CHILD("a", ",\"habitat\":{\"children\":[]}")), "not a hoitaja", NULL);
    /* Errors inside a nested habitat name the path. */
    bad(DOC("{\"name\":\"t\",\"binary\":\"hoitaja\",\"ram\":4194304,\"caps\":128,\"cpu\":{"
            "\"quota\":1},"
            "\"habitat\":{\"children\":[" CHILD("d", ",\"rma\":1") "]}}"),
        "child 't/d'", "unknown field 'rma'");
    /* The nested children must fit the habitat child's own quotas. */
    bad(DOC("{\"name\":\"t\",\"binary\":\"hoitaja\",\"ram\":1060864,\"caps\":128,\"cpu\":{"
            "\"quota\":1},"
            "\"habitat\":{\"children\":[" CHILD("d", "") "," CHILD("e", "") "]}}"),
        "habitat 't': child 'e' (line 1): the children's ram adds up to 8K with its 4K",
        "more than the habitat's 4K");
    bad(DOC("{\"name\":\"t\",\"binary\":\"hoitaja\",\"ram\":4194304,\"caps\":128,\"cpu\":{"
            "\"quota\":1},"
            "\"habitat\":[]}"),
        "habitat must be", NULL);
    /* Nesting depth: 4 levels below the root are fine, 5 are not. */
#define HAB(ram, caps, inner)                                                                      \
    "{\"name\":\"h\",\"binary\":\"hoitaja\",\"ram\":" ram ",\"caps\":" caps                        \
    ",\"cpu\":{\"quota\":1},"                                                                      \
    "\"habitat\":{\"children\":[" inner "]}}"
    assert_int_equal(parse(DOC(HAB("16777216", "1000",
                                   HAB("12582912", "800",
                                       HAB("8388608", "600", HAB("4194304", "400", "")))))),
                     0);
    bad(DOC(HAB("20971520", "1200",
                HAB("16777216", "1000",
                    HAB("12582912", "800", HAB("8388608", "600", HAB("4194304", "400", "")))))),
        "nested more than 4", NULL);
}

static void test_devices(void **state)
{
    (void)state;
    /* The root habitat cannot know whether it holds the right: core decides at start. */
    assert_int_equal(
            parse(DOC(CHILD("a", ",\"devices\":true") "," CHILD("b", ",\"devices\":false"))), 0);
    assert_true(cfg.child[0].devices);
    assert_false(cfg.child[0].platform);
    assert_false(cfg.child[1].devices);
    /* "platform": the device right and PCI configuration (the platform driver). */
    assert_int_equal(parse(DOC(CHILD("p", ",\"devices\":\"platform\""))), 0);
    assert_true(cfg.child[0].devices);
    assert_true(cfg.child[0].platform);
    /* Nested: a child may have devices only if the habitat's own entry has them. */
#define DHAB(dev, inner)                                                                           \
    "{\"name\":\"t\",\"binary\":\"hoitaja\",\"ram\":8388608,\"caps\":256,\"cpu\":{\"quota\":"      \
    "1}" dev ",\"habitat\":{\"children\":[" inner "]}}"
    assert_int_equal(parse(DOC(DHAB(",\"devices\":true", CHILD("d", ",\"devices\":true")))), 0);
    assert_true(cfg.child[0].devices);
    assert_non_null(strstr(cfg.child[0].habitat, "\"devices\":true"));
    assert_int_equal(parse(DOC(DHAB("", CHILD("d", ",\"devices\":false")))), 0);
    bad(DOC(DHAB("", CHILD("d", ",\"devices\":true"))), "child 't/d'",
        "devices: true, but its habitat 't' has no device right");
    assert_non_null(strstr(err.hint, "set \"devices\": true on the habitat"));
    bad(DOC(DHAB(",\"devices\":false", CHILD("d", ",\"devices\":true"))), "child 't/d'",
        "has no device right");
    /* Two levels: the right must be passed at every level. */
    bad(DOC(DHAB(",\"devices\":true",
                 "{\"name\":\"u\",\"binary\":\"hoitaja\",\"ram\":4194304,\"caps\":128,"
                 "\"cpu\":{\"quota\":1},\"habitat\":{\"children\":[" CHILD(
                         "x", ",\"devices\":true") "]}}")),
        "child 't/u/x'", "has no device right");
    /* The nested hoitaja parses its habitat on its own as the root of it: accepted,
     * core refuses at start if the right is missing. */
    struct hj_limits lim = {.ram = 8192, .caps = 32, .cpu = 100, .nest = 3};
    const char *nested = "{\"children\":[" CHILD("d", ",\"devices\":true") "]}";
    assert_int_equal(parse_lim(nested, &lim, HJ_PARSE_NO_GEN), 0);
    lim.no_devices = 1;
    assert_int_not_equal(parse_lim(nested, &lim, HJ_PARSE_NO_GEN), 0);
    assert_non_null(strstr(err.msg, "has no device right"));
}

/* ---- partial configurations and merge ---------------------------------------------- */

static void test_merge(void **state)
{
    (void)state;
    struct hj_config cur, part, out;
    assert_int_equal(hj_config_parse(DOC(CHILD("a", "") "," CHILD("b", "")),
                                     strlen(DOC(CHILD("a", "") "," CHILD("b", ""))), &big, 0, &cur,
                                     &err),
                     0);
    const char *p = "{\"children\":[{\"name\":\"a\",\"remove\":true}," CHILD(
            "c", "") ","
                     "{\"name\":\"b\",\"binary\":\"other\",\"ram\":8192,\"caps\":16,"
                     "\"cpu\":{\"quota\":5}}]}";
    assert_int_equal(
            hj_config_parse(p, strlen(p), &big, HJ_PARSE_PARTIAL | HJ_PARSE_NO_GEN, &part, &err),
            0);
    assert_true(part.child[0].remove);
    assert_int_equal(hj_config_merge(&cur, &part, &big, &out, &err), 0);
    assert_int_equal(out.nchildren, 2);
    assert_string_equal(out.child[0].name, "b");
    assert_string_equal(out.child[0].binary, "other");
    assert_string_equal(out.child[1].name, "c");
    hj_config_free(&out);
    hj_config_free(&part);

    /* Removing a child that does not exist, or one another route needs. */
    p = "{\"children\":[{\"name\":\"zz\",\"remove\":true}]}";
    assert_int_equal(
            hj_config_parse(p, strlen(p), &big, HJ_PARSE_PARTIAL | HJ_PARSE_NO_GEN, &part, &err),
            0);
    assert_int_not_equal(hj_config_merge(&cur, &part, &big, &out, &err), 0);
    assert_non_null(strstr(err.msg, "no such child"));
    hj_config_free(&part);

    p = "{\"children\":[{\"name\":\"a\",\"remove\":true,\"ram\":1}]}";
    assert_int_not_equal(
            hj_config_parse(p, strlen(p), &big, HJ_PARSE_PARTIAL | HJ_PARSE_NO_GEN, &part, &err),
            0);
    assert_non_null(strstr(err.msg, "carries other fields"));
    p = "{\"children\":[{\"name\":\"a\",\"remove\":true},{\"name\":\"a\",\"remove\":true}]}";
    assert_int_not_equal(
            hj_config_parse(p, strlen(p), &big, HJ_PARSE_PARTIAL | HJ_PARSE_NO_GEN, &part, &err),
            0);
    assert_non_null(strstr(err.msg, "named twice"));

    /* A merge that breaks the quota sums is rejected as a whole. */
    struct hj_limits lim = {.ram = 8192, .caps = 1000, .cpu = 100, .nest = 4};
    p = "{\"children\":[" CHILD("c", "") "]}";
    assert_int_equal(
            hj_config_parse(p, strlen(p), &big, HJ_PARSE_PARTIAL | HJ_PARSE_NO_GEN, &part, &err),
            0);
    assert_int_not_equal(hj_config_merge(&cur, &part, &lim, &out, &err), 0);
    assert_non_null(strstr(err.msg, "ram adds up"));
    hj_config_free(&part);
    hj_config_free(&cur);
}

static void test_generation(void **state)
{
    (void)state;
    assert_true(hj_generation_ok(1, 2));
    assert_false(hj_generation_ok(1, 1));
    assert_false(hj_generation_ok(2, 1));
    assert_false(hj_generation_ok(1, 3));
    assert_false(hj_generation_ok(~0ull, 0));
}

/* ---- plan ------------------------------------------------------------------------- */

static struct hj_step steps[600];

static int plan(const char *a, const char *b, struct hj_config *ca, struct hj_config *cb)
{
    assert_int_equal(hj_config_parse(a, strlen(a), &big, 0, ca, &err), 0);
    if (hj_config_parse(b, strlen(b), &big, 0, cb, &err))
        fail_msg("%s", err.msg);
    return hj_plan(ca, cb, steps);
}

static void one_step(const char *a, const char *b, int act, unsigned upd)
{
    struct hj_config ca, cb;
    int n = plan(a, b, &ca, &cb);
    if (act == HJ_ACT_NONE) {
        assert_int_equal(n, 0);
    } else {
        assert_int_equal(n, 1);
        assert_int_equal(steps[0].act, act);
        if (act == HJ_ACT_UPDATE)
            assert_int_equal(steps[0].upd, upd);
    }
    hj_config_free(&ca);
    hj_config_free(&cb);
}

#define ONE(extra) DOC(CHILD("a", extra))

/* The configuration in force as JSON (KIDE_MGMT_CONFIG) reads back as the same
 * configuration: no plan step between the two, and writing it again gives the same
 * bytes (canonical). */
static void round_trip(const char *doc, kide_u32 home_cpu)
{
    static char out[65536], again[65536];
    struct hj_config first, second;
    struct hj_error e;
    static struct hj_step plan[2 * HJ_CHILDREN_MAX];
    struct hj_limits lim = big;
    lim.home_cpu = home_cpu;
    if (hj_config_parse(doc, strlen(doc), &lim, 0, &first, &e))
        fail_msg("the test's document is bad: %s", e.msg);
    long n = hj_config_json(&first, home_cpu, out, sizeof(out));
    assert_true(n > 0);
    assert_int_equal(strlen(out), n);
    if (hj_config_parse(out, (kide_u64)n, &lim, 0, &second, &e))
        fail_msg("its JSON does not parse: %s: %s", e.msg, out);
    assert_int_equal(second.generation, first.generation);
    assert_string_equal(second.exit_with, first.exit_with);
    assert_int_equal(hj_plan(&first, &second, plan), 0);
    assert_int_equal(hj_config_json(&second, home_cpu, again, sizeof(again)), n);
    assert_string_equal(again, out);
    /* Too small a buffer: -1 and nothing that could pass for a document. */
    for (kide_u64 size = 1; size < (kide_u64)n + 1; size += 1 + size / 3) {
        assert_int_equal(hj_config_json(&first, home_cpu, again, size), -1);
        assert_true(again[0] == 0 || strlen(again) < size);
    }
    assert_int_equal(hj_config_json(&first, home_cpu, again, (kide_u64)n + 1), n);
    hj_config_free(&first);
    hj_config_free(&second);
}

static void test_config_json(void **state)
{
    (void)state;
    round_trip(example, 0);
    round_trip(DOC(CHILD("a", "")), 0);
    round_trip(DOC(""), 0);
    static const char every[] =
            "{\"generation\":7,\"exit_with\":\"b\",\"children\":["
            "{\"name\":\"a\",\"binary\":\"demo\",\"ram\":4096,\"caps\":16,"
            "\"cpu\":{\"quota\":10,\"affinity\":2},\"provides\":[\"Echo\",\"Timer\"],"
            "\"devices\":\"platform\",\"args\":\"-v \\\"x\\\"\",\"ram_node\":1,"
            "\"heartbeat_ms\":250,\"config_live\":true,\"config\":{\"k\":[1,\"\\u00e4\"]},"
            "\"restart\":{\"policy\":\"on-failure\",\"backoff_ms\":5}},"
            "{\"name\":\"b\",\"binary\":\"demo\",\"ram\":4096,\"caps\":16,"
            "\"cpu\":{\"quota\":5,\"affinity\":2},\"devices\":true,"
            "\"routes\":[{\"service\":\"Echo\",\"to\":\"child\",\"child\":\"a\"},"
            "{\"service\":\"*\",\"to\":\"denied\"}]}]}";
    round_trip(every, 1);
    /* On the habitat's own CPU the affinity is not written, elsewhere it is. */
    static char out[4096];
    struct hj_config c;
    struct hj_error e;
    struct hj_limits lim = big;
    const char *doc = DOC(CHILD("a", "") ",{\"name\":\"b\",\"binary\":\"demo\",\"ram\":4096,"
                                         "\"caps\":16,\"cpu\":{\"quota\":5,\"affinity\":3}}");
    lim.home_cpu = 3;
    assert_int_equal(hj_config_parse(doc, strlen(doc), &lim, 0, &c, &e), 0);
    assert_true(hj_config_json(&c, 3, out, sizeof(out)) > 0);
    assert_non_null(strstr(out, "\"cpu\":{\"quota\":10,\"priority\":64}"));
    assert_null(strstr(out, "affinity"));
    assert_true(hj_config_json(&c, 0, out, sizeof(out)) > 0);
    assert_non_null(strstr(out, "\"affinity\":3"));
    hj_config_free(&c);
}

#define PCHILD(name, posix, extra)                                                                 \
    "{\"name\":\"" name "\",\"posix\":" posix                                                      \
    ",\"ram\":4194304,\"caps\":16,\"cpu\":{\"quota\":10}" extra "}"

/* A POSIX child: checked by the runtime's parser, started as "posix" with config
 * {"posix": ...} and its modules for KIDE_OWN_ROM; bad ones refused before anything starts. */
static void test_posix_child(void **state)
{
    (void)state;
    assert_int_equal(parse(DOC(PCHILD("hello",
                                      "{\"program\":\"hello\",\"args\":[\"hello\",\"-v\"],"
                                      "\"stdin\":\"rom:in.txt\",\"mounts\":[{\"path\":\"/\","
                                      "\"type\":\"rom\",\"modules\":[\"words\",\"in.txt\"]}]}",
                                      ""))),
                     0);
    const struct hj_child_cfg *c = &cfg.child[0];
    assert_true(c->posix);
    assert_string_equal(c->binary, "posix");
    /* kept with every object's members sorted by key (plan.c compares values) */
    assert_string_equal(c->config,
                        "{\"posix\":{\"args\":[\"hello\",\"-v\"],\"mounts\":[{"
                        "\"modules\":[\"words\",\"in.txt\"],\"path\":\"/\","
                        "\"type\":\"rom\"}],\"program\":\"hello\",\"stdin\":\"rom:in.txt\"}}");
    assert_int_equal(c->config_len, strlen(c->config));
    assert_int_equal(c->nroms, 3);
    assert_string_equal(c->roms[0], "hello");
    assert_string_equal(c->roms[1], "in.txt");
    assert_string_equal(c->roms[2], "words");
    /* Refusals: the parser's message, placed at the value it is about. */
    bad(DOC(PCHILD("p", "{\"program\":\"p\",\"cwd\":\"rel\"}", "")), "child 'p' (line 1, column",
        "posix.cwd: must be absolute");
    assert_non_null(strstr(err.hint, "POSIX children"));
    bad(DOC(PCHILD("p",
                   "{\"program\":\"p\",\"mounts\":[{\"path\":\"/\",\"type\":\"rom\","
                   "\"modules\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\"]}]}",
                   "")),
        "more than 8 distinct boot modules (KIDE_CORE_ROM_MAX)", NULL);
    bad(DOC(PCHILD("p", "{}", "")), "posix.program: is missing", NULL);
    bad(DOC(PCHILD("p", "[]", "")), "posix: must be an object", NULL);
    bad(DOC(PCHILD("p", "{\"program\":\"p\",\"x\":1}", "")), "posix: unknown field",
        "known fields: program, args");
    bad(DOC(PCHILD("p", "{\"program\":\"p\"}", ",\"binary\":\"demo\"")),
        "either binary or posix, not both", NULL);
    bad(DOC(PCHILD("p", "{\"program\":\"p\"}", ",\"config\":{}")), "a POSIX child takes no config",
        NULL);
    bad(DOC(PCHILD("p", "{\"program\":\"p\"}", ",\"config_live\":true")),
        "config_live on a POSIX child", NULL);
    bad(DOC(CHILD("p", "") ","
                           "{\"name\":\"q\",\"binary\":\"posix\",\"ram\":4096,\"caps\":16,"
                           "\"cpu\":{\"quota\":10}}"),
        "binary 'posix' is the POSIX runtime", NULL);
    bad(DOC(CHILD("p", ",\"posiks\":{}")), "unknown field 'posiks'", NULL);
    assert_non_null(strstr(err.hint, "posix"));
    /* The configuration in force writes it back as posix (no binary, no config). */
    round_trip(DOC(PCHILD("hello", "{\"program\":\"hello\",\"env\":[\"A=1\"],\"stack\":\"2M\"}",
                          ",\"restart\":{\"policy\":\"on-failure\"}")),
               1);
    /* A changed posix object restarts the child. */
    struct hj_config a = {0}, b = {0};
    struct hj_error e;
    const char *d1 = DOC(PCHILD("x", "{\"program\":\"x\"}", ""));
    const char *d2 = DOC(PCHILD("x", "{\"program\":\"x\",\"args\":[\"x\",\"1\"]}", ""));
    assert_int_equal(hj_config_parse(d1, strlen(d1), &big, 0, &a, &e), 0);
    assert_int_equal(hj_config_parse(d2, strlen(d2), &big, 0, &b, &e), 0);
    assert_int_equal(hj_plan(&a, &b, steps), 1);
    assert_int_equal(steps[0].act, HJ_ACT_RESTART);
    assert_int_equal(hj_plan(&a, &a, steps), 0);
    hj_config_free(&a);
    hj_config_free(&b);
}

/* The signal of an ended POSIX child in the report, its line and the exit log line. */
static void test_report_signal(void **state)
{
    (void)state;
    char sb[40];
    assert_int_equal(hj_end_signal(1, 1, 0, 14, NULL), 11);
    assert_int_equal(hj_end_signal(1, 1, 0, 13, NULL), 11);
    assert_int_equal(hj_end_signal(1, 1, 0, 6, NULL), 4);
    assert_int_equal(hj_end_signal(1, 1, 0, 0, NULL), 8);
    assert_int_equal(hj_end_signal(1, 1, 0, 3, NULL), 5);
    assert_int_equal(hj_end_signal(1, 1, 0, 0, "heartbeat missed"), 0);
    assert_int_equal(hj_end_signal(1, 0, 9, 0, NULL), 9);
    assert_int_equal(hj_end_signal(1, 0, 0, 0, NULL), 0);
    assert_int_equal(hj_end_signal(1, 0, 65, 0, NULL), 0);
    assert_int_equal(hj_end_signal(0, 1, 0, 14, NULL), 0);
    assert_string_equal(hj_signal_text(11, sb, sizeof(sb)), " (signal 11 SIGSEGV)");
    assert_string_equal(hj_signal_text(0, sb, sizeof(sb)), "");
    static char buf[4096], line[400];
    struct hj_status c[3] = {
            {.name = "seg",
             .binary = "posix",
             .state = HJ_ST_FAULTED,
             .fault_vector = 14,
             .signal = 11},
            {.name = "killed",
             .binary = "posix",
             .state = HJ_ST_EXITED,
             .exit_code = 137,
             .signal = 9},
            {.name = "ok", .binary = "posix", .state = HJ_ST_EXITED, .exit_code = 0},
    };
    struct hj_habitat_status h = {.label = "init", .generation = 1};
    long n = hj_report_json(&h, c, 3, buf, sizeof(buf));
    assert_true(n > 0);
    struct kide_json_tok tok[256];
    struct kide_json_doc doc;
    kide_u64 v;
    assert_int_equal(kide_json_parse(&doc, buf, (size_t)n, tok, 256, NULL, NULL), 0);
    int c0 = kide_json_first(&doc, kide_json_find(&doc, 0, "children"));
    int c1 = kide_json_next(&doc, c0), c2 = kide_json_next(&doc, c1);
    assert_int_equal(kide_json_get_u64(&doc, kide_json_find(&doc, c0, "signal"), &v), 0);
    assert_int_equal(v, 11);
    assert_true(kide_json_str_eq(&doc, kide_json_find(&doc, c0, "signal_name"), "SIGSEGV"));
    assert_true(kide_json_find(&doc, c0, "fault") > 0);
    assert_int_equal(kide_json_get_u64(&doc, kide_json_find(&doc, c1, "exit_code"), &v), 0);
    assert_int_equal(v, 137);
    assert_true(kide_json_str_eq(&doc, kide_json_find(&doc, c1, "signal_name"), "SIGKILL"));
    assert_true(kide_json_find(&doc, c2, "signal") < 0);
    assert_true(kide_json_find(&doc, c2, "signal_name") < 0);
    hj_report_line(&c[0], line, sizeof(line));
    assert_non_null(strstr(line, "child seg: faulted (page fault) (signal 11 SIGSEGV) ram"));
    hj_report_line(&c[1], line, sizeof(line));
    assert_non_null(strstr(line, "child killed: exited 137 (signal 9 SIGKILL) ram"));
    hj_report_line(&c[2], line, sizeof(line));
    assert_non_null(strstr(line, "child ok: exited 0 ram"));
}

static void test_plan_cases(void **state)
{
    (void)state;
    one_step(ONE(""), ONE(""), HJ_ACT_NONE, 0);
    one_step(DOC(""), ONE(""), HJ_ACT_ADD, 0);
    one_step(ONE(""), DOC(""), HJ_ACT_REMOVE, 0);
    /* In place. */
    one_step(ONE(""),
             DOC("{\"name\":\"a\",\"binary\":\"demo\",\"ram\":8192,\"caps\":16,"
                 "\"cpu\":{\"quota\":10}}"),
             HJ_ACT_UPDATE, HJ_UPD_RAM);
    one_step(ONE(""),
             DOC("{\"name\":\"a\",\"binary\":\"demo\",\"ram\":4096,\"caps\":17,"
                 "\"cpu\":{\"quota\":10}}"),
             HJ_ACT_UPDATE, HJ_UPD_CAPS);
    one_step(ONE(""),
             DOC("{\"name\":\"a\",\"binary\":\"demo\",\"ram\":4096,\"caps\":16,"
                 "\"cpu\":{\"quota\":20}}"),
             HJ_ACT_UPDATE, HJ_UPD_CPU);
    one_step(ONE(""),
             DOC("{\"name\":\"a\",\"binary\":\"demo\",\"ram\":4096,\"caps\":16,"
                 "\"cpu\":{\"quota\":10,\"priority\":3}}"),
             HJ_ACT_UPDATE, HJ_UPD_CPU);
    one_step(ONE(""), ONE(",\"restart\":{\"policy\":\"always\"}"), HJ_ACT_UPDATE, HJ_UPD_POLICY);
    one_step(ONE(""), ONE(",\"heartbeat_ms\":100"), HJ_ACT_UPDATE, HJ_UPD_POLICY);
    /* The device right is granted before START only: a change restarts the child. */
    one_step(ONE(""), ONE(",\"devices\":true"), HJ_ACT_RESTART, 0);
    one_step(ONE(",\"devices\":true"), ONE(",\"devices\":false"), HJ_ACT_RESTART, 0);
    one_step(ONE(""), ONE(",\"devices\":false"), HJ_ACT_NONE, 0);
    /* A RAM node applies to pages yet to come: a change restarts the child. */
    one_step(ONE(""), ONE(",\"ram_node\":1"), HJ_ACT_RESTART, 0);
    one_step(ONE(",\"ram_node\":0"), ONE(",\"ram_node\":1"), HJ_ACT_RESTART, 0);
    one_step(ONE(",\"ram_node\":1"), ONE(",\"ram_node\":1"), HJ_ACT_NONE, 0);
    one_step(ONE(",\"devices\":true"), ONE(",\"devices\":true"), HJ_ACT_NONE, 0);
    /* Restarts. */
    one_step(ONE(""),
             DOC("{\"name\":\"a\",\"binary\":\"other\",\"ram\":4096,\"caps\":16,"
                 "\"cpu\":{\"quota\":10}}"),
             HJ_ACT_RESTART, 0);
    one_step(ONE(""), ONE(",\"config\":{\"x\":1}"), HJ_ACT_RESTART, 0);
    one_step(ONE(",\"config\":{\"x\":1}"), ONE(",\"config\":{ \"x\" : 1 }"), HJ_ACT_NONE, 0);
    /* JSON objects are unordered: the same config or habitat with its members in
     * another order is no change (a YAML tool that sorts keys must not restart). */
    one_step(ONE(",\"config\":{\"x\":1,\"y\":{\"b\":[1,{\"d\":0,\"c\":1}],\"a\":2}}"),
             ONE(",\"config\":{\"y\":{\"a\":2,\"b\":[1,{\"c\":1,\"d\":0}]},\"x\":1}"), HJ_ACT_NONE,
             0);
    one_step(ONE(",\"config\":{\"y\":[1,2]}"), ONE(",\"config\":{\"y\":[2,1]}"), HJ_ACT_RESTART, 0);
    one_step(ONE(""), ONE(",\"provides\":[\"T\"]"), HJ_ACT_RESTART, 0);
    one_step(ONE(",\"provides\":[\"T\",\"U\"]"), ONE(",\"provides\":[\"U\",\"T\"]"), HJ_ACT_NONE,
             0);
    one_step(ONE(""), ONE(",\"routes\":[{\"service\":\"LOG\",\"to\":\"parent\"}]"), HJ_ACT_RESTART,
             0);
    one_step(ONE(",\"routes\":[{\"service\":\"A\",\"to\":\"parent\"},{\"service\":\"B\",\"to\":"
                 "\"denied\"}]"),
             ONE(",\"routes\":[{\"service\":\"B\",\"to\":\"denied\"},{\"service\":\"A\",\"to\":"
                 "\"parent\"}]"),
             HJ_ACT_RESTART, 0);
#define HABA(n)                                                                                    \
    DOC("{\"name\":\"a\",\"binary\":\"hoitaja\",\"ram\":4194304,\"caps\":128,\"cpu\":{\"quota\":"  \
        "1},"                                                                                      \
        "\"habitat\":{\"children\":[" CHILD(n, "") "]}}")
    one_step(HABA("x"), HABA("y"), HJ_ACT_RESTART, 0);
    one_step(HABA("x"), HABA("x"), HJ_ACT_NONE, 0);
    /* args go to core before START: a change restarts the child. */
    one_step(ONE(""), ONE(",\"args\":\"-v\""), HJ_ACT_RESTART, 0);
    one_step(ONE(",\"args\":\"-v\""), ONE(",\"args\":\"-q\""), HJ_ACT_RESTART, 0);
    one_step(ONE(",\"args\":\"-v\""), ONE(",\"args\":\"-v\""), HJ_ACT_NONE, 0);
    one_step(ONE(""), ONE(",\"args\":\"\""), HJ_ACT_NONE, 0);
    /* exit_with is the habitat's, not a child's: no step. */
    one_step(ONE(""), "{\"generation\":1,\"exit_with\":\"a\",\"children\":[" CHILD("a", "") "]}",
             HJ_ACT_NONE, 0);
}

static void test_args(void **state)
{
    (void)state;
    assert_int_equal(parse(DOC(CHILD("a", ""))), 0);
    assert_string_equal(cfg.child[0].args, "");
    assert_int_equal(parse(DOC(CHILD("a", ",\"args\":\"hello world -x=1 ~\""))), 0);
    assert_string_equal(cfg.child[0].args, "hello world -x=1 ~");
    /* 127 bytes fit, 128 do not. */
    char doc[512], arg[129];
    memset(arg, 'x', 127);
    arg[127] = 0;
    snprintf(doc, sizeof(doc), DOC(CHILD("a", ",\"args\":\"%s\"")), arg);
    assert_int_equal(parse(doc), 0);
    assert_int_equal(strlen(cfg.child[0].args), 127);
    memset(arg, 'x', 128);
    arg[128] = 0;
    snprintf(doc, sizeof(doc), DOC(CHILD("a", ",\"args\":\"%s\"")), arg);
    bad(doc, "args is 128 bytes, at most 127", "child 'a'");
    snprintf(doc, sizeof(doc), DOC(CHILD("a", ",\"args\":\"%s%s\"")), arg, arg);
    bad(doc, "args is 256 bytes, at most 127", NULL);
    /* Escapes: too long for the buffer, its decoded length unknown. */
    memset(arg, 'x', 120);
    memcpy(arg + 120, "\\u0041", 6);
    arg[126] = 0;
    snprintf(doc, sizeof(doc), DOC(CHILD("a", ",\"args\":\"%s%s\"")), arg, arg);
    bad(doc, "args is more than 127 bytes", NULL);
    bad(DOC(CHILD("a", ",\"args\":1")), "args must be a string", "child 'a'");
    bad(DOC(CHILD("a", ",\"args\":[\"x\"]")), "args must be a string", NULL);
    bad(DOC(CHILD("a", ",\"args\":\"a\\u0000b\"")), "byte 0x00 at offset 1", NULL);
    bad(DOC(CHILD("a", ",\"args\":\"a\\nb\"")), "byte 0x0a at offset 1", NULL);
    bad(DOC(CHILD("a", ",\"args\":\"\\u00e9\"")), "byte 0xc3 at offset 0", NULL);
    /* Copies carry it. */
    assert_int_equal(parse(DOC(CHILD("a", ",\"args\":\"-v\""))), 0);
    struct hj_child_cfg copy;
    assert_int_equal(hj_child_cfg_copy(&copy, &cfg.child[0]), 0);
    assert_string_equal(copy.args, "-v");
    hj_child_cfg_free(&copy);
}

static void test_exit_with(void **state)
{
    (void)state;
    assert_int_equal(parse(DOC(CHILD("a", ""))), 0);
    assert_string_equal(cfg.exit_with, "");
    const char *ok = "{\"generation\":1,\"exit_with\":\"b\",\"children\":[" CHILD(
            "a", "") "," CHILD("b", "") "]}";
    assert_int_equal(parse(ok), 0);
    assert_string_equal(cfg.exit_with, "b");
    bad("{\"generation\":1,\"exit_with\":\"zz\",\"children\":[" CHILD("a", "") "]}",
        "exit_with names 'zz', which is not a child", NULL);
    bad("{\"generation\":1,\"exit_with\":\"zz\",\"children\":[]}", "exit_with names 'zz'", NULL);
    bad("{\"generation\":1,\"exit_with\":1,\"children\":[" CHILD("a", "") "]}",
        "exit_with must be a string", NULL);
    bad("{\"generation\":1,\"exit_with\":\"Bad Name\",\"children\":[" CHILD("a", "") "]}",
        "exit_with 'Bad Name' must start with a lowercase letter", NULL);
    bad("{\"generation\":1,\"exit_with\":\"\",\"children\":[" CHILD("a", "") "]}",
        "exit_with '' is empty", NULL);
    /* A nested habitat may name one too; it is checked against its own children. */
    assert_int_equal(
            parse(DOC("{\"name\":\"h\",\"binary\":\"hoitaja\",\"ram\":4194304,\"caps\":128,"
                      "\"cpu\":{\"quota\":1},\"habitat\":{\"exit_with\":\"x\",\"children\":"
                      "[" CHILD("x", "") "]}}")),
            0);
    bad(DOC("{\"name\":\"h\",\"binary\":\"hoitaja\",\"ram\":4194304,\"caps\":128,"
            "\"cpu\":{\"quota\":1},\"habitat\":{\"exit_with\":\"y\",\"children\":"
            "[" CHILD("x", "") "]}}"),
        "habitat 'h' (line 1, column 126): exit_with names 'y'", NULL);

    /* Merging: a partial configuration keeps exit_with unless it names one, and may
     * not remove the child it names. */
    struct hj_config cur, part, out;
    assert_int_equal(hj_config_parse(ok, strlen(ok), &big, 0, &cur, &err), 0);
    const char *p = "{\"children\":[" CHILD("c", "") "]}";
    assert_int_equal(
            hj_config_parse(p, strlen(p), &big, HJ_PARSE_PARTIAL | HJ_PARSE_NO_GEN, &part, &err),
            0);
    assert_int_equal(hj_config_merge(&cur, &part, &big, &out, &err), 0);
    assert_string_equal(out.exit_with, "b");
    hj_config_free(&out);
    hj_config_free(&part);
    p = "{\"exit_with\":\"c\",\"children\":[" CHILD("c", "") "]}";
    assert_int_equal(
            hj_config_parse(p, strlen(p), &big, HJ_PARSE_PARTIAL | HJ_PARSE_NO_GEN, &part, &err),
            0);
    assert_int_equal(hj_config_merge(&cur, &part, &big, &out, &err), 0);
    assert_string_equal(out.exit_with, "c");
    hj_config_free(&out);
    hj_config_free(&part);
    p = "{\"children\":[{\"name\":\"b\",\"remove\":true}]}";
    assert_int_equal(
            hj_config_parse(p, strlen(p), &big, HJ_PARSE_PARTIAL | HJ_PARSE_NO_GEN, &part, &err),
            0);
    assert_int_not_equal(hj_config_merge(&cur, &part, &big, &out, &err), 0);
    assert_non_null(strstr(err.msg, "exit_with names 'b', which is not a child"));
    hj_config_free(&part);
    /* A partial one naming a child that does not exist after the merge. */
    p = "{\"exit_with\":\"q\",\"children\":[]}";
    assert_int_equal(
            hj_config_parse(p, strlen(p), &big, HJ_PARSE_PARTIAL | HJ_PARSE_NO_GEN, &part, &err),
            0);
    assert_int_not_equal(hj_config_merge(&cur, &part, &big, &out, &err), 0);
    assert_non_null(strstr(err.msg, "exit_with names 'q'"));
    hj_config_free(&part);
    hj_config_free(&cur);
}

#define CPUQ(name, quota)                                                                          \
    "{\"name\":\"" name                                                                            \
    "\",\"binary\":\"demo\",\"ram\":4096,\"caps\":16,\"cpu\":{\"quota\":" quota "}}"

static void test_plan_order(void **state)
{
    (void)state;
    struct hj_config ca, cb;
    /* a: removed; b: shrinks (RAM and CPU percent); c: restarts; d: grows; e: added. */
    const char *old =
            DOC(CHILD("a", "") ","
                               "{\"name\":\"b\",\"binary\":\"demo\",\"ram\":8192,\"caps\":16,"
                               "\"cpu\":{\"quota\":20}}," CHILD("c", "") "," CHILD("d", ""));
    const char *neu =
            DOC(CHILD("e", "") ","
                               "{\"name\":\"d\",\"binary\":\"demo\",\"ram\":8192,\"caps\":16,"
                               "\"cpu\":{\"quota\":10}},"
                               "{\"name\":\"c\",\"binary\":\"new\",\"ram\":4096,\"caps\":16,"
                               "\"cpu\":{\"quota\":10}}," CHILD("b", ""));
    int n = plan(old, neu, &ca, &cb);
    assert_int_equal(n, 5);
    assert_int_equal(steps[0].act, HJ_ACT_REMOVE);
    assert_string_equal(ca.child[steps[0].old_idx].name, "a");
    assert_int_equal(steps[1].act, HJ_ACT_UPDATE);
    assert_string_equal(cb.child[steps[1].new_idx].name, "b");
    assert_int_equal(steps[2].act, HJ_ACT_RESTART);
    assert_int_equal(steps[3].act, HJ_ACT_UPDATE);
    assert_string_equal(cb.child[steps[3].new_idx].name, "d");
    assert_int_equal(steps[3].upd, HJ_UPD_RAM);
    assert_int_equal(steps[4].act, HJ_ACT_ADD);
    assert_string_equal(hj_act_result(steps[4].act), "added");
    assert_string_equal(hj_act_result(HJ_ACT_RESTART), "restarted");
    assert_string_equal(hj_act_result(HJ_ACT_UPDATE), "applied");
    assert_string_equal(hj_act_result(HJ_ACT_REMOVE), "removed");
    hj_config_free(&ca);
    hj_config_free(&cb);
}

/* Two children trade CPU percent (30/70 to 70/30): the one that shrinks is
 * applied first, so core's per-CPU sum never passes 100 on the way. */
static void test_plan_cpu_swap(void **state)
{
    (void)state;
    struct hj_config ca, cb;
    const char *old = DOC(CPUQ("x", "30") "," CPUQ("y", "70"));
    const char *neu = DOC(CPUQ("x", "70") "," CPUQ("y", "30"));
    int n = plan(old, neu, &ca, &cb);
    assert_int_equal(n, 2);
    assert_string_equal(cb.child[steps[0].new_idx].name, "y");
    assert_string_equal(cb.child[steps[1].new_idx].name, "x");
    hj_config_free(&ca);
    hj_config_free(&cb);
}

/* ---- CPU placement -------------------------------------------------------------------- */

#define CPUC(name, quota, aff, extra)                                                              \
    "{\"name\":\"" name                                                                            \
    "\",\"binary\":\"demo\",\"ram\":4096,\"caps\":16,\"cpu\":{\"quota\":" quota aff "}" extra "}"

/* ram_node: a NUMA node 0..7 (whether it exists is core's to say at start);
 * a bad value names the field and its place. */
static void test_ram_node(void **state)
{
    (void)state;
    assert_int_equal(parse(ONE("")), 0);
    assert_false(cfg.child[0].has_ram_node);
    assert_int_equal(parse(ONE(",\"ram_node\":1")), 0);
    assert_true(cfg.child[0].has_ram_node);
    assert_int_equal(cfg.child[0].ram_node, 1);
    assert_int_equal(parse(ONE(",\"ram_node\":7")), 0);
    bad(ONE(",\"ram_node\":8"), "ram_node", "line 1");
    bad(ONE(",\"ram_node\":-1"), "ram_node", NULL);
    bad(ONE(",\"ram_node\":\"1\""), "ram_node", NULL);
    bad(ONE(",\"ram_node\":1.5"), "ram_node", NULL);
    bad("{\"generation\":1,\"children\":[\n" CHILD("a", ",\n\"ram_node\":99") "]}", "ram_node",
        "line 3, column 12");
}

static void test_affinity(void **state)
{
    (void)state;
    /* Default: the habitat's own CPU. */
    assert_int_equal(parse(DOC(CPUC("a", "10", "", ""))), 0);
    assert_int_equal(cfg.child[0].affinity, 0);
    struct hj_limits home1 = big;
    home1.home_cpu = 1;
    assert_int_equal(parse_lim(DOC(CPUC("a", "10", "", "")), &home1, 0), 0);
    assert_int_equal(cfg.child[0].affinity, 1);
    assert_int_equal(parse(DOC(CPUC("a", "10", ",\"affinity\":3", ""))), 0);
    assert_int_equal(cfg.child[0].affinity, 3);
    /* Range: below the machine's CPU count; an integer. */
    bad(DOC(CPUC("a", "10", ",\"affinity\":4", "")), "cpu.affinity 4", "4 CPUs");
    bad(DOC(CPUC("a", "10", ",\"affinity\":16", "")),
        "cpu.affinity must be an integer from 0 to 15, got 16", NULL);
    bad(DOC(CPUC("a", "10", ",\"affinity\":\"1\"", "")), "cpu.affinity", NULL);
    bad(DOC(CPUC("a", "10", ",\"affinity\":-1", "")), "cpu.affinity", NULL);
    struct hj_limits one = big;
    one.cpus = 0; /* unknown: one CPU */
    assert_int_not_equal(parse_lim(DOC(CPUC("a", "10", ",\"affinity\":1", "")), &one, 0), 0);
    assert_non_null(strstr(err.msg, "1 CPU"));
    /* Quota sums per CPU: the habitat's share on its own CPU, 100 on each other. */
    bad(DOC(CPUC("a", "60", "", "") "," CPUC("b", "60", ",\"affinity\":0", "")), "120%",
        "on cpu 0");
    assert_int_equal(parse(DOC(CPUC("a", "60", "", "") "," CPUC("b", "60", ",\"affinity\":1", ""))),
                     0);
    bad(DOC(CPUC("a", "60", ",\"affinity\":2", "") "," CPUC("b", "60", ",\"affinity\":2", "")),
        "120% on cpu 2", "whole CPU");
    struct hj_limits small = big;
    small.cpu = 30;
    assert_int_not_equal(parse_lim(DOC(CPUC("a", "40", "", "")), &small, 0), 0);
    assert_non_null(
            strstr(err.msg, "40% on cpu 0 with its 40%, more than the habitat's share (30%)"));
    assert_int_equal(parse_lim(DOC(CPUC("a", "40", ",\"affinity\":1", "")), &small, 0), 0);
    /* Sessions stay on one CPU. */
    bad(DOC(CPUC("a", "10", ",\"affinity\":1", ",\"provides\":[\"T\"]") "," CPUC(
                "b", "10", "",
                ",\"routes\":[{\"service\":\"T\",\"to\":\"child\",\"child\":\"a\"}]")),
        "sessions cannot cross CPUs yet", NULL);
    assert_true(strstr(err.hint, "put both on one CPU") != NULL);
    assert_true(strstr(err.msg, "route 'T' to 'a' on cpu 1 from cpu 0") != NULL);
    assert_int_equal(
            parse(DOC(CPUC("a", "10", ",\"affinity\":1", ",\"provides\":[\"T\"]") "," CPUC(
                    "b", "10", ",\"affinity\":1",
                    ",\"routes\":[{\"service\":\"T\",\"to\":\"child\",\"child\":\"a\"}]"))),
            0);
    bad(DOC(CPUC("a", "10", ",\"affinity\":1",
                 ",\"routes\":[{\"service\":\"*\",\"to\":\"parent\"}]")),
        "route '*' to the parent from cpu 1", NULL);
    assert_int_equal(parse(DOC(CPUC("a", "10", ",\"affinity\":1",
                                    ",\"routes\":[{\"service\":\"Hoitaja\",\"to\":\"parent\"},"
                                    "{\"service\":\"*\",\"to\":\"denied\"}]"))),
                     0);
    /* A nested habitat's children default to the habitat's CPU and are checked
     * against it. */
#define HAB1(kids)                                                                                 \
    DOC("{\"name\":\"h\",\"binary\":\"hoitaja\",\"ram\":4194304,\"caps\":128,\"cpu\":{\"quota\":"  \
        "10,"                                                                                      \
        "\"affinity\":1},\"habitat\":{\"children\":[" kids "]}}")
    assert_int_equal(parse(HAB1(CPUC("x", "100", "",
                                     ",\"routes\":[{\"service\":\"*\",\"to\":"
                                     "\"parent\"}]"))),
                     0);
    /* ... and only the root habitat places children on other CPUs. */
    bad(HAB1(CPUC("x", "10", "", "") "," CPUC("y", "10", ",\"affinity\":0", "")), "habitat 'h'",
        "cpu.affinity 0, but this habitat runs on cpu 1");
    assert_non_null(strstr(err.hint, "only the root habitat"));
    bad(HAB1(CPUC("x", "60", "", "") "," CPUC("y", "60", ",\"affinity\":1", "")), "habitat 'h'",
        "120% on cpu 1");
    /* A partial configuration is placed like a full one. */
    struct hj_config cur, part, out;
    const char *full = DOC(CPUC("a", "60", "", "") "," CPUC("b", "30", ",\"affinity\":1", ""));
    assert_int_equal(hj_config_parse(full, strlen(full), &big, 0, &cur, &err), 0);
    const char *p1 = "{\"children\":[" CPUC("b", "60", "", "") "]}";
    assert_int_equal(
            hj_config_parse(p1, strlen(p1), &big, HJ_PARSE_PARTIAL | HJ_PARSE_NO_GEN, &part, &err),
            0);
    assert_int_not_equal(hj_config_merge(&cur, &part, &big, &out, &err), 0);
    assert_non_null(strstr(err.msg, "120% on cpu 0"));
    hj_config_free(&part);
    hj_config_free(&cur);
}

static void test_plan_affinity(void **state)
{
    (void)state;
    one_step(ONE(""), DOC(CPUC("a", "10", ",\"affinity\":1", "")), HJ_ACT_RESTART, 0);
    one_step(DOC(CPUC("a", "10", ",\"affinity\":1", "")),
             DOC(CPUC("a", "10", ",\"affinity\":2", "")), HJ_ACT_RESTART, 0);
    /* The default is the habitat's CPU: naming it changes nothing. */
    one_step(ONE(""), DOC(CPUC("a", "10", ",\"affinity\":0", "")), HJ_ACT_NONE, 0);
    one_step(DOC(CPUC("a", "10", ",\"affinity\":1", "")),
             DOC(CPUC("a", "20", ",\"affinity\":1", "")), HJ_ACT_UPDATE, HJ_UPD_CPU);
}

/* ---- routes, labels, back-off, events ------------------------------------------------- */

static void test_routes(void **state)
{
    (void)state;
    assert_int_equal(parse(DOC(CHILD("t", ",\"provides\":[\"Timer\"]") "," CHILD(
                             "a", ",\"routes\":[{\"service\":\"Timer\",\"to\":\"child\","
                                  "\"child\":\"t\"},{\"service\":\"LOG\",\"to\":"
                                  "\"parent\"},{\"service\":\"*\",\"to\":\"denied\"}]"))),
                     0);
    const struct hj_child_cfg *a = &cfg.child[1];
    assert_int_equal(hj_route_find(a, "Timer")->to, HJ_TO_CHILD);
    assert_int_equal(hj_route_find(a, "LOG")->to, HJ_TO_PARENT);
    assert_int_equal(hj_route_find(a, "Other")->to, HJ_TO_DENIED);
    assert_null(hj_route_find(&cfg.child[0], "LOG"));
    assert_true(hj_provides(&cfg.child[0], "Timer"));
    assert_false(hj_provides(&cfg.child[0], "timer"));

    char l[32];
    assert_int_equal(hj_label(l, sizeof(l), "init", "timer", NULL), 0);
    assert_string_equal(l, "timer");
    assert_int_equal(hj_label(l, sizeof(l), "tenant-a", "agent", ""), 0);
    assert_string_equal(l, "tenant-a/agent");
    assert_int_equal(hj_label(l, sizeof(l), "init", "tenant-a", "agent"), 0);
    assert_string_equal(l, "tenant-a/agent");
    assert_int_equal(hj_label(l, 8, "tenant-a", "agent", NULL), -1);
}

static void test_backoff(void **state)
{
    (void)state;
    struct hj_backoff b = {0};
    assert_int_equal(hj_backoff_next(&b, 100, 1000, 0), 100);
    assert_int_equal(hj_backoff_next(&b, 100, 1000, 0), 200);
    assert_int_equal(hj_backoff_next(&b, 100, 1000, 0), 400);
    assert_int_equal(hj_backoff_next(&b, 100, 1000, 0), 800);
    assert_int_equal(hj_backoff_next(&b, 100, 1000, 0), 1000);
    assert_int_equal(hj_backoff_next(&b, 100, 1000, 0), 1000);
    /* A clean minute resets it. */
    assert_int_equal(hj_backoff_next(&b, 100, 1000, HJ_CLEAN_RUN_NS), 100);
    assert_int_equal(hj_backoff_next(&b, 100, 1000, HJ_CLEAN_RUN_NS - 1), 200);
    /* Large bounds do not overflow. */
    struct hj_backoff c = {0};
    for (int i = 0; i < 100; i++)
        assert_true(hj_backoff_next(&c, 86400000, 86400000, 0) == 86400000);

    assert_true(hj_should_restart(HJ_RESTART_ALWAYS, 0, 0));
    assert_false(hj_should_restart(HJ_RESTART_NEVER, 1, 1));
    assert_true(hj_should_restart(HJ_RESTART_ON_FAILURE, 1, 0));
    assert_true(hj_should_restart(HJ_RESTART_ON_FAILURE, 0, 3));
    assert_false(hj_should_restart(HJ_RESTART_ON_FAILURE, 0, 0));
}

static void test_events(void **state)
{
    (void)state;
    static struct hj_events e;
    struct kide_mgmt_event out[KIDE_MGMT_EVENTS_MAX];
    kide_u64 first, lost;
    hj_events_init(&e);
    assert_int_equal(hj_events_read(&e, 0, out, 32, &first, &lost), 0);
    assert_int_equal(hj_events_push(&e, KIDE_EV_STARTED, "demo", 5, 0, 0), 1);
    assert_int_equal(hj_events_push(&e, KIDE_EV_EXITED,
                                    "a-very-long-child-name-that-is-cut-off-here", 6, 3, 0),
                     2);
    assert_int_equal(hj_events_read(&e, 0, out, 32, &first, &lost), 2);
    assert_int_equal(first, 1);
    assert_int_equal(lost, 0);
    assert_string_equal(out[0].child, "demo");
    assert_int_equal(out[1].a, 3);
    assert_int_equal(strlen(out[1].child), sizeof(out[1].child) - 1);
    assert_int_equal(hj_events_read(&e, 1, out, 32, &first, &lost), 1);
    assert_int_equal(first, 2);
    assert_int_equal(hj_events_read(&e, 2, out, 32, &first, &lost), 0);
    /* Overrun: the reader learns what it lost. */
    for (int i = 0; i < 300; i++)
        hj_events_push(&e, KIDE_EV_RESTARTED, "x", 7, (kide_u64)i, 0);
    assert_int_equal(hj_events_read(&e, 2, out, 32, &first, &lost), 32);
    assert_int_equal(first, 302 - HJ_EVENTS_RING + 1);
    assert_int_equal(lost, first - 3);
    assert_int_equal(out[0].seq, first);
}

/* ---- report ------------------------------------------------------------------------ */

static void test_report(void **state)
{
    (void)state;
    char buf[4096], line[400], r[32];
    struct hj_status c[3] = {
            {.name = "timer",
             .binary = "timer",
             .devices = 1,
             .state = HJ_ST_RUNNING,
             .ram_quota = 100,
             .ram_used = 40,
             .caps_quota = 16,
             .caps_used = 9,
             .cpu_ns = 5000000,
             .cpu_quota = 10,
             .priority = 100,
             .affinity = 1,
             .uptime_ns = 7000000},
            {.name = "bad",
             .binary = "crash",
             .state = HJ_ST_FAULTED,
             .fault_vector = 14,
             .fault_addr = 0x1000,
             .fault_ip = 0x4000001234,
             .restarts = 2},
            {.name = "done", .binary = "demo", .state = HJ_ST_EXITED, .exit_code = 3},
    };
    struct hj_habitat_status h = {.label = "init", .generation = 2, .seq = 9, .ram_quota = 1000};
    long n = hj_report_json(&h, c, 3, buf, sizeof(buf));
    assert_true(n > 0);
    /* It is valid JSON with the documented fields. */
    struct kide_json_tok tok[512];
    struct kide_json_doc doc;
    assert_int_equal(kide_json_parse(&doc, buf, (size_t)n, tok, 512, NULL, NULL), 0);
    kide_u64 v;
    int ch = kide_json_find(&doc, 0, "children");
    int c0 = kide_json_first(&doc, ch);
    assert_int_equal(
            kide_json_get_u64(&doc, kide_json_find(&doc, kide_json_find(&doc, c0, "ram"), "used"),
                              &v),
            0);
    assert_int_equal(v, 40);
    assert_int_equal(
            kide_json_get_u64(
                    &doc, kide_json_find(&doc, kide_json_find(&doc, c0, "cpu"), "affinity"), &v),
            0);
    assert_int_equal(v, 1);
    assert_int_equal(kide_json_type(&doc, kide_json_find(&doc, c0, "devices")), KIDE_JSON_TRUE);
    int c1 = kide_json_next(&doc, c0);
    assert_int_equal(kide_json_type(&doc, kide_json_find(&doc, c1, "devices")), KIDE_JSON_FALSE);
    int f = kide_json_find(&doc, c1, "fault");
    assert_true(kide_json_str_eq(&doc, kide_json_find(&doc, f, "reason"), "page fault"));
    int c2 = kide_json_next(&doc, c1);
    assert_int_equal(kide_json_get_u64(&doc, kide_json_find(&doc, c2, "exit_code"), &v), 0);
    assert_int_equal(v, 3);
    int sum = kide_json_find(&doc, 0, "sum");
    assert_int_equal(kide_json_get_u64(&doc, kide_json_find(&doc, sum, "restarts"), &v), 0);
    assert_int_equal(v, 2);
    /* Too small a buffer is an error, not truncated JSON. */
    assert_int_equal(hj_report_json(&h, c, 3, buf, 64), KIDE_JSON_ENOSPC);

    /* The console line is unchanged by devices. */
    hj_report_line(&c[0], line, sizeof(line));
    assert_string_equal(line, "child timer: running ram 40/100 caps 9/16 cpu 10% prio 100 cpu_ms 5 "
                              "restarts 0 uptime_ms 7");
    hj_report_line(&c[1], line, sizeof(line));
    assert_non_null(strstr(line, "child bad: faulted (page fault)"));
    /* A configured ram_node shows in the line and the JSON. */
    c[0].has_ram_node = 1, c[0].ram_node = 1;
    hj_report_line(&c[0], line, sizeof(line));
    assert_non_null(strstr(line, "child timer: running ram_node 1 ram 40/100 caps"));
    n = hj_report_json(&h, c, 3, buf, sizeof(buf));
    assert_true(n > 0);
    assert_int_equal(kide_json_parse(&doc, buf, (size_t)n, tok, 512, NULL, NULL), 0);
    c0 = kide_json_first(&doc, kide_json_find(&doc, 0, "children"));
    assert_int_equal(kide_json_get_u64(&doc, kide_json_find(&doc, c0, "ram_node"), &v), 0);
    assert_int_equal(v, 1);
    assert_true(kide_json_find(&doc, kide_json_next(&doc, c0), "ram_node") < 0);
    hj_report_line(&c[2], line, sizeof(line));
    assert_non_null(strstr(line, "child done: exited 3"));
    hj_report_sum_line(&h, c, 3, line, sizeof(line));
    assert_non_null(strstr(line, "habitat init: generation 2 children 3 ram 40/100 of 1000"));

    assert_string_equal(hj_fault_reason(0, r, sizeof(r)), "divide error");
    assert_string_equal(hj_fault_reason(6, r, sizeof(r)), "invalid opcode");
    assert_string_equal(hj_fault_reason(13, r, sizeof(r)), "general protection");
    assert_string_equal(hj_fault_reason(14, r, sizeof(r)), "page fault");
    assert_string_equal(hj_fault_reason(3, r, sizeof(r)), "exception 3");
    assert_string_equal(hj_state_name(HJ_ST_RESTARTING), "restarting");
    assert_string_equal(hj_state_name(200), "unknown");

    struct hj_result res[2] = {{"a", "added"}, {"b", "rejected: child kept 4096 bytes"}};
    n = hj_result_json(3, "done", res, 2, buf, sizeof(buf));
    assert_true(n > 0);
    assert_non_null(strstr(buf, "\"result\":\"rejected: child kept 4096 bytes\""));
}

/* ---- boundaries of every numeric field (issue 10, finding 16) ---------------------- */

/* One child with the given field text replacing ram/caps/cpu: accepted or refused. */
static int one_child(const char *ram, const char *caps, const char *cpu, const char *extra)
{
    char doc[1024];
    snprintf(doc, sizeof(doc),
             "{\"generation\":1,\"children\":[{\"name\":\"a\",\"binary\":\"demo\",\"ram\":%s,"
             "\"caps\":%s,\"cpu\":{%s}%s}]}",
             ram, caps, cpu, extra);
    struct hj_limits lim = big;
    lim.ram = ~0ull >> 1;
    lim.caps = ~0ull >> 1;
    return parse_lim(doc, &lim, 0);
}

/* At the limit passes, one past fails, and the failure says why and what to do. */
static void test_field_boundaries(void **state)
{
    (void)state;
    const char *q = "\"quota\":1";
    /* ram: whole pages from 4K to 64T. */
    assert_int_equal(one_child("4096", "16", q, ""), 0);
    assert_int_equal(one_child("70368744177664", "16", q, ""), 0);
    assert_int_not_equal(one_child("70368744181760", "16", q, ""), 0);
    assert_non_null(strstr(err.msg, "ram must be from 4K to 64T bytes, got 68719476740K"));
    assert_non_null(strstr(err.hint, "use a value from 4096 (4K) to 70368744177664 (64T) bytes"));
    assert_int_not_equal(one_child("0", "16", q, ""), 0);
    /* Not a whole page: core would refuse the account with BAD_PARAM. */
    assert_int_not_equal(one_child("1048577", "16", q, ""), 0);
    assert_non_null(strstr(err.msg, "ram 1048577 is not a multiple of the 4096-byte page"));
    assert_non_null(strstr(err.hint, "round ram to a multiple of 4K"));
    assert_int_not_equal(one_child("4097", "16", q, ""), 0);
    assert_int_equal(one_child("1052672", "16", q, ""), 0);
    /* caps: 16..1000000. */
    assert_int_not_equal(one_child("4096", "15", q, ""), 0);
    assert_non_null(strstr(err.hint, "use a value from 16 to 1000000"));
    assert_int_equal(one_child("4096", "1000000", q, ""), 0);
    assert_int_not_equal(one_child("4096", "1000001", q, ""), 0);
    /* cpu.quota 0..100, cpu.priority 0..127. */
    assert_int_equal(one_child("4096", "16", "\"quota\":100", ""), 0);
    assert_int_not_equal(one_child("4096", "16", "\"quota\":101", ""), 0);
    assert_int_equal(one_child("4096", "16", "\"quota\":0,\"priority\":127", ""), 0);
    assert_int_not_equal(one_child("4096", "16", "\"quota\":0,\"priority\":128", ""), 0);
    assert_non_null(strstr(err.msg, "cpu.priority must be an integer from 0 to 127, got 128"));
    /* cpu.affinity below the machine's CPUs (big has 4). */
    assert_int_equal(one_child("4096", "16", "\"quota\":1,\"affinity\":3", ""), 0);
    assert_int_not_equal(one_child("4096", "16", "\"quota\":1,\"affinity\":4", ""), 0);
    /* Periods: up to a day. */
    assert_int_equal(one_child("4096", "16", q, ",\"heartbeat_ms\":86400000"), 0);
    assert_int_not_equal(one_child("4096", "16", q, ",\"heartbeat_ms\":86400001"), 0);
    assert_int_equal(one_child("4096", "16", q,
                               ",\"restart\":{\"policy\":\"always\",\"backoff_ms\":86400000}"),
                     0);
    assert_int_not_equal(one_child("4096", "16", q,
                                   ",\"restart\":{\"policy\":\"always\",\"backoff_ms\":86400001}"),
                         0);
    assert_int_not_equal(
            one_child("4096", "16", q, ",\"restart\":{\"policy\":\"always\",\"backoff_ms\":0}"), 0);
    /* ram_node 0..7. */
    assert_int_equal(one_child("4096", "16", q, ",\"ram_node\":7"), 0);
    assert_int_not_equal(one_child("4096", "16", q, ",\"ram_node\":8"), 0);
}

/* Quota sums never wrap and name the child that takes them past the habitat's quota. */
static void test_sums_overflow(void **state)
{
    (void)state;
    kide_u64 sum = 0;
    assert_int_equal(hj_add_within(&sum, 1ull << 63, ~0ull), 0);
    assert_int_not_equal(hj_add_within(&sum, 1ull << 63, ~0ull), 0);
    assert_true(sum == ~0ull); /* saturated, not 0 */
    sum = 10;
    assert_int_equal(hj_add_within(&sum, 5, 15), 0);
    assert_int_not_equal(hj_add_within(&sum, 1, 15), 0);
    assert_true(sum == 16);
    /* At the habitat's quota passes; one page more names the child and the sum. */
    struct hj_limits lim = big;
    lim.ram = 8192;
    lim.caps = 32;
    const char *two = DOC(CHILD("a", "") "," CHILD("b", ""));
    assert_int_equal(parse_lim(two, &lim, 0), 0);
    lim.ram = 8191;
    assert_int_not_equal(parse_lim(two, &lim, 0), 0);
    assert_non_null(strstr(err.msg, "child 'b'"));
    assert_non_null(strstr(err.msg, "ram adds up to 8K with its 4K, more than the habitat's 8191"));
    lim.ram = 8192;
    lim.caps = 31;
    assert_int_not_equal(parse_lim(two, &lim, 0), 0);
    assert_non_null(strstr(err.msg, "child 'b' (line 1): the children's caps add up to 32 with its "
                                    "16, more than the habitat's 31"));
    /* Two children of the largest ram: refused by the sum, not wrapped. */
    lim = big;
    lim.ram = ~0ull >> 1;
    const char *huge = DOC("{\"name\":\"a\",\"binary\":\"d\",\"ram\":70368744177664,\"caps\":16,"
                           "\"cpu\":{\"quota\":1}},{\"name\":\"b\",\"binary\":\"d\",\"ram\":"
                           "70368744177664,\"caps\":16,\"cpu\":{\"quota\":1}}");
    assert_int_equal(parse_lim(huge, &lim, 0), 0);
    lim.ram = 1ull << 46;
    assert_int_not_equal(parse_lim(huge, &lim, 0), 0);
    assert_non_null(strstr(err.msg, "child 'b'"));
    assert_non_null(strstr(err.msg, "adds up to 128T with its 64T, more than the habitat's 64T"));
}

/* A nested habitat's children get its quotas less what its own hoitaja keeps, as
 * that hoitaja finds them at boot (KIDE_HAB_*_OVERHEAD, kide_hab_ram_overhead). */
static void test_habitat_overhead(void **state)
{
    (void)state;
    char doc[1024];
    const kide_u64 ram = 16u << 20, caps = 256;
    /* The habitat text is below a page: its overhead counts one page for it. */
    kide_u64 left = ram - kide_hab_ram_overhead(ram, 100);
    assert_true(kide_hab_ram_overhead(ram, 100) == (1u << 20) + 4096 + 16384);
    assert_true(kide_hab_ram_overhead(ram, 4097) == (1u << 20) + 8192 + 16384);
#define NESTED(kram, kcaps)                                                                        \
    snprintf(doc, sizeof(doc),                                                                     \
             "{\"generation\":1,\"children\":[{\"name\":\"t\",\"binary\":\"hoitaja\",\"ram\":%lu," \
             "\"caps\":%lu,\"cpu\":{\"quota\":1},\"habitat\":{\"children\":[{\"name\":\"d\","      \
             "\"binary\":\"demo\",\"ram\":%lu,\"caps\":%lu,\"cpu\":{\"quota\":1}}]}}]}",           \
             (unsigned long)ram, (unsigned long)caps, (unsigned long)(kram),                       \
             (unsigned long)(kcaps))
    NESTED(left, caps - KIDE_HAB_CAPS_OVERHEAD);
    assert_int_equal(parse(doc), 0);
    /* caps 256 leave 208: 209 is what hoitaja would refuse at boot. */
    NESTED(left, caps - KIDE_HAB_CAPS_OVERHEAD + 1);
    assert_int_not_equal(parse(doc), 0);
    assert_non_null(strstr(err.msg, "habitat 't': child 'd' (line 1): the children's caps add up "
                                    "to 209 with its 209, more than the habitat's 208"));
    NESTED(left + 4096, caps - KIDE_HAB_CAPS_OVERHEAD);
    assert_int_not_equal(parse(doc), 0);
    assert_non_null(strstr(err.msg, "more than the habitat's 15340K"));
    /* Too small to run a habitat at all. */
    snprintf(doc, sizeof(doc), "%s",
             DOC("{\"name\":\"t\",\"binary\":\"hoitaja\",\"ram\":4194304,\"caps\":63,"
                 "\"cpu\":{\"quota\":1},\"habitat\":{\"children\":[]}}"));
    assert_int_not_equal(parse(doc), 0);
    assert_non_null(strstr(err.msg, "caps 63 leaves its children less than 16"));
    assert_non_null(strstr(err.hint, "its hoitaja keeps 48"));
    snprintf(doc, sizeof(doc), "%s",
             DOC("{\"name\":\"t\",\"binary\":\"hoitaja\",\"ram\":1048576,\"caps\":64,"
                 "\"cpu\":{\"quota\":1},\"habitat\":{\"children\":[]}}"));
    assert_int_not_equal(parse(doc), 0);
    assert_non_null(strstr(err.msg, "ram 1M leaves its children nothing"));
}

/* binary "pkg:<user>/<name>/<version>" (decision 0022): the pattern, at most
 * 31 bytes, and a route for service Pkg; boot module names as before. */
#define PKGCHILD(bin, extra)                                                                       \
    "{\"name\":\"p\",\"binary\":\"" bin "\",\"ram\":4096,\"caps\":16,\"cpu\":{\"quota\":10}" extra \
    "}"
#define PKGROUTE ",\"routes\":[{\"service\":\"Pkg\",\"to\":\"child\",\"child\":\"store\"}]"
static void test_pkg_binary(void **state)
{
    (void)state;
    assert_int_equal(parse(DOC(CHILD("store", ",\"provides\":[\"Pkg\"]") "," PKGCHILD(
                             "pkg:alice/hello/1.0", PKGROUTE))),
                     0);
    assert_string_equal(cfg.child[1].binary, "pkg:alice/hello/1.0");
    assert_true(hj_binary_is_pkg(cfg.child[1].binary));
    assert_false(hj_binary_is_pkg(cfg.child[0].binary));
    hj_config_free(&cfg);
    bad(DOC(PKGCHILD("pkg:alice/hello/1.0", "")),
        "binary 'pkg:alice/hello/1.0' is a package, but the child has no route for service Pkg",
        "child 'p'");
    bad(DOC(PKGCHILD("pkg:alice/hello/1.0",
                     ",\"routes\":[{\"service\":\"Pkg\",\"to\":\"denied\"}]")),
        "no route for service Pkg", NULL);
    const char *wrong[] = {"pkg:alice/hello",    "pkg:alice/hello/1.0/x", "pkg:/hello/1.0",
                           "pkg:alice//1.0",     "pkg:Alice/hello/1.0",   "pkg:alice/hello/",
                           "pkg:alice/hello/.1", "pkg:al ce/hello/1.0",   "pkg:"};
    char why[200];
    for (unsigned i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++)
        if (hj_binary_check(wrong[i], strlen(wrong[i]), why, sizeof(why)) == 0)
            fail_msg("accepted binary '%s'", wrong[i]);
    assert_non_null(strstr(why, "is not a package name pkg:<user>/<name>/<version>"));
    assert_int_equal(hj_binary_check("pkg:a/b/1.0-rc1+x_y", 19, why, sizeof(why)), 0);
    assert_int_equal(hj_binary_check("pkg:alice/hello-world/2024.1.1", 30, why, sizeof(why)), 0);
    assert_int_equal(hj_binary_check("pkg:alice/hello-world/2024.11.1", 31, why, sizeof(why)), 0);
    assert_int_equal(hj_binary_check("pkg:alice/hello-world/2024.11.12", 32, why, sizeof(why)), -1);
    assert_string_equal(why, "is 32 bytes, at most 31 for a package");
    assert_int_equal(hj_binary_check("demo", 4, why, sizeof(why)), 0);
    assert_int_equal(hj_binary_check("pk:x", 4, why, sizeof(why)), -1);
    bad(DOC(PKGCHILD("pkg:alice/hello", PKGROUTE)),
        "binary 'pkg:alice/hello' is not a package name", NULL);
    assert_string_equal(err.hint, HJ_BINARY_HINT);
}

/* The configuration size limit: at KIDE_CONFIG_MAX parsed, one byte more refused. */
/* Names, service names and labels at their limits (kide/limits.h): the longest
 * is accepted, one byte more refused with the same message kide-scenario gives. */
static void test_name_limits(void **state)
{
    (void)state;
#define N32 "abcdefghijklmnopqrstuvwxyz-12345"
#define S32 "Abcdefghijklmnopqrstuvwxyz_12345"
    _Static_assert(sizeof(N32) - 1 == KIDE_NAME_MAX && sizeof(S32) - 1 == KIDE_SERVICE_MAX,
                   "the limits changed: adapt the test");
    assert_int_equal(parse(DOC(CHILD(N32, ""))), 0);
    hj_config_free(&cfg);
    bad(DOC(CHILD(N32 "x", "")), "name '" N32 "x' is 33 bytes, at most 32", NULL);
    assert_string_equal(err.hint, HJ_NAME_HINT);
    assert_int_equal(parse(DOC(CHILD("a", ",\"provides\":[\"" S32 "\"]"))), 0);
    hj_config_free(&cfg);
    bad(DOC(CHILD("a", ",\"provides\":[\"" S32 "x\"]")),
        "a provided service '" S32 "x' is 33 bytes, at most 32", "child 'a'");
    assert_string_equal(err.hint, HJ_SERVICE_HINT);
    bad(DOC(CHILD("a", ",\"routes\":[{\"service\":\"" S32 "x\",\"to\":\"parent\"}]")),
        "route service '" S32 "x' is 33 bytes, at most 32", NULL);
    char why[80];
    assert_int_equal(hj_name_check(N32, 32, 0, why, sizeof(why)), 0);
    assert_int_equal(hj_name_check(N32 "x", 33, 0, why, sizeof(why)), -1);
    assert_string_equal(why, "is 33 bytes, at most 32");
    assert_int_equal(hj_name_check("a_b", 3, 0, why, sizeof(why)), -1);
    assert_string_equal(why, "holds '_' at offset 1, which a name cannot");
    assert_int_equal(hj_name_check("a_b", 3, 1, why, sizeof(why)), 0);
    assert_int_equal(hj_name_check("_ab", 3, 1, why, sizeof(why)), -1);
    assert_string_equal(why, "must start with a letter");
    /* A label is the path from the root habitat: two habitats of 32-byte names
     * and a child of 29 make KIDE_LABEL_MAX (95) bytes, one of 30 one too many. */
#define LHAB(name, ram, caps, inner)                                                               \
    "{\"name\":\"" name "\",\"binary\":\"hoitaja\",\"ram\":" ram ",\"caps\":" caps                 \
    ",\"cpu\":{\"quota\":1},\"habitat\":{\"children\":[" inner "]}}"
#define LDOC(child)                                                                                \
    DOC(LHAB(N32, "33554432", "512",                                                               \
             LHAB("bcdefghijklmnopqrstuvwxyz-123456", "8388608", "128", CHILD(child, ""))))
    _Static_assert(KIDE_LABEL_MAX == 32 + 1 + 32 + 1 + 29, "the limits changed: adapt the test");
    assert_int_equal(parse(LDOC("abcdefghijklmnopqrstuvwxyz-12")), 0);
    hj_config_free(&cfg);
    bad(LDOC("abcdefghijklmnopqrstuvwxyz-123"),
        "child '" N32 "/bcdefghijklmnopqrstuvwxyz-123456/abcdefghijklmnopqrstuvwxyz-123'",
        "its label (the path named above) is 96 bytes, at most 95");
#undef LDOC
#undef LHAB
#undef N32
#undef S32
}

static void test_config_size(void **state)
{
    (void)state;
    size_t n = KIDE_CONFIG_MAX;
    char *doc = malloc(n + 2);
    assert_non_null(doc);
    const char *head = "{\"generation\":1,\"children\":[]";
    memset(doc, ' ', n + 1);
    memcpy(doc, head, strlen(head));
    doc[n - 1] = '}';
    assert_int_equal(hj_config_parse(doc, n, &big, 0, &cfg, &err), 0);
    doc[n - 1] = ' ';
    doc[n] = '}';
    assert_int_not_equal(hj_config_parse(doc, n + 1, &big, 0, &cfg, &err), 0);
    assert_non_null(strstr(err.msg, "configuration of 1048577 bytes exceeds 1048576"));
    assert_true(err.hint[0] != 0);
    free(doc);
}

/* ---- live configuration and status -------------------------------------------------- */

#define LIVE(extra) ONE(",\"config_live\":true" extra)

static void test_plan_live(void **state)
{
    (void)state;
    /* Only config changed on a config_live child: handed over in place. */
    one_step(LIVE(",\"config\":{\"x\":1}"), LIVE(",\"config\":{\"x\":2}"), HJ_ACT_UPDATE,
             HJ_UPD_CONFIG);
    one_step(LIVE(""), LIVE(",\"config\":{\"rules\":[1]}"), HJ_ACT_UPDATE, HJ_UPD_CONFIG);
    /* Unchanged text (canonical): nothing. */
    one_step(LIVE(",\"config\":{\"x\":1}"), LIVE(",\"config\":{ \"x\" : 1 }"), HJ_ACT_NONE, 0);
    /* With another in-place field: both, one step. */
    one_step(LIVE(",\"config\":{\"x\":1}"), LIVE(",\"config\":{\"x\":2},\"heartbeat_ms\":100"),
             HJ_ACT_UPDATE, HJ_UPD_CONFIG | HJ_UPD_POLICY);
    one_step(ONE(",\"config_live\":true,\"config\":{\"x\":1}"),
             DOC("{\"name\":\"a\",\"binary\":\"demo\",\"ram\":8192,\"caps\":16,\"cpu\":{\"quota\":"
                 "10},\"config_live\":true,\"config\":{\"x\":2}}"),
             HJ_ACT_UPDATE, HJ_UPD_RAM | HJ_UPD_CONFIG);
    /* Config and binary: still a restart (the binary forces it). */
    one_step(LIVE(",\"config\":{\"x\":1}"),
             DOC("{\"name\":\"a\",\"binary\":\"other\",\"ram\":4096,\"caps\":16,\"cpu\":{\"quota\":"
                 "10},\"config_live\":true,\"config\":{\"x\":2}}"),
             HJ_ACT_RESTART, 0);
    one_step(LIVE(",\"config\":{\"x\":1}"),
             LIVE(",\"config\":{\"x\":2},\"routes\":[{\"service\":\"A\",\"to\":\"parent\"}]"),
             HJ_ACT_RESTART, 0);
    /* Switching config_live on or off is a restart: the child registers at start. */
    one_step(ONE(",\"config\":{\"x\":1}"), LIVE(",\"config\":{\"x\":1}"), HJ_ACT_RESTART, 0);
    one_step(LIVE(",\"config\":{\"x\":1}"), ONE(",\"config\":{\"x\":2}"), HJ_ACT_RESTART, 0);
    /* Without config_live a config change restarts, as before. */
    one_step(ONE(",\"config_live\":false,\"config\":{\"x\":1}"),
             ONE(",\"config_live\":false,\"config\":{\"x\":2}"), HJ_ACT_RESTART, 0);
}

static void test_config_live_field(void **state)
{
    (void)state;
    assert_int_equal(parse(DOC(CHILD("a", ",\"config_live\":true"))), 0);
    assert_true(cfg.child[0].config_live);
    assert_int_equal(parse(DOC(CHILD("a", ""))), 0);
    assert_false(cfg.child[0].config_live);
    bad(DOC(CHILD("a", ",\"config_live\":1")), "config_live must be true or false", "child 'a'");
    bad(DOC(CHILD("a", ",\"config_live\":\"yes\"")), "config_live must be true or false", NULL);
    bad(DOC("{\"name\":\"h\",\"binary\":\"hoitaja\",\"ram\":4194304,\"caps\":64,\"cpu\":{\"quota\":"
            "10},\"config_live\":true,\"habitat\":{\"children\":[]}}"),
        "config_live on a habitat", NULL);
    /* The hint names the field. */
    bad(DOC(CHILD("a", ",\"config-live\":true")), "unknown field 'config-live'", NULL);
    assert_non_null(strstr(err.hint, "config_live"));
    /* A partial configuration carries it too. */
    assert_int_equal(parse_lim(DOC(CHILD("a", ",\"config_live\":true")), &big,
                               HJ_PARSE_PARTIAL | HJ_PARSE_NO_GEN),
                     0);
    assert_true(cfg.child[0].config_live);
}

static void test_live_verdict(void **state)
{
    char res[160];
    (void)state;
    assert_int_equal(hj_live_verdict(KIDE_OK, "", "OK", 1000, res, sizeof(res)), 0);
    assert_string_equal(res, "applied");
    /* Rejected by the child: its reason. */
    assert_int_equal(hj_live_verdict(KIDE_INVALID, "allow[0]: to: no habitat 'nobody'", "INVALID",
                                     1000, res, sizeof(res)),
                     -1);
    assert_string_equal(res, "rejected: allow[0]: to: no habitat 'nobody'");
    assert_int_equal(hj_live_verdict(KIDE_INVALID, "", "INVALID", 1000, res, sizeof(res)), -1);
    assert_string_equal(res, "rejected: the child gave no reason; config unchanged");
    /* No answer in time. */
    assert_int_equal(hj_live_verdict(KIDE_TIMEOUT, "", "TIMEOUT", 1000, res, sizeof(res)), -1);
    assert_string_equal(res, "rejected: child did not answer within 1000 ms; config unchanged");
    /* Anything else names the status. */
    assert_int_equal(hj_live_verdict(KIDE_BAD_PARAM, "", "BAD_PARAM", 1000, res, sizeof(res)), -1);
    assert_string_equal(res,
                        "rejected: child's config portal answered BAD_PARAM; config unchanged");
}

/* A hostile child's reason: whatever bytes it sends, the verdict goes into the
 * result JSON whole (valid UTF-8, no control characters), and a reason of
 * KIDE_VERDICT_MAX bytes is never cut (a cut could split a UTF-8 sequence,
 * and one invalid string made the whole apply result unreadable). */
static void verdict_in_result(int st, const char *reason, const char *needle)
{
    struct hj_result r = {.child = "c"};
    char json[2048];
    hj_live_verdict(st, reason, "INVALID", 1000, r.text, sizeof(r.text));
    if (!strstr(r.text, needle))
        fail_msg("verdict '%s' lacks '%s'", r.text, needle);
    for (const unsigned char *p = (const unsigned char *)r.text; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            fail_msg("verdict '%s' has control byte %02x", r.text, *p);
    if (hj_result_json(7, "applied", &r, 1, json, sizeof(json)) < 0)
        fail_msg("verdict '%s' makes the result JSON fail", r.text);
}

#define HJ_CHILDREN_MAX_TEST 16
static void test_live_verdict_hostile(void **state)
{
    static char longest[KIDE_VERDICT_MAX + 1], utf8[KIDE_VERDICT_MAX + 1];
    (void)state;
    memset(longest, 'x', KIDE_VERDICT_MAX);
    for (unsigned i = 0; i + 2 <= KIDE_VERDICT_MAX; i += 2)
        memcpy(utf8 + i, "\xc3\xa4", 2); /* a-umlaut, 80 times */
    verdict_in_result(KIDE_INVALID, longest, longest);
    verdict_in_result(KIDE_INVALID, utf8, utf8);
    verdict_in_result(KIDE_INVALID, "bad \xff\xfe bytes", "not printable UTF-8");
    verdict_in_result(KIDE_INVALID, "ok\n[router] forged line", "not printable UTF-8");
    verdict_in_result(KIDE_INVALID, "esc \x1b[2J", "not printable UTF-8");
    verdict_in_result(KIDE_INVALID, "cut \xc3", "not printable UTF-8");
    /* Many results with reasons that double when escaped: the document still fits. */
    struct hj_result many[HJ_CHILDREN_MAX_TEST];
    static char quotes[KIDE_VERDICT_MAX + 1];
    memset(quotes, '"', KIDE_VERDICT_MAX);
    for (unsigned i = 0; i < HJ_CHILDREN_MAX_TEST; i++) {
        snprintf(many[i].child, sizeof(many[i].child), "child-%u", i);
        hj_live_verdict(KIDE_INVALID, quotes, "INVALID", 1000, many[i].text, sizeof(many[i].text));
    }
    kide_u64 size = hj_result_json_size("applied", many, HJ_CHILDREN_MAX_TEST);
    char *json = malloc(size);
    assert_non_null(json);
    assert_true(hj_result_json(7, "applied", many, HJ_CHILDREN_MAX_TEST, json, size) >= 0);
    free(json);
}

static void status_ok(const char *in, const char *want)
{
    char out[HJ_STATUS_TEXT_MAX + 1], why[160];
    kide_u64 n;
    if (hj_status_check(in, strlen(in), out, sizeof(out), &n, why, sizeof(why)))
        fail_msg("refused '%s': %s", in, why);
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
}

static void status_bad(const char *in, kide_u64 len, const char *needle)
{
    char out[HJ_STATUS_TEXT_MAX + 1], why[160];
    kide_u64 n;
    if (!hj_status_check(in, len, out, sizeof(out), &n, why, sizeof(why)))
        fail_msg("accepted '%.60s'", in);
    if (!strstr(why, needle))
        fail_msg("'%s' lacks '%s'", why, needle);
}

static void test_status_check(void **state)
{
    static char big_in[KIDE_STATUS_MAX + 64];
    (void)state;
    status_ok("{}", "{}");
    status_ok(" { \"a\" : {\"rx\": 1, \"drops\": {\"isolation\": 2}} }\n",
              "{\"a\":{\"rx\":1,\"drops\":{\"isolation\":2}}}");
    /* A newline inside a string stays escaped: one console line. */
    status_ok("{\"s\":\"x\\ny\"}", "{\"s\":\"x\\ny\"}");
    status_bad("[1,2]", 5, "must be a JSON object");
    status_bad("7", 1, "must be a JSON object");
    status_bad("{\"a\":", 5, "not JSON");
    status_bad("{\"a\":\"\x01\"}", 7, "not JSON");
    status_bad("", 0, "not JSON");
    /* Nesting deeper than HJ_STATUS_DEPTH. */
    status_bad("{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":1}}}}}}}}}", 64,
               "not JSON");
    /* Too many values. */
    char *p = big_in;
    p += sprintf(p, "{\"a\":[");
    for (int i = 0; i < 200; i++)
        p += sprintf(p, "%s1", i ? "," : "");
    p += sprintf(p, "]}");
    status_bad(big_in, (kide_u64)(p - big_in), "not JSON");
    /* Longer than KIDE_STATUS_MAX. */
    memset(big_in, ' ', sizeof(big_in));
    big_in[0] = '{', big_in[KIDE_STATUS_MAX] = '}';
    status_bad(big_in, KIDE_STATUS_MAX + 1, "at most 1024");
}

static char lines[8][400];
static unsigned nlines;

static void collect(void *ctx, const char *line)
{
    (void)ctx;
    assert_true(nlines < 8);
    snprintf(lines[nlines++], sizeof(lines[0]), "%s", line);
}

/* Console budget for published statuses: hoitaja's own lines share core's
 * per-account LOG budget (4 KiB/s) with every child's status lines, so many
 * children publishing large, changing statuses must not crowd out hoitaja's
 * own lines (faults, apply results). Per tick at most HJ_STATUS_CONSOLE_BYTES
 * of statuses; the rest stay fresh for later ticks, round robin: nobody
 * starves. */
static void test_status_console_budget(void **state)
{
    (void)state;
    enum { N = 12 };
    kide_u32 len[N];
    int fresh[N], pick[N], printed[N] = {0};
    unsigned next = 0;
    for (unsigned i = 0; i < N; i++) {
        len[i] = HJ_STATUS_TEXT_MAX;
        fresh[i] = 1;
    }
    len[3] = 20;
    unsigned ticks = 0;
    for (; ticks < 4 * N; ticks++) {
        unsigned waiting = hj_status_pick(len, fresh, N, &next, pick);
        kide_u64 bytes = 0;
        for (unsigned i = 0; i < N; i++)
            if (pick[i]) {
                assert_true(fresh[i]);
                bytes += len[i];
                printed[i]++;
                fresh[i] = 0;
            }
        assert_true(bytes <= HJ_STATUS_CONSOLE_BYTES);
        assert_true(bytes > 0 || !waiting);
        if (!waiting)
            break;
    }
    for (unsigned i = 0; i < N; i++)
        assert_int_equal(printed[i], 1);
    assert_true(ticks < N);
    /* A child that publishes again every tick does not keep the others out. */
    for (unsigned i = 0; i < N; i++)
        fresh[i] = 1, printed[i] = 0;
    for (ticks = 0; ticks < 2 * N; ticks++) {
        hj_status_pick(len, fresh, N, &next, pick);
        for (unsigned i = 0; i < N; i++)
            if (pick[i])
                printed[i]++, fresh[i] = 0;
        fresh[0] = 1;
    }
    for (unsigned i = 1; i < N; i++)
        assert_true(printed[i] >= 1);
}

static void test_report_status(void **state)
{
    static char buf[8192], line[400], status[1100], joined[1200];
    (void)state;
    struct hj_status c[2] = {
            {.name = "router",
             .binary = "router",
             .state = HJ_ST_RUNNING,
             .status = "{\"a\":{\"rx\":3}}"},
            {.name = "quiet", .binary = "demo", .state = HJ_ST_RUNNING},
    };
    struct hj_habitat_status h = {.label = "init", .generation = 2, .seq = 1};
    long n = hj_report_json(&h, c, 2, buf, sizeof(buf));
    assert_true(n > 0);
    struct kide_json_tok tok[256];
    struct kide_json_doc doc;
    kide_u64 v;
    assert_int_equal(kide_json_parse(&doc, buf, (size_t)n, tok, 256, NULL, NULL), 0);
    int c0 = kide_json_first(&doc, kide_json_find(&doc, 0, "children"));
    int st = kide_json_find(&doc, c0, "status");
    assert_int_equal(kide_json_type(&doc, st), KIDE_JSON_OBJECT);
    assert_int_equal(
            kide_json_get_u64(&doc, kide_json_find(&doc, kide_json_find(&doc, st, "a"), "rx"), &v),
            0);
    assert_int_equal(v, 3);
    assert_true(kide_json_find(&doc, kide_json_next(&doc, c0), "status") < 0);
    /* The console: one line when it fits. */
    nlines = 0;
    assert_int_equal(hj_report_status_lines(&c[0], line, sizeof(line), collect, NULL), 1);
    assert_string_equal(lines[0], "child router: status {\"a\":{\"rx\":3}}");
    assert_int_equal(hj_report_status_lines(&c[1], line, sizeof(line), collect, NULL), 0);
    /* A long one in numbered pieces that together are the whole object. */
    memset(status, 'x', sizeof(status));
    memcpy(status, "{\"s\":\"", 6);
    memcpy(status + 1000, "\"}", 3);
    c[0].status = status;
    nlines = 0;
    unsigned k = hj_report_status_lines(&c[0], line, sizeof(line), collect, NULL);
    assert_true(k > 1 && k == nlines);
    joined[0] = 0;
    for (unsigned i = 0; i < k; i++) {
        char head[64];
        snprintf(head, sizeof(head), "child router: status (%u/%u) ", i + 1, k);
        assert_memory_equal(lines[i], head, strlen(head));
        assert_true(strlen(lines[i]) < sizeof(line));
        strcat(joined, lines[i] + strlen(head));
    }
    assert_string_equal(joined, status);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_teardown(test_example, teardown),
            cmocka_unit_test_teardown(test_defaults, teardown),
            cmocka_unit_test_teardown(test_bad_json, teardown),
            cmocka_unit_test_teardown(test_top_level, teardown),
            cmocka_unit_test_teardown(test_child_fields, teardown),
            cmocka_unit_test_teardown(test_control_chars_in_messages, teardown),
            cmocka_unit_test_teardown(test_routes_errors, teardown),
            cmocka_unit_test_teardown(test_names_and_sums, teardown),
            cmocka_unit_test_teardown(test_too_many_children, teardown),
            cmocka_unit_test_teardown(test_habitat, teardown),
            cmocka_unit_test_teardown(test_devices, teardown),
            cmocka_unit_test(test_merge),
            cmocka_unit_test(test_generation),
            cmocka_unit_test(test_plan_cases),
            cmocka_unit_test_teardown(test_args, teardown),
            cmocka_unit_test_teardown(test_exit_with, teardown),
            cmocka_unit_test_teardown(test_name_limits, teardown),
            cmocka_unit_test_teardown(test_pkg_binary, teardown),
            cmocka_unit_test(test_plan_order),
            cmocka_unit_test(test_plan_cpu_swap),
            cmocka_unit_test_teardown(test_ram_node, teardown),
            cmocka_unit_test_teardown(test_affinity, teardown),
            cmocka_unit_test(test_plan_affinity),
            cmocka_unit_test_teardown(test_routes, teardown),
            cmocka_unit_test(test_backoff),
            cmocka_unit_test(test_events),
            cmocka_unit_test(test_report),
            cmocka_unit_test_teardown(test_field_boundaries, teardown),
            cmocka_unit_test_teardown(test_sums_overflow, teardown),
            cmocka_unit_test_teardown(test_habitat_overhead, teardown),
            cmocka_unit_test_teardown(test_config_size, teardown),
            cmocka_unit_test(test_plan_live),
            cmocka_unit_test_teardown(test_config_live_field, teardown),
            cmocka_unit_test(test_live_verdict),
            cmocka_unit_test(test_live_verdict_hostile),
            cmocka_unit_test(test_status_check),
            cmocka_unit_test(test_report_status),
            cmocka_unit_test(test_status_console_budget),
            cmocka_unit_test(test_config_json),
            cmocka_unit_test(test_posix_child),
            cmocka_unit_test(test_report_signal),
    };
    return cmocka_run_group_tests_name("hoitaja", tests, NULL, NULL);
}
