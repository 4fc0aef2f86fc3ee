/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BER TLV cursor (dataplane/decode/ber.h), X.690: identifier octets incl.
 * multi-octet tag numbers, short/long/indefinite lengths checked against the
 * container, end-of-contents search with its nesting cap, signed INTEGERs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/decode/ber.h"

/* Read one TLV from a whole buffer. */
static enum sw_mal
next_of(const uint8_t *b, uint32_t n, struct sw_ber_tlv *t, uint32_t *after)
{
	struct sw_cur c;
	enum sw_mal m;

	sw_cur_init(&c, b, 0, n);
	m = sw_ber_next(&c, t);
	if (after != NULL)
		*after = c.off;
	return m;
}

static void
test_short_length(void **state)
{
	(void)state;
	/* OCTET STRING, length 3, then one octet of the next TLV */
	static const uint8_t b[] = { 0x04, 0x03, 0xaa, 0xbb, 0xcc, 0x05 };
	struct sw_ber_tlv t;
	uint32_t after;

	assert_int_equal(next_of(b, sizeof(b), &t, &after), SW_MAL_NONE);
	assert_int_equal(t.id, 0x04);
	assert_int_equal(t.cls, SW_BER_CLASS_UNIVERSAL);
	assert_false(t.constructed);
	assert_false(t.indefinite);
	assert_int_equal(t.tag, 4);
	assert_int_equal(t.off, 0);
	assert_int_equal(t.val_off, 2);
	assert_int_equal(t.val_end, 5);
	assert_int_equal(t.end, 5);
	assert_int_equal(after, 5);
	assert_int_equal(sw_ber_len(&t), 3);
	assert_true(sw_ber_is(&t, 0x04));

	/* length 4 runs past the 5-octet container */
	assert_int_equal(next_of(b, 5, &t, NULL), SW_MAL_NONE);
	assert_int_equal(next_of(b, 4, &t, NULL), SW_MAL_TCAP_LEN);
	/* only the identifier */
	assert_int_equal(next_of(b, 1, &t, NULL), SW_MAL_TCAP_LEN);
	assert_int_equal(next_of(b, 0, &t, NULL), SW_MAL_TCAP_LEN);
}

static void
test_long_length(void **state)
{
	(void)state;
	uint8_t b[300];
	struct sw_ber_tlv t;

	/* 0x81 0x05: one length octet, value 5 */
	static const uint8_t l1[] = { 0x04, 0x81, 0x05, 1, 2, 3, 4, 5 };
	assert_int_equal(next_of(l1, sizeof(l1), &t, NULL), SW_MAL_NONE);
	assert_int_equal(sw_ber_len(&t), 5);
	assert_int_equal(t.val_off, 3);

	/* 0x82 0x01 0x00: 256 octets */
	memset(b, 0x11, sizeof(b));
	b[0] = 0x04;
	b[1] = 0x82;
	b[2] = 0x01;
	b[3] = 0x00;
	assert_int_equal(next_of(b, 4 + 256, &t, NULL), SW_MAL_NONE);
	assert_int_equal(sw_ber_len(&t), 256);
	assert_int_equal(t.end, 260);
	assert_int_equal(next_of(b, 4 + 255, &t, NULL), SW_MAL_TCAP_LEN);

	/* 0x84 with four length octets (value 3): accepted, non-minimal */
	static const uint8_t l4[] = { 0x04, 0x84, 0, 0, 0, 3, 7, 8, 9 };
	assert_int_equal(next_of(l4, sizeof(l4), &t, NULL), SW_MAL_NONE);
	assert_int_equal(sw_ber_len(&t), 3);
	assert_int_equal(t.val_off, 6);

	/* 0x84 with a huge value: beyond the container, no overflow */
	static const uint8_t lhuge[] = { 0x04, 0x84, 0xff, 0xff, 0xff, 0xff, 0 };
	assert_int_equal(next_of(lhuge, sizeof(lhuge), &t, NULL), SW_MAL_TCAP_LEN);

	/* 0x85: five length octets are refused */
	static const uint8_t l5[] = { 0x04, 0x85, 0, 0, 0, 0, 1, 0xaa };
	assert_int_equal(next_of(l5, sizeof(l5), &t, NULL), SW_MAL_TCAP_LEN);
	/* 0xff is reserved */
	static const uint8_t lff[] = { 0x04, 0xff, 0 };
	assert_int_equal(next_of(lff, sizeof(lff), &t, NULL), SW_MAL_TCAP_LEN);
	/* length octets truncated */
	assert_int_equal(next_of(l4, 4, &t, NULL), SW_MAL_TCAP_LEN);
}

