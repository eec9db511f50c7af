/* SPDX-License-Identifier: MIT */
/* rtr: the per-habitat virtual router's packet logic (docs/network.md, "The virtual router").
 *
 * One uplink port (the NIC driver's side) and up to RTR_HABITATS_MAX downlink
 * ports, one per habitat, each a point-to-point Ethernet link to that habitat's
 * TCP/IP stack. The router answers ARP for its own addresses, serves a minimal
 * DHCP, forwards IPv4 from a habitat to the uplink with source NAT (TCP, UDP,
 * ICMP echo), translates the replies back, applies the parent's port forwards
 * into a habitat and, where an allow rule says so, routes between siblings.
 * It is no TCP/IP stack: it parses headers, rewrites addresses, ports and
 * checksums, and forwards whole frames.
 *
 * Transport-independent: the caller hands in frames (rtr_input), asks for the
 * frames queued towards the uplink and siblings (rtr_poll, round-robin over the
 * habitats), and receives every frame the router sends through one callback.
 * Time is a parameter (milliseconds, monotonic); nothing sleeps or allocates:
 * a struct rtr holds all state (about 0.9 MiB with the default limits) and the
 * caller places it. One caller at a time: the component serialises its calls
 * (one thread), the library takes no locks.
 *
 * Invariants: every frame is checked before use (lengths, header lengths,
 * checksums of the IPv4 header, options); per habitat the NAT entries are at
 * most its nat_max and its queue at most its queue length; every frame a port
 * receives is counted exactly once as forwarded, answered, queued or dropped
 * with a reason (rtr_check_invariants).
 */
#ifndef KIDE_NET_ROUTER_H
#define KIDE_NET_ROUTER_H

#include <kide/types.h>
#include <kide/json.h>
#include <kide/limits.h>

/* ---- limits ---------------------------------------------------------------- */
#define RTR_HABITATS_MAX  16u           /**< downlink ports */
#define RTR_FORWARDS_MAX  32u           /**< port forwards */
#define RTR_RULES_MAX     32u           /**< allow rules between siblings */
#define RTR_NAT_PER_HAB   256u          /**< largest nat_max; also each habitat's port block */
#define RTR_NAT_DEFAULT   128u          /**< nat_max when not configured */
#define RTR_QUEUE_MAX     32u           /**< largest queue length (frames) */
#define RTR_QUEUE_DEFAULT 16u           /**< queue length when not configured */
#define RTR_NEIGH_MAX     16u           /**< uplink neighbour (ARP) cache entries */
#define RTR_FRAME_MAX     1514u         /**< Ethernet frame without FCS */
#define RTR_NAME_MAX      KIDE_NAME_MAX /**< habitat name, bytes (hoitaja's child names) */
#define RTR_TOKENS_MAX    2048u         /**< JSON values in one configuration */
#define RTR_CONFIG_MAX    65536u        /**< bytes of configuration JSON */
#define RTR_VERDICTS_MAX  (2u * (RTR_HABITATS_MAX + RTR_FORWARDS_MAX + RTR_RULES_MAX) + 1u)
/** NAT ports and ICMP ids: habitat slot s owns [BASE + s * RTR_NAT_PER_HAB, +RTR_NAT_PER_HAB). */
#define RTR_NAT_PORT_BASE 40960u
#define RTR_NAT_PORT_END  (RTR_NAT_PORT_BASE + RTR_HABITATS_MAX * RTR_NAT_PER_HAB)

/* ---- timeouts (ms) ------------------------------------------------------------ */
#define RTR_TO_TCP_EST    7440000u /**< established TCP (RFC 5382: at least 2 h 4 min) */
#define RTR_TO_TCP_TRANS  240000u  /**< TCP opening or half closed */
#define RTR_TO_TCP_CLOSED 10000u   /**< TCP after FIN both ways or RST */
#define RTR_TO_UDP        120000u  /**< UDP (RFC 4787: at least 2 min) */
#define RTR_TO_ICMP       60000u   /**< ICMP echo */
#define RTR_ARP_RETRY     1000u    /**< at most one ARP request per address per second */
#define RTR_DHCP_LEASE    86400u   /**< seconds, the lease the DHCP server grants */

/** The uplink port's index (habitats are 0 .. RTR_HABITATS_MAX - 1). */
#define RTR_UPLINK (-1)

