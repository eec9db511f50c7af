# SPDX-License-Identifier: MIT
# test-idle: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-idle,main.c,test-common))
