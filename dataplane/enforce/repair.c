/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Association repair (ARCHITECTURE.md section 6).
 *
 * Per direction the sender numbers DATA chunks with TSNs (and ordered messages with per-stream
 * SSNs, or I-DATA MIDs). Removing chunks leaves holes that the receiver would wait for forever,
 * so every later number is shifted down by the count of removed numbers below it:
 *     new = orig - (removed numbers < orig)
 * The removed TSNs are kept, ascending, until the sender's cumulative ack passes them; the
 * count of those already dropped from the list is rem_base (all of them lie below any number
 * still in play). The reverse direction's SACK is mapped back with the inverse, and extended
 * over removed TSNs: the receiver will never acknowledge them, the sender must see them acked.
 *
 * A retransmission keeps the verdict and the new numbers of its first transmission: a window
 * of ENF_WIN bits per direction records which TSNs were seen and which were removed, and the
 * mapping of a TSN never changes once a later TSN has been forwarded (removals only happen at
 * the front, to TSNs above every TSN seen so far).
 */
#include "enforce_int.h"

#include "dataplane/proto/m2pa.h"

/*
 * CRC32c of a repaired packet. Rewrites that keep the packet's length (renumbered DATA,
 * translated SACK, SHUTDOWN, FORWARD-TSN) update the checksum incrementally: the CRC is linear,
 * so each change contributes the CRC of (old ^ new) shifted over the bytes after it. An error
 * already in the packet stays an error, so nothing needs verifying. A packet that loses chunks
 * or changes length gets a full recomputation, after checking the checksum it came with (a
 * corrupted packet must not come out with a valid checksum).
 */
static bool
need_full(struct sw_enforce *e)
{
	uint8_t *sc;
	uint32_t stored;

	if (e->crc_full)
		return !e->crc_bad;
	e->crc_full = true;
	if (e->crc_verified)
		return !e->crc_bad;
	sc = e->pk_buf + e->pk_l4;
	stored = (uint32_t)sc[SCTP_CSUM_OFF] | (uint32_t)sc[SCTP_CSUM_OFF + 1] << 8 |
		 (uint32_t)sc[SCTP_CSUM_OFF + 2] << 16 | (uint32_t)sc[SCTP_CSUM_OFF + 3] << 24;
	if (enf_crc_calc(sc, e->pk_end - e->pk_l4) != (stored ^ e->crc_acc))
		e->crc_bad = true;
	return !e->crc_bad;
}

/*
 * The packet's own checksum, before anything in it may change repair state (issue 13 finding
 * 6: a forged ABORT or SHUTDOWN-COMPLETE with a wrong CRC32c, which the receiver discards,
 * deleted the association's state, and the association stalled; the same holds for a SACK, a
 * FORWARD-TSN or DATA). Called before any change to the packet, so crc_acc is still 0.
 */
static bool
crc_verify(struct sw_enforce *e)
{
	if (!e->crc_verified) {
		e->crc_verified = true;
		e->crc_bad = !enf_crc_ok(e->pk_buf + e->pk_l4, e->pk_end - e->pk_l4);
	}
	return !e->crc_bad;
}

/* Write nv over p[0, k) of the packet being repaired, keeping the CRC accounting. */
static void
patch(struct sw_enforce *e, uint8_t *p, const uint8_t *nv, uint32_t k)
{
	uint8_t d[64];
	uint32_t j, m, i;

	if (e->crc_full) {
		memmove(p, nv, k);
		return;
	}
	for (j = 0; j < k; j += m) {
		uint64_t any = 0;

		m = k - j < sizeof(d) ? k - j : (uint32_t)sizeof(d);
		for (i = 0; i + 8 <= m; i += 8) {
			uint64_t a, b;

			memcpy(&a, p + j + i, 8);
			memcpy(&b, nv + j + i, 8);
			a ^= b;
			any |= a;
			memcpy(d + i, &a, 8);
		}
		for (; i < m; i++) {
			d[i] = p[j + i] ^ nv[j + i];
			any |= d[i];
		}
		if (any == 0)
			continue;
		memcpy(p + j, nv + j, m);
		e->crc_acc ^= enf_crc_delta(d, m, e->pk_end - (uint32_t)(p + j + m - e->pk_buf));
	}
}

/* The common case, a DATA chunk's 8 (DATA) or 12 (I-DATA) header bytes from its TSN on. */
static inline void
patch12(struct sw_enforce *e, uint8_t *p, const uint8_t nv[12], uint32_t k)
{
	uint64_t o0, n0;
	uint32_t o1 = 0, n1 = 0;
	uint8_t d[12];

	if (e->crc_full) {
		memcpy(p, nv, k);
		return;
	}
	memcpy(&o0, p, 8);
	memcpy(&n0, nv, 8);
	if (k == 12) {
		memcpy(&o1, p + 8, 4);
		memcpy(&n1, nv + 8, 4);
	}
	o0 ^= n0;
	o1 ^= n1;
	memcpy(d, &o0, 8);
	memcpy(d + 8, &o1, 4);
	memcpy(p, nv, 8);
	if (k == 12)
		memcpy(p + 8, nv + 8, 4);
	e->crc_acc ^= enf_crc_delta(d, k, e->pk_end - (uint32_t)(p + k - e->pk_buf));
}

static inline bool
in_window(const struct enf_flow *f, uint32_t tsn)
{
	return tsn_le(tsn, f->max_tsn) && f->max_tsn - tsn < ENF_WIN;
}

static inline bool
bit_get(const uint64_t *bm, uint32_t tsn)
{
	return bm[(tsn % ENF_WIN) / 64] >> (tsn % 64) & 1;
}

static inline void
bit_set(uint64_t *bm, uint32_t tsn)
{
	bm[(tsn % ENF_WIN) / 64] |= 1ull << (tsn % 64);
}

static void
window_advance(struct enf_flow *f, uint32_t tsn)
{
	uint32_t t;

	if (tsn - f->max_tsn >= ENF_WIN) {
		memset(f->seen, 0, sizeof(f->seen));
		memset(f->removed, 0, sizeof(f->removed));
	} else {
		for (t = f->max_tsn + 1; t != tsn + 1; t++) {
			f->seen[(t % ENF_WIN) / 64] &= ~(1ull << (t % 64));
			f->removed[(t % ENF_WIN) / 64] &= ~(1ull << (t % 64));
		}
	}
	f->max_tsn = tsn;
}

static inline const struct enf_rem *
rem_ent(const struct enf_flow *f, unsigned i)
{
	return &f->rem[(f->rem_head + i) % ENF_REM_MAX];
}

