# SPDX-License-Identifier: MIT
# test-forger: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-forger,main.c,test-common))
