/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control <-> dataplane shared memory (ARCHITECTURE.md section 5).
 *
 * Pure C11, no DPDK: included by sigwall-control (writer of the image region, reader of the
 * stats region), by the dataplane workers (readers of the image region, writers of the stats
 * region), by sigwallctl and by the tests.
 *
 * Two POSIX shm objects per instance, mode 0600:
 *
 *   /sigwall.<instance>.image  written by control, mapped PROT_READ by the dataplane
 *     [struct sw_shm_image_hdr, one page][slot 0][slot 1]...   every slot page aligned
 *
 *   /sigwall.<instance>.stats  written by the dataplane, read by control
 *     [struct sw_shm_stats_hdr, one page]
 *     [struct sw_shm_worker x max_workers]                     each cache aligned
 *     [struct sw_shm_ring + ring_size x struct sw_shm_event] x max_workers
 *     [struct sw_shm_nic x SW_SHM_MAX_PORTS]                   page aligned
 *
 * Trust: the dataplane faces the traffic, so control treats everything it reads from the stats
 * region as untrusted. It takes the geometry (offsets, strides, counts) once, when it validates
 * the header at attach/create time, into its own memory (struct sw_shm_stats.geo) and never
 * re-reads it from the region; every index and length it reads later (ring head/tail, event
 * fields, NIC entry counts, names) is checked against that copy and clamped or refused, and
 * counted in struct sw_shm_stats.corrupt (sw_shm_events_pop, sw_shm_nic_read, sw_shm_nworkers).
 *
 * Publication (control) and pick-up (workers), the rte_rcu_qsbr model across processes:
 *
 *   control                                     worker, once per burst
 *   -------                                     ----------------------
 *   pick slot s not holding hdr.generation,     g = load_acquire(hdr.generation)
 *     whose generation X is older than every    if g != cached: sw_shm_image_get() (finds the
 *     live worker's epoch (or empty, or above     slot whose generation == g; NULL: keep the
 *     hdr.generation: an abandoned publication)   image held)
 *   slot[s].generation = 0 (release)            store_release(worker.epoch, g)
 *   memcpy image into slot s                    ... evaluate the whole burst on image g ...
 *   slot[s].{size,checksum,...} = ...
 *   store_release(slot[s].generation, G)
 *   store_release(hdr.active_slot, s)
 *   store_release(hdr.generation, G)
 *
 * A worker's epoch is the generation it last started a burst with. Epochs only grow. While a
 * worker runs a burst on generation g its published epoch is <= g, so a slot holding generation
 * X may be overwritten only when every live worker's epoch is > X: then no live worker can still
 * be reading it. A worker that never saw an image has epoch 0 and blocks reuse of every
 * non-empty slot until its next burst. The slot holding hdr.generation is never overwritten. A
 * slot whose generation is above hdr.generation was left by a control that died mid-publication:
 * no worker looks for it, so it is free. A stalled worker
 * delays reuse (control gives up with an error after a timeout and the running image stays);
 * it can never see a half-written image.
 *
 * A worker is live when its `alive` flag is set and the dataplane process recorded in the stats
 * header (dataplane_pid) still exists; a crashed dataplane therefore never blocks reloads.
 *
 * Images that do not fit: the slot size is fixed when the image object is created (sigwall-control
 * uses max(4 x first image, 64 MiB) rounded to a page, or --slot-size). A later image larger than
 * a slot is refused by the reload with "image of N bytes does not fit the M-byte slots of
 * /sigwall.X.image; restart sigwall-control with --slot-size"; the running image stays. On its
 * next start control re-creates the object with bigger slots: it sets hdr.retired, unlinks the old
 * object and creates a new one; the dataplane's main thread polls `retired` and re-attaches by
 * name (the old mapping stays valid until it is unmapped, so the workers keep enforcing).
 *
 * Generations only grow, also across a re-created object: control numbers the next image above
 * both hdr.generation and every worker's epoch, so an epoch left from the old object never makes
 * a slot of the new one look reclaimable. Workers keep their epoch monotonic (never store a
 * lower one).
 *
 * Events: the rings' head and tail live in the object, so a restarted control continues draining
 * where the previous one stopped; nothing is lost but what overflowed while nobody drained (counted
 * in ring.lost).
 *
 * Layout changes bump SW_SHM_LAYOUT_VERSION; both sides refuse an object of another version.
 */
#ifndef SW_SHM_SHM_H
#define SW_SHM_SHM_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dataplane/decode/msu.h"
#include "dataplane/policy/ratelimit.h"

#define SW_SHM_LAYOUT_VERSION 4u /* 2: NIC section (sw_shm_nic); 3: rate-limit counters,
				    shadow image and counters; 4: shadow counters per partner */
#define SW_SHM_IMAGE_MAGIC 0x4d49575357ull /* "SWIM" + version-independent tag */
#define SW_SHM_STATS_MAGIC 0x54535753ull   /* "SWST" */

#define SW_SHM_CACHE_LINE 64
#define SW_SHM_PAGE 4096u
#define SW_SHM_MAX_SLOTS 4
#define SW_SHM_DEFAULT_SLOTS 2
#define SW_SHM_MIN_SLOT_SIZE (64ull << 20) /* 64 MiB */
#define SW_SHM_MAX_WORKERS 64
#define SW_SHM_DEFAULT_WORKERS 32
#define SW_SHM_MAX_RULES 4096              /* per-rule hit counters; higher ids -> rule_overflow */
#define SW_SHM_SHADOW_PARTNERS 4096        /* shadow changes per partner; higher -> partner_other */
#define SW_SHM_MAL_MAX 128                 /* malformed counters; SW_MAL_COUNT must fit */
#define SW_SHM_RING_DEFAULT 1024           /* events per worker ring, a power of two */
#define SW_SHM_EVENT_SNAP 256              /* packet bytes kept with an event */
#define SW_SHM_INSTANCE_MAX 32             /* [A-Za-z0-9_-]{1,32} */
#define SW_SHM_NAME_MAX (sizeof("/sigwall..image") + SW_SHM_INSTANCE_MAX)
#define SW_SHM_MAX_PORTS 4                 /* NIC sections (the dataplane uses 1 or 2 ports) */
#define SW_SHM_MAX_XSTATS 256              /* extended statistics kept per port */
#define SW_SHM_XSTAT_NAME 64               /* = RTE_ETH_XSTATS_NAME_SIZE, NUL included */

