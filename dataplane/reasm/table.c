/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reassembly table (table.h). Hash flooding (issue 13 finding 5): the keys (calling
 * addresses, local references) are chosen by the sender, so the slot hash is keyed with 128
 * random bits drawn per table at start, and a key lives within SW_REASM_PROBE slots of its home:
 * a lookup never looks further, and a flood of random references fills the table (counted,
 * SW_MAL_SCCP_REASM_FULL) without making any lookup longer or evicting a message in progress.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "dataplane/policy/policy.h"
#include "table.h"

static inline uint64_t
rt_rotl(uint64_t x, unsigned b)
{
	return x << b | x >> (64 - b);
}

/*
 * SipHash-1-3 (the last word carries the length and the tail octets), keyed with the table's
 * random key. Only pieces of segmented messages are hashed: not on the path of
 * unsegmented traffic.
 */
uint64_t
rt_hash(const struct rt_table *t, const void *p, unsigned n)
{
	uint64_t v0 = t->hkey[0] ^ 0x736f6d6570736575ull, v1 = t->hkey[1] ^ 0x646f72616e646f6dull;
	uint64_t v2 = t->hkey[0] ^ 0x6c7967656e657261ull, v3 = t->hkey[1] ^ 0x7465646279746573ull;
	const uint8_t *b = p;

#define RT_ROUND                                                                                   \
	do {                                                                                       \
		v0 += v1; v1 = rt_rotl(v1, 13); v1 ^= v0; v0 = rt_rotl(v0, 32);                    \
		v2 += v3; v3 = rt_rotl(v3, 16); v3 ^= v2;                                          \
		v0 += v3; v3 = rt_rotl(v3, 21); v3 ^= v0;                                          \
		v2 += v1; v1 = rt_rotl(v1, 17); v1 ^= v2; v2 = rt_rotl(v2, 32);                    \
	} while (0)
	for (unsigned i = 0; i + 8 <= n; i += 8) {
		uint64_t m;

		memcpy(&m, b + i, 8);
		v3 ^= m;
		RT_ROUND;
		v0 ^= m;
	}
	{
		uint64_t m = (uint64_t)n << 56;

		for (unsigned i = n & ~7u; i < n; i++)
			m |= (uint64_t)b[i] << (8 * (i & 7));
		v3 ^= m;
		RT_ROUND;
		v0 ^= m;
	}
	v2 ^= 0xff;
	RT_ROUND;
	RT_ROUND;
	RT_ROUND;
#undef RT_ROUND
	return v0 ^ v1 ^ v2 ^ v3;
}

int
rt_init(struct rt_table *t, uint32_t entries, uint32_t cap, uint64_t timeout_ns)
{
	uint32_t n = 16;

	memset(t, 0, sizeof(*t));
	if (entries > (1u << 20)) {
		errno = EINVAL;
		return -1;
	}
	while (n < entries)
		n <<= 1;
	/* Touched now (memset: calloc of this size would map zero pages lazily), not on the
	 * packet path. */
	t->s = malloc((size_t)n * sizeof(*t->s));
	t->e = malloc((size_t)n * sizeof(*t->e));
	t->data = malloc((size_t)n * cap);
	t->free = malloc((size_t)n * sizeof(*t->free));
	if (t->s == NULL || t->e == NULL || t->data == NULL || t->free == NULL) {
		rt_fini(t);
		errno = ENOMEM;
		return -1;
	}
	memset(t->s, 0, (size_t)n * sizeof(*t->s));
	memset(t->e, 0, (size_t)n * sizeof(*t->e));
	memset(t->data, 0, (size_t)n * cap);
	for (uint32_t i = 0; i < n; i++)
		t->free[i] = n - 1 - i;
	t->nfree = n;
	t->mask = n - 1;
	t->cap = cap;
	t->timeout_ns = timeout_ns;
	if (getrandom(t->hkey, sizeof(t->hkey), GRND_NONBLOCK) != (ssize_t)sizeof(t->hkey)) {
		struct timespec ts;

		/* no entropy yet (early boot): still different per start and per table */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		t->hkey[0] = (uint64_t)ts.tv_nsec * 0xc2b2ae3d27d4eb4full ^ (uint64_t)ts.tv_sec;
		t->hkey[1] = (uint64_t)(uintptr_t)t * 0x165667b19e3779f9ull ^ t->hkey[0];
	}
	return 0;
}

void
rt_fini(struct rt_table *t)
{
	free(t->s);
	free(t->e);
	free(t->data);
	free(t->free);
	t->free = NULL;
	t->s = NULL;
	t->e = NULL;
	t->data = NULL;
}

