/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SCTP wire constants (RFC 9260, which obsoletes RFC 4960 with the same section numbers for
 * everything below) and the one chunk walker. Decode, enforce, the worker, the generator and
 * the benchmarks include this header; nobody defines a chunk type anywhere else.
 * (Modelled on Suricata's src/decode-sctp.h.)
 */
#ifndef SW_PROTO_SCTP_H
#define SW_PROTO_SCTP_H

#include <stdint.h>

/* Common header, RFC 9260 3.1: source port, destination port, verification tag, checksum. */
#define SCTP_COMMON_HLEN	  12   /* RFC 9260 3.1 */
#define SCTP_CSUM_OFF		  8    /* RFC 9260 3.1: the checksum is the 4th field */
#define SCTP_CHUNK_HLEN		  4    /* RFC 9260 3.2: type, flags, length */

/* Chunk types, RFC 9260 3.2 and the extensions' registrations. */
#define SCTP_CT_DATA		  0    /* RFC 9260 3.3.1 */
#define SCTP_CT_INIT		  1    /* RFC 9260 3.3.2 */
#define SCTP_CT_INIT_ACK	  2    /* RFC 9260 3.3.3 */
#define SCTP_CT_SACK		  3    /* RFC 9260 3.3.4 */
#define SCTP_CT_HEARTBEAT	  4    /* RFC 9260 3.3.5 */
#define SCTP_CT_HEARTBEAT_ACK	  5    /* RFC 9260 3.3.6 */
#define SCTP_CT_ABORT		  6    /* RFC 9260 3.3.7 */
#define SCTP_CT_SHUTDOWN	  7    /* RFC 9260 3.3.8 */
#define SCTP_CT_SHUTDOWN_ACK	  8    /* RFC 9260 3.3.9 */
#define SCTP_CT_ERROR		  9    /* RFC 9260 3.3.10 */
#define SCTP_CT_COOKIE_ECHO	  10   /* RFC 9260 3.3.11 */
#define SCTP_CT_COOKIE_ACK	  11   /* RFC 9260 3.3.12 */
#define SCTP_CT_ECNE		  12   /* RFC 9260 3.2, Appendix A */
#define SCTP_CT_CWR		  13   /* RFC 9260 3.2, Appendix A */
#define SCTP_CT_SHUTDOWN_COMPLETE 14   /* RFC 9260 3.3.13 */
#define SCTP_CT_AUTH		  15   /* RFC 4895 4.1 */
#define SCTP_CT_IDATA		  64   /* RFC 8260 2.1 */
#define SCTP_CT_ASCONF_ACK	  128  /* RFC 5061 5.1.2 */
#define SCTP_CT_RECONFIG	  130  /* RFC 6525 3.1 */
#define SCTP_CT_PAD		  132  /* RFC 4820 3 */
#define SCTP_CT_FWD_TSN		  192  /* RFC 3758 3.2 */
#define SCTP_CT_ASCONF		  193  /* RFC 5061 5.1.1 */
#define SCTP_CT_IFWD_TSN	  194  /* RFC 8260 2.3.1 */

/* Fixed parts of chunks. */
#define SCTP_DATA_HLEN		  16   /* RFC 9260 3.3.1 */
#define SCTP_IDATA_HLEN		  20   /* RFC 8260 2.1 */
#define SCTP_INIT_HLEN		  20   /* RFC 9260 3.3.2 fixed part */
#define SCTP_SACK_HLEN		  16   /* RFC 9260 3.3.4 fixed part */

/* Chunk flags. */
#define SCTP_FLAG_T		  0x01 /* RFC 9260 3.3.7 / 3.3.13 T bit: tag reflected */
#define SCTP_DATA_U		  0x04 /* RFC 9260 3.3.1 unordered; RFC 8260 2.1 same bit */
#define SCTP_DATA_B		  0x02 /* RFC 9260 3.3.1 beginning fragment */
#define SCTP_DATA_E		  0x01 /* RFC 9260 3.3.1 ending fragment */
#define SCTP_DATA_BE		  0x03 /* B and E: a complete user message */

/* Payload protocol identifiers, IANA "SCTP Payload Protocol Identifiers" (RFC 9260 3.3.1). */
#define SCTP_PPID_M2UA		  2    /* RFC 3331 1.4.1 */
#define SCTP_PPID_M3UA		  3    /* RFC 4666 1.4.7 */
#define SCTP_PPID_SUA		  4    /* RFC 3868 1.4.8 */
#define SCTP_PPID_M2PA		  5    /* RFC 4165 1.3 */

/* Bytes a chunk of length clen occupies: RFC 9260 3.2 pads every chunk to 4 bytes. */
static inline uint32_t
sw_sctp_pad4(uint32_t clen)
{
	return (clen + 3u) & ~3u;
}

/* One chunk as the walker sees it. */
struct sw_sctp_chunk {
	uint8_t type;
	uint8_t flags;
	uint16_t len;  /* chunk length field, RFC 9260 3.2 (without padding) */
	uint32_t off;  /* absolute offset of the chunk header */
	uint32_t span; /* bytes to the next chunk: padded length, cut at the packet's end */
};

enum sw_sctp_next {
	SW_SCTP_NEXT_BAD = -1, /* chunk length below 4 or beyond the packet, or 1-3 stray bytes */
	SW_SCTP_NEXT_END = 0,  /* the chunks tiled [first, end) exactly */
	SW_SCTP_NEXT_CHUNK = 1,
};

/*
 * The SCTP chunk walker (RFC 9260 3.2): reads the chunk at *off within [*off, end), fills ch
 * and advances *off past it and its padding. The padding of the last chunk may be missing;
 * the walk never steps past end. Start with *off = l4_off + SCTP_COMMON_HLEN.
 * Every component that walks chunks (decode, enforce, generator, judge) calls this.
 */
static inline enum sw_sctp_next
sw_sctp_chunk_next(const uint8_t *buf, uint32_t *off, uint32_t end, struct sw_sctp_chunk *ch)
{
	uint32_t left = end - *off, span;
	uint16_t clen;

	if (*off >= end)
		return SW_SCTP_NEXT_END;
	if (left < SCTP_CHUNK_HLEN)
		return SW_SCTP_NEXT_BAD;
	clen = (uint16_t)(buf[*off + 2] << 8 | buf[*off + 3]);
	if (clen < SCTP_CHUNK_HLEN || clen > left)
		return SW_SCTP_NEXT_BAD;
	span = sw_sctp_pad4(clen);
	if (span > left)
		span = left;
	ch->type = buf[*off];
	ch->flags = buf[*off + 1];
	ch->len = clen;
	ch->off = *off;
	ch->span = span;
	*off += span;
	return SW_SCTP_NEXT_CHUNK;
}

/* True for the chunks that carry user data (and so an MSU). */
static inline int
sw_sctp_is_data(uint8_t type)
{
	return type == SCTP_CT_DATA || type == SCTP_CT_IDATA;
}

/* Lowercase name of a chunk type ("data", "init_ack", ...); NULL when unassigned here. */
const char *sw_sctp_chunk_name(uint8_t type);

#endif /* SW_PROTO_SCTP_H */
