/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SCCP decoder (dataplane/decode/sccp.c) against hand-built Q.713 messages.
 *
 * Every vector spells out its fields. Offsets in the comments are from the
 * first octet of the SCCP message. TCAP may be decoded by a later stage or a
 * placeholder, so the tests assert SCCP fields and only check that TCAP was
 * (or was not) reached: sccp.c sets neither SW_HAS_TCAP nor a TCAP/MAP reason.
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

/* UDT, class 0 with return on error; cdpa GTI 4 odd digits, cgpa GTI 4 even digits. */
static const uint8_t udt_gti4[] = {
	0x09,             /* 0: message type UDT, Q.713 4.10 */
	0x80,             /* 1: protocol class 0, message handling 8 (return on error) */
	0x03,             /* 2: pointer to cdpa -> 5 */
	0x0e,             /* 3: pointer to cgpa -> 17 */
	0x19,             /* 4: pointer to data -> 29 */
	/* 5: called party address */
	0x0b,             /* length 11 */
	0x12,             /* AI: RI route on GT, GTI 4, SSN present, no PC */
	0x06,             /* SSN 6 (HLR) */
	0x00,             /* TT 0 */
	0x11,             /* NP 1 (E.164), ES 1 (BCD odd) */
	0x04,             /* NAI 4 (international) */
	0x72, 0x28, 0x21, 0x43, 0x65, 0x07, /* digits 27821234567, filler 0 */
	/* 17: calling party address */
	0x0b,             /* length 11 */
	0x12,             /* AI: RI route on GT, GTI 4, SSN present */
	0x08,             /* SSN 8 (MSC) */
	0x00,             /* TT 0 */
	0x12,             /* NP 1, ES 2 (BCD even) */
	0x04,             /* NAI 4 */
	0x94, 0x71, 0x02, 0x00, 0x00, 0x10, /* digits 491720000001 */
	/* 29: data */
	0x08,             /* length 8 */
	0x62, 0x06,       /* TCAP Begin, length 6 */
	0x48, 0x04, 0x01, 0x02, 0x03, 0x04, /* OTID 01020304 */
};

/* UDT; cdpa GTI 2 (TT only) with odd digits and 0xf filler; cgpa GTI 1 (odd/even + NAI). */
static const uint8_t udt_gti2_gti1[] = {
	0x09,             /* 0: UDT */
	0x00,             /* 1: protocol class 0 */
	0x03,             /* 2: pointer to cdpa -> 5 */
	0x08,             /* 3: pointer to cgpa -> 11 */
	0x0e,             /* 4: pointer to data -> 18 */
	/* 5: called party address */
	0x05,             /* length 5 */
	0x0a,             /* AI: GTI 2, SSN present */
	0x06,             /* SSN 6 */
	0x0a,             /* TT 10 */
	0x21, 0xf3,       /* digits 123, 0xf filler */
	/* 11: calling party address */
	0x06,             /* length 6 */
	0x06,             /* AI: GTI 1, SSN present */
	0x08,             /* SSN 8 */
	0x83,             /* odd, NAI 3 (national significant) */
	0x21, 0x43, 0x05, /* digits 12345, filler 0 */
	/* 18: data */
	0x02,             /* length 2 */
	0x64, 0x00,       /* TCAP Abort, length 0 */
};

/* UDT; cdpa GTI 3 (TT, NP/ES BCD even); cgpa GTI 3 with ES 0 (unknown): digits undecoded. */
static const uint8_t udt_gti3[] = {
	0x09,             /* 0: UDT */
	0x01,             /* 1: protocol class 1 */
	0x03,             /* 2: pointer to cdpa -> 5 */
	0x09,             /* 3: pointer to cgpa -> 12 */
	0x0e,             /* 4: pointer to data -> 18 */
	/* 5: called party address */
	0x06,             /* length 6 */
	0x0e,             /* AI: GTI 3, SSN present */
	0x07,             /* SSN 7 (VLR) */
	0x00,             /* TT 0 */
	0x12,             /* NP 1, ES 2 (BCD even) */
	0x94, 0x71,       /* digits 4917 */
	/* 12: calling party address */
	0x05,             /* length 5 */
	0x0c,             /* AI: GTI 3, no SSN, no PC */
	0x05,             /* TT 5 */
	0x10,             /* NP 1, ES 0 (unknown) */
	0x12, 0x34,       /* signals in an unknown encoding */
	/* 18: data */
	0x01,             /* length 1 */
	0x00,
};

/* UDT routed on SSN: PC + SSN and no GT in both addresses; cgpa has the national bit set. */
static const uint8_t udt_pc_ssn[] = {
	0x09,             /* 0: UDT */
	0x00,             /* 1: class 0 */
	0x03,             /* 2: pointer to cdpa -> 5 */
	0x07,             /* 3: pointer to cgpa -> 10 */
	0x0b,             /* 4: pointer to data -> 15 */
	/* 5: called party address */
	0x04,             /* length 4 */
	0x43,             /* AI: RI route on SSN, GTI 0, SSN present, PC present */
	0x39, 0x05,       /* PC 1337, least significant octet first */
	0x06,             /* SSN 6 */
	/* 10: calling party address */
	0x04,             /* length 4 */
	0xc3,             /* AI: national bit, RI route on SSN, GTI 0, SSN, PC */
	0x9a, 0xc2,       /* PC 666 with the two spare bits set (0xc29a & 0x3fff = 0x029a) */
	0x08,             /* SSN 8 */
	/* 15: data */
	0x02,             /* length 2 */
	0x64, 0x00,       /* TCAP Abort */
};

