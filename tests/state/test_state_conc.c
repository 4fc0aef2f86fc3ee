/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Concurrency of the state tables (dataplane/state): writers on several threads and in two
 * processes (fork, the named shm object) against lock-free readers with a checker: every value a
 * writer stores is a function of one number v (times, GTs, partner, pending UL), so a reader that
 * gets fields of two different writes (a torn read) sees a combination no writer wrote. A
 * self-check proves the checker catches torn reads from a writer that bypasses the bucket lock.
 * And the delta ring carries a workload to a second object while both run: same contents.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dataplane/state/state.h"
#include "dump.h"

#define S SW_STATE_NS_PER_S
#define T0 (1700000000ull * S)
#define NKEYS 24       /* in tables of 64 entries (8 buckets): heavy contention, evictions */
/* Writes per writer; a fifth in sanitizer builds (-O0, ASan, UBSan), to stay within seconds. */
#if defined(__SANITIZE_ADDRESS__)
#define WRITES 30000
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WRITES 30000
#endif
#endif
#ifndef WRITES
#define WRITES 150000
#endif
#define K1 0x9e3779b97f4a7c15ull
#define K2 0xc2b2ae3d27d4eb4full
/* What write v does (location, SMS result, dialogue open, close), and an open's direction. */
#define OP(v) (((v) >> 1) % 4)
#define INSIDE(v) ((unsigned)((v) >> 3) & 1)

/* The values every write derives from v (v > 0). */
static uint32_t
f_partner(uint64_t v)
{
	return (uint32_t)(v * 2654435761u) | 1;
}

static uint16_t
f_country(uint64_t v)
{
	return (uint16_t)(v * 40503u) | 1;
}

static uint64_t
f_vlr(uint64_t v)
{
	return v * K1;
}

static uint64_t
f_cg(uint64_t v)
{
	return v ^ K2;
}

struct shared {
	struct sw_state *st;
	_Atomic int writers_left;
	_Atomic uint64_t torn, hits, reads;
	_Atomic int stop;
};

struct worker_arg {
	struct shared *sh;
	unsigned id;    /* worker index */
	unsigned nwrit; /* writers: 2; v = id + 1 + nwrit * i */
	unsigned writes;
};

static void
write_one(struct sw_state_ctx *ctx, uint64_t v, unsigned key)
{
	struct sw_state *st = ctx->st;
	struct sw_state_key k;
	struct sw_state_pending p = {
		.imsi = f_vlr(v), .vlr = f_cg(v), .partner = f_partner(v), .country = f_country(v),
		.kind = (uint8_t)v,
	};
	enum sw_state_why why;

	switch (OP(v)) {
	case 0:
		sw_state_key_imsi(st, &k, SW_STATE_T_LOCATION, 1000 + key);
		sw_state_location_record(ctx, &k, f_partner(v), f_country(v), f_vlr(v), f_cg(v),
					 (uint8_t)v, T0 + v);
		break;
	case 1:
		sw_state_key_imsi(st, &k, SW_STATE_T_SMS, 1000 + key);
		sw_state_sms_record(ctx, &k, f_vlr(v), f_partner(v), T0 + v);
		break;
	case 2:
		sw_state_key_dialogue(st, &k, key, 4, 77);
		sw_state_dialogue_open(ctx, &k, INSIDE(v), false, T0 + v, &p);
		break;
	default:
		sw_state_key_dialogue(st, &k, key, 4, 77);
		sw_state_dialogue_close(ctx, &k, false, T0 + v, &why);
		break;
	}
}

/* Reads every key of every table once; returns the torn reads found. */
static uint64_t
check_all(struct sw_state_ctx *ctx, uint64_t *hits)
{
	struct sw_state *st = ctx->st;
	struct sw_state_key k;
	uint64_t torn = 0;

	for (unsigned key = 0; key < NKEYS; key++) {
		struct sw_state_location loc;
		struct sw_state_sms_result r[SW_STATE_SMS_RESULTS];
		struct sw_state_dialogue d;
		enum sw_state_why why;
		unsigned n;

		sw_state_key_imsi(st, &k, SW_STATE_T_LOCATION, 1000 + key);
		if (sw_state_location_get(ctx, &k, T0, &loc) == SW_STATE_WHY_NONE) {
			uint64_t v = loc.time - T0;

			(*hits)++;
			torn += loc.imsi != 1000 + key || loc.partner != f_partner(v) ||
				loc.country != f_country(v) || loc.vlr != f_vlr(v) ||
				loc.cg != f_cg(v) || loc.kind != (uint8_t)v || OP(v) != 0;
		}
		sw_state_key_imsi(st, &k, SW_STATE_T_SMS, 1000 + key);
		n = sw_state_sms_get(ctx, &k, T0, r, &why);
		for (unsigned i = 0; i < n; i++) {
			uint64_t v = r[i].time - T0;

			(*hits)++;
			torn += r[i].gt != f_vlr(v) || r[i].partner != f_partner(v) || OP(v) != 1 ||
				(i > 0 && r[i].time >= r[i - 1].time);
		}
		sw_state_key_dialogue(st, &k, key, 4, 77);
		if (sw_state_dialogue_peek(ctx, &k, T0, &d) == SW_STATE_WHY_NONE) {
			uint64_t v = d.opened - T0;

			(*hits)++;
			torn += d.tid != key || d.gt != 77 || d.pending.imsi != f_vlr(v) ||
				d.pending.vlr != f_cg(v) || d.pending.partner != f_partner(v) ||
				d.pending.country != f_country(v) || d.pending.kind != (uint8_t)v ||
				OP(v) != 2 || (d.flags & SW_STATE_DF_INSIDE) != INSIDE(v) ||
				d.expiry != d.opened + SW_STATE_DEFAULT_DIALOGUE_TTL;
		}
	}
	return torn;
}

