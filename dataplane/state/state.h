/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stateful screening tables (ARCHITECTURE.md section 5a, issue 15): dialogues, SMS correlation
 * and subscriber location, shared by every worker of an instance.
 *
 * Pure C11, no DPDK: linked by the dataplane workers, by `sigwallctl inspect` (which keeps its
 * own private object over a capture, with capture timestamps), by the tests and the benchmark.
 * The semantics and the API are documented in dataplane/state/README.md.
 *
 * One POSIX shm object per instance, /sigwall.<instance>.state, mode 0600 (or an anonymous
 * shared mapping for inspect and tests):
 *
 *   [struct sw_state_hdr, page aligned]
 *   [struct sw_state_counters x SW_STATE_NTABLES x max_workers]   page aligned
 *   [dialogue buckets][sms buckets][location buckets]              each table page aligned
 *
 * A table is nbuckets (a power of two) buckets of SW_STATE_WAYS ways: a 64-byte bucket header
 * (seqlock, eviction mark, per way a 14-bit tag with the entry's class and its expiry in
 * seconds) followed by the ways' entries, each entry an
 * array of 64-bit words. Keys are hashed with SipHash-1-3 under a random 128-bit key drawn when
 * the object is created (stored in the header): the buckets and the tag come from that hash, so
 * an attacker cannot choose colliding keys. Probing is bounded: a key lives in one of its two
 * buckets (sw_state_buckets), never anywhere else, and never moves. A new entry takes a free way
 * of the emptier bucket, else an expired one, else evicts the lowest-ranked (then
 * soonest-expiring) entry of the two; every eviction is counted. A writer locks both buckets
 * (in address order), so a key is never inserted twice.
 *
 * Concurrency (all workers, several processes): each bucket is a seqlock whose even/odd
 * sequence doubles as the writer lock.
 *   writer: CAS seq even -> odd (acquire), atomic_thread_fence(release), relaxed stores of
 *           tags and entry words, store_release(seq, odd + 1);
 *   reader: s1 = load_acquire(seq) (odd: retry), relaxed loads of tags and entry words,
 *           atomic_thread_fence(acquire), s2 = load_relaxed(seq); s1 != s2: retry.
 * Readers never write shared memory and never block a writer; every retry loop is bounded
 * (SW_STATE_READ_TRIES / SW_STATE_LOCK_SPINS): a reader that cannot get a consistent copy, or a
 * writer that cannot get the lock (a writer died holding it), gives up and counts `busy`.
 * sw_state_open(..., SW_STATE_F_RECOVER) releases locks left by a dead writer.
 *
 * Time is passed in by the caller in nanoseconds of CLOCK_REALTIME (arrival time in the
 * dataplane, capture timestamp in inspect). Entries carry absolute expiry times, so a restarted
 * process, a peer that applies a delta and inspect all agree on what is alive.
 *
 * Layout changes bump SW_STATE_LAYOUT_VERSION; an object of another version is re-created by
 * sw_state_open(), which says so with SW_STATE_RECREATED.
 */
#ifndef SW_STATE_STATE_H
#define SW_STATE_STATE_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SW_STATE_LAYOUT_VERSION 2u
#define SW_STATE_MAGIC 0x4554415453575353ull /* "SSWSTATE" */

#define SW_STATE_CACHE_LINE 64
#define SW_STATE_PAGE 4096u
#define SW_STATE_WAYS 8          /* entries per bucket: the bound on probing */
#define SW_STATE_MAX_WORKERS 64  /* counter blocks; workers, inspect, the replication thread */
#define SW_STATE_INSTANCE_MAX 32 /* as SW_SHM_INSTANCE_MAX: [A-Za-z0-9_-]{1,32} */
#define SW_STATE_NAME_MAX (sizeof("/sigwall..state") + SW_STATE_INSTANCE_MAX)
#define SW_STATE_READ_TRIES 64   /* seqlock read attempts before a lookup reports busy */
#define SW_STATE_LOCK_SPINS 4096 /* writer CAS attempts before a write is dropped as busy */
#define SW_STATE_SMS_RESULTS 3   /* recent SRI-SM results kept per IMSI */

