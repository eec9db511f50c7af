# SPDX-License-Identifier: MIT
# os/tools/scenario: the scenario compiler kide-scenario (os/tools/scenario/README.md;
# included by os/Makefile after os/lib/build.mk).
#
# Provides:
#   $(KIDE_SCENARIO)  $(OSB)/tools/kide-scenario (release build)
#   scenario-tool     that binary
#   scenario-test     sanitized unit tests (os-scenario-unit) and the fuzzer for
#                     $(FUZZ_SECONDS) s (os-scenario-fuzz)
#   scenario-fuzz     the fuzzer for LIB_FUZZ_SECONDS (default 300)
# Needs from the includer: TOP, BUILD, OSB and, from os/lib/build.mk, the JSON
# library's sources, the host flags and run_fuzz.

SCN_DIR   := $(TOP)/os/tools/scenario
SCN_OUT   := $(OSB)/tools/scenario
# hoitaja's configuration validator is compiled in: one validator checks every
# init.json (os/hoitaja/config.c; docs/formats/scenario.md). Its messages are cut
# to their buffers on purpose, hence -Wno-format-truncation.
# With it the parser of POSIX children (os/posix/config, named here by path: its
# build.mk is included later, after the component rules it needs).
SCN_SRCS  := $(SCN_DIR)/load.c $(SCN_DIR)/emit.c $(TOP)/os/hoitaja/config.c $(TOP)/os/hoitaja/routes.c \
             $(TOP)/os/posix/config/posix_config.c
SCN_HDRS  := $(SCN_DIR)/scenario.h $(JSON_HDRS) $(TOP)/os/hoitaja/hoitaja.h $(TOP)/os/abi/kide/limits.h \
             $(TOP)/os/posix/config/posix_config.h
SCN_CFLAGS := -DHJ_HOST -I$(TOP)/os/hoitaja -I$(TOP)/os/posix/config
SCN_GCC_CFLAGS := $(SCN_CFLAGS) -Wno-format-truncation

KIDE_SCENARIO := $(OSB)/tools/kide-scenario
SCN_TEST  := $(SCN_OUT)/san/test_scenario
SCN_FUZZ  := $(SCN_OUT)/fuzz/fuzz_scenario
SCN_DICT  := -dict=$(SCN_DIR)/tests/scenario.dict

.PHONY: scenario-tool scenario-test scenario-fuzz
scenario-tool: $(KIDE_SCENARIO)

$(KIDE_SCENARIO): $(SCN_DIR)/main.c $(SCN_SRCS) $(SCN_HDRS) $(JSON_SRCS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(LIB_REL_CFLAGS) $(SCN_GCC_CFLAGS) -o $@ $(SCN_DIR)/main.c $(SCN_SRCS) $(JSON_SRCS) -lyaml

$(SCN_TEST): $(SCN_DIR)/tests/test_scenario.c $(SCN_SRCS) $(SCN_HDRS) $(JSON_SRCS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(LIB_SAN_CFLAGS) $(SCN_GCC_CFLAGS) -I$(SCN_DIR) -o $@ $< $(SCN_SRCS) $(JSON_SRCS) -lyaml -lcmocka

$(SCN_FUZZ): $(SCN_DIR)/tests/fuzz_scenario.c $(SCN_SRCS) $(SCN_HDRS) $(JSON_SRCS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(LIB_FUZZ_CFLAGS) $(SCN_CFLAGS) -I$(SCN_DIR) -o $@ $< $(SCN_SRCS) $(JSON_SRCS) -lyaml

# Both steps run and record their results even if the first failed.
scenario-test: $(SCN_TEST) $(SCN_FUZZ)
	@rc=0; \
	BUILD=$(BUILD) $(TOP)/mk/cmocka-result.sh os-scenario-unit $(SCN_TEST) || rc=1; \
	$(call run_fuzz,os-scenario-fuzz,$(SCN_FUZZ),$(SCN_DIR)/tests/corpus,$(FUZZ_SECONDS),$(SCN_DICT)); \
	exit $$rc

scenario-fuzz: $(SCN_FUZZ)
	@rc=0; \
	$(call run_fuzz,os-scenario-fuzz,$(SCN_FUZZ),$(SCN_DIR)/tests/corpus,$(LIB_FUZZ_SECONDS),$(SCN_DICT)); \
	exit $$rc