/* XUDT, first segment with 2 remaining: must not reach TCAP. */
static const uint8_t xudt_seg[] = {
	0x11,             /* 0: message type XUDT, Q.713 4.18 */
	0x81,             /* 1: protocol class 1, return on error */
	0x0c,             /* 2: hop counter 12 */
	0x04,             /* 3: pointer to cdpa -> 7 */
	0x08,             /* 4: pointer to cgpa -> 12 */
	0x0c,             /* 5: pointer to data -> 17 */
	0x12,             /* 6: pointer to optional part -> 24 */
	/* 7: called party address */
	0x04,             /* length 4 */
	0x43, 0x39, 0x05, 0x06, /* AI RI=SSN PC SSN, PC 1337, SSN 6 */
	/* 12: calling party address */
	0x04,             /* length 4 */
	0x43, 0x9a, 0x02, 0x08, /* AI RI=SSN PC SSN, PC 666, SSN 8 */
	/* 17: data */
	0x06,             /* length 6 */
	0x62, 0x81, 0x80, 0x48, 0x04, 0x01, /* first bytes of a long TCAP Begin */
	/* 24: optional part */
	0x10,             /* segmentation, Q.713 3.17 */
	0x04,             /* length 4 */
	0xc2,             /* first segment, class 1, 2 remaining */
	0xd4, 0xee, 0xb1, /* local reference 0xb1eed4 */
	0x12,             /* importance, Q.713 3.19 */
	0x01,             /* length 1 */
	0x03,             /* importance 3 */
	0x00,             /* end of optional parameters */
};

/* XUDT without optional part: complete, TCAP is reached. */
static const uint8_t xudt_plain[] = {
	0x11,             /* 0: XUDT */
	0x00,             /* 1: class 0 */
	0x0f,             /* 2: hop counter 15 */
	0x04,             /* 3: pointer to cdpa -> 7 */
	0x08,             /* 4: pointer to cgpa -> 12 */
	0x0c,             /* 5: pointer to data -> 17 */
	0x00,             /* 6: no optional part */
	/* 7: called party address */
	0x04, 0x43, 0x39, 0x05, 0x06,
	/* 12: calling party address */
	0x04, 0x43, 0x9a, 0x02, 0x08,
	/* 17: data */
	0x08,             /* length 8 */
	0x62, 0x06, 0x48, 0x04, 0x01, 0x02, 0x03, 0x04, /* TCAP Begin, OTID */
};

/* XUDT with a segmentation parameter saying "first and only segment": complete. */
static const uint8_t xudt_single_seg[] = {
	0x11,             /* 0: XUDT */
	0x00,             /* 1: class 0 */
	0x0a,             /* 2: hop counter 10 */
	0x04,             /* 3: pointer to cdpa -> 7 */
	0x08,             /* 4: pointer to cgpa -> 12 */
	0x0c,             /* 5: pointer to data -> 17 */
	0x14,             /* 6: pointer to optional part -> 26 */
	0x04, 0x43, 0x39, 0x05, 0x06, /* 7: cdpa PC 1337 SSN 6 */
	0x04, 0x43, 0x9a, 0x02, 0x08, /* 12: cgpa PC 666 SSN 8 */
	0x08, 0x62, 0x06, 0x48, 0x04, 0x01, 0x02, 0x03, 0x04, /* 17: data, TCAP Begin */
	0x10, 0x04, 0x80, 0x01, 0x02, 0x03, /* 26: segmentation: first, 0 remaining, ref 0x030201 */
	0x00,             /* end of optional parameters */
};

/* UDTS with return cause 1 (no translation for this specific address). */
static const uint8_t udts[] = {
	0x0a,             /* 0: message type UDTS, Q.713 4.11 */
	0x01,             /* 1: return cause 1, Q.713 3.12 */
	0x03,             /* 2: pointer to cdpa -> 5 */
	0x07,             /* 3: pointer to cgpa -> 10 */
	0x0b,             /* 4: pointer to data -> 15 */
	0x04, 0x43, 0x9a, 0x02, 0x08, /* 5: cdpa PC 666 SSN 8 */
	0x04, 0x43, 0x39, 0x05, 0x06, /* 10: cgpa PC 1337 SSN 6 */
	0x02, 0x64, 0x00,             /* 15: data: TCAP Abort */
};

/* XUDTS with return cause 0x0c (hop counter violation) and hop counter 3. */
static const uint8_t xudts[] = {
	0x12,             /* 0: XUDTS, Q.713 4.19 */
	0x0c,             /* 1: return cause 12 */
	0x03,             /* 2: hop counter 3 */
	0x04,             /* 3: pointer to cdpa -> 7 */
	0x08,             /* 4: pointer to cgpa -> 12 */
	0x0c,             /* 5: pointer to data -> 17 */
	0x00,             /* 6: no optional part */
	0x04, 0x43, 0x9a, 0x02, 0x08, /* 7: cdpa */
	0x04, 0x43, 0x39, 0x05, 0x06, /* 12: cgpa */
	0x02, 0x64, 0x00,             /* 17: data */
};

static void
msu_init(struct sw_msu *msu)
{
	memset(msu, 0, sizeof(*msu));
}

