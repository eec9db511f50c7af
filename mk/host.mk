# SPDX-License-Identifier: MIT
# Flags every host-side tool and host unit test is built with.
#
# Include it from a part's Makefile. With SANITIZE=1 (the test run sets it) the
# objects go to a separate directory and carry AddressSanitizer and
# UndefinedBehaviorSanitizer, so a plain build and a checked build never mix.

TOP   ?= $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
BUILD ?= $(TOP)/build

HOST_CC      ?= cc
HOST_CSTD    := -std=gnu11
HOST_WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter
HOST_CFLAGS  := $(HOST_CSTD) $(HOST_WARN) -O2 -g -D_GNU_SOURCE -MMD -MP
HOST_LDFLAGS :=

SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
             -fno-omit-frame-pointer

ifeq ($(SANITIZE),1)
HOST_CFLAGS  += $(SAN_FLAGS) -O1
HOST_LDFLAGS += $(SAN_FLAGS)
HOST_VARIANT := san
else
HOST_VARIANT := rel
endif

# Fuzzers are built with clang's libFuzzer; 'make test' runs each for a short,
# bounded time, 'make fuzz' for longer.
FUZZ_CC      := clang-14
FUZZ_CFLAGS  := $(HOST_CSTD) -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined
FUZZ_SECONDS ?= 10

# write_result SUITE PASSED FAILED SKIPPED: record a suite's result for
# mk/run-suites.sh.
define write_result
mkdir -p $(BUILD)/results && echo "$(2) $(3) $(4)" > $(BUILD)/results/$(1)
endef
