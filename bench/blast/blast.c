/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sigwall-blast: replay a capture (a sigwall-gen mix) out of a DPDK port at a target packet
 * rate (TSC pacing, in bursts) or as fast as the port takes it, and report what was sent.
 * Operators benchmark a sigwall box with another box running this.
 *
 *   sigwall-blast [EAL options] -- --pcap FILE --port N|NAME [--rate PPS | --max]
 *                 [--duration S] [--burst B] [--loops K]
 *
 * The capture's frames are loaded once into mbufs (repeated until there are at least 4096, so
 * a frame is never queued twice in the same TX ring); each transmit takes a reference
 * (refcnt + 1) that the PMD drops when it frees the mbuf, so the frames are never copied again.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#define EXIT_USAGE 2
#define MIN_MBUFS 4096u
#define MAX_FRAMES (1u << 20)
#define BURST_MAX 64
#define NB_TXD 1024
#define NB_RXD 256

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: sigwall-blast [EAL options] -- --pcap FILE --port N|NAME "
			"[--rate PPS | --max] [--duration S] [--burst 1-64] [--loops K]\n");
	exit(EXIT_USAGE);
}

static void
fail_usage(const char *msg, const char *arg)
{
	fprintf(stderr, "sigwall-blast: ");
	fprintf(stderr, msg, arg);
	fprintf(stderr, "\n");
	exit(EXIT_USAGE);
}

struct opts {
	const char *pcap;
	const char *port;
	double rate;     /* packets per second; 0: --max */
	bool max;
	double duration; /* seconds */
	unsigned burst;
	uint64_t loops;  /* passes over the capture; 0: until the duration */
};

static void
parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"pcap", required_argument, NULL, 'p'},
		{"port", required_argument, NULL, 'P'},
		{"rate", required_argument, NULL, 'r'},
		{"max", no_argument, NULL, 'm'},
		{"duration", required_argument, NULL, 'd'},
		{"burst", required_argument, NULL, 'b'},
		{"loops", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->duration = 10;
	o->burst = 32;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'p': o->pcap = optarg; break;
		case 'P': o->port = optarg; break;
		case 'r':
			o->rate = strtod(optarg, &end);
			if (*end != '\0' || !(o->rate > 0))
				fail_usage("invalid --rate %s (packets per second > 0)", optarg);
			break;
		case 'm': o->max = true; break;
		case 'd':
			o->duration = strtod(optarg, &end);
			if (*end != '\0' || !(o->duration > 0))
				fail_usage("invalid --duration %s (seconds > 0)", optarg);
			break;
		case 'b':
			o->burst = (unsigned)strtoul(optarg, &end, 10);
			if (*end != '\0' || o->burst == 0 || o->burst > BURST_MAX)
				fail_usage("invalid --burst %s (1..64)", optarg);
			break;
		case 'l':
			o->loops = strtoull(optarg, &end, 10);
			if (*end != '\0' || o->loops == 0)
				fail_usage("invalid --loops %s (>= 1)", optarg);
			break;
		default: usage();
		}
	}
	if (optind < argc)
		fail_usage("unexpected argument %s", argv[optind]);
	if (o->pcap == NULL || o->port == NULL)
		usage();
	if ((o->rate > 0) == o->max)
		fail_usage("%sgive exactly one of --rate PPS and --max", "");
	if (access(o->pcap, R_OK) != 0)
		fail_usage("no such capture: %s (make one with sigwall-gen)", o->pcap);
}

static uint16_t
find_port(const char *arg)
{
	char *end;
	unsigned long id = strtoul(arg, &end, 10);
	uint16_t pid;

	if (*end == '\0' && end != arg) {
		if (id >= RTE_MAX_ETHPORTS || !rte_eth_dev_is_valid_port((uint16_t)id)) {
			fprintf(stderr, "sigwall-blast: no DPDK port %s (%u ports available; add one "
					"with -a PCI or --vdev)\n", arg, rte_eth_dev_count_avail());
			exit(EXIT_USAGE);
		}
		return (uint16_t)id;
	}
	if (rte_eth_dev_get_port_by_name(arg, &pid) != 0)
		fail_usage("no DPDK port named %s", arg);
	return pid;
}

