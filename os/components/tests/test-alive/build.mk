# SPDX-License-Identifier: MIT
# test-alive: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-alive,main.c,test-common))
