/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ISUP decoder (dataplane/decode/isup.c) against hand-built Q.763 messages.
 * Offsets in the comments are from the first octet of the MTP3 user data (the CIC).
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

/* IAM with called party number (odd digits) and calling party number (even digits). */
static const uint8_t iam[] = {
	0x15, 0x01,       /* 0: CIC 0x115 = 277, least significant octet first */
	0x01,             /* 2: message type IAM */
	0x00,             /* 3: nature of connection indicators, Q.763 3.35 */
	0x60, 0x01,       /* 4: forward call indicators, Q.763 3.23 */
	0x0a,             /* 6: calling party's category: ordinary subscriber, Q.763 3.11 */
	0x00,             /* 7: transmission medium requirement: speech, Q.763 3.54 */
	0x02,             /* 8: pointer to called party number -> 10 */
	0x0a,             /* 9: pointer to optional part -> 19 */
	/* 10: called party number, Q.763 3.9 */
	0x08,             /* length 8 */
	0x84,             /* odd, NAI 4 (international) */
	0x10,             /* INN 0, NPI 1 (E.164) */
	0x72, 0x28, 0x21, 0x43, 0x65, 0x07, /* digits 27821234567, filler 0 */
	/* 19: optional part */
	0x08,             /* optional forward call indicators, Q.763 3.38 */
	0x01,             /* length 1 */
	0x00,
	0x0a,             /* 22: calling party number, Q.763 3.10 */
	0x08,             /* length 8 */
	0x04,             /* even, NAI 4 */
	0x17,             /* NI 0, NPI 1, presentation restricted (1), screening 3 (network) */
	0x94, 0x71, 0x02, 0x00, 0x00, 0x10, /* digits 491720000001 */
	0x00,             /* 32: end of optional parameters */
};

/* REL with the highest 12-bit CIC; spare CIC bits set. */
static const uint8_t rel[] = {
	0xff, 0xff,       /* 0: CIC 0xfff (4 spare bits set) */
	0x0c,             /* 2: message type REL */
	0x02,             /* 3: pointer to cause indicators -> 5 */
	0x00,             /* 4: no optional part */
	0x02,             /* 5: cause indicators, length 2, Q.763 3.12 */
	0x80, 0x90,       /* location user, cause 16 normal call clearing */
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
	m = sw_isup_decode(p, 0, (uint32_t)len, msu);
	free(p);
	return m;
}

static enum sw_mal
decode_patched(const uint8_t *v, size_t len, size_t at, uint8_t val, struct sw_msu *msu)
{
	uint8_t b[256];

	assert_true(len <= sizeof(b) && at < len);
	memcpy(b, v, len);
	b[at] = val;
	return decode_exact(b, len, msu);
}

static void
test_iam(void **state)
{
	struct sw_msu msu;

	(void)state;
	assert_int_equal(decode_exact(iam, sizeof(iam), &msu), SW_MAL_NONE);
	assert_int_equal(msu.mal, SW_MAL_NONE);
	assert_true(msu.has & SW_HAS_ISUP);
	assert_int_equal(msu.isup.cic, 277);
	assert_int_equal(msu.isup.type, 0x01);
	assert_string_equal(sw_isup_type_name(msu.isup.type), "IAM");

	assert_true(msu.isup.cdpn.present);
	assert_int_equal(msu.isup.cdpn.nai, 4);
	assert_int_equal(msu.isup.cdpn.npi, 1);
	assert_int_equal(msu.isup.cdpn.digits.len, 11);
	assert_string_equal(msu.isup.cdpn.digits.d, "27821234567");

	assert_true(msu.isup.cgpn.present);
	assert_int_equal(msu.isup.cgpn.nai, 4);
	assert_int_equal(msu.isup.cgpn.npi, 1);
	assert_int_equal(msu.isup.cgpn.presentation, 1);
	assert_int_equal(msu.isup.cgpn.screening, 3);
	assert_int_equal(msu.isup.cgpn.digits.len, 12);
	assert_string_equal(msu.isup.cgpn.digits.d, "491720000001");
}

static void
test_iam_without_optional(void **state)
{
	struct sw_msu msu;

	(void)state;
	/* optional pointer 0: the calling party number is absent, not an error */
	assert_int_equal(decode_patched(iam, sizeof(iam), 9, 0x00, &msu), SW_MAL_NONE);
	assert_true(msu.isup.cdpn.present);
	assert_false(msu.isup.cgpn.present);
}

static void
test_rel(void **state)
{
	struct sw_msu msu;

	(void)state;
	assert_int_equal(decode_exact(rel, sizeof(rel), &msu), SW_MAL_NONE);
	assert_true(msu.has & SW_HAS_ISUP);
	assert_int_equal(msu.isup.cic, 0xfff);
	assert_int_equal(msu.isup.type, 0x0c);
	assert_string_equal(sw_isup_type_name(msu.isup.type), "REL");
	assert_false(msu.isup.cdpn.present);
	assert_false(msu.isup.cgpn.present);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(sw_isup_type_name(0x06), "ACM");
	assert_string_equal(sw_isup_type_name(0x09), "ANM");
	assert_string_equal(sw_isup_type_name(0x10), "RLC");
	assert_string_equal(sw_isup_type_name(0x2c), "CPG");
	assert_string_equal(sw_isup_type_name(0x0d), "SUS");
	assert_string_equal(sw_isup_type_name(0x0e), "RES");
	assert_string_equal(sw_isup_type_name(0x17), "GRS");
	assert_string_equal(sw_isup_type_name(0x1a), "CGBA");
	assert_string_equal(sw_isup_type_name(0x41), "APM");
	assert_string_equal(sw_isup_type_name(0x43), "SDN");
	assert_null(sw_isup_type_name(0x00));
	assert_null(sw_isup_type_name(0x0a)); /* reserved */
	assert_null(sw_isup_type_name(0xff));
}

