# SPDX-License-Identifier: MIT
# Kide: the one entry point for building, running, testing and benchmarking.
#
# Every part of the repository (os/, registry/, goa/, ...) has its own Makefile
# with the targets all, test, bench, fuzz and clean; this file only orders them
# and installs the Debian packages they need first. The contract each part
# follows is written down in docs/development.md.

TOP   := $(CURDIR)
BUILD := $(TOP)/build
export TOP BUILD

# Build order matters: goa's tests use the registry binary and the OS image;
# tests/ (the POSIX differential suite) boots the OS image, so it comes last.
PARTS := $(patsubst %/Makefile,%,$(wildcard os/Makefile registry/Makefile \
           goa/Makefile kuori-agent/Makefile kuori/Makefile tests/Makefile))

SCENARIO ?= default
export SCENARIO

.PHONY: deps all run test test-matrix bench fuzz iso image clean help check-style

help:
	@echo "make run       build everything and boot the default platform in QEMU"
	@echo "make test      build everything and run every test suite"
	@echo "make test-matrix   the kernel suite and the platform on every tested machine"
	@echo "               configuration (q35, server CPUs, 16 CPUs, 8 GiB, x2APIC; docs/kernel.md)"
	@echo "make check-style   the house style alone: .clang-format and function size (docs/development.md)"
	@echo "make deps      install the Debian packages the build and tests need"
	@echo "make all       build everything"
	@echo "make bench     run the benchmarks (see docs/benchmarks.md)"
	@echo "make fuzz      run every fuzzer for longer than make test does"
	@echo "make iso       build a bootable GRUB ISO of the kernel test suite (BIOS and UEFI)"
	@echo "make image SCENARIO=<name>   build the boot image of a scenario"
	@echo "make clean     remove build/"

deps:
	@mk/deps.sh

all: deps
	@set -e; for p in $(PARTS); do $(MAKE) --no-print-directory -C $$p all; done

run: all
	@$(MAKE) --no-print-directory -C os run

image: deps
	@$(MAKE) --no-print-directory -C os image

iso: deps
	@$(MAKE) --no-print-directory -C os iso

test: all
	@mk/run-suites.sh $(PARTS)

# The house style, also the first two suites of make test (format and
# function-size): every C file follows .clang-format, no function of the
# product code is over 100 lines or complexity 30 unless mk/function-allow.txt
# says why. Both run even if the first fails.
check-style: deps
	@rc=0; mk/format-check.sh || rc=1; mk/function-check.sh || rc=1; exit $$rc

# The machine matrix (os/tools/test-matrix.sh), then its results added up as
# mk/run-suites.sh adds up make test's: one line per suite and the total.
test-matrix: deps
	@rm -f $(BUILD)/results/matrix-*; rc=0; \
	$(MAKE) --no-print-directory -C os test-matrix || rc=1; \
	passed=0 failed=0 skipped=0 n=0; echo; echo "=== summary"; \
	for f in $(BUILD)/results/matrix-*; do [ -f "$$f" ] || continue; \
	    read -r p fl s < "$$f" || true; p=$${p:-0} fl=$${fl:-1} s=$${s:-0}; n=$$((n + 1)); \
	    printf '%-40s %5d passed %5d failed %5d skipped\n' "$$(basename "$$f")" "$$p" "$$fl" "$$s"; \
	    passed=$$((passed + p)) failed=$$((failed + fl)) skipped=$$((skipped + s)); done; \
	[ "$$n" -gt 0 ] || { echo "no matrix suite ran"; rc=1; }; [ "$$failed" -eq 0 ] || rc=1; \
	echo "QEMU accelerator: $$(os/tools/qemu-accel.sh --why 2>&1)"; \
	echo "total: $$passed passed, $$failed failed, $$skipped skipped"; exit $$rc

bench: all
	@set -e; for p in $(PARTS); do $(MAKE) --no-print-directory -C $$p bench; done

fuzz: deps
	@set -e; for p in $(PARTS); do $(MAKE) --no-print-directory -C $$p fuzz; done

clean:
	rm -rf $(BUILD)
