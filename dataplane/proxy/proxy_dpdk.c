/* SPDX-License-Identifier: BSD-3-Clause */
/* The proxy on a DPDK port (proxy_dpdk.h). */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "dataplane/app/worker.h"
#include "dataplane/policy/policy.h"
#include "dataplane/shm/event_msu.h"
#include "dataplane/shm/shm.h"
#include "proxy_conf.h"
#include "proxy_dpdk.h"
#include "proxy_frame.h"
#include "proxy_judge.h"
#include "proxy_sctp.h"
#include "proxy_shm.h"

#define PX_BURST 32
#define PX_TXQ 256

/* Frames to send on one port. */
struct px_txq {
	struct rte_mbuf *m[PX_TXQ];
	uint16_t len[PX_TXQ];         /* lengths of m (the mbufs are the driver's once sent) */
	unsigned n;
};

struct px_dp {
	struct sw_proxy_dpdk_args *args;
	struct sw_proxy px;
	struct sw_proxy_sctp ps;
	/* per port (args->ports): the framing of the links behind it, and its send queue */
	unsigned nports;
	uint16_t port[SW_PROXY_PORTS];
	struct sw_pframe pf[SW_PROXY_PORTS];
	struct px_txq txq[SW_PROXY_PORTS];
	struct sw_proxy_policy pp;
	uint64_t now_ms;
	uint64_t tx_drop, rx_frames;
	uint64_t bound_gen;
	/* The stats region's worker block this lcore runs as (as an inline worker: epoch, alive,
	 * heartbeat, counters, events); NULL without shared memory. */
	struct sw_proxy_judge inner; /* the policy judge; the core calls px_judge around it */
	struct sw_shm_worker *sw;
	struct sw_shm_counters *c;
	struct sw_shm_ring *ring;
	struct sw_proxy_shm *shm;    /* `sigwallctl status`: associations (proxy_shm.h) */
	uint64_t t0_ns, real0_ns, mono0_ns; /* px_now_ns, CLOCK_REALTIME, CLOCK_MONOTONIC at start */
	uint64_t next_noimg_ms;      /* the next SW_EV_NO_IMAGE event (one a second at most) */
};

static void
px_flush_port(struct px_dp *d, unsigned p)
{
	struct px_txq *q = &d->txq[p];
	uint16_t sent = 0;

	while (sent < q->n) {
		uint16_t n = rte_eth_tx_burst(d->port[p], d->args->queue, q->m + sent,
					      (uint16_t)(q->n - sent));
		if (n == 0)
			break;
		sent += n;
	}
	if (d->c != NULL && sent != 0) {
		uint64_t bytes = 0;

		for (unsigned i = 0; i < sent; i++)
			bytes += q->len[i];
		SW_SHM_ADD(d->c->tx_pkts, sent);
		SW_SHM_ADD(d->c->tx_bytes, bytes);
	}
	for (unsigned i = sent; i < q->n; i++) {
		rte_pktmbuf_free(q->m[i]);
		d->tx_drop++;
		if (d->c != NULL)
			SW_SHM_ADD(d->c->tx_dropped, 1);
	}
	q->n = 0;
}

static void
px_flush(struct px_dp *d)
{
	for (unsigned p = 0; p < d->nports; p++)
		px_flush_port(d, p);
}

/* A frame of up to len bytes for port index p; the caller fills it and sets the length. */
static uint8_t *
px_tx_alloc(struct px_dp *d, unsigned p, size_t cap, struct rte_mbuf **out)
{
	struct rte_mbuf *m;

	if (d->txq[p].n == PX_TXQ)
		px_flush_port(d, p);
	m = rte_pktmbuf_alloc(d->args->pool);
	if (m == NULL || rte_pktmbuf_tailroom(m) < cap) {
		if (m != NULL)
			rte_pktmbuf_free(m);
		d->tx_drop++;
		return NULL;
	}
	*out = m;
	return rte_pktmbuf_mtod(m, uint8_t *);
}

static void
px_tx_commit(struct px_dp *d, unsigned p, struct rte_mbuf *m, size_t len)
{
	struct px_txq *q = &d->txq[p];

	if (len == 0) {
		rte_pktmbuf_free(m);
		return;
	}
	m->data_len = (uint16_t)len;
	m->pkt_len = (uint32_t)len;
	q->len[q->n] = (uint16_t)len;
	q->m[q->n++] = m;
}

/* usrsctp's output for a link: frame it and queue it on the port its peer is behind. */
static int
px_output(void *user, uint16_t link, const void *pkt, size_t len)
{
	struct px_dp *d = user;
	unsigned p = link < d->px.nlinks ? d->px.link[link].cfg.port : 0;
	struct rte_mbuf *m;
	size_t cap = RTE_MBUF_DEFAULT_DATAROOM;
	uint8_t *f;

	if (p >= d->nports)
		return -ENXIO; /* refused at start (sw_proxy_dpdk_main) */
	f = px_tx_alloc(d, p, 64, &m);
	if (f == NULL)
		return -ENOBUFS;
	cap = rte_pktmbuf_tailroom(m);
	px_tx_commit(d, p, m, sw_pframe_output(&d->pf[p], link, pkt, len, d->now_ms, f, cap));
	return 0;
}

static uint64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t
px_now_ns(void)
{
	return (uint64_t)((double)rte_get_timer_cycles() * 1e9 / (double)rte_get_timer_hz());
}

/* An event record as an inline worker's (worker.c), from the decoded MSU; no frame snapshot:
 * the message came out of usrsctp, not off the wire (cap_len 0, pkt_len the M3UA length). */
static void
px_event(struct px_dp *d, const struct sw_msu *msu, const struct sw_judge_verdict *j,
	 unsigned side)
{
	uint8_t kind = SW_EV_VERDICT;
	struct sw_shm_event *ev;

	if (msu->mal != SW_MAL_NONE)
		kind = SW_EV_MALFORMED;
	else if (j->no_image)
		kind = SW_EV_NO_IMAGE;
	ev = sw_shm_event_reserve_kind(d->ring, kind);
	if (ev == NULL) {
		SW_SHM_ADD(d->c->events_lost, 1);
		return;
	}
	memset(ev, 0, offsetof(struct sw_shm_event, pkt));
	ev->time_ns = d->real0_ns + (px_now_ns() - d->t0_ns);
	ev->generation = j->no_image ? 0 : d->bound_gen;
	ev->rule = j->rule;
	ev->kind = kind;
	ev->action = j->action;
	ev->direction = (uint8_t)side;
	ev->port = d->args->port;
	ev->mal = msu->mal;
	sw_shm_event_msu(ev, msu);
	ev->pkt_len = msu->data_len;
	sw_shm_event_commit(d->ring);
	SW_SHM_ADD(d->c->events, 1);
}

/* The core's judge: the policy's verdict, counted in the worker block as an inline worker counts
 * an MSU's (allowed + dropped + alerted == msus; rule, default, malformed counters), with an
 * event for every verdict but a plain allow. A proxy action (reject, abort, redirect) is the
 * judge's drop; what the proxy then did is in its own counters (proxy_shm.h). */
static struct sw_proxy_verdict
px_judge(void *ctx, const struct sw_msu *msu, unsigned side, uint64_t now_ns)
{
	struct px_dp *d = ctx;
	struct sw_proxy_verdict v = d->inner.judge(d->inner.ctx, msu, side, now_ns);
	const struct sw_judge_verdict *j = &d->pp.last;
	struct sw_shm_counters *c = d->c;

	if (c == NULL)
		return v;
	SW_SHM_ADD(c->msus, 1);
	if (j->action == SW_ACTION_DROP)
		SW_SHM_ADD(c->dropped, 1);
	else if (j->action == SW_ACTION_ALERT)
		SW_SHM_ADD(c->alerted, 1);
	else
		SW_SHM_ADD(c->allowed, 1);
	if (j->no_image)
		SW_SHM_ADD(c->no_image, 1);
	else if (j->rule >= 0 && j->rule < SW_SHM_MAX_RULES)
		SW_SHM_ADD(c->rule_hits[j->rule], 1);
	else if (j->rule >= 0)
		SW_SHM_ADD(c->rule_overflow, 1);
	else if (j->rule == SW_RULE_DEFAULT)
		SW_SHM_ADD(c->default_hits, 1);
	else
		SW_SHM_ADD(c->malformed_verdicts, 1);
	if (msu->mal != SW_MAL_NONE) {
		SW_SHM_ADD(c->malformed, 1);
		SW_SHM_ADD(c->mal[msu->mal < SW_SHM_MAL_MAX ? msu->mal : 0], 1);
	}
	/* Without an image: one event a second at most, as an inline worker (fail closed). */
	if (j->no_image && msu->mal == SW_MAL_NONE) {
		if (d->now_ms < d->next_noimg_ms)
			return v;
		d->next_noimg_ms = d->now_ms + 1000;
	}
	if (d->ring != NULL && (j->action != SW_ACTION_ALLOW || msu->mal != SW_MAL_NONE))
		px_event(d, msu, j, side);
	return v;
}

/* Bind the image the main lcore validated, as the inline workers do (worker.c), and publish the
 * epoch: the generation this loop iteration runs on (shm.h, QSBR: control reuses a slot only when
 * every live worker's epoch has passed it; the proxy lcore is live as worker 0). */
static void
px_image(struct px_dp *d)
{
	struct sw_image_watch *w = d->args->watch;
	uint64_t gen;
	const void *image;

	if (w == NULL)
		return;
	gen = atomic_load_explicit(&w->ok_gen, memory_order_acquire);
	image = atomic_load_explicit(&w->ok_image, memory_order_relaxed);
	if (gen == 0 || gen == d->bound_gen || image == NULL)
		return;
	if (sw_policy_ctx_bind(d->pp.jctx.pctx, image) == 0) {
		d->pp.jctx.image = image;
		d->bound_gen = gen;
		if (d->c != NULL)
			SW_SHM_ADD(d->c->gen_switches, 1);
		printf("sigwall-dataplane: proxy bound policy generation %llu\n",
		       (unsigned long long)gen);
		fflush(stdout);
	}
}

static uint64_t
px_now_ms(void)
{
	static uint64_t per_ms;

	if (per_ms == 0)
		per_ms = rte_get_timer_hz() / 1000; /* cycles * 1000 would overflow after weeks */
	return rte_get_timer_cycles() / per_ms;
}

/* One burst of a port: the links' SCTP into usrsctp, ARP answered on the same port. */
static void
px_rx_port(struct px_dp *d, unsigned p)
{
	struct rte_mbuf *rx[PX_BURST];
	uint16_t n = rte_eth_rx_burst(d->port[p], d->args->queue, rx, PX_BURST);

	if (n != 0 && d->c != NULL) {
		uint64_t bytes = 0;

		for (uint16_t i = 0; i < n; i++)
			bytes += rte_pktmbuf_pkt_len(rx[i]);
		SW_SHM_ADD(d->c->rx_pkts, n);
		SW_SHM_ADD(d->c->rx_bytes, bytes);
		SW_SHM_ADD(d->c->bursts, 1);
	}
	for (uint16_t i = 0; i < n; i++) {
		uint8_t *f = rte_pktmbuf_mtod(rx[i], uint8_t *);
		size_t off, len;
		uint16_t link;
		struct rte_mbuf *m;
		uint8_t *r;

		d->rx_frames++;
		if (rx[i]->nb_segs == 1) {
			r = px_tx_alloc(d, p, 64, &m);
			switch (sw_pframe_input(&d->pf[p], f, rte_pktmbuf_data_len(rx[i]), &link, &off,
						&len, r, r != NULL ? rte_pktmbuf_tailroom(m) : 0)) {
			case SW_PFRAME_SCTP:
				sw_proxy_sctp_input(&d->ps, link, f + off, len);
				if (r != NULL)
					rte_pktmbuf_free(m);
				break;
			case SW_PFRAME_REPLY:
				px_tx_commit(d, p, m, len);
				break;
			default:
				if (r != NULL)
					rte_pktmbuf_free(m);
			}
		}
		rte_pktmbuf_free(rx[i]);
	}
}

