/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Chunk removal without association repair (stop-gap until dataplane/enforce).
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_hash_crc.h>

#include "chunkcut.h"

#define SCTP_COMMON_HLEN 12 /* RFC 4960 3.1 */
#define SCTP_CSUM_OFF 8     /* RFC 4960 3.1: checksum is the 4th field */

uint32_t
sw_app_crc32c(const uint8_t *p, uint32_t len)
{
	/* rte_hash_crc is CRC32-C (Castagnoli), reflected, without the final inversion; it uses
	 * the SSE4.2 crc32 instruction when the build targets it. RFC 4960 Appendix B. */
	return ~rte_hash_crc(p, len, 0xffffffffu);
}

static void
ipv4_fix(uint8_t *ip, uint16_t totlen)
{
	uint32_t sum = 0;
	unsigned hlen = (unsigned)(ip[0] & 0x0f) * 4;
	unsigned i;

	/* RFC 791 3.1 total length, then the header checksum (RFC 1071) over the header. */
	ip[2] = (uint8_t)(totlen >> 8);
	ip[3] = (uint8_t)totlen;
	ip[10] = ip[11] = 0;
	for (i = 0; i + 1 < hlen; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	ip[10] = (uint8_t)(sum >> 8);
	ip[11] = (uint8_t)sum;
}

uint32_t
sw_app_chunk_cut(uint8_t *buf, uint32_t len, const struct sw_pkt *pkt, uint32_t mask)
{
	uint32_t rd, wr, end, crc;
	unsigned i, kept = 0;

	if (!pkt->sctp || pkt->l4_end > len || pkt->l4_off + SCTP_COMMON_HLEN > pkt->l4_end)
		return len;
	end = pkt->l4_end;
	wr = pkt->l4_off + SCTP_COMMON_HLEN;
	for (i = 0; i < pkt->nchunks; i++) {
		uint32_t off = pkt->chunks[i].off;
		uint32_t span = ((uint32_t)pkt->chunks[i].len + 3u) & ~3u;

		/* The last chunk's padding may be missing (the walk allowed it). */
		if (off + span > end)
			span = end - off;
		if (i < 32 && (mask & (1u << i)))
			continue;
		rd = off;
		if (wr != rd)
			memmove(buf + wr, buf + rd, span);
		wr += span;
		kept++;
	}
	if (kept == 0)
		return 0;
	if (wr == end)
		return len;
	/* Bytes after the IP datagram (Ethernet padding) are not carried over. */
	if (pkt->ip_ver == 4) {
		ipv4_fix(buf + pkt->l3_off, (uint16_t)(wr - pkt->l3_off));
	} else if (pkt->ip_ver == 6) {
		/* RFC 8200 3: payload length counts everything after the fixed 40-byte header. */
		uint16_t plen = (uint16_t)(wr - pkt->l3_off - 40);

		buf[pkt->l3_off + 4] = (uint8_t)(plen >> 8);
		buf[pkt->l3_off + 5] = (uint8_t)plen;
	}
	memset(buf + pkt->l4_off + SCTP_CSUM_OFF, 0, 4);
	crc = rte_cpu_to_le_32(sw_app_crc32c(buf + pkt->l4_off, wr - pkt->l4_off));
	memcpy(buf + pkt->l4_off + SCTP_CSUM_OFF, &crc, 4);
	return wr;
}
