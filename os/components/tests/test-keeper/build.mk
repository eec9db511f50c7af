# SPDX-License-Identifier: MIT
# test-keeper: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-keeper,main.c,test-common))
