/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SCCP connectionless messages, ITU-T Q.713: UDT, UDTS, XUDT, XUDTS, LUDT, LUDTS; in an ANSI
 * network (msu->ansi.variant) the addresses and management messages of ANSI T1.112.3.
 *
 * The decoder follows Q.713's layout of a message (2.1): message type, the
 * fixed mandatory part, one pointer per mandatory variable parameter plus one
 * to the optional part, then the variable parameters (length + value) and the
 * optional parameters (name + length + value, ended by 0x00). Every pointer,
 * length and address field is checked against the message before it is read;
 * the first failure is a named malformation and what was decoded before it
 * stays in struct sw_msu.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "pkey.h"

/*
 * Layout of each decoded message type. The fixed part follows the type octet:
 * protocol class or return cause, then the hop counter where there is one.
 * LUDT/LUDTS have 2-octet pointers and a 2-octet length for long data.
 */
struct sccp_msg_desc {
	uint8_t type;
	bool service;   /* first fixed octet is the return cause, not the protocol class */
	bool hop;       /* hop counter follows */
	bool optional;  /* pointer to the optional part follows the mandatory ones */
	bool long_data; /* 2-octet pointers and 2-octet data length */
};

static const struct sccp_msg_desc sccp_msgs[] = {
	{ SCCP_MSG_UDT, false, false, false, false },   /* Q.713 4.10 */
	{ SCCP_MSG_UDTS, true, false, false, false },  /* Q.713 4.11 */
	{ SCCP_MSG_XUDT, false, true, true, false },   /* Q.713 4.18 */
	{ SCCP_MSG_XUDTS, true, true, true, false },  /* Q.713 4.19 */
	{ SCCP_MSG_LUDT, false, true, true, true },    /* Q.713 4.20 */
	{ SCCP_MSG_LUDTS, true, true, true, true },   /* Q.713 4.21 */
};

#define SCCP_NMSGS (sizeof(sccp_msgs) / sizeof(sccp_msgs[0]))

/* Number of mandatory variable parameters of every decoded type: cdpa, cgpa, data. */
#define SCCP_NVAR 3

static const struct sccp_msg_desc *
sccp_msg_lookup(uint8_t type)
{
	for (size_t i = 0; i < SCCP_NMSGS; i++) {
		if (sccp_msgs[i].type == type)
			return &sccp_msgs[i];
	}
	return NULL;
}

static enum sw_mal
sccp_fail(struct sw_msu *msu, enum sw_mal m)
{
	if (msu->mal == SW_MAL_NONE)
		msu->mal = m;
	return m;
}

/*
 * Read a pointer at the cursor (Q.713 2.3): its value counts the octets from
 * the pointer itself to the parameter. A mandatory pointer of 0, or one that
 * lands in the fixed/pointer part or at or past the end of the message, is
 * out of bounds. *target is absolute; 0 for an absent optional part.
 *
 * The two-octet pointers of LUDT/LUDTS (Q.713 4.20, 4.21; least significant octet first)
 * are counted from the pointer's second (most significant) octet: target = first octet +
 * 1 + value. Q.713 2.3's "the pointer itself (included)" reads either way for a pointer of
 * two octets; Wireshark's packet-sccp.c (VARIABLE_POINTER / OPTIONAL_POINTER add 1 for
 * POINTER_LENGTH_LONG) and the encoders of independent SS7 stacks count it so, and an LUDT
 * read the other way is one octet off in every parameter (issue 17). Only this reading is
 * decoded; an LUDT encoded from the first octet is reported by whatever its shifted
 * parameters make of it (tests/vectors/sccp/ludt-pointers-from-first-octet).
 */
