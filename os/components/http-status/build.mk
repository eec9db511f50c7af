# SPDX-License-Identifier: MIT
# http-status: a tiny HTTP/1.1 status server over the socket session (main.c,
# the request parser http_parse.c).
#
# Provides:
#   kide-http     the request parser as a library (kide_library; <http_parse.h>), also
#                 used by kuori-agent's metrics server
#   http-status   the component (kide_component)
#   http-test     host unit tests of the parser (cmocka, ASan+UBSan; suite
#                 os-http-unit) and its fuzzer for $(FUZZ_SECONDS) s (os-http-fuzz)
#   http-fuzz     the fuzzer for HTTP_FUZZ_SECONDS (default 300)
# Needs from the includer: TOP, OSB, mk/component.mk, mk/host.mk, os/lib/build.mk (run_fuzz).
$(eval $(call kide_library,kide-http,http_parse.c))
$(eval $(call kide_component,http-status,main.c,kide-socket kide-http))

HTTP_DIR := $(TOP)/os/components/http-status
HTTP_OUT := $(OSB)/http-status
HTTP_HOST_CFLAGS := $(HOST_CSTD) $(HOST_WARN) -O1 -g -D_GNU_SOURCE $(SAN_FLAGS) \
                    -I$(TOP)/os/abi -I$(HTTP_DIR)
HTTP_FUZZ_CFLAGS := $(FUZZ_CFLAGS) -fno-sanitize-recover=undefined -I$(TOP)/os/abi -I$(HTTP_DIR)
HTTP_TEST := $(HTTP_OUT)/san/test_http_parse
HTTP_FUZZ := $(HTTP_OUT)/fuzz/fuzz_http_parse
HTTP_FUZZ_SECONDS ?= 300

$(HTTP_TEST): $(HTTP_DIR)/tests/test_http_parse.c $(HTTP_DIR)/http_parse.c $(HTTP_DIR)/http_parse.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HTTP_HOST_CFLAGS) -o $@ $< $(HTTP_DIR)/http_parse.c -lcmocka

$(HTTP_FUZZ): $(HTTP_DIR)/tests/fuzz_http_parse.c $(HTTP_DIR)/http_parse.c $(HTTP_DIR)/http_parse.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(HTTP_FUZZ_CFLAGS) -o $@ $< $(HTTP_DIR)/http_parse.c

.PHONY: http-test http-fuzz
http-test: $(HTTP_TEST) $(HTTP_FUZZ)
	@rc=0; \
	BUILD=$(BUILD) $(TOP)/mk/cmocka-result.sh os-http-unit $(HTTP_TEST) || rc=1; \
	$(call run_fuzz,os-http-fuzz,$(HTTP_FUZZ),$(HTTP_DIR)/tests/corpus,$(FUZZ_SECONDS)); \
	exit $$rc

http-fuzz: $(HTTP_FUZZ)
	@rc=0; \
	$(call run_fuzz,os-http-fuzz,$(HTTP_FUZZ),$(HTTP_DIR)/tests/corpus,$(HTTP_FUZZ_SECONDS)); \
	exit $$rc
