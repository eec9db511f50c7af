# SPDX-License-Identifier: MIT
# os/lib/depot: verify and unpack depot packages inside Kide (<kide/depot.h>,
# README.md). Included by os/Makefile after os/lib/build.mk.
#
# Provides:
#   depot-lib           import libsodium and xz-utils (recipe-import.sh) and build
#                       $(KIDE_DEPOT_LIB); when Debian's archive is unreachable and
#                       nothing is cached, says so and builds nothing
#   $(KIDE_DEPOT_LIB)   libkide_depot.a for native components (freestanding,
#                       -mcmodel=large): our files, libsodium's Ed25519 verification
#                       and SHA-2 (ref10), liblzma's .xz decoder
#   $(KIDE_DEPOT_CFLAGS) include flags for users of <kide/depot.h>
#   depot-test          host unit tests (os-depot-unit, cmocka, ASan+UBSan, a real
#                       archive from goa export signed by OpenSSL in the test), the
#                       freestanding link check (os-depot-freestanding) and the
#                       fuzzers for $(FUZZ_SECONDS) s each (os-depot-fuzz-tar,
#                       os-depot-fuzz-runtime, os-depot-fuzz-xz); skipped, naming
#                       the cause, when the sources are unavailable
#   depot-fuzz          the fuzzers for DEPOT_FUZZ_SECONDS (default 300)
# Needs from the includer: TOP, BUILD, OSB, mk/host.mk, run_fuzz (os/lib/build.mk).
#
# The third-party files are compiled with our flags minus the warnings they
# trip (DEPOT_3P_RELAX, one reason each); we do not change them. Our files
# keep the full warnings.

DEPOT_DIR := $(TOP)/os/lib/depot
DEPOT_OUT := $(OSB)/lib/depot
SODIUM_PROJ := $(DEPOT_OUT)/libsodium
XZ_PROJ := $(DEPOT_OUT)/xz-utils
SODIUM_SRC := $(SODIUM_PROJ)/src/src/libsodium
XZ_SRC := $(XZ_PROJ)/src/src/liblzma

# libsodium: what crypto_sign_ed25519_verify_detached and crypto_hash_sha256
# need. sign.c only for _crypto_sign_ed25519_ref10_hinit (its signing code
# is linked but never called; it uses no randomness unless built with
# ED25519_NONDETERMINISTIC, which we do not define).
SODIUM_FILES := crypto_sign/ed25519/ref10/open.c crypto_sign/ed25519/ref10/sign.c \
                crypto_core/ed25519/ref10/ed25519_ref10.c crypto_hash/sha512/cp/hash_sha512_cp.c \
                crypto_hash/sha256/cp/hash_sha256_cp.c crypto_verify/sodium/verify.c
# HAVE_TI_MODE: the 64-bit field arithmetic (fe_51, unsigned __int128).
SODIUM_DEFS := -DNATIVE_LITTLE_ENDIAN -DHAVE_TI_MODE -DCONFIGURED \
               -I$(SODIUM_SRC)/include/sodium -I$(SODIUM_SRC)/include/sodium/private
# liblzma: the .xz stream decoder with LZMA2 and CRC32/CRC64 checks (what
# libarchive's xz writer produces), no encoder, no threads, no BCJ filters.
XZ_FILES := common/common.c common/stream_decoder.c \
            common/block_decoder.c common/block_header_decoder.c common/block_util.c \
            common/filter_common.c common/filter_decoder.c common/filter_flags_decoder.c \
            common/index_hash.c common/stream_flags_common.c common/stream_flags_decoder.c \
            common/vli_decoder.c common/vli_size.c check/check.c check/crc32_table.c \
            check/crc32_fast.c check/crc64_table.c check/crc64_fast.c lz/lz_decoder.c \
            lzma/lzma_decoder.c lzma/lzma2_decoder.c
XZ_DEFS := -DHAVE_STDINT_H -DHAVE_STDBOOL_H -DHAVE_CHECK_CRC32 -DHAVE_CHECK_CRC64 \
           -DHAVE_DECODER_LZMA1 -DHAVE_DECODER_LZMA2 -DTUKLIB_SYMBOL_PREFIX=lzma_ \
           $(addprefix -I$(XZ_SRC)/,api common check lz rangecoder lzma delta simple) -I$(XZ_PROJ)/src/src/common
