# SPDX-License-Identifier: MIT
# os/lib/base: the base library every user program stands on (kide/base.h).
# Included by os/Makefile; builds only this directory.
#
# Provides: $(BASE_LIB) (libkbase.a), $(BASE_CRT0) (crt0.o), $(BASE_HDRS) (what
# a user object must wait for: the generated system-call stubs kide/stubs.h),
# the compiler flags and link command of every user program ($(USER_CC),
# $(USER_CFLAGS), $(USER_LDS), $(USER_LD)) and the target kbase.
# Needs from the includer: TOP, OSB, BUILD, GEN (holding kide/stubs.h).

BASE_DIR  := $(TOP)/os/lib/base
BASE_OUT  := $(OSB)/lib/base
BASE_HDRS := $(GEN)/kide/stubs.h

USER_CC      ?= gcc
# -mgeneral-regs-only: the ABI does not say whether the kernel saves FPU/SSE state.
# -mcmodel=large: programs are linked at 256 GiB, beyond the small model's reach
# (with -fno-pic; the brief's flag set alone cannot link there).
# -fno-tree-loop-distribute-patterns: keeps gcc from turning memset's loop into a
# call to memset.
USER_CFLAGS  := -std=gnu11 -ffreestanding -fno-stack-protector -fno-pic -fno-pie -nostdlib \
                -static -mno-red-zone -O2 -g -Wall -Wextra -Werror \
                -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables -mgeneral-regs-only -mcmodel=large \
                -I$(TOP)/os/abi -I$(GEN) -I$(BASE_DIR)/include -MMD -MP
USER_LDS     := $(BASE_DIR)/user.ld
USER_LD      := ld -T $(USER_LDS) -nostdlib -static -z noexecstack

BASE_SRCS := string.c cmdline.c boot.c format.c console.c status.c reply.c reserved.c
BASE_OBJS := $(addprefix $(BASE_OUT)/,$(BASE_SRCS:.c=.o))
BASE_CRT0 := $(BASE_OUT)/crt0.o
BASE_LIB  := $(BASE_OUT)/libkbase.a

.PHONY: kbase
kbase: $(BASE_LIB) $(BASE_CRT0)

$(BASE_OUT)/%.o: $(BASE_DIR)/%.c $(BASE_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<)"
	@$(USER_CC) $(USER_CFLAGS) -c $< -o $@

$(BASE_CRT0): $(BASE_DIR)/crt0.S
	@mkdir -p $(dir $@)
	@echo "  AS      $(patsubst $(TOP)/%,%,$<)"
	@$(USER_CC) $(USER_CFLAGS) -c $< -o $@

$(BASE_LIB): $(BASE_OBJS)
	@rm -f $@
	@echo "  AR      $(patsubst $(BUILD)/%,build/%,$@)"
	@ar rcs $@ $^

-include $(BASE_OBJS:.o=.d) $(BASE_CRT0:.o=.d)
