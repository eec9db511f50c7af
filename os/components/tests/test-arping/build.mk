# SPDX-License-Identifier: MIT
# test-arping: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-arping,main.c,test-frame test-common nic kide-socket))
