/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shadow policy in the workers (issue 18 D7): a candidate image that control published beside
 * the active one (dataplane/shm/shm.h, the image header's shadow fields) is evaluated on the same
 * MSUs (all, or 1 in shadow_sample) after the active verdict; the worker acts on the active one
 * only. MSUs whose action the candidate would change are counted in the worker's block (total,
 * to drop, to pass, per candidate rule) and a few per second become SW_EV_SHADOW events.
 *
 * The candidate has its own policy context (verdict cache, Hyperscan scratch) and its own
 * rate-limit table shared by the workers' shadows, so it never charges the active buckets. It
 * sees the state conditions the active image computed (the state tables learn once per message,
 * from the active judge): a candidate testing a condition the active image does not test sees
 * it false.
 */
#ifndef SW_APP_SHADOW_H
#define SW_APP_SHADOW_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/judge/judge.h"

struct sw_worker;
struct sw_rl_table;
struct rte_mbuf;

#define SW_SHADOW_EVENTS_PER_S 8 /* example events per worker and second */

struct sw_shadow {
	struct sw_policy_ctx *pctx; /* the candidate's */
	const void *image;          /* bound candidate, NULL: none */
	uint64_t gen;               /* its generation */
	uint64_t seq;               /* image header's shadow_seq last synchronised with */
	uint32_t sample, tick;      /* 1 in sample MSUs (0, 1: all) */
	uint64_t ev_window_ns;      /* start of the current second of events */
	uint32_t ev_left;           /* events left in it */
};

/* main.c, before the worker runs: the worker's shadow state on the shared table rl. */
int sw_shadow_init(struct sw_worker *w, struct sw_rl_table *rl);
void sw_shadow_fini(struct sw_worker *w);

/* Burst boundary (sw_worker_sync): pick up a new or dropped shadow, publish shadow_seen. One
 * acquire load when nothing changed. */
void sw_shadow_sync(struct sw_worker *w);

/*
 * After the active verdict v of msu (packet m received on in_idx): the candidate's verdict.
 * True when an example event should be raised for it (the action differs and the second's
 * budget allows); *cand is the candidate's verdict then.
 */
bool sw_shadow_verdict(struct sw_worker *w, const struct rte_mbuf *m, const struct sw_pkt *pkt,
		       const struct sw_msu *msu, const struct sw_judge_verdict *v, unsigned in_idx,
		       struct sw_verdict *cand);

#endif /* SW_APP_SHADOW_H */
