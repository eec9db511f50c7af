# SPDX-License-Identifier: MIT
# os/lib/tls: what a component using ktls needs (docs/tls.md), included by
# os/Makefile after mk/component.mk and before the components' build.mk
# files; the rules are in os/lib/tls/build.mk (included after them).
#
# Provides:
#   $(KTLS_CFLAGS)   include flags and BearSSL's configuration for users of <kide/ktls.h>
#   $(KTLS_LIBS)     what a component links for ktls, in this order: libktls.a libbearssl.a
#   $(TLS_STAMP)     the BearSSL import's stamp (BearSSL's headers exist after it)
#   ktls_component   $(eval $(call ktls_component,NAME,DIR,SOURCES,LIBS)): the native
#                    component $(BIN)/NAME from SOURCES (relative to DIR, usually
#                    $(kide_here)) with the runtime, the libraries LIBS (made by
#                    kide_library, e.g. test-common) and ktls. Like kide_component, but
#                    built by `make -C os tls` after the import rather than by
#                    `components`, so that make all still builds when Debian's archive
#                    is unreachable (the component is then reported unavailable).
# Needs from the includer: TOP, OSB, BIN, USER_CFLAGS, and at expansion the runtime's
# variables (USER_CC, USER_LD, COMP_CFLAGS, BASE_CRT0, COMP_LIB, BASE_LIB, USER_LDS, BASE_HDRS).

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

# ktls_component NAME, DIR, SOURCES, LIBS (see above). Objects go to
# $(TLS_OUT)/comp/NAME/.
ktls_objects = $(patsubst %.c,$(TLS_OUT)/comp/$(1)/%.o,$(2))
define ktls_component
$(foreach l,$(4),$(call kide_lib_check,$(l)))
KTLS_COMPONENT_ELFS += $(BIN)/$(1)
KTLS_COMPONENT_LIBS += $(4)
KIDE_ELF_$(1) := $(BIN)/$(1)
$(call ktls_objects,$(1),$(3)): $(TLS_OUT)/comp/$(1)/%.o: $(2)/%.c $$(TLS_STAMP) $$(KTLS_HDRS) $$(BASE_HDRS)
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$(patsubst $$(TOP)/%,%,$$<)"
	@$$(USER_CC) $$(TLS_FS_CFLAGS) $$(COMP_CFLAGS) $(foreach l,$(4),$(KIDE_LIB_INC_$(l))) -c $$< -o $$@
-include $(patsubst %.o,%.d,$(call ktls_objects,$(1),$(3)))
$(BIN)/$(1): $(call ktls_objects,$(1),$(3)) $(foreach l,$(4),$(KIDE_LIB_$(l))) $$(KTLS_LIBS) \
        $$(BASE_CRT0) $$(COMP_LIB) $$(BASE_LIB) $$(USER_LDS)
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$(patsubst $$(BUILD)/%,build/%,$$@)"
	@$$(USER_LD) -o $$@ $$(BASE_CRT0) $(call ktls_objects,$(1),$(3)) $(foreach l,$(4),$(KIDE_LIB_$(l))) \
	    $$(KTLS_LIBS) $$(COMP_LIB) $$(BASE_LIB)
endef
