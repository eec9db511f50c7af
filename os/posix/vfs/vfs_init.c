/* SPDX-License-Identifier: MIT */
/* Setting the VFS up from the configuration and tearing it down: the mount
 * table (ram and rom mounts, /dev, /proc/self), the working directory and
 * the standard fds; vfs_read_file for the runtime's mmap.
 *
 * Mounts are made shortest path first, so a mount's parent directory exists;
 * missing directories on the way are made (even inside a rom mount: the
 * tree's shape is the configuration's, only the program cannot change it).
 * Every error names what to fix in the configuration.
 */
#include "vfs_impl.h"

#define ERR(...) (fmt_err(err, errlen, __VA_ARGS__), -EINVAL)

static void fmt_err(char *err, size_t errlen, const char *a, const char *b)
{
    size_t n = 0;
    for (const char *s = a; s && *s && n + 1 < errlen; s++)
        err[n++] = *s;
    for (const char *s = b; s && *s && n + 1 < errlen; s++)
        err[n++] = *s;
    if (errlen)
        err[n] = 0;
}

static struct vfs_mount *mount_new(bool readonly, int64_t magic, uint64_t limit)
{
    if (vfs.n_mounts == sizeof(vfs.mounts) / sizeof(vfs.mounts[0]))
        return NULL;
    struct vfs_mount *m = &vfs.mounts[vfs.n_mounts++];
    m->dev = vfs.n_mounts;
    m->readonly = readonly;
    m->magic = magic;
    m->limit = limit;
    m->root = vn_new(m, VN_DIR, 0755);
    if (!m->root)
        return NULL;
    m->root->nlink = 1; /* named by its mount: never freed before vfs_fini */
    return m;
}

/* The directory at `path` (absolute), made where missing. */
static struct vnode *mkdir_p(const char *path)
{
    struct vnode *cur = vfs.root;
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        const char *c = p;
        while (*p && *p != '/')
            p++;
        size_t len = (size_t)(p - c);
        if (!len)
            break;
        if (len > LX_NAME_MAX || (len == 1 && c[0] == '.') ||
            (len == 2 && c[0] == '.' && c[1] == '.'))
            return NULL;
        struct dentry *d = dir_find(cur, c, len);
        struct vnode *next = d ? d->node : NULL;
        if (!next) {
            next = vn_new(cur->mnt, VN_DIR, 0755);
            if (!next || dir_add(cur, c, len, next) < 0)
                return NULL;
        }
        while (next->kind == VN_DIR && next->u.dir.mounted)
            next = next->u.dir.mounted;
        if (next->kind != VN_DIR)
            return NULL;
        cur = next;
    }
    return cur;
}

static int mount_at(const char *path, struct vfs_mount *m)
{
    struct vnode *dir = mkdir_p(path);
    if (!dir || dir == vfs.root)
        return -1;
    dir->u.dir.mounted = m->root;
    dir->opens++;
    m->covered = dir;
    m->root->u.dir.parent = dir->u.dir.parent;
    return 0;
}

static struct vnode *rom_vnode(struct vfs_mount *m, const char *name, int *err)
{
    const void *data;
    uint64_t size;
    *err = vfs.be->rom_map(vfs.be->ctx, name, &data, &size);
    if (*err < 0)
        return NULL;
    struct vnode *v = vn_new(m, VN_REG, 0555);
    if (!v) {
        *err = -ENOMEM;
        return NULL;
    }
    v->u.reg.rom = data;
    v->u.reg.size = size;
    return v;
}

static int add_rom(struct vfs_mount *m, const char *name, char *err, size_t errlen)
{
    size_t len = strnlen(name, LX_NAME_MAX + 1);
    bool bad = !len || len > LX_NAME_MAX || strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
    for (size_t i = 0; i < len; i++)
        bad |= name[i] == '/';
    if (bad)
        return ERR("a rom module name must be a file name (no '/', not . or ..): ", name);
    if (dir_find(m->root, name, len))
        return ERR("a rom module is named twice in one mount: ", name);
    int r;
    struct vnode *v = rom_vnode(m, name, &r);
    if (!v) {
        fmt_err(err, errlen,
                r == -ENOENT ? "no such rom module (name it for the child): "
                             : "cannot map rom module: ",
                name);
        return r;
    }
    if (dir_add(m->root, name, len, v) < 0) {
        vn_maybe_free(v);
        return ERR("out of memory for rom module ", name);
    }
    return 0;
}

