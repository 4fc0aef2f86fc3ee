/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker: per burst, decode every packet and every MSU, judge each MSU on
 * exactly one image generation, act (forward untouched, take DATA chunks out,
 * drop), count and raise events. No allocation, lock, log or system call per
 * packet; counters are single-writer stores into the worker's own cache-aligned
 * block of the stats region.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_prefetch.h>

#include "dataplane/decode/decode.h"
#include "dataplane/enforce/enforce.h"
#include "dataplane/judge/judge.h"
#include "dataplane/policy/image.h"
#include "dataplane/policy/policy.h"
#include "dataplane/reasm/reasm.h"
#include "shadow.h"
#include "tables.h"
#include "worker.h"
#include "enforce_dp.h"

#define PREFETCH_AHEAD 4

/* ------------------------------------------------------------------------------------------ */
/* Image pick-up (burst boundary)                                                             */

static __rte_noinline void
worker_refuse(struct sw_worker *w, uint64_t gen, const char *why)
{
	/* The main lcore prints the message: the worker never logs. */
	snprintf(w->refusal.msg, sizeof(w->refusal.msg), "%s", why);
	atomic_store_explicit(&w->refusal.gen, gen, memory_order_release);
	w->gen_refused = gen;
	SW_SHM_ADD(w->c->images_refused, 1);
	atomic_store_explicit(&w->sw->refused_generation, gen, memory_order_relaxed);
}

/* Bind an image already validated. */
static int
worker_bind(struct sw_worker *w, const void *image, uint64_t gen, char *err, unsigned errlen)
{
	int rc = sw_policy_ctx_bind(w->pctx, image);

	if (rc < 0) {
		snprintf(err, errlen, "cannot bind image generation %llu: %s",
			 (unsigned long long)gen, strerror(-rc));
		return rc;
	}
	w->image = image;
	w->judge.image = image;
	w->gen = gen;
	w->malformed_action = ((const struct sw_image_hdr *)image)->malformed_action;
	return 0;
}

int
sw_worker_bind_image(struct sw_worker *w, const void *image, uint64_t size, uint64_t gen,
		     char *err, unsigned errlen)
{
	int rc = sw_image_validate(image, size, err, errlen);

	if (rc < 0)
		return rc;
	return worker_bind(w, image, gen, err, errlen);
}

uint64_t
sw_image_watch_validate(struct sw_image_watch *watch, char *err, unsigned errlen)
{
	const struct sw_shm_image *m = atomic_load_explicit(&watch->cur, memory_order_acquire);
	uint64_t gen, size;
	const void *image;
	int rc;

	if (m == NULL)
		return 0;
	image = sw_shm_image_get(m, &gen, &size);
	if (image == NULL)
		return 0;
	if ((gen == atomic_load_explicit(&watch->ok_gen, memory_order_acquire) &&
	     image == atomic_load_explicit(&watch->ok_image, memory_order_relaxed)) ||
	    (gen == atomic_load_explicit(&watch->bad_gen, memory_order_acquire) &&
	     image == atomic_load_explicit(&watch->bad_image, memory_order_relaxed)))
		return 0;
	/* The slot of the active generation is not reused while it is active, nor while a
	 * worker's epoch is below it (every worker's is, until it binds this one). */
	if ((const uint8_t *)image + size > m->base + m->len || size == 0) {
		snprintf(err, errlen, "image slot lies outside the shared memory object");
		rc = -EINVAL;
	} else {
		rc = sw_image_validate(image, size, err, errlen);
	}
	if (rc == 0) {
		atomic_store_explicit(&watch->ok_image, image, memory_order_relaxed);
		atomic_store_explicit(&watch->ok_gen, gen, memory_order_release);
	} else {
		snprintf(watch->bad_msg, sizeof(watch->bad_msg), "%s", err);
		atomic_store_explicit(&watch->bad_image, image, memory_order_relaxed);
		atomic_store_explicit(&watch->bad_gen, gen, memory_order_release);
	}
	return gen;
}

