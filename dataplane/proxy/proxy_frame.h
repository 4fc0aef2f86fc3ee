/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The proxy's own Ethernet/IPv4 framing on a DPDK port (no kernel): SCTP packets of the links'
 * associations in and out of IPv4 (RFC 791) frames, ARP (RFC 826) for the links' local
 * addresses and to learn the peers' MAC addresses. Pure C: frames in, frames out.
 */
#ifndef SW_PROXY_PROXY_FRAME_H
#define SW_PROXY_PROXY_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proxy.h"

#define SW_PFRAME_ARP_RETRY_MS 1000

struct sw_pframe_link {
	uint32_t laddr, raddr;  /* host order */
	uint16_t lport, rport;
	uint8_t peer_mac[6];
	bool mac_known;
	bool here;              /* the link is on this frame's port (sw_pframe_init_port) */
	uint64_t arp_sent_ms;
};

struct sw_pframe {
	uint8_t mac[6];
	unsigned nlinks;
	uint16_t ip_id;
	struct sw_pframe_link link[SW_PROXY_LINKS];
	uint64_t rx_sctp, rx_arp, tx_arp, rx_other, tx_no_mac;
};

enum sw_pframe_rx {
	SW_PFRAME_SCTP,   /* *link, *off, *len: the SCTP packet of a link */
	SW_PFRAME_REPLY,  /* an ARP reply to send is in reply[0..*len) */
	SW_PFRAME_NONE,   /* consumed (ARP learned) or not ours (counted) */
};

/* Links' addresses from px (sealed); mac: the port's. */
void sw_pframe_init(struct sw_pframe *pf, const uint8_t mac[6], const struct sw_proxy *px);
/* The same for one port of several: only the links whose cfg.port is port (the others' packets
 * and ARP are not this port's; link ids stay px's). */
void sw_pframe_init_port(struct sw_pframe *pf, const uint8_t mac[6], const struct sw_proxy *px,
			 unsigned port);

enum sw_pframe_rx sw_pframe_input(struct sw_pframe *pf, const uint8_t *frame, size_t len,
				  uint16_t *link, size_t *off, size_t *sctp_len, uint8_t *reply,
				  size_t reply_cap);

/* The frame carrying sctp[0..len) to link's peer into out; or, while the peer's MAC is
 * unknown, an ARP request for it (at most once per SW_PFRAME_ARP_RETRY_MS; SCTP retransmits).
 * Returns the frame length, 0 when there is nothing to send. */
size_t sw_pframe_output(struct sw_pframe *pf, uint16_t link, const void *sctp, size_t len,
			uint64_t now_ms, uint8_t *out, size_t cap);

#endif /* SW_PROXY_PROXY_FRAME_H */