/* Defaults (issue 15): dialogue timeout, SMS window, maximum age of a location. */
#define SW_STATE_NS_PER_S 1000000000ull
#define SW_STATE_DEFAULT_DIALOGUE_TTL (60ull * SW_STATE_NS_PER_S)
#define SW_STATE_DEFAULT_SMS_WINDOW (60ull * SW_STATE_NS_PER_S)
#define SW_STATE_DEFAULT_LOCATION_AGE (7ull * 86400ull * SW_STATE_NS_PER_S)
#define SW_STATE_DEFAULT_DIALOGUES (1u << 20)
#define SW_STATE_DEFAULT_SMS (1u << 18)
#define SW_STATE_DEFAULT_SUBSCRIBERS (1u << 20)
#define SW_STATE_MAX_ENTRIES (1u << 28) /* per table */

enum sw_state_table {
	SW_STATE_T_DIALOGUE = 0,
	SW_STATE_T_SMS = 1,
	SW_STATE_T_LOCATION = 2,
	SW_STATE_NTABLES = 3,
};

/* ------------------------------------------------------------------------------------------ */
/* Shared layout                                                                              */

/*
 * Entry words. Every entry starts with the two key words and the absolute expiry; a way whose
 * tag is 0 is free. Words are _Atomic uint64_t: written (relaxed) only by the holder of the
 * bucket lock, read (relaxed) by anyone between the two sequence loads of the seqlock.
 */
enum {
	SW_STATE_W_K0 = 0,  /* dialogue: GT key of the node that sent the TID; others: IMSI key */
	SW_STATE_W_K1 = 1,  /* dialogue: TID | length << 32; others: 0 */
	SW_STATE_W_EXP = 2, /* absolute expiry, ns */
};

/* Dialogue entry (8 words, one cache line). */
enum {
	SW_STATE_DW_OPENED = 3,  /* ns of the Begin (or first Continue) that sent the TID */
	SW_STATE_DW_FLAGS = 4,   /* SW_STATE_DF_* */
	SW_STATE_DW_P_IMSI = 5,  /* pending updateLocation: IMSI key (0: none) */
	SW_STATE_DW_P_VLR = 6,   /* pending updateLocation: VLR/SGSN number key */
	SW_STATE_DW_P_NET = 7,   /* pending: partner | country << 32 | kind << 48 */
	SW_STATE_DIALOGUE_WORDS = 8,
};
#define SW_STATE_DF_INSIDE 0x1u /* the TID was sent from inside */
#define SW_STATE_DF_CLOSED 0x2u /* closed by an End/Abort (tombstone until its expiry) */

/* SMS correlation entry: up to SW_STATE_SMS_RESULTS results, newest first. */
enum {
	SW_STATE_SW_RESULT = 3, /* result i at 3 + 3i: GT key, time, partner */
	SW_STATE_SMS_WORDS = 3 + 3 * SW_STATE_SMS_RESULTS,
};

/* Location entry. */
enum {
	SW_STATE_LW_TIME = 3, /* ns when the location was recorded */
	SW_STATE_LW_NET = 4,  /* partner | country << 32 | kind << 48 */
	SW_STATE_LW_VLR = 5,  /* VLR/SGSN number key */
	SW_STATE_LW_CG = 6,   /* calling GT key of the updateLocation */
	SW_STATE_LOCATION_WORDS = 7,
};

#define SW_STATE_MAX_WORDS SW_STATE_SMS_WORDS

struct sw_state_bucket {
	/* Seqlock and writer lock: odd while a writer holds the bucket. Writers: CAS even -> odd
	 * (acquire) then release fence, store_release(odd + 1) when done. Readers: load_acquire
	 * before, acquire fence + relaxed load after reading the bucket. */
	_Atomic uint64_t seq;
	/* Largest expiry (ns) of a live entry that was evicted from this bucket (writers under the
	 * lock, relaxed; readers inside the seqlock): a miss while it is in the future may be an
	 * eviction (SW_STATE_WHY_EVICTED). */
	_Atomic uint64_t evicted_until;
	/* Per way: 0 free, else the key's 14-bit tag << 2 | its class (SW_STATE_CLASS_*). Writers
	 * under the lock, relaxed; readers inside the seqlock, relaxed. Lookups compare tags here
	 * before touching an entry; inserts pick their victim from slot[] and exp_s[] alone. */
	_Atomic uint16_t slot[SW_STATE_WAYS];
	/* Per way: the entry's expiry in seconds, rounded up (same access rules as slot). */
	_Atomic uint32_t exp_s[SW_STATE_WAYS];
	/* followed by SW_STATE_WAYS entries of entry_words words */
};
#define SW_STATE_CLASS_LIVE 0    /* everything but the two below */
#define SW_STATE_CLASS_OUTSIDE 1 /* a dialogue whose TID was sent from outside */
#define SW_STATE_CLASS_CLOSED 2  /* a closed dialogue (tombstone) */
_Static_assert(sizeof(struct sw_state_bucket) == SW_STATE_CACHE_LINE, "bucket header: a line");
_Static_assert(offsetof(struct sw_state_bucket, seq) == 0, "seq first");
_Static_assert(offsetof(struct sw_state_bucket, evicted_until) == 8, "evicted_until at 8");
_Static_assert(offsetof(struct sw_state_bucket, slot) == 16, "slots at 16");
_Static_assert(offsetof(struct sw_state_bucket, exp_s) == 32, "expiries at 32");
_Static_assert(sizeof(_Atomic uint64_t) == 8 && sizeof(_Atomic uint32_t) == 4 &&
		       sizeof(_Atomic uint16_t) == 2,
	       "atomic sizes");

