/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * State tables (dataplane/state, issue 15 Deliver 2): keys, the shm object (creation, reuse,
 * re-creation on another layout or size), each table's writes, lookups and expiry, full tables
 * (evictions counted, the eviction ranks), a flood of 1M Begins with random OTIDs, an End for
 * an evicted dialogue, locks left by a dead writer, and the delta ring + apply converging.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "dataplane/state/state.h"
#include "dump.h"

#define S SW_STATE_NS_PER_S

/* Sanitizer builds (-O0, ASan, UBSan) run about 20 times slower: the 1M flood becomes 100k
 * there, so the suite stays within seconds; the main build runs the full million. */
#if defined(__SANITIZE_ADDRESS__)
#define FLOOD 100000
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FLOOD 100000
#endif
#endif
#ifndef FLOOD
#define FLOOD 1000000
#endif
#define T0 (1700000000ull * S)

static char inst[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(inst, sizeof(inst), "t_state_%d", (int)getpid());
	sw_state_unlink(inst);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	sw_state_unlink(inst);
	return 0;
}

static uint64_t
gt(const char *d)
{
	return sw_state_digits_key(d, strlen(d));
}

static uint64_t
ctr(struct sw_state *st, enum sw_state_table t, size_t off)
{
	struct sw_state_counters c;

	sw_state_stats(st, t, &c);
	return atomic_load((_Atomic uint64_t *)((uint8_t *)&c + off));
}

#define CTR(st, t, f) ctr((st), (t), offsetof(struct sw_state_counters, f))

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(void)
{
	/* xorshift64*: deterministic across runs, so a failure reproduces. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static void
test_digits_key(void **state)
{
	char buf[40];

	(void)state;
	assert_int_equal(sw_state_digits_key("", 0), 0);
	assert_int_equal(sw_state_digits_key(NULL, 3), 0);
	/* Exact and distinct: leading zeros, lengths and the TBCD symbols all matter. */
	assert_true(gt("1") != gt("01"));
	assert_true(gt("123") != gt("1230"));
	assert_true(gt("447700900123") != gt("447700900124"));
	assert_int_equal(gt("12*#"), gt("12ab"));
	assert_int_equal(gt("12x"), 0);
	assert_int_equal(sw_state_key_digits(gt("639020000000001"), buf, sizeof(buf)), 15);
	assert_string_equal(buf, "639020000000001");
	assert_int_equal(sw_state_key_digits(gt("0123456789abcde0"), buf, sizeof(buf)), 16);
	assert_string_equal(buf, "0123456789abcde0");
	/* Longer than 16: hashed, top nibble 0 (no packed key has it), not reversible. */
	uint64_t lk = gt("12345678901234567890");
	assert_true(lk != 0 && (lk >> 60) == 0);
	assert_true(lk != gt("12345678901234567891"));
	assert_int_equal(sw_state_key_digits(lk, buf, sizeof(buf)), 0);
}

