/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Enforcement with hand-built SCTP packets: chunk removal, renumbering, SACK / FORWARD-TSN
 * translation, retransmissions, generated SACKs, unknown associations, impossible lengths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "enforce_build.h"

#define IP_A   0x0a000001u
#define IP_B   0x0a000002u
#define PORT_A 2905
#define PORT_B 2906
#define TAG_A  0xa0a0a0a0u /* carried by packets B -> A (direction 1) */
#define TAG_B  0xb0b0b0b0u /* carried by packets A -> B (direction 0) */
#define ITSN_A 100u
#define ITSN_B 5000u

static uint8_t reply[2048];
static uint32_t reply_len;

static uint32_t
run(struct sw_enforce *e, struct tb *t, uint64_t mask, unsigned dir)
{
	return sw_enforce_packet(e, t->b, t->len, sizeof(t->b), &t->pkt, mask, dir, 1000, reply,
				 sizeof(reply), &reply_len);
}

static void
a_to_b(struct tb *t)
{
	tb_start(t, IP_A, IP_B, PORT_A, PORT_B, TAG_B);
}

static void
b_to_a(struct tb *t)
{
	tb_start(t, IP_B, IP_A, PORT_B, PORT_A, TAG_A);
}

/* INIT from A (direction 0), INIT-ACK from B: both pass unchanged and teach the table. */
static struct sw_enforce *
handshake(bool repair)
{
	struct sw_enforce *e = sw_enforce_new(16, repair);
	struct tb t;

	assert_non_null(e);
	tb_start(&t, IP_A, IP_B, PORT_A, PORT_B, 0);
	tb_init(&t, 1, TAG_A, 65536, ITSN_A);
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 0), t.len);
	tb_start(&t, IP_B, IP_A, PORT_B, PORT_A, TAG_A);
	tb_init(&t, 2, TAG_B, 65536, ITSN_B);
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 1), t.len);
	if (repair)
		assert_int_equal(sw_enforce_assoc_count(e), 1);
	return e;
}

/* Offsets of the DATA chunks after a rewrite: 46, 46+36, ... (every DATA here is 32 bytes). */
#define DATA0 (TB_L4 + 12)
#define DSZ   32

static void
test_crc32c_vector(void **state)
{
	(void)state;
	/* RFC 3720 B.4 / RFC 4960 Appendix B check value */
	assert_int_equal(sw_crc32c((const uint8_t *)"123456789", 9), 0xe3069283u);
	assert_int_equal(sw_crc32c_update(sw_crc32c((const uint8_t *)"1234", 4),
					  (const uint8_t *)"56789", 5),
			 0xe3069283u);
}

static void
test_remove_middle_no_repair(void **state)
{
	struct sw_enforce *e = sw_enforce_new(4, false);
	struct tb t;
	uint32_t n;

	(void)state;
	a_to_b(&t);
	tb_data(&t, 7, 1, 0, 3, 'a');
	tb_data(&t, 8, 1, 1, 3, 'b');
	tb_data(&t, 9, 1, 2, 3, 'c');
	tb_finish(&t);
	n = run(e, &t, 1u << 1, 0);
	assert_int_equal(n, TB_L4 + 12 + 2 * DSZ);
	assert_true(tb_valid(t.b, n));
	assert_int_equal(t.b[DATA0 + 16], (uint8_t)'a');
	assert_int_equal(t.b[DATA0 + DSZ + 16], 'c');
	/* without repair the numbers are not touched */
	assert_int_equal(tb_r32(t.b + DATA0 + DSZ + 4), 9);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_CHUNKS_REMOVED], 1);
	sw_enforce_free(e);
}

static void
test_unchanged_packet_untouched(void **state)
{
	struct sw_enforce *e = handshake(true);
	struct tb t, copy;

	(void)state;
	a_to_b(&t);
	tb_data(&t, ITSN_A, 1, 0, 3, 'a');
	tb_finish(&t);
	copy = t;
	assert_int_equal(run(e, &t, 0, 0), t.len);
	assert_memory_equal(t.b, copy.b, t.len);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_PKTS_CHANGED], 0);
	sw_enforce_free(e);
}

/* Middle chunk of three removed, later packets renumbered (TSN and ordered SSN). */
static void
test_remove_middle_and_renumber(void **state)
{
	struct sw_enforce *e = handshake(true);
	struct tb t;
	uint32_t n;

	(void)state;
	a_to_b(&t);
	tb_data(&t, ITSN_A, 1, 0, 3, 'a');
	tb_data(&t, ITSN_A + 1, 1, 1, 3, 'b');
	tb_data(&t, ITSN_A + 2, 1, 2, 3, 'c');
	tb_finish(&t);
	n = run(e, &t, 1u << 1, 0);
	assert_int_equal(n, TB_L4 + 12 + 2 * DSZ);
	assert_true(tb_valid(t.b, n));
	assert_int_equal(tb_r32(t.b + DATA0 + 4), ITSN_A);
	assert_int_equal(tb_r16(t.b + DATA0 + 10), 0);
	assert_int_equal(tb_r32(t.b + DATA0 + DSZ + 4), ITSN_A + 1);
	assert_int_equal(tb_r16(t.b + DATA0 + DSZ + 10), 1);
	assert_int_equal(t.b[DATA0 + DSZ + 16], 'c');

	/* next packet: orig 103 ssn 3 on stream 1, and stream 2 (no removals) ssn 0 */
	a_to_b(&t);
	tb_data(&t, ITSN_A + 3, 1, 3, 3, 'd');
	tb_data(&t, ITSN_A + 4, 2, 0, 3, 'e');
	tb_data(&t, ITSN_A + 5, 1, 4, 7, 'f'); /* unordered: SSN not renumbered */
	tb_finish(&t);
	n = run(e, &t, 0, 0);
	assert_int_equal(n, t.len);
	assert_true(tb_valid(t.b, n));
	assert_int_equal(tb_r32(t.b + DATA0 + 4), ITSN_A + 2);
	assert_int_equal(tb_r16(t.b + DATA0 + 10), 2);
	assert_int_equal(tb_r32(t.b + DATA0 + DSZ + 4), ITSN_A + 3);
	assert_int_equal(tb_r16(t.b + DATA0 + DSZ + 10), 0);
	assert_int_equal(tb_r32(t.b + DATA0 + 2 * DSZ + 4), ITSN_A + 4);
	assert_int_equal(tb_r16(t.b + DATA0 + 2 * DSZ + 10), 4);
	/* the reverse direction is not affected */
	b_to_a(&t);
	tb_data(&t, ITSN_B, 1, 0, 3, 'x');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 1), t.len);
	assert_int_equal(tb_r32(t.b + DATA0 + 4), ITSN_B);
	sw_enforce_free(e);
}

/* After removing orig 101: B's SACK in new numbers maps back, gaps and dups included. */
static void
test_sack_translation_gaps(void **state)
{
	struct sw_enforce *e = handshake(true);
	struct tb t;
	uint16_t gaps[4];
	uint32_t dups[2], n;

	(void)state;
	a_to_b(&t);
	tb_data(&t, 100, 1, 0, 3, 'a');
	tb_data(&t, 101, 1, 1, 3, 'b'); /* removed */
	tb_data(&t, 102, 1, 2, 3, 'c'); /* -> 101 */
	tb_data(&t, 103, 1, 3, 3, 'd'); /* -> 102 */
	tb_data(&t, 104, 1, 4, 3, 'e'); /* -> 103 */
	tb_data(&t, 105, 1, 5, 3, 'f'); /* removed */
	tb_data(&t, 106, 1, 6, 3, 'g'); /* -> 104 */
	tb_finish(&t);
	n = run(e, &t, 1u << 1 | 1u << 5, 0);
	assert_int_equal(n, TB_L4 + 12 + 5 * DSZ);
	assert_int_equal(tb_r32(t.b + DATA0 + 4 * DSZ + 4), 104);
	assert_int_equal(tb_r16(t.b + DATA0 + 4 * DSZ + 10), 4);
	/* all before any SACK: the receiver acks new 100 only, so no SACK is generated yet */
	assert_int_equal(reply_len, 0);

	/* B got new 100, lost new 101, got new 102..103 (one twice), lost nothing else */
	b_to_a(&t);
	gaps[0] = 2; /* new 102 */
	gaps[1] = 3; /* new 103 */
	dups[0] = 103;
	tb_sack(&t, 100, 4000, gaps, 1, dups, 1);
	tb_finish(&t);
	n = run(e, &t, 0, 1);
	assert_true(n > 0);
	assert_true(tb_valid(t.b, n));
	/* orig: cum 100 extended over removed 101 -> 101; block new 102-103 = orig 103-104,
	 * extended over removed 105 -> 103-105, i.e. offsets 2-4 from 101; dup new 103 = orig 104
	 */
	assert_int_equal(tb_r32(t.b + DATA0 + 4), 101);
	assert_int_equal(tb_r32(t.b + DATA0 + 8), 4000);
	assert_int_equal(tb_r16(t.b + DATA0 + 12), 1);
	assert_int_equal(tb_r16(t.b + DATA0 + 14), 1);
	assert_int_equal(tb_r16(t.b + DATA0 + 16), 2);
	assert_int_equal(tb_r16(t.b + DATA0 + 18), 4);
	assert_int_equal(tb_r32(t.b + DATA0 + 20), 104);

	/* B then gets new 101 (orig 102): cum new 104 -> orig 106, no gaps */
	b_to_a(&t);
	tb_sack(&t, 104, 4000, NULL, 0, NULL, 0);
	tb_finish(&t);
	n = run(e, &t, 0, 1);
	assert_int_equal(tb_r32(t.b + DATA0 + 4), 106);
	assert_int_equal(tb_r16(t.b + DATA0 + 12), 0);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_SACK_UNSENT], 0);

	/* a SACK for TSNs never sent is counted and left alone */
	b_to_a(&t);
	tb_sack(&t, 900, 4000, NULL, 0, NULL, 0);
	tb_finish(&t);
	n = run(e, &t, 0, 1);
	assert_int_equal(n, t.len);
	assert_int_equal(tb_r32(t.b + DATA0 + 4), 900);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_SACK_UNSENT], 1);
	sw_enforce_free(e);
}

