/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hand-built Ethernet/IPv4/SCTP packets for the enforce unit tests (test_enforce.c,
 * test_assoc.c). The sw_pkt is filled by a small walk of our own so that these tests do not
 * depend on the decoder.
 */
#ifndef SW_TESTS_ENFORCE_BUILD_H
#define SW_TESTS_ENFORCE_BUILD_H

#include <stdint.h>
#include <string.h>

#include "dataplane/decode/msu.h"
#include "dataplane/enforce/enforce.h"

#define TB_L3 14
#define TB_L4 34

struct tb {
	uint8_t b[2048];
	uint32_t len;
	struct sw_pkt pkt;
};

static inline void
tb_w16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
tb_w32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint32_t
tb_r32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint16_t
tb_r16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Start a packet from side dir (addresses 10.0.0.1+dir -> 10.0.0.2-dir by default). */
static inline void
tb_start(struct tb *t, uint32_t src_ip, uint32_t dst_ip, uint16_t sport, uint16_t dport,
	 uint32_t vtag)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->b, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14);
	t->b[TB_L3] = 0x45;
	t->b[TB_L3 + 8] = 64;
	t->b[TB_L3 + 9] = 132; /* SCTP */
	tb_w32(t->b + TB_L3 + 12, src_ip);
	tb_w32(t->b + TB_L3 + 16, dst_ip);
	tb_w16(t->b + TB_L4, sport);
	tb_w16(t->b + TB_L4 + 2, dport);
	tb_w32(t->b + TB_L4 + 4, vtag);
	t->len = TB_L4 + 12;
}

/* Append a raw chunk; body padded to 4 bytes. */
static inline uint8_t *
tb_chunk(struct tb *t, uint8_t type, uint8_t flags, const void *body, uint16_t blen)
{
	uint8_t *c = t->b + t->len;

	c[0] = type;
	c[1] = flags;
	tb_w16(c + 2, (uint16_t)(4 + blen));
	if (body != NULL)
		memcpy(c + 4, body, blen);
	t->len += (4u + blen + 3u) & ~3u;
	return c;
}

/* DATA (RFC 4960 3.3.1) with a 16-byte payload whose first byte is mark. */
static inline uint8_t *
tb_data(struct tb *t, uint32_t tsn, uint16_t sid, uint16_t ssn, uint8_t flags, uint8_t mark)
{
	uint8_t body[28] = {0};

	tb_w32(body, tsn);
	tb_w16(body + 4, sid);
	tb_w16(body + 6, ssn);
	tb_w32(body + 8, 3); /* M3UA */
	body[12] = mark;
	return tb_chunk(t, 0, flags, body, 28);
}

/* I-DATA (RFC 8260 2.1). */
static inline uint8_t *
tb_idata(struct tb *t, uint32_t tsn, uint16_t sid, uint32_t mid, uint8_t flags, uint8_t mark)
{
	uint8_t body[32] = {0};

	tb_w32(body, tsn);
	tb_w16(body + 4, sid);
	tb_w32(body + 8, mid);
	tb_w32(body + 12, 3);
	body[16] = mark;
	return tb_chunk(t, 64, flags, body, 32);
}

static inline uint8_t *
tb_sack(struct tb *t, uint32_t cum, uint32_t a_rwnd, const uint16_t *gaps, unsigned ngaps,
	const uint32_t *dups, unsigned ndups)
{
	uint8_t body[512];
	unsigned i;

	tb_w32(body, cum);
	tb_w32(body + 4, a_rwnd);
	tb_w16(body + 8, (uint16_t)ngaps);
	tb_w16(body + 10, (uint16_t)ndups);
	for (i = 0; i < 2 * ngaps; i++)
		tb_w16(body + 12 + 2 * i, gaps[i]);
	for (i = 0; i < ndups; i++)
		tb_w32(body + 12 + 4 * ngaps + 4 * i, dups[i]);
	return tb_chunk(t, 3, 0, body, (uint16_t)(12 + 4 * ngaps + 4 * ndups));
}

/* INIT or INIT-ACK fixed part (RFC 4960 3.3.2/3.3.3). */
static inline uint8_t *
tb_init(struct tb *t, uint8_t type, uint32_t itag, uint32_t a_rwnd, uint32_t itsn)
{
	uint8_t body[16];

	tb_w32(body, itag);
	tb_w32(body + 4, a_rwnd);
	tb_w16(body + 8, 10);
	tb_w16(body + 10, 10);
	tb_w32(body + 12, itsn);
	return tb_chunk(t, type, 0, body, 16);
}

