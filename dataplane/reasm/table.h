/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reassembly table shared by the reassemblers of dataplane/reasm (internal): bounded,
 * allocated up front, keyed hash with bounded probing, pieces stored in arrival order in a
 * per-entry buffer and joined in message order when the message is complete.
 */
#ifndef SW_REASM_TABLE_H
#define SW_REASM_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "reasm.h"

#define RT_KEY_LEN 64 /* key bytes (zero padded); compared whole */

enum rt_state {
	RT_FREE = 0,
	RT_COLLECT, /* pieces arriving */
	RT_FAILED,  /* failed (mal), the verdict not given yet */
	RT_JUDGED,  /* verdict given: later pieces get it */
};

struct rt_entry {
	uint8_t state;   /* enum rt_state */
	bool complete;   /* JUDGED: was reassembled (else: failed) */
	uint8_t total;   /* pieces in the message, 0 while unknown */
	uint16_t have;   /* bit i: piece i held */
	uint16_t used;   /* octets of buf in use */
	uint16_t mal;    /* FAILED/JUDGED-failed: the reason */
	uint64_t t0;     /* first piece (timeout) */
	uint64_t tend;   /* judged (how long it is remembered) */
	uint64_t aux;    /* hash of what every piece of the message must agree on */
	struct sw_reasm_verdict v;
	uint16_t off[SW_REASM_PIECES_MAX], len[SW_REASM_PIECES_MAX];
	uint8_t key[RT_KEY_LEN];
};

struct rt_table {
	struct rt_entry *e;
	uint8_t *data;     /* entries * cap octets */
	uint32_t mask;     /* entries - 1 */
	uint32_t cap;      /* octets per message */
	uint64_t timeout_ns;
	uint64_t hkey[2];  /* random per table */
};

int rt_init(struct rt_table *t, uint32_t entries, uint32_t cap, uint64_t timeout_ns);
void rt_fini(struct rt_table *t);
/* Keyed hash of n bytes (n a multiple of 8). */
uint64_t rt_hash(const struct rt_table *t, const void *p, unsigned n);
/*
 * The entry of key, or a new one (state RT_COLLECT, t0 now) if there is room in its probe
 * window; expired entries met in the window are aged first (an incomplete one becomes RT_FAILED
 * with SW_MAL_SCCP_REASM_TIMEOUT-like reason `timeout_mal`, a judged one is freed). Returns the
 * index or -1 (table full around this key). *created tells which.
 */
int32_t rt_get(struct rt_table *t, const uint8_t key[RT_KEY_LEN], uint64_t now_ns,
	       uint16_t timeout_mal, struct sw_reasm_stats *st, bool *created);
static inline uint8_t *
rt_buf(const struct rt_table *t, uint32_t i)
{
	return t->data + (uint64_t)i * t->cap;
}
/* Fail entry i with reason mal (unless it already failed or was judged). */
void rt_fail(struct rt_entry *e, uint16_t mal);

#endif /* SW_REASM_TABLE_H */
