/* SPDX-License-Identifier: MIT */
/* goa: the QEMU run backend -- boot a native component on Kide.
 *
 * The image is the SDK's kernel with core (the root task), the root
 * hoitaja and an init.json generated from the project's runtime: one child
 * named after the binary, with runtime.ram and runtime.caps as its quotas,
 * runtime.config as its configuration and the run's arguments as its args
 * (kide_args), and "exit_with" naming it, so hoitaja ends the habitat with
 * the component's exit code and core ends QEMU with it. The boot modules
 * live under short names in a temporary directory (QEMU splits -initrd at
 * commas). An SDK without boot/core and boot/hoitaja (an older one) boots
 * the component as the root task instead, without quotas, and says so.
 *
 * QEMU runs with the serial console on the pipe goa_backend_exec() reads,
 * KVM when it works (QEMU falls back to TCG by itself), and isa-debug-exit:
 * an exit code c arrives as QEMU status 2 * (0x10 + c) + 1 and is mapped
 * back; a kernel panic line is reported as exit 134. core prefixes every
 * console line with the writer's label; the component's own lines
 * ("[<child>] text") are delivered without that prefix, as the root-task
 * boot delivered them. Needs: qemu-system-x86_64, the SDK.
 */
#include "backend.h"

#include "sdk.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define QEMU "qemu-system-x86_64"

static int qemu_available(const char **why)
{
    static char msg[256];
    const char *path = getenv("PATH");
    for (const char *p = path ? path : "/usr/bin"; p && *p;) {
        const char *e = strchr(p, ':');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char *f = goa_fmt("%.*s/" QEMU, (int)n, p);
        bool ok = access(f, X_OK) == 0;
        free(f);
        if (ok) {
            *why = NULL;
            return 1;
        }
        p = e ? e + 1 : NULL;
    }
    snprintf(msg, sizeof msg, QEMU " is not installed (Debian package qemu-system-x86)");
    *why = msg;
    return 0;
}

struct watch {
    const struct goa_run_req *req; /**< the caller's request */
    bool panic;                    /**< the kernel panicked */
    const char *child;             /**< the component's label under hoitaja, or NULL */
};

static void watch_line(void *ctx, const char *line)
{
    struct watch *w = ctx;
    if (strstr(line, "kide: panic"))
        w->panic = true;
    /* The component's own lines without core's "[<child>] " prefix. */
    size_t n = w->child ? strlen(w->child) : 0;
    if (n && line[0] == '[' && !strncmp(line + 1, w->child, n) && line[n + 1] == ']' &&
        line[n + 2] == ' ')
        line += n + 3;
    w->req->on_line(w->req->ctx, line);
}

/* ---- the habitat: init.json from runtime: ---------------------------------- */

#define DEF_RAM   (16ull << 20) /* runtime.ram when the project gives none */
#define DEF_CAPS  256L          /* runtime.caps when the project gives none (kernel pages) */
#define CAPS_MIN  16L           /* hoitaja's bounds of caps */
#define CAPS_MAX  1000000L
#define ARGS_MAX  127u /* core's info page holds the args string */
#define NAME_MAX_ 32u  /* hoitaja names: [a-z][a-z0-9-]{0,31} */

/* The child's name (and its boot module's) from the binary's: [a-z][a-z0-9-]{0,31},
 * never one of the image's own modules. */
