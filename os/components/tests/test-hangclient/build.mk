# SPDX-License-Identifier: MIT
# test-hangclient: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-hangclient,main.c,test-common))