static __rte_noinline void
worker_pickup(struct sw_worker *w, const struct sw_shm_image *m)
{
	uint64_t gen, size;
	const void *image;
	char err[160];

	image = sw_shm_image_get(m, &gen, &size);
	if (image == NULL || gen <= w->gen || gen == w->gen_refused)
		return;
	/* The slot may exceed the region only if the header is corrupt: refuse, keep the old. */
	if ((const uint8_t *)image + size > m->base + m->len || size == 0) {
		worker_refuse(w, gen, "image slot lies outside the shared memory object");
		return;
	}
	if (w->conf.main_validates) {
		/* Bind only what the main lcore validated, refuse what it refused; otherwise keep
		 * the current image for now: it validates within one poll interval. */
		if (gen == atomic_load_explicit(&w->watch->bad_gen, memory_order_acquire) &&
		    image == atomic_load_explicit(&w->watch->bad_image, memory_order_relaxed)) {
			worker_refuse(w, gen, w->watch->bad_msg);
			return;
		}
		if (gen != atomic_load_explicit(&w->watch->ok_gen, memory_order_acquire) ||
		    image != atomic_load_explicit(&w->watch->ok_image, memory_order_relaxed))
			return;
	} else if (sw_image_validate(image, size, err, sizeof(err)) < 0) {
		worker_refuse(w, gen, err);
		return;
	}
	if (worker_bind(w, image, gen, err, sizeof(err)) < 0) {
		worker_refuse(w, gen, err);
		/* The policy context may be half re-bound: back to the image we had (validated
		 * when we bound it, and protected by our epoch). */
		if (w->image != NULL)
			(void)worker_bind(w, w->image, w->gen, err, sizeof(err));
		return;
	}
	w->map = m;
	SW_SHM_ADD(w->c->gen_switches, 1);
}

void
sw_worker_sync(struct sw_worker *w)
{
	const struct sw_shm_image *m;
	uint64_t g;

	if (w->watch == NULL)
		return;
	m = atomic_load_explicit(&w->watch->cur, memory_order_acquire);
	if (m != NULL) {
		g = atomic_load_explicit(&m->hdr->generation, memory_order_acquire);
		/* Generations only grow (control starts a re-created object above every worker's
		 * epoch). A lower one is not picked up: our epoch, which only grows, would then
		 * claim we had left a slot we still read. */
		if (unlikely(g > w->gen && g != w->gen_refused))
			worker_pickup(w, m);
	}
	/* The epoch is the generation this burst runs on (shm.h: QSBR contract). */
	if (atomic_load_explicit(&w->sw->epoch, memory_order_relaxed) < w->gen)
		sw_shm_worker_epoch(w->sw, w->gen);
	sw_shadow_sync(w); /* rate: shadow policy pick-up (issue 18 D7) */
}

/* ------------------------------------------------------------------------------------------ */
/* Events                                                                                     */

static __rte_noinline void
worker_event(struct sw_worker *w, const struct rte_mbuf *m, const struct sw_pkt *pkt,
	     const struct sw_msu *msu, uint8_t kind, uint8_t action, int32_t rule, unsigned in_idx,
	     uint64_t now_tsc)
{
	struct sw_shm_event *ev;
	uint32_t cap;
	unsigned i;

	(void)pkt;
	if (w->ring == NULL)
		return;
	ev = sw_shm_event_reserve_kind(w->ring, kind);
	if (ev == NULL) {
		SW_SHM_ADD(w->c->events_lost, 1);
		return;
	}
	ev->time_ns = w->real0_ns + (uint64_t)((double)(now_tsc - w->tsc0) * w->ns_per_tsc);
	ev->generation = w->gen;
	ev->rule = rule;
	ev->worker = (uint16_t)w->id;
	ev->kind = kind;
	ev->action = action;
	ev->direction = (uint8_t)in_idx;
	ev->port = w->port[in_idx];
	ev->mal = (uint16_t)(msu != NULL ? msu->mal : pkt->mal);
	ev->si = 0;
	ev->sccp_type = 0;
	ev->tcap_type = 0;
	ev->opc = ev->dpc = 0;
	ev->opcode = -1;
	ev->cgpa[0] = ev->cdpa[0] = ev->imsi[0] = '\0';
	if (msu != NULL) {
		if (msu->has & SW_HAS_PROTO_DATA) {
			ev->si = msu->m3ua.si;
			ev->opc = msu->m3ua.opc;
			ev->dpc = msu->m3ua.dpc;
		}
		if (msu->has & SW_HAS_SCCP) {
			ev->sccp_type = msu->sccp.type;
			memcpy(ev->cgpa, msu->sccp.cgpa.digits.d, sizeof(ev->cgpa));
			memcpy(ev->cdpa, msu->sccp.cdpa.digits.d, sizeof(ev->cdpa));
		}
		if (msu->has & SW_HAS_TCAP) {
			ev->tcap_type = msu->tcap.type;
			for (i = 0; i < msu->tcap.ncomp && i < SW_COMP_MAX; i++) {
				if (msu->tcap.comp[i].type == SW_COMP_INVOKE &&
				    msu->tcap.comp[i].has_opcode && !msu->tcap.comp[i].opcode_global) {
					ev->opcode = msu->tcap.comp[i].opcode;
					break;
				}
			}
		}
		if (msu->has & SW_HAS_MAP)
			memcpy(ev->imsi, msu->map.imsi.d, sizeof(ev->imsi));
	}
	ev->pkt_len = rte_pktmbuf_pkt_len(m);
	cap = rte_pktmbuf_data_len(m);
	if (cap > SW_SHM_EVENT_SNAP)
		cap = SW_SHM_EVENT_SNAP;
	ev->cap_len = (uint16_t)cap;
	memcpy(ev->pkt, rte_pktmbuf_mtod(m, const uint8_t *), cap);
	sw_shm_event_commit(w->ring);
	SW_SHM_ADD(w->c->events, 1);
}

