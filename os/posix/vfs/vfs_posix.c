/* SPDX-License-Identifier: MIT */
/* vfs_config from a parsed posix configuration: see vfs_posix.h. The parser
 * already enforced the invariants (normalised absolute paths, at most 16
 * mounts of at most 8 modules, none under /dev or /proc); vfs_init checks
 * again what it relies on.
 */
#include "vfs_posix.h"

void vfs_config_from_posix(const struct posix_config *pc, const char *exe, struct vfs_config *out)
{
    static char exe_buf[POSIX_NAME_MAX + 2];
    *out = (struct vfs_config){0};
    if (!exe && pc->program) {
        exe_buf[0] = '/';
        unsigned i = 0;
        for (; pc->program[i] && i < POSIX_NAME_MAX; i++)
            exe_buf[i + 1] = pc->program[i];
        exe_buf[i + 1] = 0;
        exe = exe_buf;
    }
    out->exe = exe;
    out->cwd = pc->cwd;
    for (unsigned i = 0; i < pc->nmounts && i < VFS_MOUNTS_MAX; i++) {
        const struct posix_mount *m = &pc->mounts[i];
        struct vfs_mount_cfg *v = &out->mounts[out->n_mounts++];
        v->path = m->path;
        v->type = m->type == POSIX_MOUNT_ROM ? VFS_MOUNT_ROM : VFS_MOUNT_RAM;
        v->size = m->size;
        for (unsigned k = 0; k < m->nmodules && k < VFS_MODULES_MAX; k++)
            v->modules[v->n_modules++] = m->modules[k];
    }
    if (pc->std_in.kind == POSIX_STREAM_ROM) {
        out->stdin_kind = VFS_STDIN_ROM;
        out->stdin_rom = pc->std_in.arg;
    }
    if (pc->std_out.kind == POSIX_STREAM_FILE) {
        out->stdout_kind = VFS_STDOUT_FILE;
        out->stdout_path = pc->std_out.arg;
    }
    if (pc->std_err.kind == POSIX_STREAM_FILE) {
        out->stderr_kind = VFS_STDOUT_FILE;
        out->stderr_path = pc->std_err.arg;
    }
}
