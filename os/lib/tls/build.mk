# SPDX-License-Identifier: MIT
# os/lib/tls: BearSSL (imported by goa) and ktls, our wrapper: the rules
# (included by os/Makefile after every component's build.mk; the variables
# and the macro ktls_component are in os/lib/tls/component.mk).
#
# Provides:
#   tls              import BearSSL (os/tools/recipe-import.sh bearssl), build
#                    $(BEARSSL_LIB), $(KTLS_LIB) and every component made by
#                    ktls_component (the self-test test-tls, kuori-agent); when
#                    Debian's archive is unreachable and nothing is cached, says so,
#                    builds nothing (the rest of the OS still builds) and leaves the
#                    cause in build/os/bin/NAME.unavailable for each of them
#                    (scenarios booting one are then skipped, os/scenarios/mk-image.sh
#                    exit 3)
#   tls-test         host tests (cmocka, ASan+UBSan, against OpenSSL 3: os-tls-unit),
#                    the fuzzer for $(FUZZ_SECONDS) s (os-tls-fuzz) and the freestanding
#                    check (os-tls-freestanding); skips naming the cause when BearSSL
#                    is unavailable
#   tls-fuzz         the fuzzer for TLS_FUZZ_SECONDS (default 300)
# Needs from the includer: os/lib/tls/component.mk, TOP, BUILD, OSB, BIN, the runtime
# (COMP_LIB, BASE_LIB, BASE_CRT0, USER_LDS), run_fuzz and mk/host.mk's variables.
#
# BearSSL's files are third-party code: they build with our flags (no
# relaxation needed with gcc 12 and clang 14; a later release's warnings go
# into TLS_BR_RELAX, one flag each, with the reason). Our files keep
# -Wall -Wextra -Werror.

# Paths, flags, KTLS_FILES, KTLS_HDRS, TLS_BR_FILES, TLS_BR_DEFS and the
# libraries' names: os/lib/tls/component.mk (included earlier).
TLS_BR_OBJS := $(patsubst %.c,$(TLS_OUT)/fs/bearssl/%.o,$(TLS_BR_FILES))
KTLS_OBJS := $(patsubst %.c,$(TLS_OUT)/fs/%.o,$(KTLS_FILES))

.PHONY: tls tls-lib tls-test tls-fuzz

# The import, once per change of the recipe or the script; exit 3
# (unreachable) is reported by `tls`, not a build failure.
$(TLS_STAMP): $(TOP)/recipes/bearssl/goa.yaml $(TOP)/os/tools/recipe-import.sh
	@TOP=$(TOP) BUILD=$(BUILD) $(TOP)/os/tools/recipe-import.sh bearssl $(BEARSSL_PROJ)
$(addprefix $(BEARSSL_TOP)/src/,$(TLS_BR_FILES)): $(TLS_STAMP) ;

# Every component made by ktls_component (component.mk) is built here, after
# the import; when the import is unreachable each gets NAME.unavailable.
tls: $(COMP_LIB) $(BASE_LIB) $(BASE_CRT0) $(USER_LDS) $(foreach l,$(KTLS_COMPONENT_LIBS),$(KIDE_LIB_$(l)))
	@rc=0; $(MAKE) --no-print-directory $(TLS_STAMP) 2>$(TLS_OUT).import.log || rc=$$?; \
	if [ -f $(BEARSSL_PROJ)/unavailable ] && [ ! -f $(TLS_STAMP) ]; then \
	    echo "os/lib/tls: skipped: $$(cat $(BEARSSL_PROJ)/unavailable)"; \
	    mkdir -p $(BIN); for e in $(KTLS_COMPONENT_ELFS); do \
	        echo "os/lib/tls: $$(cat $(BEARSSL_PROJ)/unavailable)" >$$e.unavailable; done; \
	    exit 0; fi; \
	[ $$rc -eq 0 ] || { cat $(TLS_OUT).import.log >&2; exit 1; }; \
	rm -f $(addsuffix .unavailable,$(KTLS_COMPONENT_ELFS)); $(MAKE) --no-print-directory tls-lib

tls-lib: $(BEARSSL_LIB) $(KTLS_LIB) $(KTLS_COMPONENT_ELFS)

