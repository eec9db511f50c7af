/* SPDX-License-Identifier: MIT */
/* goa: the QEMU run backend -- boot a native component on Kide.
 *
 * The image is the SDK's kernel with core (the root task), the root
 * hoitaja and an init.json made from the project's runtime: one child
 * named after the binary, with runtime.ram and runtime.caps as its quotas,
 * runtime.config as its configuration and the run's arguments as its args
 * (kide_args), and "exit_with" naming it, so hoitaja ends the habitat with
 * the component's exit code and core ends QEMU with it. goa writes that as
 * a scenario and the SDK's kide-scenario turns it into init.json: hoitaja's
 * own validator, compiled into kide-scenario, judges the runtime's values,
 * and goa reports its message (docs/formats/scenario.md). The boot modules
 * live under short names in a temporary directory (QEMU splits -initrd at
 * commas). An SDK without boot/core, boot/hoitaja or tools/kide-scenario
 * is refused with the files it lacks.
 *
 * QEMU runs with the serial console on the pipe goa_backend_exec() reads,
 * KVM when it works (QEMU falls back to TCG by itself), and isa-debug-exit:
 * an exit code c arrives as QEMU status 2 * (0x10 + c) + 1 and is mapped
 * back (kide/qemu_exit.h); a kernel panic line is reported as exit 134. Codes above
 * 111 do not fit QEMU's status: hoitaja's "exit_with" line gives them (139 = SIGSEGV).
 * core prefixes every console line with the writer's label; the
 * component's own lines ("[<child>] text") are delivered without that
 * prefix. Needs: qemu-system-x86_64, the SDK.
 *
 * A posix project boots as a hoitaja child of kind posix (posix_child.h): the SDK's
 * POSIX runtime (boot/posix) with the project's posix object from its runtime file,
 * the built program as the boot module posix.program names, and the ROM modules the
 * object names (mounts, stdin) from the project; kide-scenario lists them all in
 * modules.txt. The exit code is the program's (128 + signal when a signal ended it).
 */
#include "backend.h"

#include "posix_child.h"
#include "project.h"
#include "sdk.h"
#include "util.h"

#include <kide/limits.h>
#include <kide/qemu_exit.h>

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
    int exit_with;                 /**< the code hoitaja's exit_with line named, or -1 */
    bool posix;                    /**< a posix project: the runtime's own lines are boot lines */
};

/* The POSIX runtime's own lines ("posix: <program>: ...", os/posix) in the child's
 * log, about the program rather than from it. A program printing such a line has it
 * shown on stderr too; nothing else depends on it. */
static bool runtime_line(const char *own)
{
    if (strncmp(own, "posix: ", 7))
        return false;
    size_t n = strcspn(own + 7, " :");
    return n > 0 && !strncmp(own + 7 + n, ": ", 2);
}

static void watch_line(void *ctx, const char *raw)
{
    struct watch *w = ctx;
    /* The serial console ends lines with CR LF: the CR is no part of the text. */
    char line[GOA_LINE_MAX + 1];
    size_t len = strnlen(raw, GOA_LINE_MAX);
    memcpy(line, raw, len);
    line[len] = 0;
    while (len && line[len - 1] == '\r')
        line[--len] = 0;
    if (strstr(line, "kide: panic"))
        w->panic = true;
    int code = w->child ? goa_exit_with_code(w->child, line) : -1;
    if (code >= 0)
        w->exit_with = code;
    /* The component's own lines without core's "[<child>] " prefix; the boot's
     * (kernel, core, hoitaja) to on_boot_line when the caller keeps them apart. */
    const char *own = goa_child_line(w->child, line);
    bool boot = own == line || (w->posix && runtime_line(own));
    if (boot && w->child && w->req->on_boot_line)
        w->req->on_boot_line(w->req->ctx, line);
    else
        w->req->on_line(w->req->ctx, own);
}

/* ---- the habitat: init.json from runtime: ---------------------------------- */

#define DEF_RAM  "16M" /* runtime.ram when the project gives none */
#define DEF_CAPS 256L  /* runtime.caps when the project gives none (kernel pages) */

/* The child's name (and its boot module's) from the binary's: [a-z][a-z0-9-]{0,31},
 * never one of the image's own modules. */