static int make_mount(const struct vfs_mount_cfg *mc, bool is_root, char *err, size_t errlen)
{
    bool rom = mc->type == VFS_MOUNT_ROM;
    struct vfs_mount *m = mount_new(rom, LX_RAMFS_MAGIC, rom ? 0 : mc->size);
    if (!m)
        return ERR("out of memory for mount ", mc->path);
    if (is_root) {
        vfs.root = m->root;
    } else if (mount_at(mc->path, m) < 0) {
        return ERR("cannot mount here (a file on the way, or a bad component): ", mc->path);
    }
    for (unsigned i = 0; rom && i < mc->n_modules && i < VFS_MODULES_MAX; i++) {
        int r = add_rom(m, mc->modules[i], err, errlen);
        if (r < 0)
            return r;
    }
    return 0;
}

static bool is_root_path(const char *p)
{
    while (*p == '/')
        p++;
    return !*p;
}

static bool under(const char *p, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(p, dir, n) == 0 && (p[n] == 0 || p[n] == '/');
}

static int check_mount(const struct vfs_config *cfg, unsigned i, char *err, size_t errlen)
{
    const char *p = cfg->mounts[i].path;
    if (!p || p[0] != '/' || strnlen(p, LX_PATH_MAX) >= LX_PATH_MAX)
        return ERR("a mount path must be absolute and shorter than 4096 bytes: ", p ? p : "(none)");
    if (under(p, "/dev") || under(p, "/proc"))
        return ERR("/dev and /proc are the runtime's; mount elsewhere: ", p);
    if (cfg->mounts[i].type != VFS_MOUNT_RAM && cfg->mounts[i].type != VFS_MOUNT_ROM)
        return ERR("a mount's type must be ram or rom: ", p);
    if (cfg->mounts[i].n_modules > VFS_MODULES_MAX)
        return ERR("a rom mount names at most 8 modules: ", p);
    for (unsigned j = 0; j < i; j++)
        if (strcmp(cfg->mounts[j].path, p) == 0)
            return ERR("two mounts at ", p);
    return 0;
}

/* The configured mounts, "/" first, then by path length (parents first). */
static int make_mounts(const struct vfs_config *cfg, char *err, size_t errlen)
{
    unsigned n = cfg->n_mounts, order[VFS_MOUNTS_MAX], k = 0;
    int root = -1;
    if (n > VFS_MOUNTS_MAX)
        return ERR("at most 16 mounts", NULL);
    for (unsigned i = 0; i < n; i++) {
        int r = check_mount(cfg, i, err, errlen);
        if (r < 0)
            return r;
        if (is_root_path(cfg->mounts[i].path)) {
            if (root >= 0)
                return ERR("two mounts at /", NULL);
            root = (int)i;
            continue;
        }
        unsigned j = k++; /* insertion sort by length */
        size_t len = strlen(cfg->mounts[i].path);
        while (j > 0 && strlen(cfg->mounts[order[j - 1]].path) > len) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    struct vfs_mount_cfg def = {.path = "/", .type = VFS_MOUNT_RAM};
    int r = make_mount(root >= 0 ? &cfg->mounts[root] : &def, true, err, errlen);
    for (unsigned i = 0; r == 0 && i < k; i++)
        r = make_mount(&cfg->mounts[order[i]], false, err, errlen);
    return r;
}

static struct vnode *add_node(struct vnode *dir, const char *name, enum vnode_kind kind,
                              uint32_t mode)
{
    struct vnode *v = vn_new(dir->mnt, kind, mode);
    if (v && dir_add(dir, name, strlen(name), v) < 0) {
        vn_maybe_free(v);
        v = NULL;
    }
    return v;
}

static int make_dev(void)
{
    static const char *const names[] = {"null",    "zero",  "full",   "random",
                                        "urandom", "stdin", "stdout", "stderr"};
    struct vfs_mount *m = mount_new(false, 0x1021994 /* TMPFS_MAGIC, as devtmpfs */, 0);
    if (!m || mount_at("/dev", m) < 0)
        return -ENOMEM;
    m->readonly = true; /* no new names in /dev; the devices still take writes */
    for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct vnode *v = add_node(m->root, names[i], VN_CHR, 0666);
        if (!v)
            return -ENOMEM;
        v->u.dev = (enum vfs_dev)(DEV_NULL + i);
    }
    return 0;
}

