/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The enforcer in sigwall-dataplane (issue 12 Deliver 4): the association class of a fallback
 * (the site link of the association's outside endpoint) and the repair_fallback notices turned
 * into event records (SW_EV_REPAIR_FALLBACK) on the worker's ring, for control's events file.
 * Header-only, included by main.c (classes) and worker.c (events, once per burst).
 */
#ifndef SW_APP_ENFORCE_DP_H
#define SW_APP_ENFORCE_DP_H

#include <stdio.h>
#include <string.h>

#include "dataplane/app/worker.h"
#include "dataplane/enforce/enforce.h"
#include "dataplane/policy/policy.h"
#include "dataplane/shm/shm.h"
#include "dataplane/shm/shm_assoc.h"

/*
 * sw_enforce_classify_fn of a worker (arg: struct sw_worker *). Inline, port A faces the
 * interconnect: the association's outside endpoint is the source of a packet from port A
 * (direction 0) and the destination of one from port B. Its site link (site.links, the bound
 * image's peer prefixes, most specific first) names the class set with
 * sw_enforce_set_class_name (--repair-fail-link NAME=open|closed); any other association,
 * or no image, is class 0 (--repair-fail). Runs only when a fallback is taken.
 */
static inline unsigned
sw_enforce_dp_classify(void *arg, const struct sw_pkt *pkt, unsigned dir)
{
	struct sw_worker *w = arg;
	const char *name;
	struct sw_pkt p;

	if (w->image == NULL || w->pctx == NULL || w->enforce == NULL)
		return 0;
	p = *pkt;
	if (dir != 0)
		memcpy(p.src, pkt->dst, sizeof(p.src));
	name = sw_image_link_name(w->image, sw_policy_link(w->pctx, &p));
	return sw_enforce_class_find(w->enforce, name);
}

/* Once per burst: the enforcer's repair_fallback notices become event records (or are only
 * dropped from its queue when events are off; the counters hold them all the same). */
static inline void
sw_enforce_dp_events(struct sw_worker *w)
{
	struct sw_enforce_fallback fb[8];
	unsigned n, i;

	while ((n = sw_enforce_fallback_pop(w->enforce, fb, 8)) > 0) {
		for (i = 0; i < n && w->ring != NULL; i++) {
			struct sw_shm_event *ev = sw_shm_event_reserve(w->ring);
			struct sw_shm_ev_repair r;

			if (ev == NULL)
				continue; /* counted in the ring's lost */
			memset(ev, 0, sizeof(*ev));
			memset(&r, 0, sizeof(r));
			ev->time_ns = w->real0_ns + (fb[i].now_ns - w->mono0_ns);
			ev->generation = w->gen;
			ev->rule = -1;
			ev->worker = (uint16_t)w->id;
			ev->kind = SW_EV_REPAIR_FALLBACK;
			ev->action = fb[i].action == SW_ENF_FB_PASSED ? SW_EV_ACT_ALLOW
								      : SW_EV_ACT_DROP;
			ev->direction = fb[i].dir;
			ev->port = w->port[fb[i].dir < SW_PORTS ? fb[i].dir : 0];
			ev->opcode = -1;
			memcpy(r.vtag, fb[i].vtag, sizeof(r.vtag));
			memcpy(r.port, fb[i].port, sizeof(r.port));
			memcpy(r.addr, fb[i].addr, sizeof(r.addr));
			r.count = fb[i].count;
			r.ip_ver = fb[i].ip_ver;
			r.action = fb[i].action;
			r.tracked = fb[i].tracked;
			r.cls = fb[i].cls;
			snprintf(r.reason, sizeof(r.reason), "%s",
				 sw_enf_ctr_name((enum sw_enf_ctr)fb[i].reason));
			snprintf(r.cls_name, sizeof(r.cls_name), "%s",
				 sw_enforce_class_name(w->enforce, fb[i].cls));
			sw_shm_ev_repair_put(ev, &r);
			sw_shm_event_commit(w->ring);
			SW_SHM_ADD(w->c->events, 1);
		}
	}
}

/*
 * About once a second (issue 12 Deliver 5): the busiest SW_SHM_ASSOC_MAX associations of the
 * worker's enforcer into its block of /sigwall.INSTANCE.assoc (shm_assoc.h), for `sigwallctl
 * assoc`. Costs a walk and a sort of the table (4,096 entries) once a second.
 */
static inline void
sw_enforce_dp_publish(struct sw_worker *w)
{
	static __thread struct sw_enforce_assoc_info info[SW_SHM_ASSOC_MAX];
	struct sw_shm_assoc_block *b = w->assoc_blk;
	unsigned n, i, d;

	if (b == NULL || w->now_ns < w->assoc_next_ns)
		return;
	w->assoc_next_ns = w->now_ns + 1000000000ull;
	n = sw_enforce_assoc_top(w->enforce, info, SW_SHM_ASSOC_MAX);
	sw_shm_assoc_write_begin(b);
	for (i = 0; i < n; i++) {
		struct sw_shm_assoc_rec *r = &b->rec[i];
		const char *err = info[i].last_error < SW_ENF_CTR_COUNT
					  ? sw_enf_ctr_name((enum sw_enf_ctr)info[i].last_error)
					  : "";

		memset(r, 0, sizeof(*r));
		for (d = 0; d < 2; d++) {
			r->vtag[d] = info[i].vtag[d];
			r->port[d] = info[i].port[d];
			memcpy(r->addr[d], info[i].addr[d], sizeof(r->addr[d]));
			r->chunks_removed[d] = info[i].chunks_removed[d];
			r->tsn_offset[d] = info[i].tsn_offset[d];
		}
		r->ip_ver = info[i].ip_ver;
		r->up = info[i].up;
		r->sacks_generated = info[i].sacks_generated;
		r->retrans_removed = info[i].retrans_removed;
		r->idle_ns = w->now_ns > info[i].last_ns ? w->now_ns - info[i].last_ns : 0;
		snprintf(r->last_error, sizeof(r->last_error), "%s", err);
	}
	b->count = n;
	b->tracked = sw_enforce_assoc_count(w->enforce);
	sw_shm_assoc_write_end(b, w->real0_ns + (w->now_ns - w->mono0_ns));
}

#endif /* SW_APP_ENFORCE_DP_H */
