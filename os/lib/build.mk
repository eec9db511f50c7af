# SPDX-License-Identifier: MIT
# os/lib: the bounded JSON library and the scenario compiler (included by os/Makefile).
#
# Provides:
#   $(KIDE_JSON_LIB)     libkide_json.a for native components (freestanding, -mcmodel=large)
#   $(KIDE_JSON_CFLAGS)  include flags for users of <kide/json.h>
#   scenario-tool        $(OSB)/tools/kide-scenario (release build)
#   lib-test             sanitized unit tests (os-json-unit, os-scenario-unit), the two
#                        fuzzers for $(FUZZ_SECONDS) s each (os-json-fuzz, os-scenario-fuzz)
#                        and the freestanding check (no undefined symbols)
#   lib-fuzz             the fuzzers for LIB_FUZZ_SECONDS (default 300) each
# Needs from the includer: TOP, BUILD, OSB.

include $(TOP)/mk/host.mk

JSON_DIR  := $(TOP)/os/lib/json
SCN_DIR   := $(TOP)/os/tools/scenario
LIB_OUT   := $(OSB)/lib
LIB_SAN   := $(LIB_OUT)/san
LIB_FS    := $(LIB_OUT)/freestanding

KIDE_JSON_CFLAGS := -I$(TOP)/os/abi -I$(JSON_DIR)/include
JSON_SRCS := $(JSON_DIR)/json_parse.c $(JSON_DIR)/json_get.c $(JSON_DIR)/json_write.c
JSON_HDRS := $(JSON_DIR)/include/kide/json.h $(JSON_DIR)/json_internal.h
# hoitaja's configuration validator is compiled in: one validator checks every
# init.json (os/hoitaja/config.c; docs/formats/scenario.md). Its messages are cut
# to their buffers on purpose, hence -Wno-format-truncation.
SCN_SRCS  := $(SCN_DIR)/load.c $(SCN_DIR)/emit.c $(TOP)/os/hoitaja/config.c $(TOP)/os/hoitaja/routes.c
SCN_HDRS  := $(SCN_DIR)/scenario.h $(JSON_HDRS) $(TOP)/os/hoitaja/hoitaja.h $(TOP)/os/abi/kide/limits.h
SCN_CFLAGS := -DHJ_HOST -I$(TOP)/os/hoitaja
SCN_GCC_CFLAGS := $(SCN_CFLAGS) -Wno-format-truncation

# Host builds, independent of SANITIZE: tests always carry the sanitizers,
# the tool is always a release build.
LIB_SAN_CFLAGS := $(HOST_CSTD) $(HOST_WARN) -O1 -g -D_GNU_SOURCE $(SAN_FLAGS) $(KIDE_JSON_CFLAGS)
LIB_REL_CFLAGS := $(HOST_CSTD) $(HOST_WARN) -O2 -g -D_GNU_SOURCE $(KIDE_JSON_CFLAGS)
LIB_FUZZ_CFLAGS := $(FUZZ_CFLAGS) -fno-sanitize-recover=undefined $(KIDE_JSON_CFLAGS)
LIB_FUZZ_SECONDS ?= 300

# The freestanding flags of native components (os/lib/base/build.mk), without
# the include paths that need generated headers: the library uses none.
JSON_FS_CFLAGS := -std=gnu11 -ffreestanding -fno-stack-protector -fno-pic -fno-pie -nostdlib \
                  -static -mno-red-zone -O2 -g -Wall -Wextra -Werror \
                  -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables \
                  -mgeneral-regs-only -mcmodel=large $(KIDE_JSON_CFLAGS)
JSON_FS_CC ?= gcc
JSON_FS_OBJS := $(patsubst $(JSON_DIR)/%.c,$(LIB_FS)/%.o,$(JSON_SRCS))
KIDE_JSON_LIB := $(LIB_FS)/libkide_json.a

KIDE_SCENARIO := $(OSB)/tools/kide-scenario
JSON_TEST := $(LIB_SAN)/test_json
SCN_TEST  := $(LIB_SAN)/test_scenario
JSON_FUZZ := $(LIB_OUT)/fuzz/fuzz_json
SCN_FUZZ  := $(LIB_OUT)/fuzz/fuzz_scenario
SCN_DICT  := -dict=$(SCN_DIR)/tests/scenario.dict

.PHONY: lib-json scenario-tool lib-test lib-fuzz lib-freestanding-check
lib-json: $(KIDE_JSON_LIB)
scenario-tool: $(KIDE_SCENARIO)

$(LIB_FS)/%.o: $(JSON_DIR)/%.c $(JSON_HDRS)
	@mkdir -p $(dir $@)
	$(JSON_FS_CC) $(JSON_FS_CFLAGS) -c $< -o $@

