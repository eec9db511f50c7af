/* SPDX-License-Identifier: MIT */
/* The client library of core's protocol (os/abi/kide/core.h): one function per
 * operation, typed request in, typed reply out, status returned.
 *
 * Nobody writes core's message words by hand: hoitaja, the runtime and the
 * tests call these. A function copies its request struct into the UTCB
 * (only the words the operation sends: a string field goes as its length and
 * ceil(len / 8) words), calls the portal and copies the reply's result words
 * into the reply struct (missing ones zero, surplus ones dropped), whatever
 * the status: some failures report a word (RAM_ALLOC's QUOTA, CHILD's QUOTA
 * reason, OWN_RAM's missing bytes). The status is the kernel's if the call
 * failed, else the reply's words[0]; a reply without a status word, or with
 * one that is no status, is KIDE_BAD_PARAM.
 *
 * It depends on the ABI headers, the generated system-call stubs and memcpy
 * alone, so core's own tests (built on the small krt runtime) link it as
 * libkide does.
 */
#ifndef KIDE_CORE_CLIENT_H
#define KIDE_CORE_CLIENT_H

#include <kide/core.h>
#include <kide/status.h>
#include <kide/utcb.h>

/** Where a call goes and through which UTCB. */
struct kide_core_chan {
    struct kide_utcb *utcb; /**< the calling thread's UTCB */
    kide_sel pt;            /**< core's self portal on the caller's CPU, or an owner portal */
    /** Owner calls only: non-zero when pt is a self portal, so the call goes as
     *  KIDE_CORE_OWN naming sub-account `sub` (a thread on another CPU than its
     *  owner portals'). */
    int via_self;
    kide_u64 sub;
    /** Non-zero: the UTCB's first KIDE_CORE_KEEP_WORDS words, msg and rcv_crd are
     *  restored after the call (the runtime calls core in the middle of a caller's
     *  message); such a request may be at most KIDE_CORE_KEEP_WORDS words. */
    int keep;
    /** The transport, NULL for kide_call(pt) (a host test puts a fake core here). */
    int (*call)(const struct kide_core_chan *ch);
};
#define KIDE_CORE_KEEP_WORDS 64u

/** A self channel: core's self portal `pt` (KIDE_COMP_SEL_CORE on the account's CPU). */
static inline struct kide_core_chan kide_core_self_chan(struct kide_utcb *u, kide_sel pt)
{
    struct kide_core_chan ch = {u, pt, 0, 0, 0, 0};
    return ch;
}
/** An owner channel: the owner portal from KIDE_CORE_CHILD. */
static inline struct kide_core_chan kide_core_owner_chan(struct kide_utcb *u, kide_sel own_pt)
{
    struct kide_core_chan ch = {u, own_pt, 0, 0, 0, 0};
    return ch;
}
/** An owner channel through a self portal (KIDE_CORE_OWN with sub-account id). */
static inline struct kide_core_chan kide_core_own_via(struct kide_utcb *u, kide_sel self_pt,
                                                      kide_u64 id)
{
    struct kide_core_chan ch = {u, self_pt, 1, id, 0, 0};
    return ch;
}

/** Copy s (n bytes) into a request's string field (len, bytes[cap]); KIDE_BAD_PARAM
 *  (and an empty string) if it does not fit. Use KIDE_WIRE_STR. */
int kide_wire_str(kide_u64 *len, char *bytes, kide_u64 cap, const char *s, kide_u64 n);
#define KIDE_WIRE_STR(field, s, n)                                                                 \
    kide_wire_str(&(field).len, (field).bytes, sizeof((field).bytes), (s), (n))
/** The NUL-terminated length of s (the library needs no C library). */
kide_u64 kide_wire_strlen(const char *s);

/** The generic call under every function below: op, then the first req_bytes of
 *  req (a multiple of 8), the reply's results into rep (rep_bytes). For tests that
 *  need a request no typed function makes (the fuzzer's half-valid ones). */
int kide_core_call(const struct kide_core_chan *ch, kide_u64 op, const void *req,
                   kide_u64 req_bytes, void *rep, kide_u64 rep_bytes);

/* ---- self session ---- */
int kide_core_log(const struct kide_core_chan *ch, const struct kide_core_log_req *req);
int kide_core_ram_alloc(const struct kide_core_chan *ch, const struct kide_core_ram_alloc_req *req,
                        struct kide_core_ram_alloc_rep *rep);
int kide_core_ram_free(const struct kide_core_chan *ch, const struct kide_core_ram_free_req *req,
                       struct kide_core_ram_free_rep *rep);
/** KIDE_CORE_RAM_PROTECT: R, RW, RX, RWX or 0 (no access, contents kept) for pages of the
 *  caller's own RAM; at most KIDE_CORE_PROTECT_MAX bytes per call. */
int kide_core_ram_protect(const struct kide_core_chan *ch,
                          const struct kide_core_ram_protect_req *req);
