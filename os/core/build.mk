# SPDX-License-Identifier: MIT
# os/core: the root task (docs/core.md). Provides $(CORE_ELF) and target core.
CORE_DIR  := $(TOP)/os/core
CORE_OUT  := $(OSB)/core
CORE_ELF  := $(BIN)/core
CORE_OBJS := $(addprefix $(CORE_OUT)/,main.o account.o memory.o pages.o load.o service.o devices.o log.o logring.o hold.o \
                                       runtime.o)
# core runs on the component runtime's shared objects with its own backend
# (runtime.c; os/lib/component/rt.h), not on krt.
CORE_CFLAGS := $(COMP_CFLAGS) -I$(COMP_DIR) $(ELF_CFLAGS)
CORE_HDRS   := $(CORE_DIR)/core.h $(TOP)/os/abi/kide/core.h $(COMP_HDRS)

.PHONY: core
core: $(CORE_ELF)

$(CORE_OUT)/%.o: $(CORE_DIR)/%.c $(CORE_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<)"
	@$(USER_CC) $(USER_CFLAGS) $(CORE_CFLAGS) -c $< -o $@

$(CORE_ELF): $(CORE_OBJS) $(BASE_CRT0) $(COMP_COMMON_LIB) $(ELF_LIB) $(BASE_LIB) $(USER_LDS)
	@mkdir -p $(dir $@)
	@echo "  LD      $(patsubst $(BUILD)/%,build/%,$@)"
	@$(USER_LD) -o $@ $(BASE_CRT0) $(CORE_OBJS) $(COMP_COMMON_LIB) $(ELF_LIB) $(BASE_LIB)

-include $(CORE_OBJS:.o=.d)

# The checking core that core-test and core-fuzz boot: a hold of core's lock
# over HOLD_BOUND_MS fails the run (hold.c).
CORE_CHECK_OBJS := $(patsubst $(CORE_OUT)/%,$(CORE_OUT)/check/%,$(CORE_OBJS))
CORE_CHECK_ELF  := $(CORE_OUT)/check/core
$(CORE_OUT)/check/%.o: $(CORE_DIR)/%.c $(CORE_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<) (lock check)"
	@$(USER_CC) $(USER_CFLAGS) $(CORE_CFLAGS) -DCORE_LOCK_CHECK -c $< -o $@
$(CORE_CHECK_ELF): $(CORE_CHECK_OBJS) $(BASE_CRT0) $(COMP_COMMON_LIB) $(ELF_LIB) $(BASE_LIB) $(USER_LDS)
	@$(USER_LD) -o $@ $(BASE_CRT0) $(CORE_CHECK_OBJS) $(COMP_COMMON_LIB) $(ELF_LIB) $(BASE_LIB)
-include $(CORE_CHECK_OBJS:.o=.d)

# core's protocol test: boots core with the test as the root habitat.
CORE_TEST_ELF := $(CORE_OUT)/core-test
# Both test programs speak core.h through the client library, built here
# without the runtime, and enter through tests/entry.c (crt0's entries): they
# link only the base library (tests/proto.h says why).
CORE_CLIENT_OBJ := $(CORE_OUT)/tests/core_client.o
CORE_TESTS_ENTRY := $(CORE_OUT)/tests/entry.o
$(CORE_TESTS_ENTRY): $(CORE_DIR)/tests/entry.c $(TOP)/os/abi/kide/core.h $(TOP)/os/lib/component/include/kide/core_client.h $(BASE_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<)"
	@$(USER_CC) $(USER_CFLAGS) -I$(TOP)/os/lib/component/include -c $< -o $@
$(CORE_CLIENT_OBJ): $(TOP)/os/lib/component/core_client.c $(TOP)/os/lib/component/include/kide/core_client.h $(TOP)/os/abi/kide/core.h $(BASE_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<) (core tests)"
	@$(USER_CC) $(USER_CFLAGS) -I$(TOP)/os/lib/component/include -c $< -o $@
