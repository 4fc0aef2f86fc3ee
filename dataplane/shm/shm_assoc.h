/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-association repair statistics of the inline enforcer (issue 12 Deliver 5): the object
 * /sigwall.INSTANCE.assoc, created by sigwall-dataplane in inline mode and read by
 * `sigwallctl assoc`. Additive: the image and stats objects (shm.h) are unchanged by it.
 *
 * One block per worker. About once a second each worker publishes up to SW_SHM_ASSOC_MAX of the
 * associations its enforcer tracks, the busiest first (chunks removed, SACKs generated and
 * retransmissions seen, then the most recently active), under a sequence lock: seq is odd while
 * the block is written; a reader copies the block and keeps the copy only when seq was even and
 * unchanged around it.
 *
 * The reader trusts nothing it reads (issue 13 D8): magic, version, header and record sizes,
 * worker count and every offset are checked against the object's real size before anything is
 * read; counts are clamped to the block's capacity; strings are terminated; enums bounded.
 *
 * Layout changes bump SW_SHM_ASSOC_VERSION; the reader refuses another version.
 */
#ifndef SW_SHM_SHM_ASSOC_H
#define SW_SHM_SHM_ASSOC_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SW_SHM_ASSOC_MAGIC   0x53574153534f4331ull /* "SWASSOC1" */
#define SW_SHM_ASSOC_VERSION 1
#define SW_SHM_ASSOC_MAX     256 /* associations published per worker */
#define SW_SHM_ASSOC_WORKERS 128 /* workers an object may describe */

/* One association. Side d is the endpoint that sends direction d (0: port A -> B, outside). */
struct sw_shm_assoc_rec {
	uint32_t vtag[2];	    /* tag carried by packets of direction d, 0: not learned */
	uint16_t port[2];	    /* SCTP port of side d */
	uint8_t addr[2][16];	    /* address of side d (IPv4: first 4 bytes) */
	uint8_t ip_ver;		    /* 4, 6, 0: no packet seen since learning */
	uint8_t up;		    /* 1: handshake complete */
	uint16_t reserved0;
	uint32_t chunks_removed[2]; /* DATA/I-DATA chunks removed, per direction */
	uint32_t tsn_offset[2];	    /* removed TSNs so far: new TSN = original - offset */
	uint32_t sacks_generated;   /* SACKs generated toward a sender */
	uint32_t retrans_removed;   /* retransmissions of removed chunks seen */
	uint64_t idle_ns;	    /* since its last packet, at publication */
	char last_error[24];	    /* the enforcer's reason of its last fallback, "" none */
};
_Static_assert(sizeof(struct sw_shm_assoc_rec) == 104, "sw_shm_assoc_rec layout");

struct sw_shm_assoc_block {
	_Atomic uint64_t seq;	  /* odd while the worker writes the block */
	_Atomic uint64_t time_ns; /* CLOCK_REALTIME of the publication, 0: never */
	uint32_t count;		  /* records valid in rec[] */
	uint32_t tracked;	  /* associations the worker tracks (may exceed count) */
	uint8_t pad[40];
	struct sw_shm_assoc_rec rec[SW_SHM_ASSOC_MAX];
};

struct sw_shm_assoc_hdr {
	_Atomic uint64_t magic; /* stored (release) last at creation */
	uint32_t version;	/* SW_SHM_ASSOC_VERSION */
	uint32_t hdr_size;	/* sizeof(struct sw_shm_assoc_hdr) */
	uint32_t rec_size;	/* sizeof(struct sw_shm_assoc_rec) */
	uint32_t max_assocs;	/* SW_SHM_ASSOC_MAX */
	uint32_t nworkers;	/* blocks */
	uint32_t reserved;
	uint64_t block_off;	/* offset of block 0 */
	uint64_t block_stride;	/* sizeof(struct sw_shm_assoc_block) */
	uint64_t region_size;
};

/* A mapping of the object. */
struct sw_shm_assoc {
	struct sw_shm_assoc_hdr *hdr;
	size_t len;
	bool writable;
	char name[64];
};

/* Dataplane: create (replacing a stale object of the same name) with nworkers blocks. */
int sw_shm_assoc_create(const char *instance, unsigned nworkers, struct sw_shm_assoc *out);
/* Reader: map read-only and validate; -ENOENT when there is none, -EPROTO when invalid. */
int sw_shm_assoc_attach(const char *instance, struct sw_shm_assoc *out);
void sw_shm_assoc_detach(struct sw_shm_assoc *m);
void sw_shm_assoc_unlink(const char *instance);
/* Worker w's block (NULL when w is out of range). */
struct sw_shm_assoc_block *sw_shm_assoc_block(const struct sw_shm_assoc *m, unsigned w);

/* Writer: bracket the update of a block. */
void sw_shm_assoc_write_begin(struct sw_shm_assoc_block *b);
void sw_shm_assoc_write_end(struct sw_shm_assoc_block *b, uint64_t real_ns);

/*
 * Reader: a consistent copy of worker w's records (up to max), each made safe (strings
 * terminated, ip_ver bounded). Returns how many, or -EAGAIN when the writer kept it busy
 * (bounded retries), -EINVAL for w out of range. *time_ns and *tracked as published.
 */
int sw_shm_assoc_read(const struct sw_shm_assoc *m, unsigned w, struct sw_shm_assoc_rec *out,
		      unsigned max, uint64_t *time_ns, uint32_t *tracked);

#endif /* SW_SHM_SHM_ASSOC_H */
