# SPDX-License-Identifier: MIT
# os/net/router: the virtual router's packet logic (docs/network.md, "The virtual router").
#
# Provides:
#   library net-router   libnet-router.a for the router component (kide_library)
#   router               the component build/os/bin/router (component/, part of `components`)
#   router-test          host unit tests (cmocka, ASan+UBSan; suite os-router-unit), the
#                        fuzzer for $(FUZZ_SECONDS) s (os-router-fuzz) and the freestanding
#                        build of the library (os-router-freestanding)
#   router-fuzz          the fuzzer for ROUTER_FUZZ_SECONDS (default 300)
# Needs from the includer: TOP, OSB, mk/component.mk, os/lib/build.mk (json, run_fuzz).

RTR_DIR  := $(TOP)/os/net/router
RTR_OUT  := $(OSB)/net/router
RTR_SRCS := pkt.c nat.c router.c dhcp.c config.c parse.c update.c report.c status.c
RTR_HDRS := $(addprefix $(RTR_DIR)/,router.h rtr_internal.h config.h)

$(eval $(call kide_library,net-router,$(RTR_SRCS)))

# The component (component/): after the library; `components` (make all) is
# defined before this file is included, so it is added to it here.
include $(RTR_DIR)/component/build.mk
components: $(KIDE_ELF_router)

RTR_HOST_SRCS := $(addprefix $(RTR_DIR)/,$(RTR_SRCS))
RTR_HOST_CFLAGS := $(HOST_CSTD) $(HOST_WARN) -Wno-format-truncation -O1 -g -D_GNU_SOURCE \
                   -DRTR_HOST $(SAN_FLAGS) $(KIDE_JSON_CFLAGS) -I$(RTR_DIR)
RTR_FUZZ_CFLAGS := $(FUZZ_CFLAGS) -fno-sanitize-recover=undefined -DRTR_HOST \
                   $(KIDE_JSON_CFLAGS) -I$(RTR_DIR)
RTR_TEST := $(RTR_OUT)/san/test_router
RTR_FUZZ := $(RTR_OUT)/fuzz/fuzz_router
ROUTER_FUZZ_SECONDS ?= 300

$(RTR_TEST): $(RTR_DIR)/tests/test_router.c $(RTR_HOST_SRCS) $(RTR_HDRS) $(JSON_SRCS) $(JSON_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(RTR_HOST_CFLAGS) -o $@ $< $(RTR_HOST_SRCS) $(JSON_SRCS) -lcmocka

$(RTR_FUZZ): $(RTR_DIR)/tests/fuzz_router.c $(RTR_HOST_SRCS) $(RTR_HDRS) $(JSON_SRCS) $(JSON_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(RTR_FUZZ_CFLAGS) -o $@ $< $(RTR_HOST_SRCS) $(JSON_SRCS)

.PHONY: router-test router-fuzz router-lib
router-lib: $(KIDE_LIB_net-router)

# The library in the OS build must need nothing but the base library and the
# JSON library: link it with them and require no undefined symbol.
define rtr_fs_check
ld -r -o $(RTR_OUT)/router-all.o --whole-archive $(KIDE_LIB_net-router) --no-whole-archive && \
undef=$$(nm -u $(RTR_OUT)/router-all.o | awk '{print $$2}' | \
    grep -vxE 'memcpy|memset|memcmp|strcmp|strlen|snprintf|vsnprintf|kide_json_[a-z0-9_]+'); \
if [ -z "$$undef" ]; then \
    echo "os/net/router: freestanding library needs only base and json symbols"; \
    $(call write_result,os-router-freestanding,1,0,0); \
else \
    echo "os/net/router: freestanding library needs:"; echo "$$undef"; \
    $(call write_result,os-router-freestanding,0,1,0); rc=1; \
fi
endef

router-test: $(RTR_TEST) $(RTR_FUZZ) $(KIDE_LIB_net-router)
	@rc=0; \
	BUILD=$(BUILD) $(TOP)/mk/cmocka-result.sh os-router-unit $(RTR_TEST) || rc=1; \
	$(rtr_fs_check) || rc=1; \
	$(call run_fuzz,os-router-fuzz,$(RTR_FUZZ),$(RTR_DIR)/tests/corpus,$(FUZZ_SECONDS)); \
	exit $$rc

router-fuzz: $(RTR_FUZZ)
	@rc=0; \
	$(call run_fuzz,os-router-fuzz,$(RTR_FUZZ),$(RTR_DIR)/tests/corpus,$(ROUTER_FUZZ_SECONDS)); \
	exit $$rc