static enum sw_mal
sccp_pointer(struct sw_cur *c, bool two_octets, bool mandatory, uint32_t var_start,
	     uint32_t *target)
{
	uint32_t at = c->off;
	uint32_t v;

	if (two_octets) {
		uint8_t lo, hi;

		if (sw_cur_u8(c, &lo) < 0 || sw_cur_u8(c, &hi) < 0)
			return SW_MAL_SCCP_SHORT;
		v = (uint32_t)lo | ((uint32_t)hi << 8);
		if (v != 0)
			at++; /* counted from the second octet, see above */
	} else {
		uint8_t b;

		if (sw_cur_u8(c, &b) < 0)
			return SW_MAL_SCCP_SHORT;
		v = b;
	}
	if (v == 0) {
		*target = 0;
		return mandatory ? SW_MAL_SCCP_PTR_OOB : SW_MAL_NONE;
	}
	/* at + v cannot wrap: both are far below 2^32 - 2^16 for any real buffer */
	if (at + v < var_start || at + v >= c->end)
		return SW_MAL_SCCP_PTR_OOB;
	*target = at + v;
	return SW_MAL_NONE;
}

/* Length-prefixed parameter at absolute offset at: sets [*voff, *voff + *vlen). */
static enum sw_mal
sccp_param(const uint8_t *buf, uint32_t at, uint32_t end, bool two_octets, uint32_t *voff,
	   uint32_t *vlen)
{
	struct sw_cur c;
	uint32_t len;

	sw_cur_init(&c, buf, at, end);
	if (two_octets) {
		uint8_t lo, hi;

		/* long data length, least significant octet first, Q.713 3.16 */
		if (sw_cur_u8(&c, &lo) < 0 || sw_cur_u8(&c, &hi) < 0)
			return SW_MAL_SCCP_PARAM_LEN;
		len = (uint32_t)lo | ((uint32_t)hi << 8);
	} else {
		uint8_t b;

		if (sw_cur_u8(&c, &b) < 0)
			return SW_MAL_SCCP_PARAM_LEN;
		len = b;
	}
	if (sw_cur_left(&c) < len)
		return SW_MAL_SCCP_PARAM_LEN;
	*voff = c.off;
	*vlen = len;
	return SW_MAL_NONE;
}

/*
 * The mandatory variable parameters ptr[0..2] (each a length octet, or two for long data, and
 * its value, already checked to lie inside the message) must not overlap each other, and the
 * optional part must not start inside one of them (Q.713 2.3: each pointer indicates the
 * start of its own parameter).
 */
static enum sw_mal
sccp_overlap(const uint8_t *buf, const uint32_t *ptr, bool long_data, uint32_t opt)
{
	uint32_t lo[SCCP_NVAR], hi[SCCP_NVAR];

	for (unsigned i = 0; i < SCCP_NVAR; i++) {
		bool two = long_data && i == SCCP_NVAR - 1;
		uint32_t len = two ? (uint32_t)buf[ptr[i]] | (uint32_t)buf[ptr[i] + 1] << 8
				   : buf[ptr[i]];

		lo[i] = ptr[i];
		hi[i] = ptr[i] + (two ? 2u : 1u) + len;
		if (opt != 0 && opt >= lo[i] && opt < hi[i])
			return SW_MAL_SCCP_PARAM_OVERLAP;
		for (unsigned j = 0; j < i; j++)
			if (lo[i] < hi[j] && lo[j] < hi[i])
				return SW_MAL_SCCP_PARAM_OVERLAP;
	}
	return SW_MAL_NONE;
}

/*
 * Global title, Q.713 3.4.2.3: the GTI-dependent header octets, then the
 * address signals. The cursor is the rest of the address after PC and SSN.
 * layout is the Q.713 GTI whose header octets the title has: a->gti itself for an ITU
 * address; for an ANSI one (T1.112.3 3.4.2.3) GTI 1 has those of Q.713 GTI 3 (translation
 * type, numbering plan / encoding scheme) and GTI 2 those of Q.713 GTI 2 (translation type).
 */
