/* SPDX-License-Identifier: BSD-3-Clause */
/* sigwall-gen encoders: CRC32c vectors, BCD, BER length forms, SCCP pointers, M3UA, ISUP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/enforce/enforce.h"
#include "gen.h"
#include "dataplane/proto/map.h"

/* RFC 3720 B.4 CRC32c test vectors (the iSCSI polynomial is SCTP's): the generator signs its
 * packets with the enforcer's sw_crc32c. */
static void
test_crc32c_vectors(void **state)
{
	uint8_t b[32];
	int i;

	(void)state;
	memset(b, 0, 32);
	assert_int_equal(sw_crc32c(b, 32), 0x8a9136aa);
	memset(b, 0xff, 32);
	assert_int_equal(sw_crc32c(b, 32), 0x62a8ab43);
	for (i = 0; i < 32; i++)
		b[i] = (uint8_t)i;
	assert_int_equal(sw_crc32c(b, 32), 0x46dd794e);
	for (i = 0; i < 32; i++)
		b[i] = (uint8_t)(31 - i);
	assert_int_equal(sw_crc32c(b, 32), 0x113fdb5c);
}

static void
test_bcd(void **state)
{
	uint8_t v[8];

	(void)state;
	assert_int_equal(sw_gen_bcd(v, "12345", 0xf), 3);
	assert_int_equal(v[0], 0x21);
	assert_int_equal(v[1], 0x43);
	assert_int_equal(v[2], 0xf5);
	assert_int_equal(sw_gen_bcd(v, "2782", 0x0), 2);
	assert_int_equal(v[0], 0x72);
	assert_int_equal(v[1], 0x28);
}

static void
fill_begin(struct sw_gen_tcap *t, struct sw_gen_sub *s)
{
	memset(t, 0, sizeof(*t));
	memset(s, 0, sizeof(*s));
	strcpy(s->imsi, "655011234567890");
	strcpy(s->msisdn, "27821234567");
	strcpy(s->node_a, "27820000020");
	strcpy(s->node_b, "27820000010");
	t->type = SW_GEN_BEGIN;
	t->dlg = SW_GEN_DLG_AARQ;
	t->acn = MAP_AC_INFO_RETRIEVAL;
	t->acn_ver = 3;
	t->otid = 0x01020304;
	t->ncomp = 1;
	t->comp[0].type = SW_GEN_INVOKE;
	t->comp[0].iid = 1;
	t->comp[0].op = MAP_OP_SEND_AUTHENTICATION_INFO;
}

/* Walk a definite-length BER TLV; returns content offset and sets *len. */
static size_t
ber_hdr(const uint8_t *p, size_t *len)
{
	if (p[1] < 0x80) {
		*len = p[1];
		return 2;
	}
	if (p[1] == 0x81) {
		*len = p[2];
		return 3;
	}
	*len = (size_t)p[2] << 8 | p[3];
	return 4;
}

static void
test_tcap_length_forms(void **state)
{
	uint8_t buf[1024];
	struct sw_gen_bb b;
	struct sw_gen_tcap t;
	struct sw_gen_sub s;
	size_t n_min, n_long, len, off;

	(void)state;
	fill_begin(&t, &s);
	sw_gen_bb_init(&b, buf, sizeof(buf));
	sw_gen_tcap(&b, &t, &s);
	n_min = sw_gen_bb_len(&b);
	assert_int_equal(b.p[0], 0x62); /* Begin */
	off = ber_hdr(b.p, &len);
	assert_int_equal(off + len, n_min); /* outer length covers the message exactly */
	assert_int_equal(b.p[off], 0x48);   /* otid */
	assert_int_equal(b.p[off + 1], 4);
	assert_memory_equal(b.p + off + 2, "\x01\x02\x03\x04", 4);

	t.lenmode = SW_GEN_BLEN_LONG;
	sw_gen_bb_init(&b, buf, sizeof(buf));
	sw_gen_tcap(&b, &t, &s);
	n_long = sw_gen_bb_len(&b);
	assert_true(n_long > n_min);
	assert_int_equal(b.p[1], 0x81); /* long form even though short would do */
	off = ber_hdr(b.p, &len);
	assert_int_equal(off + len, n_long);
	assert_int_equal(b.p[off + 1], 0x81); /* otid length in long form too */

	t.lenmode = SW_GEN_BLEN_INDEF;
	sw_gen_bb_init(&b, buf, sizeof(buf));
	sw_gen_tcap(&b, &t, &s);
	assert_int_equal(b.p[0], 0x62);
	assert_int_equal(b.p[1], 0x80);	   /* indefinite */
	assert_int_equal(b.end[-1], 0x00); /* ends with end-of-contents */
	assert_int_equal(b.end[-2], 0x00);
}