static inline uint32_t
rem_at(const struct enf_flow *f, unsigned i)
{
	return rem_ent(f, i)->tsn;
}

bool
enf_tsn_removed(const struct enf_flow *f, uint32_t tsn)
{
	unsigned i;

	if (in_window(f, tsn))
		return bit_get(f->removed, tsn);
	for (i = 0; i < f->rem_cnt; i++)
		if (rem_at(f, i) == tsn)
			return true;
	return false;
}

uint32_t
enf_tsn_fwd(const struct enf_flow *f, uint32_t tsn)
{
	uint32_t n = tsn - f->rem_base;
	unsigned i;

	for (i = 0; i < f->rem_cnt && tsn_lt(rem_at(f, i), tsn); i++)
		n--;
	return n;
}

uint32_t
enf_tsn_cum_fwd(const struct enf_flow *f, uint32_t tsn)
{
	uint32_t n = tsn - f->rem_base;
	unsigned i;

	for (i = 0; i < f->rem_cnt && tsn_le(rem_at(f, i), tsn); i++)
		n--;
	return n;
}

uint32_t
enf_tsn_inv(const struct enf_flow *f, uint32_t ntsn)
{
	uint32_t o = ntsn + f->rem_base;
	unsigned i;

	for (i = 0; i < f->rem_cnt && tsn_le(rem_at(f, i), o); i++)
		o++;
	return o;
}

/* The cumulative ack cum, extended over the removed TSNs right after it. */
uint32_t
enf_extend(const struct enf_flow *f, uint32_t cum)
{
	while (tsn_lt(cum, f->max_tsn) && enf_tsn_removed(f, cum + 1))
		cum++;
	return cum;
}

static struct enf_stream *
stream_find(struct enf_flow *f, uint16_t sid, unsigned kind)
{
	unsigned i;

	if (!(f->st_filter >> (sid % 64) & 1))
		return NULL; /* no stream with this number modulo 64 had a removal */
	for (i = 0; i < ENF_STREAMS; i++)
		if (f->st[i].kind == kind && f->st[i].sid == sid)
			return &f->st[i];
	return NULL;
}

static struct enf_stream *
stream_get(struct enf_flow *f, uint16_t sid, unsigned kind)
{
	struct enf_stream *s = stream_find(f, sid, kind);
	unsigned i;

	if (s != NULL)
		return s;
	for (i = 0; i < ENF_STREAMS; i++) {
		if (f->st[i].kind == 0) {
			f->st_filter |= 1ull << (sid % 64);
			f->st[i].kind = (uint8_t)kind;
			f->st[i].sid = sid;
			f->st[i].pruned = 0;
			return &f->st[i];
		}
	}
	return NULL;
}

static unsigned
streams_free(const struct enf_flow *f)
{
	unsigned i, n = 0;

	for (i = 0; i < ENF_STREAMS; i++)
		n += f->st[i].kind == 0;
	return n;
}

static inline bool
seq_lt(unsigned kind, uint32_t a, uint32_t b)
{
	if (kind == 2)
		return (int32_t)(a - b) < 0;
	return (int16_t)(uint16_t)(a - b) < 0; /* SSN: 16-bit serial arithmetic */
}

/* Ordered message number seq of stream sid in the receiver's numbering. inclusive: for a
 * cumulative value (FORWARD-TSN), a removed number equal to seq counts too. */
uint32_t
enf_seq_fwd(const struct enf_flow *f, uint16_t sid, unsigned kind, uint32_t seq, bool inclusive)
{
	const struct enf_stream *s = stream_find((struct enf_flow *)(uintptr_t)f, sid, kind);
	uint32_t n = seq;
	unsigned i;

	if (s == NULL)
		return seq;
	n -= s->pruned;
	for (i = 0; i < f->rem_cnt; i++) {
		const struct enf_rem *r = rem_ent(f, i);

		if (r->kind == kind && r->sid == sid &&
		    (seq_lt(kind, r->seq, seq) || (inclusive && r->seq == seq)))
			n--;
	}
	return kind == 2 ? n : (uint16_t)n;
}

void
enf_flow_prune(struct enf_flow *f, uint32_t cum)
{
	while (f->rem_cnt > 0 && tsn_le(rem_at(f, 0), cum)) {
		const struct enf_rem *r = rem_ent(f, 0);

		if (r->kind != 0) {
			struct enf_stream *s = stream_find(f, r->sid, r->kind);

			if (s != NULL)
				s->pruned++;
		}
		f->rem_head = (uint16_t)((f->rem_head + 1) % ENF_REM_MAX);
		f->rem_cnt--;
		f->rem_base++;
	}
}

/* ---- per chunk ---- */

struct data_hdr {
	uint32_t tsn;
	uint16_t sid;
	uint32_t seq; /* SSN (DATA) or MID (I-DATA) */
	bool idata, ordered;
	unsigned kind; /* enf_rem.kind of an ordered message: 1 SSN, 2 MID; 0 unordered */
};

static void
data_read(const uint8_t *c, struct data_hdr *h)
{
	h->idata = c[0] == SCTP_CT_IDATA;
	h->ordered = !(c[1] & SCTP_DATA_U);
	h->tsn = rd32(c + 4);
	h->sid = rd16(c + 8);
	h->seq = h->idata ? rd32(c + 12) : rd16(c + 10); /* RFC 8260 2.1 MID; RFC 4960 SSN */
	h->kind = h->ordered ? (h->idata ? 2 : 1) : 0;
}

/* What happens to one DATA chunk, decided before any state changes. */
enum data_fate {
	FATE_KEEP,
	FATE_FRESH_REMOVE, /* first sight, blocked: removed and recorded */
	FATE_REMOVE_AGAIN, /* retransmission of a removed chunk */
	FATE_NEUTRALIZE,   /* blocked, but removing it would break numbers already given out */
};

static enum data_fate
data_fate(const struct enf_flow *f, uint32_t max, const struct data_hdr *h, bool drop)
{
	if (tsn_lt(max, h->tsn))
		return drop ? FATE_FRESH_REMOVE : FATE_KEEP;
	if (enf_tsn_removed(f, h->tsn))
		return FATE_REMOVE_AGAIN;
	return drop ? FATE_NEUTRALIZE : FATE_KEEP;
}

