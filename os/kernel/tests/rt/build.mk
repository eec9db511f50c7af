# SPDX-License-Identifier: MIT
# krt, the kernel-test runtime (os/kernel/tests/rt), on the base library:
# included by os/Makefile after os/lib/base/build.mk and os/lib/elf/build.mk;
# builds only this directory.
#
# Provides: $(KRT_LIB) (libkrt.a), $(KRT_CFLAGS) and the target krt. A krt
# program links $(BASE_CRT0) objects $(KRT_LIB) $(ELF_LIB) $(BASE_LIB).
# Needs from the includer: OSB, TOP, the base library's and os/lib/elf's variables.

KRT_DIR      := $(TOP)/os/kernel/tests/rt
KRT_OUT      := $(OSB)/krt
KRT_CFLAGS   := -I$(KRT_DIR)/include $(ELF_CFLAGS)

KRT_SRCS     := $(KRT_DIR)/mem.c $(KRT_DIR)/ec.c $(KRT_DIR)/entry.c $(KRT_DIR)/spawn.c $(KRT_DIR)/posix.c
KRT_OBJS     := $(patsubst $(KRT_DIR)/%.c,$(KRT_OUT)/%.o,$(KRT_SRCS))
KRT_LIB      := $(KRT_OUT)/libkrt.a
KRT_HDRS     := $(BASE_HDRS)

.PHONY: krt
krt: $(KRT_LIB) $(ELF_LIB) $(BASE_LIB) $(BASE_CRT0)

$(KRT_OUT)/%.o: $(KRT_DIR)/%.c $(KRT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<)"
	@$(USER_CC) $(USER_CFLAGS) $(KRT_CFLAGS) -c $< -o $@

$(KRT_LIB): $(KRT_OBJS)
	@rm -f $@
	@echo "  AR      $(patsubst $(BUILD)/%,build/%,$@)"
	@ar rcs $@ $^

-include $(KRT_OBJS:.o=.d)