static void
test_object_lifecycle(void **state)
{
	struct sw_state_config cfg = {.dialogues = 1024, .sms = 256, .subscribers = 512};
	struct sw_state st, st2;
	struct sw_state_ctx ctx;
	struct sw_state_key k;
	struct stat sb;
	char name[SW_STATE_NAME_MAX];
	int fd;

	(void)state;
	assert_int_equal(sw_state_name(name, sizeof(name), "default"), 0);
	assert_string_equal(name, "/sigwall.default.state");
	assert_int_equal(sw_state_name(name, sizeof(name), "a/b"), -EINVAL);
	assert_int_equal(sw_state_name(name, sizeof(name), ""), -EINVAL);

	assert_int_equal(sw_state_open(inst, &cfg, 0, &st), SW_STATE_CREATED);
	assert_int_equal(sw_state_capacity(&st, SW_STATE_T_DIALOGUE), 1024);
	assert_int_equal(sw_state_capacity(&st, SW_STATE_T_SMS), 256);
	assert_int_equal(sw_state_capacity(&st, SW_STATE_T_LOCATION), 512);
	assert_int_equal(st.len, sw_state_size(&cfg));
	assert_int_equal(sw_state_name(name, sizeof(name), inst), 0);
	fd = shm_open(name, O_RDONLY, 0);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &sb), 0);
	close(fd);
	assert_int_equal(sb.st_mode & 0777, 0600);

	/* Something learned survives a close and a re-open (a restart of the dataplane). */
	assert_int_equal(sw_state_ctx_init(&ctx, &st, 0, NULL), 0);
	assert_int_equal(sw_state_ctx_init(&ctx, &st, SW_STATE_MAX_WORKERS, NULL), -EINVAL);
	sw_state_key_dialogue(&st, &k, 0x11223344, 4, gt("447700900001"));
	assert_int_equal(sw_state_dialogue_open(&ctx, &k, true, false, T0, NULL), 0);
	uint64_t key0 = st.key0;
	sw_state_close(&st);

	assert_int_equal(sw_state_open(inst, &cfg, 0, &st), SW_STATE_REUSED);
	assert_int_equal(st.key0, key0);
	assert_int_equal(sw_state_ctx_init(&ctx, &st, 0, NULL), 0);
	sw_state_key_dialogue(&st, &k, 0x11223344, 4, gt("447700900001"));
	assert_int_equal(sw_state_dialogue_get(&ctx, &k, T0 + S, NULL), SW_STATE_WHY_NONE);
	assert_int_equal(CTR(&st, SW_STATE_T_DIALOGUE, inserts), 1);

	/* A second mapping (another process) sees the same object. */
	assert_int_equal(sw_state_open(inst, &cfg, 0, &st2), SW_STATE_REUSED);
	assert_false(sw_state_retired(&st2));

	/* Another size: the object is replaced, empty, and the old mapping learns it is retired. */
	cfg.dialogues = 2048;
	sw_state_close(&st);
	assert_int_equal(sw_state_open(inst, &cfg, 0, &st), SW_STATE_RESIZED);
	assert_true(sw_state_retired(&st2));
	assert_int_equal(sw_state_capacity(&st, SW_STATE_T_DIALOGUE), 2048);
	assert_int_equal(sw_state_count(&st, SW_STATE_T_DIALOGUE, T0), 0);
	assert_true(st.key0 != key0 || st.key1 != st2.key1); /* a new random hash key */
	sw_state_close(&st2);

	/* Another layout version (an upgrade): re-created, said with its own code. */
	st.hdr->version = SW_STATE_LAYOUT_VERSION + 1;
	sw_state_close(&st);
	assert_int_equal(sw_state_open(inst, &cfg, 0, &st), SW_STATE_RECREATED);
	assert_int_equal(st.hdr->version, SW_STATE_LAYOUT_VERSION);
	sw_state_close(&st);
	assert_int_equal(sw_state_open(inst, &cfg, 0, &st), SW_STATE_REUSED);
	sw_state_close(&st);

	/* Garbage of the right size and a truncated object: re-created too. */
	fd = shm_open(name, O_RDWR, 0);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 100), 0);
	close(fd);
	assert_int_equal(sw_state_open(inst, &cfg, 0, &st), SW_STATE_RECREATED);
	memset(st.base + 8, 0x5a, 64);
	sw_state_close(&st);
	assert_int_equal(sw_state_open(inst, &cfg, 0, &st), SW_STATE_RECREATED);
	sw_state_close(&st);
}