/* ------------------------------------------------------------------------------------------ */
/* Verdicts: the judge (dataplane/judge) decides; the worker counts, raises events, enforces.   */

/* Rule and malformation counters of a verdict (MSU or whole packet). */
static inline void
worker_count_pkt(struct sw_worker *w, const struct sw_judge_verdict *v)
{
	struct sw_shm_counters *c = w->c;

	if (v->rule >= 0) {
		if (v->rule < SW_SHM_MAX_RULES)
			SW_SHM_ADD(c->rule_hits[v->rule], 1);
		else
			SW_SHM_ADD(c->rule_overflow, 1);
	} else if (v->rule == SW_RULE_DEFAULT) {
		SW_SHM_ADD(c->default_hits, 1);
	} else if (v->rule == SW_JUDGE_RULE_PENDING) {
		/* a piece held for reassembly: allowed, its message is judged when complete */
	} else {
		SW_SHM_ADD(c->malformed_verdicts, 1);
	}
	if (unlikely(v->mal != SW_MAL_NONE)) {
		SW_SHM_ADD(c->malformed, 1);
		SW_SHM_ADD(c->mal[v->mal < SW_SHM_MAL_MAX ? v->mal : 0], 1);
	}
}

/*
 * An MSU verdict: allowed + dropped + alerted == msus. A packet judged as a whole (packet-level
 * malformation: IP fragment, bad chunk lengths; IP that is not SCTP) counts in the rule/malformed
 * counters and, when dropped, in pkts_dropped, but is not an MSU.
 */
static inline void
worker_count(struct sw_worker *w, const struct sw_judge_verdict *v)
{
	struct sw_shm_counters *c = w->c;

	if (v->action == SW_ACT_DROP)
		SW_SHM_ADD(c->dropped, 1);
	else if (v->action == SW_ACT_ALERT)
		SW_SHM_ADD(c->alerted, 1);
	else
		SW_SHM_ADD(c->allowed, 1);
	worker_count_pkt(w, v);
}

/* What the judge's callback needs to count a verdict and raise its event. */
struct worker_judging {
	struct sw_worker *w;
	const struct rte_mbuf *m;
	unsigned in_idx;
	uint64_t now_tsc;
};

/*
 * A verdict given while no image is bound (fail closed: --no-image drop by default): counted like
 * any verdict and in no_image, and one SW_EV_NO_IMAGE event per second at most instead of an
 * event per dropped packet.
 */
static __rte_noinline void
worker_no_image(struct sw_worker *w, const struct worker_judging *wj, const struct sw_pkt *pkt,
		const struct sw_msu *msu, const struct sw_judge_verdict *v)
{
	SW_SHM_ADD(w->c->no_image, 1);
	if (v->mal == SW_MAL_SCTP_PPID) {
		w->non_m3ua++;
		SW_SHM_ADD(w->c->non_m3ua, 1);
	}
	if (v->chunk == SW_JUDGE_PKT)
		worker_count_pkt(w, v);
	else
		worker_count(w, v);
	if (w->now_ns < w->no_image_ev_next)
		return;
	w->no_image_ev_next = w->now_ns + 1000000000ull;
	worker_event(w, wj->m, pkt, v->chunk == SW_JUDGE_PKT ? NULL : msu, SW_EV_NO_IMAGE,
		     v->action, v->rule, wj->in_idx, wj->now_tsc);
}

