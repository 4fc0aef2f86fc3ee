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
 *
 * Hash flooding (issue 13 finding 5): the tags are chosen by the peers, so an unkeyed hash lets
 * an attacker send INITs whose keys all land in one probe chain (4,096 crafted INITs made a DATA
 * lookup cost 2,727 ns instead of 17 ns). The hash is keyed with 128 random bits drawn from
 * getrandom() per table, and probing is bounded: every key lies within PROBE_MAX slots of its
 * home, lookups never look further. When those PROBE_MAX slots are all taken, an INIT evicts
 * the one of them that is expired or still half-open (oldest first, counted in assoc_evicted);
 * established associations are never evicted for it: the new one is not tracked
 * (probe_full).
 */
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#include "enforce_int.h"

#define EVICT_SCAN 64
#define PROBE_MAX  16 /* slots a key may lie from its home slot */

/* Keyed multiply-xorshift of the 64-bit key and the direction: the key halves enter before each
 * multiplication, so without them an attacker cannot predict which keys collide. */
static inline uint32_t
key_hash(const struct sw_enforce *e, uint32_t vtag, uint16_t sport, uint16_t dport, unsigned dir)
{
	uint64_t k = ((uint64_t)vtag << 32 | (uint32_t)sport << 16 | dport) ^ e->hkey[0];

	k += (uint64_t)dir << 63 | dir;
	k *= 0xbf58476d1ce4e5b9ull;
	k ^= k >> 31;
	k ^= e->hkey[1];
	k *= 0x94d049bb133111ebull;
	k ^= k >> 29;
	return (uint32_t)(k >> 32);
}

uint32_t
enf_key_hash(const struct sw_enforce *e, uint32_t vtag, uint16_t sport, uint16_t dport,
	     unsigned dir)
{
	return key_hash(e, vtag, sport, dport, dir);
}

/* Remember why the key (vtag, sport, dport, dir) is not tracked: expired or evicted
 * (SW_ENF_EXPIRED_BLOCKED), or no room for its INIT (SW_ENF_UNTRACKED_BLOCKED). A later entry
 * under the same hash replaces it: the reason is best effort, the fallback is the same. */
static void
ghost_put(struct sw_enforce *e, uint32_t vtag, uint16_t sport, uint16_t dport, unsigned dir,
	  enum sw_enf_ctr why)
{
	struct enf_ghost *g = &e->ghost[key_hash(e, vtag, sport, dport, dir) % ENF_GHOSTS];

	g->vtag = vtag;
	g->sport = sport;
	g->dport = dport;
	g->dir = (uint8_t)dir;
	g->used = 1;
	g->why = (uint16_t)why;
}

static void
ghost_assoc(struct sw_enforce *e, const struct enf_assoc *a, enum sw_enf_ctr why)
{
	unsigned d;

	for (d = 0; d < 2; d++)
		if (a->vtag_set[d])
			ghost_put(e, a->vtag[d], a->port[d], a->port[1 - d], d, why);
}

enum sw_enf_ctr
enf_ghost_why(const struct sw_enforce *e, uint32_t vtag, uint16_t sport, uint16_t dport,
	      unsigned dir)
{
	const struct enf_ghost *g = &e->ghost[key_hash(e, vtag, sport, dport, dir) % ENF_GHOSTS];

	if (g->used && g->vtag == vtag && g->sport == sport && g->dport == dport && g->dir == dir)
		return (enum sw_enf_ctr)g->why;
	return SW_ENF_UNKNOWN_BLOCKED;
}

static void
info_fill(const struct enf_assoc *a, struct sw_enforce_assoc_info *o)
{
	unsigned d;

	memset(o, 0, sizeof(*o));
	for (d = 0; d < 2; d++) {
		o->vtag[d] = a->vtag_set[d] ? a->vtag[d] : 0;
		o->port[d] = a->port[d];
		memcpy(o->addr[d], a->addr[d], 16);
		o->chunks_removed[d] = a->st_removed[d];
		o->tsn_offset[d] = a->fl[d].rem_base + a->fl[d].rem_cnt;
	}
	o->ip_ver = a->ip_ver;
	o->up = a->state == ENF_UP;
	o->sacks_generated = a->st_sack_gen;
	o->retrans_removed = a->st_retrans;
	o->last_error = a->st_last_err != 0 ? a->st_last_err : SW_ENF_CTR_COUNT;
	o->last_ns = a->last_ns;
}

