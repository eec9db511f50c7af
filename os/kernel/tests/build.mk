# SPDX-License-Identifier: MIT
# The kernel test suite and the system-call fuzzer: included by os/Makefile
# after os/kernel/tests/rt/build.mk.
#
# Builds $(KT_OUT)/ktest-root.elf (the suite, run as the root task),
# ktest-helper.elf (the child PDs it starts, also the fuzz victim),
# kfuzz-root.elf and kfuzz-attacker.elf, and defines the scenario targets
#   ktest-smp1, ktest-smp4  the suite under -smp 1 and -smp 4
#   kfuzz                   the fuzzer, FUZZ_SECONDS_KERNEL (60) split over
#                           -smp 1 and -smp 4 runs
#   srat-test               the SRAT parser on the host (cmocka)
#   dmar-test               the DMAR parser on the host (cmocka)
#   ktrace-test             the tracing kernel names a rejected argument
#   kernel-tests            all of them, each run even if another failed
# each judged by os/tools/qemu-run.sh, which records the counts in
# $(BUILD)/results/<suite>. Needs OSB, GEN, KERNEL_BIN, TOP, BUILD.

KT_DIR   := $(TOP)/os/kernel/tests
KT_OUT   := $(OSB)/ktest
KT_RUN   := $(TOP)/os/tools/qemu-run.sh
KT_ROOT_OBJS   := root.o t_basic.o t_obj.o t_cap.o t_ipc.o t_exc.o t_sched.o t_more.o t_found.o t_dev.o t_posix.o
KT_HELPER_OBJS := helper.o
KFUZZ_ROOT_OBJS := fuzz_root.o
KFUZZ_ATK_OBJS  := fuzz_attacker.o fuzz_struct.o fuzz_ipc.o fuzz_caps.o
KT_ELFS  := $(KT_OUT)/ktest-root.elf $(KT_OUT)/ktest-helper.elf \
            $(KT_OUT)/kfuzz-root.elf $(KT_OUT)/kfuzz-attacker.elf $(KT_OUT)/kentry-root.elf

FUZZ_SECONDS_KERNEL ?= 60
KFUZZ_SEED  ?= $(shell date +%s)
KT_TIMEOUT  ?= 150
KT_FAIL     := --fail 'kide: panic' --fail 'krt: panic' --fail 'KERNEL PANIC'

.PHONY: ktest ktest-smp1 ktest-smp4 kfuzz kfuzz-smp1 kfuzz-smp4 kernel-tests
ktest: $(KT_ELFS)

$(KT_OUT)/%.o: $(KT_DIR)/%.c $(KRT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<)"
	@$(USER_CC) $(USER_CFLAGS) $(KRT_CFLAGS) -c $< -o $@

# The entry paths under injected NMIs, and the fault report (entry_test.py).
$(KT_OUT)/kentry-root.elf: $(KT_OUT)/entry_root.o $(BASE_CRT0) $(KRT_LIB) $(ELF_LIB) $(BASE_LIB) $(USER_LDS)
	@echo "  LD      $(patsubst $(BUILD)/%,build/%,$@)"
	@$(USER_LD) -o $@ $(BASE_CRT0) $< $(KRT_LIB) $(ELF_LIB) $(BASE_LIB)

.PHONY: kentry-test
kentry-test: $(KT_OUT)/kentry-root.elf $(KERNEL_BIN)
	@$(KT_DIR)/entry_test.py --kernel $(KERNEL_BIN) --root $(KT_OUT)/kentry-root.elf

$(KT_OUT)/ktest-root.elf: $(addprefix $(KT_OUT)/,$(KT_ROOT_OBJS)) $(BASE_CRT0) $(KRT_LIB) $(ELF_LIB) $(BASE_LIB) $(USER_LDS)
	@echo "  LD      $(patsubst $(BUILD)/%,build/%,$@)"
	@$(USER_LD) -o $@ $(BASE_CRT0) $(addprefix $(KT_OUT)/,$(KT_ROOT_OBJS)) $(KRT_LIB) $(ELF_LIB) $(BASE_LIB)

$(KT_OUT)/ktest-helper.elf: $(addprefix $(KT_OUT)/,$(KT_HELPER_OBJS)) $(BASE_CRT0) $(KRT_LIB) $(ELF_LIB) $(BASE_LIB) $(USER_LDS)
	@echo "  LD      $(patsubst $(BUILD)/%,build/%,$@)"
	@$(USER_LD) -o $@ $(BASE_CRT0) $(addprefix $(KT_OUT)/,$(KT_HELPER_OBJS)) $(KRT_LIB) $(ELF_LIB) $(BASE_LIB)

$(KT_OUT)/kfuzz-root.elf: $(addprefix $(KT_OUT)/,$(KFUZZ_ROOT_OBJS)) $(BASE_CRT0) $(KRT_LIB) $(ELF_LIB) $(BASE_LIB) $(USER_LDS)
	@echo "  LD      $(patsubst $(BUILD)/%,build/%,$@)"
	@$(USER_LD) -o $@ $(BASE_CRT0) $(addprefix $(KT_OUT)/,$(KFUZZ_ROOT_OBJS)) $(KRT_LIB) $(ELF_LIB) $(BASE_LIB)

