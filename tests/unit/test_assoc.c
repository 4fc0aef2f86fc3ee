/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Association tracking of the enforce library: learning from INIT/INIT-ACK, multi-homing,
 * expiry (SHUTDOWN-COMPLETE, ABORT, inactivity), bounded table and eviction policy, and the
 * hash table under churn.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "enforce_build.h"

#define SEC 1000000000ull

static uint8_t reply[2048];
static uint32_t reply_len;

static uint32_t
run_at(struct sw_enforce *e, struct tb *t, uint64_t mask, unsigned dir, uint64_t now)
{
	return sw_enforce_packet(e, t->b, t->len, sizeof(t->b), &t->pkt, mask, dir, now, reply,
				 sizeof(reply), &reply_len);
}

/* Association i: A port 1000+i, B port 2905; tags 0x10000+i (A's) and 0x20000+i (B's). */
static void
open_assoc(struct sw_enforce *e, unsigned i, uint64_t now, bool complete)
{
	struct tb t;

	tb_start(&t, 0x0a000001, 0x0a000002, (uint16_t)(1000 + i), 2905, 0);
	tb_init(&t, 1, 0x10000 + i, 65536, 1);
	tb_finish(&t);
	assert_int_equal(run_at(e, &t, 0, 0, now), t.len);
	if (!complete)
		return;
	tb_start(&t, 0x0a000002, 0x0a000001, 2905, (uint16_t)(1000 + i), 0x10000 + i);
	tb_init(&t, 2, 0x20000 + i, 65536, 1);
	tb_finish(&t);
	assert_int_equal(run_at(e, &t, 0, 1, now), t.len);
	tb_start(&t, 0x0a000002, 0x0a000001, 2905, (uint16_t)(1000 + i), 0x10000 + i);
	tb_chunk(&t, 11, 0, NULL, 0); /* COOKIE-ACK */
	tb_finish(&t);
	assert_int_equal(run_at(e, &t, 0, 1, now), t.len);
}

/* A packet A->B of association i with DATA tsn/ssn, middle one blocked when three. Returns
 * true when the association was repaired (second chunk renumbered). */
static bool
tracked(struct sw_enforce *e, unsigned i, uint32_t src_ip, uint32_t tsn, uint64_t now)
{
	struct tb t;
	uint32_t n;

	tb_start(&t, src_ip, 0x0a000002, (uint16_t)(1000 + i), 2905, 0x20000 + i);
	tb_data(&t, tsn, 0, (uint16_t)(tsn - 1), 3, 'a');
	tb_data(&t, tsn + 1, 0, (uint16_t)tsn, 3, 'b');
	tb_data(&t, tsn + 2, 0, (uint16_t)(tsn + 1), 3, 'c');
	tb_finish(&t);
	n = run_at(e, &t, 2, 0, now);
	if (n != t.len - 32)
		return false; /* not removed (neutralized: the association is not tracked) */
	return tb_r32(t.b + TB_L4 + 12 + 32 + 4) == tsn + 1 - (tsn - 1) / 3;
}

static void
test_multihoming(void **state)
{
	struct sw_enforce *e = sw_enforce_new(8, true);
	struct tb t;

	(void)state;
	open_assoc(e, 0, 0, true);
	/* first path 10.0.0.1, then a second address of A: same association, numbering goes on */
	assert_true(tracked(e, 0, 0x0a000001, 1, 0));
	assert_true(tracked(e, 0, 0x0a0000fe, 4, 0));
	/* B's SACK from another address of B is translated just the same (orig 6 -> extended) */
	tb_start(&t, 0xc0a80002, 0x0a0000fe, 2905, 1000, 0x10000);
	tb_sack(&t, 4, 1000, NULL, 0, NULL, 0);
	tb_finish(&t);
	assert_true(run_at(e, &t, 0, 1, 0) > 0);
	assert_int_equal(tb_r32(t.b + TB_L4 + 12 + 4), 6);
	assert_int_equal(sw_enforce_assoc_count(e), 1);
	sw_enforce_free(e);
}

static void
test_shutdown_complete_and_abort(void **state)
{
	struct sw_enforce *e = sw_enforce_new(8, true);
	struct tb t;

	(void)state;
	open_assoc(e, 0, 0, true);
	open_assoc(e, 1, 0, true);
	assert_int_equal(sw_enforce_assoc_count(e), 2);
	/* SHUTDOWN-COMPLETE from A with its peer's tag */
	tb_start(&t, 0x0a000001, 0x0a000002, 1000, 2905, 0x20000);
	tb_chunk(&t, 14, 0, NULL, 0);
	tb_finish(&t);
	assert_int_equal(run_at(e, &t, 0, 0, 1), t.len);
	assert_int_equal(sw_enforce_assoc_count(e), 1);
	/* ABORT from B with the T bit: the tag is B's own (reflected) */
	tb_start(&t, 0x0a000002, 0x0a000001, 2905, 1001, 0x20001);
	tb_chunk(&t, 6, 1, NULL, 0);
	tb_finish(&t);
	assert_int_equal(run_at(e, &t, 0, 1, 1), t.len);
	assert_int_equal(sw_enforce_assoc_count(e), 0);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_ASSOC_END], 2);
	/* gone: a blocked chunk is now neutralized, not removed */
	assert_false(tracked(e, 0, 0x0a000001, 1, 2));
	sw_enforce_free(e);
}

