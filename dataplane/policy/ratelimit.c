/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared rate-limit table (ratelimit.h says what and why).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "image.h"
#include "policy.h"
#include "ratelimit.h"

#define KEY_WORDS 7
#define TAT_BITS 56
#define TAT_MASK ((1ull << TAT_BITS) - 1)
#define TAU_MAX (1ull << 54) /* longest burst tolerance: 208 days, far inside TAT_BITS */
#define RETRIES 16

/* One bucket per cache line. `word` = generation (8 bits, odd while being written) << 56 | TAT. */
struct sw_rl_slot {
	_Atomic uint64_t word;
	_Atomic uint64_t key[KEY_WORDS];
} __attribute__((aligned(64)));
_Static_assert(sizeof(struct sw_rl_slot) == 64, "sw_rl_slot: one cache line");

struct sw_rl_table {
	struct sw_rl_slot *slot;
	/* Per slot: hash | 1 of its key, 0 while it never held one. A hint that saves touching the
	 * slot's line: the key in the slot, under its generation, decides. */
	_Atomic uint32_t *tag;
	uint32_t nsets;
	uint64_t base_ns;
	uint64_t seed[2];
};

static inline uint64_t
w_gen(uint64_t w)
{
	return w >> TAT_BITS;
}

static inline uint64_t
w_tat(uint64_t w)
{
	return w & TAT_MASK;
}

static inline uint64_t
w_make(uint64_t gen, uint64_t tat)
{
	return (gen & 0xff) << TAT_BITS | (tat & TAT_MASK);
}

/* a - b modulo 2^56 as a signed number: times are compared that way so the wrap of the 56-bit
 * clock (every 2.3 years) does not matter. */
static inline int64_t
t_diff(uint64_t a, uint64_t b)
{
	return (int64_t)(((a - b) & TAT_MASK) << (64 - TAT_BITS)) >> (64 - TAT_BITS);
}

struct sw_rl_table *
sw_rl_table_new(uint32_t entries, uint64_t base_ns, uint64_t seed)
{
	struct sw_rl_table *t = calloc(1, sizeof(*t));
	uint32_t n = SW_RL_WAYS;

	if (t == NULL)
		return NULL;
	if (entries > (1u << 30)) {
		free(t);
		errno = EINVAL;
		return NULL;
	}
	while (n < entries)
		n <<= 1;
	t->nsets = n / SW_RL_WAYS;
	t->slot = aligned_alloc(64, (size_t)n * sizeof(*t->slot));
	t->tag = calloc(n, sizeof(*t->tag));
	if (t->slot == NULL || t->tag == NULL) {
		sw_rl_table_free(t);
		errno = ENOMEM;
		return NULL;
	}
	memset(t->slot, 0, (size_t)n * sizeof(*t->slot));
	t->base_ns = base_ns;
	if (seed != 0) {
		t->seed[0] = seed;
		t->seed[1] = seed * 0x9e3779b97f4a7c15ull + 1;
	} else if (getrandom(t->seed, sizeof(t->seed), GRND_NONBLOCK) != (ssize_t)sizeof(t->seed)) {
		struct timespec ts;

		/* No entropy yet (early boot): still different per start and per table. */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		t->seed[0] = (uint64_t)ts.tv_nsec ^ (uint64_t)(uintptr_t)t << 17;
		t->seed[1] = (uint64_t)ts.tv_sec * 0xd6e8feb86659fd93ull ^ t->seed[0];
	}
	return t;
}

void
sw_rl_table_free(struct sw_rl_table *t)
{
	if (t == NULL)
		return;
	free(t->slot);
	free(t->tag);
	free(t);
}

uint32_t
sw_rl_table_capacity(const struct sw_rl_table *t)
{
	return t->nsets * SW_RL_WAYS;
}

uint32_t
sw_rl_table_used(const struct sw_rl_table *t)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < t->nsets * SW_RL_WAYS; i++)
		n += atomic_load_explicit(&t->tag[i], memory_order_relaxed) != 0;
	return n;
}

/* Keyed hash of the seven key words: each word through a seeded multiply-rotate round. */
static inline uint64_t
key_hash(const struct sw_rl_table *t, const uint64_t *k)
{
	uint64_t h = t->seed[0];

	for (unsigned i = 0; i < KEY_WORDS; i++) {
		h ^= k[i] + t->seed[1];
		h *= 0x9fb21c651e98df25ull;
		h ^= h >> 29;
	}
	h ^= h >> 32;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 31);
}

