# SPDX-License-Identifier: MIT
# Kernel benchmark programs (included by os/Makefile after os/user/build.mk).
KB_DIR := $(TOP)/os/bench
KB_OUT := $(OSB)/bench
KB_ELFS := $(KB_OUT)/kbench.elf $(KB_OUT)/kbench-server.elf
KB_PEER := $(KB_OUT)/ipcbench

$(KB_OUT)/%.o: $(KB_DIR)/%.c $(KRT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<)"
	@$(USER_CC) $(USER_CFLAGS) -c $< -o $@

$(KB_OUT)/kbench.elf: $(KB_OUT)/kbench.o $(KRT_CRT0) $(KRT_LIB) $(USER_LDS)
	$(USER_LD) -o $@ $(KRT_CRT0) $< $(KRT_LIB)

$(KB_OUT)/kbench-server.elf: $(KB_OUT)/kbench_server.o $(KRT_CRT0) $(KRT_LIB) $(USER_LDS)
	$(USER_LD) -o $@ $(KRT_CRT0) $< $(KRT_LIB)

$(KB_PEER): $(KB_DIR)/peer/ipcbench.c $(KB_DIR)/bench.h
	@mkdir -p $(dir $@)
	musl-gcc -static -O2 -Wall -Wextra -Werror -o $@ $<

.PHONY: kbench
kbench: $(KB_ELFS) $(KB_PEER)

-include $(KB_OUT)/kbench.d $(KB_OUT)/kbench_server.d