/* Retransmissions: same verdict, same new numbers, whatever the new mask says. */
static void
test_retransmission(void **state)
{
	struct sw_enforce *e = handshake(true);
	struct tb t;
	uint32_t n;

	(void)state;
	a_to_b(&t);
	tb_data(&t, 100, 1, 0, 3, 'a');
	tb_data(&t, 101, 1, 1, 3, 'b');
	tb_data(&t, 102, 1, 2, 3, 'c');
	tb_finish(&t);
	assert_true(run(e, &t, 1u << 1, 0) > 0);

	/* 101 again, mask empty (e.g. rules reloaded): still removed -> packet dropped */
	a_to_b(&t);
	tb_data(&t, 101, 1, 1, 3, 'b');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 0), 0);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_RETRANS_REMOVED], 1);

	/* 102 again bundled with new 103: same new numbers 101 / ssn 1, then 102 / ssn 2 */
	a_to_b(&t);
	tb_data(&t, 102, 1, 2, 3, 'c');
	tb_data(&t, 103, 1, 3, 3, 'd');
	tb_finish(&t);
	n = run(e, &t, 0, 0);
	assert_int_equal(n, t.len);
	assert_int_equal(tb_r32(t.b + DATA0 + 4), 101);
	assert_int_equal(tb_r16(t.b + DATA0 + 10), 1);
	assert_int_equal(tb_r32(t.b + DATA0 + DSZ + 4), 102);
	assert_int_equal(tb_r16(t.b + DATA0 + DSZ + 10), 2);

	/* 100 was forwarded: now blocked (content changed on retransmission): it keeps its
	 * number, its M3UA message becomes a BEAT, and nothing else moves */
	a_to_b(&t);
	tb_data(&t, 100, 1, 0, 3, 'z');
	tb_data(&t, 104, 1, 4, 3, 'e');
	tb_finish(&t);
	n = run(e, &t, 1u << 0, 0);
	assert_int_equal(n, t.len);
	assert_true(tb_valid(t.b, n));
	assert_int_equal(tb_r32(t.b + DATA0 + 4), 100);
	assert_memory_equal(t.b + DATA0 + 16, "\x01\x00\x03\x03\x00\x00\x00\x10", 8);
	assert_int_equal(tb_r32(t.b + DATA0 + DSZ + 4), 103);
	assert_int_equal(tb_r16(t.b + DATA0 + DSZ + 10), 3);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_RETRANS_BLOCKED], 1);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_NEUTRALIZED], 1);
	sw_enforce_free(e);
}

/* The last chunk outstanding is removed: the receiver will never ack it, we do. */
static void
test_generated_sack(void **state)
{
	struct sw_enforce *e = handshake(true);
	struct tb t;
	uint32_t n;

	(void)state;
	a_to_b(&t);
	tb_data(&t, 100, 1, 0, 3, 'a');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 0), t.len);
	b_to_a(&t);
	tb_sack(&t, 100, 3000, NULL, 0, NULL, 0);
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 1), t.len);

	a_to_b(&t);
	tb_data(&t, 101, 1, 1, 3, 'b');
	tb_finish(&t);
	n = run(e, &t, 1, 0);
	assert_int_equal(n, 0); /* nothing left */
	assert_int_equal(reply_len, TB_L4 + 12 + 16);
	assert_true(tb_valid(reply, reply_len));
	/* toward A: B's address and port as source, A's tag */
	assert_int_equal(tb_r32(reply + TB_L3 + 12), IP_B);
	assert_int_equal(tb_r32(reply + TB_L3 + 16), IP_A);
	assert_int_equal(tb_r16(reply + TB_L4), PORT_B);
	assert_int_equal(tb_r16(reply + TB_L4 + 2), PORT_A);
	assert_int_equal(tb_r32(reply + TB_L4 + 4), TAG_A);
	assert_memory_equal(reply, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02", 12);
	assert_int_equal(reply[DATA0], 3);
	assert_int_equal(tb_r32(reply + DATA0 + 4), 101);
	assert_int_equal(tb_r32(reply + DATA0 + 8), 3000);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_SACK_GENERATED], 1);

	/* the receiver's next SACK (new 100 still) must not move the sender's ack backwards */
	b_to_a(&t);
	tb_sack(&t, 100, 3000, NULL, 0, NULL, 0);
	tb_finish(&t);
	n = run(e, &t, 0, 1);
	assert_int_equal(tb_r32(t.b + DATA0 + 4), 101);
	/* new data after it: 102 -> 101 */
	a_to_b(&t);
	tb_data(&t, 102, 1, 2, 3, 'c');
	tb_finish(&t);
	n = run(e, &t, 0, 0);
	assert_int_equal(tb_r32(t.b + DATA0 + 4), 101);
	assert_int_equal(tb_r16(t.b + DATA0 + 10), 1);
	assert_int_equal(reply_len, 0);
	sw_enforce_free(e);
}

/*
 * Issue 12: the generated SACK is lost (or, in sigwall-dataplane before the fix, never sent);
 * the sender retransmits the removed chunk. It must be acknowledged again, not removed into
 * the void until the sender gives up.
 */
static void
test_generated_sack_lost(void **state)
{
	struct sw_enforce *e = handshake(true);
	struct tb t;
	unsigned i;

	(void)state;
	a_to_b(&t);
	tb_data(&t, 100, 1, 0, 3, 'a');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 0), t.len);
	b_to_a(&t);
	tb_sack(&t, 100, 3000, NULL, 0, NULL, 0);
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 1), t.len);
	a_to_b(&t);
	tb_data(&t, 101, 1, 1, 3, 'b');
	tb_data(&t, 102, 2, 0, 3, 'c');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 3, 0), 0);
	assert_int_equal(reply_len, TB_L4 + 12 + 16);
	assert_int_equal(tb_r32(reply + DATA0 + 4), 102);
	/* that SACK never reaches A: T3 retransmits both, bundled with a new allowed chunk */
	for (i = 0; i < 3; i++) {
		a_to_b(&t);
		tb_data(&t, 101, 1, 1, 3, 'b');
		tb_data(&t, 102, 2, 0, 3, 'c');
		tb_finish(&t);
		assert_int_equal(run(e, &t, 3, 0), 0);
		assert_int_equal(reply_len, TB_L4 + 12 + 16);
		assert_true(tb_valid(reply, reply_len));
		assert_int_equal(tb_r32(reply + TB_L4 + 4), TAG_A);
		assert_int_equal(tb_r32(reply + DATA0 + 4), 102);
	}
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_SACK_REPEATED], 3);
	{
		/* the per-association view (issue 12 Deliver 5) */
		struct sw_enforce_assoc_info ai[2];

		assert_int_equal(sw_enforce_assoc_snapshot(e, ai, 2), 1);
		assert_int_equal(ai[0].vtag[0], TAG_B);
		assert_int_equal(ai[0].vtag[1], TAG_A);
		assert_int_equal(ai[0].port[0], PORT_A);
		assert_int_equal(ai[0].ip_ver, 4);
		assert_int_equal(tb_r32(ai[0].addr[0]), IP_A);
		assert_int_equal(ai[0].chunks_removed[0], 8);
		assert_int_equal(ai[0].chunks_removed[1], 0);
		assert_int_equal(ai[0].tsn_offset[0], 2);
		assert_int_equal(ai[0].sacks_generated, 4);
		assert_int_equal(ai[0].retrans_removed, 6);
		assert_int_equal(ai[0].last_error, SW_ENF_CTR_COUNT);
	}
	/* a retransmission of a removed chunk above what the receiver acknowledged waits for
	 * the receiver: no SACK may claim the allowed 103 before it */
	a_to_b(&t);
	tb_data(&t, 103, 1, 2, 3, 'd');
	tb_data(&t, 104, 1, 3, 3, 'e');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 2, 0), TB_L4 + 12 + DSZ);
	assert_int_equal(reply_len, 0);
	a_to_b(&t);
	tb_data(&t, 104, 1, 3, 3, 'e');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 1, 0), 0);
	assert_int_equal(reply_len, 0);
	sw_enforce_free(e);
}

/* ---- issue 12 "Bad input": each case neither crashes nor desynchronises the other side ---- */

/* A sends 100 'a', 101 'b' (blocked): from now on orig 102 is new 101. */
static struct sw_enforce *
with_removal(void)
{
	struct sw_enforce *e = handshake(true);
	struct tb t;

	a_to_b(&t);
	tb_data(&t, 100, 1, 0, 3, 'a');
	tb_data(&t, 101, 1, 1, 3, 'b');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 2, 0), t.len - DSZ);
	return e;
}

