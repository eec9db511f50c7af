# SPDX-License-Identifier: MIT
# os/components: native components and the scenario test components (included by
# os/Makefile after BIN is defined).
#
# Provides:
#   $(COMPONENT_ELFS)  every component binary, $(BIN)/<name> (the boot-module name)
#   components         builds them
#   component-test     (recipe in os/lib/component/build.mk: the runtime's tests)
# A test component is a directory os/components/tests/<name>/ with main.c; it
# links the shared helpers of os/components/tests/common. The component
# benchmark's programs come from os/bench/component.mk.
# Needs from the includer: TOP, OSB, BIN, USER_CC/USER_CFLAGS/USER_LD, BASE_CRT0,
# BASE_LIB, COMP_LIB, KIDE_JSON_CFLAGS.

COMPS_DIR   := $(TOP)/os/components
COMPS_OUT   := $(OSB)/components
TCOMP_DIR   := $(COMPS_DIR)/tests
TCOMP_NAMES := $(sort $(notdir $(patsubst %/main.c,%,$(wildcard $(TCOMP_DIR)/*/main.c))))
TCOMP_COMMON := $(COMPS_OUT)/tests/common/test.o
COMPONENT_CFLAGS := $(USER_CFLAGS) -I$(TOP)/os/lib/component/include $(KIDE_JSON_CFLAGS)

COMPONENT_ELFS := $(addprefix $(BIN)/,$(TCOMP_NAMES))

$(COMPS_OUT)/tests/%.o: $(TCOMP_DIR)/%.c $(BASE_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<)"
	@$(USER_CC) $(COMPONENT_CFLAGS) -I$(TCOMP_DIR)/common -c $< -o $@

# component_link OUT, OBJS: the link line every native component uses.
# libkide.a carries the JSON library's objects (os/lib/component/build.mk).
component_link = $(USER_LD) -o $(1) $(BASE_CRT0) $(2) $(COMP_LIB) $(BASE_LIB)

$(addprefix $(BIN)/,$(TCOMP_NAMES)): $(BIN)/%: $(COMPS_OUT)/tests/%/main.o $(TCOMP_COMMON) \
        $(BASE_CRT0) $(COMP_LIB) $(BASE_LIB) $(USER_LDS)
	@mkdir -p $(dir $@)
	@echo "  LD      $(patsubst $(BUILD)/%,build/%,$@)"
	@$(call component_link,$@,$< $(TCOMP_COMMON))

# The runtime's build.mk includes the demo service already (it needs it
# before BIN exists); include it here only if that ever stops.
ifndef DEMO_SERVICE
-include $(TOP)/os/components/demo-service/build.mk
endif
COMPONENT_ELFS += $(DEMO_SERVICE)
-include $(TOP)/os/bench/component.mk

.PHONY: components component-test
components: $(COMPONENT_ELFS)
component-test:

-include $(patsubst %.o,%.d,$(TCOMP_COMMON) $(addprefix $(COMPS_OUT)/tests/,$(addsuffix /main.o,$(TCOMP_NAMES))))
