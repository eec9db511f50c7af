# SPDX-License-Identifier: MIT
# os/components/demo-service: the example service (docs/component-api.md).
$(eval $(call kide_component,demo-service,main.c,))
