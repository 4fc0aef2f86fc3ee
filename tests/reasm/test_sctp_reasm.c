/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SCTP user-message fragmentation (dataplane/reasm/sctp.c, issue 14 Deliver 2 and 4): an M3UA
 * message cut over DATA chunks with consecutive TSNs, decoded from whole frames as the judge
 * decodes them (sw_decode_packet + sw_decode_msu), in order and in every order; retransmissions;
 * every bad input with its named reason; an SCCP segment inside a fragmented message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/proto/sctp.h"
#include "dataplane/reasm/reasm.h"
#include "seg_build.h"

#define CG "491720123456" /* PartnerDE */
#define CD "27820000020"
#define SEC 1000000000ull

struct t_frag {
	uint8_t f[1024];
	uint32_t len;
};

static struct sw_msu msu;
static struct sw_pkt pkt;
static struct t_seg m3ua; /* the M3UA message fragmented */

static int
setup(void **state)
{
	uint8_t tc[1024];
	size_t n = t_isd_tcap(tc, sizeof(tc), "262021234567890", 0x22334455);

	(void)state;
	t_udt(&m3ua, CG, CD, 4001, tc, n);
	return m3ua.len > 100 ? 0 : -1;
}

static struct sw_reasm *
new_table(uint8_t max_pieces)
{
	struct sw_reasm_conf c = { .entries = 256, .timeout_ns = 10 * SEC,
				   .max_pieces = max_pieces };
	struct sw_reasm *r = sw_reasm_new(&c);

	assert_non_null(r);
	sw_reasm_set_sctp(r, true);
	return r;
}

/* Cut m[0..n) into k fragments, TSNs tsn0.., SSN ssn (flags: B on the first, E on the last). */
static void
cut(struct t_frag *fr, unsigned k, const uint8_t *m, uint32_t n, uint32_t tsn0, uint16_t ssn,
    uint8_t extra)
{
	uint32_t per = (n + k - 1) / k, off = 0;

	for (unsigned i = 0; i < k; i++) {
		uint32_t len = off + per > n ? n - off : per;
		uint8_t fl = (uint8_t)((i == 0 ? SCTP_DATA_B : 0) | (i == k - 1 ? SCTP_DATA_E : 0) |
				       extra);

		fr[i].len = t_frame_raw(fr[i].f, m + off, len, tsn0 + i, ssn, fl);
		off += len;
	}
}

/* Decode frame fr as the judge does and feed its chunk; verdict (drop, rule 9) recorded. */
static enum sw_reasm_res
feed(struct sw_reasm *r, const struct t_frag *fr, uint64_t t, struct sw_reasm_out *o)
{
	struct sw_reasm_out tmp;
	enum sw_reasm_res res;

	if (o == NULL)
		o = &tmp;
	assert_int_equal(sw_decode_packet(fr->f, fr->len, SW_LINK_ETH, &pkt), SW_MAL_NONE);
	sw_decode_msu(fr->f, &pkt, 0, &msu);
	assert_int_equal(msu.mal, SW_MAL_SCTP_DATA_FRAGMENT);
	res = sw_reasm_msu(r, fr->f, &pkt, &msu, 0, t, o);
	if (res == SW_REASM_PENDING)
		assert_int_equal(msu.mal, SW_MAL_NONE);
	if (res == SW_REASM_COMPLETE || res == SW_REASM_FAIL) {
		struct sw_reasm_verdict v = { .action = 1, .rule = 9, .mal = (uint16_t)msu.mal };

		sw_reasm_verdict(r, o, &v);
	}
	return res;
}

static void
assert_whole(const struct sw_reasm_out *o, unsigned pieces)
{
	assert_int_equal(o->len, m3ua.len);
	assert_memory_equal(o->buf, m3ua.buf + m3ua.off, m3ua.len);
	assert_int_equal(o->npieces, pieces);
	assert_int_equal(msu.mal, SW_MAL_NONE);
	assert_int_equal(msu.m3ua.opc, 4001);
	assert_true(msu.has & SW_HAS_TCAP);
	assert_int_equal(msu.tcap.comp[0].opcode, MAP_OP_INSERT_SUBSCRIBER_DATA);
	assert_string_equal(msu.map.imsi.d, "262021234567890");
}

static void
test_in_order(void **state)
{
	struct t_frag fr[3];
	struct sw_reasm *r = new_table(16);
	struct sw_reasm_out o;

	(void)state;
	cut(fr, 3, m3ua.buf + m3ua.off, m3ua.len, 100, 7, 0);
	assert_int_equal(feed(r, &fr[0], 1, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &fr[1], 1, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &fr[2], 1, &o), SW_REASM_COMPLETE);
	assert_whole(&o, 3);
	sw_reasm_free(r);
}

