# SPDX-License-Identifier: MIT
# echo: a TCP and UDP echo server over the socket session (main.c).
$(eval $(call kide_component,echo,main.c,kide-socket))
