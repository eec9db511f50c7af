/* SPDX-License-Identifier: MIT */
/* Boot modules by name, for the root task (core, the kernel tests). */
#include <kide/base.h>

const struct kide_boot_module *base_module_find(const struct kide_boot_info *bi, const char *name)
{
    size_t nlen = strlen(name);
    for (u64 i = 0; i < bi->module_count && i < KIDE_BOOT_MAX_MODULES; i++) {
        const char *cl = bi->modules[i].cmdline;
        size_t len = strnlen(cl, sizeof(bi->modules[i].cmdline));
        size_t word = 0;
        while (word < len && cl[word] != ' ')
            word++;
        /* basename of the first word */
        size_t b = word;
        while (b > 0 && cl[b - 1] != '/')
            b--;
        if (word - b == nlen && !strncmp(cl + b, name, nlen))
            return &bi->modules[i];
    }
    return NULL;
}
