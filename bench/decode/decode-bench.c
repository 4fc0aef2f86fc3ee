/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * decode-bench: the whole decoder stack on one core over a capture held in memory.
 *
 * Every frame of the capture is loaded into one arena (each frame 64-byte aligned, as the
 * data of a DPDK mbuf is), then each pass decodes every frame with sw_decode_packet and
 * every DATA / I-DATA chunk of it with sw_decode_msu, exactly as a worker and
 * `sigwallctl inspect` do. A run repeats passes for a given time or number of passes; the
 * figures printed are those of the median run (by ns per MSU) of several runs. Cycles are
 * TSC cycles (rdtsc), with the TSC frequency calibrated against CLOCK_MONOTONIC.
 *
 * usage: decode-bench [options] CAPTURE
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "pcapread.h" /* dep_pcapread */
#include "dataplane/decode/decode.h"

#define BENCH_ALIGN 64
#define RUNS_MAX 101
#define PREFETCH_BYTES 512 /* of a packet ahead; a MAP MSU packet is 150-400 bytes */

struct frame {
	uint64_t off; /* into the arena */
	uint32_t len;
};

struct capture {
	uint8_t *arena;
	uint64_t arena_len, arena_cap;
	struct frame *frames;
	size_t nframes, cap;
	enum sw_link link;
};

/* What one pass over the capture decoded (the same for every pass). */
struct pass_stats {
	uint64_t packets;
	uint64_t pkt_errors;   /* packets with a link/IP/SCTP malformation */
	uint64_t msus;         /* sw_decode_msu calls: DATA and I-DATA chunks */
	uint64_t m3ua;         /* MSUs with an M3UA header */
	uint64_t tcap, map, isup;
	uint64_t msu_errors;   /* MSUs with a malformation at any layer */
};

struct run {
	double secs;
	uint64_t tsc;
	uint64_t passes;
};

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: decode-bench [options] CAPTURE\n"
		"  -s, --seconds S      length of each run in seconds (default 1)\n"
		"  -n, --iterations N   passes over the capture per run (overrides --seconds)\n"
		"  -r, --runs R         runs; the median is reported (default 5)\n"
		"  -c, --cpu C          pin to CPU C (default: the CPU it starts on)\n"
		"  -P, --prefetch K     prefetch the packet K ahead, as a worker does (default 4;\n"
		"                       0: off)\n"
		"  -p, --packet-only    decode link/IP/SCTP only (no sw_decode_msu)\n"
		"  -m, --min-msus M     exit 1 unless a pass decodes at least M MSUs (smoke test)\n"
		"  -t, --tsv            print one TSV line of results (header with --tsv-header)\n"
		"  -T, --tsv-file FILE  also write that TSV line to FILE\n"
		"      --tsv-header     print the TSV header line and exit\n");
}

static const char tsv_header[] =
	"capture\tframes\tmsus_per_pass\tmsu_errors_per_pass\tpasses\truns\t"
	"ns_per_msu\tns_per_msu_min\tns_per_msu_max\tns_per_pkt\tmsus_per_s\tcycles_per_msu\t"
	"tsc_ghz\tns_per_msu_best_pass";

static int
capture_add(struct capture *cap, const uint8_t *data, uint32_t len)
{
	uint64_t need = (cap->arena_len + len + BENCH_ALIGN - 1) & ~(uint64_t)(BENCH_ALIGN - 1);

	if (need > cap->arena_cap) {
		uint64_t ncap = cap->arena_cap ? cap->arena_cap * 2 : 1u << 20;
		uint8_t *na;

		while (ncap < need)
			ncap *= 2;
		na = aligned_alloc(BENCH_ALIGN, ncap);
		if (na == NULL)
			return -ENOMEM;
		if (cap->arena_len)
			memcpy(na, cap->arena, cap->arena_len);
		free(cap->arena);
		cap->arena = na;
		cap->arena_cap = ncap;
	}
	if (cap->nframes == cap->cap) {
		size_t ncap = cap->cap ? cap->cap * 2 : 4096;
		struct frame *nf = realloc(cap->frames, ncap * sizeof(*nf));

		if (nf == NULL)
			return -ENOMEM;
		cap->frames = nf;
		cap->cap = ncap;
	}
	memcpy(cap->arena + cap->arena_len, data, len);
	cap->frames[cap->nframes].off = cap->arena_len;
	cap->frames[cap->nframes].len = len;
	cap->nframes++;
	cap->arena_len = need;
	return 0;
}

