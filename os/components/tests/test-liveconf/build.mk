# SPDX-License-Identifier: MIT
# test-liveconf: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-liveconf,main.c,test-common))