static enum sw_mal
sccp_gt(struct sw_cur *c, struct sw_sccp_addr *a, uint8_t layout)
{
	uint8_t b;
	bool bcd = false, odd = false;

	switch (layout) {
	case SCCP_GTI_NONE:
		return SW_MAL_NONE;
	case SCCP_GTI_NAI: /* Q.713 3.4.2.3.1 */
		if (sw_cur_u8(c, &b) < 0)
			return SW_MAL_SCCP_ADDR_SHORT;
		odd = (b & SCCP_GT_ODD) != 0;
		a->nai = b & SCCP_GT_NAI_MASK;
		bcd = true;
		break;
	case SCCP_GTI_TT: /* Q.713 3.4.2.3.2 */
		if (sw_cur_u8(c, &a->tt) < 0)
			return SW_MAL_SCCP_ADDR_SHORT;
		/*
		 * Numbering plan and encoding are implied by the translation type;
		 * in practice the signals are BCD with a 0xf filler, which ends the
		 * digit string.
		 */
		bcd = true;
		break;
	case SCCP_GTI_TT_NP_ES:     /* Q.713 3.4.2.3.3 */
	case SCCP_GTI_TT_NP_ES_NAI: /* Q.713 3.4.2.3.4 */
		if (sw_cur_u8(c, &a->tt) < 0 || sw_cur_u8(c, &b) < 0)
			return SW_MAL_SCCP_ADDR_SHORT;
		a->np = b >> 4;
		a->es = b & 0x0f;
		if (layout == SCCP_GTI_TT_NP_ES_NAI) {
			if (sw_cur_u8(c, &b) < 0)
				return SW_MAL_SCCP_ADDR_SHORT;
			a->nai = b & SCCP_GT_NAI_MASK;
		}
		bcd = a->es == SCCP_ES_BCD_ODD || a->es == SCCP_ES_BCD_EVEN;
		odd = a->es == SCCP_ES_BCD_ODD;
		break;
	default:
		return SW_MAL_SCCP_ADDR_GTI;
	}
	/* Other encoding schemes are recorded; their signals are left undecoded. */
	if (bcd && sw_cur_left(c) > 0) {
		if (sw_bcd_decode(sw_cur_ptr(c), sw_cur_left(c), odd, false, &a->digits) < 0)
			return SW_MAL_SCCP_DIGITS_LONG;
	}
	return SW_MAL_NONE;
}

/*
 * ANSI address, T1.112.3 3.4: address indicator bit 1 SSN, bit 2 PC, bits 3-6 GTI, bit 7
 * routing indicator, bit 8 national; then the subsystem number, then the point code (3 octets,
 * member, cluster, network: T1.112.3 3.4.2.1), then the global title (GTI 1 or 2).
 */
static enum sw_mal
sccp_addr_ansi(struct sw_cur *c, uint8_t ai, struct sw_sccp_addr *a)
{
	static const uint8_t layout[3] = { [ANSI_GTI_NONE] = SCCP_GTI_NONE,
					   [ANSI_GTI_TT_NP_ES] = SCCP_GTI_TT_NP_ES,
					   [ANSI_GTI_TT] = SCCP_GTI_TT };

	a->fmt = SW_VARIANT_ANSI;
	a->has_ssn = (ai & ANSI_AI_SSN) != 0;
	a->has_pc = (ai & ANSI_AI_PC) != 0;
	a->gti = (ai & ANSI_AI_GTI_MASK) >> ANSI_AI_GTI_SHIFT;
	a->ri = (ai & ANSI_AI_RI) != 0;
	if (a->has_ssn && sw_cur_u8(c, &a->ssn) < 0)
		return SW_MAL_SCCP_ADDR_SHORT;
	if (a->has_pc) {
		const uint8_t *p = sw_cur_ptr(c);

		if (sw_cur_skip(c, ANSI_PC_LEN) < 0)
			return SW_MAL_SCCP_ADDR_SHORT;
		a->pc = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
	}
	if (a->gti >= sizeof(layout))
		return SW_MAL_SCCP_ANSI_GTI;
	return sccp_gt(c, a, layout[a->gti]);
}