unsigned
sw_enforce_assoc_snapshot(const struct sw_enforce *e, struct sw_enforce_assoc_info *out,
			  unsigned max)
{
	unsigned i, n = 0;

	for (i = 0; i < e->max_assocs && n < max; i++)
		if (e->assoc[i].state != ENF_FREE)
			info_fill(&e->assoc[i], &out[n++]);
	return n;
}

static int
top_cmp(const void *x, const void *y)
{
	const struct enf_top *a = x, *b = y;

	if (a->score != b->score)
		return a->score < b->score ? 1 : -1;
	if (a->last_ns != b->last_ns)
		return a->last_ns < b->last_ns ? 1 : -1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

unsigned
sw_enforce_assoc_top(struct sw_enforce *e, struct sw_enforce_assoc_info *out, unsigned max)
{
	unsigned i, n = 0;

	for (i = 0; i < e->max_assocs; i++) {
		const struct enf_assoc *a = &e->assoc[i];

		if (a->state == ENF_FREE)
			continue;
		e->top[n].score = (uint64_t)a->st_removed[0] + a->st_removed[1] + a->st_sack_gen +
				  a->st_retrans;
		e->top[n].last_ns = a->last_ns;
		e->top[n].idx = i;
		n++;
	}
	qsort(e->top, n, sizeof(e->top[0]), top_cmp);
	for (i = 0; i < n && i < max; i++)
		info_fill(&e->assoc[e->top[i].idx], &out[i]);
	return i;
}

uint32_t
sw_enforce_home_slot(const struct sw_enforce *e, uint32_t vtag, uint16_t sport, uint16_t dport,
		     unsigned dir)
{
	return key_hash(e, vtag, sport, dport, dir) & e->slot_mask;
}

/* Slot values: (index << 3 | k << 1 | dir) + 1, k 0: the tag vtag[dir], k >= 1: the handshake
 * candidate cand[k - 1] (enforce_int.h). */
static inline struct enf_assoc *
slot_assoc(const struct sw_enforce *e, uint32_t s)
{
	return &e->assoc[(s - 1) >> 3];
}

static inline unsigned
slot_dir(uint32_t s)
{
	return (s - 1) & 1;
}

static inline unsigned
slot_k(uint32_t s)
{
	return ((s - 1) >> 1) & 3;
}

static inline uint32_t
slot_val(const struct sw_enforce *e, const struct enf_assoc *a, unsigned k, unsigned dir)
{
	return ((uint32_t)(a - e->assoc) << 3 | k << 1 | dir) + 1;
}

static inline uint32_t
key_tag(const struct enf_assoc *a, unsigned d, unsigned k)
{
	return k == 0 ? a->vtag[d] : a->cand[k - 1].tag;
}

static void
hash_key_init(struct sw_enforce *e)
{
	struct timespec ts;
	uint64_t k[2];

	if (getrandom(k, sizeof(k), GRND_NONBLOCK) != (ssize_t)sizeof(k)) {
		/* no entropy yet (early boot): still different per start and per table */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		k[0] = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)ts.tv_sec;
		k[1] = (uint64_t)(uintptr_t)e * 0xff51afd7ed558ccdull ^ k[0] >> 17;
	}
	e->hkey[0] = k[0];
	e->hkey[1] = k[1] | 1;
}

/* The flow of one direction, from the initial TSN of its INIT or INIT-ACK. */
void
enf_flow_init(struct enf_flow *f, uint32_t itsn)
{
	uint32_t a_rwnd = f->a_rwnd;

	memset(f, 0, sizeof(*f));
	f->known = true;
	f->max_tsn = itsn - 1;
	f->cum_rcv = itsn - 1;
	f->cum_told = itsn - 1;
	f->a_rwnd = a_rwnd;
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
	e->top = calloc(e->max_assocs, sizeof(*e->top));
	if (e->assoc != NULL)
		memset(e->assoc, 0, (size_t)e->max_assocs * sizeof(*e->assoc));
	if (e->assoc == NULL || e->slots == NULL || e->top == NULL) {
		free(e->assoc);
		free(e->slots);
		free(e->top);
		e->assoc = NULL;
		e->slots = NULL;
		e->top = NULL;
		return -1;
	}
	e->slot_mask = nslots - 1;
	hash_key_init(e);
	enf_table_clear(e);
	return 0;
}

