/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCAP decoder (dataplane/decode/tcap.c), ITU-T Q.773, against hand-built BER
 * messages: every message type, the dialogue portion, every component type,
 * local/global/negative operation codes, malformations, the same message in
 * short, long-form and indefinite lengths (identical fields), and truncation
 * at every length of exact-size heap copies (run under ASan to see overreads).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/decode/decode.h"

static void
msu_init(struct sw_msu *msu)
{
	memset(msu, 0, sizeof(*msu));
}

/* Decode a vector from an exact-size heap copy so ASan sees any overread. */
static enum sw_mal
decode(const uint8_t *v, uint32_t n, struct sw_msu *msu)
{
	uint8_t *p = malloc(n ? n : 1);
	enum sw_mal m;

	assert_non_null(p);
	memcpy(p, v, n);
	msu_init(msu);
	m = sw_tcap_decode(p, 0, n, msu);
	free(p);
	return m;
}

/* Every strict prefix of a valid message is malformed; none may crash. */
static void
truncate_all(const uint8_t *v, uint32_t n)
{
	for (uint32_t len = 0; len < n; len++) {
		struct sw_msu msu;
		enum sw_mal m = decode(v, len, &msu);

		if (m == SW_MAL_NONE)
			fail_msg("prefix of %u/%u octets decoded without malformation", len, n);
		assert_int_equal(msu.mal, m);
	}
}

/*
 * Begin with dialogue (AARQ, networkUnstructuredSsContext-v2) and one invoke
 * processUnstructuredSS-Request: the pwnss7 indefinite-length.pcap message
 * re-encoded with definite lengths.
 */
static const uint8_t begin_ussd[] = {
	0x62, 0x6a,                         /* Begin [APPLICATION 2], 106 */
	0x48, 0x04, 0x2f, 0x3b, 0x46, 0x02, /*   OTID 2f3b4602 */
	0x6b, 0x3a,                         /*   dialoguePortion, 58 */
	0x28, 0x38,                         /*     EXTERNAL, 56 */
	0x06, 0x07, 0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01, /* id-as-dialogue */
	0xa0, 0x2d,                         /*       single-ASN1-type [0], 45 */
	0x60, 0x2b,                         /*         AARQ, 43 */
	0x80, 0x02, 0x07, 0x80,             /*           protocol-version version1 */
	0xa1, 0x09,                         /*           application-context-name */
	0x06, 0x07, 0x04, 0x00, 0x00, 0x01, 0x00, 0x13, 0x02, /* 0.4.0.0.1.0.19.2 */
	0xbe, 0x1a,                         /*           user-information, 26 */
	0x28, 0x18, 0x06, 0x07, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x01, /* map-DialogueAS */
	0xa0, 0x0d, 0xa0, 0x0b, 0x80, 0x09, /* map-open destinationReference */
	0x96, 0x56, 0x05, 0x11, 0x24, 0x00, 0x69, 0x13, 0xf6,
	0x6c, 0x26,                         /*   components, 38 */
	0xa1, 0x24,                         /*     invoke, 36 */
	0x02, 0x01, 0x01,                   /*       invokeID 1 */
	0x02, 0x01, 0x3b,                   /*       opcode 59 processUnstructuredSS-Request */
	0x30, 0x1c,                         /*       USSD-Arg, 28 */
	0x04, 0x01, 0x0f,                   /*         DCS 0x0f: GSM 7 bit, unspecified */
	0x04, 0x0e, 0xaa, 0x18, 0x0d, 0xa6, 0x82, 0xdd, 0x6c, 0x31, 0x19, 0x2d, 0x36, 0xbb,
	0xdd, 0x46,                         /*         "*140*0761241377#" */
	0x80, 0x07, 0x91, 0x72, 0x67, 0x41, 0x58, 0x27, 0xf2, /* msisdn 27761485722 */
};

static void
test_begin_dialogue_invoke(void **state)
{
	static const uint8_t acn[] = { 0x04, 0x00, 0x00, 0x01, 0x00, 0x13, 0x02 };
	struct sw_msu msu;
	char oid[64];

	(void)state;
	assert_int_equal(decode(begin_ussd, sizeof(begin_ussd), &msu), SW_MAL_NONE);
	assert_int_equal(msu.mal, SW_MAL_NONE);
	assert_true(msu.has & SW_HAS_TCAP);
	assert_true(msu.has & SW_HAS_ACN);
	assert_true(msu.has & SW_HAS_MAP);
	assert_int_equal(msu.tcap.type, SW_TCAP_BEGIN);
	assert_string_equal(sw_tcap_type_name(msu.tcap.type), "begin");
	assert_int_equal(msu.tcap.otid_len, 4);
	assert_memory_equal(msu.tcap.otid, "\x2f\x3b\x46\x02", 4);
	assert_int_equal(msu.tcap.dtid_len, 0);
	assert_int_equal(msu.tcap.acn_len, sizeof(acn));
	assert_memory_equal(msu.tcap.acn, acn, sizeof(acn));
	assert_int_equal(sw_oid_to_text(msu.tcap.acn, msu.tcap.acn_len, oid, sizeof(oid)), 16);
	assert_string_equal(oid, "0.4.0.0.1.0.19.2");
	assert_int_equal(msu.tcap.ncomp, 1);
	assert_int_equal(msu.tcap.comp[0].type, SW_COMP_INVOKE);
	assert_string_equal(sw_comp_type_name(msu.tcap.comp[0].type), "invoke");
	assert_true(msu.tcap.comp[0].has_invoke_id);
	assert_int_equal(msu.tcap.comp[0].invoke_id, 1);
	assert_true(msu.tcap.comp[0].has_opcode);
	assert_false(msu.tcap.comp[0].opcode_global);
	assert_int_equal(msu.tcap.comp[0].opcode, 59);
	/* the parameter TLV: SEQUENCE at offset 78, 30 octets with its header */
	assert_int_equal(msu.tcap.comp[0].param_off, 78);
	assert_int_equal(msu.tcap.comp[0].param_len, 30);
	assert_int_equal(begin_ussd[msu.tcap.comp[0].param_off], 0x30);
	assert_string_equal(msu.map.ussd, "*140*0761241377#");
	assert_int_equal(msu.map.ussd_dcs, 0x0f);
	assert_string_equal(msu.map.msisdn.d, "27761485722");
	truncate_all(begin_ussd, sizeof(begin_ussd));
}

/* Continue with both transaction ids, invoke sendAuthenticationInfo v2 (bare IMSI). */
static const uint8_t continue_sai[] = {
	0x65, 0x20,                         /* Continue [APPLICATION 5], 32 */
	0x48, 0x04, 0x00, 0x00, 0x63, 0x65, /*   OTID 00006365 */
	0x49, 0x04, 0xe1, 0x14, 0x0b, 0x71, /*   DTID e1140b71 */
	0x6c, 0x12,                         /*   components, 18 */
	0xa1, 0x10,                         /*     invoke, 16 */
	0x02, 0x01, 0x03,                   /*       invokeID 3 */
	0x02, 0x01, 0x38,                   /*       opcode 56 sendAuthenticationInfo */
	0x04, 0x08, 0x54, 0x04, 0x60, 0x01, 0x07, 0x60, 0x29, 0xf0, /* IMSI 454006107006920 */
};

