/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sigwall-bench-dp: the real worker loop (sw_worker_burst, the function the
 * dataplane workers run) on one core over pre-built mbufs that circulate through
 * a DPDK net_ring port (rte_eth_from_rings: the port's RX and TX queues are the
 * same ring, so every transmitted packet comes round again). Per iteration:
 * rx burst -> sw_worker_burst -> tx burst; packets the worker dropped or shrank
 * are restored from a pristine copy and put back, so the mix never changes.
 *
 * The same run measures the full path (decode + verdict + enforce) and the
 * forward-only baseline (rx -> tx, no decode, no verdict), alternating, and
 * prints medians over --runs.
 *
 *   sigwall-bench-dp --pcap F [--rules R --site S] [--runs 5] [--packets N] [--burst 32]
 *                    [--mode inline|monitor] [--no-repair] [--mbufs N] [--stages]
 *
 * --stages adds two monitor-mode workers, one without an image (decode + default verdict) and
 * one with it (decode + verdict), so that the stage costs are differences of medians.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "worker.h"
#ifdef SW_HAVE_ENFORCE
#include "dataplane/enforce/enforce.h"
#endif
#ifdef SW_HAVE_COMPILER
#include "control/compiler/compiler.h"
#endif

struct frame {
	uint8_t *data;
	uint16_t len;
};

static struct frame *frames;
static unsigned nframes;

static int
load_pcap(const char *path, unsigned max)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p = pcap_open_offline(path, err);
	unsigned cap = 1024;

	if (p == NULL) {
		fprintf(stderr, "sigwall-bench-dp: %s\n", err);
		return -1;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		fprintf(stderr, "sigwall-bench-dp: %s is not an Ethernet capture\n", path);
		pcap_close(p);
		return -1;
	}
	frames = malloc(cap * sizeof(*frames));
	while (nframes < max && pcap_next_ex(p, &h, &d) == 1) {
		if (h->caplen > RTE_MBUF_DEFAULT_DATAROOM || h->caplen == 0)
			continue;
		if (nframes == cap) {
			cap *= 2;
			frames = realloc(frames, cap * sizeof(*frames));
		}
		frames[nframes].data = malloc(h->caplen);
		memcpy(frames[nframes].data, d, h->caplen);
		frames[nframes].len = (uint16_t)h->caplen;
		nframes++;
	}
	pcap_close(p);
	return nframes == 0 ? -1 : 0;
}

/* Frame index of an mbuf, kept in a field the ring PMD never touches. */
#define FRAME_IDX(m) ((m)->hash.usr)

static inline void
restore(struct rte_mbuf *m)
{
	const struct frame *f = &frames[FRAME_IDX(m)];

	memcpy(rte_pktmbuf_mtod(m, uint8_t *), f->data, f->len);
	rte_pktmbuf_data_len(m) = f->len;
	rte_pktmbuf_pkt_len(m) = f->len;
}

/* Packets the enforcer rewrote so far (0 without it). */
static inline uint64_t
enforce_changed(const struct sw_worker *w)
{
#ifdef SW_HAVE_ENFORCE
	if (w->enforce != NULL)
		return sw_enforce_counters(w->enforce)[SW_ENF_PKTS_CHANGED];
#else
	(void)w;
#endif
	return 0;
}

struct result {
	double secs;
	uint64_t pkts, msus, restored;
};