DEPOT_OWN := verify.c tar.c unpack.c runtime.c sodium_stubs.c
DEPOT_HDRS := $(DEPOT_DIR)/include/kide/depot.h $(DEPOT_DIR)/depot_internal.h
KIDE_DEPOT_CFLAGS := -I$(DEPOT_DIR)/include
DEPOT_OWN_CFLAGS := $(KIDE_DEPOT_CFLAGS) -I$(DEPOT_DIR) $(SODIUM_DEFS) -I$(XZ_SRC)/api
# -Wno-sign-compare, -Wno-unused-parameter: liblzma's and libsodium's own code.
# -Wno-shadow, -Wno-format-nonliteral: host warnings (mk/host.mk) they trip.
DEPOT_3P_RELAX := -Wno-sign-compare -Wno-unused-parameter -Wno-unused-function -Wno-shadow -Wno-format-nonliteral

DEPOT_STAMPS := $(SODIUM_PROJ)/imported $(XZ_PROJ)/imported
$(SODIUM_PROJ)/imported: $(TOP)/recipes/libsodium/goa.yaml $(TOP)/os/tools/recipe-import.sh
	@TOP=$(TOP) BUILD=$(BUILD) $(TOP)/os/tools/recipe-import.sh libsodium $(SODIUM_PROJ)
$(XZ_PROJ)/imported: $(TOP)/recipes/xz-utils/goa.yaml $(TOP)/os/tools/recipe-import.sh
	@TOP=$(TOP) BUILD=$(BUILD) $(TOP)/os/tools/recipe-import.sh xz-utils $(XZ_PROJ)
$(addprefix $(SODIUM_SRC)/,$(SODIUM_FILES)): $(SODIUM_PROJ)/imported ;
$(addprefix $(XZ_SRC)/,$(XZ_FILES)): $(XZ_PROJ)/imported ;

# --- freestanding (Kide) ---
DEPOT_FS_CFLAGS := -std=gnu11 -ffreestanding -fno-stack-protector -fno-pic -fno-pie -nostdlib \
                   -static -mno-red-zone -O2 -g -Wall -Wextra -Werror \
                   -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables \
                   -mgeneral-regs-only -mcmodel=large -DNDEBUG -I$(DEPOT_DIR)/freestanding
DEPOT_FS_OBJS := $(patsubst %.c,$(DEPOT_OUT)/fs/own/%.o,$(DEPOT_OWN) fs_libc.c) \
                 $(patsubst %.c,$(DEPOT_OUT)/fs/sodium/%.o,$(SODIUM_FILES)) \
                 $(patsubst %.c,$(DEPOT_OUT)/fs/lzma/%.o,$(XZ_FILES))
KIDE_DEPOT_LIB := $(DEPOT_OUT)/libkide_depot.a

$(DEPOT_OUT)/fs/own/%.o: $(DEPOT_DIR)/%.c $(DEPOT_HDRS) $(DEPOT_STAMPS)
	@mkdir -p $(dir $@)
	@echo "  CC      os/lib/depot/$*.c"
	@$(JSON_FS_CC) $(DEPOT_FS_CFLAGS) $(DEPOT_OWN_CFLAGS) -c $< -o $@
$(DEPOT_OUT)/fs/sodium/%.o: $(SODIUM_SRC)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      libsodium/$*.c"
	@$(JSON_FS_CC) $(DEPOT_FS_CFLAGS) $(DEPOT_3P_RELAX) $(SODIUM_DEFS) -c $< -o $@
$(DEPOT_OUT)/fs/lzma/%.o: $(XZ_SRC)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      liblzma/$*.c"
	@$(JSON_FS_CC) $(DEPOT_FS_CFLAGS) $(DEPOT_3P_RELAX) $(XZ_DEFS) -c $< -o $@
