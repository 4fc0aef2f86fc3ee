/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CAP decoder, 3GPP TS 29.078 (CAMEL Application Part v1-v4; BER, IMPLICIT TAGS).
 *
 * Which TCAP messages are CAP (sw_cap_recognise) and, for each component of such a message, the
 * argument of the operations a policy needs (serviceKey, calling and called numbers, IMSI,
 * location, event type): initialDP, initialDPSMS, initialDPGPRS, eventReportBCSM,
 * requestReportBCSMEvent, connect, releaseCall and applyCharging. Every other CAP operation is
 * named (dataplane/proto/names.c) and its argument left to TCAP's BER checks. The rules of the
 * MAP decoder apply: an argument is the SEQUENCE its operation gives, a context tag appears at
 * most once (a repeated parameter could be read two ways, cap_param_repeated), the mandatory
 * parameters are there (cap_param_missing), identities and numbers fit (cap_digits_long).
 */
#include <string.h>

#include "ber.h"
#include "decode.h"
#include "plan.h"

/* ---------------------------------------------------------------------------
 * Recognition: application context (TS 29.078 CAP-object-identifiers), else SSN 146
 */
static const uint8_t cap_ac_prefix[CAP_AC_PREFIX_LEN] = CAP_AC_PREFIX;

/* CAP version 1-4 of an encoded application context; 0 when it is not a CAP one. */
static uint8_t
cap_ac_version(const uint8_t *acn, unsigned len)
{
	if (len != CAP_AC_LEN || memcmp(acn, cap_ac_prefix, CAP_AC_PREFIX_LEN) != 0)
		return 0;
	/* v1/v2: 0.4.0.0.1.0.<50-52>.<version - 1> */
	if (acn[4] == CAP_AC_V12_ARC) {
		if (acn[5] < CAP_AC_V12_FIRST || acn[5] > CAP_AC_V12_LAST ||
		    acn[6] > CAP_AC_V12_VER_MAX)
			return 0;
		return (uint8_t)(acn[6] + 1);
	}
	/* v3/v4: 0.4.0.0.1.<20-23>.3.<ac> (one-octet ac: the length is 7) */
	if (acn[4] < CAP_AC_V3 || acn[4] > CAP_AC_V4_OE || acn[5] != CAP_AC_AC_ARC ||
	    (acn[6] & 0x80) != 0)
		return 0;
	return acn[4] <= CAP_AC_V3_OE ? 3 : 4;
}

bool
sw_cap_recognise(struct sw_msu *msu)
{
	uint8_t v = 0;

	if (msu->has & SW_HAS_CAP)
		return true;
	if (msu->has & SW_HAS_ACN) {
		/* the application context names the application: CAP or not */
		v = cap_ac_version(msu->tcap.acn, msu->tcap.acn_len);
		if (v == 0)
			return false;
	} else if (!(msu->has & SW_HAS_SCCP) ||
		   !((msu->sccp.cdpa.has_ssn && msu->sccp.cdpa.ssn == CAP_SSN) ||
		     (msu->sccp.cgpa.has_ssn && msu->sccp.cgpa.ssn == CAP_SSN))) {
		return false;
	}
	msu->has |= SW_HAS_CAP;
	msu->cap.version = v;
	return true;
}

/* ---------------------------------------------------------------------------
 * Arguments
 */
enum cap_kind {
	CK_SKIP = 0,	 /* checked for its tag and form only */
	CK_SERVICE_KEY,	 /* ServiceKey INTEGER (0..2147483647) */
	CK_EVENT,	 /* ENUMERATED event type */
	CK_CALLED,	 /* Q.763 3.9 CalledPartyNumber */
	CK_CALLING,	 /* Q.763 3.10 CallingPartyNumber */
	CK_CALLED_BCD,	 /* CalledPartyBCDNumber (TS 24.008 10.5.4.7): type octet, BCD */
	CK_CALLING_ADDR, /* AddressString as calling number (SMS-AddressString, mSISDN) */
	CK_IMSI,	 /* IMSI, TBCD (SIZE (3..8)) */
	CK_LOCATION,	 /* LocationInformation (TS 29.002 17.7.1) */
	CK_MSC,		 /* ISDN-AddressString */
	CK_BCSM_EVENTS,	 /* SEQUENCE OF BCSMEvent */
	CK_DRA,		 /* DestinationRoutingAddress: SEQUENCE SIZE (1) OF CalledPartyNumber */
};

