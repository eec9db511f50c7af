# SPDX-License-Identifier: MIT
# test-talker: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-talker,main.c,test-common))
