# SPDX-License-Identifier: MIT
# os/scenarios: boot scenarios (docs/formats/scenario.md). Targets scenario-image,
# scenario-run, scenario-tests.
.PHONY: scenario-tests
scenario-tests:
