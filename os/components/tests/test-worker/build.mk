# SPDX-License-Identifier: MIT
# test-worker: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-worker,main.c,test-common))
