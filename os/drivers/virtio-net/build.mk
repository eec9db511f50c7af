# SPDX-License-Identifier: MIT
# os/drivers/virtio-net: the virtio-net driver (included by os/Makefile).
#
# Provides:
#   virtio-net       the component $(BIN)/virtio-net (kide_component; its device access
#                    waits for the platform session: kide_access.c)
#   vnet-test        host tests of the device logic against a simulated device (cmocka,
#                    ASan+UBSan; suite os-vnet-unit) and the hostile-device fuzzer for
#                    $(FUZZ_SECONDS) s (os-vnet-fuzz)
#   vnet-fuzz        the fuzzer for LIB_FUZZ_SECONDS (default 300)
# Needs from the includer: TOP, BUILD, OSB, BIN, mk/component.mk, mk/host.mk, run_fuzz
# (os/lib/build.mk) and the library nic (os/lib/nic/build.mk).

VNET_DIR  := $(TOP)/os/drivers/virtio-net
VNET_OUT  := $(OSB)/drivers/virtio-net
# The device logic: the same sources on Kide and in the host tests.
VNET_CORE := vio_pci.c virtq.c vnet.c
VNET_HDRS := $(wildcard $(VNET_DIR)/*.h) $(TOP)/os/abi/kide/status.h $(NIC_HDRS)
VNET_TEST := $(VNET_OUT)/san/test_vnet
VNET_FUZZ := $(VNET_OUT)/fuzz/fuzz_vnet
VNET_HOST_SRCS := $(addprefix $(VNET_DIR)/,$(VNET_CORE) nic_pump.c) $(VNET_DIR)/tests/sim.c \
                  $(NIC_SRCS)
VNET_HOST_DEPS := $(VNET_HOST_SRCS) $(VNET_HDRS) $(VNET_DIR)/tests/sim.h

$(eval $(call kide_component,virtio-net,main.c nic_pump.c kide_access.c $(VNET_CORE),nic platform-client))

.PHONY: vnet-test vnet-fuzz drivers
drivers: $(KIDE_ELF_virtio-net)

$(VNET_TEST): $(VNET_DIR)/tests/test_vnet.c $(VNET_HOST_DEPS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CSTD) $(HOST_WARN) -O1 -g -D_GNU_SOURCE $(SAN_FLAGS) -I$(TOP)/os/abi -I$(NIC_DIR) \
	    -o $@ $< $(VNET_HOST_SRCS) -lcmocka

$(VNET_FUZZ): $(VNET_DIR)/tests/fuzz_vnet.c $(VNET_HOST_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fno-sanitize-recover=undefined -I$(TOP)/os/abi -I$(NIC_DIR) -o $@ $< \
	    $(VNET_HOST_SRCS)

vnet-test: $(VNET_TEST) $(VNET_FUZZ)
	@rc=0; \
	BUILD=$(BUILD) $(TOP)/mk/cmocka-result.sh os-vnet-unit $(VNET_TEST) || rc=1; \
	$(call run_fuzz,os-vnet-fuzz,$(VNET_FUZZ),,$(FUZZ_SECONDS)); \
	exit $$rc

vnet-fuzz: $(VNET_FUZZ)
	@rc=0; $(call run_fuzz,os-vnet-fuzz,$(VNET_FUZZ),,$(LIB_FUZZ_SECONDS)); exit $$rc

# The device logic against QEMU's real device (tests/qemu/vnet_root.c): a krt root
# task reaching the device through configuration space and its PCI_CFG window,
# until the platform session exists. Suite os-vnet-qemu (one QEMU, TCG or KVM).
VNET_QEMU_OBJS := $(addprefix $(VNET_OUT)/qemu/,vnet_root.o $(VNET_CORE:.c=.o))
VNET_QEMU_ELF  := $(VNET_OUT)/qemu/vnet-qemu-root.elf

$(VNET_OUT)/qemu/vnet_root.o: $(VNET_DIR)/tests/qemu/vnet_root.c $(VNET_HDRS) $(KRT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<)"
	@$(USER_CC) $(USER_CFLAGS) $(KRT_CFLAGS) -c $< -o $@

$(VNET_OUT)/qemu/%.o: $(VNET_DIR)/%.c $(VNET_HDRS) $(KRT_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $(patsubst $(TOP)/%,%,$<) (krt)"
	@$(USER_CC) $(USER_CFLAGS) -c $< -o $@

$(VNET_QEMU_ELF): $(VNET_QEMU_OBJS) $(BASE_CRT0) $(KRT_LIB) $(ELF_LIB) $(BASE_LIB) $(USER_LDS)
	@echo "  LD      $(patsubst $(BUILD)/%,build/%,$@)"
	@$(USER_LD) -o $@ $(BASE_CRT0) $(VNET_QEMU_OBJS) $(KRT_LIB) $(ELF_LIB) $(BASE_LIB)

.PHONY: vnet-qemu-test
# QEMU's link goes down and up through a second monitor: tests/qemu/link.py follows
# the serial log (qemu-run.sh's work directory lands in VNET_QEMU_TMP) and sends
# set_link when the root task asks.
VNET_QEMU_MON = $(VNET_OUT)/qemu/monitor.sock
VNET_QEMU_TMP = $(VNET_OUT)/qemu/tmp
vnet-qemu-test: $(VNET_QEMU_ELF) $(KERNEL_BIN)
	@rm -rf $(VNET_QEMU_MON) $(VNET_QEMU_TMP) && mkdir -p $(VNET_QEMU_TMP); \
	$(VNET_DIR)/tests/qemu/link.py $(VNET_QEMU_MON) $(VNET_QEMU_TMP) & lp=$$!; \
	TMPDIR=$(VNET_QEMU_TMP) $(KT_RUN) --name os-vnet-qemu --timeout 120 \
	    --qemu-arg -netdev --qemu-arg user,id=n0 \
	    --qemu-arg -device --qemu-arg virtio-net-pci,netdev=n0,disable-legacy=on,mac=52:54:00:12:34:56 \
	    --qemu-arg -chardev --qemu-arg socket,id=vnetmon,path=$(VNET_QEMU_MON),server=on,wait=off \
	    --qemu-arg -mon --qemu-arg chardev=vnetmon,mode=readline \
	    --expect 'ktest: vnet-burst: ok' --expect 'ktest: vnet-link-up: ok' $(KT_FAIL) \
	    "$(VNET_QEMU_ELF) link=1"; rc=$$?; kill $$lp 2>/dev/null; wait $$lp 2>/dev/null; exit $$rc

.PHONY: vnet-iommu-test
# The same root on q35 with an Intel IOMMU (intremap=off: Kide does not use
# interrupt remapping; iommu_platform=on: QEMU's virtio device translates its
# DMA). The device gets a PD of its own; iommu=1 adds the confinement checks.
# Suite os-vnet-iommu.
vnet-iommu-test: $(VNET_QEMU_ELF) $(KERNEL_BIN)
	@$(KT_RUN) --name os-vnet-iommu --timeout 180 --machine q35 \
	    --qemu-arg -device --qemu-arg intel-iommu,intremap=off \
	    --qemu-arg -netdev --qemu-arg user,id=n0 \
	    --qemu-arg -device --qemu-arg virtio-net-pci,netdev=n0,disable-legacy=on,iommu_platform=on,mac=52:54:00:12:34:56 \
	    --expect 'kide: iommu: 1 VT-d unit' --expect 'ktest: iommu-after: ok' \
	    --expect 'kide: iommu: DMA fault: device 00:0[0-9a-f]\.0 write at 0x[0-9a-f]+ \(not given to its driver' \
	    $(KT_FAIL) "$(VNET_QEMU_ELF) iommu=1"
