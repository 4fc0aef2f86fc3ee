/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Model check of the inline SCTP repair (issue 12 Deliver 3), see repair_model.h.
 *
 *   endpoint 0 --link--> [sw_enforce_packet, dir 0] --link--> endpoint 1
 *   endpoint 0 <--link-- [sw_enforce_packet, dir 1] <--link-- endpoint 1
 *
 * Each endpoint is an RFC 9260 sender and receiver, reduced to what the repair interacts with:
 *  - sender: per-stream queues of M3UA messages (ordered or unordered), TSNs given at first
 *    transmission, bundling up to the MTU (retransmissions first, then new data, a pending SACK
 *    in front), a flight limit, T3-rtx with back-off (6.3.3), fast retransmit after three miss
 *    indications (7.2.4), gap-acked chunks that a later SACK no longer reports are taken back
 *    (6.3.2), stale SACKs (cumulative ack below the ack point) ignored (6.2.1);
 *  - receiver: cumulative TSN and TSN map, duplicate TSNs reported once, gap blocks, delayed
 *    SACK (every sack_every packets or after sack_delay, at once on a gap or a duplicate, 6.2),
 *    per-stream SSN delivery with a reorder queue.
 * Links lose, duplicate and delay (reorder) packets until the traffic ends; the test policy
 * blocks a random share of the messages (the verdict of a message never changes).
 *
 * Invariants, checked on every packet:
 *  - every packet an endpoint receives has a valid CRC32c, length and verification tag;
 *  - no blocked message is delivered (a BEAT in its place is fine);
 *  - no allowed message is delivered twice, and ordered ones arrive in order per stream;
 *  - a new TSN never carries an SSN that was already delivered (a real stack aborts);
 *  - a SACK never acknowledges a TSN that was not sent, and never acknowledges an allowed
 *    message that the receiver has not received (that message would be lost);
 *  - liveness: once traffic and impairments end, both ends drain (everything sent is
 *    acknowledged, every allowed message delivered) within a bounded time; no TSN is sent
 *    more than M_MAX_SENDS times.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enforce_build.h"
#include "repair_model.h"

#define M_MSGS	    1024 /* messages per direction */
#define M_STREAMS   8
#define M_OUT	    256	 /* outstanding chunks per sender */
#define M_RWIN	    4096 /* receiver TSN map */
#define M_HELD	    512	 /* ordered messages held by a receiver */
#define M_Q	    1024 /* packets in flight */
#define M_FRAME	    1600
#define M_MAX_SENDS 60
#define M_RTO_MAX   2000 /* ms */
#define M_DRAIN	    120000

#define CT_DATA	       0
#define CT_SACK	       3
#define CT_COOKIE_ECHO 10
#define CT_COOKIE_ACK  11

struct rng {
	const uint8_t *f;
	size_t n, pos;
	uint64_t s;
};

static uint32_t
rnd(struct rng *r, uint32_t bound)
{
	uint32_t x;

	if (bound <= 1)
		return 0;
	if (r->pos + 2 <= r->n) {
		x = (uint32_t)r->f[r->pos] | (uint32_t)r->f[r->pos + 1] << 8;
		r->pos += 2;
		return x % bound;
	}
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return (uint32_t)((r->s * 0x2545f4914f6cdd1dull) >> 32) % bound;
}

static bool
chance(struct rng *r, unsigned permille)
{
	return permille != 0 && rnd(r, 1000) < permille;
}

struct scen {
	unsigned nmsg[2], streams, unordered_pm, block_pm;
	unsigned loss_pm, dup_pm, reorder_pm, reorder_ms, lat, corrupt_pm;
	unsigned mtu, minlen, maxlen, gap_ms, burst;
	unsigned sack_delay, sack_every, rto_min, max_flight, pkts_per_tick;
	uint32_t itsn[2];
};

struct m_msg {
	uint16_t sid, len;
	bool ordered, blocked, received, delivered;
};

struct m_chunk {
	uint32_t tsn, msg;
	uint16_t ssn, nsent;
	uint8_t gap, rtx, miss;
};

struct m_held {
	uint16_t sid, ssn;
	int32_t msg; /* -1: a BEAT */
};

struct m_ep {
	unsigned side;
	uint32_t tag; /* packets to this endpoint carry it */
	uint32_t ip;
	uint16_t port;
	/* sender */
	unsigned offered;
	int64_t app_at;
	unsigned sq_head[M_STREAMS], sq_tail[M_STREAMS];
	uint16_t next_ssn[M_STREAMS];
	uint32_t next_tsn, cum_ack;
	struct m_chunk out[M_OUT];
	unsigned nout;
	int64_t t3_at;
	unsigned rto;
	/* receiver */
	uint32_t r_cum, r_max;
	uint64_t r_map[M_RWIN / 64];
	uint16_t r_ssn[M_STREAMS];
	struct m_held held[M_HELD];
	unsigned nheld;
	unsigned r_expect[M_STREAMS];
	uint32_t dups[8];
	unsigned ndups, unacked;
	int64_t sack_at;
	bool sack_now;
};