/*
 * Called or calling party address, Q.713 3.4 (or T1.112.3 3.4 in an ANSI network when the
 * national indicator says so): the value [off, off + len) of the parameter.
 */
static enum sw_mal
sccp_addr(const uint8_t *buf, uint32_t off, uint32_t len, uint8_t variant,
	  struct sw_sccp_addr *a)
{
	struct sw_cur c;
	uint8_t ai;

	sw_cur_init(&c, buf, off, off + len);
	if (sw_cur_u8(&c, &ai) < 0)
		return SW_MAL_SCCP_ADDR_SHORT;
	a->present = true;
	/* T1.112.3 3.4.1: bit 8 clear is an international address, in the Q.713 format (as
	 * Wireshark's packet-sccp.c reads it with mtp3.standard ANSI) */
	if (variant == SW_VARIANT_ANSI && (ai & ANSI_AI_NATIONAL))
		return sccp_addr_ansi(&c, ai, a);
	a->has_pc = (ai & SCCP_AI_PC) != 0;
	a->has_ssn = (ai & SCCP_AI_SSN) != 0;
	a->gti = (ai & SCCP_AI_GTI_MASK) >> SCCP_AI_GTI_SHIFT;
	a->ri = (ai & SCCP_AI_RI) != 0;
	if (a->has_pc) {
		uint8_t lo, hi;

		/* Q.713 3.4.2.1: least significant octet first, 14 bits */
		if (sw_cur_u8(&c, &lo) < 0 || sw_cur_u8(&c, &hi) < 0)
			return SW_MAL_SCCP_ADDR_SHORT;
		a->pc = (uint16_t)((lo | (hi << 8)) & SCCP_PC_MASK);
	}
	if (a->has_ssn) {
		/* Q.713 3.4.2.2 */
		if (sw_cur_u8(&c, &a->ssn) < 0)
			return SW_MAL_SCCP_ADDR_SHORT;
	}
	return sccp_gt(&c, a, a->gti);
}

/* Segmentation parameter value, Q.713 3.17. */
static enum sw_mal
sccp_segmentation(const struct sw_cur *v, struct sw_msu *msu)
{
	const uint8_t *p = sw_cur_ptr(v);

	/* a second segmentation parameter is refused by sccp_optional (SCCP_PARAM_REPEATED) */
	if (sw_cur_left(v) != SCCP_SEGMENTATION_LEN)
		return SW_MAL_SCCP_SEGMENT;
	msu->sccp.seg_first = (p[0] & SCCP_SEG_FIRST) != 0;
	msu->sccp.seg_remaining = p[0] & SCCP_SEG_REMAINING;
	/* local reference, least significant octet first (as tshark shows it) */
	msu->sccp.seg_ref = (uint32_t)p[1] | ((uint32_t)p[2] << 8) | ((uint32_t)p[3] << 16);
	msu->has |= SW_HAS_SEGMENT;
	return SW_MAL_NONE;
}

/*
 * Parameters that are mandatory in every decoded message type (Q.713 4.10-4.21): met again
 * in the optional part, two decoders could each read a different one.
 */
static bool
sccp_mandatory_name(uint8_t name)
{
	switch (name) {
	case SCCP_PARAM_CDPA:
	case SCCP_PARAM_CGPA:
	case SCCP_PARAM_PCLASS:
	case SCCP_PARAM_RETURN_CAUSE:
	case SCCP_PARAM_DATA:
	case SCCP_PARAM_HOP_COUNTER:
	case SCCP_PARAM_LONG_DATA:
		return true;
	}
	return false;
}

/*
 * Optional part, Q.713 2.1 and 3.1: (name, length, value) until the end of
 * optional parameters octet. Records the segmentation parameter (Q.713 3.17).
 * Each optional parameter may appear once (Q.713 4.18-4.21 list each once), and none
 * of the mandatory ones may appear here (issue 13: repeated parameters that must be
 * unique are a named malformation): SW_MAL_SCCP_PARAM_REPEATED.
 */

