/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCAP decoder, ITU-T Q.773 (BER, X.690).
 *
 * Follows Q.773 4.1 (TCMessage) and 4.2 (dialogue portion, Q.773 Annex A
 * DialoguePDUs): message type, transaction ids, the application-context-name
 * of the dialogue portion and every component. Elements of each SEQUENCE must
 * appear in the order Q.773 gives and at most once: a re-ordered or repeated
 * element could be read differently by the firewall and by the peer, so it is
 * reported (SW_MAL_TCAP_TAG) rather than guessed at. Definite short, long form
 * and indefinite lengths decode to exactly the same fields.
 */

/*
 * GCC's SLP vectoriser packs the four 32-bit fields of every struct sw_ber_tlv
 * that sw_ber_next() fills into one SSE store through 9 shuffle instructions
 * (measured: the largest single cost of sw_tcap_decode); plain stores are fewer.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-slp-vectorize")
#endif
#include "ber.h"
#include "decode.h"
#include "pkey.h"

/* The element kinds of a message, in Q.773 order. */
enum tcap_elem {
	TCAP_E_OTID = 1,
	TCAP_E_DTID,
	TCAP_E_DIALOGUE,
	TCAP_E_COMPONENTS,
	TCAP_E_PABORT,
};

struct tcap_msg_def {
	uint8_t id;
	uint8_t type;           /* enum sw_tcap_type */
	bool otid, dtid;        /* mandatory transaction ids */
	uint8_t allowed;        /* bit per enum tcap_elem */
};

#define E(x) (1u << (x))
static const struct tcap_msg_def tcap_msgs[] = {
	/* Q.773 4.1: Unidirectional ::= { dialoguePortion OPT, components } */
	{ TCAP_MSG_UNI, SW_TCAP_UNIDIRECTIONAL, false, false,
	  E(TCAP_E_DIALOGUE) | E(TCAP_E_COMPONENTS) },
	/* Begin ::= { otid, dialoguePortion OPT, components OPT } */
	{ TCAP_MSG_BEGIN, SW_TCAP_BEGIN, true, false,
	  E(TCAP_E_OTID) | E(TCAP_E_DIALOGUE) | E(TCAP_E_COMPONENTS) },
	/* End ::= { dtid, dialoguePortion OPT, components OPT } */
	{ TCAP_MSG_END, SW_TCAP_END, false, true,
	  E(TCAP_E_DTID) | E(TCAP_E_DIALOGUE) | E(TCAP_E_COMPONENTS) },
	/* Continue ::= { otid, dtid, dialoguePortion OPT, components OPT } */
	{ TCAP_MSG_CONTINUE, SW_TCAP_CONTINUE, true, true,
	  E(TCAP_E_OTID) | E(TCAP_E_DTID) | E(TCAP_E_DIALOGUE) | E(TCAP_E_COMPONENTS) },
	/* Abort ::= { dtid, reason CHOICE { p-abortCause, u-abortCause DialoguePortion } OPT } */
	{ TCAP_MSG_ABORT, SW_TCAP_ABORT, false, true,
	  E(TCAP_E_DTID) | E(TCAP_E_DIALOGUE) | E(TCAP_E_PABORT) },
};
#undef E

/*
 * Lookups by identifier octet. Every identifier listed is one octet (its tag
 * number below 31), so tcap_*_of[t.id] != 0 is sw_ber_is(&t, id) for one of them.
 */
/* 1 + index into tcap_msgs (in its order) */
static const uint8_t tcap_msg_of[256] = {
	[TCAP_MSG_UNI] = 1, [TCAP_MSG_BEGIN] = 2, [TCAP_MSG_END] = 3, [TCAP_MSG_CONTINUE] = 4,
	[TCAP_MSG_ABORT] = 5,
};

/* enum tcap_elem */
static const uint8_t tcap_elem_of[256] = {
	[TCAP_OTID] = TCAP_E_OTID, [TCAP_DTID] = TCAP_E_DTID, [TCAP_DIALOGUE] = TCAP_E_DIALOGUE,
	[TCAP_COMPONENTS] = TCAP_E_COMPONENTS, [TCAP_PABORT] = TCAP_E_PABORT,
};

/* 1 + enum sw_comp_type */
static const uint8_t tcap_comp_of[256] = {
	[TCAP_COMP_INVOKE] = 1 + SW_COMP_INVOKE,
	[TCAP_COMP_RESULT_LAST] = 1 + SW_COMP_RESULT_LAST,
	[TCAP_COMP_ERROR] = 1 + SW_COMP_ERROR,
	[TCAP_COMP_REJECT] = 1 + SW_COMP_REJECT,
	[TCAP_COMP_RESULT] = 1 + SW_COMP_RESULT,
};


