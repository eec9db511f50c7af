# SPDX-License-Identifier: MIT
# The helpers the scenario test components share: library test-common
# (test.h) and, for the network tests, library test-sock (tsock.h, built
# against the socket client library kide-socket; list it before test-common).
$(eval $(call kide_library,test-common,test.c))
$(eval $(call kide_library,test-sock,tsock.c,kide-socket test-common))