static struct result
run(struct sw_worker *w, uint16_t port, uint64_t npkts, uint16_t burst)
{
	struct rte_mbuf *pkts[SW_BURST_MAX];
	uint64_t done = 0, restored = 0, msus0 = w->c->msus, t0, t1;
	struct result r;

	t0 = rte_rdtsc();
	while (done < npkts) {
		uint16_t n, keep, i, sent;
		uint64_t tsc = rte_rdtsc(), changed0;
		bool cmp;

		sw_worker_sync(w);
		n = rte_eth_rx_burst(port, 0, pkts, burst);
		if (unlikely(n == 0))
			continue;
		changed0 = enforce_changed(w);
		keep = sw_worker_burst(w, pkts, n, 0 /* from port A */, tsc);
		/* Only a burst in which the enforcer rewrote something needs the byte compare. */
		cmp = enforce_changed(w) != changed0;
		/* Packets the worker shrank or dropped get their original bytes back. Monitor mode
		 * transmits nothing (keep == 0) but never changes a packet: nothing to restore. */
		for (i = 0; i < n && w->conf.mode == SW_MODE_INLINE; i++) {
			struct rte_mbuf *m = pkts[i];

			/* The enforcer rewrites TSNs, SSNs and SACKs in place (same length): all of
			 * them sit in the first 64 bytes of a single-chunk frame. */
			if (unlikely(i >= keep || rte_pktmbuf_data_len(m) != frames[FRAME_IDX(m)].len ||
				     (cmp && memcmp(rte_pktmbuf_mtod(m, const uint8_t *),
					    frames[FRAME_IDX(m)].data,
					    RTE_MIN(64u, frames[FRAME_IDX(m)].len)) != 0))) {
				restore(m);
				restored++;
			}
		}
		/* All n go back to the ring (kept ones are the "transmitted" ones). */
		sent = rte_eth_tx_burst(port, 0, pkts, n);
		if (unlikely(sent < n))
			rte_pktmbuf_free_bulk(pkts + sent, n - sent);
		done += n;
	}
	t1 = rte_rdtsc();
	r.secs = (double)(t1 - t0) / (double)rte_get_tsc_hz();
	r.pkts = done;
	r.msus = w->c->msus - msus0;
	r.restored = restored;
	return r;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
usage(void)
{
	fprintf(stderr, "usage: sigwall-bench-dp --pcap F [--rules R --site S] [--runs 5] "
			"[--packets N] [--burst 32] [--mode inline|monitor] [--no-repair] "
			"[--mbufs N] [--stages]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"pcap", required_argument, NULL, 'p'},
		{"rules", required_argument, NULL, 'r'},
		{"site", required_argument, NULL, 's'},
		{"runs", required_argument, NULL, 'n'},
		{"packets", required_argument, NULL, 'k'},
		{"burst", required_argument, NULL, 'b'},
		{"mode", required_argument, NULL, 'm'},
		{"no-repair", no_argument, NULL, 'R'},
		{"mbufs", required_argument, NULL, 'M'},
		{"stages", no_argument, NULL, 'S'},
		{NULL, 0, NULL, 0},
	};
	const char *pcap_path = NULL, *rules = NULL, *site = NULL;
	unsigned runs = 5, nmbufs = 8192, i;
	uint64_t npkts = 5000000;
	uint16_t burst = 32, port;
	enum sw_mode mode = SW_MODE_INLINE;
	bool no_repair = false, stages = false;
	char prefix[64], *eal_argv[16];
	int c, eal_argc = 0;
	struct rte_mempool *pool;
	struct rte_ring *ring;
	struct rte_eth_conf pconf;
	struct sw_shm_worker *blk;
	struct sw_worker *full, *fwd, *dec, *ver;
	struct sw_worker_conf wc;
	double *mpps_full, *mpps_fwd, *ns_full, *ns_fwd, *msus_full, *ns_dec, *ns_ver;
	struct rte_mbuf **all;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': pcap_path = optarg; break;
		case 'r': rules = optarg; break;
		case 's': site = optarg; break;
		case 'n': runs = (unsigned)atoi(optarg); break;
		case 'k': npkts = strtoull(optarg, NULL, 10); break;
		case 'b': burst = (uint16_t)atoi(optarg); break;
		case 'm': mode = strcmp(optarg, "monitor") == 0 ? SW_MODE_MONITOR : SW_MODE_INLINE;
			  break;
		case 'R': no_repair = true; break;
		case 'M': nmbufs = (unsigned)atoi(optarg); break;
		case 'S': stages = true; break;
		default: usage();
		}
	}
	if (pcap_path == NULL || runs == 0 || burst == 0 || burst > SW_BURST_MAX ||
	    (rules == NULL) != (site == NULL))
		usage();
	if (load_pcap(pcap_path, nmbufs) < 0)
		return 1;

	/* --no-shconf: no runtime files left behind; several benchmarks can run at once. */
	snprintf(prefix, sizeof(prefix), "--no-shconf");
	eal_argv[eal_argc++] = argv[0];
	eal_argv[eal_argc++] = (char *)"-l";
	eal_argv[eal_argc++] = (char *)"0";
	eal_argv[eal_argc++] = (char *)"--no-huge";
	eal_argv[eal_argc++] = (char *)"-m";
	eal_argv[eal_argc++] = (char *)"512";
	eal_argv[eal_argc++] = (char *)"--no-pci";
	eal_argv[eal_argc++] = (char *)"--log-level=lib.eal:error";
	eal_argv[eal_argc++] = prefix;
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "sigwall-bench-dp: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 77;
	}

	/* Enough mbufs that the ring always holds the whole mix: each one is one frame. */
	nmbufs = RTE_MAX(nframes, 1024u);
	pool = rte_pktmbuf_pool_create("bench", nmbufs + 2 * SW_BURST_MAX + 512, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	ring = rte_ring_create("bench_ring", rte_align32pow2(nmbufs + 2 * SW_BURST_MAX + 1),
			       (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (pool == NULL || ring == NULL) {
		fprintf(stderr, "sigwall-bench-dp: out of memory\n");
		return 1;
	}
	c = rte_eth_from_rings("net_ring_bench", &ring, 1, &ring, 1, (unsigned)rte_socket_id());
	if (c < 0) {
		fprintf(stderr, "sigwall-bench-dp: net_ring port: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	port = (uint16_t)c;
	memset(&pconf, 0, sizeof(pconf));
	if (rte_eth_dev_configure(port, 1, 1, &pconf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, 1024, (unsigned)rte_socket_id(), NULL, pool) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, 1024, (unsigned)rte_socket_id(), NULL) != 0 ||
	    rte_eth_dev_start(port) != 0) {
		fprintf(stderr, "sigwall-bench-dp: cannot start the net_ring port\n");
		return 1;
	}
	/* Fill the ring: the mix repeated until every mbuf holds a frame. */
	all = malloc(nmbufs * sizeof(*all));
	if (rte_pktmbuf_alloc_bulk(pool, all, nmbufs) != 0) {
		fprintf(stderr, "sigwall-bench-dp: mbuf allocation failed\n");
		return 1;
	}
	for (i = 0; i < nmbufs; i++) {
		FRAME_IDX(all[i]) = i % nframes;
		rte_pktmbuf_append(all[i], frames[i % nframes].len);
		restore(all[i]);
	}
	if (rte_ring_enqueue_bulk(ring, (void **)all, nmbufs, NULL) != nmbufs) {
		fprintf(stderr, "sigwall-bench-dp: ring too small\n");
		return 1;
	}

	/* Workers on the same core: the full path, forward-only and, with --stages, monitor mode
	 * without an image (decode + default verdict) and with it (decode + verdict). */
	blk = rte_zmalloc("blk", 4 * sizeof(*blk), RTE_CACHE_LINE_SIZE);
	full = rte_zmalloc("w", 4 * sizeof(*full), RTE_CACHE_LINE_SIZE);
	fwd = full + 1;
	dec = full + 2;
	ver = full + 3;
	memset(&wc, 0, sizeof(wc));
	wc.mode = mode;
	wc.non_sctp_pass = true;
	wc.def_action = SW_ACT_ALLOW;
	wc.no_repair = no_repair;
	wc.events = false;
	full->burst = fwd->burst = burst;
	if (sw_worker_init(full, 0, &wc, &blk[0], NULL) < 0)
		return 1;
	wc.forward_only = true;
	if (sw_worker_init(fwd, 1, &wc, &blk[1], NULL) < 0)
		return 1;
	wc.forward_only = false;
	wc.mode = SW_MODE_MONITOR;
	dec->burst = ver->burst = burst;
	if (sw_worker_init(dec, 2, &wc, &blk[2], NULL) < 0 ||
	    sw_worker_init(ver, 3, &wc, &blk[3], NULL) < 0)
		return 1;
	full->nports = fwd->nports = dec->nports = ver->nports = 1;
	full->port[0] = fwd->port[0] = dec->port[0] = ver->port[0] = port;

	if (rules != NULL) {
#ifdef SW_HAVE_COMPILER
		struct sw_compiled comp;
		char err[512];

		if (sw_compile_files(rules, site, 1, &comp, err, sizeof(err)) < 0) {
			fprintf(stderr, "sigwall-bench-dp: %s\n", err);
			return 1;
		}
		if (sw_worker_bind_image(full, comp.image, comp.size, 1, err, sizeof(err)) < 0 ||
		    sw_worker_bind_image(ver, comp.image, comp.size, 1, err, sizeof(err)) < 0) {
			fprintf(stderr, "sigwall-bench-dp: %s\n", err);
			return 1;
		}
		printf("image: %u rules, %zu bytes, compiled in %.1f ms\n", comp.nrules, comp.size,
		       comp.compile_ms);
#else
		fprintf(stderr, "sigwall-bench-dp: built without the policy compiler\n");
		return 1;
#endif
	} else {
		printf("image: none (default action allow for every MSU)\n");
	}
	printf("mix: %s, %u frames, %u mbufs circulating; burst %u; mode %s%s; %u runs of %" PRIu64
	       " packets each\n",
	       pcap_path, nframes, nmbufs, burst, mode == SW_MODE_INLINE ? "inline" : "monitor",
	       no_repair ? " (no repair)" : "", runs, npkts);

	mpps_full = calloc(runs, sizeof(double));
	mpps_fwd = calloc(runs, sizeof(double));
	ns_full = calloc(runs, sizeof(double));
	ns_fwd = calloc(runs, sizeof(double));
	msus_full = calloc(runs, sizeof(double));
	ns_dec = calloc(runs, sizeof(double));
	ns_ver = calloc(runs, sizeof(double));
	/* warm-up: caches, verdict cache, branch predictors */
	(void)run(full, port, npkts / 5 + 1, burst);
	(void)run(fwd, port, npkts / 5 + 1, burst);
	for (i = 0; i < runs; i++) {
		struct result a = run(full, port, npkts, burst);
		struct result b = run(fwd, port, npkts, burst);

		mpps_full[i] = (double)a.pkts / a.secs / 1e6;
		ns_full[i] = a.secs * 1e9 / (double)a.pkts;
		msus_full[i] = (double)a.msus / a.secs / 1e6;
		mpps_fwd[i] = (double)b.pkts / b.secs / 1e6;
		ns_fwd[i] = b.secs * 1e9 / (double)b.pkts;
		printf("run %u: full %.2f Mpps %.2f M MSU/s %.1f ns/pkt (restored %" PRIu64
		       ") | forward-only %.2f Mpps %.1f ns/pkt",
		       i, mpps_full[i], msus_full[i], ns_full[i], a.restored, mpps_fwd[i], ns_fwd[i]);
		if (stages) {
			struct result d = run(dec, port, npkts, burst);
			struct result v = run(ver, port, npkts, burst);

			ns_dec[i] = d.secs * 1e9 / (double)d.pkts;
			ns_ver[i] = v.secs * 1e9 / (double)v.pkts;
			printf(" | decode %.1f ns/pkt | decode+verdict %.1f ns/pkt", ns_dec[i],
			       ns_ver[i]);
		}
		putchar('\n');
	}
	{
		double mf = median(mpps_full, runs), mw = median(mpps_fwd, runs);
		double nf = median(ns_full, runs), nw = median(ns_fwd, runs);
		double ms = median(msus_full, runs);
		uint64_t h, m;

		printf("median: full %.2f Mpps, %.2f M MSU/s, %.1f ns/packet; forward-only %.2f Mpps, "
		       "%.1f ns/packet; full/forward-only %.1f%%\n",
		       mf, ms, nf, mw, nw, 100.0 * mf / mw);
		if (stages) {
			double nd = median(ns_dec, runs), nv = median(ns_ver, runs);

			printf("stages (differences of medians, ns/packet): rx+tx %.1f, decode %.1f, "
			       "verdict %.1f, enforce + restore %.1f\n",
			       nw, nd - nw, nv - nd, nf - nv);
		}
		printf("worker counters: msus %" PRIu64 " allowed %" PRIu64 " dropped %" PRIu64
		       " alerted %" PRIu64 " malformed %" PRIu64 " chunks_removed %" PRIu64 "\n",
		       (uint64_t)full->c->msus, (uint64_t)full->c->allowed, (uint64_t)full->c->dropped,
		       (uint64_t)full->c->alerted, (uint64_t)full->c->malformed,
		       (uint64_t)full->c->chunks_removed);
		sw_worker_cache_stats(full, &h, &m);
		if (h + m != 0)
			printf("verdict cache: %.1f%% hits\n", 100.0 * (double)h / (double)(h + m));
		printf("goal: >= 10 Mpps per core: %s; >= 60%% of forward-only: %s\n",
		       mf >= 10.0 ? "met" : "NOT met", mf >= 0.6 * mw ? "met" : "NOT met");
	}
	sw_worker_fini(full);
	sw_worker_fini(fwd);
	sw_worker_fini(dec);
	sw_worker_fini(ver);
	rte_eth_dev_stop(port);
	rte_eal_cleanup();
	return 0;
}
