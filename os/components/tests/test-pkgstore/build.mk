# SPDX-License-Identifier: MIT
# test-pkgstore: the pkg-start scenario's package store (os/components/tests/README.md).
# Built by hand like test-depot (it links libkide_depot.a, imported by goa) and
# by the same `depot` target, which writes test-pkgstore.unavailable when the
# sources cannot be had. Its package is test-pkghello, exported by goa and
# signed by make-pkg.sh.

TPKGS_DIR := $(TOP)/os/components/tests/test-pkgstore
TPKGS_OUT := $(OSB)/components/tests/test-pkgstore
TPKGS_ELF := $(BIN)/test-pkgstore
TPKGS_FX := $(TPKGS_OUT)/signed
TPKGS_OBJS := $(TPKGS_OUT)/main.o $(TPKGS_OUT)/blobs.o

$(TPKGS_FX)/archive.sig: $(KIDE_ELF_test-pkghello) $(TPKGS_DIR)/make-pkg.sh
	@TOP=$(TOP) BUILD=$(BUILD) $(TPKGS_DIR)/make-pkg.sh $(KIDE_ELF_test-pkghello) $(TPKGS_FX)
$(TPKGS_OUT)/main.o: $(TPKGS_DIR)/main.c $(DEPOT_HDRS) $(BASE_HDRS) $(PKG_DIR)/kide/pkg_store.h
	@mkdir -p $(dir $@)
	@echo "  CC      os/components/tests/test-pkgstore/main.c"
	@$(USER_CC) $(USER_CFLAGS) $(COMP_CFLAGS) $(KIDE_DEPOT_CFLAGS) $(KIDE_LIB_INC_kide-pkg) -c $< -o $@
$(TPKGS_OUT)/blobs.o: $(TPKGS_DIR)/blobs.S $(TPKGS_FX)/archive.sig
	@mkdir -p $(dir $@)
	@$(USER_CC) -c -Wa,-I,$(TPKGS_FX) $< -o $@
$(TPKGS_ELF): $(TPKGS_OBJS) $(KIDE_LIB_kide-pkg) $(KIDE_DEPOT_LIB) $(BASE_CRT0) $(COMP_LIB) $(BASE_LIB) $(USER_LDS)
	@mkdir -p $(dir $@)
	@echo "  LD      $(patsubst $(BUILD)/%,build/%,$@)"
	@$(USER_LD) -o $@ $(BASE_CRT0) $(TPKGS_OBJS) $(KIDE_LIB_kide-pkg) $(KIDE_DEPOT_LIB) $(COMP_LIB) $(BASE_LIB)
