# SPDX-License-Identifier: MIT
# os/lib/nic: the NIC session's packet ring (included by os/Makefile after
# mk/component.mk and os/lib/build.mk).
#
# Provides:
#   library nic        libnic.a for native components (kide_library): the ring code,
#                      both sides of a session (nic_client.c; nic_port.c and nic_server.c)
#   nic-test           sanitized unit tests with the two-thread stress test (suite
#                      os-nic-unit), the client when its server goes away (os-nic-client)
#                      and the hostile-index fuzzer for $(FUZZ_SECONDS) s (os-nic-fuzz)
#   nic-fuzz           the fuzzer for LIB_FUZZ_SECONDS (default 300)
# Needs from the includer: TOP, BUILD, OSB, mk/host.mk, run_fuzz (os/lib/build.mk).

NIC_DIR  := $(TOP)/os/lib/nic
NIC_OUT  := $(OSB)/lib/nic
NIC_SRCS := $(NIC_DIR)/nic_ring.c $(NIC_DIR)/nic_port.c $(NIC_DIR)/nic_retry.c
NIC_HDRS := $(NIC_DIR)/nic_ring.h $(NIC_DIR)/nic_port.h $(NIC_DIR)/nic_retry.h $(TOP)/os/abi/kide/nic.h
NIC_TEST := $(NIC_OUT)/san/test_nic_ring
NIC_CLIENT_TEST := $(NIC_OUT)/san/test_nic_client
NIC_FUZZ := $(NIC_OUT)/fuzz/fuzz_nic_ring
NIC_HOST_INC := -I$(TOP)/os/abi -I$(NIC_DIR)

$(eval $(call kide_library,nic,nic_ring.c nic_port.c nic_retry.c nic_client.c nic_server.c))

.PHONY: nic-test nic-fuzz
$(NIC_TEST): $(NIC_DIR)/tests/test_nic_ring.c $(NIC_SRCS) $(NIC_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CSTD) $(HOST_WARN) -O1 -g -D_GNU_SOURCE $(SAN_FLAGS) $(NIC_HOST_INC) \
	    -o $@ $< $(NIC_SRCS) -lcmocka -lpthread

# The client over a fake runtime (tests/host/kide/base.h stands in for the base
# library's header: no system call on the host).
$(NIC_CLIENT_TEST): $(NIC_DIR)/tests/test_nic_client.c $(NIC_DIR)/nic_client.c $(NIC_DIR)/nic_client.h \
                    $(NIC_DIR)/tests/host/kide/base.h $(NIC_SRCS) $(NIC_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CSTD) $(HOST_WARN) -O1 -g -D_GNU_SOURCE $(SAN_FLAGS) -I$(NIC_DIR)/tests/host \
	    $(NIC_HOST_INC) -I$(TOP)/os/lib/component/include -o $@ $< $(NIC_DIR)/nic_client.c $(NIC_SRCS) \
	    -lcmocka

$(NIC_FUZZ): $(NIC_DIR)/tests/fuzz_nic_ring.c $(NIC_SRCS) $(NIC_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fno-sanitize-recover=undefined $(NIC_HOST_INC) -o $@ $< $(NIC_SRCS)

nic-test: $(NIC_TEST) $(NIC_CLIENT_TEST) $(NIC_FUZZ)
	@rc=0; \
	BUILD=$(BUILD) $(TOP)/mk/cmocka-result.sh os-nic-unit $(NIC_TEST) || rc=1; \
	BUILD=$(BUILD) $(TOP)/mk/cmocka-result.sh os-nic-client $(NIC_CLIENT_TEST) || rc=1; \
	$(call run_fuzz,os-nic-fuzz,$(NIC_FUZZ),,$(FUZZ_SECONDS)); \
	exit $$rc

nic-fuzz: $(NIC_FUZZ)
	@rc=0; $(call run_fuzz,os-nic-fuzz,$(NIC_FUZZ),,$(LIB_FUZZ_SECONDS)); exit $$rc
