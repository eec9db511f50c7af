# SPDX-License-Identifier: MIT
# test-http-client: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-http-client,main.c,test-sock test-common kide-socket))