/* Single-writer counter add (ratelimit.h: struct sw_rl_stats). */
#define COUNT(st, f)                                                                      \
	do {                                                                              \
		if ((st) != NULL)                                                         \
			atomic_store_explicit(&(st)->f,                                   \
					      atomic_load_explicit(&(st)->f,              \
								   memory_order_relaxed) + \
						      1,                                  \
					      memory_order_relaxed);                      \
	} while (0)

/* The slot's key equals k (its words loaded relaxed; the caller checks the generation after). */
static inline bool
slot_has(const struct sw_rl_slot *s, const uint64_t *k)
{
	uint64_t diff = 0;

	for (unsigned i = 0; i < KEY_WORDS; i++)
		diff |= atomic_load_explicit(&s->key[i], memory_order_relaxed) ^ k[i];
	return diff == 0;
}

/* GCRA on a slot that held the key under word w (ratelimit.h). 1 admitted, 0 over the rate, -1
 * the slot changed hands meanwhile (look it up again). */
static int
charge(struct sw_rl_slot *s, uint64_t w, uint64_t now, uint64_t T, uint64_t tau)
{
	uint64_t gen = w_gen(w);

	for (;;) {
		uint64_t tat = w_tat(w), start = t_diff(tat, now) > 0 ? tat : now;
		uint64_t next = (start + T) & TAT_MASK;

		if (t_diff(next, now) > (int64_t)tau)
			return 0;
		if (atomic_compare_exchange_weak_explicit(&s->word, &w, w_make(gen, next),
							  memory_order_acq_rel,
							  memory_order_acquire))
			return 1;
		if (w_gen(w) != gen)
			return -1;
	}
}

/* Look k up in its set: 1 admitted, 0 limited, -1 not there, -2 changed under us (again). */
static int
lookup(struct sw_rl_slot *set_slot, _Atomic uint32_t *set_tag, const uint64_t *k, uint32_t tag,
       uint64_t now, uint64_t T, uint64_t tau)
{
	for (unsigned i = 0; i < SW_RL_WAYS; i++) {
		struct sw_rl_slot *s = &set_slot[i];
		uint64_t w, w2;

		if (atomic_load_explicit(&set_tag[i], memory_order_relaxed) != tag)
			continue;
		w = atomic_load_explicit(&s->word, memory_order_acquire);
		if ((w_gen(w) & 1) || !slot_has(s, k))
			continue;
		/* Seqlock read: the key words were those of generation w_gen(w) only if the
		 * generation is still the same after them. */
		atomic_thread_fence(memory_order_acquire);
		w2 = atomic_load_explicit(&s->word, memory_order_relaxed);
		if (w_gen(w2) != w_gen(w))
			return -2;
		int r = charge(s, w2, now, T, tau);
		return r < 0 ? -2 : r;
	}
	return -1;
}

/*
 * Way for a new key: an empty one, else an idle one (bucket full again), else the fullest
 * bucket (*evict). Ways being written are skipped. SW_RL_WAYS: none (all being written).
 */
static unsigned
pick_way(struct sw_rl_slot *set_slot, _Atomic uint32_t *set_tag, uint64_t now, bool *evict)
{
	unsigned victim = SW_RL_WAYS;
	int64_t best = INT64_MAX;

	*evict = false;
	for (unsigned i = 0; i < SW_RL_WAYS; i++) {
		uint64_t w = atomic_load_explicit(&set_slot[i].word, memory_order_relaxed);
		int64_t ahead;

		if (w_gen(w) & 1)
			continue;
		if (atomic_load_explicit(&set_tag[i], memory_order_relaxed) == 0)
			return i;
		/* How far the bucket's TAT is ahead of now: <= 0 full, else the deficit. */
		ahead = t_diff(w_tat(w), now);
		if (ahead <= 0)
			ahead = INT64_MIN + 1;
		if (ahead < best) {
			best = ahead;
			victim = i;
		}
	}
	*evict = victim != SW_RL_WAYS && best != INT64_MIN + 1;
	return victim;
}

/*
 * Install k in way v of the set (the caller picked it), taking the first token. 1 admitted, 0
 * limited (burst 0), -1 someone else got there first (look again).
 */
