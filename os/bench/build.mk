# SPDX-License-Identifier: MIT
# Kernel benchmark programs (included by os/Makefile after os/kernel/tests/rt/build.mk).
KB_DIR := $(TOP)/os/bench
KB_OUT := $(OSB)/bench
KB_ELFS := $(KB_OUT)/kbench.elf $(KB_OUT)/kbench-server.elf
KB_PEER := $(KB_OUT)/ipcbench

$(KB_OUT)/%.o: $(KB_DIR)/%.c $(KRT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<)"
	@$(USER_CC) $(USER_CFLAGS) $(KRT_CFLAGS) -c $< -o $@

$(KB_OUT)/kbench.elf: $(KB_OUT)/kbench.o $(BASE_CRT0) $(KRT_LIB) $(ELF_LIB) $(BASE_LIB) $(USER_LDS)
	$(USER_LD) -o $@ $(BASE_CRT0) $< $(KRT_LIB) $(ELF_LIB) $(BASE_LIB)

$(KB_OUT)/kbench-server.elf: $(KB_OUT)/kbench_server.o $(BASE_CRT0) $(KRT_LIB) $(ELF_LIB) $(BASE_LIB) $(USER_LDS)
	$(USER_LD) -o $@ $(BASE_CRT0) $< $(KRT_LIB) $(ELF_LIB) $(BASE_LIB)

$(KB_PEER): $(KB_DIR)/peer/ipcbench.c $(KB_DIR)/bench.h
	@mkdir -p $(dir $@)
	musl-gcc -static -O2 -Wall -Wextra -Werror -o $@ $<

.PHONY: kbench
kbench: $(KB_ELFS) $(KB_PEER)

-include $(KB_OUT)/kbench.d $(KB_OUT)/kbench_server.d

# Boot benchmark (os/bench/boot-run.sh): QEMU start to the default platform's
# first state report, against Debian's Linux to its first user-space line.
BOOT_PEER := $(KB_OUT)/boot-peer
$(BOOT_PEER): $(KB_DIR)/peer/boot_peer.c
	@mkdir -p $(dir $@)
	musl-gcc -static -O2 -Wall -Wextra -Werror -o $@ $<

.PHONY: boot-bench
boot-bench: $(KERNEL_BIN) $(BOOT_PEER)
	$(MAKE) --no-print-directory image SCENARIO=default
	$(KB_DIR)/boot-run.sh $(OSB)/images/default $(BOOT_PEER) $(BUILD)/bench/os
