# SPDX-License-Identifier: MIT
# os/scenarios: boot scenarios (docs/formats/scenario.md), their images and the
# scenario test suite (included by os/Makefile after the platform's build.mk files).
#
# Targets:
#   scenario-image   build/os/images/$(SCENARIO)/ with init.json, modules.txt,
#                    machine.txt, boot.txt and kide.iso (SCENARIO: default, or e.g.
#                    tests/ram)
#   scenario-boot    boot $(SCENARIO) on this terminal (-kernel/-initrd, no ISO)
#   scenario-tests   every test scenario of os/scenarios/tests, two at a time, each
#                    recording build/results/scenario-<name>; plus the scenarios
#                    kide-scenario must refuse (tests/reject-*.yaml), suite
#                    scenario-reject. Builds net and depot too (os/net/build.mk,
#                    os/components/tests/test-depot/build.mk): a scenario
#                    booting one is skipped, naming why, when its sources (lwIP;
#                    libsodium, xz-utils) are unavailable

SCN_DIR_SRC  := $(TOP)/os/scenarios
SCENARIO     ?= default
SCN_IMAGES   := $(OSB)/images
SCN_TESTS    := $(sort $(basename $(notdir $(filter-out $(SCN_DIR_SRC)/tests/reject-%, \
                    $(wildcard $(SCN_DIR_SRC)/tests/*.yaml)))) \
                    $(notdir $(patsubst %/init.json,%,$(wildcard $(SCN_DIR_SRC)/tests/*/init.json))))
SCN_REJECTS  := $(wildcard $(SCN_DIR_SRC)/tests/reject-*.yaml)
SCN_JOBS     ?= 2
SCN_PLATFORM := $(KERNEL_BIN) core hoitaja components scenario-tool

.PHONY: scenario-image scenario-boot scenario-tests scenario-reject scenario-platform
# What booting any scenario needs (make fuzz builds it before parent-fuzz).
scenario-platform: $(SCN_PLATFORM)

# The default platform is networked (TCP/IP stack, TLS, kuori-agent): build
# them too; kuori-agent is built by `tls`.
SCN_RUN_EXTRA := net tls

scenario-image: $(SCN_PLATFORM) $(SCN_RUN_EXTRA)
	$(SCN_DIR_SRC)/mk-image.sh --iso --bin $(BIN) --kernel $(KERNEL_BIN) --tool $(KIDE_SCENARIO) \
	    --out $(SCN_IMAGES)/$(SCENARIO) $(SCN_DIR_SRC)/$(SCENARIO).yaml

scenario-boot: $(SCN_PLATFORM) $(SCN_RUN_EXTRA)
	$(TOP)/os/tools/scenario-run.sh --interactive --scenario $(SCN_DIR_SRC)/$(SCENARIO).yaml \
	    $(SCENARIO)

# Issue 15's acceptance test (suite kuori-acceptance): the default platform
# driven by the real kuori (os/tools/tests/kuori_e2e.py), with README.md's
# tour step "Manage it remotely". Builds kuori (make -C kuori all) first.
.PHONY: kuori-acceptance-test
kuori-acceptance-test: $(SCN_PLATFORM) $(SCN_RUN_EXTRA)
	@$(MAKE) --no-print-directory -C $(TOP)/kuori all
	@BUILD=$(BUILD) $(TOP)/os/tools/tests/kuori_e2e.py

# Every scenario runs and records its result even if another failed. The
# ones that measure CPU shares run alone afterwards: under TCG the guest's
# clock is the host's, so a second QEMU competing for the host's cores would
# show up as budget overruns in the shares they measure.
SCN_ALONE    := cpu cpu-flat smp
# The quota scenarios run with a CPU-bound process on every host core
# besides: budgets must hold on a busy host too (budget debt, docs/kernel.md).
SCN_LOADED   := cpu cpu-flat
SCN_LOAD     := $(TOP)/os/tools/host-load.sh
scenario-tests: $(SCN_PLATFORM) net tls depot
	@rc=0; $(MAKE) --no-print-directory scenario-reject || rc=1; \
	printf '%s\n' $(filter-out $(SCN_ALONE),$(SCN_TESTS)) | xargs -P $(SCN_JOBS) -I{} \
	    $(TOP)/os/tools/scenario-run.sh --quiet {} || rc=1; \
	for s in $(filter $(SCN_ALONE),$(SCN_TESTS)); do load=; \
	    case " $(SCN_LOADED) " in *" $$s "*) load=$(SCN_LOAD) ;; esac; \
	    $$load $(TOP)/os/tools/scenario-run.sh --quiet $$s || rc=1; done; exit $$rc

# scenario-run.sh's judge on crafted logs (host only: forged lines must not pass).
.PHONY: scenario-judge-test
scenario-judge-test:
	@BUILD=$(BUILD) $(TOP)/mk/result.sh os-scenario-judge $(TOP)/os/tools/tests/scenario-judge-test.sh

# Scenarios kide-scenario must refuse: each must fail --check with an error line
# and a hint line, and its output must hold every text its "# error: TEXT"
# comment lines name (the message, and "hint: ..." for the hint).
scenario-reject: scenario-tool
	@p=0; f=0; for s in $(SCN_REJECTS); do \
	    if out=$$($(KIDE_SCENARIO) --check $$s 2>&1); then \
	        echo "scenario-reject: $$(basename $$s) was accepted"; f=$$((f + 1)); continue; \
	    fi; \
	    bad=$$(echo "$$out" | grep -q '^kide-scenario: ' || echo "no error line"; \
	           echo "$$out" | grep -q '^hint: ' || echo "no hint line"; \
	           sed -n 's/^# error: //p' $$s | while IFS= read -r want; do \
	               echo "$$out" | grep -qF -- "$$want" || echo "lacks '$$want'"; done); \
	    if [ -z "$$bad" ]; then p=$$((p + 1)); \
	    else echo "scenario-reject: $$(basename $$s): $$bad: $$out"; f=$$((f + 1)); fi; \
	done; mkdir -p $(BUILD)/results; echo "$$p $$f 0" > $(BUILD)/results/scenario-reject; \
	echo "scenario-reject: $$p refused as they must be, $$f not"; [ $$f -eq 0 ]
