/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Link and network layers: Ethernet II with up to two VLAN tags (IEEE 802.1Q / 802.1ad),
 * Linux cooked captures (SLL, SLL2) and raw IP for captures; IPv4 (RFC 791, options skipped,
 * fragments recognised) and IPv6 (RFC 8200, extension headers skipped). Hands the transport
 * range to the SCTP chunk walk.
 */
#include <stddef.h>

#include "decode.h"

#define ETH_HLEN 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100 /* IEEE 802.1Q */
#define ETHERTYPE_QINQ 0x88a8 /* IEEE 802.1ad */
#define ETHERTYPE_QINQ_OLD 0x9100
#define SLL_HLEN 16  /* LINKTYPE_LINUX_SLL: protocol at offset 14 */
#define SLL2_HLEN 20 /* LINKTYPE_LINUX_SLL2: protocol at offset 0 */

#define IPPROTO_SCTP_ 132 /* IANA */
/* IPv6 extension headers skipped on the way to the upper layer (RFC 8200 4.1). */
#define IP6_HOPOPTS 0
#define IP6_ROUTING 43
#define IP6_FRAGMENT 44
#define IP6_DSTOPTS 60
#define IP6_AH 51
#define IP6_EXT_MAX 8

enum sw_mal sw_sctp_walk(const uint8_t *buf, struct sw_pkt *pkt);

static enum sw_mal
pkt_fail(struct sw_pkt *pkt, enum sw_mal m)
{
	if (pkt->mal == SW_MAL_NONE)
		pkt->mal = m;
	return pkt->mal;
}

static enum sw_mal
decode_ipv4(const uint8_t *buf, struct sw_cur *c, struct sw_pkt *pkt)
{
	uint8_t vihl, proto;
	uint16_t totlen, frag;
	uint32_t hlen;

	/* RFC 791 3.1 */
	if (sw_cur_left(c) < 20)
		return pkt_fail(pkt, SW_MAL_IP_SHORT);
	vihl = buf[c->off];
	hlen = (uint32_t)(vihl & 0x0f) * 4;
	totlen = (uint16_t)(buf[c->off + 2] << 8 | buf[c->off + 3]);
	frag = (uint16_t)(buf[c->off + 6] << 8 | buf[c->off + 7]);
	proto = buf[c->off + 9];
	pkt->ip_ver = 4;
	pkt->l3_off = c->off;
	memcpy(pkt->src, buf + c->off + 12, 4);
	memcpy(pkt->dst, buf + c->off + 16, 4);
	pkt->ip_proto = proto;
	if (hlen < 20 || hlen > sw_cur_left(c))
		return pkt_fail(pkt, SW_MAL_IP_HLEN);
	if (totlen < hlen || totlen > sw_cur_left(c))
		return pkt_fail(pkt, SW_MAL_IP_TOTLEN);
	/* Ethernet padding after the datagram is not part of it. */
	c->end = c->off + totlen;
	c->off += hlen;
	pkt->l4_off = c->off;
	pkt->l4_end = c->end;
	/* More-fragments bit or a non-zero fragment offset. */
	if ((frag & 0x3fff) != 0) {
		pkt->ip_frag = true;
		return pkt_fail(pkt, SW_MAL_IP_FRAGMENT);
	}
	return SW_MAL_NONE;
}

static enum sw_mal
decode_ipv6(const uint8_t *buf, struct sw_cur *c, struct sw_pkt *pkt)
{
	uint16_t plen;
	uint8_t nh;
	unsigned n;

	/* RFC 8200 3 */
	if (sw_cur_left(c) < 40)
		return pkt_fail(pkt, SW_MAL_IP_SHORT);
	plen = (uint16_t)(buf[c->off + 4] << 8 | buf[c->off + 5]);
	nh = buf[c->off + 6];
	pkt->ip_ver = 6;
	pkt->l3_off = c->off;
	memcpy(pkt->src, buf + c->off + 8, 16);
	memcpy(pkt->dst, buf + c->off + 24, 16);
	c->off += 40;
	if (plen > sw_cur_left(c))
		return pkt_fail(pkt, SW_MAL_IP_TOTLEN);
	c->end = c->off + plen;
	for (n = 0;; n++) {
		uint8_t hdr[2];

		if (nh != IP6_HOPOPTS && nh != IP6_ROUTING && nh != IP6_FRAGMENT &&
		    nh != IP6_DSTOPTS && nh != IP6_AH)
			break;
		if (n >= IP6_EXT_MAX || sw_cur_copy(c, hdr, 2) < 0)
			return pkt_fail(pkt, SW_MAL_IP6_EXTHDR);
		c->off -= 2;
		if (nh == IP6_FRAGMENT) {
			pkt->ip_frag = true;
			pkt->ip_proto = hdr[0];
			return pkt_fail(pkt, SW_MAL_IP_FRAGMENT);
		}
		/* Length in 8-octet units not counting the first 8; AH in 4-octet units + 2. */
		uint32_t elen = nh == IP6_AH ? ((uint32_t)hdr[1] + 2) * 4 : ((uint32_t)hdr[1] + 1) * 8;
		if (sw_cur_skip(c, elen) < 0)
			return pkt_fail(pkt, SW_MAL_IP6_EXTHDR);
		nh = hdr[0];
	}
	pkt->ip_proto = nh;
	pkt->l4_off = c->off;
	pkt->l4_end = c->end;
	return SW_MAL_NONE;
}

