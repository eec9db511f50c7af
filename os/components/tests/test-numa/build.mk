# SPDX-License-Identifier: MIT
# test-numa: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-numa,main.c,test-common))