/* Per table, per worker. Single writer (the worker owning the block): relaxed load + relaxed
 * store (SW_STATE_ADD); readers (stats, tests) relaxed loads and sum over the workers. */
struct sw_state_counters {
	_Atomic uint64_t inserts;      /* new entries */
	_Atomic uint64_t updates;      /* existing entries changed (refresh, merge, close) */
	_Atomic uint64_t deletes;      /* dialogues closed */
	_Atomic uint64_t lookups;
	_Atomic uint64_t hits;         /* lookups that found a live entry */
	_Atomic uint64_t evictions;    /* live entries replaced before their expiry */
	_Atomic uint64_t expired;      /* expired entries reclaimed by an insert */
	_Atomic uint64_t full;         /* inserts refused: bucket full of higher-ranked entries */
	_Atomic uint64_t busy;         /* lookups/writes given up (seqlock retries/lock spins) */
	_Atomic uint64_t miss_evicted; /* misses in a bucket that evicted a still-live entry */
	_Atomic uint64_t miss_closed;  /* dialogue lookups that found a closed dialogue */
	_Atomic uint64_t miss_expired; /* lookups that found the key expired */
	_Atomic uint64_t deltas;       /* delta records pushed to the caller's ring */
	_Atomic uint64_t deltas_lost;  /* delta records not pushed: ring full */
	_Atomic uint64_t applied;      /* peer deltas that changed this object */
	_Atomic uint64_t apply_stale;  /* peer deltas ignored: duplicate or older than the entry */
};
_Static_assert(sizeof(struct sw_state_counters) == 128, "counters: two lines");

struct sw_state_table_desc {
	/* Immutable after creation. */
	uint64_t offset;      /* of the first bucket from the start of the object, page aligned */
	uint64_t nbuckets;    /* power of two */
	uint64_t bucket_size; /* 64 + SW_STATE_WAYS * entry_words * 8 */
	uint32_t ways;        /* SW_STATE_WAYS */
	uint32_t entry_words;
	/* Timeout (dialogue), window (SMS) or maximum age (location) for new entries, ns.
	 * Relaxed: control may change it (sw_state_set_ttl); writers read it per insert. */
	_Atomic uint64_t ttl_ns;
	uint64_t reserved[3];
};
_Static_assert(sizeof(struct sw_state_table_desc) == 64, "table descriptor: a line");
_Static_assert(offsetof(struct sw_state_table_desc, ttl_ns) == 32, "ttl at 32");

struct sw_state_hdr {
	/* Immutable after creation; magic is stored (release) last, opener loads it (acquire). */
	_Atomic uint64_t magic;   /* SW_STATE_MAGIC */
	uint32_t version;         /* SW_STATE_LAYOUT_VERSION */
	uint32_t hdr_size;        /* sizeof(struct sw_state_hdr) */
	uint64_t region_size;     /* bytes of the object */
	uint64_t hash_key[2];     /* SipHash key, random per creation (getrandom) */
	uint64_t created_ns;      /* CLOCK_REALTIME */
	uint32_t max_workers;     /* counter blocks */
	uint32_t ntables;         /* SW_STATE_NTABLES */
	uint64_t counters_off;    /* offset of the counter blocks, page aligned */
	/* Set (release) by an opener that re-creates the object under this name; the others poll
	 * it (acquire, sw_state_retired) and re-open. */
	_Atomic uint32_t retired;
	uint32_t reserved0;
	/* Times sw_state_open() reused this object (relaxed; informational). */
	_Atomic uint64_t opens;
	uint64_t reserved[6];
	struct sw_state_table_desc table[SW_STATE_NTABLES];
};
_Static_assert(offsetof(struct sw_state_hdr, hash_key) == 24, "hash key at 24");
_Static_assert(offsetof(struct sw_state_hdr, retired) == 64, "retired at 64");
_Static_assert(offsetof(struct sw_state_hdr, table) == 128, "tables at 128");
_Static_assert(sizeof(struct sw_state_hdr) == 128 + 64 * SW_STATE_NTABLES, "header size");
_Static_assert(sizeof(struct sw_state_hdr) <= SW_STATE_PAGE, "header fits a page");

