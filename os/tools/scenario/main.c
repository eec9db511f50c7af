/* SPDX-License-Identifier: MIT */
/* kide-scenario: compile a boot scenario (YAML) into what the image holds.
 *
 * Reads FILE.yaml (docs/formats/scenario.md), validates it, and writes into
 * the output directory init.json (the root habitat's configuration,
 * docs/formats/hoitaja-config.md), modules.txt (the boot modules) and, for
 * test scenarios, expect.txt. Each file is written to a temporary name and
 * renamed, so a failed run never leaves a half-written file behind.
 */
#include "scenario.h"

#include <kide/json.h>

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_INPUT (1 << 20)

static const char usage[] =
        "usage: kide-scenario [-o DIR] [--check] FILE.yaml\n"
        "\n"
        "Compile a Kide boot scenario into the files of the boot image.\n"
        "\n"
        "  -o, --output DIR  write init.json, modules.txt and expect.txt into DIR (default .)\n"
        "  -c, --check       only validate FILE.yaml, write nothing\n"
        "  -h, --help        show this help\n"
        "\n"
        "Outputs:\n"
        "  init.json    configuration of the root habitat (docs/formats/hoitaja-config.md)\n"
        "  modules.txt  boot modules, one per line: binary, then arguments\n"
        "  expect.txt   expected log lines, exit and timeout (only if the scenario has 'expect')\n"
        "\n"
        "The scenario format is described in docs/formats/scenario.md.\n";

static int error(const char *what, const char *why, const char *hint)
{
    fprintf(stderr, "kide-scenario: %s: %s\n", what, why);
    if (hint && *hint)
        fprintf(stderr, "hint: %s\n", hint);
    return 1;
}

/* Read all of path into a malloc'ed buffer. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        error(path, strerror(errno), "check the scenario file's path");
        return NULL;
    }
    char *buf = malloc(MAX_INPUT + 1);
    size_t n = buf ? fread(buf, 1, MAX_INPUT + 1, f) : 0;
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad || n > MAX_INPUT) {
        error(path, bad ? "cannot read the file" : "file larger than 1 MiB",
              bad ? NULL : "a scenario is a short description; move data into config files");
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* Write one output file through a temporary name. */
static int emit(const struct scn *s, const char *dir, const char *name, const char *data,
                size_t len, int (*writer)(const struct scn *, FILE *))
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        return error(path, strerror(errno),
                     "check that the output directory exists and is writable");
    int rc = data ? (fwrite(data, 1, len, f) == len && fputc('\n', f) != EOF ? 0 : -1)
                  : writer(s, f);
    if (fclose(f) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) == 0)
        return 0;
    int e = errno;
    unlink(tmp);
    return error(path, e ? strerror(e) : "write failed",
                 "check free space in the output directory");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"check", no_argument, NULL, 'c'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *dir = ".";
    bool check = false;
    for (int o; (o = getopt_long(argc, argv, "o:ch", opts, NULL)) != -1;) {
        switch (o) {
        case 'o':
            dir = optarg;
            break;
        case 'c':
            check = true;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            return error("usage", "unknown option", "run kide-scenario --help");
        }
    }
    if (optind + 1 != argc)
        return error("usage",
                     optind == argc ? "no scenario file given" : "more than one file given",
                     "kide-scenario [-o DIR] FILE.yaml; see --help");
    const char *path = argv[optind];
    size_t len;
    char *text = slurp(path, &len);
    if (!text)
        return 1;
    struct scn s;
    struct scn_error err;
    int rc = scn_load(&s, text, len, &err);
    free(text);
    if (rc) {
        char what[4200];
        if (err.line)
            snprintf(what, sizeof(what), "%s:%d", path, err.line);
        else
            snprintf(what, sizeof(what), "%s", path);
        return error(what, err.msg, err.hint);
    }
    /* scn_load had hoitaja's own validator judge this init.json, --check included:
     * what passes here is what the root hoitaja accepts at boot. */
    char *json;
    long n = scn_write_init(&s, &json);
    if (n < 0) {
        scn_free(&s);
        return error("init.json", kide_json_strerror((int)n), "report this as a bug");
    }
    if (check) {
        free(json);
        scn_free(&s);
        return 0;
    }
    char expect_path[4200];
    snprintf(expect_path, sizeof(expect_path), "%s/expect.txt", dir);
    rc = emit(&s, dir, "init.json", json, (size_t)n, NULL) ||
         emit(&s, dir, "modules.txt", NULL, 0, scn_write_modules) ||
         emit(&s, dir, "qemu.txt", NULL, 0, scn_write_qemu) ||
         (s.has_expect ? emit(&s, dir, "expect.txt", NULL, 0, scn_write_expect)
                       : (unlink(expect_path) != 0 && errno != ENOENT));
    free(json);
    scn_free(&s);
    return rc ? 1 : 0;
}