static void
test_continue(void **state)
{
	struct sw_msu msu;

	(void)state;
	assert_int_equal(decode(continue_sai, sizeof(continue_sai), &msu), SW_MAL_NONE);
	assert_int_equal(msu.tcap.type, SW_TCAP_CONTINUE);
	assert_string_equal(sw_tcap_type_name(msu.tcap.type), "continue");
	assert_int_equal(msu.tcap.otid_len, 4);
	assert_memory_equal(msu.tcap.otid, "\x00\x00\x63\x65", 4);
	assert_int_equal(msu.tcap.dtid_len, 4);
	assert_memory_equal(msu.tcap.dtid, "\xe1\x14\x0b\x71", 4);
	assert_false(msu.has & SW_HAS_ACN);
	assert_int_equal(msu.tcap.ncomp, 1);
	assert_int_equal(msu.tcap.comp[0].invoke_id, 3);
	assert_int_equal(msu.tcap.comp[0].opcode, 56);
	assert_int_equal(msu.tcap.comp[0].param_off, 24);
	assert_int_equal(msu.tcap.comp[0].param_len, 10);
	assert_string_equal(msu.map.imsi.d, "454006107006920");
	truncate_all(continue_sai, sizeof(continue_sai));
}

/* End with AARE (locationCancellationContext-v3) and returnResultLast of updateLocation. */
static const uint8_t end_result[] = {
	0x64, 0x49,                         /* End [APPLICATION 4], 73 */
	0x49, 0x04, 0x00, 0x00, 0x06, 0x63, /*   DTID 00000663 */
	0x6b, 0x2a,                         /*   dialoguePortion, 42 */
	0x28, 0x28,                         /*     EXTERNAL, 40 */
	0x06, 0x07, 0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01, /* id-as-dialogue */
	0xa0, 0x1d,                         /*       single-ASN1-type, 29 */
	0x61, 0x1b,                         /*         AARE, 27 */
	0x80, 0x02, 0x07, 0x80,             /*           protocol-version */
	0xa1, 0x09, 0x06, 0x07, 0x04, 0x00, 0x00, 0x01, 0x00, 0x02, 0x03, /* 0.4.0.0.1.0.2.3 */
	0xa2, 0x03, 0x02, 0x01, 0x00,       /*           result accepted */
	0xa3, 0x05, 0xa1, 0x03, 0x02, 0x01, 0x00, /*     diagnostic: service-user null */
	0x6c, 0x15,                         /*   components, 21 */
	0xa2, 0x13,                         /*     returnResultLast, 19 */
	0x02, 0x01, 0x00,                   /*       invokeID 0 */
	0x30, 0x0e,                         /*       result, 14 */
	0x02, 0x01, 0x02,                   /*         opcode 2 updateLocation */
	0x30, 0x09,                         /*         UpdateLocationRes */
	0x04, 0x07, 0x91, 0x72, 0x38, 0x99, 0x00, 0x01, 0xf0, /* hlr-Number 27839900100 */
};

static void
test_end_result_last(void **state)
{
	static const uint8_t acn[] = { 0x04, 0x00, 0x00, 0x01, 0x00, 0x02, 0x03 };
	struct sw_msu msu;

	(void)state;
	assert_int_equal(decode(end_result, sizeof(end_result), &msu), SW_MAL_NONE);
	assert_int_equal(msu.tcap.type, SW_TCAP_END);
	assert_string_equal(sw_tcap_type_name(msu.tcap.type), "end");
	assert_int_equal(msu.tcap.otid_len, 0);
	assert_int_equal(msu.tcap.dtid_len, 4);
	assert_memory_equal(msu.tcap.dtid, "\x00\x00\x06\x63", 4);
	assert_true(msu.has & SW_HAS_ACN);
	assert_memory_equal(msu.tcap.acn, acn, sizeof(acn));
	assert_int_equal(msu.tcap.ncomp, 1);
	assert_int_equal(msu.tcap.comp[0].type, SW_COMP_RESULT_LAST);
	assert_string_equal(sw_comp_type_name(SW_COMP_RESULT_LAST), "returnResultLast");
	assert_int_equal(msu.tcap.comp[0].invoke_id, 0);
	assert_true(msu.tcap.comp[0].has_opcode);
	assert_int_equal(msu.tcap.comp[0].opcode, 2);
	assert_int_equal(msu.tcap.comp[0].param_len, 11);
	assert_string_equal(msu.map.hlr.d, "27839900100");
	truncate_all(end_result, sizeof(end_result));
}

/* Abort with a P-AbortCause, and with a u-abort dialogue (ABRT). */
static const uint8_t abort_p[] = {
	0x67, 0x09,                         /* Abort [APPLICATION 7], 9 */
	0x49, 0x04, 0x01, 0x02, 0x03, 0x04, /*   DTID 01020304 */
	0x4a, 0x01, 0x01,                   /*   P-AbortCause 1 unrecognizedTransactionID */
};

static const uint8_t abort_u[] = {
	0x67, 0x1a,                         /* Abort, 26 */
	0x49, 0x04, 0x01, 0x02, 0x03, 0x04, /*   DTID */
	0x6b, 0x12,                         /*   u-abortCause: dialoguePortion, 18 */
	0x28, 0x10,                         /*     EXTERNAL, 16 */
	0x06, 0x07, 0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01,
	0xa0, 0x05,                         /*       single-ASN1-type */
	0x64, 0x03, 0x80, 0x01, 0x01,       /*         ABRT abort-source service-provider */
};

static void
test_abort(void **state)
{
	struct sw_msu msu;

	(void)state;
	assert_int_equal(decode(abort_p, sizeof(abort_p), &msu), SW_MAL_NONE);
	assert_int_equal(msu.tcap.type, SW_TCAP_ABORT);
	assert_string_equal(sw_tcap_type_name(msu.tcap.type), "abort");
	assert_int_equal(msu.tcap.abort_cause, 1);
	assert_int_equal(msu.tcap.dtid_len, 4);
	assert_int_equal(msu.tcap.ncomp, 0);
	truncate_all(abort_p, sizeof(abort_p));

	assert_int_equal(decode(abort_u, sizeof(abort_u), &msu), SW_MAL_NONE);
	assert_int_equal(msu.tcap.type, SW_TCAP_ABORT);
	assert_false(msu.has & SW_HAS_ACN);
	assert_int_equal(msu.tcap.abort_cause, 0);
	truncate_all(abort_u, sizeof(abort_u));

	/* reason is a CHOICE: a u-abort dialogue followed by a P-AbortCause is malformed */
	uint8_t both[sizeof(abort_u) + 3];
	memcpy(both, abort_u, sizeof(abort_u));
	both[1] = (uint8_t)(abort_u[1] + 3);
	memcpy(both + sizeof(abort_u), "\x4a\x01\x01", 3);
	assert_int_equal(decode(both, sizeof(both), &msu), SW_MAL_TCAP_TAG);
}

