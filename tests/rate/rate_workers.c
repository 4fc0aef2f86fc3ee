/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two workers against one rate (issue 18 D6): two struct sw_worker (lib_dpapp, as
 * sigwall-dataplane links it) on an EAL without hugepages, each driven by its own thread through
 * sw_worker_burst, share the rate-limit table as sigwall-dataplane's workers do. The clock is the
 * offered traffic (MSU i arrives at i x interval, whichever worker takes its burst), so what the
 * test expects does not depend on how a loaded machine schedules the threads:
 * admitted = burst + rate x duration. Prints one line of figures; exits 1 when the admitted
 * rate is not within 5% of the configured one.
 *
 *   rate-workers RULES SITE PCAP RATE BURST MSUS_PER_S SECONDS [--per-worker]
 *
 * --per-worker gives each worker its own table (the behaviour before issue 18): the self-check,
 * expected to fail with about twice the rate.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "control/compiler/compiler.h"
#include "dataplane/policy/policy.h"
#include "dataplane/policy/ratelimit.h"
#include "worker.h"

#define NWORKERS 2
#define BURST 32

struct driver {
	struct sw_worker *w;
	struct rte_mbuf *pkt[BURST];
	unsigned npkt, msus_per_burst;
	_Atomic uint64_t *seq;
	uint64_t nbursts, interval_ns;
};

