# SPDX-License-Identifier: MIT
# Kernel benchmark programs (included by os/Makefile after os/kernel/tests/rt/build.mk).
KB_DIR := $(TOP)/os/bench
KB_OUT := $(OSB)/bench
KB_ELFS := $(KB_OUT)/kbench.elf $(KB_OUT)/kbench-server.elf
KB_PEER := $(KB_OUT)/ipcbench

$(KB_OUT)/%.o: $(KB_DIR)/%.c $(KRT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<)"
	@$(USER_CC) $(USER_CFLAGS) $(KRT_CFLAGS) -c $< -o $@

$(KB_OUT)/kbench.elf: $(KB_OUT)/kbench.o $(BASE_CRT0) $(KRT_LIB) $(ELF_LIB) $(BASE_LIB) $(USER_LDS)
	$(USER_LD) -o $@ $(BASE_CRT0) $< $(KRT_LIB) $(ELF_LIB) $(BASE_LIB)

$(KB_OUT)/kbench-server.elf: $(KB_OUT)/kbench_server.o $(BASE_CRT0) $(KRT_LIB) $(ELF_LIB) $(BASE_LIB) $(USER_LDS)
	$(USER_LD) -o $@ $(BASE_CRT0) $< $(KRT_LIB) $(ELF_LIB) $(BASE_LIB)

$(KB_PEER): $(KB_DIR)/peer/ipcbench.c $(KB_DIR)/bench.h
	@mkdir -p $(dir $@)
	musl-gcc -static -O2 -Wall -Wextra -Werror -o $@ $<

.PHONY: kbench
kbench: $(KB_ELFS) $(KB_PEER)

-include $(KB_OUT)/kbench.d $(KB_OUT)/kbench_server.d

# Boot benchmark (os/bench/boot-run.sh): QEMU start to the default platform's
# first state report, against Debian's Linux to its first user-space line.
BOOT_PEER := $(KB_OUT)/boot-peer
$(BOOT_PEER): $(KB_DIR)/peer/boot_peer.c
	@mkdir -p $(dir $@)
	musl-gcc -static -O2 -Wall -Wextra -Werror -o $@ $<

.PHONY: boot-bench
boot-bench: $(KERNEL_BIN) $(BOOT_PEER)
	$(MAKE) --no-print-directory image SCENARIO=default
	$(KB_DIR)/boot-run.sh $(OSB)/images/default $(BOOT_PEER) $(BUILD)/bench/os

# Network benchmark (os/bench/net-run.py): TCP echo from the host through
# QEMU's user networking, Kide's echo component (os/bench/net.yaml) against
# a static echo server (peer/tcp_echo.c) on Debian's Linux in the same QEMU
# machine; the host client is peer/net_client.c. NET_BENCH_ROUNDS round
# trips of 64 bytes, NET_BENCH_MIB MiB of bulk echo.
NET_PEER   := $(KB_OUT)/tcp-echo
NET_CLIENT := $(KB_OUT)/net-client
NET_BENCH_ROUNDS ?= 2000
NET_BENCH_MIB    ?= 16
$(NET_PEER): $(KB_DIR)/peer/tcp_echo.c
	@mkdir -p $(dir $@)
	musl-gcc -static -O2 -Wall -Wextra -Werror -o $@ $<
$(NET_CLIENT): $(KB_DIR)/peer/net_client.c
	@mkdir -p $(dir $@)
	$(HOST_CC) -std=gnu11 -O2 -Wall -Wextra -Werror -pthread -o $@ $<

.PHONY: net-bench
net-bench: $(NET_PEER) $(NET_CLIENT) scenario-platform net components
	$(KB_DIR)/net-run.py --client $(NET_CLIENT) --peer $(NET_PEER) --out $(BUILD)/bench/os \
	    --rounds $(NET_BENCH_ROUNDS) --mib $(NET_BENCH_MIB)

# Management-plane benchmark (os/bench/kuori-run.py): kuori and kuori-agent
# against os/bench/kuori.yaml (host ports 17701-17707, a kide-registry on
# 17710): the agent's CPU while 0, 1 and 4 clients watch at 10 Hz for
# KUORI_BENCH_SECONDS, kuori ps / set, a TLS connect and a state request
# against http-status's GET through the same forward (KUORI_BENCH_ROUNDS
# each), and the install of a 1 MiB package (test-pkgbig) when the agent
# offers install. kuori, kide-registry and goa are built by their own
# Makefiles (the top-level make all builds them before make bench).
KUORI_BENCH_SECONDS ?= 20
KUORI_BENCH_ROUNDS  ?= 20
.PHONY: kuori-bench
kuori-bench: $(KERNEL_BIN) core hoitaja components scenario-tool net tls
	@$(MAKE) --no-print-directory -C $(TOP)/kuori TOP=$(TOP) BUILD=$(BUILD) all
	@$(MAKE) --no-print-directory -C $(TOP)/registry TOP=$(TOP) BUILD=$(BUILD) SANITIZE= all
	@$(MAKE) --no-print-directory -C $(TOP)/goa TOP=$(TOP) BUILD=$(BUILD) SANITIZE= all
	BUILD=$(BUILD) $(KB_DIR)/kuori-run.py --kuori $(BUILD)/kuori/kuori \
	    --registry $(BUILD)/registry/rel/kide-registry --goa $(BUILD)/goa/rel/goa \
	    --pkgbig $(KIDE_ELF_test-pkgbig) --out $(BUILD)/bench/os \
	    --seconds $(KUORI_BENCH_SECONDS) --rounds $(KUORI_BENCH_ROUNDS)

# POSIX benchmarks (os/bench/posix-run.py, issue 16): Larson (T = 1 and 2),
# getpid and a pipe round trip, program start; the static musl programs of
# tests/posix/bench on Debian's Linux guest and on Kide's POSIX runtime in the
# same QEMU configuration. tests/Makefile builds the programs; the Kide side
# says "posix runtime not in the image" until os/posix is built.
.PHONY: posix-bench
posix-bench: $(KERNEL_BIN) core hoitaja components scenario-tool
	@$(MAKE) --no-print-directory -C $(TOP)/tests TOP=$(TOP) BUILD=$(BUILD) posix-progs
	BUILD=$(BUILD) $(KB_DIR)/posix-run.py --out $(BUILD)/bench/posix
