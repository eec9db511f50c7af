# SPDX-License-Identifier: MIT
# os/kernel/host-tests: host unit tests and fuzzer of the kernel's freestanding
# parsers (the Multiboot readers, os/kernel/multiboot.c), included by os/Makefile.
#   kernel-host-test   cmocka tests (os-multiboot-unit) and the fuzzer for
#                      $(FUZZ_SECONDS) s (os-multiboot-fuzz)
include $(TOP)/mk/host.mk
KHT_DIR := $(TOP)/os/kernel/host-tests
KHT_OUT := $(OSB)/kernel-host
KHT_SRC := $(TOP)/os/kernel/multiboot.c
KHT_DEPS := $(KHT_SRC) $(TOP)/os/kernel/multiboot.h

$(KHT_OUT)/test_multiboot: $(KHT_DIR)/test_multiboot.c $(KHT_DEPS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CSTD) $(HOST_WARN) -g -O1 $(SAN_FLAGS) -I$(TOP)/os/abi -I$(TOP)/os/kernel \
	    -o $@ $(KHT_DIR)/test_multiboot.c $(KHT_SRC) -lcmocka

$(KHT_OUT)/fuzz_multiboot: $(KHT_DIR)/fuzz_multiboot.c $(KHT_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(TOP)/os/abi -I$(TOP)/os/kernel -o $@ \
	    $(KHT_DIR)/fuzz_multiboot.c $(KHT_SRC)

.PHONY: kernel-host-test
kernel-host-test: $(KHT_OUT)/test_multiboot $(KHT_OUT)/fuzz_multiboot
	$(TOP)/mk/cmocka-result.sh os-multiboot-unit $(KHT_OUT)/test_multiboot
	@mkdir -p $(KHT_OUT)/corpus
	$(KHT_OUT)/fuzz_multiboot -max_total_time=$(FUZZ_SECONDS) -max_len=8192 $(KHT_OUT)/corpus \
	    >$(KHT_OUT)/fuzz.log 2>&1 \
	    && $(call write_result,os-multiboot-fuzz,1,0,0) \
	    || { tail -30 $(KHT_OUT)/fuzz.log; $(call write_result,os-multiboot-fuzz,0,1,0); exit 1; }
