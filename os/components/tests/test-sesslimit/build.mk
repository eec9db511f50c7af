# SPDX-License-Identifier: MIT
# test-sesslimit: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-sesslimit,main.c,test-common))