/* Decode a copy of exactly len bytes so that ASan reports any read past the message. */
static enum sw_mal
decode_exact(const uint8_t *v, size_t len, struct sw_msu *msu)
{
	uint8_t *p = malloc(len == 0 ? 1 : len);
	enum sw_mal m;

	assert_non_null(p);
	if (len > 0)
		memcpy(p, v, len);
	msu_init(msu);
	m = sw_sccp_decode(p, 0, (uint32_t)len, msu);
	free(p);
	return m;
}

/* TCAP was reached iff it left a trace sccp.c never leaves. */
static bool
tcap_reached(const struct sw_msu *msu)
{
	enum sw_layer l = sw_mal_layer(msu->mal);

	return (msu->has & SW_HAS_TCAP) != 0 || l == SW_LAYER_TCAP || l == SW_LAYER_MAP;
}

static void
test_udt_gti4_odd_even(void **state)
{
	struct sw_msu msu;

	(void)state;
	decode_exact(udt_gti4, sizeof(udt_gti4), &msu);
	assert_true(msu.has & SW_HAS_SCCP);
	assert_int_equal(msu.sccp.type, 0x09);
	assert_string_equal(sw_sccp_type_name(msu.sccp.type), "udt");
	assert_int_equal(msu.sccp.pclass, 0);
	assert_int_equal(msu.sccp.ret_opt, 8);

	assert_true(msu.sccp.cdpa.present);
	assert_int_equal(msu.sccp.cdpa.ri, 0);
	assert_int_equal(msu.sccp.cdpa.gti, 4);
	assert_false(msu.sccp.cdpa.has_pc);
	assert_true(msu.sccp.cdpa.has_ssn);
	assert_int_equal(msu.sccp.cdpa.ssn, 6);
	assert_int_equal(msu.sccp.cdpa.tt, 0);
	assert_int_equal(msu.sccp.cdpa.np, 1);
	assert_int_equal(msu.sccp.cdpa.es, 1);
	assert_int_equal(msu.sccp.cdpa.nai, 4);
	assert_int_equal(msu.sccp.cdpa.digits.len, 11);
	assert_string_equal(msu.sccp.cdpa.digits.d, "27821234567");

	assert_true(msu.sccp.cgpa.present);
	assert_int_equal(msu.sccp.cgpa.gti, 4);
	assert_int_equal(msu.sccp.cgpa.ssn, 8);
	assert_int_equal(msu.sccp.cgpa.es, 2);
	assert_int_equal(msu.sccp.cgpa.digits.len, 12);
	assert_string_equal(msu.sccp.cgpa.digits.d, "491720000001");

	assert_int_equal(msu.sccp.data_off, 30);
	assert_int_equal(msu.sccp.data_len, 8);
	assert_false(msu.has & SW_HAS_SEGMENT);
	assert_true(tcap_reached(&msu));
}

static void
test_udt_gti2_gti1(void **state)
{
	struct sw_msu msu;

	(void)state;
	decode_exact(udt_gti2_gti1, sizeof(udt_gti2_gti1), &msu);
	assert_int_equal(msu.sccp.cdpa.gti, 2);
	assert_int_equal(msu.sccp.cdpa.tt, 10);
	assert_int_equal(msu.sccp.cdpa.ssn, 6);
	assert_string_equal(msu.sccp.cdpa.digits.d, "123");
	assert_int_equal(msu.sccp.cgpa.gti, 1);
	assert_int_equal(msu.sccp.cgpa.nai, 3);
	assert_int_equal(msu.sccp.cgpa.ssn, 8);
	assert_string_equal(msu.sccp.cgpa.digits.d, "12345");
	assert_int_equal(msu.sccp.data_off, 19);
	assert_int_equal(msu.sccp.data_len, 2);
	assert_true(tcap_reached(&msu));
}

static void
test_udt_gti3(void **state)
{
	struct sw_msu msu;

	(void)state;
	decode_exact(udt_gti3, sizeof(udt_gti3), &msu);
	assert_int_equal(msu.sccp.pclass, 1);
	assert_int_equal(msu.sccp.cdpa.gti, 3);
	assert_int_equal(msu.sccp.cdpa.ssn, 7);
	assert_int_equal(msu.sccp.cdpa.np, 1);
	assert_int_equal(msu.sccp.cdpa.es, 2);
	assert_string_equal(msu.sccp.cdpa.digits.d, "4917");
	/* unknown encoding scheme: recorded, not an error, digits left undecoded */
	assert_int_equal(msu.sccp.cgpa.gti, 3);
	assert_false(msu.sccp.cgpa.has_ssn);
	assert_int_equal(msu.sccp.cgpa.tt, 5);
	assert_int_equal(msu.sccp.cgpa.np, 1);
	assert_int_equal(msu.sccp.cgpa.es, 0);
	assert_int_equal(msu.sccp.cgpa.digits.len, 0);
	assert_true(sw_mal_layer(msu.mal) != SW_LAYER_SCCP);
}

static void
test_udt_pc_ssn(void **state)
{
	struct sw_msu msu;

	(void)state;
	decode_exact(udt_pc_ssn, sizeof(udt_pc_ssn), &msu);
	assert_int_equal(msu.sccp.cdpa.ri, 1);
	assert_int_equal(msu.sccp.cdpa.gti, 0);
	assert_true(msu.sccp.cdpa.has_pc);
	assert_true(msu.sccp.cdpa.has_ssn);
	assert_int_equal(msu.sccp.cdpa.pc, 1337);
	assert_int_equal(msu.sccp.cdpa.ssn, 6);
	assert_int_equal(msu.sccp.cdpa.digits.len, 0);
	assert_int_equal(msu.sccp.cgpa.ri, 1);
	assert_int_equal(msu.sccp.cgpa.gti, 0);
	assert_int_equal(msu.sccp.cgpa.pc, 666);
	assert_int_equal(msu.sccp.cgpa.ssn, 8);
	assert_true(tcap_reached(&msu));
}