/*
 * A blocked chunk that cannot be removed (its TSN slot was already accounted for: forwarded
 * before, or arrived after later TSNs were forwarded; or the repair window is full; or the
 * association is not tracked) keeps its TSN and stream number, and its M3UA message is
 * replaced in place by an M3UA BEAT (RFC 4666 3.5.5) whose Heartbeat Data (tag 0x0009) is
 * zeros: the receiver's sequences stay intact and the blocked content never passes.
 *
 * A fragment of a user message (RFC 9260 6.9: not both B and E) is rewritten on its own, the
 * same way whenever it comes, so that the receiver rebuilds a harmless message of the original
 * length from the fragments: the B fragment keeps the message's length from its M3UA header
 * (RFC 4666 3.1: it spans all fragments) and becomes the header of a BEAT whose Heartbeat Data
 * runs to the end of the message, or (M2PA, PPID 5) keeps its M2PA header and becomes a
 * signalling network testing message as enf_m2pa_neutralize writes it; every other fragment is
 * zeroed. Blocked fragments are always neutralized, never removed (precheck): the fragments of
 * one message may come over several packets and retransmissions, and removal needs room for all
 * of them and nothing after them forwarded, which cannot be known at the first one.
 */
static inline bool
enf_is_fragment(const uint8_t *c)
{
	return (c[1] & (SCTP_DATA_B | SCTP_DATA_E)) != (SCTP_DATA_B | SCTP_DATA_E);
}

static bool
enf_frag_neutralizable(struct sw_enforce *e, const uint8_t *c, uint16_t clen)
{
	unsigned hl = c[0] == SCTP_CT_IDATA ? SCTP_IDATA_HLEN : SCTP_DATA_HLEN;
	const uint8_t *p = c + hl;

	if (clen < hl || c[0] == SCTP_CT_IDATA)
		return false; /* I-DATA's B fragment carries the PPID elsewhere (RFC 8260 2.1) */
	if (!(c[1] & SCTP_DATA_B))
		return true;
	if (rd32(c + hl - 4) == SCTP_PPID_M2PA) {
		unsigned lbl = enf_m2pa_label_len(e); /* the link's variant */

		return lbl != 0 && clen >= hl + M2PA_HLEN + M2PA_PRI_LEN + 1u + lbl &&
		       p[0] == M2PA_VERSION && p[2] == M2PA_CLASS;
	}
	return clen >= hl + 12u && rd32(p + 4) >= 16u;
}

static void
enf_frag_neutralize(struct sw_enforce *e, uint8_t *c, uint16_t clen)
{
	uint8_t *p = c + SCTP_DATA_HLEN;
	uint32_t l = clen - SCTP_DATA_HLEN, total;

	if (!(c[1] & SCTP_DATA_B)) {
		memset(p, 0, l);
		return;
	}
	if (rd32(c + SCTP_DATA_HLEN - 4) == SCTP_PPID_M2PA) {
		enf_m2pa_neutralize(p, l, enf_m2pa_label_len(e));
		return;
	}
	total = rd32(p + 4); /* the whole message's, RFC 4666 3.1.4: kept */
	p[0] = 1;            /* M3UA version 1, RFC 4666 3.1.1 */
	p[1] = 0;
	p[2] = 3; /* class ASPSM */
	p[3] = 3; /* BEAT */
	wr16(p + 8, 0x0009); /* Heartbeat Data, RFC 4666 3.5.5 */
	wr16(p + 10, (uint16_t)(total - 8 > 0xffff ? 0xffff : total - 8));
	memset(p + 12, 0, l - 12);
}

bool
enf_neutralizable(struct sw_enforce *e, const uint8_t *c, uint16_t clen)
{
	unsigned hl = c[0] == SCTP_CT_IDATA ? SCTP_IDATA_HLEN : SCTP_DATA_HLEN;
	uint32_t mlen;
	const uint8_t *m;

	if (enf_is_fragment(c))
		return enf_frag_neutralizable(e, c, clen);
	m = enf_m2pa_msg(c, clen, &mlen);

	if (m != NULL) /* M2PA: a BEAT would be an M3UA message on an M2PA link */
		return enf_m2pa_neutralizable(m, mlen, enf_m2pa_label_len(e));
	return (c[1] & (SCTP_DATA_B | SCTP_DATA_E)) == (SCTP_DATA_B | SCTP_DATA_E) &&
	       clen >= hl + 12u;
}

void
enf_neutralize(struct sw_enforce *e, uint8_t *c, uint16_t clen)
{
	unsigned hl = c[0] == SCTP_CT_IDATA ? SCTP_IDATA_HLEN : SCTP_DATA_HLEN;
	uint8_t *p = c + hl;
	uint32_t l = clen - hl;
	uint32_t mlen;

	if (enf_is_fragment(c)) {
		enf_frag_neutralize(e, c, clen);
		return;
	}
	if (enf_m2pa_msg(c, clen, &mlen) != NULL) {
		enf_m2pa_neutralize(p, mlen, enf_m2pa_label_len(e));
		return;
	}
	p[0] = 1; /* M3UA version 1, RFC 4666 3.1.1 */
	p[1] = 0;
	p[2] = 3; /* class ASPSM */
	p[3] = 3; /* BEAT */
	wr32(p + 4, l);
	wr16(p + 8, 0x0009); /* Heartbeat Data, RFC 4666 3.5.5 */
	wr16(p + 10, (uint16_t)(l - 8));
	memset(p + 12, 0, l - 12);
}

/*
 * Decide, before changing anything, which blocked chunks can be removed within the repair
 * state's bounds; the others are marked for neutralization. Returns SW_ENF_CTR_COUNT, or the
 * reason to drop the whole packet (a blocked fragment that can be neither removed nor
 * neutralized).
 */
