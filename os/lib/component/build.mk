# SPDX-License-Identifier: MIT
# os/lib/component: the component API library (libkide.a), for the SDK.
COMP_DIR := $(TOP)/os/lib/component
COMP_OUT := $(OSB)/lib/component
COMP_LIB := $(COMP_OUT)/libkide.a

$(COMP_OUT)/component.o: $(COMP_DIR)/component.c $(COMP_DIR)/include/kide/component.h $(KRT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<)"
	@$(USER_CC) $(USER_CFLAGS) -I$(COMP_DIR)/include -c $< -o $@

$(COMP_LIB): $(COMP_OUT)/component.o
	@rm -f $@
	ar rcs $@ $^
