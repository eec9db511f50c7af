# SPDX-License-Identifier: MIT
# test-pkgbig: the 1 MiB program the management-plane benchmark installs as a
# package (os/bench/kuori-run.py; os/components/tests/README.md). Written out
# by hand rather than with kide_component because its link adds the blob's
# object (blob.S, with blob.bin from blob.sh).

TPBIG_DIR  := $(TOP)/os/components/tests/test-pkgbig
TPBIG_OUT  := $(OSB)/components/tests/test-pkgbig
TPBIG_OBJS := $(TPBIG_OUT)/main.o $(TPBIG_OUT)/blob.o
KIDE_ELF_test-pkgbig := $(BIN)/test-pkgbig
KIDE_COMPONENT_ELFS += $(BIN)/test-pkgbig

$(TPBIG_OUT)/blob.bin: $(TPBIG_DIR)/blob.sh
	@mkdir -p $(dir $@)
	@$< $@
$(TPBIG_OUT)/main.o: $(TPBIG_DIR)/main.c $(KIDE_RT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      os/components/tests/test-pkgbig/main.c"
	@$(KIDE_RT_CC) $(KIDE_RT_CFLAGS) -c $< -o $@
$(TPBIG_OUT)/blob.o: $(TPBIG_DIR)/blob.S $(TPBIG_OUT)/blob.bin
	@$(USER_CC) -c -Wa,-I,$(TPBIG_OUT) $< -o $@
$(BIN)/test-pkgbig: $(TPBIG_OBJS) $(KIDE_RT_START) $(KIDE_RT_LIBS) $(KIDE_RT_LDDEPS)
	@mkdir -p $(dir $@)
	@echo "  LD      $(patsubst $(BUILD)/%,build/%,$@)"
	@$(KIDE_RT_LD) -o $@ $(KIDE_RT_START) $(TPBIG_OBJS) $(KIDE_RT_LIBS)
.PHONY: test-pkgbig
test-pkgbig: $(BIN)/test-pkgbig
