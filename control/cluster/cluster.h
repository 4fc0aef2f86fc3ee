/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replication of the state tables of a group of appliances through Redis (issue 16).
 * control/cluster/README.md describes the design, the keys and what is consistent.
 *
 * A replicator (struct sw_cluster) serves one member of a group. Two threads:
 *   tx: drains the workers' delta rings (rings.h), publishes them in batches on the group's
 *       channel and writes each as a key of the warm copy with the entry's expiry
 *       (SET ... PXAT); on every (re)connection it writes its whole state (a resync);
 *   rx: subscribes to the channel, applies the peers' deltas (sw_state_apply, its own ignored)
 *       and, on every (re)connection, loads the warm copy first; the member is ready once the
 *       first load is done.
 * The workers never talk to Redis: a member whose Redis is down or slow keeps judging with its
 * local state, counts what it could not send or receive and raises one event per outage.
 */
#ifndef SW_CLUSTER_H
#define SW_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dataplane/state/rings.h"
#include "dataplane/state/state.h"

#define SW_CLUSTER_NAME_MAX	 64
#define SW_CLUSTER_MEMBERS_MAX	 32 /* members listed in the status */
#define SW_CLUSTER_SENTINELS_MAX 8

struct sw_cluster_addr {
	char host[256];
	int port;
};

struct sw_cluster_conf {
	char group[SW_CLUSTER_NAME_MAX];  /* site.cluster.name */
	char member[SW_CLUSTER_NAME_MAX]; /* site.cluster.member; default <hostname>.<instance> */
	char host[256];			  /* site.cluster.redis = "host:port" */
	int port;
	/* D2: site.cluster.redis = [ "sentinel:host:port", ... ] with site.cluster.master: the
	 * master is asked of the Sentinels at every (re)connection (host/port: the last one). */
	struct sw_cluster_addr sentinel[SW_CLUSTER_SENTINELS_MAX];
	unsigned nsentinels;
	char master[SW_CLUSTER_NAME_MAX];
	uint32_t flush_us;     /* rings drained at least this often (default 1000) */
	uint32_t timeout_ms;   /* a Redis command slower than this = Redis down (default 200) */
	uint32_t retry_ms;     /* reconnection period (default 500) */
	uint32_t batch_max;    /* deltas per published message (default 256) */
	uint32_t heartbeat_ms; /* status file and member key (default 1000) */
	char events[512];      /* file to append the cluster's event lines to ("" none) */
	char status[512];      /* status file (JSON, rewritten every heartbeat; "" none) */
};

/* Defaults for every numeric field left 0. */
void sw_cluster_conf_defaults(struct sw_cluster_conf *c);
/*
 * site.cluster of the site file (D2): 1 configured (c filled, defaults applied), 0 no
 * site.cluster (single box), -EINVAL with "file:line: message" in err. instance names the
 * default member.
 */
int sw_cluster_conf_site(const char *path, const char *instance, struct sw_cluster_conf *c,
			 char *err, size_t errlen);
/* "host:port" (IPv4/name, or [IPv6]:port), or "sentinel:host:port" (appended to the
 * Sentinels); 0 or -EINVAL. */
int sw_cluster_parse_redis(const char *s, struct sw_cluster_conf *c);

/* What a replicator counted (D4). Lags are from a delta's drain on the sender to its apply
 * here, over the last ~10 s. */
struct sw_cluster_stats {
	uint64_t sent;	      /* deltas published */
	uint64_t unsent;      /* deltas drained while Redis was unreachable (resync resends) */
	uint64_t ring_lost;   /* deltas the workers' rings could not take (ring full) */
	uint64_t received;    /* peer deltas received live */
	uint64_t applied;     /* peer deltas (live or warm) that changed the local state */
	uint64_t stale;	      /* peer deltas that changed nothing (duplicates, older, expired) */
	uint64_t busy;	      /* peer deltas not applied: bucket lock not obtained */
	uint64_t rx_gap;      /* peer deltas missed (gaps in a peer's sequence) */
	uint64_t rx_bad;      /* malformed messages or values */
	uint64_t warm_loaded; /* warm-copy entries read */
	uint64_t dumped;      /* entries written by resyncs */
	uint64_t resyncs;     /* warm loads done (first start included) */
	uint64_t disconnects; /* times Redis became unreachable */
	uint64_t lag_p50_ns, lag_p99_ns, lag_max_ns, lag_samples;
	bool reachable; /* both connections up */
	bool ready;	/* the first warm load is done */
	bool degraded;	/* Redis unreachable or resync not finished (rings.h: degraded) */
};

struct sw_cluster;

/*
 * A replicator for conf. Either st (a mapping the caller keeps, e.g. an anonymous object in a
 * test) or instance (the named object /sigwall.<instance>.state, attached and re-attached by
 * each thread; created with default sizes when absent). rings: the workers' rings (nrings of
 * them) or NULL with instance: the instance's ring object (created). apply_worker: the counter
 * block the applies are counted in (default: the object's last). NULL with errno on failure.
 */
struct sw_cluster *sw_cluster_new(const struct sw_cluster_conf *conf, const char *instance,
				  struct sw_state *st, struct sw_state_ring **rings,
				  unsigned nrings);
/* Start the two threads. 0 or -errno. */
int sw_cluster_start(struct sw_cluster *c);
/* Stop the threads, write the final status, free everything. */
void sw_cluster_free(struct sw_cluster *c);
void sw_cluster_stats(const struct sw_cluster *c, struct sw_cluster_stats *out);
/* Wait until ready (first warm load done) or timeout_ms; true when ready. */
bool sw_cluster_wait_ready(const struct sw_cluster *c, unsigned timeout_ms);
/* The members of the group seen at the last heartbeat, each as its JSON object, to buf;
 * returns how many. */
unsigned sw_cluster_members(const struct sw_cluster *c, char *buf, size_t len);

/* sigwallctl status (D5): print the cluster section of instance from its status file, when
 * one exists (nothing otherwise: no cluster configured). */
void sw_cluster_status_print(const char *instance, FILE *out);
/* D4: the Prometheus lines of instance's cluster (sigwall-control's /metrics appends them),
 * malloc'd; NULL when no status file (no cluster). */
char *sw_cluster_metrics(const char *instance);
/* Status file of an instance: <rundir>/<instance>.cluster.json. 0 or -EINVAL. */
int sw_cluster_status_path(char *buf, size_t len, const char *instance);

#endif /* SW_CLUSTER_H */