static void
test_malformed(void **state)
{
	struct sw_msu msu;
	uint8_t b[64];

	(void)state;
	/* called party number pointer 0 */
	assert_int_equal(decode_patched(iam, sizeof(iam), 8, 0x00, &msu), SW_MAL_ISUP_PTR_OOB);
	assert_int_equal(msu.mal, SW_MAL_ISUP_PTR_OOB);
	/* called party number pointer past the end */
	assert_int_equal(decode_patched(iam, sizeof(iam), 8, 0xf0, &msu), SW_MAL_ISUP_PTR_OOB);
	/* optional part pointer exactly one past the end */
	assert_int_equal(decode_patched(iam, sizeof(iam), 9, (uint8_t)(sizeof(iam) - 9), &msu),
			 SW_MAL_ISUP_PTR_OOB);
	/* called party number pointer onto the optional pointer */
	assert_int_equal(decode_patched(iam, sizeof(iam), 8, 0x01, &msu), SW_MAL_ISUP_PTR_OOB);
	/* called party number length beyond the message */
	assert_int_equal(decode_patched(iam, sizeof(iam), 10, 0x30, &msu), SW_MAL_ISUP_PARAM_LEN);
	assert_int_equal(msu.mal, SW_MAL_ISUP_PARAM_LEN);
	/* called party number length 1: no room for octet 2 */
	assert_int_equal(decode_patched(iam, sizeof(iam), 10, 0x01, &msu), SW_MAL_ISUP_PARAM_LEN);
	/* calling party number length beyond the message */
	assert_int_equal(decode_patched(iam, sizeof(iam), 23, 0x0a, &msu), SW_MAL_ISUP_PARAM_LEN);
	assert_true(msu.isup.cdpn.present); /* decoded before the failure, kept */
	/* optional parameter name without its length where the end octet should be */
	assert_int_equal(decode_patched(iam, sizeof(iam), sizeof(iam) - 1, 0x31, &msu),
			 SW_MAL_ISUP_PARAM_LEN);
	/* unterminated optional part: the end octet missing */
	assert_int_equal(decode_exact(iam, sizeof(iam) - 1, &msu), SW_MAL_ISUP_OPT_PARAM);
	assert_string_equal(msu.isup.cgpn.digits.d, "491720000001");
	/* a second calling party number: the optional forward call indicators renamed */
	memcpy(b, iam, sizeof(iam));
	memmove(b + 23, b + 22, sizeof(iam) - 22);
	b[19] = 0x0a;     /* calling party number */
	b[20] = 0x02;     /* length 2: no digits */
	b[21] = 0x03;     /* even, NAI 3 */
	b[22] = 0x10;     /* NPI 1 */
	assert_int_equal(decode_exact(b, sizeof(iam) + 1, &msu), SW_MAL_ISUP_OPT_PARAM);
	assert_int_equal(msu.isup.cgpn.nai, 3);
	/* called party number of 17 octets of digits: 34 digits */
	memcpy(b, iam, 10);
	b[9] = 0x00;      /* no optional part */
	b[10] = 2 + 17;   /* length */
	b[11] = 0x04;     /* even, NAI 4 */
	b[12] = 0x10;     /* NPI 1 */
	memset(b + 13, 0x11, 17);
	assert_int_equal(decode_exact(b, 13 + 17, &msu), SW_MAL_ISUP_DIGITS_LONG);
	assert_int_equal(msu.mal, SW_MAL_ISUP_DIGITS_LONG);
	/* 16 octets = 32 digits fit */
	b[10] = 2 + 16;
	assert_int_equal(decode_exact(b, 13 + 16, &msu), SW_MAL_NONE);
	assert_int_equal(msu.isup.cdpn.digits.len, 32);
}

static void
test_truncation(void **state)
{
	struct sw_msu msu;

	(void)state;
	/* every strict prefix of the IAM is malformed and never read past */
	for (size_t n = 0; n < sizeof(iam); n++) {
		enum sw_mal m = decode_exact(iam, n, &msu);

		if (m == SW_MAL_NONE || sw_mal_layer(m) != SW_LAYER_ISUP)
			fail_msg("IAM prefix of %zu octets: %s", n, sw_mal_name(m));
		assert_int_equal(msu.mal, m);
		if (n >= 3)
			assert_int_equal(msu.isup.cic, 277);
	}
	/* a REL is only type and CIC: the first 3 octets are needed, the rest is not read */
	for (size_t n = 0; n <= sizeof(rel); n++) {
		enum sw_mal m = decode_exact(rel, n, &msu);

		assert_int_equal(m, n < 3 ? SW_MAL_ISUP_SHORT : SW_MAL_NONE);
		assert_int_equal(msu.mal, m);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iam),
		cmocka_unit_test(test_iam_without_optional),
		cmocka_unit_test(test_rel),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
