# SPDX-License-Identifier: MIT
# os/lib/component: the component runtime libkide.a (docs/component-api.md).
#
# Provides:
#   $(COMP_LIB)       libkide.a: the runtime plus the JSON library's objects, so a
#                     component (and the SDK) links crt0.o objects libkide.a libkbase.a
#   $(COMP_COMMON_LIB) libkide_common.a: the runtime's shared objects without a
#                     backend; core links it with its own (os/core/runtime.c)
#   $(COMP_CFLAGS)    flags for code using <kide/component.h> and <kide/json.h>
#   component-test    host unit tests (marshalling, heap, core's client library) with
#                     ASan/UBSan, results os-component-msg, os-component-heap,
#                     os-component-core-client and os-component-proto-clients (the
#                     parent and management client libraries); the check that the
#                     runtime's objects leave nothing undefined but the base library
#                     and kide_main (os-component-link); and component-qemu-test
#   component-qemu-test  tests/rt_test.c under core as the root habitat (os-component-core)
# component-test also builds the demo service (os/components/build.mk adds it).
# Needs from the includer: TOP, BUILD, OSB, the base library's variables
# (os/lib/base/build.mk) and the JSON ones (os/lib/build.mk).
COMP_DIR := $(TOP)/os/lib/component
COMP_OUT := $(OSB)/lib/component
COMP_LIB := $(COMP_OUT)/libkide.a
COMP_CFLAGS := -I$(COMP_DIR)/include -I$(TOP)/os/lib/json/include

# One runtime, two backends (rt.h): the shared objects (libkide_common.a, which
# core links with its own backend, os/core/runtime.c) and the component backend
# (through core). libkide.a holds both, as components and the SDK link it.
COMP_COMMON_LIB  := $(COMP_OUT)/libkide_common.a
COMP_COMMON_SRCS := sync.c sel.c heap.c msg.c call.c session.c config.c ds.c \
                    core_client.c mgmt_client.c parent_client.c
COMP_BACKEND_SRCS := entry.c env.c log.c core.c ram.c portal.c service.c signal.c live.c \
                     thread.c
COMP_SRCS := $(COMP_BACKEND_SRCS) $(COMP_COMMON_SRCS)
COMP_OBJS := $(addprefix $(COMP_OUT)/,$(COMP_SRCS:.c=.o))
COMP_COMMON_OBJS := $(addprefix $(COMP_OUT)/,$(COMP_COMMON_SRCS:.c=.o))
COMP_HDRS := $(COMP_DIR)/include/kide/component.h $(COMP_DIR)/include/kide/core_client.h \
             $(COMP_DIR)/include/kide/mgmt_client.h $(TOP)/os/abi/kide/mgmt.h \
             $(COMP_DIR)/include/kide/parent_client.h $(TOP)/os/abi/kide/parent.h \
             $(COMP_DIR)/rt.h $(BASE_HDRS)

# make DEBUG=1: a debug build of the runtime (-DKIDE_DEBUG; rt.h's RT_DEBUG),
# which reports misuse such as bad and double frees on the log. The flags are
# kept in a file rewritten only when they change, so switching rebuilds the
# runtime and relinks its users.
COMP_DEBUG_FLAGS := $(if $(filter 1,$(DEBUG)),-DKIDE_DEBUG)
COMP_FLAGS_FILE  := $(COMP_OUT)/debug-flags
$(shell mkdir -p $(COMP_OUT) && echo "$(COMP_DEBUG_FLAGS)" | cmp -s - $(COMP_FLAGS_FILE) || \
    echo "$(COMP_DEBUG_FLAGS)" > $(COMP_FLAGS_FILE))

$(COMP_OUT)/%.o: $(COMP_DIR)/%.c $(COMP_HDRS) $(COMP_FLAGS_FILE)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<)"
	@$(USER_CC) $(USER_CFLAGS) $(COMP_CFLAGS) $(COMP_DEBUG_FLAGS) -c $< -o $@

$(COMP_LIB): $(COMP_OBJS) $(JSON_FS_OBJS)
	@rm -f $@
	@echo "  AR      $(patsubst $(BUILD)/%,build/%,$@)"
	@ar rcs $@ $^

