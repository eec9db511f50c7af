# SPDX-License-Identifier: MIT
# test-ramhog: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-ramhog,main.c,test-common))