$(CORE_OUT)/tests/core_test.o: $(CORE_DIR)/tests/core_test.c $(CORE_DIR)/tests/proto.h $(TOP)/os/abi/kide/core.h $(TOP)/os/lib/component/include/kide/core_client.h $(BASE_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<)"
	@$(USER_CC) $(USER_CFLAGS) -I$(TOP)/os/lib/component/include -c $< -o $@
$(CORE_TEST_ELF): $(CORE_OUT)/tests/core_test.o $(CORE_TESTS_ENTRY) $(CORE_CLIENT_OBJ) $(BASE_CRT0) $(BASE_LIB) $(USER_LDS)
	@$(USER_LD) -o $@ $(BASE_CRT0) $< $(CORE_TESTS_ENTRY) $(CORE_CLIENT_OBJ) $(BASE_LIB)

# core-test runs on two NUMA nodes (256 MiB and CPU 0, 256 MiB and CPU 1):
# test_numa checks where a RAM policy puts an account's pages.
CORE_TEST_NUMA := $(foreach n,0 1,--qemu-arg -object --qemu-arg memory-backend-ram,id=m$(n),size=256M \
                    --qemu-arg -numa --qemu-arg node,nodeid=$(n),cpus=$(n),memdev=m$(n))
.PHONY: core-test
core-test: $(CORE_CHECK_ELF) $(CORE_TEST_ELF) $(KERNEL_BIN)
	@rm -rf $(CORE_OUT)/img && mkdir -p $(CORE_OUT)/img && cp $(CORE_TEST_ELF) $(CORE_OUT)/img/hoitaja
	$(KT_RUN) --name os-core --kernel $(KERNEL_BIN) --smp 2 --mem 512M $(CORE_TEST_NUMA) --timeout 240 \
	    --expect 'core-test: [0-9]+ passed, 0 failed' --fail 'FAIL' $(KT_FAIL) \
	    $(CORE_CHECK_ELF) $(CORE_OUT)/img/hoitaja

# core's protocol fuzzer: random and half-valid requests for 15 s, then 8 s of
# racers on both CPUs destroyed while they call, then a bookkeeping check
# (os/core/tests/core_fuzz.c).
CORE_FUZZ_ELF := $(CORE_OUT)/core-fuzz
$(CORE_OUT)/tests/core_fuzz.o: $(CORE_DIR)/tests/core_fuzz.c $(CORE_DIR)/tests/proto.h $(TOP)/os/abi/kide/core.h $(TOP)/os/lib/component/include/kide/core_client.h $(BASE_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<)"
	@$(USER_CC) $(USER_CFLAGS) -I$(TOP)/os/lib/component/include -c $< -o $@
$(CORE_FUZZ_ELF): $(CORE_OUT)/tests/core_fuzz.o $(CORE_TESTS_ENTRY) $(CORE_CLIENT_OBJ) $(BASE_CRT0) $(BASE_LIB) $(USER_LDS)
	@$(USER_LD) -o $@ $(BASE_CRT0) $< $(CORE_TESTS_ENTRY) $(CORE_CLIENT_OBJ) $(BASE_LIB)

.PHONY: core-fuzz
core-fuzz: $(CORE_CHECK_ELF) $(CORE_FUZZ_ELF) $(KERNEL_BIN)
	@rm -rf $(CORE_OUT)/fuzz-img && mkdir -p $(CORE_OUT)/fuzz-img && \
	    cp $(CORE_FUZZ_ELF) $(CORE_OUT)/fuzz-img/hoitaja
	$(KT_RUN) --name os-core-fuzz --kernel $(KERNEL_BIN) --smp 2 --timeout 240 \
	    --expect 'core-fuzz: ok' --fail 'FAIL' $(KT_FAIL) \
	    $(CORE_CHECK_ELF) "$(CORE_OUT)/fuzz-img/hoitaja none $(if $(SEED),seed=$(SEED))"
