# SPDX-License-Identifier: MIT
# os/net: the TCP/IP stack (lwIP, imported by goa) and its port (included by
# os/Makefile after os/lib/base/build.mk, os/lib/build.mk and os/lib/nic/build.mk).
#
# Provides:
#   net              import lwIP (os/tools/recipe-import.sh lwip), build $(NET_LIB) and $(NET_ELF); when
#                    Debian's archive is unreachable and nothing is cached, says so,
#                    builds nothing (the rest of the OS still builds) and leaves the
#                    cause in build/os/bin/net.unavailable, so scenarios booting net
#                    are recorded as skipped (os/scenarios/mk-image.sh, exit 3)
#   $(NET_LIB)       liblwip.a: lwIP's core, IPv4, ARP, DHCP, Ethernet, the port
#                    (os/net/port), the netif glue (netif.c) and the socket session
#                    server (session.c), freestanding
#   $(NET_ELF)       the component build/os/bin/net (main.c, nic.c: the NIC session client)
#   $(NET_CFLAGS)    include flags for code using lwIP with Kide's port
#   net-test         host tests of the stack (os-net-stack) and its fuzzer
#                    (os-net-fuzz, $(FUZZ_SECONDS) s); skips naming the cause when
#                    lwIP is unavailable
#   net-fuzz         the fuzzer for NET_FUZZ_SECONDS (default 300)
# Needs from the includer: TOP, BUILD, OSB, USER_CC, USER_CFLAGS, BASE_HDRS, the library nic and
# mk/host.mk's variables.
#
# lwIP's own files are compiled with the flags of our code minus the warnings
# they trip (NET_LWIP_RELAX for the OS build, NET_LWIP_HOST_RELAX for the
# host tests): they are third-party code, we do not change them, and a
# warning there is not ours to fix. Our files (port, glue, tests) keep
# -Wall -Wextra -Werror.

NET_DIR   := $(TOP)/os/net
NET_OUT   := $(OSB)/net
LWIP_PROJ := $(NET_OUT)/lwip
LWIP_SRC  := $(LWIP_PROJ)/src/src
LWIP_STAMP := $(LWIP_PROJ)/imported

# What we compile of lwIP (paths below its src/): the raw API core, IPv4 with
# ARP, ICMP, DHCP and fragments, UDP, TCP, and the Ethernet layer.
LWIP_FILES := core/init.c core/def.c core/inet_chksum.c core/ip.c core/mem.c core/memp.c \
              core/netif.c core/pbuf.c core/stats.c core/sys.c core/tcp.c core/tcp_in.c \
              core/tcp_out.c core/timeouts.c core/udp.c core/ipv4/dhcp.c core/ipv4/etharp.c \
              core/ipv4/icmp.c core/ipv4/ip4.c core/ipv4/ip4_addr.c core/ipv4/ip4_frag.c \
              netif/ethernet.c
NET_OWN_FILES := port/sys_arch.c netif.c session.c dhcp_watch.c

NET_CFLAGS := -I$(NET_DIR)/include -I$(NET_DIR)/port/include -I$(LWIP_SRC)/include -I$(TOP)/os/abi
# Empty: lwIP 2.1.3's files we compile build cleanly with gcc and clang-14
# under our flags (including the host's -Wshadow -Wformat=2). A later
# release's warnings go here, one flag each, with the reason.
NET_LWIP_RELAX :=
NET_FS_CFLAGS := $(USER_CFLAGS) -I$(NET_DIR)/port/freestanding $(NET_CFLAGS)

NET_LIB := $(NET_OUT)/liblwip.a
NET_LWIP_OBJS := $(patsubst %.c,$(NET_OUT)/fs/lwip/%.o,$(LWIP_FILES))
NET_OWN_OBJS  := $(patsubst %.c,$(NET_OUT)/fs/%.o,$(NET_OWN_FILES))

.PHONY: net net-lib net-test net-fuzz

