/* SPDX-License-Identifier: MIT */
/* test-depot: the signed archive, its signature and the public key
 * (os/lib/depot/tests/make-signed.sh), carried in the component's own
 * read-only data: a child may map only the boot module it was loaded from
 * (docs/core.md, "Boot modules"), so the test's input travels inside it. */
	.section .rodata
	.balign 16
	.global depot_fx_archive, depot_fx_archive_end
depot_fx_archive:
	.incbin "archive.tar.xz"
depot_fx_archive_end:
	.balign 16
	.global depot_fx_sig, depot_fx_sig_end
depot_fx_sig:
	.incbin "archive.sig"
depot_fx_sig_end:
	.global depot_fx_pub, depot_fx_pub_end
depot_fx_pub:
	.incbin "pubkey.raw"
depot_fx_pub_end:
	.section .note.GNU-stack,"",@progbits
