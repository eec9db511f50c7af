# SPDX-License-Identifier: MIT
# The component benchmark (included by os/components/build.mk, after BIN exists).
#
# Provides: $(BIN)/bench-start (the driver), $(BIN)/bench-child (the timed child),
# $(KB_OUT)/procstart (the Linux peer, musl static) and the target component-bench,
# which runs os/bench/component-run.sh and writes $(BUILD)/bench/os/component.md.
CB_DIR := $(TOP)/os/bench
CB_OUT := $(OSB)/bench/component
CB_ELFS := $(BIN)/bench-start $(BIN)/bench-child
CB_PEER := $(KB_OUT)/procstart
COMPONENT_ELFS += $(CB_ELFS)

$(CB_OUT)/%.o: $(CB_DIR)/%.c $(BASE_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<)"
	@$(USER_CC) $(COMPONENT_CFLAGS) -I$(TCOMP_DIR)/common -c $< -o $@

$(BIN)/bench-start: $(CB_OUT)/component_start.o $(TCOMP_COMMON) $(BASE_CRT0) $(COMP_LIB) $(BASE_LIB)
	@mkdir -p $(dir $@)
	@echo "  LD      $(patsubst $(BUILD)/%,build/%,$@)"
	@$(call component_link,$@,$< $(TCOMP_COMMON))

$(BIN)/bench-child: $(CB_OUT)/component_child.o $(BASE_CRT0) $(COMP_LIB) $(BASE_LIB)
	@mkdir -p $(dir $@)
	@echo "  LD      $(patsubst $(BUILD)/%,build/%,$@)"
	@$(call component_link,$@,$<)

$(CB_PEER): $(CB_DIR)/component_peer.c $(CB_DIR)/bench.h
	@mkdir -p $(dir $@)
	musl-gcc -static -O2 -Wall -Wextra -Werror -o $@ $<

.PHONY: component-bench
component-bench: $(KERNEL_BIN) core hoitaja components scenario-tool $(CB_PEER)
	$(CB_DIR)/component-run.sh $(CB_PEER) $(BUILD)/bench/os

-include $(CB_OUT)/component_start.d $(CB_OUT)/component_child.d
