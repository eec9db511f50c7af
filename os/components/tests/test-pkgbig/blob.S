/* SPDX-License-Identifier: MIT */
/* test-pkgbig's 1 MiB of read-only data (blob.sh makes blob.bin). */
	.section .rodata
	.balign 4096
	.global pkgbig_blob, pkgbig_blob_end
pkgbig_blob:
	.incbin "blob.bin"
pkgbig_blob_end:
	.section .note.GNU-stack,"",@progbits