$(KIDE_DEPOT_LIB): $(DEPOT_FS_OBJS)
	@rm -f $@
	@echo "  AR      $(patsubst $(BUILD)/%,build/%,$@)"
	@ar rcs $@ $^

# Everything links with nothing undefined but what Kide's base library
# provides (os/lib/base/string.c, format.c).
DEPOT_BASE_SYMS := memcpy memmove memset memcmp strlen strcmp vsnprintf
define depot_fs_check
ld -r -o $(DEPOT_OUT)/depot-all.o $(DEPOT_FS_OBJS) && \
undef=$$(nm -u $(DEPOT_OUT)/depot-all.o | awk '{print $$2}' | grep -vxF $(addprefix -e ,$(DEPOT_BASE_SYMS))); \
if [ -z "$$undef" ]; then \
    echo "os/lib/depot: freestanding objects need only the base library's $(DEPOT_BASE_SYMS)"; \
    $(call write_result,os-depot-freestanding,1,0,0); \
else \
    echo "os/lib/depot: freestanding objects need undefined symbols:"; echo "$$undef"; \
    $(call write_result,os-depot-freestanding,0,1,0); rc=1; \
fi
endef

# --- host (tests, fuzzers) ---
DEPOT_SAN_CFLAGS := $(HOST_CSTD) $(HOST_WARN) -O1 -g -D_GNU_SOURCE $(SAN_FLAGS)
DEPOT_3P_SAN := $(DEPOT_OUT)/san/3p.a
DEPOT_3P_FUZZ := $(DEPOT_OUT)/fuzz/3p.a
DEPOT_3P_SAN_OBJS := $(patsubst %.c,$(DEPOT_OUT)/san/sodium/%.o,$(SODIUM_FILES)) \
                     $(patsubst %.c,$(DEPOT_OUT)/san/lzma/%.o,$(XZ_FILES))
DEPOT_3P_FUZZ_OBJS := $(patsubst %.c,$(DEPOT_OUT)/fuzz/sodium/%.o,$(SODIUM_FILES)) \
                      $(patsubst %.c,$(DEPOT_OUT)/fuzz/lzma/%.o,$(XZ_FILES))
$(DEPOT_OUT)/san/sodium/%.o: $(SODIUM_SRC)/%.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(DEPOT_SAN_CFLAGS) $(DEPOT_3P_RELAX) $(SODIUM_DEFS) -c $< -o $@
$(DEPOT_OUT)/san/lzma/%.o: $(XZ_SRC)/%.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(DEPOT_SAN_CFLAGS) $(DEPOT_3P_RELAX) $(XZ_DEFS) -c $< -o $@
$(DEPOT_OUT)/fuzz/sodium/%.o: $(SODIUM_SRC)/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Wno-unused-command-line-argument $(SODIUM_DEFS) -c $< -o $@
$(DEPOT_OUT)/fuzz/lzma/%.o: $(XZ_SRC)/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(XZ_DEFS) -c $< -o $@
$(DEPOT_3P_SAN): $(DEPOT_3P_SAN_OBJS)
	@rm -f $@
	ar rcs $@ $^
$(DEPOT_3P_FUZZ): $(DEPOT_3P_FUZZ_OBJS)
	@rm -f $@
	ar rcs $@ $^

DEPOT_OWN_SRCS := $(addprefix $(DEPOT_DIR)/,$(DEPOT_OWN))
DEPOT_TEST := $(DEPOT_OUT)/san/test_depot
DEPOT_FUZZERS := tar runtime xz
DEPOT_FUZZ_BINS := $(patsubst %,$(DEPOT_OUT)/fuzz/fuzz_%,$(DEPOT_FUZZERS))
DEPOT_FUZZ_SECONDS ?= 300

$(DEPOT_TEST): $(DEPOT_DIR)/tests/test_depot.c $(DEPOT_OWN_SRCS) $(DEPOT_HDRS) $(DEPOT_3P_SAN)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(DEPOT_SAN_CFLAGS) $(DEPOT_OWN_CFLAGS) -o $@ $< $(DEPOT_OWN_SRCS) \
	    $(DEPOT_3P_SAN) -lcmocka -lcrypto