static void
test_indefinite(void **state)
{
	(void)state;
	struct sw_ber_tlv t;
	uint32_t after;

	/* SEQUENCE (indefinite) { INTEGER 5, SEQUENCE (indefinite) { NULL } } EOC, then 0x05 0x00 */
	static const uint8_t b[] = {
		0x30, 0x80,             /* 0: SEQUENCE, indefinite */
		0x02, 0x01, 0x05,       /* 2: INTEGER 5 */
		0x30, 0x80,             /* 5: SEQUENCE, indefinite */
		0x05, 0x00,             /* 7: NULL */
		0x00, 0x00,             /* 9: EOC of the inner SEQUENCE */
		0x04, 0x02, 0x00, 0x00, /* 11: OCTET STRING 00 00 (not an EOC) */
		0x00, 0x00,             /* 15: EOC of the outer SEQUENCE */
		0x05, 0x00,             /* 17: next TLV */
	};
	assert_int_equal(next_of(b, sizeof(b), &t, &after), SW_MAL_NONE);
	assert_true(t.indefinite);
	assert_true(t.constructed);
	assert_int_equal(t.val_off, 2);
	assert_int_equal(t.val_end, 15);
	assert_int_equal(t.end, 17);
	assert_int_equal(after, 17);

	/* walk the contents: INTEGER, SEQUENCE (indefinite), OCTET STRING */
	struct sw_cur c, in;
	struct sw_ber_tlv x;
	int32_t v;

	sw_ber_contents(b, &t, &c);
	assert_int_equal(sw_ber_next(&c, &x), SW_MAL_NONE);
	assert_int_equal(sw_ber_int(b, &x, &v), SW_MAL_NONE);
	assert_int_equal(v, 5);
	assert_int_equal(sw_ber_next(&c, &x), SW_MAL_NONE);
	assert_true(x.indefinite);
	assert_int_equal(x.val_off, 7);
	assert_int_equal(x.val_end, 9);
	assert_int_equal(x.end, 11);
	sw_ber_contents(b, &x, &in);
	assert_int_equal(sw_ber_next(&in, &x), SW_MAL_NONE);
	assert_true(sw_ber_is(&x, SW_BER_NULL));
	assert_int_equal(sw_cur_left(&in), 0);
	assert_int_equal(sw_ber_next(&c, &x), SW_MAL_NONE);
	assert_true(sw_ber_is(&x, SW_BER_OCTET_STRING));
	assert_int_equal(sw_cur_left(&c), 0);

	/* missing outer EOC: container ends at 15 or 16 */
	assert_int_equal(next_of(b, 15, &t, NULL), SW_MAL_TCAP_INDEF);
	assert_int_equal(next_of(b, 16, &t, NULL), SW_MAL_TCAP_INDEF);
	/* every shorter container fails, none crashes */
	for (uint32_t n = 0; n < 17; n++)
		assert_int_not_equal(next_of(b, n, &t, NULL), SW_MAL_NONE);

	/* indefinite length on a primitive encoding is not allowed (X.690 8.1.3.2) */
	static const uint8_t prim[] = { 0x04, 0x80, 0x01, 0x00, 0x00 };
	assert_int_equal(next_of(prim, sizeof(prim), &t, NULL), SW_MAL_TCAP_LEN);

	/* a nested definite length running past the indefinite container */
	static const uint8_t bad[] = { 0x30, 0x80, 0x04, 0x05, 0x00, 0x00 };
	assert_int_equal(next_of(bad, sizeof(bad), &t, NULL), SW_MAL_TCAP_LEN);
}

static void
test_nesting_cap(void **state)
{
	(void)state;
	uint8_t b[64];
	struct sw_ber_tlv t;
	unsigned n = 0;

	/* d nested indefinite SEQUENCEs around a NULL */
	for (unsigned d = 1; d <= SW_BER_DEPTH_MAX + 1; d++) {
		n = 0;
		for (unsigned i = 0; i < d; i++) {
			b[n++] = 0x30;
			b[n++] = 0x80;
		}
		b[n++] = 0x05;
		b[n++] = 0x00;
		for (unsigned i = 0; i < d; i++) {
			b[n++] = 0x00;
			b[n++] = 0x00;
		}
		if (d <= SW_BER_DEPTH_MAX) {
			assert_int_equal(next_of(b, n, &t, NULL), SW_MAL_NONE);
			assert_int_equal(t.end, n);
		} else {
			assert_int_equal(next_of(b, n, &t, NULL), SW_MAL_TCAP_DEPTH);
		}
	}

	/* unterminated deep nesting: 30 80 repeated to the end */
	for (n = 0; n + 2 <= sizeof(b); n += 2) {
		b[n] = 0x30;
		b[n + 1] = 0x80;
	}
	assert_int_equal(next_of(b, sizeof(b), &t, NULL), SW_MAL_TCAP_DEPTH);
}