$(TLS_OUT)/fs/bearssl/%.o: $(BEARSSL_TOP)/src/%.c $(TLS_STAMP) $(TLS_DIR)/build.mk $(TLS_DIR)/component.mk $(BASE_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      bearssl/src/$*.c"
	@$(USER_CC) $(TLS_FS_CFLAGS) -I$(BEARSSL_TOP)/src $(TLS_BR_RELAX) -c $< -o $@

$(TLS_OUT)/fs/%.o: $(TLS_DIR)/%.c $(TLS_STAMP) $(TLS_DIR)/build.mk $(TLS_DIR)/component.mk $(KTLS_HDRS) $(BASE_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      os/lib/tls/$*.c"
	@$(USER_CC) $(TLS_FS_CFLAGS) -c $< -o $@

# seeder.c is BearSSL's platform glue (it calls nothing of ktls): it goes
# into libbearssl.a, so that the archives link in one pass, ktls first.
$(BEARSSL_LIB): $(TLS_BR_OBJS) $(TLS_OUT)/fs/seeder.o
	@rm -f $@
	@echo "  AR      $(patsubst $(BUILD)/%,build/%,$@)"
	@ar rcs $@ $^

$(KTLS_LIB): $(KTLS_OBJS)
	@rm -f $@
	@echo "  AR      $(patsubst $(BUILD)/%,build/%,$@)"
	@ar rcs $@ $^

-include $(TLS_BR_OBJS:.o=.d) $(KTLS_OBJS:.o=.d)

# ---- host tests ---------------------------------------------------------
# The same files for the host with ASan and UBSan (test_ktls: cmocka, and
# OpenSSL 3 as the peer and as the judge of the certificates ktls writes),
# the fuzzer with libFuzzer, and the check that the freestanding objects
# need nothing but the base library's string functions.
TLS_HOST_OUT := $(TLS_OUT)/host
# The host's extra warnings BearSSL trips: -Wshadow (ssl_ccert_single_ec.c
# reuses a local's name in an inner block; harmless, and not ours to change).
TLS_BR_HOST_RELAX := -Wno-shadow
TLS_HOST_CFLAGS := $(HOST_CSTD) $(HOST_WARN) -O1 -g -D_GNU_SOURCE $(SAN_FLAGS) $(KTLS_CFLAGS)
TLS_HOST_SRCS = $(addprefix $(BEARSSL_TOP)/src/,$(TLS_BR_FILES)) $(addprefix $(TLS_DIR)/,$(KTLS_FILES) seeder.c)
TLS_TEST := $(TLS_HOST_OUT)/test_ktls
TLS_FUZZ := $(TLS_OUT)/fuzz/fuzz_ktls
TLS_FUZZ_SECONDS ?= 300

$(TLS_HOST_OUT)/bearssl/%.o: $(BEARSSL_TOP)/src/%.c $(TLS_STAMP) $(TLS_DIR)/build.mk $(TLS_DIR)/component.mk
	@mkdir -p $(dir $@)
	@$(HOST_CC) $(TLS_HOST_CFLAGS) -I$(BEARSSL_TOP)/src $(TLS_BR_RELAX) $(TLS_BR_HOST_RELAX) -c $< -o $@

$(TLS_HOST_OUT)/%.o: $(TLS_DIR)/%.c $(TLS_STAMP) $(TLS_DIR)/build.mk $(TLS_DIR)/component.mk $(KTLS_HDRS)
	@mkdir -p $(dir $@)
	@$(HOST_CC) $(TLS_HOST_CFLAGS) -c $< -o $@

TLS_HOST_OBJS := $(patsubst %.c,$(TLS_HOST_OUT)/bearssl/%.o,$(TLS_BR_FILES)) \
                 $(patsubst %.c,$(TLS_HOST_OUT)/%.o,$(KTLS_FILES) seeder.c)

$(TLS_TEST): $(TLS_DIR)/tests/test_ktls.c $(TLS_HOST_OBJS) $(KTLS_HDRS)
	@echo "  LD      $(patsubst $(BUILD)/%,build/%,$@)"
	@$(HOST_CC) $(TLS_HOST_CFLAGS) -I$(TLS_DIR) -o $@ $(filter %.c %.o,$^) -lcmocka -lssl -lcrypto

$(TLS_FUZZ): $(TLS_DIR)/tests/fuzz_ktls.c $(TLS_STAMP) $(KTLS_HDRS)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $(patsubst $(BUILD)/%,build/%,$@)"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fno-sanitize-recover=undefined -Wall -Wextra -Werror \
	    -Wno-unused-parameter $(KTLS_CFLAGS) -I$(BEARSSL_TOP)/src -o $@ $< $(TLS_HOST_SRCS)

define tls_fs_check
ld -r -o $(TLS_OUT)/fs/tls-all.o $(TLS_BR_OBJS) $(TLS_OUT)/fs/seeder.o $(KTLS_OBJS) && \
undef=$$(nm -u $(TLS_OUT)/fs/tls-all.o | awk '{print $$2}' | grep -vxE 'memcpy|memmove|memset|memcmp|strlen'); \
if [ -z "$$undef" ]; then \
    echo "os/lib/tls: freestanding objects need only the base library's memcpy/memmove/memset/memcmp/strlen"; \
    $(call write_result,os-tls-freestanding,1,0,0); \
else \
    echo "os/lib/tls: freestanding objects need undefined symbols:"; echo "$$undef"; \
    $(call write_result,os-tls-freestanding,0,1,0); rc=1; \
fi
endef

tls-test:
	@$(MAKE) --no-print-directory tls >/dev/null 2>&1; \
	if [ ! -f $(TLS_STAMP) ] && [ -f $(BEARSSL_PROJ)/unavailable ]; then \
	    for s in os-tls-unit os-tls-fuzz os-tls-freestanding; do \
	        echo "$$s: skipped: $$(cat $(BEARSSL_PROJ)/unavailable)"; \
	        $(call write_result,$$s,0,0,1); done; exit 0; fi; \
	rc=0; $(MAKE) --no-print-directory $(TLS_TEST) $(TLS_FUZZ) $(TLS_BR_OBJS) $(KTLS_OBJS) || exit 1; \
	BUILD=$(BUILD) $(TOP)/mk/cmocka-result.sh os-tls-unit $(TLS_TEST) || rc=1; \
	$(call run_fuzz,os-tls-fuzz,$(TLS_FUZZ),$(TLS_DIR)/tests/corpus,$(FUZZ_SECONDS)); \
	$(tls_fs_check); \
	exit $$rc

tls-fuzz:
	@$(MAKE) --no-print-directory $(TLS_FUZZ) && rc=0 && \
	$(call run_fuzz,os-tls-fuzz,$(TLS_FUZZ),$(TLS_DIR)/tests/corpus,$(TLS_FUZZ_SECONDS)); exit $$rc