struct cap_elem {
	uint8_t tag;  /* context tag number */
	uint8_t kind; /* enum cap_kind */
	bool constructed;
	bool mandatory;
};

#define CAP_ELEMS_MAX 8
struct cap_arg {
	int32_t op;
	struct cap_elem e[CAP_ELEMS_MAX];
	uint8_t n; /* elements in e */
};

/* The arguments read, TS 29.078 (ops-args modules); elements not listed are walked for sound BER */
static const struct cap_arg cap_args[] = {
	/* InitialDPArg, CAP-gsmSSF-gsmSCF-ops-args */
	{CAP_OP_INITIAL_DP,
	 {{CAP_IDP_SERVICE_KEY, CK_SERVICE_KEY, false, true},
	  {CAP_IDP_CALLED, CK_CALLED, false, false},
	  {CAP_IDP_CALLING, CK_CALLING, false, false},
	  {CAP_IDP_EVENT_TYPE, CK_EVENT, false, false},
	  {CAP_IDP_IMSI, CK_IMSI, false, false},
	  {CAP_IDP_LOCATION, CK_LOCATION, true, false},
	  {CAP_IDP_MSC_ADDRESS, CK_MSC, false, false}},
	 7},
	/* EventReportBCSMArg: eventTypeBCSM [0] mandatory */
	{CAP_OP_EVENT_REPORT_BCSM, {{CAP_ERB_EVENT_TYPE, CK_EVENT, false, true}}, 1},
	/* RequestReportBCSMEventArg: bcsmEvents [0] mandatory */
	{CAP_OP_REQUEST_REPORT_BCSM_EVENT, {{CAP_RRB_EVENTS, CK_BCSM_EVENTS, true, true}}, 1},
	/* ConnectArg: destinationRoutingAddress [0] mandatory */
	{CAP_OP_CONNECT, {{CAP_CON_DRA, CK_DRA, true, true}}, 1},
	/* ApplyChargingArg: aChBillingChargingCharacteristics [0] mandatory */
	{CAP_OP_APPLY_CHARGING, {{CAP_ACH_CHARACTERISTICS, CK_SKIP, false, true}}, 1},
	/* InitialDPSMSArg, CAP-SMS-ops-args */
	{CAP_OP_INITIAL_DP_SMS,
	 {{CAP_SMS_SERVICE_KEY, CK_SERVICE_KEY, false, true},
	  {CAP_SMS_DESTINATION, CK_CALLED_BCD, false, false},
	  {CAP_SMS_CALLING, CK_CALLING_ADDR, false, false},
	  {CAP_SMS_IMSI, CK_IMSI, false, false},
	  {CAP_SMS_LOCATION, CK_LOCATION, true, false},
	  {CAP_SMS_MSC_ADDRESS, CK_MSC, false, false}},
	 6},
	/* InitialDPGPRSArg, CAP-gprsSSF-gsmSCF-ops-args */
	{CAP_OP_INITIAL_DP_GPRS,
	 {{CAP_GPRS_SERVICE_KEY, CK_SERVICE_KEY, false, true},
	  {CAP_GPRS_MSISDN, CK_CALLING_ADDR, false, false},
	  {CAP_GPRS_IMSI, CK_IMSI, false, false}},
	 3},
};

static const struct cap_arg *
cap_arg_of(int32_t op)
{
	for (size_t i = 0; i < sizeof(cap_args) / sizeof(cap_args[0]); i++)
		if (cap_args[i].op == op)
			return &cap_args[i];
	return NULL;
}