_Static_assert(SW_MAL_COUNT <= SW_SHM_MAL_MAX, "malformed reasons outgrew the stats layout");

/* ------------------------------------------------------------------------------------------ */
/* Image region                                                                               */

struct sw_shm_slot {
	/*
	 * Generation of the complete image in this slot; 0 while empty or being written.
	 * Control: store_release after the image bytes and the fields below are written.
	 * Workers: load_acquire, compare with hdr.generation (sw_shm_image_get).
	 */
	_Atomic uint64_t generation;
	/* Plain fields: written by control before the release store of `generation`, read by
	 * workers after its acquire load; stable while the slot holds that generation. */
	uint64_t offset;      /* of the image from the start of the region; page aligned */
	uint64_t size;        /* bytes of the image */
	uint64_t checksum;    /* sw_image_checksum() of the image, for status and verification */
	uint64_t publish_ns;  /* CLOCK_REALTIME when published */
	uint64_t compile_ns;  /* how long the compile took */
	uint64_t reserved[2];
};
_Static_assert(sizeof(struct sw_shm_slot) == 64, "sw_shm_slot layout");
_Static_assert(offsetof(struct sw_shm_slot, offset) == 8 &&
	       offsetof(struct sw_shm_slot, compile_ns) == 40, "sw_shm_slot layout");

struct sw_shm_image_hdr {
	/* Immutable after creation (written before the object is made visible by magic). */
	_Atomic uint64_t magic;       /* SW_SHM_IMAGE_MAGIC, store_release last on creation */
	uint32_t version;             /* SW_SHM_LAYOUT_VERSION */
	uint32_t hdr_size;            /* sizeof(struct sw_shm_image_hdr) */
	uint32_t nslots;              /* 2..SW_SHM_MAX_SLOTS */
	uint32_t reserved0;
	uint64_t slot_size;           /* bytes per slot, multiple of SW_SHM_PAGE */
	uint64_t region_size;         /* total bytes of the object */

	alignas(SW_SHM_CACHE_LINE)
	/* Generation of the active image; 0: nothing published yet.
	 * Control: store_release, last step of a publication. Workers: load_acquire once per burst. */
	_Atomic uint64_t generation;
	/* Slot of the active image. Control: store_release just before `generation`.
	 * Workers: load_acquire after `generation`; valid only if slot[active_slot].generation
	 * equals the generation loaded (sw_shm_image_get retries otherwise). */
	_Atomic uint32_t active_slot;
	/* Set (release) by control before it unlinks this object to re-create it; the dataplane's
	 * main thread polls it (acquire) and re-attaches by name. Workers need not read it. */
	_Atomic uint32_t retired;
	/* pid of the control process that last published (relaxed; informational). */
	_Atomic int32_t control_pid;
	uint32_t reserved1;
	/* Number of publications since creation (relaxed; informational). */
	_Atomic uint64_t reloads;
	/*
	 * Shadow policy (issue 18 D7): a candidate image in its own slot, evaluated beside the
	 * active one, never acted on. Control writes the slot, stores shadow_generation, then
	 * bumps shadow_seq (release, last); workers load shadow_seq (acquire) once per burst and,
	 * when it changed, shadow_generation and the slot holding it, and store the seq they now
	 * run with into their block's shadow_seen (release). A slot that held a shadow which is no
	 * longer (shadow_prev_generation) is reused only when every live worker's shadow_seen is
	 * >= shadow_seq (it has left it). A shadow's generation is above the active one when
	 * published, so `sigwallctl shadow promote` makes it active with the two stores of a
	 * publication (sw_shm_shadow_promote).
	 */
	_Atomic uint64_t shadow_generation; /* 0: no shadow */
	_Atomic uint64_t shadow_seq;
	_Atomic uint64_t shadow_prev_generation; /* 0: none waiting for the workers to leave it */
	_Atomic uint32_t shadow_sample;     /* evaluate 1 MSU in N (0, 1: all) */
	uint32_t reserved2;

	alignas(SW_SHM_CACHE_LINE)
	struct sw_shm_slot slot[SW_SHM_MAX_SLOTS];
};
_Static_assert(sizeof(struct sw_shm_image_hdr) == 384 && _Alignof(struct sw_shm_image_hdr) == 64,
	       "sw_shm_image_hdr layout");
_Static_assert(offsetof(struct sw_shm_image_hdr, slot_size) == 24 &&
	       offsetof(struct sw_shm_image_hdr, region_size) == 32 &&
	       offsetof(struct sw_shm_image_hdr, generation) == 64 &&
	       offsetof(struct sw_shm_image_hdr, active_slot) == 72 &&
	       offsetof(struct sw_shm_image_hdr, retired) == 76 &&
	       offsetof(struct sw_shm_image_hdr, reloads) == 88 &&
	       offsetof(struct sw_shm_image_hdr, shadow_generation) == 96 &&
	       offsetof(struct sw_shm_image_hdr, shadow_sample) == 120 &&
	       offsetof(struct sw_shm_image_hdr, slot) == 128, "sw_shm_image_hdr layout");

