# SPDX-License-Identifier: MIT
# The checking build of the kernel: the same sources with KIDE_POISON, so
# freed kernel memory is filled with a pattern that every allocation checks
# (os/kernel/mem.c), and KIDE_LOCK_CHECK, so a hold of the big lock beyond a
# bound panics (os/kernel/lock.c). The fuzz runs (kfuzz) boot it: a use
# after free or an unbounded cost panics, naming it, instead of passing by
# chance.
# Included by os/Makefile after the kernel's own objects are defined.
KPOUT             := $(OSB)/kernel-poison
KERNEL_POISON_ELF := $(KPOUT)/kide.elf
KERNEL_POISON_BIN := $(KPOUT)/kide.bin
KPOBJ             := $(patsubst $(KOUT)/%,$(KPOUT)/%,$(KOBJ))

.PHONY: kernel-poison
kernel-poison: $(KERNEL_POISON_BIN)

$(KPOUT)/%.o: $(KDIR)/%.c $(GEN_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<) (poison)"
	@$(CC) $(KCFLAGS) -DKIDE_POISON -DKIDE_LOCK_CHECK -c $< -o $@

# The system-call trace setting (os/Makefile) applies here too.
$(KPOUT)/syscall.o: $(KOUT)/syscall-trace

$(KPOUT)/lib/elf.o: $(TOP)/os/lib/elf/elf.c $(GEN_HDRS)
	@mkdir -p $(dir $@)
	@$(CC) $(KCFLAGS) -DKIDE_POISON -DKIDE_LOCK_CHECK -c $< -o $@

$(KPOUT)/lib/string.o: $(TOP)/os/lib/base/string.c $(GEN_HDRS)
	@mkdir -p $(dir $@)
	@$(CC) $(KCFLAGS) -DKIDE_POISON -DKIDE_LOCK_CHECK -fno-tree-loop-distribute-patterns \
	    -I$(TOP)/os/lib/base/include -c $< -o $@

$(KPOUT)/%.o: $(KDIR)/%.S
	@mkdir -p $(dir $@)
	@$(CC) $(KCFLAGS) -DKIDE_POISON -DKIDE_LOCK_CHECK -D__ASSEMBLY__ -c $< -o $@

$(KERNEL_POISON_ELF): $(KPOBJ) $(KDIR)/arch/x86_64/linker.ld
	@echo "  LD      $(patsubst $(TOP)/%,%,$@)"
	@$(LD) -n -nostdlib -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments \
	    -T $(KDIR)/arch/x86_64/linker.ld -o $@ $(KPOBJ)

$(KERNEL_POISON_BIN): $(KERNEL_POISON_ELF)
	$(OBJCOPY) -O binary $< $@

-include $(KPOBJ:.o=.d)
