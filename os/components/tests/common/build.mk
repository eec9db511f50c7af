# SPDX-License-Identifier: MIT
# The helpers the scenario test components share: library test-common
# (test.h) and, for the network tests, library test-sock (tsock.h, built
# against the socket client library kide-socket; list it before test-common).
$(eval $(call kide_library,test-common,test.c))
$(eval $(call kide_library,test-sock,tsock.c,kide-socket test-common))
# Library test-frame (tframe.h): raw frames for the tests that use a NIC
# session without a stack (list it before test-common, nic and kide-socket).
$(eval $(call kide_library,test-frame,tframe.c,nic kide-socket test-common))
