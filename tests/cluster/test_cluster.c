/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Issue 16: two (then three) members of a group, each a state object with a worker's delta ring
 * and a replicator, share their state through a real redis-server started by this test on a
 * pid-based loopback port. The conditions of dataplane/state (the judge's) are asked on the
 * member that did NOT see the traffic:
 *   - a dialogue opened on A: its End arriving on B is not unsolicited;
 *   - an SRI-SM result sent on A: the MT-FSM arriving on B is not "unsolicited SMS";
 *   - a location learned on A (UL answered): seen on B (serving, not unknown);
 *   - Redis killed: both keep judging locally, counters move, one event, no crash;
 *     Redis restarted (empty): both resynchronise, what A learned meanwhile reaches B;
 *   - a new member C loads the warm copy before it is ready;
 *   - the named objects (/sigwall.<instance>.state + .deltas) as the dataplane and
 *     sigwall-cluster use them.
 * Skipped (exit 77, with the reason) only when redis-server is absent.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "control/cluster/cluster.h"
#include "dataplane/state/rings.h"
#include "dataplane/state/state.h"
#include "tests/cluster/redis_fixture.h"

#define INSIDE_GT "254700000001" /* home MSC */
#define HLR	  "254700000010"
#define SMSC_GB	  "447700900001" /* partner GB's SMSC */
#define VLR_GB	  "447700900123"
#define IMSI	  "639010000000123" /* home subscriber */
#define P_GB	  0x4742u
#define RING	  4096

static int port;
static pid_t redis_pid;
static char events_a[128], events_b[128], status_b[128];
static unsigned group_n;

struct member {
	struct sw_state st;
	void *ring_mem;
	struct sw_state_ring *ring;
	struct sw_state_ctx ctx; /* the "worker" (0) that sees traffic, with its ring */
	struct sw_cluster *c;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * SW_STATE_NS_PER_S + (uint64_t)ts.tv_nsec;
}

static uint64_t
key(const char *d)
{
	return sw_state_digits_key(d, strlen(d));
}

static void
conf_for(struct sw_cluster_conf *conf, const char *group, const char *name, const char *events,
	 const char *status)
{
	memset(conf, 0, sizeof(*conf));
	snprintf(conf->group, sizeof(conf->group), "%s", group);
	snprintf(conf->member, sizeof(conf->member), "%s", name);
	snprintf(conf->host, sizeof(conf->host), "127.0.0.1");
	conf->port = port;
	conf->retry_ms = 100;
	conf->timeout_ms = 200;
	conf->heartbeat_ms = 200;
	if (events != NULL)
		snprintf(conf->events, sizeof(conf->events), "%s", events);
	if (status != NULL)
		snprintf(conf->status, sizeof(conf->status), "%s", status);
}

static void member_start(struct member *m, const struct sw_cluster_conf *conf);

static void
member_init(struct member *m, const char *group, const char *name, const char *events,
	    const char *status)
{
	struct sw_cluster_conf conf;

	conf_for(&conf, group, name, events, status);
	member_start(m, &conf);
}

static void
member_start(struct member *m, const struct sw_cluster_conf *conf)
{
	struct sw_state_config cfg = {
		.dialogues = 4096, .sms = 1024, .subscribers = 4096, .max_workers = 4};

	memset(m, 0, sizeof(*m));
	assert_int_equal(sw_state_create_anon(&cfg, &m->st), 0);
	assert_int_equal(posix_memalign(&m->ring_mem, 64, sw_state_ring_bytes(RING)), 0);
	m->ring = sw_state_ring_init(m->ring_mem, RING);
	assert_non_null(m->ring);
	assert_int_equal(sw_state_ctx_init(&m->ctx, &m->st, 0, m->ring), 0);
	m->c = sw_cluster_new(conf, NULL, &m->st, &m->ring, 1);
	assert_non_null(m->c);
	assert_int_equal(sw_cluster_start(m->c), 0);
}

static void
member_fini(struct member *m)
{
	sw_cluster_free(m->c);
	sw_state_close(&m->st);
	free(m->ring_mem);
}

/* ---- the traffic: what the judge calls on the member that sees it ------------------------- */

static void
begin_from_inside(struct member *m, uint32_t otid)
{
	struct sw_state_tcap t = {.type = SW_STATE_TC_BEGIN,
				  .from_inside = true,
				  .otid_len = 4,
				  .otid = otid,
				  .cgpa = key(INSIDE_GT),
				  .cdpa = key(VLR_GB)};
	enum sw_state_why why;

	assert_int_equal(sw_state_dialogue(&m->ctx, &t, now_ns(), &why), SW_STATE_DLG_LEARNED);
}

/* Would an End from outside answering otid be unsolicited on m? (asked without changing m:
 * the peek the judge's condition is built on) */
static bool
end_known(struct member *m, uint32_t otid)
{
	struct sw_state_key k;
	struct sw_state_dialogue d;

	sw_state_key_dialogue(&m->st, &k, otid, 4, key(INSIDE_GT));
	return sw_state_dialogue_get(&m->ctx, &k, now_ns(), &d) == SW_STATE_WHY_NONE &&
	       (d.flags & SW_STATE_DF_INSIDE);
}

static bool
sms_unsolicited(struct member *m)
{
	enum sw_state_why why;

	return sw_state_unsolicited_sms(&m->ctx, key(IMSI), key(SMSC_GB), P_GB, now_ns(), &why);
}

static void
sri_sm_result(struct member *m)
{
	struct sw_state_key k;

	sw_state_key_imsi(&m->st, &k, SW_STATE_T_SMS, key(IMSI));
	assert_int_equal(sw_state_sms_record(&m->ctx, &k, key(SMSC_GB), P_GB, now_ns()), 0);
}

static void
ul_answered(struct member *m, uint32_t otid)
{
	struct sw_state_pending p = {.imsi = key(IMSI),
				     .vlr = key(VLR_GB),
				     .partner = P_GB,
				     .country = (uint16_t)sw_state_country("GB"),
				     .kind = 1};
	struct sw_state_tcap t = {.type = SW_STATE_TC_BEGIN,
				  .from_inside = false,
				  .otid_len = 4,
				  .otid = otid,
				  .cgpa = key(VLR_GB),
				  .cdpa = key(HLR),
				  .pending = &p};
	enum sw_state_why why;

	assert_int_equal(sw_state_dialogue(&m->ctx, &t, now_ns(), &why), SW_STATE_DLG_LEARNED);
	assert_int_equal(sw_state_location_answer(&m->ctx, otid, 4, key(VLR_GB), true, now_ns()),
			 1);
}

static enum sw_state_loc_verdict
serving(struct member *m)
{
	struct sw_state_key k;
	struct sw_state_location loc;

	sw_state_key_imsi(&m->st, &k, SW_STATE_T_LOCATION, key(IMSI));
	if (sw_state_location_get(&m->ctx, &k, now_ns(), &loc) != SW_STATE_WHY_NONE)
		return SW_STATE_LOC_UNKNOWN;
	return sw_state_loc_serving(&loc, key(VLR_GB), P_GB);
}

/* Poll cond for up to ms; returns the ms it took, or -1. */
#define WAIT_MS(cond, ms)                                                                          \
	({                                                                                         \
		uint64_t t0_ = now_ns();                                                           \
		long r_ = -1;                                                                      \
		while (now_ns() - t0_ < (uint64_t)(ms)*1000000u) {                                 \
			if (cond) {                                                                \
				r_ = (long)((now_ns() - t0_) / 1000000u);                          \
				break;                                                             \
			}                                                                          \
			usleep(200);                                                               \
		}                                                                                  \
		r_;                                                                                \
	})

static unsigned
count_lines(const char *path, const char *needle)
{
	char line[2048];
	unsigned n = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

static void
next_group(char *buf, size_t len)
{
	snprintf(buf, len, "t%d-%u", (int)getpid(), group_n++);
}

/* ---- tests --------------------------------------------------------------------------------- */

/* A dialogue, an SRI-SM result and a location learned on A are known on B within a bound; B's
 * own learning reaches A; the warm copy holds every entry with its expiry. */
static void
test_converge(void **state)
{
	struct member a, b;
	struct sw_cluster_stats s;
	char group[32];
	long ms;

	(void)state;
	next_group(group, sizeof(group));
	member_init(&a, group, "A", NULL, NULL);
	member_init(&b, group, "B", NULL, status_b);
	assert_true(sw_cluster_wait_ready(a.c, 5000));
	assert_true(sw_cluster_wait_ready(b.c, 5000));

	/* Self-check: before the traffic, B judges all three as a box alone would. */
	assert_false(end_known(&b, 0x1001));
	assert_true(sms_unsolicited(&b));
	assert_int_equal(serving(&b), SW_STATE_LOC_UNKNOWN);

	begin_from_inside(&a, 0x1001);
	ms = WAIT_MS(end_known(&b, 0x1001), 3000);
	printf("# dialogue opened on A known on B after %ld ms\n", ms);
	assert_true(ms >= 0 && ms < 2000);

	sri_sm_result(&a);
	ms = WAIT_MS(!sms_unsolicited(&b), 3000);
	printf("# SRI-SM result on A suppresses unsolicited SMS on B after %ld ms\n", ms);
	assert_true(ms >= 0 && ms < 2000);

	ul_answered(&a, 0x2001);
	ms = WAIT_MS(serving(&b) == SW_STATE_LOC_SERVING, 3000);
	printf("# location learned on A seen on B after %ld ms\n", ms);
	assert_true(ms >= 0 && ms < 2000);

	/* The other way round, and A's own deltas are not applied back to A. */
	begin_from_inside(&b, 0x1002);
	assert_true(WAIT_MS(end_known(&a, 0x1002), 2000) >= 0);

	/* The warm copy: every entry a key with the entry's expiry (dialogue: ~60 s). Polled:
	 * B may have seen the location through A's start-up resync before A's live batch wrote
	 * every key. */
	{
		struct timeval tv = {.tv_sec = 1};
		redisContext *r = redisConnectWithTimeout("127.0.0.1", port, tv);
		redisReply *keys = NULL, *ttl;

		/* dialogue 0x1001, UL dialogue 0x2001, SMS result, location */
		ms = WAIT_MS((keys != NULL ? freeReplyObject(keys) : (void)0,
			      keys = redisCommand(r, "KEYS sw:%s:A:*", group),
			      keys != NULL && keys->elements >= 4),
			     2000);
		assert_non_null(keys);
		printf("# warm copy of A: %zu keys\n", keys->elements);
		assert_true(ms >= 0);
		ttl = redisCommand(r, "PTTL %s", keys->element[0]->str);
		assert_non_null(ttl);
		assert_true(ttl->integer > 0 && ttl->integer <= 7ll * 86400 * 1000);
		freeReplyObject(ttl);
		freeReplyObject(keys);
		redisFree(r);
	}

	/* Lag and counters (D4) after a heartbeat. */
	usleep(500000);
	sw_cluster_stats(b.c, &s);
	printf("# B: received %llu applied %llu stale %llu lag p50 %.0f us p99 %.0f us\n",
	       (unsigned long long)s.received, (unsigned long long)s.applied,
	       (unsigned long long)s.stale, s.lag_p50_ns / 1e3, s.lag_p99_ns / 1e3);
	assert_true(s.reachable);
	assert_true(s.applied >= 4);
	assert_true(s.lag_samples >= 4);
	assert_true(s.lag_p99_ns > 0 && s.lag_p99_ns < 1000000000ull);
	sw_cluster_stats(a.c, &s);
	assert_true(s.sent >= 4);
	assert_int_equal(s.unsent, 0);
	{
		char buf[8192];

		/* Both members' heartbeats are in Redis, and the status file lists them. */
		assert_int_equal(sw_cluster_members(a.c, buf, sizeof(buf)), 2);
		assert_non_null(strstr(buf, "\"member\":\"A\""));
		assert_non_null(strstr(buf, "\"member\":\"B\""));
		sw_cluster_status_print("unused", stdout); /* no file for that name: nothing */
	}
	member_fini(&a);
	member_fini(&b);
	{
		char buf[16384];
		FILE *f = fopen(status_b, "r");
		size_t n;

		assert_non_null(f);
		n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
		assert_non_null(strstr(buf, "\"group\":\""));
		assert_non_null(strstr(buf, "\"lag_p99_us\":"));
		unlink(status_b);
	}
}

/* Redis killed: no crash, local judging goes on, the counters move, one event; Redis back
 * (empty): resynchronisation brings B what A learned during the outage; then a new member C
 * loads the warm copy before it is ready. */
static void
test_outage_resync_warm(void **state)
{
	struct member a, b, c;
	struct sw_cluster_stats s;
	char group[32];
	long ms;

	(void)state;
	next_group(group, sizeof(group));
	unlink(events_a);
	unlink(events_b);
	member_init(&a, group, "A", events_a, NULL);
	member_init(&b, group, "B", events_b, NULL);
	assert_true(sw_cluster_wait_ready(b.c, 5000));
	begin_from_inside(&a, 0x3001);
	assert_true(WAIT_MS(end_known(&b, 0x3001), 2000) >= 0);

	redis_fixture_stop(redis_pid);
	redis_pid = -1;
	/* A keeps learning (and judging) alone; what it cannot send is counted. */
	for (uint32_t i = 0; i < 50; i++)
		begin_from_inside(&a, 0x4000 + i);
	sri_sm_result(&a);
	ul_answered(&a, 0x5001);
	assert_true(end_known(&a, 0x4000));
	ms = WAIT_MS((sw_cluster_stats(a.c, &s), s.unsent >= 50 && !s.reachable), 3000);
	assert_true(ms >= 0);
	usleep(800000); /* several reconnection attempts (retry 100 ms) */
	sw_cluster_stats(a.c, &s);
	printf("# Redis down: A unsent %llu, disconnects %llu, reachable %d\n",
	       (unsigned long long)s.unsent, (unsigned long long)s.disconnects, s.reachable);
	assert_true(s.disconnects >= 1);
	assert_true(s.degraded);
	/* The workers' view of it (the judge's `cluster-degraded`, test_cluster_policy.c). */
	assert_int_equal(atomic_load(&a.ring->degraded), 1u);
	assert_int_equal(atomic_load(&b.ring->degraded), 1u);
	assert_false(end_known(&b, 0x4000));
	assert_true(sms_unsolicited(&b));
	/* One event per outage, however many attempts failed. */
	assert_int_equal(count_lines(events_a, "\"cluster_redis_down\""), 1);
	assert_int_equal(count_lines(events_b, "\"cluster_redis_down\""), 1);

	redis_pid = redis_fixture_start(port);
	assert_true(redis_pid > 0);
	ms = WAIT_MS(end_known(&b, 0x4000) && end_known(&b, 0x4031) && !sms_unsolicited(&b) &&
			     serving(&b) == SW_STATE_LOC_SERVING,
		     5000);
	printf("# Redis back: B resynchronised after %ld ms\n", ms);
	assert_true(ms >= 0);
	assert_true(WAIT_MS(count_lines(events_a, "\"cluster_redis_up\"") == 1, 3000) >= 0);
	assert_int_equal(count_lines(events_a, "\"cluster_redis_down\""), 1);
	assert_true(WAIT_MS((sw_cluster_stats(a.c, &s), !s.degraded), 3000) >= 0);
	assert_int_equal(atomic_load(&a.ring->degraded), 0u);
	assert_true(s.dumped >= 52);
	assert_true(s.reachable);

	/* Live replication works again after the outage. */
	begin_from_inside(&a, 0x6001);
	assert_true(WAIT_MS(end_known(&b, 0x6001), 2000) >= 0);

	/* A new member: the warm copy is loaded before it says ready. */
	member_init(&c, group, "C", NULL, NULL);
	assert_true(sw_cluster_wait_ready(c.c, 5000));
	assert_true(end_known(&c, 0x3001));
	assert_true(end_known(&c, 0x4000));
	assert_true(end_known(&c, 0x6001));
	assert_false(sms_unsolicited(&c));
	assert_int_equal(serving(&c), SW_STATE_LOC_SERVING);
	sw_cluster_stats(c.c, &s);
	printf("# new member C: %llu warm-copy entries read before ready\n",
	       (unsigned long long)s.warm_loaded);
	assert_true(s.warm_loaded >= 55);
	{
		/* Entries carry their expiry: C's copy expires when A's does. */
		struct sw_state_key ka, kc;
		struct sw_state_dialogue da, dc;

		sw_state_key_dialogue(&a.st, &ka, 0x4000, 4, key(INSIDE_GT));
		sw_state_key_dialogue(&c.st, &kc, 0x4000, 4, key(INSIDE_GT));
		assert_int_equal(sw_state_dialogue_get(&a.ctx, &ka, now_ns(), &da), 0);
		assert_int_equal(sw_state_dialogue_get(&c.ctx, &kc, now_ns(), &dc), 0);
		assert_true(dc.expiry == da.expiry);
		assert_true(dc.opened == da.opened);
	}
	member_fini(&c);
	member_fini(&a);
	member_fini(&b);
	unlink(events_a);
	unlink(events_b);
}

/* The named objects: the dataplane's state object and the ring object sigwall-cluster creates,
 * attached by a "worker" the way the dataplane does. */
static void
test_named_objects(void **state)
{
	char ia[32], ib[32], group[32];
	struct sw_state_config cfg = {
		.dialogues = 4096, .sms = 1024, .subscribers = 4096, .max_workers = 4};
	struct sw_state sa, sb;
	struct sw_state_rings ra;
	struct sw_state_ctx wa, wb;
	struct sw_cluster_conf conf;
	struct sw_cluster *ca, *cb;
	struct sw_state_key k;
	struct sw_state_dialogue d;
	struct sw_state_tcap t = {.type = SW_STATE_TC_BEGIN,
				  .from_inside = true,
				  .otid_len = 4,
				  .otid = 0x7001,
				  .cgpa = key(INSIDE_GT),
				  .cdpa = key(VLR_GB)};
	enum sw_state_why why;

	(void)state;
	next_group(group, sizeof(group));
	snprintf(ia, sizeof(ia), "clA%d", (int)getpid());
	snprintf(ib, sizeof(ib), "clB%d", (int)getpid());
	/* No ring object: a dataplane without a cluster attaches nothing. */
	assert_int_equal(sw_state_rings_attach(ia, &ra), -ENOENT);
	assert_int_equal(sw_state_open(ia, &cfg, 0, &sa), SW_STATE_CREATED);
	assert_int_equal(sw_state_open(ib, &cfg, 0, &sb), SW_STATE_CREATED);

	conf_for(&conf, group, "A", NULL, NULL);
	ca = sw_cluster_new(&conf, ia, NULL, NULL, 4);
	assert_non_null(ca);
	conf_for(&conf, group, "B", NULL, NULL);
	cb = sw_cluster_new(&conf, ib, NULL, NULL, 4);
	assert_non_null(cb);
	assert_int_equal(sw_cluster_start(ca), 0);
	assert_int_equal(sw_cluster_start(cb), 0);
	assert_true(sw_cluster_wait_ready(cb, 5000));

	/* The dataplane of A: its worker 1 gets ring 1. The replicator attached to the object
	 * without resizing it (the learned state would be lost). */
	assert_int_equal(sw_state_rings_attach(ia, &ra), 0);
	assert_int_equal(ra.hdr->nrings, 4);
	assert_int_equal(ra.hdr->consumer_pid, getpid());
	assert_null(sw_state_rings_get(&ra, 4));
	assert_int_equal(sw_state_ctx_init(&wa, &sa, 1, sw_state_rings_get(&ra, 1)), 0);
	assert_false(sw_state_retired(&sa));
	assert_int_equal(sw_state_dialogue(&wa, &t, now_ns(), &why), SW_STATE_DLG_LEARNED);

	/* Ready and resynchronised: the judge may read "not degraded" from the ring object. */
	assert_true(WAIT_MS(atomic_load(&ra.hdr->degraded) == 0, 3000) >= 0);
	assert_int_equal(sw_state_ctx_init(&wb, &sb, 0, NULL), 0);
	sw_state_key_dialogue(&sb, &k, 0x7001, 4, key(INSIDE_GT));
	assert_true(WAIT_MS(sw_state_dialogue_get(&wb, &k, now_ns(), &d) == SW_STATE_WHY_NONE,
			    2000) >= 0);
	assert_false(sw_state_retired(&sb));

	sw_cluster_free(ca);
	sw_cluster_free(cb);
	sw_state_rings_close(&ra);
	sw_state_close(&sa);
	sw_state_close(&sb);
	sw_state_unlink(ia);
	sw_state_unlink(ib);
	sw_state_rings_unlink(ia);
	sw_state_rings_unlink(ib);
}

/* The live message's layout (control/cluster/README.md): a 32-byte header, then the deltas. */
struct wire {
	uint32_t magic;
	uint16_t version, count;
	uint64_t member, seq, sent_ns;
	struct sw_state_delta d[1];
};

static int
first_delta(const struct sw_state_delta *d, void *arg)
{
	*(struct sw_state_delta *)arg = *d;
	return 1;
}

/* Lost deltas of a peer are counted from the gaps in its sequence; malformed messages are
 * counted and change nothing. */
static void
test_gaps_and_garbage(void **state)
{
	struct member a, b;
	struct sw_cluster_stats s0, s1;
	struct wire w = {.magic = 0x44435753u,
			 .version = SW_STATE_LAYOUT_VERSION,
			 .count = 1,
			 .member = 0x1234567890abcdefull};
	struct timeval tv = {.tv_sec = 1};
	redisContext *r;
	char group[32], chan[64];

	(void)state;
	next_group(group, sizeof(group));
	member_init(&a, group, "A", NULL, NULL);
	member_init(&b, group, "B", NULL, NULL);
	assert_true(sw_cluster_wait_ready(b.c, 5000));
	begin_from_inside(&a, 0x8001);
	assert_true(WAIT_MS(end_known(&b, 0x8001), 3000) >= 0);
	assert_int_equal(
		sw_state_dump(&a.st, SW_STATE_T_DIALOGUE, now_ns(), true, first_delta, &w.d[0]), 1);
	sw_cluster_stats(b.c, &s0);
	r = redisConnectWithTimeout("127.0.0.1", port, tv);
	assert_non_null(r);
	snprintf(chan, sizeof(chan), "sw:%s:deltas", group);
	/* A third member's messages 0 and 10: 9 deltas of it never arrived. */
	w.seq = 0;
	w.sent_ns = now_ns();
	freeReplyObject(redisCommand(r, "PUBLISH %s %b", chan, &w, sizeof(w)));
	w.seq = 10;
	freeReplyObject(redisCommand(r, "PUBLISH %s %b", chan, &w, sizeof(w)));
	/* Garbage, and a header announcing more deltas than it carries. */
	freeReplyObject(redisCommand(r, "PUBLISH %s %s", chan, "not a delta batch"));
	w.count = 3;
	freeReplyObject(redisCommand(r, "PUBLISH %s %b", chan, &w, sizeof(w)));
	redisFree(r);
	assert_true(WAIT_MS((sw_cluster_stats(b.c, &s1), s1.rx_bad - s0.rx_bad >= 2), 3000) >= 0);
	sw_cluster_stats(b.c, &s1);
	printf("# B: missed %llu, bad %llu, stale %llu\n",
	       (unsigned long long)(s1.rx_gap - s0.rx_gap),
	       (unsigned long long)(s1.rx_bad - s0.rx_bad),
	       (unsigned long long)(s1.stale - s0.stale));
	assert_int_equal(s1.rx_gap - s0.rx_gap, 9);
	assert_int_equal(s1.rx_bad - s0.rx_bad, 2);
	/* The replayed delta changed nothing (A's start-up resync may add stale ones too). */
	assert_true(s1.stale - s0.stale >= 2);
	assert_int_equal(s1.applied - s0.applied, 0);
	assert_true(end_known(&b, 0x8001));
	member_fini(&a);
	member_fini(&b);
}

/* Redis slow (stopped longer than the command timeout): the same as down, then back. */
static void
test_slow_redis(void **state)
{
	struct member a, b;
	struct sw_cluster_stats s;
	char group[32];

	(void)state;
	next_group(group, sizeof(group));
	member_init(&a, group, "A", NULL, NULL);
	member_init(&b, group, "B", NULL, NULL);
	assert_true(sw_cluster_wait_ready(b.c, 5000));
	assert_int_equal(kill(redis_pid, SIGSTOP), 0);
	begin_from_inside(&a, 0x9001);
	assert_true(end_known(&a, 0x9001)); /* A judges with its local state */
	assert_true(WAIT_MS((sw_cluster_stats(a.c, &s), s.unsent >= 1 && s.disconnects >= 1),
			    5000) >= 0);
	assert_true(s.degraded);
	assert_false(end_known(&b, 0x9001));
	assert_int_equal(kill(redis_pid, SIGCONT), 0);
	assert_true(WAIT_MS(end_known(&b, 0x9001), 5000) >= 0);
	assert_true(WAIT_MS((sw_cluster_stats(a.c, &s), !s.degraded && s.reachable), 5000) >= 0);
	printf("# Redis stopped then continued: A unsent %llu, resynchronised\n",
	       (unsigned long long)s.unsent);
	member_fini(&a);
	member_fini(&b);
}

/* site.cluster (D2): absent = single box; errors are file:line: message. */
static void
test_site_conf(void **state)
{
	char path[64], err[512];
	struct sw_cluster_conf c;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/sw-cluster-site-%d.conf", (int)getpid());
	f = fopen(path, "w");
	fputs("site = { name = \"x\"; home = { plmn = [\"63901\"]; }; };\n", f);
	fclose(f);
	assert_int_equal(sw_cluster_conf_site(path, "i1", &c, err, sizeof(err)), 0);

	f = fopen(path, "w");
	fputs("site = {\n name = \"x\";\n cluster = { name = \"pair-1\"; redis = "
	      "\"10.0.0.5:6380\";\n"
	      "  flush_us = 500; };\n};\n",
	      f);
	fclose(f);
	assert_int_equal(sw_cluster_conf_site(path, "i1", &c, err, sizeof(err)), 1);
	assert_string_equal(c.group, "pair-1");
	assert_string_equal(c.host, "10.0.0.5");
	assert_int_equal(c.port, 6380);
	assert_int_equal(c.flush_us, 500);
	assert_int_equal(c.timeout_ms, 200);
	assert_non_null(strstr(c.member, ".i1"));

	f = fopen(path, "w");
	fputs("site = {\n name = \"x\";\n cluster = {\n  name = \"pair-1\";\n  redis = "
	      "\"nohost\";\n"
	      " };\n};\n",
	      f);
	fclose(f);
	assert_int_equal(sw_cluster_conf_site(path, "i1", &c, err, sizeof(err)), -EINVAL);
	printf("# %s\n", err);
	assert_non_null(strstr(err, ":5: 'site.cluster.redis'"));

	f = fopen(path, "w");
	fputs("site = {\n cluster = {\n  name = \"a b\";\n  redis = \"[::1]:6379\";\n"
	      "  sentinel = 1;\n };\n};\n",
	      f);
	fclose(f);
	assert_int_equal(sw_cluster_conf_site(path, "i1", &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":5: unknown key 'site.cluster.sentinel'"));
	/* D2: a list of Sentinels and the master's name. */
	f = fopen(path, "w");
	fputs("site = {\n cluster = {\n  name = \"p\";\n  redis = [ \"sentinel:10.0.0.5:26379\", "
	      "\"sentinel:[fd00::6]:26380\" ];\n  master = \"mm\";\n };\n};\n",
	      f);
	fclose(f);
	assert_int_equal(sw_cluster_conf_site(path, "i1", &c, err, sizeof(err)), 1);
	assert_int_equal(c.nsentinels, 2);
	assert_string_equal(c.sentinel[1].host, "fd00::6");
	assert_int_equal(c.sentinel[1].port, 26380);
	assert_string_equal(c.master, "mm");
	f = fopen(path, "w");
	fputs("site = {\n cluster = {\n  name = \"p\";\n  redis = [ \"sentinel:10.0.0.5:26379\" "
	      "];\n };\n};\n",
	      f);
	fclose(f);
	assert_int_equal(sw_cluster_conf_site(path, "i1", &c, err, sizeof(err)), -EINVAL);
	printf("# %s\n", err);
	assert_non_null(strstr(err, ":2: 'site.cluster.master'"));
	f = fopen(path, "w");
	fputs("site = {\n cluster = {\n  name = \"p\";\n  redis = [ \"10.0.0.5:26379\" ];\n"
	      "  master = \"mm\";\n };\n};\n",
	      f);
	fclose(f);
	assert_int_equal(sw_cluster_conf_site(path, "i1", &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":4: 'site.cluster.redis' list"));
	assert_int_equal(sw_cluster_parse_redis("[::1]:6379", &c), 0);
	assert_string_equal(c.host, "::1");
	assert_int_equal(sw_cluster_parse_redis("h:0", &c), -EINVAL);
	assert_int_equal(sw_cluster_parse_redis("h:1:2", &c), -EINVAL);
	unlink(path);
}

/* D2, Redis Sentinel: a master, its replica and a Sentinel (real redis-server processes on
 * loopback); members configured with the Sentinel only. A forced failover (SENTINEL FAILOVER)
 * promotes the replica; the old master is then killed, so that a member still writing to it
 * would replicate nothing: both members follow the new master, replication goes on, and a new
 * member loads the warm copy from it. */
static redisReply *
sentinel_cmd(int sport, const char *cmd)
{
	struct timeval tv = {.tv_sec = 1};
	redisContext *r = redisConnectWithTimeout("127.0.0.1", sport, tv);
	redisReply *rep = r != NULL && !r->err ? redisCommand(r, cmd) : NULL;

	if (r != NULL)
		redisFree(r);
	return rep;
}

static int
sentinel_master_port(int sport)
{
	redisReply *rep = sentinel_cmd(sport, "SENTINEL get-master-addr-by-name mm");
	int mport = rep != NULL && rep->type == REDIS_REPLY_ARRAY && rep->elements == 2
			    ? atoi(rep->element[1]->str)
			    : -1;

	if (rep != NULL)
		freeReplyObject(rep);
	return mport;
}

static bool
sentinel_knows_replica(int sport)
{
	redisReply *rep = sentinel_cmd(sport, "SENTINEL replicas mm");
	bool ok = rep != NULL && rep->type == REDIS_REPLY_ARRAY && rep->elements >= 1;

	if (rep != NULL)
		freeReplyObject(rep);
	return ok;
}

static bool
failover_accepted(int sport)
{
	redisReply *rep = sentinel_cmd(sport, "SENTINEL FAILOVER mm");
	bool ok = rep != NULL && rep->type == REDIS_REPLY_STATUS;

	if (rep != NULL && !ok)
		usleep(200000);
	if (rep != NULL)
		freeReplyObject(rep);
	return ok;
}

static void
test_sentinel(void **state)
{
	int pm = port + 1, pr = port + 2, ps = port + 3;
	char portstr[16], sconf[128], group[32], saddr[64];
	pid_t master, replica, sentinel;
	struct sw_cluster_conf conf;
	struct member a, b, c;
	struct sw_cluster_stats s;
	long ms;
	FILE *f;

	(void)state;
	assert_true(redis_fixture_port_free(pm) && redis_fixture_port_free(pr) &&
		    redis_fixture_port_free(ps));
	snprintf(portstr, sizeof(portstr), "%d", pm);
	snprintf(sconf, sizeof(sconf), "/tmp/sw-cluster-%d-sentinel.conf", (int)getpid());
	f = fopen(sconf, "w");
	assert_non_null(f);
	fprintf(f,
		"sentinel monitor mm 127.0.0.1 %d 1\nsentinel down-after-milliseconds mm 2000\n"
		"sentinel failover-timeout mm 4000\n",
		pm);
	fclose(f);
	master = redis_fixture_spawn(pm, NULL, NULL);
	replica = redis_fixture_spawn(
		pr, NULL, (const char *const[]){"--replicaof", "127.0.0.1", portstr, NULL});
	sentinel = redis_fixture_spawn(ps, sconf, (const char *const[]){"--sentinel", NULL});
	assert_true(master > 0 && replica > 0 && sentinel > 0);
	assert_int_equal(sentinel_master_port(ps), pm);
	/* The Sentinel learns the replica from the master's INFO (every 10 s at most). */
	ms = WAIT_MS(sentinel_knows_replica(ps), 15000);
	printf("# Sentinel on %d: master %d, replica %d known after %ld ms\n", ps, pm, pr, ms);
	assert_true(ms >= 0);

	next_group(group, sizeof(group));
	conf_for(&conf, group, "A", NULL, NULL);
	conf.host[0] = '\0';
	assert_int_equal(sw_cluster_parse_redis("sentinel:127.0.0.1:1", &conf), 0); /* dead */
	snprintf(saddr, sizeof(saddr), "sentinel:127.0.0.1:%d", ps);
	assert_int_equal(sw_cluster_parse_redis(saddr, &conf), 0);
	snprintf(conf.master, sizeof(conf.master), "mm");
	member_start(&a, &conf);
	snprintf(conf.member, sizeof(conf.member), "B");
	member_start(&b, &conf);
	assert_true(sw_cluster_wait_ready(a.c, 5000));
	assert_true(sw_cluster_wait_ready(b.c, 5000));
	begin_from_inside(&a, 0xa001);
	assert_true(WAIT_MS(end_known(&b, 0xa001), 3000) >= 0);

	/* Refused (NOGOODSLAVE) until the Sentinel saw the replica in sync (its INFO every
	 * second once known): retried for up to 15 s. */
	ms = WAIT_MS(failover_accepted(ps), 15000);
	printf("# SENTINEL FAILOVER accepted after %ld ms\n", ms);
	assert_true(ms >= 0);
	ms = WAIT_MS(sentinel_master_port(ps) == pr, 15000);
	printf("# SENTINEL FAILOVER: master %d after %ld ms\n", pr, ms);
	assert_true(ms >= 0);
	redis_fixture_stop(master); /* nobody may still use it */

	begin_from_inside(&a, 0xa002);
	ms = WAIT_MS(end_known(&b, 0xa002), 10000);
	sw_cluster_stats(a.c, &s);
	printf("# after the failover: replicated in %ld ms; A disconnects %llu, reachable %d\n", ms,
	       (unsigned long long)s.disconnects, s.reachable);
	assert_true(ms >= 0);
	assert_true(WAIT_MS((sw_cluster_stats(a.c, &s), s.reachable && !s.degraded), 5000) >= 0);
	assert_true(s.disconnects >= 1);
	/* B learns, A knows: both directions through the new master. */
	begin_from_inside(&b, 0xa003);
	assert_true(WAIT_MS(end_known(&a, 0xa003), 5000) >= 0);
	/* A new member loads the warm copy from the new master. */
	snprintf(conf.member, sizeof(conf.member), "C");
	member_start(&c, &conf);
	assert_true(sw_cluster_wait_ready(c.c, 5000));
	assert_true(end_known(&c, 0xa001));
	assert_true(end_known(&c, 0xa002));
	member_fini(&c);
	member_fini(&a);
	member_fini(&b);
	redis_fixture_stop(sentinel);
	redis_fixture_stop(replica);
	unlink(sconf);
}

/* Each test starts with a running Redis, whatever an earlier failed test left (stopped, killed). */
static int
ensure_redis(void **state)
{
	(void)state;
	if (redis_pid > 0 && kill(redis_pid, SIGCONT) == 0 &&
	    waitpid(redis_pid, NULL, WNOHANG) == 0)
		return 0;
	redis_pid = redis_fixture_start(port);
	return redis_pid > 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_site_conf, ensure_redis),
		cmocka_unit_test_setup(test_converge, ensure_redis),
		cmocka_unit_test_setup(test_outage_resync_warm, ensure_redis),
		cmocka_unit_test_setup(test_gaps_and_garbage, ensure_redis),
		cmocka_unit_test_setup(test_slow_redis, ensure_redis),
		cmocka_unit_test_setup(test_named_objects, ensure_redis),
		cmocka_unit_test_setup(test_sentinel, ensure_redis),
	};
	int rc;

	if (redis_fixture_binary() == NULL) {
		printf("SKIP: redis-server not installed (scripts/deps.sh installs it)\n");
		return 77;
	}
	port = redis_fixture_port();
	redis_pid = redis_fixture_start(port);
	if (redis_pid < 0) {
		fprintf(stderr, "cannot start redis-server on 127.0.0.1:%d\n", port);
		return 1;
	}
	snprintf(events_a, sizeof(events_a), "/tmp/sw-cluster-%d-a.events", (int)getpid());
	snprintf(events_b, sizeof(events_b), "/tmp/sw-cluster-%d-b.events", (int)getpid());
	snprintf(status_b, sizeof(status_b), "/tmp/sw-cluster-%d-b.json", (int)getpid());
	printf("# redis-server pid %d on 127.0.0.1:%d\n", (int)redis_pid, port);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	redis_fixture_stop(redis_pid);
	/* What a failed test left behind (a passing one removed it already). */
	{
		char inst[32];

		snprintf(inst, sizeof(inst), "clA%d", (int)getpid());
		sw_state_unlink(inst);
		sw_state_rings_unlink(inst);
		snprintf(inst, sizeof(inst), "clB%d", (int)getpid());
		sw_state_unlink(inst);
		sw_state_rings_unlink(inst);
		unlink(events_a);
		unlink(events_b);
		unlink(status_b);
	}
	return rc;
}
