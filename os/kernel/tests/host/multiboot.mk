# SPDX-License-Identifier: MIT
# Host unit tests and fuzzer of the kernel's Multiboot readers
# (os/kernel/multiboot.c, freestanding), included by os/Makefile.
#   multiboot-test   cmocka tests (os-multiboot-unit) and the fuzzer for
#                    $(FUZZ_SECONDS) s (os-multiboot-fuzz)
include $(TOP)/mk/host.mk
MBT_DIR := $(TOP)/os/kernel/tests/host
MBT_OUT := $(OSB)/kernel-host
MBT_SRC := $(TOP)/os/kernel/multiboot.c
MBT_DEPS := $(MBT_SRC) $(TOP)/os/kernel/multiboot.h

$(MBT_OUT)/test_multiboot: $(MBT_DIR)/test_multiboot.c $(MBT_DEPS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CSTD) $(HOST_WARN) -g -O1 $(SAN_FLAGS) -I$(TOP)/os/abi -I$(TOP)/os/kernel \
	    -o $@ $(MBT_DIR)/test_multiboot.c $(MBT_SRC) -lcmocka

$(MBT_OUT)/fuzz_multiboot: $(MBT_DIR)/fuzz_multiboot.c $(MBT_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(TOP)/os/abi -I$(TOP)/os/kernel -o $@ \
	    $(MBT_DIR)/fuzz_multiboot.c $(MBT_SRC)

.PHONY: multiboot-test
multiboot-test: $(MBT_OUT)/test_multiboot $(MBT_OUT)/fuzz_multiboot
	$(TOP)/mk/cmocka-result.sh os-multiboot-unit $(MBT_OUT)/test_multiboot
	@mkdir -p $(MBT_OUT)/corpus
	$(MBT_OUT)/fuzz_multiboot -max_total_time=$(FUZZ_SECONDS) -max_len=8192 $(MBT_OUT)/corpus \
	    >$(MBT_OUT)/fuzz.log 2>&1 \
	    && $(call write_result,os-multiboot-fuzz,1,0,0) \
	    || { tail -30 $(MBT_OUT)/fuzz.log; $(call write_result,os-multiboot-fuzz,0,1,0); exit 1; }