static void *
writer(void *varg)
{
	struct worker_arg *a = varg;
	struct sw_state_ctx ctx;
	uint64_t x = 0x1234567 + a->id;

	assert_int_equal(sw_state_ctx_init(&ctx, a->sh->st, a->id, NULL), 0);
	for (unsigned i = 0; i < a->writes; i++) {
		uint64_t v = a->id + 1 + (uint64_t)a->nwrit * i;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		write_one(&ctx, v, (unsigned)(x % NKEYS));
	}
	atomic_fetch_sub(&a->sh->writers_left, 1);
	return NULL;
}

static void *
reader(void *varg)
{
	struct worker_arg *a = varg;
	struct sw_state_ctx ctx;
	uint64_t hits = 0, torn = 0, reads = 0;

	assert_int_equal(sw_state_ctx_init(&ctx, a->sh->st, a->id, NULL), 0);
	while (atomic_load(&a->sh->writers_left) > 0 && !atomic_load(&a->sh->stop)) {
		torn += check_all(&ctx, &hits);
		reads++;
	}
	atomic_fetch_add(&a->sh->torn, torn);
	atomic_fetch_add(&a->sh->hits, hits);
	atomic_fetch_add(&a->sh->reads, reads);
	return NULL;
}

static uint64_t
busy(struct sw_state *st)
{
	uint64_t n = 0;

	for (unsigned t = 0; t < SW_STATE_NTABLES; t++) {
		struct sw_state_counters c;

		sw_state_stats(st, t, &c);
		n += atomic_load(&c.busy);
	}
	return n;
}

