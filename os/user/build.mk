# SPDX-License-Identifier: MIT
# The krt user runtime (os/user/rt), on the base library: included by os/Makefile
# after os/lib/base/build.mk.
#
# Provides: $(KRT_LIB) (libkrt.a), $(KRT_CFLAGS) and the target krt. A krt
# program links $(BASE_CRT0) objects $(KRT_LIB) $(BASE_LIB).
# Needs from the includer: OSB, TOP and the base library's variables.

KRT_DIR      := $(TOP)/os/user/rt
KRT_OUT      := $(OSB)/user
KRT_CFLAGS   := -I$(KRT_DIR)/include -I$(TOP)/os/lib/elf
# Until every program that includes <krt.h> names KRT_CFLAGS itself.
USER_CFLAGS  += $(KRT_CFLAGS)

KRT_SRCS     := $(KRT_DIR)/mem.c $(KRT_DIR)/ec.c $(KRT_DIR)/entry.c $(KRT_DIR)/spawn.c
KRT_OBJS     := $(patsubst $(KRT_DIR)/%.c,$(KRT_OUT)/%.o,$(KRT_SRCS)) $(KRT_OUT)/elf.o
KRT_LIB      := $(KRT_OUT)/libkrt.a
KRT_HDRS     := $(BASE_HDRS)

.PHONY: krt
krt: $(KRT_LIB) $(BASE_LIB) $(BASE_CRT0)

$(KRT_OUT)/%.o: $(KRT_DIR)/%.c $(KRT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<)"
	@$(USER_CC) $(USER_CFLAGS) -c $< -o $@

$(KRT_OUT)/elf.o: $(TOP)/os/lib/elf/elf.c $(KRT_HDRS)
	@mkdir -p $(dir $@)
	$(USER_CC) $(USER_CFLAGS) -c $< -o $@

$(KRT_LIB): $(KRT_OBJS)
	@rm -f $@
	@echo "  AR      $(patsubst $(BUILD)/%,build/%,$@)"
	@ar rcs $@ $^

-include $(KRT_OBJS:.o=.d)
