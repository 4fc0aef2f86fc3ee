/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Link and network layers: Ethernet II with up to two VLAN tags (IEEE 802.1Q / 802.1ad),
 * Linux cooked captures (SLL, SLL2) and raw IP for captures; IPv4 (RFC 791, options skipped,
 * fragments recognised) and IPv6 (RFC 8200, extension headers skipped). Hands the transport
 * range to the SCTP chunk walk.
 */
#include <stddef.h>

#include "decode.h"

#include "dataplane/proto/ip.h"

#define IP6_EXT_MAX 8 /* extension headers skipped before giving up */

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
	if (sw_cur_left(c) < IPV4_HDR_MIN)
		return pkt_fail(pkt, SW_MAL_IP_SHORT);
	vihl = buf[c->off];
	hlen = (uint32_t)(vihl & 0x0f) * 4;
	totlen = (uint16_t)(buf[c->off + IPV4_OFF_TOTLEN] << 8 | buf[c->off + IPV4_OFF_TOTLEN + 1]);
	frag = (uint16_t)(buf[c->off + IPV4_OFF_FRAG] << 8 | buf[c->off + IPV4_OFF_FRAG + 1]);
	proto = buf[c->off + IPV4_OFF_PROTO];
	pkt->ip_ver = 4;
	pkt->l3_off = c->off;
	memcpy(pkt->src, buf + c->off + IPV4_OFF_SRC, 4);
	memcpy(pkt->dst, buf + c->off + IPV4_OFF_DST, 4);
	pkt->ip_proto = proto;
	if (hlen < IPV4_HDR_MIN || hlen > sw_cur_left(c))
		return pkt_fail(pkt, SW_MAL_IP_HLEN);
	if (totlen < hlen || totlen > sw_cur_left(c))
		return pkt_fail(pkt, SW_MAL_IP_TOTLEN);
	/* Ethernet padding after the datagram is not part of it. */
	c->end = c->off + totlen;
	c->off += hlen;
	pkt->l4_off = c->off;
	pkt->l4_end = c->end;
	/* More-fragments bit or a non-zero fragment offset. */
	if ((frag & IPV4_FRAG_MASK) != 0) {
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
	if (sw_cur_left(c) < IPV6_HDR_LEN)
		return pkt_fail(pkt, SW_MAL_IP_SHORT);
	plen = (uint16_t)(buf[c->off + IPV6_OFF_PLEN] << 8 | buf[c->off + IPV6_OFF_PLEN + 1]);
	nh = buf[c->off + IPV6_OFF_NH];
	pkt->ip_ver = 6;
	pkt->l3_off = c->off;
	memcpy(pkt->src, buf + c->off + IPV6_OFF_SRC, 16);
	memcpy(pkt->dst, buf + c->off + IPV6_OFF_DST, 16);
	c->off += IPV6_HDR_LEN;
	if (plen > sw_cur_left(c))
		return pkt_fail(pkt, SW_MAL_IP_TOTLEN);
	c->end = c->off + plen;
	for (n = 0;; n++) {
		uint8_t hdr[2];

		if (nh != IPV6_NH_HOPOPTS && nh != IPV6_NH_ROUTING && nh != IPV6_NH_FRAGMENT &&
		    nh != IPV6_NH_DSTOPTS && nh != IPV6_NH_AH)
			break;
		if (n >= IP6_EXT_MAX || sw_cur_copy(c, hdr, 2) < 0)
			return pkt_fail(pkt, SW_MAL_IP6_EXTHDR);
		c->off -= 2;
		if (nh == IPV6_NH_FRAGMENT) {
			pkt->ip_frag = true;
			pkt->ip_proto = hdr[0];
			return pkt_fail(pkt, SW_MAL_IP_FRAGMENT);
		}
		/* Length in 8-octet units not counting the first 8; AH in 4-octet units + 2. */
		uint32_t elen = nh == IPV6_NH_AH ? ((uint32_t)hdr[1] + 2) * 4 : ((uint32_t)hdr[1] + 1) * 8;
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
	while (type == ETH_TYPE_VLAN || type == ETH_TYPE_QINQ || type == ETH_TYPE_QINQ_OLD) {
		uint16_t tci;

		if (pkt->vlan_count >= 2)
			return pkt_fail(pkt, SW_MAL_VLAN_DEPTH);
		if (sw_cur_be16(c, &tci) < 0 || sw_cur_be16(c, &type) < 0)
			return pkt_fail(pkt, SW_MAL_LINK_SHORT);
		pkt->vlan[pkt->vlan_count++] = tci & VLAN_VID_MASK;
	}
	if (type == ETH_TYPE_IPV4) {
		if (decode_ipv4(buf, c, pkt) != SW_MAL_NONE)
			return pkt->mal;
	} else if (type == ETH_TYPE_IPV6) {
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
		if (sw_cur_skip(&c, SLL_PROTO_OFF) < 0 || sw_cur_be16(&c, &type) < 0)
			return pkt_fail(pkt, SW_MAL_LINK_SHORT);
		m = decode_ethertype(buf, &c, type, pkt);
		break;
	case SW_LINK_SLL2:
		if (sw_cur_be16(&c, &type) < 0 || sw_cur_skip(&c, SLL2_HDR_LEN - 2) < 0)
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
	if (pkt->ip_proto != IP_PROTO_SCTP)
		return pkt_fail(pkt, SW_MAL_IP_PROTO);
	return sw_sctp_walk(buf, pkt);
}
