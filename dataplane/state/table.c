/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The state object (creation, re-creation, mapping), keys and the keyed hash, the bucket engine
 * (seqlock reads, locked writes, bounded ways, eviction), the three tables' writes and merges,
 * deltas and their application. The concurrency contract is in state.h.
 */
#include "state.h"

#include "dataplane/shm/shm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RELAXED memory_order_relaxed
#define ACQUIRE memory_order_acquire
#define RELEASE memory_order_release

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

static uint64_t
round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

_Static_assert(SW_STATE_NAME_MAX == SW_SHM_NAME_MAX, "state object names as shm's");
_Static_assert(SW_STATE_INSTANCE_MAX == SW_SHM_INSTANCE_MAX, "instance names as shm's");

static const unsigned table_words[SW_STATE_NTABLES] = {
	[SW_STATE_T_DIALOGUE] = SW_STATE_DIALOGUE_WORDS,
	[SW_STATE_T_SMS] = SW_STATE_SMS_WORDS,
	[SW_STATE_T_LOCATION] = SW_STATE_LOCATION_WORDS,
};

/* ------------------------------------------------------------------------------------------ */
/* Keys and the keyed hash                                                                    */

/* SipHash-1-3 (Aumasson, Bernstein 2012; the 1-3 variant as in CPython and Rust's std) of the
 * 16-byte message (k0, k1), little-endian words. */
#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                 \
	do {                                                                                     \
		v0 += v1;                                                                        \
		v1 = ROTL(v1, 13);                                                               \
		v1 ^= v0;                                                                        \
		v0 = ROTL(v0, 32);                                                               \
		v2 += v3;                                                                        \
		v3 = ROTL(v3, 16);                                                               \
		v3 ^= v2;                                                                        \
		v0 += v3;                                                                        \
		v3 = ROTL(v3, 21);                                                               \
		v3 ^= v0;                                                                        \
		v2 += v1;                                                                        \
		v1 = ROTL(v1, 17);                                                               \
		v1 ^= v2;                                                                        \
		v2 = ROTL(v2, 32);                                                               \
	} while (0)