static void
test_dialogue_table(void **state)
{
	struct sw_state_config cfg = {.dialogues = 64, .sms = 8, .subscribers = 8, .dialogue_ttl_ns = 10 * S};
	struct sw_state st;
	struct sw_state_ctx ctx;
	struct sw_state_key k, k2, k3;
	struct sw_state_dialogue d;
	struct sw_state_pending p = {.imsi = gt("639020000000001"), .vlr = gt("447700900500"),
				     .partner = 7, .country = 'G' << 8 | 'B', .kind = 1};
	enum sw_state_why why;

	(void)state;
	assert_int_equal(sw_state_create_anon(&cfg, &st), 0);
	assert_int_equal(sw_state_ctx_init(&ctx, &st, 3, NULL), 0);
	sw_state_key_dialogue(&st, &k, 0xab, 1, gt("254700000001"));
	sw_state_key_dialogue(&st, &k2, 0xab, 2, gt("254700000001")); /* 0x00ab: another TID */
	sw_state_key_dialogue(&st, &k3, 0xab, 1, gt("254700000002")); /* another node */
	assert_true(k.hash != k2.hash && k.hash != k3.hash);

	assert_int_equal(sw_state_dialogue_get(&ctx, &k, T0, &d), SW_STATE_WHY_UNKNOWN);
	assert_int_equal(sw_state_dialogue_open(&ctx, &k, true, false, T0, &p), 0);
	assert_int_equal(sw_state_dialogue_get(&ctx, &k, T0 + S, &d), SW_STATE_WHY_NONE);
	assert_int_equal(d.tid, 0xab);
	assert_int_equal(d.tid_len, 1);
	assert_int_equal(d.gt, gt("254700000001"));
	assert_int_equal(d.flags, SW_STATE_DF_INSIDE);
	assert_int_equal(d.opened, T0);
	assert_int_equal(d.expiry, T0 + 10 * S);
	assert_int_equal(d.pending.imsi, p.imsi);
	assert_int_equal(d.pending.vlr, p.vlr);
	assert_int_equal(d.pending.partner, 7);
	assert_int_equal(d.pending.country, 'G' << 8 | 'B');
	assert_int_equal(d.pending.kind, 1);
	assert_int_equal(sw_state_dialogue_get(&ctx, &k2, T0, NULL), SW_STATE_WHY_UNKNOWN);
	assert_int_equal(sw_state_dialogue_get(&ctx, &k3, T0, NULL), SW_STATE_WHY_UNKNOWN);

	/* A refresh with more than half the timeout left writes nothing; later it extends. */
	assert_int_equal(sw_state_dialogue_open(&ctx, &k, true, true, T0 + 2 * S, NULL), 0);
	assert_int_equal(CTR(&st, SW_STATE_T_DIALOGUE, updates), 0);
	assert_int_equal(sw_state_dialogue_open(&ctx, &k, true, true, T0 + 6 * S, NULL), 0);
	assert_int_equal(CTR(&st, SW_STATE_T_DIALOGUE, updates), 1);
	assert_int_equal(sw_state_dialogue_get(&ctx, &k, T0 + 6 * S, &d), SW_STATE_WHY_NONE);
	assert_int_equal(d.opened, T0);
	assert_int_equal(d.expiry, T0 + 16 * S);
	assert_int_equal(d.pending.imsi, p.imsi); /* kept by the refresh */

	/* Expiry: the entry is a miss after it, and its way is reused by the next insert. */
	assert_int_equal(sw_state_dialogue_get(&ctx, &k, T0 + 16 * S, NULL), SW_STATE_WHY_EXPIRED);
	assert_int_equal(CTR(&st, SW_STATE_T_DIALOGUE, miss_expired), 1);

	/* Close: a tombstone; closing twice finds it closed; a new Begin reopens. */
	assert_int_equal(sw_state_dialogue_open(&ctx, &k3, true, false, T0, NULL), 0);
	assert_int_equal(sw_state_dialogue_close(&ctx, &k3, true, T0 + S, &why), 0);
	assert_int_equal(why, SW_STATE_WHY_NONE);
	assert_int_equal(sw_state_dialogue_get(&ctx, &k3, T0 + S, NULL), SW_STATE_WHY_CLOSED);
	assert_int_equal(sw_state_dialogue_peek(&ctx, &k3, T0 + S, &d), SW_STATE_WHY_NONE);
	assert_int_equal(d.flags, SW_STATE_DF_INSIDE | SW_STATE_DF_CLOSED);
	assert_int_equal(sw_state_dialogue_close(&ctx, &k3, true, T0 + S, &why), -ENOENT);
	assert_int_equal(why, SW_STATE_WHY_CLOSED);
	assert_int_equal(sw_state_dialogue_close(&ctx, &k2, true, T0 + S, &why), -ENOENT);
	assert_int_equal(why, SW_STATE_WHY_UNKNOWN);
	assert_int_equal(CTR(&st, SW_STATE_T_DIALOGUE, deletes), 1);
	assert_int_equal(sw_state_dialogue_open(&ctx, &k3, true, false, T0 + 2 * S, NULL), 0);
	assert_int_equal(sw_state_dialogue_get(&ctx, &k3, T0 + 2 * S, NULL), SW_STATE_WHY_NONE);

	/* An outside entry does not match a close that requires an inside one. */
	assert_int_equal(sw_state_dialogue_open(&ctx, &k2, false, false, T0, NULL), 0);
	assert_int_equal(sw_state_dialogue_close(&ctx, &k2, true, T0 + S, &why), -ENOENT);
	assert_int_equal(why, SW_STATE_WHY_NOT_INSIDE);
	/* ... and an outside open never replaces a live inside one (a spoofed Begin). */
	assert_int_equal(sw_state_dialogue_open(&ctx, &k3, false, false, T0 + 3 * S, NULL), 0);
	assert_int_equal(sw_state_dialogue_get(&ctx, &k3, T0 + 3 * S, &d), SW_STATE_WHY_NONE);
	assert_int_equal(d.flags, SW_STATE_DF_INSIDE);
	sw_state_close(&st);
}

