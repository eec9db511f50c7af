/* SPDX-License-Identifier: MIT */
/* krt: code for testing and timing ctrl_ec POSIX (system-call reflection).
 *
 * A reflected `syscall` must come from outside the EC's native range. The
 * root's RAM is identity-mapped below its image (and executable), so a
 * page of it holding a copy of a tiny position-independent function is
 * "foreign" code while the whole image is the native range.
 */
#include <krt.h>

/* The foreign function, u64 f(u64 rax): `syscall` with RAX = rax, then
 * return RAX. Reflected to krt_reflect_return it comes back unchanged; run
 * by the kernel (e.g. KIDE_SYS_NULL) it returns the status. Kept in
 * .rodata: it only runs from the copy. The return address of its `syscall`
 * is the copy's address + (krt_foreign_after - krt_foreign_blob). */
__asm__(".pushsection .rodata\n"
        ".global krt_foreign_blob, krt_foreign_after, krt_foreign_end\n"
        "krt_foreign_blob:\n"
        "    mov %rdi, %rax\n"
        "    syscall\n"
        "krt_foreign_after:\n"
        "    ret\n"
        "krt_foreign_end:\n"
        ".popsection\n"
        ".text\n"
        ".global krt_reflect_return\n"
        "krt_reflect_return:\n"
        "    jmp *%rcx\n");

u64 krt_foreign_page(void)
{
    u64 p = krt_page_alloc();
    if (p)
        memcpy((void *)p, krt_foreign_blob, (u64)(krt_foreign_end - krt_foreign_blob));
    return p;
}
