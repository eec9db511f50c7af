# SPDX-License-Identifier: MIT
# test-pkghello: the program the pkg-start scenario installs as a package (os/components/tests/README.md).
$(eval $(call kide_component,test-pkghello,main.c,))
