/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test helper: every entry of a state object as sorted delta records (sw_state_dump), so that
 * two objects with different hash keys can be compared byte for byte.
 */
#ifndef SW_TESTS_STATE_DUMP_H
#define SW_TESTS_STATE_DUMP_H

#include <stdlib.h>
#include <string.h>

#include "dataplane/state/state.h"

struct dump {
	struct sw_state_delta *d;
	size_t n, cap;
};

static int
dump_cb(const struct sw_state_delta *d, void *arg)
{
	struct dump *x = arg;

	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 1024;
		x->d = realloc(x->d, x->cap * sizeof(*x->d));
		assert_non_null(x->d);
	}
	x->d[x->n++] = *d;
	return 0;
}

static int
delta_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct sw_state_delta));
}

/* Live entries and tombstones of every table at now, sorted. */
static struct dump
dump_all(struct sw_state *st, uint64_t now)
{
	struct dump x = {0};

	for (unsigned t = 0; t < SW_STATE_NTABLES; t++)
		sw_state_dump(st, t, now, true, dump_cb, &x);
	if (x.n > 0)
		qsort(x.d, x.n, sizeof(*x.d), delta_cmp);
	return x;
}

/* Both objects hold the same entries (and something). */
static void
assert_same_contents(struct sw_state *a, struct sw_state *b, uint64_t now)
{
	struct dump da = dump_all(a, now), db = dump_all(b, now);

	assert_true(da.n > 0);
	assert_int_equal(da.n, db.n);
	assert_memory_equal(da.d, db.d, da.n * sizeof(*da.d));
	free(da.d);
	free(db.d);
}

#endif /* SW_TESTS_STATE_DUMP_H */
