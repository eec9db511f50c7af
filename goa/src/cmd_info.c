/* SPDX-License-Identifier: MIT */
/* goa info: describe the project and where it stands.
 *
 * Prints the fields of goa.yaml that matter at a glance and the state of
 * the work tree: imported (src/), built (var/bin/<arch>), and the build
 * system that `goa build` would use. --json prints one object for scripts.
 */
#include "build.h"
#include "cmd.h"
#include "depot.h"
#include "project.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int goa_cmd_info(int argc, char **argv)
{
    struct goa_project p;

    if (goa_want_help(argc, argv))
        return 0;
    if (goa_project_load(goa_opt.dir, &p))
        return 1;
    char *src = goa_fmt("%s/src", p.dir), *bin = goa_fmt("%s/var/bin/%s", p.dir, GOA_ARCH);
    int imported = goa_isdir(src), built = goa_isdir(bin);
    const char *sys = strcmp(p.build_system, "auto") ? p.build_system
                      : imported                     ? goa_build_detect(src, NULL)
                                                     : "auto (import first)";
    cJSON *o = cJSON_CreateObject(), *srcs = cJSON_AddArrayToObject(o, "sources");
    cJSON_AddStringToObject(o, "name", p.name);
    cJSON_AddStringToObject(o, "version", p.version);
    cJSON_AddStringToObject(o, "type", p.type);
    cJSON_AddStringToObject(o, "license", p.license ? p.license : "");
    cJSON_AddStringToObject(o, "summary", p.summary ? p.summary : "");
    cJSON_AddStringToObject(o, "build_system", sys);
    cJSON_AddBoolToObject(o, "imported", imported);
    cJSON_AddBoolToObject(o, "built", built);
    for (size_t i = 0; i < p.nsources; i++)
        cJSON_AddItemToArray(srcs, cJSON_CreateString(p.sources[i].url));
    cJSON *deps = cJSON_AddArrayToObject(o, "depends");
    for (size_t i = 0; p.depends[i]; i++)
        cJSON_AddItemToArray(deps, cJSON_CreateString(p.depends[i]));
    if (goa_opt.json) {
        char *s = cJSON_Print(o);
        puts(s);
        free(s);
    } else {
        printf("%s %s (%s)%s%s\n", p.name, p.version, p.type, p.summary ? ": " : "",
               p.summary ? p.summary : "");
        printf("  license:  %s\n  build:    %s\n  state:    %s, %s\n",
               p.license ? p.license : "(none)", sys, imported ? "imported" : "not imported",
               built ? "built" : "not built");
        for (size_t i = 0; i < p.nsources; i++)
            printf("  source:   %s\n", p.sources[i].url);
        for (size_t i = 0; p.depends[i]; i++)
            printf("  depends:  %s\n", p.depends[i]);
    }
    cJSON_Delete(o);
    free(src);
    free(bin);
    goa_project_free(&p);
    return 0;
}
