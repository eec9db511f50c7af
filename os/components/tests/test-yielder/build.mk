# SPDX-License-Identifier: MIT
# test-yielder: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-yielder,main.c,test-common))
