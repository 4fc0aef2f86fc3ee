/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The layer decoders' key writers (issue 20 D3; the layout and encodings: plan_key.h). Each is
 * called by its layer on a path that decoded the layer's fields, right after they were written
 * (the bytes still in L1); with no plan, or a plan without a key, it returns at once. A writer
 * may run more than once (M2PA writes the label's slots before and after the label): each
 * write sets the whole slot. What a malformed message's layers wrote is never read: the verdict
 * keys a malformed MSU itself (policy/eval.c).
 */
#ifndef SW_DECODE_PKEY_H
#define SW_DECODE_PKEY_H

#include <string.h>

#include "dataplane/decode/msu.h"
#include "dataplane/decode/plan.h"

#define SW_PKM_MTP3                                                                          \
	(1u << SW_PK_OPC | 1u << SW_PK_DPC | 1u << SW_PK_SI | 1u << SW_PK_NI | 1u << SW_PK_RCTX)
#define SW_PKM_SCMG (1u << SW_PK_SCMG_TYPE | 1u << SW_PK_SCMG_SSN | 1u << SW_PK_SCMG_PC)
#define SW_PKM_ADDR(first) (0x3fu << (first))
#define SW_PKM_SCCP                                                                          \
	(1u << SW_PK_SCCP_TYPE | SW_PKM_ADDR(SW_PK_CGPA_SSN) | SW_PKM_ADDR(SW_PK_CDPA_SSN))
#define SW_PDM_SCCP (1u << SW_PD_CGPA | 1u << SW_PD_CDPA)
#define SW_PDM_TCAP (((1u << SW_PD_NDIG) - 1) & ~SW_PDM_SCCP)

/* The plan's key part when the decoder writes a key, else NULL. */
static inline const struct sw_plan_key *
sw_pkey_of(const struct sw_msu *msu)
{
	const struct sw_decode_plan *p = msu->plan;

	return p != NULL && p->key.size != 0 ? &p->key : NULL;
}

static inline void
sw_pkey_u16(uint8_t *b, unsigned off, bool present, uint32_t v)
{
	uint16_t w = present ? (uint16_t)(v + 1) : 0;

	if (off != SW_PKEY_NONE)
		memcpy(b + off, &w, 2);
}

/* A 32-bit field (point codes as M3UA carries them, RFC 4666 3.3.1: 32 bits on the wire; the
 * routing context; the SCMG affected point code). 0xffffffff + 1 would wrap to "absent": the
 * key is then left unwritten (stamp 0) and key_build judges the MSU uncached, as it does. */
static inline void
sw_pkey_u32(struct sw_msu *msu, unsigned off, bool present, uint32_t v)
{
	uint32_t w = present ? v + 1 : 0;

	if (off == SW_PKEY_NONE)
		return;
	if (__builtin_expect(present && v == UINT32_MAX, 0))
		msu->key.stamp = 0;
	memcpy(msu->key.b + off, &w, 4);
}

/* A digit slot: min(len, kd + 1), then the first min(len, kd) digits zero-filled to kd. Whole
 * words: the last one may run up to 7 bytes past the slot, writing zeros only, into slots that
 * are written later (the layers' order, plan_key.c) or stay zero (absent). A slot is written
 * once per decode; an absent field's slot is left as msu_clear left it (zero). */
static inline void
sw_pkey_digits(uint8_t *b, unsigned off, unsigned kd, const struct sw_digits *d)
{
	unsigned len = d != NULL && d->len <= SW_DIGITS_MAX ? d->len : 0;
	unsigned n = len < kd ? len : kd;

	if (len == 0 || off == SW_PKEY_NONE)
		return;
	b[off] = (uint8_t)(len > kd ? kd + 1 : len);
	for (unsigned i = 0; i < kd; i += 8) {
		/* d->d is SW_DIGITS_MAX + 1 bytes inside struct sw_msu: the word read past it
		 * stays inside the msu (its last digit field is followed by other fields) */
		uint64_t w;
		unsigned r = n > i ? n - i : 0;

		memcpy(&w, d->d + i, 8);
		w &= r >= 8 ? ~0ull : ~(~0ull << (8 * r));
		memcpy(b + off + 1 + i, &w, 8);
	}
}

/* M3UA DATA's Protocol Data or M2PA's MTP3 label (RFC 4666 3.3.1, Q.704 2.2), and the routing
 * context (RFC 4666 3.3.1): present with SW_HAS_MTP3 / SW_HAS_RCTX as the verdict reads them. */
static inline void
sw_pkey_mtp3(struct sw_msu *msu)
{
	const struct sw_plan_key *k = sw_pkey_of(msu);
	bool mtp3 = (msu->has & SW_HAS_MTP3) != 0;

	if (k == NULL)
		return;
	/* only the fields the key holds: one predictable branch per field */
	for (uint32_t m = k->imask & SW_PKM_MTP3; m != 0; m &= m - 1) {
		unsigned f = (unsigned)__builtin_ctz(m);
		switch (f) {
		case SW_PK_OPC:
			sw_pkey_u32(msu, k->ioff[f], mtp3, msu->m3ua.opc);
			break;
		case SW_PK_DPC:
			sw_pkey_u32(msu, k->ioff[f], mtp3, msu->m3ua.dpc);
			break;
		case SW_PK_SI:
			sw_pkey_u16(msu->key.b, k->ioff[f], mtp3, msu->m3ua.si);
			break;
		case SW_PK_NI:
			sw_pkey_u16(msu->key.b, k->ioff[f], mtp3, msu->m3ua.ni);
			break;
		default:
			sw_pkey_u32(msu, k->ioff[f], (msu->has & SW_HAS_RCTX) != 0, msu->m3ua.rctx);
			break;
		}
	}
}

/* Integer field i (0 SSN, 1 TT, 2 NP, 3 NAI, 4 GTI, 5 RI) of a party address into its slot:
 * which ones the GTI carries as the verdict reads them (Q.713 3.4.1, policy/eval.c if_get). */
static inline void
sw_pkey_addr(uint8_t *b, unsigned off, const struct sw_sccp_addr *a, unsigned i)
{
	bool p = a->present;

	switch (i) {
	case 0:
		sw_pkey_u16(b, off, p && a->has_ssn, a->ssn);
		break;
	case 1:
		sw_pkey_u16(b, off, p && a->gti >= 2 && a->gti <= 4, a->tt);
		break;
	case 2:
		sw_pkey_u16(b, off, p && (a->gti == 3 || a->gti == 4), a->np);
		break;
	case 3:
		sw_pkey_u16(b, off, p && (a->gti == 1 || a->gti == 4), a->nai);
		break;
	case 4:
		sw_pkey_u16(b, off, p, a->gti);
		break;
	default:
		sw_pkey_u16(b, off, p, a->ri);
		break;
	}
}

/* SCCP (Q.713 4): the message type and both party addresses, once both are decoded. */
static inline void
sw_pkey_sccp(struct sw_msu *msu)
{
	const struct sw_plan_key *k = sw_pkey_of(msu);
	uint8_t *b = msu->key.b;

	if (k == NULL)
		return;
	for (uint32_t m = k->imask & SW_PKM_SCCP; m != 0; m &= m - 1) {
		unsigned f = (unsigned)__builtin_ctz(m);
		if (f == SW_PK_SCCP_TYPE)
			sw_pkey_u16(b, k->ioff[f], true, msu->sccp.type);
		else if (f < SW_PK_CDPA_SSN)
			sw_pkey_addr(b, k->ioff[f], &msu->sccp.cgpa, f - SW_PK_CGPA_SSN);
		else
			sw_pkey_addr(b, k->ioff[f], &msu->sccp.cdpa, f - SW_PK_CDPA_SSN);
	}
	if (k->dmask & (1u << SW_PD_CGPA))
		sw_pkey_digits(b, k->doff[SW_PD_CGPA], k->dkd[SW_PD_CGPA],
			       msu->sccp.cgpa.present ? &msu->sccp.cgpa.digits : NULL);
	if (k->dmask & (1u << SW_PD_CDPA))
		sw_pkey_digits(b, k->doff[SW_PD_CDPA], k->dkd[SW_PD_CDPA],
			       msu->sccp.cdpa.present ? &msu->sccp.cdpa.digits : NULL);
}

/* SCCP management (Q.713 5.3). */
static inline void
sw_pkey_scmg(struct sw_msu *msu)
{
	const struct sw_plan_key *k = sw_pkey_of(msu);

	if (k == NULL || !(k->imask & SW_PKM_SCMG))
		return;
	sw_pkey_u16(msu->key.b, k->ioff[SW_PK_SCMG_TYPE], true, msu->sccp.scmg.type);
	sw_pkey_u16(msu->key.b, k->ioff[SW_PK_SCMG_SSN], true, msu->sccp.scmg.assn);
	sw_pkey_u32(msu, k->ioff[SW_PK_SCMG_PC], true, msu->sccp.scmg.apc);
}

/* ISUP (Q.763): the message type; an IAM's calling and called party numbers. */
static inline void
sw_pkey_isup(struct sw_msu *msu)
{
	const struct sw_plan_key *k = sw_pkey_of(msu);

	if (k == NULL)
		return;
	sw_pkey_u16(msu->key.b, k->ioff[SW_PK_ISUP_TYPE], true, msu->isup.type);
	if (k->dmask & (1u << SW_PD_CGPN))
		sw_pkey_digits(msu->key.b, k->doff[SW_PD_CGPN], k->dkd[SW_PD_CGPN],
			       msu->isup.cgpn.present ? &msu->isup.cgpn.digits : NULL);
	if (k->dmask & (1u << SW_PD_CDPN))
		sw_pkey_digits(msu->key.b, k->doff[SW_PD_CDPN], k->dkd[SW_PD_CDPN],
			       msu->isup.cdpn.present ? &msu->isup.cdpn.digits : NULL);
}

/* The MAP (TS 29.002) or CAP (TS 29.078) argument's digit field f of the message's source
 * component, as the verdict reads it (policy/eval.c sf_digits). */
static inline const struct sw_digits *
sw_pkey_arg_digits(const struct sw_msu *m, unsigned f)
{
	bool cap = (m->has & SW_HAS_CAP) != 0;

	switch (f) {
	case SW_PD_IMSI:
		return cap ? &m->cap.imsi : &m->map.imsi;
	case SW_PD_MSISDN:
		return &m->map.msisdn;
	case SW_PD_VLR:
		return cap ? &m->cap.vlr : &m->map.vlr;
	case SW_PD_MSC:
		return cap ? &m->cap.msc : &m->map.msc;
	case SW_PD_HLR:
		return &m->map.hlr;
	case SW_PD_SGSN:
		return &m->map.sgsn;
	case SW_PD_SMSC:
		return &m->map.smsc;
	case SW_PD_SM_RP_DA:
		return &m->map.sm_rp_da;
	case SW_PD_SM_RP_OA:
		return &m->map.sm_rp_oa;
	case SW_PD_CGPN:
		return cap && m->cap.calling.present ? &m->cap.calling.digits : NULL;
	case SW_PD_CDPN:
		return cap && m->cap.called.present ? &m->cap.called.digits : NULL;
	}
	return NULL;
}

/* TCAP (Q.773) once the whole message is read: its type, the dialogue's ACN, the components
 * (type, opcode, global, CAP) and the fields of the MAP or CAP argument walked with them. */
static inline void
sw_pkey_tcap(struct sw_msu *msu)
{
	const struct sw_plan_key *k = sw_pkey_of(msu);
	uint8_t *b = msu->key.b;
	uint32_t dm;

	if (k == NULL)
		return;
	sw_pkey_u16(b, k->ioff[SW_PK_TCAP_TYPE], msu->tcap.type != SW_TCAP_NONE, msu->tcap.type);
	sw_pkey_u16(b, k->ioff[SW_PK_SS_CODE], msu->map.has_ss_code, msu->map.ss_code);
	if (k->acn_off != SW_PKEY_NONE) {
		unsigned len = (msu->has & SW_HAS_ACN) && msu->tcap.acn_len <= SW_ACN_MAX
				       ? msu->tcap.acn_len
				       : 0;
		b[k->acn_off] = (uint8_t)len;
		memset(b + k->acn_off + 1, 0, SW_ACN_MAX);
		memcpy(b + k->acn_off + 1, msu->tcap.acn, len);
	}
	for (dm = k->dmask & SW_PDM_TCAP; dm != 0; dm &= dm - 1) {
		unsigned f = (unsigned)__builtin_ctz(dm);
		sw_pkey_digits(b, k->doff[f], k->dkd[f], sw_pkey_arg_digits(msu, f));
	}
	/* last: the digit slots' last words may run into the components' first bytes */
	if (k->comp_off != SW_PKEY_NONE) {
		unsigned nc = msu->tcap.ncomp;
		uint8_t cap = (msu->has & SW_HAS_CAP) != 0;

		if (nc > SW_PKEY_COMPS) {
			msu->key.stamp = 0; /* the verdict builds this one's key itself */
			return;
		}
		b[k->comp_off] = (uint8_t)nc;
		for (unsigned c = 0; c < nc; c++) {
			const struct sw_tcap_comp *tc = &msu->tcap.comp[c];
			uint8_t *p = b + k->comp_off + 1 + 6 * c;

			p[0] = tc->type;
			p[1] = (uint8_t)(tc->has_opcode | tc->opcode_global << 1 | cap << 2);
			memcpy(p + 2, &tc->opcode, 4);
		}
	}
}

#endif /* SW_DECODE_PKEY_H */
