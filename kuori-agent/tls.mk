# SPDX-License-Identifier: MIT
# kuori-agent's binary: libkagent.a (kuori-agent/build.mk) with the agent
# port's TLS glue (net_tls.c) and ktls (os/lib/tls), or with net_none.c when
# BearSSL is unavailable (os/lib/tls's `tls` says so; the agent then serves
# metrics only and logs why). Built like os/lib/tls's own self-test, because
# net_tls.c needs BearSSL's imported headers. Included by os/Makefile after
# os/lib/tls/build.mk.
#
# Provides:
#   $(BIN)/kuori-agent, the phony kuori-agent, and adds it to `components`.
KAGENT_ELF := $(BIN)/kuori-agent
KAGENT_TLS_OBJ := $(KAGENT_OUT)/tls/net_tls.o
KAGENT_LINK_LIBS = $(KIDE_LIB_kagent) $(KIDE_LIB_kide-socket) $(KIDE_LIB_kide-http)

$(KAGENT_TLS_OBJ): $(KAGENT_DIR)/net_tls.c $(KAGENT_HDRS) $(TLS_STAMP) $(BASE_HDRS) $(KTLS_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      kuori-agent/net_tls.c"
	@$(USER_CC) $(TLS_FS_CFLAGS) $(COMP_CFLAGS) $(KIDE_LIB_INC_kagent) $(KIDE_LIB_INC_kide-socket) \
	    $(KIDE_LIB_INC_kide-http) -c $< -o $@

# main.o sits in libkagent.a: -u kide_main pulls it in (the runtime, linked after
# it, is what calls kide_main).
# The `tls` step decides (import or unavailable) before the link looks.
.PHONY: kuori-agent
kuori-agent: tls $(KAGENT_LINK_LIBS) $(BASE_CRT0) $(COMP_LIB) $(BASE_LIB) $(USER_LDS)
	@mkdir -p $(BIN); \
	if [ -f $(TLS_SELFTEST).unavailable ]; then \
	    echo "  LD      build/os/bin/kuori-agent (without TLS: $$(cat $(TLS_SELFTEST).unavailable))"; \
	    $(USER_LD) -u kide_main -o $(KAGENT_ELF) $(BASE_CRT0) $(KAGENT_LINK_LIBS) $(COMP_LIB) $(BASE_LIB); \
	else \
	    $(MAKE) --no-print-directory $(KAGENT_TLS_OBJ) && \
	    echo "  LD      build/os/bin/kuori-agent" && \
	    $(USER_LD) -u kide_main -o $(KAGENT_ELF) $(BASE_CRT0) $(KAGENT_TLS_OBJ) $(KAGENT_LINK_LIBS) $(KTLS_LIBS) \
	        $(COMP_LIB) $(BASE_LIB); \
	fi

components: kuori-agent
-include $(KAGENT_TLS_OBJ:.o=.d)
