/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ISDN User Part, ITU-T Q.763, carried as MTP3 user data with SI=5.
 *
 * Every message starts with the circuit identification code and the message
 * type (Q.763 1.2, 1.3). For the initial address message the decoder follows
 * Q.763 Table 32: the mandatory fixed part, the pointer to the called party
 * number, the pointer to the optional part, then the optional parameters
 * (name, length, value) up to the end of optional parameters octet, keeping
 * the calling party number. Other messages give their type and CIC only.
 * Every pointer and length is checked against the message before it is read.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "pkey.h"

static enum sw_mal
isup_fail(struct sw_msu *msu, enum sw_mal m)
{
	if (msu->mal == SW_MAL_NONE)
		msu->mal = m;
	return m;
}

/*
 * Read a one-octet pointer (Q.763 1.5): its value counts octets from the
 * pointer itself to the parameter. 0 means absent, which only the optional
 * part may be. *target is absolute, 0 when absent.
 */
static enum sw_mal
isup_pointer(struct sw_cur *c, bool mandatory, uint32_t var_start, uint32_t *target)
{
	uint32_t at = c->off;
	uint8_t v;

	if (sw_cur_u8(c, &v) < 0)
		return SW_MAL_ISUP_SHORT;
	if (v == 0) {
		*target = 0;
		return mandatory ? SW_MAL_ISUP_PTR_OOB : SW_MAL_NONE;
	}
	if (at + v < var_start || at + v >= c->end)
		return SW_MAL_ISUP_PTR_OOB;
	*target = at + v;
	return SW_MAL_NONE;
}

/*
 * Called party number (Q.763 3.9) or calling party number (Q.763 3.10), the
 * value [off, off + len). Octet 2 differs: INN/NPI for the called number,
 * NI/NPI/presentation/screening for the calling one. Also CAP's CalledPartyNumber /
 * CallingPartyNumber (TS 29.078 CAP-DataTypes: the same octets), declared in decode.h.
 */
enum sw_mal
sw_isup_number_decode(const uint8_t *buf, uint32_t off, uint32_t len, bool calling,
		      struct sw_isup_number *n)
{
	uint8_t o1, o2;

	if (len < ISUP_NUM_HDR_LEN)
		return SW_MAL_ISUP_PARAM_LEN;
	o1 = buf[off];
	o2 = buf[off + 1];
	n->present = true;
	n->nai = o1 & ISUP_NUM_NAI_MASK;
	n->npi = (o2 >> ISUP_NUM_NPI_SHIFT) & ISUP_NUM_NPI_MASK;
	if (calling) {
		n->presentation = (o2 >> ISUP_NUM_APRI_SHIFT) & ISUP_NUM_APRI_MASK;
		n->screening = o2 & ISUP_NUM_SCREEN_MASK;
	}
	if (len > ISUP_NUM_HDR_LEN &&
	    sw_bcd_decode(buf + off + ISUP_NUM_HDR_LEN, len - ISUP_NUM_HDR_LEN,
			  (o1 & ISUP_NUM_ODD) != 0, false, &n->digits) < 0)
		return SW_MAL_ISUP_DIGITS_LONG;
	return SW_MAL_NONE;
}

/* Optional part, Q.763 1.6: (name, length, value) until the end of optional parameters. */
static enum sw_mal
isup_optional(const uint8_t *buf, uint32_t off, uint32_t end, struct sw_msu *msu)
{
	struct sw_cur c;

	sw_cur_init(&c, buf, off, end);
	for (;;) {
		uint8_t name, len;
		struct sw_cur v;
		enum sw_mal m;

		if (sw_cur_u8(&c, &name) < 0)
			return SW_MAL_ISUP_OPT_PARAM; /* no end of optional parameters */
		if (name == ISUP_PARAM_EOP)
			return SW_MAL_NONE;
		if (sw_cur_u8(&c, &len) < 0 || sw_cur_sub(&c, len, &v) < 0)
			return SW_MAL_ISUP_PARAM_LEN;
		if (name != ISUP_PARAM_CALLING_NUM)
			continue;
		/* A second calling party number could make two screeners disagree. */
		if (msu->isup.cgpn.present)
			return SW_MAL_ISUP_OPT_PARAM;
		m = sw_isup_number_decode(buf, v.off, len, true, &msu->isup.cgpn);
		if (m != SW_MAL_NONE)
			return m;
	}
}

/* Initial address message, Q.763 Table 32: the part after the message type. */
static enum sw_mal
isup_iam(struct sw_cur *c, struct sw_msu *msu)
{
	uint32_t var_start, cdpn, opt, len;
	enum sw_mal m;

	if (sw_cur_skip(c, ISUP_IAM_FIXED_LEN) < 0)
		return SW_MAL_ISUP_SHORT;
	var_start = c->off + 2; /* after the two pointers */
	m = isup_pointer(c, true, var_start, &cdpn);
	if (m == SW_MAL_NONE)
		m = isup_pointer(c, false, var_start, &opt);
	if (m != SW_MAL_NONE)
		return m;

	/* Called party number, mandatory variable, Q.763 3.9 */
	len = c->base[cdpn];
	if (len > c->end - cdpn - 1)
		return SW_MAL_ISUP_PARAM_LEN;
	m = sw_isup_number_decode(c->base, cdpn + 1, len, false, &msu->isup.cdpn);
	if (m != SW_MAL_NONE)
		return m;

	if (opt == 0)
		return SW_MAL_NONE;
	return isup_optional(c->base, opt, c->end, msu);
}

enum sw_mal
sw_isup_decode(const uint8_t *buf, uint32_t off, uint32_t end, struct sw_msu *msu)
{
	struct sw_cur c;
	uint8_t lo, hi, type;
	enum sw_mal m;

	if (end < off)
		return isup_fail(msu, SW_MAL_ISUP_SHORT);
	sw_cur_init(&c, buf, off, end);
	/* CIC, Q.763 1.2; message type, Q.763 1.3 */
	if (sw_cur_u8(&c, &lo) < 0 || sw_cur_u8(&c, &hi) < 0 || sw_cur_u8(&c, &type) < 0)
		return isup_fail(msu, SW_MAL_ISUP_SHORT);
	msu->isup.cic = (uint16_t)((lo | (hi << 8)) & ISUP_CIC_MASK);
	msu->isup.type = type;
	msu->has |= SW_HAS_ISUP;
	if (type != ISUP_MSG_IAM) {
		sw_pkey_isup(msu); /* the key's slots (issue 20 D3) */
		return SW_MAL_NONE;
	}
	m = isup_iam(&c, msu);
	if (m != SW_MAL_NONE)
		return isup_fail(msu, m);
	sw_pkey_isup(msu);
	return SW_MAL_NONE;
}