static void child_name(const char *binary, char out[NAME_MAX_ + 1])
{
    const char *b = strrchr(binary, '/');
    b = b ? b + 1 : binary;
    size_t n = 0;
    if (!isalpha((unsigned char)*b))
        out[n++] = 'c';
    for (; *b && n < NAME_MAX_; b++) {
        unsigned char ch = (unsigned char)tolower((unsigned char)*b);
        out[n++] = (char)((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ? ch : '-');
    }
    out[n] = 0;
    /* The image's own modules and hoitaja's label keep their names. */
    if (!strcmp(out, "core") || !strcmp(out, "hoitaja") || !strcmp(out, "init")) {
        memmove(out + 2, out, strlen(out) + 1);
        out[0] = 'c', out[1] = '-';
    }
}

/* runtime.ram in bytes (the schema checked the form: digits and K, M or G). */
static unsigned long long ram_bytes(const char *v)
{
    if (!v)
        return DEF_RAM;
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    int shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
    return n << shift;
}

/* runtime.config as a JSON object: inline ("{...}") or a file relative to the project. */
static cJSON *child_config(const struct goa_run_req *req)
{
    const char *c = req->project->runtime.config;
    if (!c)
        return cJSON_CreateObject();
    char *text = NULL, *path = NULL;
    const char *src = c;
    size_t len = 0;
    while (isspace((unsigned char)*src))
        src++;
    if (*src != '{') {
        path = *c == '/' ? goa_xstrdup(c) : goa_fmt("%s/%s", req->cwd ? req->cwd : ".", c);
        if (goa_read_file(path, &text, &len)) {
            goa_error(req->project->file,
                      "runtime.config is a JSON object ({...}) or a file holding one",
                      "cannot read runtime.config file %s", path);
            free(path);
            return NULL;
        }
        src = text;
    }
    cJSON *o = cJSON_Parse(src);
    if (!o || !cJSON_IsObject(o)) {
        goa_error(req->project->file, "write runtime.config as a JSON object, e.g. '{\"n\": 3}'",
                  "runtime.config%s%s is not a JSON object", path ? " file " : "",
                  path ? path : "");
        cJSON_Delete(o);
        o = NULL;
    }
    free(text), free(path);
    return o;
}

/* The run's arguments joined by spaces, checked against core's args field. */
static char *child_args(const struct goa_run_req *req)
{
    char *s = goa_xstrdup("");
    for (size_t i = 0; req->args && req->args[i]; i++) {
        char *n = goa_fmt("%s%s%s", s, i ? " " : "", req->args[i]);
        free(s);
        s = n;
    }
    if (strlen(s) > ARGS_MAX) {
        goa_error("run", "shorten the arguments (core's info page holds 127 bytes)",
                  "the arguments take %zu bytes, more than %u", strlen(s), ARGS_MAX);
        free(s);
        return NULL;
    }
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e) {
            goa_error("run", "use printable ASCII in the arguments",
                      "argument byte 0x%02x at offset %zu cannot be passed to a component",
                      (unsigned char)*p, (size_t)(p - s));
            free(s);
            return NULL;
        }
    return s;
}

/* init.json for the component as the habitat's only child; NULL after reporting. */
static char *init_json(const struct goa_run_req *req, const char *name, unsigned long long *ram)
{
    const struct goa_runtime *rt = &req->project->runtime;
    long caps = rt->caps ? rt->caps : DEF_CAPS;
    *ram = ram_bytes(rt->ram);
    if (caps < CAPS_MIN || caps > CAPS_MAX) {
        goa_error(req->project->file,
                  "runtime.caps counts kernel pages (capability slots, kernel objects, page "
                  "tables); give at least 16",
                  "runtime.caps %ld is outside %ld..%ld", caps, CAPS_MIN, CAPS_MAX);
        return NULL;
    }
    if (*ram > (1ull << 46)) {
        goa_error(req->project->file, "lower runtime.ram", "runtime.ram %s is too large", rt->ram);
        return NULL;
    }
    char *args = child_args(req);
    cJSON *config = args ? child_config(req) : NULL;
    if (!config) {
        free(args);
        return NULL;
    }
    cJSON *doc = cJSON_CreateObject(), *children = cJSON_CreateArray(), *c = cJSON_CreateObject();
    cJSON *cpu = cJSON_CreateObject(), *routes = cJSON_CreateArray(), *r = cJSON_CreateObject();
    cJSON *restart = cJSON_CreateObject();
    cJSON_AddNumberToObject(doc, "generation", 1);
    cJSON_AddStringToObject(doc, "exit_with", name);
    cJSON_AddItemToObject(doc, "children", children);
    cJSON_AddItemToArray(children, c);
    cJSON_AddStringToObject(c, "name", name);
    cJSON_AddStringToObject(c, "binary", name);
    cJSON_AddNumberToObject(c, "ram", (double)*ram);
    cJSON_AddNumberToObject(c, "caps", (double)caps);
    cJSON_AddNumberToObject(cpu, "quota", 100);
    cJSON_AddNumberToObject(cpu, "priority", 64);
    cJSON_AddItemToObject(c, "cpu", cpu);
    cJSON_AddStringToObject(r, "service", "*");
    cJSON_AddStringToObject(r, "to", "denied");
    cJSON_AddItemToArray(routes, r);
    cJSON_AddItemToObject(c, "routes", routes);
    cJSON_AddStringToObject(restart, "policy", "never");
    cJSON_AddItemToObject(c, "restart", restart);
    if (*args)
        cJSON_AddStringToObject(c, "args", args);
    cJSON_AddItemToObject(c, "config", config);
    char *out = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    free(args);
    if (!out)
        goa_error("run", NULL, "out of memory writing init.json");
    return out;
}

