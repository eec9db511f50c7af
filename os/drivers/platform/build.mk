# SPDX-License-Identifier: MIT
# The platform driver (README.md): boot module "platform".
#
# Provides:
#   platform        the component $(BIN)/platform
#   platform-test   the hostile-driver fuzzer of the session (tests/fuzz_session.c)
#                   for $(FUZZ_SECONDS) s (suite os-platform-fuzz)
#   platform-fuzz   the same for PLATFORM_FUZZ_SECONDS (default 300)
# Needs from the includer: TOP, OSB, mk/component.mk, mk/host.mk, run_fuzz (os/lib/build.mk).
$(eval $(call kide_component,platform,main.c pci.c session.c,))

PLAT_DIR  := $(TOP)/os/drivers/platform
PLAT_FUZZ := $(OSB)/drivers/platform/fuzz/fuzz_session
PLATFORM_FUZZ_SECONDS ?= 300

# session.c on the host: its system calls become the fuzzer's functions
# (tests/sys_shim.h), configuration space and core are simulated.
$(PLAT_FUZZ): $(PLAT_DIR)/tests/fuzz_session.c $(PLAT_DIR)/session.c $(PLAT_DIR)/platform.h \
              $(PLAT_DIR)/tests/sys_shim.h $(TOP)/os/abi/kide/platform.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fno-sanitize-recover=undefined $(HOST_WARN) \
	    -include $(PLAT_DIR)/tests/sys_shim.h -I$(TOP)/os/abi -I$(TOP)/os/lib/component/include \
	    -I$(TOP)/os/lib/base/include -o $@ $< $(PLAT_DIR)/session.c

.PHONY: platform-test platform-fuzz
platform-test: $(PLAT_FUZZ)
	@rc=0; $(call run_fuzz,os-platform-fuzz,$(PLAT_FUZZ),,$(FUZZ_SECONDS)); exit $$rc

platform-fuzz: $(PLAT_FUZZ)
	@rc=0; $(call run_fuzz,os-platform-fuzz,$(PLAT_FUZZ),,$(PLATFORM_FUZZ_SECONDS)); exit $$rc
