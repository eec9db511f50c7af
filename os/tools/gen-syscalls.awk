#!/usr/bin/awk -f
# SPDX-License-Identifier: MIT
# Generate from os/kernel/syscalls.tab one of:
#   -v out=dispatch  the kernel's dispatch list: SYSCALL(nr, name)
#   -v out=args      the kernel's named arguments (os/kernel/syscall.c): per
#                    call a struct sys_<name>_args, its decoder from the trap
#                    frame, a setter of its results, the handler's prototype
#                    and the thunk do_<name> the dispatch table points at
#   -v out=stubs     user-space stubs: static inline int kide_<name>(...)
#   -v out=doc       the per-call sections of docs/kernel.md (Markdown)
# The table is the single source; see the comment at its top. Every output
# is checked the same way first: a malformed line, an unknown type or slot,
# or two names of one call that would collide in a stub (an argument and a
# result, or a name and a stub's local) stops the build naming the line.

# Kernel and stub types of each table type, and which slots may carry it.
BEGIN {
    ktype["sel"] = "kide_sel"; utype["sel"] = "kide_sel"
    ktype["crd"] = "kide_crd"; utype["crd"] = "kide_crd"
    ktype["u64"] = "u64";      utype["u64"] = "kide_u64"
    ktype["u8"] = "u8";        utype["u8"] = "kide_u64"
    ktype["u16"] = "u16";      utype["u16"] = "kide_u64"
    # Frame register of each argument and result slot (syscall.h).
    reg["a1"] = "rdi"; reg["a2"] = "rsi"; reg["a3"] = "rdx"
    reg["a4"] = "r10"; reg["a5"] = "r8";  reg["a6"] = "r9"
    reg["r1"] = "rsi"; reg["r2"] = "rdx"; reg["r3"] = "r10"
    # The locals of a generated stub: no argument or result may take them.
    local["r"] = 1; local["rc"] = 1
    nargs = 0; nres = 0; nstat = 0; ntext = 0
}

function fail(msg) {
    printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
    bad = 1
    exit 1
}

# Check a new argument or result line ($1 arg|res, $2 slot, $3 type, $4 name).
function check_item(   i) {
    if (name == "")
        fail("'" $1 "' before the first 'syscall' line")
    if (NF < 5)
        fail("expected '" $1 " SLOT TYPE NAME TEXT'")
    if ($1 == "arg" && $2 == "flags" && $3 != "u8")
        fail("the flags slot is 8 bits: its type is u8, not '" $3 "'")
    else if ($1 == "arg" && $2 == "aux" && $3 != "u16")
        fail("the aux slot is 16 bits: its type is u16, not '" $3 "'")
    else if (($1 == "arg" && $2 ~ /^a[1-6]$/) || ($1 == "res" && $2 ~ /^r[1-3]$/)) {
        if ($3 != "sel" && $3 != "crd" && $3 != "u64")
            fail("type '" $3 "' of " $2 " is not sel, crd or u64")
    } else if ($1 == "arg" && $2 != "flags" && $2 != "aux")
        fail("argument slot '" $2 "' is not flags, aux or a1..a6")
    else if ($1 == "res" && $2 !~ /^r[1-3]$/)
        fail("result slot '" $2 "' is not r1..r3")
    if ($4 !~ /^[a-z][a-z0-9_]*$/)
        fail("name '" $4 "' is not a lower-case C identifier")
    if ($4 in local)
        fail(name ": '" $4 "' is a local of the generated stub kide_" name "; rename it")
    if ($2 in slotline)
        fail(name ": slot " $2 " is already taken on line " slotline[$2])
    if ($4 in nameline)
        fail(name ": '" $4 "' already names " nameslot[$4] " on line " nameline[$4] \
             " (the stub kide_" name " takes arguments and results as parameters, so every name must differ)")
    slotline[$2] = NR; nameline[$4] = NR; nameslot[$4] = $2
}

function flush() {
    if (name == "")
        return
    if (out == "dispatch") {
        printf "SYSCALL(%d, %s)\n", nr, name
    } else if (out == "args") {
        emit_args()
    } else if (out == "stubs") {
        emit_stub()
    } else if (out == "doc") {
        emit_doc()
    }
    name = ""; nargs = 0; nres = 0; nstat = 0; ntext = 0
    summary = ""; rights = ""; charged = ""
    delete slotline; delete nameline; delete nameslot
}