/* The next DATA of A (orig 102, stream 1 SSN 2) comes out as 101 / SSN 1. */
static void
still_in_sync(struct sw_enforce *e)
{
	struct tb t;

	a_to_b(&t);
	tb_data(&t, 102, 1, 2, 3, 'c');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 0), t.len);
	assert_true(tb_valid(t.b, t.len));
	assert_int_equal(tb_r32(t.b + DATA0 + 4), 101);
	assert_int_equal(tb_r16(t.b + DATA0 + 10), 1);
}

/* B acknowledges TSNs A never sent: forwarded unchanged (A judges it), no state moves. */
static void
test_bad_sack_unsent(void **state)
{
	struct sw_enforce *e = with_removal();
	struct tb t, copy;
	uint16_t gaps[2] = {5, 9000};

	(void)state;
	b_to_a(&t);
	tb_sack(&t, 700, 3000, NULL, 0, NULL, 0);
	tb_finish(&t);
	copy = t;
	assert_int_equal(run(e, &t, 0, 1), t.len);
	assert_memory_equal(t.b, copy.b, t.len);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_SACK_UNSENT], 1);
	/* a gap block far beyond what was sent: not extended over, nothing pruned */
	b_to_a(&t);
	tb_sack(&t, 99, 3000, gaps, 1, NULL, 0);
	tb_finish(&t);
	assert_true(run(e, &t, 0, 1) > 0);
	/* the real SACK for new 100 still reaches A as 101 (the removed TSN included) */
	b_to_a(&t);
	tb_sack(&t, 100, 3000, NULL, 0, NULL, 0);
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 1), t.len);
	assert_int_equal(tb_r32(t.b + DATA0 + 4), 101);
	still_in_sync(e);
	sw_enforce_free(e);
}

/* A FORWARD-TSN far beyond anything sent. */
static void
test_bad_fwdtsn_beyond(void **state)
{
	struct sw_enforce *e = with_removal();
	struct tb t;
	uint8_t body[8];

	(void)state;
	a_to_b(&t);
	tb_w32(body, 100 + 5000000);
	tb_w16(body + 4, 1);
	tb_w16(body + 6, 40000);
	tb_chunk(&t, 192, 0, body, 8);
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 0), t.len);
	assert_true(tb_valid(t.b, t.len));
	still_in_sync(e);
	sw_enforce_free(e);
}

/* The same TSN again with another payload: the first verdict holds for the TSN. */
static void
test_bad_dup_tsn_payload(void **state)
{
	struct sw_enforce *e = with_removal();
	struct tb t;

	(void)state;
	/* 100 was forwarded; a 'copy' carrying a blocked message is neutralized in place */
	a_to_b(&t);
	tb_data(&t, 100, 1, 0, 3, 'X');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 1, 0), t.len);
	assert_true(tb_valid(t.b, t.len));
	assert_int_equal(tb_r32(t.b + DATA0 + 4), 100);
	assert_memory_equal(t.b + DATA0 + 16, "\x01\x00\x03\x03", 4); /* M3UA BEAT */
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_RETRANS_BLOCKED], 1);
	/* 101 was removed; a 'copy' with an allowed payload is removed too */
	a_to_b(&t);
	tb_data(&t, 101, 1, 1, 3, 'Y');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 0), 0);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_RETRANS_REMOVED], 1);
	still_in_sync(e);
	sw_enforce_free(e);
}

/* RFC 9260 5.2.1 INIT collision: both INITs cross, both INIT-ACKs cross; one association. */
static void
test_bad_init_collision(void **state)
{
	struct sw_enforce *e = sw_enforce_new(16, true);
	struct tb t;

	(void)state;
	tb_start(&t, IP_A, IP_B, PORT_A, PORT_B, 0);
	tb_init(&t, 1, TAG_A, 65536, ITSN_A);
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 0), t.len);
	tb_start(&t, IP_B, IP_A, PORT_B, PORT_A, 0);
	tb_init(&t, 1, TAG_B, 65536, ITSN_B);
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 1), t.len);
	b_to_a(&t);
	tb_init(&t, 2, TAG_B, 65536, ITSN_B);
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 1), t.len);
	a_to_b(&t);
	tb_init(&t, 2, TAG_A, 65536, ITSN_A);
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 0), t.len);
	assert_int_equal(sw_enforce_assoc_count(e), 1);
	/* both directions repaired */
	a_to_b(&t);
	tb_data(&t, ITSN_A, 1, 0, 3, 'a');
	tb_data(&t, ITSN_A + 1, 1, 1, 3, 'b');
	tb_data(&t, ITSN_A + 2, 1, 2, 3, 'c');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 2, 0), t.len - DSZ);
	assert_int_equal(tb_r32(t.b + DATA0 + DSZ + 4), ITSN_A + 1);
	b_to_a(&t);
	tb_data(&t, ITSN_B, 1, 0, 3, 'x');
	tb_data(&t, ITSN_B + 1, 1, 1, 3, 'y');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 1, 1), t.len - DSZ);
	assert_int_equal(tb_r32(t.b + DATA0 + 4), ITSN_B);
	assert_int_equal(tb_r16(t.b + DATA0 + 10), 0);
	sw_enforce_free(e);
}

/* A duplicated INIT makes B answer twice with different tags (RFC 9260 5.2.1: the responder keeps
 * no state before COOKIE-ECHO). A, in COOKIE-ECHOED, discards the second INIT-ACK (5.2.3) and
 * keeps using the first tag: the table must too. Soak seed 29 (fwd path) stalled on this: the
 * second INIT-ACK replaced the first, A's packets became an unknown association, blocked
 * messages were neutralised instead of removed and B -> A was renumbered from the wrong TSN. */
static void
test_second_init_ack(void **state)
{
	struct sw_enforce *e = handshake(true);
	struct tb t;

	(void)state;
	tb_start(&t, IP_B, IP_A, PORT_B, PORT_A, TAG_A);
	tb_init(&t, 2, 0xc0c0c0c0u, 65536, 9000);
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 1), t.len);
	assert_int_equal(sw_enforce_assoc_count(e), 1);
	/* A uses the first INIT-ACK's tag: its blocked message is removed and renumbered. */
	a_to_b(&t);
	tb_data(&t, ITSN_A, 1, 0, 3, 'a');
	tb_data(&t, ITSN_A + 1, 1, 1, 3, 'b');
	tb_data(&t, ITSN_A + 2, 1, 2, 3, 'c');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 2, 0), t.len - DSZ);
	assert_int_equal(tb_r32(t.b + DATA0 + DSZ + 4), ITSN_A + 1);
	/* B's data starts at the first INIT-ACK's initial TSN. */
	b_to_a(&t);
	tb_data(&t, ITSN_B, 1, 0, 3, 'x');
	tb_data(&t, ITSN_B + 1, 1, 1, 3, 'y');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 1, 1), t.len - DSZ);
	assert_int_equal(tb_r32(t.b + DATA0 + 4), ITSN_B);
	sw_enforce_free(e);
}

/*
 * A duplicated (or retransmitted) INIT draws two INIT-ACKs with different tags and initial
 * TSNs (RFC 9260 5.2.1); the initiator uses the first one it RECEIVES (5.2.3). When the first
 * one we forwarded is lost after us, it uses the second; when the repeated INIT comes after
 * the first INIT-ACK, the first. Either way its COOKIE-ECHO names the tag, and the association
 * must be repaired with that tag and that INIT-ACK's initial TSN (issue 12 soak: A's blocked
 * messages arrived as BEATs, the reverse direction stalled). order 0: INIT, INIT, INIT-ACK,
 * INIT-ACK; order 1: INIT, INIT-ACK, INIT, INIT-ACK. use: 0 the first INIT-ACK, 1 the second.
 */
#define TAG_B2	0xc0c0c0c0u
#define ITSN_B2 9000u

static void
dup_init_case(unsigned order, unsigned use)
{
	struct sw_enforce *e = sw_enforce_new(16, true);
	uint32_t tag = use ? TAG_B2 : TAG_B, itsn = use ? ITSN_B2 : ITSN_B;
	struct tb t;
	unsigned i;

	assert_non_null(e);
	for (i = 0; i < 4; i++) {
		bool init = order == 0 ? i < 2 : i % 2 == 0;
		unsigned nack = order == 0 ? (i >= 2 ? i - 2 : 0) : i / 2;

		if (init) {
			tb_start(&t, IP_A, IP_B, PORT_A, PORT_B, 0);
			tb_init(&t, 1, TAG_A, 65536, ITSN_A);
		} else {
			tb_start(&t, IP_B, IP_A, PORT_B, PORT_A, TAG_A);
			tb_init(&t, 2, nack == 0 ? TAG_B : TAG_B2, 65536,
				nack == 0 ? ITSN_B : ITSN_B2);
		}
		tb_finish(&t);
		assert_int_equal(run(e, &t, 0, init ? 0 : 1), t.len);
	}
	assert_int_equal(sw_enforce_assoc_count(e), 1);
	/* A's COOKIE-ECHO (RFC 9260 3.3.11) with the tag of the INIT-ACK it used */
	tb_start(&t, IP_A, IP_B, PORT_A, PORT_B, tag);
	tb_chunk(&t, 10, 0, "cookie!!", 8);
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 0), t.len);
	/* A's blocked message is removed (not neutralized as unknown), the next renumbered */
	tb_start(&t, IP_A, IP_B, PORT_A, PORT_B, tag);
	tb_data(&t, ITSN_A, 1, 0, 3, 'a');
	tb_data(&t, ITSN_A + 1, 1, 1, 3, 'b');
	tb_data(&t, ITSN_A + 2, 1, 2, 3, 'c');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 2, 0), t.len - DSZ);
	assert_int_equal(tb_r32(t.b + DATA0 + DSZ + 4), ITSN_A + 1);
	/* B's data is numbered from that INIT-ACK's initial TSN: removal at the front works */
	b_to_a(&t);
	tb_data(&t, itsn, 1, 0, 3, 'x');
	tb_data(&t, itsn + 1, 1, 1, 3, 'y');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 1, 1), t.len - DSZ);
	assert_int_equal(tb_r32(t.b + DATA0 + 4), itsn);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_UNKNOWN_BLOCKED], 0);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_NEUTRALIZED], 0);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_CAND_CONFIRMED], use);
	/* the other tag is forgotten: a packet with it belongs to no association */
	tb_start(&t, IP_A, IP_B, PORT_A, PORT_B, use ? TAG_B : TAG_B2);
	tb_data(&t, ITSN_A + 3, 1, 3, 3, 'd');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 0), t.len);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_UNKNOWN_ASSOC], 1);
	sw_enforce_free(e);
}