/* Called by the judge for every verdict, in chunk order. */
static void
worker_verdict(void *arg, const struct sw_pkt *pkt, const struct sw_msu *msu,
	       const struct sw_judge_verdict *v)
{
	struct worker_judging *wj = arg;
	struct sw_worker *w = wj->w;
	struct sw_verdict sv;

	if (unlikely(v->no_image)) {
		worker_no_image(w, wj, pkt, msu, v);
		return;
	}
	if (unlikely(v->chunk == SW_JUDGE_PKT)) {
		/* The packet as a whole: not an MSU, always an event. */
		worker_count_pkt(w, v);
		worker_event(w, wj->m, pkt, NULL, SW_EV_MALFORMED, v->action, v->rule, wj->in_idx,
			     wj->now_tsc);
		return;
	}
	if (unlikely(v->mal == SW_MAL_SCTP_PPID)) {
		w->non_m3ua++;
		SW_SHM_ADD(w->c->non_m3ua, 1);
	}
	worker_count(w, v);
	if (unlikely(v->action != SW_ACT_ALLOW || v->mal != SW_MAL_NONE))
		worker_event(w, wj->m, pkt, msu,
			     v->mal != SW_MAL_NONE ? SW_EV_MALFORMED : SW_EV_VERDICT, v->action,
			     v->rule, wj->in_idx, wj->now_tsc);
	/* rate: the shadow policy's verdict, never acted on (issue 18 D7, shadow.h) */
	if (unlikely(w->shadow != NULL && w->shadow->image != NULL) &&
	    sw_shadow_verdict(w, wj->m, pkt, msu, v, wj->in_idx, &sv))
		worker_event(w, wj->m, pkt, msu, SW_EV_SHADOW, sv.action, sv.rule, wj->in_idx,
			     wj->now_tsc);
}

/* A SACK the enforcer wrote for the sender of removed chunks: back out the port it came in on. */
static __rte_noinline void
worker_reply(struct sw_worker *w, unsigned in_idx, uint32_t rlen)
{
	struct rte_mbuf *r;
	char *p;

	w->replies++;
	if (w->pool == NULL || w->nreply >= SW_BURST_MAX)
		return;
	r = rte_pktmbuf_alloc(w->pool);
	if (r == NULL)
		return;
	p = rte_pktmbuf_append(r, (uint16_t)rlen);
	if (p == NULL) {
		rte_pktmbuf_free(r);
		return;
	}
	memcpy(p, w->reply_buf, rlen);
	w->reply[w->nreply] = r;
	w->reply_port[w->nreply] = (uint8_t)in_idx;
	w->nreply++;
}

/*
 * Inline: every SCTP packet goes through the enforcer (association tracking, SACK translation,
 * chunk removal with or without TSN/SSN repair).
 */
static inline bool
worker_enforce(struct sw_worker *w, struct rte_mbuf *m, const struct sw_pkt *pkt, uint32_t mask,
	       unsigned in_idx)
{
	uint8_t *buf = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	uint32_t nlen, rlen = 0;

	if (mask != 0)
		SW_SHM_ADD(w->c->chunks_removed, (uint64_t)__builtin_popcount(mask));
	nlen = sw_enforce_packet(w->enforce, buf, len, (uint32_t)(rte_pktmbuf_tailroom(m) + len),
				 pkt, mask, in_idx, w->now_ns, w->reply_buf, sizeof(w->reply_buf),
				 &rlen);
	if (unlikely(rlen != 0))
		worker_reply(w, in_idx, rlen);
	if (nlen == 0)
		return false;
	if (nlen != len) {
		rte_pktmbuf_data_len(m) = (uint16_t)nlen;
		rte_pktmbuf_pkt_len(m) = nlen;
		w->shrunk++;
	}
	return true;
}

/*
 * Judge one packet (the judge decides what is judged and how) and act on it. Returns true to
 * transmit it (possibly shrunk), false to drop it. jlog: where to copy the judgement, or NULL.
 */
static inline bool
worker_packet(struct sw_worker *w, struct rte_mbuf *m, unsigned in_idx, uint64_t now_tsc,
	      struct sw_judgement *jlog)
{
	uint8_t *buf = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	struct worker_judging wj = { .w = w, .m = m, .in_idx = in_idx, .now_tsc = now_tsc };
	struct sw_judgement j;
	struct sw_pkt pkt;
	bool fwd;

