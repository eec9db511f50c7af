/* SPDX-License-Identifier: MIT */
/* The client library of core's protocol (kide/core_client.h).
 *
 * One generic call moves a typed request into the UTCB and the reply's
 * results out of it; every operation is a line over it that names its op and
 * its structs, so the word layout lives in the ABI header's structs and
 * nowhere else. A string field is the request's last: only its length word
 * and ceil(len / 8) byte words travel. Needs memcpy and the system-call stubs
 * only (core's tests link it without libkide).
 */
#include <kide/core_client.h>
#include <kide/sys.h>

void *memcpy(void *dst, const void *src, __SIZE_TYPE__ n);

#define OFFSET(t, f) __builtin_offsetof(t, f)
/* A request whose last field is a string: the bytes before the string's bytes,
 * then as many whole words of them as the length needs. A length over the
 * field is sent as it is (the caller asked for it; core refuses it) but no
 * more bytes than the field holds. */
#define STR_BYTES(t, f, len)                                                                       \
    (OFFSET(t, f.bytes) +                                                                          \
     ((len) > sizeof(((t *)0)->f.bytes) ? sizeof(((t *)0)->f.bytes) : ((len) + 7) / 8 * 8))

kide_u64 kide_wire_strlen(const char *s)
{
    kide_u64 n = 0;
    while (s[n])
        n++;
    return n;
}

int kide_wire_str(kide_u64 *len, char *bytes, kide_u64 cap, const char *s, kide_u64 n)
{
    *len = 0;
    if (n > cap)
        return KIDE_BAD_PARAM;
    memcpy(bytes, s, n);
    /* The unused bytes of the last word travel too: zero, not stack garbage. */
    for (kide_u64 i = n; i < (n + 7) / 8 * 8 && i < cap; i++)
        bytes[i] = 0;
    *len = n;
    return KIDE_OK;
}

static int transport(const struct kide_core_chan *ch)
{
    return ch->call ? ch->call(ch) : kide_call(ch->pt);
}

int kide_core_call(const struct kide_core_chan *ch, kide_u64 op, const void *req,
                   kide_u64 req_bytes, void *rep, kide_u64 rep_bytes)
{
    struct kide_utcb *u = ch->utcb;
    kide_u64 hdr = ch->via_self && op >= KIDE_OWN_LOAD ? 2 : 0;
    kide_u64 n = 1 + hdr + req_bytes / 8;
    kide_u64 saved[KIDE_CORE_KEEP_WORDS], msg = u->msg, rcv = u->rcv_crd;
    if ((req_bytes & 7) || n > KIDE_UTCB_WORDS || (ch->keep && n > KIDE_CORE_KEEP_WORDS)) {
        for (kide_u64 i = 0; i < rep_bytes; i++) /* a refused call reads as an empty reply */
            ((char *)rep)[i] = 0;
        return KIDE_BAD_PARAM;
    }
    if (ch->keep)
        memcpy(saved, u->words, sizeof(saved));
    if (hdr) { /* KIDE_CORE_OWN, the sub-account, then the owner op */
        u->words[0] = KIDE_CORE_OWN;
        u->words[1] = ch->sub;
    }
    u->words[hdr] = op;
    if (req_bytes)
        memcpy(&u->words[hdr + 1], req, req_bytes);
    u->msg = KIDE_MSG(n, 0);
    u->rcv_crd = 0; /* core sends no capability back */
    int st = transport(ch);
    kide_u64 got = st == KIDE_OK ? KIDE_MSG_UNTYPED(u->msg) : 0;
    if (got > KIDE_UTCB_WORDS)
        got = KIDE_UTCB_WORDS;
    /* Results: as far as the reply goes, the rest zero. */
    kide_u64 have = got > 1 ? (got - 1) * 8 : 0;
    if (have > rep_bytes)
        have = rep_bytes;
    if (have)
        memcpy(rep, &u->words[1], have);
    for (kide_u64 i = have; i < rep_bytes; i++)
        ((char *)rep)[i] = 0;
    if (st == KIDE_OK)
        st = got == 0 || u->words[0] > 0xffff ? KIDE_BAD_PARAM : (int)u->words[0];
    if (ch->keep)
        memcpy(u->words, saved, sizeof(saved));
    u->msg = msg;
    u->rcv_crd = rcv;
    return st;
}

/* ---- one function per operation ---- */

int kide_core_log(const struct kide_core_chan *ch, const struct kide_core_log_req *req)
{
    return kide_core_call(ch, KIDE_CORE_LOG, req,
                          STR_BYTES(struct kide_core_log_req, text, req->text.len), 0, 0);
}

int kide_core_ram_alloc(const struct kide_core_chan *ch, const struct kide_core_ram_alloc_req *req,
                        struct kide_core_ram_alloc_rep *rep)
{
    return kide_core_call(ch, KIDE_CORE_RAM_ALLOC, req, sizeof(*req), rep, sizeof(*rep));
}

int kide_core_ram_free(const struct kide_core_chan *ch, const struct kide_core_ram_free_req *req,
                       struct kide_core_ram_free_rep *rep)
{
    return kide_core_call(ch, KIDE_CORE_RAM_FREE, req, sizeof(*req), rep, sizeof(*rep));
}

int kide_core_ram_protect(const struct kide_core_chan *ch,
                          const struct kide_core_ram_protect_req *req)
{
    return kide_core_call(ch, KIDE_CORE_RAM_PROTECT, req, sizeof(*req), 0, 0);
}

int kide_core_quota(const struct kide_core_chan *ch, struct kide_core_quota_rep *rep)
{
    return kide_core_call(ch, KIDE_CORE_QUOTA, 0, 0, rep, sizeof(*rep));
}

int kide_core_handler(const struct kide_core_chan *ch, const struct kide_core_handler_req *req,
                      struct kide_core_handler_rep *rep)
{
    return kide_core_call(ch, KIDE_CORE_HANDLER, req, sizeof(*req), rep, sizeof(*rep));
}

int kide_core_portal_add(const struct kide_core_chan *ch, const struct kide_core_portal_req *req)
{
    return kide_core_call(ch, KIDE_CORE_PORTAL, req, sizeof(*req), 0, 0);
}

int kide_core_sm(const struct kide_core_chan *ch, const struct kide_core_sm_req *req)
{
    return kide_core_call(ch, KIDE_CORE_SM, req, sizeof(*req), 0, 0);
}

int kide_core_exit(const struct kide_core_chan *ch, const struct kide_core_exit_req *req)
{
    return kide_core_call(ch, KIDE_CORE_EXIT, req, sizeof(*req), 0, 0);
}

int kide_core_child(const struct kide_core_chan *ch, const struct kide_core_child_req *req,
                    struct kide_core_child_rep *rep)
{
    return kide_core_call(ch, KIDE_CORE_CHILD, req,
                          STR_BYTES(struct kide_core_child_req, name, req->name.len), rep,
                          sizeof(*rep));
}

int kide_core_stats(const struct kide_core_chan *ch, struct kide_core_stats_rep *rep)
{
    return kide_core_call(ch, KIDE_CORE_STATS, 0, 0, rep, sizeof(*rep));
}

int kide_core_threads(const struct kide_core_chan *ch, struct kide_core_threads_rep *rep)
{
    return kide_core_call(ch, KIDE_CORE_THREADS, 0, 0, rep, sizeof(*rep));
}

int kide_core_thread(const struct kide_core_chan *ch, const struct kide_core_thread_req *req,
                     struct kide_core_thread_rep *rep)
{
    return kide_core_call(ch, KIDE_CORE_THREAD, req, sizeof(*req), rep, sizeof(*rep));
}

int kide_core_thread_end(const struct kide_core_chan *ch,
                         const struct kide_core_thread_end_req *req)
{
    return kide_core_call(ch, KIDE_CORE_THREAD_END, req, sizeof(*req), 0, 0);
}

int kide_core_io_port(const struct kide_core_chan *ch, const struct kide_core_io_port_req *req)
{
    return kide_core_call(ch, KIDE_CORE_IO_PORT, req, sizeof(*req), 0, 0);
}

int kide_core_irq(const struct kide_core_chan *ch, const struct kide_core_irq_req *req)
{
    return kide_core_call(ch, KIDE_CORE_IRQ, req, sizeof(*req), 0, 0);
}

int kide_core_io_mem(const struct kide_core_chan *ch, const struct kide_core_io_mem_req *req)
{
    return kide_core_call(ch, KIDE_CORE_IO_MEM, req, sizeof(*req), 0, 0);
}

int kide_core_msi(const struct kide_core_chan *ch, const struct kide_core_msi_req *req,
                  struct kide_core_msi_rep *rep)
{
    return kide_core_call(ch, KIDE_CORE_MSI, req, sizeof(*req), rep, sizeof(*rep));
}

int kide_core_pci_config(const struct kide_core_chan *ch, struct kide_core_pci_config_rep *rep)
{
    return kide_core_call(ch, KIDE_CORE_PCI_CONFIG, 0, 0, rep, sizeof(*rep));
}

int kide_core_logs(const struct kide_core_chan *ch, const struct kide_core_logs_req *req,
                   struct kide_core_logs_rep *rep)
{
    int st = kide_core_call(ch, KIDE_CORE_LOGS, req,
                            STR_BYTES(struct kide_core_logs_req, name, req->name.len), rep,
                            sizeof(*rep));
    if (rep->lines.len > sizeof(rep->lines.bytes)) { /* core's reply, and still checked */
        rep->lines.len = 0;
        rep->count = 0;
        if (st == KIDE_OK)
            st = KIDE_BAD_PARAM;
    }
    return st;
}