static void
test_any_order(void **state)
{
	static const unsigned perm[6][3] = { {0,1,2}, {0,2,1}, {1,0,2}, {1,2,0}, {2,0,1}, {2,1,0} };
	struct t_frag fr[3];
	struct sw_reasm *r = new_table(16);
	struct sw_reasm_out o;

	(void)state;
	for (unsigned p = 0; p < 6; p++) {
		/* TSNs across the wrap of 2^32 for some orders (RFC 9260 1.6) */
		cut(fr, 3, m3ua.buf + m3ua.off, m3ua.len, 0xfffffffeu + 10 * p, (uint16_t)p,
		    p & 1 ? SCTP_DATA_U : 0);
		assert_int_equal(feed(r, &fr[perm[p][0]], 1, NULL), SW_REASM_PENDING);
		assert_int_equal(feed(r, &fr[perm[p][1]], 1, NULL), SW_REASM_PENDING);
		assert_int_equal(feed(r, &fr[perm[p][2]], 1, &o), SW_REASM_COMPLETE);
		assert_whole(&o, 3);
	}
	sw_reasm_free(r);
}

/* Retransmissions: before completion held again, after it the message's verdict. */
static void
test_retransmission(void **state)
{
	struct t_frag fr[2];
	struct sw_reasm *r = new_table(16);
	struct sw_reasm_out o;

	(void)state;
	cut(fr, 2, m3ua.buf + m3ua.off, m3ua.len, 500, 1, 0);
	assert_int_equal(feed(r, &fr[0], 1, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &fr[0], 1, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &fr[1], 1, NULL), SW_REASM_COMPLETE);
	assert_int_equal(feed(r, &fr[1], 2, &o), SW_REASM_KNOWN); /* the E fragment again */
	assert_int_equal(o.known.action, 1);
	assert_int_equal(o.known.rule, 9);
	assert_int_equal(feed(r, &fr[0], 2, &o), SW_REASM_KNOWN);
	sw_reasm_free(r);
}

/* The same TSN with other octets (overlap), before and after completion. */
static void
test_conflict(void **state)
{
	struct t_frag fr[3], x;
	struct sw_reasm *r = new_table(16);
	struct sw_reasm_out o;
	uint8_t other[64];

	(void)state;
	memset(other, 0x77, sizeof(other));
	cut(fr, 3, m3ua.buf + m3ua.off, m3ua.len, 600, 2, 0);
	x.len = t_frame_raw(x.f, other, sizeof(other), 601, 2, 0);
	assert_int_equal(feed(r, &fr[1], 1, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &x, 1, NULL), SW_REASM_FAIL);
	assert_int_equal(msu.mal, SW_MAL_SCTP_REASM_CONFLICT);
	assert_int_equal(feed(r, &fr[2], 1, &o), SW_REASM_KNOWN);
	assert_int_equal(o.known.mal, SW_MAL_SCTP_REASM_CONFLICT);
	cut(fr, 3, m3ua.buf + m3ua.off, m3ua.len, 700, 3, 0);
	x.len = t_frame_raw(x.f, other, sizeof(other), 702, 3, SCTP_DATA_E);
	for (unsigned i = 0; i < 3; i++)
		feed(r, &fr[i], 1, NULL);
	assert_int_equal(feed(r, &x, 1, NULL), SW_REASM_FAIL); /* a duplicate final piece */
	assert_int_equal(msu.mal, SW_MAL_SCTP_REASM_CONFLICT);
	sw_reasm_free(r);
}

/* Fragments that disagree with their message. */
static void
test_inconsistent(void **state)
{
	struct t_frag fr[3], x;
	struct sw_reasm *r = new_table(16);
	uint8_t d[16] = { 0 };

	(void)state;
	/* a second B fragment at another TSN */
	cut(fr, 3, m3ua.buf + m3ua.off, m3ua.len, 800, 4, 0);
	x.len = t_frame_raw(x.f, d, sizeof(d), 801, 4, SCTP_DATA_B);
	assert_int_equal(feed(r, &fr[0], 1, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &x, 1, NULL), SW_REASM_FAIL);
	assert_int_equal(msu.mal, SW_MAL_SCTP_REASM_INCONSISTENT);
	/* a fragment before B */
	cut(fr, 3, m3ua.buf + m3ua.off, m3ua.len, 900, 5, 0);
	x.len = t_frame_raw(x.f, d, sizeof(d), 899, 5, 0);
	assert_int_equal(feed(r, &fr[0], 1, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &x, 1, NULL), SW_REASM_FAIL);
	assert_int_equal(msu.mal, SW_MAL_SCTP_REASM_INCONSISTENT);
	/* a fragment after E */
	cut(fr, 3, m3ua.buf + m3ua.off, m3ua.len, 1000, 6, 0);
	x.len = t_frame_raw(x.f, d, sizeof(d), 1003, 6, 0);
	assert_int_equal(feed(r, &fr[2], 1, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &x, 1, NULL), SW_REASM_FAIL);
	assert_int_equal(msu.mal, SW_MAL_SCTP_REASM_INCONSISTENT);
	/* another PPID */
	cut(fr, 3, m3ua.buf + m3ua.off, m3ua.len, 1100, 7, 0);
	fr[1].f[14 + 20 + 12 + 15] = 46;
	assert_int_equal(feed(r, &fr[0], 1, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &fr[1], 1, NULL), SW_REASM_FAIL);
	assert_int_equal(msu.mal, SW_MAL_SCTP_REASM_INCONSISTENT);
	sw_reasm_free(r);
}

/* More fragments than the limit, a message too long, a timeout in the middle. */
static void
test_limits(void **state)
{
	static uint8_t big[5000];
	struct t_frag fr[16];
	struct sw_reasm *r = new_table(4);

	(void)state;
	cut(fr, 5, m3ua.buf + m3ua.off, m3ua.len, 1200, 8, 0);
	assert_int_equal(feed(r, &fr[0], 1, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &fr[4], 1, NULL), SW_REASM_FAIL);
	assert_int_equal(msu.mal, SW_MAL_SCTP_REASM_SEGMENTS);
	sw_reasm_free(r);
	r = new_table(16);
	memset(big, 0x11, sizeof(big));
	cut(fr, 8, big, 4800, 1300, 9, 0); /* 600 octets each: 4,800 > 4,400 */
	for (unsigned i = 0; i < 7; i++)
		assert_int_equal(feed(r, &fr[i], 1, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &fr[7], 1, NULL), SW_REASM_FAIL);
	assert_int_equal(msu.mal, SW_MAL_SCTP_REASM_LONG);
	cut(fr, 3, m3ua.buf + m3ua.off, m3ua.len, 1400, 10, 0);
	assert_int_equal(feed(r, &fr[0], 1 * SEC, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &fr[1], 12 * SEC, NULL), SW_REASM_FAIL);
	assert_int_equal(msu.mal, SW_MAL_SCTP_REASM_TIMEOUT);
	assert_int_equal(feed(r, &fr[2], 12 * SEC, NULL), SW_REASM_KNOWN);
	sw_reasm_free(r);
}

/* A flood of fragments of random streams and SSNs: bounded, counted, no message lost. */
static void
test_flood(void **state)
{
	struct t_frag fr[2], x;
	struct sw_reasm *r = new_table(16); /* 256 / 4 = 64 SCTP entries */
	struct sw_reasm_out o;
	uint64_t seed = 12345;
	unsigned full = 0;
	uint8_t d[8] = { 0 };

	(void)state;
	cut(fr, 2, m3ua.buf + m3ua.off, m3ua.len, 2000, 11, 0);
	assert_int_equal(feed(r, &fr[0], 1, NULL), SW_REASM_PENDING);
	for (unsigned i = 0; i < 5000; i++) {
		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		x.len = t_frame_raw(x.f, d, sizeof(d), (uint32_t)seed, (uint16_t)(seed >> 32), 0);
		if (feed(r, &x, 2, NULL) == SW_REASM_FAIL) {
			/* or two of them under one SSN, too far apart */
			assert_true(msu.mal == SW_MAL_SCTP_REASM_FULL ||
				    msu.mal == SW_MAL_SCTP_REASM_SEGMENTS);
			full += msu.mal == SW_MAL_SCTP_REASM_FULL;
		}
	}
	assert_true(full > 4500);
	assert_int_equal(feed(r, &fr[1], 3, &o), SW_REASM_COMPLETE);
	assert_whole(&o, 2);
	sw_reasm_free(r);
}

/*
 * An SCCP segment inside a fragmented M3UA message: the SCTP message is whole on its E fragment,
 * its SCCP segment is then held (the E fragment passes), and the SCCP message completes with the
 * next segment; a retransmitted fragment of the first gets what that SCTP message got (held).
 */