static enum sw_enf_ctr
precheck(struct sw_enforce *e, const struct enf_flow *f, const uint8_t *buf, struct enf_ch *ch,
	 unsigned n)
{
	uint32_t max = f->max_tsn;
	unsigned i, fresh = 0, fresh_m2pa = 0, new_streams = 0, nfree = ~0u;

	for (i = 0; i < n; i++) {
		struct data_hdr h;
		enum data_fate fate;
		enum sw_enf_ctr why = SW_ENF_CTR_COUNT;

		ch[i].neut = false;
		if (ch[i].type != SCTP_CT_DATA && ch[i].type != SCTP_CT_IDATA)
			continue;
		if (ch[i].len < (ch[i].type == SCTP_CT_DATA ? SCTP_DATA_HLEN : SCTP_IDATA_HLEN))
			continue; /* no TSN to read: removed by the caller */
		data_read(buf + ch[i].off, &h);
		if (ch[i].drop && enf_is_fragment(buf + ch[i].off)) {
			/* a fragment of a blocked message: neutralized, never removed (above) */
			if (!enf_frag_neutralizable(e, buf + ch[i].off, ch[i].len)) {
				enf_fallback(e, e->pk_assoc, SW_ENF_FRAG_NEUTRALIZED,
					     SW_ENF_FB_DROPPED, 1);
				return SW_ENF_NEUTRALIZE_FAIL;
			}
			ch[i].neut = true;
			e->ctr[SW_ENF_FRAG_NEUTRALIZED]++;
			if (tsn_lt(max, h.tsn))
				max = h.tsn;
			continue;
		}
		fate = data_fate(f, max, &h, ch[i].drop);
		if (tsn_lt(max, h.tsn))
			max = h.tsn;
		if (fate == FATE_NEUTRALIZE) {
			why = tsn_le(f->cum_rcv, h.tsn) && in_window(f, h.tsn) &&
					      !bit_get(f->seen, h.tsn)
				      ? SW_ENF_LATE_BLOCKED
				      : SW_ENF_RETRANS_BLOCKED;
		} else if (fate == FATE_FRESH_REMOVE) {
			bool new_st = h.ordered && stream_find((struct enf_flow *)(uintptr_t)f,
							       h.sid, h.kind) == NULL;

			uint32_t mlen;
			const uint8_t *m = enf_m2pa_msg(buf + ch[i].off, ch[i].len, &mlen);
			bool m2pa = m != NULL && enf_m2pa_takes_fsn(m, mlen);

			if (f->rem_cnt + fresh + 1 > ENF_REM_MAX ||
			    (m2pa && !enf_m2pa_room(&e->pk_assoc->m2pa[e->pk_dir & 1],
						    fresh_m2pa + 1)))
				why = SW_ENF_WINDOW_FULL;
			else if (new_st && nfree == ~0u)
				nfree = streams_free(f); /* counted once, only when needed */
			if (why == SW_ENF_CTR_COUNT && new_st && new_streams + 1 > nfree)
				why = SW_ENF_STREAMS_FULL;
			if (why == SW_ENF_CTR_COUNT) {
				fresh++;
				fresh_m2pa += m2pa;
				new_streams += new_st;
			}
		}
		if (why == SW_ENF_CTR_COUNT)
			continue;
		if (enf_fail_open(e)) {
			/* fail-open (the association's class): the chunk passes unchanged */
			e->ctr[SW_ENF_FAILOPEN_PASSED]++;
			enf_fallback(e, e->pk_assoc, why, SW_ENF_FB_PASSED, 1);
			ch[i].drop = false;
			continue;
		}
		if (!enf_neutralizable(e, buf + ch[i].off, ch[i].len)) {
			enf_fallback(e, e->pk_assoc, why, SW_ENF_FB_DROPPED, 1);
			return SW_ENF_NEUTRALIZE_FAIL;
		}
		enf_fallback(e, e->pk_assoc, why, SW_ENF_FB_NEUTRALIZED, 1);
		ch[i].neut = true;
	}
	return SW_ENF_CTR_COUNT;
}

/* A removed M2PA User Data message: its FSN leaves the direction's numbering (m2pa.c). */
static void
m2pa_removed(struct sw_enforce *e, const uint8_t *c, const struct enf_ch *ch)
{
	uint32_t mlen;
	const uint8_t *m = enf_m2pa_msg(c, ch->len, &mlen);

	if (m == NULL || !enf_m2pa_takes_fsn(m, mlen))
		return;
	enf_m2pa_removed(&e->pk_assoc->m2pa[e->pk_dir & 1], rd32(m + M2PA_OFF_FSN) & 0xffffffu);
	e->ctr[SW_ENF_M2PA_REMOVED]++;
}

/* A kept M2PA message: FSN renumbered in its direction, BSN translated back (m2pa.c). */
static void
m2pa_renumber(struct sw_enforce *e, uint8_t *c, const struct enf_ch *ch, bool *changed)
{
	struct enf_assoc *a = e->pk_assoc;
	unsigned d = e->pk_dir & 1;
	uint32_t mlen;
	uint8_t *m = (uint8_t *)(uintptr_t)enf_m2pa_msg(c, ch->len, &mlen);
	uint8_t nv[8];

	if (m == NULL || !enf_m2pa_rewrite(&a->m2pa[d], &a->m2pa[1 - d], m, nv))
		return;
	patch(e, m + M2PA_OFF_BSN, nv, sizeof(nv));
	e->ctr[SW_ENF_M2PA_RENUMBERED]++;
	*changed = true;
}

static void
data_apply(struct sw_enforce *e, struct enf_flow *f, uint8_t *c, struct enf_ch *ch, bool *changed)
{
	struct data_hdr h;
	enum data_fate fate;
	uint32_t ntsn;
	bool renum = false;

	data_read(c, &h);
	fate = ch->neut ? FATE_KEEP : data_fate(f, f->max_tsn, &h, ch->drop);
	if (tsn_lt(f->max_tsn, h.tsn))
		window_advance(f, h.tsn);
	if (in_window(f, h.tsn))
		bit_set(f->seen, h.tsn);
	if (fate == FATE_FRESH_REMOVE) {
		struct enf_rem *r = &f->rem[(f->rem_head + f->rem_cnt) % ENF_REM_MAX];
		const struct enf_rem *last = f->rem_cnt > 0 ? rem_ent(f, f->rem_cnt - 1u) : NULL;

		bit_set(f->removed, h.tsn);
		r->tsn = h.tsn;
		r->sid = h.sid;
		r->seq = h.seq;
		r->kind = (uint8_t)h.kind;
		/* Fragments of one ordered message share its number: it is removed once, with
		 * the B fragment (RFC 9260 6.9; a message's fragments share one verdict, and
		 * they may be removed over several packets, the first entries already pruned
		 * by the receiver's acknowledgement when a later fragment comes). Room for the
		 * stream was checked by precheck. */
		if (h.kind != 0 && (!(c[1] & SCTP_DATA_B) ||
				    (last != NULL && last->kind == h.kind && last->sid == h.sid &&
				     last->seq == h.seq) ||
				    stream_get(f, h.sid, h.kind) == NULL))
			r->kind = 0;
		f->rem_cnt++;
		f->rem_total++;
		m2pa_removed(e, c, ch);
	}
	if (fate == FATE_FRESH_REMOVE || fate == FATE_REMOVE_AGAIN) {
		e->pk_assoc->st_removed[f == &e->pk_assoc->fl[0] ? 0 : 1]++;
		if (fate == FATE_REMOVE_AGAIN) {
			e->ctr[SW_ENF_RETRANS_REMOVED]++;
			e->pk_assoc->st_retrans++;
			if (!e->pk_again || tsn_lt(h.tsn, e->pk_again_tsn))
				e->pk_again_tsn = h.tsn;
			e->pk_again = true;
		}
		ch->drop = true;
		e->ctr[SW_ENF_CHUNKS_REMOVED]++;
		*changed = true;
		return;
	}
	if (ch->neut) {
		need_full(e);
		enf_neutralize(e, c, ch->len);
		e->ctr[SW_ENF_NEUTRALIZED]++;
		*changed = true;
	}
	ch->drop = false;
	m2pa_renumber(e, c, ch, changed);
	if (f->rem_total == 0)
		return;
	ntsn = enf_tsn_fwd(f, h.tsn);
	{
		/* TSN at +4, SSN at +10 (DATA) or MID at +12 (I-DATA): one region */
		uint8_t nv[12];

		memcpy(nv, c + 4, sizeof(nv));
		if (ntsn != h.tsn) {
			wr32(nv, ntsn);
			renum = true;
		}
		if (h.ordered) {
			uint32_t nseq = enf_seq_fwd(f, h.sid, h.kind, h.seq, false);

			if (nseq != h.seq) {
				if (h.idata)
					wr32(nv + 8, nseq);
				else
					wr16(nv + 6, (uint16_t)nseq);
				renum = true;
			}
		}
		if (renum)
			patch12(e, c + 4, nv, h.idata ? 12 : 8);
	}
	if (renum) {
		e->ctr[SW_ENF_DATA_RENUMBERED]++;
		*changed = true;
	}
}