static int
capture_load(const char *path, struct capture *cap)
{
	char err[512];
	struct sw_pcap_in *in = sw_pcap_open(path, err, sizeof(err));
	const uint8_t *data;
	uint32_t len;
	uint64_t ts;
	unsigned frame;
	int rc;

	if (in == NULL) {
		fprintf(stderr, "decode-bench: %s\n", err);
		return -1;
	}
	if (sw_pcap_link(in, &cap->link, err, sizeof(err)) < 0) {
		fprintf(stderr, "decode-bench: %s\n", err);
		sw_pcap_close(in);
		return -1;
	}
	while ((rc = sw_pcap_next(in, &data, &len, &ts, &frame, err, sizeof(err))) == 1) {
		if (capture_add(cap, data, len) < 0) {
			fprintf(stderr, "decode-bench: %s: out of memory at frame %u\n", path,
				frame);
			sw_pcap_close(in);
			return -1;
		}
	}
	sw_pcap_close(in);
	if (rc < 0) {
		fprintf(stderr, "decode-bench: %s\n", err);
		return -1;
	}
	if (cap->nframes == 0) {
		fprintf(stderr, "decode-bench: %s: no frames\n", path);
		return -1;
	}
	return 0;
}

/*
 * One pass over the whole capture: the measured loop, what a worker does per packet (prefetch
 * ahead, decode the packet, decode every DATA chunk). Per-MSU statistics are gathered only
 * when st_full is given (the warm-up pass), so that the timed passes measure the decoder and
 * not the benchmark's counters; they fold one word per MSU into *sink.
 */
static void
pass(const struct capture *cap, bool packet_only, unsigned prefetch, struct sw_pkt *pkt,
     struct sw_msu *msu, struct pass_stats *st_full, uint64_t *sink)
{
	uint64_t acc = 0;