$(COMP_COMMON_LIB): $(COMP_COMMON_OBJS)
	@rm -f $@
	@echo "  AR      $(patsubst $(BUILD)/%,build/%,$@)"
	@ar rcs $@ $^

# Host unit tests: the pure parts (msg.c, heap.c) against fakes of the rest;
# the heap's as a debug build, so they see its misuse reports too.
COMP_SAN      := $(COMP_OUT)/san
COMP_TEST_DIR := $(COMP_DIR)/tests
COMP_HOST_CFLAGS := $(HOST_CSTD) $(HOST_WARN) -O1 -g -D_GNU_SOURCE $(SAN_FLAGS) \
                    -I$(TOP)/os/abi -I$(COMP_DIR)/include -I$(COMP_DIR)
COMP_MSG_TEST  := $(COMP_SAN)/test_msg
COMP_HEAP_TEST := $(COMP_SAN)/test_heap
COMP_CLIENT_TEST := $(COMP_SAN)/test_core_client
COMP_PROTO_TEST := $(COMP_SAN)/test_proto_clients

$(COMP_MSG_TEST): $(COMP_TEST_DIR)/test_msg.c $(COMP_DIR)/msg.c $(COMP_DIR)/rt.h $(COMP_DIR)/include/kide/component.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(COMP_HOST_CFLAGS) -o $@ $< $(COMP_DIR)/msg.c -lcmocka

$(COMP_HEAP_TEST): $(COMP_TEST_DIR)/test_heap.c $(COMP_DIR)/heap.c $(COMP_DIR)/rt.h $(COMP_DIR)/include/kide/component.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(COMP_HOST_CFLAGS) -DKIDE_DEBUG -o $@ $< $(COMP_DIR)/heap.c -lcmocka