# The kernel side of one call. The struct is the handler's only view of
# its arguments: decoded from the frame once, before any check.
function emit_args(   i, s, proto) {
    printf "/* %s (%d): %s */\n", name, nr, summary
    if (nargs > 0) {
        printf "struct sys_%s_args {\n", name
        for (i = 0; i < nargs; i++)
            printf "    %s %s; /**< %s: %s */\n", ktype[argtype[i]], argname[i], argslot[i], argtext[i]
        printf "};\n\n"
        printf "static inline void sys_%s_decode(const struct frame *f, struct sys_%s_args *a)\n{\n", name, name
        for (i = 0; i < nargs; i++) {
            s = argslot[i]
            if (s == "flags")
                printf "    a->%s = (u8)(f->rax >> 8);\n", argname[i]
            else if (s == "aux")
                printf "    a->%s = (u16)(f->rax >> 16);\n", argname[i]
            else
                printf "    a->%s = f->%s;\n", argname[i], reg[s]
        }
        printf "}\n\n"
        proto = sprintf("static int sys_%s(struct ec *ec, struct frame *f, const struct sys_%s_args *a)", name, name)
    } else {
        proto = sprintf("static int sys_%s(struct ec *ec, struct frame *f)", name)
    }
    if (nres > 0) {
        s = ""
        for (i = 0; i < nres; i++)
            s = s ", " ktype[restype[i]] " " resname[i]
        printf "/** Store the results of %s in the caller's frame. */\n", name
        printf "static inline void sys_%s_results(struct frame *f%s)\n{\n", name, s
        for (i = 0; i < nres; i++)
            printf "    f->%s = %s;\n", reg[resslot[i]], resname[i]
        printf "}\n\n"
    }
    printf "%s;\n\n", proto
    if (nargs > 0) {
        printf "#ifdef KIDE_SYSCALL_TRACE\n"
        printf "/** The slot and name of the argument at address p in a, or NULL. */\n"
        printf "static const char *sys_%s_arg(const struct sys_%s_args *a, u64 p)\n{\n", name, name
        for (i = 0; i < nargs; i++)
            printf "    if (p == (u64)&a->%s)\n        return \"%s %s\";\n", argname[i], argslot[i], argname[i]
        printf "    return NULL;\n}\n#endif\n\n"
    }
    printf "static int do_%s(struct ec *ec, struct frame *f)\n{\n", name
    if (nargs > 0)
        printf "    struct sys_%s_args a;\n    sys_%s_decode(f, &a);\n", name, name
    printf "#ifdef KIDE_SYSCALL_TRACE\n    syscall_rejected = 0;\n#endif\n"
    printf "    int rc = sys_%s(ec, f%s);\n", name, (nargs > 0 ? ", &a" : "")
    printf "#ifdef KIDE_SYSCALL_TRACE\n    if (rc != KIDE_OK)\n"
    printf "        syscall_trace(ec, \"%s\", rc, %s);\n#endif\n", name, \
        (nargs > 0 ? "sys_" name "_arg(&a, syscall_rejected)" : "NULL")
    printf "    return rc;\n}\n\n"
}

function emit_stub(   i, sig, flags, aux, regs, s) {
    sig = ""; flags = "0"; aux = "0"
    for (i = 1; i <= 6; i++) regs[i] = "0"
    for (i = 0; i < nargs; i++) {
        sig = sig (sig == "" ? "" : ", ") utype[argtype[i]] " " argname[i]
        if (argslot[i] == "flags") flags = argname[i]
        else if (argslot[i] == "aux") aux = argname[i]
        else regs[substr(argslot[i], 2) + 0] = argname[i]
    }
    for (i = 0; i < nres; i++)
        sig = sig (sig == "" ? "" : ", ") utype[restype[i]] " *" resname[i]
    if (sig == "") sig = "void"
    printf "/** %s\n", summary
    for (i = 0; i < nargs; i++)
        printf " * @param %s %s: %s\n", argname[i], argslot[i], argtext[i]
    for (i = 0; i < nres; i++)
        printf " * @param %s %s (may be NULL): %s\n", resname[i], resslot[i], restext[i]
    printf " * @return a KIDE_* status (docs/kernel.md, \"%s\") */\n", name
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
        printf "| argument | type | meaning |\n|---|---|---|\n"
        for (i = 0; i < nargs; i++)
            printf "| %s `%s` | %s | %s |\n", argslot[i], argname[i], argtype[i], argtext[i]
        printf "\n"
    }
    if (nres > 0) {
        printf "| result | type | meaning |\n|---|---|---|\n"
        for (i = 0; i < nres; i++)
            printf "| %s `%s` | %s | %s |\n", resslot[i], resname[i], restype[i], restext[i]
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

/^[ \t]*#/ || /^[ \t]*$/ { next }

$1 == "syscall" { flush(); name = $2; nr = $3; next }
$1 == "summary" { summary = rest(2); next }
$1 == "arg" {
    check_item()
    argslot[nargs] = $2; argtype[nargs] = $3; argname[nargs] = $4; argtext[nargs] = rest(5); nargs++
    next
}
$1 == "res" {
    check_item()
    resslot[nres] = $2; restype[nres] = $3; resname[nres] = $4; restext[nres] = rest(5); nres++
    next
}
$1 == "rights"  { rights = rest(2); next }
$1 == "charged" { charged = rest(2); next }
$1 == "status"  { statcode[nstat] = $2; stattext[nstat] = rest(3); nstat++; next }
$1 == "text"    { text[ntext++] = rest(2); next }
{ fail("unknown keyword '" $1 "'") }

END {
    if (bad) exit 1
    flush()
}