	for (size_t f = 0; f < cap->nframes; f++) {
		const uint8_t *buf = cap->arena + cap->frames[f].off;
		enum sw_mal m;

		/* As a worker does with a burst: prefetch the headers of a packet a few ahead. */
		if (prefetch != 0 && f + prefetch < cap->nframes) {
			const uint8_t *ahead = cap->arena + cap->frames[f + prefetch].off;
			uint32_t alen = cap->frames[f + prefetch].len;

			for (uint32_t o = 0; o < alen && o < PREFETCH_BYTES; o += BENCH_ALIGN)
				__builtin_prefetch(ahead + o);
		}
		m = sw_decode_packet(buf, cap->frames[f].len, cap->link, pkt);
		acc += m;
		if (st_full != NULL) {
			st_full->pkt_errors += m != SW_MAL_NONE;
			st_full->packets++;
		}
		if (packet_only)
			continue;
		for (unsigned i = 0; i < pkt->nchunks; i++) {
			uint8_t type = pkt->chunks[i].type;

			if (!sw_sctp_is_data(type))
				continue;
			m = sw_decode_msu(buf, pkt, i, msu);
			acc += m + msu->has;
			if (st_full == NULL)
				continue;
			st_full->msu_errors += m != SW_MAL_NONE;
			st_full->msus++;
			st_full->m3ua += (msu->has & SW_HAS_M3UA) != 0;
			st_full->tcap += (msu->has & SW_HAS_TCAP) != 0;
			st_full->map += (msu->has & SW_HAS_MAP) != 0;
			st_full->isup += (msu->has & SW_HAS_ISUP) != 0;
		}
	}
	*sink += acc;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* TSC ticks per second, measured over 200 ms of CLOCK_MONOTONIC. */
static double
tsc_calibrate(void)
{
	double t0, t1;
	uint64_t c0, c1;

	t0 = now_s();
	c0 = __rdtsc();
	do
		t1 = now_s();
	while (t1 - t0 < 0.2);
	c1 = __rdtsc();
	return (double)(c1 - c0) / (t1 - t0);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
pin_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		cpu = sched_getcpu();
	if (cpu < 0)
		return -errno;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		return -errno;
	return cpu;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "runs", required_argument, NULL, 'r' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "packet-only", no_argument, NULL, 'p' },
		{ "prefetch", required_argument, NULL, 'P' },
		{ "min-msus", required_argument, NULL, 'm' },
		{ "tsv", no_argument, NULL, 't' },
		{ "tsv-file", required_argument, NULL, 'T' },
		{ "tsv-header", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	double seconds = 1.0, tsc_hz, ns_msu[RUNS_MAX];
	uint64_t iterations = 0, min_msus = 0;
	int runs = 5, cpu = -1, opt;
	unsigned prefetch = 4;
	bool packet_only = false, tsv = false;
	const char *tsv_file = NULL;
	struct capture cap = { 0 };
	struct pass_stats warm = { 0 };
	uint64_t sink = 0, best_pass = UINT64_MAX;
	struct run run[RUNS_MAX];
	struct sw_pkt *pkt;
	struct sw_msu *msu;
	char *end;
	int med;

	while ((opt = getopt_long(argc, argv, "s:n:r:c:pP:m:tT:h", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			seconds = strtod(optarg, &end);
			if (*end != '\0' || !(seconds > 0)) {
				fprintf(stderr, "decode-bench: bad --seconds '%s'\n", optarg);
				return 2;
			}
			break;
		case 'n':
			iterations = strtoull(optarg, &end, 10);
			if (*end != '\0' || iterations == 0) {
				fprintf(stderr, "decode-bench: bad --iterations '%s'\n", optarg);
				return 2;
			}
			break;
		case 'r':
			runs = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || runs < 1 || runs > RUNS_MAX) {
				fprintf(stderr, "decode-bench: --runs must be 1..%d\n", RUNS_MAX);
				return 2;
			}
			break;
		case 'c':
			cpu = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || cpu < 0) {
				fprintf(stderr, "decode-bench: bad --cpu '%s'\n", optarg);
				return 2;
			}
			break;
		case 'p':
			packet_only = true;
			break;
		case 'P':
			prefetch = (unsigned)strtoul(optarg, &end, 10);
			if (*end != '\0' || prefetch > 64) {
				fprintf(stderr, "decode-bench: --prefetch must be 0..64\n");
				return 2;
			}
			break;
		case 'm':
			min_msus = strtoull(optarg, &end, 10);
			if (*end != '\0') {
				fprintf(stderr, "decode-bench: bad --min-msus '%s'\n", optarg);
				return 2;
			}
			break;
		case 't':
			tsv = true;
			break;
		case 'T':
			tsv_file = optarg;
			break;
		case 'H':
			printf("%s\n", tsv_header);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	if (capture_load(argv[optind], &cap) < 0)
		return 2;
	cpu = pin_cpu(cpu);
	if (cpu < 0)
		fprintf(stderr, "decode-bench: cannot pin to a CPU (%s); running unpinned\n",
			strerror(-cpu));

	pkt = aligned_alloc(BENCH_ALIGN, (sizeof(*pkt) + BENCH_ALIGN - 1) & ~(size_t)63);
	msu = aligned_alloc(BENCH_ALIGN, (sizeof(*msu) + BENCH_ALIGN - 1) & ~(size_t)63);
	if (pkt == NULL || msu == NULL) {
		fprintf(stderr, "decode-bench: out of memory\n");
		return 2;
	}

	/* Warm-up pass: counts what one pass decodes, faults the arena in, trains predictors. */
	pass(&cap, packet_only, prefetch, pkt, msu, &warm, &sink);
	if (!packet_only && warm.msus < min_msus) {
		fprintf(stderr, "decode-bench: %s: %llu MSUs decoded per pass, expected >= %llu\n",
			argv[optind], (unsigned long long)warm.msus,
			(unsigned long long)min_msus);
		return 1;
	}
	if (!packet_only && warm.m3ua < min_msus) {
		fprintf(stderr,
			"decode-bench: %s: %llu MSUs with an M3UA header, expected >= %llu\n",
			argv[optind], (unsigned long long)warm.m3ua,
			(unsigned long long)min_msus);
		return 1;
	}
	tsc_hz = tsc_calibrate();

	for (int r = 0; r < runs; r++) {
		double t0, t1;
		uint64_t c0, c1, n = 0;

		t0 = now_s();
		c0 = __rdtsc();
		do {
			uint64_t p0 = __rdtsc(), p1;

			pass(&cap, packet_only, prefetch, pkt, msu, NULL, &sink);
			p1 = __rdtsc();
			if (p1 - p0 < best_pass)
				best_pass = p1 - p0;
			n++;
			t1 = now_s();
		} while (iterations ? n < iterations : t1 - t0 < seconds);
		c1 = __rdtsc();
		run[r].secs = t1 - t0;
		run[r].tsc = c1 - c0;
		run[r].passes = n;
	}

	/* Per-run ns per unit (MSU, or packet with --packet-only); the median run is reported. */
	uint64_t unit = packet_only ? warm.packets : warm.msus;
	double sorted[RUNS_MAX];

	if (unit == 0) {
		fprintf(stderr, "decode-bench: %s: nothing to measure (0 %s per pass)\n",
			argv[optind], packet_only ? "packets" : "MSUs");
		return 1;
	}
	for (int r = 0; r < runs; r++) {
		ns_msu[r] = run[r].secs * 1e9 / ((double)run[r].passes * (double)unit);
		sorted[r] = ns_msu[r];
	}
	qsort(sorted, (size_t)runs, sizeof(sorted[0]), cmp_double);
	med = 0;
	for (int r = 0; r < runs; r++) {
		if (ns_msu[r] == sorted[runs / 2]) {
			med = r;
			break;
		}
	}
	double units = (double)run[med].passes * (double)unit;
	double ns_unit = ns_msu[med];
	double ns_pkt = run[med].secs * 1e9 / ((double)run[med].passes * (double)warm.packets);
	double cyc_unit = (double)run[med].tsc / units;
	double per_s = units / run[med].secs;
	/* The fastest single pass: what the code costs when nothing else ran on the core. */
	double best_ns = (double)best_pass / tsc_hz * 1e9 / (double)unit;

	char line[1024];

	snprintf(line, sizeof(line),
		 "%s\t%zu\t%llu\t%llu\t%llu\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.0f\t%.1f\t%.3f\t%.2f\n",
		 argv[optind], cap.nframes, (unsigned long long)unit,
		 (unsigned long long)warm.msu_errors, (unsigned long long)run[med].passes, runs,
		 ns_unit, sorted[0], sorted[runs - 1], ns_pkt, per_s, cyc_unit, tsc_hz * 1e-9,
		 best_ns);
	if (tsv_file != NULL) {
		FILE *f = fopen(tsv_file, "w");

		if (f == NULL || fputs(line, f) == EOF || fclose(f) != 0) {
			fprintf(stderr, "decode-bench: %s: %s\n", tsv_file, strerror(errno));
			return 2;
		}
	}
	if (tsv) {
		fputs(line, stdout);
	} else {
		printf("capture        %s: %zu frames, %.1f MB, link %d\n", argv[optind],
		       cap.nframes, (double)cap.arena_len / 1e6, (int)cap.link);
		printf("per pass       %llu packets (%llu malformed), %llu MSUs: %llu M3UA, "
		       "%llu TCAP, %llu MAP, %llu ISUP, %llu malformed\n",
		       (unsigned long long)warm.packets, (unsigned long long)warm.pkt_errors,
		       (unsigned long long)warm.msus, (unsigned long long)warm.m3ua,
		       (unsigned long long)warm.tcap, (unsigned long long)warm.map,
		       (unsigned long long)warm.isup, (unsigned long long)warm.msu_errors);
		printf("runs           %d on CPU %d, median run: %llu passes in %.3f s; "
		       "TSC %.3f GHz; prefetch %u ahead\n", runs, cpu,
		       (unsigned long long)run[med].passes, run[med].secs, tsc_hz * 1e-9, prefetch);
		printf("%-14s %.2f ns (min %.2f, max %.2f over runs; fastest single pass %.2f)\n",
		       packet_only ? "ns/packet" : "ns/MSU", ns_unit, sorted[0], sorted[runs - 1],
		       best_ns);
		if (!packet_only)
			printf("ns/packet      %.2f ns\n", ns_pkt);
		printf("%-14s %.2f M/s\n", packet_only ? "packets/s" : "MSUs/s", per_s * 1e-6);
		printf("%-14s %.1f TSC cycles\n", packet_only ? "cycles/packet" : "cycles/MSU",
		       cyc_unit);
	}
	/* The sink depends on every decode; using it keeps every pass observable. */
	if (sink == 1)
		fprintf(stderr, "\n");
	free(pkt);
	free(msu);
	free(cap.arena);
	free(cap.frames);
	return 0;
}
