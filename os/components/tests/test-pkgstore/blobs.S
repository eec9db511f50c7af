/* SPDX-License-Identifier: MIT */
/* test-pkgstore: the signed bin archive, its signature and the public key
 * (make-pkg.sh), carried in the component's own read-only data like
 * test-depot's: a child may map only the boot module it was loaded from. */
	.section .rodata
	.balign 16
	.global pkg_fx_archive, pkg_fx_archive_end
pkg_fx_archive:
	.incbin "archive.tar.xz"
pkg_fx_archive_end:
	.balign 16
	.global pkg_fx_sig, pkg_fx_sig_end
pkg_fx_sig:
	.incbin "archive.sig"
pkg_fx_sig_end:
	.global pkg_fx_pub, pkg_fx_pub_end
pkg_fx_pub:
	.incbin "pubkey.raw"
pkg_fx_pub_end:
	.section .note.GNU-stack,"",@progbits