/* Load the capture into mbufs; returns how many, *bytes their total length. */
static unsigned
load(const char *path, struct rte_mempool **poolp, struct rte_mbuf ***out, uint64_t *bytes,
     unsigned *nframes_out)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p = pcap_open_offline(path, err);
	uint8_t **data = NULL;
	uint16_t *len = NULL;
	unsigned n = 0, cap = 0, total, i, skipped = 0;
	struct rte_mempool *pool;
	struct rte_mbuf **m;

	if (p == NULL)
		fail_usage("%s", err);
	if (pcap_datalink(p) != DLT_EN10MB) {
		pcap_close(p);
		fail_usage("%s is not an Ethernet capture", path);
	}
	while (n < MAX_FRAMES && pcap_next_ex(p, &h, &d) == 1) {
		if (h->caplen == 0 || h->caplen > RTE_MBUF_DEFAULT_DATAROOM || h->caplen != h->len) {
			skipped++;
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			data = realloc(data, cap * sizeof(*data));
			len = realloc(len, cap * sizeof(*len));
			if (data == NULL || len == NULL)
				fail_usage("%sout of memory", "");
		}
		data[n] = malloc(h->caplen);
		if (data[n] == NULL)
			fail_usage("%sout of memory", "");
		memcpy(data[n], d, h->caplen);
		len[n++] = (uint16_t)h->caplen;
	}
	pcap_close(p);
	if (n == 0)
		fail_usage("%s holds no frame that fits an mbuf", path);
	if (skipped != 0)
		fprintf(stderr, "sigwall-blast: skipped %u truncated or oversized frames\n", skipped);
	total = ((MIN_MBUFS + n - 1) / n) * n; /* whole passes over the capture */
	pool = rte_pktmbuf_pool_create("blast", total + NB_TXD + NB_RXD + 1024, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	m = malloc(total * sizeof(*m));
	if (pool == NULL || m == NULL || rte_pktmbuf_alloc_bulk(pool, m, total) != 0) {
		fprintf(stderr, "sigwall-blast: cannot allocate %u mbufs: %s (give EAL more memory, "
				"-m)\n", total, rte_strerror(rte_errno));
		exit(1);
	}
	*bytes = 0;
	for (i = 0; i < total; i++) {
		unsigned f = i % n;

		memcpy(rte_pktmbuf_append(m[i], len[f]), data[f], len[f]);
		if (i < n)
			*bytes += len[f];
	}
	for (i = 0; i < n; i++)
		free(data[i]);
	free(data);
	free(len);
	*poolp = pool;
	*out = m;
	*nframes_out = n;
	return total;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct rte_mempool *pool;
	struct rte_mbuf **m;
	struct rte_eth_conf pconf;
	struct rte_eth_dev_info info;
	struct rte_eth_stats st;
	uint64_t cap_bytes, sent = 0, bytes = 0, full = 0, hz, t0, t1, end, next, per_burst_tsc = 0;
	unsigned total, nframes, idx = 0;
	uint16_t port;
	int rc, sep;
	double secs;

	/* Our options (after "--") first: bad input is one line and exit 2 before EAL talks. */
	for (sep = 1; sep < argc; sep++)
		if (strcmp(argv[sep], "--") == 0)
			break;
	if (sep == argc)
		usage();
	argv[sep] = (char *)"sigwall-blast";
	parse(argc - sep, argv + sep, &o);
	rc = rte_eal_init(sep, argv);
	if (rc < 0) {
		fprintf(stderr, "sigwall-blast: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	port = find_port(o.port);
	total = load(o.pcap, &pool, &m, &cap_bytes, &nframes);

	memset(&pconf, 0, sizeof(pconf));
	if (rte_eth_dev_info_get(port, &info) != 0 || rte_eth_dev_configure(port, 1, 1, &pconf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, NB_RXD, (unsigned)rte_eth_dev_socket_id(port), NULL,
				   pool) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, NB_TXD, (unsigned)rte_eth_dev_socket_id(port), NULL) !=
		    0 ||
	    rte_eth_dev_start(port) != 0) {
		fprintf(stderr, "sigwall-blast: cannot start port %s (%s)\n", o.port, info.driver_name);
		return 1;
	}
	rte_eth_stats_reset(port);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	hz = rte_get_tsc_hz();
	if (!o.max)
		per_burst_tsc = (uint64_t)((double)hz * o.burst / o.rate);
	printf("sigwall-blast: %s: %u frames (%.1f B mean) in %u mbufs -> port %u (%s), %s, %.1f s\n",
	       o.pcap, nframes, (double)cap_bytes / nframes, total, port, info.driver_name,
	       o.max ? "as fast as possible" : "paced", o.duration);
	fflush(stdout);

	t0 = rte_rdtsc();
	end = t0 + (uint64_t)(o.duration * (double)hz);
	next = t0;
	while (!stop) {
		struct rte_mbuf *b[BURST_MAX];
		uint64_t now = rte_rdtsc();
		uint16_t k, n = (uint16_t)o.burst, tx;

		if (now >= end)
			break;
		if (o.loops != 0 && sent >= o.loops * nframes)
			break;
		if (!o.max) {
			if (now < next)
				continue;
			/* Behind by more than a second (descheduled): do not burst to catch up. */
			if (now - next > hz)
				next = now;
		}
		if (o.loops != 0 && o.loops * nframes - sent < n)
			n = (uint16_t)(o.loops * nframes - sent);
		for (k = 0; k < n; k++) {
			b[k] = m[idx];
			rte_mbuf_refcnt_update(b[k], 1);
			idx = idx + 1 == total ? 0 : idx + 1;
		}
		tx = rte_eth_tx_burst(port, 0, b, n);
		for (k = 0; k < tx; k++)
			bytes += rte_pktmbuf_pkt_len(b[k]);
		sent += tx;
		if (tx < n) {
			/* Ring full: take the references back and resend these frames next. */
			full += n - tx;
			for (k = tx; k < n; k++)
				rte_mbuf_refcnt_update(b[k], -1);
			idx = (idx + total - (n - tx)) % total;
		}
		if (!o.max)
			next += per_burst_tsc * tx / n;
	}
	t1 = rte_rdtsc();
	secs = (double)(t1 - t0) / (double)hz;
	memset(&st, 0, sizeof(st));
	(void)rte_eth_stats_get(port, &st);
	printf("sent %" PRIu64 " packets, %" PRIu64 " bytes in %.3f s: %.0f pps, %.3f Gbps "
	       "(frames), %.3f Gbps on the wire (+24 B FCS, preamble, IFG); tx ring full %" PRIu64
	       " times; port counters: %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64
	       " errors\n",
	       sent, bytes, secs, (double)sent / secs, (double)bytes * 8 / secs / 1e9,
	       ((double)bytes + 24.0 * (double)sent) * 8 / secs / 1e9, full, st.opackets,
	       st.obytes, st.oerrors);
	if (!o.max)
		printf("target %.0f pps: achieved %.1f%%\n", o.rate,
		       100.0 * (double)sent / secs / o.rate);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_eal_cleanup();
	return sent > 0 ? 0 : 1;
}
