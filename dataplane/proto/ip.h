/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Link and IP wire constants (IEEE 802.3/802.1Q, Linux cooked captures, RFC 791, RFC 8200)
 * and the one IPv4 header checksum / length fix-up (RFC 791 3.1, RFC 1071) used by the
 * enforcer, which rewrites packets, and by the generator, which builds them.
 */
#ifndef SW_PROTO_IP_H
#define SW_PROTO_IP_H

#include <stdint.h>

/* Ethernet II and VLAN tags */
#define ETH_HDR_LEN		14     /* IEEE 802.3 3.1.1: dst, src, type */
#define ETH_TYPE_IPV4		0x0800 /* IANA ethertype, RFC 894 */
#define ETH_TYPE_IPV6		0x86dd /* RFC 2464 3 */
#define ETH_TYPE_VLAN		0x8100 /* IEEE 802.1Q C-tag */
#define ETH_TYPE_QINQ		0x88a8 /* IEEE 802.1ad S-tag */
#define ETH_TYPE_QINQ_OLD	0x9100 /* pre-standard S-tag */
#define VLAN_TAG_LEN		4      /* IEEE 802.1Q 9.3: TPID is the ethertype; TCI follows */
#define VLAN_VID_MASK		0x0fff

/* Linux cooked captures (pcap LINKTYPE_LINUX_SLL / SLL2) */
#define SLL_HDR_LEN		16     /* protocol at offset 14 */
#define SLL_PROTO_OFF		14
#define SLL2_HDR_LEN		20     /* protocol at offset 0 */

/* IPv4, RFC 791 3.1 */
#define IPV4_HDR_MIN		20
#define IPV4_OFF_TOTLEN		2
#define IPV4_OFF_FRAG		6      /* flags (3 bits) and fragment offset (13 bits) */
#define IPV4_OFF_TTL		8
#define IPV4_OFF_PROTO		9
#define IPV4_OFF_CSUM		10
#define IPV4_OFF_SRC		12
#define IPV4_OFF_DST		16
#define IPV4_FLAG_DF		0x4000
#define IPV4_FLAG_MF		0x2000
#define IPV4_FRAG_MASK		0x3fff /* MF and the offset: non-zero in every fragment */

/* IPv6, RFC 8200 3 */
#define IPV6_HDR_LEN		40
#define IPV6_OFF_PLEN		4
#define IPV6_OFF_NH		6
#define IPV6_OFF_SRC		8
#define IPV6_OFF_DST		24
#define IPV6_FRAG_HDR_LEN	8      /* RFC 8200 4.5 */
/* Extension headers skipped on the way to the upper layer, RFC 8200 4.1 */
#define IPV6_NH_HOPOPTS		0
#define IPV6_NH_ROUTING		43
#define IPV6_NH_FRAGMENT	44
#define IPV6_NH_AH		51     /* RFC 4302 2.2: length in 4-octet units minus 2 */
#define IPV6_NH_DSTOPTS		60

/* Upper-layer protocol numbers (IANA) */
#define IP_PROTO_UDP		17
#define IP_PROTO_ESP		50
#define IP_PROTO_SCTP		132

/* RFC 1071 one's complement sum of the IPv4 header h[0..hlen), the checksum field as is. */
static inline uint16_t
sw_ipv4_csum(const uint8_t *h, unsigned hlen)
{
	uint32_t sum = 0;

	for (unsigned i = 0; i + 1 < hlen; i += 2)
		sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * RFC 791 3.1: set the total length, then the header checksum (RFC 1071) over the header.
 * The header length is the IHL, at least 20 and never more than hmax (the header the decoder
 * delimited), so a corrupt IHL cannot make it read past the header.
 */
static inline void
sw_ipv4_fix(uint8_t *ip, uint32_t totlen, uint32_t hmax)
{
	unsigned hlen = (unsigned)(ip[0] & 0x0f) * 4;
	uint16_t csum;

	if (hlen < IPV4_HDR_MIN)
		hlen = IPV4_HDR_MIN;
	if (hlen > hmax)
		hlen = hmax;
	ip[IPV4_OFF_TOTLEN] = (uint8_t)(totlen >> 8);
	ip[IPV4_OFF_TOTLEN + 1] = (uint8_t)totlen;
	ip[IPV4_OFF_CSUM] = ip[IPV4_OFF_CSUM + 1] = 0;
	csum = sw_ipv4_csum(ip, hlen);
	ip[IPV4_OFF_CSUM] = (uint8_t)(csum >> 8);
	ip[IPV4_OFF_CSUM + 1] = (uint8_t)csum;
}

/* RFC 8200 3: the payload length counts the bytes after the 40-byte header. */
static inline void
sw_ipv6_fix(uint8_t *ip, uint32_t totlen)
{
	uint32_t plen = totlen - IPV6_HDR_LEN;

	ip[IPV6_OFF_PLEN] = (uint8_t)(plen >> 8);
	ip[IPV6_OFF_PLEN + 1] = (uint8_t)plen;
}

#endif /* SW_PROTO_IP_H */
