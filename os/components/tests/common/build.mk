# SPDX-License-Identifier: MIT
# The helpers the scenario test components share (test.h): library test-common.
$(eval $(call kide_library,test-common,test.c))
