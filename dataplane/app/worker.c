/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker: per burst, decode every packet and every MSU, judge each MSU on
 * exactly one image generation, act (forward untouched, take DATA chunks out,
 * drop), count and raise events. No allocation, lock, log or system call per
 * packet; counters are single-writer stores into the worker's own cache-aligned
 * block of the stats region.
 */
/* rte_ip_frag_table_del_expired_entries is experimental in DPDK 22.11 (since 20.11, unchanged);
 * before every include, as rte_compat.h reads it once. */
#define ALLOW_EXPERIMENTAL_API
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip_frag.h>
#include <rte_malloc.h>
#include <rte_lcore.h>
#include <rte_prefetch.h>

#include "dataplane/decode/decode.h"
#include "dataplane/enforce/enforce.h"
#include "dataplane/judge/judge.h"
#include "dataplane/policy/image.h"
#include "dataplane/policy/policy.h"
#include "dataplane/reasm/ipfrag.h"
#include "dataplane/reasm/reasm.h"
#include "dataplane/shm/event_msu.h"
#include "shadow.h"
#include "dataplane/proto/ip.h"
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

/* Issue 20 D2: an argument whose verdict is decided without it is not walked, unless a shadow
 * policy judges the same MSUs with rules that may read it (or the configuration says so). */
static inline bool
worker_decides(const struct sw_worker *w)
{
	return !w->conf.no_decide && (w->shadow == NULL || w->shadow->image == NULL) &&
	       sw_policy_ctx_decides(w->pctx);
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
	w->judge.decide = worker_decides(w);
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
	w->judge.decide = worker_decides(w);
}

/* ------------------------------------------------------------------------------------------ */
/* Events                                                                                     */

static __rte_noinline void
worker_event(struct sw_worker *w, const uint8_t *buf, uint32_t len, const struct sw_pkt *pkt,
	     const struct sw_msu *msu, uint8_t kind, uint8_t action, int32_t rule, unsigned in_idx,
	     uint64_t now_tsc)
{
	struct sw_shm_event *ev;
	uint32_t cap;

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
	sw_shm_event_msu(ev, msu); /* proxy: one fill with proxy_dpdk.c (event_msu.h) */
	/* The frame judged: a reassembled IP datagram is shown whole (issue 14 D1). */
	ev->pkt_len = len;
	cap = len;
	if (cap > SW_SHM_EVENT_SNAP)
		cap = SW_SHM_EVENT_SNAP;
	ev->cap_len = (uint16_t)cap;
	memcpy(ev->pkt, buf, cap);
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
	const uint8_t *buf; /* the frame judged (a packet, or a reassembled IP datagram) */
	uint32_t len;
	const struct rte_mbuf *m; /* the packet's mbuf; NULL for a reassembled IP datagram (not
				     contiguous there: the shadow policy does not see it) */
	unsigned in_idx;
	uint64_t now_tsc;
	/* SCTP fragments the reassembly held in this packet (issue 14 D2) */
	uint8_t nfrag;  /* in w->jf_t / w->jf_chunks (not zeroed per packet) */
	bool frag_over; /* fragments of more than SW_SCTP_HOLD_FRAGS messages */
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
	worker_event(w, wj->buf, wj->len, pkt, v->chunk == SW_JUDGE_PKT ? NULL : msu,
		     SW_EV_NO_IMAGE, v->action, v->rule, wj->in_idx, wj->now_tsc);
}

/*
 * A piece's verdict while holding SCTP fragments (issue 14 D2). A fragment held for reassembly:
 * its packet waits for the verdict (a ticket). A fragment that completes (or is a copy of) a
 * judged message: that verdict goes to the tickets of its message, held or in this packet,
 * now: when the table is full, another message may take the entry before they are released.
 */
static __rte_noinline void
worker_held_frag(struct sw_worker *w, struct worker_judging *wj, const struct sw_judge_verdict *v)
{
	struct sw_reasm_ticket t;
	uint8_t res = v->action == SW_ACTION_DROP ? 2 : 1;
	unsigned k;

	if (v->piece != SW_REASM_PENDING || !sw_reasm_last_held(w->judge.reasm, &t)) {
		/* judged, or a rebuilt message whose SCCP segment is held (it passes) */
		if (!sw_reasm_last_sctp(w->judge.reasm, &t))
			return;
		for (k = 0; k < wj->nfrag; k++)
			if (w->jf_t[k].entry == t.entry && w->jf_t[k].gen == t.gen)
				w->jf_res[k] = res;
		for (uint16_t i = 0; i < w->sh_n; i++)
			for (k = 0; k < w->sh[i].nfrag; k++)
				if (w->sh[i].t[k].entry == t.entry && w->sh[i].t[k].gen == t.gen)
					w->sh[i].res[k] = res;
		return;
	}
	for (k = 0; k < wj->nfrag; k++)
		if (w->jf_t[k].entry == t.entry && w->jf_t[k].gen == t.gen)
			break;
	if (k == SW_SCTP_HOLD_FRAGS) {
		wj->frag_over = true;
		return;
	}
	if (k == wj->nfrag) {
		w->jf_t[k] = t;
		w->jf_chunks[k] = 0;
		w->jf_res[k] = 0;
		wj->nfrag++;
	}
	w->jf_chunks[k] |= 1u << v->chunk;
}