static void
test_xudt_segmented(void **state)
{
	struct sw_msu msu;
	enum sw_mal m;

	(void)state;
	m = decode_exact(xudt_seg, sizeof(xudt_seg), &msu);
	assert_int_equal(m, SW_MAL_SCCP_SEGMENTED);
	assert_int_equal(msu.mal, SW_MAL_SCCP_SEGMENTED);
	assert_int_equal(msu.sccp.type, 0x11);
	assert_string_equal(sw_sccp_type_name(msu.sccp.type), "xudt");
	assert_int_equal(msu.sccp.pclass, 1);
	assert_int_equal(msu.sccp.hop_counter, 12);
	assert_int_equal(msu.sccp.cdpa.pc, 1337);
	assert_int_equal(msu.sccp.cgpa.pc, 666);
	assert_int_equal(msu.sccp.data_off, 18);
	assert_int_equal(msu.sccp.data_len, 6);
	assert_true(msu.has & SW_HAS_SEGMENT);
	assert_true(msu.sccp.seg_first);
	assert_int_equal(msu.sccp.seg_remaining, 2);
	assert_int_equal(msu.sccp.seg_ref, 0xb1eed4);
	assert_false(msu.has & SW_HAS_TCAP);
}

static void
test_xudt_unsegmented(void **state)
{
	struct sw_msu msu;

	(void)state;
	decode_exact(xudt_plain, sizeof(xudt_plain), &msu);
	assert_int_equal(msu.sccp.type, 0x11);
	assert_int_equal(msu.sccp.hop_counter, 15);
	assert_false(msu.has & SW_HAS_SEGMENT);
	assert_int_equal(msu.sccp.data_off, 18);
	assert_int_equal(msu.sccp.data_len, 8);
	assert_true(tcap_reached(&msu));

	/* the first and only segment is a complete message */
	decode_exact(xudt_single_seg, sizeof(xudt_single_seg), &msu);
	assert_true(msu.has & SW_HAS_SEGMENT);
	assert_true(msu.sccp.seg_first);
	assert_int_equal(msu.sccp.seg_remaining, 0);
	assert_int_equal(msu.sccp.seg_ref, 0x030201);
	assert_int_equal(msu.sccp.hop_counter, 10);
	assert_int_not_equal(msu.mal, SW_MAL_SCCP_SEGMENTED);
	assert_true(tcap_reached(&msu));
}

/* LUDT with 300 octets of long data; 2-octet pointers and length. */
static size_t
build_ludt(uint8_t *b, uint8_t type)
{
	size_t n = 0;

	b[n++] = type;    /* 0: LUDT 0x13 or LUDTS 0x14, Q.713 4.20/4.21 */
	b[n++] = 0x02;    /* 1: class 0 + message handling 0 (LUDT) / return cause 2 (LUDTS) */
	b[n++] = 0x07;    /* 2: hop counter 7 */
	/* two-octet pointers counted from their second octet (Wireshark, issue 17) */
	b[n++] = 0x07;    /* 3-4: pointer to cdpa -> 4 + 7 = 11 */
	b[n++] = 0x00;
	b[n++] = 0x0a;    /* 5-6: pointer to cgpa -> 6 + 10 = 16 */
	b[n++] = 0x00;
	b[n++] = 0x0d;    /* 7-8: pointer to long data -> 8 + 13 = 21 */
	b[n++] = 0x00;
	b[n++] = 0x39;    /* 9-10: pointer to optional part -> 10 + 0x139 = 323 */
	b[n++] = 0x01;
	/* 11: cdpa, 1-octet length: PC 1337 SSN 6 */
	b[n++] = 0x04; b[n++] = 0x43; b[n++] = 0x39; b[n++] = 0x05; b[n++] = 0x06;
	/* 16: cgpa: PC 666 SSN 8 */
	b[n++] = 0x04; b[n++] = 0x43; b[n++] = 0x9a; b[n++] = 0x02; b[n++] = 0x08;
	/* 21: long data, length 300 = 0x012c least significant octet first */
	b[n++] = 0x2c;
	b[n++] = 0x01;
	memset(b + n, 0xa5, 300);
	n += 300;
	return n; /* 323: the caller appends the optional part */
}

