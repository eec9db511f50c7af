# SPDX-License-Identifier: MIT
# test-echo-client: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-echo-client,main.c,test-sock test-common kide-socket))
