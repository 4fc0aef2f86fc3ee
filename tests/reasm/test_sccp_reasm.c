/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SCCP segmentation reassembly (dataplane/reasm, issue 14 Deliver 3 and 4): segments in order
 * and in every order, later copies, and every bad input of the issue with its named reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/reasm/reasm.h"
#include "seg_build.h"

#define CG "491720123456" /* PartnerDE (patterns/site.example.conf) */
#define CD "27820000020"  /* home VLR */
#define SEC 1000000000ull

static struct sw_msu msu;
static const struct sw_pkt t_nopkt; /* SCCP segments do not look at the packet */
static uint8_t tcap[1024];
static size_t tcap_len;

static int
setup(void **state)
{
	(void)state;
	tcap_len = t_isd_tcap(tcap, sizeof(tcap), "262021234567890", 0x11223344);
	return tcap_len > 40 ? 0 : -1;
}

static struct sw_reasm *
new_table(uint32_t entries, uint8_t max_pieces)
{
	struct sw_reasm_conf c = { .entries = entries, .timeout_ns = 10 * SEC,
				   .max_pieces = max_pieces };
	struct sw_reasm *r = sw_reasm_new(&c);

	assert_non_null(r);
	return r;
}

/* Feed one segment at time t; the verdict (drop, rule 7) is recorded for COMPLETE and FAIL. */
static enum sw_reasm_res
feed(struct sw_reasm *r, const struct t_seg *s, uint64_t t, struct sw_reasm_out *o)
{
	struct sw_reasm_out tmp;
	enum sw_reasm_res res;

	if (o == NULL)
		o = &tmp;
	assert_int_equal(t_decode(s, &msu), SW_MAL_SCCP_SEGMENTED);
	res = sw_reasm_msu(r, s->buf, &t_nopkt, &msu, 0, t, o);
	if (res == SW_REASM_PENDING) /* held: no longer reported as a malformation */
		assert_int_equal(msu.mal, SW_MAL_NONE);
	if (res == SW_REASM_COMPLETE || res == SW_REASM_FAIL) {
		struct sw_reasm_verdict v = { .action = 1, .rule = 7, .mal = (uint16_t)msu.mal };

		sw_reasm_verdict(r, o, &v);
	}
	return res;
}

/* The whole message was rebuilt and decoded: the ISD invoke with its IMSI. */
static void
assert_whole(const struct sw_reasm_out *o, unsigned pieces)
{
	assert_int_equal(o->len, tcap_len);
	assert_memory_equal(o->buf, tcap, tcap_len);
	assert_int_equal(o->npieces, pieces);
	assert_int_equal(msu.mal, SW_MAL_NONE);
	assert_true(msu.has & SW_HAS_TCAP);
	assert_int_equal(msu.tcap.ncomp, 1);
	assert_int_equal(msu.tcap.comp[0].opcode, MAP_OP_INSERT_SUBSCRIBER_DATA);
	assert_string_equal(msu.map.imsi.d, "262021234567890");
	assert_string_equal(msu.sccp.cgpa.digits.d, CG);
}

static void
test_in_order(void **state)
{
	struct t_seg s[3];
	struct sw_reasm *r = new_table(64, 16);
	struct sw_reasm_out o;

	(void)state;
	t_cut(s, 3, CG, CD, 4001, 0x010203, tcap, tcap_len);
	assert_int_equal(feed(r, &s[0], 1, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &s[1], 2, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &s[2], 3, &o), SW_REASM_COMPLETE);
	assert_whole(&o, 3);
	assert_int_equal(sw_reasm_stats(r)->completed, 1);
	sw_reasm_free(r);
}

/* Every order of 4 segments: exactly the last one fed completes, with the same message. */
static void
test_any_order(void **state)
{
	static const unsigned perm[24][4] = {
		{0,1,2,3},{0,1,3,2},{0,2,1,3},{0,2,3,1},{0,3,1,2},{0,3,2,1},
		{1,0,2,3},{1,0,3,2},{1,2,0,3},{1,2,3,0},{1,3,0,2},{1,3,2,0},
		{2,0,1,3},{2,0,3,1},{2,1,0,3},{2,1,3,0},{2,3,0,1},{2,3,1,0},
		{3,0,1,2},{3,0,2,1},{3,1,0,2},{3,1,2,0},{3,2,0,1},{3,2,1,0},
	};
	struct t_seg s[4];
	struct sw_reasm *r = new_table(64, 16);
	struct sw_reasm_out o;

	(void)state;
	for (unsigned p = 0; p < 24; p++) {
		t_cut(s, 4, CG, CD, 4001, 0x1000 + p, tcap, tcap_len);
		for (unsigned k = 0; k < 3; k++)
			assert_int_equal(feed(r, &s[perm[p][k]], 1, NULL), SW_REASM_PENDING);
		assert_int_equal(feed(r, &s[perm[p][3]], 1, &o), SW_REASM_COMPLETE);
		assert_whole(&o, 4);
	}
	sw_reasm_free(r);
}

/* Later copies of any segment of a judged message get its verdict; a duplicate before the end
 * is held again (the message is still incomplete). */
static void
test_later_copies(void **state)
{
	struct t_seg s[3];
	struct sw_reasm *r = new_table(64, 16);
	struct sw_reasm_out o;

	(void)state;
	t_cut(s, 3, CG, CD, 4001, 7, tcap, tcap_len);
	assert_int_equal(feed(r, &s[2], 1, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &s[2], 1, NULL), SW_REASM_PENDING); /* duplicate final piece */
	assert_int_equal(feed(r, &s[0], 1, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &s[1], 1, NULL), SW_REASM_COMPLETE);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(feed(r, &s[i], 2 * SEC, &o), SW_REASM_KNOWN);
		assert_int_equal(o.known.action, 1);
		assert_int_equal(o.known.rule, 7);
	}
	assert_int_equal(sw_reasm_stats(r)->known, 3);
	/* Forgotten after the timeout: the same reference starts a new message. */
	assert_int_equal(feed(r, &s[0], 13 * SEC, NULL), SW_REASM_PENDING);
	sw_reasm_free(r);
}

/* Overlap/conflict: a place received again with other octets, before and after completion. */
static void
test_conflict(void **state)
{
	struct t_seg s[3], bad;
	struct sw_reasm *r = new_table(64, 16);
	struct sw_reasm_out o;
	uint8_t other[64];

	(void)state;
	memset(other, 0x5a, sizeof(other));
	t_cut(s, 3, CG, CD, 4001, 9, tcap, tcap_len);
	t_segment(&bad, CG, CD, 4001, 9, other, 20, 0, 0); /* a second, different last piece */
	assert_int_equal(feed(r, &s[2], 1, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &bad, 1, NULL), SW_REASM_FAIL);
	assert_int_equal(msu.mal, SW_MAL_SCCP_REASM_CONFLICT);
	/* The message failed: its other segments get the failure's verdict, nothing completes. */
	assert_int_equal(feed(r, &s[0], 1, &o), SW_REASM_KNOWN);
	assert_int_equal(o.known.mal, SW_MAL_SCCP_REASM_CONFLICT);
	assert_int_equal(feed(r, &s[1], 1, &o), SW_REASM_KNOWN);
	assert_int_equal(o.known.action, 1);

	/* After a complete message, a different segment under its key is not a copy. */
	t_cut(s, 3, CG, CD, 4001, 10, tcap, tcap_len);
	t_segment(&bad, CG, CD, 4001, 10, other, 20, 0, 0);
	for (unsigned i = 0; i < 3; i++)
		feed(r, &s[i], 1, NULL);
	assert_int_equal(feed(r, &bad, 1, NULL), SW_REASM_FAIL);
	assert_int_equal(msu.mal, SW_MAL_SCCP_REASM_CONFLICT);
	assert_int_equal(feed(r, &s[1], 1, NULL), SW_REASM_KNOWN); /* the copies keep theirs */
	assert_int_equal(sw_reasm_stats(r)->mal[SW_MAL_SCCP_REASM_CONFLICT], 2);
	sw_reasm_free(r);
}

/* A timeout in the middle: the next segment of the message fails with the timeout reason. */
static void
test_timeout(void **state)
{
	struct t_seg s[3];
	struct sw_reasm *r = new_table(64, 16);

	(void)state;
	t_cut(s, 3, CG, CD, 4001, 11, tcap, tcap_len);
	assert_int_equal(feed(r, &s[0], 1 * SEC, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &s[1], 5 * SEC, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &s[2], 11 * SEC + 1, NULL), SW_REASM_FAIL);
	assert_int_equal(msu.mal, SW_MAL_SCCP_REASM_TIMEOUT);
	assert_int_equal(sw_reasm_stats(r)->expired, 1);
	/* and its copies keep that verdict */
	assert_int_equal(feed(r, &s[2], 12 * SEC, NULL), SW_REASM_KNOWN);
	sw_reasm_free(r);
}

