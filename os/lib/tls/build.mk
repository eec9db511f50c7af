# SPDX-License-Identifier: MIT
# os/lib/tls: BearSSL (imported by goa) and ktls, our wrapper (included by
# os/Makefile after os/lib/base/build.mk, os/lib/build.mk and mk/component.mk).
#
# Provides:
#   tls              import BearSSL (os/tools/recipe-import.sh bearssl), build
#                    $(BEARSSL_LIB), $(KTLS_LIB) and the self-test component
#                    build/os/bin/test-tls; when Debian's archive is unreachable and
#                    nothing is cached, says so, builds nothing (the rest of the OS
#                    still builds) and leaves the cause in
#                    build/os/bin/test-tls.unavailable (scenarios booting it are
#                    then skipped, os/scenarios/mk-image.sh exit 3)
#   $(BEARSSL_LIB)   libbearssl.a: the BearSSL files ktls needs (TLS_BR_FILES), freestanding
#   $(KTLS_LIB)      libktls.a: ktls (os/lib/tls/*.c), freestanding
#   $(KTLS_CFLAGS)   include flags for users of <kide/ktls.h> (BearSSL's headers too)
#   $(KTLS_LIBS)     what a component links for ktls: $(KTLS_LIB) $(BEARSSL_LIB)
#   $(TLS_STAMP)     the import's stamp (a component using ktls depends on `tls`)
#   tls-test         host tests (cmocka, ASan+UBSan, against OpenSSL 3: os-tls-unit),
#                    the fuzzer for $(FUZZ_SECONDS) s (os-tls-fuzz) and the freestanding
#                    check (os-tls-freestanding); skips naming the cause when BearSSL
#                    is unavailable
#   tls-fuzz         the fuzzer for TLS_FUZZ_SECONDS (default 300)
# Needs from the includer: TOP, BUILD, OSB, BIN, USER_CC, USER_CFLAGS, USER_LD, BASE_HDRS,
# the runtime (COMP_LIB, BASE_LIB, BASE_CRT0, USER_LDS, COMP_CFLAGS), the library
# test-common, run_fuzz and mk/host.mk's variables.
#
# BearSSL's files are third-party code: they build with our flags (no
# relaxation needed with gcc 12 and clang 14; a later release's warnings go
# into TLS_BR_RELAX, one flag each, with the reason). Our files keep
# -Wall -Wextra -Werror.

TLS_DIR      := $(TOP)/os/lib/tls
TLS_OUT      := $(OSB)/lib/tls
BEARSSL_PROJ := $(TLS_OUT)/bearssl
BEARSSL_TOP  := $(BEARSSL_PROJ)/src
TLS_STAMP    := $(BEARSSL_PROJ)/imported

# What we compile of BearSSL (paths below its src/): the TLS 1.2 engine,
# server and client, their handshakes and record layers for GCM and
# ChaCha20-Poly1305; the PRFs; the minimal X.509 validator and the
# known-key one (the test client); P-256 (m31, constant time) with
# ECDSA (i31) and key generation; SHA-2, HMAC, HMAC-DRBG; AES (ct64,
# constant time, no AES-NI: the freestanding build has no SSE), GHASH
# (ctmul64), ChaCha20 and Poly1305 (ct, ctmul). Not sysrng.c: ktls
# provides br_prng_seeder_system (seeder.c).
TLS_BR_FILES := ssl/ssl_engine.c ssl/ssl_hs_server.c ssl/ssl_hs_client.c ssl/ssl_server.c \
                ssl/ssl_client.c ssl/ssl_rec_gcm.c ssl/ssl_rec_chapol.c ssl/ssl_scert_single_ec.c \
                ssl/ssl_ccert_single_ec.c ssl/ssl_hashes.c ssl/prf.c ssl/prf_sha256.c ssl/prf_sha384.c \
                x509/x509_minimal.c x509/x509_decoder.c x509/x509_knownkey.c \
                ec/ec_p256_m31.c ec/ec_keygen.c ec/ec_pubkey.c ec/ec_secp256r1.c ec/ec_secp384r1.c \
                ec/ec_secp521r1.c ec/ecdsa_i31_sign_asn1.c ec/ecdsa_i31_sign_raw.c \
                ec/ecdsa_i31_vrfy_asn1.c ec/ecdsa_i31_vrfy_raw.c ec/ecdsa_i31_bits.c ec/ecdsa_rta.c \
                ec/ecdsa_atr.c \
                int/i31_add.c int/i31_bitlen.c int/i31_decode.c int/i31_decmod.c int/i31_encode.c \
                int/i31_fmont.c int/i31_iszero.c int/i31_modpow.c int/i31_montmul.c int/i31_muladd.c int/i31_ninv31.c \
                int/i31_rshift.c int/i31_sub.c int/i31_tmont.c int/i32_div32.c \
                hash/sha2small.c hash/sha2big.c hash/ghash_ctmul64.c hash/multihash.c mac/hmac.c \
                rand/hmac_drbg.c \
                symcipher/aes_ct64.c symcipher/aes_ct64_ctr.c symcipher/aes_ct64_enc.c \
                symcipher/chacha20_ct.c symcipher/poly1305_ctmul.c \
                codec/ccopy.c codec/dec32be.c codec/enc32be.c codec/dec64be.c codec/enc64be.c \
                codec/dec32le.c codec/enc32le.c
