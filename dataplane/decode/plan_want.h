/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What some reader asks of the decoder (issue 20 D2): part of struct sw_decode_plan, built by
 * sw_plan_want_build (dataplane/policy/plan_want.c) when a policy context binds an image.
 *
 * Per-component views (SW_WANT_VIEWS). A message of several TCAP components is judged
 * component by component, each with the fields of its own argument (issue 13: a decoy
 * component cannot lend its IMSI to another one). The decoder walks every component's argument
 * anyway (it finds malformed ones); asked for views, it decodes the argument of a component it
 * does not select for msu->map / msu->cap into a record of the ring below instead of only
 * checking it, and the policy takes each component's view from there
 * (sw_map_view_component) instead of walking the argument a second time. The ring belongs to
 * the policy context (one per worker); the records of a burst decoded ahead of its verdicts
 * stay there until SW_VIEW_RING later records overwrite them, and a record found overwritten
 * (its sequence number differs) makes the policy decode that component again, as before.
 */
#ifndef SW_DECODE_PLAN_WANT_H
#define SW_DECODE_PLAN_WANT_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/decode/msu.h"

#define SW_WANT_VIEWS 1u /* store each component's own fields (records in ring) */
#define SW_WANT_DECIDE 2u /* ask decide before walking the argument of a single component */

/*
 * A verdict decided before the MAP walk (issue 20 D2: "stops descending where nothing is
 * asked"). Once the TCAP walk has read a message of one component (its type, dialogue, ACN,
 * operation; the routing label and SCCP before it), it asks decide whether the argument may
 * wait: yes (true) while a judge that will settle the verdict decodes (dataplane/policy
 * sw_policy_ctx_decide_pkt). The walk then leaves it (msu->arg_deferred) and the key's
 * argument slots absent; the policy settles before the verdict (sw_policy_settle): when the
 * verdict is decided, the same action whatever the argument holds and whether or not it turns
 * out malformed, the argument is never walked (msu->arg_skipped); otherwise it is walked then
 * (sw_tcap_complete), as the TCAP walk would have. A NULL decide asks nothing.
 */
typedef bool (*sw_decide_fn)(void *arg, struct sw_msu *msu);

/* Records per ring: a burst of 32 MSUs with up to 8 non-selected components with fields each */
#define SW_VIEW_RING 256

/* The type of struct sw_msu's MAP fields (msu.h declares the member's struct without a tag) */
#define SW_MAP_FIELDS __typeof__(((struct sw_msu *)0)->map)

/* What decoding one component alone stores: its MAP fields (msu->map) or CAP fields. */
struct sw_view_rec {
	uint64_t seq; /* the ring's sequence number when it was written; 0: never */
	union {
		SW_MAP_FIELDS map;
		struct sw_cap cap;
	} u;
};

struct sw_view_ring {
	uint64_t next; /* sequence number of the next record, from 1 */
	struct sw_view_rec rec[SW_VIEW_RING];
};

struct sw_plan_want {
	uint32_t flags;              /* SW_WANT_*; 0: nothing beyond today's decode */
	struct sw_view_ring *ring;   /* the context's ring with SW_WANT_VIEWS, else NULL */
	sw_decide_fn decide;         /* with SW_WANT_DECIDE, else NULL */
	void *decide_arg;
};

/*
 * The ring of want (a message's plan), NULL when it asks for no views. Asked for each component
 * the decoder does not select (a message of one component pays nothing); a ring marks the
 * message: the views of the components it does not select are kept (msu->view_on).
 */
static inline struct sw_view_ring *
sw_view_ring_of(struct sw_msu *msu, const struct sw_plan_want *want)
{
	if (want == NULL || want->ring == NULL)
		return NULL;
	msu->view_on = 1;
	return want->ring;
}

/* The slot the next record goes to. */
static inline struct sw_view_rec *
sw_view_slot(struct sw_view_ring *r)
{
	return &r->rec[r->next & (SW_VIEW_RING - 1)];
}

/* Keep the record just written to the next slot as component comp's view of msu (at most one
 * record per component: its offset from msu->view_seq fits in 4 bits). */
static inline void
sw_view_keep(struct sw_view_ring *r, struct sw_view_rec *rec, struct sw_msu *msu, unsigned comp)
{
	if (msu->view_full == 0)
		msu->view_seq = r->next; /* the message's first record */
	msu->view_off |= (r->next - msu->view_seq) << (4 * comp);
	msu->view_full = (uint16_t)(msu->view_full | 1u << comp);
	rec->seq = r->next++;
}

/* Component comp's record of msu, NULL when it has been overwritten since. */
static inline const struct sw_view_rec *
sw_view_rec_of(const struct sw_view_ring *r, const struct sw_msu *msu, unsigned comp)
{
	uint64_t seq = msu->view_seq + (msu->view_off >> (4 * comp) & 15);
	const struct sw_view_rec *rec = &r->rec[seq & (SW_VIEW_RING - 1)];

	return rec->seq == seq ? rec : NULL;
}

#endif /* SW_DECODE_PLAN_WANT_H */
