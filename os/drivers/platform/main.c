/* SPDX-License-Identifier: MIT */
/* platform: the platform driver, the only component with PCI configuration.
 *
 * It reads its policy, takes PCI configuration from core (ECAM or ports),
 * enumerates the functions, says whether bus-master DMA is confined (by the
 * kernel's IOMMU support, VT-d) or not, and serves "Platform" sessions: each
 * driver gets exactly the function its policy entry names, and with an IOMMU
 * that function's DMA reaches only the driver's RAM (README.md,
 * docs/network.md).
 */
#include "platform.h"
#include <kide/json.h>
#include <kide/base.h>

/* An id: a JSON number, or a string "0x1af4" (YAML hex reaches the JSON as text). */
static int get_id(const struct kide_json_doc *doc, int obj, const char *key, unsigned *out)
{
    int i = kide_json_find(doc, obj, key);
    kide_u64 v = 0;
    char s[12];
    if (i < 0)
        return -1;
    if (kide_json_get_u64(doc, i, &v) < 0) {
        const char *end = 0;
        if (kide_json_get_string(doc, i, s, sizeof(s)) < 0)
            return -1;
        v = base_strtou64(s, &end);
        if (!end || *end || end == s)
            return -1;
    }
    if (v > 0xffff)
        return -1;
    *out = (unsigned)v;
    return 0;
}

/* policy: [{label: string, vendor: id, device: id, irq: "intx" | "msi"}, ...], at most
 * PLAT_MAX_POLICY (irq is optional: MSI-X or MSI where the function has one). */
static int read_policy(struct kide_env *env, char *err, kide_u64 errlen)
{
    const struct kide_json_doc *doc;
    if (kide_config_doc(env, &doc, err, errlen) != 0)
        return -1;
    int list = kide_json_type(doc, 0) == KIDE_JSON_OBJECT ? kide_json_find(doc, 0, "policy") : -1;
    if (list < 0 || kide_json_type(doc, list) != KIDE_JSON_ARRAY) {
        kide_snprintf(err, errlen, "config: expected {\"policy\": [...]}");
        return -1;
    }
    for (int e = kide_json_first(doc, list); e >= 0; e = kide_json_next(doc, e)) {
        if (plat_npolicy == PLAT_MAX_POLICY) {
            kide_snprintf(err, errlen, "config: policy: at most %d entries", PLAT_MAX_POLICY);
            return -1;
        }
        struct plat_policy *p = &plat_policy[plat_npolicy];
        int l = kide_json_find(doc, e, "label");
        if (l < 0 || kide_json_get_string(doc, l, p->label, sizeof(p->label)) < 0 || !p->label[0] ||
            get_id(doc, e, "vendor", &p->vendor) < 0 || get_id(doc, e, "device", &p->device) < 0) {
            kide_snprintf(err, errlen,
                          "config: policy entry %u: expected {label: string of at most %d bytes, "
                          "vendor: id, device: id} (ids 0..0xffff)",
                          plat_npolicy + 1, PLAT_LABEL_MAX);
            return -1;
        }
        /* irq: "intx" (optional): the function's INTx line even if it has MSI. */
        char irq[8] = "";
        int q = kide_json_find(doc, e, "irq");
        if (q >= 0 && (kide_json_get_string(doc, q, irq, sizeof(irq)) < 0 ||
                       (strcmp(irq, "intx") && strcmp(irq, "msi")))) {
            kide_snprintf(err, errlen, "config: policy entry %u: irq: expected \"intx\" or \"msi\"",
                          plat_npolicy + 1);
            return -1;
        }
        p->intx = !strcmp(irq, "intx");
        plat_npolicy++;
    }
    return 0;
}

void kide_main(struct kide_env *env)
{
    char err[200];
    if (read_policy(env, err, sizeof(err)) != 0) {
        kide_log(env, "platform: %s", err);
        kide_exit(env, 2);
    }
    int st = plat_pci_init(env);
    if (st != KIDE_OK) {
        kide_log(env,
                 "platform: no PCI configuration from core: %s (hint: give this component "
                 "devices: platform)",
                 kide_status_name(st));
        kide_exit(env, 3);
    }
    plat_pci_scan(env);
    /* Confinement needs the kernel's IOMMU and ECAM (the kernel names a
     * function by its configuration page; q35 has both, i440fx neither). */
    if (kide_assign_dev(KIDE_ASSIGN_DEV_QUERY, 0, 0, &plat_iommu_units) != KIDE_OK ||
        plat_cfg_size != 4096)
        plat_iommu_units = 0;
    if (plat_iommu_units)
        kide_log(env,
                 "platform: bus-master DMA confined by the IOMMU (VT-d): a driver's device "
                 "reaches only that driver's RAM; %u functions, %u policy entries",
                 plat_nfuncs, plat_npolicy);
    else
        kide_log(env,
                 "platform: bus-master DMA is not confined (no IOMMU: a driver's device can "
                 "reach all memory); %u functions, %u policy entries",
                 plat_nfuncs, plat_npolicy);
    st = plat_serve(env);
    if (st != KIDE_OK) {
        kide_log(env, "platform: cannot announce Platform: %s", kide_status_name(st));
        kide_exit(env, 4);
    }
    kide_serve(env);
}