KTLS_FILES := rng.c hash.c der.c cert.c identity.c issue.c x509.c server.c errors.c client.c
KTLS_HDRS := $(TLS_DIR)/include/kide/ktls.h $(TLS_DIR)/include/kide/ktls_client.h $(TLS_DIR)/der.h \
             $(TLS_DIR)/cert.h $(TLS_DIR)/x509.h $(TLS_DIR)/engine.h

# BearSSL's configuration (its src/config.h): no OS randomness or clock
# (Kide has neither; ktls seeds and sets the time), no SSE/AES-NI/POWER8
# code (the freestanding flags forbid vector registers; the host build uses
# the same choices so that the tests test what Kide runs); no unaligned
# loads through casted pointers (undefined behaviour in C, which UBSan
# reports; byte-wise loads cost little).
TLS_BR_DEFS := -DBR_LE_UNALIGNED=0 -DBR_BE_UNALIGNED=0 -DBR_RDRAND=0 -DBR_USE_URANDOM=0 -DBR_USE_GETENTROPY=0 -DBR_USE_UNIX_TIME=0 \
               -DBR_USE_WIN32_RAND=0 -DBR_USE_WIN32_TIME=0 -DBR_AES_X86NI=0 -DBR_SSE2=0 -DBR_POWER8=0
TLS_BR_RELAX :=
KTLS_CFLAGS := -I$(TLS_DIR)/include -I$(BEARSSL_TOP)/inc $(TLS_BR_DEFS)
TLS_FS_CFLAGS := $(USER_CFLAGS) -I$(TLS_DIR)/freestanding $(KTLS_CFLAGS)

BEARSSL_LIB := $(TLS_OUT)/libbearssl.a
KTLS_LIB := $(TLS_OUT)/libktls.a
KTLS_LIBS := $(KTLS_LIB) $(BEARSSL_LIB)
TLS_BR_OBJS := $(patsubst %.c,$(TLS_OUT)/fs/bearssl/%.o,$(TLS_BR_FILES))
KTLS_OBJS := $(patsubst %.c,$(TLS_OUT)/fs/%.o,$(KTLS_FILES))

.PHONY: tls tls-lib tls-test tls-fuzz

# The import, once per change of the recipe or the script; exit 3
# (unreachable) is reported by `tls`, not a build failure.
$(TLS_STAMP): $(TOP)/recipes/bearssl/goa.yaml $(TOP)/os/tools/recipe-import.sh
	@TOP=$(TOP) BUILD=$(BUILD) $(TOP)/os/tools/recipe-import.sh bearssl $(BEARSSL_PROJ)
$(addprefix $(BEARSSL_TOP)/src/,$(TLS_BR_FILES)): $(TLS_STAMP) ;

