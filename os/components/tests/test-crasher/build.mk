# SPDX-License-Identifier: MIT
# test-crasher: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-crasher,main.c,test-common))