/* The image's boot modules under short names in a fresh temporary directory. */
static char *stage(const struct goa_run_req *req, const char *sdk, const char *name,
                   const char *json)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = goa_fmt("%s/goa-qemu.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        goa_error("run", "check TMPDIR", "cannot create a directory %s: %s", dir, strerror(errno));
        free(dir);
        return NULL;
    }
    char *bin = realpath(req->binary, NULL);
    char *core = goa_fmt("%s/boot/core", sdk), *hoitaja = goa_fmt("%s/boot/hoitaja", sdk);
    char *l1 = goa_fmt("%s/core", dir), *l2 = goa_fmt("%s/hoitaja", dir);
    char *l3 = goa_fmt("%s/%s", dir, name), *l4 = goa_fmt("%s/init.json", dir);
    int rc = !bin || symlink(core, l1) || symlink(hoitaja, l2) || symlink(bin, l3) ||
             goa_write_file(l4, json, strlen(json), 0644);
    if (rc) {
        goa_error("run", NULL, "cannot prepare the boot modules in %s: %s", dir, strerror(errno));
        goa_rmrf(dir);
        free(dir);
        dir = NULL;
    }
    free(bin), free(core), free(hoitaja), free(l1), free(l2), free(l3), free(l4);
    return dir;
}

/* The root-task fallback's module string: binary, then the arguments; QEMU splits
 * modules at commas. */
static char *module_string(const struct goa_run_req *req)
{
    char *s = goa_xstrdup(req->binary);
    for (size_t i = 0; req->args && req->args[i]; i++) {
        char *n = goa_fmt("%s %s", s, req->args[i]);
        free(s);
        s = n;
    }
    if (strchr(s, ',')) {
        goa_error("run", "use arguments without commas", "QEMU cannot pass a comma in '%s'", s);
        free(s);
        return NULL;
    }
    return s;
}

/* The accelerator, picked as every Kide runner picks it (os/tools/qemu-accel.sh,
 * which the SDK ships as tools/qemu-accel.sh with its KVM control image):
 * KIDE_ACCEL=kvm|tcg forces one; otherwise the probe decides, and KVM is used
 * only when it runs the control correctly. Without the probe (an older SDK),
 * TCG. Returns NULL after an error message for a bad KIDE_ACCEL. */