static void
test_ludt(void **state)
{
	uint8_t b[400];
	size_t n = build_ludt(b, 0x13);
	struct sw_msu msu;

	(void)state;
	assert_int_equal(n, 323);
	b[n++] = 0x12; b[n++] = 0x01; b[n++] = 0x05; /* 323: importance 5 */
	b[n++] = 0x00;                               /* end of optional parameters */
	decode_exact(b, n, &msu);
	assert_int_equal(msu.sccp.type, 0x13);
	assert_string_equal(sw_sccp_type_name(0x13), "ludt");
	assert_int_equal(msu.sccp.pclass, 2);
	assert_int_equal(msu.sccp.hop_counter, 7);
	assert_int_equal(msu.sccp.cdpa.pc, 1337);
	assert_int_equal(msu.sccp.cgpa.pc, 666);
	assert_int_equal(msu.sccp.data_off, 23);
	assert_int_equal(msu.sccp.data_len, 300);
	assert_true(tcap_reached(&msu));

	/* LUDTS: the same octet is the return cause */
	n = build_ludt(b, 0x14);
	b[n++] = 0x00; /* 323: end of optional parameters */
	decode_exact(b, n, &msu);
	assert_int_equal(msu.sccp.type, 0x14);
	assert_string_equal(sw_sccp_type_name(0x14), "ludts");
	assert_int_equal(msu.sccp.cause, 2);
	assert_int_equal(msu.sccp.data_len, 300);
	assert_true(tcap_reached(&msu));

	/* long data length 301: one octet beyond the message once the optional part is cut */
	n = build_ludt(b, 0x13);
	b[9] = 0;
	b[10] = 0; /* no optional part */
	b[21] = 0x2d;
	assert_int_equal(decode_exact(b, n, &msu), SW_MAL_SCCP_PARAM_LEN);
	assert_int_equal(msu.mal, SW_MAL_SCCP_PARAM_LEN);

	/* the other reading (pointers counted from their first octet) is not guessed at: the
	 * called address is then read one octet late, from its first address octet */
	n = build_ludt(b, 0x13);
	b[n++] = 0x00;
	b[3] = 0x08;
	b[5] = 0x0b;
	b[7] = 0x0e;
	b[9] = 0x3a;
	assert_int_not_equal(decode_exact(b, n, &msu), SW_MAL_NONE);
	assert_int_not_equal(msu.sccp.cdpa.pc, 1337);
}

static void
test_udts_xudts_cause(void **state)
{
	struct sw_msu msu;

	(void)state;
	decode_exact(udts, sizeof(udts), &msu);
	assert_int_equal(msu.sccp.type, 0x0a);
	assert_string_equal(sw_sccp_type_name(0x0a), "udts");
	assert_int_equal(msu.sccp.cause, 1);
	assert_int_equal(msu.sccp.pclass, 0);
	assert_int_equal(msu.sccp.cdpa.pc, 666);
	assert_int_equal(msu.sccp.cgpa.pc, 1337);
	assert_int_equal(msu.sccp.data_len, 2);
	assert_true(tcap_reached(&msu));

	decode_exact(xudts, sizeof(xudts), &msu);
	assert_int_equal(msu.sccp.type, 0x12);
	assert_string_equal(sw_sccp_type_name(0x12), "xudts");
	assert_int_equal(msu.sccp.cause, 12);
	assert_int_equal(msu.sccp.hop_counter, 3);
	assert_true(tcap_reached(&msu));
}

static void
test_type_unknown(void **state)
{
	/* message type 0x15: not in Q.713 4.1 Table 1 */
	static const uint8_t unknown[] = { 0x15, 0x00, 0x00, 0x01, 0x02 };
	/* CR, connection request (Q.713 4.2): SLR 0x030201, class 2, called address (PC 1337
	 * SSN 6), optional part with the calling address (PC 666 SSN 8) */
	static const uint8_t cr[] = { 0x01, 0x01, 0x02, 0x03, 0x02, 0x02, 0x06,
				      0x04, 0x43, 0x39, 0x05, 0x06,
				      0x04, 0x04, 0x43, 0x9a, 0x02, 0x08, 0x00 };
	/* RLC, release complete (Q.713 4.6): DLR 0x0a0b0c, SLR 0x010203 */
	static const uint8_t rlc[] = { 0x05, 0x0c, 0x0b, 0x0a, 0x03, 0x02, 0x01 };
	/* DT1 (Q.713 4.7): DLR 7, segmenting/reassembling 0, data of 3 octets */
	static const uint8_t dt1[] = { 0x06, 0x07, 0x00, 0x00, 0x00, 0x01, 0x03, 0x01, 0x02, 0x03 };
	struct sw_msu msu;

	(void)state;
	assert_int_equal(decode_exact(unknown, sizeof(unknown), &msu), SW_MAL_SCCP_TYPE);
	assert_int_equal(msu.mal, SW_MAL_SCCP_TYPE);
	assert_int_equal(msu.sccp.type, 0x15);
	assert_true(msu.has & SW_HAS_SCCP);
	assert_null(sw_sccp_type_name(0x15));
	assert_null(sw_sccp_type_name(0x00));

	/* connection-oriented: classified with its local references (issue 17 Deliver 4) */
	assert_int_equal(decode_exact(cr, sizeof(cr), &msu), SW_MAL_SCCP_CONNECTION_ORIENTED);
	assert_string_equal(sw_sccp_type_name(msu.sccp.type), "cr");
	assert_true(msu.has & SW_HAS_SLR);
	assert_false(msu.has & SW_HAS_DLR);
	assert_int_equal(msu.sccp.slr, 0x030201);
	assert_int_equal(msu.sccp.pclass, 2);
	assert_int_equal(msu.sccp.cdpa.pc, 1337);
	assert_int_equal(msu.sccp.cgpa.pc, 666);
	assert_int_equal(msu.sccp.cgpa.ssn, 8);
	assert_false(tcap_reached(&msu));
	assert_int_equal(decode_exact(rlc, sizeof(rlc), &msu), SW_MAL_SCCP_CONNECTION_ORIENTED);
	assert_int_equal(msu.sccp.dlr, 0x0a0b0c);
	assert_int_equal(msu.sccp.slr, 0x010203);
	assert_int_equal(decode_exact(dt1, sizeof(dt1), &msu), SW_MAL_SCCP_CONNECTION_ORIENTED);
	assert_int_equal(msu.sccp.dlr, 7);
	assert_int_equal(msu.sccp.data_len, 3);
	/* every truncation of them is malformed, never read past */
	for (size_t n = 1; n < sizeof(cr); n++) {
		uint8_t *p = malloc(n);

		memcpy(p, cr, n);
		memset(&msu, 0, sizeof(msu));
		assert_int_not_equal(sw_sccp_decode(p, 0, (uint32_t)n, &msu),
				     SW_MAL_SCCP_CONNECTION_ORIENTED);
		free(p);
	}
}

