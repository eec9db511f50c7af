# SPDX-License-Identifier: MIT
# test-tiny: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-tiny,main.c,))