static inline uint64_t
siphash13_2w(uint64_t key0, uint64_t key1, uint64_t m0, uint64_t m1)
{
	uint64_t v0 = key0 ^ 0x736f6d6570736575ull;
	uint64_t v1 = key1 ^ 0x646f72616e646f6dull;
	uint64_t v2 = key0 ^ 0x6c7967656e657261ull;
	uint64_t v3 = key1 ^ 0x7465646279746573ull;
	const uint64_t b = 16ull << 56;

	v3 ^= m0;
	SIPROUND;
	v0 ^= m0;
	v3 ^= m1;
	SIPROUND;
	v0 ^= m1;
	v3 ^= b;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t
sw_state_digits_key(const char *d, size_t len)
{
	uint64_t key = 0;

	if (d == NULL || len == 0)
		return 0;
	if (len > 16) {
		/* FNV-1a, 60 bits: only for strings no numbering plan allows. */
		uint64_t h = 0xcbf29ce484222325ull;

		for (size_t i = 0; i < len; i++) {
			h ^= (uint8_t)d[i];
			h *= 0x100000001b3ull;
		}
		h &= 0x0fffffffffffffffull;
		return h != 0 ? h : 1;
	}
	for (size_t i = 0; i < len; i++) {
		char c = d[i];
		uint64_t v;

		if (c >= '0' && c <= '9')
			v = (uint64_t)(c - '0') + 1;
		else if (c == 'a' || c == 'A' || c == '*')
			v = 11;
		else if (c == 'b' || c == 'B' || c == '#')
			v = 12;
		else if (c == 'c' || c == 'C')
			v = 13;
		else if (c == 'd' || c == 'D')
			v = 14;
		else if (c == 'e' || c == 'E')
			v = 15;
		else
			return 0;
		key |= v << (60 - 4 * i);
	}
	return key;
}

size_t
sw_state_key_digits(uint64_t key, char *buf, size_t len)
{
	static const char sym[16] = "?0123456789abcde";
	size_t n = 0;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	if ((key >> 60) == 0)
		return 0;
	for (int i = 0; i < 16; i++) {
		unsigned v = (unsigned)(key >> (60 - 4 * i)) & 0xf;

		if (v == 0)
			break;
		if (n + 1 >= len)
			break;
		buf[n++] = sym[v];
	}
	buf[n] = '\0';
	return n;
}

static void key_buckets(const struct sw_state *st, struct sw_state_key *k);

void
sw_state_key_dialogue(const struct sw_state *st, struct sw_state_key *k, uint32_t tid,
		      uint8_t tid_len, uint64_t gt)
{
	k->k0 = gt;
	k->k1 = (uint64_t)tid | (uint64_t)tid_len << 32;
	k->hash = siphash13_2w(st->key0, st->key1, k->k0, k->k1);
	k->table = SW_STATE_T_DIALOGUE;
	key_buckets(st, k);
}

void
sw_state_key_imsi(const struct sw_state *st, struct sw_state_key *k, enum sw_state_table t,
		  uint64_t imsi)
{
	k->k0 = imsi;
	k->k1 = 0;
	k->hash = siphash13_2w(st->key0, st->key1, k->k0, k->k1 ^ (uint64_t)t << 56);
	k->table = (uint8_t)t;
	key_buckets(st, k);
}

/* 14 bits of the hash, never 0 (0 marks a free way). */
static inline uint16_t
key_tag(uint64_t hash)
{
	uint16_t t = (uint16_t)((hash >> 32) & 0x3fff);

	return t != 0 ? t : 1;
}

static inline bool
slot_is(uint16_t slot, uint16_t tag)
{
	return (slot >> 2) == tag;
}

/*
 * The two buckets a key may live in (two-choice hashing: with 8 ways each, a table fills to
 * well above 90% before a bucket pair overflows, where a single bucket of 8 overflows from
 * about 60%). The second is the first XOR a function of the tag, as in cuckoo filters; one
 * bucket only when the table has one.
 */
static void
key_buckets(const struct sw_state *st, struct sw_state_key *k)
{
	const struct sw_state_tab *t = &st->t[k->table];
	uint64_t b1 = k->hash & t->mask;
	uint64_t alt = ((uint64_t)key_tag(k->hash) * 0x9e3779b97f4a7c15ull >> 32) & t->mask;
	uint64_t b2 = b1 ^ (alt != 0 ? alt : (1 & t->mask));

	k->b[0] = (struct sw_state_bucket *)(t->buckets + b1 * t->bucket_size);
	k->b[1] = (struct sw_state_bucket *)(t->buckets + b2 * t->bucket_size);
	k->nb = b2 == b1 ? 1 : 2;
}

unsigned
sw_state_buckets(const struct sw_state *st, const struct sw_state_key *k,
		 struct sw_state_bucket *b[2])
{
	(void)st;
	b[0] = k->b[0];
	b[1] = k->b[1];
	return k->nb;
}

void
sw_state_prefetch(const struct sw_state *st, const struct sw_state_key *k)
{
	struct sw_state_bucket *b[2];
	unsigned n = sw_state_buckets(st, k, b);

	for (unsigned i = 0; i < n; i++)
		__builtin_prefetch(b[i], 0, 3);
}

void
sw_state_prefetch_entry(const struct sw_state *st, const struct sw_state_key *k)
{
	struct sw_state_bucket *b[2];
	unsigned n = sw_state_buckets(st, k, b), words = st->t[k->table].words;
	uint16_t tag = key_tag(k->hash);

	/* A racy peek at the tags (relaxed loads, nothing relies on them): fetch the entry lines
	 * the lookup will compare. */
	for (unsigned i = 0; i < n; i++)
		for (unsigned w = 0; w < SW_STATE_WAYS; w++)
			if (slot_is(atomic_load_explicit(&b[i]->slot[w], RELAXED), tag))
				__builtin_prefetch((const uint8_t *)(b[i] + 1) +
							   (size_t)w * words * 8,
						   0, 3);
}

static inline _Atomic uint64_t *
way_words(struct sw_state_bucket *b, unsigned words, unsigned way)
{
	return (_Atomic uint64_t *)((uint8_t *)(b + 1) + (size_t)way * words * 8);
}

/* ------------------------------------------------------------------------------------------ */
/* Bucket engine                                                                              */

/*
 * Seqlock read of the entry of key k: copies its words into w and returns its way, -1 when the
 * bucket does not hold k, -2 when no consistent copy was obtained (busy). *ev gets the
 * bucket's eviction mark.
 */
static int
bucket_read(struct sw_state_bucket *b, unsigned words, const struct sw_state_key *k, uint64_t *w,
	    uint64_t *ev)
{
	uint16_t tag = key_tag(k->hash);

	for (int t = 0; t < SW_STATE_READ_TRIES; t++) {
		uint64_t s1 = atomic_load_explicit(&b->seq, ACQUIRE);
		int found = -1;

		if (s1 & 1) {
			cpu_relax();
			continue;
		}
		for (unsigned i = 0; i < SW_STATE_WAYS; i++) {
			_Atomic uint64_t *e;

			if (!slot_is(atomic_load_explicit(&b->slot[i], RELAXED), tag))
				continue;
			e = way_words(b, words, i);
			if (atomic_load_explicit(&e[SW_STATE_W_K0], RELAXED) != k->k0 ||
			    atomic_load_explicit(&e[SW_STATE_W_K1], RELAXED) != k->k1)
				continue;
			for (unsigned j = 0; j < words; j++)
				w[j] = atomic_load_explicit(&e[j], RELAXED);
			found = (int)i;
			break;
		}
		*ev = atomic_load_explicit(&b->evicted_until, RELAXED);
		atomic_thread_fence(ACQUIRE);
		if (atomic_load_explicit(&b->seq, RELAXED) == s1)
			return found;
	}
	return -2;
}

/* Take the bucket's writer lock; false after SW_STATE_LOCK_SPINS attempts. *seq gets the odd
 * sequence to pass to bucket_unlock. */
static bool
bucket_lock(struct sw_state_bucket *b, uint64_t *seq)
{
	for (int i = 0; i < SW_STATE_LOCK_SPINS; i++) {
		uint64_t s = atomic_load_explicit(&b->seq, RELAXED);

		if (!(s & 1) && atomic_compare_exchange_weak_explicit(&b->seq, &s, s + 1, ACQUIRE,
								      RELAXED)) {
			/* Orders the odd sequence before the data stores that follow, as seen by
			 * a reader's acquire fence. */
			atomic_thread_fence(RELEASE);
			*seq = s + 1;
			return true;
		}
		cpu_relax();
	}
	return false;
}

static inline void
bucket_unlock(struct sw_state_bucket *b, uint64_t seq)
{
	atomic_store_explicit(&b->seq, seq + 1, RELEASE);
}

static int
bucket_find_locked(struct sw_state_bucket *b, unsigned words, const struct sw_state_key *k)
{
	uint16_t tag = key_tag(k->hash);

	for (unsigned i = 0; i < SW_STATE_WAYS; i++) {
		_Atomic uint64_t *e;

		if (!slot_is(atomic_load_explicit(&b->slot[i], RELAXED), tag))
			continue;
		e = way_words(b, words, i);
		if (atomic_load_explicit(&e[SW_STATE_W_K0], RELAXED) == k->k0 &&
		    atomic_load_explicit(&e[SW_STATE_W_K1], RELAXED) == k->k1)
			return (int)i;
	}
	return -1;
}

static void
entry_load(struct sw_state_bucket *b, unsigned words, unsigned way, uint64_t *w)
{
	_Atomic uint64_t *e = way_words(b, words, way);

	for (unsigned j = 0; j < words; j++)
		w[j] = atomic_load_explicit(&e[j], RELAXED);
}

/* Seconds, rounded up, saturated: a header expiry is never earlier than the entry's. */
static inline uint32_t
exp_seconds(uint64_t ns)
{
	uint64_t sec = ns / SW_STATE_NS_PER_S + (ns % SW_STATE_NS_PER_S != 0);

	return sec > UINT32_MAX ? UINT32_MAX : (uint32_t)sec;
}

static void
entry_store(struct sw_state_bucket *b, unsigned words, unsigned way, uint16_t tag, unsigned cls,
	    const uint64_t *w)
{
	_Atomic uint64_t *e = way_words(b, words, way);

	for (unsigned j = 0; j < words; j++)
		atomic_store_explicit(&e[j], w[j], RELAXED);
	atomic_store_explicit(&b->exp_s[way], exp_seconds(w[SW_STATE_W_EXP]), RELAXED);
	atomic_store_explicit(&b->slot[way], (uint16_t)(tag << 2 | cls), RELAXED);
}

/*
 * Eviction rank of an entry: lower goes first. Free 0, expired 1, closed dialogue 2, dialogue
 * sent from outside 3, everything else (dialogues sent from inside, SMS results, locations) 4.
 * An insert never evicts an entry of a higher rank than its own, so a flood of Begins from
 * outside cannot push out the dialogues the unsolicited condition needs.
 */
enum { RANK_FREE, RANK_EXPIRED, RANK_CLOSED, RANK_OUTSIDE, RANK_LIVE };

static unsigned
entry_class(unsigned table, const uint64_t *w)
{
	if (table == SW_STATE_T_DIALOGUE) {
		if (w[SW_STATE_DW_FLAGS] & SW_STATE_DF_CLOSED)
			return SW_STATE_CLASS_CLOSED;
		if (!(w[SW_STATE_DW_FLAGS] & SW_STATE_DF_INSIDE))
			return SW_STATE_CLASS_OUTSIDE;
	}
	return SW_STATE_CLASS_LIVE;
}

static unsigned
class_rank(unsigned cls)
{
	return cls == SW_STATE_CLASS_CLOSED ? RANK_CLOSED
	       : cls == SW_STATE_CLASS_OUTSIDE ? RANK_OUTSIDE
					       : RANK_LIVE;
}

static unsigned
entry_rank(unsigned table, const uint64_t *w, uint64_t now)
{
	if (w[SW_STATE_W_EXP] <= now)
		return RANK_EXPIRED;
	return class_rank(entry_class(table, w));
}

/* The best way of bucket b for a new entry, from the bucket header alone: a free one (*free
 * counts them), else the lowest rank, soonest expiry (whole seconds). */
struct victim {
	int way;
	unsigned rank, free;
	uint64_t exp_s;
};

static struct victim
bucket_victim(struct sw_state_bucket *b, uint64_t now)
{
	struct victim v = {.way = -1, .rank = ~0u};
	uint64_t now_s = now / SW_STATE_NS_PER_S;

	for (unsigned i = 0; i < SW_STATE_WAYS; i++) {
		uint16_t slot = atomic_load_explicit(&b->slot[i], RELAXED);
		uint64_t e;
		unsigned r;

		if (slot == 0) {
			if (v.free++ == 0) {
				v.way = (int)i;
				v.rank = RANK_FREE;
				v.exp_s = 0;
			}
			continue;
		}
		if (v.free > 0)
			continue;
		e = atomic_load_explicit(&b->exp_s[i], RELAXED);
		/* Rounded up: expired by the header only once surely expired. */
		r = e <= now_s ? RANK_EXPIRED : class_rank(slot & 3);
		if (v.way < 0 || r < v.rank || (r == v.rank && e < v.exp_s)) {
			v.way = (int)i;
			v.rank = r;
			v.exp_s = e;
		}
	}
	return v;
}

/* Lock the key's buckets (in address order, so two writers never wait on each other in a
 * cycle; the bounded spins would end it anyway). */
static bool
pair_lock(struct sw_state_bucket *b[2], unsigned n, uint64_t seq[2])
{
	unsigned first = n == 2 && b[1] < b[0] ? 1 : 0;

	if (!bucket_lock(b[first], &seq[first]))
		return false;
	if (n == 2 && !bucket_lock(b[1 - first], &seq[1 - first])) {
		bucket_unlock(b[first], seq[first]);
		return false;
	}
	return true;
}

static void
pair_unlock(struct sw_state_bucket *b[2], unsigned n, const uint64_t seq[2])
{
	for (unsigned i = 0; i < n; i++)
		bucket_unlock(b[i], seq[i]);
}

/*
 * A write decides, under the bucket lock, from the current entry (NULL: none, or expired) what
 * the entry becomes: returns 1 with out[] filled (and *delta, the record peers apply), 0 for no
 * change, or a negative errno.
 */
typedef int (*merge_fn)(const uint64_t *cur, uint64_t now, const void *arg, uint64_t *out,
			struct sw_state_delta *delta);

/*
 * Locked read-merge-write of key k. Counts inserts/updates, pushes the delta to ctx->ring when
 * push is set. Returns 1 changed, 0 unchanged, or -errno.
 */
static int
table_write(struct sw_state_ctx *ctx, const struct sw_state_key *k, uint64_t now, merge_fn merge,
	    const void *arg, bool push)
{
	struct sw_state_bucket *b[2];
	unsigned nb = sw_state_buckets(ctx->st, k, b);
	unsigned table = k->table;
	unsigned words = ctx->st->t[table].words;
	struct sw_state_counters *c = &ctx->c[table];
	uint64_t cur[SW_STATE_MAX_WORDS], out[SW_STATE_MAX_WORDS];
	struct sw_state_delta delta = {0};
	struct sw_state_bucket *wb = NULL;
	bool live = false;
	uint64_t seq[2];
	int way = -1, rc;

	if (!pair_lock(b, nb, seq)) {
		SW_STATE_ADD(c->busy, 1);
		return -EBUSY;
	}
	for (unsigned i = 0; i < nb && way < 0; i++) {
		way = bucket_find_locked(b[i], words, k);
		wb = b[i];
	}
	if (way >= 0) {
		entry_load(wb, words, (unsigned)way, cur);
		live = cur[SW_STATE_W_EXP] > now;
	}
	memset(out, 0, sizeof(out));
	rc = merge(live ? cur : NULL, now, arg, out, &delta);
	if (rc <= 0)
		goto unlock;
	out[SW_STATE_W_K0] = k->k0;
	out[SW_STATE_W_K1] = k->k1;
	if (way >= 0 && live) {
		SW_STATE_ADD(c->updates, 1);
	} else {
		if (way >= 0) {
			/* The same key, expired: its way is reused. */
			SW_STATE_ADD(c->expired, 1);
		} else {
			struct victim v = bucket_victim(b[0], now);

			wb = b[0];
			if (nb == 2) {
				struct victim v2 = bucket_victim(b[1], now);

				/* The emptier bucket, else the lower rank, else the sooner expiry. */
				if (v2.free > v.free ||
				    (v.free == 0 && v2.free == 0 &&
				     (v2.rank < v.rank ||
				      (v2.rank == v.rank && v2.exp_s < v.exp_s)))) {
					v = v2;
					wb = b[1];
				}
			}
			if (v.rank > entry_rank(table, out, now)) {
				SW_STATE_ADD(c->full, 1);
				rc = -ENOSPC;
				goto unlock;
			}
			if (v.rank == RANK_EXPIRED) {
				SW_STATE_ADD(c->expired, 1);
			} else if (v.rank >= RANK_OUTSIDE) {
				uint64_t vexp = atomic_load_explicit(
					&way_words(wb, words, (unsigned)v.way)[SW_STATE_W_EXP], RELAXED);

				SW_STATE_ADD(c->evictions, 1);
				if (v.rank == RANK_LIVE &&
				    atomic_load_explicit(&wb->evicted_until, RELAXED) < vexp)
					atomic_store_explicit(&wb->evicted_until, vexp, RELAXED);
			}
			way = v.way;
		}
		SW_STATE_ADD(c->inserts, 1);
	}
	entry_store(wb, words, (unsigned)way, key_tag(k->hash), entry_class(table, out), out);
unlock:
	pair_unlock(b, nb, seq);
	if (rc > 0 && push && ctx->ring != NULL) {
		delta.version = SW_STATE_LAYOUT_VERSION;
		delta.k0 = k->k0;
		delta.k1 = k->k1;
		if (sw_state_ring_push(ctx->ring, &delta))
			SW_STATE_ADD(c->deltas, 1);
		else
			SW_STATE_ADD(c->deltas_lost, 1);
	}
	return rc;
}

/*
 * Lookup: copies the entry of k into w. Returns SW_STATE_WHY_NONE when present and not
 * expired (closed dialogues are the caller's to judge), else why not. Counts lookups and
 * the miss reasons; hits are counted by the caller, which knows what a hit is.
 */
static enum sw_state_why
table_read(struct sw_state_ctx *ctx, const struct sw_state_key *k, uint64_t now, uint64_t *w)
{
	struct sw_state_counters *c = &ctx->c[k->table];
	uint64_t ev = 0;
	int way;

	struct sw_state_bucket *b[2];
	unsigned nb = sw_state_buckets(ctx->st, k, b);
	bool busy = false;

	SW_STATE_ADD(c->lookups, 1);
	way = -1;
	for (unsigned i = 0; i < nb && way < 0; i++) {
		uint64_t bev = 0;

		way = bucket_read(b[i], ctx->st->t[k->table].words, k, w, &bev);
		if (way == -2) {
			busy = true;
			way = -1;
		}
		if (bev > ev)
			ev = bev;
	}
	if (way < 0 && busy) {
		SW_STATE_ADD(c->busy, 1);
		return SW_STATE_WHY_BUSY;
	}
	if (way >= 0 && w[SW_STATE_W_EXP] > now)
		return SW_STATE_WHY_NONE;
	if (way >= 0) {
		SW_STATE_ADD(c->miss_expired, 1);
		return SW_STATE_WHY_EXPIRED;
	}
	if (ev > now) {
		SW_STATE_ADD(c->miss_evicted, 1);
		return SW_STATE_WHY_EVICTED;
	}
	return SW_STATE_WHY_UNKNOWN;
}

/* ------------------------------------------------------------------------------------------ */
/* Dialogues                                                                                  */

static uint64_t
pending_net(const struct sw_state_pending *p)
{
	return (uint64_t)p->partner | (uint64_t)p->country << 32 | (uint64_t)p->kind << 48;
}

static void
dialogue_to_delta(const uint64_t *w, struct sw_state_delta *d)
{
	memset(d, 0, sizeof(*d));
	d->op = SW_STATE_OP_DIALOGUE;
	d->flags = (uint32_t)w[SW_STATE_DW_FLAGS];
	d->time = w[SW_STATE_DW_OPENED];
	d->expiry = w[SW_STATE_W_EXP];
	d->w[0] = w[SW_STATE_DW_P_IMSI];
	d->w[1] = w[SW_STATE_DW_P_VLR];
	d->w[2] = w[SW_STATE_DW_P_NET];
}

static void
dialogue_from_delta(const struct sw_state_delta *d, uint64_t *w)
{
	w[SW_STATE_W_EXP] = d->expiry;
	w[SW_STATE_DW_OPENED] = d->time;
	w[SW_STATE_DW_FLAGS] = d->flags & (SW_STATE_DF_INSIDE | SW_STATE_DF_CLOSED);
	w[SW_STATE_DW_P_IMSI] = d->w[0];
	w[SW_STATE_DW_P_VLR] = d->w[1];
	w[SW_STATE_DW_P_NET] = d->w[2];
}

/* Lexicographic "greater" of the pending payloads, so that the merge of two different ones for
 * the same dialogue is the same on every member whatever the order. */
static bool
pending_greater(const uint64_t *a, const uint64_t *b)
{
	for (unsigned i = SW_STATE_DW_P_IMSI; i <= SW_STATE_DW_P_NET; i++)
		if (a[i] != b[i])
			return a[i] > b[i];
	return false;
}

/*
 * The dialogue merge (README.md "Replication"): of two states of one key, the one sent from
 * inside wins over one sent from outside, then the later opened time wins; two states of the
 * same dialogue (same inside-ness and opened time) join: flags OR (closed stays closed), the
 * later expiry, the greater pending payload. A join is commutative, associative and
 * idempotent, so members converge whatever order deltas arrive in.
 */
static int
dialogue_merge(const uint64_t *cur, const uint64_t *nw, uint64_t *out)
{
	uint64_t ci, ni;

	if (cur == NULL) {
		memcpy(out, nw, SW_STATE_DIALOGUE_WORDS * 8);
		return 1;
	}
	ci = cur[SW_STATE_DW_FLAGS] & SW_STATE_DF_INSIDE;
	ni = nw[SW_STATE_DW_FLAGS] & SW_STATE_DF_INSIDE;
	if (ni != ci || nw[SW_STATE_DW_OPENED] != cur[SW_STATE_DW_OPENED]) {
		if (ni < ci || (ni == ci && nw[SW_STATE_DW_OPENED] < cur[SW_STATE_DW_OPENED]))
			return 0;
		memcpy(out, nw, SW_STATE_DIALOGUE_WORDS * 8);
		return 1;
	}
	memcpy(out, cur, SW_STATE_DIALOGUE_WORDS * 8);
	out[SW_STATE_DW_FLAGS] |= nw[SW_STATE_DW_FLAGS];
	if (nw[SW_STATE_W_EXP] > out[SW_STATE_W_EXP])
		out[SW_STATE_W_EXP] = nw[SW_STATE_W_EXP];
	if (pending_greater(nw, cur)) {
		out[SW_STATE_DW_P_IMSI] = nw[SW_STATE_DW_P_IMSI];
		out[SW_STATE_DW_P_VLR] = nw[SW_STATE_DW_P_VLR];
		out[SW_STATE_DW_P_NET] = nw[SW_STATE_DW_P_NET];
	}
	return memcmp(out, cur, SW_STATE_DIALOGUE_WORDS * 8) != 0;
}

struct open_arg {
	bool inside, refresh;
	uint64_t ttl;
	const struct sw_state_pending *pending;
};

static int
merge_open(const uint64_t *cur, uint64_t now, const void *varg, uint64_t *out,
	   struct sw_state_delta *delta)
{
	const struct open_arg *a = varg;
	uint64_t nw[SW_STATE_DIALOGUE_WORDS] = {0};
	int rc;

	if (a->refresh && cur != NULL && !(cur[SW_STATE_DW_FLAGS] & SW_STATE_DF_CLOSED) &&
	    (cur[SW_STATE_DW_FLAGS] & SW_STATE_DF_INSIDE) == (a->inside ? SW_STATE_DF_INSIDE : 0)) {
		/* A Continue of a dialogue we know: push its expiry, but write only when less than
		 * half the timeout is left, so most Continues stay on the read path's cost. */
		if (cur[SW_STATE_W_EXP] > now + a->ttl / 2)
			return 0;
		memcpy(nw, cur, sizeof(nw));
		nw[SW_STATE_W_EXP] = now + a->ttl;
	} else {
		nw[SW_STATE_W_EXP] = now + a->ttl;
		nw[SW_STATE_DW_OPENED] = now;
		nw[SW_STATE_DW_FLAGS] = a->inside ? SW_STATE_DF_INSIDE : 0;
		if (a->pending != NULL && a->pending->imsi != 0) {
			nw[SW_STATE_DW_P_IMSI] = a->pending->imsi;
			nw[SW_STATE_DW_P_VLR] = a->pending->vlr;
			nw[SW_STATE_DW_P_NET] = pending_net(a->pending);
		}
	}
	rc = dialogue_merge(cur, nw, out);
	if (rc > 0)
		dialogue_to_delta(out, delta);
	return rc;
}

int
sw_state_dialogue_open(struct sw_state_ctx *ctx, const struct sw_state_key *k, bool inside,
		       bool refresh, uint64_t now, const struct sw_state_pending *pending)
{
	struct open_arg a = {
		.inside = inside,
		.refresh = refresh,
		.ttl = atomic_load_explicit(&ctx->st->hdr->table[SW_STATE_T_DIALOGUE].ttl_ns,
					    RELAXED),
		.pending = pending,
	};
	int rc = table_write(ctx, k, now, merge_open, &a, true);

	return rc < 0 ? rc : 0;
}

struct close_arg {
	bool require_inside;
	enum sw_state_why why;
};

static int
merge_close(const uint64_t *cur, uint64_t now, const void *varg, uint64_t *out,
	    struct sw_state_delta *delta)
{
	struct close_arg *a = (struct close_arg *)varg;
	uint64_t nw[SW_STATE_DIALOGUE_WORDS];

	(void)now;
	if (cur == NULL) {
		a->why = SW_STATE_WHY_UNKNOWN;
		return -ENOENT;
	}
	if (cur[SW_STATE_DW_FLAGS] & SW_STATE_DF_CLOSED) {
		a->why = SW_STATE_WHY_CLOSED;
		return -ENOENT;
	}
	if (a->require_inside && !(cur[SW_STATE_DW_FLAGS] & SW_STATE_DF_INSIDE)) {
		a->why = SW_STATE_WHY_NOT_INSIDE;
		return -ENOENT;
	}
	memcpy(nw, cur, sizeof(nw));
	nw[SW_STATE_DW_FLAGS] |= SW_STATE_DF_CLOSED;
	dialogue_merge(cur, nw, out);
	dialogue_to_delta(out, delta);
	return 1;
}

int
sw_state_dialogue_close(struct sw_state_ctx *ctx, const struct sw_state_key *k,
			bool require_inside, uint64_t now, enum sw_state_why *why)
{
	struct close_arg a = {.require_inside = require_inside, .why = SW_STATE_WHY_NONE};
	int rc = table_write(ctx, k, now, merge_close, &a, true);

	if (rc == -ENOENT && a.why == SW_STATE_WHY_UNKNOWN) {
		/* Nothing there: tell an eviction from a dialogue nobody began. */
		uint64_t w[SW_STATE_MAX_WORDS];

		a.why = table_read(ctx, k, now, w);
		if (a.why == SW_STATE_WHY_NONE)
			a.why = SW_STATE_WHY_UNKNOWN; /* opened meanwhile: not this End's */
	} else if (rc == -EBUSY) {
		a.why = SW_STATE_WHY_BUSY;
	}
	if (rc > 0)
		SW_STATE_ADD(ctx->c[SW_STATE_T_DIALOGUE].deletes, 1);
	if (why != NULL)
		*why = rc > 0 ? SW_STATE_WHY_NONE : a.why;
	return rc < 0 ? rc : 0;
}

enum sw_state_why
sw_state_dialogue_peek(struct sw_state_ctx *ctx, const struct sw_state_key *k, uint64_t now,
		       struct sw_state_dialogue *out)
{
	uint64_t w[SW_STATE_MAX_WORDS];
	enum sw_state_why why = table_read(ctx, k, now, w);

	if (why != SW_STATE_WHY_NONE)
		return why;
	if (out != NULL) {
		out->gt = w[SW_STATE_W_K0];
		out->tid = (uint32_t)w[SW_STATE_W_K1];
		out->tid_len = (uint8_t)(w[SW_STATE_W_K1] >> 32);
		out->flags = (uint32_t)w[SW_STATE_DW_FLAGS];
		out->opened = w[SW_STATE_DW_OPENED];
		out->expiry = w[SW_STATE_W_EXP];
		out->pending.imsi = w[SW_STATE_DW_P_IMSI];
		out->pending.vlr = w[SW_STATE_DW_P_VLR];
		out->pending.partner = (uint32_t)w[SW_STATE_DW_P_NET];
		out->pending.country = (uint16_t)(w[SW_STATE_DW_P_NET] >> 32);
		out->pending.kind = (uint8_t)(w[SW_STATE_DW_P_NET] >> 48);
	}
	return SW_STATE_WHY_NONE;
}

enum sw_state_why
sw_state_dialogue_get(struct sw_state_ctx *ctx, const struct sw_state_key *k, uint64_t now,
		      struct sw_state_dialogue *out)
{
	struct sw_state_dialogue d;
	enum sw_state_why why = sw_state_dialogue_peek(ctx, k, now, &d);

	if (why != SW_STATE_WHY_NONE)
		return why;
	if (d.flags & SW_STATE_DF_CLOSED) {
		SW_STATE_ADD(ctx->c[SW_STATE_T_DIALOGUE].miss_closed, 1);
		return SW_STATE_WHY_CLOSED;
	}
	SW_STATE_ADD(ctx->c[SW_STATE_T_DIALOGUE].hits, 1);
	if (out != NULL)
		*out = d;
	return SW_STATE_WHY_NONE;
}

/* ------------------------------------------------------------------------------------------ */
/* SMS correlation                                                                            */

#define SMS_GT(i) (SW_STATE_SW_RESULT + 3 * (i))
#define SMS_TIME(i) (SW_STATE_SW_RESULT + 3 * (i) + 1)
#define SMS_PARTNER(i) (SW_STATE_SW_RESULT + 3 * (i) + 2)

/* Result order: newer first, then the greater GT; an empty slot has time 0. */
static bool
sms_before(uint64_t t1, uint64_t g1, uint64_t t2, uint64_t g2)
{
	return t1 > t2 || (t1 == t2 && g1 > g2);
}

/*
 * The SMS merge: the entry keeps the SW_STATE_SMS_RESULTS first results of the union of its
 * results and the delta's in that order (the same result, GT and time, once, with the greater
 * partner), and the later expiry: a join, order-independent.
 */
static int
merge_sms(const uint64_t *cur, uint64_t now, const void *varg, uint64_t *out,
	  struct sw_state_delta *delta)
{
	const struct sw_state_delta *d = varg;
	uint64_t gt = d->w[0], t = d->time, partner = d->w[1];
	unsigned n = 0;
	bool placed = false;

	(void)now;
	memset(out, 0, SW_STATE_SMS_WORDS * 8);
	out[SW_STATE_W_EXP] = d->expiry;
	if (cur != NULL) {
		if (cur[SW_STATE_W_EXP] > out[SW_STATE_W_EXP])
			out[SW_STATE_W_EXP] = cur[SW_STATE_W_EXP];
		for (unsigned i = 0; i < SW_STATE_SMS_RESULTS && n < SW_STATE_SMS_RESULTS; i++) {
			uint64_t cg = cur[SMS_GT(i)], ct = cur[SMS_TIME(i)];

			if (ct == 0)
				break;
			if (!placed && ct == t && cg == gt) {
				out[SMS_GT(n)] = cg;
				out[SMS_TIME(n)] = ct;
				out[SMS_PARTNER(n)] =
					cur[SMS_PARTNER(i)] > partner ? cur[SMS_PARTNER(i)] : partner;
				n++;
				placed = true;
				continue;
			}
			if (!placed && sms_before(t, gt, ct, cg)) {
				out[SMS_GT(n)] = gt;
				out[SMS_TIME(n)] = t;
				out[SMS_PARTNER(n)] = partner;
				n++;
				placed = true;
				if (n == SW_STATE_SMS_RESULTS)
					break;
			}
			out[SMS_GT(n)] = cg;
			out[SMS_TIME(n)] = ct;
			out[SMS_PARTNER(n)] = cur[SMS_PARTNER(i)];
			n++;
		}
	}
	if (!placed && n < SW_STATE_SMS_RESULTS) {
		out[SMS_GT(n)] = gt;
		out[SMS_TIME(n)] = t;
		out[SMS_PARTNER(n)] = partner;
	}
	if (delta != NULL)
		*delta = *d;
	if (cur == NULL)
		return 1;
	for (unsigned j = SW_STATE_W_EXP; j < SW_STATE_SMS_WORDS; j++)
		if (out[j] != cur[j])
			return 1;
	return 0;
}

int
sw_state_sms_record(struct sw_state_ctx *ctx, const struct sw_state_key *k, uint64_t gt,
		    uint32_t partner, uint64_t now)
{
	uint64_t ttl = atomic_load_explicit(&ctx->st->hdr->table[SW_STATE_T_SMS].ttl_ns, RELAXED);
	struct sw_state_delta d = {
		.op = SW_STATE_OP_SMS,
		.time = now,
		.expiry = now + ttl,
		.w = {gt, partner, 0},
	};
	int rc;

	if (now == 0)
		return -EINVAL; /* time 0 marks an empty result slot */
	rc = table_write(ctx, k, now, merge_sms, &d, true);
	return rc < 0 ? rc : 0;
}

unsigned
sw_state_sms_get(struct sw_state_ctx *ctx, const struct sw_state_key *k, uint64_t now,
		 struct sw_state_sms_result out[SW_STATE_SMS_RESULTS], enum sw_state_why *why)
{
	uint64_t w[SW_STATE_MAX_WORDS];
	uint64_t window = atomic_load_explicit(&ctx->st->hdr->table[SW_STATE_T_SMS].ttl_ns,
					       RELAXED);
	enum sw_state_why y = table_read(ctx, k, now, w);
	unsigned n = 0;

	if (y == SW_STATE_WHY_NONE) {
		for (unsigned i = 0; i < SW_STATE_SMS_RESULTS; i++) {
			uint64_t t = w[SMS_TIME(i)];

			/* In the window while now < t + window, as every expiry. Results from a worker
			 * whose clock runs slightly ahead (t > now) count. */
			if (t == 0 || (t <= now && now - t >= window))
				continue;
			out[n].gt = w[SMS_GT(i)];
			out[n].time = t;
			out[n].partner = (uint32_t)w[SMS_PARTNER(i)];
			n++;
		}
		if (n == 0) {
			SW_STATE_ADD(ctx->c[SW_STATE_T_SMS].miss_expired, 1);
			y = SW_STATE_WHY_EXPIRED;
		} else {
			SW_STATE_ADD(ctx->c[SW_STATE_T_SMS].hits, 1);
		}
	}
	if (why != NULL)
		*why = y;
	return n;
}

/* ------------------------------------------------------------------------------------------ */
/* Subscriber location                                                                        */

/* Location merge: the later recorded time wins; equal times pick the greater payload; the later
 * expiry is kept. */
static int
merge_location(const uint64_t *cur, uint64_t now, const void *varg, uint64_t *out,
	       struct sw_state_delta *delta)
{
	const struct sw_state_delta *d = varg;
	uint64_t nw[SW_STATE_LOCATION_WORDS] = {0};

	(void)now;
	nw[SW_STATE_W_EXP] = d->expiry;
	nw[SW_STATE_LW_TIME] = d->time;
	nw[SW_STATE_LW_NET] = d->w[0];
	nw[SW_STATE_LW_VLR] = d->w[1];
	nw[SW_STATE_LW_CG] = d->w[2];
	if (delta != NULL)
		*delta = *d;
	if (cur == NULL) {
		memcpy(out, nw, sizeof(nw));
		return 1;
	}
	if (nw[SW_STATE_LW_TIME] < cur[SW_STATE_LW_TIME])
		return 0;
	if (nw[SW_STATE_LW_TIME] == cur[SW_STATE_LW_TIME]) {
		bool greater = false;

		for (unsigned j = SW_STATE_LW_NET; j <= SW_STATE_LW_CG; j++)
			if (nw[j] != cur[j]) {
				greater = nw[j] > cur[j];
				break;
			}
		if (!greater)
			memcpy(&nw[SW_STATE_LW_NET], &cur[SW_STATE_LW_NET], 3 * 8);
		if (cur[SW_STATE_W_EXP] > nw[SW_STATE_W_EXP])
			nw[SW_STATE_W_EXP] = cur[SW_STATE_W_EXP];
	}
	memcpy(out, nw, sizeof(nw));
	for (unsigned j = SW_STATE_W_EXP; j < SW_STATE_LOCATION_WORDS; j++)
		if (out[j] != cur[j])
			return 1;
	return 0;
}

int
sw_state_location_record(struct sw_state_ctx *ctx, const struct sw_state_key *k,
			 uint32_t partner, uint16_t country, uint64_t vlr, uint64_t cg,
			 uint8_t kind, uint64_t now)
{
	uint64_t ttl =
		atomic_load_explicit(&ctx->st->hdr->table[SW_STATE_T_LOCATION].ttl_ns, RELAXED);
	struct sw_state_pending p = {.partner = partner, .country = country, .kind = kind};
	struct sw_state_delta d = {
		.op = SW_STATE_OP_LOCATION,
		.time = now,
		.expiry = now + ttl,
		.w = {pending_net(&p), vlr, cg},
	};
	int rc = table_write(ctx, k, now, merge_location, &d, true);

	return rc < 0 ? rc : 0;
}

enum sw_state_why
sw_state_location_get(struct sw_state_ctx *ctx, const struct sw_state_key *k, uint64_t now,
		      struct sw_state_location *out)
{
	uint64_t w[SW_STATE_MAX_WORDS];
	enum sw_state_why why = table_read(ctx, k, now, w);

	if (why != SW_STATE_WHY_NONE)
		return why;
	SW_STATE_ADD(ctx->c[SW_STATE_T_LOCATION].hits, 1);
	if (out != NULL) {
		out->imsi = w[SW_STATE_W_K0];
		out->time = w[SW_STATE_LW_TIME];
		out->expiry = w[SW_STATE_W_EXP];
		out->partner = (uint32_t)w[SW_STATE_LW_NET];
		out->country = (uint16_t)(w[SW_STATE_LW_NET] >> 32);
		out->kind = (uint8_t)(w[SW_STATE_LW_NET] >> 48);
		out->vlr = w[SW_STATE_LW_VLR];
		out->cg = w[SW_STATE_LW_CG];
	}
	return SW_STATE_WHY_NONE;
}

/* ------------------------------------------------------------------------------------------ */
/* Deltas                                                                                     */

static int
merge_apply_dialogue(const uint64_t *cur, uint64_t now, const void *varg, uint64_t *out,
		     struct sw_state_delta *delta)
{
	uint64_t nw[SW_STATE_DIALOGUE_WORDS] = {0};

	(void)now;
	(void)delta;
	dialogue_from_delta(varg, nw);
	return dialogue_merge(cur, nw, out);
}

int
sw_state_apply(struct sw_state_ctx *ctx, const struct sw_state_delta *d, uint64_t now)
{
	struct sw_state_key k;
	merge_fn merge;
	enum sw_state_table t;
	int rc;

	if (d->version != SW_STATE_LAYOUT_VERSION)
		return -EINVAL;
	switch (d->op) {
	case SW_STATE_OP_DIALOGUE:
		t = SW_STATE_T_DIALOGUE;
		merge = merge_apply_dialogue;
		break;
	case SW_STATE_OP_SMS:
		t = SW_STATE_T_SMS;
		merge = merge_sms;
		if (d->time == 0 || d->k1 != 0)
			return -EINVAL;
		break;
	case SW_STATE_OP_LOCATION:
		t = SW_STATE_T_LOCATION;
		merge = merge_location;
		if (d->k1 != 0)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (d->expiry <= now) {
		SW_STATE_ADD(ctx->c[t].apply_stale, 1);
		return 0;
	}
	if (t == SW_STATE_T_DIALOGUE)
		sw_state_key_dialogue(ctx->st, &k, (uint32_t)d->k1, (uint8_t)(d->k1 >> 32), d->k0);
	else
		sw_state_key_imsi(ctx->st, &k, t, d->k0);
	rc = table_write(ctx, &k, now, merge, d, false);
	if (rc > 0)
		SW_STATE_ADD(ctx->c[t].applied, 1);
	else if (rc == 0)
		SW_STATE_ADD(ctx->c[t].apply_stale, 1);
	return rc < 0 ? rc : rc > 0;
}

uint64_t
sw_state_dump(const struct sw_state *st, enum sw_state_table t, uint64_t now, bool tombstones,
	      int (*cb)(const struct sw_state_delta *d, void *arg), void *arg)
{
	const struct sw_state_tab *tab = &st->t[t];
	uint64_t window = atomic_load_explicit(&st->hdr->table[t].ttl_ns, RELAXED);
	uint64_t n = 0;

	for (uint64_t bi = 0; bi <= tab->mask; bi++) {
		struct sw_state_bucket *b =
			(struct sw_state_bucket *)(tab->buckets + bi * tab->bucket_size);
		uint64_t w[SW_STATE_WAYS][SW_STATE_MAX_WORDS];
		uint16_t tags[SW_STATE_WAYS];
		bool ok = false;

		for (int tries = 0; tries < SW_STATE_READ_TRIES && !ok; tries++) {
			uint64_t s1 = atomic_load_explicit(&b->seq, ACQUIRE);

			if (s1 & 1) {
				cpu_relax();
				continue;
			}
			for (unsigned i = 0; i < SW_STATE_WAYS; i++) {
				tags[i] = atomic_load_explicit(&b->slot[i], RELAXED);
				if (tags[i] != 0)
					for (unsigned j = 0; j < tab->words; j++)
						w[i][j] = atomic_load_explicit(
							&way_words(b, tab->words, i)[j], RELAXED);
			}
			atomic_thread_fence(ACQUIRE);
			ok = atomic_load_explicit(&b->seq, RELAXED) == s1;
		}
		if (!ok)
			continue;
		for (unsigned i = 0; i < SW_STATE_WAYS; i++) {
			struct sw_state_delta d;

			if (tags[i] == 0 || w[i][SW_STATE_W_EXP] <= now)
				continue;
			memset(&d, 0, sizeof(d));
			d.version = SW_STATE_LAYOUT_VERSION;
			d.k0 = w[i][SW_STATE_W_K0];
			d.k1 = w[i][SW_STATE_W_K1];
			if (t == SW_STATE_T_DIALOGUE) {
				uint64_t k0 = d.k0, k1 = d.k1;

				if (!tombstones && (w[i][SW_STATE_DW_FLAGS] & SW_STATE_DF_CLOSED))
					continue;
				dialogue_to_delta(w[i], &d);
				d.version = SW_STATE_LAYOUT_VERSION;
				d.k0 = k0;
				d.k1 = k1;
			} else if (t == SW_STATE_T_SMS) {
				for (unsigned r = 0; r < SW_STATE_SMS_RESULTS; r++) {
					uint64_t rt = w[i][SMS_TIME(r)];

					if (rt == 0 || rt + window <= now)
						continue;
					d.op = SW_STATE_OP_SMS;
					d.time = rt;
					d.expiry = rt + window;
					d.w[0] = w[i][SMS_GT(r)];
					d.w[1] = w[i][SMS_PARTNER(r)];
					d.w[2] = 0;
					n++;
					if (cb != NULL && cb(&d, arg) != 0)
						return n;
				}
				continue;
			} else {
				d.op = SW_STATE_OP_LOCATION;
				d.time = w[i][SW_STATE_LW_TIME];
				d.expiry = w[i][SW_STATE_W_EXP];
				d.w[0] = w[i][SW_STATE_LW_NET];
				d.w[1] = w[i][SW_STATE_LW_VLR];
				d.w[2] = w[i][SW_STATE_LW_CG];
			}
			n++;
			if (cb != NULL && cb(&d, arg) != 0)
				return n;
		}
	}
	return n;
}

uint64_t
sw_state_count(const struct sw_state *st, enum sw_state_table t, uint64_t now)
{
	const struct sw_state_tab *tab = &st->t[t];
	uint64_t n = 0;

	for (uint64_t bi = 0; bi <= tab->mask; bi++) {
		struct sw_state_bucket *b =
			(struct sw_state_bucket *)(tab->buckets + bi * tab->bucket_size);

		for (unsigned i = 0; i < SW_STATE_WAYS; i++)
			if (atomic_load_explicit(&b->slot[i], RELAXED) != 0 &&
			    atomic_load_explicit(&way_words(b, tab->words, i)[SW_STATE_W_EXP],
						 RELAXED) > now)
				n++;
	}
	return n;
}

/* ------------------------------------------------------------------------------------------ */
/* Ring                                                                                       */

size_t
sw_state_ring_bytes(uint32_t size)
{
	return sizeof(struct sw_state_ring) + (size_t)size * sizeof(struct sw_state_delta);
}

struct sw_state_ring *
sw_state_ring_init(void *mem, uint32_t size)
{
	struct sw_state_ring *r = mem;

	if (mem == NULL || size < 2 || (size & (size - 1)) != 0 ||
	    ((uintptr_t)mem % SW_STATE_CACHE_LINE) != 0)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->size = size;
	r->mask = size - 1;
	return r;
}

bool
sw_state_ring_push(struct sw_state_ring *r, const struct sw_state_delta *d)
{
	uint64_t head = atomic_load_explicit(&r->head, RELAXED);
	uint64_t tail = atomic_load_explicit(&r->tail, ACQUIRE);

	if (head - tail >= r->size) {
		SW_STATE_ADD(r->lost, 1);
		return false;
	}
	r->rec[head & r->mask] = *d;
	atomic_store_explicit(&r->head, head + 1, RELEASE);
	return true;
}

unsigned
sw_state_ring_pop(struct sw_state_ring *r, struct sw_state_delta *out, unsigned max)
{
	uint64_t tail = atomic_load_explicit(&r->tail, RELAXED);
	uint64_t head = atomic_load_explicit(&r->head, ACQUIRE);
	unsigned n = 0;

	while (tail != head && n < max)
		out[n++] = r->rec[tail++ & r->mask];
	atomic_store_explicit(&r->tail, tail, RELEASE);
	return n;
}

/* ------------------------------------------------------------------------------------------ */
/* Objects                                                                                    */

struct geometry {
	uint64_t nbuckets[SW_STATE_NTABLES];
	uint64_t ttl[SW_STATE_NTABLES];
	uint32_t max_workers;
	uint64_t counters_off, size;
	uint64_t offset[SW_STATE_NTABLES];
};

static uint64_t
buckets_for(uint32_t entries, uint32_t dflt)
{
	uint64_t want = entries != 0 ? entries : dflt;
	uint64_t n = 1;

	if (want > SW_STATE_MAX_ENTRIES)
		want = SW_STATE_MAX_ENTRIES;
	while (n * SW_STATE_WAYS < want)
		n <<= 1;
	return n;
}

static void
geometry(const struct sw_state_config *cfg, struct geometry *g)
{
	static const struct sw_state_config zero;
	uint64_t off;

	if (cfg == NULL)
		cfg = &zero;
	g->nbuckets[SW_STATE_T_DIALOGUE] = buckets_for(cfg->dialogues, SW_STATE_DEFAULT_DIALOGUES);
	g->nbuckets[SW_STATE_T_SMS] = buckets_for(cfg->sms, SW_STATE_DEFAULT_SMS);
	g->nbuckets[SW_STATE_T_LOCATION] =
		buckets_for(cfg->subscribers, SW_STATE_DEFAULT_SUBSCRIBERS);
	g->ttl[SW_STATE_T_DIALOGUE] =
		cfg->dialogue_ttl_ns != 0 ? cfg->dialogue_ttl_ns : SW_STATE_DEFAULT_DIALOGUE_TTL;
	g->ttl[SW_STATE_T_SMS] =
		cfg->sms_window_ns != 0 ? cfg->sms_window_ns : SW_STATE_DEFAULT_SMS_WINDOW;
	g->ttl[SW_STATE_T_LOCATION] =
		cfg->location_age_ns != 0 ? cfg->location_age_ns : SW_STATE_DEFAULT_LOCATION_AGE;
	g->max_workers = cfg->max_workers != 0 && cfg->max_workers <= SW_STATE_MAX_WORKERS
				 ? cfg->max_workers
				 : SW_STATE_MAX_WORKERS;
	g->counters_off = SW_STATE_PAGE;
	off = round_up(g->counters_off + (uint64_t)g->max_workers * SW_STATE_NTABLES *
						 sizeof(struct sw_state_counters),
		       SW_STATE_PAGE);
	for (unsigned t = 0; t < SW_STATE_NTABLES; t++) {
		g->offset[t] = off;
		off = round_up(off + g->nbuckets[t] * (sizeof(struct sw_state_bucket) +
						       SW_STATE_WAYS * table_words[t] * 8ull),
			       SW_STATE_PAGE);
	}
	g->size = off;
}

uint64_t
sw_state_size(const struct sw_state_config *cfg)
{
	struct geometry g;

	geometry(cfg, &g);
	return g.size;
}

uint64_t
sw_state_capacity(const struct sw_state *st, enum sw_state_table t)
{
	return (st->t[t].mask + 1) * SW_STATE_WAYS;
}

static void
init_header(struct sw_state_hdr *h, const struct geometry *g)
{
	uint64_t key[2] = {0, 0};
	struct timespec ts;

	/* getrandom never fails for 16 bytes once the pool is initialised; fall back to the
	 * clock and the address (still per-creation, just not secret) rather than refuse. */
	if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		key[0] = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)h;
		key[1] = (uint64_t)ts.tv_sec ^ (uint64_t)getpid() << 32;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	h->version = SW_STATE_LAYOUT_VERSION;
	h->hdr_size = sizeof(*h);
	h->region_size = g->size;
	h->hash_key[0] = key[0];
	h->hash_key[1] = key[1];
	h->created_ns = (uint64_t)ts.tv_sec * SW_STATE_NS_PER_S + (uint64_t)ts.tv_nsec;
	h->max_workers = g->max_workers;
	h->ntables = SW_STATE_NTABLES;
	h->counters_off = g->counters_off;
	for (unsigned t = 0; t < SW_STATE_NTABLES; t++) {
		h->table[t].offset = g->offset[t];
		h->table[t].nbuckets = g->nbuckets[t];
		h->table[t].bucket_size =
			sizeof(struct sw_state_bucket) + SW_STATE_WAYS * table_words[t] * 8ull;
		h->table[t].ways = SW_STATE_WAYS;
		h->table[t].entry_words = table_words[t];
		atomic_store_explicit(&h->table[t].ttl_ns, g->ttl[t], RELAXED);
	}
	atomic_store_explicit(&h->magic, SW_STATE_MAGIC, RELEASE);
}

/* A header this build can use, for an object of len bytes. */
static bool
header_valid(const struct sw_state_hdr *h, size_t len)
{
	if (len < sizeof(*h) || atomic_load_explicit(&h->magic, ACQUIRE) != SW_STATE_MAGIC)
		return false;
	if (h->version != SW_STATE_LAYOUT_VERSION || h->hdr_size != sizeof(*h) ||
	    h->ntables != SW_STATE_NTABLES || h->region_size != len)
		return false;
	if (h->max_workers == 0 || h->max_workers > SW_STATE_MAX_WORKERS ||
	    h->counters_off != SW_STATE_PAGE)
		return false;
	for (unsigned t = 0; t < SW_STATE_NTABLES; t++) {
		const struct sw_state_table_desc *d = &h->table[t];

		if (d->ways != SW_STATE_WAYS || d->entry_words != table_words[t] ||
		    d->nbuckets == 0 || (d->nbuckets & (d->nbuckets - 1)) != 0 ||
		    d->bucket_size != sizeof(struct sw_state_bucket) + SW_STATE_WAYS *
									 table_words[t] * 8ull ||
		    d->offset % SW_STATE_PAGE != 0 || d->offset > len ||
		    d->nbuckets > (len - d->offset) / d->bucket_size)
			return false;
	}
	return true;
}

static bool
geometry_equal(const struct sw_state_hdr *h, const struct geometry *g)
{
	if (h->max_workers != g->max_workers || h->region_size != g->size)
		return false;
	for (unsigned t = 0; t < SW_STATE_NTABLES; t++)
		if (h->table[t].nbuckets != g->nbuckets[t] || h->table[t].offset != g->offset[t])
			return false;
	return true;
}

static void
bind(struct sw_state *st, void *base, size_t len)
{
	st->hdr = base;
	st->base = base;
	st->len = len;
	st->key0 = st->hdr->hash_key[0];
	st->key1 = st->hdr->hash_key[1];
	for (unsigned t = 0; t < SW_STATE_NTABLES; t++) {
		st->t[t].buckets = st->base + st->hdr->table[t].offset;
		st->t[t].mask = st->hdr->table[t].nbuckets - 1;
		st->t[t].bucket_size = st->hdr->table[t].bucket_size;
		st->t[t].words = st->hdr->table[t].entry_words;
	}
}

int
sw_state_name(char *buf, size_t len, const char *instance)
{
	return sw_shm_name(buf, len, instance, "state");
}

void
sw_state_unlink(const char *instance)
{
	char name[SW_STATE_NAME_MAX];

	if (sw_state_name(name, sizeof(name), instance) == 0)
		shm_unlink(name);
}

/* 2 MiB pages where the kernel allows them (THP for anonymous memory with enabled=madvise,
 * shmem with shmem_enabled=advise): a 1M-entry table spans ~100 MiB, and with 4 KiB pages every
 * lookup also misses the TLB. Advice only; failure changes nothing. */
static void
advise_huge(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
	madvise(p, len, MADV_HUGEPAGE);
#else
	(void)p;
	(void)len;
#endif
}

int
sw_state_open(const char *instance, const struct sw_state_config *cfg, unsigned flags,
	      struct sw_state *out)
{
	struct geometry g;
	int result = SW_STATE_CREATED;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = sw_state_name(out->name, sizeof(out->name), instance);
	if (rc < 0)
		return rc;
	geometry(cfg, &g);
	for (int attempt = 0; attempt < 50; attempt++) {
		void *p = NULL;
		size_t len = 0;

		rc = sw_shm_map_existing(out->name, true, sizeof(struct sw_state_hdr), &p, &len);
		if (rc == -EPROTO) {
			/* Smaller than a header: still being sized by its creator, or garbage. */
			rc = 0;
			p = NULL;
		}
		if (rc == 0) {
			if (p != NULL)
				advise_huge(p, len);
			struct sw_state_hdr *h = p;
			uint64_t magic = p != NULL ? atomic_load_explicit(&h->magic, ACQUIRE) : 0;

			if (magic == 0 && attempt < 40) {
				/* Being created by another opener (magic is stored last), or
				 * garbage: give a creator up to ~200 ms. */
				if (p != NULL)
					munmap(p, len);
				usleep(5000);
				continue;
			}
			if (p != NULL && header_valid(h, len) && geometry_equal(h, &g) &&
			    !atomic_load_explicit(&h->retired, ACQUIRE)) {
				bind(out, p, len);
				out->shm = true;
				for (unsigned t = 0; t < SW_STATE_NTABLES; t++)
					atomic_store_explicit(&h->table[t].ttl_ns, g.ttl[t],
							      RELAXED);
				atomic_fetch_add_explicit(&h->opens, 1, RELAXED);
				if (flags & SW_STATE_F_RECOVER)
					sw_state_recover(out);
				return result == SW_STATE_CREATED ? SW_STATE_REUSED : result;
			}
			if (p != NULL && header_valid(h, len)) {
				/* Our layout, other sizes: tell the processes still mapping it. */
				atomic_store_explicit(&h->retired, 1, RELEASE);
				result = SW_STATE_RESIZED;
			} else {
				result = SW_STATE_RECREATED;
			}
			if (p != NULL)
				munmap(p, len);
			shm_unlink(out->name);
		} else if (rc != -ENOENT) {
			return rc;
		}
		rc = sw_shm_map_new(out->name, g.size, &p);
		if (rc == -EEXIST)
			continue; /* another opener created it: use theirs */
		if (rc < 0)
			return rc;
		advise_huge(p, g.size);
		init_header(p, &g);
		bind(out, p, g.size);
		out->shm = true;
		return result;
	}
	return -EBUSY;
}

/* Issue 16 (control/cluster): map the instance's existing object whatever its sizes, never
 * creating, resizing or re-creating it (the replicator must not destroy the dataplane's state).
 * 0, -ENOENT (no object), -EPROTO (not a valid object of this layout, or retired). */
int
sw_state_attach(const char *instance, struct sw_state *out)
{
	void *p;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = sw_state_name(out->name, sizeof(out->name), instance);
	if (rc < 0)
		return rc;
	rc = sw_shm_map_existing(out->name, true, sizeof(struct sw_state_hdr), &p, &len);
	if (rc < 0)
		return rc;
	if (!header_valid(p, len) ||
	    atomic_load_explicit(&((struct sw_state_hdr *)p)->retired, ACQUIRE)) {
		munmap(p, len);
		return -EPROTO;
	}
	advise_huge(p, len);
	bind(out, p, len);
	out->shm = true;
	return 0;
}

static int
create_anon(const struct sw_state_config *cfg, bool shared, struct sw_state *out)
{
	struct geometry g;
	void *p;

	memset(out, 0, sizeof(*out));
	geometry(cfg, &g);
	p = mmap(NULL, g.size, PROT_READ | PROT_WRITE,
		 (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	advise_huge(p, g.size);
	init_header(p, &g);
	bind(out, p, g.size);
	snprintf(out->name, sizeof(out->name), shared ? "(anonymous)" : "(private)");
	return 0;
}

int
sw_state_create_anon(const struct sw_state_config *cfg, struct sw_state *out)
{
	return create_anon(cfg, true, out);
}

int
sw_state_create_private(const struct sw_state_config *cfg, struct sw_state *out)
{
	return create_anon(cfg, false, out);
}

void
sw_state_close(struct sw_state *st)
{
	if (st->base != NULL)
		munmap(st->base, st->len);
	memset(st, 0, sizeof(*st));
}

bool
sw_state_retired(const struct sw_state *st)
{
	return atomic_load_explicit(&st->hdr->retired, ACQUIRE) != 0;
}

void
sw_state_set_ttl(struct sw_state *st, enum sw_state_table t, uint64_t ttl_ns)
{
	if (t < SW_STATE_NTABLES && ttl_ns != 0)
		atomic_store_explicit(&st->hdr->table[t].ttl_ns, ttl_ns, RELAXED);
}

uint64_t
sw_state_recover(struct sw_state *st)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint64_t n = 0;

	if (pg <= 0)
		pg = SW_STATE_PAGE;
	for (unsigned t = 0; t < SW_STATE_NTABLES; t++) {
		/* Only buckets in pages that were ever written can hold a lock: mincore() says which
		 * pages are resident, so that a large, mostly empty object is not read (and, for
		 * shm, allocated) page by page at every start. Without it, every bucket. */
		uint8_t *base = st->t[t].buckets;
		size_t len = (size_t)(st->t[t].mask + 1) * st->t[t].bucket_size;
		size_t npg = (len + (size_t)pg - 1) / (size_t)pg;
		unsigned char *vec = malloc(npg);

		if (vec != NULL && mincore(base, len, vec) != 0) {
			free(vec);
			vec = NULL;
		}
		for (uint64_t bi = 0; bi <= st->t[t].mask; bi++) {
			size_t off = bi * st->t[t].bucket_size;
			struct sw_state_bucket *b = (struct sw_state_bucket *)(base + off);

			if (vec != NULL && !(vec[off / (size_t)pg] & 1))
				continue;
			uint64_t s = atomic_load_explicit(&b->seq, RELAXED);

			if (s & 1) {
				/* A writer died inside this bucket: one of its ways may be half
				 * written. Free every way (the entries are lost, counted by the
				 * return value) rather than ever serve a torn one. */
				for (unsigned i = 0; i < SW_STATE_WAYS; i++)
					atomic_store_explicit(&b->slot[i], 0, RELAXED);
				atomic_store_explicit(&b->seq, s + 1, RELEASE);
				n++;
			}
		}
		free(vec);
	}
	return n;
}

int
sw_state_ctx_init(struct sw_state_ctx *ctx, struct sw_state *st, unsigned worker,
		  struct sw_state_ring *ring)
{
	if (worker >= st->hdr->max_workers)
		return -EINVAL;
	ctx->st = st;
	ctx->c = (struct sw_state_counters *)(st->base + st->hdr->counters_off +
					       (uint64_t)worker * SW_STATE_NTABLES *
						       sizeof(struct sw_state_counters));
	ctx->ring = ring;
	ctx->worker = worker;
	return 0;
}

void
sw_state_stats(const struct sw_state *st, enum sw_state_table t,
	       struct sw_state_counters *out_plain)
{
	const _Atomic uint64_t *sum;
	_Atomic uint64_t *o = (_Atomic uint64_t *)out_plain;
	const unsigned n = sizeof(struct sw_state_counters) / 8;

	memset(out_plain, 0, sizeof(*out_plain));
	for (unsigned w = 0; w < st->hdr->max_workers; w++) {
		sum = (const _Atomic uint64_t *)(st->base + st->hdr->counters_off +
						 ((uint64_t)w * SW_STATE_NTABLES + t) *
							 sizeof(struct sw_state_counters));
		for (unsigned i = 0; i < n; i++)
			atomic_store_explicit(&o[i],
					      atomic_load_explicit(&o[i], RELAXED) +
						      atomic_load_explicit(&sum[i], RELAXED),
					      RELAXED);
	}
}

const char *
sw_state_why_name(enum sw_state_why why)
{
	static const char *const names[SW_STATE_WHY_COUNT] = {
		[SW_STATE_WHY_NONE] = "none",
		[SW_STATE_WHY_UNKNOWN] = "unknown",
		[SW_STATE_WHY_EXPIRED] = "expired",
		[SW_STATE_WHY_CLOSED] = "closed",
		[SW_STATE_WHY_EVICTED] = "evicted",
		[SW_STATE_WHY_BUSY] = "busy",
		[SW_STATE_WHY_NOT_INSIDE] = "not-inside",
		[SW_STATE_WHY_OTHER_PEER] = "other-peer",
	};

	return (unsigned)why < SW_STATE_WHY_COUNT ? names[why] : "?";
}
