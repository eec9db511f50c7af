# SPDX-License-Identifier: MIT
# kuori-agent: the management daemon of a habitat (docs/kuori-agent.md).
#
# Provides:
#   kuori-agent        the component $(BIN)/kuori-agent (ktls_component, built by `tls`)
#   kuori-agent-test   host unit tests of the protocol core against a fake habitat
#                      (cmocka, ASan+UBSan; suite kuori-agent-unit), promtool's check
#                      of the metrics writer (kuori-agent-metrics) and the fuzzer of the
#                      whole request path for $(FUZZ_SECONDS) s (kuori-agent-fuzz)
#   kuori-agent-fuzz   the fuzzer for KAGENT_FUZZ_SECONDS (default 300)
#   kuori-agent-e2e-test  the agents in QEMU driven from the host (suite kuori-agent-e2e)
#   kuori-agent-install-e2e-test  install from a host registry (suite kuori-agent-install-e2e)
# Needs from the includer: TOP, OSB, mk/component.mk, mk/host.mk, os/lib/build.mk
# (run_fuzz, JSON_SRCS), the libraries kide-socket and kide-http (os/components/http-status).
KAGENT_DIR := $(TOP)/kuori-agent
KAGENT_CORE := frame.c req.c conn.c reply.c ops.c ops_apply.c ops_token.c stream.c watch.c metrics.c \
               tokens.c base64.c ops_install.c install_parse.c
# The component links ktls (the agent never speaks the protocol without TLS): it is
# built by `make -C os tls` after the BearSSL import (os/lib/tls/component.mk's
# ktls_component), and reported unavailable when Debian's archive is unreachable.
$(eval $(call ktls_component,kuori-agent,$(kide_here),$(KAGENT_CORE) backend_mgmt.c metrics_http.c token_session.c net_tls.c install_kide.c main.c,kide-pkg kide-socket kide-http))
# install (install_kide.c) verifies and unpacks with os/lib/depot (libsodium's Ed25519,
# xz): its headers for the two files that use it, its library at the link.
$(TLS_OUT)/comp/kuori-agent/install_kide.o $(TLS_OUT)/comp/kuori-agent/main.o: COMP_CFLAGS += $(KIDE_DEPOT_CFLAGS)
$(BIN)/kuori-agent: $(KIDE_DEPOT_LIB)
$(BIN)/kuori-agent: KTLS_LIBS += $(KIDE_DEPOT_LIB)

