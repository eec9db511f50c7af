/* SPDX-License-Identifier: MIT */
/* Unit tests: the configuration store, addresses and tokens (config.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

#define PIN "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static struct kuori_config cfg;

static int parse(const char *text, struct kuori_err *e)
{
    return kuori_config_parse(&cfg, text, strlen(text), e);
}

static void test_parse_strict(void **state)
{
    struct kuori_err e;
    (void)state;
    assert_int_equal(parse("{\"version\":1,\"current\":\"a\",\"remotes\":[{\"name\":\"a\","
                           "\"address\":\"127.0.0.1:7001\",\"habitat\":\"init\",\"pin\":\"" PIN
                           "\"}]}",
                           &e),
                     0);
    assert_int_equal(cfg.n, 1);
    assert_string_equal(cfg.current, "a");
    assert_int_equal(parse("{\"version\":1,\"remotes\":[],\"x\":1}", &e), KUORI_EXIT_LOCAL);
    assert_non_null(strstr(e.msg, "unknown field \"x\""));
    assert_int_equal(parse("{\"version\":2,\"remotes\":[]}", &e), KUORI_EXIT_LOCAL);
    assert_int_equal(parse("{\"version\":1,\"current\":\"b\",\"remotes\":[]}", &e),
                     KUORI_EXIT_LOCAL);
    assert_int_equal(parse("{\"version\":1,\"remotes\":[{\"name\":\"../x\",\"address\":\"h:1\","
                           "\"habitat\":\"i\",\"pin\":\"" PIN "\"}]}",
                           &e),
                     KUORI_EXIT_LOCAL);
    assert_int_equal(parse("{\"version\":1,\"remotes\":[{\"name\":\"a\",\"address\":\"h:1\","
                           "\"habitat\":\"i\",\"pin\":\"sha256:00\"}]}",
                           &e),
                     KUORI_EXIT_LOCAL);
    assert_int_equal(parse("{\"version\":1,\"remotes\":[{\"name\":\"a\",\"address\":\"h\","
                           "\"habitat\":\"i\",\"pin\":\"" PIN "\"}]}",
                           &e),
                     KUORI_EXIT_LOCAL);
    assert_int_equal(parse("[1]", &e), KUORI_EXIT_LOCAL);
    assert_int_equal(parse("{", &e), KUORI_EXIT_LOCAL);
    assert_int_equal(cfg.n, 0); /* a failed parse leaves nothing half-loaded */
}

static void test_save_load(void **state)
{
    struct kuori_err e;
    char dir[] = "/tmp/kuori-unit-XXXXXX", path[1100];
    struct stat st;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(cfg.dir, sizeof cfg.dir, "%s/cfg", dir);
    cfg.n = 1;
    strcpy(cfg.current, "a");
    strcpy(cfg.remotes[0].name, "a");
    strcpy(cfg.remotes[0].address, "ssh://me@jump:2222/10.0.0.2:7001");
    strcpy(cfg.remotes[0].habitat, "tenant-a");
    strcpy(cfg.remotes[0].pin, PIN);
    assert_int_equal(kuori_config_save(&cfg, &e), 0);
    snprintf(path, sizeof path, "%s/remotes.json", cfg.dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 077, 0);
    memset(&cfg.remotes, 0, sizeof cfg.remotes);
    assert_int_equal(kuori_config_load(&cfg, &e), 0);
    assert_int_equal(cfg.n, 1);
    assert_string_equal(kuori_config_find(&cfg, "a")->habitat, "tenant-a");
    assert_null(kuori_config_find(&cfg, "b"));
    unlink(path);
    assert_int_equal(kuori_config_load(&cfg, &e), 0); /* no file: empty */
    assert_int_equal(cfg.n, 0);
    rmdir(cfg.dir);
    rmdir(dir);
}

/* remotes.json holds the pins: if others can write it, or the directory (to put another
 * file in its place), they can redirect a remote to their own agent. Refused, like ssh. */
static void test_load_refuses_writable(void **state)
{
    struct kuori_err e;
    char dir[] = "/tmp/kuori-unit-XXXXXX", path[1100];
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(cfg.dir, sizeof cfg.dir, "%s/cfg", dir);
    cfg.n = 1;
    strcpy(cfg.current, "a");
    strcpy(cfg.remotes[0].name, "a");
    strcpy(cfg.remotes[0].address, "10.0.0.2:7001");
    strcpy(cfg.remotes[0].habitat, "tenant-a");
    strcpy(cfg.remotes[0].pin, PIN);
    assert_int_equal(kuori_config_save(&cfg, &e), 0);
    snprintf(path, sizeof path, "%s/remotes.json", cfg.dir);
    assert_int_equal(chmod(path, 0666), 0);
    assert_int_equal(kuori_config_load(&cfg, &e), KUORI_EXIT_LOCAL);
    assert_non_null(strstr(e.msg, "writable"));
    assert_int_equal(cfg.n, 0);
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(chmod(cfg.dir, 0777), 0);
    assert_int_equal(kuori_config_load(&cfg, &e), KUORI_EXIT_LOCAL);
    assert_non_null(strstr(e.msg, "writable"));
    assert_int_equal(chmod(cfg.dir, 0700), 0);
    assert_int_equal(kuori_config_load(&cfg, &e), 0);
    assert_int_equal(cfg.n, 1);
    unlink(path);
    rmdir(cfg.dir);
    rmdir(dir);
}

