/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The replicator of a member of a group (cluster.h, control/cluster/README.md): workers' delta
 * rings -> Redis (live channel + warm copy), Redis -> sw_state_apply().
 *
 * Redis objects of group G, member M (names: [A-Za-z0-9_.-]):
 *   channel sw:G:deltas                 live deltas: struct wire_hdr + count x 64-byte deltas
 *   key sw:G:M:<op>:<k0>:<k1>[:<gt>]    warm copy: one delta, SET ... PXAT <its expiry>
 *   key swm:G:M                         member heartbeat: its status as JSON, PX 3 heartbeats
 * A member writes only its own keys, so a key only ever holds that member's latest state of
 * the entry; a loader applies every member's keys and the merge of sw_state_apply() (a join:
 * idempotent, order-independent) gives the same result whatever order they come in.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "control/cluster/cluster.h"
#include "dataplane/shm/shm.h"

#define RELAXED memory_order_relaxed

/* Live message header, then count deltas (host byte order: members of a group share one; a
 * member of the other order fails the magic and is counted rx_bad). */
#define WIRE_MAGIC 0x44435753u /* "SWCD" */
struct wire_hdr {
	uint32_t magic;
	uint16_t version; /* SW_STATE_LAYOUT_VERSION: the delta layout */
	uint16_t count;
	uint64_t member;  /* FNV-1a of the sender's member name */
	uint64_t seq;	  /* deltas the sender published before this message */
	uint64_t sent_ns; /* CLOCK_REALTIME when the sender drained the batch */
};
_Static_assert(sizeof(struct wire_hdr) == 32, "wire header");

#define LAG_BUCKETS   320
#define LAG_WINDOW_NS (5ull * SW_STATE_NS_PER_S)
#define PEERS_MAX     64
#define DUMP_CHUNK    256

struct peer_seq {
	uint64_t member;
	uint64_t next; /* sequence expected next */
};

struct sw_cluster {
	struct sw_cluster_conf conf;
	char instance[SW_STATE_INSTANCE_MAX + 1];
	uint64_t member_id;
	char channel[2 * SW_CLUSTER_NAME_MAX];
	char keypfx[3 * SW_CLUSTER_NAME_MAX];

	struct sw_state *ext_st; /* caller's mapping, or NULL: named object */
	struct sw_state_rings rings_obj;
	struct sw_state_ring **rings;
	unsigned nrings;
	bool own_rings;

	pthread_t tx, rx;
	bool tx_started, rx_started;
	atomic_bool stop;

	/* Counters: each written by one thread (relaxed), read by any. */
	_Atomic uint64_t sent, unsent, received, applied, stale, busy, rx_gap, rx_bad, warm_loaded,
		dumped, resyncs, disconnects;
	_Atomic uint64_t lag_p50, lag_p99, lag_max, lag_samples;
	atomic_bool tx_up, rx_up, ready, degraded;
	/* One event per outage: set by the first thread that loses Redis, cleared when both are
	 * back (the tx thread reports). */
	atomic_bool outage;
	atomic_uint sentinel_next; /* the Sentinel asked first */
	_Atomic uint64_t
		epoch; /* outages so far: a connection made before the last one is suspect */
	_Atomic uint64_t outage_unsent0, outage_gap0;

	/* rx thread only */
	struct peer_seq peers[PEERS_MAX];
	unsigned npeers;
	uint64_t lag_cur[LAG_BUCKETS], lag_prev[LAG_BUCKETS];
	uint64_t lag_window_start;

