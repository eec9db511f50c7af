# SPDX-License-Identifier: MIT
# os/lib/elf: the ELF checker and loader walk for user programs ($(ELF_LIB),
# libkelf.a; include flags $(ELF_CFLAGS)), its host unit tests and fuzzer
# (elf-test). Included by os/Makefile after os/lib/base/build.mk; the kernel
# compiles elf.c itself (os/Makefile).
include $(TOP)/mk/host.mk
ELF_DIR := $(TOP)/os/lib/elf
ELF_OUT := $(OSB)/lib/elf
ELF_LIB := $(ELF_OUT)/libkelf.a
ELF_CFLAGS := -I$(ELF_DIR)

$(ELF_OUT)/user/elf.o: $(ELF_DIR)/elf.c $(ELF_DIR)/elf.h $(BASE_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      os/lib/elf/elf.c"
	@$(USER_CC) $(USER_CFLAGS) -c $< -o $@

$(ELF_LIB): $(ELF_OUT)/user/elf.o
	@rm -f $@
	@echo "  AR      $(patsubst $(BUILD)/%,build/%,$@)"
	@ar rcs $@ $^

$(ELF_OUT)/test_elf: $(ELF_DIR)/tests/test_elf.c $(ELF_DIR)/elf.c $(ELF_DIR)/elf.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CSTD) $(HOST_WARN) -g -O1 $(SAN_FLAGS) -I$(TOP)/os/abi -o $@ \
	    $(ELF_DIR)/tests/test_elf.c $(ELF_DIR)/elf.c -lcmocka

$(ELF_OUT)/fuzz_elf: $(ELF_DIR)/tests/fuzz_elf.c $(ELF_DIR)/elf.c $(ELF_DIR)/elf.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(TOP)/os/abi -o $@ $(ELF_DIR)/tests/fuzz_elf.c $(ELF_DIR)/elf.c

.PHONY: elf-test elf-fuzz
elf-test: $(ELF_OUT)/test_elf $(ELF_OUT)/fuzz_elf
	$(TOP)/mk/cmocka-result.sh os-elf-unit $(ELF_OUT)/test_elf
	@mkdir -p $(ELF_OUT)/corpus
	$(ELF_OUT)/fuzz_elf -max_total_time=$(FUZZ_SECONDS) -max_len=65536 $(ELF_OUT)/corpus \
	    $(KT_OUT) >$(ELF_OUT)/fuzz.log 2>&1 \
	    && $(call write_result,os-elf-fuzz,1,0,0) \
	    || { tail -30 $(ELF_OUT)/fuzz.log; $(call write_result,os-elf-fuzz,0,1,0); exit 1; }