static void
test_sccp_in_sctp(void **state)
{
	uint8_t tc[1024];
	size_t n = t_isd_tcap(tc, sizeof(tc), "262021234567890", 0x33445566);
	struct t_seg s[2];
	struct t_frag fr[2], w;
	struct sw_reasm *r = new_table(16);
	struct sw_reasm_out o;

	(void)state;
	t_cut(s, 2, CG, CD, 4001, 0x4242, tc, n);
	cut(fr, 2, s[0].buf + s[0].off, s[0].len, 3000, 12, 0);
	w.len = t_frame(w.f, &s[1], 3002, 13);
	assert_int_equal(feed(r, &fr[0], 1, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &fr[1], 1, NULL), SW_REASM_PENDING); /* SCTP whole, SCCP held */
	assert_int_equal(sw_reasm_stats(r)->completed, 1);
	assert_int_equal(feed(r, &fr[1], 2, &o), SW_REASM_KNOWN);
	assert_int_equal(o.known.action, 0);
	assert_int_equal(o.known.rule, SW_REASM_RULE_PENDING);
	assert_int_equal(sw_decode_packet(w.f, w.len, SW_LINK_ETH, &pkt), SW_MAL_NONE);
	assert_int_equal(sw_decode_msu(w.f, &pkt, 0, &msu), SW_MAL_SCCP_SEGMENTED);
	assert_int_equal(sw_reasm_msu(r, w.f, &pkt, &msu, 0, 3, &o), SW_REASM_COMPLETE);
	assert_int_equal(o.len, n);
	assert_int_equal(msu.tcap.comp[0].opcode, MAP_OP_INSERT_SUBSCRIBER_DATA);
	sw_reasm_free(r);
}

/*
 * M2PA (PPID 5, RFC 4165 3.1: User Data carries the MTP3 message) fragmented over three DATA
 * chunks: rebuilt and decoded as a whole PPID 5 chunk is (decode/m2pa.c); PPID 46 (not a
 * SIGTRAN user) fails as SW_MAL_SCTP_PPID once rebuilt.
 */
static void
test_m2pa(void **state)
{
	struct sw_gen_sccp_addr cgpa = { .ssn = 6, .gti = 4 }, cdpa = { .ssn = 7, .gti = 4 };
	struct t_seg m2pa;
	struct sw_gen_bb b;
	struct t_frag fr[3];
	uint8_t tc[1024];
	size_t n = t_isd_tcap(tc, sizeof(tc), "262021234567890", 0x22334455);
	struct sw_reasm *r = new_table(16);
	struct sw_reasm_out o;

	(void)state;
	snprintf(cgpa.gt, sizeof(cgpa.gt), "%s", CG);
	snprintf(cdpa.gt, sizeof(cdpa.gt), "%s", CD);
	sw_gen_bb_init(&b, m2pa.buf, sizeof(m2pa.buf));
	b.p -= n;
	memcpy(b.p, tc, n);
	sw_gen_sccp_udt(&b, &cdpa, &cgpa);
	sw_gen_m2pa_data(&b, 4002, 1001, 3, 5);
	m2pa.off = (uint32_t)(b.p - m2pa.buf);
	m2pa.len = (uint32_t)sw_gen_bb_len(&b);
	for (unsigned ppid = 5; ppid != 0; ppid = ppid == 5 ? 46 : 0) {
		cut(fr, 3, m2pa.buf + m2pa.off, m2pa.len, ppid * 100, (uint16_t)ppid, 0);
		for (unsigned k = 0; k < 3; k++)
			fr[k].f[14 + 20 + 12 + 15] = (uint8_t)ppid; /* the DATA chunk's PPID */
		assert_int_equal(feed(r, &fr[2], 1, NULL), SW_REASM_PENDING);
		assert_int_equal(feed(r, &fr[0], 1, NULL), SW_REASM_PENDING);
		assert_int_equal(feed(r, &fr[1], 1, &o), SW_REASM_COMPLETE);
		assert_int_equal(o.len, m2pa.len);
		assert_int_equal(o.npieces, 3);
		if (ppid == 46) {
			assert_int_equal(msu.mal, SW_MAL_SCTP_PPID);
			break;
		}
		assert_int_equal(msu.mal, SW_MAL_NONE);
		assert_true(msu.has & SW_HAS_M2PA);
		assert_int_equal(msu.m3ua.opc, 4002);
		assert_true(msu.has & SW_HAS_TCAP);
		assert_int_equal(msu.tcap.comp[0].opcode, MAP_OP_INSERT_SUBSCRIBER_DATA);
		assert_string_equal(msu.map.imsi.d, "262021234567890");
	}
	sw_reasm_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_any_order),
		cmocka_unit_test(test_retransmission),
		cmocka_unit_test(test_conflict),
		cmocka_unit_test(test_inconsistent),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_flood),
		cmocka_unit_test(test_sccp_in_sctp),
		cmocka_unit_test(test_m2pa),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
