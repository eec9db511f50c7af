# SPDX-License-Identifier: MIT
# The component benchmark (included by os/components/build.mk, after BIN exists).
#
# Provides: $(BIN)/bench-start (the driver), $(BIN)/bench-child (the timed child),
# $(KB_OUT)/procstart (the Linux peer, musl static) and the target component-bench,
# which runs os/bench/component-run.sh and writes $(BUILD)/bench/os/component.md.
CB_DIR := $(TOP)/os/bench
CB_PEER := $(KB_OUT)/procstart

$(eval $(call kide_component,bench-start,component_start.c,test-common))
$(eval $(call kide_component,bench-child,component_child.c,))

$(CB_PEER): $(CB_DIR)/component_peer.c $(CB_DIR)/bench.h
	@mkdir -p $(dir $@)
	musl-gcc -static -O2 -Wall -Wextra -Werror -o $@ $<

.PHONY: component-bench
component-bench: $(KERNEL_BIN) core hoitaja components scenario-tool $(CB_PEER)
	$(CB_DIR)/component-run.sh $(CB_PEER) $(BUILD)/bench/os

