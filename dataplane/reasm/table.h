/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reassembly table shared by the reassemblers of dataplane/reasm (internal): bounded,
 * allocated up front, keyed hash with bounded probing. A message being collected holds a buffer
 * from a LIFO pool (the last one released is the next one taken: still in the cache) where its
 * pieces are stored in arrival order, joined in message order when it is complete; a judged
 * message keeps only a keyed hash of each piece, to know its later copies.
 */
#ifndef SW_REASM_TABLE_H
#define SW_REASM_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "reasm.h"

#define RT_KEY_LEN 64 /* key bytes (zero padded); compared whole */

enum rt_state {
	RT_FREE = 0,
	RT_COLLECT, /* pieces arriving */
	RT_FAILED,  /* failed (mal), the verdict not given yet */
	RT_JUDGED,  /* verdict given: later pieces get it */
};

/*
 * What a lookup reads of every slot in a probe window, packed (16 octets: a window is four cache
 * lines): a slot's key is compared only when its tag matches.
 */
struct rt_slot {
	uint32_t tag;   /* high half of the key's hash */
	uint8_t state;  /* enum rt_state */
	bool drop;      /* RT_JUDGED: the verdict was drop (kept its whole time) */
	uint16_t pad;
	uint64_t t;     /* RT_COLLECT: first piece (timeout); RT_FAILED/RT_JUDGED: failed or judged
			   (how long it is remembered) */
};
_Static_assert(sizeof(struct rt_slot) == 16, "rt_slot is a quarter of a cache line");

struct rt_entry {
	bool complete;   /* RT_JUDGED: was reassembled (else: failed) */
	uint8_t total;   /* pieces in the message, 0 while unknown */
	uint16_t have;   /* bit i: piece i held */
	uint16_t used;   /* octets of buf in use */
	uint16_t mal;    /* RT_FAILED, failed RT_JUDGED: the reason */
	uint32_t buf;    /* RT_COLLECT: its buffer in the pool */
	uint8_t ends;    /* SCTP: bit 0 the B fragment held, bit 1 the E fragment */
	uint32_t first, last; /* SCTP: TSN of the B and E fragments */
	uint32_t lo, hi;      /* SCTP: lowest and highest TSN held */
	uint64_t aux;    /* SCTP: what every fragment of the message must agree on (PPID, U) */
	struct sw_reasm_verdict v;
	uint16_t off[SW_REASM_PIECES_MAX], len[SW_REASM_PIECES_MAX];
	uint64_t ph[SW_REASM_PIECES_MAX]; /* keyed hash of each piece's octets */
	uint8_t key[RT_KEY_LEN];
	uint8_t same[RT_KEY_LEN]; /* SCCP: what every segment must carry alike, compared whole */
	uint32_t gen;    /* bumped for every message the entry starts (tickets, reasm.h) */
};

struct rt_table {
	struct rt_slot *s;
	struct rt_entry *e;
	uint8_t *data;     /* entries * cap octets: the buffer pool */
	uint32_t *free;    /* free buffers, a stack */
	uint32_t nfree;
	uint32_t mask;     /* entries - 1 */
	uint32_t cap;      /* octets per message */
	uint64_t timeout_ns;
	uint64_t hkey[2];  /* random per table */
};

int rt_init(struct rt_table *t, uint32_t entries, uint32_t cap, uint64_t timeout_ns);
void rt_fini(struct rt_table *t);
/* Keyed hash of n bytes. */
uint64_t rt_hash(const struct rt_table *t, const void *p, unsigned n);
/*
 * The entry of key, or a new one (RT_COLLECT since now) if there is room in its probe window.
 * Entries met in the window are aged first: an incomplete one past the timeout fails with
 * timeout_mal (and is remembered, so that its later pieces get its verdict), a failed or judged
 * one past the timeout is forgotten. Returns the index or -1 (table full around this key);
 * *created tells which.
 */
int32_t rt_get(struct rt_table *t, const uint8_t key[RT_KEY_LEN], uint64_t now_ns,
	       uint16_t timeout_mal, struct sw_reasm_stats *st, bool *created);
/* The buffer of entry i (RT_COLLECT). */
static inline uint8_t *
rt_buf(const struct rt_table *t, uint32_t i)
{
	return t->data + (uint64_t)t->e[i].buf * t->cap;
}
/* Piece idx of entry i has these octets (ph: their keyed hash, rt_hash; n: their length). */
static inline bool
rt_same_piece(const struct rt_table *t, uint32_t i, unsigned idx, uint64_t ph, uint32_t n)
{
	const struct rt_entry *e = &t->e[i];

	return (e->have >> idx & 1) && e->len[idx] == n && e->ph[idx] == ph;
}

/* Piece idx of entry i: its n octets p (keyed hash ph) appended to the entry's buffer; the
 * caller checked that the piece is new and that used + n fits. */
static inline void
rt_put_piece(struct rt_table *t, uint32_t i, unsigned idx, const uint8_t *p, uint32_t n,
	     uint64_t ph)
{
	struct rt_entry *e = &t->e[i];

	memcpy(rt_buf(t, i) + e->used, p, n);
	e->off[idx] = e->used;
	e->len[idx] = (uint16_t)n;
	e->ph[idx] = ph;
	e->used = (uint16_t)(e->used + n);
	e->have |= (uint16_t)(1u << idx);
}

/* Entry i (judged) starts a new message under its key, RT_COLLECT since now. Returns false
 * (and leaves it) when no buffer is free. */
bool rt_restart(struct rt_table *t, uint32_t i, uint64_t now);
/* Entry i is judged (complete: reassembled, else failed with mal) now, with verdict v. */
void rt_judged(struct rt_table *t, uint32_t i, uint64_t now, bool complete, uint16_t mal,
	       const struct sw_reasm_verdict *v);

#endif /* SW_REASM_TABLE_H */
