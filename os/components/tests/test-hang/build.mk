# SPDX-License-Identifier: MIT
# test-hang: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-hang,main.c,test-common))