static enum sw_mal
sccp_optional(const uint8_t *buf, uint32_t off, uint32_t end, struct sw_msu *msu, bool co)
{
	uint32_t seen[256 / 32] = { 0 };
	struct sw_cur c;

	sw_cur_init(&c, buf, off, end);
	for (;;) {
		uint8_t name, len;
		struct sw_cur v;

		if (sw_cur_u8(&c, &name) < 0)
			return SW_MAL_SCCP_OPT_PARAM; /* no end of optional parameters */
		if (name == SCCP_PARAM_EOP)
			return SW_MAL_NONE;
		if (sw_cur_u8(&c, &len) < 0 || sw_cur_sub(&c, len, &v) < 0)
			return SW_MAL_SCCP_OPT_PARAM;
		if ((seen[name / 32] >> (name % 32) & 1) || (!co && sccp_mandatory_name(name)))
			return SW_MAL_SCCP_PARAM_REPEATED;
		seen[name / 32] |= 1u << (name % 32);
		/* CR carries the calling address, CC/CREF the called one, as optional parameters
		 * (Q.713 4.2-4.4); the mandatory called address of CR is already decoded */
		if (co && (name == SCCP_PARAM_CDPA || name == SCCP_PARAM_CGPA)) {
			struct sw_sccp_addr *a = name == SCCP_PARAM_CDPA ? &msu->sccp.cdpa
									   : &msu->sccp.cgpa;
			enum sw_mal m;

			if (a->present)
				return SW_MAL_SCCP_PARAM_REPEATED;
			m = sccp_addr(buf, v.off, sw_cur_left(&v), msu->ansi.variant, a);
			if (m != SW_MAL_NONE)
				return m;
		}
		if (name == SCCP_PARAM_SEGMENTATION) {
			enum sw_mal m = sccp_segmentation(&v, msu);

			if (m != SW_MAL_NONE)
				return m;
		}
	}
}

/*
 * SCCP management message, Q.713 5.3: format identifier, affected SSN, affected point code
 * (two octets, 14 bits, least significant first), subsystem multiplicity indicator; SSC adds
 * the SCCP congestion level. The data of a message to SSN 1 (Q.713 5.1) is one of these,
 * never TCAP.
 */
static enum sw_mal
sccp_scmg(const uint8_t *buf, uint32_t off, uint32_t len, struct sw_msu *msu)
{
	const uint8_t *p = buf + off;
	uint32_t want;

	if (len < 1)
		return SW_MAL_SCCP_SCMG_LEN;
	if (sw_scmg_type_name(p[0]) == NULL)
		return SW_MAL_SCCP_SCMG_TYPE;
	if (msu->ansi.variant == SW_VARIANT_ANSI) {
		/* T1.112.3 5.3: a 3-octet affected point code, member first; no SSC in ANSI */
		if (p[0] == SCMG_SSC)
			return SW_MAL_SCCP_SCMG_TYPE;
		msu->sccp.scmg.type = p[0];
		if (len != ANSI_SCMG_LEN)
			return SW_MAL_SCCP_ANSI_SCMG_LEN;
		msu->sccp.scmg.assn = p[1];
		msu->sccp.scmg.apc = (uint32_t)p[2] | (uint32_t)p[3] << 8 | (uint32_t)p[4] << 16;
		msu->sccp.scmg.smi = p[5] & SCMG_SMI_MASK;
		msu->has |= SW_HAS_SCMG;
		return SW_MAL_NONE;
	}
	msu->sccp.scmg.type = p[0];
	want = p[0] == SCMG_SSC ? SCMG_SSC_LEN : SCMG_LEN;
	if (len != want)
		return SW_MAL_SCCP_SCMG_LEN;
	msu->sccp.scmg.assn = p[1];
	msu->sccp.scmg.apc = (uint16_t)((p[2] | p[3] << 8) & SCCP_PC_MASK);
	msu->sccp.scmg.smi = p[4] & SCMG_SMI_MASK;
	if (p[0] == SCMG_SSC)
		msu->sccp.scmg.cong = p[5] & SCMG_CONG_MASK;
	msu->has |= SW_HAS_SCMG;
	return SW_MAL_NONE;
}