KAGENT_OUT := $(OSB)/kuori-agent
KAGENT_CORE_SRCS := $(addprefix $(KAGENT_DIR)/,$(KAGENT_CORE)) $(KAGENT_DIR)/tests/fake_backend.c
KAGENT_HDRS := $(wildcard $(KAGENT_DIR)/*.h $(KAGENT_DIR)/tests/*.h)
KAGENT_HOST_CFLAGS := $(HOST_CSTD) $(HOST_WARN) -O1 -g -D_GNU_SOURCE -DKAGENT_HOST $(SAN_FLAGS) \
                      $(KIDE_JSON_CFLAGS) -I$(KAGENT_DIR) -I$(KAGENT_DIR)/tests
KAGENT_FUZZ_CFLAGS := $(FUZZ_CFLAGS) -fno-sanitize-recover=undefined -DKAGENT_HOST \
                      $(KIDE_JSON_CFLAGS) -I$(KAGENT_DIR) -I$(KAGENT_DIR)/tests
KAGENT_TEST := $(KAGENT_OUT)/san/test_agent
KAGENT_METRICS := $(KAGENT_OUT)/san/metrics_sample
KAGENT_FUZZ := $(KAGENT_OUT)/fuzz/fuzz_agent
KAGENT_FUZZ_SECONDS ?= 300

$(KAGENT_TEST): $(KAGENT_DIR)/tests/test_agent.c $(KAGENT_CORE_SRCS) $(KAGENT_HDRS) $(JSON_SRCS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(KAGENT_HOST_CFLAGS) -o $@ $< $(KAGENT_CORE_SRCS) $(JSON_SRCS) -lcmocka -lcrypto

$(KAGENT_METRICS): $(KAGENT_DIR)/tests/metrics_sample.c $(KAGENT_CORE_SRCS) $(KAGENT_HDRS) $(JSON_SRCS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(KAGENT_HOST_CFLAGS) -o $@ $< $(KAGENT_CORE_SRCS) $(JSON_SRCS) -lcrypto

$(KAGENT_FUZZ): $(KAGENT_DIR)/tests/fuzz_agent.c $(KAGENT_CORE_SRCS) $(KAGENT_HDRS) $(JSON_SRCS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(KAGENT_FUZZ_CFLAGS) -o $@ $< $(KAGENT_CORE_SRCS) $(JSON_SRCS) -lcrypto

# promtool (Debian package prometheus) checks the writer's output; the suite
# fails, not skips, without it: `make deps` installs it.
define kagent_promtool
if $(KAGENT_METRICS) > $(KAGENT_OUT)/metrics.txt && \
   promtool check metrics < $(KAGENT_OUT)/metrics.txt > $(KAGENT_OUT)/promtool.log 2>&1; then \
    echo "kuori-agent-metrics: promtool check metrics: ok"; \
    $(call write_result,kuori-agent-metrics,1,0,0); \
else \
    echo "kuori-agent-metrics: FAILED"; cat $(KAGENT_OUT)/promtool.log; \
    $(call write_result,kuori-agent-metrics,0,1,0); rc=1; \
fi
endef

.PHONY: kuori-agent-test kuori-agent-fuzz
kuori-agent-test: $(KAGENT_TEST) $(KAGENT_METRICS) $(KAGENT_FUZZ)
	@rc=0; \
	BUILD=$(BUILD) $(TOP)/mk/cmocka-result.sh kuori-agent-unit $(KAGENT_TEST) || rc=1; \
	$(kagent_promtool); \
	$(call run_fuzz,kuori-agent-fuzz,$(KAGENT_FUZZ),$(KAGENT_DIR)/tests/corpus,$(FUZZ_SECONDS)); \
	exit $$rc

kuori-agent-fuzz: $(KAGENT_FUZZ)
	@rc=0; \
	$(call run_fuzz,kuori-agent-fuzz,$(KAGENT_FUZZ),$(KAGENT_DIR)/tests/corpus,$(KAGENT_FUZZ_SECONDS)); \
	exit $$rc

# The agents in QEMU, driven from the host (os/scenarios/tests/agent.yaml,
# os/tools/tests/agent_e2e.py; suite kuori-agent-e2e): metrics through
# promtool, the capability boundary, cumulative counters.
.PHONY: kuori-agent-e2e-test
kuori-agent-e2e-test: $(KERNEL_BIN) core hoitaja components scenario-tool net tls
	@BUILD=$(BUILD) $(TOP)/os/tools/tests/agent_e2e.py

# install through tenant-a's agent from a kide-registry on the host
# (os/scenarios/tests/install.yaml.in, os/tools/tests/install_e2e.py; suite
# kuori-agent-install-e2e): goa and kide-registry are built here, kuori too
# (its verb is checked when it was built).
.PHONY: kuori-agent-install-e2e-test
kuori-agent-install-e2e-test: $(KERNEL_BIN) core hoitaja components scenario-tool net tls
	@$(MAKE) --no-print-directory -C $(TOP)/goa SANITIZE= TOP=$(TOP) BUILD=$(BUILD) all >/dev/null
	@$(MAKE) --no-print-directory -C $(TOP)/registry BUILD=$(BUILD) all >/dev/null
	@-$(MAKE) --no-print-directory -C $(TOP)/kuori BUILD=$(BUILD) >/dev/null 2>&1
	@BUILD=$(BUILD) $(TOP)/os/tools/tests/install_e2e.py