/* A message longer than 3,952 octets: two LUDT segments of 2,000 octets. */
static void
test_too_long(void **state)
{
	static uint8_t big[4000];
	static struct t_seg s;
	struct sw_reasm *r = new_table(64, 16);
	struct sw_reasm_out o;

	(void)state;
	memset(big, 0x30, sizeof(big));
	t_ludt_segment(&s, CG, CD, 4001, 12, big, 2000, 1, 1);
	assert_int_equal(feed(r, &s, 1, NULL), SW_REASM_PENDING);
	assert_int_equal(msu.sccp.type, 0x13);
	assert_int_equal(msu.sccp.data_len, 2000);
	t_ludt_segment(&s, CG, CD, 4001, 12, big + 2000, 2000, 0, 0);
	assert_int_equal(feed(r, &s, 1, NULL), SW_REASM_FAIL);
	assert_int_equal(msu.mal, SW_MAL_SCCP_REASM_LONG);
	/* 3,952 octets exactly are a message */
	t_ludt_segment(&s, CG, CD, 4001, 13, big, 1952, 0, 0);
	assert_int_equal(feed(r, &s, 1, NULL), SW_REASM_PENDING);
	t_ludt_segment(&s, CG, CD, 4001, 13, big, 2000, 1, 1);
	assert_int_equal(feed(r, &s, 1, &o), SW_REASM_COMPLETE);
	assert_int_equal(o.len, SW_REASM_SCCP_DATA_MAX);
	sw_reasm_free(r);
}

/* Segments that disagree with their message. */
static void
test_inconsistent(void **state)
{
	struct t_seg s[3], x;
	struct sw_reasm *r = new_table(64, 16);

	(void)state;
	/* another called address */
	t_cut(s, 3, CG, CD, 4001, 20, tcap, tcap_len);
	t_segment(&x, CG, "27820000099", 4001, 20, tcap + 10, 10, 0, 1);
	assert_int_equal(feed(r, &s[0], 1, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &x, 1, NULL), SW_REASM_FAIL);
	assert_int_equal(msu.mal, SW_MAL_SCCP_REASM_INCONSISTENT);
	/* two first segments with different counts */
	t_cut(s, 3, CG, CD, 4001, 21, tcap, tcap_len);
	t_segment(&x, CG, CD, 4001, 21, tcap, 10, 1, 4);
	assert_int_equal(feed(r, &s[0], 1, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &x, 1, NULL), SW_REASM_FAIL);
	assert_int_equal(msu.mal, SW_MAL_SCCP_REASM_INCONSISTENT);
	/* a segment at the first segment's place (remaining 2 of 3, not first) */
	t_cut(s, 3, CG, CD, 4001, 22, tcap, tcap_len);
	t_segment(&x, CG, CD, 4001, 22, tcap, 10, 0, 2);
	assert_int_equal(feed(r, &s[0], 1, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &x, 1, NULL), SW_REASM_FAIL);
	assert_int_equal(msu.mal, SW_MAL_SCCP_REASM_INCONSISTENT);
	/* a first segment arriving after a segment claiming a place before it */
	t_segment(&x, CG, CD, 4001, 23, tcap, 10, 0, 5);
	t_cut(s, 3, CG, CD, 4001, 23, tcap, tcap_len);
	assert_int_equal(feed(r, &x, 1, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &s[0], 1, NULL), SW_REASM_FAIL);
	assert_int_equal(msu.mal, SW_MAL_SCCP_REASM_INCONSISTENT);
	assert_int_equal(sw_reasm_stats(r)->mal[SW_MAL_SCCP_REASM_INCONSISTENT], 4);
	sw_reasm_free(r);
}