static void child_name(const char *binary, char out[KIDE_NAME_MAX + 1])
{
    const char *b = strrchr(binary, '/');
    b = b ? b + 1 : binary;
    size_t n = 0;
    if (!isalpha((unsigned char)*b))
        out[n++] = 'c';
    for (; *b && n < KIDE_NAME_MAX; b++) {
        unsigned char ch = (unsigned char)tolower((unsigned char)*b);
        out[n++] = (char)((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ? ch : '-');
    }
    out[n] = 0;
    /* The image's own modules and hoitaja's label keep their names; the prefix
     * keeps the name within KIDE_NAME_MAX (the longest of the three is 7). */
    if (!strcmp(out, "core") || !strcmp(out, "hoitaja") || !strcmp(out, "init")) {
        memmove(out + 2, out, strlen(out) + 1);
        out[0] = 'c', out[1] = '-';
    }
}

/* runtime.ram in bytes, for the machine's size (the schema checked the form:
 * digits and K, M or G; hoitaja's validator checks the range). */
static unsigned long long ram_bytes(const char *v)
{
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    int shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
    return n > (~0ull >> shift) ? ~0ull : n << shift;
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

/* s as a YAML double-quoted scalar: the bytes as they are, '"' and '\' escaped and
 * any other byte outside printable ASCII as \xNN, so the validator sees (and names)
 * exactly the bytes the run was given. */
static char *yaml_quoted(const char *s)
{
    char *out = goa_xmalloc(4 * strlen(s) + 3), *o = out;
    *o++ = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            *o++ = '\\', *o++ = (char)*p;
        else if (*p < 0x20 || *p > 0x7e)
            o += sprintf(o, "\\x%02x", *p);
        else
            *o++ = (char)*p;
    }
    *o++ = '"';
    *o = 0;
    return out;
}

/*
 * The scenario (docs/formats/scenario.md) of the run: a machine of `mem` MiB with
 * the component as the root habitat's only child. The runtime's values go in as
 * the project wrote them: kide-scenario, with hoitaja's validator compiled in,
 * judges them. runtime.config goes in as JSON (a YAML flow mapping; cJSON's
 * output uses only escapes YAML knows). NULL after reporting.
 */
static char *scenario_yaml(const struct goa_run_req *req, const char *name, unsigned long long mem)
{
    const struct goa_runtime *rt = &req->project->runtime;
    char *joined = goa_xstrdup("");
    for (size_t i = 0; req->args && req->args[i]; i++) {
        char *n = goa_fmt("%s%s%s", joined, i ? " " : "", req->args[i]);
        free(joined);
        joined = n;
    }
    cJSON *config = child_config(req);
    char *cfg = config ? cJSON_PrintUnformatted(config) : NULL;
    cJSON_Delete(config);
    if (!cfg) {
        if (config)
            goa_error("run", NULL, "out of memory writing the configuration");
        free(joined);
        return NULL;
    }
    char *args = yaml_quoted(joined), *ram = yaml_quoted(rt->ram ? rt->ram : DEF_RAM);
    char *yaml =
            goa_fmt("name: goa-run\n"
                    "machine: {cpus: 1, ram: %lluM}\n"
                    "habitat:\n"
                    "  exit_with: %s\n"
                    "  children:\n"
                    "    - name: %s\n"
                    "      binary: %s\n"
                    "      ram: %s\n"
                    "      caps: %ld\n"
                    "      cpu: {quota: 100, priority: 64}\n"
                    "      routes: [{service: \"*\", to: denied}]\n"
                    "      restart: {policy: never}\n"
                    "%s%s%s"
                    "      config: %s\n",
                    mem, name, name, name, ram, rt->caps ? rt->caps : DEF_CAPS,
                    *joined ? "      args: " : "", *joined ? args : "", *joined ? "\n" : "", cfg);
    free(args), free(ram), free(joined), free(cfg);
    return yaml;
}

/* The scenario of a posix project's run: the child of kind posix from the runtime
 * file (runtime.child) and the run's arguments, runtime.ram and runtime.caps its
 * quotas. *program gets posix.program. NULL after reporting. */
static char *posix_scenario_yaml(const struct goa_run_req *req, const char *name,
                                 unsigned long long mem, char **program)
{
    const struct goa_runtime *rt = &req->project->runtime;
    char *text = NULL, *path = NULL;
    size_t len = 0;
    if (rt->child) {
        path = goa_fmt("%s/%s", req->cwd ? req->cwd : ".", rt->child);
        if (goa_read_file(path, &text, &len)) {
            goa_error(req->project->file, "runtime.child names a file in the project",
                      "cannot read runtime.child file %s", path);
            free(path);
            return NULL;
        }
    }
    struct goa_posix_child c;
    int rc = goa_posix_child(path ? path : req->project->file, text, len, name, req->args, &c);
    free(text), free(path);
    if (rc)
        return NULL;
    char *ram = yaml_quoted(rt->ram ? rt->ram : DEF_RAM);
    char *yaml = goa_fmt("name: goa-run\n"
                         "machine: {cpus: 1, ram: %lluM}\n"
                         "habitat:\n"
                         "  exit_with: %s\n"
                         "  children:\n"
                         "    - name: %s\n"
                         "      posix: %s\n"
                         "      ram: %s\n"
                         "      caps: %ld\n"
                         "      cpu: {quota: 100, priority: 64}\n"
                         "      routes: [{service: \"*\", to: denied}]\n"
                         "      restart: {policy: never}\n",
                         mem, name, name, c.posix, ram, rt->caps ? rt->caps : DEF_CAPS);
    *program = goa_xstrdup(c.program);
    free(ram);
    goa_posix_child_free(&c);
    return yaml;
}

/* kide-scenario's message (stderr: "kide-scenario: FILE[:LINE]: MSG", then "hint:
 * HINT") as goa's error about the project's runtime: the file and line are goa's
 * generated scenario, which the user never wrote, so only MSG and the hint stay. */
static void report_refusal(const struct goa_run_req *req, const char *file, char *err)
{
    char *msg = strncmp(err, "kide-scenario: ", 15) ? err : err + 15;
    char *hint = strstr(msg, "\nhint: ");
    if (hint) {
        *hint = 0;
        hint += 7;
        hint[strcspn(hint, "\n")] = 0;
    }
    msg[strcspn(msg, "\n")] = 0;
    size_t n = strlen(file);
    if (!strncmp(msg, file, n) && msg[n] == ':') {
        msg += n + 1;
        msg += strspn(msg, "0123456789");
        msg += *msg == ':';
        msg += strspn(msg, " ");
    }
    goa_error(req->project->file, hint,
              "hoitaja's validator refuses the run (runtime: and the arguments): %s", msg);
}

/* init.json (and modules.txt) in dir from the scenario, through the SDK's
 * kide-scenario: one validator, hoitaja's, judges what goa boots. 0, or -1 after
 * reporting. */
static int write_init(const struct goa_run_req *req, const char *sdk, const char *dir,
                      const char *name, unsigned long long mem, char **program)
{
    char *yaml =
            program ? posix_scenario_yaml(req, name, mem, program) : scenario_yaml(req, name, mem);
    if (!yaml)
        return -1;
    char *file = goa_fmt("%s/scenario.yaml", dir), *log = goa_fmt("%s/kide-scenario.err", dir);
    char *tool = goa_fmt("%s/tools/kide-scenario", sdk);
    char *argv[] = {tool, "-o", (char *)dir, file, NULL}, *err = NULL;
    size_t len = 0;
    int rc = goa_write_file(file, yaml, strlen(yaml), 0644);
    if (rc) {
        goa_error("run", "check TMPDIR", "cannot write %s: %s", file, strerror(errno));
    } else if ((rc = goa_run_io(NULL, argv, NULL, log, 1)) != 0) {
        if (rc != 1 || goa_read_file(log, &err, &len) || !len)
            goa_error("run", "rebuild the SDK with 'make -C os sdk'",
                      "the SDK's kide-scenario failed (status %d)", rc);
        else
            report_refusal(req, file, err);
        rc = -1;
    }
    free(err), free(tool), free(log), free(file), free(yaml);
    return rc;
}

/* A posix run's boot modules beyond core, hoitaja and init.json, as kide-scenario listed
 * them in dir/modules.txt (after its first line, hoitaja's): the runtime from the SDK;
 * the program under its module name (the built binary when the names agree, else a
 * file of that name, so an unmodified ELF copied into the project runs, else the built
 * binary); every other module a file of the project (its bin directory first). Each is
 * linked into dir; *list gets ",name" per module. 0, or -1 after reporting. */
static int posix_modules(const struct goa_run_req *req, const char *sdk, const char *dir,
                         const char *program, char **list)
{
    char *path = goa_fmt("%s/modules.txt", dir), *text = NULL;
    size_t len = 0;
    int rc = goa_read_file(path, &text, &len);
    free(path);
    if (rc) {
        goa_error("run", "rebuild the SDK with 'make -C os sdk'",
                  "kide-scenario wrote no modules.txt");
        return -1;
    }
    const char *base = strrchr(req->binary, '/') ? strrchr(req->binary, '/') + 1 : req->binary;
    char *save = NULL, *line = strtok_r(text, "\n", &save);
    for (line = line ? strtok_r(NULL, "\n", &save) : NULL; line && !rc;
         line = strtok_r(NULL, "\n", &save)) {
        char *src = NULL;
        if (!strcmp(line, "posix"))
            src = goa_fmt("%s/boot/posix", sdk);
        else if (!strcmp(line, program) && !strcmp(base, line))
            src = realpath(req->binary, NULL);
        else {
            char *a = goa_fmt("%s/%s", req->bin_dir, line);
            char *b = goa_fmt("%s/%s", req->cwd ? req->cwd : ".", line);
            src = goa_exists(a) ? realpath(a, NULL) : goa_exists(b) ? realpath(b, NULL) : NULL;
            /* A program named unlike the built binary with no file of its name (an
             * unmodified ELF copied into the project is one) is the built binary. */
            if (!src && !strcmp(line, program))
                src = realpath(req->binary, NULL);
            if (!src)
                goa_error(req->project->file,
                          "put the file in the project (or its artifacts) under the module's name",
                          "the posix object names boot module '%s', which is neither in %s nor "
                          "in the project",
                          line, req->bin_dir);
            free(a), free(b);
        }
        char *dst = goa_fmt("%s/%s", dir, line);
        if (!src || symlink(src, dst)) {
            if (src)
                goa_error("run", NULL, "cannot link boot module %s: %s", dst, strerror(errno));
            rc = -1;
        } else {
            char *l = goa_fmt("%s,%s", *list, line);
            free(*list);
            *list = l;
        }
        free(src), free(dst);
    }
    free(text);
    return rc;
}

/* The image's boot modules under short names in a fresh temporary directory:
 * core, hoitaja, the component (or, posix: the runtime, the program and its ROM
 * modules) and the init.json kide-scenario writes. mem: the machine's RAM in MiB.
 * *mods: the -initrd list. */
static char *stage(const struct goa_run_req *req, const char *sdk, const char *name,
                   unsigned long long mem, char **mods)
{
    const char *tmp = getenv("TMPDIR");
    bool posix = !strcmp(req->project->type, "posix");
    char *dir = goa_fmt("%s/goa-qemu.XXXXXX", tmp && *tmp ? tmp : "/tmp"), *program = NULL;
    if (!mkdtemp(dir)) {
        goa_error("run", "check TMPDIR", "cannot create a directory %s: %s", dir, strerror(errno));
        free(dir);
        return NULL;
    }
    if (write_init(req, sdk, dir, name, mem, posix ? &program : NULL)) {
        goa_rmrf(dir);
        free(dir);
        return NULL;
    }
    char *bin = realpath(req->binary, NULL);
    char *core = goa_fmt("%s/boot/core", sdk), *hoitaja = goa_fmt("%s/boot/hoitaja", sdk);
    char *l1 = goa_fmt("%s/core", dir), *l2 = goa_fmt("%s/hoitaja", dir);
    char *l3 = goa_fmt("%s/%s", dir, name);
    *mods = goa_xstrdup("core,hoitaja init.json,init.json");
    int rc = !bin || symlink(core, l1) || symlink(hoitaja, l2) || (!posix && symlink(bin, l3));
    if (rc)
        goa_error("run", NULL, "cannot prepare the boot modules in %s: %s", dir, strerror(errno));
    else if (posix)
        rc = posix_modules(req, sdk, dir, program, mods);
    else {
        char *l = goa_fmt("%s,%s", *mods, name);
        free(*mods);
        *mods = l;
    }
    if (rc) {
        goa_rmrf(dir);
        free(dir);
        free(*mods);
        dir = *mods = NULL;
    }
    free(bin), free(core), free(hoitaja), free(l1), free(l2), free(l3), free(program);
    return dir;
}

/* What the backend needs of the SDK beyond what goa_sdk_dir() checks. */
static const char *const boot_files[] = {"boot/core", "boot/hoitaja", "tools/kide-scenario"};

/* Whether the SDK holds boot_files; else an error naming the missing ones. */
static bool sdk_can_boot(const char *sdk)
{
    char missing[256] = "";
    for (size_t i = 0; i < sizeof boot_files / sizeof boot_files[0]; i++) {
        char *f = goa_fmt("%s/%s", sdk, boot_files[i]);
        if (!goa_exists(f))
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s%s",
                     *missing ? ", " : "", boot_files[i]);
        free(f);
    }
    if (!*missing)
        return true;
    goa_error("run",
              "rebuild the SDK with 'make -C os sdk' in the Kide tree (it ships core, hoitaja "
              "and kide-scenario), or point KIDE_SDK at one that has them",
              "the Kide SDK at %s lacks %s: goa boots a component as hoitaja's child and "
              "cannot without them",
              sdk, missing);
    return false;
}

