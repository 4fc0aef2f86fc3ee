/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * M2PA (RFC 4165, SCTP PPID 5): the common and M2PA headers of every message (version, class,
 * type, length, BSN, FSN), Link Status (its state) and User Data, whose Data field is an MTP3
 * message: service information octet, routing label (ITU-T Q.704 2.2) and the user part, handed
 * to the SCCP and ISUP decoders exactly as M3UA's Protocol Data is. The MTP3 label is read by one
 * function, sw_mtp3_label(), which takes the network variant.
 */
#include "decode.h"
#include "pkey.h"
#include "dataplane/proto/m2pa.h"

static enum sw_mal
m2pa_fail(struct sw_msu *msu, enum sw_mal m)
{
	if (msu->mal == SW_MAL_NONE)
		msu->mal = m;
	return msu->mal;
}

static inline uint32_t
m2pa_be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline uint32_t
m2pa_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int
sw_mtp3_label(const uint8_t *p, uint32_t len, enum sw_variant variant, struct sw_mtp3_label *out)
{
	uint32_t w;

	switch (variant) {
	case SW_VARIANT_ITU:
		/* Q.704 2.2.2 figure 3: DPC, OPC (14 bits each), SLS (4 bits), least significant
		 * bit first on the wire: one little-endian 32-bit word. */
		if (len < MTP3_ITU_LABEL_LEN)
			return -1;
		w = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		    (uint32_t)p[3] << 24;
		out->dpc = w & MTP3_ITU_PC_MASK;
		out->opc = (w >> MTP3_ITU_PC_BITS) & MTP3_ITU_PC_MASK;
		out->sls = (uint8_t)(w >> MTP3_ITU_SLS_SHIFT);
		return MTP3_ITU_LABEL_LEN;
	case SW_VARIANT_ANSI:
		/* T1.111.4 2.2: DPC, then OPC, 3 octets each (member, cluster, network: the integer
		 * network << 16 | cluster << 8 | member, as M3UA carries it), then the SLS octet
		 * (5 bits and 3 spare, or 8 bits where the network uses 8-bit SLS: kept whole). */
		if (len < MTP3_ANSI_LABEL_LEN)
			return -1;
		out->dpc = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
		out->opc = (uint32_t)p[3] | (uint32_t)p[4] << 8 | (uint32_t)p[5] << 16;
		out->sls = p[6];
		return MTP3_ANSI_LABEL_LEN;
	}
	return -1;
}

/*
 * The MTP3 message of a User Data Data field [off, end): SIO (Q.704 14.2), routing label, user
 * part. Fills the fields M3UA's Protocol Data fills (RFC 4666 3.3.1 copies the same label).
 */
static enum sw_mal
m2pa_mtp3(const uint8_t *buf, uint32_t off, uint32_t end, struct sw_msu *msu)
{
	struct sw_mtp3_label lbl;
	uint8_t sio;
	int n;

	if (end - off < 1)
		return m2pa_fail(msu, SW_MAL_M2PA_MTP3_SHORT);
	sio = buf[off];
	n = sw_mtp3_label(buf + off + 1, end - off - 1, (enum sw_variant)msu->ansi.variant, &lbl);
	if (n < 0)
		return m2pa_fail(msu, SW_MAL_M2PA_MTP3_SHORT);
	msu->m3ua.si = sio & MTP3_SIO_SI_MASK;
	msu->m3ua.ni = (uint8_t)(sio >> MTP3_SIO_NI_SHIFT);
	msu->m3ua.mp = (sio >> MTP3_SIO_PRI_SHIFT) & MTP3_SIO_PRI_MASK;
	msu->m3ua.opc = lbl.opc;
	msu->m3ua.dpc = lbl.dpc;
	msu->m3ua.sls = lbl.sls;
	msu->m3ua.ud_off = off + 1 + (uint32_t)n;
	msu->m3ua.ud_len = end - msu->m3ua.ud_off;
	msu->has |= SW_HAS_PROTO_DATA;
	sw_pkey_mtp3(msu); /* the label: the key's slots (issue 20 D3) */

	switch (msu->m3ua.si) {
	case MTP3_SI_SCCP:
		return sw_sccp_decode(buf, msu->m3ua.ud_off, end, msu);
	case MTP3_SI_ISUP:
		return sw_isup_decode(buf, msu->m3ua.ud_off, end, msu);
	case MTP3_SI_SNM:
	case MTP3_SI_SNTM:
	case MTP3_SI_SNTM_SPECIAL:
		/* The link's own MTP3 network management and tests (Q.704 15, Q.707 SLTM/SLTA)
		 * travel in M2PA User Data, unlike M3UA which replaces them: recognised by their
		 * SI and judged by the policy on the label alone. */
		return SW_MAL_NONE;
	default:
		return m2pa_fail(msu, SW_MAL_M2PA_SI);
	}
}

enum sw_mal
sw_m2pa_decode(const uint8_t *buf, uint32_t off, uint32_t end, struct sw_msu *msu)
{
	const uint8_t *h = buf + off;
	uint32_t mlen, dlen;

	/* RFC 4165 2.1.1 common header and 2.2 M2PA header: 16 octets in every message. */
	if (end - off < M2PA_HLEN)
		return m2pa_fail(msu, SW_MAL_M2PA_SHORT);
	msu->m2pa.type = h[3];
	msu->m2pa.bsn = m2pa_be24(h + M2PA_OFF_BSN + 1);
	msu->m2pa.fsn = m2pa_be24(h + M2PA_OFF_FSN + 1);
	mlen = m2pa_be32(h + M2PA_OFF_LEN);
	msu->m2pa.off = off;
	msu->m2pa.len = mlen;
	msu->has |= SW_HAS_M2PA;
	if (h[0] != M2PA_VERSION)
		return m2pa_fail(msu, SW_MAL_M2PA_VERSION);
	if (h[2] != M2PA_CLASS)
		return m2pa_fail(msu, SW_MAL_M2PA_CLASS);
	/* RFC 4165 2.1.5: the length of the whole message, headers included. Each message is one
	 * SCTP user message: bytes after it would be a second, hidden one no peer reads. */
	if (mlen != end - off)
		return m2pa_fail(msu, SW_MAL_M2PA_LEN);
	dlen = mlen - M2PA_HLEN;
	sw_pkey_mtp3(msu); /* no label yet (a Link Status has none): zero, as it reads */

	switch (msu->m2pa.type) {
	case M2PA_TYPE_USER_DATA:
		/* RFC 4165 2.3.1: no Data field is an acknowledgement only (it keeps the FSN). */
		if (dlen == 0)
			return SW_MAL_NONE;
		msu->m2pa.has_data = true;
		msu->m2pa.pri = (uint8_t)(h[M2PA_HLEN] >> M2PA_PRI_SHIFT);
		return m2pa_mtp3(buf, off + M2PA_HLEN + M2PA_PRI_LEN, end, msu);
	case M2PA_TYPE_LINK_STATUS:
		/* RFC 4165 2.3.2: State, then optional filler (sent with Proving). */
		if (dlen < M2PA_LS_STATE_LEN)
			return m2pa_fail(msu, SW_MAL_M2PA_LINK_STATUS);
		msu->m2pa.state = m2pa_be32(h + M2PA_HLEN);
		if (sw_m2pa_state_name(msu->m2pa.state) == NULL)
			return m2pa_fail(msu, SW_MAL_M2PA_LINK_STATUS);
		return SW_MAL_NONE;
	default:
		return m2pa_fail(msu, SW_MAL_M2PA_TYPE);
	}
}