/* ------------------------------------------------------------------------------------------ */
/* Stats region                                                                               */

/* Counters are single-writer (the worker): the worker updates them with relaxed load + relaxed
 * store (a plain add, no lock prefix: SW_SHM_ADD), control reads them with relaxed loads. They
 * are monotonic while one dataplane process runs; a restarted dataplane zeroes its blocks. */
struct sw_shm_counters {
	_Atomic uint64_t rx_pkts, rx_bytes;
	_Atomic uint64_t tx_pkts, tx_bytes;
	_Atomic uint64_t bursts;        /* non-empty bursts */
	_Atomic uint64_t msus;
	_Atomic uint64_t allowed, dropped, alerted; /* MSU verdicts */
	_Atomic uint64_t reserved_rl;   /* was rate_limited, never written: rl.limited counts it */
	_Atomic uint64_t malformed;     /* MSUs and packets with a malformation, any reason */
	_Atomic uint64_t non_sctp;      /* packets that are not SCTP/SIGTRAN */
	_Atomic uint64_t pkts_dropped;  /* packets not transmitted because nothing was left */
	_Atomic uint64_t chunks_removed;
	_Atomic uint64_t cache_hits, cache_misses; /* verdict cache */
	_Atomic uint64_t events, events_lost;      /* pushed / not pushed because the ring was full */
	_Atomic uint64_t gen_switches;  /* times the worker picked up a new generation */
	_Atomic uint64_t images_refused;/* images refused (ABI/Hyperscan/CPU mismatch) */
	_Atomic uint64_t tx_dropped;    /* tx burst could not send */
	_Atomic uint64_t malformed_verdicts; /* verdicts with rule SW_RULE_MALFORMED */
	/* Fail-closed judgements (issue 13), appended from the reserved room: */
	_Atomic uint64_t no_image;      /* verdicts given while no image was bound (--no-image) */
	_Atomic uint64_t non_m3ua;      /* DATA chunks whose PPID is not M3UA (judged as malformed) */
	_Atomic uint64_t non_sctp_ip;   /* IP packets not carrying SCTP (judged as malformed) */
	/* The worker's reassembly table (dataplane/reasm, issue 14), mirrored from its private
	 * struct sw_reasm_stats after each non-empty burst (issue 19 D3). capacity and entries are
	 * gauges (summed over the workers they are the instance's), the rest counters. */
	_Atomic uint64_t reasm_capacity;  /* entries of the table */
	_Atomic uint64_t reasm_entries;   /* entries holding a message now */
	_Atomic uint64_t reasm_pieces;    /* segments seen */
	_Atomic uint64_t reasm_completed; /* messages reassembled and judged */
	_Atomic uint64_t reasm_expired;   /* incomplete messages timed out */
	_Atomic uint64_t reasm_reclaimed; /* judged messages forgotten (time over, or evicted to
					     make room for a new message) */
	_Atomic uint64_t reasm_failed;    /* pieces judged malformed (SW_MAL_SCCP_REASM_*) */
	_Atomic uint64_t mal[SW_SHM_MAL_MAX];          /* per enum sw_mal */
	_Atomic uint64_t rule_hits[SW_SHM_MAX_RULES];  /* per rule id >= 0 (image rule index) */
	_Atomic uint64_t rule_overflow;                /* hits of rule ids >= SW_SHM_MAX_RULES */
	_Atomic uint64_t default_hits;                 /* verdicts with rule SW_RULE_DEFAULT */
	/* Rate limits (issue 18 D6): this worker's charges of the dataplane's shared rate-limit
	 * table, written by its policy context (dataplane/policy/ratelimit.h). */
	struct sw_rl_stats rl;
	/* Shadow policy (issue 18 D7): MSUs the candidate judged, and those whose action it would
	 * change, in total, by what it would do, and per rule of the candidate that decided. */
	_Atomic uint64_t shadow_msus;
	_Atomic uint64_t shadow_changed;
	_Atomic uint64_t shadow_to_drop;   /* the active allows or alerts, the candidate drops */
	_Atomic uint64_t shadow_to_pass;   /* the active drops, the candidate allows or alerts */
	_Atomic uint64_t shadow_default;   /* changed by the candidate's default action */
	_Atomic uint64_t shadow_malformed; /* changed by its malformed action */
	_Atomic uint64_t shadow_images_refused;
	_Atomic uint64_t shadow_rule[SW_SHM_MAX_RULES];
	/* Changed MSUs per partner of their calling party GT (index in the candidate's site order,
	 * sw_policy_partner_of), those of partners past the array, and those of no partner (or a
	 * candidate that resolves no partner GTs). */
	_Atomic uint64_t shadow_partner_other;
	_Atomic uint64_t shadow_partner_none;
	_Atomic uint64_t shadow_partner[SW_SHM_SHADOW_PARTNERS];
};
_Static_assert(sizeof(struct sw_shm_counters) ==
		       (32 + SW_SHM_MAL_MAX + SW_SHM_MAX_RULES + 2 + 6 + 7 + SW_SHM_MAX_RULES + 2 +
			SW_SHM_SHADOW_PARTNERS) * sizeof(uint64_t),
	       "sw_shm_counters: only uint64_t counters, no padding (readers sum them as an array)");
_Static_assert(offsetof(struct sw_shm_counters, malformed_verdicts) == 21 * 8 &&
	       offsetof(struct sw_shm_counters, mal) == 32 * 8 &&
	       offsetof(struct sw_shm_counters, rule_hits) == (32 + SW_SHM_MAL_MAX) * 8 &&
	       offsetof(struct sw_shm_counters, rl) ==
		       (32 + SW_SHM_MAL_MAX + SW_SHM_MAX_RULES + 2) * 8 &&
	       sizeof(struct sw_rl_stats) == 6 * 8,
	       "sw_shm_counters layout");

