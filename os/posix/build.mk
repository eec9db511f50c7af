# SPDX-License-Identifier: MIT
# os/posix: the POSIX runtime, the component `posix` that runs a static Linux
# x86_64 program (docs/posix.md). Included by os/Makefile after
# os/posix/config/build.mk (the configuration parser, library posix-config) and
# os/posix/vfs/build.mk (the VFS, library posix-vfs).
#
# Provides:
#   $(KIDE_ELF_posix)  build/os/bin/posix, the boot module "posix"
#   posix              that binary
#   posix-test         host unit tests of the pure parts (cmocka, ASan+UBSan; suite
#                      os-posix-unit) and the ELF checker's fuzzer for $(FUZZ_SECONDS) s
#                      (os-posix-elf-fuzz)
#   posix-fuzz         the fuzzer for POSIX_FUZZ_SECONDS (default 300)
#   posix-progs        the musl test programs of os/posix/tests/progs (musl-gcc -static)
# Needs from the includer: TOP, OSB, BIN, mk/component.mk, mk/host.mk.

PX_DIR := $(TOP)/os/posix
PX_OUT := $(OSB)/posix

# Pure parts (host-tested) and the glue to Kide.
PX_PURE := pelf pstack pvm pfutex
PX_GLUE := main load mem thread time misc signal dispatch syscall_table uaccess arch files

# entry.S is a library of its own: kide_component compiles C only.
KIDE_LIB_posix-entry := $(PX_OUT)/libposix-entry.a
# Its "include flags" also carry the one warning the system calls need off: every
# handler takes the six argument registers, used or not.
KIDE_LIB_INC_posix-entry := -I$(PX_DIR) -Wno-unused-parameter
$(PX_OUT)/entry.o: $(PX_DIR)/entry.S
	@mkdir -p $(dir $@)
	@echo "  AS      os/posix/entry.S"
	@$(KIDE_RT_CC) -c $< -o $@
$(KIDE_LIB_posix-entry): $(PX_OUT)/entry.o
	@rm -f $@
	@ar rcs $@ $^

$(eval $(call kide_component,posix,$(addsuffix .c,$(PX_PURE) $(PX_GLUE)),posix-vfs posix-config posix-entry))

.PHONY: posix-test posix-fuzz posix-progs

PX_PURE_SRCS := $(patsubst %,$(PX_DIR)/%.c,$(PX_PURE))
PX_PURE_HDRS := $(patsubst %,$(PX_DIR)/%.h,$(PX_PURE)) $(PX_DIR)/linux.h
PX_HOST_CFLAGS := $(HOST_CSTD) $(HOST_WARN) -O1 -g -D_GNU_SOURCE $(SAN_FLAGS) -I$(TOP)/os/abi -I$(PX_DIR)
PX_TEST := $(PX_OUT)/san/test_posix
PX_FUZZ := $(PX_OUT)/fuzz/fuzz_pelf
POSIX_FUZZ_SECONDS ?= 300

$(PX_TEST): $(PX_DIR)/tests/test_posix.c $(PX_PURE_SRCS) $(PX_PURE_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(PX_HOST_CFLAGS) -o $@ $< $(PX_PURE_SRCS) -lcmocka

$(PX_FUZZ): $(PX_DIR)/tests/fuzz_pelf.c $(PX_DIR)/pelf.c $(PX_PURE_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fno-sanitize-recover=undefined -I$(TOP)/os/abi -I$(PX_DIR) -o $@ \
	    $< $(PX_DIR)/pelf.c

# The test programs double as the fuzzer's seeds (real static executables).
PX_PROGS_SRC := $(wildcard $(PX_DIR)/tests/progs/*.c)
PX_PROGS := $(patsubst $(PX_DIR)/tests/progs/%.c,$(BIN)/%,$(PX_PROGS_SRC))
$(BIN)/posix-%: $(PX_DIR)/tests/progs/posix-%.c
	@mkdir -p $(dir $@)
	@echo "  MUSL    $(patsubst $(TOP)/%,%,$<)"
	@musl-gcc -static -O2 -Wall -Wextra -Werror -o $@ $< -lpthread
posix-progs: $(PX_PROGS)
posix: posix-progs
# The test programs are boot modules of the scenarios: built with the components.
KIDE_COMPONENT_ELFS += $(PX_PROGS)

define px_fuzz
mkdir -p $(PX_OUT)/corpus $(PX_OUT)/seeds; cp $(PX_PROGS) $(PX_OUT)/seeds/ 2>/dev/null; \
if $(PX_FUZZ) -max_total_time=$(1) -max_len=65536 -timeout=10 -rss_limit_mb=1024 \
        -artifact_prefix=$(PX_OUT)/fuzz- $(PX_OUT)/corpus $(PX_OUT)/seeds >$(PX_OUT)/fuzz.log 2>&1; then \
    $(call write_result,os-posix-elf-fuzz,1,0,0); tail -1 $(PX_OUT)/fuzz.log; \
else \
    tail -40 $(PX_OUT)/fuzz.log; $(call write_result,os-posix-elf-fuzz,0,1,0); rc=1; \
fi
endef

posix-test: $(PX_TEST) $(PX_FUZZ) $(PX_PROGS)
	@rc=0; \
	BUILD=$(BUILD) $(TOP)/mk/cmocka-result.sh os-posix-unit $(PX_TEST) || rc=1; \
	$(call px_fuzz,$(FUZZ_SECONDS)); \
	exit $$rc

posix-fuzz: $(PX_FUZZ) $(PX_PROGS)
	@rc=0; $(call px_fuzz,$(POSIX_FUZZ_SECONDS)); exit $$rc