void
enf_table_fini(struct sw_enforce *e)
{
	free(e->assoc);
	free(e->slots);
	free(e->top);
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
	const struct enf_assoc *a = slot_assoc(e, s);
	unsigned d = slot_dir(s);

	return d == dir && key_tag(a, d, slot_k(s)) == vtag && a->port[d] == sport &&
	       a->port[1 - d] == dport;
}

static uint32_t *
slot_find(struct sw_enforce *e, uint32_t vtag, uint16_t sport, uint16_t dport, unsigned dir)
{
	uint32_t i = key_hash(e, vtag, sport, dport, dir) & e->slot_mask;
	unsigned p;

	for (p = 0; p < PROBE_MAX && e->slots[i] != 0; p++) {
		if (slot_match(e, e->slots[i], vtag, sport, dport, dir))
			return &e->slots[i];
		i = (i + 1) & e->slot_mask;
	}
	return NULL;
}

static bool expired(const struct sw_enforce *e, const struct enf_assoc *a, uint64_t now_ns);

/*
 * Index entry a under its key of direction dir (k: 0, or the candidate k - 1), within PROBE_MAX
 * slots of the key's home. When
 * they are all taken, the expired or half-open entry among them that is oldest gives way
 * (assoc_evicted; its slot is taken over in place, so no probe chain breaks); established
 * associations never do: false (probe_full), a is not indexed.
 */