static void
test_dup_init_first_ack_lost(void **state)
{
	(void)state;
	dup_init_case(0, 1);
	dup_init_case(1, 1);
	dup_init_case(0, 0);
	dup_init_case(1, 0);
}

/* An ABORT in the middle ends the state; what follows passes as untracked, blocked content
 * is still kept from the receiver (neutralized), nothing crashes. */
static void
test_bad_abort_mid(void **state)
{
	struct sw_enforce *e = with_removal();
	struct tb t;

	(void)state;
	b_to_a(&t);
	tb_chunk(&t, 6, 0, NULL, 0);
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 1), t.len);
	assert_int_equal(sw_enforce_assoc_count(e), 0);
	a_to_b(&t);
	tb_data(&t, 102, 1, 2, 3, 'c');
	tb_data(&t, 103, 1, 3, 3, 'd');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 2, 0), t.len);
	assert_true(tb_valid(t.b, t.len));
	assert_memory_equal(t.b + DATA0 + DSZ + 16, "\x01\x00\x03\x03", 4);
	sw_enforce_free(e);
}

/* Chunks of unknown types (RFC 9260 3.2, any action bits) pass untouched, around DATA that is
 * repaired; a retransmission later gets the same numbers. */
static void
test_bad_unknown_chunk(void **state)
{
	struct sw_enforce *e = with_removal();
	static const uint8_t types[] = {0x3f, 0x7e, 0xbd, 0xfc};
	uint8_t body[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct tb t;
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(types); i++) {
		a_to_b(&t);
		tb_chunk(&t, types[i], 0x5a, body, 5);
		tb_finish(&t);
		assert_int_equal(run(e, &t, 0, 0), t.len);
	}
	a_to_b(&t);
	tb_data(&t, 102, 1, 2, 3, 'c');
	tb_chunk(&t, 0x3f, 0, body, 8);
	tb_data(&t, 103, 1, 3, 3, 'd');
	tb_data(&t, 104, 1, 4, 3, 'e');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 8, 0), t.len - DSZ);
	assert_true(tb_valid(t.b, t.len - DSZ));
	assert_int_equal(tb_r32(t.b + DATA0 + 4), 101);
	assert_int_equal(t.b[DATA0 + DSZ], 0x3f);
	assert_int_equal(tb_r32(t.b + DATA0 + DSZ + 12 + 4), 102);
	/* the receiver stopped at the unknown chunk: the sender retransmits 103 alone */
	a_to_b(&t);
	tb_data(&t, 103, 1, 3, 3, 'd');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 0), t.len);
	assert_int_equal(tb_r32(t.b + DATA0 + 4), 102);
	assert_int_equal(tb_r16(t.b + DATA0 + 10), 2);
	a_to_b(&t);
	tb_data(&t, 105, 1, 5, 3, 'f');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 0), t.len);
	assert_int_equal(tb_r32(t.b + DATA0 + 4), 103);
	assert_int_equal(tb_r16(t.b + DATA0 + 10), 3);
	sw_enforce_free(e);
}

/* A SACK with a wrong CRC32c moves nothing: it would prune the removed TSN and shift the
 * numbering of everything after it. */
static void
test_bad_crc_sack(void **state)
{
	struct sw_enforce *e = with_removal();
	struct tb t;

	(void)state;
	b_to_a(&t);
	tb_sack(&t, 100, 3000, NULL, 0, NULL, 0);
	tb_finish(&t);
	t.b[TB_L4 + 10] ^= 0x80;
	assert_int_equal(run(e, &t, 0, 1), t.len);
	assert_int_equal(tb_r32(t.b + DATA0 + 4), 100); /* not translated */
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_CRC_IGNORED], 1);
	still_in_sync(e);
	sw_enforce_free(e);
}

/*
 * A corrupted DATA packet with nothing blocked is not checksum-verified, but one whose TSN is
 * ENF_WIN or more ahead of the highest seen is: a flipped top bit put a TSN 2^31 ahead, where
 * serial arithmetic (RFC 1982) reads the next real TSN as newer again; the highest TSN went back
 * below TSNs already forwarded, and a late blocked one was removed as fresh, shifting numbers
 * given out before (fuzz_repair, corpus/repair/regress-gapack-maxtsn-wrap: a gap block then
 * acknowledged a TSN the receiver never got, a stall).
 */
/* One DATA of A on stream 1 (SSN = TSN - 100), its TSN's first byte xor flip; the new TSN. */
static uint32_t
a_data1(struct sw_enforce *e, uint32_t tsn, uint8_t flip, uint64_t mask)
{
	struct tb t;

	a_to_b(&t);
	tb_data(&t, tsn, 1, (uint16_t)(tsn - 100), 3, 'm');
	tb_finish(&t);
	t.b[DATA0 + 4] ^= flip;
	assert_int_equal(run(e, &t, mask, 0), t.len);
	assert_true(tb_valid(t.b, t.len) == !flip);
	return flip ? 0 : tb_r32(t.b + DATA0 + 4);
}

static void
test_bad_crc_tsn_wrap(void **state)
{
	struct sw_enforce *e = with_removal(); /* 100 forwarded, 101 removed */
	struct tb t;

	(void)state;
	a_to_b(&t); /* 103 lost before the enforcer */
	tb_data(&t, 102, 1, 2, 3, 'c');
	tb_data(&t, 104, 1, 4, 3, 'e');
	tb_data(&t, 105, 1, 5, 3, 'f');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 0), t.len);
	assert_int_equal(tb_r32(t.b + DATA0 + 2 * DSZ + 4), 104);
	/* 102 again with the top bit of its TSN flipped on the way: a bad CRC32c */
	a_data1(e, 102, 0x80, 0);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_CRC_IGNORED], 1);
	/* 102 retransmitted intact: 2^31 behind the corrupted TSN, read as newer than it */
	assert_int_equal(a_data1(e, 102, 0, 0), 101);
	/* 103 comes late and blocked: 104 and 105 passed, so it keeps its number, neutralized */
	assert_int_equal(a_data1(e, 103, 0, 1), 102);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_LATE_BLOCKED], 1);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_CHUNKS_REMOVED], 1);
	/* and the numbering given out stands: 106 -> 105 */
	assert_int_equal(a_data1(e, 106, 0, 0), 105);
	sw_enforce_free(e);
}

/*
 * Issue 12 Deliver 4: where repair cannot remove a blocked chunk (here: the association is not
 * tracked, and a chunk blocked after later TSNs passed), the fallback is named and counted:
 * fail-closed neutralizes in place, fail-open passes the chunk unchanged; the association's
 * numbering is never touched either way.
 */
static void
test_fail_open(void **state)
{
	struct sw_enforce *e = sw_enforce_new(4, true);
	const uint64_t *ctr = sw_enforce_counters(e);
	struct tb t, copy;

	(void)state;
	sw_enforce_set_fail_open(e, true);
	/* untracked association: a blocked chunk passes untouched */
	a_to_b(&t);
	tb_data(&t, 5, 1, 0, 3, 'a');
	tb_data(&t, 6, 1, 1, 3, 'b');
	tb_finish(&t);
	copy = t;
	assert_int_equal(run(e, &t, 2, 0), t.len);
	assert_memory_equal(t.b, copy.b, t.len);
	assert_int_equal(ctr[SW_ENF_UNKNOWN_BLOCKED], 1);
	assert_int_equal(ctr[SW_ENF_FAILOPEN_PASSED], 1);
	assert_int_equal(ctr[SW_ENF_NEUTRALIZED], 0);
	sw_enforce_free(e);

	/* tracked, blocked after a later TSN passed: passes with its own number */
	e = handshake(true);
	ctr = sw_enforce_counters(e);
	sw_enforce_set_fail_open(e, true);
	a_to_b(&t);
	tb_data(&t, 101, 1, 1, 3, 'b');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 0), t.len);
	a_to_b(&t);
	tb_data(&t, 100, 1, 0, 3, 'a');
	tb_finish(&t);
	copy = t;
	assert_int_equal(run(e, &t, 1, 0), t.len);
	assert_memory_equal(t.b, copy.b, t.len);
	assert_int_equal(ctr[SW_ENF_LATE_BLOCKED], 1);
	assert_int_equal(ctr[SW_ENF_FAILOPEN_PASSED], 1);
	/* a blocked chunk that can be removed still is: fail-open is only the fallback */
	a_to_b(&t);
	tb_data(&t, 102, 1, 2, 3, 'c');
	tb_data(&t, 103, 1, 3, 3, 'd');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 1, 0), t.len - DSZ);
	assert_int_equal(tb_r32(t.b + DATA0 + 4), 102);
	assert_int_equal(tb_r16(t.b + DATA0 + 10), 2);
	assert_int_equal(ctr[SW_ENF_CHUNKS_REMOVED], 1);
	/* and back to fail-closed: neutralized */
	sw_enforce_set_fail_open(e, false);
	a_to_b(&t);
	tb_data(&t, 101, 1, 1, 3, 'b');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 1, 0), t.len);
	assert_memory_equal(t.b + DATA0 + 16, "\x01\x00\x03\x03", 4);
	assert_int_equal(ctr[SW_ENF_RETRANS_BLOCKED], 1);
	sw_enforce_free(e);
}

