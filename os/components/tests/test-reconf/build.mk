# SPDX-License-Identifier: MIT
# test-reconf: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-reconf,main.c,test-common))
