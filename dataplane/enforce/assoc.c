/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Association table: one entry per SCTP association, learned from INIT and INIT-ACK.
 *
 * Packets of direction d carry the verification tag of the endpoint on the other side, so an
 * association is found under two keys, (vtag[d], port[d], port[1-d], d) for d = 0, 1. Addresses
 * are not part of the key: every path of a multi-homed association shares the entry.
 *
 * Bounded: max_assocs entries allocated up front, and an open-addressing hash (linear probing,
 * backward-shift deletion) of at least four slots per key. When no entry is free, an INIT may
 * evict, among the next 64 entries of a clock hand, one that is idle past idle_ns or that never
 * completed its handshake within handshake_ns; otherwise the new association is not tracked
 * (counted as table_full): an INIT flood can never push out an established association.
 */
#include <stdlib.h>

#include "enforce_int.h"

#define EVICT_SCAN 64

static uint32_t
key_hash(uint32_t vtag, uint16_t sport, uint16_t dport, unsigned dir)
{
	uint64_t k = (uint64_t)vtag << 32 | (uint32_t)sport << 16 | dport;

	k ^= dir;
	k *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(k >> 32);
}

int
enf_table_init(struct sw_enforce *e)
{
	uint32_t nslots = 4;

	while (nslots < (uint64_t)e->max_assocs * 2 * 4)
		nslots <<= 1;
	/* Touched now, not on the packet path: no page fault on a worker. */
	e->assoc = malloc((size_t)e->max_assocs * sizeof(*e->assoc));
	e->slots = malloc((size_t)nslots * sizeof(*e->slots));
	if (e->assoc != NULL)
		memset(e->assoc, 0, (size_t)e->max_assocs * sizeof(*e->assoc));
	if (e->assoc == NULL || e->slots == NULL) {
		free(e->assoc);
		free(e->slots);
		e->assoc = NULL;
		e->slots = NULL;
		return -1;
	}
	e->slot_mask = nslots - 1;
	enf_table_clear(e);
	return 0;
}

void
enf_table_fini(struct sw_enforce *e)
{
	free(e->assoc);
	free(e->slots);
}

void
enf_table_clear(struct sw_enforce *e)
{
	unsigned i;

	memset(e->slots, 0, ((size_t)e->slot_mask + 1) * sizeof(*e->slots));
	for (i = 0; i < e->max_assocs; i++) {
		e->assoc[i].state = ENF_FREE;
		e->assoc[i].next_free = i + 2 <= e->max_assocs ? i + 2 : 0;
	}
	e->free_head = 1;
	e->nassoc = 0;
	e->hand = 0;
}

static bool
slot_match(const struct sw_enforce *e, uint32_t s, uint32_t vtag, uint16_t sport, uint16_t dport,
	   unsigned dir)
{
	const struct enf_assoc *a = &e->assoc[(s - 1) >> 1];
	unsigned d = (s - 1) & 1;

	return d == dir && a->vtag[d] == vtag && a->port[d] == sport && a->port[1 - d] == dport;
}

static uint32_t *
slot_find(struct sw_enforce *e, uint32_t vtag, uint16_t sport, uint16_t dport, unsigned dir)
{
	uint32_t i = key_hash(vtag, sport, dport, dir) & e->slot_mask;

	while (e->slots[i] != 0) {
		if (slot_match(e, e->slots[i], vtag, sport, dport, dir))
			return &e->slots[i];
		i = (i + 1) & e->slot_mask;
	}
	return NULL;
}

static void
slot_insert(struct sw_enforce *e, struct enf_assoc *a, unsigned dir)
{
	uint32_t i = key_hash(a->vtag[dir], a->port[dir], a->port[1 - dir], dir) & e->slot_mask;

	/* At most two keys per entry and four slots per key: there is always a free slot. */
	while (e->slots[i] != 0)
		i = (i + 1) & e->slot_mask;
	e->slots[i] = ((uint32_t)(a - e->assoc) << 1 | dir) + 1;
}

/* Backward-shift deletion keeps every probe chain unbroken without tombstones. */
static void
slot_delete(struct sw_enforce *e, uint32_t *slot)
{
	uint32_t i = (uint32_t)(slot - e->slots), j = i;

	e->slots[i] = 0;
	for (;;) {
		uint32_t s, home;
		const struct enf_assoc *a;
		unsigned d;

		j = (j + 1) & e->slot_mask;
		s = e->slots[j];
		if (s == 0)
			return;
		a = &e->assoc[(s - 1) >> 1];
		d = (s - 1) & 1;
		home = key_hash(a->vtag[d], a->port[d], a->port[1 - d], d) & e->slot_mask;
		/* Move s back into the hole at i unless its home lies cyclically in (i, j]. */
		if (((j - home) & e->slot_mask) >= ((j - i) & e->slot_mask)) {
			e->slots[i] = s;
			e->slots[j] = 0;
			i = j;
		}
	}
}

static void
unindex(struct sw_enforce *e, struct enf_assoc *a, unsigned d)
{
	uint32_t *s;

	if (!a->vtag_set[d])
		return;
	s = slot_find(e, a->vtag[d], a->port[d], a->port[1 - d], d);
	if (s != NULL)
		slot_delete(e, s);
	a->vtag_set[d] = false;
}

void
enf_assoc_delete(struct sw_enforce *e, struct enf_assoc *a)
{
	if (a->state == ENF_FREE)
		return;
	unindex(e, a, 0);
	unindex(e, a, 1);
	a->state = ENF_FREE;
	a->next_free = e->free_head;
	e->free_head = (uint32_t)(a - e->assoc) + 1;
	e->nassoc--;
}