/*
 * Issue 12 Deliver 4: every path on which repair cannot keep an association consistent has a
 * named, counted reason, raises one repair_fallback notice (vtags, ports, addresses, reason,
 * fallback, class, count), and takes the fallback of the association's class. The classifier
 * here puts an association in class 1 (fail-open) when its outside address (side A) is
 * 10.0.0.1 and in class 2 (fail-closed) when it is 10.0.0.3; the default is fail-closed.
 */
#define IP_A3 0x0a000003u

static uint32_t g_ipa;
static unsigned g_classified;

static unsigned
fb_classify(void *arg, const struct sw_pkt *pkt, unsigned dir)
{
	const uint8_t *outside = dir == 0 ? pkt->src : pkt->dst;

	(void)arg;
	g_classified++;
	return outside[3] == 1 ? 1 : outside[3] == 3 ? 2 : 0;
}

static uint32_t
run_at(struct sw_enforce *e, struct tb *t, uint64_t mask, unsigned dir, uint64_t now,
       uint32_t rcap)
{
	return sw_enforce_packet(e, t->b, t->len, sizeof(t->b), &t->pkt, mask, dir, now, reply,
				 rcap, &reply_len);
}

static struct sw_enforce *
fb_new(unsigned max, uint64_t idle_ns)
{
	struct sw_enforce_conf c = {.max_assocs = max, .repair = true, .idle_ns = idle_ns};
	struct sw_enforce *e = sw_enforce_new_conf(&c);

	assert_non_null(e);
	sw_enforce_set_classifier(e, fb_classify, NULL);
	sw_enforce_set_class_fail(e, 1, SW_ENF_FAIL_OPEN);
	sw_enforce_set_class_fail(e, 2, SW_ENF_FAIL_CLOSED);
	return e;
}

static void
ga_to_b(struct tb *t, uint32_t tag)
{
	tb_start(t, g_ipa, IP_B, PORT_A, PORT_B, tag);
}

static void
fb_handshake(struct sw_enforce *e, uint16_t aport, uint64_t now, bool ack)
{
	struct tb t;

	tb_start(&t, g_ipa, IP_B, aport, PORT_B, 0);
	tb_init(&t, 1, TAG_A, 65536, ITSN_A);
	tb_finish(&t);
	assert_int_equal(run_at(e, &t, 0, 0, now, sizeof(reply)), t.len);
	if (!ack)
		return;
	tb_start(&t, IP_B, g_ipa, PORT_B, aport, TAG_A);
	tb_init(&t, 2, TAG_B, 65536, ITSN_B);
	tb_finish(&t);
	assert_int_equal(run_at(e, &t, 0, 1, now, sizeof(reply)), t.len);
}

enum fb_case {
	FB_UNKNOWN,
	FB_EXPIRED,
	FB_UNTRACKED,
	FB_RETRANS,
	FB_LATE,
	FB_WINDOW,
	FB_STREAMS,
	FB_FRAGMENT,
	FB_CASES
};

/* Set the case up and send its trigger: a packet [kept DATA, blocked DATA] from A at now 10 s.
 * Returns the enforcer; *out the trigger after enforcement, *n its length. */
static struct sw_enforce *
fb_trigger(enum fb_case c, struct tb *t, uint32_t *n, enum sw_enf_ctr *why, uint32_t *tag)
{
	const uint64_t now = 10000000000ull;
	struct sw_enforce *e = fb_new(c == FB_UNTRACKED ? 1 : 16, c == FB_EXPIRED ? 1000000000ull : 0);
	uint32_t tsn = ITSN_A, i;
	uint8_t flags = 3;

	*tag = TAG_B;
	switch (c) {
	case FB_UNKNOWN:
	case FB_FRAGMENT:
		*why = SW_ENF_UNKNOWN_BLOCKED;
		*tag = 0x1234u;
		flags = c == FB_FRAGMENT ? 2 : 3; /* B without E: a first fragment */
		break;
	case FB_EXPIRED:
		fb_handshake(e, PORT_A, now - 3000000000ull, true); /* idle 3 s > 1 s */
		*why = SW_ENF_EXPIRED_BLOCKED;
		break;
	case FB_UNTRACKED:
		fb_handshake(e, 3000, now, false); /* half-open, within 5 s: not evictable */
		fb_handshake(e, PORT_A, now, true);
		assert_int_equal(sw_enforce_counters(e)[SW_ENF_TABLE_FULL], 1);
		*why = SW_ENF_UNTRACKED_BLOCKED;
		break;
	case FB_RETRANS:
	case FB_LATE:
		fb_handshake(e, PORT_A, now, true);
		ga_to_b(t, TAG_B);
		tb_data(t, c == FB_RETRANS ? ITSN_A : ITSN_A + 1, 1, c == FB_RETRANS ? 0 : 1, 3,
			'k');
		tb_finish(t);
		assert_int_equal(run_at(e, t, 0, 0, now, sizeof(reply)), t->len);
		*why = c == FB_RETRANS ? SW_ENF_RETRANS_BLOCKED : SW_ENF_LATE_BLOCKED;
		break;
	case FB_WINDOW:
	case FB_STREAMS:
		fb_handshake(e, PORT_A, now, true);
		for (i = 0; i < (c == FB_WINDOW ? 64u : 32u); i++, tsn += 2) {
			ga_to_b(t, TAG_B);
			tb_data(t, tsn, 0, (uint16_t)i, 3, 'k');
			tb_data(t, tsn + 1, c == FB_WINDOW ? 0 : (uint16_t)(i + 1),
				c == FB_WINDOW ? (uint16_t)(i + 1) : 0, 3, 'x');
			tb_finish(t);
			assert_int_equal(run_at(e, t, 2, 0, now, sizeof(reply)), t->len - DSZ);
		}
		*why = c == FB_WINDOW ? SW_ENF_WINDOW_FULL : SW_ENF_STREAMS_FULL;
		break;
	default:
		fail();
	}
	ga_to_b(t, *tag);
	switch (c) {
	case FB_RETRANS:
		tb_data(t, ITSN_A + 1, 1, 1, 3, 'k');
		tb_data(t, ITSN_A, 1, 0, flags, 'z'); /* forwarded before, blocked now */
		break;
	case FB_LATE:
		tb_data(t, ITSN_A + 2, 1, 2, 3, 'k');
		tb_data(t, ITSN_A, 1, 0, flags, 'z'); /* first seen after ITSN_A + 1 */
		break;
	case FB_WINDOW:
	case FB_STREAMS:
		tb_data(t, tsn, 0, 64, 3, 'k');
		tb_data(t, tsn + 1, c == FB_WINDOW ? 0 : 40, c == FB_WINDOW ? 65 : 0, flags, 'z');
		break;
	default:
		tb_data(t, tsn, 1, 0, 3, 'k');
		tb_data(t, tsn + 1, 1, 1, flags, 'z');
		break;
	}
	tb_finish(t);
	*n = run_at(e, t, 2, 0, now, sizeof(reply));
	return e;
}

static void
test_fallback_paths(void **state)
{
	static const char *const names[FB_CASES] = {"unknown", "expired", "untracked", "retrans",
						    "late", "window", "streams", "fragment"};
	unsigned c, open;

	(void)state;
	for (c = 0; c < FB_CASES; c++) {
		for (open = 0; open < 2; open++) {
			struct sw_enforce_fallback fb[SW_ENF_FB_QUEUE];
			struct tb t;
			enum sw_enf_ctr why;
			uint32_t n, tag, ipa;
			struct sw_enforce *e;
			const uint64_t *ctr;
			unsigned k;

			print_message("fallback %s, class %s\n", names[c], open ? "open" : "closed");
			g_ipa = open ? IP_A : IP_A3;
			g_classified = 0;
			e = fb_trigger((enum fb_case)c, &t, &n, &why, &tag);
			ctr = sw_enforce_counters(e);
			/* (a) the named reason, counted once */
			assert_int_equal(ctr[why], 1);
			assert_true(g_classified >= 1);
			/* (c) the class's fallback */
			if (open) {
				assert_int_equal(n, t.len);
				assert_int_equal(t.b[DATA0 + DSZ + 16], 'z');
				assert_int_equal(ctr[SW_ENF_FAILOPEN_PASSED], 1);
				assert_int_equal(ctr[SW_ENF_NEUTRALIZED], 0);
			} else if (c == FB_FRAGMENT) {
				assert_int_equal(n, 0); /* nothing to neutralize: the packet drops */
				assert_int_equal(ctr[SW_ENF_NEUTRALIZE_FAIL], 1);
			} else {
				assert_int_equal(n, t.len);
				assert_true(tb_valid(t.b, n));
				assert_memory_equal(t.b + DATA0 + DSZ + 16, "\x01\x00\x03\x03", 4);
				assert_int_equal(t.b[DATA0 + 16], 'k');
				assert_int_equal(ctr[SW_ENF_NEUTRALIZED], 1);
				assert_int_equal(ctr[SW_ENF_FAILOPEN_PASSED], 0);
			}
			/* (b) one notice with the association, the reason and the fallback */
			assert_int_equal(sw_enforce_fallback_pop(e, fb, SW_ENF_FB_QUEUE), 1);
			assert_int_equal(fb[0].reason, why);
			assert_int_equal(fb[0].action, open ? SW_ENF_FB_PASSED
						     : c == FB_FRAGMENT ? SW_ENF_FB_DROPPED
									: SW_ENF_FB_NEUTRALIZED);
			assert_int_equal(fb[0].cls, open ? 1 : 2);
			assert_int_equal(fb[0].count, 1);
			assert_int_equal(fb[0].dir, 0);
			assert_int_equal(fb[0].tracked, c >= FB_RETRANS && c != FB_FRAGMENT);
			assert_int_equal(fb[0].vtag[0], tag);
			if (fb[0].tracked)
				assert_int_equal(fb[0].vtag[1], TAG_A);
			assert_int_equal(fb[0].port[0], PORT_A);
			assert_int_equal(fb[0].port[1], PORT_B);
			assert_int_equal(fb[0].ip_ver, 4);
			ipa = tb_r32(fb[0].addr[0]);
			assert_int_equal(ipa, g_ipa);
			assert_int_equal(tb_r32(fb[0].addr[1]), IP_B);
			assert_int_equal(ctr[SW_ENF_FALLBACK_EVENTS], 1);
			k = sw_enforce_fallback_pop(e, fb, SW_ENF_FB_QUEUE);
			assert_int_equal(k, 0);
			sw_enforce_free(e);
		}
	}
}