/*
 * Connection-oriented messages, Q.713 4.2-4.17: the fixed part (local references, protocol
 * class or a cause, other fixed octets), at most one mandatory variable parameter (the called
 * address of CR, the data of DT1/DT2/ED) and the optional part. They are classified, not
 * judged: their data (BSSAP, RANAP) is not TCAP, and interconnects rarely carry them.
 */
enum co_field { CO_NONE, CO_PCLASS, CO_CAUSE };
enum co_var { CO_VAR_NONE, CO_VAR_CDPA, CO_VAR_DATA };

struct sccp_co_desc {
	uint8_t type;
	bool dlr, slr;
	uint8_t field;    /* enum co_field: the octet after the references */
	uint8_t skip;     /* further fixed octets (sequencing, credit, ...) */
	uint8_t var;      /* enum co_var */
	bool optional;    /* pointer to the optional part */
};

static const struct sccp_co_desc sccp_co_msgs[] = {
	{ SCCP_MSG_CR, false, true, CO_PCLASS, 0, CO_VAR_CDPA, true },   /* Q.713 4.2 */
	{ SCCP_MSG_CC, true, true, CO_PCLASS, 0, CO_VAR_NONE, true },    /* Q.713 4.3 */
	{ SCCP_MSG_CREF, true, false, CO_CAUSE, 0, CO_VAR_NONE, true },  /* Q.713 4.4 */
	{ SCCP_MSG_RLSD, true, true, CO_CAUSE, 0, CO_VAR_NONE, true },   /* Q.713 4.5 */
	{ SCCP_MSG_RLC, true, true, CO_NONE, 0, CO_VAR_NONE, false },    /* Q.713 4.6 */
	{ SCCP_MSG_DT1, true, false, CO_NONE, 1, CO_VAR_DATA, false },   /* Q.713 4.7 */
	{ SCCP_MSG_DT2, true, false, CO_NONE, 2, CO_VAR_DATA, false },   /* Q.713 4.8 */
	{ SCCP_MSG_AK, true, false, CO_NONE, 2, CO_VAR_NONE, false },    /* Q.713 4.9 */
	{ SCCP_MSG_ED, true, false, CO_NONE, 0, CO_VAR_DATA, false },    /* Q.713 4.12 */
	{ SCCP_MSG_EA, true, false, CO_NONE, 0, CO_VAR_NONE, false },    /* Q.713 4.13 */
	{ SCCP_MSG_RSR, true, true, CO_CAUSE, 0, CO_VAR_NONE, false },   /* Q.713 4.14 */
	{ SCCP_MSG_RSC, true, true, CO_NONE, 0, CO_VAR_NONE, false },    /* Q.713 4.15 */
	{ SCCP_MSG_ERR, true, false, CO_CAUSE, 0, CO_VAR_NONE, false },  /* Q.713 4.16 */
	{ SCCP_MSG_IT, true, true, CO_PCLASS, 3, CO_VAR_NONE, false },   /* Q.713 4.17 */
};

/* Local reference, Q.713 3.2/3.3: three octets, least significant first. */
static int
sccp_lr(struct sw_cur *c, uint32_t *lr, uint32_t has_bit, struct sw_msu *msu)
{
	if (sw_cur_be24(c, lr) < 0)
		return -1;
	*lr = (*lr >> 16) | (*lr & 0x00ff00) | (*lr & 0xff) << 16;
	msu->has |= has_bit;
	return 0;
}