static bool
slot_insert(struct sw_enforce *e, struct enf_assoc *a, unsigned dir, unsigned k, uint64_t now_ns)
{
	uint32_t i = key_hash(e, key_tag(a, dir, k), a->port[dir], a->port[1 - dir], dir) &
		     e->slot_mask;
	uint32_t *victim = NULL;
	struct enf_assoc *v = NULL;
	unsigned p;

	for (p = 0; p < PROBE_MAX; p++, i = (i + 1) & e->slot_mask) {
		struct enf_assoc *o;

		if (e->slots[i] == 0) {
			e->slots[i] = slot_val(e, a, k, dir);
			return true;
		}
		o = slot_assoc(e, e->slots[i]);
		if (o == a || (o->state == ENF_UP && !expired(e, o, now_ns)))
			continue;
		if (v == NULL || o->created_ns < v->created_ns) {
			v = o;
			victim = &e->slots[i];
		}
	}
	if (v == NULL) {
		e->ctr[SW_ENF_PROBE_FULL]++;
		return false;
	}
	e->ctr[SW_ENF_ASSOC_EVICTED]++;
	/* Take the victim's slot over, then drop the victim (its other key, if any, is deleted
	 * by backward shift, which only moves keys toward their home). */
	if (slot_k(*victim) == 0)
		v->vtag_set[slot_dir(*victim)] = false;
	/* (a candidate's key is no longer found: unindexing it finds nothing) */
	*victim = slot_val(e, a, k, dir);
	ghost_assoc(e, v, SW_ENF_EXPIRED_BLOCKED);
	enf_assoc_delete(e, v);
	return true;
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
		a = slot_assoc(e, s);
		d = slot_dir(s);
		home = key_hash(e, key_tag(a, d, slot_k(s)), a->port[d], a->port[1 - d], d) &
		       e->slot_mask;
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

/* Forget the handshake candidates (their keys leave the index). */
static void
cand_clear(struct sw_enforce *e, struct enf_assoc *a)
{
	unsigned d = a->cand_dir, k;

	for (k = a->ncand; k >= 1; k--) {
		uint32_t *s = slot_find(e, a->cand[k - 1].tag, a->port[d], a->port[1 - d], d);

		if (s != NULL && slot_assoc(e, *s) == a && slot_k(*s) == k)
			slot_delete(e, s);
	}
	a->ncand = 0;
}

void
enf_assoc_delete(struct sw_enforce *e, struct enf_assoc *a)
{
	if (a->state == ENF_FREE)
		return;
	cand_clear(e, a);
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

	e->lk_cand = 0;
	if (s == NULL)
		return NULL;
	a = slot_assoc(e, *s);
	e->lk_cand = slot_k(*s);
	if (now_ns > a->last_ns && now_ns - a->last_ns > e->idle_ns) {
		e->ctr[SW_ENF_ASSOC_EXPIRED]++;
		ghost_assoc(e, a, SW_ENF_EXPIRED_BLOCKED);
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
				ghost_assoc(e, a, SW_ENF_EXPIRED_BLOCKED);
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
	/* Once established, an INIT reusing the tag (forged, or a restart that the peer will
	 * answer with new tags) must not wipe the repair state of the running association. The
	 * same INIT again during the handshake (duplicated on the way, or retransmitted by T1-init,
	 * RFC 9260 5.1) keeps the entry: the INIT-ACK it draws is kept as a candidate beside the
	 * first (enf_learn_init_ack), and the initiator's first packet tells which one it used. */
	a = enf_lookup(e, itag, dport, sport, 1 - dir, now_ns);
	if (a != NULL && a->state == ENF_UP) {
		e->ctr[SW_ENF_INIT_IGNORED]++;
		return;
	}
	if (a != NULL && e->lk_cand == 0 && a->fl[dir].known && a->init_tsn == itsn &&
	    a->port[dir] == sport) {
		e->ctr[SW_ENF_INIT_REPEATED]++;
		return;
	}
	if (a != NULL)
		enf_assoc_delete(e, a);
	a = assoc_alloc(e, now_ns);
	if (a == NULL) {
		ghost_put(e, itag, dport, sport, 1 - dir, SW_ENF_UNTRACKED_BLOCKED);
		return;
	}
	a->state = ENF_INIT;
	a->port[dir] = sport;
	a->port[1 - dir] = dport;
	a->vtag[1 - dir] = itag;
	a->vtag_set[1 - dir] = true;
	a->init_tsn = itsn;
	a->cand_dir = (uint8_t)dir;
	if (!slot_insert(e, a, 1 - dir, 0, now_ns)) {
		a->vtag_set[1 - dir] = false;
		enf_assoc_delete(e, a);
		ghost_put(e, itag, dport, sport, 1 - dir, SW_ENF_UNTRACKED_BLOCKED);
		return;
	}
	enf_flow_init(&a->fl[dir], itsn);
	a->fl[1 - dir].a_rwnd = a_rwnd;
	e->ctr[SW_ENF_ASSOC_NEW]++;
}

/* Make room for a candidate: the oldest is forgotten, the others re-indexed one k lower. */
static void
cand_clear_oldest(struct sw_enforce *e, struct enf_assoc *a, uint64_t now_ns)
{
	struct enf_cand keep[ENF_CAND];
	unsigned n = a->ncand, i, d = a->cand_dir;

	memcpy(keep, a->cand, sizeof(keep));
	cand_clear(e, a);
	for (i = 1; i < n; i++) {
		a->cand[a->ncand] = keep[i];
		if (slot_find(e, keep[i].tag, a->port[d], a->port[1 - d], d) == NULL) {
			a->ncand++;
			if (!slot_insert(e, a, d, a->ncand, now_ns))
				a->ncand--;
		}
	}
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
		enum sw_enf_ctr why = enf_ghost_why(e, vtag, sport, dport, dir);

		/* an INIT we could not track: its other tag gets the same reason */
		if (why != SW_ENF_UNKNOWN_BLOCKED)
			ghost_put(e, itag, dport, sport, o, why);
		e->ctr[SW_ENF_UNKNOWN_ASSOC]++;
		return;
	}
	if (a->state == ENF_UP) {
		e->ctr[SW_ENF_INIT_IGNORED]++; /* late duplicate or forged: keep the running state
						*/
		return;
	}
	/* RFC 9260 5.2.1: the responder keeps no state before COOKIE-ECHO and answers a duplicated
	 * or retransmitted INIT with another INIT-ACK: another tag, another initial TSN. 5.2.3: the
	 * initiator uses the first INIT-ACK it RECEIVES and discards the others; which one that is
	 * depends on what is lost after us. So every further INIT-ACK is kept as a candidate (up to
	 * ENF_CAND, the newest replacing the oldest), indexed under its own key, and the
	 * initiator's first packet (its COOKIE-ECHO, RFC 9260 5.1 step D) confirms one of them
	 * (enf_confirm); the others are forgotten. */
	if (a->state == ENF_HALF && a->vtag_set[o] && a->vtag[o] != itag) {
		unsigned i;

		for (i = 0; i < a->ncand; i++)
			if (a->cand[i].tag == itag)
				return; /* the same INIT-ACK again */
		if (slot_find(e, itag, a->port[o], a->port[dir], o) != NULL) {
			e->ctr[SW_ENF_INIT_IGNORED]++; /* its key is taken: not a candidate */
			return;
		}
		if (a->ncand == ENF_CAND) {
			/* forget the oldest; the others move down one k, so re-index them */
			cand_clear_oldest(e, a, now_ns);
		}
		a->cand[a->ncand].tag = itag;
		a->cand[a->ncand].itsn = itsn;
		a->cand[a->ncand].a_rwnd = a_rwnd;
		a->ncand++;
		if (!slot_insert(e, a, o, a->ncand, now_ns)) {
			a->ncand--;
			return;
		}
		e->ctr[SW_ENF_INIT_ACK_CAND]++;
		return;
	}
	if (a->vtag_set[o] && a->vtag[o] != itag)
		unindex(e, a, o);
	if (!a->vtag_set[o]) {
		/* Another entry under the same key (a stale association) gives way. */
		uint32_t *s = slot_find(e, itag, a->port[o], a->port[dir], o);

		if (s != NULL)
			enf_assoc_delete(e, slot_assoc(e, *s));
		a->vtag[o] = itag;
		a->vtag_set[o] = true;
		if (!slot_insert(e, a, o, 0, now_ns)) {
			a->vtag_set[o] = false;
			ghost_assoc(e, a, SW_ENF_UNTRACKED_BLOCKED);
			ghost_put(e, itag, a->port[o], a->port[dir], o, SW_ENF_UNTRACKED_BLOCKED);
			enf_assoc_delete(e, a);
			return;
		}
	}
	enf_flow_init(&a->fl[dir], itsn);
	a->fl[o].a_rwnd = a_rwnd;
	if (a->state == ENF_INIT) {
		a->state = ENF_HALF;
		e->ctr[SW_ENF_ASSOC_UP]++;
	}
	a->last_ns = now_ns;
}

/*
 * The initiator's first packet after the INIT-ACKs (checksum verified by the caller) carries the
 * tag of the INIT-ACK it used (RFC 9260 5.2.3, 8.5): k 0 is the first one we saw, k >= 1 the
 * candidate k - 1. That one becomes the association's tag, with its initial TSN for the
 * responder's data and its window; the other candidates are forgotten.
 */
void
enf_confirm(struct sw_enforce *e, struct enf_assoc *a, unsigned k, uint64_t now_ns)
{
	unsigned o = a->cand_dir;
	struct enf_cand c;

	if (k == 0 || k > a->ncand) {
		cand_clear(e, a);
		return;
	}
	c = a->cand[k - 1];
	cand_clear(e, a);
	unindex(e, a, o);
	a->vtag[o] = c.tag;
	a->vtag_set[o] = true;
	if (!slot_insert(e, a, o, 0, now_ns)) {
		a->vtag_set[o] = false;
		ghost_assoc(e, a, SW_ENF_UNTRACKED_BLOCKED);
		ghost_put(e, c.tag, a->port[o], a->port[1 - o], o, SW_ENF_UNTRACKED_BLOCKED);
		enf_assoc_delete(e, a);
		return;
	}
	enf_flow_init(&a->fl[1 - o], c.itsn);
	a->fl[o].a_rwnd = c.a_rwnd;
	e->ctr[SW_ENF_CAND_CONFIRMED]++;
}