/* More remaining segments than the limit. */
static void
test_too_many_segments(void **state)
{
	struct t_seg x;
	struct sw_reasm *r = new_table(64, 4);

	(void)state;
	t_segment(&x, CG, CD, 4001, 30, tcap, 10, 1, 4); /* 5 segments > 4 */
	assert_int_equal(feed(r, &x, 1, NULL), SW_REASM_FAIL);
	assert_int_equal(msu.mal, SW_MAL_SCCP_REASM_SEGMENTS);
	t_segment(&x, CG, CD, 4001, 31, tcap, 10, 0, 3); /* not first, 3 after: >= 5 */
	assert_int_equal(feed(r, &x, 1, NULL), SW_REASM_FAIL);
	assert_int_equal(msu.mal, SW_MAL_SCCP_REASM_SEGMENTS);
	t_segment(&x, CG, CD, 4001, 32, tcap, 10, 1, 3); /* 4: fine */
	assert_int_equal(feed(r, &x, 1, NULL), SW_REASM_PENDING);
	sw_reasm_free(r);
}

/*
 * A flood of segments with random references: the table fills (table full, counted), memory
 * stays what it was, a message in progress before the flood still completes, and once the
 * flood's entries time out new messages are held again.
 */
static void
test_flood(void **state)
{
	struct t_seg s[2], x;
	struct sw_reasm *r = new_table(64, 16);
	struct sw_reasm_out o;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	unsigned full = 0;

	(void)state;
	t_cut(s, 2, CG, CD, 4001, 40, tcap, tcap_len);
	assert_int_equal(feed(r, &s[0], 1, NULL), SW_REASM_PENDING);
	for (unsigned i = 0; i < 20000; i++) {
		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		t_segment(&x, CG, CD, 4001, (uint32_t)seed & 0xffffff, tcap, 10, 0, 0);
		if (feed(r, &x, 2, NULL) == SW_REASM_FAIL) {
			assert_int_equal(msu.mal, SW_MAL_SCCP_REASM_FULL);
			full++;
		}
	}
	assert_true(full > 19000);
	assert_int_equal(sw_reasm_stats(r)->mal[SW_MAL_SCCP_REASM_FULL], full);
	assert_true(sw_reasm_stats(r)->in_use <= 64);
	assert_int_equal(feed(r, &s[1], 3, &o), SW_REASM_COMPLETE);
	assert_whole(&o, 2);
	/* 10 s later the flood's messages time out; 10 s after that they are forgotten */
	t_cut(s, 2, CG, CD, 4001, 41, tcap, tcap_len);
	t_segment(&x, CG, CD, 4001, 0xabcdef, tcap, 10, 0, 0);
	feed(r, &x, 15 * SEC, NULL);
	assert_int_equal(feed(r, &s[0], 30 * SEC, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &s[1], 30 * SEC, &o), SW_REASM_COMPLETE);
	sw_reasm_free(r);
}

/*
 * Judged messages are remembered for later copies, but an allowed one gives way to a new
 * message when its slots are all taken; a dropped one never does before its time.
 */
static void
test_reclaim(void **state)
{
	struct t_seg s[2];
	struct sw_reasm *r = new_table(16, 16);
	struct sw_reasm_out o;
	unsigned ref, full = 0;

	(void)state;
	for (ref = 0; ref < 200; ref++) {
		struct sw_reasm_verdict allow = { .action = 0, .rule = 5 };

		t_cut(s, 2, CG, CD, 4001, 100 + ref, tcap, tcap_len);
		assert_int_equal(t_decode(&s[0], &msu), SW_MAL_SCCP_SEGMENTED);
		assert_int_equal(sw_reasm_msu(r, s[0].buf, &t_nopkt, &msu, 0, 1, &o),
				 SW_REASM_PENDING);
		assert_int_equal(t_decode(&s[1], &msu), SW_MAL_SCCP_SEGMENTED);
		assert_int_equal(sw_reasm_msu(r, s[1].buf, &t_nopkt, &msu, 0, 1, &o),
				 SW_REASM_COMPLETE);
		sw_reasm_verdict(r, &o, &allow);
	}
	assert_true(sw_reasm_stats(r)->reclaimed >= 200 - 16);
	/* dropped ones (feed() gives drop) fill the table and stay */
	for (ref = 0; ref < 200; ref++) {
		t_cut(s, 2, CG, CD, 4001, 1000 + ref, tcap, tcap_len);
		if (feed(r, &s[0], 2, NULL) == SW_REASM_FAIL) {
			full++;
			continue;
		}
		assert_int_equal(feed(r, &s[1], 2, NULL), SW_REASM_COMPLETE);
	}
	assert_true(full >= 200 - 16);
	assert_int_equal(sw_reasm_stats(r)->mal[SW_MAL_SCCP_REASM_FULL], full);
	/* and each keeps its verdict for its copies */
	t_cut(s, 2, CG, CD, 4001, 1000, tcap, tcap_len);
	assert_int_equal(feed(r, &s[1], 3, &o), SW_REASM_KNOWN);
	assert_int_equal(o.known.action, 1);
	sw_reasm_free(r);
}