/* ------------------------------------------------------------------------------------------ */
/* Replication deltas (issue 16) and the per-worker SPSC ring that carries them                */

enum sw_state_delta_op {
	SW_STATE_OP_DIALOGUE = 1, /* dialogue entry state (open, refresh, close: flags say) */
	SW_STATE_OP_SMS = 2,      /* one SRI-SM result */
	SW_STATE_OP_LOCATION = 3, /* a recorded location */
};

/*
 * One delta: the new state of one entry (or one SMS result), with absolute times, so applying
 * it is idempotent and the merge rules (README.md) make the result independent of the order.
 * Fixed 64 bytes, the same on every member of a group (it crosses the fleet).
 */
struct sw_state_delta {
	uint8_t op;          /* enum sw_state_delta_op */
	uint8_t version;     /* SW_STATE_LAYOUT_VERSION */
	uint16_t reserved0;
	uint32_t flags;      /* dialogue: SW_STATE_DF_*; others 0 */
	uint64_t k0, k1;     /* entry key words */
	uint64_t time;       /* dialogue: opened; sms: result time; location: recorded */
	uint64_t expiry;     /* absolute */
	uint64_t w[3];       /* dialogue: P_IMSI, P_VLR, P_NET; sms: GT, partner;
				location: NET, VLR, CG */
};
_Static_assert(sizeof(struct sw_state_delta) == 64, "delta: one line");
_Static_assert(offsetof(struct sw_state_delta, k0) == 8, "delta key at 8");
_Static_assert(offsetof(struct sw_state_delta, w) == 40, "delta payload at 40");

/* Single producer (one worker), single consumer (the replication thread). Caller-provided
 * memory of sw_state_ring_bytes(size) bytes, cache-line aligned. */
struct sw_state_ring {
	/* Next position to write. Producer: store_release after the record is written; consumer:
	 * load_acquire before reading records. */
	alignas(SW_STATE_CACHE_LINE) _Atomic uint64_t head;
	/* Next position to read. Consumer: store_release after copying records out; producer:
	 * load_acquire before writing (a position is free when head - tail < size). */
	alignas(SW_STATE_CACHE_LINE) _Atomic uint64_t tail;
	/* Records not written because the ring was full (producer relaxed add, others relaxed). */
	alignas(SW_STATE_CACHE_LINE) _Atomic uint64_t lost;
	uint32_t size; /* power of two, immutable */
	uint32_t mask;
	/* Issue 16: 1 while the replicator (the consumer) cannot reach Redis or is
	 * resynchronising, as rings.h's degraded, here for the worker that owns the ring (the
	 * judge's `cluster-degraded`). Consumer relaxed store, producer relaxed load. */
	_Atomic uint32_t degraded;
	alignas(SW_STATE_CACHE_LINE) struct sw_state_delta rec[];
};
_Static_assert(offsetof(struct sw_state_ring, rec) == 3 * SW_STATE_CACHE_LINE, "ring records");

/* Bytes of a ring of size records (size: a power of two >= 2). */
size_t sw_state_ring_bytes(uint32_t size);
/* Initialise a ring in mem (sw_state_ring_bytes(size), 64-byte aligned). NULL on bad size. */
struct sw_state_ring *sw_state_ring_init(void *mem, uint32_t size);
/* Producer: false (counted in ring->lost) when full. */
bool sw_state_ring_push(struct sw_state_ring *r, const struct sw_state_delta *d);
/* Consumer: copy out up to max records; returns how many. */
unsigned sw_state_ring_pop(struct sw_state_ring *r, struct sw_state_delta *out, unsigned max);

/* ------------------------------------------------------------------------------------------ */
/* Objects                                                                                    */

struct sw_state_config {
	uint32_t dialogues;   /* entries; 0: SW_STATE_DEFAULT_DIALOGUES (rounded up to buckets) */
	uint32_t sms;         /* IMSIs with SRI-SM results; 0: default */
	uint32_t subscribers; /* locations; 0: default */
	uint64_t dialogue_ttl_ns;    /* 0: 60 s */
	uint64_t sms_window_ns;      /* 0: 60 s */
	uint64_t location_age_ns;    /* 0: 7 days */
	uint32_t max_workers;        /* counter blocks; 0: SW_STATE_MAX_WORKERS */
};

