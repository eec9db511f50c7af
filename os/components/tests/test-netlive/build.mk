# SPDX-License-Identifier: MIT
# test-netlive: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-netlive,main.c,test-frame test-common nic kide-socket))
