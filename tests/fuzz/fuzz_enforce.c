/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz the inline enforcer (dataplane/enforce) with sequences of packets through one instance.
 * Input: one octet of settings (bits 0-1: the links' network variant, ITU, ANSI or one without a
 * known MTP3 label; bit 2: repair off; bit 3: fail-open), then packets, each framed as
 *   flags (bit 0: direction, bit 1: keep the checksum as given, bit 2: IPv6), drop mask (bit i:
 *   DATA chunk i blocked), length (2 octets, big-endian), the SCTP packet (common header and
 *   chunks).
 * Each SCTP packet is put in an IPv4 or IPv6 header (its CRC32c computed unless kept), decoded by
 * the real decoder (sw_decode_packet) and handed to sw_enforce_packet() in an exact-size heap
 * buffer with no room to grow (ASan sees any access past the frame). Checked after each packet:
 * the frame never grows; a kept frame's IP length is its length; a frame whose checksum was
 * right leaves with a right one and one whose checksum was wrong never leaves with a right one
 * (README.md: a corrupted packet is never laundered); a reply fits its buffer and is a valid
 * SCTP packet. Covers the handshake learning (INIT, INIT-ACK, the first packet, all checksum
 * dependent), repair, neutralization (M3UA BEAT, M2PA in both variants) and fallbacks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/decode/decode.h"
#include "dataplane/enforce/enforce.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX_SCTP 2048

static unsigned
fz_variant(void *arg, const struct sw_pkt *pkt)
{
	(void)pkt;
	return *(const unsigned *)arg;
}

static uint32_t
fz_crc_stored(const uint8_t *sctp)
{
	return (uint32_t)sctp[8] | (uint32_t)sctp[9] << 8 | (uint32_t)sctp[10] << 16 |
	       (uint32_t)sctp[11] << 24;
}

/* RFC 9260 Appendix B: the CRC32c over the packet with the checksum field as zero. */
static uint32_t
fz_crc_calc(const uint8_t *sctp, uint32_t n)
{
	static const uint8_t zero[4];
	uint32_t c;

	c = sw_crc32c_update(0, sctp, 8);
	c = sw_crc32c_update(c, zero, 4);
	return sw_crc32c_update(c, sctp + 12, n - 12);
}

static int
fz_crc_ok(const uint8_t *sctp, uint32_t n)
{
	return n >= 12 && fz_crc_calc(sctp, n) == fz_crc_stored(sctp);
}

/* IPv4 (RFC 791) or IPv6 (RFC 8200) header before an SCTP packet of n octets; its length. */
static uint32_t
fz_ip(uint8_t *b, uint32_t n, int v6, unsigned dir)
{
	if (v6) {
		memset(b, 0, 40);
		b[0] = 0x60;
		b[4] = (uint8_t)(n >> 8);
		b[5] = (uint8_t)n;
		b[6] = 132; /* SCTP */
		b[7] = 64;
		b[23] = (uint8_t)(1 + dir);
		b[39] = (uint8_t)(2 - dir);
		return 40;
	}
	memset(b, 0, 20);
	b[0] = 0x45;
	b[2] = (uint8_t)((n + 20) >> 8);
	b[3] = (uint8_t)(n + 20);
	b[8] = 64;
	b[9] = 132;
	b[12] = 10;
	b[15] = (uint8_t)(1 + dir);
	b[16] = 10;
	b[19] = (uint8_t)(2 - dir);
	return 20;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t reply[4096];
	static const unsigned variants[4] = {0, 1, 5, 1}; /* ITU, ANSI, unknown, ANSI */
	struct sw_enforce *e;
	unsigned variant;
	size_t off = 1;

	if (size < 1)
		return 0;
	e = sw_enforce_new(8, !(data[0] & 4));
	if (e == NULL)
		return 0;
	variant = variants[data[0] & 3];
	sw_enforce_set_variant(e, fz_variant, &variant);
	sw_enforce_set_fail_open(e, (data[0] & 8) != 0);
	while (off + 4 <= size) {
		unsigned flags = data[off], dir = flags & 1, v6 = (flags >> 2) & 1;
		uint64_t mask = data[off + 1];
		uint32_t n = (uint32_t)data[off + 2] << 8 | data[off + 3], hl, len, out, rlen = 0;
		struct sw_pkt pkt;
		uint8_t *b;
		int good;

		off += 4;
		if (n > size - off)
			n = (uint32_t)(size - off);
		if (n > FZ_MAX_SCTP)
			n = FZ_MAX_SCTP;
		b = malloc(40 + n + 1);
		if (b == NULL)
			break;
		hl = fz_ip(b, n, v6, dir);
		memcpy(b + hl, data + off, n);
		off += n;
		len = hl + n;
		if (n >= 12 && !(flags & 2)) {
			uint32_t c = fz_crc_calc(b + hl, n);

			b[hl + 8] = (uint8_t)c;
			b[hl + 9] = (uint8_t)(c >> 8);
			b[hl + 10] = (uint8_t)(c >> 16);
			b[hl + 11] = (uint8_t)(c >> 24);
		}
		good = fz_crc_ok(b + hl, n);
		memset(&pkt, 0, sizeof(pkt));
		/* as the workers do, any packet the decoder found SCTP in, malformed or not */
		(void)sw_decode_packet(b, len, SW_LINK_RAW, &pkt);
		if (!pkt.sctp) {
			free(b);
			continue;
		}
		out = sw_enforce_packet(e, b, len, len, &pkt, mask, dir, off * 1000000ull, reply,
					sizeof(reply), &rlen);
		if (out > len || rlen > sizeof(reply))
			abort();
		if (out != 0) {
			uint32_t iplen =
				v6 ? (uint32_t)b[4] << 8 | b[5] : (uint32_t)b[2] << 8 | b[3];

			if (out < pkt.l4_off + 12 || iplen != (v6 ? out - 40 : out))
				abort();
			/* a right checksum stays right, a wrong one is never made right */
			if (fz_crc_ok(b + pkt.l4_off, out - pkt.l4_off) != good)
				abort();
		}
		if (rlen != 0) {
			struct sw_pkt rp;

			memset(&rp, 0, sizeof(rp));
			if (sw_decode_packet(reply, rlen, SW_LINK_RAW, &rp) != SW_MAL_NONE ||
			    !rp.sctp || !fz_crc_ok(reply + rp.l4_off, rp.l4_end - rp.l4_off))
				abort();
		}
		free(b);
	}
	sw_enforce_free(e);
	return 0;
}
