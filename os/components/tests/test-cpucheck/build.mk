# SPDX-License-Identifier: MIT
# test-cpucheck: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-cpucheck,main.c,test-common))