	sw_decode_packet(buf, len, SW_LINK_ETH, &pkt);
	fwd = sw_judge_packet(&w->judge, buf, &pkt, in_idx, w->now_ns, &w->msu, &j,
			      worker_verdict, &wj);
	if (unlikely(jlog != NULL))
		*jlog = j;
	if (unlikely(j.cls != SW_JUDGE_CHUNKS)) {
		if (j.cls == SW_JUDGE_NON_IP) {
			SW_SHM_ADD(w->c->non_sctp, 1);
		} else if (pkt.mal == SW_MAL_IP_PROTO) {
			SW_SHM_ADD(w->c->non_sctp, 1);
			SW_SHM_ADD(w->c->non_sctp_ip, 1);
		}
		return fwd;
	}
	SW_SHM_ADD(w->c->msus, j.nverdicts);
	if (w->conf.mode != SW_MODE_INLINE)
		return true;
	return worker_enforce(w, m, &pkt, j.drop_mask, in_idx);
}

uint16_t
sw_worker_burst(struct sw_worker *w, struct rte_mbuf **pkts, uint16_t n, unsigned in_idx,
		uint64_t now_tsc)
{
	struct rte_mbuf *drop[SW_BURST_MAX];
	uint16_t i, keep = 0, ndrop = 0;
	uint64_t bytes = 0;

	/* Monotonic ns for rate limits and association expiry: once per burst. */
	w->now_ns = w->mono0_ns + (uint64_t)((double)(now_tsc - w->tsc0) * w->ns_per_tsc);
	for (i = 0; i < n && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		bool fwd;

		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD], void *));
		bytes += rte_pktmbuf_pkt_len(m);
		if (w->conf.forward_only)
			fwd = true;
		else
			fwd = worker_packet(w, m, in_idx, now_tsc,
					    w->jlog != NULL ? &w->jlog[i] : NULL);
		if (fwd)
			pkts[keep++] = m;
		else
			drop[ndrop++] = m;
	}
	SW_SHM_ADD(w->c->rx_pkts, n);
	SW_SHM_ADD(w->c->rx_bytes, bytes);
	if (n != 0) {
		SW_SHM_ADD(w->c->bursts, 1);
		sw_tables_publish(w->c, w->judge.reasm); /* ops: table fill in the metrics */
	}
	SW_SHM_ADD(w->c->pkts_dropped, ndrop);
	if (w->enforce != NULL) { /* enforce: issue 12 Deliver 4 events, Deliver 5 stats */
		sw_enforce_dp_events(w);
		sw_enforce_dp_publish(w);
	}
	/* Dropped packets go to the tail, in order; monitor mode transmits nothing. */
	for (i = 0; i < ndrop; i++)
		pkts[keep + i] = drop[i];
	if (w->conf.mode == SW_MODE_MONITOR)
		return 0;
	return keep;
}

/* ------------------------------------------------------------------------------------------ */
/* Setup and the poll loop                                                                    */

static uint64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int
sw_worker_init(struct sw_worker *w, unsigned id, const struct sw_worker_conf *conf,
	       struct sw_shm_worker *sw, struct sw_shm_ring *ring)
{
	w->id = id;
	w->conf = *conf;
	w->sw = sw;
	w->c = &sw->c;
	w->ring = conf->events ? ring : NULL;
	w->burst = w->burst == 0 ? 32 : w->burst;
	w->ns_per_tsc = 1e9 / (double)rte_get_tsc_hz();
	w->tsc0 = rte_get_tsc_cycles();
	w->real0_ns = clock_ns(CLOCK_REALTIME);
	w->mono0_ns = clock_ns(CLOCK_MONOTONIC);
	w->malformed_action = (uint8_t)conf->def_action;
	w->pctx = sw_policy_ctx_new();
	if (w->pctx == NULL)
		return errno != 0 ? -errno : -ENOMEM;
	w->judge.pctx = w->pctx;
	/* issue 18: the rules' dates (monitor_until, expires) are wall-clock */
	sw_policy_ctx_set_clock(w->pctx, (int64_t)(w->real0_ns - w->mono0_ns));
	w->judge.image = NULL;
	w->judge.no_image_action = (uint8_t)conf->def_action;
	w->judge.non_ip_pass = conf->non_sctp_pass;
	/* Whole messages (issue 14): one table per worker, dataplane/reasm/README.md says why. */
	w->judge.reasm = sw_reasm_new(NULL);
	if (w->judge.reasm == NULL)
		return errno != 0 ? -errno : -ENOMEM;
	if (conf->mode == SW_MODE_INLINE) {
		w->enforce = sw_enforce_new(SW_APP_ASSOCS_MAX, !conf->no_repair);
		if (w->enforce == NULL)
			return errno != 0 ? -errno : -ENOMEM;
	}
	return 0;
}