static void
test_tcap_malformations(void **state)
{
	uint8_t buf[1024];
	struct sw_gen_bb b;
	struct sw_gen_tcap t;
	struct sw_gen_sub s;
	size_t n, len, off;

	(void)state;
	fill_begin(&t, &s);
	t.mal = SW_GEN_MAL_TRUNC;
	sw_gen_bb_init(&b, buf, sizeof(buf));
	sw_gen_tcap(&b, &t, &s);
	n = sw_gen_bb_len(&b);
	off = ber_hdr(b.p, &len);
	assert_true(off + len > n); /* the outer length overflows what is left */

	fill_begin(&t, &s);
	t.mal = SW_GEN_MAL_NEG_OPCODE;
	sw_gen_bb_init(&b, buf, sizeof(buf));
	sw_gen_tcap(&b, &t, &s);
	assert_non_null(memmem(b.p, sw_gen_bb_len(&b), "\x02\x02\xfd\x66", 4)); /* -666 */
}

static void
test_sccp_udt_xudt(void **state)
{
	uint8_t buf[512], data[3] = {0xaa, 0xbb, 0xcc};
	struct sw_gen_bb b;
	struct sw_gen_sccp_addr cd = {"27820000010", 6, 4}, cg = {"336090123456", 7, 4};
	const uint8_t *m;

	(void)state;
	sw_gen_bb_init(&b, buf, sizeof(buf));
	b.p -= 3;
	memcpy(b.p, data, 3);
	sw_gen_sccp_udt(&b, &cd, &cg);
	m = b.p;
	assert_int_equal(m[0], 0x09);
	assert_int_equal(m[2 + m[2]], 5 + 6);	 /* called: AI SSN TT NP NAI + 6 BCD */
	assert_int_equal(m[2 + m[2] + 1], 0x12); /* GTI 4, SSN present */
	assert_int_equal(m[2 + m[2] + 4], 0x11); /* E.164, BCD odd */
	assert_int_equal(m[3 + m[3] + 4], 0x12); /* calling: 12 digits, BCD even */
	assert_int_equal(m[4 + m[4]], 3);	 /* data length */
	assert_memory_equal(m + 4 + m[4] + 1, data, 3);
	assert_int_equal(4 + m[4] + 1 + 3, sw_gen_bb_len(&b));

	sw_gen_bb_init(&b, buf, sizeof(buf));
	sw_gen_sccp_xudt(&b, &cd, &cg, data, 3, 1, 1, 0x123456);
	m = b.p;
	assert_int_equal(m[0], 0x11);
	assert_int_equal(m[2], 0x0f); /* hop counter */
	assert_int_equal(m[5 + m[5]], 3);
	assert_memory_equal(m + 5 + m[5] + 1, data, 3);
	assert_int_equal(m[6 + m[6]], 0x10);		    /* Segmentation */
	assert_int_equal(m[6 + m[6] + 2], 0x80 | 0x40 | 1); /* first, class 1, 1 remaining */
	assert_int_equal(m[6 + m[6] + 6], 0x00);	    /* end of optional part */
	assert_int_equal(6 + m[6] + 7, sw_gen_bb_len(&b));
}

static void
test_m3ua_isup(void **state)
{
	uint8_t buf[512];
	struct sw_gen_bb b;
	const uint8_t *m;
	size_t n;

	(void)state;
	sw_gen_bb_init(&b, buf, sizeof(buf));
	sw_gen_isup_iam(&b, 0x123, "27821234567", "336091234567");
	n = sw_gen_bb_len(&b);
	m = b.p;
	assert_int_equal(m[0], 0x23);
	assert_int_equal(m[1], 0x01);
	assert_int_equal(m[2], 0x01);		 /* IAM */
	assert_int_equal(m[9 + m[9]], 0x0a);	 /* calling party number first optional */
	assert_int_equal(m[9 + m[9] + 2], 0x04); /* 12 digits: even, international */
	assert_int_equal(m[n - 1], 0x00);	 /* end of optional parameters */
	sw_gen_m3ua_data(&b, 101, 4001, 1002, 5, 3);
	m = b.p;
	assert_int_equal(sw_gen_bb_len(&b) % 4, 0);
	assert_int_equal((size_t)(m[4] << 24 | m[5] << 16 | m[6] << 8 | m[7]), sw_gen_bb_len(&b));
	assert_int_equal(m[16] << 8 | m[17], 0x0210);
	assert_int_equal(m[18] << 8 | m[19], 16 + n); /* parameter length excludes padding */
	assert_int_equal(m[28], 5);
	assert_int_equal(m[31], 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c_vectors),	  cmocka_unit_test(test_bcd),
		cmocka_unit_test(test_tcap_length_forms), cmocka_unit_test(test_tcap_malformations),
		cmocka_unit_test(test_sccp_udt_xudt),	  cmocka_unit_test(test_m3ua_isup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
