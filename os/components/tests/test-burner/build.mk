# SPDX-License-Identifier: MIT
# test-burner: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-burner,main.c,test-common))