static bool
expired(const struct sw_enforce *e, const struct enf_assoc *a, uint64_t now_ns)
{
	if (now_ns - a->last_ns > e->idle_ns && now_ns > a->last_ns)
		return true;
	return a->state != ENF_UP && now_ns > a->created_ns &&
	       now_ns - a->created_ns > e->handshake_ns;
}

struct enf_assoc *
enf_lookup(struct sw_enforce *e, uint32_t vtag, uint16_t sport, uint16_t dport, unsigned dir,
	   uint64_t now_ns)
{
	uint32_t *s = slot_find(e, vtag, sport, dport, dir);
	struct enf_assoc *a;

	if (s == NULL)
		return NULL;
	a = &e->assoc[(*s - 1) >> 1];
	if (now_ns > a->last_ns && now_ns - a->last_ns > e->idle_ns) {
		e->ctr[SW_ENF_ASSOC_EXPIRED]++;
		enf_assoc_delete(e, a);
		return NULL;
	}
	return a;
}

static struct enf_assoc *
assoc_alloc(struct sw_enforce *e, uint64_t now_ns)
{
	struct enf_assoc *a;
	unsigned i;

	if (e->free_head == 0) {
		for (i = 0; i < EVICT_SCAN && i < e->max_assocs; i++) {
			a = &e->assoc[e->hand];
			e->hand = (e->hand + 1) % e->max_assocs;
			if (a->state != ENF_FREE && expired(e, a, now_ns)) {
				e->ctr[SW_ENF_ASSOC_EXPIRED]++;
				enf_assoc_delete(e, a);
				break;
			}
		}
		if (e->free_head == 0) {
			e->ctr[SW_ENF_TABLE_FULL]++;
			return NULL;
		}
	}
	a = &e->assoc[e->free_head - 1];
	e->free_head = a->next_free;
	memset(a, 0, sizeof(*a));
	a->created_ns = a->last_ns = now_ns;
	e->nassoc++;
	return a;
}

/* INIT sent in direction dir by the endpoint on side dir (RFC 4960 3.3.2). */
void
enf_learn_init(struct sw_enforce *e, const uint8_t *ch, uint16_t clen, uint16_t sport,
	       uint16_t dport, unsigned dir, uint64_t now_ns)
{
	uint32_t itag, a_rwnd, itsn;
	struct enf_assoc *a;

	if (clen < SCTP_INIT_HLEN)
		return;
	itag = rd32(ch + 4); /* Initiate Tag: carried by packets of the other direction */
	a_rwnd = rd32(ch + 8);
	itsn = rd32(ch + 16); /* Initial TSN */
	if (itag == 0)	      /* RFC 4960 3.3.2: must not be 0 */
		return;
	/* A retransmitted INIT during the handshake starts the entry afresh. Once established,
	 * an INIT reusing the tag (forged, or a restart that the peer will answer with new tags)
	 * must not wipe the repair state of the running association. */
	a = enf_lookup(e, itag, dport, sport, 1 - dir, now_ns);
	if (a != NULL && a->state == ENF_UP) {
		e->ctr[SW_ENF_INIT_IGNORED]++;
		return;
	}
	if (a != NULL)
		enf_assoc_delete(e, a);
	a = assoc_alloc(e, now_ns);
	if (a == NULL)
		return;
	a->state = ENF_INIT;
	a->port[dir] = sport;
	a->port[1 - dir] = dport;
	a->vtag[1 - dir] = itag;
	a->vtag_set[1 - dir] = true;
	slot_insert(e, a, 1 - dir);
	enf_flow_init(&a->fl[dir], itsn);
	a->fl[1 - dir].a_rwnd = a_rwnd;
	e->ctr[SW_ENF_ASSOC_NEW]++;
}

/* INIT-ACK sent in direction dir, answering an INIT of direction 1 - dir (RFC 4960 3.3.3). */
void
enf_learn_init_ack(struct sw_enforce *e, const uint8_t *ch, uint16_t clen, uint32_t vtag,
		   uint16_t sport, uint16_t dport, unsigned dir, uint64_t now_ns)
{
	uint32_t itag, a_rwnd, itsn;
	struct enf_assoc *a;
	unsigned o = 1 - dir;

	if (clen < SCTP_INIT_HLEN)
		return;
	itag = rd32(ch + 4);
	a_rwnd = rd32(ch + 8);
	itsn = rd32(ch + 16);
	if (itag == 0)
		return;
	a = enf_lookup(e, vtag, sport, dport, dir, now_ns);
	if (a == NULL) {
		e->ctr[SW_ENF_UNKNOWN_ASSOC]++;
		return;
	}
	if (a->state == ENF_UP) {
		e->ctr[SW_ENF_INIT_IGNORED]++; /* late duplicate or forged: keep the running state
						*/
		return;
	}
	if (a->vtag_set[o] && a->vtag[o] != itag)
		unindex(e, a, o);
	if (!a->vtag_set[o]) {
		/* Another entry under the same key (a stale association) gives way. */
		uint32_t *s = slot_find(e, itag, a->port[o], a->port[dir], o);

		if (s != NULL)
			enf_assoc_delete(e, &e->assoc[(*s - 1) >> 1]);
		a->vtag[o] = itag;
		a->vtag_set[o] = true;
		slot_insert(e, a, o);
	}
	enf_flow_init(&a->fl[dir], itsn);
	a->fl[o].a_rwnd = a_rwnd;
	if (a->state == ENF_INIT) {
		a->state = ENF_HALF;
		e->ctr[SW_ENF_ASSOC_UP]++;
	}
	a->last_ns = now_ns;
}
