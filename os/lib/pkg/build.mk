# SPDX-License-Identifier: MIT
# os/lib/pkg: the `Pkg` session (os/abi/kide/pkg.h, decision 0022), included
# by os/Makefile after mk/component.mk and the runtime's build.mk, before
# os/hoitaja (which links it).
#
# Provides:
#   the library kide-pkg (kide_library): <kide/pkg_client.h> (hoitaja's side:
#   pkg_client.c) and <kide/pkg_store.h> (the store and its service, for
#   kuori-agent and test-pkgstore: pkg_store.c, pkg_server.c)
#   pkg-test   host unit tests of the store and the client over a fake
#              transport, ASan+UBSan (suite os-pkg-unit)
# Needs from the includer: TOP, BUILD, OSB, mk/component.mk, the runtime's
# COMP_DIR and mk/host.mk's variables.

PKG_DIR := $(TOP)/os/lib/pkg
$(eval $(call kide_library,kide-pkg,pkg_client.c pkg_store.c pkg_server.c))
