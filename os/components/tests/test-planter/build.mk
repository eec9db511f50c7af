# SPDX-License-Identifier: MIT
# test-planter: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-planter,main.c,test-common))