/*
 * X.690 8.19: subidentifiers in base 128, bit 8 set on all but the last octet of each; the first
 * subidentifier encodes the first two arcs as X * 40 + Y. The one OID-to-text of the project
 * (the printer and the policy evaluator both call it, so the ACN inspect prints is the ACN a
 * rule matches). Validity rules, all of them refusals (-1):
 *  - an empty OID, a NULL argument or outsz 0;
 *  - a subidentifier that starts with 0x80 (X.690 8.19.2: not the fewest octets);
 *  - an unterminated last subidentifier (bit 8 set on the last octet);
 *  - a subidentifier above 2^32 - 1 (no OID in TCAP/MAP/CAP comes near; a longer one could
 *    print differently in two implementations);
 *  - a text that would not fit in outsz bytes with its NUL.
 */
static unsigned
oid_put_dec(char *out, unsigned pos, unsigned outsz, uint32_t v)
{
	char tmp[10];
	unsigned k = 0;

	do {
		tmp[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	if (pos + k >= outsz)
		return 0;
	while (k > 0)
		out[pos++] = tmp[--k];
	return pos;
}

int
sw_oid_to_text(const uint8_t *oid, unsigned len, char *out, unsigned outsz)
{
	unsigned pos = 0;
	uint64_t v = 0;
	bool first = true, open = false;

	if (oid == NULL || out == NULL || outsz == 0 || len == 0)
		return -1;
	out[0] = '\0';
	for (unsigned i = 0; i < len; i++) {
		if (!open && oid[i] == 0x80)
			return -1; /* X.690 8.19.2: no leading 0x80 octet */
		v = (v << 7) | (oid[i] & 0x7f);
		if (v > UINT32_MAX)
			return -1;
		open = (oid[i] & 0x80) != 0;
		if (open)
			continue;
		if (first) {
			uint32_t x = v < 40 ? 0 : v < 80 ? 1 : 2;

			pos = oid_put_dec(out, pos, outsz, x);
			if (pos == 0 || pos + 1 >= outsz)
				goto too_long;
			out[pos++] = '.';
			v -= 40u * x;
			first = false;
		} else {
			if (pos + 1 >= outsz)
				goto too_long;
			out[pos++] = '.';
		}
		pos = oid_put_dec(out, pos, outsz, (uint32_t)v);
		if (pos == 0)
			goto too_long;
		v = 0;
	}
	if (open) {
		out[0] = '\0';
		return -1; /* last subidentifier unterminated */
	}
	out[pos] = '\0';
	return (int)pos;
too_long:
	out[0] = '\0';
	return -1;
}

/* Record m unless an earlier malformation (e.g. a MAP parameter) came first; return the first. */
static enum sw_mal
tcap_fail(struct sw_msu *msu, enum sw_mal m)
{
	if (msu->mal == SW_MAL_NONE)
		msu->mal = m;
	return msu->mal;
}

/* Transaction id: OCTET STRING (SIZE (1..4)), Q.773 4.1. */
static enum sw_mal
tcap_tid(const uint8_t *buf, const struct sw_ber_tlv *t, uint8_t *tid, uint8_t *tid_len)
{
	uint32_t n = sw_ber_len(t);

	if (n < 1 || n > TCAP_TID_MAX)
		return SW_MAL_TCAP_TID;
	/* at most 4 octets: a loop, not a variable-length memcpy */
	for (uint32_t i = 0; i < n; i++)
		tid[i] = buf[t->val_off + i];
	*tid_len = (uint8_t)n;
	return SW_MAL_NONE;
}

/* Read the next TLV and require it to exist. */
static enum sw_mal
tcap_next(struct sw_cur *c, struct sw_ber_tlv *t, enum sw_mal missing)
{
	if (sw_cur_left(c) == 0)
		return missing;
	return sw_ber_next(c, t);
}

/* map-DialogueAS, TS 29.002 17.4: 0.4.0.0.1.1.1.1 (the abstract syntax of the MAP-DialoguePDU) */
static const uint8_t map_dialogue_as[] = MAP_DIALOGUE_AS;

/*
 * The parts of an EXTERNAL (X.690 8.18) in cursor e: the first direct-reference OID (oid,
 * *have_oid), indirect-reference and data-value-descriptor skipped, then the encoding (enc).
 */
static enum sw_mal
tcap_external(struct sw_cur *e, struct sw_ber_tlv *oid, bool *have_oid, struct sw_ber_tlv *enc)
{
	enum sw_mal m;

	*have_oid = false;
	for (;;) {
		m = tcap_next(e, enc, SW_MAL_TCAP_DIALOGUE);
		if (m != SW_MAL_NONE)
			return m;
		if (sw_ber_is(enc, SW_BER_OID) && !*have_oid) {
			*oid = *enc;
			*have_oid = true;
			continue;
		}
		if (!sw_ber_is(enc, X690_INDIRECT_REF) && !sw_ber_is(enc, X690_DESCRIPTOR))
			return SW_MAL_NONE;
	}
}

/*
 * user-information [30] IMPLICIT SEQUENCE OF EXTERNAL (Q.773 Annex A, X.690 8.18). An EXTERNAL
 * whose direct-reference is map-DialogueAS and whose encoding is single-ASN1-type holds the
 * MAP-DialoguePDU (TS 29.002 17.4), decoded into msu->mapdlg; any other EXTERNAL is checked for
 * sound BER and skipped (other applications' dialogue information).
 */
static enum sw_mal
tcap_user_info(const uint8_t *buf, const struct sw_ber_tlv *ui, struct sw_msu *msu)
{
	struct sw_cur c;

	sw_ber_contents(buf, ui, &c);
	while (sw_cur_left(&c) > 0) {
		struct sw_ber_tlv ext, t, oid = { 0 };
		struct sw_cur e, s;
		bool have_oid;
		enum sw_mal m;

		m = sw_ber_next(&c, &ext);
		if (m != SW_MAL_NONE)
			return m;
		if (!sw_ber_is(&ext, SW_BER_EXTERNAL))
			return SW_MAL_TCAP_DIALOGUE;
		sw_ber_contents(buf, &ext, &e);
		m = tcap_external(&e, &oid, &have_oid, &t);
		if (m != SW_MAL_NONE)
			return m;
		if (sw_cur_left(&e) != 0)
			return SW_MAL_TCAP_DIALOGUE;
		if (!have_oid || !sw_ber_is(&t, TCAP_DLG_SINGLE) ||
		    sw_ber_len(&oid) != sizeof(map_dialogue_as) ||
		    memcmp(buf + oid.val_off, map_dialogue_as, sizeof(map_dialogue_as)) != 0)
			continue;
		/* single-ASN1-type [0]: exactly one MAP-DialoguePDU, once per dialogue portion */
		sw_ber_contents(buf, &t, &s);
		m = tcap_next(&s, &t, SW_MAL_TCAP_DIALOGUE);
		if (m != SW_MAL_NONE)
			return m;
		if (sw_cur_left(&s) != 0 || (msu->has & SW_HAS_MAPDLG))
			return SW_MAL_TCAP_DIALOGUE;
		m = sw_map_decode_dialogue(buf, t.off, t.off + sw_ber_tlv_len(&t), msu);
		if (m != SW_MAL_NONE)
			return m;
	}
	return SW_MAL_NONE;
}

/* An INTEGER 0..255 inside an EXPLICIT tag t (AARE result [2], diagnostic [1]/[2]). */
static enum sw_mal
tcap_explicit_small(const uint8_t *buf, const struct sw_ber_tlv *t, uint8_t *v)
{
	struct sw_ber_tlv i;
	struct sw_cur c;
	int32_t x;

	sw_ber_contents(buf, t, &c);
	if (tcap_next(&c, &i, SW_MAL_TCAP_DIALOGUE) != SW_MAL_NONE || !sw_ber_is(&i, SW_BER_INTEGER) ||
	    sw_cur_left(&c) != 0 || sw_ber_int(buf, &i, &x) != SW_MAL_NONE || x < 0 || x > 255)
		return SW_MAL_TCAP_DIALOGUE;
	*v = (uint8_t)x;
	return SW_MAL_NONE;
}

/*
 * Dialogue PDU (Q.773 Annex A): AARQ / AUDT, AARE, ABRT. Kept: the application-context-name,
 * the AARE result and result-source-diagnostic, the ABRT abort-source and the MAP-DialoguePDU
 * of the user-information; the protocol-version is checked for its tag and order and skipped.
 */
static enum sw_mal
tcap_dialogue_pdu(const uint8_t *buf, const struct sw_ber_tlv *pdu, struct sw_msu *msu)
{
	/* allowed elements per PDU, in order; the ACN is mandatory in AARQ/AUDT and AARE */
	static const uint8_t aarq[] = { TCAP_DLG_VERSION, TCAP_DLG_ACN, TCAP_DLG_USERINFO };
	static const uint8_t aare[] = { TCAP_DLG_VERSION, TCAP_DLG_ACN, TCAP_DLG_RESULT,
					TCAP_DLG_DIAG, TCAP_DLG_USERINFO };
	static const uint8_t abrt[] = { TCAP_DLG_ABRT_SRC, TCAP_DLG_USERINFO };
	const uint8_t *order;
	unsigned norder, next = 0;
	bool need_acn = true, have_acn = false;
	struct sw_cur c;

	if (sw_ber_is(pdu, TCAP_DLG_AARQ)) {
		order = aarq;
		norder = sizeof(aarq);
		msu->tcap.dlg_pdu = SW_DLG_AARQ;
	} else if (sw_ber_is(pdu, TCAP_DLG_AARE)) {
		order = aare;
		norder = sizeof(aare);
		msu->tcap.dlg_pdu = SW_DLG_AARE;
	} else if (sw_ber_is(pdu, TCAP_DLG_ABRT)) {
		order = abrt;
		norder = sizeof(abrt);
		need_acn = false;
		msu->tcap.dlg_pdu = SW_DLG_ABRT;
	} else {
		return SW_MAL_TCAP_TAG;
	}

	sw_ber_contents(buf, pdu, &c);
	while (sw_cur_left(&c) > 0) {
		struct sw_ber_tlv t, oid;
		struct sw_cur a;
		enum sw_mal m;
		int32_t v;

		m = sw_ber_next(&c, &t);
		if (m != SW_MAL_NONE)
			return m;
		while (next < norder && !sw_ber_is(&t, order[next]))
			next++;
		if (next == norder)
			return SW_MAL_TCAP_TAG;
		next++;
		if (msu->tcap.dlg_pdu == SW_DLG_ABRT && sw_ber_is(&t, TCAP_DLG_ABRT_SRC)) {
			/* abort-source [0] IMPLICIT ABRT-source INTEGER */
			if (sw_ber_int(buf, &t, &v) != SW_MAL_NONE || v < 0 || v > 255)
				return SW_MAL_TCAP_DIALOGUE;
			msu->tcap.dlg_abort_source = (uint8_t)v;
			continue;
		}
		if (sw_ber_is(&t, TCAP_DLG_RESULT)) {
			/* result [2] EXPLICIT Associate-result INTEGER */
			m = tcap_explicit_small(buf, &t, &msu->tcap.dlg_result);
			if (m != SW_MAL_NONE)
				return m;
			continue;
		}
		if (sw_ber_is(&t, TCAP_DLG_DIAG)) {
			/* result-source-diagnostic [3] EXPLICIT CHOICE { dialogue-service-user [1],
			 * dialogue-service-provider [2] }, each EXPLICIT INTEGER */
			struct sw_ber_tlv d;

			sw_ber_contents(buf, &t, &a);
			m = tcap_next(&a, &d, SW_MAL_TCAP_DIALOGUE);
			if (m != SW_MAL_NONE)
				return m;
			if (sw_cur_left(&a) != 0 ||
			    (!sw_ber_is(&d, TCAP_DLG_DIAG_USER) && !sw_ber_is(&d, TCAP_DLG_DIAG_PROVIDER)))
				return SW_MAL_TCAP_DIALOGUE;
			m = tcap_explicit_small(buf, &d, &msu->tcap.dlg_diag);
			if (m != SW_MAL_NONE)
				return m;
			msu->tcap.dlg_diag_source = (uint8_t)(d.id & 0x1f);
			continue;
		}
		if (sw_ber_is(&t, TCAP_DLG_USERINFO)) {
			m = tcap_user_info(buf, &t, msu);
			if (m != SW_MAL_NONE)
				return m;
			continue;
		}
		if (!sw_ber_is(&t, TCAP_DLG_ACN))
			continue;
		/* application-context-name [1] EXPLICIT OBJECT IDENTIFIER */
		sw_ber_contents(buf, &t, &a);
		m = tcap_next(&a, &oid, SW_MAL_TCAP_DIALOGUE);
		if (m != SW_MAL_NONE)
			return m;
		if (!sw_ber_is(&oid, SW_BER_OID) || sw_ber_len(&oid) == 0 ||
		    sw_cur_left(&a) != 0)
			return SW_MAL_TCAP_DIALOGUE;
		if (sw_ber_len(&oid) > SW_ACN_MAX)
			return SW_MAL_TCAP_ACN_LONG;
		msu->tcap.acn_len = (uint8_t)sw_ber_len(&oid);
		memcpy(msu->tcap.acn, buf + oid.val_off, msu->tcap.acn_len);
		msu->has |= SW_HAS_ACN;
		have_acn = true;
	}
	if (need_acn && !have_acn)
		return SW_MAL_TCAP_DIALOGUE;
	return SW_MAL_NONE;
}

/*
 * DialoguePortion ::= [APPLICATION 11] EXPLICIT EXTERNAL (Q.773 4.1, X.690
 * 8.18): direct-reference OID (the dialogue abstract syntax), optional
 * indirect-reference and descriptor, then encoding single-ASN1-type [0]
 * holding the dialogue PDU.
 */
static enum sw_mal
tcap_dialogue(const uint8_t *buf, const struct sw_ber_tlv *dp, struct sw_msu *msu)
{
	struct sw_ber_tlv ext, t, pdu, ref;
	struct sw_cur c, e, s;
	bool have_ref;
	enum sw_mal m;

	sw_ber_contents(buf, dp, &c);
	m = tcap_next(&c, &ext, SW_MAL_TCAP_DIALOGUE);
	if (m != SW_MAL_NONE)
		return m;
	if (!sw_ber_is(&ext, SW_BER_EXTERNAL))
		return SW_MAL_TCAP_TAG;
	if (sw_cur_left(&c) != 0)
		return SW_MAL_TCAP_DIALOGUE;

	sw_ber_contents(buf, &ext, &e);
	m = tcap_external(&e, &ref, &have_ref, &t);
	if (m != SW_MAL_NONE)
		return m;
	/* Q.773 only uses single-ASN1-type; octet-aligned/arbitrary would hide the PDU */
	if (!sw_ber_is(&t, TCAP_DLG_SINGLE) || !have_ref || sw_cur_left(&e) != 0)
		return SW_MAL_TCAP_DIALOGUE;

	sw_ber_contents(buf, &t, &s);
	m = tcap_next(&s, &pdu, SW_MAL_TCAP_DIALOGUE);
	if (m != SW_MAL_NONE)
		return m;
	if (sw_cur_left(&s) != 0)
		return SW_MAL_TCAP_DIALOGUE;
	return tcap_dialogue_pdu(buf, &pdu, msu);
}

/* OPERATION / ERROR code: CHOICE { localValue INTEGER, globalValue OBJECT IDENTIFIER }. */
static enum sw_mal
tcap_opcode(const uint8_t *buf, const struct sw_ber_tlv *t, struct sw_tcap_comp *comp)
{
	enum sw_mal m;

	if (sw_ber_is(t, SW_BER_INTEGER)) {
		m = sw_ber_int(buf, t, &comp->opcode);
		if (m != SW_MAL_NONE)
			return m == SW_MAL_TCAP_INT_LONG ? m : SW_MAL_TCAP_OPCODE;
	} else if (sw_ber_is(t, SW_BER_OID)) {
		if (sw_ber_len(t) == 0)
			return SW_MAL_TCAP_OPCODE;
		comp->opcode_global = true;
		comp->opcode = 0;
	} else {
		return SW_MAL_TCAP_OPCODE;
	}
	comp->has_opcode = true;
	return SW_MAL_NONE;
}

/* InvokeIdType ::= INTEGER (-128..127), Q.773 4.2.2. */
static enum sw_mal
tcap_invoke_id(const uint8_t *buf, const struct sw_ber_tlv *t, int32_t *id)
{
	enum sw_mal m;

	if (!sw_ber_is(t, SW_BER_INTEGER) && !sw_ber_is(t, TCAP_LINKED_ID))
		return SW_MAL_TCAP_INVOKE_ID;
	m = sw_ber_int(buf, t, id);
	if (m != SW_MAL_NONE || *id < -128 || *id > 127)
		return SW_MAL_TCAP_INVOKE_ID;
	return SW_MAL_NONE;
}

/* The optional parameter after the opcode: one TLV, then nothing. */
static enum sw_mal
tcap_param(struct sw_cur *c, struct sw_tcap_comp *comp)
{
	struct sw_ber_tlv t;
	enum sw_mal m;

	if (sw_cur_left(c) == 0)
		return SW_MAL_NONE;
	m = sw_ber_next(c, &t);
	if (m != SW_MAL_NONE)
		return m;
	if (sw_cur_left(c) != 0)
		return SW_MAL_TCAP_COMPONENT;
	comp->param_off = t.off;
	comp->param_len = sw_ber_tlv_len(&t);
	return SW_MAL_NONE;
}

/* The operation or error code at t, then the parameter after it (invoke, returnResult,
 * returnError: Q.773 4.2.2.1 Table 14) */
static inline enum sw_mal
tcap_opcode_param(const uint8_t *buf, struct sw_cur *c, const struct sw_ber_tlv *t,
		  struct sw_tcap_comp *comp)
{
	enum sw_mal m = tcap_opcode(buf, t, comp);

	return m != SW_MAL_NONE ? m : tcap_param(c, comp);
}

/*
 * One component (Q.773 4.2.2):
 *   Invoke ::= { invokeID, linkedID [0] OPT, operationCode, parameter OPT }
 *   ReturnResult ::= { invokeID, result SEQUENCE { operationCode, parameter } OPT }
 *   ReturnError ::= { invokeID, errorCode, parameter OPT }
 *   Reject ::= { invokeID CHOICE { derivable, not-derivable NULL }, problem CHOICE [0]..[3] }
 */
static enum sw_mal
tcap_component(const uint8_t *buf, const struct sw_ber_tlv *ct, struct sw_tcap_comp *comp)
{
	struct sw_ber_tlv t;
	struct sw_cur c;
	enum sw_mal m;
	bool found = false;

	if (tcap_comp_of[ct->id] != 0) {
		comp->type = tcap_comp_of[ct->id] - 1;
		found = true;
	}
	if (!found)
		return SW_MAL_TCAP_TAG;

	sw_ber_contents(buf, ct, &c);
	m = tcap_next(&c, &t, SW_MAL_TCAP_INVOKE_ID);
	if (m != SW_MAL_NONE)
		return m;
	if (comp->type == SW_COMP_REJECT && sw_ber_is(&t, TCAP_NOT_DERIVABLE)) {
		if (sw_ber_len(&t) != 0)
			return SW_MAL_TCAP_INVOKE_ID;
	} else {
		if (!sw_ber_is(&t, SW_BER_INTEGER))
			return SW_MAL_TCAP_INVOKE_ID;
		m = tcap_invoke_id(buf, &t, &comp->invoke_id);
		if (m != SW_MAL_NONE)
			return m;
		comp->has_invoke_id = true;
	}

	switch (comp->type) {
	case SW_COMP_INVOKE:
		m = tcap_next(&c, &t, SW_MAL_TCAP_OPCODE);
		if (m != SW_MAL_NONE)
			return m;
		if (sw_ber_is(&t, TCAP_LINKED_ID)) {
			/* linkedID [0] IMPLICIT InvokeIdType, Q.773 4.2.2.1 */
			m = tcap_invoke_id(buf, &t, &comp->linked_id);
			if (m != SW_MAL_NONE)
				return m;
			comp->has_linked_id = true;
			m = tcap_next(&c, &t, SW_MAL_TCAP_OPCODE);
			if (m != SW_MAL_NONE)
				return m;
		}
		return tcap_opcode_param(buf, &c, &t, comp);

	case SW_COMP_RESULT_LAST:
	case SW_COMP_RESULT: {
		struct sw_cur r;

		if (sw_cur_left(&c) == 0)
			return SW_MAL_NONE;
		m = sw_ber_next(&c, &t);
		if (m != SW_MAL_NONE)
			return m;
		if (!sw_ber_is(&t, SW_BER_SEQUENCE) || sw_cur_left(&c) != 0)
			return SW_MAL_TCAP_COMPONENT;
		sw_ber_contents(buf, &t, &r);
		m = tcap_next(&r, &t, SW_MAL_TCAP_OPCODE);
		if (m != SW_MAL_NONE)
			return m;
		return tcap_opcode_param(buf, &r, &t, comp);
	}

	case SW_COMP_ERROR:
		m = tcap_next(&c, &t, SW_MAL_TCAP_OPCODE);
		if (m != SW_MAL_NONE)
			return m;
		return tcap_opcode_param(buf, &c, &t, comp);

	case SW_COMP_REJECT: {
		int32_t problem;

		m = tcap_next(&c, &t, SW_MAL_TCAP_COMPONENT);
		if (m != SW_MAL_NONE)
			return m;
		if (t.cls != SW_BER_CLASS_CONTEXT || t.constructed ||
		    t.id < TCAP_PROBLEM_FIRST || t.id > TCAP_PROBLEM_LAST ||
		    sw_ber_int(buf, &t, &problem) != SW_MAL_NONE || sw_cur_left(&c) != 0)
			return SW_MAL_TCAP_COMPONENT;
		comp->problem_tag = (uint8_t)(t.id - TCAP_PROBLEM_FIRST);
		comp->problem = problem;
		return SW_MAL_NONE;
	}
	}
	return SW_MAL_TCAP_COMPONENT;
}

/* Component 0's argument when the walk left it waiting (wait: its message might have been of
 * one component, sw_tcap_components below), then m: the TCAP walk's own result. A MAP
 * malformation is recorded in msu->mal and comes before m (tcap_fail), as when each argument is
 * walked right after its component. */
static inline enum sw_mal
tcap_first_argument(const uint8_t *buf, struct sw_msu *msu, bool wait, enum sw_mal m)
{
	if (wait && msu->tcap.ncomp == 1)
		sw_map_decode_component(buf, msu, 0);
	return m;
}

/* ComponentPortion ::= [APPLICATION 12] IMPLICIT SEQUENCE SIZE (1..MAX) OF Component */
static enum sw_mal
tcap_components(const uint8_t *buf, const struct sw_ber_tlv *cp, struct sw_msu *msu)
{
	/* The argument of a message of one component may be left for the verdict to settle
	 * (issue 20 D2, plan_want.h): component 0's waits until the next one is read. */
	bool wait = msu->plan != NULL && msu->plan->want.decide != NULL;
	struct sw_cur c;

	/* the dialogue portion (if any) is read: CAP or not decides how the components are read
	 * (TS 29.078 application contexts, else SSN 146) */
	sw_cap_recognise(msu);
	sw_ber_contents(buf, cp, &c);
	if (sw_cur_left(&c) == 0)
		return SW_MAL_TCAP_COMPONENT;
	while (sw_cur_left(&c) > 0) {
		struct sw_tcap_comp *comp;
		struct sw_ber_tlv t;
		enum sw_mal m;
		unsigned idx;

		m = sw_ber_next(&c, &t);
		if (m != SW_MAL_NONE)
			return tcap_first_argument(buf, msu, wait, m);
		if (msu->tcap.ncomp >= SW_COMP_MAX)
			return SW_MAL_TCAP_TOO_MANY_COMPONENTS;
		idx = msu->tcap.ncomp;
		comp = &msu->tcap.comp[idx];
		memset(comp, 0, sizeof(*comp));
		m = tcap_component(buf, &t, comp);
		if (m != SW_MAL_NONE)
			return tcap_first_argument(buf, msu, wait, m);
		msu->tcap.ncomp++;
		if (__builtin_expect(wait, 0)) {
			if (idx == 0)
				continue;
			sw_map_decode_component(buf, msu, 0); /* not alone: in order */
			wait = false;
		}
		/* a MAP (or CAP) malformation is recorded in msu->mal and does not stop the walk */
		sw_map_decode_component(buf, msu, idx);
	}
	/* One component: its argument left for the verdict to settle when a judge that settles
	 * is decoding. TCAP is the last layer, and its component portion its last element (Q.773
	 * 4.1): nothing else is read after this. */
	if (wait && msu->mal == SW_MAL_NONE &&
	    msu->plan->want.decide(msu->plan->want.decide_arg, msu)) {
		msu->arg_deferred = 1;
		return SW_MAL_NONE;
	}
	return tcap_first_argument(buf, msu, wait, SW_MAL_NONE);
}

static enum sw_mal
tcap_message(const uint8_t *buf, uint32_t off, uint32_t end, struct sw_msu *msu)
{
	const struct tcap_msg_def *def = NULL;
	struct sw_ber_tlv msg;
	struct sw_cur c;
	unsigned last = 0;
	unsigned allow; /* bit per enum tcap_elem still allowed: in this type, after last */
	unsigned need;  /* bits of the mandatory transaction ids not seen yet */
	enum sw_mal m;

	sw_cur_init(&c, buf, off, end);
	m = tcap_next(&c, &msg, SW_MAL_TCAP_LEN);
	if (m != SW_MAL_NONE)
		return m;
	if (tcap_msg_of[msg.id] != 0)
		def = &tcap_msgs[tcap_msg_of[msg.id] - 1];
	if (def == NULL)
		return SW_MAL_TCAP_TAG;
	msu->tcap.type = def->type;
	msu->has |= SW_HAS_TCAP;
	/* the SCCP user data is one TCAP message: trailing octets could hide a second one */
	if (sw_cur_left(&c) != 0)
		return SW_MAL_TCAP_LEN;

	allow = def->allowed;
	need = (def->otid ? 1u << TCAP_E_OTID : 0) | (def->dtid ? 1u << TCAP_E_DTID : 0);
	sw_ber_contents(buf, &msg, &c);
	while (sw_cur_left(&c) > 0) {
		struct sw_ber_tlv t;
		unsigned kind, bit;

		m = sw_ber_next(&c, &t);
		if (m != SW_MAL_NONE)
			return m;
		kind = tcap_elem_of[t.id];
		bit = 1u << kind;
		/* unknown (kind 0 is never allowed), not allowed in this message type, out of
		 * order or repeated */
		if (!(allow & bit))
			return SW_MAL_TCAP_TAG;
		/* a transaction id before its mandatory predecessor is reported as such */
		if (kind > TCAP_E_DTID && need != 0)
			return SW_MAL_TCAP_TID;
		last = kind;
		allow &= ~((bit << 1) - 1); /* only later elements from now on */
		need &= ~bit;

		switch (kind) {
		case TCAP_E_OTID:
			m = tcap_tid(buf, &t, msu->tcap.otid, &msu->tcap.otid_len);
			break;
		case TCAP_E_DTID:
			if (need & (1u << TCAP_E_OTID))
				return SW_MAL_TCAP_TID;
			m = tcap_tid(buf, &t, msu->tcap.dtid, &msu->tcap.dtid_len);
			break;
		case TCAP_E_DIALOGUE:
			/* Abort: reason is one CHOICE, p-abortCause or u-abortCause, not both */
			allow &= ~(1u << TCAP_E_PABORT);
			if (def->type == SW_TCAP_ABORT)
				msu->tcap.abort_kind = SW_TCAP_ABORT_U;
			m = tcap_dialogue(buf, &t, msu);
			break;
		case TCAP_E_COMPONENTS:
			m = tcap_components(buf, &t, msu);
			break;
		case TCAP_E_PABORT: {
			/* P-AbortCause ::= [APPLICATION 10] IMPLICIT INTEGER (Q.773 4.1) */
			int32_t cause;

			m = sw_ber_int(buf, &t, &cause);
			if (m == SW_MAL_NONE && (cause < 0 || cause > 255))
				m = SW_MAL_TCAP_TAG;
			if (m == SW_MAL_NONE) {
				msu->tcap.abort_cause = (uint8_t)cause;
				msu->tcap.abort_kind = SW_TCAP_ABORT_P;
			}
			break;
		}
		}
		if (m != SW_MAL_NONE)
			return m;
	}
	if (need != 0)
		return SW_MAL_TCAP_TID;
	/* a message without components (an End or Abort) is CAP by the same rule */
	sw_cap_recognise(msu);
	/* Q.773 4.1: the component portion of a unidirectional message is mandatory */
	if (def->type == SW_TCAP_UNIDIRECTIONAL && last != TCAP_E_COMPONENTS)
		return SW_MAL_TCAP_COMPONENT;
	return SW_MAL_NONE;
}

enum sw_mal
sw_tcap_complete(const uint8_t *buf, struct sw_msu *msu)
{
	enum sw_mal later = msu->mal;

	if (!msu->arg_deferred)
		return msu->mal;
	msu->arg_deferred = 0;
	/* Deferred with no malformation yet: one recorded since (an element after the component
	 * portion) comes after the argument's in the walk's order, as tcap_fail would keep it. */
	msu->mal = SW_MAL_NONE;
	tcap_first_argument(buf, msu, true, SW_MAL_NONE);
	if (msu->mal == SW_MAL_NONE)
		msu->mal = later;
	/* the argument's slots of the key (issue 20 D3), as at the end of sw_tcap_decode */
	sw_pkey_tcap(msu);
	return msu->mal;
}

enum sw_mal
sw_tcap_decode(const uint8_t *buf, uint32_t off, uint32_t end, struct sw_msu *msu)
{
	enum sw_mal m;

	if (buf == NULL || end < off)
		return tcap_fail(msu, SW_MAL_TCAP_LEN);
	m = tcap_message(buf, off, end, msu);
	if (m != SW_MAL_NONE)
		return tcap_fail(msu, m);
	/* type, ACN, components and the argument's fields: the key's slots (issue 20 D3) */
	sw_pkey_tcap(msu);
	/* a MAP parameter malformation recorded on the way */
	return msu->mal;
}