/* Begin with an invoke whose operation is a global value (OID). */
static const uint8_t begin_global[] = {
	0x62, 0x14,                         /* Begin, 20 */
	0x48, 0x01, 0x07,                   /*   OTID 07 */
	0x6c, 0x0f,                         /*   components, 15 */
	0xa1, 0x0d,                         /*     invoke, 13 */
	0x02, 0x01, 0x01,                   /*       invokeID 1 */
	0x06, 0x06, 0x04, 0x00, 0x00, 0x01, 0x00, 0x02, /* globalValue 0.4.0.0.1.0.2 */
	0x30, 0x00,                         /*       parameter: empty SEQUENCE */
};

/* Begin with an invoke of operation -666 (pwnss7 negative-opcode.pcap). */
static const uint8_t begin_negative[] = {
	0x62, 0x11,                         /* Begin, 17 */
	0x48, 0x04, 0x2f, 0x3b, 0x46, 0x02, /*   OTID */
	0x6c, 0x09,                         /*   components */
	0xa1, 0x07,                         /*     invoke */
	0x02, 0x01, 0x01,                   /*       invokeID 1 */
	0x02, 0x02, 0xfd, 0x66,             /*       localValue -666 */
};

static void
test_global_and_negative_opcode(void **state)
{
	struct sw_msu msu;

	(void)state;
	assert_int_equal(decode(begin_global, sizeof(begin_global), &msu), SW_MAL_NONE);
	assert_int_equal(msu.tcap.ncomp, 1);
	assert_true(msu.tcap.comp[0].has_opcode);
	assert_true(msu.tcap.comp[0].opcode_global);
	assert_int_equal(msu.tcap.comp[0].param_off, 20);
	assert_int_equal(msu.tcap.comp[0].param_len, 2);
	assert_false(msu.has & SW_HAS_MAP);
	truncate_all(begin_global, sizeof(begin_global));

	assert_int_equal(decode(begin_negative, sizeof(begin_negative), &msu), SW_MAL_NONE);
	assert_int_equal(msu.tcap.comp[0].opcode, -666);
	assert_false(msu.tcap.comp[0].opcode_global);
	assert_int_equal(msu.tcap.comp[0].param_len, 0);
	assert_null(sw_map_op_name(msu.tcap.comp[0].opcode));
	truncate_all(begin_negative, sizeof(begin_negative));
}

/* End with returnError, two rejects and a returnResultNotLast. */
static const uint8_t end_mixed[] = {
	0x64, 0x26,                         /* End, 38 */
	0x49, 0x01, 0x05,                   /*   DTID 05 */
	0x6c, 0x21,                         /*   components, 33 */
	0xa3, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x22, /* returnError id 1 systemFailure(34) */
	0xa4, 0x06, 0x02, 0x01, 0x02, 0x80, 0x01, 0x01, /* reject id 2, generalProblem 1 */
	0xa4, 0x05, 0x05, 0x00, 0x81, 0x01, 0x02,       /* reject not-derivable, invokeProblem 2 */
	0xa7, 0x08, 0x02, 0x01, 0x03,                   /* returnResultNotLast id 3 */
	0x30, 0x03, 0x02, 0x01, 0x2d,                   /*   opcode 45, no parameter */
};

static void
test_error_reject_notlast(void **state)
{
	struct sw_msu msu;

	(void)state;
	assert_int_equal(decode(end_mixed, sizeof(end_mixed), &msu), SW_MAL_NONE);
	assert_int_equal(msu.tcap.ncomp, 4);
	assert_int_equal(msu.tcap.comp[0].type, SW_COMP_ERROR);
	assert_string_equal(sw_comp_type_name(SW_COMP_ERROR), "returnError");
	assert_int_equal(msu.tcap.comp[0].invoke_id, 1);
	assert_int_equal(msu.tcap.comp[0].opcode, 34);
	assert_int_equal(msu.tcap.comp[1].type, SW_COMP_REJECT);
	assert_string_equal(sw_comp_type_name(SW_COMP_REJECT), "reject");
	assert_true(msu.tcap.comp[1].has_invoke_id);
	assert_int_equal(msu.tcap.comp[1].invoke_id, 2);
	assert_false(msu.tcap.comp[1].has_opcode);
	assert_int_equal(msu.tcap.comp[1].problem_tag, 0);
	assert_int_equal(msu.tcap.comp[1].problem, 1);
	assert_false(msu.tcap.comp[2].has_invoke_id);
	assert_int_equal(msu.tcap.comp[2].problem_tag, 1);
	assert_int_equal(msu.tcap.comp[2].problem, 2);
	assert_int_equal(msu.tcap.comp[3].type, SW_COMP_RESULT);
	assert_string_equal(sw_comp_type_name(SW_COMP_RESULT), "returnResult");
	assert_int_equal(msu.tcap.comp[3].opcode, 45);
	assert_int_equal(msu.tcap.comp[3].param_len, 0);
	assert_null(sw_comp_type_name(99));
	assert_null(sw_tcap_type_name(SW_TCAP_NONE));
	assert_string_equal(sw_tcap_type_name(SW_TCAP_UNIDIRECTIONAL), "unidirectional");
	truncate_all(end_mixed, sizeof(end_mixed));
}

/* ---------------------------------------------------------------------------
 * A BER builder so the same message can be written with short, long-form and
 * indefinite lengths.
 */
enum lform { LF_SHORT, LF_LONG, LF_INDEF };

struct bld {
	uint8_t b[4096];
	uint32_t n;
	uint32_t stack[16];
	unsigned sp;
	enum lform f;
};

