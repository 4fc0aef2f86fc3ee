/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * state-bench (issue 15, Performance): the stateful tables of dataplane/state sized 1M dialogues
 * + 1M subscribers (+ the default 256k SMS IMSIs), filled to a load factor; ns per operation for
 * lookup hit / miss and insert, one at a time (each a cache miss) and in bursts of 32 with the
 * buckets prefetched (what a worker does); a dialogue/SMS/location mix in ns per MSU on one
 * thread and on two threads sharing the object (scaling ratio); the object's size. Medians of
 * --runs runs. Not a timed test: it prints figures and the goals beside them.
 *
 *   state-bench [--dialogues N] [--subscribers N] [--fill F] [--ops N] [--runs N] [--tsv]
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dataplane/state/state.h"
#include "tests/common/bench_util.h"

#define BURST 32
#define S SW_STATE_NS_PER_S
#define T0 (1700000000ull * S)
#define HLR_GT 0x36566811000000ull /* any packed-digits-like key */

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

struct opts {
	uint32_t dialogues, subscribers;
	double fill;
	unsigned ops, runs;
	int tsv, private_mem;
};

/* Keys of the prefilled entries: dialogue i = (TID i, a GT of 64 inside nodes); IMSI i. */
static void
dkey(struct sw_state *st, struct sw_state_key *k, uint64_t i)
{
	sw_state_key_dialogue(st, k, (uint32_t)mix64(i), 4, HLR_GT + (i & 63));
}

static void
lkey(struct sw_state *st, struct sw_state_key *k, uint64_t i)
{
	sw_state_key_imsi(st, k, SW_STATE_T_LOCATION, 639020000000000ull + i);
}

static volatile uint64_t sink;

/* ------------------------------------------------------------------------------------------ */
/* Single-operation figures                                                                   */

enum op { OP_HIT, OP_MISS, OP_INSERT, OP_LOC_HIT, OP_COUNT };
static const char *const op_name[OP_COUNT] = {"dialogue lookup hit", "dialogue lookup miss",
					      "dialogue insert", "location lookup hit"};

static uint64_t
do_op(struct sw_state_ctx *ctx, enum op op, const struct sw_state_key *k)
{
	switch (op) {
	case OP_INSERT:
		return (uint64_t)sw_state_dialogue_open(ctx, k, true, false, T0 + S, NULL);
	case OP_LOC_HIT:
		return sw_state_location_get(ctx, k, T0 + S, NULL);
	default:
		return sw_state_dialogue_get(ctx, k, T0 + S, NULL);
	}
}

static void
op_key(struct sw_state *st, enum op op, struct sw_state_key *k, uint64_t r, uint64_t filled,
       uint64_t *next_new)
{
	switch (op) {
	case OP_HIT:
		dkey(st, k, r % filled);
		break;
	case OP_MISS:
		dkey(st, k, (1ull << 40) + r);
		break;
	case OP_INSERT:
		dkey(st, k, (*next_new)++);
		break;
	default:
		lkey(st, k, r % filled);
		break;
	}
}

/* ns per op of `op` over n ops (key hashing included). One at a time: each op waits for its
 * bucket. Burst: 32 keys hashed and their buckets prefetched, then the 32 ops. */
static double
run_op(struct sw_state_ctx *ctx, enum op op, unsigned n, uint64_t filled, uint64_t *next_new,
       int burst)
{
	struct sw_state *st = ctx->st;
	struct sw_state_key k[BURST];
	uint64_t t0 = sw_bench_cpu_ns(), acc = 0, salt = sw_bench_mono_ns();

	if (!burst) {
		for (unsigned i = 0; i < n; i++) {
			op_key(st, op, &k[0], mix64(salt + i), filled, next_new);
			acc += do_op(ctx, op, &k[0]);
		}
	} else {
		for (unsigned base = 0; base < n; base += BURST) {
			unsigned m = n - base < BURST ? n - base : BURST;

			for (unsigned j = 0; j < m; j++) {
				op_key(st, op, &k[j], mix64(salt + base + j), filled, next_new);
				sw_state_prefetch(st, &k[j]);
			}
			for (unsigned j = 0; j < m; j++)
				sw_state_prefetch_entry(st, &k[j]);
			for (unsigned j = 0; j < m; j++)
				acc += do_op(ctx, op, &k[j]);
		}
	}
	sink += acc;
	return (double)(sw_bench_cpu_ns() - t0) / n;
}