static void
test_sms_table(void **state)
{
	struct sw_state_config cfg = {.dialogues = 8, .sms = 64, .subscribers = 8, .sms_window_ns = 60 * S};
	struct sw_state_sms_result r[SW_STATE_SMS_RESULTS];
	struct sw_state st;
	struct sw_state_ctx ctx;
	struct sw_state_key k;
	enum sw_state_why why;

	(void)state;
	assert_int_equal(sw_state_create_anon(&cfg, &st), 0);
	assert_int_equal(sw_state_ctx_init(&ctx, &st, 0, NULL), 0);
	sw_state_key_imsi(&st, &k, SW_STATE_T_SMS, gt("639020000000001"));
	assert_int_equal(sw_state_sms_get(&ctx, &k, T0, r, &why), 0);
	assert_int_equal(why, SW_STATE_WHY_UNKNOWN);
	assert_int_equal(sw_state_sms_record(&ctx, &k, gt("447700900001"), 5, T0), 0);
	assert_int_equal(sw_state_sms_record(&ctx, &k, gt("447700900002"), 6, T0 + 10 * S), 0);
	/* The same result twice is one result. */
	assert_int_equal(sw_state_sms_record(&ctx, &k, gt("447700900002"), 6, T0 + 10 * S), 0);
	assert_int_equal(sw_state_sms_get(&ctx, &k, T0 + 20 * S, r, &why), 2);
	assert_int_equal(why, SW_STATE_WHY_NONE);
	assert_int_equal(r[0].gt, gt("447700900002")); /* newest first */
	assert_int_equal(r[0].partner, 6);
	assert_int_equal(r[0].time, T0 + 10 * S);
	assert_int_equal(r[1].gt, gt("447700900001"));
	/* The window: the first result is out of it at T0 + 61 s, the second still in. */
	assert_int_equal(sw_state_sms_get(&ctx, &k, T0 + 61 * S, r, &why), 1);
	assert_int_equal(r[0].gt, gt("447700900002"));
	assert_int_equal(sw_state_sms_get(&ctx, &k, T0 + 71 * S, r, &why), 0);
	assert_int_equal(why, SW_STATE_WHY_EXPIRED);
	/* Several recent results: the newest SW_STATE_SMS_RESULTS are kept. */
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(sw_state_sms_record(&ctx, &k, 100 + i, 0, T0 + 100 * S + i), 0);
	assert_int_equal(sw_state_sms_get(&ctx, &k, T0 + 101 * S, r, &why), 3);
	assert_int_equal(r[0].gt, 104);
	assert_int_equal(r[1].gt, 103);
	assert_int_equal(r[2].gt, 102);
	/* A result older than what is kept changes nothing. */
	assert_int_equal(sw_state_sms_record(&ctx, &k, 99, 0, T0 + 100 * S - 1), 0);
	assert_int_equal(sw_state_sms_get(&ctx, &k, T0 + 101 * S, r, &why), 3);
	assert_int_equal(r[2].gt, 102);
	assert_int_equal(sw_state_sms_record(&ctx, &k, 99, 0, 0), -EINVAL);
	sw_state_close(&st);
}

static void
test_location_table(void **state)
{
	struct sw_state_config cfg = {.dialogues = 8, .sms = 8, .subscribers = 64, .location_age_ns = 3600 * S};
	struct sw_state st;
	struct sw_state_ctx ctx;
	struct sw_state_key k;
	struct sw_state_location loc;

	(void)state;
	assert_int_equal(sw_state_create_anon(&cfg, &st), 0);
	assert_int_equal(sw_state_ctx_init(&ctx, &st, 0, NULL), 0);
	sw_state_key_imsi(&st, &k, SW_STATE_T_LOCATION, gt("639020000000001"));
	assert_int_equal(sw_state_location_get(&ctx, &k, T0, &loc), SW_STATE_WHY_UNKNOWN);
	assert_int_equal(sw_state_location_record(&ctx, &k, 9, 'G' << 8 | 'B', gt("447700900500"),
						  gt("447700900501"), 1, T0),
			 0);
	assert_int_equal(sw_state_location_get(&ctx, &k, T0 + S, &loc), SW_STATE_WHY_NONE);
	assert_int_equal(loc.imsi, gt("639020000000001"));
	assert_int_equal(loc.partner, 9);
	assert_int_equal(loc.country, 'G' << 8 | 'B');
	assert_int_equal(loc.vlr, gt("447700900500"));
	assert_int_equal(loc.cg, gt("447700900501"));
	assert_int_equal(loc.kind, 1);
	assert_int_equal(loc.time, T0);
	assert_int_equal(loc.expiry, T0 + 3600 * S);
	/* Replaced by a newer one; an older one (late delta) changes nothing. */
	assert_int_equal(sw_state_location_record(&ctx, &k, 11, 'F' << 8 | 'R', 1, 2, 2, T0 + 60 * S),
			 0);
	assert_int_equal(sw_state_location_record(&ctx, &k, 12, 'D' << 8 | 'E', 3, 4, 2, T0 + 30 * S),
			 0);
	assert_int_equal(sw_state_location_get(&ctx, &k, T0 + 61 * S, &loc), SW_STATE_WHY_NONE);
	assert_int_equal(loc.partner, 11);
	assert_int_equal(loc.country, 'F' << 8 | 'R');
	/* Maximum age. */
	assert_int_equal(sw_state_location_get(&ctx, &k, T0 + 3660 * S, &loc), SW_STATE_WHY_EXPIRED);
	assert_int_equal(CTR(&st, SW_STATE_T_LOCATION, hits), 2);
	assert_int_equal(CTR(&st, SW_STATE_T_LOCATION, lookups), 4);
	sw_state_close(&st);
}