/* Copy of a vector with one octet changed. */
static enum sw_mal
decode_patched(const uint8_t *v, size_t len, size_t at, uint8_t val, struct sw_msu *msu)
{
	uint8_t b[512];

	assert_true(len <= sizeof(b) && at < len);
	memcpy(b, v, len);
	b[at] = val;
	return decode_exact(b, len, msu);
}

static void
test_pointer_oob(void **state)
{
	struct sw_msu msu;

	(void)state;
	/* mandatory pointer 0 */
	assert_int_equal(decode_patched(udt_gti4, sizeof(udt_gti4), 2, 0x00, &msu),
			 SW_MAL_SCCP_PTR_OOB);
	assert_int_equal(msu.mal, SW_MAL_SCCP_PTR_OOB);
	/* data pointer to the octet just past the message */
	assert_int_equal(decode_patched(udt_gti4, sizeof(udt_gti4), 4, 0x22, &msu),
			 SW_MAL_SCCP_PTR_OOB);
	assert_int_equal(decode_patched(udt_gti4, sizeof(udt_gti4), 3, 0xff, &msu),
			 SW_MAL_SCCP_PTR_OOB);
	/* pointer 1 from the cgpa pointer lands on the data pointer: inside the pointer part */
	assert_int_equal(decode_patched(udt_gti4, sizeof(udt_gti4), 3, 0x01, &msu),
			 SW_MAL_SCCP_PTR_OOB);
	/* XUDT optional pointer beyond the message */
	assert_int_equal(decode_patched(xudt_seg, sizeof(xudt_seg), 6, 0x40, &msu),
			 SW_MAL_SCCP_PTR_OOB);
	assert_false(msu.has & SW_HAS_SEGMENT);
}

static void
test_param_len(void **state)
{
	struct sw_msu msu;

	(void)state;
	/* data length 9 with 8 octets left */
	assert_int_equal(decode_patched(udt_gti4, sizeof(udt_gti4), 29, 0x09, &msu),
			 SW_MAL_SCCP_PARAM_LEN);
	assert_int_equal(msu.mal, SW_MAL_SCCP_PARAM_LEN);
	/* the addresses were decoded before the failure and stay */
	assert_string_equal(msu.sccp.cdpa.digits.d, "27821234567");
	/* cdpa length 0xff */
	assert_int_equal(decode_patched(udt_gti4, sizeof(udt_gti4), 5, 0xff, &msu),
			 SW_MAL_SCCP_PARAM_LEN);
	/* unterminated optional part: the end octet replaced by another parameter name */
	assert_int_equal(decode_patched(xudt_seg, sizeof(xudt_seg), sizeof(xudt_seg) - 1, 0x12,
					&msu),
			 SW_MAL_SCCP_OPT_PARAM);
	/* optional parameter length beyond the message */
	assert_int_equal(decode_patched(xudt_seg, sizeof(xudt_seg), 31, 0x09, &msu),
			 SW_MAL_SCCP_OPT_PARAM);
	/* segmentation parameter of length 3 */
	assert_int_equal(decode_patched(xudt_seg, sizeof(xudt_seg), 25, 0x03, &msu),
			 SW_MAL_SCCP_SEGMENT);
}

static void
test_segment_twice(void **state)
{
	/* XUDT with two segmentation parameters that disagree */
	static const uint8_t v[] = {
		0x11, 0x00, 0x0a, /* XUDT, class 0, hop 10 */
		0x04, 0x08, 0x0c, 0x14, /* pointers: cdpa 7, cgpa 12, data 17, optional 26 */
		0x04, 0x43, 0x39, 0x05, 0x06, /* 7: cdpa PC 1337 SSN 6 */
		0x04, 0x43, 0x9a, 0x02, 0x08, /* 12: cgpa PC 666 SSN 8 */
		0x08, 0x62, 0x06, 0x48, 0x04, 0x01, 0x02, 0x03, 0x04, /* 17: data */
		0x10, 0x04, 0x80, 0x01, 0x02, 0x03, /* 26: segmentation: first, 0 remaining */
		0x10, 0x04, 0x03, 0x01, 0x02, 0x03, /* 32: segmentation: not first, 3 remaining */
		0x00, /* end of optional parameters */
	};
	struct sw_msu msu;

	(void)state;
	assert_int_equal(decode_exact(v, sizeof(v), &msu), SW_MAL_SCCP_PARAM_REPEATED);
	assert_false(tcap_reached(&msu));
}