int
sw_proxy_dpdk_main(void *arg)
{
	struct sw_proxy_dpdk_args *a = arg;
	struct px_dp *d = calloc(1, sizeof(*d));
	struct sw_proxy_ops ops = {0};
	struct sw_proxy_judge judge;
	struct rte_ether_addr mac;
	char err[256];
	uint64_t next_status, next_image = 0, next_shm = 0, last_sig = 0;
	int rc;

	if (d == NULL)
		return a->rc = -ENOMEM;
	d->args = a;
	d->pp.jctx.pctx = sw_policy_ctx_new();
	if (d->pp.jctx.pctx == NULL) {
		free(d);
		return a->rc = -ENOMEM;
	}
	d->pp.jctx.no_image_action = a->default_drop ? SW_ACTION_DROP : SW_ACTION_ALLOW;
	d->pp.px = &d->px;
	sw_proxy_policy_judge(&d->pp, &d->inner);
	judge.judge = px_judge;
	judge.ctx = d;
	d->sw = a->sw;
	d->c = a->sw != NULL ? &a->sw->c : NULL;
	d->ring = a->sw != NULL ? a->ring : NULL;
	d->t0_ns = px_now_ns();
	d->real0_ns = clock_ns(CLOCK_REALTIME);
	d->mono0_ns = clock_ns(CLOCK_MONOTONIC);
	/* issue 18: the rules' dates (monitor_until, expires) are wall-clock; the core judges at
	 * now_ms * 1e6 of the timer (px_now_ms, t0_ns's clock), so Unix time is that plus
	 * real0 - t0 (worker.c does the same with its TSC clock). */
	sw_policy_ctx_set_clock(d->pp.jctx.pctx, (int64_t)(d->real0_ns - d->t0_ns));
	sw_proxy_sctp_ops(&d->ps, &ops);
	sw_proxy_init(&d->px, &ops, &judge);
	rc = sw_proxy_conf_load(&d->px, a->site, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "sigwall-dataplane: %s\n", err);
		goto out;
	}
	sw_proxy_seal(&d->px);
	d->nports = a->nports != 0 ? a->nports : 1;
	if (d->nports > SW_PROXY_PORTS)
		d->nports = SW_PROXY_PORTS;
	for (unsigned p = 0; p < d->nports; p++) {
		d->port[p] = a->nports != 0 ? a->ports[p] : a->port;
		rte_eth_macaddr_get(d->port[p], &mac);
		sw_pframe_init_port(&d->pf[p], mac.addr_bytes, &d->px, p);
	}
	for (unsigned i = 0; i < d->px.nlinks; i++)
		if (d->px.link[i].cfg.port >= d->nports) {
			fprintf(stderr, "sigwall-dataplane: %s: link '%s' is on port %u, but --ports "
				"lists %u port(s)\n", a->site, d->px.link[i].cfg.name,
				d->px.link[i].cfg.port, d->nports);
			rc = -EINVAL;
			goto out;
		}
	d->now_ms = px_now_ms();
	rc = sw_proxy_sctp_open(&d->ps, &d->px, px_output, d, d->now_ms);
	if (rc != 0) {
		fprintf(stderr, "sigwall-dataplane: proxy: usrsctp set-up failed: %s\n",
			strerror(-rc));
		goto out;
	}
	if (a->instance != NULL && (rc = sw_proxy_shm_create(a->instance, &d->shm)) != 0) {
		fprintf(stderr, "sigwall-dataplane: proxy: status object: %s\n", strerror(-rc));
		goto out;
	}
	printf("sigwall-dataplane: proxy mode on port %u: %u link(s), %u route(s), %u GT "
	       "translation(s)\n",
	       d->port[0], d->px.nlinks, d->px.routes.nroutes, d->px.routes.ngt);
	for (unsigned p = 1; p < d->nports; p++) {
		unsigned n = 0;

		for (unsigned i = 0; i < d->px.nlinks; i++)
			n += d->px.link[i].cfg.port == p;
		printf("sigwall-dataplane: proxy port %u (index %u): %u link(s)\n", d->port[p], p, n);
	}
	fflush(stdout);
	if (d->sw != NULL) {
		atomic_store_explicit(&d->sw->lcore, rte_lcore_id(), memory_order_relaxed);
		atomic_store_explicit(&d->sw->rx_port, a->port, memory_order_relaxed);
		atomic_store_explicit(&d->sw->rx_queue, a->queue, memory_order_relaxed);
		/* shm.h: alive before the first load of the image generation. */
		atomic_store_explicit(&d->sw->alive, 1, memory_order_seq_cst);
	}
	next_status = d->now_ms + a->status_every_ms;
	while (!*a->quit) {
		d->now_ms = px_now_ms();
		if (d->now_ms >= next_image) {
			px_image(d);
			next_image = d->now_ms + 10;
		}
		if (d->sw != NULL) {
			atomic_store_explicit(&d->sw->heartbeat_ns,
					      d->mono0_ns + (px_now_ns() - d->t0_ns),
					      memory_order_relaxed);
			/* The epoch is the generation this iteration runs on (shm.h: QSBR). */
			if (atomic_load_explicit(&d->sw->epoch, memory_order_relaxed) < d->bound_gen)
				sw_shm_worker_epoch(d->sw, d->bound_gen);
		}
		for (unsigned p = 0; p < d->nports; p++)
			px_rx_port(d, p);
		sw_proxy_sctp_poll(&d->ps, d->now_ms);
		px_flush(d);
		/* Status: whenever an association or ASP changes state, to the status object
		 * every 100 ms and to stdout every status_every_ms. */
		uint64_t sig = 0;
		for (unsigned i = 0; i < d->px.nlinks; i++)
			sig = sig * 7 + (uint64_t)d->px.link[i].ep.state * 2 + d->px.link[i].sctp_up;
		if (sig != last_sig || d->now_ms >= next_shm) {
			struct sw_proxy_snap snap;
			bool print = a->status_every_ms != 0 &&
				     (d->now_ms >= next_status || sig != last_sig);

			sw_proxy_snapshot(&d->px, d->pp.judged, d->bound_gen, &snap);
			if (d->shm != NULL)
				sw_proxy_shm_publish(d->shm, &snap);
			if (print) {
				char st[SW_PROXY_LINKS * 200 + 400];

				sw_proxy_snap_format(&snap, true, st, sizeof(st));
				fputs(st, stdout);
				fflush(stdout);
				next_status = d->now_ms + a->status_every_ms;
			}
			last_sig = sig;
			next_shm = d->now_ms + 100;
		}
	}
	sw_proxy_sctp_close(&d->ps);
	px_flush(d);
out:
	/* shm.h: not alive after the last use of an image. */
	if (d->sw != NULL)
		atomic_store_explicit(&d->sw->alive, 0, memory_order_release);
	if (d->shm != NULL)
		sw_proxy_shm_destroy(d->shm, a->instance);
	sw_policy_ctx_free(d->pp.jctx.pctx);
	free(d);
	return a->rc = rc;
}