/* A posix project needs the SDK's POSIX runtime (boot/posix, os/posix). */
static bool sdk_has_runtime(const struct goa_run_req *req, const char *sdk)
{
    if (strcmp(req->project->type, "posix"))
        return true;
    char *f = goa_fmt("%s/boot/posix", sdk);
    bool ok = goa_exists(f);
    if (!ok)
        goa_error("run",
                  "build it (make -C os posix) and rebuild the SDK (make -C os sdk), or use "
                  "--target host",
                  "posix runtime missing: the Kide SDK at %s lacks boot/posix, the POSIX runtime "
                  "that runs static musl programs on Kide",
                  sdk);
    free(f);
    return ok;
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
    if (!sdk_can_boot(sdk) || !sdk_has_runtime(req, sdk)) {
        free(sdk);
        return -1;
    }
    char *kernel = goa_fmt("%s/boot/kide.bin", sdk), *mod = NULL, *dir = NULL;
    char name[KIDE_NAME_MAX + 1], mem[32];
    const char *ram = req->project->runtime.ram;
    int rc = -1;
    child_name(req->binary, name);
    /* core and the root hoitaja keep a quarter of the machine. */
    unsigned long long mb = (ram_bytes(ram ? ram : DEF_RAM) >> 20) * 4 / 3 + 64;
    mb = mb < 256 ? 256 : mb;
    snprintf(mem, sizeof mem, "%lluM", mb);
    dir = stage(req, sdk, name, mb, &mod);
    const char *accel = mod ? pick_accel(sdk) : NULL;
    if (mod && accel) {
        char port[48];
        snprintf(port, sizeof port, "isa-debug-exit,iobase=%#x,iosize=0x04", KIDE_QEMU_EXIT_PORT);
        char *argv[] = {QEMU,      "-accel",     (char *)accel, "-m",       mem,       "-smp",
                        "1",       "-display",   "none",        "-monitor", "none",    "-serial",
                        "stdio",   "-no-reboot", "-device",     port,       "-kernel", kernel,
                        "-initrd", mod,          NULL};
        /* GOA_QEMU_DRY_RUN=1: keep the image and print how it would boot (tests of
         * the generated configuration, debugging); nothing is started. */
        const char *dry = getenv("GOA_QEMU_DRY_RUN");
        if (dry && !strcmp(dry, "1")) {
            goa_info("goa: image in %s (init.json, modules.txt, the boot modules)", dir);
            goa_info("goa: would boot: %s -kernel %s -initrd \"%s\"", QEMU, kernel, mod);
            memset(res, 0, sizeof *res);
            res->started = true;
            free(dir), free(mod), free(kernel), free(sdk);
            return 0;
        }
        struct watch w = {req, false, name, -1, !strcmp(req->project->type, "posix")};
        struct goa_run_req r = *req;
        r.on_line = watch_line;
        r.ctx = &w;
        r.stdin_file = NULL;
        r.cwd = dir; /* the modules' short names are relative to it */
        rc = goa_backend_exec(&r, argv, res);
        if (rc == 0 && !res->timed_out) {
            int code = kide_qemu_exit_decode(res->exit_code);
            if (w.panic)
                res->exit_code = 134;
            /* QEMU's status carries codes up to KIDE_QEMU_EXIT_CODE_MAX (111); larger
             * ones (128 + signal) arrive cut to it: hoitaja's exit_with line (which
             * no component can forge: core prefixes their lines) has the whole code. */
            else if (w.exit_with >= 0 && (code < 0 || code == KIDE_QEMU_EXIT_CODE_MAX))
                res->exit_code = w.exit_with;
            else if (code >= 0)
                res->exit_code = code;
            else
                res->exit_code = 128; /* QEMU itself failed or the kernel stopped silently */
        }
    }
    if (dir)
        goa_rmrf(dir);
    free(dir), free(mod), free(kernel), free(sdk);
    return rc;
}

const struct goa_backend goa_backend_qemu = {"qemu", qemu_available, qemu_run};
