# SPDX-License-Identifier: MIT
# test-pkgup: the pkg-start scenario's live upgrade (os/components/tests/README.md).
$(eval $(call kide_component,test-pkgup,main.c,test-common))
