/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sigwall-bench-pipe: the real per-burst worker function (sw_worker_burst, linked from
 * dataplane/app exactly as sigwall-dataplane and bench/dataplane link it) on 1..N worker
 * lcores at once, each over its own net_ring port (rte_eth_from_rings: RX and TX are the same
 * ring, so the pre-built mbufs of the mix circulate). Per burst: sync (image pick-up) -> rx ->
 * sw_worker_burst -> restore what the worker cut or dropped -> tx.
 *
 * One invocation measures, per run and alternating (so noise hits all alike):
 *   forward  forward-only (rx/tx, no decode, no verdict): the I/O ceiling
 *   decode   monitor mode, no image: decode + default verdict          (--stages)
 *   verdict  monitor mode with the image: decode + verdict             (--stages)
 *   full     inline with the image: decode + verdict + enforce + tx
 *   nicfwd   forward-only with the mbufs handled as a NIC driver does (--nic, below)
 *   nicfull  the full path, same NIC handling                                  (--nic)
 *   variant  the full path with the worker's batching and prefetch set otherwise (issue 20 D4):
 *            --variant batch=off|B,msu=0|1,lines=L,decide=0|1 (struct sw_worker_conf batch,
 *            !batch_pkt_only, prefetch_lines, !no_decide; batch=off,lines=1 is the worker
 *            before issue 20 D4, decide=0 before its D2 verdicts decided without the argument;
 *            "full" is the worker's defaults), printed
 *            with the median of the per-run ratios full/variant of ns per packet
 *   nicvariant  the same with the NIC handling                  (--variant with --nic)
 * and with --reload-ms MS, the full path while a thread republishes the image through the
 * real shared memory (sw_shm_image_publish, workers pick it up in sw_worker_sync) every MS ms.
 * Stage costs are differences of those configurations. Latency is per packet through the
 * worker: TSC before rx_burst to after tx_burst of the burst the packet was in.
 *
 * --nic: a net_ring port hands over mbufs whose bytes the benchmark just wrote (hot in the cache)
 * and whose fields it never resets; a NIC's DMA writes the frame into memory the CPU has not
 * touched, and its driver fills the mbuf from the descriptor. nic_rx/nic_tx do the driver's
 * part per packet: the frame's cache lines are flushed after the copy-back (untimed: like a DMA
 * write without DDIO, the worker's first read of the headers misses to memory), then in the
 * timed loop the RX side rearms the mbuf (data_off, nb_segs, port, refcnt), sets pkt_len and
 * data_len from a 16-byte RX descriptor it reads, parses the packet type from the headers
 * (rte_net_get_ptype: Ethernet, VLAN, IPv4/6, L4, as drivers without a ptype table do) and sets
 * ol_flags (IP and L4 checksum good) and the header lengths; the TX side reads the mbuf's
 * fields into a 16-byte TX descriptor (buffer address, length, offload flags) and checks the
 * reference count as a driver's free does. "full / nicfwd" is then the worker's share of a
 * realistic ceiling; "full / forward" the share of net_ring's in-memory one.
 *
 * --perf: hardware counters (instructions, cycles, last-level cache misses) of each lane's thread,
 * counted only over the timed parts of the loop (the copy-back is excluded by disabling them
 * around it: 4 ioctls per burst, so the ns figures of a --perf run are not the ones to quote);
 * per packet, and IPC, in the RESULT lines (perf_instr_pkt, perf_ipc, perf_llc_miss_pkt). When
 * perf_event_open is refused (no PMU in the VM, perf_event_paranoid) it says so once and goes on.
 *
 * Prints a human summary and one "RESULT key=value ..." line per configuration (medians
 * over --runs) for bench/run.sh.
 *
 *   sigwall-bench-pipe --pcap F [--rules R --site S] [--workers N] [--runs K]
 *       [--packets N] [--seconds S] [--burst B] [--stages] [--reload-ms MS] [--no-repair]
 *       [--mbufs N] [--label TEXT] [--variant batch=off|B,msu=0|1,lines=L,decide=0|1]
 * A run of one configuration stops after --packets per worker or --seconds, whichever first.
 */
#include <errno.h>
#include <ftw.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_ring.h>

#include "worker.h"
#include "compiler.h" /* dep_compiler */
#include "dataplane/policy/image.h"
#include "dataplane/policy/policy.h"

#define EXIT_USAGE 2
#define HIST_SHIFT 4       /* latency histogram: 16-cycle buckets */
#define HIST_N (1u << 18)  /* up to 4M cycles (over 1 ms); beyond goes into the last bucket */
#define MAX_W 64

enum cfg { CFG_FORWARD, CFG_DECODE, CFG_VERDICT, CFG_FULL, CFG_NICFWD, CFG_NICFULL, CFG_RELOAD,
	   CFG_VARIANT, CFG_NICVARIANT, CFG_N };
static const char *const cfg_name[CFG_N] = {"forward", "decode", "verdict", "full",
					    "nicfwd", "nicfull", "reload", "variant", "nicvariant"};

struct frame {
	uint8_t *data;
	uint16_t len;
};

static struct frame *frames;
static unsigned nframes;
static uint64_t frame_bytes; /* sum of frame lengths, for the mean */

#define FRAME_IDX(m) ((m)->hash.usr)

static void
die_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "sigwall-bench-pipe: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(EXIT_USAGE);
}

static int
load_pcap(const char *path, unsigned max)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p;
	unsigned cap = 1024;

	if (access(path, R_OK) != 0)
		die_usage("no such mix: %s (generate it with sigwall-gen)", path);
	p = pcap_open_offline(path, err);
	if (p == NULL)
		die_usage("%s", err);
	if (pcap_datalink(p) != DLT_EN10MB)
		die_usage("%s is not an Ethernet capture", path);
	frames = malloc(cap * sizeof(*frames));
	while (nframes < max && pcap_next_ex(p, &h, &d) == 1) {
		if (h->caplen > RTE_MBUF_DEFAULT_DATAROOM || h->caplen == 0 || h->caplen != h->len)
			continue;
		if (nframes == cap) {
			cap *= 2;
			frames = realloc(frames, cap * sizeof(*frames));
		}
		frames[nframes].data = malloc(h->caplen);
		memcpy(frames[nframes].data, d, h->caplen);
		frames[nframes].len = (uint16_t)h->caplen;
		frame_bytes += h->caplen;
		nframes++;
	}
	pcap_close(p);
	if (nframes == 0)
		die_usage("%s holds no usable Ethernet frame", path);
	return 0;
}

