# SPDX-License-Identifier: MIT
# os/components: native components and the scenario test components (included by
# os/Makefile after BIN is defined).
#
# Provides:
#   $(COMPONENT_ELFS)  every component binary, $(BIN)/<name> (the boot-module name),
#                      hoitaja's too (os/hoitaja/build.mk is a kide_component as well)
#   components         builds them
# Every component is a directory with a build.mk of one kide_component call
# (mk/component.mk); this file only includes them: the demo service, the
# scenario test components of tests/ (their shared helpers, tests/common, are
# the library test-common, so they come first; tests/nic-wire, a NIC server,
# needs the library nic) and the component benchmark's
# programs (os/bench/component.mk).
# Needs from the includer: TOP, OSB, BIN and mk/component.mk (with the runtime variables it names).

include $(TOP)/os/components/tests/common/build.mk
include $(TOP)/os/lib/platform/build.mk
include $(sort $(wildcard $(TOP)/os/drivers/*/build.mk))
include $(sort $(wildcard $(TOP)/os/components/*/build.mk $(TOP)/os/components/tests/test-*/build.mk))
include $(TOP)/os/components/tests/nic-wire/build.mk
# kuori-agent lives at the top (kuori-agent/) and uses http-status's library kide-http.
include $(TOP)/kuori-agent/build.mk
include $(TOP)/os/bench/component.mk

# The demo service is built by the runtime's tests (os/lib/component/build.mk).
component-test: $(KIDE_ELF_demo-service)

COMPONENT_ELFS := $(KIDE_COMPONENT_ELFS)
.PHONY: components
components: $(COMPONENT_ELFS)
