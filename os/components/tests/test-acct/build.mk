# SPDX-License-Identifier: MIT
# test-acct: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-acct,main.c,test-common))
