# SPDX-License-Identifier: MIT
# The krt user runtime (os/user/rt): included by os/Makefile.
#
# Provides: $(KRT_LIB) (libkrt.a), $(KRT_CRT0), the flags and link command
# every krt program uses ($(USER_CFLAGS), $(USER_LD)) and the target krt.
# Needs from the includer: OSB (= $(BUILD)/os), GEN (holding kide/stubs.h), TOP.

KRT_DIR      := $(TOP)/os/user/rt
KRT_OUT      := $(OSB)/user
# KRT_GEN holds kide/stubs.h as generated into $(GEN), passed through
# rt/fix-stubs.awk (a no-op unless an argument and a result of a call share a
# name, which the generator turns into a stub that does not compile).
KRT_GEN      := $(KRT_OUT)/gen
KRT_ABI      ?= $(TOP)/os/abi

USER_CC      ?= gcc
# -mgeneral-regs-only: the ABI does not say whether the kernel saves FPU/SSE state.
# -mcmodel=large: programs are linked at 256 GiB, beyond the small model's reach
# (with -fno-pic; the brief's flag set alone cannot link there).
USER_CFLAGS  := -std=gnu11 -ffreestanding -fno-stack-protector -fno-pic -fno-pie -nostdlib \
                -static -mno-red-zone -O2 -g -Wall -Wextra -Werror \
                -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables -mgeneral-regs-only -mcmodel=large \
                -I$(KRT_ABI) -I$(KRT_GEN) -I$(GEN) -I$(TOP)/os/user/rt/include -I$(TOP)/os/lib/elf -MMD -MP
USER_LDS     := $(TOP)/os/user/rt/user.ld
USER_LD      := ld -T $(USER_LDS) -nostdlib -static -z noexecstack

KRT_SRCS     := $(KRT_DIR)/string.c $(KRT_DIR)/console.c $(KRT_DIR)/mem.c $(KRT_DIR)/ec.c $(KRT_DIR)/entry.c \
                $(KRT_DIR)/spawn.c $(TOP)/os/lib/elf/elf.c
KRT_OBJS     := $(patsubst $(KRT_DIR)/%.c,$(KRT_OUT)/%.o,$(filter $(KRT_DIR)/%,$(KRT_SRCS))) $(KRT_OUT)/elf.o
KRT_CRT0     := $(KRT_OUT)/crt0.o
KRT_LIB      := $(KRT_OUT)/libkrt.a
KRT_HDRS     := $(KRT_GEN)/kide/stubs.h

$(KRT_GEN)/kide/stubs.h: $(GEN)/kide/stubs.h $(KRT_DIR)/fix-stubs.awk
	@mkdir -p $(dir $@)
	@awk -f $(KRT_DIR)/fix-stubs.awk $< > $@.tmp && mv $@.tmp $@

.PHONY: krt
krt: $(KRT_LIB) $(KRT_CRT0)

$(KRT_OUT)/%.o: $(KRT_DIR)/%.c $(KRT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<)"
	@$(USER_CC) $(USER_CFLAGS) -c $< -o $@

$(KRT_OUT)/elf.o: $(TOP)/os/lib/elf/elf.c $(KRT_HDRS)
	@mkdir -p $(dir $@)
	$(USER_CC) $(USER_CFLAGS) -c $< -o $@

$(KRT_CRT0): $(KRT_DIR)/crt0.S $(KRT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  AS      $(patsubst $(TOP)/%,%,$<)"
	@$(USER_CC) $(USER_CFLAGS) -c $< -o $@

$(KRT_LIB): $(KRT_OBJS)
	@rm -f $@
	@echo "  AR      $(patsubst $(BUILD)/%,build/%,$@)"
	@ar rcs $@ $^

-include $(KRT_OBJS:.o=.d)