static int
install(struct sw_rl_slot *set_slot, _Atomic uint32_t *set_tag, unsigned v, const uint64_t *k,
	uint32_t tag, uint64_t now, uint64_t T, uint64_t tau)
{
	struct sw_rl_slot *s = &set_slot[v];
	uint64_t w = atomic_load_explicit(&s->word, memory_order_relaxed);
	bool yield = false, ok;

	if ((w_gen(w) & 1) ||
	    !atomic_compare_exchange_strong_explicit(&s->word, &w, w_make(w_gen(w) + 1, w_tat(w)),
						     memory_order_acq_rel, memory_order_relaxed))
		return -1;
	/* Ours (odd). A writer in a lower way may be installing the same key: it wins; a way
	 * that holds the key already (installed since we looked) wins too. */
	for (unsigned i = 0; i < SW_RL_WAYS && !yield; i++) {
		uint64_t x;

		if (i == v)
			continue;
		x = atomic_load_explicit(&set_slot[i].word, memory_order_acquire);
		if (w_gen(x) & 1)
			yield = i < v;
		else
			yield = atomic_load_explicit(&set_tag[i], memory_order_relaxed) == tag &&
				slot_has(&set_slot[i], k);
	}
	if (yield) {
		atomic_store_explicit(&s->word, w_make(w_gen(w) + 2, w_tat(w)),
				      memory_order_release);
		return -1;
	}
	for (unsigned i = 0; i < KEY_WORDS; i++)
		atomic_store_explicit(&s->key[i], k[i], memory_order_relaxed);
	atomic_store_explicit(&set_tag[v], tag, memory_order_relaxed);
	/* A new bucket is full: this MSU takes its first token (a burst of 0 admits nothing). */
	ok = T <= tau;
	atomic_store_explicit(&s->word, w_make(w_gen(w) + 2, ok ? now + T : now),
			      memory_order_release);
	return ok;
}

bool
sw_rl_take(struct sw_rl_table *t, const struct sw_rl_key *key, uint64_t now_ns,
	   struct sw_rl_stats *st)
{
	uint64_t k[KEY_WORDS], h, now, T, tau;
	struct sw_rl_slot *set_slot;
	_Atomic uint32_t *set_tag;
	uint32_t set, tag;

	memcpy(k, key, sizeof(k));
	h = key_hash(t, k);
	set = (uint32_t)h & (t->nsets - 1);
	tag = (uint32_t)(h >> 32) | 1;
	set_slot = &t->slot[(size_t)set * SW_RL_WAYS];
	set_tag = &t->tag[(size_t)set * SW_RL_WAYS];
	now = (now_ns > t->base_ns ? now_ns - t->base_ns : 0) & TAT_MASK;
	/* T = 1e9 / rate ns (a rate of 0 refills nothing: only the burst is ever admitted). The
	 * integer division admits at most rate x (1 + rate / 1e9): 0.1% over at 1M/s. */
	T = key->rate != 0 ? 1000000000ull / key->rate : TAU_MAX;
	if (T == 0)
		T = 1;
	tau = key->burst >= TAU_MAX / T ? TAU_MAX : (uint64_t)key->burst * T;

	for (unsigned attempt = 0; attempt < RETRIES; attempt++) {
		int r = lookup(set_slot, set_tag, k, tag, now, T, tau);
		unsigned v;
		bool evict, reclaim;

		if (r == -2)
			continue;
		if (r < 0) {
			v = pick_way(set_slot, set_tag, now, &evict);
			if (v == SW_RL_WAYS)
				continue;
			reclaim = !evict && atomic_load_explicit(&set_tag[v],
								 memory_order_relaxed) != 0;
			r = install(set_slot, set_tag, v, k, tag, now, T, tau);
			if (r < 0)
				continue;
			COUNT(st, inserts);
			if (evict)
				COUNT(st, evictions);
			else if (reclaim)
				COUNT(st, reclaims);
		}
		if (r)
			COUNT(st, admitted);
		else
			COUNT(st, limited);
		return r == 1;
	}
	COUNT(st, busy);
	COUNT(st, admitted);
	return true;
}

uint64_t
sw_rl_rule_ident(const void *image, int32_t rule)
{
	const struct sw_image_hdr *h = image;
	const struct sw_img_rule *r = (const void *)((const char *)image + h->rules_off);
	const char *name = sw_image_rule_name(image, rule);

	/* The rule's `id` (issue 18 D4: stable across reloads and edits) when it has one; a
	 * rule without one is known by its name. The two kinds never meet (top bit). */
	if (rule >= 0 && (uint32_t)rule < h->nrules && r[rule].id != 0)
		return 1ull << 63 | r[rule].id;
	return sw_fnv1a64(name != NULL ? name : "", name != NULL ? strlen(name) : 0,
			  SW_FNV_OFFSET) & ~(1ull << 63);
}