struct blk {
	uint32_t s, e;
};

/* RFC 4960 3.3.4 SACK of flow r (data of the other direction), rewritten in place. */
static void
sack_apply(struct sw_enforce *e, struct enf_flow *r, uint8_t *c, struct enf_ch *ch, bool *changed)
{
	uint8_t out[ENF_SACK_OUT_MAX];
	struct blk b[ENF_SACK_GAPS_MAX];
	uint32_t ncum, cum, ext, a_rwnd, outcum;
	unsigned ngaps, ndups, nb = 0, i, k, olen;

	if (ch->len < SCTP_SACK_HLEN || !r->known)
		return;
	ncum = rd32(c + 4);
	a_rwnd = rd32(c + 8);
	ngaps = rd16(c + 12);
	ndups = rd16(c + 14);
	if (SCTP_SACK_HLEN + 4u * ngaps + 4u * ndups > ch->len || ngaps > ENF_SACK_GAPS_MAX ||
	    SCTP_SACK_HLEN + 4u * ngaps + 4u * ndups > sizeof(out))
		return; /* malformed or oversized: the sender judges it; left unchanged */
	cum = enf_tsn_inv(r, ncum);
	if (tsn_lt(r->max_tsn, cum)) {
		/* RFC 9260 6.2.1 / 11.2.6: acknowledging TSNs never sent is the peer's error; not
		 * ours to repair: forwarded unchanged, named */
		enf_fallback(e, e->pk_assoc, SW_ENF_SACK_UNSENT, SW_ENF_FB_UNCHANGED, 1);
		return;
	}
	r->a_rwnd = a_rwnd;
	if (tsn_lt(r->cum_rcv, cum))
		r->cum_rcv = cum;
	if (r->rem_total == 0) {
		/* Identity mapping: nothing to rewrite; remember what the sender was told. */
		if (tsn_lt(r->cum_told, cum))
			r->cum_told = cum;
		return;
	}
	ext = enf_extend(r, cum);
	if (ngaps == 0 && ndups == 0) {
		/* The common SACK: only the cumulative ack to rewrite. */
		uint8_t nv[4];

		outcum = tsn_lt(ext, r->cum_told) ? r->cum_told : ext;
		r->cum_told = outcum;
		enf_flow_prune(r, outcum);
		if (outcum == ncum)
			return;
		wr32(nv, outcum);
		patch(e, c + 4, nv, 4);
		e->ctr[SW_ENF_SACK_TRANSLATED]++;
		*changed = true;
		return;
	}
	for (i = 0; i < ngaps; i++) {
		uint16_t gs = rd16(c + 16 + 4 * i), ge = rd16(c + 18 + 4 * i);
		uint32_t s, en;

		if (gs == 0 || ge < gs)
			continue; /* invalid block: dropped */
		s = enf_tsn_inv(r, ncum + gs);
		en = enf_extend(r, enf_tsn_inv(r, ncum + ge));
		while (tsn_lt(ext + 1, s) && enf_tsn_removed(r, s - 1))
			s--;
		if (tsn_le(s, ext + 1)) {
			if (tsn_lt(ext, en))
				ext = enf_extend(r, en);
			continue;
		}
		if (nb > 0 && tsn_le(s, b[nb - 1].e + 1)) {
			if (tsn_lt(b[nb - 1].e, en))
				b[nb - 1].e = en;
			continue;
		}
		b[nb].s = s;
		b[nb].e = en;
		nb++;
	}
	/* Never move the sender's cumulative ack backwards (it would ignore the SACK). */
	outcum = tsn_lt(ext, r->cum_told) ? r->cum_told : ext;
	memcpy(out, c, 12);
	wr32(out + 4, outcum);
	k = 0;
	for (i = 0; i < nb; i++) {
		uint32_t s = b[i].s, en = b[i].e;

		if (tsn_le(en, outcum))
			continue;
		if (tsn_le(s, outcum + 1)) {
			outcum = enf_extend(r, en);
			wr32(out + 4, outcum);
			continue;
		}
		if (s - outcum > 0xffff || en - outcum > 0xffff)
			continue; /* beyond what a gap block can say: the sender learns it later */
		wr16(out + 16 + 4 * k, (uint16_t)(s - outcum));
		wr16(out + 18 + 4 * k, (uint16_t)(en - outcum));
		k++;
	}
	wr16(out + 12, (uint16_t)k);
	wr16(out + 14, (uint16_t)ndups);
	for (i = 0; i < ndups; i++)
		wr32(out + 16 + 4 * k + 4 * i, enf_tsn_inv(r, rd32(c + 16 + 4 * ngaps + 4 * i)));
	olen = SCTP_SACK_HLEN + 4 * k + 4 * ndups;
	wr16(out + 2, (uint16_t)olen);
	r->cum_told = outcum;
	enf_flow_prune(r, outcum);
	if (olen == ch->len && memcmp(out, c, olen) == 0)
		return;
	if (olen == ch->len) {
		patch(e, c, out, olen);
	} else {
		need_full(e);
		memcpy(c, out, olen);
	}
	ch->len = (uint16_t)olen;
	ch->span = olen;
	e->ctr[SW_ENF_SACK_TRANSLATED]++;
	*changed = true;
}