	/* Members seen at the last heartbeat (tx thread writes under the lock). */
	pthread_mutex_t lock;
	char members[8192];
	unsigned nmembers;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * SW_STATE_NS_PER_S + (uint64_t)ts.tv_nsec;
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
sleep_us(uint32_t us)
{
	struct timespec ts = {.tv_sec = us / 1000000u, .tv_nsec = (long)(us % 1000000u) * 1000};

	nanosleep(&ts, NULL);
}

/* A write to a connection Redis closed raises SIGPIPE in the writing thread: blocked in the
 * replicator's threads, the write fails with EPIPE instead of killing the process. */
static void
block_sigpipe(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static void
add(_Atomic uint64_t *ctr, uint64_t n)
{
	atomic_store_explicit(ctr, atomic_load_explicit(ctr, RELAXED) + n, RELAXED);
}

static uint64_t
get(const _Atomic uint64_t *ctr)
{
	return atomic_load_explicit(ctr, RELAXED);
}

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return h;
}

/* The Redis in use, "host:port" (the master last named by the Sentinels, when configured). */
static void
current_redis(struct sw_cluster *c, char *buf, size_t len)
{
	pthread_mutex_lock(&c->lock);
	if (c->conf.host[0] == '\0')
		snprintf(buf, len, "?");
	else if (strchr(c->conf.host, ':') != NULL)
		snprintf(buf, len, "[%s]:%d", c->conf.host, c->conf.port);
	else
		snprintf(buf, len, "%s:%d", c->conf.host, c->conf.port);
	pthread_mutex_unlock(&c->lock);
}

/* ------------------------------------------------------------------------------------------ */
/* Events: one JSON line per outage and per return, appended to the events file (the one
 * sigwall-control writes: whole lines with O_APPEND do not interleave) and to stderr. */

static void event(struct sw_cluster *c, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
event(struct sw_cluster *c, const char *name, const char *fmt, ...)
{
	char line[1024], extra[512], ts[32], host[128] = "", redis[300];
	struct timespec now;
	struct tm tm;
	va_list ap;
	int n, fd;

	va_start(ap, fmt);
	vsnprintf(extra, sizeof(extra), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	gethostname(host, sizeof(host) - 1);
	current_redis(c, redis, sizeof(redis));
	n = snprintf(line, sizeof(line),
		     "{\"timestamp\":\"%s.%06ldZ\",\"event_type\":\"system\",\"host\":\"%s\","
		     "\"instance\":\"%s\",\"system\":{\"event\":\"%s\",\"group\":\"%s\","
		     "\"member\":\"%s\",\"redis\":\"%s\"%s%s}}\n",
		     ts, now.tv_nsec / 1000, host, c->instance, name, c->conf.group, c->conf.member,
		     redis, extra[0] ? "," : "", extra);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	fputs(line, stderr);
	if (c->conf.events[0] == '\0')
		return;
	fd = open(c->conf.events, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) != n)
		fprintf(stderr, "sigwall-cluster: %s: short write\n", c->conf.events);
	close(fd);
}

static void
set_degraded(struct sw_cluster *c, bool on)
{
	atomic_store(&c->degraded, on);
	if (c->own_rings)
		atomic_store_explicit(&c->rings_obj.hdr->degraded, on ? 1u : 0u, RELAXED);
	/* Each worker reads its own ring's copy (the judge's `cluster-degraded`). */
	for (unsigned i = 0; i < c->nrings; i++)
		if (c->rings != NULL && c->rings[i] != NULL)
			atomic_store_explicit(&c->rings[i]->degraded, on ? 1u : 0u, RELAXED);
}

static void
lost_redis(struct sw_cluster *c, const char *who, const char *err)
{
	bool was = false;

	/* Down first, so the other thread cannot report Redis back on the strength of a
	 * connection this outage already broke. */
	atomic_store(strcmp(who, "tx") == 0 ? &c->tx_up : &c->rx_up, false);
	set_degraded(c, true);
	add(&c->disconnects, 1);
	if (atomic_compare_exchange_strong(&c->outage, &was, true)) {
		atomic_fetch_add(&c->epoch, 1);
		atomic_store(&c->outage_unsent0, get(&c->unsent));
		atomic_store(&c->outage_gap0, get(&c->rx_gap));
		event(c, "cluster_redis_down", "\"side\":\"%s\",\"error\":\"%s\"", who,
		      err != NULL ? err : "");
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Redis connections */

/*
 * D2, Redis Sentinel: the address of the master named conf.master, asked of each Sentinel in
 * turn (SENTINEL GET-MASTER-ADDR-BY-NAME, https://redis.io/docs/management/sentinel/ "Sentinel
 * API"), starting with the last one that answered. 0, or -1 when none answered.
 */
static int
sentinel_master(struct sw_cluster *c, const struct timeval *tv, char *host, size_t len, int *port)
{
	unsigned n = c->conf.nsentinels;

	for (unsigned k = 0; k < n; k++) {
		unsigned i = (atomic_load(&c->sentinel_next) + k) % n;
		redisContext *s = redisConnectWithTimeout(c->conf.sentinel[i].host,
							  c->conf.sentinel[i].port, *tv);
		redisReply *rep = NULL;
		bool ok = false;

		if (s != NULL && !s->err) {
			redisSetTimeout(s, *tv);
			rep = redisCommand(s, "SENTINEL get-master-addr-by-name %s",
					   c->conf.master);
		}
		if (rep != NULL && rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 &&
		    rep->element[0]->type == REDIS_REPLY_STRING &&
		    rep->element[1]->type == REDIS_REPLY_STRING) {
			snprintf(host, len, "%s", rep->element[0]->str);
			*port = atoi(rep->element[1]->str);
			ok = *port > 0 && *port < 65536;
		}
		if (rep != NULL)
			freeReplyObject(rep);
		if (s != NULL)
			redisFree(s);
		if (ok) {
			atomic_store(&c->sentinel_next, i);
			return 0;
		}
	}
	return -1;
}

/* A connection to the master: with Sentinels, the one they name, checked with ROLE (a master
 * just demoted by a failover still answers, read-only). */
static redisContext *
connect_redis(struct sw_cluster *c, const char *who)
{
	struct timeval tv = {.tv_sec = c->conf.timeout_ms / 1000,
			     .tv_usec = (suseconds_t)(c->conf.timeout_ms % 1000) * 1000};
	char host[256];
	int port;
	redisContext *r;

	if (c->conf.nsentinels > 0) {
		if (sentinel_master(c, &tv, host, sizeof(host), &port) < 0) {
			lost_redis(c, who, "no Sentinel named the master");
			return NULL;
		}
		pthread_mutex_lock(&c->lock);
		snprintf(c->conf.host, sizeof(c->conf.host), "%s", host);
		c->conf.port = port;
		pthread_mutex_unlock(&c->lock);
	} else {
		snprintf(host, sizeof(host), "%s", c->conf.host);
		port = c->conf.port;
	}
	r = redisConnectWithTimeout(host, port, tv);
	if (r == NULL || r->err) {
		lost_redis(c, who, r != NULL ? r->errstr : "out of memory");
		if (r != NULL)
			redisFree(r);
		return NULL;
	}
	redisSetTimeout(r, tv);
	redisEnableKeepAlive(r);
	if (c->conf.nsentinels > 0) {
		redisReply *rep = redisCommand(r, "ROLE");
		bool master = rep != NULL && rep->type == REDIS_REPLY_ARRAY && rep->elements > 0 &&
			      rep->element[0]->type == REDIS_REPLY_STRING &&
			      strcmp(rep->element[0]->str, "master") == 0;

		if (rep != NULL)
			freeReplyObject(rep);
		if (!master) {
			lost_redis(c, who, "the Sentinels' master is not a master (failover)");
			redisFree(r);
			return NULL;
		}
	}
	return r;
}

/* ------------------------------------------------------------------------------------------ */
/* tx: rings -> Redis */

struct batch {
	struct wire_hdr h;
	struct sw_state_delta d[1024];
};

static int
warm_key(const struct sw_cluster *c, const struct sw_state_delta *d, char *buf, size_t len)
{
	int n;

	if (d->op == SW_STATE_OP_SMS)
		n = snprintf(buf, len, "%s:%u:%016" PRIx64 ":%016" PRIx64 ":%016" PRIx64, c->keypfx,
			     d->op, d->k0, d->k1, d->w[0]);
	else
		n = snprintf(buf, len, "%s:%u:%016" PRIx64 ":%016" PRIx64, c->keypfx, d->op, d->k0,
			     d->k1);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Publish n deltas and write them to the warm copy in one pipeline. 0, or -1 when Redis failed
 * (the connection is then freed and the deltas counted unsent). */
static int
flush(struct sw_cluster *c, redisContext **rp, struct batch *b, unsigned n, uint64_t *seq,
      bool dump)
{
	redisContext *r = *rp;
	unsigned cmds = 0;
	uint64_t now = now_ns();

	if (n == 0)
		return 0;
	if (r == NULL) {
		if (!dump)
			add(&c->unsent, n);
		return -1;
	}
	/* Live first (the peers' lag), then the warm copy. */
	b->h.magic = WIRE_MAGIC;
	b->h.version = SW_STATE_LAYOUT_VERSION;
	b->h.count = (uint16_t)n;
	b->h.member = c->member_id;
	b->h.seq = *seq;
	b->h.sent_ns = now;
	redisAppendCommand(r, "PUBLISH %s %b", c->channel, (const void *)b,
			   sizeof(b->h) + n * sizeof(b->d[0]));
	cmds++;
	for (unsigned i = 0; i < n; i++) {
		char key[256];
		uint64_t ms = (b->d[i].expiry + 999999) / 1000000;

		if (b->d[i].expiry <= now || warm_key(c, &b->d[i], key, sizeof(key)) < 0)
			continue;
		redisAppendCommand(r, "SET %s %b PXAT %" PRIu64, key, (const void *)&b->d[i],
				   sizeof(b->d[i]), ms);
		cmds++;
	}
	for (unsigned i = 0; i < cmds; i++) {
		redisReply *rep = NULL;

		if (redisGetReply(r, (void **)&rep) != REDIS_OK || rep == NULL ||
		    rep->type == REDIS_REPLY_ERROR) {
			char err[128];

			snprintf(err, sizeof(err), "%s",
				 rep != NULL && rep->type == REDIS_REPLY_ERROR ? rep->str
				 : r->errstr[0]				       ? r->errstr
									       : "no reply");
			if (rep != NULL)
				freeReplyObject(rep);
			lost_redis(c, "tx", err);
			redisFree(r);
			*rp = NULL;
			atomic_store(&c->tx_up, false);
			if (!dump)
				add(&c->unsent, n);
			return -1;
		}
		freeReplyObject(rep);
	}
	*seq += n;
	add(dump ? &c->dumped : &c->sent, n);
	return 0;
}

struct dump_arg {
	struct sw_cluster *c;
	redisContext **rp;
	struct batch *b;
	unsigned n;
	uint64_t *seq;
	int rc;
};

static int
dump_cb(const struct sw_state_delta *d, void *arg)
{
	struct dump_arg *a = arg;

	a->b->d[a->n++] = *d;
	if (a->n == DUMP_CHUNK) {
		a->rc = flush(a->c, a->rp, a->b, a->n, a->seq, true);
		a->n = 0;
		if (a->rc < 0)
			return 1;
	}
	return 0;
}

/* Resync, sender's half: write (and publish) every live entry of the local state, so the warm
 * copy and the peers get what this member learned while it could not send. */
static int
dump_state(struct sw_cluster *c, redisContext **rp, struct sw_state *st, struct batch *b,
	   uint64_t *seq)
{
	struct dump_arg a = {.c = c, .rp = rp, .b = b, .seq = seq};
	uint64_t now = now_ns();

	for (unsigned t = 0; t < SW_STATE_NTABLES && a.rc == 0; t++) {
		sw_state_dump(st, t, now, true, dump_cb, &a);
		if (a.rc == 0 && a.n > 0)
			a.rc = flush(c, rp, b, a.n, seq, true);
		a.n = 0;
	}
	return a.rc;
}

/* The thread's own mapping of the named object: attach (create with default sizes when
 * absent); re-attach when another process re-created it. */
static struct sw_state *
own_state(struct sw_cluster *c, struct sw_state *mine, bool *fresh)
{
	int rc;

	if (c->ext_st != NULL) {
		/* The caller's mapping: "fresh" once, so the thread sets its context up. */
		if (mine->hdr == NULL) {
			mine->hdr = c->ext_st->hdr;
			*fresh = true;
		}
		return c->ext_st;
	}
	if (mine->hdr != NULL && !sw_state_retired(mine))
		return mine;
	if (mine->hdr != NULL)
		sw_state_close(mine);
	rc = sw_state_attach(c->instance, mine);
	if (rc == -ENOENT) {
		struct sw_state_config cfg = {0};

		rc = sw_state_open(c->instance, &cfg, 0, mine);
		rc = rc < 0 ? rc : 0;
	}
	if (rc < 0)
		return NULL;
	*fresh = true;
	return mine;
}

static void heartbeat(struct sw_cluster *c, redisContext **rp);

/* The run_id of INFO server: changes when Redis restarts. "" when unknown. */
static void
redis_run_id(redisContext *r, char *buf, size_t len)
{
	redisReply *rep = redisCommand(r, "INFO server");
	const char *p =
		rep != NULL && rep->type == REDIS_REPLY_STRING ? strstr(rep->str, "run_id:") : NULL;

	buf[0] = '\0';
	if (p != NULL)
		snprintf(buf, len, "%.*s", (int)strcspn(p + 7, "\r\n"), p + 7);
	if (rep != NULL)
		freeReplyObject(rep);
}

static void *
tx_main(void *arg)
{
	struct sw_cluster *c = arg;
	struct batch *b = malloc(sizeof(*b));
	struct sw_state mine = {0};
	redisContext *r = NULL;
	uint64_t seq = 0, next_retry = 0, next_beat = 0, tx_epoch = 0;
	bool need_dump = false;
	unsigned max = c->conf.batch_max;
	char run_id[64] = "-"; /* Redis's run_id at our last connection */
	uint64_t unsent_dumped = 0;

	block_sigpipe();
	if (b == NULL)
		return NULL;
	if (max > sizeof(b->d) / sizeof(b->d[0]))
		max = sizeof(b->d) / sizeof(b->d[0]);
	while (!atomic_load(&c->stop)) {
		bool fresh = false;
		struct sw_state *st = own_state(c, &mine, &fresh);
		unsigned n = 0, got;

		if (fresh)
			need_dump = true;
		if (r != NULL && atomic_load(&c->outage) && tx_epoch != atomic_load(&c->epoch)) {
			/* The rx side lost Redis while this connection looked fine: reconnect
			 * and resend everything, as after any outage. */
			redisFree(r);
			r = NULL;
			next_retry = 0;
		}
		if (r == NULL && mono_ms() >= next_retry) {
			uint64_t e = atomic_load(&c->epoch);

			r = connect_redis(c, "tx");
			next_retry = mono_ms() + c->conf.retry_ms;
			if (r != NULL) {
				char id[64] = "";

				tx_epoch = e;
				atomic_store(&c->tx_up, true);
				/* Resend everything when the peers or the warm copy may lack some
				 * of it: deltas went unsent, or Redis is another run (restarted,
				 * maybe empty), or this is our first connection (a restart that
				 * kept its state object). Not after a mere reconnection: a resync
				 * of a million entries is not free. */
				redis_run_id(r, id, sizeof(id));
				if (strcmp(id, run_id) != 0 || get(&c->unsent) != unsent_dumped)
					need_dump = true;
				snprintf(run_id, sizeof(run_id), "%s", id);
			}
		}
		if (r != NULL && need_dump && st != NULL && atomic_load(&c->ready)) {
			/* After the first warm load (the rx thread), so that a restarted member
			 * does not write back an empty view before it learned the group's. */
			uint64_t u = get(&c->unsent);

			if (dump_state(c, &r, st, b, &seq) == 0) {
				need_dump = false;
				unsent_dumped = u;
				if (!atomic_load(&c->outage) && atomic_load(&c->rx_up))
					set_degraded(c, false);
			}
		}
		/* Drain every ring into batches of at most max deltas. */
		for (unsigned i = 0; i < c->nrings; i++) {
			if (c->rings[i] == NULL)
				continue;
			while ((got = sw_state_ring_pop(c->rings[i], &b->d[n], max - n)) > 0) {
				n += got;
				if (n == max) {
					flush(c, &r, b, n, &seq, false);
					n = 0;
				}
			}
		}
		flush(c, &r, b, n, &seq, false);
		if (c->own_rings)
			atomic_store_explicit(&c->rings_obj.hdr->consumer_beat_ns, now_ns(),
					      RELAXED);
		if (atomic_load(&c->outage) && r != NULL && tx_epoch == atomic_load(&c->epoch) &&
		    atomic_load(&c->rx_up)) {
			atomic_store(&c->outage, false);
			set_degraded(c, need_dump);
			event(c, "cluster_redis_up", "\"unsent\":%" PRIu64 ",\"missed\":%" PRIu64,
			      get(&c->unsent) - atomic_load(&c->outage_unsent0),
			      get(&c->rx_gap) - atomic_load(&c->outage_gap0));
		}
		if (mono_ms() >= next_beat) {
			heartbeat(c, &r);
			next_beat = mono_ms() + c->conf.heartbeat_ms;
		}
		if (n < max)
			sleep_us(c->conf.flush_us);
	}
	/* Last drain: what the workers pushed before the stop is still sent. */
	for (unsigned i = 0; i < c->nrings; i++) {
		unsigned got;

		if (c->rings[i] == NULL)
			continue;
		while ((got = sw_state_ring_pop(c->rings[i], b->d, max)) > 0)
			flush(c, &r, b, got, &seq, false);
	}
	heartbeat(c, &r);
	if (r != NULL)
		redisFree(r);
	if (c->ext_st == NULL && mine.hdr != NULL)
		sw_state_close(&mine);
	free(b);
	return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* rx: Redis -> sw_state_apply */

/* Log-linear buckets of microseconds: exact below 16 us, then 8 per power of two (12.5%). */
static unsigned
lag_bucket(uint64_t ns)
{
	uint64_t us = ns / 1000;
	unsigned msb, i;

	if (us < 16)
		return (unsigned)us;
	msb = 63u - (unsigned)__builtin_clzll(us);
	i = 16 + (msb - 4) * 8 + (unsigned)((us >> (msb - 3)) & 7);
	return i < LAG_BUCKETS ? i : LAG_BUCKETS - 1;
}

/* Upper bound of a bucket, ns. */
static uint64_t
lag_bucket_ns(unsigned i)
{
	unsigned msb;

	if (i < 16)
		return (i + 1) * 1000ull;
	msb = (i - 16) / 8 + 4;
	return (((8ull + (i - 16) % 8 + 1) << (msb - 3))) * 1000ull;
}

static void
lag_publish(struct sw_cluster *c)
{
	uint64_t total = 0, acc = 0, p50 = 0, p99 = 0;

	for (unsigned i = 0; i < LAG_BUCKETS; i++)
		total += c->lag_cur[i] + c->lag_prev[i];
	for (unsigned i = 0; i < LAG_BUCKETS && total > 0; i++) {
		acc += c->lag_cur[i] + c->lag_prev[i];
		if (p50 == 0 && acc * 2 >= total)
			p50 = lag_bucket_ns(i);
		if (p99 == 0 && acc * 100 >= total * 99) {
			p99 = lag_bucket_ns(i);
			break;
		}
	}
	atomic_store_explicit(&c->lag_p50, p50, RELAXED);
	atomic_store_explicit(&c->lag_p99, p99, RELAXED);
}

static void
lag_record(struct sw_cluster *c, uint64_t lag, unsigned n, uint64_t now)
{
	if (now - c->lag_window_start > LAG_WINDOW_NS) {
		memcpy(c->lag_prev, c->lag_cur, sizeof(c->lag_prev));
		memset(c->lag_cur, 0, sizeof(c->lag_cur));
		c->lag_window_start = now;
	}
	c->lag_cur[lag_bucket(lag)] += n;
	add(&c->lag_samples, n);
	if (lag > get(&c->lag_max))
		atomic_store_explicit(&c->lag_max, lag, RELAXED);
}

static void
apply_one(struct sw_cluster *c, struct sw_state_ctx *ctx, const struct sw_state_delta *d,
	  uint64_t now)
{
	int rc = sw_state_apply(ctx, d, now);

	if (rc > 0)
		add(&c->applied, 1);
	else if (rc == 0)
		add(&c->stale, 1);
	else if (rc == -EBUSY)
		add(&c->busy, 1);
	else
		add(&c->rx_bad, 1);
}

static void
on_message(struct sw_cluster *c, struct sw_state_ctx *ctx, const char *p, size_t len)
{
	struct wire_hdr h;
	struct peer_seq *ps = NULL;
	uint64_t now;

	if (len < sizeof(h)) {
		add(&c->rx_bad, 1);
		return;
	}
	memcpy(&h, p, sizeof(h));
	if (h.magic != WIRE_MAGIC || h.version != SW_STATE_LAYOUT_VERSION ||
	    len != sizeof(h) + (size_t)h.count * sizeof(struct sw_state_delta)) {
		add(&c->rx_bad, 1);
		return;
	}
	if (h.member == c->member_id)
		return; /* our own */
	for (unsigned i = 0; i < c->npeers; i++)
		if (c->peers[i].member == h.member)
			ps = &c->peers[i];
	if (ps == NULL && c->npeers < PEERS_MAX) {
		ps = &c->peers[c->npeers++];
		ps->member = h.member;
		ps->next = h.seq;
	}
	if (ps != NULL) {
		if (h.seq > ps->next)
			add(&c->rx_gap, h.seq - ps->next);
		if (h.seq + h.count > ps->next)
			ps->next = h.seq + h.count;
	}
	now = now_ns();
	for (unsigned i = 0; i < h.count; i++) {
		struct sw_state_delta d;

		memcpy(&d, p + sizeof(h) + i * sizeof(d), sizeof(d));
		apply_one(c, ctx, &d, now);
	}
	add(&c->received, h.count);
	now = now_ns();
	lag_record(c, now > h.sent_ns ? now - h.sent_ns : 0, h.count, now);
}

/* Resync, receiver's half: apply every member's warm-copy keys of the group (SCAN + MGET).
 * 0 or -1 (Redis failed). */
static int
warm_load(struct sw_cluster *c, struct sw_state_ctx *ctx)
{
	char pattern[3 * SW_CLUSTER_NAME_MAX], cursor[32] = "0";
	redisContext *r = connect_redis(c, "rx");
	int rc = -1;

	if (r == NULL)
		return -1;
	snprintf(pattern, sizeof(pattern), "sw:%s:*", c->conf.group);
	do {
		redisReply *rep = redisCommand(r, "SCAN %s MATCH %s COUNT 1000", cursor, pattern);
		redisReply *vals;
		const char **argv;
		size_t *argl;
		size_t nk;

		if (rep == NULL || rep->type != REDIS_REPLY_ARRAY || rep->elements != 2) {
			if (rep != NULL)
				freeReplyObject(rep);
			goto out;
		}
		snprintf(cursor, sizeof(cursor), "%s", rep->element[0]->str);
		nk = rep->element[1]->elements;
		if (nk == 0) {
			freeReplyObject(rep);
			continue;
		}
		argv = calloc(nk + 1, sizeof(*argv));
		argl = calloc(nk + 1, sizeof(*argl));
		if (argv == NULL || argl == NULL) {
			free(argv);
			free(argl);
			freeReplyObject(rep);
			goto out;
		}
		argv[0] = "MGET";
		argl[0] = 4;
		for (size_t i = 0; i < nk; i++) {
			argv[i + 1] = rep->element[1]->element[i]->str;
			argl[i + 1] = rep->element[1]->element[i]->len;
		}
		vals = redisCommandArgv(r, (int)nk + 1, argv, argl);
		free(argv);
		free(argl);
		freeReplyObject(rep);
		if (vals == NULL || vals->type != REDIS_REPLY_ARRAY) {
			if (vals != NULL)
				freeReplyObject(vals);
			goto out;
		}
		for (size_t i = 0; i < vals->elements; i++) {
			const redisReply *v = vals->element[i];
			struct sw_state_delta d;

			if (v->type != REDIS_REPLY_STRING)
				continue; /* expired between SCAN and MGET */
			if (v->len != sizeof(d)) {
				add(&c->rx_bad, 1);
				continue;
			}
			memcpy(&d, v->str, sizeof(d));
			apply_one(c, ctx, &d, now_ns());
			add(&c->warm_loaded, 1);
		}
		freeReplyObject(vals);
	} while (strcmp(cursor, "0") != 0 && !atomic_load(&c->stop));
	rc = 0;
out:
	if (rc < 0)
		lost_redis(c, "rx", r->errstr[0] ? r->errstr : "warm copy read failed");
	redisFree(r);
	return rc;
}

/* Subscribe on a fresh connection; the connection or NULL. */
static redisContext *
subscribe(struct sw_cluster *c)
{
	redisContext *r = connect_redis(c, "rx");
	redisReply *rep;

	if (r == NULL)
		return NULL;
	rep = redisCommand(r, "SUBSCRIBE %s", c->channel);
	if (rep == NULL || rep->type != REDIS_REPLY_ARRAY) {
		lost_redis(c, "rx", r->errstr[0] ? r->errstr : "SUBSCRIBE refused");
		if (rep != NULL)
			freeReplyObject(rep);
		redisFree(r);
		return NULL;
	}
	freeReplyObject(rep);
	return r;
}

static void *
rx_main(void *arg)
{
	struct sw_cluster *c = arg;
	struct sw_state mine = {0};
	struct sw_state_ctx ctx;
	redisContext *r = NULL;
	uint64_t next_retry = 0, next_ping = 0, last_data = mono_ms(), next_lag = 0;
	bool need_load = true;

	block_sigpipe();
	while (!atomic_load(&c->stop)) {
		bool fresh = false;
		struct sw_state *st = own_state(c, &mine, &fresh);
		struct pollfd pfd;
		void *rep;

		if (st == NULL) {
			sleep_us(100000);
			continue;
		}
		if (fresh) {
			/* The applies are counted in the object's last counter block. */
			sw_state_ctx_init(&ctx, st, st->hdr->max_workers - 1, NULL);
			need_load = true;
		}
		if (r == NULL) {
			if (mono_ms() < next_retry) {
				sleep_us(10000);
				continue;
			}
			next_retry = mono_ms() + c->conf.retry_ms;
			r = subscribe(c);
			if (r == NULL)
				continue;
			need_load = true;
			last_data = mono_ms();
		}
		if (need_load) {
			/* Subscribed first, so nothing published during the load is missed (a
			 * delta seen twice changes nothing). */
			if (warm_load(c, &ctx) < 0) {
				redisFree(r);
				r = NULL;
				atomic_store(&c->rx_up, false);
				continue;
			}
			need_load = false;
			add(&c->resyncs, 1);
			atomic_store(&c->rx_up, true);
			atomic_store(&c->ready, true);
		}
		if (mono_ms() >= next_lag) {
			lag_publish(c);
			next_lag = mono_ms() + 200;
		}
		if (mono_ms() >= next_ping) {
			/* A PING in subscribed mode (answered "pong"): a Redis that stopped
			 * answering is noticed even when no peer publishes. */
			int done = 0;

			redisAppendCommand(r, "PING");
			while (!done && redisBufferWrite(r, &done) == REDIS_OK)
				;
			next_ping = mono_ms() + c->conf.heartbeat_ms;
		}
		if (mono_ms() - last_data > 3ull * c->conf.heartbeat_ms + c->conf.timeout_ms) {
			lost_redis(c, "rx", "no answer to PING");
			goto drop;
		}
		pfd.fd = r->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 20) <= 0)
			continue;
		if (redisBufferRead(r) != REDIS_OK) {
			lost_redis(c, "rx", r->errstr);
			goto drop;
		}
		last_data = mono_ms();
		while (redisGetReplyFromReader(r, &rep) == REDIS_OK && rep != NULL) {
			redisReply *m = rep;

			if (m->type == REDIS_REPLY_ARRAY && m->elements == 3 &&
			    m->element[0]->type == REDIS_REPLY_STRING &&
			    strcmp(m->element[0]->str, "message") == 0 &&
			    m->element[2]->type == REDIS_REPLY_STRING)
				on_message(c, &ctx, m->element[2]->str, m->element[2]->len);
			freeReplyObject(m);
		}
		if (r->err) {
			lost_redis(c, "rx", r->errstr);
			goto drop;
		}
		continue;
	drop:
		redisFree(r);
		r = NULL;
		atomic_store(&c->rx_up, false);
	}
	if (r != NULL)
		redisFree(r);
	if (c->ext_st == NULL && mine.hdr != NULL)
		sw_state_close(&mine);
	return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Status (D4, D5): this member's figures as JSON (also its heartbeat value in Redis), the
 * status files, the group's members */

static int
member_json(const struct sw_cluster *c, char *buf, size_t len)
{
	struct sw_cluster_stats s;

	sw_cluster_stats(c, &s);
	return snprintf(buf, len,
			"{\"member\":\"%s\",\"instance\":\"%s\",\"ready\":%s,\"reachable\":%s,"
			"\"lag_p50_us\":%.1f,\"lag_p99_us\":%.1f,\"lag_max_us\":%.1f,"
			"\"sent\":%" PRIu64 ",\"applied\":%" PRIu64 ",\"received\":%" PRIu64
			",\"stale\":%" PRIu64 ",\"unsent\":%" PRIu64 ",\"ring_lost\":%" PRIu64
			",\"missed\":%" PRIu64 ",\"bad\":%" PRIu64 ",\"busy\":%" PRIu64
			",\"warm_loaded\":%" PRIu64 ",\"dumped\":%" PRIu64 ",\"resyncs\":%" PRIu64
			",\"disconnects\":%" PRIu64 ",\"degraded\":%s,\"time_ns\":%" PRIu64 "}",
			c->conf.member, c->instance, s.ready ? "true" : "false",
			s.reachable ? "true" : "false", s.lag_p50_ns / 1e3, s.lag_p99_ns / 1e3,
			s.lag_max_ns / 1e3, s.sent, s.applied, s.received, s.stale, s.unsent,
			s.ring_lost, s.rx_gap, s.rx_bad, s.busy, s.warm_loaded, s.dumped, s.resyncs,
			s.disconnects, s.degraded ? "true" : "false", now_ns());
}

static void
write_file(const char *path, const char *text)
{
	char tmp[600];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL)
		return;
	fputs(text, f);
	if (fclose(f) == 0)
		rename(tmp, path);
	else
		unlink(tmp);
}

/* The group's members: a sorted set swm:G of member names scored by their last heartbeat (ms),
 * and each member's status in swm:G:M (expiring after 3 heartbeats). */
static void
read_members(struct sw_cluster *c, redisContext *r, uint64_t now_ms)
{
	char out[sizeof(c->members)];
	size_t used = 0;
	unsigned n = 0;
	uint64_t since = now_ms - 3ull * c->conf.heartbeat_ms;
	redisReply *names =
		redisCommand(r, "ZRANGEBYSCORE swm:%s %" PRIu64 " +inf", c->conf.group, since);

	if (names == NULL || names->type != REDIS_REPLY_ARRAY) {
		if (names != NULL)
			freeReplyObject(names);
		return;
	}
	for (size_t i = 0; i < names->elements && n < SW_CLUSTER_MEMBERS_MAX; i++) {
		redisReply *v = redisCommand(r, "GET swm:%s:%b", c->conf.group,
					     names->element[i]->str, names->element[i]->len);

		if (v != NULL && v->type == REDIS_REPLY_STRING && used + v->len + 2 < sizeof(out)) {
			memcpy(out + used, v->str, v->len);
			used += v->len;
			out[used++] = '\n';
			n++;
		}
		if (v != NULL)
			freeReplyObject(v);
	}
	freeReplyObject(names);
	out[used] = '\0';
	pthread_mutex_lock(&c->lock);
	memcpy(c->members, out, used + 1);
	c->nmembers = n;
	pthread_mutex_unlock(&c->lock);
}

static void
heartbeat(struct sw_cluster *c, redisContext **rp)
{
	char me[1024], file[16384], redis[300];
	int n = member_json(c, me, sizeof(me));

	if (n < 0 || (size_t)n >= sizeof(me))
		return;
	if (*rp != NULL) {
		uint64_t ms = now_ns() / 1000000;
		redisReply *rep;

		redisAppendCommand(*rp, "SET swm:%s:%s %s PX %u", c->conf.group, c->conf.member, me,
				   3 * c->conf.heartbeat_ms);
		redisAppendCommand(*rp, "ZADD swm:%s %" PRIu64 " %s", c->conf.group, ms,
				   c->conf.member);
		redisAppendCommand(*rp, "ZREMRANGEBYSCORE swm:%s -inf %" PRIu64, c->conf.group,
				   ms - 3ull * c->conf.heartbeat_ms);
		rep = NULL;
		for (int i = 0; i < 3; i++) {
			if (rep != NULL)
				freeReplyObject(rep);
			if (redisGetReply(*rp, (void **)&rep) != REDIS_OK)
				rep = NULL;
			if (rep == NULL)
				break;
		}
		if (rep == NULL) {
			lost_redis(c, "tx", (*rp)->errstr);
			redisFree(*rp);
			*rp = NULL;
			atomic_store(&c->tx_up, false);
		} else {
			freeReplyObject(rep);
			read_members(c, *rp, ms);
		}
	}
	if (c->conf.status[0] == '\0')
		return;
	/* This member, then the group's members as Redis last showed them. */
	current_redis(c, redis, sizeof(redis));
	pthread_mutex_lock(&c->lock);
	{
		size_t used = (size_t)snprintf(
			file, sizeof(file),
			"{\"group\":\"%s\",\"redis\":\"%s%s%s%s\",\"self\":%s,\"members\":[",
			c->conf.group, redis, c->conf.nsentinels > 0 ? " (Sentinels' master " : "",
			c->conf.nsentinels > 0 ? c->conf.master : "",
			c->conf.nsentinels > 0 ? ")" : "", me);
		const char *p = c->members;
		bool first = true;

		while (*p != '\0' && used < sizeof(file) - 8) {
			const char *e = strchr(p, '\n');
			size_t l = e != NULL ? (size_t)(e - p) : strlen(p);

			if (used + l + 4 >= sizeof(file))
				break;
			if (!first)
				file[used++] = ',';
			memcpy(file + used, p, l);
			used += l;
			first = false;
			p += l + (e != NULL);
		}
		snprintf(file + used, sizeof(file) - used, "]}\n");
	}
	pthread_mutex_unlock(&c->lock);
	write_file(c->conf.status, file);
}

/* ------------------------------------------------------------------------------------------ */
/* Public API */

void
sw_cluster_stats(const struct sw_cluster *c, struct sw_cluster_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->sent = get(&c->sent);
	s->unsent = get(&c->unsent);
	for (unsigned i = 0; i < c->nrings; i++)
		if (c->rings[i] != NULL)
			s->ring_lost += atomic_load_explicit(&c->rings[i]->lost, RELAXED);
	s->received = get(&c->received);
	s->applied = get(&c->applied);
	s->stale = get(&c->stale);
	s->busy = get(&c->busy);
	s->rx_gap = get(&c->rx_gap);
	s->rx_bad = get(&c->rx_bad);
	s->warm_loaded = get(&c->warm_loaded);
	s->dumped = get(&c->dumped);
	s->resyncs = get(&c->resyncs);
	s->disconnects = get(&c->disconnects);
	s->lag_p50_ns = get(&c->lag_p50);
	s->lag_p99_ns = get(&c->lag_p99);
	s->lag_max_ns = get(&c->lag_max);
	s->lag_samples = get(&c->lag_samples);
	s->reachable = atomic_load(&c->tx_up) && atomic_load(&c->rx_up);
	s->ready = atomic_load(&c->ready);
	s->degraded = atomic_load(&c->degraded);
}

bool
sw_cluster_wait_ready(const struct sw_cluster *c, unsigned timeout_ms)
{
	uint64_t end = mono_ms() + timeout_ms;

	while (!atomic_load(&c->ready)) {
		if (mono_ms() >= end)
			return false;
		sleep_us(1000);
	}
	return true;
}

unsigned
sw_cluster_members(const struct sw_cluster *c, char *buf, size_t len)
{
	unsigned n;

	pthread_mutex_lock((pthread_mutex_t *)&c->lock);
	snprintf(buf, len, "%s", c->members);
	n = c->nmembers;
	pthread_mutex_unlock((pthread_mutex_t *)&c->lock);
	return n;
}

struct sw_cluster *
sw_cluster_new(const struct sw_cluster_conf *conf, const char *instance, struct sw_state *st,
	       struct sw_state_ring **rings, unsigned nrings)
{
	struct sw_cluster *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->conf = *conf;
	sw_cluster_conf_defaults(&c->conf);
	snprintf(c->instance, sizeof(c->instance), "%s", instance != NULL ? instance : "");
	c->member_id = fnv1a(c->conf.member);
	snprintf(c->channel, sizeof(c->channel), "sw:%s:deltas", c->conf.group);
	snprintf(c->keypfx, sizeof(c->keypfx), "sw:%s:%s", c->conf.group, c->conf.member);
	c->ext_st = st;
	atomic_store(&c->degraded, true); /* until the warm copy is loaded */
	pthread_mutex_init(&c->lock, NULL);
	c->lag_window_start = now_ns();
	if (st == NULL && (instance == NULL || sw_shm_instance_valid(instance) < 0))
		goto inval;
	if (rings != NULL) {
		c->rings = calloc(nrings, sizeof(*c->rings));
		if (c->rings == NULL)
			goto fail;
		memcpy(c->rings, rings, nrings * sizeof(*rings));
		c->nrings = nrings;
		set_degraded(c, true);
	} else if (instance != NULL) {
		int rc = sw_state_rings_create(instance, nrings, 0, &c->rings_obj);

		if (rc < 0) {
			errno = -rc;
			goto fail;
		}
		c->own_rings = true;
		c->nrings = c->rings_obj.hdr->nrings;
		c->rings = calloc(c->nrings, sizeof(*c->rings));
		if (c->rings == NULL)
			goto fail;
		for (unsigned i = 0; i < c->nrings; i++)
			c->rings[i] = sw_state_rings_get(&c->rings_obj, i);
		atomic_store(&c->rings_obj.hdr->consumer_pid, (int32_t)getpid());
		set_degraded(c, true);
	}
	return c;
inval:
	errno = EINVAL;
fail:
	sw_cluster_free(c);
	return NULL;
}

int
sw_cluster_start(struct sw_cluster *c)
{
	int rc = pthread_create(&c->rx, NULL, rx_main, c);

	if (rc != 0)
		return -rc;
	c->rx_started = true;
	rc = pthread_create(&c->tx, NULL, tx_main, c);
	if (rc != 0)
		return -rc;
	c->tx_started = true;
	return 0;
}

void
sw_cluster_free(struct sw_cluster *c)
{
	if (c == NULL)
		return;
	atomic_store(&c->stop, true);
	if (c->tx_started)
		pthread_join(c->tx, NULL);
	if (c->rx_started)
		pthread_join(c->rx, NULL);
	/* Nobody replicates any more: the peers' state may be missing from now on. */
	set_degraded(c, true);
	if (c->own_rings) {
		atomic_store(&c->rings_obj.hdr->consumer_pid, 0);
		sw_state_rings_close(&c->rings_obj);
	}
	free(c->rings);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