/* Called by the judge for every verdict, in chunk order. */
static void
worker_verdict(void *arg, const struct sw_pkt *pkt, const struct sw_msu *msu,
	       const struct sw_judge_verdict *v)
{
	struct worker_judging *wj = arg;
	struct sw_worker *w = wj->w;
	struct sw_verdict sv;

	if (unlikely(v->piece != SW_REASM_NONE) && w->sh != NULL)
		worker_held_frag(w, wj, v);
	if (unlikely(v->no_image)) {
		worker_no_image(w, wj, pkt, msu, v);
		return;
	}
	if (unlikely(v->chunk == SW_JUDGE_PKT)) {
		/* The packet as a whole: not an MSU, always an event. */
		worker_count_pkt(w, v);
		worker_event(w, wj->buf, wj->len, pkt, NULL, SW_EV_MALFORMED, v->action, v->rule,
			     wj->in_idx, wj->now_tsc);
		return;
	}
	if (unlikely(v->mal == SW_MAL_SCTP_PPID)) {
		w->non_m3ua++;
		SW_SHM_ADD(w->c->non_m3ua, 1);
	}
	worker_count(w, v);
	if (unlikely(v->action != SW_ACT_ALLOW || v->mal != SW_MAL_NONE))
		worker_event(w, wj->buf, wj->len, pkt, msu,
			     v->mal != SW_MAL_NONE ? SW_EV_MALFORMED : SW_EV_VERDICT, v->action,
			     v->rule, wj->in_idx, wj->now_tsc);
	/* rate: the shadow policy's verdict, never acted on (issue 18 D7, shadow.h) */
	if (unlikely(w->shadow != NULL && w->shadow->image != NULL) && wj->m != NULL &&
	    sw_shadow_verdict(w, wj->m, pkt, msu, v, wj->in_idx, &sv))
		worker_event(w, wj->buf, wj->len, pkt, msu, SW_EV_SHADOW, sv.action, sv.rule,
			     wj->in_idx, wj->now_tsc);
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
 * The network variant of a packet's link for the enforcer (sw_enforce_variant_fn: the MTP3 label
 * a neutralized M2PA message keeps): the one the judge reads its MSUs in (judge_variant in
 * dataplane/judge/judge.c: the bound image's link variant, else the site's; ITU without an
 * image). Asked only when an M2PA message is neutralized.
 */
static unsigned
worker_enf_variant(void *arg, const struct sw_pkt *pkt)
{
	const struct sw_worker *w = arg;

	return w->judge.image != NULL ? sw_policy_variant(w->judge.pctx, pkt) : SW_VARIANT_ITU;
}

/*
 * Inline: every SCTP packet goes through the enforcer (association tracking, SACK translation,
 * chunk removal with or without TSN/SSN repair). buf[0..len) in a buffer of cap octets; returns
 * its new length, 0 to drop it.
 */
static inline uint32_t
worker_enforce(struct sw_worker *w, uint8_t *buf, uint32_t len, uint32_t cap,
	       const struct sw_pkt *pkt, uint32_t mask, unsigned in_idx)
{
	uint32_t nlen, rlen = 0;

	if (mask != 0)
		SW_SHM_ADD(w->c->chunks_removed, (uint64_t)__builtin_popcount(mask));
	nlen = sw_enforce_packet(w->enforce, buf, len, cap, pkt, mask, in_idx, w->now_ns,
				 w->reply_buf, sizeof(w->reply_buf), &rlen);
	if (unlikely(rlen != 0))
		worker_reply(w, in_idx, rlen);
	if (nlen != 0 && nlen != len)
		w->shrunk++;
	return nlen;
}

#define WJ_TAKEN UINT32_MAX /* worker_judge: the packet is held (not to be sent or freed) */
struct worker_judging;
static int worker_sctp_hold(struct sw_worker *w, struct rte_mbuf *m, const struct sw_pkt *pkt,
			    const struct sw_judgement *j, const struct worker_judging *wj,
			    unsigned in_idx);

/*
 * Judge the frame buf[0..len) (decoded as pkt; a buffer of cap octets): a packet, or a
 * reassembled IP datagram, and act on it: returns its length to transmit
 * (possibly shrunk), 0 to drop it, WJ_TAKEN when it is held (an SCTP fragment whose message is
 * not judged yet, or a packet behind one). pre[0..npre): its first MSUs decoded ahead (batching,
 * sw_judge_predecode). jlog: where to copy the judgement, or NULL.
 */
static inline uint32_t
worker_judge(struct sw_worker *w, const struct rte_mbuf *m, uint8_t *buf, uint32_t len,
	     uint32_t cap, const struct sw_pkt *pkt, struct sw_msu *pre, unsigned npre,
	     unsigned in_idx, uint64_t now_tsc, struct sw_judgement *jlog)
{
	struct worker_judging wj = {
		.w = w, .buf = buf, .len = len, .m = m, .in_idx = in_idx, .now_tsc = now_tsc
	};
	struct sw_judgement j;
	bool fwd;

	fwd = sw_judge_packet_pre(&w->judge, buf, pkt, in_idx, w->now_ns, &w->msu, pre, npre, &j,
				  worker_verdict, &wj);
	if (unlikely(jlog != NULL))
		*jlog = j;
	if (unlikely(j.cls != SW_JUDGE_CHUNKS)) {
		if (j.cls == SW_JUDGE_NON_IP) {
			SW_SHM_ADD(w->c->non_sctp, 1);
		} else if (pkt->mal == SW_MAL_IP_PROTO) {
			SW_SHM_ADD(w->c->non_sctp, 1);
			SW_SHM_ADD(w->c->non_sctp_ip, 1);
		}
		return fwd ? len : 0;
	}
	SW_SHM_ADD(w->c->msus, j.nverdicts);
	if (w->conf.mode != SW_MODE_INLINE)
		return len;
	if (unlikely(wj.nfrag != 0 || w->sh_n != 0)) {
		int h = worker_sctp_hold(w, (struct rte_mbuf *)(uintptr_t)m, pkt, &j, &wj, in_idx);

		if (h != 0)
			return h > 0 ? WJ_TAKEN : 0;
	}
	return worker_enforce(w, buf, len, cap, pkt, j.drop_mask, in_idx);
}

/* ------------------------------------------------------------------------------------------ */
/* SCTP user-message fragments held inline (issue 14 D2, dataplane/reasm/README.md)             */

/* Packets of one association and direction (the tag and ports it carries, its ingress). */
static inline bool
sh_same(const struct sw_sctp_held *h, uint32_t vtag, uint16_t sport, uint16_t dport,
	unsigned in_idx)
{
	return h->vtag == vtag && h->sport == sport && h->dport == dport && h->in_idx == in_idx;
}

/*
 * A packet with a fragment of a message not judged yet, or any packet of an association and
 * direction that has packets held (they leave in the order they came: the enforcer sees TSNs
 * as the sender sent them, so a dropped message's fragments are removed as fresh TSNs, SSN
 * counted once). Returns 1 (held), -1 (to be dropped: cannot be held, counted in lost; nothing
 * of it reached the receiver, the sender retransmits it), 0 (not held).
 */
static void sh_control(struct sw_worker *w, const struct rte_mbuf *m, const struct sw_pkt *pkt,
		       unsigned in_idx);

static __rte_noinline int
worker_sctp_hold(struct sw_worker *w, struct rte_mbuf *m, const struct sw_pkt *pkt,
		 const struct sw_judgement *j, const struct worker_judging *wj, unsigned in_idx)
{
	struct sw_sctp_held *h;
	bool hol = false;

	/* a packet without DATA (SACK, HEARTBEAT ...) passes: only DATA keeps its order */
	for (unsigned i = 0; i < w->sh_n && !hol && pkt->ndata != 0; i++)
		hol = sh_same(&w->sh[i], pkt->vtag, pkt->sport, pkt->dport, in_idx);
	if (wj->nfrag == 0 && !hol)
		return 0;
	if (m == NULL || wj->frag_over || w->sh_n >= SW_SCTP_HOLD_MAX) {
		/* a reassembled IP datagram (not an mbuf of its own), or no room */
		w->sh_st.lost++;
		return -1;
	}
	if (pkt->ndata != pkt->nchunks)
		sh_control(w, m, pkt, in_idx);
	h = &w->sh[w->sh_n++];
	h->m = m;
	h->since_ns = w->now_ns;
	h->vtag = pkt->vtag;
	h->sport = pkt->sport;
	h->dport = pkt->dport;
	h->in_idx = (uint8_t)in_idx;
	h->nfrag = wj->nfrag;
	h->mask = j->drop_mask;
	memcpy(h->chunks, w->jf_chunks, sizeof(h->chunks[0]) * wj->nfrag);
	memcpy(h->res, w->jf_res, sizeof(h->res[0]) * wj->nfrag);
	memcpy(h->t, w->jf_t, sizeof(h->t[0]) * wj->nfrag);
	w->sh_st.held++;
	return 1;
}

/* RFC 4960 Appendix B: the CRC32c of the SCTP packet p[0..n) with its checksum field as zero. */
static uint32_t
sh_crc(const uint8_t *p, uint32_t n)
{
	static const uint8_t zero[4];
	uint32_t crc = sw_crc32c_update(0, p, 8);

	crc = sw_crc32c_update(crc, zero, 4);
	return sw_crc32c_update(crc, p + 12, n - 12);
}

/*
 * The control chunks of a packet being held (a SACK, HEARTBEAT ... of its sender) leave now in
 * a copy without its DATA: an acknowledgement held with a fragment can stop the other side's
 * sender, whose own held fragment may wait for this side's sender: each waits for the other's
 * SACK (e2e-frag-on, both peers sending with SCTP_MAXSEG 100: two messages a run stalled). The
 * copy goes through the enforcer (SACK translation) and leaves first; the original keeps them,
 * and a SACK again later is older than the receiver's state (RFC 9260 6.2.1: ignored). A copy
 * is made only of a packet whose checksum is right (it is recomputed for the copy).
 */
static __rte_noinline void
sh_control(struct sw_worker *w, const struct rte_mbuf *m, const struct sw_pkt *pkt,
	   unsigned in_idx)
{
	const uint8_t *src = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = pkt->l4_off + 12, crc, nlen;
	unsigned out = w->nports == 2 ? 1u - in_idx : in_idx;
	struct rte_mbuf *c;
	struct sw_pkt cp;
	uint8_t *d;

	for (unsigned i = 0; i < pkt->nchunks; i++)
		if (!sw_sctp_is_data(pkt->chunks[i].type))
			len += (pkt->chunks[i].len + 3u) & ~3u;
	if (len == pkt->l4_off + 12 || w->pool == NULL || w->nipout[out] >= SW_IPOUT_MAX ||
	    pkt->l4_end < pkt->l4_off + 12)
		return;
	crc = sh_crc(src + pkt->l4_off, pkt->l4_end - pkt->l4_off);
	if (src[pkt->l4_off + 8] != (uint8_t)crc || src[pkt->l4_off + 9] != (uint8_t)(crc >> 8) ||
	    src[pkt->l4_off + 10] != (uint8_t)(crc >> 16) ||
	    src[pkt->l4_off + 11] != (uint8_t)(crc >> 24))
		return;
	c = rte_pktmbuf_alloc(w->pool);
	if (c == NULL)
		return;
	d = (uint8_t *)rte_pktmbuf_append(c, (uint16_t)len);
	if (d == NULL) {
		rte_pktmbuf_free(c);
		return;
	}
	len = pkt->l4_off + 12;
	memcpy(d, src, len);
	for (unsigned i = 0; i < pkt->nchunks; i++) {
		const struct sw_chunk *ch = &pkt->chunks[i];
		uint32_t pl = (ch->len + 3u) & ~3u, have = pkt->l4_end - ch->off;

		if (sw_sctp_is_data(ch->type))
			continue;
		memcpy(d + len, src + ch->off, have < pl ? have : pl);
		if (have < pl)
			memset(d + len + have, 0, pl - have);
		len += pl;
	}
	if (pkt->ip_ver == 4)
		sw_ipv4_fix(d + pkt->l3_off, len - pkt->l3_off, pkt->l4_off - pkt->l3_off);
	else
		sw_ipv6_fix(d + pkt->l3_off, len - pkt->l3_off);
	crc = sh_crc(d + pkt->l4_off, len - pkt->l4_off);
	d[pkt->l4_off + 8] = (uint8_t)crc;
	d[pkt->l4_off + 9] = (uint8_t)(crc >> 8);
	d[pkt->l4_off + 10] = (uint8_t)(crc >> 16);
	d[pkt->l4_off + 11] = (uint8_t)(crc >> 24);
	sw_decode_packet(d, len, SW_LINK_ETH, &cp);
	nlen = worker_enforce(w, d, len, (uint32_t)(rte_pktmbuf_tailroom(c) + len), &cp, 0, in_idx);
	if (nlen == 0 || w->conf.mode == SW_MODE_MONITOR) {
		rte_pktmbuf_free(c);
		return;
	}
	if (nlen != len) {
		rte_pktmbuf_data_len(c) = (uint16_t)nlen;
		rte_pktmbuf_pkt_len(c) = nlen;
	}
	w->sh_st.control++;
	w->ipout[out][w->nipout[out]++] = c;
}

/* The drop mask of held packet h with its fragments' verdicts; false while one is pending. */
static bool
sh_mask(const struct sw_worker *w, const struct sw_sctp_held *h, uint32_t *mask)
{
	struct sw_reasm_verdict v;

	*mask = h->mask;
	for (unsigned k = 0; k < h->nfrag; k++) {
		if (h->res[k] != 0) { /* its verdict, seen when it was given */
			if (h->res[k] == 2)
				*mask |= h->chunks[k];
			continue;
		}
		if (sw_reasm_ticket_state(w->judge.reasm, &h->t[k], &v) == SW_REASM_PENDING)
			return false;
		if (v.action == SW_ACTION_DROP)
			*mask |= h->chunks[k];
	}
	return true;
}

/*
 * Held past SW_SCTP_HOLD_NS: the messages of h still pending fail as sctp_reasm_stalled with the
 * policy's malformed verdict (their later fragments get it too), counted and raised as an event
 * on this packet.
 */
static __rte_noinline void
sh_stall(struct sw_worker *w, const struct sw_sctp_held *h, uint64_t now_tsc)
{
	struct sw_reasm_verdict v = { .action = w->malformed_action,
				      .mal = SW_MAL_SCTP_REASM_STALLED,
				      .rule = SW_RULE_MALFORMED,
				      .image = SW_REASM_IMAGE_ANY };
	struct sw_judge_verdict jv = { .chunk = SW_JUDGE_PKT, .action = v.action,
				       .mal = SW_MAL_SCTP_REASM_STALLED, .rule = SW_RULE_MALFORMED };
	struct sw_reasm_verdict cur;
	struct sw_pkt pkt;

	for (unsigned k = 0; k < h->nfrag; k++) {
		if (sw_reasm_ticket_state(w->judge.reasm, &h->t[k], &cur) != SW_REASM_PENDING)
			continue;
		sw_reasm_ticket_fail(w->judge.reasm, &h->t[k], SW_MAL_SCTP_REASM_STALLED, w->now_ns,
				     &v);
		w->sh_st.stalled++;
		worker_count_pkt(w, &jv);
		sw_decode_packet(rte_pktmbuf_mtod(h->m, uint8_t *), rte_pktmbuf_data_len(h->m),
				 SW_LINK_ETH, &pkt);
		pkt.mal = SW_MAL_SCTP_REASM_STALLED;
		worker_event(w, rte_pktmbuf_mtod(h->m, uint8_t *), rte_pktmbuf_data_len(h->m), &pkt,
			     NULL, SW_EV_MALFORMED, v.action, SW_RULE_MALFORMED, h->in_idx, now_tsc);
	}
}

/* Held packet h, its verdicts known (mask): through the enforcer and out, or dropped. */
static void
sh_send(struct sw_worker *w, const struct sw_sctp_held *h, uint32_t mask)
{
	struct rte_mbuf *m = h->m;
	uint8_t *buf = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), nlen;
	unsigned out = w->nports == 2 ? 1u - h->in_idx : h->in_idx;
	struct sw_pkt pkt;

	w->sh_st.released++;
	sw_decode_packet(buf, len, SW_LINK_ETH, &pkt);
	nlen = worker_enforce(w, buf, len, (uint32_t)(rte_pktmbuf_tailroom(m) + len), &pkt, mask,
			      h->in_idx);
	if (nlen == 0 || w->conf.mode == SW_MODE_MONITOR || w->nipout[out] >= SW_IPOUT_MAX) {
		SW_SHM_ADD(w->c->pkts_dropped, 1);
		rte_pktmbuf_free(m);
		return;
	}
	if (nlen != len) {
		rte_pktmbuf_data_len(m) = (uint16_t)nlen;
		rte_pktmbuf_pkt_len(m) = nlen;
	}
	w->ipout[out][w->nipout[out]++] = m;
}

void
sw_worker_sctp_release(struct sw_worker *w, uint64_t now_tsc)
{
	uint16_t keep = 0;

	w->now_ns = w->mono0_ns + (uint64_t)((double)(now_tsc - w->tsc0) * w->ns_per_tsc);
	for (uint16_t i = 0; i < w->sh_n; i++) {
		struct sw_sctp_held h = w->sh[i];
		bool ready = true;
		uint32_t mask = 0;

		/* behind a packet of its association and direction still held: it waits */
		for (uint16_t k = 0; k < keep && ready; k++)
			ready = !sh_same(&w->sh[k], h.vtag, h.sport, h.dport, h.in_idx);
		if (ready && !sh_mask(w, &h, &mask)) {
			ready = w->now_ns - h.since_ns >= SW_SCTP_HOLD_NS;
			if (ready) {
				sh_stall(w, &h, now_tsc);
				sh_mask(w, &h, &mask);
			}
		}
		if (!ready) {
			w->sh[keep++] = h;
			continue;
		}
		sh_send(w, &h, mask);
	}
	w->sh_n = keep;
}

void
sw_worker_sctp_stats(const struct sw_worker *w, struct sw_sctp_hold_stats *st)
{
	*st = w->sh_st;
}

/* ------------------------------------------------------------------------------------------ */
/* IP fragments (issue 14 Deliver 1, dataplane/reasm/README.md)                               */
/*
 * rte_ip_frag joins the fragments (RFC 791 3.2, RFC 8200 4.5); the datagram is copied into
 * scratch, decoded, judged and enforced like any frame, written back into its mbuf chain and
 * fragmented again (rte_ipv4_fragment_packet / rte_ipv6_fragment_packet) to the size of its
 * first fragment. rte_ip_frag says only "held or failed" (NULL): the fragments it gives up
 * land on the death row, so which mbufs landed there tells why (worker_ipfrag).
 */

enum { WP_DROP = 0, WP_FWD = 1, WP_TAKEN = 2 };

#define IPR_HDR_ROOM 128 /* link header + IP header in front of the largest datagram */
#define IPR_POOL 2047    /* mbufs of each fragment pool per worker (direct, indirect) */

struct sw_worker_ipr {
	struct rte_ip_frag_tbl *tbl;
	struct rte_ip_frag_death_row dr;
	struct rte_mempool *direct, *indirect; /* fragments leaving: header, data reference */
	struct sw_worker_ipr_stats st;
	uint8_t buf[IPR_HDR_ROOM + SW_IPFRAG_LEN_MAX + 256]; /* the datagram being judged */
};

static int
worker_ipr_init(struct sw_worker *w)
{
	struct sw_worker_ipr *r;
	uint64_t hz = rte_get_tsc_hz();
	uint32_t buckets = rte_align32pow2((w->conf.ip_frag_entries * 2 + 15) / 16);
	char name[RTE_MEMPOOL_NAMESIZE];

	r = rte_zmalloc("sw_ipr", sizeof(*r), RTE_CACHE_LINE_SIZE);
	if (r == NULL)
		return -ENOMEM;
	w->ipr = r;
	/* 16 entries per bucket (a key's datagram lives in one of them), twice the entries
	 * the table may hold, each holding at most RTE_LIBRTE_IP_FRAG_MAX_FRAG mbufs. */
	r->tbl = rte_ip_frag_table_create(buckets, 16, w->conf.ip_frag_entries,
					  hz / 1000 * w->conf.ip_frag_timeout_ms,
					  (int)rte_socket_id());
	snprintf(name, sizeof(name), "sw_ipfd%u", w->id);
	r->direct = rte_pktmbuf_pool_create(name, IPR_POOL, 32, 0,
					    RTE_PKTMBUF_HEADROOM + IPR_HDR_ROOM,
					    (int)rte_socket_id());
	snprintf(name, sizeof(name), "sw_ipfi%u", w->id);
	r->indirect = rte_pktmbuf_pool_create(name, IPR_POOL, 32, 0, 0, (int)rte_socket_id());
	if (r->tbl == NULL || r->direct == NULL || r->indirect == NULL)
		return rte_errno != 0 ? -rte_errno : -ENOMEM;
	return 0;
}

static void
worker_ipr_fini(struct sw_worker *w)
{
	struct sw_worker_ipr *r = w->ipr;

	if (r == NULL)
		return;
	for (unsigned p = 0; p < SW_PORTS; p++) {
		rte_pktmbuf_free_bulk(w->ipout[p], w->nipout[p]);
		w->nipout[p] = 0;
	}
	if (r->tbl != NULL)
		rte_ip_frag_table_destroy(r->tbl);
	rte_ip_frag_free_death_row(&r->dr, 0);
	rte_mempool_free(r->direct);
	rte_mempool_free(r->indirect);
	rte_free(r);
	w->ipr = NULL;
}

void
sw_worker_ipr_stats(const struct sw_worker *w, struct sw_worker_ipr_stats *st)
{
	if (w->ipr != NULL)
		*st = w->ipr->st;
	else
		memset(st, 0, sizeof(*st));
}

/* Queue m to leave by port index out (sw_worker_flush_ipout); full: freed and counted. */
static void
ipr_queue(struct sw_worker *w, struct rte_mbuf *m, unsigned out)
{
	if (w->nipout[out] >= SW_IPOUT_MAX) {
		w->ipr->st.tx_fail++;
		SW_SHM_ADD(w->c->tx_dropped, 1);
		rte_pktmbuf_free(m);
		return;
	}
	w->ipout[out][w->nipout[out]++] = m;
}

static inline unsigned
ipr_out(const struct sw_worker *w, unsigned in_idx)
{
	return w->nports == 2 ? 1 - in_idx : in_idx;
}

/*
 * The fragments dr->row[from..to) failed (reason mal): judged as the fragment m (one of them,
 * decoded as pkt) with the policy's malformed verdict, they all leave as they came when it
 * passes them, else stay on the death row to be freed.
 */
static void
ipr_fail(struct sw_worker *w, struct rte_mbuf *m, struct sw_pkt *pkt, enum sw_mal mal,
	 unsigned from, unsigned to, unsigned in_idx, uint64_t now_tsc)
{
	struct sw_worker_ipr *r = w->ipr;
	uint32_t len = rte_pktmbuf_data_len(m);

	pkt->mal = mal;
	if (worker_judge(w, m, rte_pktmbuf_mtod(m, uint8_t *), len, len, pkt, NULL, 0, in_idx,
			 now_tsc, NULL) == 0 ||
	    w->conf.mode != SW_MODE_INLINE)
		return;
	for (unsigned i = from; i < to; i++) {
		if (r->dr.row[i] == NULL)
			continue;
		ipr_queue(w, r->dr.row[i], ipr_out(w, in_idx));
		r->dr.row[i] = NULL; /* rte_ip_frag_free_death_row skips nothing: free(NULL) */
	}
}

/* Port index a held fragment came in on (mbuf port is the ethdev port id). */
static inline unsigned
ipr_in_idx(const struct sw_worker *w, const struct rte_mbuf *m)
{
	return w->nports == 2 && m->port == w->port[1] ? 1 : 0;
}

/* Fragments of datagrams whose time ran out, dr->row[from..to): each judged on its own. */
static void
ipr_expired(struct sw_worker *w, unsigned from, unsigned to, uint64_t now_tsc)
{
	struct sw_worker_ipr *r = w->ipr;
	struct sw_pkt pkt;

	for (unsigned i = from; i < to; i++) {
		struct rte_mbuf *m = r->dr.row[i];

		if (m == NULL)
			continue;
		r->st.timeout++;
		sw_decode_packet(rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_data_len(m),
				 SW_LINK_ETH, &pkt);
		ipr_fail(w, m, &pkt, SW_MAL_IP_REASM_TIMEOUT, i, i + 1, ipr_in_idx(w, m), now_tsc);
	}
}

void
sw_worker_ipfrag_expire(struct sw_worker *w, uint64_t now_tsc)
{
	struct sw_worker_ipr *r = w->ipr;

	if (r == NULL)
		return;
	rte_ip_frag_table_del_expired_entries(r->tbl, &r->dr, now_tsc);
	ipr_expired(w, 0, r->dr.cnt, now_tsc);
	rte_ip_frag_free_death_row(&r->dr, 0);
}

/* Overwrite the chain m with src[0..len) (len <= its length), freeing the segments left over. */
static int
ipr_store(struct rte_mbuf *m, const uint8_t *src, uint32_t len)
{
	struct rte_mbuf *s = m, *last = NULL;
	uint32_t left = len;
	uint16_t nseg = 0;

	if (len > rte_pktmbuf_pkt_len(m))
		return -1;
	while (left != 0) {
		uint32_t n = RTE_MIN((uint32_t)s->data_len, left);

		memcpy(rte_pktmbuf_mtod(s, uint8_t *), src, n);
		s->data_len = (uint16_t)n;
		src += n;
		left -= n;
		nseg++;
		last = s;
		s = s->next;
	}
	if (s != NULL) {
		last->next = NULL;
		s->nb_segs = 1; /* freed segment by segment below */
		while (s != NULL) {
			struct rte_mbuf *nx = s->next;

			s->next = NULL;
			rte_pktmbuf_free_seg(s);
			s = nx;
		}
	}
	m->nb_segs = nseg;
	m->pkt_len = len;
	return 0;
}

/*
 * A whole datagram m (rte_ip_frag's chain, the first fragment's link header in front): judged,
 * enforced, and sent on fragmented to its first fragment's size. id: its identification.
 */
static void
ipr_done(struct sw_worker *w, struct rte_mbuf *m, uint32_t id, unsigned in_idx, uint64_t now_tsc)
{
	struct sw_worker_ipr *r = w->ipr;
	struct rte_mbuf *frag[SW_IPFRAG_MAX_FRAG * 2];
	uint32_t len = rte_pktmbuf_pkt_len(m), nlen, l2 = m->l2_len, mtu;
	uint8_t ver;
	const void *p;
	struct sw_pkt pkt;
	int n;

	r->st.done++;
	if (len > sizeof(r->buf) - 256)
		goto drop; /* not reached: the length was checked per fragment */
	p = rte_pktmbuf_read(m, 0, len, r->buf);
	if (p != r->buf)
		memcpy(r->buf, p, len);
	ver = (uint8_t)(r->buf[l2] >> 4);
	/* The first fragment's IP length, with IPv6's fragment header (rte_ip_frag took it out). */
	mtu = (uint32_t)m->data_len - l2 + (ver == 6 ? IPV6_FRAG_HDR_LEN : 0);
	if (ver == 4) /* rte_ip_frag left the checksum to an offload: RFC 791 3.1 */
		sw_ipv4_fix(r->buf + l2, len - l2, m->l3_len);
	sw_decode_packet(r->buf, len, SW_LINK_ETH, &pkt);
	nlen = worker_judge(w, NULL, r->buf, len, (uint32_t)sizeof(r->buf), &pkt, NULL, 0, in_idx,
			    now_tsc, NULL);
	if (nlen == 0 || w->conf.mode != SW_MODE_INLINE)
		goto drop;
	/* Back into the chain without the link header, then cut to the size it came in with. */
	rte_pktmbuf_adj(m, (uint16_t)l2);
	if (ipr_store(m, r->buf + l2, nlen - l2) < 0)
		goto fail;
	/* IPv6 fragments at least to its minimum link MTU (RFC 8200 5: every link carries 1,280
	 * octets), below which rte_ipv6_fragment_packet refuses to cut. */
	if (ver == 6 && mtu < RTE_IPV6_MIN_MTU)
		mtu = RTE_IPV6_MIN_MTU;
	if (ver == 4)
		n = rte_ipv4_fragment_packet(m, frag, RTE_DIM(frag), (uint16_t)mtu, r->direct,
					     r->indirect);
	else if (nlen - l2 <= mtu) /* fits whole: no atomic fragment (RFC 8021) */
		n = 0;
	else
		n = rte_ipv6_fragment_packet(m, frag, RTE_DIM(frag), (uint16_t)mtu, r->direct,
					     r->indirect);
	if (n < 0)
		goto fail;
	if (n == 0) {
		frag[0] = m;
		n = 1;
	} else {
		rte_pktmbuf_free(m); /* the fragments hold references to its data */
	}
	for (int i = 0; i < n; i++) {
		uint8_t *h = (uint8_t *)rte_pktmbuf_prepend(frag[i], (uint16_t)l2);

		if (h == NULL) {
			r->st.tx_fail++;
			rte_pktmbuf_free(frag[i]);
			continue;
		}
		memcpy(h, r->buf, l2);
		frag[i]->ol_flags = 0;
		if (ver == 4) { /* rte_ipv4_fragment_packet leaves the checksum to an offload */
			sw_ipv4_fix(h + l2, rte_pktmbuf_pkt_len(frag[i]) - l2,
				    frag[i]->data_len - l2);
		} else if (frag[i] != m) {
			/* rte_ipv6_fragment_packet writes identification 0: the datagram's own goes
			 * back (RFC 8200 4.5: one identification for all fragments of a packet). */
			uint8_t *fid = h + l2 + IPV6_HDR_LEN + 4;

			fid[0] = (uint8_t)(id >> 24);
			fid[1] = (uint8_t)(id >> 16);
			fid[2] = (uint8_t)(id >> 8);
			fid[3] = (uint8_t)id;
		}
		ipr_queue(w, frag[i], ipr_out(w, in_idx));
	}
	r->st.refragmented += (uint64_t)n;
	return;
fail:
	/* Grown past its chain, DF set, out of fragment mbufs: it does not leave (counted). */
	r->st.tx_fail++;
drop:
	rte_pktmbuf_free(m);
}

/*
 * A fragment (pkt->ip_frag): handed to rte_ip_frag. Returns WP_TAKEN (the table or the death
 * row has it now), or WP_FWD with pkt->mal set when the caller is to judge it as it is
 * (ip_fragment: not for reassembly; ip_reasm_long).
 */
static __rte_noinline int
worker_ipfrag(struct sw_worker *w, struct rte_mbuf *m, uint8_t *buf, struct sw_pkt *pkt,
	      unsigned in_idx, uint64_t now_tsc)
{
	struct sw_worker_ipr *r = w->ipr;
	struct sw_ipfrag_info fi;
	struct rte_mbuf *whole;
	unsigned before = r->dr.cnt, i;
	bool failed = false;

	if (sw_ipfrag_parse(buf, pkt, &fi) < 0)
		return WP_FWD;
	if (fi.ofs + fi.len > SW_IPFRAG_LEN_MAX || m->nb_segs != 1) {
		/* Its datagram could never be judged: this fragment fails now, the ones held
		 * before time out. */
		r->st.long_++;
		pkt->mal = SW_MAL_IP_REASM_LONG;
		return WP_FWD;
	}
	m->l2_len = fi.l3_off;
	m->l3_len = fi.l3_len;
	if (fi.ver == 4)
		whole = rte_ipv4_frag_reassemble_packet(r->tbl, &r->dr, m, now_tsc,
							(struct rte_ipv4_hdr *)(buf + fi.l3_off));
	else
		whole = rte_ipv6_frag_reassemble_packet(
			r->tbl, &r->dr, m, now_tsc, (struct rte_ipv6_hdr *)(buf + fi.l3_off),
			(struct rte_ipv6_fragment_ext *)(buf + fi.l3_off + IPV6_HDR_LEN));
	for (i = before; i < r->dr.cnt; i++)
		failed |= r->dr.row[i] == m;
	if (failed) {
		/* Alone on the death row: no entry for it (table or bucket full). With others:
		 * its datagram's fragments, which did not join (ip_frag_process). */
		enum sw_mal why = r->dr.cnt - before == 1 ? SW_MAL_IP_REASM_FULL
							   : SW_MAL_IP_REASM_OVERLAP;

		if (why == SW_MAL_IP_REASM_FULL)
			r->st.full++;
		else
			r->st.overlap++;
		ipr_fail(w, m, pkt, why, before, r->dr.cnt, in_idx, now_tsc);
	} else {
		/* Others alone: a datagram whose time ran out gave way to this one's. */
		ipr_expired(w, before, r->dr.cnt, now_tsc);
		if (whole != NULL)
			ipr_done(w, whole, fi.id, in_idx, now_tsc);
		else
			r->st.held++;
	}
	rte_ip_frag_free_death_row(&r->dr, 0);
	return WP_TAKEN;
}


/*
 * Judge one packet decoded as pkt (the judge decides what is judged and how) and act on it.
 * pre[0..npre): the MSUs of its first DATA chunks decoded ahead (batching), or none. Returns
 * WP_FWD to transmit it (possibly shrunk), WP_DROP to drop it, WP_TAKEN when IP reassembly
 * took it (worker_ipfrag.h). jlog: where to copy the judgement, or NULL.
 */
static inline int
worker_packet(struct sw_worker *w, struct rte_mbuf *m, struct sw_pkt *pkt, struct sw_msu *pre,
	      unsigned npre, unsigned in_idx, uint64_t now_tsc, struct sw_judgement *jlog)
{
	uint8_t *buf = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), nlen;

	/* IP fragments (issue 14 D1): the decoder flagged it; joined with rte_ip_frag. */
	if (unlikely(pkt->ip_frag) && w->ipr != NULL &&
	    worker_ipfrag(w, m, buf, pkt, in_idx, now_tsc) == WP_TAKEN)
		return WP_TAKEN;
	nlen = worker_judge(w, m, buf, len, (uint32_t)(rte_pktmbuf_tailroom(m) + len), pkt, pre,
			    npre, in_idx, now_tsc, jlog);
	if (unlikely(nlen == WJ_TAKEN))
		return WP_TAKEN;
	if (nlen == 0)
		return WP_DROP;
	if (nlen != len) {
		rte_pktmbuf_data_len(m) = (uint16_t)nlen;
		rte_pktmbuf_pkt_len(m) = nlen;
	}
	return WP_FWD;
}

/*
 * Batching (issue 20 D4, conf.batch): packets [s, e) of the burst decoded before any of them is
 * judged: link/IP/SCTP and the MSUs of their DATA chunks (up to one per packet of the sub-batch
 * on the whole, the rest are decoded when judged; none with conf.batch_pkt_only). Decoding reads
 * only the frame and the bound image (the same for the whole burst), never what judging an
 * earlier packet changes, so verdicts, counters, events and order stay those of packet by packet.
 * Measured (bench/README.md): decoding the whole burst's MSUs first pays (the decoder's and the
 * policy's code and tables each stay hot over the burst), decoding only the headers first does
 * not.
 */
struct sw_worker_batch {
	struct sw_pkt pkt[SW_BURST_MAX];
	uint8_t npre[SW_BURST_MAX];   /* MSUs decoded ahead for packet s + k ... */
	uint16_t first[SW_BURST_MAX]; /* ... from msu[first[k]] */
	struct sw_msu msu[SW_BURST_MAX];
};

/* The first lines of a frame ahead (conf.prefetch_lines): the decoder reads up to the MAP
 * parameters, beyond the first line of any frame carrying an MSU (issue 20 D4). */
static inline void
worker_prefetch_frame(const struct sw_worker *w, const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), end, off;

	end = RTE_MIN(len, (uint32_t)w->prefetch_lines * RTE_CACHE_LINE_SIZE);
	rte_prefetch0(p);
	for (off = RTE_CACHE_LINE_SIZE; off < end; off += RTE_CACHE_LINE_SIZE)
		rte_prefetch0(p + off);
}

static void
worker_batch_decode(struct sw_worker *w, struct rte_mbuf **pkts, uint16_t s, uint16_t e,
		    uint16_t n)
{
	struct sw_worker_batch *bt = w->bt;
	unsigned used = 0, max = w->batch_msus;

	for (uint16_t i = s; i < e; i++) {
		struct rte_mbuf *m = pkts[i];
		const uint8_t *buf = rte_pktmbuf_mtod(m, const uint8_t *);
		struct sw_pkt *pkt = &bt->pkt[i - s];
		unsigned k = i - s;

		if (i + PREFETCH_AHEAD < n)
			worker_prefetch_frame(w, pkts[i + PREFETCH_AHEAD]);
		sw_decode_packet(buf, rte_pktmbuf_data_len(m), SW_LINK_ETH, pkt);
		bt->first[k] = (uint16_t)used;
		bt->npre[k] = (uint8_t)sw_judge_predecode(&w->judge, buf, pkt, &bt->msu[used],
							  max - used);
		used += bt->npre[k];
	}
}

uint16_t
sw_worker_burst(struct sw_worker *w, struct rte_mbuf **pkts, uint16_t n, unsigned in_idx,
		uint64_t now_tsc)
{
	struct rte_mbuf *drop[SW_BURST_MAX];
	uint16_t i, s, e, keep = 0, ndrop = 0;
	uint64_t bytes = 0;
	bool batch = w->bt != NULL && !w->conf.forward_only;

	w->nheld = 0;
	/* Monotonic ns for rate limits and association expiry: once per burst. */
	w->now_ns = w->mono0_ns + (uint64_t)((double)(now_tsc - w->tsc0) * w->ns_per_tsc);
	for (i = 0; i < n && i < PREFETCH_AHEAD; i++) {
		if (unlikely(w->conf.forward_only))
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
		else
			worker_prefetch_frame(w, pkts[i]);
	}
	for (s = 0; s < n; s = e) {
		e = batch ? (uint16_t)RTE_MIN(n, s + w->batch) : n;
		if (batch)
			worker_batch_decode(w, pkts, s, e, n);
		for (i = s; i < e; i++) {
			struct rte_mbuf *m = pkts[i];
			struct sw_judgement *jl = w->jlog != NULL ? &w->jlog[i] : NULL;
			struct sw_pkt pkt;
			int fwd;

			bytes += rte_pktmbuf_pkt_len(m);
			if (w->conf.forward_only) {
				/* the benchmark's baseline: as before issue 20 D4 */
				if (i + PREFETCH_AHEAD < n)
					rte_prefetch0(
						rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD], void *));
				fwd = WP_FWD;
			} else if (batch) {
				struct sw_worker_batch *bt = w->bt;

				fwd = worker_packet(w, m, &bt->pkt[i - s],
						    &bt->msu[bt->first[i - s]], bt->npre[i - s],
						    in_idx, now_tsc, jl);
			} else {
				if (i + PREFETCH_AHEAD < n)
					worker_prefetch_frame(w, pkts[i + PREFETCH_AHEAD]);
				sw_decode_packet(rte_pktmbuf_mtod(m, uint8_t *),
						 rte_pktmbuf_data_len(m), SW_LINK_ETH, &pkt);
				fwd = worker_packet(w, m, &pkt, NULL, 0, in_idx, now_tsc, jl);
			}
			if (fwd == WP_FWD)
				pkts[keep++] = m;
			else if (likely(fwd == WP_DROP))
				drop[ndrop++] = m;
			else
				w->nheld++;
		}
	}
	/* held SCTP packets whose message this burst completed leave after it, in order */
	if (unlikely(w->sh_n != 0))
		sw_worker_sctp_release(w, now_tsc);
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
	if (conf->ip_frag_entries != 0) {
		int rc = worker_ipr_init(w);

		if (rc < 0)
			return rc;
	}
	{
		/* SCTP fragments (issue 14 D2): reassembled when on; held inline */
		unsigned sr = conf->sctp_reasm;
		bool on = sr == SW_SCTP_REASM_ON || sr == SW_SCTP_REASM_NOHOLD ||
			  (sr == SW_SCTP_REASM_DEFAULT && SW_REASM_SCTP_DEFAULT);

		sw_reasm_set_sctp(w->judge.reasm, on);
		if (on && sr != SW_SCTP_REASM_NOHOLD && conf->mode == SW_MODE_INLINE) {
			w->sh = calloc(SW_SCTP_HOLD_MAX, sizeof(*w->sh));
			if (w->sh == NULL)
				return -ENOMEM;
		}
	}
	w->prefetch_lines = conf->prefetch_lines != 0 ? conf->prefetch_lines : SW_PREFETCH_LINES;
	w->bt = NULL;
	w->batch = conf->batch == 0 ? SW_BATCH_DEFAULT : conf->batch;
	if (conf->batch == SW_BATCH_OFF)
		w->batch = 0;
	w->batch_msus = conf->batch_pkt_only ? 0 : w->batch;
	if (w->batch != 0) {
		/* batching (issue 20 D4): the scratch of one sub-batch, cache-aligned */
		if (w->batch > SW_BURST_MAX)
			return -EINVAL;
		void *bt;

		if (posix_memalign(&bt, RTE_CACHE_LINE_SIZE, sizeof(*w->bt)) != 0)
			return -ENOMEM;
		w->bt = memset(bt, 0, sizeof(*w->bt));
	}
	if (conf->mode == SW_MODE_INLINE) {
		w->enforce = sw_enforce_new(SW_APP_ASSOCS_MAX, !conf->no_repair);
		if (w->enforce == NULL)
			return errno != 0 ? -errno : -ENOMEM;
		sw_enforce_set_variant(w->enforce, worker_enf_variant, w);
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
	for (uint16_t i = 0; i < w->sh_n; i++)
		rte_pktmbuf_free(w->sh[i].m); /* held SCTP packets never released */
	w->sh_n = 0;
	free(w->sh);
	w->sh = NULL;
	sw_reasm_free(w->judge.reasm);
	w->judge.reasm = NULL;
	worker_ipr_fini(w);
	free(w->bt);
	w->bt = NULL;
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

void
sw_worker_flush_ipout(struct sw_worker *w)
{
	for (unsigned p = 0; p < SW_PORTS; p++) {
		if (w->nipout[p] == 0)
			continue;
		if (w->conf.mode == SW_MODE_INLINE && p < w->nports)
			worker_tx(w, p, w->ipout[p], w->nipout[p]);
		else
			rte_pktmbuf_free_bulk(w->ipout[p], w->nipout[p]);
		w->nipout[p] = 0;
	}
}

/* Generated SACKs, each back out the port its packet came in on (reply_port). */
static void
worker_flush_replies(struct sw_worker *w)
{
	struct rte_mbuf *out[SW_BURST_MAX];

	for (unsigned p = 0; p < w->nports; p++) {
		uint16_t n = 0;

		for (unsigned i = 0; i < w->nreply; i++)
			if (w->reply_port[i] == p)
				out[n++] = w->reply[i];
		if (n != 0)
			worker_tx(w, p, out, n);
	}
	w->nreply = 0;
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
			if (w->ipr != NULL)
				sw_worker_ipfrag_expire(w, tsc);
			if (w->sh_n != 0) { /* held SCTP fragments past their time: stalled */
				sw_worker_sctp_release(w, tsc);
				sw_worker_flush_ipout(w);
				worker_flush_replies(w);
			}
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
			if (keep < n - w->nheld)
				rte_pktmbuf_free_bulk(pkts + keep, n - w->nheld - keep);
			if (unlikely(w->nipout[0] != 0 || w->nipout[1] != 0))
				sw_worker_flush_ipout(w);
			/* SACKs generated for senders of removed chunks go back where the
			 * packets came from (p, or the port of a held packet released). */
			if (unlikely(w->nreply != 0))
				worker_flush_replies(w);
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