struct m_pkt {
	int64_t at;
	uint64_t seq;
	unsigned dst; /* 0/1: the enforcer, from side 0/1; 2/3: endpoint 0/1 */
	bool corrupt; /* a byte flipped on the way: the receiver discards it */
	uint32_t len;
	uint8_t b[M_FRAME];
};

struct sim {
	struct rng r;
	struct scen sc;
	struct m_msg msg[2][M_MSGS];
	uint32_t smsg[2][M_STREAMS][M_MSGS];
	unsigned nsmsg[2][M_STREAMS];
	struct m_ep ep[2];
	struct m_pkt *q;
	unsigned nq;
	uint64_t seq;
	int64_t now;
	bool impair;
	struct sw_enforce *enf;
	struct sw_model_stats *st;
	char *why;
	size_t why_len;
	bool failed;
	int verbose;
	bool forge; /* forged handshake packets with a wrong CRC32c first (handshake) */
	bool repair;
};

static void
fail(struct sim *S, const char *fmt, ...)
{
	va_list ap;

	if (S->failed)
		return;
	S->failed = true;
	va_start(ap, fmt);
	vsnprintf(S->why, S->why_len, fmt, ap);
	va_end(ap);
}

static bool
slt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static bool
sle(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

/* ---- links ---- */

static void
q_put(struct sim *S, unsigned dst, const uint8_t *b, uint32_t len, bool fates, bool corrupt)
{
	unsigned copies = 1, i;

	if (fates && S->impair) {
		if (chance(&S->r, S->sc.loss_pm))
			return;
		if (chance(&S->r, S->sc.dup_pm))
			copies = 2;
	}
	for (i = 0; i < copies; i++) {
		struct m_pkt *p;

		if (S->nq >= M_Q || len > M_FRAME)
			return; /* queue overflow: a loss */
		p = &S->q[S->nq++];
		p->at = S->now + S->sc.lat;
		if (fates && S->impair && chance(&S->r, S->sc.reorder_pm))
			p->at += 1 + rnd(&S->r, S->sc.reorder_ms);
		p->seq = S->seq++;
		p->dst = dst;
		p->len = len;
		p->corrupt = corrupt;
		memcpy(p->b, b, len);
		/* A packet already corrupted on its first leg is not corrupted again on its second:
		 * a second flip of the same byte by the same value restores the packet and made the
		 * model report "a corrupted packet arrived with a valid CRC32c" although nothing was
		 * wrong (found by a 30-minute fuzz_repair run; corpus/repair/double-corruption-cancels) */
		if (fates && S->impair && !corrupt && len > TB_L4 + 12 &&
		    chance(&S->r, S->sc.corrupt_pm)) {
			/* any byte of the SCTP packet but the checksum field */
			uint32_t o = TB_L4 + rnd(&S->r, len - TB_L4);

			if (o >= TB_L4 + 8 && o < TB_L4 + 12)
				o = TB_L4 + 12;
			p->b[o] ^= (uint8_t)(1 + rnd(&S->r, 255));
			p->corrupt = true;
		}
	}
}

/* ---- packets ---- */

static void
pkt_start(struct sim *S, struct tb *t, unsigned side)
{
	const struct m_ep *e = &S->ep[side], *o = &S->ep[1 - side];

	tb_start(t, e->ip, o->ip, e->port, o->port, o->tag);
}

static unsigned
sack_build(struct m_ep *e, uint8_t *body, unsigned room)
{
	uint16_t gaps[2 * 32];
	unsigned ng = 0, i, len;
	uint32_t t;

	if (room < 12)
		return 0;
	for (t = e->r_cum + 1; sle(t, e->r_max) && ng < 32;) {
		uint32_t s;

		if (!(e->r_map[(t % M_RWIN) / 64] >> (t % 64) & 1)) {
			t++;
			continue;
		}
		s = t;
		while (sle(t + 1, e->r_max) && (e->r_map[((t + 1) % M_RWIN) / 64] >> ((t + 1) % 64) & 1))
			t++;
		gaps[2 * ng] = (uint16_t)(s - e->r_cum);
		gaps[2 * ng + 1] = (uint16_t)(t - e->r_cum);
		ng++;
		t++;
	}
	while (12 + 4 * ng + 4 * e->ndups > room && e->ndups > 0)
		e->ndups--;
	while (12 + 4 * ng > room && ng > 0)
		ng--;
	tb_w32(body, e->r_cum);
	tb_w32(body + 4, 65536);
	tb_w16(body + 8, (uint16_t)ng);
	tb_w16(body + 10, (uint16_t)e->ndups);
	for (i = 0; i < 2 * ng; i++)
		tb_w16(body + 12 + 2 * i, gaps[i]);
	for (i = 0; i < e->ndups; i++)
		tb_w32(body + 12 + 4 * ng + 4 * i, e->dups[i]);
	len = 12 + 4 * ng + 4 * e->ndups;
	e->ndups = 0;
	e->unacked = 0;
	e->sack_now = false;
	e->sack_at = -1;
	return len;
}

static void
data_chunk(struct sim *S, struct tb *t, unsigned side, const struct m_chunk *c)
{
	const struct m_msg *m = &S->msg[side][c->msg];
	uint8_t body[12 + 1500];
	uint8_t *p = body + 12;

	tb_w32(body, c->tsn);
	tb_w16(body + 2 + 2, m->sid);
	tb_w16(body + 6, m->ordered ? c->ssn : 0);
	tb_w32(body + 8, 3); /* PPID M3UA */
	memset(p, (uint8_t)c->msg, m->len);
	p[0] = 1;
	p[1] = 0;
	p[2] = 1; /* transfer */
	p[3] = 1; /* DATA */
	tb_w32(p + 4, m->len);
	tb_w16(p + 8, 0x0210);
	tb_w16(p + 10, (uint16_t)(m->len - 8));
	p[12] = 'S';
	p[13] = (uint8_t)side;
	p[14] = p[15] = 0;
	tb_w32(p + 16, c->msg);
	tb_chunk(t, CT_DATA, (uint8_t)(0x03 | (m->ordered ? 0 : 0x04)), body,
		 (uint16_t)(12 + m->len));
}

static bool
pending_new(const struct m_ep *e, const struct scen *sc)
{
	unsigned s;

	for (s = 0; s < sc->streams; s++)
		if (e->sq_head[s] != e->sq_tail[s])
			return true;
	return false;
}

static void
ep_send(struct sim *S, unsigned side)
{
	struct m_ep *e = &S->ep[side];
	unsigned npk;

	for (npk = 0; npk < S->sc.pkts_per_tick; npk++) {
		struct tb t;
		struct m_chunk *pick[32];
		bool want_sack = e->sack_now || e->unacked > 0;
		int room = (int)S->sc.mtu - 20 - 12 - (want_sack ? 4 + 12 + 4 * 40 : 0);
		unsigned nd = 0, i;

		/* retransmissions first, ascending TSN */
		for (i = 0; i < e->nout && nd < 30; i++) {
			struct m_chunk *c = &e->out[i];
			int need = (16 + S->msg[side][c->msg].len + 3) & ~3;

			if (!c->rtx || need > room)
				continue;
			room -= need;
			c->rtx = 0;
			c->nsent++;
			S->st->rtx++;
			pick[nd++] = c;
			if (c->nsent > M_MAX_SENDS)
				fail(S, "stall: side %u TSN %u (message %u) sent %u times", side,
				     c->tsn, c->msg, c->nsent);
		}
		/* then new data, streams served in random order */
		while (e->nout < S->sc.max_flight && e->nout < M_OUT && nd < 30 &&
		       pending_new(e, &S->sc)) {
			unsigned s, k = rnd(&S->r, S->sc.streams);
			int need;
			struct m_chunk *c;
			const struct m_msg *m;
			uint32_t mi;

			for (s = 0; s < S->sc.streams; s++)
				if (e->sq_head[(k + s) % S->sc.streams] !=
				    e->sq_tail[(k + s) % S->sc.streams])
					break;
			s = (k + s) % S->sc.streams;
			mi = S->smsg[side][s][e->sq_head[s]];
			m = &S->msg[side][mi];
			need = (16 + m->len + 3) & ~3;
			if (need > room)
				break;
			room -= need;
			c = &e->out[e->nout++];
			memset(c, 0, sizeof(*c));
			c->tsn = e->next_tsn++;
			c->msg = mi;
			c->ssn = m->ordered ? e->next_ssn[s]++ : 0;
			c->nsent = 1;
			e->sq_head[s]++;
			pick[nd++] = c;
		}
		if (nd == 0 && !e->sack_now)
			return;
		pkt_start(S, &t, side);
		if (e->sack_now || (want_sack && nd > 0)) {
			uint8_t body[12 + 4 * 32 + 4 * 8];
			unsigned bl = sack_build(e, body, sizeof(body));

			tb_chunk(&t, CT_SACK, 0, body, (uint16_t)bl);
		}
		for (i = 0; i < nd; i++)
			data_chunk(S, &t, side, pick[i]);
		tb_finish(&t);
		S->st->packets++;
		q_put(S, side, t.b, t.len, true, false);
		if (nd > 0 && e->t3_at < 0)
			e->t3_at = S->now + e->rto;
		if (nd == 0)
			return;
	}
}

/* ---- receiving ---- */

static void
deliver(struct sim *S, unsigned side, uint16_t sid, int32_t mi)
{
	struct m_ep *e = &S->ep[side];
	unsigned p = 1 - side;
	struct m_msg *m;

	if (mi < 0) {
		S->st->beats++;
		return;
	}
	m = &S->msg[p][mi];
	if (m->blocked) {
		fail(S, "side %u: blocked message %d of side %u delivered", side, mi, p);
		return;
	}
	if (m->delivered) {
		fail(S, "side %u: message %d of side %u delivered twice", side, mi, p);
		return;
	}
	m->delivered = true;
	S->st->delivered++;
	if (!m->ordered)
		return;
	while (e->r_expect[sid] < S->nsmsg[p][sid]) {
		const struct m_msg *x = &S->msg[p][S->smsg[p][sid][e->r_expect[sid]]];

		if (x->ordered && !x->blocked)
			break;
		e->r_expect[sid]++;
	}
	if (e->r_expect[sid] >= S->nsmsg[p][sid] ||
	    S->smsg[p][sid][e->r_expect[sid]] != (uint32_t)mi) {
		fail(S, "side %u stream %u: message %d delivered out of order (expected %d)", side,
		     sid, mi,
		     e->r_expect[sid] < S->nsmsg[p][sid]
			     ? (int)S->smsg[p][sid][e->r_expect[sid]]
			     : -1);
		return;
	}
	e->r_expect[sid]++;
}

static void
rx_data(struct sim *S, unsigned side, const uint8_t *c, uint16_t clen)
{
	struct m_ep *e = &S->ep[side];
	unsigned p = 1 - side, i;
	uint32_t tsn = tb_r32(c + 4);
	uint16_t sid = tb_r16(c + 8), ssn = tb_r16(c + 10);
	bool ordered = !(c[1] & 0x04);
	const uint8_t *pl = c + 16;
	int32_t mi = -1;

	if (clen < 16 + 24 || (c[1] & 3) != 3) {
		fail(S, "side %u: DATA chunk of %u bytes, flags %#x", side, clen, c[1]);
		return;
	}
	if (pl[2] == 3 && pl[3] == 3) {
		mi = -1; /* neutralized: an M3UA BEAT */
	} else if (pl[2] == 1 && pl[3] == 1 && pl[12] == 'S' && pl[13] == p) {
		mi = (int32_t)tb_r32(pl + 16);
		if (mi < 0 || (unsigned)mi >= S->sc.nmsg[p] || S->msg[p][mi].sid != sid ||
		    S->msg[p][mi].ordered != ordered) {
			fail(S, "side %u: DATA TSN %u carries message %d inconsistently", side,
			     tsn, mi);
			return;
		}
	} else {
		fail(S, "side %u: DATA TSN %u with a mangled payload", side, tsn);
		return;
	}
	if (sid >= S->sc.streams) {
		fail(S, "side %u: DATA on stream %u", side, sid);
		return;
	}
	if (sle(tsn, e->r_cum) || (e->r_map[(tsn % M_RWIN) / 64] >> (tsn % 64) & 1)) {
		if (e->ndups < 8)
			e->dups[e->ndups++] = tsn;
		e->sack_now = true;
		return;
	}
	if (tsn - e->r_cum >= M_RWIN) {
		fail(S, "side %u: TSN %u far beyond the cumulative TSN %u", side, tsn, e->r_cum);
		return;
	}
	if (mi >= 0)
		S->msg[p][mi].received = true;
	e->r_map[(tsn % M_RWIN) / 64] |= 1ull << (tsn % 64);
	if (slt(e->r_max, tsn))
		e->r_max = tsn;
	while (e->r_map[((e->r_cum + 1) % M_RWIN) / 64] >> ((e->r_cum + 1) % 64) & 1) {
		e->r_cum++;
		e->r_map[(e->r_cum % M_RWIN) / 64] &= ~(1ull << (e->r_cum % 64));
	}
	if (e->r_cum != e->r_max)
		e->sack_now = true; /* a gap: SACK at once (RFC 9260 6.7) */
	if (!ordered) {
		deliver(S, side, sid, mi);
		return;
	}
	if (ssn != e->r_ssn[sid]) {
		if ((int16_t)(uint16_t)(ssn - e->r_ssn[sid]) < 0) {
			fail(S, "side %u stream %u: new TSN %u carries SSN %u, already delivered "
				"(next %u)",
			     side, sid, tsn, ssn, e->r_ssn[sid]);
			return;
		}
		for (i = 0; i < e->nheld; i++)
			if (e->held[i].sid == sid && e->held[i].ssn == ssn) {
				fail(S, "side %u stream %u: SSN %u on two TSNs", side, sid, ssn);
				return;
			}
		if (e->nheld >= M_HELD) {
			fail(S, "side %u: reorder queue full", side);
			return;
		}
		e->held[e->nheld].sid = sid;
		e->held[e->nheld].ssn = ssn;
		e->held[e->nheld].msg = mi;
		e->nheld++;
		return;
	}
	deliver(S, side, sid, mi);
	e->r_ssn[sid]++;
	for (i = 0; i < e->nheld;) {
		if (e->held[i].sid == sid && e->held[i].ssn == e->r_ssn[sid]) {
			deliver(S, side, sid, e->held[i].msg);
			e->r_ssn[sid]++;
			e->held[i] = e->held[--e->nheld];
			i = 0;
			continue;
		}
		i++;
	}
}

static void
rx_sack(struct sim *S, unsigned side, const uint8_t *c, uint16_t clen)
{
	struct m_ep *e = &S->ep[side];
	unsigned p = 1 - side, ng, nd, i, j, k;
	uint32_t cum, hi_gap = 0, last = e->next_tsn - 1;
	bool any_gap = false, advanced;

	if (clen < 16) {
		fail(S, "side %u: SACK of %u bytes", side, clen);
		return;
	}
	cum = tb_r32(c + 4);
	ng = tb_r16(c + 12);
	nd = tb_r16(c + 14);
	if (16 + 4 * ng + 4 * nd != clen) {
		fail(S, "side %u: SACK length %u for %u gaps %u dups", side, clen, ng, nd);
		return;
	}
	if (slt(cum, e->cum_ack))
		return; /* RFC 9260 6.2.1 D i): older than the ack point */
	if (slt(last, cum)) {
		fail(S, "side %u: SACK cumulative ack %u beyond the last TSN sent %u", side, cum,
		     last);
		return;
	}
	for (i = 0; i < ng; i++) {
		uint16_t gs = tb_r16(c + 16 + 4 * i), ge = tb_r16(c + 18 + 4 * i);

		if (gs == 0 || ge < gs || slt(last, cum + ge)) {
			fail(S, "side %u: SACK gap block %u-%u (cum %u, last sent %u)", side, gs,
			     ge, cum, last);
			return;
		}
	}
	advanced = cum != e->cum_ack;
	/* acknowledged chunks leave the queue; an allowed one must have been received */
	for (i = 0, k = 0; i < e->nout; i++) {
		struct m_chunk *ch = &e->out[i];
		bool in_gap = false;

		if (sle(ch->tsn, cum)) {
			const struct m_msg *m = &S->msg[side][ch->msg];

			if (!m->blocked && !m->received) {
				fail(S, "side %u: TSN %u (allowed message %u) acknowledged, never "
					"received by side %u",
				     side, ch->tsn, ch->msg, p);
				return;
			}
			continue;
		}
		for (j = 0; j < ng; j++) {
			uint16_t gs = tb_r16(c + 16 + 4 * j), ge = tb_r16(c + 18 + 4 * j);

			if (sle(cum + gs, ch->tsn) && sle(ch->tsn, cum + ge))
				in_gap = true;
		}
		if (in_gap) {
			const struct m_msg *m = &S->msg[side][ch->msg];

			if (!m->blocked && !m->received) {
				fail(S, "side %u: TSN %u (allowed message %u) gap-acked, never "
					"received by side %u",
				     side, ch->tsn, ch->msg, p);
				return;
			}
			ch->gap = 1;
			ch->rtx = 0;
			any_gap = true;
			if (slt(hi_gap, ch->tsn) || hi_gap == 0)
				hi_gap = ch->tsn;
		} else {
			ch->gap = 0; /* RFC 9260 6.3.2: not reported any more, taken back */
		}
		e->out[k++] = *ch;
	}
	e->nout = k;
	e->cum_ack = cum;
	if (any_gap)
		for (i = 0; i < e->nout; i++) {
			struct m_chunk *ch = &e->out[i];

			if (!ch->gap && slt(ch->tsn, hi_gap) && ++ch->miss == 3) {
				ch->rtx = 1; /* RFC 9260 7.2.4 fast retransmit */
				ch->miss = 0;
			}
		}
	if (e->nout == 0) {
		e->t3_at = -1;
		e->rto = S->sc.rto_min;
	} else if (advanced) {
		e->rto = S->sc.rto_min;
		e->t3_at = S->now + e->rto;
	}
}

static bool
frame_ok(const uint8_t *b, uint32_t n)
{
	return tb_valid(b, n);
}

static void
ep_receive(struct sim *S, unsigned side, const uint8_t *b, uint32_t n, bool corrupt)
{
	struct m_ep *e = &S->ep[side];
	uint32_t off = TB_L4 + 12;
	bool data = false;

	S->st->events++;
	if (corrupt) {
		if (frame_ok(b, n))
			fail(S, "side %u: a corrupted packet arrived with a valid CRC32c", side);
		return; /* RFC 9260 6.8: discarded */
	}
	if (!frame_ok(b, n)) {
		fail(S, "side %u: packet of %u bytes with a bad CRC32c or length", side, n);
		return;
	}
	if (tb_r32(b + TB_L4 + 4) != e->tag) {
		fail(S, "side %u: packet with tag %#x, expected %#x", side, tb_r32(b + TB_L4 + 4),
		     e->tag);
		return;
	}
	while (off + 4 <= n && !S->failed) {
		uint16_t clen = tb_r16(b + off + 2);

		if (clen < 4 || off + clen > n) {
			fail(S, "side %u: chunk length %u at %u of %u", side, clen, off, n);
			return;
		}
		if (b[off] == CT_DATA) {
			rx_data(S, side, b + off, clen);
			data = true;
		} else if (b[off] == CT_SACK) {
			rx_sack(S, side, b + off, clen);
		}
		off += (clen + 3u) & ~3u;
	}
	if (data) {
		e->unacked++;
		if (e->unacked >= S->sc.sack_every)
			e->sack_now = true;
		else if (e->sack_at < 0)
			e->sack_at = S->now + S->sc.sack_delay;
	}
}

/* the enforcer: the test policy's mask, then sw_enforce_packet */
static void
mb_receive(struct sim *S, unsigned dir, uint8_t *b, uint32_t n, bool corrupt)
{
	static uint8_t reply[2048];
	struct tb t;
	uint64_t mask = 0;
	uint32_t rlen = 0, out;
	unsigned i;

	memcpy(t.b, b, n);
	t.len = n;
	tb_reparse(&t, n);
	t.pkt.ip_proto = 132;
	for (i = 0; i < t.pkt.nchunks; i++) {
		const struct sw_chunk *c = &t.pkt.chunks[i];
		const uint8_t *pl = t.b + c->off + 16;
		uint32_t mi;

		if (c->type != CT_DATA || c->len < 16 + 24)
			continue;
		mi = tb_r32(pl + 16);
		if (pl[12] == 'S' && pl[13] == dir && mi < S->sc.nmsg[dir] &&
		    S->msg[dir][mi].blocked)
			mask |= 1ull << i;
		else if (corrupt && !(pl[12] == 'S' && pl[13] == dir && mi < S->sc.nmsg[dir]))
			mask |= (uint64_t)rnd(&S->r, 2) << i; /* the policy judges garbage */
	}
	out = sw_enforce_packet(S->enf, t.b, t.len, sizeof(t.b), &t.pkt, mask, dir,
				(uint64_t)S->now * 1000000ull, reply, sizeof(reply), &rlen);
	if (rlen != 0)
		q_put(S, 2 + dir, reply, rlen, true, false);
	if (out != 0)
		q_put(S, 2 + (1 - dir), t.b, out, true, corrupt);
}

/* ---- scenario ---- */

static void
scen_pick(struct sim *S)
{
	struct scen *c = &S->sc;
	struct rng *r = &S->r;
	unsigned i;

	c->streams = 1 + rnd(r, M_STREAMS);
	c->unordered_pm = rnd(r, 4) == 0 ? rnd(r, 1001) : 0;
	c->block_pm = rnd(r, 5) == 0 ? 0 : rnd(r, 801);
	for (i = 0; i < 2; i++) {
		c->nmsg[i] = rnd(r, 4) == 0 ? rnd(r, 20) : 20 + rnd(r, 400);
		c->itsn[i] = rnd(r, 8) == 0 ? 0xffffffffu - rnd(r, 300) : rnd(r, 0xffff) << 16 |
							      rnd(r, 0x10000);
	}
	if (rnd(r, 3) == 0) {
		c->loss_pm = c->dup_pm = c->reorder_pm = 0;
	} else {
		c->loss_pm = rnd(r, 100);
		c->dup_pm = rnd(r, 60);
		c->reorder_pm = rnd(r, 100);
	}
	c->reorder_ms = 1 + rnd(r, 30);
	c->corrupt_pm = rnd(r, 3) == 0 ? rnd(r, 40) : 0;
	c->lat = 1 + rnd(r, 5);
	c->mtu = 400 + rnd(r, 1101);
	c->minlen = 24 + 4 * rnd(r, 10);
	c->maxlen = c->minlen + 4 * rnd(r, 40);
	if (c->maxlen > c->mtu - 32 - 176 - 16)
		c->maxlen = c->mtu - 32 - 176 - 16;
	if (c->maxlen < c->minlen)
		c->maxlen = c->minlen;
	c->gap_ms = rnd(r, 4);
	c->burst = 1 + rnd(r, 8);
	c->sack_delay = 5 + rnd(r, 200);
	c->sack_every = 1 + rnd(r, 3);
	c->rto_min = 20 + rnd(r, 300);
	c->max_flight = 4 + rnd(r, 120);
	c->pkts_per_tick = 1 + rnd(r, 4);
}

static void
ep_init(struct sim *S, unsigned side)
{
	struct m_ep *e = &S->ep[side];

	memset(e, 0, sizeof(*e));
	e->side = side;
	e->tag = 0x10000000u * (side + 1) + rnd(&S->r, 0x1000000) + 1;
	e->ip = 0x0a000001u + side;
	e->port = (uint16_t)(2905 + side);
	e->next_tsn = S->sc.itsn[side];
	e->cum_ack = S->sc.itsn[side] - 1;
	e->r_cum = e->r_max = S->sc.itsn[1 - side] - 1;
	e->t3_at = -1;
	e->rto = S->sc.rto_min;
	e->sack_at = -1;
}

static void
handshake(struct sim *S)
{
	struct tb t;
	uint8_t body[16];
	unsigned side;

	for (side = 0; side < 2; side++) {
		const struct m_ep *e = &S->ep[side];

		tb_start(&t, e->ip, S->ep[1 - side].ip, e->port, S->ep[1 - side].port,
			 side == 0 ? 0 : S->ep[0].tag);
		tb_init(&t, (uint8_t)(side + 1), e->tag, 65536, S->sc.itsn[side]);
		tb_finish(&t);
		if (sw_enforce_packet(S->enf, t.b, t.len, sizeof(t.b), &t.pkt, 0, side, 0, NULL, 0,
				      NULL) != t.len)
			fail(S, "handshake packet %u not forwarded", side);
	}
	/* COOKIE-ECHO / COOKIE-ACK; with forge, each is preceded by a copy from another address
	 * (192.0.2.66 for side 0's) whose checksum is wrong: RFC 9260 6.8, its receiver discards
	 * it, so the enforcer must learn nothing from it, neither addresses nor a completed
	 * handshake (an established entry is never evicted) */
	for (side = 0; side < 2; side++) {
		unsigned pass;

		for (pass = S->forge ? 0 : 1; pass < 2; pass++) {
			struct sw_enforce_assoc_info ai;
			bool forged = pass == 0;

			pkt_start(S, &t, side);
			if (forged)
				tb_w32(t.b + TB_L3 + 12, 0xc0000242u + side);
			memset(body, 0, sizeof(body));
			tb_chunk(&t, side == 0 ? CT_COOKIE_ECHO : CT_COOKIE_ACK, 0, body,
				 side == 0 ? 16 : 0);
			tb_finish(&t);
			if (forged)
				t.b[TB_L4 + 8] ^= 0x5a; /* the checksum field */
			if (sw_enforce_packet(S->enf, t.b, t.len, sizeof(t.b), &t.pkt, 0, side, 0,
					      NULL, 0, NULL) != t.len)
				fail(S, "cookie packet %u not forwarded", side);
			if (!S->repair)
				continue;
			if (sw_enforce_assoc_snapshot(S->enf, &ai, 1) != 1) {
				fail(S, "association not tracked after cookie packet %u", side);
			} else if (forged && (side == 0 ? ai.ip_ver != 0 : ai.up)) {
				fail(S, "a forged %s with a wrong CRC32c taught the enforcer (%s)",
				     side == 0 ? "COOKIE-ECHO" : "COOKIE-ACK",
				     side == 0 ? "its addresses" : "handshake complete");
			} else if (!forged && side == 0 &&
				   (ai.ip_ver != 4 || tb_r32(ai.addr[0]) != S->ep[0].ip ||
				    tb_r32(ai.addr[1]) != S->ep[1].ip)) {
				fail(S, "the association's addresses are not its endpoints'");
			}
		}
	}
}

static bool
drained(struct sim *S)
{
	unsigned side, s;

	for (side = 0; side < 2; side++) {
		const struct m_ep *e = &S->ep[side];

		if (e->offered < S->sc.nmsg[side] || e->nout != 0)
			return false;
		for (s = 0; s < S->sc.streams; s++)
			if (e->sq_head[s] != e->sq_tail[s])
				return false;
	}
	return true;
}

static void
report_stall(struct sim *S)
{
	unsigned side, i, undelivered = 0, first = 0;

	for (side = 0; side < 2; side++)
		for (i = 0; i < S->sc.nmsg[side]; i++)
			if (!S->msg[side][i].blocked && !S->msg[side][i].delivered &&
			    undelivered++ == 0)
				first = side << 16 | i;
	fail(S,
	     "stall: not drained at t=%lld ms: side 0 outstanding %u (cum %u, first TSN %u sent "
	     "%u times), side 1 outstanding %u (cum %u), receivers cum %u / %u, %u allowed "
	     "undelivered (first: side %u message %u)",
	     (long long)S->now, S->ep[0].nout, S->ep[0].cum_ack,
	     S->ep[0].nout ? S->ep[0].out[0].tsn : 0, S->ep[0].nout ? S->ep[0].out[0].nsent : 0,
	     S->ep[1].nout, S->ep[1].cum_ack, S->ep[1].r_cum, S->ep[0].r_cum, undelivered,
	     first >> 16, first & 0xffff);
}

int
sw_model_run(uint64_t seed, const uint8_t *fuzz, size_t fuzz_len, int verbose,
	     struct sw_model_stats *st, char *why, size_t why_len)
{
	static struct sim sim;
	struct sim *S = &sim;
	struct sw_model_stats dummy;
	int64_t quiet_at = -1, next;
	unsigned side, i, s;
	char nowhy[8];

	memset(S, 0, sizeof(*S));
	S->q = malloc(sizeof(*S->q) * M_Q);
	if (S->q == NULL)
		return -1;
	S->r.f = fuzz;
	S->r.n = fuzz != NULL ? fuzz_len : 0;
	S->r.s = seed * 0x9e3779b97f4a7c15ull + 0x1234567;
	S->forge = (seed & 3) == 0; /* not from S->r: the scenarios of older seeds stay the same */
	if (S->r.s == 0)
		S->r.s = 1;
	S->st = st != NULL ? st : &dummy;
	memset(S->st, 0, sizeof(*S->st));
	S->why = why != NULL ? why : nowhy;
	S->why_len = why != NULL ? why_len : sizeof(nowhy);
	S->why[0] = '\0';
	S->verbose = verbose;
	scen_pick(S);
	for (side = 0; side < 2; side++)
		for (i = 0; i < S->sc.nmsg[side]; i++) {
			struct m_msg *m = &S->msg[side][i];

			m->sid = (uint16_t)rnd(&S->r, S->sc.streams);
			m->ordered = !chance(&S->r, S->sc.unordered_pm);
			m->blocked = chance(&S->r, S->sc.block_pm);
			m->len = (uint16_t)(S->sc.minlen +
					    4 * rnd(&S->r, (S->sc.maxlen - S->sc.minlen) / 4 + 1));
			S->smsg[side][m->sid][S->nsmsg[side][m->sid]++] = i;
			S->st->msgs++;
			S->st->blocked += m->blocked;
		}
	if (verbose)
		printf("scenario: msgs %u/%u streams %u unordered %u/1000 blocked %u/1000 loss %u "
		       "dup %u reorder %u (%u ms) corrupt %u lat %u mtu %u len %u-%u gap %u burst %u sack "
		       "%u ms/%u pkts rto %u flight %u pkts/tick %u itsn %#x/%#x\n",
		       S->sc.nmsg[0], S->sc.nmsg[1], S->sc.streams, S->sc.unordered_pm,
		       S->sc.block_pm, S->sc.loss_pm, S->sc.dup_pm, S->sc.reorder_pm,
		       S->sc.reorder_ms, S->sc.corrupt_pm, S->sc.lat, S->sc.mtu, S->sc.minlen, S->sc.maxlen,
		       S->sc.gap_ms, S->sc.burst, S->sc.sack_delay, S->sc.sack_every,
		       S->sc.rto_min, S->sc.max_flight, S->sc.pkts_per_tick, S->sc.itsn[0],
		       S->sc.itsn[1]);
	S->repair = getenv("SW_MODEL_NOREPAIR") == NULL;
	S->enf = sw_enforce_new(4, S->repair);
	if (S->enf == NULL) {
		free(S->q);
		return -1;
	}
	ep_init(S, 0);
	ep_init(S, 1);
	handshake(S);
	S->impair = true;
	S->now = 1;
	while (!S->failed) {
		/* packets due now, in arrival order */
		for (;;) {
			unsigned best = M_Q;
			struct m_pkt p;

			for (i = 0; i < S->nq; i++)
				if (S->q[i].at <= S->now &&
				    (best == M_Q || S->q[i].at < S->q[best].at ||
				     (S->q[i].at == S->q[best].at && S->q[i].seq < S->q[best].seq)))
					best = i;
			if (best == M_Q || S->failed)
				break;
			p = S->q[best];
			S->q[best] = S->q[--S->nq];
			if (p.dst < 2)
				mb_receive(S, p.dst, p.b, p.len, p.corrupt);
			else
				ep_receive(S, p.dst - 2, p.b, p.len, p.corrupt);
		}
		if (S->failed)
			break;
		for (side = 0; side < 2; side++) {
			struct m_ep *e = &S->ep[side];

			/* the application offers messages */
			while (e->offered < S->sc.nmsg[side] && e->app_at <= S->now) {
				for (i = 0; i < S->sc.burst && e->offered < S->sc.nmsg[side]; i++) {
					s = S->msg[side][e->offered].sid;
					e->sq_tail[s]++;
					e->offered++;
				}
				e->app_at = S->now + (S->sc.gap_ms ? 1 + rnd(&S->r, 2 * S->sc.gap_ms)
								   : rnd(&S->r, 2));
			}
			/* timers */
			if (e->t3_at >= 0 && e->t3_at <= S->now) {
				for (i = 0; i < e->nout; i++)
					if (!e->out[i].gap)
						e->out[i].rtx = 1;
				e->rto = e->rto * 2 > M_RTO_MAX ? M_RTO_MAX : e->rto * 2;
				e->t3_at = S->now + e->rto;
			}
			if (e->sack_at >= 0 && e->sack_at <= S->now)
				e->sack_now = true;
			ep_send(S, side);
		}
		if (S->failed)
			break;
		if (quiet_at < 0 && S->ep[0].offered == S->sc.nmsg[0] &&
		    S->ep[1].offered == S->sc.nmsg[1]) {
			quiet_at = S->now + 300;
		}
		if (quiet_at >= 0 && S->now >= quiet_at)
			S->impair = false;
		if (drained(S) && S->nq == 0)
			break;
		if (quiet_at >= 0 && S->now > quiet_at + M_DRAIN) {
			report_stall(S);
			break;
		}
		/* next event */
		next = S->now + 1000000;
		for (i = 0; i < S->nq; i++)
			if (S->q[i].at < next)
				next = S->q[i].at;
		for (side = 0; side < 2; side++) {
			const struct m_ep *e = &S->ep[side];

			if (e->offered < S->sc.nmsg[side] && e->app_at < next)
				next = e->app_at;
			if (e->t3_at >= 0 && e->t3_at < next)
				next = e->t3_at;
			if (e->sack_at >= 0 && e->sack_at < next)
				next = e->sack_at;
			if (e->sack_now && S->now + 1 < next)
				next = S->now + 1;
			for (i = 0; i < e->nout; i++)
				if (e->out[i].rtx && S->now + 1 < next)
					next = S->now + 1;
			if (pending_new(e, &S->sc) && e->nout < S->sc.max_flight &&
			    S->now + 1 < next)
				next = S->now + 1;
		}
		if (quiet_at >= 0 && quiet_at < next && S->impair)
			next = quiet_at;
		S->now = next > S->now ? next : S->now + 1;
	}
	if (!S->failed) {
		for (side = 0; side < 2 && !S->failed; side++)
			for (i = 0; i < S->sc.nmsg[side]; i++)
				if (!S->msg[side][i].blocked && !S->msg[side][i].delivered) {
					fail(S, "allowed message %u of side %u never delivered", i,
					     side);
					break;
				}
	}
	S->st->ticks = (uint64_t)S->now;
	if (S->failed && verbose) {
		const uint64_t *ctr = sw_enforce_counters(S->enf);

		printf("VIOLATION: %s\n", S->why);
		for (i = 0; i < SW_ENF_CTR_COUNT; i++)
			if (ctr[i] != 0)
				printf("  %s %llu\n", sw_enf_ctr_name((enum sw_enf_ctr)i),
				       (unsigned long long)ctr[i]);
	}
	sw_enforce_free(S->enf);
	free(S->q);
	return S->failed ? 1 : 0;
}
