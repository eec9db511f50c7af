/* SPDX-License-Identifier: MIT */
/* goa: Debian's archive -- its address from apt's configuration, and pool paths.
 *
 * The parser reads what apt reads, bounded by the file's length: one-line
 * entries "deb [options] URI suite component..." and deb822 paragraphs with
 * "Types:", "URIs:", "Suites:" and "Enabled:" fields. It never fails: what it
 * does not understand it skips, and an empty result makes import say that
 * no Debian archive is configured. Fuzzed by fuzz/fuzz_apt.c.
 */
#include "apt.h"
#include "project.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

/* Does the LEN bytes at U (not NUL-terminated) start with P? */
static int pre(const char *u, size_t len, const char *p)
{
    size_t n = strlen(p);
    return len >= n && !memcmp(u, p, n);
}

static void add_uri(char ***uris, size_t *n, const char *u, size_t len)
{
    while (len && u[len - 1] == '/')
        len--;
    if (!pre(u, len, "http://") && !pre(u, len, "https://") && !pre(u, len, "file:/"))
        return;
    /* The security archive keeps its pool under pool/updates/: not ours. */
    if (memmem(u, len, "security", 8))
        return;
    for (size_t i = 0; i < *n; i++)
        if (strlen((*uris)[i]) == len && !strncmp((*uris)[i], u, len))
            return;
    *uris = realloc(*uris, (*n + 2) * sizeof **uris);
    if (!*uris)
        abort();
    (*uris)[(*n)++] = goa_fmt("%.*s", (int)len, u);
    (*uris)[*n] = NULL;
}

/* Next whitespace-separated word of [*p, end); its length, 0 at the end. */
static size_t word(const char **p, const char *end, const char **w)
{
    while (*p < end && (**p == ' ' || **p == '\t'))
        (*p)++;
    *w = *p;
    while (*p < end && **p != ' ' && **p != '\t')
        (*p)++;
    return (size_t)(*p - *w);
}

static void one_line(const char *l, const char *end, char ***uris, size_t *n)
{
    const char *w;
    size_t k = word(&l, end, &w);

    if (!((k == 3 && !strncmp(w, "deb", 3)) || (k == 7 && !strncmp(w, "deb-src", 7))))
        return;
    k = word(&l, end, &w);
    if (k && w[0] == '[') {
        /* Options: skip to the closing bracket. */
        const char *close = memchr(w, ']', (size_t)(end - w));
        if (!close)
            return;
        l = close + 1;
        k = word(&l, end, &w);
    }
    add_uri(uris, n, w, k);
}

/* One deb822 paragraph [p, end). */
static void paragraph(const char *p, const char *end, char ***uris, size_t *n)
{
    const char *uri_field = NULL, *uri_end = NULL;
    int deb = 0, enabled = 1;

    for (const char *l = p, *e; l < end; l = e + 1) {
        e = memchr(l, '\n', (size_t)(end - l));
        if (!e)
            e = end;
        size_t len = (size_t)(e - l);
        if (len >= 6 && !strncasecmp(l, "Types:", 6))
            deb = memmem(l, len, "deb", 3) != NULL;
        else if (len >= 5 && !strncasecmp(l, "URIs:", 5))
            uri_field = l + 5, uri_end = e;
        else if (len >= 8 && !strncasecmp(l, "Enabled:", 8))
            enabled = !memmem(l, len, "no", 2);
    }
    if (!deb || !enabled || !uri_field)
        return;
    const char *w;
    for (size_t k; (k = word(&uri_field, uri_end, &w));)
        add_uri(uris, n, w, k);
}

void goa_apt_parse(const char *text, size_t len, int deb822, char ***uris, size_t *n)
{
    const char *end = text + len, *start = text;

    for (const char *l = text, *e; l < end; l = e + 1) {
        e = memchr(l, '\n', (size_t)(end - l));
        if (!e)
            e = end;
        const char *hash = memchr(l, '#', (size_t)(e - l));
        const char *stop = hash ? hash : e;
        if (!deb822) {
            one_line(l, stop, uris, n);
            continue;
        }
        /* A blank line ends a paragraph. */
        const char *q = l;
        while (q < stop && isspace((unsigned char)*q))
            q++;
        if (q == e && !hash) {
            paragraph(start, l, uris, n);
            start = e + 1;
        }
    }
    if (deb822 && start < end)
        paragraph(start, end, uris, n);
}

static void read_into(const char *path, int deb822, char ***uris, size_t *n)
{
    char *data;
    size_t len;

    if (goa_read_file(path, &data, &len) == 0) {
        goa_apt_parse(data, len, deb822, uris, n);
        free(data);
    }
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **goa_apt_archives(void)
{
    const char *env = getenv("GOA_DEBIAN_ARCHIVE"), *etc = getenv("GOA_APT_ETC");
    char **uris = NULL;
    size_t n = 0;

    if (env && *env) {
        char *e = goa_xstrdup(env), *save = NULL;
        for (char *t = strtok_r(e, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save))
            add_uri(&uris, &n, t, strlen(t));
        free(e);
        return uris;
    }
    if (!etc || !*etc)
        etc = "/etc/apt";
    char *main_list = goa_fmt("%s/sources.list", etc), *dir = goa_fmt("%s/sources.list.d", etc);
    read_into(main_list, 0, &uris, &n);
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t k = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        names = realloc(names, (k + 1) * sizeof *names);
        if (!names)
            abort();
        names[k++] = goa_xstrdup(e->d_name);
    }
    if (d)
        closedir(d);
    if (k)
        qsort(names, k, sizeof *names, cmp); /* apt reads them in this order too */
    for (size_t i = 0; i < k; i++) {
        size_t l = strlen(names[i]);
        char *p = goa_fmt("%s/%s", dir, names[i]);
        if (l > 5 && !strcmp(names[i] + l - 5, ".list"))
            read_into(p, 0, &uris, &n);
        else if (l > 8 && !strcmp(names[i] + l - 8, ".sources"))
            read_into(p, 1, &uris, &n);
        free(p);
        free(names[i]);
    }
    free(names);
    free(main_list);
    free(dir);
    return uris;
}

char *goa_debian_pool_path(const char *file)
{
    const char *us = strchr(file, '_');
    size_t n = us ? (size_t)(us - file) : 0;

    if (n < 2 || strchr(file, '/') || !us[1])
        return NULL;
    /* Debian source package names: [a-z0-9][a-z0-9+.-]+ */
    for (size_t i = 0; i < n; i++)
        if (!islower((unsigned char)file[i]) && !isdigit((unsigned char)file[i]) &&
            !(i && strchr("+.-", file[i])))
            return NULL;
    int lib = n > 3 && !strncmp(file, "lib", 3);
    return goa_fmt("pool/main/%.*s/%.*s/%s", lib ? 4 : 1, file, (int)n, file, file);
}