/* BCD / TBCD digits p[0..n) into d (empty n allowed); CAP_DIGITS_LONG beyond SW_DIGITS_MAX. */
static enum sw_mal
cap_digits(const uint8_t *p, uint32_t n, bool odd, bool tbcd, struct sw_digits *d)
{
	if (n == 0)
		return SW_MAL_NONE;
	return sw_bcd_decode(p, n, odd, tbcd, d) < 0 ? SW_MAL_CAP_DIGITS_LONG : SW_MAL_NONE;
}

/* AddressString (TS 29.002 17.7.8): ext/NAI/NPI octet, then TBCD; at most 20 octets. */
static enum sw_mal
cap_addr(const uint8_t *buf, const struct sw_ber_tlv *t, struct sw_digits *d, uint8_t *nai,
	 uint8_t *npi)
{
	uint32_t n = sw_ber_len(t);

	if (n < 1)
		return SW_MAL_CAP_PARAM;
	if (n > MAP_ADDR_MAX)
		return SW_MAL_CAP_DIGITS_LONG;
	if (nai != NULL) {
		*nai = (buf[t->val_off] >> 4) & 0x07;
		*npi = buf[t->val_off] & MAP_ADDR_NPI_MASK;
	}
	return cap_digits(buf + t->val_off + 1, n - 1, false, true, d);
}

/* A Q.763 number (CalledPartyNumber / CallingPartyNumber) */
static enum sw_mal
cap_number(const uint8_t *buf, const struct sw_ber_tlv *t, bool calling, struct sw_isup_number *num)
{
	uint32_t n = sw_ber_len(t);
	enum sw_mal m;

	if (n < CAP_NUMBER_MIN)
		return SW_MAL_CAP_PARAM;
	if (n > CAP_NUMBER_MAX)
		return SW_MAL_CAP_DIGITS_LONG;
	memset(num, 0, sizeof(*num));
	m = sw_isup_number_decode(buf, t->val_off, n, calling, num);
	if (m == SW_MAL_ISUP_DIGITS_LONG)
		return SW_MAL_CAP_DIGITS_LONG;
	return m == SW_MAL_NONE ? SW_MAL_NONE : SW_MAL_CAP_PARAM;
}

/* INTEGER / ENUMERATED in [0, max] */
static enum sw_mal
cap_uint(const uint8_t *buf, const struct sw_ber_tlv *t, int32_t max, int32_t *v)
{
	if (sw_ber_len(t) == 0 || sw_ber_int(buf, t, v) != SW_MAL_NONE || *v < 0 || *v > max)
		return SW_MAL_CAP_PARAM;
	return SW_MAL_NONE;
}

/* The first TLV of a constructed t, which must be its only one when only is set. */
static enum sw_mal
cap_first(const uint8_t *buf, const struct sw_ber_tlv *t, struct sw_ber_tlv *in, bool only)
{
	struct sw_cur c;

	sw_ber_contents(buf, t, &c);
	if (sw_cur_left(&c) == 0 || sw_ber_next(&c, in) != SW_MAL_NONE)
		return SW_MAL_CAP_PARAM;
	if (only && sw_cur_left(&c) != 0)
		return SW_MAL_CAP_PARAM;
	return SW_MAL_NONE;
}