/* A mapping of a state object (one per process). */
struct sw_state {
	struct sw_state_hdr *hdr;
	uint8_t *base;
	size_t len;
	bool shm;                     /* a named shm object (else anonymous) */
	char name[SW_STATE_NAME_MAX];
	uint64_t key0, key1;          /* copies of hdr->hash_key */
	struct sw_state_tab {
		uint8_t *buckets;
		uint64_t mask;        /* nbuckets - 1 */
		uint64_t bucket_size;
		uint32_t words;
	} t[SW_STATE_NTABLES];
};

/* What sw_state_open() did (>= 0); < 0 is -errno. The caller logs RECREATED once. */
enum sw_state_open_result {
	SW_STATE_CREATED = 0,   /* no object existed: a new, empty one */
	SW_STATE_REUSED = 1,    /* an object of this layout and these sizes: state kept */
	SW_STATE_RECREATED = 2, /* an object of another layout version (or unreadable): replaced */
	SW_STATE_RESIZED = 3,   /* this layout but other sizes: replaced by an empty one */
};

#define SW_STATE_F_RECOVER 0x1u /* caller is the only writer: release locks of dead writers */

/* "/sigwall.<instance>.state"; 0 or -EINVAL. */
int sw_state_name(char *buf, size_t len, const char *instance);
/* Open the instance's state object, creating or re-creating it (mode 0600). A reused object
 * keeps its contents and hash key; its ttls are set from cfg. Returns enum
 * sw_state_open_result or -errno. */
int sw_state_open(const char *instance, const struct sw_state_config *cfg, unsigned flags,
		  struct sw_state *out);
/* Map the existing object of the instance as it is (any sizes): never creates, resizes or
 * re-creates it (control/cluster, issue 16). 0, -ENOENT, -EPROTO (invalid or retired). */
int sw_state_attach(const char *instance, struct sw_state *out);
/* A private object in anonymous shared memory (inspect, tests, benchmarks); shared with
 * children forked after it. 0 or -errno. */
int sw_state_create_anon(const struct sw_state_config *cfg, struct sw_state *out);
/* The same in private memory (one process: `sigwallctl inspect`), where transparent huge pages
 * apply. */
int sw_state_create_private(const struct sw_state_config *cfg, struct sw_state *out);
void sw_state_close(struct sw_state *st);
void sw_state_unlink(const char *instance);
/* True when another process re-created the object under this name: close and re-open. */
bool sw_state_retired(const struct sw_state *st);
/* Change the timeout/window/max age of new entries of a table. */
void sw_state_set_ttl(struct sw_state *st, enum sw_state_table t, uint64_t ttl_ns);
/* Release bucket locks left by a writer that died (call only when no writer runs). Returns how
 * many were released. */
uint64_t sw_state_recover(struct sw_state *st);
/* Bytes an object of this configuration takes. */
uint64_t sw_state_size(const struct sw_state_config *cfg);
uint64_t sw_state_capacity(const struct sw_state *st, enum sw_state_table t);

/* Per-worker handle: the counter block it writes and its optional delta ring. One per thread. */
struct sw_state_ctx {
	struct sw_state *st;
	struct sw_state_counters *c; /* [SW_STATE_NTABLES] */
	struct sw_state_ring *ring;  /* NULL: no replication */
	unsigned worker;
};
/* 0, or -EINVAL when worker >= the object's max_workers. ring may be NULL. */
int sw_state_ctx_init(struct sw_state_ctx *ctx, struct sw_state *st, unsigned worker,
		      struct sw_state_ring *ring);
/* Sum of the counter blocks of every worker for table t. */
void sw_state_stats(const struct sw_state *st, enum sw_state_table t,
		    struct sw_state_counters *out_plain);
/* Live entries of table t at now (a full scan; control plane). */
uint64_t sw_state_count(const struct sw_state *st, enum sw_state_table t, uint64_t now);

/* Single-writer counter add: relaxed load + relaxed store. */
#define SW_STATE_ADD(ctr, n)                                                                     \
	atomic_store_explicit(&(ctr), atomic_load_explicit(&(ctr), memory_order_relaxed) + (n),  \
			      memory_order_relaxed)

/* ------------------------------------------------------------------------------------------ */
/* Keys                                                                                       */