# The import, once per change of the recipe or the script. Exit 3 of the
# script (unreachable) is not a build failure: net reports it and stops.
$(LWIP_STAMP): $(TOP)/recipes/lwip/goa.yaml $(wildcard $(TOP)/recipes/lwip/patches/*) $(TOP)/os/tools/recipe-import.sh
	@TOP=$(TOP) BUILD=$(BUILD) $(TOP)/os/tools/recipe-import.sh lwip $(LWIP_PROJ)
$(addprefix $(LWIP_SRC)/,$(LWIP_FILES)): $(LWIP_STAMP) ;

# The runtime is built by this make before the recursive one starts, so a
# parallel make all never builds it twice at once.
net: $(COMP_LIB) $(BASE_LIB) $(BASE_CRT0) $(USER_LDS) $(KIDE_LIB_nic)
	@rc=0; $(MAKE) --no-print-directory $(LWIP_STAMP) 2>$(NET_OUT).import.log || rc=$$?; \
	if [ -f $(LWIP_PROJ)/unavailable ] && [ ! -f $(LWIP_STAMP) ]; then \
	    echo "os/net: skipped: $$(cat $(LWIP_PROJ)/unavailable)"; \
	    mkdir -p $(dir $(NET_ELF)); echo "os/net: $$(cat $(LWIP_PROJ)/unavailable)" >$(NET_ELF).unavailable; \
	    exit 0; fi; \
	[ $$rc -eq 0 ] || { cat $(NET_OUT).import.log >&2; exit 1; }; \
	rm -f $(NET_ELF).unavailable; $(MAKE) --no-print-directory net-lib

# The component (os/net/main.c, README.md): the runtime, the socket session
# server and liblwip.a. Built by hand rather than by kide_component, because
# it depends on the import: `components` (make all) must not fail when
# lwIP's sources are unreachable; `net` builds it when they are there.
NET_COMP_SRCS := main.c nic.c
NET_COMP_OBJS := $(patsubst %.c,$(NET_OUT)/comp/%.o,$(NET_COMP_SRCS))
NET_ELF := $(OSB)/bin/net

$(NET_OUT)/comp/%.o: $(NET_DIR)/%.c $(LWIP_STAMP) $(BASE_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      os/net/$*.c"
	@$(USER_CC) $(NET_FS_CFLAGS) $(COMP_CFLAGS) $(KIDE_LIB_INC_nic) -c $< -o $@

$(NET_ELF): $(NET_COMP_OBJS) $(NET_LIB) $(KIDE_LIB_nic) $(BASE_CRT0) $(COMP_LIB) $(BASE_LIB) $(USER_LDS)
	@mkdir -p $(dir $@)
	@echo "  LD      $(patsubst $(BUILD)/%,build/%,$@)"
	@$(USER_LD) -o $@ $(BASE_CRT0) $(NET_COMP_OBJS) $(NET_LIB) $(KIDE_LIB_nic) $(COMP_LIB) $(BASE_LIB)

net-lib: $(NET_LIB) $(NET_ELF)

$(NET_OUT)/fs/lwip/%.o: $(LWIP_SRC)/%.c $(LWIP_STAMP) $(BASE_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      lwip/src/$*.c"
	@$(USER_CC) $(NET_FS_CFLAGS) $(NET_LWIP_RELAX) -c $< -o $@

$(NET_OUT)/fs/%.o: $(NET_DIR)/%.c $(LWIP_STAMP) $(BASE_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      os/net/$*.c"
	@$(USER_CC) $(NET_FS_CFLAGS) -c $< -o $@

$(NET_LIB): $(NET_LWIP_OBJS) $(NET_OWN_OBJS)
	@rm -f $@
	@echo "  AR      $(patsubst $(BUILD)/%,build/%,$@)"
	@ar rcs $@ $^

-include $(NET_LWIP_OBJS:.o=.d) $(NET_OWN_OBJS:.o=.d) $(NET_COMP_OBJS:.o=.d)

# ---- host tests -------------------------------------------------------------
# The same lwIP files, port and glue, built for the host with ASan/UBSan. The
# two-stack test needs two copies of lwIP's globals in one program: the
# objects are linked into one relocatable object (ld -r) and every global
# symbol it defines gets a prefix (objcopy --redefine-syms), once a_ and once
# b_; what it needs from outside (libc, the sanitizers, net_port_log and
# net_port_panic) keeps its name. The fuzzer has one stack and links plainly.
NET_TEST_DIR := $(NET_DIR)/tests
NET_HOST_OUT := $(NET_OUT)/host
NET_HOST_FILES := $(addprefix lwip/,$(LWIP_FILES)) $(NET_OWN_FILES) tests/inst.c
NET_HOST_CFLAGS := $(HOST_CSTD) $(HOST_WARN) -O1 -g -D_GNU_SOURCE -fno-common $(SAN_FLAGS) \
                   $(NET_CFLAGS) -MMD -MP
NET_LWIP_HOST_RELAX :=
NET_HOST_OBJS := $(patsubst %.c,$(NET_HOST_OUT)/%.o,$(NET_HOST_FILES))
NET_STACK_TEST := $(NET_HOST_OUT)/test_stack
NET_DHCP_TEST := $(NET_HOST_OUT)/test_dhcp
NET_FUZZ := $(NET_OUT)/fuzz/fuzz_stack
NET_FUZZ_CFLAGS := $(FUZZ_CFLAGS) -fno-sanitize-recover=undefined -Wall -Wextra -Werror \
                   -Wno-unused-parameter $(NET_CFLAGS)
NET_FUZZ_SECONDS ?= 300

$(NET_HOST_OUT)/lwip/%.o: $(LWIP_SRC)/%.c $(LWIP_STAMP)
	@mkdir -p $(dir $@)
	@$(HOST_CC) $(NET_HOST_CFLAGS) $(NET_LWIP_HOST_RELAX) -c $< -o $@

$(NET_HOST_OUT)/%.o: $(NET_DIR)/%.c $(LWIP_STAMP)
	@mkdir -p $(dir $@)
	@$(HOST_CC) $(NET_HOST_CFLAGS) -c $< -o $@

$(NET_HOST_OUT)/stack.o: $(NET_HOST_OBJS)
	ld -r -o $@ $^

# stack-%.o: the stack with prefix % on every global symbol it defines.
$(NET_HOST_OUT)/stack-%.o: $(NET_HOST_OUT)/stack.o
	nm -g --defined-only $< | awk '{ print $$3, "$*_" $$3 }' > $@.syms
	objcopy --redefine-syms=$@.syms $< $@

$(NET_STACK_TEST): $(NET_TEST_DIR)/test_stack.c $(NET_TEST_DIR)/frames.c $(NET_HOST_OUT)/stack-a.o \
                   $(NET_HOST_OUT)/stack-b.o $(NET_TEST_DIR)/inst.h $(NET_TEST_DIR)/frames.h
	$(HOST_CC) $(HOST_CSTD) $(HOST_WARN) -O1 -g -D_GNU_SOURCE $(SAN_FLAGS) $(NET_CFLAGS) \
	    -o $@ $(filter %.c %.o,$^) -lcmocka

# The stack's DHCP client against the router library's server (built for the
# host the way os/net/router/build.mk builds its unit test).
$(NET_DHCP_TEST): $(NET_TEST_DIR)/test_dhcp.c $(NET_HOST_OUT)/stack-a.o $(NET_TEST_DIR)/inst.h \
                  $(RTR_HOST_SRCS) $(RTR_HDRS) $(JSON_SRCS) $(JSON_HDRS)
	$(HOST_CC) $(RTR_HOST_CFLAGS) $(NET_CFLAGS) -o $@ $(filter %.c %.o,$^) -lcmocka

$(NET_FUZZ): $(NET_TEST_DIR)/fuzz_stack.c $(NET_TEST_DIR)/frames.c $(addprefix $(LWIP_SRC)/,$(LWIP_FILES)) \
             $(addprefix $(NET_DIR)/,$(NET_OWN_FILES)) $(NET_TEST_DIR)/inst.c $(LWIP_STAMP)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(NET_FUZZ_CFLAGS) -o $@ $(filter %.c,$^)

# net_skip SUITE...: record each suite as skipped with the import's cause.
define net_skip
for s in $(1); do echo "$$s: skipped: $$(cat $(LWIP_PROJ)/unavailable)"; \
    $(call write_result,$$s,0,0,1); done
endef

net-test:
	@$(MAKE) --no-print-directory net >/dev/null 2>&1; \
	if [ ! -f $(LWIP_STAMP) ] && [ -f $(LWIP_PROJ)/unavailable ]; then \
	    $(call net_skip,os-net-stack os-net-dhcp os-net-fuzz); exit 0; fi; \
	rc=0; $(MAKE) --no-print-directory $(NET_STACK_TEST) $(NET_DHCP_TEST) $(NET_FUZZ) || exit 1; \
	BUILD=$(BUILD) $(TOP)/mk/cmocka-result.sh os-net-stack $(NET_STACK_TEST) || rc=1; \
	BUILD=$(BUILD) $(TOP)/mk/cmocka-result.sh os-net-dhcp $(NET_DHCP_TEST) || rc=1; \
	$(call run_fuzz,os-net-fuzz,$(NET_FUZZ),$(NET_TEST_DIR)/corpus,$(FUZZ_SECONDS)); \
	exit $$rc

net-fuzz:
	@$(MAKE) --no-print-directory $(NET_FUZZ) && rc=0 && \
	$(call run_fuzz,os-net-fuzz,$(NET_FUZZ),$(NET_TEST_DIR)/corpus,$(NET_FUZZ_SECONDS)); exit $$rc

-include $(NET_HOST_OBJS:.o=.d)

# The network end to end, as the README shows it: os/scenarios/net.yaml (the
# platform driver, virtio-net, two habitats each with its own stack and echo
# server) booted under QEMU's user networking, and the host talking to both
# echo servers through the forwarded ports 17007 and 17008
# (os/tools/tests/net_e2e.py; suite os-net-e2e, skipped when the stack could
# not be built).
.PHONY: net-e2e-test net-restart-e2e-test
net-e2e-test: $(KERNEL_BIN) core hoitaja components scenario-tool net
	@BUILD=$(BUILD) $(TOP)/os/tools/tests/net_e2e.py

# The virtio-net driver restarted under the router, then the host's echo
# through it (os/scenarios/tests/net-restart-driver.yaml; suite
# os-net-restart-e2e).
net-restart-e2e-test: $(KERNEL_BIN) core hoitaja components scenario-tool net
	@BUILD=$(BUILD) $(TOP)/os/tools/tests/net_e2e.py --restart-driver