static enum sw_mal
sccp_co(const uint8_t *buf, struct sw_cur *c, const struct sccp_co_desc *d, struct sw_msu *msu)
{
	uint32_t var_start, ptr = 0, opt = 0, voff, vlen;
	uint8_t b;
	enum sw_mal m;

	if (d->dlr && sccp_lr(c, &msu->sccp.dlr, SW_HAS_DLR, msu) < 0)
		return SW_MAL_SCCP_SHORT;
	if (d->slr && sccp_lr(c, &msu->sccp.slr, SW_HAS_SLR, msu) < 0)
		return SW_MAL_SCCP_SHORT;
	if (d->field != CO_NONE) {
		if (sw_cur_u8(c, &b) < 0)
			return SW_MAL_SCCP_SHORT;
		if (d->field == CO_PCLASS)
			msu->sccp.pclass = b & SCCP_PCLASS_MASK;
		else
			msu->sccp.cause = b;
	}
	if (sw_cur_skip(c, d->skip) < 0)
		return SW_MAL_SCCP_SHORT;
	var_start = c->off + (d->var != CO_VAR_NONE ? 1u : 0u) + (d->optional ? 1u : 0u);
	if (var_start > c->end)
		return SW_MAL_SCCP_SHORT;
	if (d->var != CO_VAR_NONE) {
		m = sccp_pointer(c, false, true, var_start, &ptr);
		if (m != SW_MAL_NONE)
			return m;
	}
	if (d->optional) {
		m = sccp_pointer(c, false, false, var_start, &opt);
		if (m != SW_MAL_NONE)
			return m;
	}
	if (d->var != CO_VAR_NONE) {
		m = sccp_param(buf, ptr, c->end, false, &voff, &vlen);
		if (m != SW_MAL_NONE)
			return m;
		if (d->var == CO_VAR_CDPA) {
			m = sccp_addr(buf, voff, vlen, msu->ansi.variant, &msu->sccp.cdpa);
			if (m != SW_MAL_NONE)
				return m;
		} else {
			msu->sccp.data_off = voff;
			msu->sccp.data_len = vlen;
		}
		if (opt != 0 && opt >= ptr && opt < voff + vlen)
			return SW_MAL_SCCP_PARAM_OVERLAP;
	}
	if (opt != 0) {
		m = sccp_optional(buf, opt, c->end, msu, true);
		if (m != SW_MAL_NONE)
			return m;
	}
	return SW_MAL_SCCP_CONNECTION_ORIENTED;
}