/* Entry i leaves RT_COLLECT: its buffer goes back on top of the pool. */
static inline void
rt_release(struct rt_table *t, uint32_t i)
{
	if (t->s[i].state == RT_COLLECT)
		t->free[t->nfree++] = t->e[i].buf;
}

void
rt_judged(struct rt_table *t, uint32_t i, uint64_t now, bool complete, uint16_t mal,
	  const struct sw_reasm_verdict *v)
{
	struct rt_entry *e = &t->e[i];

	rt_release(t, i);
	t->s[i].state = RT_JUDGED;
	t->s[i].t = now;
	t->s[i].drop = v->action == SW_ACTION_DROP;
	e->complete = complete;
	e->mal = complete ? SW_MAL_NONE : mal;
	e->v = *v;
}

bool
rt_restart(struct rt_table *t, uint32_t i, uint64_t now)
{
	struct rt_entry *e = &t->e[i];

	if (t->s[i].state != RT_JUDGED || t->nfree == 0)
		return false;
	memset(e, 0, offsetof(struct rt_entry, off));
	e->buf = t->free[--t->nfree];
	e->gen++;
	t->s[i].state = RT_COLLECT;
	t->s[i].drop = false;
	t->s[i].t = now;
	return true;
}

/* now - then >= d, with a clock that may step back (captures): a time before then is not late. */
static inline bool
rt_late(uint64_t now, uint64_t then, uint64_t d)
{
	return now > then && now - then >= d;
}

/* Age slot i at now (rt_get). Returns true when it is free afterwards. */
static bool
rt_age(struct rt_table *t, uint32_t i, uint64_t now, uint16_t timeout_mal,
       struct sw_reasm_stats *st)
{
	struct rt_slot *s = &t->s[i];

	if (s->state == RT_FREE)
		return true;
	if (!rt_late(now, s->t, t->timeout_ns))
		return false;
	if (s->state == RT_COLLECT) {
		/* failed when its time ran out, remembered from then on */
		st->expired++;
		rt_release(t, i);
		s->state = RT_FAILED;
		s->t += t->timeout_ns;
		t->e[i].mal = timeout_mal;
		if (!rt_late(now, s->t, t->timeout_ns))
			return false;
	}
	if (s->state == RT_JUDGED)
		st->reclaimed++;
	s->state = RT_FREE;
	st->in_use--;
	return true;
}

int32_t
rt_get(struct rt_table *t, const uint8_t key[RT_KEY_LEN], uint64_t now_ns, uint16_t timeout_mal,
       struct sw_reasm_stats *st, bool *created)
{
	uint64_t h = rt_hash(t, key, RT_KEY_LEN);
	uint32_t home = (uint32_t)h & t->mask, tag = (uint32_t)(h >> 32);
	int32_t room = -1, spare = -1;

	*created = false;
	for (uint32_t k = 0; k < SW_REASM_PROBE; k++) {
		uint32_t i = (home + k) & t->mask;
		struct rt_slot *s = &t->s[i];

		if (s->state == RT_FREE) {
			if (room < 0)
				room = (int32_t)i;
			continue;
		}
		/* An entry nobody asks for any more is aged here: its timeout is counted, and
		 * its slot is free for a new message once it is forgotten. */
		if (rt_age(t, i, now_ns, timeout_mal, st)) {
			if (room < 0)
				room = (int32_t)i;
			continue;
		}
		if (s->tag == tag && memcmp(t->e[i].key, key, RT_KEY_LEN) == 0)
			return (int32_t)i;
		/* The oldest message judged and not dropped may make room early: a copy of one of
		 * its segments then starts a message of its own, held and passed, as it was. A
		 * dropped message is remembered its whole time: a copy of its completing segment
		 * must be dropped again. */
		if (s->state == RT_JUDGED && !s->drop && (spare < 0 || s->t < t->s[spare].t))
			spare = (int32_t)i;
	}
	if (room < 0 && spare >= 0) {
		t->s[spare].state = RT_FREE;
		st->reclaimed++;
		st->in_use--;
		room = spare;
	}
	if (room < 0 || t->nfree == 0) /* no slot near the key's home, or no buffer */
		return -1;
	{
		struct rt_entry *e = &t->e[room];

		memset(e, 0, offsetof(struct rt_entry, off));
		e->buf = t->free[--t->nfree];
		e->gen++;
		memcpy(e->key, key, RT_KEY_LEN);
		t->s[room].state = RT_COLLECT;
		t->s[room].tag = tag;
		t->s[room].drop = false;
		t->s[room].t = now_ns;
		st->in_use++;
		*created = true;
	}
	return room;
}