static void
test_multibyte_tag(void **state)
{
	(void)state;
	struct sw_ber_tlv t;

	/* [31] primitive context: 9f 1f, length 1 */
	static const uint8_t t31[] = { 0x9f, 0x1f, 0x01, 0xaa };
	assert_int_equal(next_of(t31, sizeof(t31), &t, NULL), SW_MAL_NONE);
	assert_int_equal(t.cls, SW_BER_CLASS_CONTEXT);
	assert_false(t.constructed);
	assert_int_equal(t.tag, 31);
	assert_int_equal(t.val_off, 3);
	assert_false(sw_ber_is(&t, 0x9f)); /* multi-octet tags never match a single octet */

	/* [200] constructed: bf 81 48 (200 = 1*128 + 72), length 0 */
	static const uint8_t t200[] = { 0xbf, 0x81, 0x48, 0x00 };
	assert_int_equal(next_of(t200, sizeof(t200), &t, NULL), SW_MAL_NONE);
	assert_true(t.constructed);
	assert_int_equal(t.tag, 200);
	assert_int_equal(t.end, 4);

	/* 4 subsequent octets are the maximum (28 bits) */
	static const uint8_t t4[] = { 0x9f, 0xff, 0xff, 0xff, 0x7f, 0x00 };
	assert_int_equal(next_of(t4, sizeof(t4), &t, NULL), SW_MAL_NONE);
	assert_int_equal(t.tag, 0x0fffffff);
	static const uint8_t t5[] = { 0x9f, 0x81, 0x81, 0x81, 0x81, 0x01, 0x00 };
	assert_int_equal(next_of(t5, sizeof(t5), &t, NULL), SW_MAL_TCAP_TAG);
	/* tag number truncated */
	assert_int_equal(next_of(t200, 2, &t, NULL), SW_MAL_TCAP_LEN);
}

static void
test_integer(void **state)
{
	(void)state;
	static const struct {
		uint8_t b[8];
		uint32_t n;
		enum sw_mal m;
		int32_t v;
	} v[] = {
		{ { 0x02, 0x01, 0x00 }, 3, SW_MAL_NONE, 0 },
		{ { 0x02, 0x01, 0x7f }, 3, SW_MAL_NONE, 127 },
		{ { 0x02, 0x01, 0x80 }, 3, SW_MAL_NONE, -128 },
		{ { 0x02, 0x01, 0xff }, 3, SW_MAL_NONE, -1 },
		{ { 0x02, 0x02, 0x00, 0x80 }, 4, SW_MAL_NONE, 128 },
		{ { 0x02, 0x02, 0xfd, 0x66 }, 4, SW_MAL_NONE, -666 },
		{ { 0x02, 0x03, 0x01, 0x00, 0x00 }, 5, SW_MAL_NONE, 65536 },
		{ { 0x02, 0x04, 0x7f, 0xff, 0xff, 0xff }, 6, SW_MAL_NONE, INT32_MAX },
		{ { 0x02, 0x04, 0x80, 0x00, 0x00, 0x00 }, 6, SW_MAL_NONE, INT32_MIN },
		{ { 0x02, 0x05, 0x00, 0x00, 0x00, 0x00, 0x01 }, 7, SW_MAL_TCAP_INT_LONG, 0 },
		{ { 0x02, 0x00 }, 2, SW_MAL_TCAP_LEN, 0 },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct sw_ber_tlv t;
		int32_t x = 12345;

		assert_int_equal(next_of(v[i].b, v[i].n, &t, NULL), SW_MAL_NONE);
		assert_int_equal(sw_ber_int(v[i].b, &t, &x), v[i].m);
		if (v[i].m == SW_MAL_NONE)
			assert_int_equal(x, v[i].v);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_length),
		cmocka_unit_test(test_long_length),
		cmocka_unit_test(test_indefinite),
		cmocka_unit_test(test_nesting_cap),
		cmocka_unit_test(test_multibyte_tag),
		cmocka_unit_test(test_integer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