/** Why a frame was dropped; counted per port. */
enum rtr_drop {
    RTR_DROP_MALFORMED,    /**< too short or long, bad header length or IPv4 checksum */
    RTR_DROP_SPOOFED,      /**< habitat sent with another MAC or IPv4 source than its own */
    RTR_DROP_NOT_ROUTED,   /**< not for the router, broadcast, multicast, unknown type */
    RTR_DROP_UNSUPPORTED,  /**< IPv4 options, fragments, protocols and ICMP types not NATed */
    RTR_DROP_TTL,          /**< TTL would reach 0 */
    RTR_DROP_ISOLATION,    /**< sibling network without an allow rule */
    RTR_DROP_NO_MAPPING,   /**< no NAT entry and no forward (or TCP without SYN opening one) */
    RTR_DROP_NAT_FULL,     /**< the habitat's NAT entries are all in use */
    RTR_DROP_QUEUE_FULL,   /**< the habitat's queue towards the uplink is full */
    RTR_DROP_NO_NEIGHBOUR, /**< uplink next hop's MAC unknown (an ARP request went out) */
    RTR_DROP_RECONFIGURED, /**< queued when its habitat was changed or removed */
    RTR_DROP_COUNT
};

/** Counters of one port; cumulative (a state report computes rates). */
struct rtr_counters {
    kide_u64 rx;                    /**< frames received on the port */
    kide_u64 tx;                    /**< frames sent out of the port */
    kide_u64 forwarded;             /**< received frames forwarded to another port */
    kide_u64 answered;              /**< received frames consumed by the router (ARP, DHCP) */
    kide_u64 drops[RTR_DROP_COUNT]; /**< received frames dropped, by reason */
    kide_u64 rx_bytes, tx_bytes;    /**< bytes of the frames received and sent */
    kide_u64 fwd_hits;              /**< habitat: uplink frames a port forward took in */
};

/** The uplink's configuration. */
struct rtr_uplink_cfg {
    kide_u8 mac[6];   /**< the uplink NIC's MAC */
    kide_u32 addr;    /**< the uplink address (host order) */
    kide_u8 prefix;   /**< its prefix length */
    kide_u32 gateway; /**< next hop for everything off the uplink's network */
};

/** One habitat's network. */
struct rtr_hab_cfg {
    _Bool used;                  /**< the slot holds a habitat */
    char name[RTR_NAME_MAX + 1]; /**< the habitat's name (hoitaja's) */
    kide_u8 mac[6];              /**< the habitat interface's MAC */
    kide_u32 addr;               /**< the habitat's address */
    kide_u8 prefix;              /**< prefix of its virtual network */
    kide_u32 gateway;            /**< the router's address on that network */
    _Bool dhcp;                  /**< the router serves addr by DHCP */
    kide_u32 nat_max;            /**< NAT entries at most (1 .. RTR_NAT_PER_HAB) */
    kide_u32 queue;              /**< frames queued towards the uplink at most */
};

/** IP protocols the router translates. */
enum rtr_proto { RTR_ICMP = 1, RTR_TCP = 6, RTR_UDP = 17, RTR_ANY = 0 };

/** A port forward: uplink proto/port to habitat `hab` (slot), port to_port. */
struct rtr_forward_cfg {
    kide_u8 proto;    /**< RTR_TCP or RTR_UDP */
    kide_u16 port;    /**< uplink port */
    kide_u8 hab;      /**< habitat slot */
    kide_u16 to_port; /**< port in the habitat */
};

/** An allow rule: `from` may reach `to` (proto, destination port; 0 = any). */
struct rtr_rule_cfg {
    kide_u8 from, to; /**< habitat slots */
    kide_u8 proto;    /**< RTR_TCP, RTR_UDP, RTR_ICMP or RTR_ANY */
    kide_u16 port;    /**< destination port in `to`, 0 = any (TCP/UDP only) */
};

/** A whole configuration; habitats are indexed by their slot (= port). */
struct rtr_config {
    struct rtr_uplink_cfg uplink;                     /**< the uplink */
    kide_u8 router_mac[6];                            /**< the router's MAC on every downlink */
    kide_u32 dns;                                     /**< DNS server offered by DHCP, 0 = none */
    struct rtr_hab_cfg hab[RTR_HABITATS_MAX];         /**< by slot */
    kide_u32 nforward;                                /**< forwards in use */
    struct rtr_forward_cfg forward[RTR_FORWARDS_MAX]; /**< the forwards */
    kide_u32 nrule;                                   /**< rules in use */
    struct rtr_rule_cfg rule[RTR_RULES_MAX];          /**< the allow rules */
};