/*
 * Digits (GT, IMSI, VLR number) as a 64-bit key, without hashing: up to 16 digits packed one
 * nibble each from the top ('0'-'9' -> 1-10, 'a'/'*' 11, 'b'/'#' 12, 'c' 13, 'd' 14, 'e' 15),
 * 0-terminated, so keys are exact and equal across members of a group. Longer strings (never
 * valid E.164/E.212) get a 60-bit FNV-1a hash with the top nibble 0, which no packed key has.
 * "" and NULL -> 0 (absent). Any other character makes it 0 too (not a number).
 */
uint64_t sw_state_digits_key(const char *d, size_t len);
/* Back to digits (packed keys only); returns the length, 0 for hashed or absent keys. */
size_t sw_state_key_digits(uint64_t key, char *buf, size_t len);

/* A hashed key: build it once per message, prefetch, then use it for every table call. */
struct sw_state_bucket;
struct sw_state_key {
	uint64_t k0, k1;
	uint64_t hash; /* SipHash-1-3 of (k0, k1) under the object's key */
	struct sw_state_bucket *b[2]; /* the key's buckets in this mapping (b[1] == b[0]: one) */
	uint8_t nb;    /* 1 or 2 */
	uint8_t table; /* enum sw_state_table */
};

/* Dialogue key: the TID (1-4 octets, Q.773 3.2.1.2, big-endian value) and the GT of the node
 * that sent it. */
void sw_state_key_dialogue(const struct sw_state *st, struct sw_state_key *k, uint32_t tid,
			   uint8_t tid_len, uint64_t gt);
/* SMS or location key: the IMSI. */
void sw_state_key_imsi(const struct sw_state *st, struct sw_state_key *k, enum sw_state_table t,
		       uint64_t imsi);
/* The key's buckets (two-choice hashing; 1 when the table has one bucket): returns how many. */
unsigned sw_state_buckets(const struct sw_state *st, const struct sw_state_key *k,
			  struct sw_state_bucket *b[2]);
/* Prefetch the key's buckets (call for a burst's keys before their operations). */
void sw_state_prefetch(const struct sw_state *st, const struct sw_state_key *k);
/* Second stage, once the buckets arrived: prefetch the entries whose tag matches the key. */
void sw_state_prefetch_entry(const struct sw_state *st, const struct sw_state_key *k);

/* ------------------------------------------------------------------------------------------ */
/* Table operations                                                                           */

/* Why a lookup missed (or SW_STATE_WHY_NONE on a hit). */
enum sw_state_why {
	SW_STATE_WHY_NONE = 0,
	SW_STATE_WHY_UNKNOWN,    /* never seen (or evicted long ago) */
	SW_STATE_WHY_EXPIRED,    /* present but past its expiry */
	SW_STATE_WHY_CLOSED,     /* dialogue closed by an End/Abort */
	SW_STATE_WHY_EVICTED,    /* this bucket evicted a still-live entry: maybe this one */
	SW_STATE_WHY_BUSY,       /* no consistent read/lock within the bounds */
	SW_STATE_WHY_NOT_INSIDE, /* dialogue known, but its TID was sent from outside */
	SW_STATE_WHY_OTHER_PEER, /* SMS: results for the IMSI went to another network/GT */
	SW_STATE_WHY_COUNT,
};
const char *sw_state_why_name(enum sw_state_why why);

/* Pending updateLocation carried by the dialogue it was sent in (Deliver 5): recorded as the
 * subscriber's location when the answer from inside is a returnResult. */
struct sw_state_pending {
	uint64_t imsi;     /* digits key; 0: none */
	uint64_t vlr;      /* VLR / SGSN number key */
	uint32_t partner;  /* serving network: partner of the VLR/SGSN number, else of the GT */
	uint16_t country;  /* sw_state_country() of that partner, 0 unknown */
	uint8_t kind;      /* caller's tag (e.g. 1 UL, 2 UGL) */
};

struct sw_state_dialogue {
	uint64_t gt;      /* node that sent the TID */
	uint32_t tid;
	uint8_t tid_len;
	uint32_t flags;   /* SW_STATE_DF_* */
	uint64_t opened, expiry;
	struct sw_state_pending pending;
};

struct sw_state_sms_result {
	uint64_t gt;      /* GT the result was sent to */
	uint64_t time;
	uint32_t partner; /* partner of that GT, 0 none */
};

struct sw_state_location {
	uint64_t imsi;
	uint64_t time, expiry;
	uint32_t partner; /* serving network, 0 none */
	uint16_t country;
	uint8_t kind;
	uint64_t vlr;     /* VLR / SGSN number key */
	uint64_t cg;      /* calling GT of the updateLocation */
};

/* Lookups: SW_STATE_WHY_NONE and *out filled on a hit (out may be NULL). Closed and expired
 * dialogues are misses (why says which). */
