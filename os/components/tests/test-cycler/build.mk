# SPDX-License-Identifier: MIT
# test-cycler: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-cycler,main.c,test-common))