static int make_symlink(struct vnode *dir, const char *name, const char *target)
{
    size_t len = strnlen(target, LX_PATH_MAX);
    if (!len || len >= LX_PATH_MAX)
        return -EINVAL;
    char *t = vfs_alloc(len + 1);
    struct vnode *v = t ? add_node(dir, name, VN_LNK, 0777) : NULL;
    if (!v) {
        vfs_free(t, len + 1);
        return -ENOMEM;
    }
    memcpy(t, target, len + 1);
    v->u.lnk.target = t;
    v->u.lnk.len = (uint32_t)len;
    return 0;
}

static int make_proc(const char *exe)
{
    struct vfs_mount *m = mount_new(true, LX_PROC_MAGIC, 0);
    if (!m || mount_at("/proc", m) < 0)
        return -ENOMEM;
    struct vnode *self = add_node(m->root, "self", VN_DIR, 0555);
    if (!self)
        return -ENOMEM;
    return exe && *exe ? make_symlink(self, "exe", exe) : 0;
}

static int open_stdin(const struct vfs_config *cfg, char *err, size_t errlen)
{
    struct vnode *v;
    if (cfg->stdin_kind == VFS_STDIN_ROM) {
        if (!cfg->stdin_rom || !*cfg->stdin_rom)
            return ERR("stdin: rom: names no module", NULL);
        struct vfs_mount *m = mount_new(true, LX_RAMFS_MAGIC, 0);
        int r = -ENOMEM;
        v = m ? rom_vnode(m, cfg->stdin_rom, &r) : NULL;
        if (!v) {
            fmt_err(err, errlen, "stdin: cannot map rom module ", cfg->stdin_rom);
            return r;
        }
        v->nlink = 1; /* no name, but kept until vfs_fini */
    } else {
        struct dentry *d = dir_find(vfs.mounts[0].root, "dev", 3);
        struct vnode *dev = d ? d->node->u.dir.mounted : NULL;
        d = dev ? dir_find(dev, "null", 4) : NULL;
        if (!d)
            return ERR("stdin: /dev/null is missing", NULL);
        v = d->node;
    }
    struct vfs_file *f = file_open_vnode(v, LX_O_RDONLY | LX_O_LARGEFILE);
    int fd = f ? fd_install(f, 0, false) : -ENOMEM;
    file_put(f);
    return fd == 0 ? 0 : ERR("stdin: out of memory", NULL);
}

static int open_out(int want, enum vfs_stdout kind, const char *path, char *err, size_t errlen)
{
    struct vfs_file *f = NULL;
    if (kind == VFS_STDOUT_FILE) {
        struct nameidata nd;
        if (!path || path[0] != '/')
            return ERR("stdout/stderr: file: needs an absolute path, got ", path ? path : "");
        int r = vfs_lookup(LX_AT_FDCWD, path, LK_PARENT, &nd);
        if (r == 0 && !nd.node && !nd.dir->mnt->readonly && !nd.trailing_slash) {
            struct vnode *v = add_node(nd.dir, nd.name, VN_REG, 0644);
            nd.node = v;
        }
        if (r < 0 || !nd.node || nd.node->kind != VN_REG || nd.node->mnt->readonly ||
            nd.node->u.reg.rom)
            return ERR("stdout/stderr: cannot create the file (is its directory on a ram "
                       "mount?): ",
                       path);
        if (want == 1 || !vfs.fds[1].file || vfs.fds[1].file->vn != nd.node)
            reg_truncate(nd.node, 0);
        f = file_open_vnode(nd.node, LX_O_WRONLY | LX_O_APPEND | LX_O_LARGEFILE);
    } else {
        f = log_file_new();
    }
    int fd = f ? fd_install(f, want, false) : -ENOMEM;
    file_put(f);
    return fd == want ? 0 : ERR("stdout/stderr: out of memory", NULL);
}