/** A configuration error: what is wrong (naming the field) and what to do. */
struct rtr_error {
    char msg[160];  /**< "habitats[1] 'b': address: 10.1.0.0 is the network's own address" */
    char hint[128]; /**< "give a host address inside 10.1.0.0/24, e.g. 10.1.0.2" */
};

/** What an update did with one item. */
enum rtr_change { RTR_ADDED, RTR_CHANGED, RTR_UNCHANGED, RTR_REMOVED };

/** The verdict on one changed item of an update. */
struct rtr_verdict {
    char item[96];        /**< "habitat 'a'", "forward tcp/7443", "allow a -> b tcp/80" */
    kide_u8 change;       /**< enum rtr_change */
    _Bool applied;        /**< in effect now; else err says why not */
    _Bool kept;           /**< rejected change: the version in effect before stays */
    struct rtr_error err; /**< the reason of a rejection */
};

/** The verdicts of one update, in document order, removals last. */
struct rtr_verdicts {
    kide_u32 n;                             /**< verdicts in v */
    struct rtr_verdict v[RTR_VERDICTS_MAX]; /**< the verdicts */
};

/** One NAT (connection table) entry. Its index in its habitat's block is its port. */
struct rtr_nat {
    kide_u8 used;         /**< in use */
    kide_u8 proto;        /**< RTR_TCP, RTR_UDP, RTR_ICMP */
    kide_u8 state;        /**< TCP: enum in nat.c; else 0 */
    kide_u8 fwd;          /**< created by a port forward (outside port is the forward's) */
    kide_u16 in_port;     /**< the habitat's port (ICMP: echo id) */
    kide_u16 out_port;    /**< the uplink's port (ICMP: echo id) */
    kide_u32 remote;      /**< the remote address */
    kide_u16 remote_port; /**< the remote port (ICMP: 0) */
    kide_u64 last;        /**< time of the last packet, ms */
};

/** A frame waiting in a habitat's queue. */
struct rtr_qframe {
    kide_u16 len;                /**< bytes in data */
    kide_u8 data[RTR_FRAME_MAX]; /**< the frame */
};

/** Runtime state of one habitat (slot). */
struct rtr_hab {
    struct rtr_counters c;               /**< the port's counters */
    kide_u32 nat_used;                   /**< entries in use in nat */
    struct rtr_nat nat[RTR_NAT_PER_HAB]; /**< its connection table block */
    kide_u32 qhead, qlen;                /**< ring of queued frames */
    struct rtr_qframe q[RTR_QUEUE_MAX];  /**< the queue towards the uplink and siblings */
};

/** An uplink neighbour: an address and its MAC (or a pending request). */
struct rtr_neigh {
    kide_u32 addr;  /**< 0: free */
    _Bool known;    /**< mac is valid */
    kide_u8 mac[6]; /**< the MAC */
    kide_u64 when;  /**< learnt (known) or last asked (pending), ms */
};

/** Called for every frame the router sends: port RTR_UPLINK or a habitat slot. */
typedef void (*rtr_emit_fn)(void *ctx, int port, const kide_u8 *frame, kide_u32 len);

/** The router. All fields are private to os/net/router; read them through the calls. */
struct rtr {
    _Bool configured;                         /**< a configuration is in effect */
    struct rtr_config cfg;                    /**< the configuration in effect */
    struct rtr_hab hab[RTR_HABITATS_MAX];     /**< per slot */
    struct rtr_counters up;                   /**< the uplink's counters */
    struct rtr_neigh neigh[RTR_NEIGH_MAX];    /**< uplink ARP cache */
    kide_u32 rr;                              /**< next slot the round-robin serves */
    kide_u64 sent;                            /**< frames sent out of any port, ever */
    rtr_emit_fn emit;                         /**< where frames go */
    void *emit_ctx;                           /**< its argument */
    kide_u8 in[RTR_FRAME_MAX];                /**< scratch: the frame rtr_input works on */
    kide_u8 out[RTR_FRAME_MAX];               /**< scratch for frames the router builds */
    struct rtr_config cand;                   /**< scratch: the configuration an update builds */
    struct kide_json_tok tok[RTR_TOKENS_MAX]; /**< scratch: an update's JSON tokens */
};

/** Reset r to an unconfigured router that sends through emit(ctx, ...). */
void rtr_init(struct rtr *r, rtr_emit_fn emit, void *ctx);

/**
 * Apply a configuration all or nothing: the first problem rejects the whole
 * document (nothing changes) and fills *err. Returns 0 or -1.
 */
