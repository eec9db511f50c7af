/* SPDX-License-Identifier: MIT */
/* The package store: bounded table, files copied into the owner's RAM; see
 * kide/pkg_store.h. Invariant: st->bytes is the sum of `alloc` over every
 * file of every used entry, and never exceeds st->max_bytes. */
#include <kide/base.h>
#include "kide/pkg_store.h"

int pkg_store_init(struct pkg_store *st, struct kide_env *env, unsigned max_packages,
                   kide_u64 max_bytes, pkg_sha256_fn sha256)
{
    memset(st, 0, sizeof(*st));
    if (!max_packages || !max_bytes || !sha256)
        return KIDE_BAD_PARAM;
    st->entry = kide_malloc((kide_u64)max_packages * sizeof(struct pkg_entry));
    if (!st->entry)
        return KIDE_QUOTA;
    memset(st->entry, 0, (kide_u64)max_packages * sizeof(struct pkg_entry));
    int rc = kide_mutex_init(env, &st->mx);
    if (rc != KIDE_OK) {
        kide_free(st->entry);
        st->entry = 0;
        return rc;
    }
    st->env = env;
    st->sha256 = sha256;
    st->max_packages = max_packages;
    st->max_bytes = max_bytes;
    return KIDE_OK;
}

static int lower(char c)
{
    return c >= 'a' && c <= 'z';
}
static int digit(char c)
{
    return c >= '0' && c <= '9';
}

/* s[0..len): [a-z][a-z0-9-]* or, for a version, [0-9A-Za-z][0-9A-Za-z.+_-]*. */
static int part_ok(const char *s, kide_u64 len, int version)
{
    if (!len)
        return 0;
    for (kide_u64 i = 0; i < len; i++) {
        char c = s[i];
        int alnum = lower(c) || digit(c) || (version && c >= 'A' && c <= 'Z');
        int ok = version ? alnum || (i && (c == '.' || c == '+' || c == '_' || c == '-'))
                         : lower(c) || (i && (digit(c) || c == '-'));
        if (!ok)
            return 0;
    }
    return 1;
}

int pkg_name_valid(const char *name)
{
    kide_u64 len = strnlen(name, KIDE_PKG_NAME_MAX + 1), start = 0, part = 0;
    if (len > KIDE_PKG_NAME_MAX)
        return 0;
    for (kide_u64 i = 0; i <= len; i++) {
        if (i < len && name[i] != '/')
            continue;
        if (part > 2 || !part_ok(name + start, i - start, part == 2))
            return 0;
        part++;
        start = i + 1;
    }
    return part == 3;
}

static struct pkg_entry *find(struct pkg_store *st, const char *name)
{
    for (unsigned i = 0; i < st->max_packages; i++)
        if (st->entry[i].used && !strcmp(st->entry[i].name, name))
            return &st->entry[i];
    return 0;
}

static void drop_files(struct pkg_store *st, struct pkg_entry *e)
{
    for (unsigned i = 0; i < e->nfiles; i++) {
        kide_ram_free(st->env, e->file[i].data, e->file[i].alloc);
        st->bytes -= e->file[i].alloc;
    }
    memset(e, 0, sizeof(*e));
}

/* The file list: one program (""), other names unique, bounded, no '/'. */
static int files_ok(const struct pkg_add_file *files, unsigned n)
{
    unsigned programs = 0;
    if (!files || !n || n > PKG_STORE_FILES_MAX)
        return 0;
    for (unsigned i = 0; i < n; i++) {
        const char *f = files[i].name;
        if (!f || (!files[i].data && files[i].size) || !files[i].size)
            return 0;
        kide_u64 len = strnlen(f, KIDE_PKG_FILE_MAX + 1);
        if (len > KIDE_PKG_FILE_MAX)
            return 0;
        for (kide_u64 k = 0; k < len; k++)
            if (f[k] == '/')
                return 0;
        programs += !len;
        for (unsigned j = 0; j < i; j++)
            if (!strcmp(files[j].name, f))
                return 0;
    }
    return programs == 1;
}

int pkg_store_add(struct pkg_store *st, const char *name, const struct pkg_add_file *files,
                  unsigned n)
{
    if (!name || !pkg_name_valid(name) || !files_ok(files, n))
        return KIDE_BAD_PARAM;
    kide_mutex_lock(&st->mx);
    struct pkg_entry *e = 0;
    int rc = KIDE_OK;
    if (find(st, name))
        rc = KIDE_BUSY;
    for (unsigned i = 0; rc == KIDE_OK && !e && i < st->max_packages; i++)
        if (!st->entry[i].used)
            e = &st->entry[i];
    if (rc == KIDE_OK && !e)
        rc = KIDE_QUOTA;
    if (rc != KIDE_OK) {
        kide_mutex_unlock(&st->mx);
        return rc;
    }
    e->used = 1;
    memcpy(e->name, name, strlen(name) + 1);
    for (unsigned i = 0; i < n && rc == KIDE_OK; i++) {
        struct pkg_stored_file *f = &e->file[i];
        kide_u64 alloc = (files[i].size + 4095) & ~4095ull;
        if (files[i].size > st->max_bytes || alloc > st->max_bytes - st->bytes) {
            rc = KIDE_QUOTA;
            break;
        }
        void *p;
        if ((rc = kide_ram_alloc(st->env, alloc, &p)) != KIDE_OK)
            break;
        memcpy(p, files[i].data, files[i].size); /* the rest of the pages stays zero */
        memcpy(f->name, files[i].name, strlen(files[i].name) + 1);
        f->data = p;
        f->size = files[i].size;
        f->alloc = alloc;
        st->sha256(f->data, f->size, f->sha256);
        st->bytes += alloc;
        e->nfiles++;
    }
    if (rc != KIDE_OK)
        drop_files(st, e); /* all or nothing */
    kide_mutex_unlock(&st->mx);
    return rc == KIDE_OK ? KIDE_OK : rc == KIDE_BUSY ? KIDE_BUSY : KIDE_QUOTA;
}

int pkg_store_remove(struct pkg_store *st, const char *name)
{
    kide_mutex_lock(&st->mx);
    struct pkg_entry *e = name ? find(st, name) : 0;
    if (e)
        drop_files(st, e);
    kide_mutex_unlock(&st->mx);
    return e ? KIDE_OK : KIDE_NOT_FOUND;
}

int pkg_store_read(struct pkg_store *st, const char *name, const char *file, kide_u64 off,
                   void *out, kide_u64 len, kide_u64 *n, kide_u64 *size, kide_u8 sha256[32])
{
    int rc = KIDE_NOT_FOUND;
    *n = *size = 0;
    kide_mutex_lock(&st->mx);
    struct pkg_entry *e = find(st, name);
    for (unsigned i = 0; e && i < e->nfiles; i++) {
        const struct pkg_stored_file *f = &e->file[i];
        if (strcmp(f->name, file))
            continue;
        *size = f->size;
        if (sha256)
            memcpy(sha256, f->sha256, 32);
        rc = KIDE_OK;
        if (out) {
            if (off >= f->size) {
                rc = KIDE_BAD_PARAM;
                break;
            }
            *n = f->size - off < len ? f->size - off : len;
            memcpy(out, f->data + off, *n);
        }
        break;
    }
    kide_mutex_unlock(&st->mx);
    return rc;
}
