# SPDX-License-Identifier: MIT
# test-pfuzz: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-pfuzz,main.c,test-common))
