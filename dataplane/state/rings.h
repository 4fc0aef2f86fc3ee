/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The delta rings of an instance in shared memory (issue 16): one single-producer
 * single-consumer struct sw_state_ring per worker, in the POSIX shm object
 * /sigwall.<instance>.deltas, mode 0600. The replicator (control/cluster, sigwall-cluster)
 * creates it; the dataplane attaches to it when it exists and hands worker i ring i to
 * sw_state_ctx_init(). No object (no cluster configured): the workers get no ring and push
 * nothing, which is today's single-box behaviour.
 *
 *   [struct sw_state_rings_hdr, a page][ring 0][ring 1]...   each ring ring_stride bytes
 *
 * A ring's head/tail contract is in state.h (struct sw_state_ring).
 */
#ifndef SW_STATE_RINGS_H
#define SW_STATE_RINGS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/state/state.h"

#define SW_STATE_RINGS_MAGIC	    0x53474e4952575353ull /* "SSWRINGS" */
#define SW_STATE_RINGS_VERSION	    1u
#define SW_STATE_RINGS_DEFAULT_SIZE 4096u /* records per ring (256 KiB) */

struct sw_state_rings_hdr {
	/* Immutable after creation; magic stored (release) last, loaded (acquire) by openers. */
	_Atomic uint64_t magic;
	uint32_t version; /* SW_STATE_RINGS_VERSION */
	uint32_t hdr_size;
	uint64_t region_size;
	uint32_t nrings;      /* one per worker index */
	uint32_t ring_size;   /* records per ring, a power of two */
	uint64_t ring_stride; /* bytes per ring, page multiple */
	/* The replicator: its pid and the CLOCK_REALTIME ns of its last drain (relaxed; for
	 * status only: a producer never waits for the consumer). */
	_Atomic int32_t consumer_pid;
	/* 1 while the replicator cannot reach Redis or is resynchronising (warm copy not loaded
	 * again yet): state learned by the peers may be missing here, and a policy may judge
	 * state misses more leniently (patterns/README.md). Replicator: relaxed store; readers
	 * (the judge): relaxed load. */
	_Atomic uint32_t degraded;
	_Atomic uint64_t consumer_beat_ns;
	uint64_t reserved[9];
};
_Static_assert(sizeof(struct sw_state_rings_hdr) == 128, "rings header: two lines");

struct sw_state_rings {
	struct sw_state_rings_hdr *hdr;
	uint8_t *base;
	size_t len;
};

/* "/sigwall.<instance>.deltas"; 0 or -EINVAL. */
int sw_state_rings_name(char *buf, size_t len, const char *instance);
/* Replicator: create the object of nrings rings of size records (0: defaults
 * SW_STATE_MAX_WORKERS, SW_STATE_RINGS_DEFAULT_SIZE), or reuse an existing one of the same
 * geometry (its records are kept). 0 created, 1 reused, -errno. */
int sw_state_rings_create(const char *instance, uint32_t nrings, uint32_t size,
			  struct sw_state_rings *out);
/* Dataplane: map the existing object; -ENOENT when there is none (no replication). */
int sw_state_rings_attach(const char *instance, struct sw_state_rings *out);
/* Ring of worker i, NULL when i >= nrings (or r has no object). */
struct sw_state_ring *sw_state_rings_get(const struct sw_state_rings *r, unsigned i);
void sw_state_rings_close(struct sw_state_rings *r);
void sw_state_rings_unlink(const char *instance);

#endif /* SW_STATE_RINGS_H */
