/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * state-judge-bench (issue 15, Performance): the state work of the judge per MSU with every
 * shipped state rule, on a realistic roaming mix, through sw_judge_msu as a worker calls it.
 *
 * The mix, flows of hand-built MSUs over a population of home subscribers (tables at the
 * shipped sizes, 1M dialogues, 256k SMS IMSIs, 1M subscribers): a Begin from inside answered by
 * an End from outside (40%), SRI-SM from a partner answered from inside then the MT-FSM (15%),
 * updateLocation from a partner answered from inside (15%), USSD from a partner for a home
 * subscriber (15%), sendAuthenticationInfo from a partner answered from inside (15%); arrival
 * time 2 us apart. Each MSU is built the same way for two images of the shipped policy: with
 * its state rules (patterns/default.conf) and without (patterns/stateless.conf): the state work
 * is the difference, in thread CPU time per MSU. Then two threads, each its own stream of flows
 * and its own judge context, on one shared object: the scaling is 2 x (one thread's state ns) /
 * (the two threads' mean state ns). Medians of --runs runs. Not a timed test.
 *
 *   state-judge-bench SRCROOT [--msus N] [--runs N] [--subscribers N]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "control/compiler/compiler.h"
#include "dataplane/judge/judge.h"
#include "dataplane/policy/image.h"
#include "dataplane/proto/map.h"
#include "tests/common/bench_util.h"
#include "tests/common/msu_build.h"

#define S 1000000000ull
#define T0 (1765000000ull * S)

static const char *const partner_gt[] = { "336090", "491720", "2547220", "447785" };

struct stream {
	uint64_t rng;
	uint64_t now;
	uint32_t subs;
	unsigned step, flow, nsteps;
	uint32_t tid;
	char sub[16], vlr[16];
	int p;
	struct sw_msu m;
};

static uint64_t
next(struct stream *s)
{
	uint64_t x = (s->rng += 0x9e3779b97f4a7c15ull);

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static void
tids(struct sw_msu *m, uint32_t otid, uint32_t dtid)
{
	m->tcap.otid_len = otid != 0 ? 4 : 0;
	m->tcap.dtid_len = dtid != 0 ? 4 : 0;
	for (unsigned i = 0; i < 4; i++) {
		m->tcap.otid[i] = (uint8_t)(otid >> (24 - 8 * i));
		m->tcap.dtid[i] = (uint8_t)(dtid >> (24 - 8 * i));
	}
}

static void
answer(struct sw_msu *m, const char *from, const char *to, uint32_t dtid, int32_t op)
{
	t_map(m, from, to, op, NULL);
	m->tcap.type = SW_TCAP_END;
	tids(m, 0, dtid);
	m->tcap.comp[0].type = SW_COMP_RESULT_LAST;
}

/* The stream's next MSU into s->m; returns its port (0 outside, 1 inside). */
static unsigned
next_msu(struct stream *s)
{
	struct sw_msu *m = &s->m;
	unsigned port = 0;

	s->now += 2000;
	if (s->step >= s->nsteps) {
		uint64_t r = next(s);
		unsigned pick = (unsigned)(r % 100);
		s->flow = pick < 40 ? 0 : pick < 55 ? 1 : pick < 70 ? 2 : pick < 85 ? 3 : 4;
		s->nsteps = (unsigned[]){ 2, 3, 2, 1, 2 }[s->flow];
		s->step = 0;
		s->tid = (uint32_t)(r >> 32) | 1;
		s->p = (int)((r >> 8) % 4);
		snprintf(s->sub, sizeof(s->sub), "65501%010u", (unsigned)((r >> 12) % s->subs));
		/* a subscriber's serving partner follows from the subscriber */
		s->p = (int)(((r >> 12) % s->subs) % 4);
		snprintf(s->vlr, sizeof(s->vlr), "%s%06u", partner_gt[s->p],
			 (unsigned)((r >> 40) % 1000));
	}
	switch (s->flow * 4 + s->step) {
	case 0: /* 0: Begin from inside, End from outside */
		t_map(m, "27820000010", s->vlr, MAP_OP_INSERT_SUBSCRIBER_DATA, s->sub);
		tids(m, s->tid, 0);
		port = 1;
		break;
	case 1:
		answer(m, s->vlr, "27820000010", s->tid, MAP_OP_INSERT_SUBSCRIBER_DATA);
		break;
	case 4: /* 1: SRI-SM from a partner SMSC, answered, then MT-FSM */
		t_map(m, s->vlr, "27820000010", MAP_OP_SEND_ROUTING_INFO_FOR_SM, NULL);
		tids(m, s->tid, 0);
		break;
	case 5:
		answer(m, "27820000010", s->vlr, s->tid, MAP_OP_SEND_ROUTING_INFO_FOR_SM);
		t_digits(&m->map.imsi, s->sub);
		port = 1;
		break;
	case 6:
		t_map(m, s->vlr, "27820000020", MAP_OP_MT_FORWARD_SM, NULL);
		tids(m, s->tid + 1, 0);
		t_digits(&m->map.sm_rp_da, s->sub);
		m->map.sm_rp_da_kind = 0;
		break;
	case 8: /* 2: updateLocation from a partner, answered */
		t_map(m, s->vlr, "27820000010", MAP_OP_UPDATE_LOCATION, s->sub);
		tids(m, s->tid, 0);
		t_digits(&m->map.vlr, s->vlr);
		t_digits(&m->map.msc, s->vlr);
		break;
	case 9:
		answer(m, "27820000010", s->vlr, s->tid, MAP_OP_UPDATE_LOCATION);
		port = 1;
		break;
	case 12: /* 3: USSD from a partner VLR */
		t_map(m, s->vlr, "27820000010", 59, s->sub);
		tids(m, s->tid, 0);
		break;
	case 16: /* 4: sendAuthenticationInfo, answered */
		t_map(m, s->vlr, "27820000010", MAP_OP_SEND_AUTHENTICATION_INFO, s->sub);
		tids(m, s->tid, 0);
		break;
	default:
		answer(m, "27820000010", s->vlr, s->tid, MAP_OP_SEND_AUTHENTICATION_INFO);
		port = 1;
		break;
	}
	s->step++;
	return port;
}

struct job {
	const void *image;
	struct sw_state *st;
	unsigned worker;
	uint64_t seed;
	unsigned msus, subs;
	double ns;       /* CPU ns per MSU */
	uint64_t counts[SW_ST_COUNT];
};

static void *
run_job(void *arg)
{
	struct job *j = arg;
	struct sw_judge_ctx jc = { 0 };
	struct stream *s = calloc(1, sizeof(*s));
	struct sw_pkt pkt;
	uint64_t t0;

	memset(&pkt, 0, sizeof(pkt));
	jc.pctx = sw_policy_ctx_new();
	if (s == NULL || jc.pctx == NULL || sw_policy_ctx_bind(jc.pctx, j->image) < 0 ||
	    sw_judge_state_attach(&jc, j->st, j->worker, 0) < 0) {
		fprintf(stderr, "state-judge-bench: setup failed\n");
		exit(1);
	}
	jc.image = j->image;
	s->rng = j->seed;
	s->now = T0;
	s->subs = j->subs;
	t0 = sw_bench_cpu_ns();
	for (unsigned i = 0; i < j->msus; i++) {
		struct sw_judge_verdict v;
		unsigned port = next_msu(s);
		sw_judge_msu(&jc, &pkt, &s->m, port, s->now, &v);
		for (unsigned c = 0; c < SW_ST_COUNT; c++)
			j->counts[c] += (v.state >> c) & 1;
	}
	j->ns = (double)(sw_bench_cpu_ns() - t0) / j->msus;
	sw_policy_ctx_free(jc.pctx);
	free(s);
	return NULL;
}

/* One run: ns per MSU of image over a fresh object, with nthreads threads. */
static double
measure(const void *image, unsigned nthreads, unsigned msus, unsigned subs, uint64_t seed,
	uint64_t *counts)
{
	struct sw_state st;
	struct sw_state_config cfg = { 0 };
	struct job j[2];
	pthread_t th[2];
	double sum = 0;

	if (sw_state_create_anon(&cfg, &st) < 0) {
		fprintf(stderr, "state-judge-bench: cannot create the state object\n");
		exit(1);
	}
	/* Resident, as a running dataplane's object is: the empty buckets are zeros, writing
	 * zeros faults every page in now instead of on first use inside the measurement. */
	for (unsigned t = 0; t < SW_STATE_NTABLES; t++)
		memset(st.t[t].buckets, 0, (size_t)(st.t[t].mask + 1) * st.t[t].bucket_size);
	for (unsigned t = 0; t < nthreads; t++) {
		memset(&j[t], 0, sizeof(j[t]));
		j[t] = (struct job){ .image = image, .st = &st, .worker = t, .seed = seed + 977 * t,
				     .msus = msus, .subs = subs };
		pthread_create(&th[t], NULL, run_job, &j[t]);
	}
	for (unsigned t = 0; t < nthreads; t++) {
		pthread_join(th[t], NULL);
		sum += j[t].ns;
		for (unsigned c = 0; counts != NULL && c < SW_ST_COUNT; c++)
			counts[c] += j[t].counts[c];
	}
	sw_state_close(&st);
	return sum / nthreads;
}

int
main(int argc, char **argv)
{
	unsigned msus = 2000000, runs = 5, subs = 1000000;
	struct sw_compiled with, without;
	char rp[1024], sp[1024], err[512];
	double d1[16], d2[16], base1[16];
	uint64_t counts[SW_ST_COUNT] = { 0 };

	if (argc < 2) {
		fprintf(stderr, "usage: state-judge-bench SRCROOT [--msus N] [--runs N] "
				"[--subscribers N]\n");
		return 2;
	}
	for (int i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--msus") == 0)
			msus = (unsigned)atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--runs") == 0)
			runs = (unsigned)atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--subscribers") == 0)
			subs = (unsigned)atoi(argv[i + 1]);
	}
	if (runs < 1 || runs > 16 || msus < 1000 || subs < 4)
		return 2;
	snprintf(sp, sizeof(sp), "%s/patterns/site.example.conf", argv[1]);
	snprintf(rp, sizeof(rp), "%s/patterns/default.conf", argv[1]);
	if (sw_compile_files(rp, sp, 1, &with, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	snprintf(rp, sizeof(rp), "%s/patterns/stateless.conf", argv[1]);
	if (sw_compile_files(rp, sp, 1, &without, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	for (unsigned r = 0; r < runs; r++) {
		/* alternating, the same streams for both images */
		base1[r] = measure(without.image, 1, msus, subs, 11 + r, NULL);
		d1[r] = measure(with.image, 1, msus, subs, 11 + r, r == 0 ? counts : NULL) - base1[r];
		double b2 = measure(without.image, 2, msus, subs, 11 + r, NULL);
		d2[r] = measure(with.image, 2, msus, subs, 11 + r, NULL) - b2;
		printf("run %u: judge without state %.1f ns/MSU; state work: 1 thread %.1f ns/MSU, "
		       "2 threads %.1f ns/MSU each\n", r + 1, base1[r], d1[r], d2[r]);
		fflush(stdout);
	}
	qsort(base1, runs, sizeof(double), sw_bench_cmp_double);
	qsort(d1, runs, sizeof(double), sw_bench_cmp_double);
	qsort(d2, runs, sizeof(double), sw_bench_cmp_double);
	printf("mix of %u MSUs per thread, %u home subscribers; conditions that held (run 1):", msus,
	       subs);
	for (unsigned c = 0; c < SW_ST_COUNT; c++)
		printf(" %s %llu", sw_state_cond_names[c], (unsigned long long)counts[c]);
	printf("\nmedian of %u runs: judge without state %.1f ns/MSU, state work %.1f ns/MSU on one "
	       "thread (goal <= 25), %.1f ns/MSU per thread on two; scaling %.2fx (goal >= 1.8)\n",
	       runs, base1[runs / 2], d1[runs / 2], d2[runs / 2],
	       d2[runs / 2] > 0 ? 2.0 * d1[runs / 2] / d2[runs / 2] : 0.0);
	sw_compiled_free(&with);
	sw_compiled_free(&without);
	return 0;
}
