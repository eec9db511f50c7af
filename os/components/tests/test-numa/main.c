/* SPDX-License-Identifier: MIT */
/* test-numa: checks that its RAM lies on the NUMA node it was configured for.
 *
 * Scenario tests/numa. It maps a dataspace of `bytes` (default 4 MiB),
 * touches every page, and asks core where its pages lie (KIDE_CORE_QUOTA
 * w7..: its policy and its bytes per node). It passes when every byte of it
 * is on node `node` (config, default 1), the policy it inherited from its
 * habitat names that node, and the dataspace is counted there. It logs the
 * topology it sees (KIDE_CORE_NODES) and its bytes per node, then stays
 * alive holding the RAM (or, with config exit: 1, ends with code 0).
 */
#include "test.h"

#include <kide/core.h>

#define WHAT "numa node"

/* Own policy and bytes per node from core: returns the number of nodes. */
static kide_u64 where_is_my_ram(struct kide_env *env, kide_u64 *node, kide_u64 on[8])
{
    struct kide_core_chan ch = kide_core_self_chan(kide_utcb(), kide_core_portal());
    struct kide_core_quota_rep rep;
    int st = kide_core_quota(&ch, &rep);
    if (st != KIDE_OK)
        t_fail(env, WHAT, "KIDE_CORE_QUOTA: %s", t_status(st));
    *node = rep.numa.node_policy;
    kide_u64 n = rep.numa.nodes;
    if (n < 1 || n > 8)
        t_fail(env, WHAT, "core's QUOTA reply has no NUMA words (n %llu)", (unsigned long long)n);
    for (kide_u64 k = 0; k < n; k++)
        on[k] = rep.numa.node_bytes[k];
    return n;
}

void kide_main(struct kide_env *env)
{
    kide_u64 want = t_cfg_u64(env, "node", 1), bytes = t_cfg_u64(env, "bytes", 4u << 20);
    kide_u64 node, before[8] = {0}, after[8] = {0};
    void *ds = 0;

    struct kide_core_chan ch = kide_core_self_chan(kide_utcb(), kide_core_portal());
    struct kide_core_nodes_rep topo;
    if (kide_core_nodes(&ch, &topo) != KIDE_OK)
        t_fail(env, WHAT, "KIDE_CORE_NODES refused");
    kide_u64 nodes = topo.n;
    for (kide_u64 k = 0; k < nodes && k < KIDE_CORE_NODES_MAX; k++) {
        kide_u64 total = topo.node[k].total, free = topo.node[k].free, cpus = topo.node[k].cpus;
        kide_log(env, "numa: node %llu: %llu of %llu MiB free, CPU mask 0x%llx",
                 (unsigned long long)k, (unsigned long long)(free >> 20),
                 (unsigned long long)(total >> 20), (unsigned long long)cpus);
    }
    if (want >= nodes)
        t_fail(env, WHAT, "configured for node %llu, but core reports %llu node(s)",
               (unsigned long long)want, (unsigned long long)nodes);

    kide_u64 n = where_is_my_ram(env, &node, before);
    int rc = kide_ram_alloc(env, bytes, &ds);
    if (rc != KIDE_OK)
        t_fail(env, WHAT, "a dataspace of %llu bytes: %s", (unsigned long long)bytes, t_status(rc));
    for (kide_u64 off = 0; off < bytes; off += 4096)
        ((volatile char *)ds)[off] = 1;
    where_is_my_ram(env, &node, after);
    for (kide_u64 k = 0; k < n; k++)
        kide_log(env, "numa: my RAM on node %llu: %llu bytes (dataspace added %llu)",
                 (unsigned long long)k, (unsigned long long)after[k],
                 (unsigned long long)(after[k] - before[k]));
    if (node != want)
        t_fail(env, WHAT, "core's policy for me names node %llu, not %llu",
               (unsigned long long)node, (unsigned long long)want);
    for (kide_u64 k = 0; k < n; k++)
        if (k != want && after[k])
            t_fail(env, WHAT, "%llu bytes of my RAM lie on node %llu, not %llu",
                   (unsigned long long)after[k], (unsigned long long)k, (unsigned long long)want);
    if (after[want] - before[want] < bytes)
        t_fail(env, WHAT, "the %llu byte dataspace added only %llu bytes on node %llu",
               (unsigned long long)bytes, (unsigned long long)(after[want] - before[want]),
               (unsigned long long)want);
    t_pass(env, WHAT);
    if (t_cfg_u64(env, "exit", 0))
        kide_exit(env, 0); /* scenario numa: its habitat ends with it (exit_with) */
    t_idle(env);
}