/* Tables full: every insert lands, the table holds its capacity, every eviction is counted. */
static void
test_full_tables(void **state)
{
	struct sw_state_config cfg = {.dialogues = 64, .sms = 64, .subscribers = 64};
	struct sw_state st;
	struct sw_state_ctx ctx;
	struct sw_state_key k;
	const unsigned n = 5000;

	(void)state;
	assert_int_equal(sw_state_create_anon(&cfg, &st), 0);
	assert_int_equal(sw_state_ctx_init(&ctx, &st, 1, NULL), 0);
	for (unsigned i = 0; i < n; i++) {
		sw_state_key_dialogue(&st, &k, i, 4, gt("254700000001"));
		assert_int_equal(sw_state_dialogue_open(&ctx, &k, true, false, T0 + i, NULL), 0);
		sw_state_key_imsi(&st, &k, SW_STATE_T_SMS, 1000 + i);
		assert_int_equal(sw_state_sms_record(&ctx, &k, 1, 0, T0 + i), 0);
		sw_state_key_imsi(&st, &k, SW_STATE_T_LOCATION, 1000 + i);
		assert_int_equal(sw_state_location_record(&ctx, &k, 1, 0, 2, 3, 1, T0 + i), 0);
	}
	for (unsigned t = 0; t < SW_STATE_NTABLES; t++) {
		uint64_t live = sw_state_count(&st, t, T0 + n);

		assert_int_equal(live, 64);
		assert_int_equal(CTR(&st, t, inserts), n);
		assert_int_equal(CTR(&st, t, evictions), n - live);
		assert_int_equal(CTR(&st, t, full), 0);
	}
	/* The newest entries survive (the oldest in a bucket goes first). */
	sw_state_key_dialogue(&st, &k, n - 1, 4, gt("254700000001"));
	assert_int_equal(sw_state_dialogue_get(&ctx, &k, T0 + n, NULL), SW_STATE_WHY_NONE);
	/* After the timeout, expired ways are reclaimed without counting evictions. */
	uint64_t ev = CTR(&st, SW_STATE_T_DIALOGUE, evictions);
	for (unsigned i = 0; i < SW_STATE_WAYS; i++) { /* no bucket can overflow */
		sw_state_key_dialogue(&st, &k, 100000 + i, 4, gt("254700000001"));
		assert_int_equal(sw_state_dialogue_open(&ctx, &k, true, false, T0 + 3600 * S, NULL),
				 0);
	}
	assert_int_equal(CTR(&st, SW_STATE_T_DIALOGUE, evictions), ev);
	assert_int_equal(CTR(&st, SW_STATE_T_DIALOGUE, expired), SW_STATE_WAYS);
	sw_state_close(&st);
}

/*
 * A flood of 1M Begins from outside with random OTIDs: the object does not grow, every Begin
 * is counted (inserted, evicting another outside one, or refused as full), and the dialogues
 * sent from inside are never pushed out by it, so their Ends still match.
 */
static void
test_flood_random_otids(void **state)
{
	struct sw_state_config cfg = {.dialogues = 1 << 14, .sms = 8, .subscribers = 8};
	struct sw_state st;
	struct sw_state_ctx ctx;
	struct sw_state_key k;
	const unsigned inside = 1024, flood = FLOOD; /* inside: no bucket gets 9 */
	uint64_t size0;
	unsigned refused = 0;

	(void)state;
	assert_int_equal(sw_state_create_anon(&cfg, &st), 0);
	assert_int_equal(sw_state_ctx_init(&ctx, &st, 0, NULL), 0);
	size0 = st.len;
	for (unsigned i = 0; i < inside; i++) {
		sw_state_key_dialogue(&st, &k, i, 4, gt("254700000001"));
		assert_int_equal(sw_state_dialogue_open(&ctx, &k, true, false, T0, NULL), 0);
	}
	for (unsigned i = 0; i < flood; i++) {
		int rc;

		sw_state_key_dialogue(&st, &k, (uint32_t)rnd(), 4, gt("447700900999"));
		rc = sw_state_dialogue_open(&ctx, &k, false, false, T0 + 1 + i, NULL);
		assert_true(rc == 0 || rc == -ENOSPC);
		refused += rc == -ENOSPC;
	}
	struct sw_state_counters c;

	sw_state_stats(&st, SW_STATE_T_DIALOGUE, &c);
	uint64_t live = sw_state_count(&st, SW_STATE_T_DIALOGUE, T0 + flood);

	assert_int_equal(st.len, size0);
	assert_true(live <= sw_state_capacity(&st, SW_STATE_T_DIALOGUE));
	assert_true(live > sw_state_capacity(&st, SW_STATE_T_DIALOGUE) * 9 / 10);
	/* Every Begin counted: an insert (possibly evicting an outside one), an update (the same
	 * random OTID again while still live) or refused full. */
	assert_int_equal(atomic_load(&c.inserts) + atomic_load(&c.updates) + atomic_load(&c.full),
			 inside + flood);
	assert_int_equal(atomic_load(&c.full), refused);
	assert_int_equal(atomic_load(&c.inserts) - atomic_load(&c.evictions), live);
	assert_true(atomic_load(&c.evictions) > flood / 2);
	printf("# flood: %u Begins with random OTIDs, %llu live, %llu evicted, %u refused\n", flood,
	       (unsigned long long)live, (unsigned long long)atomic_load(&c.evictions), refused);
	for (unsigned i = 0; i < inside; i++) {
		enum sw_state_why why;

		sw_state_key_dialogue(&st, &k, i, 4, gt("254700000001"));
		assert_int_equal(sw_state_dialogue_close(&ctx, &k, true, T0 + flood, &why), 0);
	}
	sw_state_close(&st);
}

/* An End for a dialogue that was evicted: no match, and the reason says evicted, counted. */
static void
test_end_for_evicted(void **state)
{
	struct sw_state_config cfg = {.dialogues = 8, .sms = 8, .subscribers = 8}; /* one bucket */
	struct sw_state st;
	struct sw_state_ctx ctx;
	struct sw_state_key k;
	enum sw_state_why why;

	(void)state;
	assert_int_equal(sw_state_create_anon(&cfg, &st), 0);
	assert_int_equal(sw_state_ctx_init(&ctx, &st, 0, NULL), 0);
	for (unsigned i = 0; i < 9; i++) {
		sw_state_key_dialogue(&st, &k, i, 4, gt("254700000001"));
		assert_int_equal(sw_state_dialogue_open(&ctx, &k, true, false, T0 + i, NULL), 0);
	}
	assert_int_equal(CTR(&st, SW_STATE_T_DIALOGUE, evictions), 1);
	sw_state_key_dialogue(&st, &k, 0, 4, gt("254700000001")); /* the oldest: evicted */
	assert_int_equal(sw_state_dialogue_close(&ctx, &k, true, T0 + 10, &why), -ENOENT);
	assert_int_equal(why, SW_STATE_WHY_EVICTED);
	assert_int_equal(CTR(&st, SW_STATE_T_DIALOGUE, miss_evicted), 1);
	/* Once the evicted entry would have expired anyway, a miss is a plain unknown. */
	assert_int_equal(sw_state_dialogue_close(&ctx, &k, true, T0 + 61 * S, &why), -ENOENT);
	assert_int_equal(why, SW_STATE_WHY_UNKNOWN);
	sw_state_key_dialogue(&st, &k, 8, 4, gt("254700000001"));
	assert_int_equal(sw_state_dialogue_close(&ctx, &k, true, T0 + 10, &why), 0);
	sw_state_close(&st);
}

/* A bucket full of dialogues sent from inside refuses one from outside (counted full) and
 * evicts for one from inside; closed dialogues go first. */
static void
test_eviction_ranks(void **state)
{
	struct sw_state_config cfg = {.dialogues = 8, .sms = 8, .subscribers = 8}; /* one bucket */
	struct sw_state st;
	struct sw_state_ctx ctx;
	struct sw_state_key k;
	enum sw_state_why why;

	(void)state;
	assert_int_equal(sw_state_create_anon(&cfg, &st), 0);
	assert_int_equal(sw_state_ctx_init(&ctx, &st, 0, NULL), 0);
	for (unsigned i = 0; i < SW_STATE_WAYS; i++) {
		sw_state_key_dialogue(&st, &k, i, 4, 1);
		assert_int_equal(sw_state_dialogue_open(&ctx, &k, true, false, T0 + i, NULL), 0);
	}
	sw_state_key_dialogue(&st, &k, 100, 4, 2);
	assert_int_equal(sw_state_dialogue_open(&ctx, &k, false, false, T0 + 100, NULL), -ENOSPC);
	assert_int_equal(CTR(&st, SW_STATE_T_DIALOGUE, full), 1);
	assert_int_equal(CTR(&st, SW_STATE_T_DIALOGUE, evictions), 0);
	/* A closed one makes room for the outside one, without an eviction. */
	sw_state_key_dialogue(&st, &k, 5, 4, 1);
	assert_int_equal(sw_state_dialogue_close(&ctx, &k, true, T0 + 200, &why), 0);
	sw_state_key_dialogue(&st, &k, 100, 4, 2);
	assert_int_equal(sw_state_dialogue_open(&ctx, &k, false, false, T0 + 300, NULL), 0);
	assert_int_equal(CTR(&st, SW_STATE_T_DIALOGUE, evictions), 0);
	/* An inside one evicts the outside one first, then the oldest inside one. */
	sw_state_key_dialogue(&st, &k, 200, 4, 1);
	assert_int_equal(sw_state_dialogue_open(&ctx, &k, true, false, T0 + 400, NULL), 0);
	sw_state_key_dialogue(&st, &k, 100, 4, 2);
	assert_int_equal(sw_state_dialogue_get(&ctx, &k, T0 + 400, NULL), SW_STATE_WHY_UNKNOWN);
	sw_state_key_dialogue(&st, &k, 201, 4, 1);
	assert_int_equal(sw_state_dialogue_open(&ctx, &k, true, false, T0 + 500, NULL), 0);
	sw_state_key_dialogue(&st, &k, 0, 4, 1);
	assert_int_equal(sw_state_dialogue_get(&ctx, &k, T0 + 500, NULL), SW_STATE_WHY_EVICTED);
	sw_state_key_dialogue(&st, &k, 1, 4, 1);
	assert_int_equal(sw_state_dialogue_get(&ctx, &k, T0 + 500, NULL), SW_STATE_WHY_NONE);
	assert_int_equal(CTR(&st, SW_STATE_T_DIALOGUE, evictions), 2);
	sw_state_close(&st);
}