/* Repair errors on control chunks: named, counted, one notice each, forwarded unchanged. */
static void
test_fallback_repair_errors(void **state)
{
	struct sw_enforce_fallback fb[4];
	struct sw_enforce *e;
	struct tb t, copy;

	(void)state;
	g_ipa = IP_A;
	/* a SACK acknowledging TSNs never sent */
	e = fb_new(4, 0);
	fb_handshake(e, PORT_A, 1000, true);
	tb_start(&t, IP_B, g_ipa, PORT_B, PORT_A, TAG_A);
	tb_sack(&t, ITSN_A + 50, 4000, NULL, 0, NULL, 0);
	tb_finish(&t);
	copy = t;
	assert_int_equal(run_at(e, &t, 0, 1, 1000, sizeof(reply)), t.len);
	assert_memory_equal(t.b, copy.b, t.len);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_SACK_UNSENT], 1);
	assert_int_equal(sw_enforce_fallback_pop(e, fb, 4), 1);
	assert_int_equal(fb[0].reason, SW_ENF_SACK_UNSENT);
	assert_int_equal(fb[0].action, SW_ENF_FB_UNCHANGED);
	assert_int_equal(fb[0].dir, 1);
	assert_string_equal(sw_enf_fb_action_name(fb[0].action), "unchanged");
	sw_enforce_free(e);
	/* a SACK the sender needs that does not fit the reply buffer */
	e = fb_new(4, 0);
	fb_handshake(e, PORT_A, 1000, true);
	ga_to_b(&t, TAG_B);
	tb_data(&t, ITSN_A, 1, 0, 3, 'a');
	tb_finish(&t);
	assert_int_equal(run_at(e, &t, 1, 0, 1000, 20), 0);
	assert_int_equal(reply_len, 0);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_REPLY_NOROOM], 1);
	assert_int_equal(sw_enforce_fallback_pop(e, fb, 4), 1);
	assert_int_equal(fb[0].reason, SW_ENF_REPLY_NOROOM);
	assert_int_equal(fb[0].vtag[0], TAG_B);
	assert_int_equal(fb[0].vtag[1], TAG_A);
	sw_enforce_free(e);
}

/* A storm is one notice a second per association with the number of fallbacks it stands for;
 * an unconfigured class follows the default (here switched to fail-open). */
static void
test_fallback_rate_limit(void **state)
{
	struct sw_enforce_fallback fb[SW_ENF_FB_QUEUE];
	struct sw_enforce *e = fb_new(4, 0);
	uint64_t now = 1000;
	struct tb t;
	unsigned i;

	(void)state;
	g_ipa = IP_A3;
	for (i = 0; i < 10; i++, now += 100000000ull) { /* 10 blocked chunks in 1 s */
		ga_to_b(&t, 0x77u);
		tb_data(&t, 5 + i, 1, (uint16_t)i, 3, 'z');
		tb_finish(&t);
		assert_int_equal(run_at(e, &t, 1, 0, now, sizeof(reply)), t.len);
	}
	/* another association in the same second has its own budget */
	ga_to_b(&t, 0x78u);
	tb_data(&t, 5, 1, 0, 3, 'z');
	tb_finish(&t);
	assert_int_equal(run_at(e, &t, 1, 0, now, sizeof(reply)), t.len);
	assert_int_equal(sw_enforce_fallback_pop(e, fb, SW_ENF_FB_QUEUE), 2);
	assert_int_equal(fb[0].vtag[0], 0x77u);
	assert_int_equal(fb[0].count, 1);
	assert_int_equal(fb[1].vtag[0], 0x78u);
	/* a second later: one notice for the 9 suppressed and this one */
	ga_to_b(&t, 0x77u);
	tb_data(&t, 20, 1, 10, 3, 'z');
	tb_finish(&t);
	assert_int_equal(run_at(e, &t, 1, 0, now + 1000000000ull, sizeof(reply)), t.len);
	assert_int_equal(sw_enforce_fallback_pop(e, fb, SW_ENF_FB_QUEUE), 1);
	assert_int_equal(fb[0].count, 10);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_UNKNOWN_BLOCKED], 12);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_NEUTRALIZED], 12);
	/* class 0 (10.0.0.2 outside: no class of its own) follows the default */
	sw_enforce_set_fail_open(e, true);
	tb_start(&t, 0x0a000002u, IP_B, PORT_A, PORT_B, 0x79u);
	tb_data(&t, 5, 1, 0, 3, 'z');
	tb_finish(&t);
	assert_int_equal(run_at(e, &t, 1, 0, now, sizeof(reply)), t.len);
	assert_int_equal(t.b[DATA0 + 16], 'z');
	assert_int_equal(sw_enforce_fallback_pop(e, fb, SW_ENF_FB_QUEUE), 1);
	assert_int_equal(fb[0].cls, 0);
	assert_int_equal(fb[0].action, SW_ENF_FB_PASSED);
	/* class 2 stays fail-closed whatever the default */
	g_ipa = IP_A3;
	ga_to_b(&t, 0x7au);
	tb_data(&t, 5, 1, 0, 3, 'z');
	tb_finish(&t);
	assert_int_equal(run_at(e, &t, 1, 0, now, sizeof(reply)), t.len);
	assert_memory_equal(t.b + DATA0 + 16, "\x01\x00\x03\x03", 4);
	sw_enforce_free(e);
}

static void
test_forward_tsn(void **state)
{
	struct sw_enforce *e = handshake(true);
	struct tb t;
	uint8_t body[12];
	uint32_t n;

	(void)state;
	a_to_b(&t);
	tb_data(&t, 100, 1, 0, 3, 'a');
	tb_data(&t, 101, 1, 1, 3, 'b');
	tb_data(&t, 102, 1, 2, 3, 'c');
	tb_finish(&t);
	assert_true(run(e, &t, 1u << 1, 0) > 0);
	/* A abandons up to orig 102 (stream 1 ssn 2): becomes 101, stream 1 ssn 1 */
	a_to_b(&t);
	tb_w32(body, 102);
	tb_w16(body + 4, 1);
	tb_w16(body + 6, 2);
	tb_w16(body + 8, 3);
	tb_w16(body + 10, 7);
	tb_chunk(&t, 192, 0, body, 12);
	tb_finish(&t);
	n = run(e, &t, 0, 0);
	assert_int_equal(n, t.len);
	assert_true(tb_valid(t.b, n));
	assert_int_equal(tb_r32(t.b + DATA0 + 4), 101);
	assert_int_equal(tb_r16(t.b + DATA0 + 8), 1);
	assert_int_equal(tb_r16(t.b + DATA0 + 10), 1);
	assert_int_equal(tb_r16(t.b + DATA0 + 12), 3);
	assert_int_equal(tb_r16(t.b + DATA0 + 14), 7);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_FWDTSN_TRANSLATED], 1);
	sw_enforce_free(e);
}

/* I-DATA: ordered MIDs renumbered per stream, unordered MIDs left alone. */
static void
test_idata(void **state)
{
	struct sw_enforce *e = handshake(true);
	struct tb t;
	uint32_t n;

	(void)state;
	a_to_b(&t);
	tb_idata(&t, 100, 4, 10, 3, 'a');
	tb_idata(&t, 101, 4, 11, 3, 'b');
	tb_idata(&t, 102, 4, 12, 3, 'c');
	tb_idata(&t, 103, 4, 5, 7, 'u');
	tb_finish(&t);
	n = run(e, &t, 1u << 1, 0);
	assert_int_equal(n, TB_L4 + 12 + 3 * 36);
	assert_true(tb_valid(t.b, n));
	assert_int_equal(tb_r32(t.b + DATA0 + 36 + 4), 101);
	assert_int_equal(tb_r32(t.b + DATA0 + 36 + 12), 11);
	assert_int_equal(tb_r32(t.b + DATA0 + 72 + 4), 102);
	assert_int_equal(tb_r32(t.b + DATA0 + 72 + 12), 5);
	sw_enforce_free(e);
}