/* LocationInformation (TS 29.002 17.7.1): vlr-number [1], cellGlobalIdOrServiceAreaIdOrLAI [3] */
static enum sw_mal
cap_location(const uint8_t *buf, const struct sw_ber_tlv *t, struct sw_cap *cap)
{
	uint64_t seen = 0;
	struct sw_cur c;

	sw_ber_contents(buf, t, &c);
	while (sw_cur_left(&c) > 0) {
		struct sw_ber_tlv e, in;
		enum sw_mal m;

		if (sw_ber_next(&c, &e) != SW_MAL_NONE)
			return SW_MAL_CAP_PARAM;
		if (e.cls != SW_BER_CLASS_CONTEXT)
			continue; /* ageOfLocationInformation INTEGER */
		if (e.tag < 64) {
			if (seen >> e.tag & 1)
				return SW_MAL_CAP_PARAM_REPEATED;
			seen |= 1ull << e.tag;
		}
		if (e.tag == CAP_LOC_VLR) {
			if (e.constructed)
				return SW_MAL_CAP_PARAM;
			m = cap_addr(buf, &e, &cap->vlr, NULL, NULL);
			if (m != SW_MAL_NONE)
				return m;
		} else if (e.tag == CAP_LOC_CELL) {
			/* a CHOICE: explicitly tagged, one alternative inside */
			uint32_t n;

			if (!e.constructed || cap_first(buf, &e, &in, true) != SW_MAL_NONE ||
			    in.cls != SW_BER_CLASS_CONTEXT || in.constructed)
				return SW_MAL_CAP_PARAM;
			n = sw_ber_len(&in);
			if (!(in.tag == CAP_LOC_CGI && n == CAP_CGI_LEN) &&
			    !(in.tag == CAP_LOC_LAI && n == CAP_LAI_LEN))
				return SW_MAL_CAP_PARAM;
			memcpy(cap->cell, buf + in.val_off, n);
			cap->cell_len = (uint8_t)n;
		}
	}
	return SW_MAL_NONE;
}

/* bcsmEvents: SEQUENCE SIZE (1..30) OF BCSMEvent { eventTypeBCSM [0], monitorMode [1], ... };
 * the first event's type is kept */
static enum sw_mal
cap_bcsm_events(const uint8_t *buf, const struct sw_ber_tlv *t, struct sw_cap *cap)
{
	struct sw_cur c;
	unsigned nev = 0;

	sw_ber_contents(buf, t, &c);
	while (sw_cur_left(&c) > 0) {
		struct sw_ber_tlv ev, f;
		struct sw_cur e;
		bool have_type = false, have_mode = false;
		int32_t v;

		if (sw_ber_next(&c, &ev) != SW_MAL_NONE || !sw_ber_is(&ev, SW_BER_SEQUENCE))
			return SW_MAL_CAP_PARAM;
		sw_ber_contents(buf, &ev, &e);
		while (sw_cur_left(&e) > 0) {
			if (sw_ber_next(&e, &f) != SW_MAL_NONE)
				return SW_MAL_CAP_PARAM;
			if (f.cls != SW_BER_CLASS_CONTEXT)
				return SW_MAL_CAP_PARAM;
			if (f.tag == CAP_BCSM_EVENT_TYPE || f.tag == CAP_BCSM_MONITOR_MODE) {
				bool *seen = f.tag == CAP_BCSM_EVENT_TYPE ? &have_type : &have_mode;

				if (*seen)
					return SW_MAL_CAP_PARAM_REPEATED;
				*seen = true;
				if (f.constructed ||
				    cap_uint(buf, &f, CAP_EVENT_BCSM_MAX, &v) != SW_MAL_NONE)
					return SW_MAL_CAP_PARAM;
				if (f.tag == CAP_BCSM_EVENT_TYPE && nev == 0) {
					cap->event = (uint8_t)v;
					cap->has_event = true;
				}
			}
		}
		if (!have_type || !have_mode)
			return SW_MAL_CAP_PARAM_MISSING;
		nev++;
	}
	return nev == 0 ? SW_MAL_CAP_PARAM_MISSING : SW_MAL_NONE;
}

/* One element of an argument SEQUENCE, by its kind. */
static enum sw_mal
cap_elem(const uint8_t *buf, const struct cap_elem *ce, const struct sw_ber_tlv *t,
	 struct sw_cap *cap)
{
	struct sw_ber_tlv in;
	int32_t v;
	enum sw_mal m;

