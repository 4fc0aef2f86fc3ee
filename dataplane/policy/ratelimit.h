/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rate limiting of `rate-limit` rules (issue 18 D6): token buckets keyed exactly, one table shared
 * by every worker of a dataplane, kept across reloads.
 *
 * Why one shared table and not per-worker shares: RSS spreads associations over workers, not
 * keys, so one calling GT may arrive on one worker today and on all of them tomorrow. Per-worker
 * shares (rate / N each) would admit only rate / N to a key that lives on one worker unless the
 * shares rebalance, and rebalancing needs the cross-worker traffic the shared table has anyway.
 * A shared bucket costs one compare-and-swap per admitted MSU on a cache line that only the
 * workers charging the same key touch; a denied MSU writes nothing.
 *
 * A bucket is a GCRA cell (ITU-T I.371 generic cell rate algorithm, the virtual-scheduling form of
 * a token bucket): one 64-bit word holds the theoretical arrival time (TAT, 56 bits of ns since the
 * table's base, modulo 2^56) and an 8-bit slot generation. With T = 1e9 / rate ns and tau = burst
 * x T, an MSU at time t is admitted when max(TAT, t) + T - t <= tau, and then TAT becomes
 * max(TAT, t) + T: exactly a bucket of `burst` tokens refilled at `rate` per second. A fresh
 * bucket (TAT <= t) is full.
 *
 * The key is compared in full (rule identity, rate, burst, key field, the field's value): two
 * keys never share a bucket, and a colliding hash only costs a probe. The rule identity is the
 * rule's `id` when it has one, else a digest of its name (sw_rl_rule_ident): a reload that keeps a rule's identity,
 * rate, burst and key field keeps its buckets (a changed rule starts with full buckets; its old
 * buckets age out of the table).
 *
 * The table is bounded: 8-way sets. A new key takes an empty way, else a way whose bucket is full
 * again (an idle key: nothing is lost, counted as reclaimed), else the way whose bucket is the
 * fullest (counted as evicted: that key starts again with a full bucket).
 *
 * Concurrency (workers of one process; no lock): a slot's word is read with acquire, its key with
 * relaxed loads, then the word again: a changed generation means the slot was rewritten and the
 * lookup restarts. Admission is a CAS on the word, so a token is never taken from a bucket that
 * was replaced meanwhile. A writer (new key) first makes the generation odd with a CAS (other
 * threads skip the slot), writes the key, then stores an even generation with release. Two
 * workers inserting the same key at once: the one holding the lower way wins, the other retries
 * and finds it.
 */
#ifndef SW_POLICY_RATELIMIT_H
#define SW_POLICY_RATELIMIT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "dataplane/decode/msu.h"

#define SW_RL_WAYS 8
#define SW_RL_DEFAULT_ENTRIES 65536u /* 4 MiB of slots */
#define SW_RL_VAL_MAX 38             /* bytes of the key field's value kept in a key */

_Static_assert(SW_DIGITS_MAX <= SW_RL_VAL_MAX, "a digit string must fit a rate-limit key");

/* The exact key of a bucket: 56 bytes, compared in full. */
struct sw_rl_key {
	uint64_t rule;  /* rule identity (sw_rl_rule_ident) */
	uint32_t rate;  /* tokens per second */
	uint32_t burst; /* bucket depth */
	uint8_t field;  /* the rule's key field (sw_img_rule.rl_key) */
	uint8_t len;    /* bytes of val used; 0: the rule has no key field, or the MSU lacks it */
	uint8_t val[SW_RL_VAL_MAX]; /* the value (digits, or a point code), zero padded */
};
_Static_assert(sizeof(struct sw_rl_key) == 56, "sw_rl_key: seven words");

/*
 * Counters of the MSUs one worker charged. Single writer (the worker: relaxed load + store, as
 * the stats region's counters), read by anyone: the dataplane places them in the worker's block of
 * the stats region so control exports them.
 */
struct sw_rl_stats {
	_Atomic uint64_t admitted;  /* MSUs a rate-limit rule let through */
	_Atomic uint64_t limited;   /* MSUs over their rate: dropped (alerted in monitor state) */
	_Atomic uint64_t inserts;   /* new keys */
	_Atomic uint64_t reclaims;  /* new keys that took the way of an idle (full) bucket */
	_Atomic uint64_t evictions; /* new keys that took the way of a bucket still in use */
	_Atomic uint64_t busy;      /* MSUs admitted without a bucket: the set stayed busy over
				       every retry (writers on the same set); should stay 0 */
};

struct sw_rl_table;

/*
 * A table of at least `entries` buckets (rounded up to a power of two, at least SW_RL_WAYS);
 * base_ns: the time origin (now, monotonic ns); seed: of the keyed hash (0: from getrandom, so
 * an attacker cannot choose colliding keys). NULL + errno.
 */
struct sw_rl_table *sw_rl_table_new(uint32_t entries, uint64_t base_ns, uint64_t seed);
void sw_rl_table_free(struct sw_rl_table *t);
uint32_t sw_rl_table_capacity(const struct sw_rl_table *t);
/* Keys held now (a scan: off the fast path). */
uint32_t sw_rl_table_used(const struct sw_rl_table *t);

/* Take a token of key k at now_ns: true when admitted. Counts into st (may be NULL). */
bool sw_rl_take(struct sw_rl_table *t, const struct sw_rl_key *k, uint64_t now_ns,
		struct sw_rl_stats *st);

/*
 * Identity of rule `rule` of an image (validated): what must stay the same across reloads for its
 * buckets to be kept, besides its rate, burst and key field that the key holds in full. The rule's
 * `id` when it has one (a renamed rule keeps its buckets), else a digest of its name (unique in a
 * rule file).
 */
uint64_t sw_rl_rule_ident(const void *image, int32_t rule);

#endif /* SW_POLICY_RATELIMIT_H */