struct sw_shm_worker {
	/* The generation this worker last started a burst with; 0: no image yet.
	 * Worker: store_release at the start of every burst (also of empty polls, so an idle worker
	 * does not hold back reclamation), only ever growing. Control: load_acquire (QSBR). */
	alignas(SW_SHM_CACHE_LINE) _Atomic uint64_t epoch;
	/* CLOCK_MONOTONIC ns of the worker's last loop iteration (relaxed; liveness display and
	 * stall detection). */
	_Atomic uint64_t heartbeat_ns;
	/* 1 while the worker loop runs. Worker: store seq_cst = 1 BEFORE its first load of the image
	 * generation; store_release = 0 after its last use of an image. Control: load after a
	 * seq_cst fence that follows its publication. */
	_Atomic uint32_t alive;
	_Atomic uint32_t lcore;         /* DPDK lcore id (relaxed, informational) */
	_Atomic uint32_t rx_port, rx_queue;
	/* Generation of the last image this worker refused, and why (0 none; relaxed). */
	_Atomic uint64_t refused_generation;
	/* The image header's shadow_seq this worker last synchronised with at a burst boundary
	 * (release): it no longer reads a shadow retired before it. */
	_Atomic uint64_t shadow_seen;

	alignas(SW_SHM_CACHE_LINE) struct sw_shm_counters c;
};
_Static_assert(offsetof(struct sw_shm_worker, alive) == 16 &&
	       offsetof(struct sw_shm_worker, refused_generation) == 32 &&
	       offsetof(struct sw_shm_worker, shadow_seen) == 40 &&
	       offsetof(struct sw_shm_worker, c) == 64 && _Alignof(struct sw_shm_worker) == 64 &&
	       sizeof(struct sw_shm_worker) == 64 + 34112 + 32832 + 32832,
	       "sw_shm_worker layout");

/* Event kinds */
enum sw_shm_ev_kind {
	SW_EV_VERDICT = 1,   /* a drop/alert/rate-limit verdict (action says which) */
	SW_EV_MALFORMED = 2, /* a malformed packet or MSU (mal says why; action = malformed action) */
	SW_EV_NO_IMAGE = 3,  /* traffic judged while no image is bound (at most one per second per
				worker; action = the --no-image action, generation 0) */
	SW_EV_REPAIR_FALLBACK = 4, /* inline repair took a fallback (issue 12 Deliver 4, enforce):
				      struct sw_shm_ev_repair in reserved1, no snapshot */
	SW_EV_SHADOW = 5,    /* the shadow policy would act otherwise (issue 18 D7): action and rule
				are the candidate's, struct sw_shm_ev_shadow in reserved1 the active's */
};

/* Payload of an SW_EV_REPAIR_FALLBACK record, copied into and out of sw_shm_event.reserved1 with
 * memcpy (sw_shm_ev_repair_put/get: it sits at an odd offset). Side d sends direction d. */
struct sw_shm_ev_repair {
	uint32_t vtag[2];     /* tag carried by packets of direction d, 0: not known */
	uint32_t count;       /* fallbacks of the association this record stands for (>= 1) */
	uint16_t port[2];     /* SCTP port of side d */
	uint8_t addr[2][16];  /* address of side d (IPv4: first 4 bytes) */
	uint8_t ip_ver;       /* 4 or 6, 0 unknown */
	uint8_t action;       /* 0 neutralized, 1 passed, 2 dropped, 3 unchanged */
	uint8_t tracked;      /* 1: the association is in the enforcer's table */
	uint8_t cls;          /* association class (0: default) */
	char reason[24];      /* the enforcer's counter name, NUL-terminated */
	char cls_name[24];    /* the class (site link) name, "" for the default */
};
_Static_assert(sizeof(struct sw_shm_ev_repair) == 100 && sizeof(struct sw_shm_ev_repair) <= 105,
	       "sw_shm_ev_repair fits sw_shm_event.reserved1");

/* Event action codes: the policy's action enum (dataplane/policy/policy.h) is mapped to these by
 * the worker so that the record layout does not depend on the policy header. */
enum sw_shm_ev_action {
	SW_EV_ACT_ALLOW = 0,
	SW_EV_ACT_DROP = 1,
	SW_EV_ACT_ALERT = 2,
	SW_EV_ACT_RATE_LIMIT = 3,
};

/* One event, fixed size. Written by one worker into its own ring slot, read by control. */
struct sw_shm_event {
	uint64_t time_ns;        /* CLOCK_REALTIME */
	uint64_t generation;     /* image that judged it */
	int32_t rule;            /* image rule index, or SW_RULE_DEFAULT (-1) / SW_RULE_MALFORMED
				    (-2) as in dataplane/policy/policy.h */
	uint16_t worker;         /* worker index in the stats region */
	uint8_t kind;            /* enum sw_shm_ev_kind */
	uint8_t action;          /* enum sw_shm_ev_action */
	uint8_t direction;       /* 0: port A -> B, 1: port B -> A */
	uint8_t si;              /* M3UA service indicator, 0 if none */
	uint16_t port;           /* rx port id */
	uint16_t mal;            /* enum sw_mal, 0 if none */
	uint8_t sccp_type;
	uint8_t tcap_type;
	uint32_t opc, dpc;
	int32_t opcode;          /* MAP local operation code of the first invoke; -1 none */
	uint32_t pkt_len;        /* original frame length */
	uint16_t cap_len;        /* bytes kept in pkt[], <= SW_SHM_EVENT_SNAP */
	uint16_t reserved0;
	char cgpa[SW_DIGITS_MAX + 1]; /* NUL-terminated digits, "" if absent */
	char cdpa[SW_DIGITS_MAX + 1];
	char imsi[SW_DIGITS_MAX + 1]; /* full here; control masks it on output */
	uint8_t reserved1[105];
	uint8_t pkt[SW_SHM_EVENT_SNAP]; /* first cap_len bytes of the frame (Ethernet) */
};
_Static_assert(sizeof(struct sw_shm_event) == 512, "event record is 512 bytes");