/* Two writer threads, two reader threads, 64-entry tables. */
static void
test_threads_no_torn_reads(void **state)
{
	struct sw_state st;
	struct shared sh = {.st = &st, .writers_left = 2};
	struct worker_arg a[4];
	pthread_t th[4];
	struct sw_state_ctx ctx;
	uint64_t hits = 0;

	(void)state;
	assert_int_equal(sw_state_create_anon(&(struct sw_state_config){.dialogues = 64, .sms = 64,
									  .subscribers = 64},
					      &st),
			 0);
	for (unsigned i = 0; i < 4; i++) {
		a[i] = (struct worker_arg){.sh = &sh, .id = i, .nwrit = 2, .writes = WRITES};
		assert_int_equal(pthread_create(&th[i], NULL, i < 2 ? writer : reader, &a[i]), 0);
	}
	for (unsigned i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	printf("# threads: %llu full passes, %llu entries checked, %llu busy\n",
	       (unsigned long long)atomic_load(&sh.reads), (unsigned long long)atomic_load(&sh.hits),
	       (unsigned long long)busy(&st));
	assert_int_equal(atomic_load(&sh.torn), 0);
	assert_true(atomic_load(&sh.reads) > 0);
	assert_true(atomic_load(&sh.hits) > 0);
	/* Quiescent: everything consistent, nothing left locked. */
	assert_int_equal(sw_state_ctx_init(&ctx, &st, 5, NULL), 0);
	assert_int_equal(check_all(&ctx, &hits), 0);
	assert_true(hits > 0);
	assert_int_equal(sw_state_recover(&st), 0);
	sw_state_close(&st);
}

/*
 * Self-check: a writer that stores a location's words without the bucket lock produces torn
 * reads, and the checker sees them. Without this, a checker that never fires would prove
 * nothing.
 */
struct unlocked_arg {
	_Atomic uint64_t *e; /* the entry's words */
	_Atomic int stop;
};

static void *
unlocked_writer(void *varg)
{
	struct unlocked_arg *a = varg;

	for (uint64_t i = 0; !atomic_load_explicit(&a->stop, memory_order_relaxed); i++) {
		uint64_t v = 4 * (1 + (i & 1)); /* alternate two complete, valid writes */

		atomic_store_explicit(&a->e[SW_STATE_LW_TIME], T0 + v, memory_order_relaxed);
		atomic_store_explicit(&a->e[SW_STATE_LW_NET],
				      (uint64_t)f_partner(v) | (uint64_t)f_country(v) << 32 |
					      (uint64_t)(uint8_t)v << 48,
				      memory_order_relaxed);
		atomic_store_explicit(&a->e[SW_STATE_LW_VLR], f_vlr(v), memory_order_relaxed);
		atomic_store_explicit(&a->e[SW_STATE_LW_CG], f_cg(v), memory_order_relaxed);
	}
	return NULL;
}

static void
test_checker_catches_unlocked_writer(void **state)
{
	struct sw_state st;
	struct sw_state_ctx ctx;
	struct sw_state_key k;
	struct unlocked_arg a = {0};
	pthread_t th;
	uint64_t torn = 0, hits = 0;
	struct timespec t0, t1;

	(void)state;
	assert_int_equal(sw_state_create_anon(&(struct sw_state_config){.dialogues = 8, .sms = 8, .subscribers = 8}, &st), 0);
	assert_int_equal(sw_state_ctx_init(&ctx, &st, 0, NULL), 0);
	sw_state_key_imsi(&st, &k, SW_STATE_T_LOCATION, 1000);
	assert_int_equal(sw_state_location_record(&ctx, &k, f_partner(4), f_country(4), f_vlr(4),
						  f_cg(4), 4, T0 + 4),
			 0);
	/* One bucket: the entry is in the first way. */
	a.e = (_Atomic uint64_t *)(st.t[SW_STATE_T_LOCATION].buckets +
				   sizeof(struct sw_state_bucket));
	assert_int_equal(atomic_load(&a.e[SW_STATE_W_K0]), 1000);
	assert_int_equal(pthread_create(&th, NULL, unlocked_writer, &a), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (int i = 0; i < 1000; i++)
			torn += check_all(&ctx, &hits);
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while (torn == 0 && t1.tv_sec - t0.tv_sec < 5);
	atomic_store(&a.stop, 1);
	pthread_join(th, NULL);
	sw_state_close(&st);
	if (torn == 0)
		skip(); /* only when the two threads never ran at the same time in 5 s */
	printf("# self-check: %llu torn reads seen from a writer without the lock\n",
	       (unsigned long long)torn);
	assert_true(torn > 0);
}

/* Two processes: the child opens the named object (REUSED) and writes, the parent writes and
 * reads with the checker at the same time; each sees the other's writes and counters. */
static void
test_fork_two_processes(void **state)
{
	struct sw_state_config cfg = {.dialogues = 64, .sms = 64, .subscribers = 64};
	char inst[64];
	struct sw_state st;
	struct sw_state_ctx ctx;
	struct sw_state_counters c;
	uint64_t torn = 0, hits = 0;
	int status;
	pid_t pid;

	(void)state;
	snprintf(inst, sizeof(inst), "t_state_conc_%d", (int)getpid());
	sw_state_unlink(inst);
	assert_int_equal(sw_state_open(inst, &cfg, SW_STATE_F_RECOVER, &st), SW_STATE_CREATED);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sw_state cst;
		struct sw_state_ctx cctx;

		if (sw_state_open(inst, &cfg, 0, &cst) != SW_STATE_REUSED ||
		    sw_state_ctx_init(&cctx, &cst, 1, NULL) != 0)
			_exit(2);
		for (unsigned i = 0; i < WRITES; i++)
			write_one(&cctx, 2 + 2ull * i, i % NKEYS);
		sw_state_close(&cst);
		_exit(0);
	}
	assert_int_equal(sw_state_ctx_init(&ctx, &st, 0, NULL), 0);
	for (unsigned i = 0; i < WRITES; i++) {
		write_one(&ctx, 1 + 2ull * i, (i * 7) % NKEYS);
		if (i % 64 == 0)
			torn += check_all(&ctx, &hits);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	torn += check_all(&ctx, &hits);
	printf("# fork: %llu entries checked, %llu busy\n", (unsigned long long)hits,
	       (unsigned long long)busy(&st));
	assert_int_equal(torn, 0);
	/* The child's counter block (worker 1) is in the parent's view of the object. */
	struct sw_state_ctx child_view;
	assert_int_equal(sw_state_ctx_init(&child_view, &st, 1, NULL), 0);
	assert_true(atomic_load(&child_view.c[SW_STATE_T_LOCATION].inserts) +
			    atomic_load(&child_view.c[SW_STATE_T_LOCATION].updates) >
		    0);
	sw_state_stats(&st, SW_STATE_T_DIALOGUE, &c);
	assert_true(atomic_load(&c.inserts) > 0);
	/* Some entry holds a value only the child wrote (even v). */
	bool child_seen = false;
	for (unsigned key = 0; key < NKEYS && !child_seen; key++) {
		struct sw_state_key k;
		struct sw_state_location loc;

		sw_state_key_imsi(&st, &k, SW_STATE_T_LOCATION, 1000 + key);
		if (sw_state_location_get(&ctx, &k, T0, &loc) == SW_STATE_WHY_NONE)
			child_seen = ((loc.time - T0) & 1) == 0;
	}
	assert_true(child_seen);
	sw_state_close(&st);
	sw_state_unlink(inst);
}

/* ------------------------------------------------------------------------------------------ */
/* Delta ring between a producing worker and an applying thread, running at the same time      */

struct ring_arg {
	struct sw_state *b;
	struct sw_state_ring *ring;
	_Atomic int done;
	uint64_t popped;
};

static void *
applier(void *varg)
{
	struct ring_arg *a = varg;
	struct sw_state_ctx ctx;
	struct sw_state_delta d[64];

	assert_int_equal(sw_state_ctx_init(&ctx, a->b, 0, NULL), 0);
	for (;;) {
		int done = atomic_load(&a->done);
		unsigned n = sw_state_ring_pop(a->ring, d, 64);

		for (unsigned i = 0; i < n; i++)
			assert_true(sw_state_apply(&ctx, &d[i], T0) >= 0);
		a->popped += n;
		if (n == 0 && done)
			break;
	}
	return NULL;
}

static void
test_ring_concurrent_apply(void **state)
{
	struct sw_state_config cfg = {.dialogues = 1 << 16, .sms = 1 << 15, .subscribers = 1 << 15};
	const uint32_t ring_size = 1 << 16;
	struct sw_state a, b;
	struct sw_state_ctx ca;
	struct ring_arg ra = {0};
	pthread_t th;
	void *mem = NULL;
	const unsigned ops = 40000;

	(void)state;
	assert_int_equal(sw_state_create_anon(&cfg, &a), 0);
	assert_int_equal(sw_state_create_anon(&cfg, &b), 0);
	assert_int_equal(posix_memalign(&mem, 64, sw_state_ring_bytes(ring_size)), 0);
	ra.ring = sw_state_ring_init(mem, ring_size);
	ra.b = &b;
	assert_non_null(ra.ring);
	assert_int_equal(sw_state_ctx_init(&ca, &a, 0, ra.ring), 0);
	assert_int_equal(pthread_create(&th, NULL, applier, &ra), 0);
	for (unsigned i = 0; i < ops; i++) {
		/* Keys spread wide (no evictions, which depend on each object's hash key). */
		uint64_t v = 1 + i;
		struct sw_state_key k;
		enum sw_state_why why;
		unsigned key = (unsigned)((v * K1) >> 52); /* 4096 keys */

		switch (v % 4) {
		case 0:
			sw_state_key_imsi(&a, &k, SW_STATE_T_LOCATION, 1000 + key);
			sw_state_location_record(&ca, &k, f_partner(v), f_country(v), f_vlr(v),
						 f_cg(v), 1, T0 + v);
			break;
		case 1:
			sw_state_key_imsi(&a, &k, SW_STATE_T_SMS, 1000 + key);
			sw_state_sms_record(&ca, &k, f_vlr(v), f_partner(v), T0 + v);
			break;
		case 2:
			sw_state_key_dialogue(&a, &k, key, 4, 77);
			sw_state_dialogue_open(&ca, &k, (v >> 2) & 1, (v >> 3) & 1, T0 + v, NULL);
			break;
		default:
			sw_state_key_dialogue(&a, &k, key, 4, 77);
			sw_state_dialogue_close(&ca, &k, false, T0 + v, &why);
			break;
		}
	}
	atomic_store(&ra.done, 1);
	pthread_join(th, NULL);
	assert_int_equal(atomic_load(&ra.ring->lost), 0);
	assert_true(ra.popped > ops / 2);

	struct dump da = dump_all(&a, T0 + ops);
	assert_true(da.n > 1000);
	free(da.d);
	assert_same_contents(&a, &b, T0 + ops);
	for (unsigned t = 0; t < SW_STATE_NTABLES; t++) {
		struct sw_state_counters c;

		sw_state_stats(&a, t, &c);
		assert_int_equal(atomic_load(&c.evictions), 0);
		assert_int_equal(atomic_load(&c.deltas_lost), 0);
	}
	free(mem);
	sw_state_close(&a);
	sw_state_close(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_no_torn_reads),
		cmocka_unit_test(test_checker_catches_unlocked_writer),
		cmocka_unit_test(test_fork_two_processes),
		cmocka_unit_test(test_ring_concurrent_apply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