static inline void
restore(struct rte_mbuf *m)
{
	const struct frame *f = &frames[FRAME_IDX(m)];

	memcpy(rte_pktmbuf_mtod(m, uint8_t *), f->data, f->len);
	rte_pktmbuf_data_len(m) = f->len;
	rte_pktmbuf_pkt_len(m) = f->len;
}

/* One worker lcore: its port, and one sw_worker per configuration. */
struct lane {
	uint16_t port;
	struct sw_worker *w[CFG_N];
	struct sw_shm_worker *blk[CFG_N];
	/* result of the current run */
	enum cfg cfg;
	uint64_t npkts;
	uint64_t max_tsc;       /* stop after this many TSC cycles even if npkts is not reached */
	uint64_t pkts, msus, restored, cycles, drops, msu_drops, refused, switches;
	uint64_t sync_max, sync_sum; /* cycles of the sw_worker_sync calls that picked up an image */
	uint64_t hits, misses;
	uint64_t *hist;
	/* --nic: the descriptors a driver reads and writes (16 bytes each, as ixgbe/i40e): one RX
	 * descriptor per frame of the mix (its length is the frame's), a ring of TX ones */
	struct nic_desc *rxd, *txd;
	unsigned txd_i;
	/* --perf: instructions, cycles, LLC misses of the current run */
	uint64_t pmu[3];
} __rte_cache_aligned;

struct nic_desc {
	uint64_t addr;
	uint16_t len;
	uint16_t flags;
	uint32_t status;
};

#define NIC_RING 1024

/* Untimed, after the copy-back: the DMA write of the next frame. The descriptor is written with
 * the frame's length and a done bit; the frame's bytes and the descriptor leave the cache. */
static inline void
nic_dma(struct lane *l, struct rte_mbuf *m)
{
	struct nic_desc *d = &l->rxd[FRAME_IDX(m)];
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	unsigned off;

	d->addr = rte_mbuf_data_iova_default(m);
	d->len = (uint16_t)frames[FRAME_IDX(m)].len;
	d->status = 1;
	for (off = 0; off < d->len; off += RTE_CACHE_LINE_SIZE)
		__builtin_ia32_clflush(p + off);
	__builtin_ia32_clflush(d);
}

/* Timed: what a driver's RX burst does to each mbuf it returns. */
static inline void
nic_rx(struct lane *l, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_net_hdr_lens hl;
	uint16_t i;

	/* As drivers do: the burst's descriptors and frames are prefetched before any is read. */
	for (i = 0; i < n; i++) {
		rte_prefetch0(&l->rxd[FRAME_IDX(pkts[i])]);
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const volatile struct nic_desc *d = &l->rxd[FRAME_IDX(m)];
		uint16_t len = d->len;

		if (unlikely(d->status == 0))
			len = (uint16_t)rte_pktmbuf_pkt_len(m);
		m->data_off = RTE_PKTMBUF_HEADROOM;
		m->nb_segs = 1;
		m->port = l->port;
		rte_mbuf_refcnt_set(m, 1);
		m->pkt_len = len;
		m->data_len = len;
		m->vlan_tci = 0; /* (the RSS hash field holds the benchmark's frame index) */
		m->packet_type = rte_net_get_ptype(m, &hl, RTE_PTYPE_ALL_MASK);
		m->l2_len = hl.l2_len;
		m->l3_len = hl.l3_len;
		m->l4_len = hl.l4_len;
		m->ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	}
}

/* Timed: what a driver's TX burst reads of each mbuf it sends (and its free's check). */
static inline void
nic_tx(struct lane *l, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct nic_desc *d = &l->txd[l->txd_i++ & (NIC_RING - 1)];

		d->addr = rte_mbuf_data_iova(m);
		d->len = (uint16_t)m->data_len;
		d->flags = (uint16_t)((m->ol_flags & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK))
				      >> 52) | (uint16_t)(m->nb_segs == 1);
		d->status = rte_mbuf_refcnt_read(m) == 1;
	}
}

static bool perf_wanted;
static atomic_bool perf_failed;
static char perf_err[128];

/* A group of three counters on the calling thread, user space only, disabled; -1 if refused. */
static int
pmu_open(int fd[3])
{
	static const uint64_t cfg[3] = {PERF_COUNT_HW_INSTRUCTIONS, PERF_COUNT_HW_CPU_CYCLES,
					PERF_COUNT_HW_CACHE_MISSES};
	struct perf_event_attr pa;
	int k;

	for (k = 0; k < 3; k++) {
		memset(&pa, 0, sizeof(pa));
		pa.type = PERF_TYPE_HARDWARE;
		pa.size = sizeof(pa);
		pa.config = cfg[k];
		pa.disabled = k == 0;
		pa.exclude_kernel = 1;
		pa.exclude_hv = 1;
		pa.read_format = PERF_FORMAT_GROUP;
		fd[k] = (int)syscall(SYS_perf_event_open, &pa, 0, -1, k == 0 ? -1 : fd[0], 0);
		if (fd[k] < 0) {
			if (!atomic_exchange(&perf_failed, true))
				snprintf(perf_err, sizeof(perf_err), "perf_event_open: %s",
					 strerror(errno));
			while (k-- > 0)
				close(fd[k]);
			return -1;
		}
	}
	return 0;
}

static inline void
pmu_ctl(const int fd[3], bool on)
{
	if (fd[0] >= 0)
		ioctl(fd[0], on ? PERF_EVENT_IOC_ENABLE : PERF_EVENT_IOC_DISABLE,
		      PERF_IOC_FLAG_GROUP);
}