static void
test_idle_expiry(void **state)
{
	struct sw_enforce_conf c = {.max_assocs = 4, .repair = true, .idle_ns = 10 * SEC};
	struct sw_enforce *e = sw_enforce_new_conf(&c);

	(void)state;
	open_assoc(e, 0, 0, true);
	assert_true(tracked(e, 0, 0x0a000001, 1, 9 * SEC));
	assert_true(tracked(e, 0, 0x0a000001, 4, 18 * SEC)); /* activity keeps it */
	assert_false(tracked(e, 0, 0x0a000001, 7, 29 * SEC));
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_ASSOC_EXPIRED], 1);
	assert_int_equal(sw_enforce_assoc_count(e), 0);
	sw_enforce_free(e);
}

/* Full table: half-open entries past the handshake timeout give way; established never. */
static void
test_eviction_policy(void **state)
{
	struct sw_enforce_conf c = {.max_assocs = 4, .repair = true, .handshake_ns = 2 * SEC};
	struct sw_enforce *e = sw_enforce_new_conf(&c);
	unsigned i;

	(void)state;
	open_assoc(e, 0, 0, true);
	open_assoc(e, 1, 0, true);
	open_assoc(e, 2, 0, false); /* INIT only */
	open_assoc(e, 3, 0, false);
	open_assoc(e, 4, 1 * SEC, false); /* too early: not tracked */
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_TABLE_FULL], 1);
	open_assoc(e, 5, 3 * SEC, true); /* evicts a stale half-open one */
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_TABLE_FULL], 1);
	for (i = 10; i < 200; i++)
		open_assoc(e, i, 3 * SEC + i, false);
	assert_int_equal(sw_enforce_assoc_count(e), 4);
	assert_true(tracked(e, 0, 0x0a000001, 1, 4 * SEC));
	assert_true(tracked(e, 1, 0x0a000001, 1, 4 * SEC));
	assert_true(tracked(e, 5, 0x0a000001, 1, 4 * SEC));
	sw_enforce_free(e);
}

/* Many associations opened and closed in random order: every live one is found. */
static void
test_churn(void **state)
{
	enum { N = 300 };
	struct sw_enforce *e = sw_enforce_new(N, true);
	bool live[N] = {false};
	uint32_t next_tsn[N];
	unsigned round, i, count = 0;
	struct tb t;

	(void)state;
	srand(11);
	for (round = 0; round < 3000; round++) {
		i = (unsigned)rand() % N;
		if (!live[i]) {
			open_assoc(e, i, 0, true);
			live[i] = true;
			next_tsn[i] = 1;
			count++;
		} else if (rand() % 3 == 0) {
			tb_start(&t, 0x0a000001, 0x0a000002, (uint16_t)(1000 + i), 2905,
				 0x20000 + i);
			tb_chunk(&t, 6, 0, NULL, 0);
			tb_finish(&t);
			run_at(e, &t, 0, 0, 0);
			live[i] = false;
			count--;
		} else {
			assert_true(tracked(e, i, 0x0a000001, next_tsn[i], 0));
			next_tsn[i] += 3;
		}
		assert_int_equal(sw_enforce_assoc_count(e), count);
	}
	for (i = 0; i < N; i++)
		if (live[i])
			assert_true(tracked(e, i, 0x0a000001, next_tsn[i], 0));
	sw_enforce_free(e);
}

/* An INIT or INIT-ACK reusing the tags of an established association does not reset it. */
static void
test_forged_init(void **state)
{
	struct sw_enforce *e = sw_enforce_new(8, true);
	struct tb t;

	(void)state;
	open_assoc(e, 0, 0, true);
	assert_true(tracked(e, 0, 0x0a000001, 1, 0));
	tb_start(&t, 0x0a000001, 0x0a000002, 1000, 2905, 0);
	tb_init(&t, 1, 0x10000, 65536, 77);
	tb_finish(&t);
	assert_int_equal(run_at(e, &t, 0, 0, 0), t.len);
	tb_start(&t, 0x0a000002, 0x0a000001, 2905, 1000, 0x10000);
	tb_init(&t, 2, 0x99999, 65536, 77);
	tb_finish(&t);
	assert_int_equal(run_at(e, &t, 0, 1, 0), t.len);
	assert_int_equal(sw_enforce_counters(e)[SW_ENF_INIT_IGNORED], 2);
	/* numbering goes on from the state before */
	assert_true(tracked(e, 0, 0x0a000001, 4, 0));
	sw_enforce_free(e);
}

static void
test_bad_conf(void **state)
{
	(void)state;
	assert_null(sw_enforce_new(0, true));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multihoming),
		cmocka_unit_test(test_shutdown_complete_and_abort),
		cmocka_unit_test(test_idle_expiry),
		cmocka_unit_test(test_eviction_policy),
		cmocka_unit_test(test_churn),
		cmocka_unit_test(test_forged_init),
		cmocka_unit_test(test_bad_conf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