int kide_core_quota(const struct kide_core_chan *ch, struct kide_core_quota_rep *rep);
int kide_core_handler(const struct kide_core_chan *ch, const struct kide_core_handler_req *req,
                      struct kide_core_handler_rep *rep);
int kide_core_portal_add(const struct kide_core_chan *ch, const struct kide_core_portal_req *req);
int kide_core_sm(const struct kide_core_chan *ch, const struct kide_core_sm_req *req);
/** Never returns when it works (the kernel drops the reply); returns the kernel's status. */
int kide_core_exit(const struct kide_core_chan *ch, const struct kide_core_exit_req *req);
int kide_core_child(const struct kide_core_chan *ch, const struct kide_core_child_req *req,
                    struct kide_core_child_rep *rep);
int kide_core_stats(const struct kide_core_chan *ch, struct kide_core_stats_rep *rep);
int kide_core_threads(const struct kide_core_chan *ch, struct kide_core_threads_rep *rep);
int kide_core_io_port(const struct kide_core_chan *ch, const struct kide_core_io_port_req *req);
int kide_core_irq(const struct kide_core_chan *ch, const struct kide_core_irq_req *req);
/** Map device memory (KIDE_CORE_IO_MEM): uncacheable, exclusive. */
int kide_core_io_mem(const struct kide_core_chan *ch, const struct kide_core_io_mem_req *req);
/** An MSI semaphore at req->sel; rep: the address and data to program the device with. */
int kide_core_msi(const struct kide_core_chan *ch, const struct kide_core_msi_req *req,
                  struct kide_core_msi_rep *rep);
/** PCI configuration access (platform right): the ECAM window, or ports 0xcf8..0xcff. */
int kide_core_pci_config(const struct kide_core_chan *ch, struct kide_core_pci_config_rep *rep);
int kide_core_rom(const struct kide_core_chan *ch, const struct kide_core_rom_req *req,
                  struct kide_core_rom_rep *rep);
int kide_core_self(const struct kide_core_chan *ch, const struct kide_core_self_req *req);
/** A sub-account's log lines (KIDE_CORE_LOGS); read the records with kide_logs_next. */
int kide_core_logs(const struct kide_core_chan *ch, const struct kide_core_logs_req *req,
                   struct kide_core_logs_rep *rep);
/** The next record of a LOGS reply at *off (start at 0): 1 with *line and *text (len
 *  bytes, not NUL-terminated) and *off advanced, 0 at the end, -1 when the record does
 *  not fit the reply's lines (then stop). Pure (the host tests and the fuzzer check it). */
int kide_logs_next(const struct kide_core_logs_rep *rep, kide_u64 *off, struct kide_log_line *line,
                   const char **text);
int kide_core_nodes(const struct kide_core_chan *ch, struct kide_core_nodes_rep *rep);
/** A thread (KIDE_CORE_THREAD); rep->id names it for kide_core_thread_end (QUOTA: why). */
int kide_core_thread(const struct kide_core_chan *ch, const struct kide_core_thread_req *req,
                     struct kide_core_thread_rep *rep);
/** End a thread (KIDE_CORE_THREAD_END); ending the calling thread never returns. */
int kide_core_thread_end(const struct kide_core_chan *ch,
                         const struct kide_core_thread_end_req *req);

/* ---- owner session (an owner channel, or one via a self portal) ---- */
int kide_own_load(const struct kide_core_chan *ch, const struct kide_own_load_req *req);
int kide_own_config(const struct kide_core_chan *ch, const struct kide_own_config_req *req);
int kide_own_args(const struct kide_core_chan *ch, const struct kide_own_args_req *req);
int kide_own_start(const struct kide_core_chan *ch);
int kide_own_state(const struct kide_core_chan *ch, struct kide_own_state_rep *rep);
int kide_own_threads(const struct kide_core_chan *ch, struct kide_core_threads_rep *rep);
int kide_own_cpu(const struct kide_core_chan *ch, const struct kide_own_cpu_req *req);
int kide_own_ram(const struct kide_core_chan *ch, const struct kide_own_ram_req *req,
                 struct kide_own_ram_rep *rep);
int kide_own_caps(const struct kide_core_chan *ch, const struct kide_own_caps_req *req);
int kide_own_destroy(const struct kide_core_chan *ch);
int kide_own_signal(const struct kide_core_chan *ch);
int kide_own_devices(const struct kide_core_chan *ch, const struct kide_own_devices_req *req);
int kide_own_affinity(const struct kide_core_chan *ch, const struct kide_own_affinity_req *req);
int kide_own_ram_node(const struct kide_core_chan *ch, const struct kide_own_ram_node_req *req,
                      struct kide_own_ram_node_rep *rep);
int kide_own_rom(const struct kide_core_chan *ch, const struct kide_own_rom_req *req);
/** Load the sub-account from an ELF image in the caller's own RAM (decision 0022). */
int kide_own_load_pages(const struct kide_core_chan *ch, const struct kide_own_load_pages_req *req);

#endif
