/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethernet/IPv4/ARP framing of the proxy's SCTP (proxy_frame.h). */
#include <string.h>

#include "bytes.h"
#include "dataplane/proto/ip.h"
#include "proxy_frame.h"

#define ETHERTYPE_ARP 0x0806   /* RFC 826 */
#define IPV4_TTL 64
#define ARP_LEN 28             /* RFC 826, Ethernet/IPv4 */
#define ARP_HTYPE_ETH 1
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

static void
pframe_init(struct sw_pframe *pf, const uint8_t mac[6], const struct sw_proxy *px, int port)
{
	memset(pf, 0, sizeof(*pf));
	memcpy(pf->mac, mac, 6);
	pf->nlinks = px->nlinks;
	for (unsigned i = 0; i < px->nlinks; i++) {
		pf->link[i].laddr = px->link[i].cfg.laddr;
		pf->link[i].raddr = px->link[i].cfg.raddr;
		pf->link[i].lport = px->link[i].cfg.lport;
		pf->link[i].rport = px->link[i].cfg.rport;
		pf->link[i].here = port < 0 || px->link[i].cfg.port == port;
	}
}

void
sw_pframe_init(struct sw_pframe *pf, const uint8_t mac[6], const struct sw_proxy *px)
{
	pframe_init(pf, mac, px, -1);
}

void
sw_pframe_init_port(struct sw_pframe *pf, const uint8_t mac[6], const struct sw_proxy *px,
		    unsigned port)
{
	pframe_init(pf, mac, px, (int)port);
}

static void
learn(struct sw_pframe *pf, uint32_t ip, const uint8_t *mac)
{
	for (unsigned i = 0; i < pf->nlinks; i++)
		if (pf->link[i].here && pf->link[i].raddr == ip) {
			memcpy(pf->link[i].peer_mac, mac, 6);
			pf->link[i].mac_known = true;
		}
}

static bool
local_addr(const struct sw_pframe *pf, uint32_t ip)
{
	for (unsigned i = 0; i < pf->nlinks; i++)
		if (pf->link[i].here && pf->link[i].laddr == ip)
			return true;
	return false;
}

static size_t
arp_frame(const struct sw_pframe *pf, uint16_t op, const uint8_t *tha, uint32_t spa,
	  uint32_t tpa, uint8_t *out, size_t cap)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	uint8_t *a = out + ETH_HDR_LEN;

	if (cap < ETH_HDR_LEN + ARP_LEN)
		return 0;
	memcpy(out, op == ARP_OP_REQUEST ? bcast : tha, 6);
	memcpy(out + 6, pf->mac, 6);
	sw_wr16(out + 12, ETHERTYPE_ARP);
	/* RFC 826: hardware type, protocol type, hlen, plen, op, sha, spa, tha, tpa */
	sw_wr16(a, ARP_HTYPE_ETH);
	sw_wr16(a + 2, ETH_TYPE_IPV4);
	a[4] = 6;
	a[5] = 4;
	sw_wr16(a + 6, op);
	memcpy(a + 8, pf->mac, 6);
	sw_wr32(a + 14, spa);
	if (op == ARP_OP_REQUEST)
		memset(a + 18, 0, 6);
	else
		memcpy(a + 18, tha, 6);
	sw_wr32(a + 24, tpa);
	return ETH_HDR_LEN + ARP_LEN;
}