static void
b_raw(struct bld *b, const void *p, uint32_t n)
{
	assert_true(b->n + n <= sizeof(b->b));
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void
b_open(struct bld *b, uint8_t id)
{
	b_raw(b, &id, 1);
	assert_true(b->sp < 16);
	b->stack[b->sp++] = b->n;
}

static void
b_close(struct bld *b)
{
	uint32_t start = b->stack[--b->sp], len = b->n - start;
	bool constructed = b->b[start - 1] & 0x20;
	uint8_t hdr[3];
	uint32_t h;

	if (b->f == LF_INDEF && constructed) {
		hdr[0] = 0x80;
		h = 1;
	} else if (b->f != LF_LONG && len < 128) {
		/* short form; indefinite messages keep short primitives, as real ones do */
		hdr[0] = (uint8_t)len;
		h = 1;
	} else if (b->f == LF_SHORT && len < 256) {
		hdr[0] = 0x81; /* minimal long form */
		hdr[1] = (uint8_t)len;
		h = 2;
	} else {
		/* long form, two length octets even for short values */
		hdr[0] = 0x82;
		hdr[1] = (uint8_t)(len >> 8);
		hdr[2] = (uint8_t)len;
		h = 3;
	}
	assert_true(b->n + h + 2 <= sizeof(b->b));
	memmove(b->b + start + h, b->b + start, len);
	memcpy(b->b + start, hdr, h);
	b->n += h;
	if (hdr[0] == 0x80) {
		b->b[b->n++] = 0;
		b->b[b->n++] = 0;
	}
}

static void
b_prim(struct bld *b, uint8_t id, const void *v, uint32_t n)
{
	b_open(b, id);
	b_raw(b, v, n);
	b_close(b);
}

#define B_PRIM(b, id, ...)                                                                  \
	do {                                                                                \
		static const uint8_t v_[] = { __VA_ARGS__ };                               \
		b_prim(b, id, v_, sizeof(v_));                                             \
	} while (0)

static void
b_dialogue_aarq(struct bld *b, const uint8_t *acn, uint32_t acn_len)
{
	b_open(b, 0x6b);                                /* dialoguePortion */
	b_open(b, 0x28);                                /* EXTERNAL */
	B_PRIM(b, 0x06, 0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01); /* id-as-dialogue */
	b_open(b, 0xa0);                                /* single-ASN1-type */
	b_open(b, 0x60);                                /* AARQ */
	B_PRIM(b, 0x80, 0x07, 0x80);                    /* protocol-version */
	b_open(b, 0xa1);                                /* application-context-name */
	b_prim(b, 0x06, acn, acn_len);
	b_close(b);
	b_close(b);
	b_close(b);
	b_close(b);
	b_close(b);
}

/*
 * Begin, dialogue anyTimeInfoEnquiryContext-v3, three invokes:
 * processUnstructuredSS-Request "*100#", sendRoutingInfoForSM (linked id) and
 * anyTimeInterrogation by IMSI.
 */
static void
build_three(struct bld *b, enum lform f)
{
	static const uint8_t acn[] = { 0x04, 0x00, 0x00, 0x01, 0x00, 0x1d, 0x03 };

	memset(b, 0, sizeof(*b));
	b->f = f;
	b_open(b, 0x62);                                /* Begin */
	B_PRIM(b, 0x48, 0xde, 0xad, 0xbe, 0xef);        /*   OTID */
	b_dialogue_aarq(b, acn, sizeof(acn));
	b_open(b, 0x6c);                                /*   components */
	b_open(b, 0xa1);                                /*     invoke */
	B_PRIM(b, 0x02, 0x01);                          /*       invokeID 1 */
	B_PRIM(b, 0x02, 0x3b);                          /*       opcode 59 */
	b_open(b, 0x30);                                /*       USSD-Arg */
	B_PRIM(b, 0x04, 0x0f);                          /*         DCS */
	B_PRIM(b, 0x04, 0xaa, 0x18, 0x0c, 0x36, 0x02); /*         "*100#" */
	B_PRIM(b, 0x80, 0x91, 0x72, 0x67, 0x41, 0x58, 0x27, 0xf2); /* msisdn 27761485722 */
	b_close(b);
	b_close(b);
	b_open(b, 0xa1);                                /*     invoke */
	B_PRIM(b, 0x02, 0x02);                          /*       invokeID 2 */
	B_PRIM(b, 0x80, 0x01);                          /*       linkedID 1 */
	B_PRIM(b, 0x02, 0x2d);                          /*       opcode 45 */
	b_open(b, 0x30);                                /*       RoutingInfoForSM-Arg */
	B_PRIM(b, 0x80, 0x91, 0x72, 0x67, 0x41, 0x58, 0x27, 0xf2); /* msisdn */
	B_PRIM(b, 0x81, 0xff);                          /*         sm-RP-PRI TRUE */
	B_PRIM(b, 0x82, 0x91, 0x72, 0x38, 0x99, 0x00, 0x01, 0xf0); /* SC 27839900100 */
	b_close(b);
	b_close(b);
	b_open(b, 0xa1);                                /*     invoke */
	B_PRIM(b, 0x02, 0x03);                          /*       invokeID 3 */
	B_PRIM(b, 0x02, 0x47);                          /*       opcode 71 */
	b_open(b, 0x30);                                /*       AnyTimeInterrogationArg */
	b_open(b, 0xa0);                                /*         subscriberIdentity */
	B_PRIM(b, 0x80, 0x54, 0x04, 0x60, 0x01, 0x07, 0x60, 0x29, 0xf0); /* imsi */
	b_close(b);
	b_open(b, 0xa1);                                /*         requestedInfo */
	B_PRIM(b, 0x80);                                /*           locationInformation */
	b_close(b);
	B_PRIM(b, 0x83, 0x91, 0x44, 0x77, 0x00, 0x00, 0x00, 0xf1); /* gsmSCF-Address */
	b_close(b);
	b_close(b);
	b_close(b);                                     /*   components */
	b_close(b);                                     /* Begin */
	assert_int_equal(b->sp, 0);
}

static void
check_three(const struct bld *b, struct sw_msu *msu)
{
	assert_int_equal(decode(b->b, b->n, msu), SW_MAL_NONE);
	assert_int_equal(msu->tcap.type, SW_TCAP_BEGIN);
	assert_int_equal(msu->tcap.otid_len, 4);
	assert_int_equal(msu->tcap.acn_len, 7);
	assert_int_equal(msu->tcap.ncomp, 3);
	assert_int_equal(msu->tcap.comp[0].opcode, 59);
	assert_int_equal(msu->tcap.comp[1].opcode, 45);
	assert_int_equal(msu->tcap.comp[1].invoke_id, 2);
	assert_int_equal(msu->tcap.comp[2].type, SW_COMP_INVOKE);
	assert_int_equal(msu->tcap.comp[2].invoke_id, 3);
	assert_int_equal(msu->tcap.comp[2].opcode, 71);
	assert_string_equal(sw_map_op_name(msu->tcap.comp[2].opcode), "anyTimeInterrogation");
	assert_int_equal(b->b[msu->tcap.comp[2].param_off], 0x30);
	/* the default MAP fields are the first invoke's only (issue 13) */
	assert_int_equal(msu->map.from_comp, 1);
	assert_string_equal(msu->map.ussd, "*100#");
	assert_int_equal(msu->map.smsc.len, 0);
	assert_int_equal(msu->map.imsi.len, 0);
	/* each invoke's own, selected */
	assert_int_equal(sw_map_select_component(b->b, msu, 1), SW_MAL_NONE);
	assert_string_equal(msu->map.msisdn.d, "27761485722");
	assert_string_equal(msu->map.smsc.d, "27839900100");
	assert_int_equal(msu->map.ussd_len, 0);
	assert_int_equal(sw_map_select_component(b->b, msu, 2), SW_MAL_NONE);
	assert_string_equal(msu->map.imsi.d, "454006107006920");
	assert_int_equal(msu->map.smsc.len, 0);
	assert_int_equal(sw_map_select_component(b->b, msu, 0), SW_MAL_NONE);
	assert_string_equal(msu->map.ussd, "*100#");
}

/* Fields that must not depend on the length encoding: all but the offsets. */
static void
assert_same_fields(const struct sw_msu *a, const struct sw_msu *b)
{
	const uint32_t upper = SW_HAS_TCAP | SW_HAS_ACN | SW_HAS_MAP;

	assert_int_equal(a->has & upper, b->has & upper);
	assert_int_equal(a->mal, b->mal);
	assert_int_equal(a->tcap.type, b->tcap.type);
	assert_int_equal(a->tcap.otid_len, b->tcap.otid_len);
	assert_memory_equal(a->tcap.otid, b->tcap.otid, sizeof(a->tcap.otid));
	assert_int_equal(a->tcap.dtid_len, b->tcap.dtid_len);
	assert_memory_equal(a->tcap.dtid, b->tcap.dtid, sizeof(a->tcap.dtid));
	assert_int_equal(a->tcap.acn_len, b->tcap.acn_len);
	assert_memory_equal(a->tcap.acn, b->tcap.acn, sizeof(a->tcap.acn));
	assert_int_equal(a->tcap.abort_cause, b->tcap.abort_cause);
	assert_int_equal(a->tcap.ncomp, b->tcap.ncomp);
	for (unsigned i = 0; i < a->tcap.ncomp; i++) {
		const struct sw_tcap_comp *x = &a->tcap.comp[i], *y = &b->tcap.comp[i];

		assert_int_equal(x->type, y->type);
		assert_int_equal(x->has_invoke_id, y->has_invoke_id);
		assert_int_equal(x->invoke_id, y->invoke_id);
		assert_int_equal(x->has_opcode, y->has_opcode);
		assert_int_equal(x->opcode_global, y->opcode_global);
		assert_int_equal(x->opcode, y->opcode);
		assert_int_equal(x->param_len == 0, y->param_len == 0);
	}
	assert_memory_equal(&a->map, &b->map, sizeof(a->map));
}

static void
test_three_components_length_forms(void **state)
{
	static struct bld bs, bl, bi;
	static struct sw_msu ms, ml, mi;

	(void)state;
	build_three(&bs, LF_SHORT);
	build_three(&bl, LF_LONG);
	build_three(&bi, LF_INDEF);
	assert_true(bl.n > bs.n);
	assert_true(bi.n > bs.n);
	assert_int_equal(bi.b[1], 0x80); /* really indefinite */
	assert_int_equal(bl.b[1], 0x82); /* really long form */
	check_three(&bs, &ms);
	check_three(&bl, &ml);
	check_three(&bi, &mi);
	assert_same_fields(&ms, &ml);
	assert_same_fields(&ms, &mi);
	printf("three components: %u octets short, %u long form, %u indefinite\n", bs.n, bl.n,
	       bi.n);
	truncate_all(bs.b, bs.n);
	truncate_all(bl.b, bl.n);
	truncate_all(bi.b, bi.n);
}

/* The same message with indefinite lengths, and a mix of forms, as in the pwnss7 capture. */
static void
test_literal_vectors_indefinite(void **state)
{
	/* begin_ussd with the Begin itself indefinite (pwnss7 indefinite-length.pcap) */
	uint8_t v[sizeof(begin_ussd) + 2];
	struct sw_msu a, b;

	(void)state;
	memcpy(v, begin_ussd, sizeof(begin_ussd));
	v[1] = 0x80;
	v[sizeof(begin_ussd)] = 0x00;
	v[sizeof(begin_ussd) + 1] = 0x00;
	assert_int_equal(decode(begin_ussd, sizeof(begin_ussd), &a), SW_MAL_NONE);
	assert_int_equal(decode(v, sizeof(v), &b), SW_MAL_NONE);
	assert_same_fields(&a, &b);
	assert_int_equal(a.tcap.comp[0].param_off, b.tcap.comp[0].param_off);
	truncate_all(v, sizeof(v));
	/* a second EOC is trailing data, not part of the message */
	uint8_t w[sizeof(v) + 2];
	memcpy(w, v, sizeof(v));
	w[sizeof(v)] = 0;
	w[sizeof(v) + 1] = 0;
	assert_int_equal(decode(w, sizeof(w), &b), SW_MAL_TCAP_LEN);
}

/* ---------------------------------------------------------------------------
 * Malformations
 */
static void
test_malformed(void **state)
{
	static const struct {
		const char *what;
		uint8_t b[24];
		uint32_t n;
		enum sw_mal m;
	} v[] = {
		{ "unknown message type [APPLICATION 3]", { 0x63, 0x03, 0x48, 0x01, 0x01 }, 5,
		  SW_MAL_TCAP_TAG },
		{ "universal SEQUENCE as message", { 0x30, 0x03, 0x48, 0x01, 0x01 }, 5,
		  SW_MAL_TCAP_TAG },
		{ "begin without otid", { 0x62, 0x00 }, 2, SW_MAL_TCAP_TID },
		{ "otid of 5 octets", { 0x62, 0x07, 0x48, 0x05, 1, 2, 3, 4, 5 }, 9,
		  SW_MAL_TCAP_TID },
		{ "otid of 0 octets", { 0x62, 0x02, 0x48, 0x00 }, 4, SW_MAL_TCAP_TID },
		{ "dtid in a begin", { 0x62, 0x06, 0x48, 0x01, 0x01, 0x49, 0x01, 0x02 }, 8,
		  SW_MAL_TCAP_TAG },
		{ "dtid before otid", { 0x65, 0x06, 0x49, 0x01, 0x01, 0x48, 0x01, 0x02 }, 8,
		  SW_MAL_TCAP_TID },
		{ "continue without otid", { 0x65, 0x03, 0x49, 0x01, 0x01 }, 5, SW_MAL_TCAP_TID },
		{ "end without dtid", { 0x64, 0x03, 0x48, 0x01, 0x01 }, 5, SW_MAL_TCAP_TAG },
		{ "repeated otid", { 0x62, 0x06, 0x48, 0x01, 0x01, 0x48, 0x01, 0x02 }, 8,
		  SW_MAL_TCAP_TAG },
		{ "unknown element", { 0x62, 0x05, 0x48, 0x01, 0x01, 0x4c, 0x00 }, 7,
		  SW_MAL_TCAP_TAG },
		{ "components before otid", { 0x62, 0x0a, 0x6c, 0x05, 0xa4, 0x03, 0x05, 0x00,
		  0x80, 0x48, 0x01, 0x01 }, 12, SW_MAL_TCAP_TID },
		{ "unknown component [5]", { 0x62, 0x07, 0x48, 0x01, 0x01, 0x6c, 0x02, 0xa5, 0x00 },
		  9, SW_MAL_TCAP_TAG },
		{ "empty component portion", { 0x62, 0x05, 0x48, 0x01, 0x01, 0x6c, 0x00 }, 7,
		  SW_MAL_TCAP_COMPONENT },
		{ "invoke without opcode", { 0x62, 0x0a, 0x48, 0x01, 0x01, 0x6c, 0x05, 0xa1, 0x03,
		  0x02, 0x01, 0x01 }, 12, SW_MAL_TCAP_OPCODE },
		{ "invoke without invoke id", { 0x62, 0x07, 0x48, 0x01, 0x01, 0x6c, 0x02, 0xa1,
		  0x00 }, 9, SW_MAL_TCAP_INVOKE_ID },
		{ "invoke id 128", { 0x62, 0x0b, 0x48, 0x01, 0x01, 0x6c, 0x06, 0xa1, 0x04, 0x02,
		  0x02, 0x00, 0x80 }, 13, SW_MAL_TCAP_INVOKE_ID },
		{ "opcode of 5 octets", { 0x62, 0x11, 0x48, 0x01, 0x01, 0x6c, 0x0c, 0xa1, 0x0a,
		  0x02, 0x01, 0x01, 0x02, 0x05, 0, 0, 0, 0, 1 }, 19, SW_MAL_TCAP_INT_LONG },
		{ "opcode as OCTET STRING", { 0x62, 0x0c, 0x48, 0x01, 0x01, 0x6c, 0x07, 0xa1,
		  0x05, 0x02, 0x01, 0x01, 0x04, 0x00 }, 14, SW_MAL_TCAP_OPCODE },
		{ "two parameters", { 0x62, 0x11, 0x48, 0x01, 0x01, 0x6c, 0x0c, 0xa1, 0x0a, 0x02,
		  0x01, 0x01, 0x02, 0x01, 0x02, 0x05, 0x00, 0x05, 0x00 }, 19,
		  SW_MAL_TCAP_COMPONENT },
		{ "reject with unknown problem [4]", { 0x64, 0x0d, 0x49, 0x01, 0x01, 0x6c, 0x08,
		  0xa4, 0x06, 0x05, 0x00, 0x84, 0x01, 0x01 }, 15, SW_MAL_TCAP_COMPONENT },
		{ "trailing octet after the message", { 0x62, 0x03, 0x48, 0x01, 0x01, 0x00 }, 6,
		  SW_MAL_TCAP_LEN },
		{ "length beyond the container", { 0x62, 0x04, 0x48, 0x01, 0x01 }, 5,
		  SW_MAL_TCAP_LEN },
		{ "indefinite without EOC", { 0x62, 0x80, 0x48, 0x01, 0x01 }, 5,
		  SW_MAL_TCAP_INDEF },
		{ "five length octets", { 0x62, 0x85, 0, 0, 0, 0, 3, 0x48, 0x01, 0x01 }, 10,
		  SW_MAL_TCAP_LEN },
		{ "unidirectional without components", { 0x61, 0x00 }, 2, SW_MAL_TCAP_COMPONENT },
		{ "p-abort in a begin", { 0x62, 0x06, 0x48, 0x01, 0x01, 0x4a, 0x01, 0x01 }, 8,
		  SW_MAL_TCAP_TAG },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct sw_msu msu;
		enum sw_mal m = decode(v[i].b, v[i].n, &msu);

		if (m != v[i].m)
			fail_msg("%s: got %s, want %s", v[i].what, sw_mal_name(m),
				 sw_mal_name(v[i].m));
		assert_int_equal(msu.mal, v[i].m);
		/* prefixes of a malformed message may be well-formed; they must not crash */
		for (uint32_t len = 0; len < v[i].n; len++) {
			m = decode(v[i].b, len, &msu);
			assert_int_equal(m, msu.mal);
		}
	}
}

static void
test_dialogue_malformed(void **state)
{
	static const uint8_t acn17[17] = { 0x04, 0x00, 0x00, 0x01, 0x00, 0x13, 0x02 };
	static struct bld b;
	struct sw_msu msu;

	(void)state;
	/* application context name of 17 octets */
	memset(&b, 0, sizeof(b));
	b_open(&b, 0x62);
	B_PRIM(&b, 0x48, 0x01);
	b_dialogue_aarq(&b, acn17, sizeof(acn17));
	b_close(&b);
	assert_int_equal(decode(b.b, b.n, &msu), SW_MAL_TCAP_ACN_LONG);
	assert_int_equal(msu.tcap.type, SW_TCAP_BEGIN);
	assert_true(msu.has & SW_HAS_TCAP);
	assert_false(msu.has & SW_HAS_ACN);
	/* SW_ACN_MAX octets are fine */
	memset(&b, 0, sizeof(b));
	b_open(&b, 0x62);
	B_PRIM(&b, 0x48, 0x01);
	b_dialogue_aarq(&b, acn17, SW_ACN_MAX);
	b_close(&b);
	assert_int_equal(decode(b.b, b.n, &msu), SW_MAL_NONE);
	assert_int_equal(msu.tcap.acn_len, SW_ACN_MAX);

	/* AARQ without application-context-name */
	memset(&b, 0, sizeof(b));
	b_open(&b, 0x62);
	B_PRIM(&b, 0x48, 0x01);
	b_open(&b, 0x6b);
	b_open(&b, 0x28);
	B_PRIM(&b, 0x06, 0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01);
	b_open(&b, 0xa0);
	b_open(&b, 0x60);
	B_PRIM(&b, 0x80, 0x07, 0x80);
	b_close(&b);
	b_close(&b);
	b_close(&b);
	b_close(&b);
	b_close(&b);
	assert_int_equal(decode(b.b, b.n, &msu), SW_MAL_TCAP_DIALOGUE);

	/* EXTERNAL with octet-aligned [1] encoding instead of single-ASN1-type */
	memset(&b, 0, sizeof(b));
	b_open(&b, 0x62);
	B_PRIM(&b, 0x48, 0x01);
	b_open(&b, 0x6b);
	b_open(&b, 0x28);
	B_PRIM(&b, 0x06, 0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01);
	B_PRIM(&b, 0x81, 0x60, 0x00);
	b_close(&b);
	b_close(&b);
	b_close(&b);
	assert_int_equal(decode(b.b, b.n, &msu), SW_MAL_TCAP_DIALOGUE);
}

static void
test_too_many_components(void **state)
{
	static struct bld b;
	struct sw_msu msu;

	(void)state;
	for (unsigned count = SW_COMP_MAX; count <= SW_COMP_MAX + 1; count++) {
		memset(&b, 0, sizeof(b));
		b_open(&b, 0x62);
		B_PRIM(&b, 0x48, 0x01);
		b_open(&b, 0x6c);
		for (unsigned i = 0; i < count; i++) {
			uint8_t id = (uint8_t)i;

			b_open(&b, 0xa1);
			b_prim(&b, 0x02, &id, 1);
			B_PRIM(&b, 0x02, 0x2d);
			b_close(&b);
		}
		b_close(&b);
		b_close(&b);
		if (count <= SW_COMP_MAX) {
			assert_int_equal(decode(b.b, b.n, &msu), SW_MAL_NONE);
			assert_int_equal(msu.tcap.ncomp, count);
		} else {
			assert_int_equal(decode(b.b, b.n, &msu), SW_MAL_TCAP_TOO_MANY_COMPONENTS);
			assert_int_equal(msu.tcap.ncomp, SW_COMP_MAX);
		}
	}
}

/* A MAP malformation in one component is recorded; later components are decoded. */
static void
test_map_malformation_does_not_stop(void **state)
{
	static const uint8_t v[] = {
		0x62, 0x17,                         /* Begin, 23 */
		0x48, 0x01, 0x01,                   /*   OTID */
		0x6c, 0x12,                         /*   components, 18 */
		0xa1, 0x08, 0x02, 0x01, 0x01, 0x02, 0x01, 0x38, /* invoke SAI */
		0x04, 0x00,                         /*     IMSI of 0 octets */
		0xa1, 0x06, 0x02, 0x01, 0x02, 0x02, 0x01, 0x2d, /* invoke SRI-SM, no param */
	};
	struct sw_msu msu;

	(void)state;
	assert_int_equal(decode(v, sizeof(v), &msu), SW_MAL_MAP_PARAM);
	assert_int_equal(msu.mal, SW_MAL_MAP_PARAM);
	assert_int_equal(msu.tcap.ncomp, 2);
	assert_int_equal(msu.tcap.comp[1].opcode, 45);
}

static void
test_oid_to_text(void **state)
{
	static const uint8_t a[] = { 0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01 };
	static const uint8_t b[] = { 0x04, 0x00, 0x00, 0x01, 0x00, 0x01, 0x03 };
	static const uint8_t c[] = { 0x2b, 0x06, 0x01 };       /* 1.3.6.1 */
	static const uint8_t d[] = { 0x88, 0x37, 0x03 };       /* 2.999.3 */
	static const uint8_t bad[] = { 0x04, 0x86 };            /* unterminated */
	char out[64];

	(void)state;
	assert_int_equal(sw_oid_to_text(a, sizeof(a), out, sizeof(out)), 16);
	assert_string_equal(out, "0.0.17.773.1.1.1");
	assert_true(sw_oid_to_text(b, sizeof(b), out, sizeof(out)) > 0);
	assert_string_equal(out, "0.4.0.0.1.0.1.3");
	assert_true(sw_oid_to_text(c, sizeof(c), out, sizeof(out)) > 0);
	assert_string_equal(out, "1.3.6.1");
	assert_true(sw_oid_to_text(d, sizeof(d), out, sizeof(out)) > 0);
	assert_string_equal(out, "2.999.3");
	assert_int_equal(sw_oid_to_text(bad, sizeof(bad), out, sizeof(out)), -1);
	assert_int_equal(sw_oid_to_text(a, 0, out, sizeof(out)), -1);
	/* output too small: refused, still NUL-terminated within bounds */
	assert_int_equal(sw_oid_to_text(a, sizeof(a), out, 8), -1);
	assert_string_equal(out, "");
	/* the strict rules the policy evaluator now shares (issue 11) */
	static const uint8_t lead80[] = { 0x04, 0x80, 0x01 };           /* X.690 8.19.2 */
	static const uint8_t max32[] = { 0x04, 0x8f, 0xff, 0xff, 0xff, 0x7f }; /* 2^32 - 1 */
	static const uint8_t over32[] = { 0x04, 0x90, 0x80, 0x80, 0x80, 0x00 }; /* 2^32 */
	assert_int_equal(sw_oid_to_text(lead80, sizeof(lead80), out, sizeof(out)), -1);
	assert_true(sw_oid_to_text(max32, sizeof(max32), out, sizeof(out)) > 0);
	assert_string_equal(out, "0.4.4294967295");
	assert_int_equal(sw_oid_to_text(over32, sizeof(over32), out, sizeof(out)), -1);
	/* exactly fits: 16 characters and the NUL */
	assert_int_equal(sw_oid_to_text(a, sizeof(a), out, 17), 16);
	assert_int_equal(sw_oid_to_text(a, sizeof(a), out, 16), -1);
}

/* The name tables of dataplane/proto/names.c, both ways (the compiler uses the name->code side). */
static void
test_proto_names(void **state)
{
	(void)state;
	for (unsigned t = 0; t < 256; t++) {
		const char *n = sw_tcap_type_name((uint8_t)t);

		if (n != NULL)
			assert_int_equal(sw_tcap_type_code(n), (int)t);
		n = sw_comp_type_name((uint8_t)t);
		if (n != NULL)
			assert_int_equal(sw_comp_type_code(n), (int)t);
		n = sw_sccp_type_name((uint8_t)t);
		if (n != NULL)
			assert_int_equal(sw_sccp_type_code(n), (int)t);
		n = sw_isup_type_name((uint8_t)t);
		if (n != NULL)
			assert_int_equal(sw_isup_type_code(n), (int)t);
	}
	assert_int_equal(sw_comp_type_code("returnResultNotLast"), SW_COMP_RESULT);
	assert_int_equal(sw_comp_type_code("RETURNERROR"), SW_COMP_ERROR);
	assert_int_equal(sw_tcap_type_code("Begin"), SW_TCAP_BEGIN);
	assert_int_equal(sw_sccp_type_code("XUDT"), SCCP_MSG_XUDT);
	assert_int_equal(sw_isup_type_code("iam"), ISUP_MSG_IAM);
	assert_int_equal(sw_tcap_type_code("nosuch"), -1);
	assert_int_equal(sw_isup_type_code(NULL), -1);
	assert_string_equal(sw_sctp_chunk_name(SCTP_CT_IDATA), "i_data");
	assert_null(sw_sctp_chunk_name(255));
	assert_string_equal(sw_m3ua_type_name(M3UA_CLASS_ASPSM, M3UA_ASPSM_BEAT_ACK), "beat_ack");
	assert_null(sw_m3ua_type_name(M3UA_CLASS_TRANSFER, 0));
	assert_null(sw_m3ua_type_name(200, 1));
}

/* The one SCTP chunk walker (dataplane/proto/sctp.h). */
static void
test_sctp_chunk_next(void **state)
{
	/* DATA of length 17 (padded to 20), then a SACK of 16 whose padding is absent */
	uint8_t p[40] = { 0 };
	struct sw_sctp_chunk ch;
	uint32_t off = 0;

	(void)state;
	p[0] = SCTP_CT_DATA;
	p[1] = SCTP_DATA_BE;
	p[3] = 17;
	p[20] = SCTP_CT_SACK;
	p[23] = 16;
	assert_int_equal(sw_sctp_chunk_next(p, &off, 36, &ch), SW_SCTP_NEXT_CHUNK);
	assert_int_equal(ch.type, SCTP_CT_DATA);
	assert_int_equal(ch.len, 17);
	assert_int_equal(ch.span, 20);
	assert_int_equal(ch.off, 0);
	assert_int_equal(sw_sctp_chunk_next(p, &off, 36, &ch), SW_SCTP_NEXT_CHUNK);
	assert_int_equal(ch.type, SCTP_CT_SACK);
	assert_int_equal(ch.off, 20);
	assert_int_equal(sw_sctp_chunk_next(p, &off, 36, &ch), SW_SCTP_NEXT_END);
	/* the DATA chunk's padding cut by the end: the span stops at the end */
	off = 0;
	assert_int_equal(sw_sctp_chunk_next(p, &off, 18, &ch), SW_SCTP_NEXT_CHUNK);
	assert_int_equal(ch.span, 18);
	/* 1-3 stray bytes, a length below 4, a length beyond the end */
	off = 0;
	assert_int_equal(sw_sctp_chunk_next(p, &off, 3, &ch), SW_SCTP_NEXT_BAD);
	p[3] = 3;
	assert_int_equal(sw_sctp_chunk_next(p, &off, 36, &ch), SW_SCTP_NEXT_BAD);
	p[3] = 37;
	assert_int_equal(sw_sctp_chunk_next(p, &off, 36, &ch), SW_SCTP_NEXT_BAD);
	assert_int_equal(off, 0); /* a refused chunk leaves the offset */
}

/* ---------------------------------------------------------------------------
 * Captures: decoded through the whole stack, compared with what tshark shows.
 */
static int
first_msu(const char *path, struct sw_msu *msu, enum sw_mal *m)
{
	static uint8_t frame[65536];
	uint8_t gh[24], rh[16];
	struct sw_pkt pkt;
	uint32_t cap, link;
	FILE *fp = fopen(path, "rb");

	if (fp == NULL)
		return -1;
	assert_int_equal(fread(gh, 1, sizeof(gh), fp), sizeof(gh));
	assert_int_equal(gh[0], 0xd4); /* classic pcap, little-endian */
	link = gh[20] | gh[21] << 8;
	assert_int_equal(fread(rh, 1, sizeof(rh), fp), sizeof(rh));
	cap = rh[8] | rh[9] << 8 | rh[10] << 16 | (uint32_t)rh[11] << 24;
	assert_true(cap <= sizeof(frame));
	assert_int_equal(fread(frame, 1, cap, fp), cap);
	fclose(fp);
	memset(&pkt, 0, sizeof(pkt));
	assert_int_equal(sw_decode_packet(frame, cap, (enum sw_link)link, &pkt), SW_MAL_NONE);
	for (unsigned i = 0; i < pkt.nchunks; i++) {
		if (pkt.chunks[i].type == 0) {
			memset(msu, 0, sizeof(*msu));
			*m = sw_decode_msu(frame, &pkt, i, msu);
			return 0;
		}
	}
	fail_msg("%s: no DATA chunk", path);
	return -1;
}

static void
test_captures(void **state)
{
	struct sw_msu a, b;
	enum sw_mal m;

	(void)state;
	if (first_msu("../shared/captures/pwnss7/indefinite-length.pcap", &a, &m) < 0) {
		printf("skipped: ../shared/captures not present\n");
		skip();
	}
	/* tshark: begin, otid 2f3b4602, ACN 0.4.0.0.1.0.19.2, invoke 1 opcode 59,
	 * USSD "*140*0761241377#", msisdn 27761485722 */
	assert_int_equal(m, SW_MAL_NONE);
	assert_int_equal(a.tcap.type, SW_TCAP_BEGIN);
	assert_memory_equal(a.tcap.otid, "\x2f\x3b\x46\x02", 4);
	assert_int_equal(a.tcap.ncomp, 1);
	assert_int_equal(a.tcap.comp[0].opcode, 59);
	assert_string_equal(a.map.ussd, "*140*0761241377#");
	assert_string_equal(a.map.msisdn.d, "27761485722");
	/* the definite re-encoding gives the same fields */
	assert_int_equal(decode(begin_ussd, sizeof(begin_ussd), &b), SW_MAL_NONE);
	assert_same_fields(&a, &b);

	/* tshark: localValue -666, not a decoding error */
	assert_int_equal(first_msu("../shared/captures/pwnss7/negative-opcode.pcap", &a, &m), 0);
	assert_int_equal(m, SW_MAL_NONE);
	assert_int_equal(a.tcap.comp[0].opcode, -666);

	/* tshark: end, dtid 00000663, ACN 0.4.0.0.1.0.2.3, returnResultLast invoke 0 */
	assert_int_equal(first_msu("../shared/captures/field/test_long_length_in_dialogue.pcap",
				   &a, &m), 0);
	assert_int_equal(m, SW_MAL_NONE);
	assert_int_equal(a.tcap.type, SW_TCAP_END);
	assert_memory_equal(a.tcap.dtid, "\x00\x00\x06\x63", 4);
	assert_int_equal(a.tcap.acn[5], 2);
	assert_int_equal(a.tcap.comp[0].type, SW_COMP_RESULT_LAST);

	/* tshark: continue, returnResultLast invoke -41 sendAuthenticationInfo (56) */
	assert_int_equal(first_msu("../shared/captures/field/test_long_length_continue2.pcap",
				   &a, &m), 0);
	assert_int_equal(m, SW_MAL_NONE);
	assert_int_equal(a.tcap.type, SW_TCAP_CONTINUE);
	assert_int_equal(a.tcap.comp[0].opcode, 56);
	assert_int_equal(first_msu("../shared/captures/field/test_unknown_tcap_tag.pcap", &a, &m),
			 0);
	assert_int_equal(m, SW_MAL_NONE);
	assert_int_equal(a.tcap.comp[0].invoke_id, -41);

	/* tshark: begin, updateLocation, IMSI 454006107013405, VLR and MSC 8613254139 */
	assert_int_equal(first_msu("../shared/captures/field/invokeUpdate.pcap", &a, &m), 0);
	assert_int_equal(m, SW_MAL_NONE);
	assert_int_equal(a.tcap.comp[0].opcode, 2);
	assert_string_equal(a.map.imsi.d, "454006107013405");
	assert_string_equal(a.map.vlr.d, "8613254139");
	assert_string_equal(a.map.msc.d, "8613254139");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_begin_dialogue_invoke),
		cmocka_unit_test(test_continue),
		cmocka_unit_test(test_end_result_last),
		cmocka_unit_test(test_abort),
		cmocka_unit_test(test_global_and_negative_opcode),
		cmocka_unit_test(test_error_reject_notlast),
		cmocka_unit_test(test_three_components_length_forms),
		cmocka_unit_test(test_literal_vectors_indefinite),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_dialogue_malformed),
		cmocka_unit_test(test_too_many_components),
		cmocka_unit_test(test_map_malformation_does_not_stop),
		cmocka_unit_test(test_oid_to_text),
		cmocka_unit_test(test_proto_names),
		cmocka_unit_test(test_sctp_chunk_next),
		cmocka_unit_test(test_captures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
