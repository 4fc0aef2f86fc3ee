/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * M3UA (RFC 4666): common header of every message class; for Transfer DATA the
 * Protocol Data parameter (routing label and MTP3 user data), routing context,
 * network appearance and correlation id. SCCP (SI 3) and ISUP (SI 5) user data
 * are handed to their decoders. Management classes are decoded (class/type) and passed.
 */
#include <stddef.h>

#include "decode.h"

#define M3UA_VERSION 1          /* RFC 4666 3.1.1 */
#define M3UA_HLEN 8             /* RFC 4666 3.1 */
#define M3UA_CLASS_MGMT 0       /* RFC 4666 3.1.2 */
#define M3UA_CLASS_TRANSFER 1
#define M3UA_CLASS_SSNM 2
#define M3UA_CLASS_ASPSM 3
#define M3UA_CLASS_ASPTM 4
#define M3UA_CLASS_RKM 9
#define M3UA_TYPE_DATA 1        /* RFC 4666 3.1.3, Transfer class */

#define M3UA_TAG_NA 0x0200        /* Network Appearance, RFC 4666 3.3.1 */
#define M3UA_TAG_RCTX 0x0006      /* Routing Context, RFC 4666 3.3.1 */
#define M3UA_TAG_PROTO_DATA 0x0210 /* Protocol Data, RFC 4666 3.3.1 */
#define M3UA_TAG_CORR_ID 0x0013   /* Correlation Id, RFC 4666 3.3.1 */
#define M3UA_PD_LABEL 12          /* OPC 4, DPC 4, SI, NI, MP, SLS */

#define MTP3_SI_SCCP 3 /* Q.704 14.2.1 */
#define MTP3_SI_ISUP 5

static const char *const m3ua_class_names[] = {
	[M3UA_CLASS_MGMT] = "mgmt",   [M3UA_CLASS_TRANSFER] = "transfer",
	[M3UA_CLASS_SSNM] = "ssnm",   [M3UA_CLASS_ASPSM] = "aspsm",
	[M3UA_CLASS_ASPTM] = "asptm", [5] = "qptm",
	[6] = "maup",                 [7] = "cl-sua",
	[8] = "co-sua",               [M3UA_CLASS_RKM] = "rkm",
};

const char *
sw_m3ua_class_name(uint8_t cls)
{
	if (cls < sizeof(m3ua_class_names) / sizeof(m3ua_class_names[0]))
		return m3ua_class_names[cls];
	return NULL;
}

static enum sw_mal
m3ua_fail(struct sw_msu *msu, enum sw_mal m)
{
	if (msu->mal == SW_MAL_NONE)
		msu->mal = m;
	return msu->mal;
}

enum sw_mal
sw_m3ua_decode(const uint8_t *buf, uint32_t off, uint32_t end, struct sw_msu *msu)
{
	struct sw_cur c, msg;
	uint8_t version, reserved;
	uint32_t mlen;
	bool proto_data = false;

	sw_cur_init(&c, buf, off, end);
	/* RFC 4666 3.1: version, reserved, message class, message type, message length. */
	if (sw_cur_u8(&c, &version) < 0 || sw_cur_u8(&c, &reserved) < 0 ||
	    sw_cur_u8(&c, &msu->m3ua.cls) < 0 || sw_cur_u8(&c, &msu->m3ua.type) < 0 ||
	    sw_cur_be32(&c, &mlen) < 0)
		return m3ua_fail(msu, SW_MAL_M3UA_SHORT);
	msu->has |= SW_HAS_M3UA;
	if (version != M3UA_VERSION)
		return m3ua_fail(msu, SW_MAL_M3UA_VERSION);
	if (mlen < M3UA_HLEN || mlen - M3UA_HLEN > sw_cur_left(&c))
		return m3ua_fail(msu, SW_MAL_M3UA_LEN);
	/* Bytes after the message inside the chunk (padding) are not part of it. */
	sw_cur_init(&msg, buf, c.off, c.off + (mlen - M3UA_HLEN));

	/* RFC 4666 3.2: parameters in tag-length-value format, each padded to 4 bytes. */
	while (sw_cur_left(&msg) > 0) {
		uint16_t tag, plen;
		struct sw_cur val;

		if (sw_cur_be16(&msg, &tag) < 0 || sw_cur_be16(&msg, &plen) < 0 || plen < 4 ||
		    sw_cur_sub(&msg, plen - 4u, &val) < 0)
			return m3ua_fail(msu, SW_MAL_M3UA_PARAM_LEN);
		/* Padding of the last parameter may be absent. */
		sw_cur_skip(&msg, ((plen + 3u) & ~3u) - plen);

		switch (tag) {
		case M3UA_TAG_RCTX:
			/* A list of contexts is allowed; the first identifies the routing key. */
			if (sw_cur_be32(&val, &msu->m3ua.rctx) == 0)
				msu->has |= SW_HAS_RCTX;
			break;
		case M3UA_TAG_NA:
			if (sw_cur_be32(&val, &msu->m3ua.na) == 0)
				msu->has |= SW_HAS_NA;
			break;
		case M3UA_TAG_CORR_ID:
			if (sw_cur_be32(&val, &msu->m3ua.corr_id) == 0)
				msu->has |= SW_HAS_CORR_ID;
			break;
		case M3UA_TAG_PROTO_DATA:
			/* RFC 4666 3.3.1: OPC, DPC (4 bytes each, 24 bits used), SI, NI, MP, SLS. */
			if (sw_cur_left(&val) < M3UA_PD_LABEL)
				return m3ua_fail(msu, SW_MAL_M3UA_PROTO_DATA_SHORT);
			sw_cur_be32(&val, &msu->m3ua.opc);
			sw_cur_be32(&val, &msu->m3ua.dpc);
			sw_cur_u8(&val, &msu->m3ua.si);
			sw_cur_u8(&val, &msu->m3ua.ni);
			sw_cur_u8(&val, &msu->m3ua.mp);
			sw_cur_u8(&val, &msu->m3ua.sls);
			msu->m3ua.ud_off = val.off;
			msu->m3ua.ud_len = sw_cur_left(&val);
			msu->has |= SW_HAS_PROTO_DATA;
			proto_data = true;
			break;
		default:
			break;
		}
	}

	if (msu->m3ua.cls != M3UA_CLASS_TRANSFER || msu->m3ua.type != M3UA_TYPE_DATA)
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
