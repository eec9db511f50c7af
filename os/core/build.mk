# SPDX-License-Identifier: MIT
# os/core: the root task (docs/core.md). Provides $(CORE_ELF) and target core.
CORE_ELF := $(BIN)/core
.PHONY: core
core:
