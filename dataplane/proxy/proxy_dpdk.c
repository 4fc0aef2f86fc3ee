/* SPDX-License-Identifier: BSD-3-Clause */
/* The proxy on a DPDK port (proxy_dpdk.h). */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "dataplane/app/worker.h"
#include "dataplane/policy/policy.h"
#include "proxy_conf.h"
#include "proxy_dpdk.h"
#include "proxy_frame.h"
#include "proxy_judge.h"
#include "proxy_sctp.h"

#define PX_BURST 32
#define PX_TXQ 256

struct px_dp {
	struct sw_proxy_dpdk_args *args;
	struct sw_proxy px;
	struct sw_proxy_sctp ps;
	struct sw_pframe pf;
	struct sw_proxy_policy pp;
	uint64_t now_ms;
	struct rte_mbuf *txq[PX_TXQ];
	unsigned ntx;
	uint64_t tx_drop, rx_frames;
	uint64_t bound_gen;
};

static void
px_flush(struct px_dp *d)
{
	uint16_t sent = 0;

	while (sent < d->ntx) {
		uint16_t n = rte_eth_tx_burst(d->args->port, d->args->queue, d->txq + sent,
					      (uint16_t)(d->ntx - sent));
		if (n == 0)
			break;
		sent += n;
	}
	for (unsigned i = sent; i < d->ntx; i++) {
		rte_pktmbuf_free(d->txq[i]);
		d->tx_drop++;
	}
	d->ntx = 0;
}

/* A frame of up to len bytes; the caller fills it and sets the length. */
static uint8_t *
px_tx_alloc(struct px_dp *d, size_t cap, struct rte_mbuf **out)
{
	struct rte_mbuf *m;

	if (d->ntx == PX_TXQ)
		px_flush(d);
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
px_tx_commit(struct px_dp *d, struct rte_mbuf *m, size_t len)
{
	if (len == 0) {
		rte_pktmbuf_free(m);
		return;
	}
	m->data_len = (uint16_t)len;
	m->pkt_len = (uint32_t)len;
	d->txq[d->ntx++] = m;
}

/* usrsctp's output for a link: frame it and queue it on the port. */
static int
px_output(void *user, uint16_t link, const void *pkt, size_t len)
{
	struct px_dp *d = user;
	struct rte_mbuf *m;
	size_t cap = RTE_MBUF_DEFAULT_DATAROOM;
	uint8_t *f = px_tx_alloc(d, 64, &m);

	if (f == NULL)
		return -ENOBUFS;
	cap = rte_pktmbuf_tailroom(m);
	px_tx_commit(d, m, sw_pframe_output(&d->pf, link, pkt, len, d->now_ms, f, cap));
	return 0;
}

/* Bind the image the main lcore validated, as the inline workers do (worker.c). */
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

int
sw_proxy_dpdk_main(void *arg)
{
	struct sw_proxy_dpdk_args *a = arg;
	struct px_dp *d = calloc(1, sizeof(*d));
	struct sw_proxy_ops ops = {0};
	struct sw_proxy_judge judge;
	struct rte_ether_addr mac;
	char err[256];
	uint64_t next_status, next_image = 0, last_sig = 0;
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
	sw_proxy_policy_judge(&d->pp, &judge);
	sw_proxy_sctp_ops(&d->ps, &ops);
	sw_proxy_init(&d->px, &ops, &judge);
	rc = sw_proxy_conf_load(&d->px, a->site, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "sigwall-dataplane: %s\n", err);
		goto out;
	}
	sw_proxy_seal(&d->px);
	rte_eth_macaddr_get(a->port, &mac);
	sw_pframe_init(&d->pf, mac.addr_bytes, &d->px);
	d->now_ms = px_now_ms();
	rc = sw_proxy_sctp_open(&d->ps, &d->px, px_output, d, d->now_ms);
	if (rc != 0) {
		fprintf(stderr, "sigwall-dataplane: proxy: usrsctp set-up failed: %s\n",
			strerror(-rc));
		goto out;
	}
	printf("sigwall-dataplane: proxy mode on port %u: %u link(s), %u route(s), %u GT "
	       "translation(s)\n",
	       a->port, d->px.nlinks, d->px.routes.nroutes, d->px.routes.ngt);
	fflush(stdout);
	next_status = d->now_ms + a->status_every_ms;
	while (!*a->quit) {
		struct rte_mbuf *rx[PX_BURST];
		uint16_t n = rte_eth_rx_burst(a->port, a->queue, rx, PX_BURST);

		d->now_ms = px_now_ms();
		for (uint16_t i = 0; i < n; i++) {
			uint8_t *f = rte_pktmbuf_mtod(rx[i], uint8_t *);
			size_t off, len;
			uint16_t link;
			struct rte_mbuf *m;
			uint8_t *r;

			d->rx_frames++;
			if (rx[i]->nb_segs == 1) {
				r = px_tx_alloc(d, 64, &m);
				switch (sw_pframe_input(&d->pf, f, rte_pktmbuf_data_len(rx[i]),
							&link, &off, &len, r,
							r != NULL ? rte_pktmbuf_tailroom(m) : 0)) {
				case SW_PFRAME_SCTP:
					sw_proxy_sctp_input(&d->ps, link, f + off, len);
					if (r != NULL)
						rte_pktmbuf_free(m);
					break;
				case SW_PFRAME_REPLY:
					px_tx_commit(d, m, len);
					break;
				default:
					if (r != NULL)
						rte_pktmbuf_free(m);
				}
			}
			rte_pktmbuf_free(rx[i]);
		}
		sw_proxy_sctp_poll(&d->ps, d->now_ms);
		px_flush(d);
		if (d->now_ms >= next_image) {
			px_image(d);
			next_image = d->now_ms + 100;
		}
		/* Status: periodically, and whenever an association or ASP changes state. */
		uint64_t sig = 0;
		for (unsigned i = 0; i < d->px.nlinks; i++)
			sig = sig * 7 + (uint64_t)d->px.link[i].ep.state * 2 + d->px.link[i].sctp_up;
		if (a->status_every_ms != 0 && (d->now_ms >= next_status || sig != last_sig)) {
			last_sig = sig;
			char st[2048];

			sw_proxy_status(&d->px, st, sizeof(st));
			printf("%sproxy routed=%llu rejected=%llu aborted=%llu redirected=%llu "
			       "dropped=%llu no_route=%llu judged=%llu\n",
			       st, (unsigned long long)d->px.ctr[SW_PXO_ROUTED],
			       (unsigned long long)d->px.ctr[SW_PXO_REJECTED],
			       (unsigned long long)d->px.ctr[SW_PXO_ABORTED],
			       (unsigned long long)d->px.ctr[SW_PXO_REDIRECTED],
			       (unsigned long long)d->px.ctr[SW_PXO_DROPPED],
			       (unsigned long long)(d->px.ctr[SW_PXO_NO_ROUTE] +
						    d->px.ctr[SW_PXO_NO_ROUTE_UDTS]),
			       (unsigned long long)d->pp.judged);
			fflush(stdout);
			next_status = d->now_ms + a->status_every_ms;
		}
	}
	sw_proxy_sctp_close(&d->ps);
	px_flush(d);
out:
	sw_policy_ctx_free(d->pp.jctx.pctx);
	free(d);
	return a->rc = rc;
}
