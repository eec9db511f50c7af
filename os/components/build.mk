# SPDX-License-Identifier: MIT
# os/components: demo and test components. Provides $(COMPONENT_ELFS) and target components.
COMPONENT_ELFS :=
.PHONY: components component-test
components:
component-test:
