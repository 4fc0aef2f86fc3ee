/* SPDX-License-Identifier: BSD-3-Clause */
/* Shadow policy in the workers (shadow.h). */
#include <errno.h>
#include <stdlib.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_mbuf.h>

#include "dataplane/policy/image.h"
#include "dataplane/policy/policy.h"
#include "dataplane/reasm/reasm.h"
#include "shadow.h"
#include "worker.h"

int
sw_shadow_init(struct sw_worker *w, struct sw_rl_table *rl)
{
	struct sw_shadow *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return -ENOMEM;
	s->pctx = sw_policy_ctx_new();
	if (s->pctx == NULL) {
		free(s);
		return -ENOMEM;
	}
	if (rl != NULL)
		sw_policy_ctx_set_ratelimit(s->pctx, rl, NULL);
	w->shadow = s;
	return 0;
}

void
sw_shadow_fini(struct sw_worker *w)
{
	if (w->shadow == NULL)
		return;
	sw_policy_ctx_free(w->shadow->pctx);
	free(w->shadow);
	w->shadow = NULL;
}

/* A new shadow_seq: bind the candidate it names (validated here, once), or none. */
static __rte_noinline void
shadow_pickup(struct sw_worker *w, struct sw_shadow *s, const struct sw_shm_image *m, uint64_t q)
{
	uint64_t g = atomic_load_explicit(&m->hdr->shadow_generation, memory_order_acquire);
	uint64_t size;
	const void *img = sw_shm_shadow_find(m, g, &size);
	char err[160];

	s->image = NULL;
	if (img != NULL) {
		if (g == s->gen && s->pctx != NULL && sw_policy_ctx_bind(s->pctx, img) == 0)
			s->image = img; /* the same candidate (an unrelated change) */
		else if (sw_image_validate(img, size, err, sizeof(err)) == 0 &&
			 sw_policy_ctx_bind(s->pctx, img) == 0)
			s->image = img;
		else
			SW_SHM_ADD(w->c->shadow_images_refused, 1);
	}
	s->gen = s->image != NULL ? g : 0;
	s->sample = atomic_load_explicit(&m->hdr->shadow_sample, memory_order_relaxed);
	s->tick = 0;
	s->seq = q;
	/* From here on the worker reads no shadow retired before q (shm.h). */
	atomic_store_explicit(&w->sw->shadow_seen, q, memory_order_release);
}

void
sw_shadow_sync(struct sw_worker *w)
{
	struct sw_shadow *s = w->shadow;
	const struct sw_shm_image *m;
	uint64_t q;

	if (s == NULL || w->watch == NULL)
		return;
	m = atomic_load_explicit(&w->watch->cur, memory_order_acquire);
	if (m == NULL)
		return;
	q = atomic_load_explicit(&m->hdr->shadow_seq, memory_order_acquire);
	if (unlikely(q != s->seq))
		shadow_pickup(w, s, m, q);
}

bool
sw_shadow_verdict(struct sw_worker *w, const struct rte_mbuf *m, const struct sw_pkt *pkt,
		  const struct sw_msu *msu, const struct sw_judge_verdict *v, unsigned in_idx,
		  struct sw_verdict *cand)
{
	struct sw_shadow *s = w->shadow;
	struct sw_shm_counters *c = w->c;
	const uint8_t *buf = NULL;
	unsigned dir;
	int32_t p;

	if (s->image == NULL || v->no_image || v->rule == SW_JUDGE_RULE_PENDING ||
	    v->rule == SW_JUDGE_RULE_NON_IP)
		return false;
	if (s->sample > 1 && ++s->tick % s->sample != 0)
		return false;
	/* A chunk's MSU has its offsets in the packet; a reassembled message's are in the
	 * reassembly buffer the worker no longer holds: judged at message level then. */
	if (v->chunk != SW_JUDGE_PKT && v->piece == SW_REASM_NONE)
		buf = rte_pktmbuf_mtod(m, const uint8_t *);
	dir = sw_policy_direction(s->pctx, pkt, msu, in_idx, SW_DIR_PORT);
	sw_policy_ctx_set_state(s->pctx, v->state);
	*cand = sw_policy_eval_msg(s->pctx, buf, pkt, msu, dir, w->now_ns);
	SW_SHM_ADD(c->shadow_msus, 1);
	if (likely(cand->action == v->action))
		return false;
	SW_SHM_ADD(c->shadow_changed, 1);
	if (cand->action == SW_ACTION_DROP)
		SW_SHM_ADD(c->shadow_to_drop, 1);
	else if (v->action == SW_ACTION_DROP)
		SW_SHM_ADD(c->shadow_to_pass, 1);
	if (cand->rule >= 0 && cand->rule < SW_SHM_MAX_RULES)
		SW_SHM_ADD(c->shadow_rule[cand->rule], 1);
	else if (cand->rule == SW_RULE_DEFAULT)
		SW_SHM_ADD(c->shadow_default, 1);
	else if (cand->rule == SW_RULE_MALFORMED)
		SW_SHM_ADD(c->shadow_malformed, 1);
	/* per partner of the calling party, as the candidate's site knows them */
	p = sw_policy_partner_of(s->pctx, msu);
	if (p < 0)
		SW_SHM_ADD(c->shadow_partner_none, 1);
	else if (p < SW_SHM_SHADOW_PARTNERS)
		SW_SHM_ADD(c->shadow_partner[p], 1);
	else
		SW_SHM_ADD(c->shadow_partner_other, 1);
	/* Example events: a few per second, never a flood in the ring the drops share. */
	if (w->now_ns - s->ev_window_ns >= 1000000000ull) {
		s->ev_window_ns = w->now_ns;
		s->ev_left = SW_SHADOW_EVENTS_PER_S;
	}
	if (s->ev_left == 0)
		return false;
	s->ev_left--;
	return true;
}
