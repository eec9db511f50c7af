#!/usr/bin/awk -f
# SPDX-License-Identifier: MIT
# Generate from os/kernel/syscalls.tab one of:
#   -v out=dispatch  the kernel's dispatch list: SYSCALL(nr, name)
#   -v out=stubs     user-space stubs: static inline int kide_<name>(...)
#   -v out=doc       the per-call sections of docs/kernel.md (Markdown)
# The table is the single source; see the comment at its top.

function flush() {
    if (name == "")
        return
    if (out == "dispatch") {
        printf "SYSCALL(%d, %s)\n", nr, name
    } else if (out == "stubs") {
        emit_stub()
    } else if (out == "doc") {
        emit_doc()
    }
    name = ""; nargs = 0; nres = 0; nstat = 0; ntext = 0
    summary = ""; rights = ""; charged = ""
}

function emit_stub(   i, sig, word, flags, aux, regs, s) {
    sig = ""; flags = "0"; aux = "0"
    for (i = 1; i <= 6; i++) regs[i] = "0"
    for (i = 0; i < nargs; i++) {
        sig = sig (sig == "" ? "" : ", ") "kide_u64 " argname[i]
        if (argslot[i] == "flags") flags = argname[i]
        else if (argslot[i] == "aux") aux = argname[i]
        else regs[substr(argslot[i], 2) + 0] = argname[i]
    }
    for (i = 0; i < nres; i++)
        sig = sig (sig == "" ? "" : ", ") "kide_u64 *" resname[i]
    if (sig == "") sig = "void"
    printf "/** %s */\n", summary
    printf "static inline int kide_%s(%s)\n{\n", name, sig
    printf "    kide_u64 r[3];\n"
    printf "    int rc = kide_syscall(KIDE_SYS_WORD(%d, %s, %s), %s, %s, %s, %s, %s, %s, r);\n", \
        nr, flags, aux, regs[1], regs[2], regs[3], regs[4], regs[5], regs[6]
    for (i = 0; i < nres; i++)
        printf "    if (%s)\n        *%s = r[%d];\n", resname[i], resname[i], substr(resslot[i], 2) - 1
    printf "    return rc;\n}\n\n"
}

function emit_doc(   i) {
    printf "### `%s` (%d)\n\n%s\n\n", name, nr, summary
    if (nargs > 0) {
        printf "| argument | meaning |\n|---|---|\n"
        for (i = 0; i < nargs; i++)
            printf "| %s `%s` | %s |\n", argslot[i], argname[i], argtext[i]
        printf "\n"
    }
    if (nres > 0) {
        printf "| result | meaning |\n|---|---|\n"
        for (i = 0; i < nres; i++)
            printf "| %s `%s` | %s |\n", resslot[i], resname[i], restext[i]
        printf "\n"
    }
    if (rights != "") printf "**Rights:** %s\n\n", rights
    if (charged != "") printf "**Charged:** %s\n\n", charged
    for (i = 0; i < ntext; i++) printf "%s\n\n", text[i]
    printf "| status | cause |\n|---|---|\n"
    for (i = 0; i < nstat; i++)
        printf "| `KIDE_%s` | %s |\n", statcode[i], stattext[i]
    printf "\n"
}

function rest(n,   s, i) {
    s = ""
    for (i = n; i <= NF; i++) s = s (i > n ? " " : "") $i
    return s
}

BEGIN { nargs = 0; nres = 0; nstat = 0; ntext = 0 }

/^[ \t]*#/ || /^[ \t]*$/ { next }

$1 == "syscall" { flush(); name = $2; nr = $3; next }
$1 == "summary" { summary = rest(2); next }
$1 == "arg"     { argslot[nargs] = $2; argname[nargs] = $3; argtext[nargs] = rest(4); nargs++; next }
$1 == "res"     { resslot[nres] = $2; resname[nres] = $3; restext[nres] = rest(4); nres++; next }
$1 == "rights"  { rights = rest(2); next }
$1 == "charged" { charged = rest(2); next }
$1 == "status"  { statcode[nstat] = $2; stattext[nstat] = rest(3); nstat++; next }
$1 == "text"    { text[ntext++] = rest(2); next }
{ printf "syscalls.tab:%d: unknown keyword '%s'\n", NR, $1 > "/dev/stderr"; bad = 1; exit 1 }

END {
    if (bad) exit 1
    flush()
}
