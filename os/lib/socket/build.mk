# SPDX-License-Identifier: MIT
# os/lib/socket: the socket session's client library (kide/socket_client.h),
# included by os/Makefile after mk/component.mk and the runtime's build.mk.
#
# Provides:
#   the library kide-socket (kide_library): components list it to link
#   libkide-socket.a and include <kide/socket_client.h> (the calls,
#   socket_client.c; opening the session, socket_open.c; what servers share,
#   socket_server.c)
#   socket-lib       builds it
#   socket-test      host unit test of its request encoding and reply checks
#                    with ASan/UBSan (suite os-socket-client)
# Needs from the includer: TOP, BUILD, OSB, mk/component.mk, the runtime's
# COMP_DIR and mk/host.mk's variables.

SOCK_DIR := $(TOP)/os/lib/socket
$(eval $(call kide_library,kide-socket,socket_client.c socket_open.c socket_server.c))

SOCK_TEST := $(OSB)/lib/socket/san/test_socket_client
SOCK_HOST_CFLAGS := $(HOST_CSTD) $(HOST_WARN) -O1 -g -D_GNU_SOURCE $(SAN_FLAGS) \
                    -I$(TOP)/os/abi -I$(COMP_DIR)/include -I$(COMP_DIR) -I$(SOCK_DIR)

.PHONY: socket-lib socket-test
socket-lib: $(KIDE_LIB_kide-socket)

$(SOCK_TEST): $(SOCK_DIR)/tests/test_socket_client.c $(SOCK_DIR)/socket_client.c \
              $(SOCK_DIR)/kide/socket_client.h $(TOP)/os/abi/kide/socket.h $(COMP_DIR)/msg.c $(BASE_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(SOCK_HOST_CFLAGS) -I$(GEN) -o $@ $< $(SOCK_DIR)/socket_client.c $(COMP_DIR)/msg.c -lcmocka

socket-test: $(SOCK_TEST)
	@BUILD=$(BUILD) $(TOP)/mk/cmocka-result.sh os-socket-client $(SOCK_TEST)