/* A writer that died holding a bucket: nothing stalls (bounded spins, counted busy), and
 * recovery frees the bucket. */
static void
test_dead_writer(void **state)
{
	struct sw_state_config cfg = {.dialogues = 8, .sms = 8, .subscribers = 8};
	struct sw_state st;
	struct sw_state_ctx ctx;
	struct sw_state_key k;
	struct sw_state_bucket *b;

	(void)state;
	assert_int_equal(sw_state_create_anon(&cfg, &st), 0);
	assert_int_equal(sw_state_ctx_init(&ctx, &st, 0, NULL), 0);
	sw_state_key_dialogue(&st, &k, 1, 1, 1);
	assert_int_equal(sw_state_dialogue_open(&ctx, &k, true, false, T0, NULL), 0);
	b = (struct sw_state_bucket *)st.t[SW_STATE_T_DIALOGUE].buckets;
	atomic_fetch_add(&b->seq, 1); /* odd: "locked" by a writer that is gone */
	assert_int_equal(sw_state_dialogue_get(&ctx, &k, T0, NULL), SW_STATE_WHY_BUSY);
	assert_int_equal(sw_state_dialogue_open(&ctx, &k, true, false, T0, NULL), -EBUSY);
	assert_int_equal(CTR(&st, SW_STATE_T_DIALOGUE, busy), 2);
	assert_int_equal(sw_state_recover(&st), 1);
	assert_int_equal(sw_state_dialogue_get(&ctx, &k, T0, NULL), SW_STATE_WHY_UNKNOWN);
	assert_int_equal(sw_state_dialogue_open(&ctx, &k, true, false, T0, NULL), 0);
	assert_int_equal(sw_state_dialogue_get(&ctx, &k, T0, NULL), SW_STATE_WHY_NONE);
	sw_state_close(&st);
}

/* ------------------------------------------------------------------------------------------ */
/* Deltas                                                                                     */

/* A random workload on A through its ring; B applies the deltas: same contents. Applied twice:
 * nothing changes (idempotent). Applied shuffled to C: same contents (order-independent). */
static void
test_delta_convergence(void **state)
{
	struct sw_state_config cfg = {.dialogues = 1 << 16, .sms = 1 << 15, .subscribers = 1 << 15};
	const uint32_t ring_size = 1 << 16;
	struct sw_state a, b, c;
	struct sw_state_ctx ca, cb, cc;
	struct sw_state_ring *ring;
	struct sw_state_key k;
	struct sw_state_delta *log;
	void *mem = NULL;
	unsigned n, ops = 20000;
	uint64_t now = T0;

	(void)state;
	assert_int_equal(posix_memalign(&mem, 64, sw_state_ring_bytes(ring_size)), 0);
	ring = sw_state_ring_init(mem, ring_size);
	assert_non_null(ring);
	assert_null(sw_state_ring_init(mem, 1000));
	assert_int_equal(sw_state_create_anon(&cfg, &a), 0);
	assert_int_equal(sw_state_create_anon(&cfg, &b), 0);
	assert_int_equal(sw_state_create_anon(&cfg, &c), 0);
	assert_int_equal(sw_state_ctx_init(&ca, &a, 0, ring), 0);
	assert_int_equal(sw_state_ctx_init(&cb, &b, 0, NULL), 0);
	assert_int_equal(sw_state_ctx_init(&cc, &c, 0, NULL), 0);

	for (unsigned i = 0; i < ops; i++) {
		uint64_t r = rnd();
		uint32_t tid = (uint32_t)(r >> 8) % 1000;
		uint64_t node = 1000 + (r >> 40) % 8;
		uint64_t imsi = 5000 + (r >> 20) % 2000;
		struct sw_state_pending p = {.imsi = imsi, .vlr = node, .partner = 3, .country = 7};
		enum sw_state_why why;

		now += 1000 + (r & 0xffff);
		switch (r % 6) {
		case 0:
			sw_state_key_dialogue(&a, &k, tid, 4, node);
			sw_state_dialogue_open(&ca, &k, (r >> 3) & 1, false, now,
					       (r >> 4) & 1 ? &p : NULL);
			break;
		case 1:
			sw_state_key_dialogue(&a, &k, tid, 4, node);
			sw_state_dialogue_open(&ca, &k, (r >> 3) & 1, true,
					       now + 40 * S, NULL);
			break;
		case 2:
			sw_state_key_dialogue(&a, &k, tid, 4, node);
			sw_state_dialogue_close(&ca, &k, (r >> 3) & 1, now, &why);
			break;
		case 3:
		case 4:
			sw_state_key_imsi(&a, &k, SW_STATE_T_SMS, imsi);
			sw_state_sms_record(&ca, &k, node, (uint32_t)(r >> 60), now);
			break;
		default:
			sw_state_key_imsi(&a, &k, SW_STATE_T_LOCATION, imsi);
			sw_state_location_record(&ca, &k, (uint32_t)(r >> 61), 0x4742, node,
						 node + 1, 1, now);
			break;
		}
	}
	/* No eviction anywhere: evictions depend on the hash key, so they would differ. */
	for (unsigned t = 0; t < SW_STATE_NTABLES; t++)
		assert_int_equal(CTR(&a, t, evictions) + CTR(&a, t, full), 0);
	log = calloc(ring_size, sizeof(*log));
	assert_non_null(log);
	n = sw_state_ring_pop(ring, log, ring_size);
	assert_true(n > ops / 2);
	assert_int_equal(atomic_load(&ring->lost), 0);
	for (unsigned i = 0; i < n; i++)
		assert_true(sw_state_apply(&cb, &log[i], T0) >= 0);
	assert_same_contents(&a, &b, now);
	/* Idempotent: everything again changes nothing. */
	uint64_t applied = CTR(&b, SW_STATE_T_DIALOGUE, applied);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(sw_state_apply(&cb, &log[i], T0), 0);
	assert_int_equal(CTR(&b, SW_STATE_T_DIALOGUE, applied), applied);
	assert_same_contents(&a, &b, now);
	/* Order-independent: shuffled. */
	for (unsigned i = n - 1; i > 0; i--) {
		unsigned j = (unsigned)(rnd() % (i + 1));
		struct sw_state_delta t = log[i];

		log[i] = log[j];
		log[j] = t;
	}
	for (unsigned i = 0; i < n; i++)
		assert_true(sw_state_apply(&cc, &log[i], T0) >= 0);
	assert_same_contents(&a, &c, now);
	for (unsigned t = 0; t < SW_STATE_NTABLES; t++)
		assert_int_equal(CTR(&b, t, evictions) + CTR(&c, t, evictions), 0);
	/* A delta of another version or an unknown op is refused. */
	struct sw_state_delta bad = log[0];
	bad.version = 99;
	assert_int_equal(sw_state_apply(&cb, &bad, T0), -EINVAL);
	bad.version = SW_STATE_LAYOUT_VERSION;
	bad.op = 77;
	assert_int_equal(sw_state_apply(&cb, &bad, T0), -EINVAL);
	free(log);
	free(mem);
	sw_state_close(&a);
	sw_state_close(&b);
	sw_state_close(&c);
}