static void test_dir(void **state)
{
    struct kuori_err e;
    (void)state;
    setenv("KUORI_CONFIG_DIR", "/x/k", 1);
    assert_int_equal(kuori_config_dir(&cfg, &e), 0);
    assert_string_equal(cfg.dir, "/x/k");
    unsetenv("KUORI_CONFIG_DIR");
    setenv("XDG_CONFIG_HOME", "/x/xdg", 1);
    assert_int_equal(kuori_config_dir(&cfg, &e), 0);
    assert_string_equal(cfg.dir, "/x/xdg/kuori");
    unsetenv("XDG_CONFIG_HOME");
    setenv("HOME", "/home/u", 1);
    assert_int_equal(kuori_config_dir(&cfg, &e), 0);
    assert_string_equal(cfg.dir, "/home/u/.config/kuori");
}

static void test_addresses(void **state)
{
    struct kuori_addr a;
    struct kuori_err e;
    (void)state;
    assert_int_equal(kuori_addr_parse("10.0.0.1:7001", &a, &e), 0);
    assert_string_equal(a.host, "10.0.0.1");
    assert_int_equal(a.port, 7001);
    assert_int_equal(a.ssh, 0);
    assert_int_equal(kuori_addr_parse("[::1]:7001", &a, &e), 0);
    assert_string_equal(a.host, "::1");
    assert_int_equal(kuori_addr_parse("ssh://ops@jump.example:2222/10.0.2.15:7001", &a, &e), 0);
    assert_int_equal(a.ssh, 1);
    assert_string_equal(a.ssh_user, "ops");
    assert_string_equal(a.ssh_host, "jump.example");
    assert_int_equal(a.ssh_port, 2222);
    assert_string_equal(a.host, "10.0.2.15");
    assert_int_equal(kuori_addr_parse("ssh://ops@jump/h:1", &a, &e), 0);
    assert_int_equal(a.ssh_port, 22);
    assert_int_equal(kuori_addr_parse("host", &a, &e), KUORI_EXIT_USAGE);
    assert_int_equal(kuori_addr_parse("host:0", &a, &e), KUORI_EXIT_USAGE);
    assert_int_equal(kuori_addr_parse("host:70000", &a, &e), KUORI_EXIT_USAGE);
    assert_int_equal(kuori_addr_parse("ho st:1", &a, &e), KUORI_EXIT_USAGE);
    assert_int_equal(kuori_addr_parse("ssh://jump/h:1", &a, &e), KUORI_EXIT_USAGE);
    assert_int_equal(kuori_addr_parse("ssh://u;x@jump/h:1", &a, &e), KUORI_EXIT_USAGE);
}

static void test_tokens(void **state)
{
    struct kuori_token t;
    struct kuori_err e;
    (void)state;
    assert_int_equal(kuori_token_parse("kide1.tenant-a.0123456789abcdef0123456789abcdef."
                                       "fedcba9876543210fedcba9876543210",
                                       &t, &e),
                     0);
    assert_string_equal(t.habitat, "tenant-a");
    assert_string_equal(t.pin_prefix, "fedcba9876543210fedcba9876543210");
    assert_int_equal(
            kuori_token_parse("kide1.tenant-a.0123.fedcba9876543210fedcba9876543210", &t, &e),
            KUORI_EXIT_USAGE);
    assert_int_equal(kuori_token_parse("kide2.a.0123456789abcdef0123456789abcdef."
                                       "fedcba9876543210fedcba9876543210",
                                       &t, &e),
                     KUORI_EXIT_USAGE);
    assert_int_equal(kuori_token_parse("kide1.A.0123456789abcdef0123456789abcdef."
                                       "fedcba9876543210fedcba9876543210",
                                       &t, &e),
                     KUORI_EXIT_USAGE);
    assert_int_equal(kuori_token_parse("kide1.a.0123456789abcdef0123456789abcdeg."
                                       "fedcba9876543210fedcba9876543210",
                                       &t, &e),
                     KUORI_EXIT_USAGE);
    assert_true(kuori_valid_name("tenant-a"));
    assert_false(kuori_valid_name(""));
    assert_false(kuori_valid_name("a/b"));
    assert_false(kuori_valid_name("abcdefghijklmnopqrstuvwxyz0123456"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_parse_strict), cmocka_unit_test(test_save_load),
            cmocka_unit_test(test_dir),          cmocka_unit_test(test_addresses),
            cmocka_unit_test(test_tokens),       cmocka_unit_test(test_load_refuses_writable),
    };
    return cmocka_run_group_tests_name("kuori config", tests, NULL, NULL);
}
