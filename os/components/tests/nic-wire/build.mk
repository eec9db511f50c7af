# SPDX-License-Identifier: MIT
# nic-wire: a NIC server whose two sessions are the ends of a cable (main.c).
$(eval $(call kide_component,nic-wire,main.c,nic))
