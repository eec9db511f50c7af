# SPDX-License-Identifier: MIT
# The platform session's client library (<platform_client.h>, os/abi/kide/platform.h):
# library platform-client, for drivers.
$(eval $(call kide_library,platform-client,platform_client.c))