/* The ring: full is counted (never blocks), wrap-around keeps order. */
static void
test_ring(void **state)
{
	void *mem = NULL;
	struct sw_state_ring *r;
	struct sw_state_delta d = {0}, out[8];

	(void)state;
	assert_int_equal(posix_memalign(&mem, 64, sw_state_ring_bytes(4)), 0);
	r = sw_state_ring_init(mem, 4);
	assert_non_null(r);
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned i = 0; i < 4; i++) {
			d.time = round * 10 + i;
			assert_true(sw_state_ring_push(r, &d));
		}
		assert_false(sw_state_ring_push(r, &d));
		assert_int_equal(atomic_load(&r->lost), round + 1);
		assert_int_equal(sw_state_ring_pop(r, out, 8), 4);
		for (unsigned i = 0; i < 4; i++)
			assert_int_equal(out[i].time, round * 10 + i);
	}
	/* A context whose ring is full counts the lost deltas and still writes the table. */
	struct sw_state st;
	struct sw_state_ctx ctx;
	struct sw_state_key k;
	assert_int_equal(sw_state_create_anon(&(struct sw_state_config){.dialogues = 64, .sms = 8, .subscribers = 8}, &st), 0);
	assert_int_equal(sw_state_ctx_init(&ctx, &st, 0, r), 0);
	for (unsigned i = 0; i < 6; i++) {
		sw_state_key_dialogue(&st, &k, i, 1, 1);
		assert_int_equal(sw_state_dialogue_open(&ctx, &k, true, false, T0, NULL), 0);
	}
	assert_int_equal(CTR(&st, SW_STATE_T_DIALOGUE, deltas), 4);
	assert_int_equal(CTR(&st, SW_STATE_T_DIALOGUE, deltas_lost), 2);
	assert_int_equal(sw_state_count(&st, SW_STATE_T_DIALOGUE, T0), 6);
	sw_state_close(&st);
	free(mem);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digits_key),
		cmocka_unit_test_setup_teardown(test_object_lifecycle, setup, teardown),
		cmocka_unit_test(test_dialogue_table),
		cmocka_unit_test(test_sms_table),
		cmocka_unit_test(test_location_table),
		cmocka_unit_test(test_full_tables),
		cmocka_unit_test(test_flood_random_otids),
		cmocka_unit_test(test_end_for_evicted),
		cmocka_unit_test(test_eviction_ranks),
		cmocka_unit_test(test_dead_writer),
		cmocka_unit_test(test_ring),
		cmocka_unit_test(test_delta_convergence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
