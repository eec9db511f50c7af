# SPDX-License-Identifier: MIT
# os/posix/vfs: the POSIX runtime's VFS (included by os/Makefile after
# mk/component.mk, os/lib/build.mk and os/posix/config/build.mk, before the
# runtime os/posix/build.mk that links it).
#
# Provides:
#   the library posix-vfs (kide_library, on posix-config): the VFS, its Kide
#                      backend and vfs_config_from_posix; the runtime lists it in
#                      its kide_component libraries (include path -I os/posix/vfs)
#   posix-vfs-lib      builds it
#   $(VFS_SRCS)        the VFS's sources for the runtime component (freestanding
#                      clean: <stddef.h>, <stdint.h>, <stdbool.h> and the base
#                      library's string functions), without a backend
#   $(VFS_KIDE_SRCS)   the Kide backend (backend_kide.c) and the adapter from
#                      struct posix_config (vfs_posix.c), for the component only
#   $(VFS_CFLAGS)      include flags for the runtime (-I os/posix/vfs)
#   vfs-test           cmocka host tests under ASan+UBSan (suite os-posix-vfs-unit),
#                      the freestanding check (os-posix-vfs-freestanding) and the
#                      fuzzer for $(FUZZ_SECONDS) s (os-posix-vfs-fuzz)
#   vfs-fuzz           the fuzzer for VFS_FUZZ_SECONDS (default 300)
# Needs from the includer: TOP, BUILD, OSB, mk/host.mk, mk/component.mk, run_fuzz and the
# json variables (os/lib/build.mk), the library posix-config and POSIX_CONFIG_*
# (os/posix/config/build.mk).

VFS_DIR := $(TOP)/os/posix/vfs
VFS_OUT := $(OSB)/posix/vfs
VFS_SRCS := $(addprefix $(VFS_DIR)/,vfs_core.c vfs_node.c vfs_path.c vfs_fd.c vfs_file.c vfs_rw.c \
              vfs_open.c vfs_dir.c vfs_attr.c vfs_pipe.c vfs_poll.c vfs_epoll.c vfs_stdio.c \
              vfs_init.c vfs_table.c)
VFS_KIDE_SRCS := $(VFS_DIR)/backend_kide.c $(VFS_DIR)/vfs_waitq.c $(VFS_DIR)/vfs_posix.c
VFS_HDRS := $(wildcard $(VFS_DIR)/*.h)
VFS_CFLAGS := -I$(VFS_DIR)
VFS_LIB_SRCS := $(patsubst $(VFS_DIR)/%,%,$(VFS_SRCS) $(VFS_KIDE_SRCS))
$(eval $(call kide_library,posix-vfs,$(VFS_LIB_SRCS),posix-config))
VFS_HOST_SRCS := $(VFS_DIR)/tests/backend_host.c $(VFS_DIR)/tests/uaccess_fake.c $(VFS_DIR)/vfs_waitq.c
VFS_TEST_SRCS := $(VFS_DIR)/tests/test_vfs.c $(VFS_DIR)/tests/test_vfs_fs.c \
                 $(VFS_DIR)/tests/test_vfs_io.c $(VFS_DIR)/tests/test_vfs_abi.c \
                 $(VFS_DIR)/tests/test_vfs_config.c
VFS_TEST := $(VFS_OUT)/san/test_vfs
VFS_FUZZ := $(VFS_OUT)/fuzz/fuzz_vfs
VFS_FUZZ_SECONDS ?= 300

# The freestanding flags of native components (os/lib/base/build.mk's
# USER_CFLAGS without its include paths), to prove the VFS builds there and
# needs nothing but the base library's string functions and uaccess.
VFS_FS_CFLAGS := -std=gnu11 -ffreestanding -fno-stack-protector -fno-pic -fno-pie -nostdlib \
                 -static -mno-red-zone -O2 -g -Wall -Wextra -Werror \
                 -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables \
                 -mgeneral-regs-only -mcmodel=large
VFS_FS_ALLOWED := memcmp memcpy memmove memset strcmp strlen strncmp strnlen \
                  posix_copy_in posix_copy_out posix_copy_path posix_user_ok
VFS_FS_OBJS := $(patsubst $(VFS_DIR)/%.c,$(VFS_OUT)/freestanding/%.o,$(VFS_SRCS))

.PHONY: vfs-test vfs-fuzz vfs-freestanding posix-vfs-lib
posix-vfs-lib: $(KIDE_LIB_posix-vfs)

$(VFS_OUT)/freestanding/%.o: $(VFS_DIR)/%.c $(VFS_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<) (freestanding check)"
	@gcc $(VFS_FS_CFLAGS) -c $< -o $@

# vfs_fs_check: link the objects into one and allow only VFS_FS_ALLOWED
# undefined (a libc call or a compiler-emitted helper fails here, not at the
# runtime's link).
define vfs_fs_check
ld -r -o $(VFS_OUT)/freestanding/vfs-all.o $(VFS_FS_OBJS) && \
extra=$$(nm -u $(VFS_OUT)/freestanding/vfs-all.o | awk '{print $$2}' | grep -vxF $(patsubst %,-e %,$(VFS_FS_ALLOWED))); \
if [ -z "$$extra" ]; then \
    echo "os/posix/vfs: freestanding objects need only the base string functions and uaccess"; \
    $(call write_result,os-posix-vfs-freestanding,1,0,0); \
else \
    echo "os/posix/vfs: freestanding objects need undefined symbols:"; echo "$$extra"; \
    $(call write_result,os-posix-vfs-freestanding,0,1,0); rc=1; \
fi
endef

vfs-freestanding: $(VFS_FS_OBJS)
	@rc=0; $(vfs_fs_check); exit $$rc

$(VFS_TEST): $(VFS_TEST_SRCS) $(VFS_SRCS) $(VFS_HOST_SRCS) $(VFS_HDRS) $(VFS_DIR)/tests/host.h \
             $(VFS_DIR)/tests/tests.h $(VFS_DIR)/vfs_posix.c $(POSIX_CONFIG_SRCS) $(POSIX_CONFIG_HDRS) \
             $(JSON_SRCS) $(JSON_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(LIB_SAN_CFLAGS) $(POSIX_CONFIG_INC) -o $@ $(VFS_TEST_SRCS) $(VFS_SRCS) \
	    $(VFS_HOST_SRCS) $(VFS_DIR)/vfs_posix.c $(POSIX_CONFIG_SRCS) $(JSON_SRCS) -lcmocka -lpthread

$(VFS_FUZZ): $(VFS_DIR)/tests/fuzz_vfs.c $(VFS_SRCS) $(VFS_HOST_SRCS) $(VFS_HDRS) $(VFS_DIR)/tests/host.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fno-sanitize-recover=undefined -o $@ $< $(VFS_SRCS) $(VFS_HOST_SRCS) -lpthread

vfs-test: $(VFS_TEST) $(VFS_FUZZ) $(VFS_FS_OBJS)
	@rc=0; \
	BUILD=$(BUILD) $(TOP)/mk/cmocka-result.sh os-posix-vfs-unit $(VFS_TEST) || rc=1; \
	$(vfs_fs_check) || rc=1; \
	$(call run_fuzz,os-posix-vfs-fuzz,$(VFS_FUZZ),$(VFS_DIR)/tests/corpus,$(FUZZ_SECONDS)); \
	exit $$rc

vfs-fuzz: $(VFS_FUZZ)
	@rc=0; \
	$(call run_fuzz,os-posix-vfs-fuzz,$(VFS_FUZZ),$(VFS_DIR)/tests/corpus,$(VFS_FUZZ_SECONDS)); \
	exit $$rc