/* RFC 4960 3.3.8 SHUTDOWN: its cumulative TSN ack is translated like a SACK's. */
static void
shutdown_apply(struct sw_enforce *e, struct enf_flow *r, uint8_t *c, const struct enf_ch *ch,
	       bool *changed)
{
	uint32_t ncum, cum;

	if (ch->len < 8 || !r->known || r->rem_total == 0)
		return;
	ncum = rd32(c + 4);
	cum = enf_tsn_inv(r, ncum);
	if (tsn_lt(r->max_tsn, cum)) {
		enf_fallback(e, e->pk_assoc, SW_ENF_SACK_UNSENT, SW_ENF_FB_UNCHANGED, 1);
		return;
	}
	if (tsn_lt(r->cum_rcv, cum))
		r->cum_rcv = cum;
	cum = enf_extend(r, cum);
	if (tsn_lt(cum, r->cum_told))
		cum = r->cum_told;
	r->cum_told = cum;
	if (cum != ncum) {
		uint8_t nv[4];

		wr32(nv, cum);
		patch(e, c + 4, nv, 4);
		e->ctr[SW_ENF_SACK_TRANSLATED]++;
		*changed = true;
	}
}

/* RFC 3758 3.2 FORWARD-TSN and RFC 8260 2.3.1 I-FORWARD-TSN of flow f (same direction). */
static void
fwdtsn_apply(struct sw_enforce *e, struct enf_flow *f, uint8_t *orig, const struct enf_ch *ch,
	     bool *changed)
{
	uint8_t cp[512], *c = cp;
	bool idata = orig[0] == SCTP_CT_IFWD_TSN;
	unsigned esz = idata ? 8 : 4, i, n;
	uint32_t o, nt;
	bool ch_changed = false;

	if (ch->len < 8 || !f->known || f->rem_total == 0)
		return;
	if (ch->len > sizeof(cp)) {
		/* very long: rewritten in place, checksum recomputed */
		need_full(e);
		c = orig;
	} else {
		memcpy(cp, orig, ch->len);
	}
	o = rd32(c + 4);
	nt = enf_tsn_cum_fwd(f, o);
	if (nt != o) {
		wr32(c + 4, nt);
		ch_changed = true;
	}
	n = (ch->len - 8u) / esz;
	for (i = 0; i < n; i++) {
		uint8_t *p = c + 8 + esz * i;
		uint16_t sid = rd16(p);

		if (idata) {
			uint32_t mid = rd32(p + 4), nm;

			if (p[3] & 0x01) /* U bit: unordered MIDs are not renumbered */
				continue;
			nm = enf_seq_fwd(f, sid, 2, mid, true);
			if (nm != mid) {
				wr32(p + 4, nm);
				ch_changed = true;
			}
		} else {
			uint16_t ssn = rd16(p + 2), ns;

			ns = (uint16_t)enf_seq_fwd(f, sid, 1, ssn, true);
			if (ns != ssn) {
				wr16(p + 2, ns);
				ch_changed = true;
			}
		}
	}
	if (ch_changed) {
		if (c == cp)
			patch(e, orig, cp, ch->len);
		e->ctr[SW_ENF_FWDTSN_TRANSLATED]++;
		*changed = true;
	}
}

/* A SACK toward the sender of direction dir, built from the packet's own headers. */
static uint32_t
sack_reply(struct sw_enforce *e, const uint8_t *buf, const struct sw_pkt *pkt,
	   const struct enf_assoc *a, unsigned dir, uint32_t cum, uint32_t a_rwnd, uint8_t *rp,
	   uint32_t cap)
{
	uint32_t hl = pkt->l4_off, tot = hl + SCTP_COMMON_HLEN + SCTP_SACK_HLEN;
	const uint8_t *sc = buf + pkt->l4_off;
	uint8_t tmp[16], *s, *ip;

	if (rp == NULL || tot > cap || (pkt->ip_ver != 4 && pkt->ip_ver != 6)) {
		/* the SACK the sender needs cannot be built: a stall risk, named and reported */
		enf_fallback(e, e->pk_assoc, SW_ENF_REPLY_NOROOM, SW_ENF_FB_UNCHANGED, 1);
		return 0;
	}
	memcpy(rp, buf, hl);
	if (pkt->l3_off >= 14) { /* Ethernet: swap destination and source MAC */
		memcpy(tmp, rp, 6);
		memcpy(rp, rp + 6, 6);
		memcpy(rp + 6, tmp, 6);
	}
	ip = rp + pkt->l3_off;
	if (pkt->ip_ver == 4) {
		memcpy(tmp, ip + 12, 4);
		memcpy(ip + 12, ip + 16, 4);
		memcpy(ip + 16, tmp, 4);
		ip[8] = 64; /* TTL */
		enf_ipv4_fix(ip, tot - pkt->l3_off, pkt->l4_off - pkt->l3_off);
	} else {
		memcpy(tmp, ip + 8, 16);
		memcpy(ip + 8, ip + 24, 16);
		memcpy(ip + 24, tmp, 16);
		ip[7] = 64; /* hop limit */
		wr16(ip + 4, (uint16_t)(tot - pkt->l3_off - 40));
	}
	s = rp + hl;
	memcpy(s, sc + 2, 2);	       /* source port: the receiver's */
	memcpy(s + 2, sc, 2);	       /* destination port: the sender's */
	wr32(s + 4, a->vtag[1 - dir]); /* the tag the sender expects (RFC 4960 8.5) */
	s[12] = SCTP_CT_SACK;
	s[13] = 0;
	wr16(s + 14, SCTP_SACK_HLEN);
	wr32(s + 16, cum);
	wr32(s + 20, a_rwnd);
	wr32(s + 24, 0); /* no gap blocks, no duplicates */
	enf_crc_set(s, SCTP_COMMON_HLEN + SCTP_SACK_HLEN);
	e->ctr[SW_ENF_SACK_GENERATED]++;
	return tot;
}

/*
 * Blocked chunks of an association that is not tracked (never seen from its INIT: it started
 * before us or its state was lost; expired or evicted; no room when its INIT came): nothing to
 * renumber against. The reason is the one remembered for its key (enf_ghost_why), else
 * unknown_blocked. Fail-closed: each blocked message is neutralized in place (a fragment that
 * cannot be drops the packet); fail-open: passed unchanged.
 */