# core's client library over a fake core (it includes the system-call stubs).
$(COMP_CLIENT_TEST): $(COMP_TEST_DIR)/test_core_client.c $(COMP_DIR)/core_client.c $(COMP_DIR)/include/kide/core_client.h $(TOP)/os/abi/kide/core.h $(BASE_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(COMP_HOST_CFLAGS) -I$(GEN) -o $@ $< $(COMP_DIR)/core_client.c -lcmocka

# The parent and management client libraries over msg.c and a fake parent.
$(COMP_PROTO_TEST): $(COMP_TEST_DIR)/test_proto_clients.c $(COMP_DIR)/parent_client.c $(COMP_DIR)/mgmt_client.c $(COMP_DIR)/core_client.c $(COMP_DIR)/msg.c $(COMP_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(COMP_HOST_CFLAGS) -I$(GEN) -o $@ $< $(COMP_DIR)/parent_client.c $(COMP_DIR)/mgmt_client.c \
	    $(COMP_DIR)/core_client.c $(COMP_DIR)/msg.c -lcmocka

# The management client's handling of replies, fuzzed (libFuzzer, ASan+UBSan).
COMP_MGMT_FUZZ := $(COMP_OUT)/fuzz/fuzz_mgmt_reply
$(COMP_MGMT_FUZZ): $(COMP_TEST_DIR)/fuzz_mgmt_reply.c $(COMP_DIR)/mgmt_client.c $(COMP_DIR)/core_client.c $(COMP_DIR)/msg.c $(COMP_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fno-sanitize-recover=undefined -I$(TOP)/os/abi -I$(COMP_DIR)/include \
	    -I$(COMP_DIR) -I$(GEN) -o $@ $< $(COMP_DIR)/mgmt_client.c $(COMP_DIR)/core_client.c $(COMP_DIR)/msg.c

# comp_mgmt_fuzz SECONDS: run it on a private corpus (suite os-component-mgmt-fuzz).
define comp_mgmt_fuzz
mkdir -p $(COMP_OUT)/fuzz/corpus; \
if $(COMP_MGMT_FUZZ) -max_total_time=$(1) -max_len=4100 -timeout=10 -rss_limit_mb=1024 \
        -artifact_prefix=$(COMP_OUT)/fuzz/mgmt- $(COMP_OUT)/fuzz/corpus >$(COMP_OUT)/fuzz/mgmt.log 2>&1; then \
    $(call write_result,os-component-mgmt-fuzz,1,0,0); tail -1 $(COMP_OUT)/fuzz/mgmt.log; \
else \
    tail -40 $(COMP_OUT)/fuzz/mgmt.log; $(call write_result,os-component-mgmt-fuzz,0,1,0); rc=1; \
fi
endef

.PHONY: component-mgmt-fuzz
component-mgmt-fuzz: $(COMP_MGMT_FUZZ)
	@rc=0; $(call comp_mgmt_fuzz,$(FUZZ_SECONDS)); exit $$rc

# The runtime may only need the base library, kide_main and the JSON library from outside.
define comp_undef_check
undef=$$(nm -u $(COMP_OBJS) $(JSON_FS_OBJS) 2>/dev/null | awk 'NF == 2 {print $$2}' | sort -u | \
    grep -v -x -f <(nm --defined-only $(COMP_OBJS) $(JSON_FS_OBJS) $(BASE_LIB) $(BASE_CRT0) 2>/dev/null | \
                    awk 'NF == 3 {print $$3}' | sort -u; echo kide_main)); \
if [ -z "$$undef" ]; then echo "os/lib/component: no undefined symbols"; \
    $(call write_result,os-component-link,1,0,0); \
else echo "os/lib/component: undefined symbols:"; echo "$$undef"; \
    $(call write_result,os-component-link,0,1,0); rc=1; fi
endef

.PHONY: component-test
component-test: SHELL := /bin/bash
component-test: $(COMP_MSG_TEST) $(COMP_HEAP_TEST) $(COMP_CLIENT_TEST) $(COMP_PROTO_TEST) $(COMP_MGMT_FUZZ) $(COMP_LIB) $(BASE_LIB) $(BASE_CRT0)
	@rc=0; \
	BUILD=$(BUILD) $(TOP)/mk/cmocka-result.sh os-component-msg $(COMP_MSG_TEST) || rc=1; \
	BUILD=$(BUILD) $(TOP)/mk/cmocka-result.sh os-component-heap $(COMP_HEAP_TEST) || rc=1; \
	BUILD=$(BUILD) $(TOP)/mk/cmocka-result.sh os-component-core-client $(COMP_CLIENT_TEST) || rc=1; \
	BUILD=$(BUILD) $(TOP)/mk/cmocka-result.sh os-component-proto-clients $(COMP_PROTO_TEST) || rc=1; \
	$(call comp_mgmt_fuzz,$(FUZZ_SECONDS)); \
	$(comp_undef_check); \
	$(MAKE) --no-print-directory component-qemu-test || rc=1; \
	exit $$rc

-include $(COMP_OBJS:.o=.d)

# The runtime under core: tests/rt_test.c booted as the root habitat ("hoitaja").
COMP_RT_TEST := $(COMP_OUT)/rt-test/hoitaja
$(COMP_OUT)/rt_test.o: $(COMP_TEST_DIR)/rt_test.c $(COMP_TEST_DIR)/rt_test.h $(COMP_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<)"
	@$(USER_CC) $(USER_CFLAGS) $(COMP_CFLAGS) -I$(COMP_DIR) -c $< -o $@
$(COMP_OUT)/rt_threads.o: $(COMP_TEST_DIR)/rt_threads.c $(COMP_TEST_DIR)/rt_test.h $(COMP_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<)"
	@$(USER_CC) $(USER_CFLAGS) $(COMP_CFLAGS) -I$(COMP_DIR) -c $< -o $@
$(COMP_RT_TEST): $(COMP_OUT)/rt_test.o $(COMP_OUT)/rt_threads.o $(BASE_CRT0) $(COMP_LIB) $(BASE_LIB) $(USER_LDS)
	@mkdir -p $(dir $@)
	@$(USER_LD) -o $@ $(BASE_CRT0) $(COMP_OUT)/rt_test.o $(COMP_OUT)/rt_threads.o $(COMP_LIB) $(BASE_LIB)
	@echo '{"greeting": "rt"}' > $(dir $@)/init.json


.PHONY: component-qemu-test
component-qemu-test: $(COMP_RT_TEST) core $(KERNEL_BIN)
	@$(KT_RUN) --name os-component-core --kernel $(KERNEL_BIN) --smp 1 --timeout 300 \
	    --expect 'rt-test: [0-9]+ passed, 0 failed' --fail 'FAIL' $(KT_FAIL) \
	    $(OSB)/bin/core $(COMP_RT_TEST) $(dir $(COMP_RT_TEST))init.json