	if (t->constructed != ce->constructed)
		return SW_MAL_CAP_PARAM;
	switch (ce->kind) {
	case CK_SERVICE_KEY:
		m = cap_uint(buf, t, CAP_SERVICE_KEY_MAX, &v);
		if (m == SW_MAL_NONE) {
			cap->service_key = (uint32_t)v;
			cap->has_service_key = true;
		}
		return m;
	case CK_EVENT:
		m = cap_uint(buf, t, CAP_EVENT_BCSM_MAX, &v);
		if (m == SW_MAL_NONE) {
			cap->event = (uint8_t)v;
			cap->has_event = true;
		}
		return m;
	case CK_CALLED:
		return cap_number(buf, t, false, &cap->called);
	case CK_CALLING:
		return cap_number(buf, t, true, &cap->calling);
	case CK_CALLED_BCD:
		/* CalledPartyBCDNumber: type-of-number / NPI octet, then BCD digits */
		if (sw_ber_len(t) < 1)
			return SW_MAL_CAP_PARAM;
		if (sw_ber_len(t) > CAP_NUMBER_MAX)
			return SW_MAL_CAP_DIGITS_LONG;
		memset(&cap->called, 0, sizeof(cap->called));
		cap->called.present = true;
		cap->called.nai = (buf[t->val_off] >> 4) & 0x07;
		cap->called.npi = buf[t->val_off] & 0x0f;
		return cap_digits(buf + t->val_off + 1, sw_ber_len(t) - 1, false, true,
				  &cap->called.digits);
	case CK_CALLING_ADDR:
		memset(&cap->calling, 0, sizeof(cap->calling));
		cap->calling.present = true;
		return cap_addr(buf, t, &cap->calling.digits, &cap->calling.nai, &cap->calling.npi);
	case CK_IMSI:
		if (sw_ber_len(t) < MAP_IMSI_MIN)
			return SW_MAL_CAP_PARAM;
		if (sw_ber_len(t) > MAP_IMSI_MAX)
			return SW_MAL_CAP_DIGITS_LONG;
		return cap_digits(buf + t->val_off, sw_ber_len(t), false, true, &cap->imsi);
	case CK_LOCATION:
		return cap_location(buf, t, cap);
	case CK_MSC:
		return cap_addr(buf, t, &cap->msc, NULL, NULL);
	case CK_BCSM_EVENTS:
		return cap_bcsm_events(buf, t, cap);
	case CK_DRA:
		/* SEQUENCE SIZE (1) OF CalledPartyNumber (universal OCTET STRING) */
		m = cap_first(buf, t, &in, true);
		if (m != SW_MAL_NONE || !sw_ber_is(&in, SW_BER_OCTET_STRING))
			return SW_MAL_CAP_PARAM;
		return cap_number(buf, &in, false, &cap->called);
	default:
		return SW_MAL_NONE;
	}
}

/* releaseCall: ReleaseCallArg ::= Cause (OCTET STRING (SIZE (2..32))) or, CAP v4,
 * allCallSegmentsWithExtension [2] SEQUENCE */
static enum sw_mal
cap_release_call(const struct sw_ber_tlv *p)
{
	if (sw_ber_is(p, SW_BER_OCTET_STRING))
		return sw_ber_len(p) >= CAP_CAUSE_MIN && sw_ber_len(p) <= CAP_CAUSE_MAX
			       ? SW_MAL_NONE
			       : SW_MAL_CAP_PARAM;
	if (p->cls == SW_BER_CLASS_CONTEXT && p->constructed && p->tag == CAP_REL_WITH_EXT)
		return SW_MAL_NONE;
	return SW_MAL_CAP_PARAM;
}

