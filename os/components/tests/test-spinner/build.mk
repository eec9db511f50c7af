# SPDX-License-Identifier: MIT
# test-spinner: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-spinner,main.c,test-common))
