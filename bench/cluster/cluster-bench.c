/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cluster-bench (issue 16, Performance): replication through a real redis-server, in process:
 * two members A and B (state objects + workers' rings + replicators) and a local Redis.
 *
 *   overhead    ns per dialogue insert by a worker without a ring and with one (drained by A's
 *               replicator): what replication adds to the worker
 *   lag         a dialogue opened on A, B spinning until it knows it: end-to-end lag p50/p99,
 *               idle and under a background load of --rate deltas/s from a second worker
 *   throughput  a worker pushing as fast as it can for --seconds: deltas/s A sends and B
 *               applies through one Redis (the carrying limit of one Redis for one sender)
 *   warm        a new member C loads the warm copy of what A holds: entries and entries/s
 *
 *   cluster-bench [--runs N] [--probes N] [--rate N] [--seconds S] [--tsv]
 *
 * Medians over the runs. A benchmark, not a test: it prints figures.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "control/cluster/cluster.h"
#include "dataplane/state/state.h"
#include "tests/cluster/redis_fixture.h"
#include "tests/common/bench_util.h"

#define RING	  (1u << 16)
#define GT_INSIDE 0x3658111111120000ull

static int port;

struct member {
	struct sw_state st;
	void *mem[2];
	struct sw_state_ring *ring[2];
	struct sw_state_ctx ctx[2]; /* worker 0 (probes), worker 1 (load) */
	struct sw_cluster *c;
};

static int
member_init(struct member *m, const char *group, const char *name, bool start)
{
	struct sw_state_config cfg = {
		.dialogues = 1u << 21, .sms = 1024, .subscribers = 1024, .max_workers = 4};
	struct sw_cluster_conf conf;

	memset(m, 0, sizeof(*m));
	if (sw_state_create_anon(&cfg, &m->st) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		if (posix_memalign(&m->mem[i], 64, sw_state_ring_bytes(RING)) != 0)
			return -1;
		m->ring[i] = sw_state_ring_init(m->mem[i], RING);
		sw_state_ctx_init(&m->ctx[i], &m->st, (unsigned)i, m->ring[i]);
	}
	memset(&conf, 0, sizeof(conf));
	snprintf(conf.group, sizeof(conf.group), "%s", group);
	snprintf(conf.member, sizeof(conf.member), "%s", name);
	snprintf(conf.host, sizeof(conf.host), "127.0.0.1");
	conf.port = port;
	conf.timeout_ms = 2000; /* a loaded shared machine: slow is not down here */
	m->c = sw_cluster_new(&conf, NULL, &m->st, m->ring, 2);
	if (m->c == NULL || (start && sw_cluster_start(m->c) < 0))
		return -1;
	return 0;
}

static void
member_fini(struct member *m)
{
	sw_cluster_free(m->c);
	sw_state_close(&m->st);
	free(m->mem[0]);
	free(m->mem[1]);
}

static void
open_dialogue(struct sw_state_ctx *ctx, uint32_t tid)
{
	struct sw_state_key k;

	sw_state_key_dialogue(ctx->st, &k, tid, 4, GT_INSIDE);
	sw_state_dialogue_open(ctx, &k, true, false, sw_bench_real_ns(), NULL);
}

static bool
known(struct sw_state_ctx *ctx, uint32_t tid)
{
	struct sw_state_key k;

	sw_state_key_dialogue(ctx->st, &k, tid, 4, GT_INSIDE);
	return sw_state_dialogue_get(ctx, &k, sw_bench_real_ns(), NULL) == SW_STATE_WHY_NONE;
}

/* ---- background load: worker 1 of A at `rate` deltas/s (0: as fast as the ring takes) --- */

struct load {
	struct sw_state_ctx *ctx;
	double rate;
	atomic_bool stop;
	uint64_t pushed;
	uint32_t tid;
};

static void *
load_main(void *arg)
{
	struct load *l = arg;
	uint64_t t0 = sw_bench_real_ns();

	while (!atomic_load(&l->stop)) {
		if (l->rate > 0) {
			double el = (double)(sw_bench_real_ns() - t0);
			uint64_t due = (uint64_t)(el * l->rate / 1e9);

			if (l->pushed >= due) {
				usleep(100);
				continue;
			}
		}
		for (int i = 0; i < 64; i++)
			open_dialogue(l->ctx, l->tid++);
		l->pushed += 64;
	}
	return NULL;
}

/* ---- phases --------------------------------------------------------------------------- */

/* A consumer that drains a ring as the replicator's tx thread does (without Redis): what the
 * worker pays is the push and the sharing of the ring's lines with a reader. */
struct drain {
	struct sw_state_ring *ring;
	atomic_bool stop;
};

static void *
drain_main(void *arg)
{
	struct drain *d = arg;
	struct sw_state_delta buf[256];

	while (!atomic_load(&d->stop))
		if (sw_state_ring_pop(d->ring, buf, 256) == 0)
			usleep(1000);
	return NULL;
}

/* ns per dialogue insert on identical fresh objects, without a ring and with one (drained),
 * alternated three times; the medians. */
static void
overhead(unsigned n, double *no_ring, double *with_ring)
{
	struct sw_state_config cfg = {
		.dialogues = 1u << 20, .sms = 1024, .subscribers = 1024, .max_workers = 4};
	double v0[3], v1[3];

	for (int round = 0; round < 3; round++) {
		for (int with = 0; with < 2; with++) {
			struct sw_state st;
			struct sw_state_ctx ctx;
			struct drain d = {0};
			void *mem = NULL;
			pthread_t th;
			uint64_t t;

			sw_state_create_anon(&cfg, &st);
			if (with) {
				if (posix_memalign(&mem, 64, sw_state_ring_bytes(RING)) != 0)
					abort();
				d.ring = sw_state_ring_init(mem, RING);
				pthread_create(&th, NULL, drain_main, &d);
			}
			sw_state_ctx_init(&ctx, &st, 0, d.ring);
			t = sw_bench_cpu_ns();
			for (unsigned i = 0; i < n; i++)
				open_dialogue(&ctx, 0x10000000u + i);
			(with ? v1 : v0)[round] = (double)(sw_bench_cpu_ns() - t) / n;
			if (with) {
				atomic_store(&d.stop, true);
				pthread_join(th, NULL);
				free(mem);
			}
			sw_state_close(&st);
		}
	}
	*no_ring = sw_bench_median(v0, 3);
	*with_ring = sw_bench_median(v1, 3);
}

static void
lag(struct member *a, struct member *b, unsigned probes, uint32_t base, double *p50, double *p99)
{
	uint64_t *v = calloc(probes, sizeof(*v));
	unsigned got = 0;

	for (unsigned i = 0; i < probes; i++) {
		uint32_t tid = base + i;
		uint64_t t0 = sw_bench_real_ns(), t;

		open_dialogue(&a->ctx[0], tid);
		/* Polled every 20 us, not spun: two cores carry Redis, both replicators and
		 * this thread. */
		while (!known(&b->ctx[0], tid) && sw_bench_real_ns() - t0 < 2000000000ull)
			usleep(20);
		t = sw_bench_real_ns() - t0;
		if (t < 2000000000ull)
			v[got++] = t;
	}
	qsort(v, got, sizeof(*v), sw_bench_cmp_u64);
	*p50 = got ? v[got / 2] / 1e3 : -1;
	*p99 = got ? v[(size_t)(got * 0.99)] / 1e3 : -1;
	free(v);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"runs", required_argument, NULL, 'r'}, {"probes", required_argument, NULL, 'p'},
		{"rate", required_argument, NULL, 'R'}, {"seconds", required_argument, NULL, 's'},
		{"tsv", no_argument, NULL, 't'},	{NULL, 0, NULL, 0},
	};
	unsigned runs = 5, probes = 500, seconds = 3;
	double rate = 100000;
	bool tsv = false;
	int o;
	pid_t redis;
	enum { OV0, OV1, L50, L99, LL50, LL99, TXS, RXS, LOST, WARM, WARMS, NF };
	static const char *const names[NF] = {
		"insert_ns_no_ring", "insert_ns_ring",	"lag_idle_p50_us",    "lag_idle_p99_us",
		"lag_load_p50_us",   "lag_load_p99_us", "sent_per_s",	      "applied_per_s",
		"ring_lost_per_s",   "warm_entries",	"warm_entries_per_s",
	};
	double fig[NF][16];

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'r':
			runs = (unsigned)atoi(optarg);
			break;
		case 'p':
			probes = (unsigned)atoi(optarg);
			break;
		case 'R':
			rate = atof(optarg);
			break;
		case 's':
			seconds = (unsigned)atoi(optarg);
			break;
		case 't':
			tsv = true;
			break;
		default:
			return 2;
		}
	}
	if (runs == 0 || runs > 16 || probes == 0) {
		fprintf(stderr, "cluster-bench: --runs 1..16, --probes > 0\n");
		return 2;
	}
	if (redis_fixture_binary() == NULL) {
		printf("SKIP: redis-server not installed (scripts/deps.sh installs it)\n");
		return 77;
	}
	port = redis_fixture_port();
	redis = redis_fixture_start(port);
	if (redis < 0) {
		fprintf(stderr, "cluster-bench: cannot start redis-server on port %d\n", port);
		return 1;
	}
	for (unsigned run = 0; run < runs; run++) {
		struct member a, b, c;
		struct load l = {0};
		struct sw_cluster_stats sa0, sa1, sb0, sb1, sc;
		pthread_t th;
		char group[32];
		uint64_t t0;

		snprintf(group, sizeof(group), "bench%d-%u", (int)getpid(), run);
		if (member_init(&a, group, "A", true) < 0 ||
		    member_init(&b, group, "B", true) < 0 || !sw_cluster_wait_ready(a.c, 10000) ||
		    !sw_cluster_wait_ready(b.c, 10000)) {
			fprintf(stderr, "cluster-bench: members not ready\n");
			redis_fixture_stop(redis);
			return 1;
		}
		overhead(200000, &fig[OV0][run], &fig[OV1][run]);
		usleep(300000);
		lag(&a, &b, probes, 0x20000000u, &fig[L50][run], &fig[L99][run]);

		l.ctx = &a.ctx[1];
		l.rate = rate;
		l.tid = 0x30000000u;
		pthread_create(&th, NULL, load_main, &l);
		usleep(200000);
		lag(&a, &b, probes, 0x28000000u, &fig[LL50][run], &fig[LL99][run]);
		atomic_store(&l.stop, true);
		pthread_join(th, NULL);

		/* Throughput: as fast as the worker can push. */
		usleep(300000);
		sw_cluster_stats(a.c, &sa0);
		sw_cluster_stats(b.c, &sb0);
		memset(&l, 0, sizeof(l));
		l.ctx = &a.ctx[1];
		l.tid = 0x40000000u;
		t0 = sw_bench_real_ns();
		pthread_create(&th, NULL, load_main, &l);
		sleep(seconds);
		atomic_store(&l.stop, true);
		pthread_join(th, NULL);
		{
			double s = (double)(sw_bench_real_ns() - t0) / 1e9;

			sw_cluster_stats(a.c, &sa1);
			sw_cluster_stats(b.c, &sb1);
			fig[TXS][run] = (double)(sa1.sent - sa0.sent) / s;
			fig[RXS][run] = (double)(sb1.applied - sb0.applied) / s;
			fig[LOST][run] = (double)(sa1.ring_lost - sa0.ring_lost) / s;
		}
		/* Let B catch up, then a new member loads the warm copy. */
		for (int i = 0; i < 200; i++) {
			sw_cluster_stats(b.c, &sb1);
			sw_cluster_stats(a.c, &sa1);
			if (sb1.received + sb1.rx_gap >= sa1.sent + sa1.dumped)
				break;
			usleep(50000);
		}
		if (member_init(&c, group, "C", false) < 0) {
			redis_fixture_stop(redis);
			return 1;
		}
		t0 = sw_bench_real_ns();
		sw_cluster_start(c.c);
		sw_cluster_wait_ready(c.c, 60000);
		sw_cluster_stats(c.c, &sc);
		fig[WARM][run] = (double)sc.warm_loaded;
		fig[WARMS][run] =
			(double)sc.warm_loaded / ((double)(sw_bench_real_ns() - t0) / 1e9);
		if (!tsv)
			printf("run %u: insert %.0f / %.0f ns (no ring / ring), lag idle p50 %.0f "
			       "p99 "
			       "%.0f us, under %.0f/s p50 %.0f p99 %.0f us, sent %.0f/s applied "
			       "%.0f/s "
			       "ring lost %.0f/s, warm %.0f entries at %.0f/s\n",
			       run, fig[OV0][run], fig[OV1][run], fig[L50][run], fig[L99][run],
			       rate, fig[LL50][run], fig[LL99][run], fig[TXS][run], fig[RXS][run],
			       fig[LOST][run], fig[WARM][run], fig[WARMS][run]);
		fflush(stdout);
		member_fini(&c);
		member_fini(&a);
		member_fini(&b);
		{
			/* Empty Redis between runs (each run its own group anyway). */
			struct timeval tv = {.tv_sec = 5};
			redisContext *r = redisConnectWithTimeout("127.0.0.1", port, tv);

			if (r != NULL && !r->err)
				freeReplyObject(redisCommand(r, "FLUSHALL"));
			if (r != NULL)
				redisFree(r);
		}
	}
	redis_fixture_stop(redis);
	printf("medians of %u runs (load %.0f deltas/s, %u probes):\n", runs, rate, probes);
	for (int f = 0; f < NF; f++) {
		double m = sw_bench_median(fig[f], runs);

		printf("  %-20s %12.1f\n", names[f], m);
		if (tsv)
			printf("TSV\t%s\t%.1f\n", names[f], m);
	}
	printf("  %-20s %12.3f\n", "ring_overhead_ratio",
	       sw_bench_median(fig[OV1], runs) / sw_bench_median(fig[OV0], runs));
	if (tsv)
		printf("TSV\tring_overhead_ratio\t%.3f\n",
		       sw_bench_median(fig[OV1], runs) / sw_bench_median(fig[OV0], runs));
	return 0;
}