/* The argument of component comp into cap (cleared by the caller). */
static enum sw_mal
cap_component(const uint8_t *buf, const struct sw_tcap_comp *comp, struct sw_cap *cap)
{
	const struct cap_arg *a;
	struct sw_ber_tlv p;
	struct sw_cur c;
	uint64_t seen = 0;
	unsigned found = 0; /* bit per element of a */

	if (comp->type != SW_COMP_INVOKE || !comp->has_opcode || comp->opcode_global)
		return SW_MAL_NONE;
	sw_decode_arg_walk_count++; /* sw_decode_arg_walks */
	a = cap_arg_of(comp->opcode);
	if (comp->opcode == CAP_OP_RELEASE_CALL || a != NULL) {
		if (comp->param_len == 0)
			return SW_MAL_CAP_PARAM_MISSING; /* every one of them has an ARGUMENT */
		sw_cur_init(&c, buf, comp->param_off, comp->param_off + comp->param_len);
		if (sw_ber_next(&c, &p) != SW_MAL_NONE)
			return SW_MAL_CAP_PARAM;
	}
	if (comp->opcode == CAP_OP_RELEASE_CALL)
		return cap_release_call(&p);
	if (a == NULL)
		return SW_MAL_NONE;
	if (!sw_ber_is(&p, SW_BER_SEQUENCE))
		return SW_MAL_CAP_PARAM;

	sw_ber_contents(buf, &p, &c);
	while (sw_cur_left(&c) > 0) {
		struct sw_ber_tlv t;
		enum sw_mal m;

		if (sw_ber_next(&c, &t) != SW_MAL_NONE)
			return SW_MAL_CAP_PARAM;
		/* every parameter of these arguments is context-tagged (IMPLICIT TAGS) */
		if (t.cls != SW_BER_CLASS_CONTEXT)
			return SW_MAL_CAP_PARAM;
		if (t.tag < 64) {
			if (seen >> t.tag & 1)
				return SW_MAL_CAP_PARAM_REPEATED;
			seen |= 1ull << t.tag;
		}
		for (unsigned i = 0; i < a->n; i++) {
			if (a->e[i].tag != t.tag)
				continue;
			found |= 1u << i;
			m = cap_elem(buf, &a->e[i], &t, cap);
			if (m != SW_MAL_NONE)
				return m;
			break;
		}
	}
	for (unsigned i = 0; i < a->n; i++)
		if (a->e[i].mandatory && !(found >> i & 1))
			return SW_MAL_CAP_PARAM_MISSING;
	return SW_MAL_NONE;
}

enum sw_mal
sw_cap_decode_component(const uint8_t *buf, struct sw_msu *msu, unsigned comp_idx)
{
	struct sw_cap tmp;
	const struct sw_tcap_comp *comp;
	const struct sw_plan_want *want = msu != NULL && msu->plan != NULL ? &msu->plan->want
									: NULL;
	struct sw_view_ring *r;
	bool store;
	enum sw_mal m;

	if (buf == NULL || msu == NULL || comp_idx >= msu->tcap.ncomp || !(msu->has & SW_HAS_CAP))
		return SW_MAL_NONE;
	if (comp_idx == 0) {
		/* a fresh message or a one-component view: nothing selected yet */
		uint8_t version = msu->cap.version;

		memset(&msu->cap, 0, sizeof(msu->cap));
		msu->cap.version = version;
	}
	comp = &msu->tcap.comp[comp_idx];
	/* the first invoke is the source of msu->cap (still clear: from_comp 0), decoded in place;
	 * every other argument is checked into tmp, which is only written, then dropped (no
	 * clearing or copying of struct sw_cap per component: measured, bench/decode/mix-cap.py).
	 * With a plan asking for per-component views (decode/plan_want.h), another invoke's
	 * argument is decoded into its view record instead, as decoding it alone would (issue 20
	 * D2: sw_map_view_component gives it to the policy, no second walk). */
	store = comp->type == SW_COMP_INVOKE && msu->cap.from_comp == 0;
	if (store) {
		m = cap_component(buf, comp, &msu->cap);
		msu->cap.from_comp = (uint8_t)(comp_idx + 1);
	} else if ((r = sw_view_ring_of(msu, want)) != NULL && comp->type == SW_COMP_INVOKE) {
		struct sw_view_rec *rec = sw_view_slot(r);

		memset(&rec->u.cap, 0, sizeof(rec->u.cap));
		rec->u.cap.version = msu->cap.version;
		m = cap_component(buf, comp, &rec->u.cap);
		rec->u.cap.from_comp = 1;
		sw_view_keep(r, rec, msu, comp_idx);
	} else {
		m = cap_component(buf, comp, &tmp);
	}
	if (m != SW_MAL_NONE && msu->mal == SW_MAL_NONE)
		msu->mal = m;
	return m;
}