/* ------------------------------------------------------------------------------------------ */
/* The mix: what a worker does per MSU, in bursts of 32 with prefetch                          */

/*
 * Per 10 MSUs: 3 Begins from inside (dialogue insert), 2 Continues from outside (lookup hit +
 * insert of the peer's OTID, refresh path), 2 Ends from outside (close, a locked hit), 1 USSD /
 * location-bound operation (location lookup), 1 SRI-SM result (SMS record) and 1 MT-FSM (SMS
 * lookup). Every MSU is a state operation; real traffic has MSUs with none (ISUP, Begins from
 * outside answered statelessly), so this is the dearer side.
 */
enum mix_kind { M_BEGIN, M_CONTINUE, M_END, M_LOC, M_SRI, M_MTFSM };
static const enum mix_kind mix_pattern[10] = {M_BEGIN,	  M_CONTINUE, M_BEGIN, M_END, M_LOC,
					      M_BEGIN,	  M_CONTINUE, M_SRI,   M_END, M_MTFSM};

struct mix_arg {
	struct sw_state *st;
	unsigned worker, n;
	uint64_t id_base;
	double ns_per_msu;
	uint64_t filled_subs;
};

static void *
mix_run(void *varg)
{
	struct mix_arg *a = varg;
	struct sw_state_ctx ctx;
	struct sw_state_key k[BURST], k2[BURST];
	enum sw_state_why why;
	uint64_t opened = 0, closed = 0, msu = 0, t0, acc = 0;

	sw_state_ctx_init(&ctx, a->st, a->worker, NULL);
	t0 = sw_bench_cpu_ns();
	for (unsigned base = 0; base < a->n; base += BURST) {
		unsigned m = a->n - base < BURST ? a->n - base : BURST;
		uint64_t now = T0 + 2 * S + (msu + BURST) * 1000; /* 1M MSU/s */

		for (unsigned j = 0; j < m; j++, msu++) {
			uint64_t r = mix64(msu + a->id_base);
			/* Continues and Ends go to dialogues opened ~300 MSUs earlier. */
			uint64_t old = opened > 256 ? opened - 256 + (r % 64) : 0;

			switch (mix_pattern[msu % 10]) {
			case M_BEGIN:
				dkey(a->st, &k[j], a->id_base + opened++);
				break;
			case M_CONTINUE:
				dkey(a->st, &k[j], a->id_base + old);
				sw_state_key_dialogue(a->st, &k2[j], (uint32_t)r, 4, 0x44770090ull);
				sw_state_prefetch(a->st, &k2[j]);
				break;
			case M_END:
				dkey(a->st, &k[j], a->id_base + (closed++ % (opened ? opened : 1)));
				break;
			case M_LOC:
				lkey(a->st, &k[j], r % a->filled_subs);
				break;
			case M_MTFSM:
			case M_SRI:
				sw_state_key_imsi(a->st, &k[j], SW_STATE_T_SMS,
						  639020000000000ull + r % 4096);
				break;
			}
			sw_state_prefetch(a->st, &k[j]);
		}
		for (unsigned j = 0; j < m; j++)
			sw_state_prefetch_entry(a->st, &k[j]);
		for (unsigned j = 0; j < m; j++) {
			uint64_t i = msu - m + j;
			struct sw_state_sms_result res[SW_STATE_SMS_RESULTS];

			switch (mix_pattern[i % 10]) {
			case M_BEGIN:
				acc += (uint64_t)sw_state_dialogue_open(&ctx, &k[j], true, false, now,
									 NULL);
				break;
			case M_CONTINUE:
				acc += sw_state_dialogue_get(&ctx, &k[j], now, NULL);
				acc += (uint64_t)sw_state_dialogue_open(&ctx, &k2[j], false, true, now,
									 NULL);
				break;
			case M_END:
				acc += (uint64_t)sw_state_dialogue_close(&ctx, &k[j], true, now, &why);
				break;
			case M_LOC:
				acc += sw_state_location_get(&ctx, &k[j], now, NULL);
				break;
			case M_SRI:
				acc += (uint64_t)sw_state_sms_record(&ctx, &k[j], 0x44770090ull, 1,
								      now);
				break;
			case M_MTFSM:
				acc += sw_state_sms_get(&ctx, &k[j], now, res, &why);
				break;
			}
		}
	}
	a->ns_per_msu = (double)(sw_bench_cpu_ns() - t0) / a->n;
	sink += acc;
	return NULL;
}

