# SPDX-License-Identifier: MIT
# os/lib: the bounded JSON library (included by os/Makefile).
#
# Provides:
#   $(KIDE_JSON_LIB)     libkide_json.a for native components (freestanding, -mcmodel=large)
#   $(KIDE_JSON_CFLAGS)  include flags for users of <kide/json.h>
#   $(JSON_SRCS), $(JSON_HDRS), $(LIB_SAN_CFLAGS), $(LIB_REL_CFLAGS), $(LIB_FUZZ_CFLAGS)
#                        the library's sources and the host flags, for host tools that
#                        compile it in (os/tools/scenario/build.mk)
#   run_fuzz             the macro running a libFuzzer fuzzer for a suite
#   lib-test             sanitized unit tests (os-json-unit), the fuzzer for
#                        $(FUZZ_SECONDS) s (os-json-fuzz) and the freestanding check
#                        (no undefined symbols)
#   lib-fuzz             the fuzzer for LIB_FUZZ_SECONDS (default 300)
# Needs from the includer: TOP, BUILD, OSB.

include $(TOP)/mk/host.mk

JSON_DIR  := $(TOP)/os/lib/json
LIB_OUT   := $(OSB)/lib
LIB_SAN   := $(LIB_OUT)/san
LIB_FS    := $(LIB_OUT)/freestanding

KIDE_JSON_CFLAGS := -I$(TOP)/os/abi -I$(JSON_DIR)/include
JSON_SRCS := $(JSON_DIR)/json_parse.c $(JSON_DIR)/json_get.c $(JSON_DIR)/json_write.c
JSON_HDRS := $(JSON_DIR)/include/kide/json.h $(JSON_DIR)/json_internal.h

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

JSON_TEST := $(LIB_SAN)/test_json
JSON_FUZZ := $(LIB_OUT)/fuzz/fuzz_json

.PHONY: lib-json lib-test lib-fuzz lib-freestanding-check
lib-json: $(KIDE_JSON_LIB)

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

$(JSON_TEST): $(JSON_DIR)/tests/test_json.c $(JSON_SRCS) $(JSON_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(LIB_SAN_CFLAGS) -o $@ $< $(JSON_SRCS) -lcmocka

$(JSON_FUZZ): $(JSON_DIR)/tests/fuzz_json.c $(JSON_SRCS) $(JSON_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(LIB_FUZZ_CFLAGS) -o $@ $< $(JSON_SRCS)

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
lib-test: $(JSON_TEST) $(JSON_FUZZ) $(JSON_FS_OBJS)
	@rc=0; \
	BUILD=$(BUILD) $(TOP)/mk/cmocka-result.sh os-json-unit $(JSON_TEST) || rc=1; \
	$(json_fs_check) || rc=1; \
	$(call run_fuzz,os-json-fuzz,$(JSON_FUZZ),$(JSON_DIR)/tests/corpus,$(FUZZ_SECONDS)); \
	exit $$rc

lib-fuzz: $(JSON_FUZZ)
	@rc=0; \
	$(call run_fuzz,os-json-fuzz,$(JSON_FUZZ),$(JSON_DIR)/tests/corpus,$(LIB_FUZZ_SECONDS)); \
	exit $$rc
