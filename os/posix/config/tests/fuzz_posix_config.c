/* SPDX-License-Identifier: MIT */
/* libFuzzer target: posix_config_parse on any JSON document (suite os-posix-config-fuzz).
 * Every input gives a configuration meeting the header's invariants or a
 * one-line message naming a posix field; never a crash or undefined behaviour. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "posix_config.h"

static int in_pool(const struct posix_config *c, const char *p)
{
    return p >= c->pool && p < c->pool + c->pool_used &&
           strlen(p) < (size_t)(c->pool + c->pool_used - p);
}

static void check_path(const struct posix_config *c, const char *p)
{
    assert(in_pool(c, p) && p[0] == '/' && !strstr(p, "//") && !strstr(p, "/./") &&
           !strstr(p, "/../"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct kide_json_tok toks[2048];
    static struct posix_config cfg;
    struct kide_json_doc doc;
    char err[200];
    if (kide_json_parse(&doc, (const char *)data, size, toks, 2048, 0, 0))
        return 0;
    /* the root, and a member "posix" of it if there is one */
    int obj = kide_json_find(&doc, 0, "posix");
    if (obj < 0)
        obj = 0;
    if (posix_config_parse(&doc, obj, &cfg, err, sizeof(err))) {
        assert(!strncmp(err, "posix", 5) && strlen(err) < sizeof(err));
        for (const char *p = err; *p; p++)
            assert((unsigned char)*p >= 0x20 || *p == '\t');
        assert(cfg.argc == 0);
        return 0;
    }
    assert(cfg.pool_used <= POSIX_POOL_MAX);
    assert(in_pool(&cfg, cfg.program) && cfg.nroms >= 1 && cfg.nroms <= POSIX_ROMS_MAX);
    assert(!strcmp(cfg.roms[0], cfg.program));
    assert(cfg.argc >= 1 && cfg.argc <= POSIX_ARGS_MAX && !cfg.argv[cfg.argc]);
    for (kide_u32 i = 0; i < cfg.argc; i++)
        assert(in_pool(&cfg, cfg.argv[i]) && strlen(cfg.argv[i]) <= POSIX_STR_MAX);
    assert(cfg.envc <= POSIX_ENV_MAX && !cfg.envp[cfg.envc]);
    for (kide_u32 i = 0; i < cfg.envc; i++)
        assert(in_pool(&cfg, cfg.envp[i]) && strchr(cfg.envp[i], '=') > cfg.envp[i]);
    check_path(&cfg, cfg.cwd);
    assert(cfg.nmounts >= 1 && cfg.nmounts <= POSIX_MOUNTS_MAX);
    int root = 0;
    for (kide_u32 i = 0; i < cfg.nmounts; i++) {
        check_path(&cfg, cfg.mounts[i].path);
        root |= !strcmp(cfg.mounts[i].path, "/");
        assert(cfg.mounts[i].type == POSIX_MOUNT_RAM || cfg.mounts[i].type == POSIX_MOUNT_ROM);
        assert(cfg.mounts[i].nmodules <= POSIX_MOUNT_MODULES_MAX);
        assert(cfg.mounts[i].size % 4096 == 0);
        for (kide_u32 j = 0; j < cfg.mounts[i].nmodules; j++) {
            const char *m = cfg.mounts[i].modules[j];
            assert(in_pool(&cfg, m) && strlen(m) >= 1 && strlen(m) <= POSIX_NAME_MAX);
            int listed = 0;
            for (kide_u32 k = 0; k < cfg.nroms; k++)
                listed |= !strcmp(cfg.roms[k], m);
            assert(listed);
        }
    }
    assert(root);
    assert(cfg.stack >= POSIX_STACK_MIN && cfg.stack <= POSIX_STACK_MAX && cfg.stack % 4096 == 0);
    assert(cfg.std_in.kind == POSIX_STREAM_NONE || cfg.std_in.kind == POSIX_STREAM_ROM);
    assert(cfg.std_out.kind == POSIX_STREAM_LOG || cfg.std_out.kind == POSIX_STREAM_FILE);
    assert(cfg.std_err.kind == POSIX_STREAM_LOG || cfg.std_err.kind == POSIX_STREAM_FILE);
    if (cfg.std_out.kind == POSIX_STREAM_FILE)
        check_path(&cfg, cfg.std_out.arg);
    return 0;
}
