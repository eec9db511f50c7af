# SPDX-License-Identifier: MIT
# os/hoitaja: the habitat manager (docs/hoitaja.md). Provides $(HOITAJA_ELF),
# targets hoitaja, hoitaja-test (host unit tests), hoitaja-fuzz.
HOITAJA_ELF := $(BIN)/hoitaja
.PHONY: hoitaja hoitaja-test hoitaja-fuzz
hoitaja:
hoitaja-test:
hoitaja-fuzz:
