# SPDX-License-Identifier: MIT
# test-pcidrv: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-pcidrv,main.c,test-common platform-client))
