# SPDX-License-Identifier: MIT
# test-depot: the depot-verify scenario's component (os/components/tests/README.md).
# Built by hand rather than by kide_component, like os/net: it links
# libkide_depot.a, whose sources are imported by goa (os/lib/depot/build.mk),
# and `components` (make all) must not fail when Debian's archive is
# unreachable; `depot` builds it, or writes test-depot.unavailable (the
# scenario is then skipped, mk-image.sh exit 3).

TDEPOT_DIR := $(TOP)/os/components/tests/test-depot
TDEPOT_OUT := $(OSB)/components/tests/test-depot
TDEPOT_ELF := $(BIN)/test-depot
TDEPOT_FX := $(TDEPOT_OUT)/signed
TDEPOT_OBJS := $(TDEPOT_OUT)/main.o $(TDEPOT_OUT)/blobs.o

$(TDEPOT_FX)/archive.sig: $(DEPOT_FIXTURE)/done $(DEPOT_DIR)/tests/make-signed.sh
	@$(DEPOT_DIR)/tests/make-signed.sh $(DEPOT_FIXTURE) $(TDEPOT_FX)
$(TDEPOT_OUT)/main.o: $(TDEPOT_DIR)/main.c $(DEPOT_HDRS) $(BASE_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      os/components/tests/test-depot/main.c"
	@$(USER_CC) $(USER_CFLAGS) $(COMP_CFLAGS) $(KIDE_DEPOT_CFLAGS) -c $< -o $@
$(TDEPOT_OUT)/blobs.o: $(TDEPOT_DIR)/blobs.S $(TDEPOT_FX)/archive.sig
	@mkdir -p $(dir $@)
	@$(USER_CC) -c -Wa,-I,$(TDEPOT_FX) $< -o $@
$(TDEPOT_ELF): $(TDEPOT_OBJS) $(KIDE_DEPOT_LIB) $(BASE_CRT0) $(COMP_LIB) $(BASE_LIB) $(USER_LDS)
	@mkdir -p $(dir $@)
	@echo "  LD      $(patsubst $(BUILD)/%,build/%,$@)"
	@$(USER_LD) -o $@ $(BASE_CRT0) $(TDEPOT_OBJS) $(KIDE_DEPOT_LIB) $(COMP_LIB) $(BASE_LIB)

# When goa's binary is not built yet, net (whose import builds it) goes
# first, so a parallel make all never runs two builds of goa at once.
.PHONY: depot
depot: $(COMP_LIB) $(BASE_LIB) $(BASE_CRT0) $(USER_LDS) $(if $(wildcard $(BUILD)/goa/rel/goa),,| net)
	@rc=0; $(MAKE) --no-print-directory depot-import || rc=$$?; \
	if [ $$rc -eq 3 ]; then mkdir -p $(BIN); \
	    echo "os/lib/depot: libsodium's or xz-utils' sources are unavailable" >$(TDEPOT_ELF).unavailable; exit 0; fi; \
	[ $$rc -eq 0 ] || exit 1; rm -f $(TDEPOT_ELF).unavailable; \
	$(MAKE) --no-print-directory $(KIDE_DEPOT_LIB) $(TDEPOT_ELF)
