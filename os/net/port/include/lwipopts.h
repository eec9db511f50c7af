/* SPDX-License-Identifier: MIT */
/* lwIP port: the stack's configuration (lwIP's opt.h lists every option).
 *
 * One thread, no operating-system layer (NO_SYS=1), the raw callback API
 * only. All memory is static: a heap of NET_MEM_SIZE bytes for PBUF_RAM
 * buffers (what tcp_write copies and what UDP sends), fixed pools for
 * protocol control blocks, segments and received frames (PBUF_POOL). The
 * sizes are defaults the build may override with -D, so an os/net built
 * for a small habitat is small; together they are the stack's whole RAM,
 * charged to the habitat that runs it. Every pool is counted (LWIP_STATS),
 * which is how the tests prove that nothing leaks.
 *
 * Invariant: TCP_WND fits in the receive pool (PBUF_POOL_SIZE frames of
 * TCP_MSS), and TCP_SND_BUF in the heap with room to spare, so a full
 * window in both directions never exhausts memory; lwIP's init.c checks
 * the relations between these numbers at compile time.
 */
#ifndef NET_LWIPOPTS_H
#define NET_LWIPOPTS_H

/* ---- sizes (override with -DNET_...) ---- */
#ifndef NET_MEM_SIZE
#define NET_MEM_SIZE (256 * 1024) /**< heap for PBUF_RAM, bytes */
#endif
#ifndef NET_PBUF_POOL_SIZE
#define NET_PBUF_POOL_SIZE 96 /**< receive buffers, one frame each */
#endif
#ifndef NET_TCP_PCBS
#define NET_TCP_PCBS 32 /**< TCP connections at once */
#endif
#ifndef NET_TCP_LISTENERS
#define NET_TCP_LISTENERS 8 /**< listening TCP sockets */
#endif
#ifndef NET_UDP_PCBS
#define NET_UDP_PCBS 16 /**< UDP sockets (the DHCP client uses one) */
#endif
#ifndef NET_TCP_WND
#define NET_TCP_WND (64 * 1024) /**< receive window per connection */
#endif
#ifndef NET_TCP_SND_BUF
#define NET_TCP_SND_BUF (64 * 1024) /**< send buffer per connection */
#endif

/* ---- the system layer ---- */
#define NO_SYS               1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_NETCONN         0
#define LWIP_SOCKET          0
#define LWIP_TIMERS          1

/* ---- memory ---- */
#define MEM_LIBC_MALLOC         0
#define MEMP_MEM_MALLOC         0
#define MEM_ALIGNMENT           8
#define MEM_SIZE                NET_MEM_SIZE
#define PBUF_POOL_SIZE          NET_PBUF_POOL_SIZE
#define MEMP_NUM_PBUF           64
#define MEMP_NUM_TCP_PCB        NET_TCP_PCBS
#define MEMP_NUM_TCP_PCB_LISTEN NET_TCP_LISTENERS
#define MEMP_NUM_UDP_PCB        NET_UDP_PCBS
#define MEMP_NUM_TCP_SEG        TCP_SND_QUEUELEN
#define MEMP_NUM_REASSDATA      8
#define MEMP_NUM_FRAG_PBUF      16
#define MEMP_NUM_ARP_QUEUE      32
#define ARP_TABLE_SIZE          32

/* ---- protocols ---- */
#define LWIP_IPV4                     1
#define LWIP_IPV6                     0
#define LWIP_ARP                      1
#define LWIP_ETHERNET                 1
#define LWIP_ICMP                     1
#define LWIP_RAW                      0
#define LWIP_UDP                      1
#define LWIP_TCP                      1
#define LWIP_DHCP                     1
#define LWIP_AUTOIP                   0
#define LWIP_IGMP                     0
#define LWIP_DNS                      0
#define IP_REASSEMBLY                 1
#define IP_FRAG                       1
#define ARP_QUEUEING                  1
#define ETHARP_SUPPORT_STATIC_ENTRIES 1

/* ---- TCP ---- */
#define TCP_MSS               1460
#define LWIP_WND_SCALE        1
#define TCP_RCV_SCALE         2
#define TCP_WND               NET_TCP_WND
#define TCP_SND_BUF           NET_TCP_SND_BUF
#define TCP_SND_QUEUELEN      ((4 * TCP_SND_BUF + (TCP_MSS - 1)) / TCP_MSS)
#define TCP_OVERSIZE          TCP_MSS
#define LWIP_TCP_TIMESTAMPS   1
#define LWIP_TCP_SACK_OUT     1
#define LWIP_TCP_MAX_SACK_NUM 4
#define TCP_QUEUE_OOSEQ       1
#define TCP_OOSEQ_MAX_PBUFS   32
#define TCP_LISTEN_BACKLOG    1
#define LWIP_TCP_KEEPALIVE    1
/* SO_REUSEADDR, which the socket session sets on every listener: a server
 * restarted on its port listens at once although its old connections wait
 * in TIME_WAIT; two listeners on one port are still refused (tcp_listen). */
#define SO_REUSE          1
#define LWIP_CALLBACK_API 1

/* ---- the network interface ---- */
#define LWIP_SINGLE_NETIF            0
#define LWIP_NETIF_STATUS_CALLBACK   1
#define LWIP_NETIF_LINK_CALLBACK     1
#define LWIP_NETIF_LOOPBACK          0
#define LWIP_NETIF_TX_SINGLE_PBUF    1
#define PBUF_LINK_ENCAPSULATION_HLEN 0

/* ---- checksums: all in software (the NIC session offloads nothing yet) ---- */
#define LWIP_CHECKSUM_ON_COPY 1

/* ---- statistics: every pool counted, nothing printed ---- */
#define LWIP_STATS         1
#define LWIP_STATS_DISPLAY 0
#define LINK_STATS         1
#define ETHARP_STATS       1
#define IP_STATS           1
#define ICMP_STATS         1
#define UDP_STATS          1
#define TCP_STATS          1
#define MEM_STATS          1
#define MEMP_STATS         1
#define SYS_STATS          0

#endif