enum sw_state_why sw_state_dialogue_get(struct sw_state_ctx *ctx, const struct sw_state_key *k,
					uint64_t now, struct sw_state_dialogue *out);
/* The same, but a closed dialogue (a tombstone) is returned too (flags say it is closed). */
enum sw_state_why sw_state_dialogue_peek(struct sw_state_ctx *ctx, const struct sw_state_key *k,
					 uint64_t now, struct sw_state_dialogue *out);
/* Results of the IMSI still inside the window at now, newest first; returns how many (0..3). */
unsigned sw_state_sms_get(struct sw_state_ctx *ctx, const struct sw_state_key *k, uint64_t now,
			  struct sw_state_sms_result out[SW_STATE_SMS_RESULTS],
			  enum sw_state_why *why);
enum sw_state_why sw_state_location_get(struct sw_state_ctx *ctx, const struct sw_state_key *k,
					uint64_t now, struct sw_state_location *out);

/* Writes. 0 on success (and a delta pushed when ctx has a ring), -EBUSY (lock not obtained,
 * counted), -ENOSPC (refused: bucket full of higher-ranked entries, counted `full`),
 * -ENOENT (close: nothing live to close). */
/* Open (Begin) or refresh (Continue) the dialogue of TID k sent by k's GT. refresh: keep an
 * existing live entry's opened time and pending, push its expiry to now + ttl (written only
 * when less than half the ttl is left). pending may be NULL. */
int sw_state_dialogue_open(struct sw_state_ctx *ctx, const struct sw_state_key *k, bool inside,
			   bool refresh, uint64_t now, const struct sw_state_pending *pending);
/* Close the live dialogue k (End/Abort that matches): a tombstone until its expiry, so a late
 * or replicated open of the same dialogue does not resurrect it. require_inside: only an entry
 * sent from inside matches. *why says why not when -ENOENT. */
int sw_state_dialogue_close(struct sw_state_ctx *ctx, const struct sw_state_key *k,
			    bool require_inside, uint64_t now, enum sw_state_why *why);
/* An SRI-SM result for IMSI k sent toward GT gt (partner of gt, 0 none) at now. */
int sw_state_sms_record(struct sw_state_ctx *ctx, const struct sw_state_key *k, uint64_t gt,
			uint32_t partner, uint64_t now);
/* Record IMSI k's location (replaces the previous one). */
int sw_state_location_record(struct sw_state_ctx *ctx, const struct sw_state_key *k,
			     uint32_t partner, uint16_t country, uint64_t vlr, uint64_t cg,
			     uint8_t kind, uint64_t now);

/* Apply a peer's delta at now: idempotent, order-independent (README.md); a delta already
 * expired at now is ignored. Never pushes a delta. 1 changed this object, 0 nothing to change (duplicate/stale), -EBUSY, -EINVAL. */
int sw_state_apply(struct sw_state_ctx *ctx, const struct sw_state_delta *d, uint64_t now);
/* Every entry of table t live at now (with closed dialogues when tombstones) as deltas (one per
 * SMS result): a snapshot for a warm copy, and what tests compare. Returns how many were
 * passed to cb; cb returning non-zero stops the scan. */
uint64_t sw_state_dump(const struct sw_state *st, enum sw_state_table t, uint64_t now,
		       bool tombstones, int (*cb)(const struct sw_state_delta *d, void *arg),
		       void *arg);

/* ------------------------------------------------------------------------------------------ */
/* Conditions (cond.c): the semantics of issue 15, Deliver 3-5, as pure functions of the tables */

enum sw_state_tcap_type {
	SW_STATE_TC_BEGIN = 1,
	SW_STATE_TC_CONTINUE,
	SW_STATE_TC_END,
	SW_STATE_TC_ABORT,
};

/* What the judge knows of one TCAP message for the dialogue table. */
struct sw_state_tcap {
	uint8_t type;        /* enum sw_state_tcap_type; others are ignored */
	bool from_inside;
	uint8_t otid_len, dtid_len; /* 0: absent */
	uint32_t otid, dtid;
	uint64_t cgpa, cdpa; /* SCCP calling / called GT digits keys */
	const struct sw_state_pending *pending; /* updateLocation in this Begin, or NULL */
};