static void
test_unknown_association(void **state)
{
	struct sw_enforce *e = sw_enforce_new(4, true);
	struct tb t, copy;

	(void)state;
	a_to_b(&t);
	tb_data(&t, 5, 1, 0, 3, 'a');
	tb_data(&t, 6, 1, 1, 3, 'b');
	tb_finish(&t);
	copy = t;
	assert_int_equal(run(e, &t, 0, 0), t.len);
	assert_memory_equal(t.b, copy.b, t.len);
	/* a blocked chunk of an untracked association is neutralized in place */
	assert_int_equal(run(e, &t, 2, 0), t.len);
	assert_true(tb_valid(t.b, t.len));
	assert_int_equal(tb_r32(t.b + DATA0 + DSZ + 4), 6);
	assert_memory_equal(t.b + DATA0 + DSZ + 16, "\x01\x00\x03\x03\x00\x00\x00\x10", 8);
	assert_memory_equal(t.b + DATA0 + 16, copy.b + DATA0 + 16, 8);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_UNKNOWN_ASSOC], 2);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_UNKNOWN_BLOCKED], 1);
	sw_enforce_free(e);
}

/* INIT flood on a full table: established associations stay, new ones are counted. */
static void
test_table_full(void **state)
{
	struct sw_enforce *e = sw_enforce_new(2, true);
	struct tb t;
	unsigned i;

	(void)state;
	for (i = 0; i < 2; i++) {
		tb_start(&t, IP_A, IP_B, (uint16_t)(1000 + i), PORT_B, 0);
		tb_init(&t, 1, 0x1000 + i, 65536, 1);
		tb_finish(&t);
		assert_int_equal(run(e, &t, 0, 0), t.len);
		tb_start(&t, IP_B, IP_A, PORT_B, (uint16_t)(1000 + i), 0x1000 + i);
		tb_init(&t, 2, 0x2000 + i, 65536, 1);
		tb_finish(&t);
		assert_int_equal(run(e, &t, 0, 1), t.len);
		tb_start(&t, IP_A, IP_B, (uint16_t)(1000 + i), PORT_B, 0x2000 + i);
		tb_data(&t, 1, 0, 0, 3, 'a');
		tb_finish(&t);
		assert_int_equal(run(e, &t, 0, 0), t.len);
	}
	for (i = 0; i < 100; i++) {
		tb_start(&t, IP_A, IP_B, (uint16_t)(2000 + i), PORT_B, 0);
		tb_init(&t, 1, 0x3000 + i, 65536, 1);
		tb_finish(&t);
		assert_int_equal(run(e, &t, 0, 0), t.len);
	}
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_TABLE_FULL], 100);
	assert_int_equal(sw_enforce_assoc_count(e), 2);
	/* the established ones still repair */
	tb_start(&t, IP_A, IP_B, 1001, PORT_B, 0x2001);
	tb_data(&t, 2, 0, 1, 3, 'b');
	tb_data(&t, 3, 0, 2, 3, 'c');
	tb_finish(&t);
	assert_true(run(e, &t, 1, 0) > 0);
	assert_int_equal(tb_r32(t.b + DATA0 + 4), 2);
	assert_int_equal(tb_r16(t.b + DATA0 + 10), 1);
	sw_enforce_free(e);
}

/* Random chunk lengths and garbage never crash and never write out of the buffer. */
static void
test_impossible_lengths(void **state)
{
	struct sw_enforce *e = handshake(true);
	struct tb t;
	unsigned i, j;

	(void)state;
	srand(7);
	for (i = 0; i < 50000; i++) {
		uint32_t n, nch = 1 + (unsigned)rand() % 6;

		a_to_b(&t);
		for (j = 0; j < nch; j++) {
			uint8_t *c =
				tb_data(&t, 100 + (unsigned)rand() % 50, (uint16_t)(rand() % 3),
					(uint16_t)(rand() % 5), (uint8_t)(rand() & 7), 'r');

			static const uint8_t types[] = {0, 1, 2, 3, 6, 7, 11, 14, 64, 192, 194};
			unsigned b;

			if (rand() % 3 == 0)
				c[0] = rand() % 4 == 0 ? (uint8_t)rand() : types[rand() % 11];
			for (b = 4; b < 32; b++)
				if (rand() % 6 == 0)
					c[b] = (uint8_t)rand();
			if (rand() % 4 == 0)
				tb_w16(c + 2, (uint16_t)(rand() % 80));
		}
		tb_finish(&t);
		if (rand() % 5 == 0)
			t.pkt.l4_end = (uint32_t)rand() % (t.len + 8);
		if (rand() % 7 == 0)
			t.len = (uint32_t)rand() % (t.len + 1);
		if (rand() % 9 == 0)
			t.pkt.l4_off = (uint32_t)rand() % 60;
		if (rand() % 9 == 0)
			t.pkt.ip_ver = rand() % 2 ? 6 : 4;
		if (rand() % 9 == 0)
			t.b[TB_L3] = (uint8_t)(0x40 | (rand() & 0x0f));
		{
			/* exactly as long as the frame: a sanitizer build sees any overread */
			uint8_t *exact = malloc(t.len ? t.len : 1);

			assert_non_null(exact);
			memcpy(exact, t.b, t.len);
			n = sw_enforce_packet(e, exact, t.len, t.len, &t.pkt, (uint64_t)rand(),
					      (unsigned)rand() % 2, 1000, reply, sizeof(reply),
					      &reply_len);
			assert_true(n <= t.len);
			assert_true(reply_len <= sizeof(reply));
			if (n != 0 && n != t.len)
				assert_true(tb_valid(exact, n));
			free(exact);
		}
	}
	assert_true(sw_enforce_counters(e)[SW_ENF_BAD_CHUNK_LEN] > 0);
	sw_enforce_free(e);
}

/* Changed packets get a new CRC; a wrong CRC on a packet to rewrite drops it. */
static void
test_bad_crc(void **state)
{
	struct sw_enforce *e = handshake(true);
	struct tb t;

	(void)state;
	a_to_b(&t);
	tb_data(&t, 100, 1, 0, 3, 'a');
	tb_data(&t, 101, 1, 1, 3, 'b');
	tb_finish(&t);
	t.b[TB_L4 + 8] ^= 1;
	assert_int_equal(run(e, &t, 1, 0), 0);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_BAD_CRC], 1);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_CHUNKS_REMOVED], 0);

	/* after a removal, renumbered packets get an incrementally updated checksum: a good
	 * one stays good, a corrupted one stays corrupted (never laundered) */
	a_to_b(&t);
	tb_data(&t, 100, 1, 0, 3, 'a');
	tb_data(&t, 101, 1, 1, 3, 'b');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 1, 0), t.len - DSZ);
	a_to_b(&t);
	tb_data(&t, 102, 1, 2, 3, 'c');
	tb_data(&t, 103, 2, 0, 3, 'd');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 0), t.len);
	assert_int_equal(tb_r32(t.b + DATA0 + 4), 101);
	assert_true(tb_valid(t.b, t.len));
	a_to_b(&t);
	tb_data(&t, 104, 1, 3, 3, 'e');
	tb_finish(&t);
	t.b[t.len - 1] ^= 0x40; /* payload corrupted after the checksum was computed */
	/* DATA with nothing blocked is not verified (it only moves the seen-window): renumbered
	 * with an incremental update, so it stays corrupted, never laundered */
	assert_int_equal(run(e, &t, 0, 0), t.len);
	assert_int_equal(tb_r32(t.b + DATA0 + 4), 103);
	assert_false(tb_valid(t.b, t.len));
	/* the sender's retransmission gets the same numbers */
	a_to_b(&t);
	tb_data(&t, 104, 1, 3, 3, 'e');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 0), t.len);
	assert_int_equal(tb_r32(t.b + DATA0 + 4), 103);
	assert_int_equal(tb_r16(t.b + DATA0 + 10), 2);
	assert_true(tb_valid(t.b, t.len));
	sw_enforce_free(e);
}

/* repair off through the setter: the same packet is shrunk but not renumbered */
static void
test_repair_switch(void **state)
{
	struct sw_enforce *e = handshake(true);
	struct tb t;

	(void)state;
	sw_enforce_set_repair(e, false);
	assert_int_equal(sw_enforce_assoc_count(e), 0);
	a_to_b(&t);
	tb_data(&t, 100, 1, 0, 3, 'a');
	tb_data(&t, 101, 1, 1, 3, 'b');
	tb_data(&t, 102, 1, 2, 3, 'c');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 2, 0), TB_L4 + 12 + 2 * DSZ);
	assert_int_equal(tb_r32(t.b + DATA0 + DSZ + 4), 102);
	assert_string_equal(sw_enf_ctr_name(SW_ENF_SACK_TRANSLATED), "sack_translated");
	sw_enforce_free(e);
}

/* 100 lost before us, 101 forwarded; 100 then arrives and is blocked: neutralized in place. */
static void
test_late_blocked(void **state)
{
	struct sw_enforce *e = handshake(true);
	struct tb t;
	uint32_t n;

	(void)state;
	a_to_b(&t);
	tb_data(&t, 101, 1, 1, 3, 'b');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 0, 0), t.len);
	a_to_b(&t);
	tb_data(&t, 100, 1, 0, 3, 'a');
	tb_finish(&t);
	n = run(e, &t, 1, 0);
	assert_int_equal(n, t.len);
	assert_int_equal(tb_r32(t.b + DATA0 + 4), 100);
	assert_int_equal(tb_r16(t.b + DATA0 + 10), 0);
	assert_memory_equal(t.b + DATA0 + 16, "\x01\x00\x03\x03\x00\x00\x00\x10", 8);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_LATE_BLOCKED], 1);
	sw_enforce_free(e);
}

