/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's table figures in its shm counter block (issue 19 D3: table fill and evictions in
 * the metrics). The reassembly table (dataplane/reasm) is private to its worker: the worker
 * mirrors its struct sw_reasm_stats into the block after each non-empty burst, when they moved.
 * The state tables are one shm object of the instance: control reads them there
 * (sw_state_attach), not through the workers.
 */
#ifndef SW_APP_TABLES_H
#define SW_APP_TABLES_H

#include "dataplane/reasm/reasm.h"
#include "dataplane/shm/shm.h"

static inline void
sw_tables_publish(struct sw_shm_counters *c, const struct sw_reasm *r)
{
	const struct sw_reasm_stats *s;

	if (r == NULL)
		return;
	s = sw_reasm_stats(r);
	if (atomic_load_explicit(&c->reasm_pieces, memory_order_relaxed) == s->pieces &&
	    atomic_load_explicit(&c->reasm_entries, memory_order_relaxed) == s->in_use &&
	    atomic_load_explicit(&c->reasm_capacity, memory_order_relaxed) != 0)
		return;
	/* The worker's table is sw_reasm_new(NULL) (dataplane/app/worker.c): the default size. */
	atomic_store_explicit(&c->reasm_capacity, SW_REASM_ENTRIES_DEFAULT, memory_order_relaxed);
	atomic_store_explicit(&c->reasm_entries, s->in_use, memory_order_relaxed);
	atomic_store_explicit(&c->reasm_pieces, s->pieces, memory_order_relaxed);
	atomic_store_explicit(&c->reasm_completed, s->completed, memory_order_relaxed);
	atomic_store_explicit(&c->reasm_expired, s->expired, memory_order_relaxed);
	atomic_store_explicit(&c->reasm_reclaimed, s->reclaimed, memory_order_relaxed);
	atomic_store_explicit(&c->reasm_failed, s->failed, memory_order_relaxed);
}

#endif /* SW_APP_TABLES_H */