static enum sw_mal
decode_ip_by_version(const uint8_t *buf, struct sw_cur *c, struct sw_pkt *pkt)
{
	uint8_t v;

	if (sw_cur_peek(c, 0, &v) < 0)
		return pkt_fail(pkt, SW_MAL_IP_SHORT);
	if ((v >> 4) == 4)
		return decode_ipv4(buf, c, pkt);
	if ((v >> 4) == 6)
		return decode_ipv6(buf, c, pkt);
	return pkt_fail(pkt, SW_MAL_IP_VERSION);
}

static enum sw_mal
decode_ethertype(const uint8_t *buf, struct sw_cur *c, uint16_t type, struct sw_pkt *pkt)
{
	while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD) {
		uint16_t tci;

		if (pkt->vlan_count >= 2)
			return pkt_fail(pkt, SW_MAL_VLAN_DEPTH);
		if (sw_cur_be16(c, &tci) < 0 || sw_cur_be16(c, &type) < 0)
			return pkt_fail(pkt, SW_MAL_LINK_SHORT);
		pkt->vlan[pkt->vlan_count++] = tci & 0x0fff;
	}
	if (type == ETHERTYPE_IPV4) {
		if (decode_ipv4(buf, c, pkt) != SW_MAL_NONE)
			return pkt->mal;
	} else if (type == ETHERTYPE_IPV6) {
		if (decode_ipv6(buf, c, pkt) != SW_MAL_NONE)
			return pkt->mal;
	} else {
		return pkt_fail(pkt, SW_MAL_ETH_TYPE);
	}
	return SW_MAL_NONE;
}

enum sw_mal
sw_decode_packet(const uint8_t *buf, uint32_t len, enum sw_link link, struct sw_pkt *pkt)
{
	struct sw_cur c;
	uint16_t type;
	enum sw_mal m;

	/* The chunk array is bounded by nchunks and need not be cleared. */
	memset(pkt, 0, offsetof(struct sw_pkt, chunks));
	pkt->mal = SW_MAL_NONE;
	pkt->len = len;
	sw_cur_init(&c, buf, 0, len);

	switch (link) {
	case SW_LINK_ETH:
		if (sw_cur_skip(&c, 12) < 0 || sw_cur_be16(&c, &type) < 0)
			return pkt_fail(pkt, SW_MAL_LINK_SHORT);
		m = decode_ethertype(buf, &c, type, pkt);
		break;
	case SW_LINK_SLL:
		if (sw_cur_skip(&c, 14) < 0 || sw_cur_be16(&c, &type) < 0)
			return pkt_fail(pkt, SW_MAL_LINK_SHORT);
		m = decode_ethertype(buf, &c, type, pkt);
		break;
	case SW_LINK_SLL2:
		if (sw_cur_be16(&c, &type) < 0 || sw_cur_skip(&c, SLL2_HLEN - 2) < 0)
			return pkt_fail(pkt, SW_MAL_LINK_SHORT);
		m = decode_ethertype(buf, &c, type, pkt);
		break;
	case SW_LINK_RAW:
		m = decode_ip_by_version(buf, &c, pkt);
		break;
	case SW_LINK_IPV4:
		m = decode_ipv4(buf, &c, pkt);
		break;
	case SW_LINK_IPV6:
		m = decode_ipv6(buf, &c, pkt);
		break;
	default:
		return pkt_fail(pkt, SW_MAL_LINK_TYPE);
	}
	if (m != SW_MAL_NONE)
		return m;
	if (pkt->ip_proto != IPPROTO_SCTP_)
		return pkt_fail(pkt, SW_MAL_IP_PROTO);
	return sw_sctp_walk(buf, pkt);
}