$(KT_OUT)/kfuzz-attacker.elf: $(addprefix $(KT_OUT)/,$(KFUZZ_ATK_OBJS)) $(BASE_CRT0) $(KRT_LIB) $(ELF_LIB) $(BASE_LIB) $(USER_LDS)
	@echo "  LD      $(patsubst $(BUILD)/%,build/%,$@)"
	@$(USER_LD) -o $@ $(BASE_CRT0) $(addprefix $(KT_OUT)/,$(KFUZZ_ATK_OBJS)) $(KRT_LIB) $(ELF_LIB) $(BASE_LIB)

ktest-smp1: $(KT_ELFS) $(KERNEL_BIN)
	$(KT_RUN) --name os-ktest-smp1 --kernel $(KERNEL_BIN) --smp 1 --timeout $(KT_TIMEOUT) \
	    --expect 'ktest: [0-9]+ passed, 0 failed' $(KT_FAIL) \
	    $(KT_OUT)/ktest-root.elf $(KT_OUT)/ktest-helper.elf

ktest-smp4: $(KT_ELFS) $(KERNEL_BIN)
	$(KT_RUN) --name os-ktest-smp4 --kernel $(KERNEL_BIN) --smp 4 --timeout $(KT_TIMEOUT) \
	    --expect 'ktest: [0-9]+ passed, 0 failed' $(KT_FAIL) \
	    $(KT_OUT)/ktest-root.elf $(KT_OUT)/ktest-helper.elf

# The tracing kernel (make KIDE_SYSCALL_TRACE=1; os/Makefile's kernel-trace)
# logs each failed system call: the suite's create_sm test makes a call with
# a count of 2^32, which must be reported naming that argument and status.
.PHONY: ktrace-test
ktrace-test: $(KT_ELFS) kernel-trace
	$(KT_RUN) --name os-ktest-trace --kernel $(KERNEL_TRACE_BIN) --smp 1 --timeout $(KT_TIMEOUT) \
	    --expect 'ktest: 1 passed, 0 failed' \
	    --expect '^kide: trace: create_sm by pd [0-9a-fx]+ ec [0-9a-fx]+: a3 count rejected: BAD_PARAM$$' \
	    $(KT_FAIL) "$(KT_OUT)/ktest-root.elf only=create_sm" $(KT_OUT)/ktest-helper.elf

# The SRAT parser on the host, on crafted tables (cmocka, ASan+UBSan).
SRAT_TEST := $(KT_OUT)/host/test_srat
$(SRAT_TEST): $(KT_DIR)/host/test_srat.c $(KDIR)/arch/x86_64/srat.c $(KDIR)/arch/x86_64/srat.h \
              $(TOP)/os/abi/kide/boot.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CSTD) $(HOST_WARN) -g -O1 $(SAN_FLAGS) -I$(KDIR)/arch/x86_64 -I$(TOP)/os/abi \
	    -o $@ $(KT_DIR)/host/test_srat.c $(KDIR)/arch/x86_64/srat.c -lcmocka
.PHONY: srat-test
srat-test: $(SRAT_TEST)
	@$(TOP)/mk/cmocka-result.sh os-kernel-srat $(SRAT_TEST)

# The DMAR parser on the host, on crafted and random tables (cmocka, ASan+UBSan).
DMAR_TEST := $(KT_OUT)/host/test_dmar
$(DMAR_TEST): $(KT_DIR)/host/test_dmar.c $(KDIR)/arch/x86_64/dmar.c $(KDIR)/arch/x86_64/dmar.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CSTD) $(HOST_WARN) -g -O1 $(SAN_FLAGS) -I$(KDIR)/arch/x86_64 -I$(TOP)/os/abi \
	    -o $@ $(KT_DIR)/host/test_dmar.c $(KDIR)/arch/x86_64/dmar.c -lcmocka
.PHONY: dmar-test
dmar-test: $(DMAR_TEST)
	@$(TOP)/mk/cmocka-result.sh os-kernel-dmar $(DMAR_TEST)

# All kernel scenarios, each run even if an earlier one failed (every one
# records its result for mk/run-suites.sh); fails if any failed.
kernel-tests: $(KT_ELFS) $(KERNEL_BIN)
	@rc=0; for t in srat-test dmar-test ktest-smp1 ktest-smp4 ktrace-test kfuzz-smp1 kfuzz-smp4 kentry-test; do \
	    $(MAKE) --no-print-directory $$t || rc=1; done; exit $$rc

# The fuzzer: half the time under -smp 1, half under -smp 4.
KFUZZ_HALF = $(shell echo $$(( ($(FUZZ_SECONDS_KERNEL) + 1) / 2 )))
kfuzz: kfuzz-smp1 kfuzz-smp4

# It boots the poisoning build of the kernel (os/kernel/poison.mk).
kfuzz-smp1 kfuzz-smp4: kfuzz-smp%: $(KT_ELFS) $(KERNEL_POISON_BIN)
	$(KT_RUN) --name os-kfuzz-smp$* --kernel $(KERNEL_POISON_BIN) --smp $* \
	    --timeout $$(( $(KFUZZ_HALF) + 120 )) --expect 'kfuzz: ok calls=[0-9]+' $(KT_FAIL) \
	    "$(KT_OUT)/kfuzz-root.elf seconds=$(KFUZZ_HALF) seed=$(KFUZZ_SEED)" \
	    $(KT_OUT)/ktest-helper.elf $(KT_OUT)/kfuzz-attacker.elf

-include $(addprefix $(KT_OUT)/,$(KT_ROOT_OBJS:.o=.d) $(KT_HELPER_OBJS:.o=.d) \
           $(KFUZZ_ROOT_OBJS:.o=.d) $(KFUZZ_ATK_OBJS:.o=.d))
