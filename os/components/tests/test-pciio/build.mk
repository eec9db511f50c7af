# SPDX-License-Identifier: MIT
# test-pciio: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-pciio,main.c,test-common platform-client))
