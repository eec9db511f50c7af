# SPDX-License-Identifier: MIT
# The platform driver (README.md): boot module "platform".
$(eval $(call kide_component,platform,main.c pci.c session.c,))
