# SPDX-License-Identifier: MIT
# os/lib/pkg: the `Pkg` session (os/abi/kide/pkg.h, decision 0022), included
# by os/Makefile after mk/component.mk and the runtime's build.mk, before
# os/hoitaja (which links it).
#
# Provides:
#   the library kide-pkg (kide_library): <kide/pkg_client.h> (hoitaja's side:
#   pkg_client.c) and <kide/pkg_store.h> (the store and its service, for
#   kuori-agent and test-pkgstore: pkg_store.c, pkg_server.c) and
#   <kide/pkg_fetch.h> (the registry GET over the socket session: fetch.c,
#   and its response-head parser, http_head.c); users of the fetch list
#   kide-pkg before kide-socket
#   pkg-test   host unit tests of the store, the server and the client over a
#              transport into the server, ASan+UBSan (suite os-pkg-unit), and the
#              fuzzers for $(FUZZ_SECONDS) s each: requests and replies of the
#              session (os-pkg-fuzz), HTTP response heads (os-pkg-fuzz-http)
# Needs from the includer: TOP, BUILD, OSB, GEN, mk/component.mk, the runtime's
# COMP_DIR, mk/host.mk's variables and run_fuzz (os/lib/build.mk).

PKG_DIR := $(TOP)/os/lib/pkg
$(eval $(call kide_library,kide-pkg,pkg_client.c pkg_store.c pkg_server.c http_head.c fetch.c,kide-socket))

PKG_SRCS := $(PKG_DIR)/pkg_client.c $(PKG_DIR)/pkg_store.c $(PKG_DIR)/pkg_server.c \
            $(PKG_DIR)/http_head.c
PKG_HDRS := $(PKG_DIR)/kide/pkg_client.h $(PKG_DIR)/kide/pkg_store.h $(TOP)/os/abi/kide/pkg.h \
            $(PKG_DIR)/tests/pkg_host.h $(PKG_DIR)/kide/pkg_fetch.h
PKG_TEST := $(OSB)/lib/pkg/san/test_pkg
PKG_FUZZ := $(OSB)/lib/pkg/fuzz/fuzz_pkg
PKG_HOST_INC := -I$(TOP)/os/abi -I$(TOP)/os/lib/base/include -I$(COMP_DIR)/include -I$(COMP_DIR) \
                -I$(PKG_DIR) -I$(GEN) -I$(SOCK_DIR)
PKG_FUZZ_HTTP := $(OSB)/lib/pkg/fuzz/fuzz_http_head

$(PKG_TEST): $(PKG_DIR)/tests/test_pkg.c $(PKG_SRCS) $(PKG_HDRS) $(COMP_DIR)/msg.c $(BASE_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CSTD) $(HOST_WARN) -O1 -g -D_GNU_SOURCE $(SAN_FLAGS) $(PKG_HOST_INC) -o $@ \
	    $< $(PKG_SRCS) $(COMP_DIR)/msg.c -lcmocka
$(PKG_FUZZ): $(PKG_DIR)/tests/fuzz_pkg.c $(PKG_SRCS) $(PKG_HDRS) $(COMP_DIR)/msg.c $(BASE_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -D_GNU_SOURCE $(PKG_HOST_INC) -o $@ $< $(PKG_SRCS) $(COMP_DIR)/msg.c

$(PKG_FUZZ_HTTP): $(PKG_DIR)/tests/fuzz_http_head.c $(PKG_DIR)/http_head.c $(PKG_HDRS) $(BASE_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -D_GNU_SOURCE $(PKG_HOST_INC) -o $@ $< $(PKG_DIR)/http_head.c

.PHONY: pkg-test
pkg-test: $(PKG_TEST) $(PKG_FUZZ) $(PKG_FUZZ_HTTP)
	@rc=0; BUILD=$(BUILD) $(TOP)/mk/cmocka-result.sh os-pkg-unit $(PKG_TEST) || rc=1; \
	$(call run_fuzz,os-pkg-fuzz,$(PKG_FUZZ),,$(FUZZ_SECONDS),); \
	$(call run_fuzz,os-pkg-fuzz-http,$(PKG_FUZZ_HTTP),,$(FUZZ_SECONDS),); exit $$rc