int kide_logs_next(const struct kide_core_logs_rep *rep, kide_u64 *off, struct kide_log_line *line,
                   const char **text)
{
    kide_u64 len = rep->lines.len, at = *off, hdr = sizeof(*line);
    if (len > sizeof(rep->lines.bytes) || at > len)
        return -1;
    if (at == len)
        return 0;
    if (len - at < hdr)
        return -1;
    memcpy(line, rep->lines.bytes + at, hdr);
    if (line->len > KIDE_LOG_LINE_MAX || (line->len + 7) / 8 * 8 > len - at - hdr)
        return -1;
    *text = rep->lines.bytes + at + hdr;
    *off = at + hdr + (line->len + 7) / 8 * 8;
    return 1;
}

int kide_core_rom(const struct kide_core_chan *ch, const struct kide_core_rom_req *req,
                  struct kide_core_rom_rep *rep)
{
    return kide_core_call(ch, KIDE_CORE_ROM, req,
                          STR_BYTES(struct kide_core_rom_req, name, req->name.len), rep,
                          sizeof(*rep));
}

int kide_core_self(const struct kide_core_chan *ch, const struct kide_core_self_req *req)
{
    return kide_core_call(ch, KIDE_CORE_SELF, req, sizeof(*req), 0, 0);
}

int kide_core_nodes(const struct kide_core_chan *ch, struct kide_core_nodes_rep *rep)
{
    return kide_core_call(ch, KIDE_CORE_NODES, 0, 0, rep, sizeof(*rep));
}

int kide_own_load(const struct kide_core_chan *ch, const struct kide_own_load_req *req)
{
    return kide_core_call(ch, KIDE_OWN_LOAD, req,
                          STR_BYTES(struct kide_own_load_req, rom, req->rom.len), 0, 0);
}

int kide_own_config(const struct kide_core_chan *ch, const struct kide_own_config_req *req)
{
    return kide_core_call(ch, KIDE_OWN_CONFIG, req,
                          STR_BYTES(struct kide_own_config_req, chunk, req->chunk.len), 0, 0);
}

int kide_own_args(const struct kide_core_chan *ch, const struct kide_own_args_req *req)
{
    return kide_core_call(ch, KIDE_OWN_ARGS, req,
                          STR_BYTES(struct kide_own_args_req, args, req->args.len), 0, 0);
}

int kide_own_start(const struct kide_core_chan *ch)
{
    return kide_core_call(ch, KIDE_OWN_START, 0, 0, 0, 0);
}

int kide_own_state(const struct kide_core_chan *ch, struct kide_own_state_rep *rep)
{
    return kide_core_call(ch, KIDE_OWN_STATE, 0, 0, rep, sizeof(*rep));
}

int kide_own_threads(const struct kide_core_chan *ch, struct kide_core_threads_rep *rep)
{
    return kide_core_call(ch, KIDE_OWN_THREADS, 0, 0, rep, sizeof(*rep));
}

int kide_own_cpu(const struct kide_core_chan *ch, const struct kide_own_cpu_req *req)
{
    return kide_core_call(ch, KIDE_OWN_CPU, req, sizeof(*req), 0, 0);
}

int kide_own_ram(const struct kide_core_chan *ch, const struct kide_own_ram_req *req,
                 struct kide_own_ram_rep *rep)
{
    return kide_core_call(ch, KIDE_OWN_RAM, req, sizeof(*req), rep, sizeof(*rep));
}

int kide_own_caps(const struct kide_core_chan *ch, const struct kide_own_caps_req *req)
{
    return kide_core_call(ch, KIDE_OWN_CAPS, req, sizeof(*req), 0, 0);
}

int kide_own_destroy(const struct kide_core_chan *ch)
{
    return kide_core_call(ch, KIDE_OWN_DESTROY, 0, 0, 0, 0);
}

int kide_own_signal(const struct kide_core_chan *ch)
{
    return kide_core_call(ch, KIDE_OWN_SIGNAL, 0, 0, 0, 0);
}

int kide_own_devices(const struct kide_core_chan *ch, const struct kide_own_devices_req *req)
{
    return kide_core_call(ch, KIDE_OWN_DEVICES, req, sizeof(*req), 0, 0);
}

int kide_own_affinity(const struct kide_core_chan *ch, const struct kide_own_affinity_req *req)
{
    return kide_core_call(ch, KIDE_OWN_AFFINITY, req, sizeof(*req), 0, 0);
}

int kide_own_ram_node(const struct kide_core_chan *ch, const struct kide_own_ram_node_req *req,
                      struct kide_own_ram_node_rep *rep)
{
    return kide_core_call(ch, KIDE_OWN_RAM_NODE, req, sizeof(*req), rep, sizeof(*rep));
}

int kide_own_rom(const struct kide_core_chan *ch, const struct kide_own_rom_req *req)
{
    return kide_core_call(ch, KIDE_OWN_ROM, req,
                          STR_BYTES(struct kide_own_rom_req, name, req->name.len), 0, 0);
}

int kide_own_load_pages(const struct kide_core_chan *ch, const struct kide_own_load_pages_req *req)
{
    return kide_core_call(ch, KIDE_OWN_LOAD_PAGES, req,
                          STR_BYTES(struct kide_own_load_pages_req, name, req->name.len), 0, 0);
}