/* Payload of an SW_EV_SHADOW record (reserved1): what the active image did. */
struct sw_shm_ev_shadow {
	uint64_t active_generation;
	int32_t active_rule;
	uint8_t active_action;
	uint8_t pad[3];
};

static inline void
sw_shm_ev_repair_put(struct sw_shm_event *ev, const struct sw_shm_ev_repair *r)
{
	memcpy(ev->reserved1, r, sizeof(*r));
}

/* Control: the payload of a copied record, strings NUL-terminated, enums bounded. */
static inline void
sw_shm_ev_repair_get(const struct sw_shm_event *ev, struct sw_shm_ev_repair *r)
{
	memcpy(r, ev->reserved1, sizeof(*r));
	r->reason[sizeof(r->reason) - 1] = '\0';
	r->cls_name[sizeof(r->cls_name) - 1] = '\0';
	if (r->action > 3)
		r->action = 3;
	if (r->ip_ver != 4 && r->ip_ver != 6)
		r->ip_ver = 0;
}
_Static_assert(offsetof(struct sw_shm_event, rule) == 16 && offsetof(struct sw_shm_event, port) == 26 &&
	       offsetof(struct sw_shm_event, opc) == 32 && offsetof(struct sw_shm_event, cap_len) == 48 &&
	       offsetof(struct sw_shm_event, cgpa) == 52 && offsetof(struct sw_shm_event, imsi) == 118 &&
	       offsetof(struct sw_shm_event, pkt) == 256, "sw_shm_event layout");

/* Single-producer (one worker) single-consumer (control) ring of events. */
struct sw_shm_ring {
	/* Next position to write. Worker: store_release after the record is written.
	 * Control: load_acquire before reading records. */
	alignas(SW_SHM_CACHE_LINE) _Atomic uint64_t head;
	/* Next position to read. Control: store_release after the records are copied out.
	 * Worker: load_acquire before writing (a position is free when head - tail < size). */
	alignas(SW_SHM_CACHE_LINE) _Atomic uint64_t tail;
	/* Events not written because the ring was full (worker relaxed add, control relaxed load). */
	alignas(SW_SHM_CACHE_LINE) _Atomic uint64_t lost;
	uint32_t size;           /* power of two, immutable */
	uint32_t mask;
	alignas(SW_SHM_CACHE_LINE) struct sw_shm_event ev[];
};
_Static_assert(offsetof(struct sw_shm_ring, tail) == 64 && offsetof(struct sw_shm_ring, lost) == 128 &&
	       offsetof(struct sw_shm_ring, size) == 136 && offsetof(struct sw_shm_ring, ev) == 192 &&
	       sizeof(struct sw_shm_ring) == 192, "sw_shm_ring layout");

struct sw_shm_stats_hdr {
	/* Immutable after creation (magic stored with release last). */
	_Atomic uint64_t magic;       /* SW_SHM_STATS_MAGIC */
	uint32_t version;             /* SW_SHM_LAYOUT_VERSION */
	uint32_t hdr_size;
	uint32_t max_workers;
	uint32_t ring_size;           /* events per ring */
	uint64_t worker_off;          /* offset of worker 0 */
	uint64_t worker_stride;       /* sizeof(struct sw_shm_worker) */
	uint64_t ring_off;            /* offset of ring 0 */
	uint64_t ring_stride;         /* bytes per ring (header + events), page multiple */
	uint64_t region_size;
	uint32_t mal_count;           /* SW_MAL_COUNT of the creator (names come from msu.h) */
	uint32_t max_rules;           /* SW_SHM_MAX_RULES */
	uint64_t nic_off;             /* offset of the NIC section of port slot 0 */
	uint64_t nic_stride;          /* sizeof(struct sw_shm_nic) */
	uint32_t max_ports;           /* SW_SHM_MAX_PORTS */
	uint32_t max_xstats;          /* SW_SHM_MAX_XSTATS */

	alignas(SW_SHM_CACHE_LINE)
	/* Control: relaxed store of CLOCK_MONOTONIC ns about once a second while it runs. */
	_Atomic uint64_t control_heartbeat_ns;
	_Atomic int32_t control_pid;  /* relaxed; 0 when control exited cleanly */
	/* The dataplane process owning the worker blocks (relaxed; 0 when none). Control uses it to
	 * decide liveness: a worker of a dead dataplane is not live. */
	_Atomic int32_t dataplane_pid;
	_Atomic uint32_t nworkers;    /* workers in use by the dataplane (relaxed) */
	_Atomic uint32_t mode;        /* 0 unknown, 1 inline, 2 monitor (relaxed) */
	_Atomic uint64_t dataplane_start_ns; /* CLOCK_REALTIME (relaxed) */
	_Atomic uint32_t retired;     /* as in the image header */
	/* NIC sections the dataplane fills (relaxed; control clamps it to max_ports). */
	_Atomic uint32_t nic_ports;
};
_Static_assert(sizeof(struct sw_shm_stats_hdr) == 192 && _Alignof(struct sw_shm_stats_hdr) == 64,
	       "sw_shm_stats_hdr layout");
