/* SPDX-License-Identifier: MIT */
/* VFS host tests: a posix configuration from JSON through posix_config_parse
 * and vfs_config_from_posix into vfs_init.
 */
#include "tests.h"

#include <fcntl.h>
#include <string.h>

#include "../vfs_posix.h"

static struct kide_json_tok toks[512];

static void test_from_posix(void **state)
{
    static const char json[] =
            "{\"program\": \"hello\", \"cwd\": \"/data\","
            " \"mounts\": [{\"path\": \"/\", \"type\": \"ram\", \"size\": \"64K\"},"
            "              {\"path\": \"/data\", \"type\": \"rom\", \"modules\": [\"words\"]}],"
            " \"stdin\": \"rom:input.txt\", \"stderr\": \"file:/err.txt\"}";
    struct kide_json_doc doc;
    static struct posix_config pc;
    char err[160];
    assert_int_equal(kide_json_parse(&doc, json, strlen(json), toks, 512, 0, 0), 0);
    assert_int_equal(posix_config_parse(&doc, 0, &pc, err, sizeof(err)), 0);
    struct vfs_config vc;
    vfs_config_from_posix(&pc, NULL, &vc);
    assert_string_equal(vc.exe, "/hello");
    assert_int_equal(vc.n_mounts, 2);
    assert_int_equal(vc.mounts[0].size, 64 << 10);
    assert_int_equal(vc.mounts[1].type, VFS_MOUNT_ROM);
    assert_int_equal(vfs_init(&vc, &hb.be, err, sizeof(err)), 0);
    char buf[64] = {0};
    assert_int_equal(S2(getcwd, buf, sizeof(buf)), 6);
    assert_int_equal(S3(read, 0, buf, sizeof(buf)), (long)strlen(rom_input));
    assert_int_equal(S3(open, "words", O_RDONLY, 0), 3);
    assert_int_equal(S3(write, 2, "oops\n", 5), 5);
    assert_int_equal(vfs_read_path("/err.txt", 0, buf, sizeof(buf)), 5);
    assert_int_equal(S3(write, 1, "to log\n", 7), 7);
    assert_string_equal(hb.log[hb.log_n - 1], "to log");
    long fd = S3(open, "/big", O_CREAT | O_WRONLY, 0644);
    static char block[70000];
    assert_true(S3(write, fd, block, sizeof(block)) < (long)sizeof(block)); /* the 64K limit */
    vfs_fini();
}

static int setup_backend(void **state)
{
    host_backend_init(&hb, 0, 0);
    host_rom_clear();
    host_rom_add("input.txt", rom_input, strlen(rom_input));
    host_rom_add("words", rom_words, strlen(rom_words));
    return 0;
}

const struct CMUnitTest config_tests[] = {
        cmocka_unit_test_setup_teardown(test_from_posix, setup_backend, vfs_teardown),
};
const size_t n_config_tests = sizeof(config_tests) / sizeof(config_tests[0]);
