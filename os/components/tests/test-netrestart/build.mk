# SPDX-License-Identifier: MIT
# test-netrestart: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-netrestart,main.c,test-sock test-common kide-socket nic))