/* Segments of other messages never mix: another OPC, calling address, reference or port. */
static void
test_keys(void **state)
{
	struct t_seg a[2], b[2];
	struct sw_reasm *r = new_table(64, 16);
	struct sw_reasm_out o;

	(void)state;
	t_cut(a, 2, CG, CD, 4001, 50, tcap, tcap_len);
	t_cut(b, 2, CG, CD, 4002, 50, tcap, tcap_len);
	assert_int_equal(feed(r, &a[0], 1, NULL), SW_REASM_PENDING);
	assert_int_equal(feed(r, &b[1], 1, NULL), SW_REASM_PENDING);
	t_cut(b, 2, "491720123457", CD, 4001, 50, tcap, tcap_len);
	assert_int_equal(feed(r, &b[1], 1, NULL), SW_REASM_PENDING);
	t_cut(b, 2, CG, CD, 4001, 51, tcap, tcap_len);
	assert_int_equal(feed(r, &b[1], 1, NULL), SW_REASM_PENDING);
	/* the same segment from the other port */
	assert_int_equal(t_decode(&a[1], &msu), SW_MAL_SCCP_SEGMENTED);
	assert_int_equal(sw_reasm_msu(r, a[1].buf, &t_nopkt, &msu, 1, 1, &o), SW_REASM_PENDING);
	assert_int_equal(feed(r, &a[1], 1, &o), SW_REASM_COMPLETE);
	sw_reasm_free(r);
}

/* Not a segment (a whole message, or a single segment with nothing remaining): untouched. */
static void
test_not_a_segment(void **state)
{
	struct t_seg x;
	struct sw_reasm *r = new_table(64, 16);
	struct sw_reasm_out o;

	(void)state;
	t_segment(&x, CG, CD, 4001, 60, tcap, tcap_len, 1, 0);
	assert_int_equal(t_decode(&x, &msu), SW_MAL_NONE);
	assert_int_equal(sw_reasm_msu(r, x.buf, &t_nopkt, &msu, 0, 1, &o), SW_REASM_NONE);
	assert_int_equal(sw_reasm_stats(r)->pieces, 0);
	assert_null(sw_reasm_new(&(struct sw_reasm_conf){ .entries = 8, .timeout_ns = 1,
							   .max_pieces = 17 }));
	sw_reasm_free(r);
}

/*
 * The segmentation local reference (Q.713 3.17, coded as the local references of 3.2/3.3: least
 * significant octet first) as sigwall-gen writes it (XUDT, bench/gen/msg.c) and as the LUDT
 * builder writes it, read back by the decoder and found on the wire in that order (tshark agrees:
 * tests/reasm/policy_segments.py). sigwall-gen wrote it most significant first until issue 14.
 */
static void
test_ref_octet_order(void **state)
{
	static const uint8_t want[] = { 0x10, 4, 0xc1, 0x01, 0x02, 0x03 };
	struct t_seg x[2];

	(void)state;
	t_segment(&x[0], CG, CD, 4001, 0x030201, tcap, 40, 1, 1);
	t_ludt_segment(&x[1], CG, CD, 4001, 0x030201, tcap, 40, 1, 1);
	for (unsigned k = 0; k < 2; k++) {
		const uint8_t *p = x[k].buf + x[k].off, *end = p + x[k].len;
		bool found = false;

		assert_int_equal(t_decode(&x[k], &msu), SW_MAL_SCCP_SEGMENTED);
		assert_int_equal(msu.sccp.seg_ref, 0x030201);
		assert_true(msu.sccp.seg_first);
		assert_int_equal(msu.sccp.seg_remaining, 1);
		for (; p + sizeof(want) <= end && !found; p++)
			found = memcmp(p, want, sizeof(want)) == 0;
		assert_true(found);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_any_order),
		cmocka_unit_test(test_later_copies),
		cmocka_unit_test(test_conflict),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_inconsistent),
		cmocka_unit_test(test_too_many_segments),
		cmocka_unit_test(test_flood),
		cmocka_unit_test(test_reclaim),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_not_a_segment),
		cmocka_unit_test(test_ref_octet_order),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