static int init_cwd(const char *cwd, char *err, size_t errlen)
{
    struct nameidata nd;
    if (!cwd || !*cwd)
        cwd = "/";
    if (cwd[0] != '/' || vfs_lookup(LX_AT_FDCWD, cwd, LK_FOLLOW, &nd) < 0 ||
        nd.node->kind != VN_DIR)
        return ERR("cwd must be an existing directory of the mounts: ", cwd);
    vfs.cwd = nd.node;
    nd.node->opens++;
    return 0;
}

static int setup(const struct vfs_config *cfg, char *err, size_t errlen)
{
    int r = make_mounts(cfg, err, errlen);
    if (r == 0 && make_dev() < 0)
        r = ERR("out of memory for /dev", NULL);
    if (r == 0 && make_proc(cfg->exe) < 0)
        r = ERR("out of memory for /proc/self", NULL);
    if (r == 0) {
        vfs.cwd = vfs.root; /* the file paths below are absolute; cwd is set last */
        r = open_stdin(cfg, err, errlen);
    }
    if (r == 0)
        r = open_out(1, cfg->stdout_kind, cfg->stdout_path, err, errlen);
    if (r == 0)
        r = open_out(2, cfg->stderr_kind, cfg->stderr_path, err, errlen);
    if (r == 0) {
        vfs.cwd = NULL;
        r = init_cwd(cfg->cwd, err, errlen);
    }
    return r;
}

int vfs_init(const struct vfs_config *cfg, const struct vfs_backend *be, char *err, size_t errlen)
{
    if (errlen)
        err[0] = 0;
    if (vfs.up)
        return ERR("vfs_init: already set up", NULL);
    memset(&vfs, 0, sizeof(vfs));
    vfs.be = be;
    vfs.umask = 022;
    vfs.pipe_size = cfg->pipe_size ? (uint32_t)cfg->pipe_size : VFS_PIPE_DEFAULT;
    if (cfg->pipe_size && (cfg->pipe_size < LX_PIPE_BUF || cfg->pipe_size > VFS_PIPE_MAX))
        return ERR("a pipe's size must be 4 KiB to 1 MiB", NULL);
    VFS_ENTER();
    int r = setup(cfg, err, errlen);
    if (r == 0)
        vfs.up = true;
    VFS_LEAVE();
    if (r < 0)
        vfs_fini();
    return r;
}

void vfs_fini(void)
{
    if (!vfs.be)
        return;
    const struct vfs_backend *be = vfs.be;
    be->lock(be->ctx);
    vfs.up = false;
    fd_close_all();
    while (vfs.files) /* files kept alive by nothing but a blocked call cannot exist here */
        file_put(vfs.files);
    vn_free_all();
    be->unlock(be->ctx);
    memset(&vfs, 0, sizeof(vfs));
}

static long read_vnode(struct vnode *v, uint64_t off, void *dst, size_t len)
{
    if (v->kind != VN_REG)
        return -ENODEV;
    return reg_read(v, dst, VFS_MIN(len, (size_t)VFS_RW_MAX), off, false);
}

long vfs_read_file(int fd, uint64_t off, void *dst, size_t len)
{
    VFS_ENTER();
    struct vfs_file *f = fd_get(fd);
    long r = -EBADF;
    if (f) {
        if ((f->flags & LX_O_ACCMODE) == LX_O_WRONLY)
            r = -EACCES;
        else
            r = f->vn ? read_vnode(f->vn, off, dst, len) : -ENODEV;
        file_put(f);
    }
    VFS_LEAVE();
    return r;
}

long vfs_read_path(const char *path, uint64_t off, void *dst, size_t len)
{
    struct nameidata nd;
    VFS_ENTER();
    long r = vfs_lookup(LX_AT_FDCWD, path, LK_FOLLOW, &nd);
    if (r == 0)
        r = read_vnode(nd.node, off, dst, len);
    VFS_LEAVE();
    return r;
}