static uint32_t
untracked_blocked(struct sw_enforce *e, struct enf_assoc *a, uint8_t *buf,
		  const struct sw_pkt *pkt, struct enf_ch *ch, unsigned n, bool *changed)
{
	const uint8_t *sc = buf + pkt->l4_off;
	enum sw_enf_ctr why = a != NULL ? SW_ENF_UNKNOWN_BLOCKED
					: enf_ghost_why(e, rd32(sc + 4), rd16(sc), rd16(sc + 2),
							e->pk_dir);
	uint32_t nb = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		nb += ch[i].drop;
	if (enf_fail_open(e)) {
		for (i = 0; i < n; i++)
			ch[i].drop = false;
		e->ctr[SW_ENF_FAILOPEN_PASSED] += nb;
		enf_fallback(e, a, why, SW_ENF_FB_PASSED, nb);
		return pkt->l4_end;
	}
	if (!need_full(e)) {
		e->ctr[SW_ENF_BAD_CRC]++; /* corrupted: dropped, not a fallback */
		return 0;
	}
	for (i = 0; i < n; i++)
		if (ch[i].drop && !enf_neutralizable(e, buf + ch[i].off, ch[i].len)) {
			e->ctr[SW_ENF_NEUTRALIZE_FAIL]++;
			enf_fallback(e, a, why, SW_ENF_FB_DROPPED, nb);
			return 0;
		}
	for (i = 0; i < n; i++) {
		if (!ch[i].drop)
			continue;
		enf_neutralize(e, buf + ch[i].off, ch[i].len);
		ch[i].drop = false;
		e->ctr[SW_ENF_NEUTRALIZED]++;
	}
	enf_fallback(e, a, why, SW_ENF_FB_NEUTRALIZED, nb);
	*changed = true;
	return pkt->l4_end;
}