static void *
drive(void *arg)
{
	struct driver *d = arg;
	struct rte_mbuf *p[BURST];
	uint64_t b;

	while ((b = atomic_fetch_add(d->seq, 1)) < d->nbursts) {
		/* The burst's time: when its first MSU arrives. */
		uint64_t now = 1000000000ull + b * d->msus_per_burst * d->interval_ns;

		memcpy(p, d->pkt, sizeof(p));
		sw_worker_burst(d->w, p, (uint16_t)d->npkt, 0, now);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	char *eal[] = {argv[0], "-l", "0", "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
		       "--no-telemetry", "--log-level=lib.eal:error", NULL};
	char perr[PCAP_ERRBUF_SIZE], err[512], prefix[64];
	struct sw_compiled comp = {0};
	struct driver d[NWORKERS];
	pthread_t th[NWORKERS];
	_Atomic uint64_t seq = 0;
	struct rte_mempool *pool;
	struct sw_rl_table *table;
	struct sw_worker_conf wc;
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t admitted = 0, limited = 0, msus = 0;
	unsigned rate, burst, offered, npkt = 0, msus_per_burst;
	double secs, got;
	bool per_worker;
	pcap_t *pc;

	if (argc < 8) {
		fprintf(stderr, "usage: rate-workers RULES SITE PCAP RATE BURST MSUS_PER_S SECONDS "
				"[--per-worker]\n");
		return 2;
	}
	rate = (unsigned)atoi(argv[4]);
	burst = (unsigned)atoi(argv[5]);
	offered = (unsigned)atoi(argv[6]);
	secs = atof(argv[7]);
	per_worker = argc > 8 && strcmp(argv[8], "--per-worker") == 0;
	if (sw_compile_files(argv[1], argv[2], 1, &comp, err, sizeof(err)) < 0) {
		fprintf(stderr, "rate-workers: %s\n", err);
		return 2;
	}
	snprintf(prefix, sizeof(prefix), "--file-prefix=swrate%d", (int)getpid());
	eal[10] = prefix;
	if (rte_eal_init(11, eal) < 0) {
		printf("SKIP: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 77;
	}
	pool = rte_pktmbuf_pool_create("rate", 255, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	table = sw_rl_table_new(4096, 0, 0);
	pc = pcap_open_offline(argv[3], perr);
	if (pool == NULL || table == NULL || pc == NULL) {
		fprintf(stderr, "rate-workers: setup failed: %s\n", pc == NULL ? perr : "no memory");
		return 2;
	}
	memset(d, 0, sizeof(d));
	/* The first BURST frames of the capture, the same burst for both workers. */
	struct rte_mbuf *frames[NWORKERS][BURST];
	while (npkt < BURST && pcap_next_ex(pc, &h, &data) == 1) {
		for (unsigned i = 0; i < NWORKERS; i++) {
			frames[i][npkt] = rte_pktmbuf_alloc(pool);
			if (frames[i][npkt] == NULL)
				return 2;
			memcpy(rte_pktmbuf_append(frames[i][npkt], (uint16_t)h->caplen), data,
			       h->caplen);
		}
		npkt++;
	}
	pcap_close(pc);
	memset(&wc, 0, sizeof(wc));
	wc.mode = SW_MODE_MONITOR;
	wc.non_sctp_pass = true;
	wc.def_action = SW_ACT_ALLOW;
	for (unsigned i = 0; i < NWORKERS; i++) {
		struct sw_shm_worker *blk = rte_zmalloc("blk", sizeof(*blk), RTE_CACHE_LINE_SIZE);
		d[i].w = rte_zmalloc("w", sizeof(*d[i].w), RTE_CACHE_LINE_SIZE);
		if (blk == NULL || d[i].w == NULL || sw_worker_init(d[i].w, i, &wc, blk, NULL) < 0)
			return 2;
		sw_policy_ctx_set_ratelimit(d[i].w->pctx, per_worker ? NULL : table, &blk->c.rl);
		if (sw_worker_bind_image(d[i].w, comp.image, comp.size, 1, err, sizeof(err)) < 0) {
			fprintf(stderr, "rate-workers: %s\n", err);
			return 2;
		}
		/* now_ns == now_tsc: the driver's clock */
		d[i].w->tsc0 = 0;
		d[i].w->mono0_ns = 0;
		d[i].w->ns_per_tsc = 1.0;
		memcpy(d[i].pkt, frames[i], sizeof(d[i].pkt));
		d[i].npkt = npkt;
		d[i].seq = &seq;
	}
	/* MSUs per burst: what one burst judges (bundled chunks count), measured on worker 0. */
	{
		struct rte_mbuf *p[BURST];
		struct sw_shm_counters *c = d[0].w->c;
		uint64_t m0 = c->msus;

		memcpy(p, d[0].pkt, sizeof(p));
		sw_worker_burst(d[0].w, p, (uint16_t)npkt, 0, 0);
		msus_per_burst = (unsigned)(c->msus - m0);
		memset(&c->rl, 0, sizeof(c->rl));
		c->msus = 0;
	}
	if (msus_per_burst == 0)
		return 2;
	for (unsigned i = 0; i < NWORKERS; i++) {
		d[i].msus_per_burst = msus_per_burst;
		d[i].interval_ns = 1000000000ull / offered;
		d[i].nbursts = (uint64_t)(secs * offered) / msus_per_burst;
	}
	for (unsigned i = 0; i < NWORKERS; i++)
		if (pthread_create(&th[i], NULL, drive, &d[i]) != 0)
			return 2;
	for (unsigned i = 0; i < NWORKERS; i++)
		pthread_join(th[i], NULL);
	for (unsigned i = 0; i < NWORKERS; i++) {
		struct sw_shm_counters *c = d[i].w->c;

		admitted += c->rl.admitted;
		limited += c->rl.limited;
		msus += c->msus;
		printf("worker %u: %llu MSUs, admitted %llu, over the rate %llu\n", i,
		       (unsigned long long)c->msus, (unsigned long long)c->rl.admitted,
		       (unsigned long long)c->rl.limited);
	}
	/* The first burst started at t = 1 s with a full bucket; the last MSU arrived at 1 s +
	 * nbursts x msus_per_burst x interval. */
	secs = (double)(d[0].nbursts * msus_per_burst) * (double)d[0].interval_ns / 1e9;
	got = ((double)admitted - burst) / secs;
	printf("%u workers, %.3f s of traffic at %u MSU/s: %llu MSUs, admitted %llu, over the rate "
	       "%llu: admitted rate %.1f/s for %u/s configured (ratio %.4f)%s\n",
	       NWORKERS, secs, offered, (unsigned long long)msus, (unsigned long long)admitted,
	       (unsigned long long)limited, got, rate, got / rate,
	       per_worker ? " [per-worker tables]" : "");
	int rc = 0;

	for (unsigned i = 0; i < NWORKERS; i++)
		if (d[i].w->c->msus == 0) {
			printf("FAIL: worker %u judged nothing\n", i);
			rc = 1;
		}
	if (rc == 0 && (got < rate * 0.95 || got > rate * 1.05)) {
		printf("FAIL: admitted rate not within 5%% of the configured one\n");
		rc = 1;
	}
	/* everything back, so that the sanitizer run's leak check sees none */
	for (unsigned i = 0; i < NWORKERS; i++)
		sw_worker_fini(d[i].w);
	sw_rl_table_free(table);
	sw_compiled_free(&comp);
	if (rc == 0)
		printf("PASS\n");
	return rc;
}