static void
test_addr_short(void **state)
{
	struct sw_msu msu;
	/* PC + SSN address claiming only 3 octets: the SSN is missing */
	static const uint8_t v[] = {
		0x09, 0x00,       /* UDT, class 0 */
		0x03, 0x06, 0x09, /* pointers: cdpa 5, cgpa 9, data 13 */
		0x03, 0x43, 0x39, 0x05, /* 5: cdpa length 3: AI PC+SSN, PC, (no SSN) */
		0x04, 0x43, 0x9a, 0x02, /* 9: cgpa length 4 ... */
		0x08,                   /* ... SSN 8 */
		0x02, 0x64, 0x00,       /* 14: data */
	};

	(void)state;
	assert_int_equal(decode_exact(v, sizeof(v), &msu), SW_MAL_SCCP_ADDR_SHORT);
	assert_int_equal(msu.mal, SW_MAL_SCCP_ADDR_SHORT);
	assert_int_equal(msu.sccp.cdpa.pc, 1337);
	/* GTI 4 address of length 4: AI, SSN, TT, NP/ES and no NAI */
	assert_int_equal(decode_patched(udt_gti4, sizeof(udt_gti4), 5, 0x04, &msu),
			 SW_MAL_SCCP_ADDR_SHORT);
	/* address of length 0: not even the indicator */
	assert_int_equal(decode_patched(udt_gti4, sizeof(udt_gti4), 5, 0x00, &msu),
			 SW_MAL_SCCP_ADDR_SHORT);
	/* GTI 5 is reserved */
	assert_int_equal(decode_patched(udt_gti4, sizeof(udt_gti4), 6, 0x16, &msu),
			 SW_MAL_SCCP_ADDR_GTI);
}

static void
test_digits_long(void **state)
{
	uint8_t b[64];
	size_t n = 0;
	struct sw_msu msu;

	(void)state;
	b[n++] = 0x09; b[n++] = 0x00;       /* UDT, class 0 */
	b[n++] = 0x03;                      /* 2: pointer to cdpa -> 5 */
	b[n++] = 0x03 + 22;                 /* 3: pointer to cgpa -> 28 */
	b[n++] = 0x04 + 22 + 3;             /* 4: pointer to data -> 33 */
	b[n++] = 22;                        /* 5: cdpa length 22 */
	b[n++] = 0x12; b[n++] = 0x06;       /* AI GTI 4 + SSN, SSN 6 */
	b[n++] = 0x00; b[n++] = 0x12; b[n++] = 0x04; /* TT 0, NP 1 ES 2, NAI 4 */
	memset(b + n, 0x11, 17);            /* 34 digits: more than SW_DIGITS_MAX */
	n += 17;
	b[n++] = 0x04; b[n++] = 0x43; b[n++] = 0x9a; b[n++] = 0x02; b[n++] = 0x08; /* 28: cgpa */
	b[n++] = 0x02; b[n++] = 0x64; b[n++] = 0x00; /* 33: data */
	assert_int_equal(decode_exact(b, n, &msu), SW_MAL_SCCP_DIGITS_LONG);
	assert_int_equal(msu.mal, SW_MAL_SCCP_DIGITS_LONG);
	/* 16 octets = 32 digits fit */
	b[5] = 21;
	b[3] = 0x03 + 21;
	memmove(b + 5 + 1 + 21, b + 5 + 1 + 22, n - (5 + 1 + 22));
	n--;
	b[4] = 0x04 + 21 + 3;
	assert_int_not_equal(decode_exact(b, n, &msu), SW_MAL_SCCP_DIGITS_LONG);
	assert_int_equal(msu.sccp.cdpa.digits.len, 32);
	assert_true(sw_mal_layer(msu.mal) != SW_LAYER_SCCP);
}

/* Every strict prefix of a valid message is malformed at the SCCP layer and never over-read. */
static void
truncate_all(const uint8_t *v, size_t len)
{
	struct sw_msu msu;

	for (size_t n = 0; n < len; n++) {
		enum sw_mal m = decode_exact(v, n, &msu);

		if (m == SW_MAL_NONE || sw_mal_layer(m) != SW_LAYER_SCCP)
			fail_msg("prefix of %zu of %zu octets: reason %d", n, len, (int)m);
		assert_int_equal(msu.mal, m);
	}
	decode_exact(v, len, &msu);
	assert_true(sw_mal_layer(msu.mal) != SW_LAYER_SCCP);
}

static void
test_truncation(void **state)
{
	uint8_t b[400];
	size_t n;

	(void)state;
	truncate_all(udt_gti4, sizeof(udt_gti4));
	truncate_all(udt_gti2_gti1, sizeof(udt_gti2_gti1));
	truncate_all(udt_gti3, sizeof(udt_gti3));
	truncate_all(udt_pc_ssn, sizeof(udt_pc_ssn));
	truncate_all(xudt_plain, sizeof(xudt_plain));
	truncate_all(xudt_single_seg, sizeof(xudt_single_seg));
	truncate_all(udts, sizeof(udts));
	truncate_all(xudts, sizeof(xudts));
	n = build_ludt(b, 0x13);
	b[n++] = 0x00;
	truncate_all(b, n);
}

/*
 * The pwnss7 hostile XUDT captures: every frame is a segment of a longer
 * message and must be reported as such, never handed to TCAP.
 */
