# SPDX-License-Identifier: MIT
# test-ctl: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-ctl,main.c,test-common))
