/* SPDX-License-Identifier: MIT */
/* goa: minimal in-place edits of goa.yaml that keep comments and layout.
 *
 * The edit is textual: find the line that starts with "KEY:" at column 0,
 * replace the rest of that line. A trailing comment on that line is lost.
 * The edited text is validated with the full project parser before the
 * file is replaced (atomically), so an edit can never leave a broken file.
 */
#include "yamledit.h"

#include "project.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int goa_yaml_set(const char *file, const char *key, const char *value)
{
    char *data = NULL, *out = NULL;
    size_t len, kl = strlen(key);
    struct goa_project p;
    int rc = -1;

    if (goa_read_file(file, &data, &len)) {
        goa_error(file, NULL, "cannot read: %m");
        return -1;
    }
    for (char *l = data; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, key, kl) || l[kl] != ':')
            continue;
        char *end = strchr(l, '\n');
        out = goa_fmt("%.*s%s: \"%s\"%s", (int)(l - data), data, key, value, end ? end : "\n");
        break;
    }
    if (!out) {
        goa_error(file, "add the field at the top level of goa.yaml",
                  "no top-level '%s:' line to change", key);
        goto done;
    }
    if (goa_project_parse(out, strlen(out), file, &p))
        goto done;
    goa_project_free(&p);
    if (goa_write_file(file, out, strlen(out), 0644)) {
        goa_error(file, NULL, "cannot write: %m");
        goto done;
    }
    rc = 0;
done:
    free(data);
    free(out);
    return rc;
}