uint32_t
enf_repair(struct sw_enforce *e, uint8_t *buf, const struct sw_pkt *pkt, struct enf_ch *ch,
	   unsigned n, unsigned dir, uint64_t now_ns, uint8_t *reply, uint32_t reply_cap,
	   uint32_t *reply_len, bool *changed)
{
	uint8_t *sc = buf + pkt->l4_off;
	uint16_t sport = rd16(sc), dport = rd16(sc + 2);
	uint32_t vtag = rd32(sc + 4);
	struct enf_assoc *a;
	struct enf_flow *f, *r;
	bool any_drop = false, removed = false, end = false, verify;
	enum sw_enf_ctr why;
	unsigned i;

	for (i = 0; i < n; i++)
		any_drop |= ch[i].drop;
	e->pk_buf = buf;
	e->pk_l4 = pkt->l4_off;
	e->pk_end = pkt->l4_end;
	e->crc_acc = 0;
	e->crc_full = false;
	e->crc_bad = false;
	e->pk_again = false;
	e->crc_verified = false;
	e->pk_pkt = pkt;
	e->pk_dir = dir;
	e->pk_now = now_ns;
	e->pk_cls = -1;
	e->pk_var = -1;
	e->pk_assoc = NULL;
	/* RFC 9260 6.10: INIT and INIT-ACK are never bundled; they teach the table, and only
	 * when their checksum is right (8.5.1: an INIT carries tag 0). */
	if (n > 0 && (ch[0].type == SCTP_CT_INIT || ch[0].type == SCTP_CT_INIT_ACK)) {
		if (n != 1 || (ch[0].type == SCTP_CT_INIT && vtag != 0)) {
			e->ctr[SW_ENF_INIT_IGNORED]++;
		} else if (!crc_verify(e)) {
			e->ctr[SW_ENF_CRC_IGNORED]++;
		} else if (ch[0].type == SCTP_CT_INIT) {
			enf_learn_init(e, sc + ch[0].off - pkt->l4_off, ch[0].len, sport, dport,
				       dir, now_ns);
		} else {
			enf_learn_init_ack(e, sc + ch[0].off - pkt->l4_off, ch[0].len, vtag, sport,
					   dport, dir, now_ns);
		}
		return any_drop ? 0 : pkt->l4_end;
	}
	if (n > 0 && (ch[0].type == SCTP_CT_ABORT || ch[0].type == SCTP_CT_SHUTDOWN_COMPLETE) &&
	    (buf[ch[0].off + 1] & SCTP_FLAG_T)) {
		a = enf_lookup(e, vtag, dport, sport, 1 - dir, now_ns); /* tag reflected */
	} else {
		a = enf_lookup(e, vtag, sport, dport, dir, now_ns);
		if (a != NULL && a->ncand != 0 && dir == a->cand_dir) {
			/* RFC 9260 5.2.3: the initiator's first packet after several INIT-ACKs
			 * (its COOKIE-ECHO, 5.1 step D) carries the tag of the one it used; a
			 * packet the receiver will discard (8.5.1: checksum) decides nothing. */
			if (!crc_verify(e)) {
				e->ctr[any_drop ? SW_ENF_BAD_CRC : SW_ENF_CRC_IGNORED]++;
				return any_drop ? 0 : pkt->l4_end;
			}
			enf_confirm(e, a, e->lk_cand, now_ns);
			if (a->state == ENF_FREE)
				a = NULL;
		}
	}
	if (a == NULL || !a->fl[dir].known) {
		e->ctr[SW_ENF_UNKNOWN_ASSOC]++;
		if (!any_drop)
			return pkt->l4_end;
		return untracked_blocked(e, a, buf, pkt, ch, n, changed);
	}
	/*
	 * RFC 9260 8.5.1: the tag matched (the lookup is by tag); now the checksum, before any
	 * chunk changes repair state: a packet the receiver will discard changes nothing. Always
	 * for a packet that loses chunks, acknowledges (SACK, SHUTDOWN) or ends the association
	 * (ABORT, SHUTDOWN-COMPLETE). DATA with nothing blocked is the exception, to keep the
	 * common packet free of a full CRC pass: the only state it touches is the seen-window
	 * (highest TSN, seen bits), which must follow every TSN forwarded; a corrupted one can at
	 * most make a later blocked chunk neutralized instead of removed (late_blocked), never
	 * shift a number or end an association. That holds only while the highest TSN stays near
	 * the real ones: a DATA chunk that would move it ENF_WIN or more ahead is verified first.
	 * A flipped top bit puts a TSN about 2^31 ahead, where serial arithmetic (RFC 1982, RFC
	 * 9260 1.6) reads a later real TSN as newer again: the highest TSN then went back below
	 * TSNs already forwarded, a blocked one among them was removed as fresh, and the numbers
	 * given out before were shifted (two TSNs forwarded as one, a gap block translated to a
	 * TSN never received: a stall; fuzz_repair, corpus/repair/regress-gapack-*).
	 * Until the association is up and its addresses are known, every packet is verified too
	 * (RFC 9260 6.8: the receiver discards a packet whose checksum is wrong): its first packet
	 * after the handshake (the COOKIE-ECHO, RFC 9260 5.1 step D) records the addresses of both
	 * sides, and a COOKIE-ACK, DATA or SACK completes the handshake (an established entry is
	 * never evicted, an INIT with its tag is ignored); a forged one with a wrong checksum from
	 * any address planted both (unit-enforce test_bad_crc_learns_nothing). A few packets per
	 * association: the traffic after the handshake is not verified for it.
	 */
	verify = any_drop || a->ip_ver == 0 || a->state != ENF_UP;
	for (i = 0; i < n && !verify; i++) {
		verify = ch[i].type == SCTP_CT_SACK || ch[i].type == SCTP_CT_SHUTDOWN ||
			 ch[i].type == SCTP_CT_ABORT || ch[i].type == SCTP_CT_SHUTDOWN_COMPLETE;
		/* a retransmission of a removed TSN loses its chunk: checked like any_drop (the
		 * packet is rebuilt with a new checksum, and may be answered with a SACK) */
		if (!verify && a->fl[dir].rem_total != 0 &&
		    (ch[i].type == SCTP_CT_DATA || ch[i].type == SCTP_CT_IDATA) &&
		    ch[i].len >= SCTP_DATA_HLEN) {
			uint32_t tsn = rd32(buf + ch[i].off + 4);

			verify = tsn_le(tsn, a->fl[dir].max_tsn) && enf_tsn_removed(&a->fl[dir], tsn);
		}
		/* a TSN far ahead of the highest seen (above): verified before it moves it */
		if (!verify && (ch[i].type == SCTP_CT_DATA || ch[i].type == SCTP_CT_IDATA) &&
		    ch[i].len >= SCTP_DATA_HLEN) {
			uint32_t tsn = rd32(buf + ch[i].off + 4);

			verify = tsn_lt(a->fl[dir].max_tsn, tsn) &&
				 tsn - a->fl[dir].max_tsn >= ENF_WIN;
		}
		/* an M2PA BSN may fold the other direction's removed FSNs away (m2pa.c): state */
		if (!verify && a->m2pa[1 - dir].cnt != 0 &&
		    (ch[i].type == SCTP_CT_DATA || ch[i].type == SCTP_CT_IDATA))
			verify = true;
	}
	if (verify && !crc_verify(e)) {
		if (any_drop) {
			e->ctr[SW_ENF_BAD_CRC]++;
			return 0;
		}
		e->ctr[SW_ENF_CRC_IGNORED]++;
		return pkt->l4_end;
	}
	a->last_ns = now_ns;
	e->pk_assoc = a;
	if (a->ip_ver == 0 && (pkt->ip_ver == 4 || pkt->ip_ver == 6)) {
		a->ip_ver = pkt->ip_ver;
		memcpy(a->addr[dir], pkt->src, 16);
		memcpy(a->addr[1 - dir], pkt->dst, 16);
	}
	f = &a->fl[dir];
	r = &a->fl[1 - dir];
	/* Only blocked chunks need planning; retransmitted removed ones are found per chunk. */
	why = any_drop ? precheck(e, f, buf, ch, n) : SW_ENF_CTR_COUNT;
	if (!any_drop)
		for (i = 0; i < n; i++)
			ch[i].neut = false;
	if (why != SW_ENF_CTR_COUNT) {
		e->ctr[why]++;
		return 0;
	}
	for (i = 0; i < n; i++) {
		uint8_t *c = buf + ch[i].off;

		switch (ch[i].type) {
		case SCTP_CT_DATA:
		case SCTP_CT_IDATA:
			if (ch[i].len <
			    (ch[i].type == SCTP_CT_DATA ? SCTP_DATA_HLEN : SCTP_IDATA_HLEN)) {
				/* too short to carry a TSN: the receiver aborts on it anyway */
				need_full(e);
				ch[i].drop = true;
				*changed = true;
				break;
			}
			data_apply(e, f, c, &ch[i], changed);
			removed |= ch[i].drop;
			if (a->state == ENF_HALF)
				a->state = ENF_UP;
			break;
		case SCTP_CT_SACK:
			sack_apply(e, r, c, &ch[i], changed);
			if (a->state == ENF_HALF)
				a->state = ENF_UP;
			break;
		case SCTP_CT_SHUTDOWN:
			shutdown_apply(e, r, c, &ch[i], changed);
			break;
		case SCTP_CT_FWD_TSN:
		case SCTP_CT_IFWD_TSN:
			fwdtsn_apply(e, f, c, &ch[i], changed);
			break;
		case SCTP_CT_COOKIE_ACK:
			if (a->state == ENF_HALF)
				a->state = ENF_UP;
			break;
		case SCTP_CT_ABORT:
		case SCTP_CT_SHUTDOWN_COMPLETE:
			end = true;
			break;
		default:
			break;
		}
	}
	if (removed && !end) {
		/* The receiver never acknowledges a removed TSN; when it already acknowledged
		 * everything before it, nothing will come back: acknowledge it ourselves. A
		 * retransmission of a removed TSN that we acknowledged before means the sender
		 * never got that SACK (lost on the way, or dropped by a full queue): say it
		 * again, or the sender retransmits into the void until it gives up (issue 12). */
		uint32_t ext = enf_extend(f, f->cum_rcv);
		uint32_t told = tsn_lt(f->cum_told, ext) ? ext : f->cum_told;

		if ((tsn_lt(f->cum_told, ext) ||
		     (e->pk_again && tsn_le(e->pk_again_tsn, told))) &&
		    reply_len != NULL) {
			*reply_len =
				sack_reply(e, buf, pkt, a, dir, told, f->a_rwnd, reply, reply_cap);
			if (*reply_len != 0) {
				a->st_sack_gen++;
				if (!tsn_lt(f->cum_told, ext))
					e->ctr[SW_ENF_SACK_REPEATED]++;
				f->cum_told = told;
				enf_flow_prune(f, told);
			}
		}
	}
	if (end) {
		e->ctr[SW_ENF_ASSOC_END]++;
		enf_assoc_delete(e, a);
	}
	if (e->crc_bad) {
		e->ctr[SW_ENF_BAD_CRC]++;
		return 0;
	}
	return pkt->l4_end;
}
