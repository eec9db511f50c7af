# SPDX-License-Identifier: MIT
# os/hoitaja: the habitat manager (docs/hoitaja.md). Included by os/Makefile.
#
# Provides:
#   $(HOITAJA_ELF)  build/os/bin/hoitaja, the boot module "hoitaja"
#   hoitaja         that binary
#   hoitaja-test    host unit tests of the logic (cmocka, ASan+UBSan; suite os-hoitaja-unit)
#                   and the configuration fuzzer for $(FUZZ_SECONDS) s (os-hoitaja-fuzz)
#   hoitaja-fuzz    the fuzzer for HOITAJA_FUZZ_SECONDS (default 300)
# Needs from the includer: TOP, OSB, BIN, mk/component.mk, the json variables.

HJ_DIR   := $(TOP)/os/hoitaja
HJ_OUT   := $(OSB)/hoitaja

# Pure logic (host-testable) and OS glue.
HJ_LOGIC := config plan routes backoff events report status cfgjson
HJ_GLUE  := main child session mgmt calls live control pkgload pkgstart
HJ_HDRS  := $(HJ_DIR)/hoitaja.h $(HJ_DIR)/glue.h $(TOP)/os/abi/kide/limits.h $(POSIX_CONFIG_HDRS)

# posix-config: the parser of POSIX children (os/posix/config), one with the runtime's.
$(eval $(call kide_component,hoitaja,$(addsuffix .c,$(HJ_LOGIC) $(HJ_GLUE)),posix-config kide-pkg))
HOITAJA_ELF := $(KIDE_ELF_hoitaja)

.PHONY: hoitaja-test hoitaja-fuzz

# Host builds of the logic: tests always carry the sanitizers. Truncating
# snprintf is intended (messages are cut to their buffers), hence the one
# warning we turn off.
HJ_LOGIC_SRCS := $(patsubst %,$(HJ_DIR)/%.c,$(HJ_LOGIC)) $(POSIX_CONFIG_SRCS)
HJ_HOST_CFLAGS := $(HOST_CSTD) $(HOST_WARN) -Wno-format-truncation -O1 -g -D_GNU_SOURCE \
                  -DHJ_HOST $(SAN_FLAGS) $(KIDE_JSON_CFLAGS) -I$(HJ_DIR) \
                  $(POSIX_CONFIG_INC)
HJ_FUZZ_CFLAGS := $(FUZZ_CFLAGS) -fno-sanitize-recover=undefined -DHJ_HOST $(KIDE_JSON_CFLAGS) \
                  -I$(HJ_DIR) $(POSIX_CONFIG_INC)
HJ_TEST := $(HJ_OUT)/san/test_hoitaja
HJ_FUZZ := $(HJ_OUT)/fuzz/fuzz_config
HOITAJA_FUZZ_SECONDS ?= 300

$(HJ_TEST): $(HJ_DIR)/tests/test_hoitaja.c $(HJ_LOGIC_SRCS) $(HJ_HDRS) $(JSON_SRCS) $(JSON_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HJ_HOST_CFLAGS) -o $@ $< $(HJ_LOGIC_SRCS) $(JSON_SRCS) -lcmocka

$(HJ_FUZZ): $(HJ_DIR)/tests/fuzz_config.c $(HJ_LOGIC_SRCS) $(HJ_HDRS) $(JSON_SRCS) $(JSON_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(HJ_FUZZ_CFLAGS) -o $@ $< $(HJ_LOGIC_SRCS) $(JSON_SRCS)

# hj_fuzz SECONDS: run the fuzzer on a private corpus seeded from tests/corpus.
define hj_fuzz
mkdir -p $(HJ_OUT)/corpus; \
if $(HJ_FUZZ) -max_total_time=$(1) -max_len=16384 -timeout=10 -rss_limit_mb=1024 \
        -dict=$(HJ_DIR)/tests/config.dict -artifact_prefix=$(HJ_OUT)/fuzz- \
        $(HJ_OUT)/corpus $(HJ_DIR)/tests/corpus >$(HJ_OUT)/fuzz.log 2>&1; then \
    $(call write_result,os-hoitaja-fuzz,1,0,0); tail -1 $(HJ_OUT)/fuzz.log; \
else \
    tail -40 $(HJ_OUT)/fuzz.log; $(call write_result,os-hoitaja-fuzz,0,1,0); rc=1; \
fi
endef

hoitaja-test: $(HJ_TEST) $(HJ_FUZZ)
	@rc=0; \
	BUILD=$(BUILD) $(TOP)/mk/cmocka-result.sh os-hoitaja-unit $(HJ_TEST) || rc=1; \
	$(call hj_fuzz,$(FUZZ_SECONDS)); \
	exit $$rc

hoitaja-fuzz: $(HJ_FUZZ)
	@rc=0; $(call hj_fuzz,$(HOITAJA_FUZZ_SECONDS)); exit $$rc
