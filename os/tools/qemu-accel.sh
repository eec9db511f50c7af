#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Print the QEMU accelerator to use: "kvm" when /dev/kvm opens read-write and
# QEMU can really start with it (a device node alone is not enough), else
# "tcg". Never -cpu host: it aborts under KVM on our machines.
if [ -c /dev/kvm ] && (exec 3<>/dev/kvm) 2>/dev/null &&
	echo quit | timeout 20 qemu-system-x86_64 -accel kvm -machine none -display none \
		-nodefaults -no-user-config -monitor stdio >/dev/null 2>&1; then
	echo kvm
else
	echo tcg
fi