enum sw_state_dlg_verdict {
	SW_STATE_DLG_NONE = 0,    /* nothing to learn or judge (no TID, TC-UNI, ...) */
	SW_STATE_DLG_LEARNED,     /* Begin (or Continue from inside): OTID remembered */
	SW_STATE_DLG_MATCHED,     /* Continue from outside to a dialogue sent from inside */
	SW_STATE_DLG_CLOSED,      /* End/Abort that matched: dialogue closed */
	SW_STATE_DLG_UNSOLICITED, /* Continue/End/Abort from outside that matches nothing */
};
const char *sw_state_dlg_verdict_name(enum sw_state_dlg_verdict v);

/* Deliver 3: learn, match, close; *why says why a message is unsolicited. */
enum sw_state_dlg_verdict sw_state_dialogue(struct sw_state_ctx *ctx, const struct sw_state_tcap *m,
					    uint64_t now, enum sw_state_why *why);
/* The pending updateLocation of the dialogue an answer from inside is addressed to (its DTID
 * and the called GT): when result_ok (a returnResult, not returnError/Abort), record the
 * location. 1 recorded, 0 nothing pending or not ok, < 0 -errno. */
int sw_state_location_answer(struct sw_state_ctx *ctx, uint32_t dtid, uint8_t dtid_len,
			     uint64_t cdpa, bool result_ok, uint64_t now);

/* Deliver 4: an mt-forwardSM from outside for home IMSI imsi from calling GT cgpa (partner of
 * cgpa, 0 none) is unsolicited unless an SRI-SM result for imsi went, within the window, to a
 * GT of the same partner (to the same GT when the caller is no partner). */
bool sw_state_unsolicited_sms(struct sw_state_ctx *ctx, uint64_t imsi, uint64_t cgpa,
			      uint32_t partner, uint64_t now, enum sw_state_why *why);

/* Deliver 5, over a location read with sw_state_location_get (NULL: none recorded). */
enum sw_state_loc_verdict {
	SW_STATE_LOC_UNKNOWN = 0, /* no location recorded (learning) */
	SW_STATE_LOC_SERVING,
	SW_STATE_LOC_NOT_SERVING,
};
/* Calling GT cgpa (partner of cgpa, 0 none) against the recorded serving network: the same
 * partner when one was recorded, else the recorded VLR/SGSN number or calling GT. */
enum sw_state_loc_verdict sw_state_loc_serving(const struct sw_state_location *loc,
					       uint64_t cgpa, uint32_t partner);

/* ISO 3166-1 alpha-2 country codes as ('A' << 8 | 'B'). */
#define SW_STATE_TRAVEL_MAX 1024
#define SW_STATE_TRAVEL_DEFAULT_MINUTES 120
struct sw_state_travel_pair {
	uint32_t pair;    /* lower code << 16 | higher code */
	uint32_t minutes;
};
/* Minimum travel times (site.velocity): filled by the compiler, read by the judge. Plain data,
 * position independent (it may be copied into the policy image as is). */
struct sw_state_travel {
	uint16_t home;            /* site.home.country, 0 unset */
	uint16_t reserved0;
	uint32_t default_minutes; /* site.velocity.default_minutes (120) */
	uint32_t npairs;          /* sorted by pair */
	uint32_t reserved1;
	struct sw_state_travel_pair pair[SW_STATE_TRAVEL_MAX];
};
_Static_assert(sizeof(struct sw_state_travel) == 16 + 8 * SW_STATE_TRAVEL_MAX, "travel table");

/* "KE" -> 'K' << 8 | 'E' when it is an assigned ISO 3166-1 alpha-2 code (upper case), else
 * -EINVAL. */
int sw_state_country(const char *code);
/* The two letters of a code into buf[3]; "" for 0. */
const char *sw_state_country_str(uint16_t code, char buf[3]);
void sw_state_travel_init(struct sw_state_travel *t);
/* Set the minimum travel time between countries a and b (symmetric; a later call for the same
 * pair replaces it). 0, -EINVAL (a code not assigned, a == b), -ENOSPC (table full). Neighbours
 * are pairs of 0 minutes. */
int sw_state_travel_set(struct sw_state_travel *t, uint16_t a, uint16_t b, uint32_t minutes);
/* Minutes between a and b: 0 for a == b, the pair's minutes, else default_minutes. */
uint32_t sw_state_travel_minutes(const struct sw_state_travel *t, uint16_t a, uint16_t b);
/* Velocity: a new updateLocation from a network in country `country` at now, with loc the
 * recorded location: true when both countries are known and differ and less than the minimum
 * travel time has passed since loc was recorded. */
bool sw_state_loc_velocity(const struct sw_state_location *loc, uint16_t country, uint64_t now,
			   const struct sw_state_travel *t);

#endif /* SW_STATE_STATE_H */
