/* SPDX-License-Identifier: MIT */
/* Tests of the configuration parser (src/config.c), including every error kind. */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "unit.h"

static int parse(const char *yaml, struct reg_config *c, char *err)
{
    reg_config_defaults(c);
    return reg_config_parse(yaml, strlen(yaml), c, err, 256);
}

static void full(void **state)
{
    struct reg_config c;
    char err[256];
    assert_int_equal(parse("listen: 0.0.0.0:8443\ndata: /srv/reg\ntls_cert: c.pem\n"
                           "tls_key: k.pem\nmax_archive_bytes: 64M\nuser_quota_bytes: 2G\n"
                           "rate_limit: 10\nrate_burst: 20\nworkers: 4\naccess_log: off\n",
                           &c, err),
                     0);
    assert_string_equal(c.listen_host, "0.0.0.0");
    assert_int_equal(c.listen_port, 8443);
    assert_string_equal(c.data, "/srv/reg");
    assert_string_equal(c.tls_cert, "c.pem");
    assert_int_equal(c.max_archive_bytes, 64ull << 20);
    assert_int_equal(c.user_quota_bytes, 2ull << 30);
    assert_int_equal(c.rate_limit, 10);
    assert_int_equal(c.workers, 4);
    reg_config_free(&c);
}

static void defaults_and_ipv6(void **state)
{
    struct reg_config c;
    char err[256];
    assert_int_equal(parse("listen: \"[::1]:0\"\n", &c, err), 0);
    assert_string_equal(c.listen_host, "::1");
    assert_int_equal(c.listen_port, 0);
    assert_int_equal(c.max_archive_bytes, 256ull << 20);
    assert_int_equal(c.idle_timeout, 30);
    assert_null(c.data);
    reg_config_free(&c);
    assert_int_equal(parse("", &c, err), 0);
    reg_config_free(&c);
    /* Unquoted, YAML starts a list: the error says to quote it (issue 12, docs). */
    assert_int_equal(parse("listen: [::1]:8080\n", &c, err), -EINVAL);
    assert_non_null(strstr(err, "quote IPv6"));
    reg_config_free(&c);
}

static void errors(void **state)
{
    static const char *const bad[] = {
            "listen: nowhere\n",                            /* no port */
            "listen: 1.2.3.4:99999\n",                      /* port range */
            "listen: :80\n",                                /* no host */
            "bogus: 1\n",                                   /* unknown key */
            "data: a\ndata: b\n",                           /* duplicate */
            "rate_limit: -1\n",                             /* negative */
            "rate_limit: 1x\n",                             /* garbage */
            "max_archive_bytes: 99999999999999999999999\n", /* overflow */
            "max_archive_bytes: 2000G\n",                   /* above the maximum */
            "data: [a, b]\n",                               /* sequence */
            "data:\n  nested: 1\n",                         /* mapping */
            "- a\n- b\n",                                   /* not a mapping */
            "data: \"\"\n",                                 /* empty */
            "tls_cert: c.pem\n",                            /* cert without key */
            "tls_key: k.pem\n",                             /* key without cert */
            "rate_limit: 5\nrate_burst: 0\n",
            "db_connections: 0\n",
            "data: &x a\nlisten: *x\n", /* alias */
            "data: 'unterminated\n",    /* syntax */
            "data: \"a\\0b\"\n",        /* embedded NUL */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct reg_config c;
        char err[256];
        int rc = parse(bad[i], &c, err);
        if (rc != -EINVAL)
            fail_msg("accepted or wrong error for: %s (rc %d)", bad[i], rc);
        assert_true(err[0] != '\0');
        reg_config_free(&c);
    }
}

static void load_missing_file(void **state)
{
    struct reg_config c;
    char err[256];
    assert_true(reg_config_load("/nonexistent/registry.yaml", &c, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "cannot open"));
}

int reg_test_config(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(full),
            cmocka_unit_test(defaults_and_ipv6),
            cmocka_unit_test(errors),
            cmocka_unit_test(load_missing_file),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
