# SPDX-License-Identifier: MIT
# test-echo: a scenario test component (os/components/tests/README.md).
$(eval $(call kide_component,test-echo,main.c,test-common))
