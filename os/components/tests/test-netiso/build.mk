# SPDX-License-Identifier: MIT
# test-netiso: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-netiso,main.c,test-common nic kide-socket))
