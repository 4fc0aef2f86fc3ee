/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SCTP (RFC 4960): common header and every chunk of a packet, and the DATA / I-DATA
 * (RFC 8260) chunk that carries one M3UA (PPID 3) or M2PA (PPID 5) message. The walk records each chunk's type,
 * flags, length and offset; what is in a DATA chunk is decoded per MSU by sw_decode_msu.
 */
#include "decode.h"
#include "plan.h"


enum sw_mal sw_sctp_walk(const uint8_t *buf, struct sw_pkt *pkt);

static enum sw_mal
sctp_fail(struct sw_pkt *pkt, enum sw_mal m)
{
	if (pkt->mal == SW_MAL_NONE)
		pkt->mal = m;
	return pkt->mal;
}

enum sw_mal
sw_sctp_walk(const uint8_t *buf, struct sw_pkt *pkt)
{
	struct sw_cur c;

	sw_cur_init(&c, buf, pkt->l4_off, pkt->l4_end);
	/* RFC 4960 3.1: source port, destination port, verification tag, checksum. */
	if (sw_cur_be16(&c, &pkt->sport) < 0 || sw_cur_be16(&c, &pkt->dport) < 0 ||
	    sw_cur_be32(&c, &pkt->vtag) < 0 || sw_cur_be32(&c, &pkt->crc) < 0)
		return sctp_fail(pkt, SW_MAL_SCTP_SHORT);
	pkt->sctp = true;

	/* RFC 9260 3.2: chunks follow each other, each padded to a multiple of 4 bytes; the one
	 * walker (dataplane/proto/sctp.h) also refuses trailing bytes that cannot hold a chunk. */
	for (;;) {
		struct sw_sctp_chunk sc;
		struct sw_chunk *ch;
		enum sw_sctp_next r = sw_sctp_chunk_next(buf, &c.off, c.end, &sc);

		if (r == SW_SCTP_NEXT_END)
			return SW_MAL_NONE;
		if (r == SW_SCTP_NEXT_BAD)
			return sctp_fail(pkt, SW_MAL_SCTP_CHUNK_LEN);
		if (pkt->nchunks >= SW_CHUNKS_MAX)
			return sctp_fail(pkt, SW_MAL_SCTP_TOO_MANY_CHUNKS);
		ch = &pkt->chunks[pkt->nchunks++];
		ch->type = sc.type;
		ch->flags = sc.flags;
		ch->len = sc.len;
		ch->off = sc.off;
		if (sw_sctp_is_data(sc.type))
			pkt->ndata++;
	}
}

/*
 * Zero the whole struct sw_msu (readers rely on has bits and lengths, the layer decoders on
 * zeroed fields). The size is hidden from the compiler on purpose: with a constant size gcc
 * inlines `rep stosq`, whose start-up cost alone was measured at ~34 TSC cycles for this
 * struct, against ~15 for libc's vector memset of the same 1.3 KB (bench/README.md).
 */
static inline void
msu_clear(struct sw_msu *msu)
{
	size_t n = sizeof(*msu);

	__asm__("" : "+r"(n));
	memset(msu, 0, n);
}

enum sw_mal
sw_decode_msu(const uint8_t *buf, const struct sw_pkt *pkt, unsigned chunk_idx, struct sw_msu *msu)
{
	return sw_decode_msu_variant(buf, pkt, chunk_idx, SW_VARIANT_ITU, msu);
}

enum sw_mal
sw_decode_msu_variant(const uint8_t *buf, const struct sw_pkt *pkt, unsigned chunk_idx,
		      enum sw_variant variant, struct sw_msu *msu)
{
	return sw_decode_msu_plan(buf, pkt, chunk_idx, variant, NULL, msu);
}

enum sw_mal
sw_decode_msu_plan(const uint8_t *buf, const struct sw_pkt *pkt, unsigned chunk_idx,
		   enum sw_variant variant, const struct sw_decode_plan *plan, struct sw_msu *msu)
{
	const struct sw_chunk *ch;
	struct sw_cur c;
	uint32_t ppid = 0;

	msu_clear(msu);
	msu->plan = plan;
	/* the layers write the plan's key into this msu (decode/pkey.h, issue 20 D3) */
	if (plan != NULL && plan->key.size != 0)
		msu->key.stamp = plan->key.stamp ^ (uintptr_t)msu;
	msu->ansi.variant = (uint8_t)variant; /* issue 17 D6: how the layers below read */
	if (chunk_idx >= pkt->nchunks)
		return msu->mal = SW_MAL_SCTP_DATA_SHORT;
	ch = &pkt->chunks[chunk_idx];
	msu->chunk_idx = (uint8_t)chunk_idx;
	msu->chunk_type = ch->type;
	msu->chunk_flags = ch->flags;
	sw_cur_init(&c, buf, ch->off + SCTP_CHUNK_HLEN, ch->off + ch->len);

	if (ch->type == SCTP_CT_DATA) {
		/* RFC 4960 3.3.1: TSN, stream identifier, stream sequence number, PPID. */
		if (ch->len < SCTP_DATA_HLEN)
			return msu->mal = SW_MAL_SCTP_DATA_SHORT;
		sw_cur_be32(&c, &msu->tsn);
		sw_cur_be16(&c, &msu->sid);
		sw_cur_be16(&c, &msu->ssn);
		sw_cur_be32(&c, &ppid);
	} else if (ch->type == SCTP_CT_IDATA) {
		/* RFC 8260 2.1: TSN, stream id, reserved, MID, PPID or FSN. */
		uint16_t reserved = 0;
		uint32_t ppid_fsn = 0;

		if (ch->len < SCTP_IDATA_HLEN)
			return msu->mal = SW_MAL_SCTP_DATA_SHORT;
		sw_cur_be32(&c, &msu->tsn);
		sw_cur_be16(&c, &msu->sid);
		sw_cur_be16(&c, &reserved);
		sw_cur_be32(&c, &msu->mid);
		sw_cur_be32(&c, &ppid_fsn);
		/* B bit (first fragment) set: the field is the PPID; otherwise a fragment sequence number. */
		ppid = (ch->flags & SCTP_DATA_B) ? ppid_fsn : 0;
	} else {
		return msu->mal = SW_MAL_SCTP_NOT_DATA;
	}
	msu->ppid = ppid;
	msu->data_off = c.off;
	msu->data_len = sw_cur_left(&c);
	/* A DATA chunk that is not a complete user message (B and E bits, RFC 4960 3.3.1) cannot
	 * be judged on its own; fragmented M3UA is reported like any other undecodable MSU. */
	if ((ch->flags & SCTP_DATA_BE) != SCTP_DATA_BE)
		return msu->mal = SW_MAL_SCTP_DATA_FRAGMENT;
	return sw_decode_user_message(buf, c.off, c.end, ppid, msu);
}

enum sw_mal
sw_decode_user_message(const uint8_t *buf, uint32_t off, uint32_t end, uint32_t ppid,
		       struct sw_msu *msu)
{
	/* RFC 9260 3.3.1: the PPID names the upper layer (IANA SCTP payload protocol ids). */
	switch (ppid) {
	case SW_PPID_M3UA:
		return sw_m3ua_decode(buf, off, end, msu);
	case SW_PPID_M2PA:
		return sw_m2pa_decode(buf, off, end, msu);
	default:
		return msu->mal = SW_MAL_SCTP_PPID;
	}
}