_Static_assert(offsetof(struct sw_shm_stats_hdr, worker_off) == 24 &&
	       offsetof(struct sw_shm_stats_hdr, region_size) == 56 &&
	       offsetof(struct sw_shm_stats_hdr, nic_off) == 72 &&
	       offsetof(struct sw_shm_stats_hdr, max_xstats) == 92 &&
	       offsetof(struct sw_shm_stats_hdr, control_heartbeat_ns) == 128 &&
	       offsetof(struct sw_shm_stats_hdr, dataplane_pid) == 140 &&
	       offsetof(struct sw_shm_stats_hdr, nic_ports) == 164, "sw_shm_stats_hdr layout");

/*
 * NIC counters of one port (issue 19: imissed, rx_nombuf, errors and every rte_eth_xstat),
 * written by the dataplane's main lcore about once a second, read by control.
 * Seqlock: the writer makes `seq` odd (sw_shm_nic_write_begin), writes, makes it even again
 * (sw_shm_nic_write_end); a reader (sw_shm_nic_read) copies the section and retries when seq
 * was odd or changed. xname[i] / xvalue[i] are the port's extended statistics in the order
 * rte_eth_xstats_get gives them, nxstats of them (at most SW_SHM_MAX_XSTATS: the rest are not
 * kept, counted in xstats_dropped).
 */
struct sw_shm_nic {
	alignas(SW_SHM_CACHE_LINE) _Atomic uint64_t seq;
	_Atomic uint64_t update_ns;   /* CLOCK_REALTIME of the last update; 0: never */
	uint16_t port_id;             /* DPDK port id */
	uint16_t role;                /* 0: port A, 1: port B */
	uint32_t nxstats;             /* valid entries of xname/xvalue */
	uint32_t xstats_dropped;      /* xstats of the port beyond SW_SHM_MAX_XSTATS */
	uint32_t reserved0;
	/* rte_eth_stats of the port */
	uint64_t ipackets, opackets, ibytes, obytes;
	uint64_t imissed, ierrors, oerrors, rx_nombuf;
	uint64_t reserved[6];
	char name[SW_SHM_XSTAT_NAME];  /* device name, NUL-terminated */
	char xname[SW_SHM_MAX_XSTATS][SW_SHM_XSTAT_NAME];
	uint64_t xvalue[SW_SHM_MAX_XSTATS];
};
_Static_assert(offsetof(struct sw_shm_nic, nxstats) == 20 &&
	       offsetof(struct sw_shm_nic, ipackets) == 32 &&
	       offsetof(struct sw_shm_nic, rx_nombuf) == 88 &&
	       offsetof(struct sw_shm_nic, name) == 144 &&
	       offsetof(struct sw_shm_nic, xname) == 208 &&
	       offsetof(struct sw_shm_nic, xvalue) == 208 + SW_SHM_MAX_XSTATS * SW_SHM_XSTAT_NAME &&
	       sizeof(struct sw_shm_nic) == 18688 && _Alignof(struct sw_shm_nic) == 64,
	       "sw_shm_nic layout");

/* ------------------------------------------------------------------------------------------ */
/* Mappings and helpers (shm.c)                                                               */

struct sw_shm_image {
	struct sw_shm_image_hdr *hdr; /* const for a read-only attachment */
	uint8_t *base;
	size_t len;
	bool writable;
	char name[SW_SHM_NAME_MAX];
};

/* The stats region's geometry as validated at attach/create time, kept in the process's own
 * memory: the accessors below never take an offset or a count from the region itself. */
struct sw_shm_geo {
	uint32_t max_workers, ring_size, max_ports;
	uint64_t worker_off, worker_stride, ring_off, ring_stride, nic_off, nic_stride;
};

struct sw_shm_stats {
	struct sw_shm_stats_hdr *hdr;
	uint8_t *base;
	size_t len;
	char name[SW_SHM_NAME_MAX];
	struct sw_shm_geo geo;
	/* Values read from the region that were out of range and clamped or refused (ring
	 * indices, event fields, NIC counts, nworkers): the consumer's count of corruption. */
	_Atomic uint64_t corrupt;
};

/* 0 if name is [A-Za-z0-9_-]{1,SW_SHM_INSTANCE_MAX}, else -EINVAL. */
int sw_shm_instance_valid(const char *instance);
/* "/sigwall.<instance>.<kind>" (kind "image" or "stats"); 0 or -EINVAL. */
int sw_shm_name(char *buf, size_t len, const char *instance, const char *kind);

/*
 * Control: open the image object, creating it if needed, mode 0600, read-write.
 * An existing object of the same layout version with nslots slots of at least slot_size bytes is
 * reused as is (a restarted control keeps the dataplane's current image and continues the
 * generation sequence). Otherwise (stale object of another layout, too small, garbage) it is
 * marked retired, unlinked and re-created. slot_size is rounded up to a page.
 * *reused is set to whether an existing, valid object was kept. 0 or -errno.
 */
int sw_shm_image_create(const char *instance, uint64_t slot_size, unsigned nslots,
			struct sw_shm_image *out, bool *reused);
/* Dataplane/sigwallctl: map an existing image object PROT_READ after validating its header.
 * -ENOENT if it does not exist yet, -EPROTO on another layout version or bad magic. */
int sw_shm_image_attach_ro(const char *instance, struct sw_shm_image *out);
void sw_shm_image_detach(struct sw_shm_image *m);

/*
 * Stats: create-or-open, read-write. Whoever comes first (control or dataplane) creates and
 * initialises it; an existing valid object (same version and geometry) is kept, otherwise it is
 * re-created as for the image. max_workers 0 / ring_size 0 select the defaults.
 */
int sw_shm_stats_create(const char *instance, unsigned max_workers, unsigned ring_size,
			struct sw_shm_stats *out, bool *reused);
