/* SPDX-License-Identifier: MIT */
/* os/net tests: one lwIP stack behind a table of functions.
 *
 * lwIP keeps its state in globals, so one address space holds one stack.
 * The two-stack test links the stack twice: inst.c, netif.c, the port and
 * lwIP are linked into one object per stack whose global symbols get a
 * prefix (a_, b_; os/net/tests/build.mk), and the test reaches each stack
 * only through its table, a_net_inst or b_net_inst. The fuzzer links one
 * stack plainly and uses net_inst.
 *
 * What the table offers is what a socket server does with lwIP: one TCP
 * connection with a receive buffer that acknowledges data only when it is
 * read (so the window is the back-pressure), one UDP socket, and the pool
 * statistics that show whether every buffer came back.
 */
#ifndef NET_TESTS_INST_H
#define NET_TESTS_INST_H

#include "net/netif.h"

#include <stddef.h>
#include <stdint.h>

/** The stack's memory in use, from LWIP_STATS. */
struct inst_stats {
    unsigned pbuf_pool; /**< PBUF_POOL buffers in use (received frames) */
    unsigned pbuf_ref;  /**< PBUF_REF/ROM headers in use */
    unsigned mem_used;  /**< heap bytes in use (PBUF_RAM, DHCP state) */
    unsigned tcp_pcbs;  /**< TCP connections */
    unsigned tcp_segs;  /**< queued TCP segments */
    unsigned reass;     /**< IP datagrams being reassembled */
    unsigned arp_queue; /**< packets waiting for ARP */
    unsigned pool_errs; /**< allocations refused by any pool */
    unsigned icmp_xmit; /**< ICMP messages sent */
};

/** TCP states as the test sees them. */
enum inst_tcp_state {
    INST_TCP_NONE,
    INST_TCP_CONNECTING,
    INST_TCP_OPEN,
    INST_TCP_PEER_CLOSED,
    INST_TCP_ERROR
};

struct net_inst_ops {
    /** Start the stack on LINK with address IP/24 ("10.0.0.1"), or with
     *  the DHCP client when IP is NULL (its watch, net/dhcp_watch.h, waits
     *  NET_DHCP_TIMEOUT_MS from time 0); 0 or -1. */
    int (*init)(struct net_link *link, const char *ip, uint64_t seed);
    /** The DHCP watch's check at NOW_MS: 1 with its line in LINE, else 0. */
    int (*dhcp_check)(uint32_t now_ms, char *line, size_t len);
    /** The interface's address, mask and gateway (host order); whether
     *  they came from a DHCP lease. */
    int (*addr)(uint32_t *ip, uint32_t *mask, uint32_t *gw);
    /** Set the clock to NOW_MS, take waiting frames, run due timers. */
    void (*poll)(uint32_t now_ms);
    /** Hand one frame to the stack directly (the fuzzer). */
    int (*input)(const void *frame, size_t len);
    /** Is IP in the ARP table? */
    int (*arp_has)(const char *ip);
    /** Add IP at MAC to the ARP table for good. */
    int (*arp_static)(const char *ip, const uint8_t mac[6]);
    int (*tcp_listen)(uint16_t port);
    int (*tcp_connect)(const char *ip, uint16_t port);
    enum inst_tcp_state (*tcp_state)(void);
    /** Queue up to LEN bytes: how many were taken (0: the window is full). */
    size_t (*tcp_send)(const void *buf, size_t len);
    /** Take up to CAP received bytes (and open the window by as many). */
    size_t (*tcp_recv)(void *buf, size_t cap);
    /** Close the connection (FIN); 0 or -1. */
    int (*tcp_close)(void);
    /** Abort every TCP connection but the listener (the fuzzer's reset). */
    void (*tcp_abort_all)(void);
    int (*udp_bind)(uint16_t port);
    int (*udp_sendto)(const char *ip, uint16_t port, const void *buf, size_t len);
    /** The last datagram received: its length (0: none), source port. */
    size_t (*udp_recv)(void *buf, size_t cap, uint16_t *port);
    /** Drop the ARP table and queued packets (the fuzzer's reset). */
    void (*arp_flush)(void);
    void (*stats)(struct inst_stats *st);
    /** The stack's one socket session (net/session.h): a request's words in,
     *  the reply's out; the session's shared buffer is sock_buf. */
    int (*sock_call)(uint64_t op, const uint64_t *req, unsigned nreq, uint64_t *rep,
                     unsigned *nrep);
    uint8_t *sock_buf;
    /** End the session (every socket closed or aborted) and start a fresh one. */
    void (*sock_reset)(void);
};

/** The stack's table (a_net_inst, b_net_inst once renamed). */
extern const struct net_inst_ops net_inst;

#endif