/* Fix IP length and checksum, SCTP CRC, and fill t->pkt. */
static inline void
tb_finish(struct tb *t)
{
	uint8_t *ip = t->b + TB_L3;
	uint32_t sum = 0, crc, off;
	unsigned i;

	tb_w16(ip + 2, (uint16_t)(t->len - TB_L3));
	ip[10] = ip[11] = 0;
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	tb_w16(ip + 10, (uint16_t)~sum);
	memset(t->b + TB_L4 + 8, 0, 4);
	crc = sw_crc32c(t->b + TB_L4, t->len - TB_L4);
	t->b[TB_L4 + 8] = (uint8_t)crc;
	t->b[TB_L4 + 9] = (uint8_t)(crc >> 8);
	t->b[TB_L4 + 10] = (uint8_t)(crc >> 16);
	t->b[TB_L4 + 11] = (uint8_t)(crc >> 24);

	memset(&t->pkt, 0, sizeof(t->pkt));
	t->pkt.len = t->len;
	t->pkt.ip_ver = 4;
	t->pkt.ip_proto = 132;
	t->pkt.l3_off = TB_L3;
	t->pkt.l4_off = TB_L4;
	t->pkt.l4_end = t->len;
	t->pkt.sctp = true;
	memcpy(t->pkt.src, ip + 12, 4);
	memcpy(t->pkt.dst, ip + 16, 4);
	t->pkt.sport = tb_r16(t->b + TB_L4);
	t->pkt.dport = tb_r16(t->b + TB_L4 + 2);
	t->pkt.vtag = tb_r32(t->b + TB_L4 + 4);
	off = TB_L4 + 12;
	while (off + 4 <= t->len && t->pkt.nchunks < SW_CHUNKS_MAX) {
		struct sw_chunk *c = &t->pkt.chunks[t->pkt.nchunks++];
		uint16_t clen = tb_r16(t->b + off + 2);

		c->type = t->b[off];
		c->flags = t->b[off + 1];
		c->len = clen;
		c->off = off;
		if (c->type == 0 || c->type == 64)
			t->pkt.ndata++;
		if (clen < 4)
			break;
		off += (clen + 3u) & ~3u;
	}
}

/* Re-derive t->pkt after the enforce layer rewrote t->b to new length n. */
static inline void
tb_reparse(struct tb *t, uint32_t n)
{
	uint8_t save[2048];

	memcpy(save, t->b, n);
	t->len = n;
	memcpy(t->b, save, n);
	memset(&t->pkt, 0, sizeof(t->pkt));
	{
		uint32_t off = TB_L4 + 12;

		t->pkt.len = n;
		t->pkt.ip_ver = 4;
		t->pkt.l3_off = TB_L3;
		t->pkt.l4_off = TB_L4;
		t->pkt.l4_end = n;
		t->pkt.sctp = true;
		while (off + 4 <= n && t->pkt.nchunks < SW_CHUNKS_MAX) {
			struct sw_chunk *c = &t->pkt.chunks[t->pkt.nchunks++];
			uint16_t clen = tb_r16(t->b + off + 2);

			c->type = t->b[off];
			c->flags = t->b[off + 1];
			c->len = clen;
			c->off = off;
			if (clen < 4)
				break;
			off += (clen + 3u) & ~3u;
		}
	}
}

/* CRC32c of the SCTP part is right and the IPv4 total length matches n. */
static inline int
tb_valid(const uint8_t *b, uint32_t n)
{
	uint8_t tmp[2048];
	uint32_t crc;

	if (n < TB_L4 + 12 || n > sizeof(tmp))
		return 0;
	if (tb_r16(b + TB_L3 + 2) != n - TB_L3)
		return 0;
	memcpy(tmp, b + TB_L4, n - TB_L4);
	memset(tmp + 8, 0, 4);
	crc = sw_crc32c(tmp, n - TB_L4);
	return b[TB_L4 + 8] == (uint8_t)crc && b[TB_L4 + 9] == (uint8_t)(crc >> 8) &&
	       b[TB_L4 + 10] == (uint8_t)(crc >> 16) && b[TB_L4 + 11] == (uint8_t)(crc >> 24);
}

#endif /* SW_TESTS_ENFORCE_BUILD_H */