/* Open an existing stats object read-write (dataplane, tests) or read-only (sigwallctl). */
int sw_shm_stats_attach(const char *instance, bool writable, struct sw_shm_stats *out);
void sw_shm_stats_detach(struct sw_shm_stats *m);
/* Unlink both objects of an instance (tests, `sigwall-control --cleanup`). */
void sw_shm_unlink(const char *instance);
/* Map an existing shm object (-EPROTO when smaller than min_len), or create one of len bytes
 * (O_EXCL, mode 0600, zero-filled), as the image and stats objects are; 0 or -errno. Used by
 * dataplane/state for /sigwall.<instance>.state. */
int sw_shm_map_existing(const char *name, bool writable, size_t min_len, void **base,
			size_t *len);
int sw_shm_map_new(const char *name, size_t len, void **base);

/*
 * Control: publish an image of `size` bytes as `generation` (must be > the current generation).
 * Picks a free slot per the QSBR rule above, waiting up to timeout_ms for live workers whose
 * epoch still holds it back. stats may be NULL (no dataplane known: no worker is live).
 * compile_ns and checksum are recorded in the slot. 0, or -errno with a message in err:
 * -E2BIG (does not fit a slot), -ETIMEDOUT (a live worker stalled), -EINVAL.
 */
int sw_shm_image_publish(struct sw_shm_image *m, const struct sw_shm_stats *stats,
			 const void *image, uint64_t size, uint64_t generation, uint64_t checksum,
			 uint64_t compile_ns, unsigned timeout_ms, char *err, size_t errlen);

/*
 * Control: the shadow policy (issue 18 D7; the image header's shadow fields say how workers pick
 * it up). Publish `image` as the shadow (generation above the active one; replaces a shadow
 * there was), sampling 1 MSU in `sample`; promote the shadow to active (-ENOENT: none, -ESTALE:
 * an active image newer than it was published since); drop it. 0 or -errno with a message.
 */
int sw_shm_shadow_publish(struct sw_shm_image *m, const struct sw_shm_stats *stats,
			  const void *image, uint64_t size, uint64_t generation, uint64_t checksum,
			  uint32_t sample, unsigned timeout_ms, char *err, size_t errlen);
int sw_shm_shadow_promote(struct sw_shm_image *m, char *err, size_t errlen);
int sw_shm_shadow_drop(struct sw_shm_image *m, char *err, size_t errlen);

/* Control: true if worker w is live (alive flag and the dataplane pid exists). */
bool sw_shm_worker_live(const struct sw_shm_stats *s, unsigned w);

/* CLOCK_MONOTONIC / CLOCK_REALTIME in ns. */
uint64_t sw_shm_mono_ns(void);
uint64_t sw_shm_real_ns(void);

/* ------------------------------------------------------------------------------------------ */
/* Inline accessors (hot path: no syscalls, no locks)                                          */

/* Worker block / event ring of worker w (w < s->geo.max_workers; a larger w is clamped to the
 * last one, never outside the region). */
static inline struct sw_shm_worker *
sw_shm_worker(const struct sw_shm_stats *s, unsigned w)
{
	if (w >= s->geo.max_workers)
		w = s->geo.max_workers - 1;
	return (struct sw_shm_worker *)(s->base + s->geo.worker_off + (uint64_t)w *
					 s->geo.worker_stride);
}

static inline struct sw_shm_ring *
sw_shm_ring(const struct sw_shm_stats *s, unsigned w)
{
	if (w >= s->geo.max_workers)
		w = s->geo.max_workers - 1;
	return (struct sw_shm_ring *)(s->base + s->geo.ring_off + (uint64_t)w *
				       s->geo.ring_stride);
}

/* NIC section of port slot p (p < SW_SHM_MAX_PORTS; clamped like the above). */
static inline struct sw_shm_nic *
sw_shm_nic(const struct sw_shm_stats *s, unsigned p)
{
	if (p >= s->geo.max_ports)
		p = s->geo.max_ports - 1;
	return (struct sw_shm_nic *)(s->base + s->geo.nic_off + (uint64_t)p * s->geo.nic_stride);
}

