/* SPDX-License-Identifier: MIT */
/* rtr internals: portability, byte access, header layouts and the calls between the files.
 *
 * Frames are byte arrays in network order; every multi-byte field is read and
 * written through get16/get32/put16/put32, never through a cast, so nothing
 * depends on alignment or host byte order. Offsets below are from the start
 * of the header they name.
 */
#ifndef KIDE_NET_ROUTER_INTERNAL_H
#define KIDE_NET_ROUTER_INTERNAL_H

#include "router.h"

#ifdef RTR_HOST
#include <stdio.h>
#include <string.h>
#else
#include <kide/base.h>
#endif

typedef kide_u8 u8;
typedef kide_u16 u16;
typedef kide_u32 u32;
typedef kide_u64 u64;

/* ---- layouts ---------------------------------------------------------------- */
#define ETH_HLEN        14u
#define ETH_TYPE_IPV4   0x0800u
#define ETH_TYPE_ARP    0x0806u
#define ARP_LEN         28u /**< Ethernet/IPv4 ARP body */
#define IP_HLEN         20u /**< IPv4 header without options */
#define TCP_HLEN        20u
#define UDP_HLEN        8u
#define ICMP_HLEN       8u /**< echo header: type, code, checksum, id, sequence */
#define TCP_FIN         0x01u
#define TCP_SYN         0x02u
#define TCP_RST         0x04u
#define TCP_ACK         0x10u
#define ICMP_ECHO_REPLY 0u
#define ICMP_ECHO       8u

/* Outcomes of a frame besides the drop reasons (enum rtr_drop, >= 0). */
#define RTR_OK        (-1) /**< parsed and usable (pkt.c) */
#define RTR_FORWARDED (-2) /**< sent on to another port */
#define RTR_ANSWERED  (-3) /**< consumed by the router */
#define RTR_QUEUED    (-4) /**< waiting in the habitat's queue */

static inline u16 get16(const u8 *p)
{
    return (u16)(p[0] << 8 | p[1]);
}
static inline u32 get32(const u8 *p)
{
    return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}
static inline void put16(u8 *p, u32 v)
{
    p[0] = (u8)(v >> 8);
    p[1] = (u8)v;
}
static inline void put32(u8 *p, u32 v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

/** Netmask of a prefix length (0 .. 32). */
static inline u32 rtr_mask(u32 prefix)
{
    return prefix ? ~0u << (32 - prefix) : 0;
}
/** Whether a lies in net/prefix. */
static inline _Bool rtr_in_net(u32 a, u32 net, u32 prefix)
{
    return ((a ^ net) & rtr_mask(prefix)) == 0;
}

/** A parsed frame: where its headers are and what they say. */
struct pkt {
    u8 *f;        /**< the frame */
    u32 len;      /**< its length (trimmed to the IPv4 total length once parsed) */
    u16 type;     /**< ethertype */
    u32 l4;       /**< offset of the transport header */
    u32 l4len;    /**< bytes from l4 to the end of the IPv4 datagram */
    u8 proto;     /**< IPv4 protocol */
    u32 src, dst; /**< IPv4 addresses */
    u16 sport;    /**< TCP/UDP source port; ICMP echo: the id */
    u16 dport;    /**< TCP/UDP destination port; ICMP echo: 0 */
    u8 flags;     /**< TCP flags */
    u8 icmp_type; /**< ICMP type */
};

/* ---- pkt.c -------------------------------------------------------------------- */
/** Ones' complement sum of n bytes added to sum (not folded). */
u32 rtr_csum_add(u32 sum, const u8 *p, u32 n);
/** Fold and complement: the checksum field's value for sum. */
u16 rtr_csum_fold(u32 sum);
/** RFC 1624 eqn. 3: the checksum at field after a 16-bit word changed from old to new. */
void rtr_csum_replace16(u8 *field, u16 old, u16 new_);
/** Parse the Ethernet header: 0, or -1 for a runt. Sets p->type. */
int rtr_pkt_eth(struct pkt *p, u8 *f, u32 len);
/** Parse IPv4 and its transport header: RTR_OK when usable, else an enum rtr_drop. */
int rtr_pkt_ip(struct pkt *p);
/** Rewrite the source (which 0) or destination (1) address and port, checksums with them. */
void rtr_pkt_rewrite(struct pkt *p, int which, u32 addr, u16 port);
/** Decrement the TTL (the caller checked it is above 1). */
void rtr_pkt_ttl(struct pkt *p);
/** Set the Ethernet addresses. */
void rtr_pkt_macs(struct pkt *p, const u8 *dst, const u8 *src);
/** Build an ARP packet (op 1 request, 2 reply) into out; returns its length. */
u32 rtr_arp_build(u8 *out, u32 op, const u8 *sha, u32 spa, const u8 *tha, u32 tpa);

/* ---- nat.c -------------------------------------------------------------------- */
/** Outbound lookup in h's block: the entry for (proto, in_port, remote, rport), or NULL. */
struct rtr_nat *rtr_nat_find(struct rtr_hab *h, u32 nmax, u8 proto, u16 in_port, u32 remote,
                             u16 rport);
/** A free entry of h's block (expired ones are freed first), or NULL when full. */
struct rtr_nat *rtr_nat_alloc(struct rtr_hab *h, u32 nmax, u64 now);
/** The entry a reply to uplink port `port` belongs to (slot in *slot), or NULL. */
struct rtr_nat *rtr_nat_inbound(struct rtr *r, u8 proto, u16 port, u32 remote, u16 rport,
                                int *slot);
/** Account a packet of e's connection (outbound or not) at now: TCP state, last. */
void rtr_nat_touch(struct rtr_nat *e, u8 tcp_flags, _Bool outbound, u64 now);
/** Whether e has timed out at now. */
_Bool rtr_nat_expired(const struct rtr_nat *e, u64 now);
/** Free e. */
void rtr_nat_free(struct rtr_hab *h, struct rtr_nat *e);
/** Free all of h's entries (fwd_port 0) or those of the forward proto/fwd_port. */
void rtr_nat_flush(struct rtr_hab *h, u8 proto, u16 fwd_port);

/* ---- dhcp.c ------------------------------------------------------------------- */
/** Whether p (parsed) is a DHCP client message (UDP 68 -> 67). */
_Bool rtr_dhcp_is(const struct pkt *p);
/** Answer a DHCP message from slot's habitat: RTR_ANSWERED, else an enum rtr_drop. */
int rtr_dhcp_input(struct rtr *r, int slot, const struct pkt *p);

/* ---- router.c ----------------------------------------------------------------- */
/** Send a frame out of port and count it. */
void rtr_send(struct rtr *r, int port, const u8 *f, u32 len);

/* ---- config.c ----------------------------------------------------------------- */
/** Format an error (msg and hint, both printf-style through one format each). */
int rtr_fail(struct rtr_error *err, const char *hint, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

#endif
