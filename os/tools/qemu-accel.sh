#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Print the QEMU accelerator to use: "kvm" when /dev/kvm opens read-write,
# else "tcg". (Never -cpu host: it aborts under KVM on our machines.)
if (exec 3<>/dev/kvm) 2>/dev/null; then echo kvm; else echo tcg; fi
