/* SPDX-License-Identifier: MIT */
/* core: the root task. It takes over what the kernel hands the root (all RAM,
 * the kernel-memory quota, CPUs, I/O ports, interrupts), keeps a reserve for
 * its own bookkeeping and gives the rest to one account, `init`: the root
 * habitat's hoitaja, loaded from the boot module "hoitaja" with the boot
 * module named by its first argument (default "init.json") as configuration.
 * From then on core only answers calls (service.c).
 */
#include "core.h"

u64 core_ram_total;

/* Kept back from init's quota. Page records are the accounts' own (memory.c),
 * so nothing core does on an account's behalf draws on it; it is the margin
 * between core's free RAM and what the accounts may still allocate. */
#define CORE_RAM_RESERVE      (4ull << 20)
#define CORE_CAPS_RESERVE_MIN 1024ull

static void reserve_account_selectors(void)
{
    /* Keep the runtime's selector allocator out of the account blocks. */
    for (unsigned order = 12; order <= 15; order++)
        if (!kide_sel_alloc(order))
            base_panic("core: cannot reserve selector blocks (order %u)", order);
}

/** The "hoitaja" module's string is "hoitaja [CONFIG [ARGS...]]": the
 *  configuration module (default init.json) and init's arguments. */
static const char *config_module(struct account *a)
{
    const struct kide_boot_module *m = rom_find("hoitaja");
    const char *arg = m ? strchr(m->cmdline, ' ') : NULL;
    static char name[32];
    if (!arg)
        return "init.json";
    while (*arg == ' ')
        arg++;
    size_t n = 0;
    while (arg[n] && arg[n] != ' ' && n < sizeof(name) - 1)
        n++;
    memcpy(name, arg, n);
    name[n] = 0;
    const char *rest = arg + n;
    while (*rest == ' ')
        rest++;
    size_t len = strnlen(rest, sizeof(a->args) - 1);
    memcpy(a->args, rest, len);
    a->args[len] = 0;
    return n ? name : "init.json";
}

static void start_init(void)
{
    u64 limit = 0, used = 0;
    kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, KIDE_ROOT_SEL_PD, 0, 0, &limit, &used);
    u64 free_caps = limit - used;
    u64 reserve = free_caps / 8 > CORE_CAPS_RESERVE_MIN ? free_caps / 8 : CORE_CAPS_RESERVE_MIN;
    if (free_caps < reserve + 256)
        base_panic("core: only %lu kernel pages free; need more RAM for the kernel pool",
                   free_caps);
    u64 ram = BASE_ALIGN_DOWN(core_ram_total - CORE_RAM_RESERVE, 4096);

    struct account *a = acc_alloc(NULL, "init");
    acc_init = a;
    a->ram_quota = ram;
    a->cpu_pct = 100;
    a->prio_req = 100;
    a->devices = true;
    a->platform = true;
    a->blocks = ACC_MAX - 1; /* every selector block but its own */
    acc_compute_share(a);
    int st = acc_create_objects(a, free_caps - reserve);
    if (st != KIDE_OK)
        base_panic("core: creating init's PD: %s", base_status_name(st));
    st = load_program(a, "hoitaja");
    if (st != KIDE_OK)
        base_panic("core: cannot load the root habitat (boot module 'hoitaja'): %s",
                   base_status_name(st));
    const char *cfg = config_module(a);
    const struct kide_boot_module *m = rom_find(cfg);
    if (!m)
        printf("core: no boot module '%s': init starts without configuration\n", cfg);
    else if ((st = load_config(a, m->size, 0, (const void *)m->phys, m->size)) != KIDE_OK) {
        /* Not a panic: the image is wrong, not core (kide-scenario refuses such a
         * file at build time; docs/formats/hoitaja-config.md). */
        printf("core: configuration '%s' of %lu bytes: %s: a configuration has at most %llu "
               "bytes\n",
               cfg, m->size, base_status_name(st), KIDE_COMP_CONFIG_MAX);
        printf("core: hint: shorten it or move children into nested habitats; init not "
               "started: stopping the machine (failure)\n");
        base_exit_qemu(BASE_QEMU_FAILURE);
    }
    st = load_start(a);
    if (st != KIDE_OK)
        base_panic("core: starting init: %s", base_status_name(st));
    printf("core: init (hoitaja) started with %lu MiB RAM, %lu kernel pages, config %s\n",
           ram >> 20, free_caps - reserve, cfg);
}

/* The topology as core manages it: "core: numa: node 0: 1019 of 1020 MiB free,
 * CPUs 0; node 1: ...". */
static void report_nodes(void)
{
    char line[400];
    size_t n = snprintf(line, sizeof(line), "core: numa: %u node%s:", pages_nodes(),
                        pages_nodes() == 1 ? "" : "s");
    for (unsigned k = 0; k < pages_nodes() && n < sizeof(line); k++) {
        n += snprintf(line + n, sizeof(line) - n, "%s node %u: %lu of %lu MiB free, CPUs",
                      k ? ";" : "", k, pages_free_bytes(k) >> 20, pages_total_bytes(k) >> 20);
        unsigned listed = 0;
        for (unsigned c = 0; c < core_cpus() && n < sizeof(line); c++)
            if (pages_cpu_node(c) == k)
                n += snprintf(line + n, sizeof(line) - n, listed++ ? ",%u" : " %u", c);
        if (!listed && n < sizeof(line))
            n += snprintf(line + n, sizeof(line) - n, " none");
    }
    printf("%s\n", line);
}

void core_main(const struct kide_boot_info *bi)
{
    /* runtime.c has reserved the pages no one may be given (base_root_reserved);
     * core's RAM is pages.c's alone. */
    pages_init(bi);
    if (core_handlers_init() != KIDE_OK)
        base_panic("core: cannot create its handler ECs");
    reserve_account_selectors();
    if (service_init() != KIDE_OK)
        base_panic("core: cannot create its lock");
    core_ram_total = pages_free_all_bytes();
    printf("core: %lu CPUs, %lu MiB RAM free, %lu boot modules\n", bi->cpus, core_ram_total >> 20,
           bi->module_count);
    report_nodes();
    start_init();
}