void
sw_worker_fini(struct sw_worker *w)
{
	if (w->pctx != NULL)
		sw_policy_ctx_free(w->pctx);
	w->pctx = NULL;
	if (w->enforce != NULL)
		sw_enforce_free(w->enforce);
	w->enforce = NULL;
	sw_reasm_free(w->judge.reasm);
	w->judge.reasm = NULL;
	w->image = NULL;
	w->judge.image = NULL;
}

void
sw_worker_cache_stats(const struct sw_worker *w, uint64_t *hits, uint64_t *misses)
{
	*hits = *misses = 0;
	if (w->pctx != NULL)
		sw_policy_ctx_stats(w->pctx, hits, misses);
}

static void
worker_tx(struct sw_worker *w, unsigned out_idx, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent = 0, i;
	uint64_t bytes = 0;
	unsigned tries = 0;

	for (i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	/* A full TX queue gets a few retries; then the rest is freed and counted. */
	while (sent < n && tries++ < 8)
		sent += rte_eth_tx_burst(w->port[out_idx], w->queue, pkts + sent, n - sent);
	if (unlikely(sent < n)) {
		for (i = sent; i < n; i++)
			bytes -= rte_pktmbuf_pkt_len(pkts[i]);
		SW_SHM_ADD(w->c->tx_dropped, n - sent);
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
	SW_SHM_ADD(w->c->tx_pkts, sent);
	SW_SHM_ADD(w->c->tx_bytes, bytes);
}

int
sw_worker_main(void *arg)
{
	struct sw_worker *w = arg;
	struct rte_mbuf *pkts[SW_BURST_MAX];
	uint64_t tsc, loops = 0, h, m;
	unsigned p;

	w->lcore = rte_lcore_id();
	atomic_store_explicit(&w->sw->lcore, w->lcore, memory_order_relaxed);
	atomic_store_explicit(&w->sw->rx_queue, w->queue, memory_order_relaxed);
	atomic_store_explicit(&w->sw->rx_port, w->port[0], memory_order_relaxed);
	/* shm.h: alive before the first load of the image generation. */
	atomic_store_explicit(&w->sw->alive, 1, memory_order_seq_cst);

	while (!*w->quit) {
		tsc = rte_get_tsc_cycles();
		/* The verdict cache counters live in the policy context; copy them out now and
		 * then (not per packet). */
		if (unlikely((++loops & 1023) == 0)) {
			sw_worker_cache_stats(w, &h, &m);
			atomic_store_explicit(&w->c->cache_hits, h, memory_order_relaxed);
			atomic_store_explicit(&w->c->cache_misses, m, memory_order_relaxed);
		}
		atomic_store_explicit(&w->sw->heartbeat_ns,
				      w->mono0_ns + (uint64_t)((double)(tsc - w->tsc0) *
							       w->ns_per_tsc),
				      memory_order_relaxed);
		for (p = 0; p < w->nports; p++) {
			uint16_t n, keep;

			/* Burst boundary: one image generation for the whole burst. */
			sw_worker_sync(w);
			n = rte_eth_rx_burst(w->port[p], w->queue, pkts, w->burst);
			if (n == 0)
				continue;
			keep = sw_worker_burst(w, pkts, n, p, tsc);
			if (keep != 0)
				worker_tx(w, w->nports == 2 ? 1 - p : p, pkts, keep);
			if (keep < n)
				rte_pktmbuf_free_bulk(pkts + keep, n - keep);
			/* SACKs generated for senders of removed chunks go back where the
			 * packets came from (all of one burst came in on port p). */
			if (unlikely(w->nreply != 0)) {
				worker_tx(w, p, w->reply, w->nreply);
				w->nreply = 0;
			}
		}
		if (w->max_pkts != 0 &&
		    atomic_load_explicit(&w->c->rx_pkts, memory_order_relaxed) >= w->max_pkts)
			break;
	}
	sw_worker_cache_stats(w, &h, &m);
	atomic_store_explicit(&w->c->cache_hits, h, memory_order_relaxed);
	atomic_store_explicit(&w->c->cache_misses, m, memory_order_relaxed);
	/* shm.h: not alive after the last use of an image. */
	atomic_store_explicit(&w->sw->alive, 0, memory_order_release);
	return 0;
}
