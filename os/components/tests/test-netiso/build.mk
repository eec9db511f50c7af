# SPDX-License-Identifier: MIT
# test-netiso: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-netiso,main.c,test-frame test-common nic kide-socket))