$(DEPOT_OUT)/fuzz/fuzz_%: $(DEPOT_DIR)/tests/fuzz_%.c $(DEPOT_OWN_SRCS) $(DEPOT_HDRS) $(DEPOT_3P_FUZZ)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fno-sanitize-recover=undefined $(DEPOT_OWN_CFLAGS) -o $@ $< \
	    $(DEPOT_OWN_SRCS) $(DEPOT_3P_FUZZ)

# The fixture: a goa project exported by goa itself (src, bin and pkg
# archives of tester/hello/1.0), so the tests read what goa really writes.
DEPOT_FIXTURE := $(DEPOT_OUT)/fixture
$(DEPOT_FIXTURE)/done: $(DEPOT_DIR)/tests/make-fixture.sh $(TOP)/goa/src/tarxz.c $(TOP)/goa/src/cmd_export.c
	@TOP=$(TOP) BUILD=$(BUILD) $(DEPOT_DIR)/tests/make-fixture.sh $(DEPOT_FIXTURE)

.PHONY: depot-lib depot-import depot-test depot-fuzz depot-build-all
depot-import:
	@rc=0; $(MAKE) --no-print-directory $(DEPOT_STAMPS) 2>$(DEPOT_OUT).import.log || rc=$$?; \
	for p in $(SODIUM_PROJ) $(XZ_PROJ); do \
	  if [ -f $$p/unavailable ] && [ ! -f $$p/imported ]; then \
	    echo "os/lib/depot: skipped: $$(cat $$p/unavailable)"; exit 3; fi; done; \
	[ $$rc -eq 0 ] || { cat $(DEPOT_OUT).import.log >&2; exit 1; }
depot-lib:
	@rc=0; $(MAKE) --no-print-directory depot-import || rc=$$?; \
	[ $$rc -eq 3 ] && exit 0; [ $$rc -eq 0 ] || exit 1; \
	$(MAKE) --no-print-directory $(KIDE_DEPOT_LIB)

# Every step runs and records its result even if an earlier one failed.
depot-test:
	@rc=0; $(MAKE) --no-print-directory depot-import || rc=$$?; \
	if [ $$rc -eq 3 ]; then for s in os-depot-unit os-depot-freestanding $(patsubst %,os-depot-fuzz-%,$(DEPOT_FUZZERS)); do \
	    $(call write_result,$$s,0,0,1); done; exit 0; fi; \
	[ $$rc -eq 0 ] || exit 1; \
	$(MAKE) --no-print-directory $(DEPOT_TEST) $(DEPOT_FUZZ_BINS) $(DEPOT_FS_OBJS) $(DEPOT_FIXTURE)/done || exit 1; \
	BUILD=$(BUILD) DEPOT_FIXTURE=$(DEPOT_FIXTURE) $(TOP)/mk/cmocka-result.sh os-depot-unit $(DEPOT_TEST) || rc=1; \
	$(depot_fs_check) || rc=1; \
	$(DEPOT_DIR)/tests/make-seeds.sh $(DEPOT_OUT)/corpus || rc=1; \
	$(foreach f,$(DEPOT_FUZZERS),$(call run_fuzz,os-depot-fuzz-$(f),$(DEPOT_OUT)/fuzz/fuzz_$(f),$(DEPOT_OUT)/corpus/$(f),$(FUZZ_SECONDS),-rss_limit_mb=2048);) \
	exit $$rc

depot-fuzz:
	@rc=0; $(MAKE) --no-print-directory depot-import || exit 0; \
	$(MAKE) --no-print-directory $(DEPOT_FUZZ_BINS) || exit 1; \
	$(DEPOT_DIR)/tests/make-seeds.sh $(DEPOT_OUT)/corpus || rc=1; \
	$(foreach f,$(DEPOT_FUZZERS),$(call run_fuzz,os-depot-fuzz-$(f),$(DEPOT_OUT)/fuzz/fuzz_$(f),$(DEPOT_OUT)/corpus/$(f),$(DEPOT_FUZZ_SECONDS),-rss_limit_mb=2048);) \
	exit $$rc