enum sw_mal
sw_sccp_decode(const uint8_t *buf, uint32_t off, uint32_t end, struct sw_msu *msu)
{
	const struct sccp_msg_desc *d;
	struct sw_cur c;
	uint32_t var_start, ptr[SCCP_NVAR], opt = 0, voff, vlen;
	uint8_t type, b;
	enum sw_mal m;

	if (end < off)
		return sccp_fail(msu, SW_MAL_SCCP_SHORT);
	sw_cur_init(&c, buf, off, end);
	if (sw_cur_u8(&c, &type) < 0)
		return sccp_fail(msu, SW_MAL_SCCP_SHORT);
	msu->sccp.type = type;
	msu->has |= SW_HAS_SCCP;
	d = sccp_msg_lookup(type);
	if (d == NULL) {
		for (size_t i = 0; i < sizeof(sccp_co_msgs) / sizeof(sccp_co_msgs[0]); i++)
			if (sccp_co_msgs[i].type == type)
				return sccp_fail(msu, sccp_co(buf, &c, &sccp_co_msgs[i], msu));
		return sccp_fail(msu, SW_MAL_SCCP_TYPE);
	}

	/* Fixed mandatory part */
	if (sw_cur_u8(&c, &b) < 0)
		return sccp_fail(msu, SW_MAL_SCCP_SHORT);
	if (d->service) {
		msu->sccp.cause = b; /* return cause, Q.713 3.12 */
	} else {
		msu->sccp.pclass = b & SCCP_PCLASS_MASK; /* protocol class, Q.713 3.6 */
		msu->sccp.ret_opt = b >> SCCP_RET_OPT_SHIFT;
	}
	if (d->hop) {
		if (sw_cur_u8(&c, &msu->sccp.hop_counter) < 0) /* Q.713 3.18 */
			return sccp_fail(msu, SW_MAL_SCCP_SHORT);
	}

	/* Pointers: the variable part starts after the last one. */
	var_start = c.off + (SCCP_NVAR + (d->optional ? 1u : 0u)) * (d->long_data ? 2u : 1u);
	if (var_start > end)
		return sccp_fail(msu, SW_MAL_SCCP_SHORT);
	for (unsigned i = 0; i < SCCP_NVAR; i++) {
		m = sccp_pointer(&c, d->long_data, true, var_start, &ptr[i]);
		if (m != SW_MAL_NONE)
			return sccp_fail(msu, m);
	}
	if (d->optional) {
		m = sccp_pointer(&c, d->long_data, false, var_start, &opt);
		if (m != SW_MAL_NONE)
			return sccp_fail(msu, m);
	}

	/* Called party address, Q.713 3.4 */
	m = sccp_param(buf, ptr[0], end, false, &voff, &vlen);
	if (m == SW_MAL_NONE)
		m = sccp_addr(buf, voff, vlen, msu->ansi.variant, &msu->sccp.cdpa);
	if (m != SW_MAL_NONE)
		return sccp_fail(msu, m);
	/* Calling party address, Q.713 3.5 */
	m = sccp_param(buf, ptr[1], end, false, &voff, &vlen);
	if (m == SW_MAL_NONE)
		m = sccp_addr(buf, voff, vlen, msu->ansi.variant, &msu->sccp.cgpa);
	if (m != SW_MAL_NONE)
		return sccp_fail(msu, m);
	/* Data, Q.713 3.16; long data of LUDT/LUDTS has a 2-octet length */
	m = sccp_param(buf, ptr[2], end, d->long_data, &voff, &vlen);
	if (m != SW_MAL_NONE)
		return sccp_fail(msu, m);
	msu->sccp.data_off = voff;
	msu->sccp.data_len = vlen;

	/* Two pointers to the same bytes would let one parameter be read as two. */
	m = sccp_overlap(buf, ptr, d->long_data, opt);
	if (m != SW_MAL_NONE)
		return sccp_fail(msu, m);

	if (opt != 0) {
		m = sccp_optional(buf, opt, end, msu, false);
		if (m != SW_MAL_NONE)
			return sccp_fail(msu, m);
	}

	/*
	 * A segment of a longer message does not hold a complete TCAP message;
	 * only a first segment with nothing remaining does. Reassembly happens
	 * later; until then the message is reported so that policy fails closed.
	 */
	if ((msu->has & SW_HAS_SEGMENT) != 0 &&
	    !(msu->sccp.seg_first && msu->sccp.seg_remaining == 0))
		return sccp_fail(msu, SW_MAL_SCCP_SEGMENTED);
	sw_pkey_sccp(msu); /* type and both addresses: the key's slots (issue 20 D3) */

	/* Q.713 5.1: SCCP management is addressed to SSN 1 (its calling SSN is 1 too) */
	if (msu->sccp.cdpa.has_ssn && msu->sccp.cdpa.ssn == SCCP_SSN_SCMG) {
		m = sccp_scmg(buf, msu->sccp.data_off, msu->sccp.data_len, msu);
		if (m != SW_MAL_NONE)
			return sccp_fail(msu, m);
		sw_pkey_scmg(msu);
		return SW_MAL_NONE;
	}
	/* T1.114.3: an ANSI TCAP package (private class) is never ITU TCAP; named, not decoded */
	if (msu->sccp.data_len > 0 && sw_ansi_tcap_name(buf[msu->sccp.data_off]) != NULL) {
		msu->ansi.tcap_pkg = buf[msu->sccp.data_off];
		return sccp_fail(msu, SW_MAL_TCAP_ANSI);
	}
	return sw_tcap_decode(buf, msu->sccp.data_off, msu->sccp.data_off + msu->sccp.data_len,
			      msu);
}