$(KIDE_JSON_LIB): $(JSON_FS_OBJS)
	@rm -f $@
	ar rcs $@ $^

# The library must not call anything it does not define: link its objects
# into one and require that no symbol is left undefined (a compiler-emitted
# memcpy or a stray libc call fails here, not at the first OS link).
define json_fs_check
ld -r -o $(LIB_FS)/json-all.o $(JSON_FS_OBJS) && undef=$$(nm -u $(LIB_FS)/json-all.o) && \
if [ -z "$$undef" ]; then \
    echo "os/lib/json: freestanding objects link with no undefined symbols"; \
    $(call write_result,os-json-freestanding,1,0,0); \
else \
    echo "os/lib/json: freestanding objects need undefined symbols:"; echo "$$undef"; \
    $(call write_result,os-json-freestanding,0,1,0); rc=1; \
fi
endef

lib-freestanding-check: $(JSON_FS_OBJS)
	@rc=0; $(json_fs_check); exit $$rc

$(KIDE_SCENARIO): $(SCN_DIR)/main.c $(SCN_SRCS) $(SCN_HDRS) $(JSON_SRCS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(LIB_REL_CFLAGS) $(SCN_GCC_CFLAGS) -o $@ $(SCN_DIR)/main.c $(SCN_SRCS) $(JSON_SRCS) -lyaml

$(JSON_TEST): $(JSON_DIR)/tests/test_json.c $(JSON_SRCS) $(JSON_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(LIB_SAN_CFLAGS) -o $@ $< $(JSON_SRCS) -lcmocka

$(SCN_TEST): $(SCN_DIR)/tests/test_scenario.c $(SCN_SRCS) $(SCN_HDRS) $(JSON_SRCS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(LIB_SAN_CFLAGS) $(SCN_GCC_CFLAGS) -I$(SCN_DIR) -o $@ $< $(SCN_SRCS) $(JSON_SRCS) -lyaml -lcmocka

$(JSON_FUZZ): $(JSON_DIR)/tests/fuzz_json.c $(JSON_SRCS) $(JSON_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(LIB_FUZZ_CFLAGS) -o $@ $< $(JSON_SRCS)

$(SCN_FUZZ): $(SCN_DIR)/tests/fuzz_scenario.c $(SCN_SRCS) $(SCN_HDRS) $(JSON_SRCS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(LIB_FUZZ_CFLAGS) $(SCN_CFLAGS) -I$(SCN_DIR) -o $@ $< $(SCN_SRCS) $(JSON_SRCS) -lyaml

# run_fuzz SUITE BINARY SEEDS SECONDS [OPTIONS]: run a fuzzer on a private
# corpus seeded from the source tree, record 1 passed or 1 failed.
define run_fuzz
mkdir -p $(LIB_OUT)/corpus/$(1); \
if $(2) -max_total_time=$(4) -max_len=8192 -timeout=10 -rss_limit_mb=1024 \
        -artifact_prefix=$(LIB_OUT)/$(1)- $(5) $(LIB_OUT)/corpus/$(1) $(3) \
        >$(LIB_OUT)/$(1).log 2>&1; then \
    $(call write_result,$(1),1,0,0); tail -1 $(LIB_OUT)/$(1).log; \
else \
    tail -40 $(LIB_OUT)/$(1).log; $(call write_result,$(1),0,1,0); rc=1; \
fi
endef

# Every step runs and records its result even if an earlier one failed.
lib-test: $(JSON_TEST) $(SCN_TEST) $(JSON_FUZZ) $(SCN_FUZZ) $(JSON_FS_OBJS)
	@rc=0; \
	BUILD=$(BUILD) $(TOP)/mk/cmocka-result.sh os-json-unit $(JSON_TEST) || rc=1; \
	BUILD=$(BUILD) $(TOP)/mk/cmocka-result.sh os-scenario-unit $(SCN_TEST) || rc=1; \
	$(json_fs_check) || rc=1; \
	$(call run_fuzz,os-json-fuzz,$(JSON_FUZZ),$(JSON_DIR)/tests/corpus,$(FUZZ_SECONDS)); \
	$(call run_fuzz,os-scenario-fuzz,$(SCN_FUZZ),$(SCN_DIR)/tests/corpus,$(FUZZ_SECONDS),$(SCN_DICT)); \
	exit $$rc

lib-fuzz: $(JSON_FUZZ) $(SCN_FUZZ)
	@rc=0; \
	$(call run_fuzz,os-json-fuzz,$(JSON_FUZZ),$(JSON_DIR)/tests/corpus,$(LIB_FUZZ_SECONDS)); \
	$(call run_fuzz,os-scenario-fuzz,$(SCN_FUZZ),$(SCN_DIR)/tests/corpus,$(LIB_FUZZ_SECONDS),$(SCN_DICT)); \
	exit $$rc