/* More unacknowledged removals than the window holds: the extra one is neutralized; once
 * the receiver acknowledges, removal resumes. */
static void
test_window_full(void **state)
{
	struct sw_enforce *e = handshake(true);
	struct tb t;
	uint32_t n, tsn = 100, i;

	(void)state;
	for (i = 0; i < 65; i++, tsn += 2) {
		a_to_b(&t);
		tb_data(&t, tsn, 1, (uint16_t)(tsn - 100), 3, 'k');
		tb_data(&t, tsn + 1, 1, (uint16_t)(tsn - 99), 3, 'x');
		tb_finish(&t);
		n = run(e, &t, 2, 0);
		assert_int_equal(n, i < 64 ? t.len - DSZ : t.len);
		assert_int_equal(tb_r32(t.b + DATA0 + 4), 100 + i);
		assert_int_equal(tb_r16(t.b + DATA0 + 10), i);
	}
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_WINDOW_FULL], 1);
	/* the neutralized one (orig tsn - 1) kept its slot: new 165 */
	b_to_a(&t);
	tb_sack(&t, 165, 4000, NULL, 0, NULL, 0);
	tb_finish(&t);
	assert_true(run(e, &t, 0, 1) > 0);
	assert_int_equal(tb_r32(t.b + DATA0 + 4), tsn - 1);
	a_to_b(&t);
	tb_data(&t, tsn, 1, (uint16_t)(tsn - 100), 3, 'k');
	tb_data(&t, tsn + 1, 1, (uint16_t)(tsn - 99), 3, 'x');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 2, 0), t.len - DSZ);
	assert_int_equal(tb_r32(t.b + DATA0 + 4), 166);
	assert_int_equal(tb_r16(t.b + DATA0 + 10), 66);
	sw_enforce_free(e);
}

/*
 * RFC 9260 6.8, 8.5.1: a packet with a wrong CRC32c is discarded by its receiver, so nothing may
 * be learned from it. INIT and INIT-ACK were verified before; the association's first packet
 * after them recorded its addresses (the per-association statistics, repair_fallback notices)
 * and a handshake packet completed it (up: no longer evictable, an INIT with its tag ignored)
 * unverified: one forged COOKIE-ECHO with the right tag from any address planted both.
 */
#define IP_X 0xc0000242u /* 192.0.2.66: an address on the path that is not A's */

static void
cookie(struct tb *t, uint32_t src, bool data, bool corrupt)
{
	uint8_t body[16] = "state cookie....";

	tb_start(t, src, IP_B, PORT_A, PORT_B, TAG_B);
	tb_chunk(t, 10, 0, body, sizeof(body)); /* COOKIE-ECHO, RFC 9260 3.3.11 */
	if (data)
		tb_data(t, 100, 1, 0, 3, 'a');
	tb_finish(t);
	if (corrupt)
		t->b[t->len - 1] ^= 0x20;
}

static void
assoc_info(struct sw_enforce *e, struct sw_enforce_assoc_info *ai)
{
	assert_int_equal(sw_enforce_assoc_snapshot(e, ai, 1), 1);
}

static void
test_bad_crc_learns_nothing(void **state)
{
	struct sw_enforce *e = sw_enforce_new(16, true);
	const uint64_t *ctr = sw_enforce_counters(e);
	struct sw_enforce_assoc_info ai;
	uint8_t ip_a[4] = {10, 0, 0, 1}, ip_b[4] = {10, 0, 0, 2};
	struct tb t;

	(void)state;
	/* INIT, then INIT-ACK: the corrupted copy teaches nothing, the good one after it does */
	tb_start(&t, IP_A, IP_B, PORT_A, PORT_B, 0);
	tb_init(&t, 1, TAG_A, 65536, ITSN_A);
	tb_finish(&t);
	t.b[t.len - 1] ^= 1;
	assert_int_equal(run(e, &t, 0, 0), t.len);
	assert_int_equal(sw_enforce_assoc_count(e), 0);
	assert_int_equal(ctr[SW_ENF_CRC_IGNORED], 1);
	t.b[t.len - 1] ^= 1;
	assert_int_equal(run(e, &t, 0, 0), t.len);
	assert_int_equal(sw_enforce_assoc_count(e), 1);
	tb_start(&t, IP_B, IP_A, PORT_B, PORT_A, TAG_A);
	tb_init(&t, 2, TAG_B, 65536, ITSN_B);
	tb_finish(&t);
	t.b[t.len - 1] ^= 1;
	assert_int_equal(run(e, &t, 0, 1), t.len);
	assoc_info(e, &ai);
	assert_int_equal(ai.vtag[0], 0);
	assert_int_equal(ctr[SW_ENF_CRC_IGNORED], 2);
	t.b[t.len - 1] ^= 1;
	assert_int_equal(run(e, &t, 0, 1), t.len);
	assoc_info(e, &ai);
	assert_int_equal(ai.vtag[0], TAG_B);

	/* the initiator's first packet, forged from another address with a wrong checksum and a
	 * DATA chunk bundled: forwarded unchanged, neither its addresses nor "up" learned */
	cookie(&t, IP_X, true, true);
	assert_int_equal(run(e, &t, 0, 0), t.len);
	assoc_info(e, &ai);
	assert_int_equal(ai.ip_ver, 0);
	assert_false(ai.up);
	assert_int_equal(ctr[SW_ENF_CRC_IGNORED], 3);
	/* the same with a blocked chunk: dropped (bad_crc), still nothing learned */
	cookie(&t, IP_X, true, true);
	assert_int_equal(run(e, &t, 2, 0), 0);
	assert_int_equal(ctr[SW_ENF_BAD_CRC], 1);
	assoc_info(e, &ai);
	assert_int_equal(ai.ip_ver, 0);
	assert_false(ai.up);
	assert_int_equal(ai.chunks_removed[0], 0);
	/* the real COOKIE-ECHO: its addresses are the association's */
	cookie(&t, IP_A, false, false);
	assert_int_equal(run(e, &t, 0, 0), t.len);
	assoc_info(e, &ai);
	assert_int_equal(ai.ip_ver, 4);
	assert_memory_equal(ai.addr[0], ip_a, 4);
	assert_memory_equal(ai.addr[1], ip_b, 4);
	assert_false(ai.up);
	/* a corrupted COOKIE-ACK does not complete the handshake, the real one does */
	b_to_a(&t);
	tb_chunk(&t, 11, 0, NULL, 0); /* COOKIE-ACK, RFC 9260 3.3.12 */
	tb_finish(&t);
	t.b[TB_L4 + 8] ^= 1;
	assert_int_equal(run(e, &t, 0, 1), t.len);
	assoc_info(e, &ai);
	assert_false(ai.up);
	assert_int_equal(ctr[SW_ENF_CRC_IGNORED], 4);
	t.b[TB_L4 + 8] ^= 1;
	assert_int_equal(run(e, &t, 0, 1), t.len);
	assoc_info(e, &ai);
	assert_true(ai.up);
	/* and the repair works from the first TSN: 101 removed, 102 becomes 101 */
	a_to_b(&t);
	tb_data(&t, 100, 1, 0, 3, 'a');
	tb_data(&t, 101, 1, 1, 3, 'b');
	tb_data(&t, 102, 1, 2, 3, 'c');
	tb_finish(&t);
	assert_int_equal(run(e, &t, 2, 0), t.len - DSZ);
	assert_int_equal(tb_r32(t.b + DATA0 + 4), 100);
	assert_int_equal(tb_r32(t.b + DATA0 + DSZ + 4), 101);
	assert_true(tb_valid(t.b, t.len - DSZ));
	sw_enforce_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c_vector),
		cmocka_unit_test(test_remove_middle_no_repair),
		cmocka_unit_test(test_unchanged_packet_untouched),
		cmocka_unit_test(test_remove_middle_and_renumber),
		cmocka_unit_test(test_sack_translation_gaps),
		cmocka_unit_test(test_retransmission),
		cmocka_unit_test(test_generated_sack),
		cmocka_unit_test(test_generated_sack_lost),
		cmocka_unit_test(test_bad_sack_unsent),
		cmocka_unit_test(test_bad_fwdtsn_beyond),
		cmocka_unit_test(test_bad_dup_tsn_payload),
		cmocka_unit_test(test_bad_init_collision),
		cmocka_unit_test(test_bad_abort_mid),
		cmocka_unit_test(test_bad_unknown_chunk),
		cmocka_unit_test(test_bad_crc_sack),
		cmocka_unit_test(test_bad_crc_tsn_wrap),
		cmocka_unit_test(test_fail_open),
		cmocka_unit_test(test_forward_tsn),
		cmocka_unit_test(test_idata),
		cmocka_unit_test(test_unknown_association),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_impossible_lengths),
		cmocka_unit_test(test_bad_crc),
		cmocka_unit_test(test_repair_switch),
		cmocka_unit_test(test_late_blocked),
		cmocka_unit_test(test_window_full),
		cmocka_unit_test(test_second_init_ack),
		cmocka_unit_test(test_dup_init_first_ack_lost),
		cmocka_unit_test(test_fallback_paths),
		cmocka_unit_test(test_fallback_repair_errors),
		cmocka_unit_test(test_fallback_rate_limit),
		cmocka_unit_test(test_bad_crc_learns_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
