# SPDX-License-Identifier: MIT
# test-prober: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-prober,main.c,test-common))
