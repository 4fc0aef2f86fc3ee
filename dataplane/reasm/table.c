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

#include "table.h"

static inline uint64_t
rt_rotl(uint64_t x, unsigned b)
{
	return x << b | x >> (64 - b);
}

/*
 * SipHash-1-3 compression over 8-byte words (the key length is a multiple of 8), keyed with
 * the table's random key. Only pieces of segmented messages are hashed: not on the path of
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
	v3 ^= (uint64_t)n << 56;
	RT_ROUND;
	v0 ^= (uint64_t)n << 56;
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
	t->e = calloc(n, sizeof(*t->e));
	/* Touched now (calloc of this size maps zero pages lazily: memset them), not on the
	 * packet path. */
	t->data = malloc((size_t)n * cap);
	if (t->e == NULL || t->data == NULL) {
		free(t->e);
		free(t->data);
		t->e = NULL;
		t->data = NULL;
		errno = ENOMEM;
		return -1;
	}
	memset(t->e, 0, (size_t)n * sizeof(*t->e));
	memset(t->data, 0, (size_t)n * cap);
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
	free(t->e);
	free(t->data);
	t->e = NULL;
	t->data = NULL;
}

void
rt_fail(struct rt_entry *e, uint16_t mal)
{
	if (e->state != RT_COLLECT)
		return;
	e->state = RT_FAILED;
	e->mal = mal;
}

/* now - then >= d, with a clock that may step back (captures): a time before then is not late. */
static inline bool
rt_late(uint64_t now, uint64_t then, uint64_t d)
{
	return now > then && now - then >= d;
}

/*
 * Age entry e at now: an incomplete message past the timeout fails (it is remembered, so that
 * its later pieces get its verdict); a failed or judged one past the timeout is forgotten.
 * Returns true when e is free afterwards.
 */
static bool
rt_age(struct rt_table *t, struct rt_entry *e, uint64_t now, uint16_t timeout_mal,
       struct sw_reasm_stats *st)
{
	if (e->state == RT_FREE)
		return true;
	if (e->state == RT_COLLECT) {
		if (!rt_late(now, e->t0, t->timeout_ns))
			return false;
		/* failed when its time ran out, remembered from then on */
		st->expired++;
		rt_fail(e, timeout_mal);
		e->tend = e->t0 + t->timeout_ns;
	}
	if (!rt_late(now, e->tend, t->timeout_ns))
		return false;
	if (e->state == RT_JUDGED)
		st->reclaimed++;
	e->state = RT_FREE;
	st->in_use--;
	return true;
}

int32_t
rt_get(struct rt_table *t, const uint8_t key[RT_KEY_LEN], uint64_t now_ns, uint16_t timeout_mal,
       struct sw_reasm_stats *st, bool *created)
{
	uint32_t home = (uint32_t)rt_hash(t, key, RT_KEY_LEN) & t->mask;
	int32_t room = -1;

	*created = false;
	for (uint32_t k = 0; k < SW_REASM_PROBE; k++) {
		uint32_t i = (home + k) & t->mask;
		struct rt_entry *e = &t->e[i];

		if (e->state != RT_FREE && memcmp(e->key, key, RT_KEY_LEN) == 0) {
			if (!rt_age(t, e, now_ns, timeout_mal, st))
				return (int32_t)i;
		} else if (e->state != RT_FREE) {
			/* An incomplete message nobody asks for any more: its timeout is counted
			 * here, and its slot is free for a new one once forgotten. */
			(void)rt_age(t, e, now_ns, timeout_mal, st);
		}
		if (e->state == RT_FREE && room < 0)
			room = (int32_t)i;
	}
	if (room < 0)
		return -1;
	{
		struct rt_entry *e = &t->e[room];

		memset(e, 0, offsetof(struct rt_entry, key));
		memcpy(e->key, key, RT_KEY_LEN);
		e->state = RT_COLLECT;
		e->t0 = now_ns;
		st->in_use++;
		*created = true;
	}
	return room;
}