int rtr_configure(struct rtr *r, const char *json, kide_u32 len, kide_u64 now,
                  struct rtr_error *err);

/**
 * Live update: the document replaces the configuration. The uplink and the
 * habitats are validated as a whole (a problem rejects the document: returns
 * -1, *err, nothing changes); every forward and allow rule gets its own
 * verdict in *v (a rejected one is not in effect; a rejected change of a
 * forward keeps the forward in effect before, verdict `kept`). NAT entries and queued
 * frames of a removed or changed habitat, and entries of a removed or changed
 * forward, are dropped. Returns 0 when every item applied, 1 when some were
 * rejected, -1 when the document was.
 */
int rtr_update(struct rtr *r, const char *json, kide_u32 len, kide_u64 now, struct rtr_verdicts *v,
               struct rtr_error *err);

/**
 * Live update, all or nothing: as rtr_update, but any rejected item rejects the
 * whole document (returns -1, *err says which and why, prefixed with the item;
 * nothing changes). On success *v holds the changes (added, changed, removed).
 * For a parent's live reconfiguration, whose verdict is one per document.
 */
int rtr_update_all(struct rtr *r, const char *json, kide_u32 len, kide_u64 now,
                   struct rtr_verdicts *v, struct rtr_error *err);

/**
 * Summarise the changes of *v (not the unchanged items) as "habitat 'a' added,
 * allow a -> b udp/7 removed" into buf (size bytes, always NUL-terminated; a list
 * that does not fit ends with ", and N more"). Returns the number of changes.
 */
kide_u32 rtr_verdicts_summary(const struct rtr_verdicts *v, char *buf, kide_u32 size);

/**
 * Write the component status: one compact JSON object
 * {"uplink": {...}, "<habitat>": {...}} with each port's rx, tx, rx_bytes,
 * tx_bytes, its non-zero drops by reason, and for habitats nat (entries in use)
 * and fwd_hits. Habitats that do not fit in size are left out, in slot order,
 * and counted ("omitted": n). Returns the length, or KIDE_JSON_ENOSPC when not
 * even the uplink fits (the caller publishes nothing then).
 */
long rtr_status(const struct rtr *r, char *buf, kide_u32 size);

/**
 * A frame arrived on port (RTR_UPLINK or a habitat slot). It is answered,
 * forwarded (uplink to habitat: at once), queued (habitat to uplink or
 * sibling: sent by rtr_poll) or dropped and counted. Returns 0, or -1 for a
 * port that holds no habitat (nothing is counted then).
 */
int rtr_input(struct rtr *r, int port, const kide_u8 *frame, kide_u32 len, kide_u64 now);

/**
 * Send queued frames, one per non-empty habitat queue in turn (round-robin),
 * translating each on its way out; also asks for the uplink gateway's MAC
 * while it is unknown. Stops when budget frames went out (ARP requests the
 * call sends count too) or the queues are empty. Returns the frames sent.
 */
kide_u32 rtr_poll(struct rtr *r, kide_u64 now, kide_u32 budget);

/** Free the NAT entries whose timeout has passed at now. Returns how many. */
kide_u32 rtr_expire(struct rtr *r, kide_u64 now);

/** The counters of port (RTR_UPLINK or a slot); NULL for a port without habitat. */
const struct rtr_counters *rtr_counters(const struct rtr *r, int port);

/** Slot of the habitat named name, or -1. */
int rtr_slot(const struct rtr *r, const char *name);

/** Frames slot's habitat may still queue (its queue length minus the frames
 *  waiting); 0 for a slot without habitat. A caller that takes no more frames
 *  from the habitat than this leaves them in the habitat's own ring
 *  (back-pressure) instead of dropping them as queue_full. */
kide_u32 rtr_queue_room(const struct rtr *r, int slot);
/** NAT entries in use by slot's habitat. */
kide_u32 rtr_nat_used(const struct rtr *r, int slot);

/** Name of a drop reason ("queue_full"), as the report writes it. */
const char *rtr_drop_name(int reason);

/**
 * Write the counters as one JSON object {"uplink": {...}, "habitats": {"a": {...}}}
 * into w (the state report's "router" member).
 */
void rtr_report(const struct rtr *r, struct kide_json_writer *w);

/**
 * Check the invariants (bounded tables and queues, consistent counters and
 * NAT blocks). Returns 0, or -1 and names the broken one in *why.
 */
int rtr_check_invariants(const struct rtr *r, const char **why);

#endif
