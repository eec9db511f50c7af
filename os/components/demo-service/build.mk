# SPDX-License-Identifier: MIT
# os/components/demo-service: the example service (docs/component-api.md).
# Included by os/lib/component/build.mk (os/Makefile defines BIN only after that).
DEMO_DIR := $(TOP)/os/components/demo-service
DEMO_OUT := $(OSB)/components/demo-service
DEMO_SERVICE := $(OSB)/bin/demo-service

$(DEMO_OUT)/%.o: $(DEMO_DIR)/%.c $(COMP_DIR)/include/kide/component.h $(BASE_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<)"
	@$(USER_CC) $(USER_CFLAGS) $(COMP_CFLAGS) -c $< -o $@

$(DEMO_SERVICE): $(DEMO_OUT)/main.o $(BASE_CRT0) $(COMP_LIB) $(BASE_LIB) $(USER_LDS)
	@mkdir -p $(dir $@)
	@echo "  LD      $(patsubst $(BUILD)/%,build/%,$@)"
	@$(USER_LD) -o $@ $(BASE_CRT0) $(DEMO_OUT)/main.o $(COMP_LIB) $(BASE_LIB)

.PHONY: demo-service
demo-service: $(DEMO_SERVICE)

-include $(DEMO_OUT)/main.d
