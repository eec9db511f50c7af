# SPDX-License-Identifier: MIT
# router: the virtual router component (main.c, README.md): os/net/router's
# packet logic between the NIC driver's session and the habitats' sessions.
$(eval $(call kide_component,router,main.c live.c,nic net-router))
