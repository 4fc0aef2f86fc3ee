/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * M3UA (RFC 4666): common header of every message class; for Transfer DATA the
 * Protocol Data parameter (routing label and MTP3 user data), routing context,
 * network appearance and correlation id. SCCP (SI 3) and ISUP (SI 5) user data
 * are handed to their decoders. Management classes are decoded (class/type) and passed.
 */
#include <stddef.h>

#include "decode.h"
#include "pkey.h"

static enum sw_mal
m3ua_fail(struct sw_msu *msu, enum sw_mal m)
{
	if (msu->mal == SW_MAL_NONE)
		msu->mal = m;
	return msu->mal;
}

static inline uint32_t
m3ua_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * The message is read with one bounds check per header and per parameter rather than one per
 * field (measured: the cursor version was ~4% of a whole-stack decode); every check is
 * against the message, itself checked against the chunk.
 */
enum sw_mal
sw_m3ua_decode(const uint8_t *buf, uint32_t off, uint32_t end, struct sw_msu *msu)
{
	const uint8_t *h = buf + off;
	uint32_t mlen, moff, mend;
	bool proto_data = false;
	uint32_t seen = 0; /* SW_HAS_* bits of the parameters met so far */

	/* RFC 4666 3.1: version, reserved, message class, message type, message length. */
	if (end - off < M3UA_HLEN)
		return m3ua_fail(msu, SW_MAL_M3UA_SHORT);
	msu->m3ua.cls = h[2];
	msu->m3ua.type = h[3];
	mlen = m3ua_be32(h + 4);
	msu->has |= SW_HAS_M3UA;
	if (h[0] != M3UA_VERSION)
		return m3ua_fail(msu, SW_MAL_M3UA_VERSION);
	if (mlen < M3UA_HLEN || mlen - M3UA_HLEN > end - off - M3UA_HLEN)
		return m3ua_fail(msu, SW_MAL_M3UA_LEN);
	/* Bytes after the message inside the chunk (padding) are not part of it. */
	moff = off + M3UA_HLEN;
	mend = off + mlen;

	/* RFC 4666 3.2: parameters in tag-length-value format, each padded to 4 bytes. */
	while (moff < mend) {
		const uint8_t *p = buf + moff;
		uint32_t left = mend - moff, plen, vlen, padded;
		const uint8_t *v;
		uint16_t tag;

		if (left < 4)
			return m3ua_fail(msu, SW_MAL_M3UA_PARAM_LEN);
		tag = (uint16_t)(p[0] << 8 | p[1]);
		plen = (uint32_t)(p[2] << 8 | p[3]);
		if (plen < 4 || plen > left)
			return m3ua_fail(msu, SW_MAL_M3UA_PARAM_LEN);
		v = p + 4;
		vlen = plen - 4;
		/* Padding of the last parameter may be absent. */
		padded = (plen + 3u) & ~3u;
		moff += padded <= left ? padded : plen;

		/*
		 * RFC 4666 3.3.1: each of these parameters appears at most once. A second
		 * Protocol Data is a second MSU the peer may route while a decoder that keeps one
		 * sees the other (issue 13 finding 2); a second routing context is ambiguous alike.
		 */
		{
			uint32_t bit = tag == M3UA_TAG_RCTX	    ? SW_HAS_RCTX
				       : tag == M3UA_TAG_NA	    ? SW_HAS_NA
				       : tag == M3UA_TAG_CORR_ID    ? SW_HAS_CORR_ID
				       : tag == M3UA_TAG_PROTO_DATA ? SW_HAS_PROTO_DATA
								    : 0;

			if (seen & bit)
				return m3ua_fail(msu, SW_MAL_M3UA_PARAM_REPEATED);
			seen |= bit;
		}
		switch (tag) {
		case M3UA_TAG_RCTX:
			/* A list of contexts is allowed; the first identifies the routing key. */
			if (vlen >= 4) {
				msu->m3ua.rctx = m3ua_be32(v);
				msu->has |= SW_HAS_RCTX;
			}
			break;
		case M3UA_TAG_NA:
			if (vlen >= 4) {
				msu->m3ua.na = m3ua_be32(v);
				msu->has |= SW_HAS_NA;
			}
			break;
		case M3UA_TAG_CORR_ID:
			if (vlen >= 4) {
				msu->m3ua.corr_id = m3ua_be32(v);
				msu->has |= SW_HAS_CORR_ID;
			}
			break;
		case M3UA_TAG_PROTO_DATA:
			/* RFC 4666 3.3.1: OPC, DPC (4 bytes each, 24 bits used), SI, NI, MP,
			 * SLS. */
			if (vlen < M3UA_PD_LABEL)
				return m3ua_fail(msu, SW_MAL_M3UA_PROTO_DATA_SHORT);
			msu->m3ua.opc = m3ua_be32(v);
			msu->m3ua.dpc = m3ua_be32(v + 4);
			msu->m3ua.si = v[8];
			msu->m3ua.ni = v[9];
			msu->m3ua.mp = v[10];
			msu->m3ua.sls = v[11];
			msu->m3ua.ud_off = (uint32_t)(v - buf) + M3UA_PD_LABEL;
			msu->m3ua.ud_len = vlen - M3UA_PD_LABEL;
			msu->has |= SW_HAS_PROTO_DATA;
			proto_data = true;
			break;
		default:
			break;
		}
	}

	sw_pkey_mtp3(msu); /* the label and routing context: the key's slots (issue 20 D3) */
	if (msu->m3ua.cls != M3UA_CLASS_TRANSFER || msu->m3ua.type != M3UA_XFER_DATA)
		return SW_MAL_NONE;
	if (!proto_data)
		return m3ua_fail(msu, SW_MAL_M3UA_NO_PROTO_DATA);
	switch (msu->m3ua.si) {
	case MTP3_SI_SCCP:
		return sw_sccp_decode(buf, msu->m3ua.ud_off, msu->m3ua.ud_off + msu->m3ua.ud_len, msu);
	case MTP3_SI_ISUP:
		return sw_isup_decode(buf, msu->m3ua.ud_off, msu->m3ua.ud_off + msu->m3ua.ud_len, msu);
	default:
		return m3ua_fail(msu, SW_MAL_M3UA_SI);
	}
}
