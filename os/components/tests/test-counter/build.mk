# SPDX-License-Identifier: MIT
# test-counter: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-counter,main.c,test-common))