static void
usage(void)
{
	fprintf(stderr, "usage: state-bench [--dialogues N] [--subscribers N] [--fill F] "
			"[--ops N] [--runs N] [--private] [--tsv]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct opts o = {.dialogues = 1u << 20, .subscribers = 1u << 20, .fill = 0.75,
			 .ops = 2000000, .runs = 5};
	struct sw_state st;
	struct sw_state_ctx ctx;
	struct sw_state_key k;
	uint64_t filled_d, filled_l, next_new, t0;
	double one[OP_COUNT][16], bur[OP_COUNT][16], mix1[16], mix2[16], scale[16], wall2[16];
	double med_one[OP_COUNT], med_bur[OP_COUNT], fill_ns;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--tsv"))
			o.tsv = 1;
		else if (!strcmp(argv[i], "--private"))
			o.private_mem = 1;
		else if (i + 1 >= argc)
			usage();
		else if (!strcmp(argv[i], "--dialogues"))
			o.dialogues = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--subscribers"))
			o.subscribers = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--fill"))
			o.fill = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "--ops"))
			o.ops = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--runs"))
			o.runs = (unsigned)strtoul(argv[++i], NULL, 0);
		else
			usage();
	}
	if (o.runs == 0 || o.runs > 16 || o.fill <= 0 || o.fill > 1 || o.ops < BURST)
		usage();

	struct sw_state_config cfg = {.dialogues = o.dialogues, .subscribers = o.subscribers};
	rc = o.private_mem ? sw_state_create_private(&cfg, &st) : sw_state_create_anon(&cfg, &st);
	if (rc < 0) {
		fprintf(stderr, "state-bench: %s\n", strerror(-rc));
		return 1;
	}
	sw_state_ctx_init(&ctx, &st, 0, NULL);
	printf("object: %.1f MiB for %llu dialogues + %llu subscribers + %llu SMS IMSIs "
	       "(goal: 1M + 1M <= 256 MiB)\n",
	       (double)st.len / (1 << 20),
	       (unsigned long long)sw_state_capacity(&st, SW_STATE_T_DIALOGUE),
	       (unsigned long long)sw_state_capacity(&st, SW_STATE_T_LOCATION),
	       (unsigned long long)sw_state_capacity(&st, SW_STATE_T_SMS));

	/* Fill (also faults the pages in, so no run pays for first touches). */
	filled_d = (uint64_t)(o.fill * sw_state_capacity(&st, SW_STATE_T_DIALOGUE));
	filled_l = (uint64_t)(o.fill * sw_state_capacity(&st, SW_STATE_T_LOCATION));
	t0 = sw_bench_cpu_ns();
	for (uint64_t i = 0; i < filled_d; i++) {
		dkey(&st, &k, i);
		sw_state_dialogue_open(&ctx, &k, true, false, T0, NULL);
	}
	for (uint64_t i = 0; i < filled_l; i++) {
		lkey(&st, &k, i);
		sw_state_location_record(&ctx, &k, 1, 0x4742, 2, 3, 1, T0);
	}
	fill_ns = (double)(sw_bench_cpu_ns() - t0) / (double)(filled_d + filled_l);
	printf("filled to %.0f%%: %llu dialogues, %llu locations (%.1f ns per insert while "
	       "filling)\n",
	       o.fill * 100, (unsigned long long)sw_state_count(&st, SW_STATE_T_DIALOGUE, T0 + S),
	       (unsigned long long)sw_state_count(&st, SW_STATE_T_LOCATION, T0 + S), fill_ns);

	next_new = 1ull << 41;
	for (unsigned r = 0; r < o.runs; r++) {
		for (unsigned op = 0; op < OP_COUNT; op++) {
			one[op][r] = run_op(&ctx, op, o.ops, op == OP_LOC_HIT ? filled_l : filled_d,
					    &next_new, 0);
			bur[op][r] = run_op(&ctx, op, o.ops, op == OP_LOC_HIT ? filled_l : filled_d,
					    &next_new, 1);
		}
		/* The mix on one thread, then on two sharing the object. */
		struct mix_arg m1 = {.st = &st, .worker = 1, .n = o.ops,
				     .id_base = (1ull << 42) + (uint64_t)r * 3 * o.ops,
				     .filled_subs = filled_l};
		mix_run(&m1);
		struct mix_arg m2[2];
		pthread_t th[2];
		uint64_t w0 = sw_bench_mono_ns();

		for (unsigned t = 0; t < 2; t++) {
			m2[t] = m1;
			m2[t].worker = 2 + t;
			m2[t].id_base = m1.id_base + (1 + t) * o.ops;
			pthread_create(&th[t], NULL, mix_run, &m2[t]);
		}
		for (unsigned t = 0; t < 2; t++)
			pthread_join(th[t], NULL);
		double wall = (double)(sw_bench_mono_ns() - w0);
		mix1[r] = m1.ns_per_msu;
		/* Each thread's CPU ns per MSU while both run on the shared object: the pair's
		 * throughput (1/a + 1/b) over one thread's (1/mix1), as if each had its core. */
		mix2[r] = (m2[0].ns_per_msu + m2[1].ns_per_msu) / 2;
		scale[r] = mix1[r] * (1 / m2[0].ns_per_msu + 1 / m2[1].ns_per_msu);
		wall2[r] = wall / (2.0 * o.ops);
	}
	printf("\n%-24s %14s %18s   (thread CPU time, %s memory)\n", "ns per operation",
	       "one at a time", "burst 32+prefetch", o.private_mem ? "private (THP)" : "shared");
	for (unsigned op = 0; op < OP_COUNT; op++) {
		med_one[op] = sw_bench_median(one[op], o.runs);
		med_bur[op] = sw_bench_median(bur[op], o.runs);
		printf("%-24s %14.1f %18.1f\n", op_name[op], med_one[op], med_bur[op]);
	}
	double mm1 = sw_bench_median(mix1, o.runs), mm2 = sw_bench_median(mix2, o.runs);
	double ms = sw_bench_median(scale, o.runs);
	double smin = scale[0], smax = scale[0];
	for (unsigned r = 1; r < o.runs; r++) {
		smin = scale[r] < smin ? scale[r] : smin;
		smax = scale[r] > smax ? scale[r] : smax;
	}
	printf("\nmix (per MSU, bursts of 32 with prefetch): %.1f ns on one thread (goal <= 25)\n",
	       mm1);
	printf("two threads sharing the object: %.1f ns per MSU each, scaling %.2fx "
	       "(min %.2f, max %.2f; goal >= 1.8); wall time %.1f ns per MSU of the pair\n",
	       mm2, ms, smin, smax, sw_bench_median(wall2, o.runs));
	printf("(CPU time of each thread; load average while running: see run.sh)\n");
	struct sw_state_counters c;
	sw_state_stats(&st, SW_STATE_T_DIALOGUE, &c);
	printf("dialogue counters: %llu inserts, %llu evictions, %llu busy\n",
	       (unsigned long long)atomic_load(&c.inserts),
	       (unsigned long long)atomic_load(&c.evictions),
	       (unsigned long long)atomic_load(&c.busy));
	printf("medians of %u runs, %u operations each\n", o.runs, o.ops);
	if (o.tsv)
		printf("TSV\tobject_mib\t%.1f\thit_ns\t%.1f\tmiss_ns\t%.1f\tinsert_ns\t%.1f\t"
		       "loc_hit_ns\t%.1f\tburst_hit_ns\t%.1f\tburst_miss_ns\t%.1f\t"
		       "burst_insert_ns\t%.1f\tburst_loc_hit_ns\t%.1f\tmix_ns\t%.1f\tmix2_ns\t%.1f\t"
		       "scaling\t%.2f\n",
		       (double)st.len / (1 << 20), med_one[OP_HIT], med_one[OP_MISS],
		       med_one[OP_INSERT], med_one[OP_LOC_HIT], med_bur[OP_HIT], med_bur[OP_MISS],
		       med_bur[OP_INSERT], med_bur[OP_LOC_HIT], mm1, mm2, ms);
	sw_state_close(&st);
	return 0;
}
