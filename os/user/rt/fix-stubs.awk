#!/usr/bin/awk -f
# SPDX-License-Identifier: MIT
# Work around a defect of the generated kide/stubs.h: when a call's argument
# and result share a name (ctrl_sc: budget, period), the stub declares two
# parameters of that name and does not compile. This renames the result
# pointer to NAME_out. A stub without the clash passes unchanged, so the
# filter is harmless once os/kernel/syscalls.tab or the generator is fixed.

/^static inline int kide_/ {
    delete val; delete ren
    line = $0
    sig = line; sub(/^[^(]*\(/, "", sig); sub(/\).*$/, "", sig)
    n = split(sig, p, /, */)
    for (i = 1; i <= n; i++)
        if (p[i] ~ /^kide_u64 [a-z_0-9]+$/) { nm = p[i]; sub(/^kide_u64 /, "", nm); val[nm] = 1 }
    for (i = 1; i <= n; i++) {
        if (p[i] ~ /^kide_u64 \*[a-z_0-9]+$/) {
            nm = p[i]; sub(/^kide_u64 \*/, "", nm)
            if (nm in val) { ren[nm] = 1; p[i] = "kide_u64 *" nm "_out" }
        }
    }
    out = p[1]
    for (i = 2; i <= n; i++) out = out ", " p[i]
    pre = line; sub(/\(.*$/, "", pre)
    print pre "(" out ")"
    next
}
/^    if \([a-z_0-9]+\)$/ {
    nm = $0; sub(/^    if \(/, "", nm); sub(/\)$/, "", nm)
    if (nm in ren) { print "    if (" nm "_out)"; next }
}
/^        \*[a-z_0-9]+ = r\[[0-9]\];$/ {
    nm = $0; sub(/^        \*/, "", nm); sub(/ = .*$/, "", nm)
    if (nm in ren) { r = $0; sub(/^        \*[a-z_0-9]+/, "", r); print "        *" nm "_out" r; next }
}
{ print }