/* Dataplane (main lcore): around every update of a NIC section. */
static inline void
sw_shm_nic_write_begin(struct sw_shm_nic *n)
{
	uint64_t q = atomic_load_explicit(&n->seq, memory_order_relaxed);

	atomic_store_explicit(&n->seq, q | 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

static inline void
sw_shm_nic_write_end(struct sw_shm_nic *n)
{
	uint64_t q = atomic_load_explicit(&n->seq, memory_order_relaxed);

	atomic_store_explicit(&n->seq, (q | 1) + 1, memory_order_release);
}

/*
 * Control: a consistent copy of port slot p's NIC section into *out, with nxstats clamped to
 * SW_SHM_MAX_XSTATS and every name NUL-terminated (counted in s->corrupt when they were not).
 * 0; -ENOENT when the dataplane fills fewer sections (hdr->nic_ports, clamped) or never wrote
 * this one; -EAGAIN when a writer kept it busy over every retry.
 */
int sw_shm_nic_read(struct sw_shm_stats *s, unsigned p, struct sw_shm_nic *out);

/* Control: workers in use (hdr->nworkers), clamped to the validated max_workers (counted). */
unsigned sw_shm_nworkers(struct sw_shm_stats *s);

/* Single-writer counter add: relaxed load + relaxed store, compiles to a plain add. */
#define SW_SHM_ADD(ctr, n) \
	atomic_store_explicit(&(ctr), atomic_load_explicit(&(ctr), memory_order_relaxed) + (n), \
			      memory_order_relaxed)

/*
 * Worker: the active image. Call when load_acquire(hdr->generation) differs from the generation
 * the worker holds (or always; it is a few loads). Returns the image and sets *gen and *size, or
 * NULL with *gen = 0 if nothing (consistent) is published: then the worker keeps the image it
 * has. Never spins: a control that died between its two header stores leaves active_slot ahead
 * of generation; the slot still holding `generation` is found by its own generation field.
 * After it returns, the worker stores *gen into its epoch (store_release, never lower) before
 * evaluating anything with the image.
 */
static inline const void *
sw_shm_image_get(const struct sw_shm_image *m, uint64_t *gen, uint64_t *size)
{
	const struct sw_shm_image_hdr *h = m->hdr;
	unsigned nslots = h->nslots < SW_SHM_MAX_SLOTS ? h->nslots : SW_SHM_MAX_SLOTS;

	for (int tries = 0; tries < 4; tries++) {
		uint64_t g = atomic_load_explicit(&h->generation, memory_order_acquire);
		uint32_t s = atomic_load_explicit(&h->active_slot, memory_order_acquire);

		if (g == 0)
			break;
		/* Usual case: the active slot holds generation g. A publication between the two
		 * loads makes them disagree (hdr.generation is stored last); then look for g. */
		if (s >= nslots ||
		    atomic_load_explicit(&h->slot[s].generation, memory_order_acquire) != g) {
			for (s = 0; s < nslots; s++)
				if (atomic_load_explicit(&h->slot[s].generation,
							 memory_order_acquire) == g)
					break;
			if (s == nslots)
				continue;
		}
		/* Safe to use: while this worker's epoch is <= g, control does not reuse a slot
		 * holding g. */
		if (h->slot[s].size > h->slot_size)
			break;
		*gen = g;
		*size = h->slot[s].size;
		return m->base + h->slot[s].offset;
	}
	*gen = 0;
	*size = 0;
	return NULL;
}

/* Worker: the slot holding shadow generation gen (shm.h: image header), NULL when none. */
static inline const void *
sw_shm_shadow_find(const struct sw_shm_image *m, uint64_t gen, uint64_t *size)
{
	const struct sw_shm_image_hdr *h = m->hdr;
	unsigned nslots = h->nslots < SW_SHM_MAX_SLOTS ? h->nslots : SW_SHM_MAX_SLOTS;

	for (unsigned s = 0; gen != 0 && s < nslots; s++)
		if (atomic_load_explicit(&h->slot[s].generation, memory_order_acquire) == gen &&
		    h->slot[s].size <= h->slot_size && h->slot[s].offset + h->slot[s].size <= m->len) {
			*size = h->slot[s].size;
			return m->base + h->slot[s].offset;
		}
	*size = 0;
	return NULL;
}

/* Worker: publish the epoch (the generation this burst runs on). */
static inline void
sw_shm_worker_epoch(struct sw_shm_worker *w, uint64_t gen)
{
	atomic_store_explicit(&w->epoch, gen, memory_order_release);
}

/*
 * Worker: reserve the next event record, or NULL when the ring is full (then the event is
 * counted in ring->lost and the caller moves on). Fill the record, then sw_shm_event_commit().
 */
static inline struct sw_shm_event *
sw_shm_event_reserve(struct sw_shm_ring *r)
{
	uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);

	if (head - tail >= r->size) {
		SW_SHM_ADD(r->lost, 1);
		return NULL;
	}
	return &r->ev[head & r->mask];
}

static inline void
sw_shm_event_commit(struct sw_shm_ring *r)
{
	uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);

	atomic_store_explicit(&r->head, head + 1, memory_order_release);
}

/* Worker: copy ev into the ring; false (and counted lost) when full. */
static inline bool
sw_shm_event_push(struct sw_shm_ring *r, const struct sw_shm_event *ev)
{
	struct sw_shm_event *slot = sw_shm_event_reserve(r);

	if (slot == NULL)
		return false;
	memcpy(slot, ev, sizeof(*slot));
	sw_shm_event_commit(r);
	return true;
}

/*
 * Control: copy out up to max events of worker w's ring; returns how many. The ring's size comes
 * from s->geo, not from the region; a head more than a ring ahead of tail, or behind it, can only
 * come from a corrupt (or hostile) producer: the consumer resynchronises to head (losing what it
 * cannot trust), counts it in s->corrupt and never reads outside the ring. Every record is copied
 * first, then made safe in the copy: strings NUL-terminated, cap_len clamped to
 * SW_SHM_EVENT_SNAP, worker set to w (sw_shm_event_sanitize). Never loops more than max times.
 */
unsigned sw_shm_events_pop(struct sw_shm_stats *s, unsigned w, struct sw_shm_event *out,
			   unsigned max);
/* Make one copied event safe to print; true when nothing had to be changed. */
bool sw_shm_event_sanitize(struct sw_shm_event *ev, unsigned w);

/*
 * Worker: reserve a record for an event of this kind. Malformed events may fill the ring only
 * up to SW_SHM_RING_MALFORMED_SHARE of it: a flood of malformed packets leaves the rest to drop
 * and alert events, which are never lost to it (issue 19; control counts malformed packets per
 * reason from the counters, not from these records). NULL (counted in ring->lost) when refused.
 */
#define SW_SHM_RING_MALFORMED_SHARE(size) ((size) - (size) / 4)

static inline struct sw_shm_event *
sw_shm_event_reserve_kind(struct sw_shm_ring *r, uint8_t kind)
{
	if (kind == SW_EV_MALFORMED) {
		uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
		uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);

		if (head - tail >= SW_SHM_RING_MALFORMED_SHARE(r->size)) {
			SW_SHM_ADD(r->lost, 1);
			return NULL;
		}
	}
	return sw_shm_event_reserve(r);
}

#endif /* SW_SHM_SHM_H */
