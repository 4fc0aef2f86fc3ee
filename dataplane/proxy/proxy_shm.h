/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Proxy mode's status for `sigwallctl status` (issue 21 Deliver 5): the associations with their
 * SCTP, ASP and AS states and counters, and the proxy's outcome counters, in a shared memory
 * object of the instance, `/sigwall.<instance>.proxy` (mode 0600), written by the proxy lcore and
 * read by sigwallctl. The verdict counters, rule hits, epoch and events are the worker block's
 * of the stats region, as in inline mode (proxy_dpdk.c); this object holds what only a proxy has.
 *
 * One writer (the proxy lcore, about every 100 ms and on every state change), any number of
 * readers. Seqlock: the writer makes `seq` odd (release), writes the body, makes `seq` even
 * again (release); a reader copies the object between two acquire loads of an equal, even `seq`
 * and retries otherwise (sw_proxy_shm_read). A dead dataplane leaves the object: the reader
 * sees the writer's pid and the time of the last update.
 *
 * struct sw_proxy_snap is also what sw_proxy_status formats (proxy.h): the stdout status lines
 * and `sigwallctl status` are one formatter over one snapshot.
 */
#ifndef SW_PROXY_PROXY_SHM_H
#define SW_PROXY_PROXY_SHM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proxy.h"

#define SW_PROXY_SHM_MAGIC   0x5958505357ull /* "WSPXY" */
#define SW_PROXY_SHM_VERSION 2u /* 2: per-link beat_aborts */
#define SW_PROXY_SNAP_CTRS   16 /* >= SW_PXO_COUNT */

struct sw_proxy_snap_link {
	char name[SW_PROXY_NAME_MAX];
	uint8_t sctp_up;   /* association established */
	uint8_t client;	   /* the proxy is the ASP on it (m3ua=asp), else the SGP */
	uint8_t asp_state; /* enum sw_m3ua_asp_state */
	uint8_t as_state;  /* enum sw_m3ua_as_state: the peer's AS (asp) or ours (sgp) */
	uint8_t routable;  /* in the route table's available links */
	uint8_t honeypot;
	uint8_t side; /* 0 outside, 1 inside */
	uint8_t pad;
	uint64_t rx_data, tx_data, err_rx, err_tx, looped, duna_rx, dava_rx;
	uint64_t beat_aborts; /* associations aborted for unanswered BEATs (version 2) */
};
_Static_assert(sizeof(struct sw_proxy_snap_link) == 104 &&
		       offsetof(struct sw_proxy_snap_link, rx_data) == 40,
	       "sw_proxy_snap_link layout");

struct sw_proxy_snap {
	uint32_t nlinks;
	uint32_t pad;
	uint64_t generation; /* the policy image bound, 0: none */
	uint64_t judged;     /* MSUs judged */
	uint64_t rx_msu, ssnm_tx, decode_mal;
	uint64_t ctr[SW_PROXY_SNAP_CTRS]; /* enum sw_proxy_outcome */
	struct sw_proxy_snap_link link[SW_PROXY_LINKS];
};
_Static_assert(SW_PXO_COUNT <= SW_PROXY_SNAP_CTRS, "room for every outcome");
_Static_assert(offsetof(struct sw_proxy_snap, ctr) == 48 &&
		       offsetof(struct sw_proxy_snap, link) == 48 + 8 * SW_PROXY_SNAP_CTRS,
	       "sw_proxy_snap layout");

struct sw_proxy_shm {
	uint64_t magic;	  /* SW_PROXY_SHM_MAGIC, written last at creation */
	uint32_t version; /* SW_PROXY_SHM_VERSION */
	uint32_t size;	  /* sizeof(struct sw_proxy_shm) */
	_Atomic uint64_t seq;
	_Atomic uint64_t update_ns; /* CLOCK_REALTIME of the last update (relaxed) */
	_Atomic int32_t pid;	    /* the writing dataplane */
	uint32_t pad;
	struct sw_proxy_snap snap;
};
_Static_assert(offsetof(struct sw_proxy_shm, seq) == 16 &&
		       offsetof(struct sw_proxy_shm, snap) == 40,
	       "sw_proxy_shm layout");

/* The proxy's state now. judged and generation come from the judge (the core does not know). */
void sw_proxy_snapshot(const struct sw_proxy *px, uint64_t judged, uint64_t generation,
		       struct sw_proxy_snap *out);
/* One line per link ("link NAME sctp=up m3ua=sgp asp=active as=active rx=.. tx=.. ...
 * beat_aborts=.. looped=.."), then
 * with totals one line of the outcome counters ("proxy routed=.. rejected=.."). Returns the
 * length written (truncated to cap, NUL-terminated when cap > 0). */
size_t sw_proxy_snap_format(const struct sw_proxy_snap *s, bool totals, char *out, size_t cap);

/* Dataplane: create (or take over) the instance's object. 0 or -errno. */
int sw_proxy_shm_create(const char *instance, struct sw_proxy_shm **out);
/* Dataplane: publish a snapshot (seqlock). */
void sw_proxy_shm_publish(struct sw_proxy_shm *m, const struct sw_proxy_snap *s);
/* Dataplane: unmap, and unlink the object (a clean stop: no stale status). */
void sw_proxy_shm_destroy(struct sw_proxy_shm *m, const char *instance);

/* Reader: a consistent copy of the instance's object. 0, -ENOENT (no proxy instance), -EINVAL
 * (not a proxy status object of this version) or -EAGAIN (the writer kept it busy). */
int sw_proxy_shm_read(const char *instance, struct sw_proxy_shm *copy);
/* The proxy section of `sigwallctl status`: nothing when the instance has no proxy object. */
void sw_proxy_status_print(const char *instance, FILE *out);

#endif /* SW_PROXY_PROXY_SHM_H */