static void
test_capture_overflow_xudt(void **state)
{
	static const char *const files[] = {
		"../shared/captures/pwnss7/overflow-xudt.pcap",
		"../shared/captures/pwnss7/overflow-xudt-trick-remaining.pcap",
	};
	unsigned nmsg = 0;

	(void)state;
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		FILE *fp = fopen(files[f], "rb");
		uint8_t gh[24], rh[16];
		static uint8_t frame[65536];

		if (fp == NULL) {
			skip();
			return;
		}
		assert_int_equal(fread(gh, 1, sizeof(gh), fp), sizeof(gh));
		/* classic pcap, little-endian, Ethernet */
		assert_int_equal(gh[0], 0xd4);
		assert_int_equal(gh[20], 1);
		while (fread(rh, 1, sizeof(rh), fp) == sizeof(rh)) {
			uint32_t cap = rh[8] | rh[9] << 8 | rh[10] << 16 | (uint32_t)rh[11] << 24;
			uint32_t ip, sctp, chunk, clen, m3, mend, p;
			struct sw_msu msu;
			enum sw_mal m;

			assert_true(cap <= sizeof(frame));
			assert_int_equal(fread(frame, 1, cap, fp), cap);
			/* Ethernet, IPv4, SCTP DATA, M3UA DATA: just enough to reach SCCP */
			ip = 14;
			assert_true(cap > ip + 20 && frame[12] == 0x08 && frame[13] == 0x00);
			sctp = ip + (frame[ip] & 0x0f) * 4u;
			chunk = sctp + 12;
			assert_true(cap >= chunk + 16 + 8);
			assert_int_equal(frame[chunk], 0); /* DATA */
			clen = (uint32_t)frame[chunk + 2] << 8 | frame[chunk + 3];
			assert_true(chunk + clen <= cap);
			m3 = chunk + 16;
			mend = chunk + clen;
			assert_int_equal(frame[m3 + 2], 1); /* class transfer */
			assert_int_equal(frame[m3 + 3], 1); /* DATA */
			p = m3 + 8;
			m = SW_MAL_COUNT;
			while (p + 4 <= mend) {
				uint16_t tag = (uint16_t)(frame[p] << 8 | frame[p + 1]);
				uint16_t plen = (uint16_t)(frame[p + 2] << 8 | frame[p + 3]);

				assert_true(plen >= 4 && p + plen <= mend);
				if (tag == 0x0210) { /* protocol data: 12-octet routing label */
					assert_true(plen > 16);
					assert_int_equal(frame[p + 4 + 8], 3); /* SI SCCP */
					msu_init(&msu);
					m = sw_sccp_decode(frame, p + 16, p + plen, &msu);
					break;
				}
				p += (plen + 3u) & ~3u;
			}
			assert_int_equal(m, SW_MAL_SCCP_SEGMENTED);
			assert_int_equal(msu.sccp.type, 0x11);
			assert_true(msu.has & SW_HAS_SEGMENT);
			assert_string_equal(msu.sccp.cdpa.digits.d, "278291600");
			assert_string_equal(msu.sccp.cgpa.digits.d, "27829106146");
			assert_int_equal(msu.sccp.seg_ref, 0xb1eed4);
			nmsg++;
		}
		fclose(fp);
	}
	assert_true(nmsg > 0);
	printf("overflow-xudt captures: %u segmented XUDTs reported\n", nmsg);
}

/*
 * Deterministic random mutations of the vectors (1 to 3 octets changed, then
 * cut at a random length): the decoder must stay inside every exact-size copy
 * and report what it returns in msu->mal.
 */
static void
test_mutations(void **state)
{
	static const struct {
		const uint8_t *v;
		size_t len;
	} vecs[] = {
		{ udt_gti4, sizeof(udt_gti4) },     { udt_gti2_gti1, sizeof(udt_gti2_gti1) },
		{ udt_gti3, sizeof(udt_gti3) },     { udt_pc_ssn, sizeof(udt_pc_ssn) },
		{ xudt_seg, sizeof(xudt_seg) },     { xudt_single_seg, sizeof(xudt_single_seg) },
		{ udts, sizeof(udts) },             { xudts, sizeof(xudts) },
	};
	uint32_t x = 0x12345678; /* xorshift32 */
	unsigned nmal = 0;

	(void)state;
	for (unsigned i = 0; i < 20000; i++) {
		size_t k = i % (sizeof(vecs) / sizeof(vecs[0]));
		uint8_t b[64];
		size_t len = vecs[k].len;
		struct sw_msu msu;
		enum sw_mal m;

		memcpy(b, vecs[k].v, len);
		for (unsigned j = 0; j < 1 + i % 3; j++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			b[x % len] = (uint8_t)(x >> 8);
		}
		if (i % 4 == 0)
			len = (x >> 16) % (len + 1);
		m = decode_exact(b, len, &msu);
		if (m != SW_MAL_NONE) {
			nmal++;
			assert_int_not_equal(msu.mal, SW_MAL_NONE);
		}
		if (msu.has & SW_HAS_SEGMENT)
			assert_true(msu.sccp.seg_remaining <= 15);
		assert_true(msu.sccp.cdpa.digits.len <= SW_DIGITS_MAX);
		assert_true(msu.sccp.cgpa.digits.len <= SW_DIGITS_MAX);
		assert_true(msu.sccp.data_off + msu.sccp.data_len <= len);
	}
	assert_true(nmal > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udt_gti4_odd_even),
		cmocka_unit_test(test_udt_gti2_gti1),
		cmocka_unit_test(test_udt_gti3),
		cmocka_unit_test(test_udt_pc_ssn),
		cmocka_unit_test(test_xudt_segmented),
		cmocka_unit_test(test_xudt_unsegmented),
		cmocka_unit_test(test_ludt),
		cmocka_unit_test(test_udts_xudts_cause),
		cmocka_unit_test(test_type_unknown),
		cmocka_unit_test(test_pointer_oob),
		cmocka_unit_test(test_param_len),
		cmocka_unit_test(test_segment_twice),
		cmocka_unit_test(test_addr_short),
		cmocka_unit_test(test_digits_long),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_capture_overflow_xudt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
