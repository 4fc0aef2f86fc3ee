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

#define ISUP_CIC_MASK 0x0fff /* ITU CIC: 12 bits, least significant octet first, Q.763 1.2 */

/* Message type codes, Q.763 Table 4 */
#define ISUP_MSG_IAM 0x01

/* Parameter names, Q.763 Table 5 */
#define ISUP_PARAM_EOP 0x00          /* end of optional parameters, Q.763 3.20 */
#define ISUP_PARAM_CALLING_NUM 0x0a  /* calling party number, Q.763 3.10 */

/* IAM mandatory fixed part, Q.763 Table 32 */
#define ISUP_IAM_NOC_LEN 1 /* nature of connection indicators, Q.763 3.35 */
#define ISUP_IAM_FCI_LEN 2 /* forward call indicators, Q.763 3.23 */
#define ISUP_IAM_CPC_LEN 1 /* calling party's category, Q.763 3.11 */
#define ISUP_IAM_TMR_LEN 1 /* transmission medium requirement, Q.763 3.54 */
#define ISUP_IAM_FIXED_LEN (ISUP_IAM_NOC_LEN + ISUP_IAM_FCI_LEN + ISUP_IAM_CPC_LEN + \
			    ISUP_IAM_TMR_LEN)

/* Called and calling party number, Q.763 3.9 and 3.10 */
#define ISUP_NUM_ODD 0x80          /* odd/even indicator, octet 1 */
#define ISUP_NUM_NAI_MASK 0x7f     /* nature of address indicator, octet 1 */
#define ISUP_NUM_NPI_SHIFT 4       /* numbering plan indicator, octet 2 bits 5-7 */
#define ISUP_NUM_NPI_MASK 0x07
#define ISUP_NUM_APRI_SHIFT 2      /* address presentation restricted, octet 2 bits 3-4 (3.10) */
#define ISUP_NUM_APRI_MASK 0x03
#define ISUP_NUM_SCREEN_MASK 0x03  /* screening indicator, octet 2 bits 1-2 (3.10) */
#define ISUP_NUM_HDR_LEN 2

/* Message acronyms, Q.763 Table 4 (Q.762 Table 1). Reserved and spare codes have no name. */
static const char *const isup_msg_names[256] = {
	[0x01] = "IAM",  /* initial address */
	[0x02] = "SAM",  /* subsequent address */
	[0x03] = "INR",  /* information request (national use) */
	[0x04] = "INF",  /* information (national use) */
	[0x05] = "COT",  /* continuity */
	[0x06] = "ACM",  /* address complete */
	[0x07] = "CON",  /* connect */
	[0x08] = "FOT",  /* forward transfer */
	[0x09] = "ANM",  /* answer */
	[0x0c] = "REL",  /* release */
	[0x0d] = "SUS",  /* suspend */
	[0x0e] = "RES",  /* resume */
	[0x10] = "RLC",  /* release complete */
	[0x11] = "CCR",  /* continuity check request */
	[0x12] = "RSC",  /* reset circuit */
	[0x13] = "BLO",  /* blocking */
	[0x14] = "UBL",  /* unblocking */
	[0x15] = "BLA",  /* blocking acknowledgement */
	[0x16] = "UBA",  /* unblocking acknowledgement */
	[0x17] = "GRS",  /* circuit group reset */
	[0x18] = "CGB",  /* circuit group blocking */
	[0x19] = "CGU",  /* circuit group unblocking */
	[0x1a] = "CGBA", /* circuit group blocking acknowledgement */
	[0x1b] = "CGUA", /* circuit group unblocking acknowledgement */
	[0x1f] = "FAR",  /* facility request */
	[0x20] = "FAA",  /* facility accepted */
	[0x21] = "FRJ",  /* facility reject */
	[0x24] = "LPA",  /* loop back acknowledgement (national use) */
	[0x28] = "PAM",  /* pass-along (national use) */
	[0x29] = "GRA",  /* circuit group reset acknowledgement */
	[0x2a] = "CQM",  /* circuit group query (national use) */
	[0x2b] = "CQR",  /* circuit group query response (national use) */
	[0x2c] = "CPG",  /* call progress */
	[0x2d] = "USR",  /* user-to-user information */
	[0x2e] = "UCIC", /* unequipped CIC (national use) */
	[0x2f] = "CFN",  /* confusion */
	[0x30] = "OLM",  /* overload (national use) */
	[0x31] = "CRG",  /* charge information (national use) */
	[0x32] = "NRM",  /* network resource management */
	[0x33] = "FAC",  /* facility */
	[0x34] = "UPT",  /* user part test */
	[0x35] = "UPA",  /* user part available */
	[0x36] = "IDR",  /* identification request */
	[0x37] = "IRS",  /* identification response */
	[0x38] = "SGM",  /* segmentation */
	[0x40] = "LOP",  /* loop prevention */
	[0x41] = "APM",  /* application transport */
	[0x42] = "PRI",  /* pre-release information */
	[0x43] = "SDN",  /* subsequent directory number (national use) */
};

const char *
sw_isup_type_name(uint8_t type)
{
	return isup_msg_names[type];
}

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
 * NI/NPI/presentation/screening for the calling one.
 */
static enum sw_mal
isup_number(const uint8_t *buf, uint32_t off, uint32_t len, bool calling,
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
		m = isup_number(buf, v.off, len, true, &msu->isup.cgpn);
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
	m = isup_number(c->base, cdpn + 1, len, false, &msu->isup.cdpn);
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
	if (type != ISUP_MSG_IAM)
		return SW_MAL_NONE;
	m = isup_iam(&c, msu);
	if (m != SW_MAL_NONE)
		return isup_fail(msu, m);
	return SW_MAL_NONE;
}