static void
pmu_close(int fd[3], uint64_t out[3])
{
	uint64_t buf[4] = {0};

	out[0] = out[1] = out[2] = 0;
	if (fd[0] < 0)
		return;
	if (read(fd[0], buf, sizeof(buf)) == (ssize_t)sizeof(buf) && buf[0] == 3) {
		out[0] = buf[1];
		out[1] = buf[2];
		out[2] = buf[3];
	}
	for (int k = 0; k < 3; k++)
		close(fd[k]);
}

static struct lane lanes[MAX_W];
static unsigned nw;
static uint16_t burst = 32;
static atomic_uint go;

static int
lane_run(void *arg)
{
	struct lane *l = arg;
	struct sw_worker *w = l->w[l->cfg];
	struct rte_mbuf *pkts[SW_BURST_MAX];
	uint64_t done = 0, restored = 0, excluded = 0, lat, mdrops0, sync_max = 0, sync_sum = 0, t0, t1, msus0, drops0, def0, sw0, h0, m0, h1, m1;
	uint64_t *hist = l->hist;
	bool monitor = w->conf.mode == SW_MODE_MONITOR;
	bool nic = l->cfg == CFG_NICFWD || l->cfg == CFG_NICFULL || l->cfg == CFG_NICVARIANT;
	int pmu[3] = {-1, -1, -1};

	memset(hist, 0, HIST_N * sizeof(*hist));
	msus0 = w->c->msus;
	drops0 = w->c->pkts_dropped;
	mdrops0 = w->c->dropped;
	def0 = w->c->images_refused;
	sw0 = w->c->gen_switches;
	sw_worker_cache_stats(w, &h0, &m0);
	/* Only a worker that follows the shared image is live for the publisher's QSBR wait. */
	if (w->watch != NULL)
		atomic_store_explicit(&w->sw->alive, 1, memory_order_seq_cst);
	/* start together */
	atomic_fetch_sub(&go, 1);
	while (atomic_load(&go) != 0)
		rte_pause();
	if (perf_wanted)
		(void)pmu_open(pmu);
	t0 = rte_rdtsc();
	while (done < l->npkts) {
		uint16_t n, keep, i, sent;
		uint64_t a = rte_rdtsc(), b, d, e;

		if (unlikely(a - t0 > l->max_tsc))
			break;

		if (unlikely(w->watch != NULL)) {
			/* image pick-up: its cost is part of the burst's latency; kept apart too */
			uint64_t s0 = rte_rdtsc(), g0 = w->gen, ds;

			sw_worker_sync(w);
			ds = rte_rdtsc() - s0;
			if (w->gen != g0) {
				sync_max = ds > sync_max ? ds : sync_max;
				sync_sum += ds;
			}
		}
		pmu_ctl(pmu, true);
		n = rte_eth_rx_burst(l->port, 0, pkts, burst);
		if (unlikely(n == 0)) {
			pmu_ctl(pmu, false);
			continue;
		}
		if (nic)
			nic_rx(l, pkts, n);
		keep = sw_worker_burst(w, pkts, n, 0 /* from port A */, a);
		pmu_ctl(pmu, false);
		b = rte_rdtsc();
		/* Not the worker's work: every packet gets its original bytes back, so the mix
		 * never changes (the enforcer rewrites TSNs and neutralizes blocked chunks in place,
		 * at the same length). Its time is taken out of both throughput and latency. */
		for (i = 0; i < n; i++) {
			restore(pkts[i]);
			restored += i >= keep && !monitor;
			if (nic)
				nic_dma(l, pkts[i]);
		}
		d = rte_rdtsc();
		/* All n go back to the ring (the kept ones are the transmitted ones). */
		pmu_ctl(pmu, true);
		if (nic)
			nic_tx(l, pkts, keep);
		sent = rte_eth_tx_burst(l->port, 0, pkts, n);
		if (unlikely(sent < n))
			rte_pktmbuf_free_bulk(pkts + sent, n - sent);
		pmu_ctl(pmu, false);
		e = rte_rdtsc();
		excluded += d - b;
		lat = ((b - a) + (e - d)) >> HIST_SHIFT;
		hist[lat < HIST_N ? lat : HIST_N - 1] += n;
		done += n;
	}
	t1 = rte_rdtsc();
	pmu_close(pmu, l->pmu);
	if (w->watch != NULL)
		atomic_store_explicit(&w->sw->alive, 0, memory_order_release);
	sw_worker_cache_stats(w, &h1, &m1);
	l->pkts = done;
	l->cycles = t1 - t0 - excluded;
	l->msus = w->c->msus - msus0;
	l->drops = w->c->pkts_dropped - drops0;
	l->msu_drops = w->c->dropped - mdrops0;
	l->refused = w->c->images_refused - def0;
	l->switches = w->c->gen_switches - sw0;
	l->sync_max = sync_max;
	l->sync_sum = sync_sum;
	l->hits = h1 - h0;
	l->misses = m1 - m0;
	l->restored = restored;
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Reload publisher                                                                           */

struct reloader {
	pthread_t th;
	atomic_bool stop;
	unsigned period_ms;
	struct sw_shm_image *img;
	struct sw_shm_stats *stats;
	uint8_t *image;
	uint64_t size, checksum;
	uint64_t gen;
	unsigned published, failed;
	double max_publish_ms;
	/* As in sigwall-dataplane, a new generation is validated (checksummed) once, off the
	 * workers, by the thread that stands for the main lcore; workers only bind it. */
	struct sw_image_watch *watch;
	char err[256];
};

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int
publish(struct reloader *r)
{
	uint64_t t0 = mono_ns(), dt;
	int rc;

	r->gen++;
	((struct sw_image_hdr *)(void *)r->image)->generation = r->gen;
	rc = sw_shm_image_publish(r->img, r->stats, r->image, r->size, r->gen, r->checksum, 0, 1000,
				  r->err, sizeof(r->err));
	if (rc == 0 && r->watch != NULL) {
		char verr[160];

		(void)sw_image_watch_validate(r->watch, verr, sizeof(verr));
	}
	dt = mono_ns() - t0;
	if ((double)dt / 1e6 > r->max_publish_ms)
		r->max_publish_ms = (double)dt / 1e6;
	if (rc < 0)
		r->failed++;
	else
		r->published++;
	return rc;
}

/*
 * The publisher stands for sigwall-control: on a CPU no worker uses when there is one (the
 * EAL pinned lane k to CPU k), else wherever the kernel puts it (it then competes with a
 * worker, as control would on a machine with no spare core).
 */
static void
reloader_place(pthread_t th, unsigned ncpu)
{
	cpu_set_t set;
	unsigned c;

	CPU_ZERO(&set);
	for (c = nw; c < ncpu; c++)
		CPU_SET(c, &set);
	if (CPU_COUNT(&set) == 0)
		for (c = 0; c < ncpu; c++)
			CPU_SET(c, &set);
	(void)pthread_setaffinity_np(th, sizeof(set), &set);
}

static void *
reloader_main(void *arg)
{
	struct reloader *r = arg;
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!atomic_load(&r->stop)) {
		next.tv_nsec += (long)r->period_ms * 1000000L;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		if (atomic_load(&r->stop))
			break;
		(void)publish(r);
	}
	return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Statistics                                                                                 */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
vmax(const double *v, unsigned n)
{
	double m = v[0];

	for (unsigned i = 1; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

static double
vmin(const double *v, unsigned n)
{
	double m = v[0];

	for (unsigned i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

static double
median(const double *v, unsigned n)
{
	double t[64];
	unsigned i;

	for (i = 0; i < n && i < 64; i++)
		t[i] = v[i];
	n = i;
	qsort(t, n, sizeof(*t), cmp_double);
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

/* Percentile in ns of the merged histograms of the lanes. */
static double
percentile(const uint64_t *hist, double q, double ns_per_tsc)
{
	uint64_t total = 0, acc = 0, want;
	unsigned i;

	for (i = 0; i < HIST_N; i++)
		total += hist[i];
	if (total == 0)
		return 0;
	want = (uint64_t)((double)total * q);
	if (want >= total)
		want = total - 1;
	for (i = 0; i < HIST_N; i++) {
		acc += hist[i];
		if (acc > want)
			break;
	}
	return (double)(((uint64_t)i << HIST_SHIFT) + (1u << HIST_SHIFT) / 2) * ns_per_tsc;
}

#define MAXRUNS 64

struct agg {
	bool used;
	unsigned n;
	double mpps_core[MAXRUNS], mmsus_core[MAXRUNS], ns_pkt[MAXRUNS], p50[MAXRUNS],
		p99[MAXRUNS], p999[MAXRUNS], hit[MAXRUNS], drop_share[MAXRUNS], mpps_total[MAXRUNS],
		msu_drop_share[MAXRUNS];
	uint64_t refused, switches, pkts, drops, sync_max, sync_sum;
	uint64_t pmu[3]; /* --perf: summed over lanes and runs, with pkts */
};

static struct agg agg[CFG_N];
static uint64_t *merged;

static double run_seconds = 0.5;

static void
run_cfg(enum cfg c, uint64_t npkts, double tsc_hz)
{
	struct agg *a = &agg[c];
	double ns_per_tsc = 1e9 / tsc_hz, mpps = 0, mmsus = 0, cyc = 0;
	uint64_t pkts = 0, hits = 0, misses = 0, drops = 0, msus = 0, mdrops = 0;
	unsigned i, j, lcore;

	atomic_store(&go, nw);
	for (i = 0; i < nw; i++) {
		lanes[i].cfg = c;
		lanes[i].npkts = npkts;
		lanes[i].max_tsc = (uint64_t)(run_seconds * tsc_hz);
	}
	i = 1;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (i >= nw)
			break;
		rte_eal_remote_launch(lane_run, &lanes[i], lcore);
		i++;
	}
	lane_run(&lanes[0]);
	rte_eal_mp_wait_lcore();

	memset(merged, 0, HIST_N * sizeof(*merged));
	for (i = 0; i < nw; i++) {
		struct lane *l = &lanes[i];
		double secs = (double)l->cycles / tsc_hz;

		mpps += (double)l->pkts / secs / 1e6;
		mmsus += (double)l->msus / secs / 1e6;
		cyc += (double)l->cycles / (double)l->pkts;
		pkts += l->pkts;
		hits += l->hits;
		misses += l->misses;
		drops += l->drops;
		msus += l->msus;
		mdrops += l->msu_drops;
		a->refused += l->refused;
		a->switches += l->switches;
		a->sync_max = l->sync_max > a->sync_max ? l->sync_max : a->sync_max;
		a->sync_sum += l->sync_sum;
		for (j = 0; j < 3; j++)
			a->pmu[j] += l->pmu[j];
		for (j = 0; j < HIST_N; j++)
			merged[j] += l->hist[j];
	}
	if (a->n < MAXRUNS) {
		unsigned k = a->n++;

		a->mpps_total[k] = mpps;
		a->mpps_core[k] = mpps / nw;
		a->mmsus_core[k] = mmsus / nw;
		a->ns_pkt[k] = cyc / nw * ns_per_tsc;
		a->p50[k] = percentile(merged, 0.50, ns_per_tsc);
		a->p99[k] = percentile(merged, 0.99, ns_per_tsc);
		a->p999[k] = percentile(merged, 0.999, ns_per_tsc);
		a->hit[k] = hits + misses ? 100.0 * (double)hits / (double)(hits + misses) : -1;
		a->drop_share[k] = pkts ? (double)drops / (double)pkts : 0;
		a->msu_drop_share[k] = msus ? (double)mdrops / (double)msus : 0;
	}
	a->used = true;
	a->pkts += pkts;
	a->drops += drops;
}

/* Median over the runs of ns/packet of a over ns/packet of b, each run's pair measured back to
 * back (> 1 when b is faster). */
static double
paired_ratio(enum cfg a, enum cfg b)
{
	double r[MAXRUNS];
	unsigned k, n = agg[a].n < agg[b].n ? agg[a].n : agg[b].n;

	for (k = 0; k < n; k++)
		r[k] = agg[b].ns_pkt[k] > 0 ? agg[a].ns_pkt[k] / agg[b].ns_pkt[k] : 0;
	return n ? median(r, n) : 0;
}

/* --variant batch=off|B,msu=0|1,lines=L,decide=0|1 (any subset, the rest the worker's
 * defaults): the worker conf of the variant config. */
static int
parse_variant(const char *spec, struct sw_worker_conf *vc)
{
	char buf[128], *save = NULL, *tok;

	if (strlen(spec) >= sizeof(buf))
		return -1;
	strcpy(buf, spec);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *end;
		unsigned long v;

		if (eq == NULL)
			return -1;
		*eq = '\0';
		if (strcmp(tok, "batch") == 0 && strcmp(eq + 1, "off") == 0) {
			vc->batch = SW_BATCH_OFF;
			continue;
		}
		v = strtoul(eq + 1, &end, 10);
		if (*end != '\0' || end == eq + 1)
			return -1;
		if (strcmp(tok, "batch") == 0 && v >= 1 && v <= SW_BURST_MAX)
			vc->batch = (uint8_t)v;
		else if (strcmp(tok, "msu") == 0 && v <= 1)
			vc->batch_pkt_only = v == 0;
		else if (strcmp(tok, "lines") == 0 && v >= 1 && v <= 32)
			vc->prefetch_lines = (uint8_t)v;
		else if (strcmp(tok, "decide") == 0 && v <= 1)
			vc->no_decide = v == 0;
		else
			return -1;
	}
	return 0;
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: sigwall-bench-pipe --pcap F [--rules R --site S] [--workers N] [--runs K]\n"
		"         [--packets N per worker and run] [--burst 1-64] [--stages] [--nic] [--perf]\n"
		"         [--reload-ms MS] [--seconds S per run, default 0.5] [--no-repair]\n"
		"         [--mbufs N] [--label TEXT]\n"
		"         [--variant batch=off|1-64,msu=0|1,lines=1-32,decide=0|1]\n");
	exit(EXIT_USAGE);
}

/* --no-huge leaves ~12 MB of EAL runtime files under /var/run/dpdk/swpipe<pid> per run; a
 * benchmark run many times by the tests and scripts must not pile them up. */
static int
rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	(void)remove(path);
	return 0;
}

static void
remove_runtime_dir(const char *dir)
{
	if (dir[0] != '\0' && strstr(dir, "swpipe") != NULL)
		(void)nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"pcap", required_argument, NULL, 'p'},
		{"rules", required_argument, NULL, 'r'},
		{"site", required_argument, NULL, 's'},
		{"workers", required_argument, NULL, 'w'},
		{"runs", required_argument, NULL, 'n'},
		{"packets", required_argument, NULL, 'k'},
		{"burst", required_argument, NULL, 'b'},
		{"stages", no_argument, NULL, 'S'},
		{"nic", no_argument, NULL, 'N'},
		{"perf", no_argument, NULL, 'P'},
		{"reload-ms", required_argument, NULL, 'L'},
		{"no-repair", no_argument, NULL, 'R'},
		{"mbufs", required_argument, NULL, 'M'},
		{"label", required_argument, NULL, 'l'},
		{"seconds", required_argument, NULL, 'T'},
		{"variant", required_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *pcap_path = NULL, *rules = NULL, *site = NULL, *label = "-";
	unsigned runs = 5, nmbufs = 8192, reload_ms = 0, i, r, ncpu;
	uint64_t npkts = 2000000;
	bool stages = false, no_repair = false, nic = false;
	const char *variant = NULL;
	struct sw_worker_conf vc; /* --variant: batch, batch_pkt_only, prefetch_lines */
	char prefix[64], lcores[32], *eal_argv[16];
	char runtime_dir[PATH_MAX] = "";
	int c, eal_argc = 0;
	struct rte_mempool *pool;
	struct sw_worker_conf wc;
	double tsc_hz, mean_frame;
	struct sw_shm_worker *blocks;
	void *image = NULL;
	uint64_t image_size = 0;
	unsigned nrules = 0;
	double compile_ms = 0;
	struct reloader rl;
	struct sw_shm_image shimg;
	struct sw_shm_stats shstats;
	struct sw_image_watch watch;
	char instance[32];
	bool reused;

	nw = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': pcap_path = optarg; break;
		case 'r': rules = optarg; break;
		case 's': site = optarg; break;
		case 'w': nw = (unsigned)atoi(optarg); break;
		case 'n': runs = (unsigned)atoi(optarg); break;
		case 'k': npkts = strtoull(optarg, NULL, 10); break;
		case 'b': burst = (uint16_t)atoi(optarg); break;
		case 'S': stages = true; break;
		case 'N': nic = true; break;
		case 'P': perf_wanted = true; break;
		case 'L': reload_ms = (unsigned)atoi(optarg); break;
		case 'R': no_repair = true; break;
		case 'M': nmbufs = (unsigned)atoi(optarg); break;
		case 'l': label = optarg; break;
		case 'T': run_seconds = atof(optarg); break;
		case 'V': variant = optarg; break;
		default: usage();
		}
	}
	if (pcap_path == NULL || runs == 0 || runs > MAXRUNS || burst == 0 || burst > SW_BURST_MAX ||
	    (rules == NULL) != (site == NULL) || npkts == 0 || !(run_seconds > 0))
		usage();
	memset(&vc, 0, sizeof(vc));
	if (variant != NULL && parse_variant(variant, &vc) < 0)
		die_usage("bad --variant %s (batch=off|1-64,msu=0|1,lines=1-32,decide=0|1)",
			  variant);
	ncpu = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	if (nw == 0 || nw > ncpu || nw > MAX_W) {
		char b[64];

		snprintf(b, sizeof(b), "%u", nw);
		fprintf(stderr, "sigwall-bench-pipe: %s workers but this machine has %u lcores; "
				"use --workers 1..%u\n", b, ncpu, ncpu < MAX_W ? ncpu : MAX_W);
		return EXIT_USAGE;
	}
	if (rules != NULL && access(rules, R_OK) != 0)
		die_usage("no such rule set: %s (bench/rules/mkrules.py makes them)", rules);
	if (site != NULL && access(site, R_OK) != 0)
		die_usage("no such site file: %s", site);
	if (reload_ms != 0 && rules == NULL)
		die_usage("%s--reload-ms needs --rules and --site", "");
	load_pcap(pcap_path, nmbufs);
	mean_frame = (double)frame_bytes / nframes;

	snprintf(prefix, sizeof(prefix), "--file-prefix=swpipe%d", (int)getpid());
	snprintf(lcores, sizeof(lcores), "0-%u", nw - 1);
	eal_argv[eal_argc++] = argv[0];
	eal_argv[eal_argc++] = (char *)"-l";
	eal_argv[eal_argc++] = lcores;
	eal_argv[eal_argc++] = (char *)"--no-huge";
	eal_argv[eal_argc++] = (char *)"-m";
	eal_argv[eal_argc++] = (char *)"1024";
	eal_argv[eal_argc++] = (char *)"--no-pci";
	eal_argv[eal_argc++] = (char *)"--log-level=lib.eal:error";
	eal_argv[eal_argc++] = prefix;
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "sigwall-bench-pipe: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 77;
	}
	tsc_hz = (double)rte_get_tsc_hz();

	/* Each lane holds the mix repeated until it has at least 1024 mbufs. */
	nmbufs = RTE_MAX(nframes, 1024u);
	pool = rte_pktmbuf_pool_create("pipe", nw * (nmbufs + 2 * SW_BURST_MAX) + 1024, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	merged = calloc(HIST_N, sizeof(*merged));
	blocks = rte_zmalloc("blk", nw * CFG_N * sizeof(*blocks), RTE_CACHE_LINE_SIZE);
	if (pool == NULL || merged == NULL || blocks == NULL) {
		fprintf(stderr, "sigwall-bench-pipe: out of memory\n");
		return 1;
	}

	if (rules != NULL) {
		struct sw_compiled comp;
		char err[512];

		if (sw_compile_files(rules, site, 1, &comp, err, sizeof(err)) < 0) {
			fprintf(stderr, "sigwall-bench-pipe: %s\n", err);
			return EXIT_USAGE;
		}
		image = comp.image;
		image_size = comp.size;
		nrules = comp.nrules;
		compile_ms = comp.compile_ms;
	}

	memset(&rl, 0, sizeof(rl));
	memset(&watch, 0, sizeof(watch));
	if (reload_ms != 0) {
		char err[256];

		snprintf(instance, sizeof(instance), "swpipe%d", (int)getpid());
		if (sw_shm_image_create(instance, image_size + (1 << 20), 2, &shimg, &reused) < 0 ||
		    sw_shm_stats_create(instance, nw * CFG_N, 0, &shstats, &reused) < 0) {
			fprintf(stderr, "sigwall-bench-pipe: cannot create shared memory %s\n",
				instance);
			return 1;
		}
		rl.img = &shimg;
		rl.stats = &shstats;
		rl.period_ms = reload_ms;
		rl.size = image_size;
		rl.image = aligned_alloc(64, (image_size + 63) & ~63ull);
		memcpy(rl.image, image, image_size);
		rl.checksum = sw_image_checksum(image);
		if (publish(&rl) < 0) {
			fprintf(stderr, "sigwall-bench-pipe: publish: %s\n", rl.err);
			return 1;
		}
		atomic_store(&watch.cur, &shimg);
		rl.watch = &watch;
		(void)err;
	}

	for (i = 0; i < nw; i++) {
		struct lane *l = &lanes[i];
		struct rte_ring *ring;
		struct rte_eth_conf pconf;
		struct rte_mbuf **all;
		char name[32];
		unsigned k;

		snprintf(name, sizeof(name), "pipe_ring%u", i);
		ring = rte_ring_create(name, rte_align32pow2(nmbufs + 2 * SW_BURST_MAX + 1),
				       (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "net_ring_pipe%u", i);
		c = ring == NULL ? -1 : rte_eth_from_rings(name, &ring, 1, &ring, 1,
							   (unsigned)rte_socket_id());
		if (c < 0) {
			fprintf(stderr, "sigwall-bench-pipe: net_ring port: %s\n",
				rte_strerror(rte_errno));
			return 1;
		}
		l->port = (uint16_t)c;
		memset(&pconf, 0, sizeof(pconf));
		if (rte_eth_dev_configure(l->port, 1, 1, &pconf) != 0 ||
		    rte_eth_rx_queue_setup(l->port, 0, 1024, (unsigned)rte_socket_id(), NULL, pool) !=
			    0 ||
		    rte_eth_tx_queue_setup(l->port, 0, 1024, (unsigned)rte_socket_id(), NULL) != 0 ||
		    rte_eth_dev_start(l->port) != 0) {
			fprintf(stderr, "sigwall-bench-pipe: cannot start the net_ring port\n");
			return 1;
		}
		all = malloc(nmbufs * sizeof(*all));
		if (all == NULL || rte_pktmbuf_alloc_bulk(pool, all, nmbufs) != 0) {
			fprintf(stderr, "sigwall-bench-pipe: mbuf allocation failed\n");
			return 1;
		}
		for (k = 0; k < nmbufs; k++) {
			FRAME_IDX(all[k]) = k % nframes;
			rte_pktmbuf_append(all[k], frames[k % nframes].len);
			restore(all[k]);
		}
		if (rte_ring_enqueue_bulk(ring, (void **)all, nmbufs, NULL) != nmbufs) {
			fprintf(stderr, "sigwall-bench-pipe: ring too small\n");
			return 1;
		}
		free(all);
		l->hist = rte_zmalloc("hist", HIST_N * sizeof(uint64_t), RTE_CACHE_LINE_SIZE);
		l->rxd = rte_zmalloc("rxd", nframes * sizeof(*l->rxd), RTE_CACHE_LINE_SIZE);
		l->txd = rte_zmalloc("txd", NIC_RING * sizeof(*l->txd), RTE_CACHE_LINE_SIZE);
		if (l->hist == NULL || l->rxd == NULL || l->txd == NULL) {
			fprintf(stderr, "sigwall-bench-pipe: out of memory\n");
			return 1;
		}

		for (k = 0; k < CFG_N; k++) {
			struct sw_worker *w;
			struct sw_shm_worker *blk = &blocks[i * CFG_N + k];
			char err[256];

			if ((k == CFG_DECODE || k == CFG_VERDICT) && !stages)
				continue;
			if ((k == CFG_VERDICT || k == CFG_FULL) && image == NULL && k != CFG_FULL)
				continue;
			if (k == CFG_RELOAD && reload_ms == 0)
				continue;
			if ((k == CFG_NICFWD || k == CFG_NICFULL) && !nic)
				continue;
			if ((k == CFG_VARIANT || k == CFG_NICVARIANT) && variant == NULL)
				continue;
			if (k == CFG_NICVARIANT && !nic)
				continue;
			if (reload_ms != 0)
				blk = sw_shm_worker(&shstats, i * CFG_N + k);
			w = rte_zmalloc("w", sizeof(*w), RTE_CACHE_LINE_SIZE);
			memset(&wc, 0, sizeof(wc));
			wc.mode = (k == CFG_DECODE || k == CFG_VERDICT) ? SW_MODE_MONITOR
									  : SW_MODE_INLINE;
			wc.non_sctp_pass = true;
			wc.def_action = SW_ACT_ALLOW;
			wc.no_repair = no_repair;
			wc.forward_only = k == CFG_FORWARD || k == CFG_NICFWD;
			wc.main_validates = k == CFG_RELOAD;
			if (k == CFG_VARIANT || k == CFG_NICVARIANT) {
				wc.batch = vc.batch;
				wc.batch_pkt_only = vc.batch_pkt_only;
				wc.prefetch_lines = vc.prefetch_lines;
				wc.no_decide = vc.no_decide;
			}
			w->burst = burst;
			if (w == NULL || sw_worker_init(w, i * CFG_N + k, &wc, blk, NULL) < 0) {
				fprintf(stderr, "sigwall-bench-pipe: worker init failed\n");
				return 1;
			}
			w->nports = 1;
			w->port[0] = l->port;
			if (image != NULL &&
			    (k == CFG_VERDICT || k == CFG_FULL || k == CFG_NICFULL ||
			     k == CFG_VARIANT || k == CFG_NICVARIANT) &&
			    sw_worker_bind_image(w, image, image_size, 1, err, sizeof(err)) < 0) {
				fprintf(stderr, "sigwall-bench-pipe: %s\n", err);
				return 1;
			}
			if (k == CFG_RELOAD)
				w->watch = &watch;
			l->w[k] = w;
			l->blk[k] = blk;
		}
	}

	printf("mix %s: %u frames, mean frame %.1f B, %u mbufs per worker; %u worker(s); "
	       "burst %u; %u runs of %" PRIu64 " packets or %.2f s per worker\n",
	       pcap_path, nframes, mean_frame, nmbufs, nw, burst, runs, npkts, run_seconds);
	if (image != NULL)
		printf("rules %s: %u rules, image %" PRIu64 " bytes, compiled in %.0f ms\n", rules,
		       nrules, image_size, compile_ms);
	else
		printf("rules: none (no image: default action allow)\n");

	/* warm-up */
	{
		double full_seconds = run_seconds;

		run_seconds /= 5;
		for (i = 0; i < CFG_N; i++)
			if (lanes[0].w[i] != NULL && i != CFG_RELOAD)
				run_cfg((enum cfg)i, npkts / 5 + 1, tsc_hz);
		run_seconds = full_seconds;
	}
	memset(agg, 0, sizeof(agg));
	for (r = 0; r < runs; r++) {
		for (i = 0; i < CFG_N; i++) {
			if (lanes[0].w[i] == NULL)
				continue;
			if (i == CFG_RELOAD) {
				atomic_store(&rl.stop, false);
				pthread_create(&rl.th, NULL, reloader_main, &rl);
				reloader_place(rl.th, ncpu);
			}
			run_cfg((enum cfg)i, npkts, tsc_hz);
			if (i == CFG_RELOAD) {
				atomic_store(&rl.stop, true);
				pthread_join(rl.th, NULL);
			}
		}
	}

	{
		double fwd = agg[CFG_FORWARD].n ? median(agg[CFG_FORWARD].ns_pkt, runs) : 0;
		double dec = agg[CFG_DECODE].n ? median(agg[CFG_DECODE].ns_pkt, runs) : 0;
		/* without an image there is no verdict stage: enforce is full - decode */
		double ver = agg[CFG_VERDICT].n ? median(agg[CFG_VERDICT].ns_pkt, runs) : dec;
		double full = median(agg[CFG_FULL].ns_pkt, runs);
		double fwd_mpps = median(agg[CFG_FORWARD].mpps_core, runs);
		double nicfwd_mpps = agg[CFG_NICFWD].n ? median(agg[CFG_NICFWD].mpps_core,
								 agg[CFG_NICFWD].n) : 0;
		double cyc = tsc_hz / 1e9;

		for (i = 0; i < CFG_N; i++) {
			struct agg *a = &agg[i];
			double mpps, mmsus, ns, p50, p99, p999, hit, dshare;

			if (!a->used)
				continue;
			mpps = median(a->mpps_core, a->n);
			mmsus = median(a->mmsus_core, a->n);
			ns = median(a->ns_pkt, a->n);
			p50 = median(a->p50, a->n);
			p99 = median(a->p99, a->n);
			p999 = median(a->p999, a->n);
			hit = median(a->hit, a->n);
			dshare = median(a->drop_share, a->n);
			printf("%-8s %7.2f Mpps/core %7.2f M MSU/s/core %7.1f ns/pkt %6.0f cyc/pkt  "
			       "latency p50 %.0f p99 %.0f p99.9 %.0f ns",
			       cfg_name[i], mpps, mmsus, ns, ns * cyc, p50, p99, p999);
			if (hit >= 0 &&
			    (i == CFG_VERDICT || i == CFG_FULL || i == CFG_NICFULL ||
			     i == CFG_RELOAD || i == CFG_VARIANT || i == CFG_NICVARIANT))
				printf("  cache %.1f%% hits", hit);
			if (i != CFG_FORWARD)
				printf("  %.1f%% of forward-only", 100.0 * mpps / fwd_mpps);
			if ((i == CFG_NICFULL || i == CFG_NICVARIANT) && nicfwd_mpps > 0)
				printf(", %.1f%% of nicfwd", 100.0 * mpps / nicfwd_mpps);
			printf("\n");
			printf("RESULT label=%s cfg=%s workers=%u frames=%u mean_frame=%.1f rules=%u "
			       "mpps_core=%.3f mpps_total=%.3f mmsus_core=%.3f ns_pkt=%.2f cyc_pkt=%.1f "
			       "p50_ns=%.0f p99_ns=%.0f p999_ns=%.0f cache_hit=%.2f drop_share=%.5f "
			       "msu_drop_share=%.5f fwd_ratio=%.4f best_mpps_core=%.3f best_p99_ns=%.0f",
			       label, cfg_name[i], nw, nframes, mean_frame, nrules, mpps,
			       median(a->mpps_total, a->n), mmsus, ns, ns * cyc, p50, p99, p999, hit,
			       dshare, median(a->msu_drop_share, a->n), mpps / fwd_mpps,
			       vmax(a->mpps_core, a->n), vmin(a->p99, a->n));
			if (perf_wanted && a->pmu[0] != 0 && a->pkts != 0)
				printf(" perf_instr_pkt=%.1f perf_cyc_pkt=%.1f perf_ipc=%.3f "
				       "perf_llc_miss_pkt=%.3f",
				       (double)a->pmu[0] / (double)a->pkts,
				       (double)a->pmu[1] / (double)a->pkts,
				       a->pmu[1] ? (double)a->pmu[0] / (double)a->pmu[1] : 0.0,
				       (double)a->pmu[2] / (double)a->pkts);
			if (i == CFG_VARIANT || i == CFG_NICVARIANT)
				printf(" variant=%s variant_ratio=%.4f", variant,
				       paired_ratio(i == CFG_VARIANT ? CFG_FULL : CFG_NICFULL, i));
			if (i == CFG_NICFULL && nicfwd_mpps > 0)
				printf(" nicfwd_mpps_core=%.3f nicfwd_ratio=%.4f nic_rxtx_ns=%.2f",
				       nicfwd_mpps, mpps / nicfwd_mpps,
				       median(agg[CFG_NICFWD].ns_pkt, agg[CFG_NICFWD].n));
			if (i == CFG_FULL || i == CFG_RELOAD)
				printf(" st_rxtx_ns=%.2f st_decode_ns=%.2f st_verdict_ns=%.2f "
				       "st_enforce_ns=%.2f",
				       fwd, stages ? dec - fwd : -1, stages ? ver - dec : -1,
				       stages ? full - ver : -1);
			if (i == CFG_RELOAD)
				printf(" reloads=%u reload_failed=%u gen_switches=%" PRIu64
				       " images_refused=%" PRIu64 " max_publish_ms=%.1f "
				       "pickup_max_us=%.1f pickup_mean_us=%.1f "
				       "drop_share_steady=%.5f",
				       rl.published, rl.failed, a->switches, a->refused,
				       rl.max_publish_ms, (double)a->sync_max / cyc / 1e3,
				       a->switches ? (double)a->sync_sum / cyc / 1e3 / (double)a->switches
						   : 0.0, median(agg[CFG_FULL].drop_share,
								 agg[CFG_FULL].n));
			printf("\n");
		}
		if (perf_wanted && atomic_load(&perf_failed))
			printf("perf: hardware counters unavailable here (%s)\n", perf_err);
		for (i = CFG_VARIANT; i <= CFG_NICVARIANT; i++) {
			enum cfg base = i == CFG_VARIANT ? CFG_FULL : CFG_NICFULL;

			if (agg[i].n != 0)
				printf("%s (%s) %.1f vs %s %.1f ns/pkt (medians of %u); median of "
				       "the per-run ratios %s/%s: %.3f (> 1: the variant is faster)\n",
				       cfg_name[i], variant, median(agg[i].ns_pkt, agg[i].n),
				       cfg_name[base], median(agg[base].ns_pkt, agg[base].n),
				       agg[i].n, cfg_name[base], cfg_name[i],
				       paired_ratio(base, i));
		}
		if (stages)
			printf("stages (ns/pkt by difference): rx/tx %.1f, decode %.1f, verdict %.1f, "
			       "enforce %.1f (full %.1f)\n",
			       fwd, dec - fwd, ver - dec, full - ver, full);
		if (reload_ms != 0)
			printf("reloads: %u published every %u ms (%u failed, slowest publish %.1f ms); "
			       "workers switched generation %" PRIu64 " times, refused %" PRIu64 " images; "
			       "packets dropped %.4f%% (steady state %.4f%%); image pick-up in the "
			       "worker: %.1f us mean, %.1f us max\n",
			       rl.published, reload_ms, rl.failed, rl.max_publish_ms,
			       agg[CFG_RELOAD].switches, agg[CFG_RELOAD].refused,
			       100.0 * median(agg[CFG_RELOAD].drop_share, agg[CFG_RELOAD].n),
			       100.0 * median(agg[CFG_FULL].drop_share, agg[CFG_FULL].n),
			       agg[CFG_RELOAD].switches ? (double)agg[CFG_RELOAD].sync_sum /
							    (tsc_hz / 1e9) / 1e3 /
							    (double)agg[CFG_RELOAD].switches
							: 0.0,
			       (double)agg[CFG_RELOAD].sync_max / (tsc_hz / 1e9) / 1e3);
	}
	if (reload_ms != 0)
		sw_shm_unlink(instance);
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	remove_runtime_dir(runtime_dir);
	return 0;
}
