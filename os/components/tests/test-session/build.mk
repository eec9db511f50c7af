# SPDX-License-Identifier: MIT
# test-session: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-session,main.c,test-common))
