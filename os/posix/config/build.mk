# SPDX-License-Identifier: MIT
# os/posix/config: the parser of a POSIX child's `posix:` configuration
# (posix_config.h) and the signal names of reports (posix_signal.h). Included
# by os/Makefile after mk/component.mk and os/lib/build.mk, before os/hoitaja
# (which links it) and the POSIX runtime.
#
# Provides:
#   the library posix-config (kide_library): -I os/posix/config, libposix-config.a
#   POSIX_CONFIG_SRCS, POSIX_CONFIG_HDRS, POSIX_CONFIG_INC  for host builds (hoitaja's
#                       tests, kide-scenario)
#   posix-config-test   cmocka tests under ASan+UBSan (suite os-posix-config-unit), the
#                       fuzzer for $(FUZZ_SECONDS) s (os-posix-config-fuzz) and the
#                       freestanding check (os-posix-config-freestanding: the objects
#                       need no symbol they do not define)
#   posix-config-fuzz   the fuzzer for LIB_FUZZ_SECONDS (default 300)
# Needs from the includer: TOP, OSB, BUILD, mk/host.mk, the json variables, run_fuzz.

POSIX_CONFIG_DIR  := $(TOP)/os/posix/config
POSIX_CONFIG_OUT  := $(OSB)/posix/config
POSIX_CONFIG_SRCS := $(POSIX_CONFIG_DIR)/posix_config.c $(POSIX_CONFIG_DIR)/posix_signal.c
POSIX_CONFIG_HDRS := $(POSIX_CONFIG_DIR)/posix_config.h $(POSIX_CONFIG_DIR)/posix_signal.h
POSIX_CONFIG_INC  := -I$(POSIX_CONFIG_DIR)

$(eval $(call kide_library,posix-config,posix_config.c posix_signal.c))

POSIX_CONFIG_TEST := $(POSIX_CONFIG_OUT)/san/test_posix_config
POSIX_CONFIG_FUZZ := $(POSIX_CONFIG_OUT)/fuzz/fuzz_posix_config
POSIX_CONFIG_FS   := $(patsubst $(POSIX_CONFIG_DIR)/%.c,$(POSIX_CONFIG_OUT)/fs/%.o,$(POSIX_CONFIG_SRCS))

$(POSIX_CONFIG_TEST): $(POSIX_CONFIG_DIR)/tests/test_posix_config.c $(POSIX_CONFIG_SRCS) \
                      $(POSIX_CONFIG_HDRS) $(JSON_SRCS) $(JSON_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(LIB_SAN_CFLAGS) $(POSIX_CONFIG_INC) -o $@ $< $(POSIX_CONFIG_SRCS) $(JSON_SRCS) \
	    -lcmocka

$(POSIX_CONFIG_FUZZ): $(POSIX_CONFIG_DIR)/tests/fuzz_posix_config.c $(POSIX_CONFIG_SRCS) \
                      $(POSIX_CONFIG_HDRS) $(JSON_SRCS) $(JSON_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(LIB_FUZZ_CFLAGS) $(POSIX_CONFIG_INC) -o $@ $< $(POSIX_CONFIG_SRCS) $(JSON_SRCS)

# The same freestanding flags as the JSON library's check (os/lib/build.mk).
$(POSIX_CONFIG_OUT)/fs/%.o: $(POSIX_CONFIG_DIR)/%.c $(POSIX_CONFIG_HDRS) $(JSON_HDRS)
	@mkdir -p $(dir $@)
	$(JSON_FS_CC) $(JSON_FS_CFLAGS) -c $< -o $@

define posix_config_fs_check
ld -r -o $(POSIX_CONFIG_OUT)/fs/all.o $(POSIX_CONFIG_FS) $(JSON_FS_OBJS) && \
undef=$$(nm -u $(POSIX_CONFIG_OUT)/fs/all.o) && \
if [ -z "$$undef" ]; then \
    echo "os/posix/config: freestanding objects link with no undefined symbols"; \
    $(call write_result,os-posix-config-freestanding,1,0,0); \
else \
    echo "os/posix/config: freestanding objects need undefined symbols:"; echo "$$undef"; \
    $(call write_result,os-posix-config-freestanding,0,1,0); rc=1; \
fi
endef

.PHONY: posix-config-test posix-config-fuzz
posix-config-test: $(POSIX_CONFIG_TEST) $(POSIX_CONFIG_FUZZ) $(POSIX_CONFIG_FS) $(JSON_FS_OBJS)
	@rc=0; BUILD=$(BUILD) $(TOP)/mk/cmocka-result.sh os-posix-config-unit $(POSIX_CONFIG_TEST) || rc=1; \
	$(call run_fuzz,os-posix-config-fuzz,$(POSIX_CONFIG_FUZZ),$(POSIX_CONFIG_DIR)/tests/corpus,$(FUZZ_SECONDS),-dict=$(POSIX_CONFIG_DIR)/tests/posix.dict); \
	$(posix_config_fs_check); exit $$rc

posix-config-fuzz: $(POSIX_CONFIG_FUZZ)
	@rc=0; $(call run_fuzz,os-posix-config-fuzz,$(POSIX_CONFIG_FUZZ),$(POSIX_CONFIG_DIR)/tests/corpus,$(LIB_FUZZ_SECONDS),-dict=$(POSIX_CONFIG_DIR)/tests/posix.dict); exit $$rc