enum sw_pframe_rx
sw_pframe_input(struct sw_pframe *pf, const uint8_t *f, size_t len, uint16_t *link, size_t *off,
		size_t *sctp_len, uint8_t *reply, size_t reply_cap)
{
	uint16_t type;

	if (len < ETH_HDR_LEN)
		goto other;
	type = sw_rd16(f + 12);
	if (type == ETHERTYPE_ARP) {
		const uint8_t *a = f + ETH_HDR_LEN;

		if (len < ETH_HDR_LEN + ARP_LEN || sw_rd16(a) != ARP_HTYPE_ETH ||
		    sw_rd16(a + 2) != ETH_TYPE_IPV4 || a[4] != 6 || a[5] != 4)
			goto other;
		pf->rx_arp++;
		learn(pf, sw_rd32(a + 14), a + 8);
		if (sw_rd16(a + 6) == ARP_OP_REQUEST && local_addr(pf, sw_rd32(a + 24))) {
			*sctp_len = arp_frame(pf, ARP_OP_REPLY, a + 8, sw_rd32(a + 24), sw_rd32(a + 14),
					      reply, reply_cap);
			if (*sctp_len != 0) {
				pf->tx_arp++;
				return SW_PFRAME_REPLY;
			}
		}
		return SW_PFRAME_NONE;
	}
	if (type == ETH_TYPE_IPV4 && len >= ETH_HDR_LEN + IPV4_HDR_MIN + 12) {
		const uint8_t *ip = f + ETH_HDR_LEN;
		size_t ihl = (size_t)(ip[0] & 0x0f) * 4, tot = sw_rd16(ip + 2);
		uint32_t src = sw_rd32(ip + 12), dst = sw_rd32(ip + 16);

		/* Fragments are not reassembled here: associations are configured with an MTU
		 * that fits (usrsctp fragments user messages into DATA chunks itself). */
		if ((ip[0] >> 4) != 4 || ihl < IPV4_HDR_MIN || tot < ihl + 12 ||
		    tot > len - ETH_HDR_LEN || ip[9] != IP_PROTO_SCTP || (sw_rd16(ip + 6) & IPV4_FRAG_MASK))
			goto other;
		const uint8_t *s = ip + ihl;
		uint16_t sport = sw_rd16(s), dport = sw_rd16(s + 2);

		for (unsigned i = 0; i < pf->nlinks; i++) {
			struct sw_pframe_link *l = &pf->link[i];

			if (!l->here || l->laddr != dst || l->raddr != src || l->lport != dport ||
			    l->rport != sport)
				continue;
			memcpy(l->peer_mac, f + 6, 6);
			l->mac_known = true;
			*link = (uint16_t)i;
			*off = ETH_HDR_LEN + ihl;
			*sctp_len = tot - ihl;
			pf->rx_sctp++;
			return SW_PFRAME_SCTP;
		}
	}
other:
	pf->rx_other++;
	return SW_PFRAME_NONE;
}

size_t
sw_pframe_output(struct sw_pframe *pf, uint16_t link, const void *sctp, size_t len,
		 uint64_t now_ms, uint8_t *out, size_t cap)
{
	struct sw_pframe_link *l = &pf->link[link];
	uint8_t *ip = out + ETH_HDR_LEN;

	if (!l->mac_known) {
		pf->tx_no_mac++;
		if (l->arp_sent_ms != 0 && now_ms - l->arp_sent_ms < SW_PFRAME_ARP_RETRY_MS)
			return 0;
		l->arp_sent_ms = now_ms != 0 ? now_ms : 1;
		pf->tx_arp++;
		return arp_frame(pf, ARP_OP_REQUEST, NULL, l->laddr, l->raddr, out, cap);
	}
	if (len > 0xffff - IPV4_HDR_MIN || cap < ETH_HDR_LEN + IPV4_HDR_MIN + len)
		return 0;
	memcpy(out, l->peer_mac, 6);
	memcpy(out + 6, pf->mac, 6);
	sw_wr16(out + 12, ETH_TYPE_IPV4);
	/* RFC 791 3.1: version 4, IHL 5, DSCP 0, total length, id, DF, TTL, SCTP, checksum,
	 * source, destination. */
	ip[0] = 0x45;
	ip[1] = 0;
	sw_wr16(ip + 2, (uint16_t)(IPV4_HDR_MIN + len));
	sw_wr16(ip + 4, pf->ip_id++);
	sw_wr16(ip + 6, IPV4_FLAG_DF);
	ip[8] = IPV4_TTL;
	ip[9] = IP_PROTO_SCTP;
	sw_wr16(ip + 10, 0);
	sw_wr32(ip + 12, l->laddr);
	sw_wr32(ip + 16, l->raddr);
	sw_wr16(ip + 10, sw_ipv4_csum(ip, IPV4_HDR_MIN));
	memcpy(ip + IPV4_HDR_MIN, sctp, len);
	return ETH_HDR_LEN + IPV4_HDR_MIN + len;
}