static const char *pick_accel(const char *sdk)
{
    const char *forced = getenv("KIDE_ACCEL");
    if (forced && (!strcmp(forced, "kvm") || !strcmp(forced, "tcg")))
        return forced;
    if (forced && *forced && strcmp(forced, "auto")) {
        goa_error("run", "set KIDE_ACCEL to kvm, tcg or auto, or unset it",
                  "KIDE_ACCEL='%s' is not an accelerator", forced);
        return NULL;
    }
    char *probe = goa_fmt("%s/tools/qemu-accel.sh", sdk);
    const char *accel = "tcg";
    if (goa_exists(probe)) {
        const char *cache = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
        char *dir = cache && *cache ? goa_fmt("%s/kide", cache)
                                    : goa_fmt("%s/.cache/kide", home && *home ? home : "/tmp");
        char *env = goa_fmt("KIDE_ACCEL_CACHE=%s", dir);
        char *out = goa_fmt("%s/accel.out", dir);
        char *argv[] = {probe, NULL}, *envv[] = {env, NULL};
        char *data = NULL;
        size_t len = 0;
        if (goa_mkdirs(dir) == 0 && (unlink(out), goa_run(NULL, argv, envv, out) == 0) &&
            goa_read_file(out, &data, &len) == 0 && len >= 3 && !strncmp(data, "kvm", 3))
            accel = "kvm";
        free(data);
        free(out);
        free(env);
        free(dir);
    }
    free(probe);
    return accel;
}

static int qemu_run(const struct goa_run_req *req, struct goa_run_result *res)
{
    const char *why;
    memset(res, 0, sizeof *res);
    if (!qemu_available(&why)) {
        goa_error("run", "run 'make deps' or apt-get install qemu-system-x86", "%s", why);
        return -1;
    }
    char *sdk = goa_sdk_dir("run");
    if (!sdk)
        return -1;
    char *kernel = goa_fmt("%s/boot/kide.bin", sdk), *mod = NULL, *dir = NULL, *json = NULL;
    char *core = goa_fmt("%s/boot/core", sdk), *hoitaja = goa_fmt("%s/boot/hoitaja", sdk);
    char name[NAME_MAX_ + 1], mem[32] = "256M";
    bool habitat = goa_exists(core) && goa_exists(hoitaja);
    int rc = -1;
    if (habitat) {
        unsigned long long ram;
        child_name(req->binary, name);
        if ((json = init_json(req, name, &ram)) && (dir = stage(req, sdk, name, json))) {
            mod = goa_fmt("core,hoitaja init.json,init.json,%s", name);
            /* core and the root hoitaja keep a quarter of the machine. */
            unsigned long long mb = (ram >> 20) * 4 / 3 + 64;
            if (mb > 256)
                snprintf(mem, sizeof mem, "%lluM", mb);
        }
    } else {
        goa_info("goa: the SDK at %s has no boot/core and boot/hoitaja (an older SDK): booting "
                 "the component as the root task, without its runtime: quotas; rebuild the SDK "
                 "with 'make -C os sdk'",
                 sdk);
        mod = module_string(req);
    }
    const char *accel = mod ? pick_accel(sdk) : NULL;
    if (mod && accel) {
        char *argv[] = {
                QEMU,      "-accel",     (char *)accel, "-m",
                mem,       "-smp",       "1",           "-display",
                "none",    "-monitor",   "none",        "-serial",
                "stdio",   "-no-reboot", "-device",     "isa-debug-exit,iobase=0xf4,iosize=0x04",
                "-kernel", kernel,       "-initrd",     mod,
                NULL};
        struct watch w = {req, false, habitat ? name : NULL};
        struct goa_run_req r = *req;
        r.on_line = watch_line;
        r.ctx = &w;
        r.stdin_file = NULL;
        if (dir)
            r.cwd = dir; /* the modules' short names are relative to it */
        rc = goa_backend_exec(&r, argv, res);
        if (rc == 0 && !res->timed_out) {
            int st = res->exit_code;
            if (w.panic)
                res->exit_code = 134;
            else if ((st & 1) && st >= 2 * 0x10 + 1)
                res->exit_code = (st - 1) / 2 - 0x10;
            else
                res->exit_code = 128; /* QEMU itself failed or the kernel stopped silently */
        }
    }
    if (dir)
        goa_rmrf(dir);
    free(dir), free(json), free(mod), free(kernel), free(core), free(hoitaja), free(sdk);
    return rc;
}

const struct goa_backend goa_backend_qemu = {"qemu", qemu_available, qemu_run};