TLS_SELFTEST := $(BIN)/test-tls
tls: $(COMP_LIB) $(BASE_LIB) $(BASE_CRT0) $(USER_LDS) $(KIDE_LIB_test-common)
	@rc=0; $(MAKE) --no-print-directory $(TLS_STAMP) 2>$(TLS_OUT).import.log || rc=$$?; \
	if [ -f $(BEARSSL_PROJ)/unavailable ] && [ ! -f $(TLS_STAMP) ]; then \
	    echo "os/lib/tls: skipped: $$(cat $(BEARSSL_PROJ)/unavailable)"; \
	    mkdir -p $(dir $(TLS_SELFTEST)); \
	    echo "os/lib/tls: $$(cat $(BEARSSL_PROJ)/unavailable)" >$(TLS_SELFTEST).unavailable; \
	    exit 0; fi; \
	[ $$rc -eq 0 ] || { cat $(TLS_OUT).import.log >&2; exit 1; }; \
	rm -f $(TLS_SELFTEST).unavailable; $(MAKE) --no-print-directory tls-lib

tls-lib: $(BEARSSL_LIB) $(KTLS_LIB) $(TLS_SELFTEST)

$(TLS_OUT)/fs/bearssl/%.o: $(BEARSSL_TOP)/src/%.c $(TLS_STAMP) $(TLS_DIR)/build.mk $(BASE_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      bearssl/src/$*.c"
	@$(USER_CC) $(TLS_FS_CFLAGS) -I$(BEARSSL_TOP)/src $(TLS_BR_RELAX) -c $< -o $@

$(TLS_OUT)/fs/%.o: $(TLS_DIR)/%.c $(TLS_STAMP) $(TLS_DIR)/build.mk $(KTLS_HDRS) $(BASE_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      os/lib/tls/$*.c"
	@$(USER_CC) $(TLS_FS_CFLAGS) -c $< -o $@

# seeder.c is BearSSL's platform glue (it calls nothing of ktls): it goes
# into libbearssl.a, so that the archives link in one pass, ktls first.
$(BEARSSL_LIB): $(TLS_BR_OBJS) $(TLS_OUT)/fs/seeder.o
	@rm -f $@
	@echo "  AR      $(patsubst $(BUILD)/%,build/%,$@)"
	@ar rcs $@ $^

$(KTLS_LIB): $(KTLS_OBJS)
	@rm -f $@
	@echo "  AR      $(patsubst $(BUILD)/%,build/%,$@)"
	@ar rcs $@ $^

# The self-test component (os/components/tests/test-tls): built here rather
# than by kide_component because it depends on the import, like os/net.
TLS_ST_DIR := $(TOP)/os/components/tests/test-tls
TLS_ST_OBJ := $(TLS_OUT)/test-tls/main.o

$(TLS_ST_OBJ): $(TLS_ST_DIR)/main.c $(TLS_STAMP) $(BASE_HDRS) $(KTLS_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      os/components/tests/test-tls/main.c"
	@$(USER_CC) $(TLS_FS_CFLAGS) $(COMP_CFLAGS) $(KIDE_LIB_INC_test-common) -c $< -o $@

$(TLS_SELFTEST): $(TLS_ST_OBJ) $(KTLS_LIBS) $(KIDE_LIB_test-common) $(BASE_CRT0) $(COMP_LIB) $(BASE_LIB) $(USER_LDS)
	@mkdir -p $(dir $@)
	@echo "  LD      $(patsubst $(BUILD)/%,build/%,$@)"
	@$(USER_LD) -o $@ $(BASE_CRT0) $(TLS_ST_OBJ) $(KIDE_LIB_test-common) $(KTLS_LIBS) $(COMP_LIB) $(BASE_LIB)

-include $(TLS_BR_OBJS:.o=.d) $(KTLS_OBJS:.o=.d) $(TLS_ST_OBJ:.o=.d)

# ---- host tests ---------------------------------------------------------
# The same files for the host with ASan and UBSan (test_ktls: cmocka, and
# OpenSSL 3 as the peer and as the judge of the certificates ktls writes),
# the fuzzer with libFuzzer, and the check that the freestanding objects
# need nothing but the base library's string functions.
TLS_HOST_OUT := $(TLS_OUT)/host
# The host's extra warnings BearSSL trips: -Wshadow (ssl_ccert_single_ec.c
# reuses a local's name in an inner block; harmless, and not ours to change).
TLS_BR_HOST_RELAX := -Wno-shadow
TLS_HOST_CFLAGS := $(HOST_CSTD) $(HOST_WARN) -O1 -g -D_GNU_SOURCE $(SAN_FLAGS) $(KTLS_CFLAGS)
TLS_HOST_SRCS = $(addprefix $(BEARSSL_TOP)/src/,$(TLS_BR_FILES)) $(addprefix $(TLS_DIR)/,$(KTLS_FILES) seeder.c)
TLS_TEST := $(TLS_HOST_OUT)/test_ktls
TLS_FUZZ := $(TLS_OUT)/fuzz/fuzz_ktls
TLS_FUZZ_SECONDS ?= 300

$(TLS_HOST_OUT)/bearssl/%.o: $(BEARSSL_TOP)/src/%.c $(TLS_STAMP) $(TLS_DIR)/build.mk
	@mkdir -p $(dir $@)
	@$(HOST_CC) $(TLS_HOST_CFLAGS) -I$(BEARSSL_TOP)/src $(TLS_BR_RELAX) $(TLS_BR_HOST_RELAX) -c $< -o $@

$(TLS_HOST_OUT)/%.o: $(TLS_DIR)/%.c $(TLS_STAMP) $(TLS_DIR)/build.mk $(KTLS_HDRS)
	@mkdir -p $(dir $@)
	@$(HOST_CC) $(TLS_HOST_CFLAGS) -c $< -o $@

TLS_HOST_OBJS := $(patsubst %.c,$(TLS_HOST_OUT)/bearssl/%.o,$(TLS_BR_FILES)) \
                 $(patsubst %.c,$(TLS_HOST_OUT)/%.o,$(KTLS_FILES) seeder.c)

$(TLS_TEST): $(TLS_DIR)/tests/test_ktls.c $(TLS_HOST_OBJS) $(KTLS_HDRS)
	$(HOST_CC) $(TLS_HOST_CFLAGS) -I$(TLS_DIR) -o $@ $(filter %.c %.o,$^) -lcmocka -lssl -lcrypto

$(TLS_FUZZ): $(TLS_DIR)/tests/fuzz_ktls.c $(TLS_STAMP) $(KTLS_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fno-sanitize-recover=undefined -Wall -Wextra -Werror \
	    -Wno-unused-parameter $(KTLS_CFLAGS) -I$(BEARSSL_TOP)/src -o $@ $< $(TLS_HOST_SRCS)

define tls_fs_check
ld -r -o $(TLS_OUT)/fs/tls-all.o $(TLS_BR_OBJS) $(TLS_OUT)/fs/seeder.o $(KTLS_OBJS) && \
undef=$$(nm -u $(TLS_OUT)/fs/tls-all.o | awk '{print $$2}' | grep -vxE 'memcpy|memmove|memset|memcmp|strlen'); \
if [ -z "$$undef" ]; then \
    echo "os/lib/tls: freestanding objects need only the base library's memcpy/memmove/memset/memcmp/strlen"; \
    $(call write_result,os-tls-freestanding,1,0,0); \
else \
    echo "os/lib/tls: freestanding objects need undefined symbols:"; echo "$$undef"; \
    $(call write_result,os-tls-freestanding,0,1,0); rc=1; \
fi
endef

tls-test:
	@$(MAKE) --no-print-directory tls >/dev/null 2>&1; \
	if [ ! -f $(TLS_STAMP) ] && [ -f $(BEARSSL_PROJ)/unavailable ]; then \
	    for s in os-tls-unit os-tls-fuzz os-tls-freestanding; do \
	        echo "$$s: skipped: $$(cat $(BEARSSL_PROJ)/unavailable)"; \
	        $(call write_result,$$s,0,0,1); done; exit 0; fi; \
	rc=0; $(MAKE) --no-print-directory $(TLS_TEST) $(TLS_FUZZ) $(TLS_BR_OBJS) $(KTLS_OBJS) || exit 1; \
	BUILD=$(BUILD) $(TOP)/mk/cmocka-result.sh os-tls-unit $(TLS_TEST) || rc=1; \
	$(call run_fuzz,os-tls-fuzz,$(TLS_FUZZ),$(TLS_DIR)/tests/corpus,$(FUZZ_SECONDS)); \
	$(tls_fs_check); \
	exit $$rc

tls-fuzz:
	@$(MAKE) --no-print-directory $(TLS_FUZZ) && rc=0 && \
	$(call run_fuzz,os-tls-fuzz,$(TLS_FUZZ),$(TLS_DIR)/tests/corpus,$(TLS_FUZZ_SECONDS)); exit $$rc
