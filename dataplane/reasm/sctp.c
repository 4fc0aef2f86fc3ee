/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SCTP user-message fragmentation (RFC 9260 6.9): a user message larger than the path allows is
 * sent as DATA chunks with consecutive TSNs on one stream, the first with the B bit, the last
 * with the E bit, all with the same stream sequence number (ordered) and PPID. The fragments of
 * one message are keyed by the association (verification tag and ports, never the addresses: a
 * multi-homed association's paths share them), the ingress port, the stream, and the SSN for
 * ordered messages (unordered ones: one fragmented message at a time per stream, as RFC 9260 6.9
 * sends them without I-DATA; a TSN after a judged message starts the next one). The TSN is a
 * fragment's place: held in any order, joined from B to
 * E when every TSN between is there, and decoded as the M3UA message it is. I-DATA fragments
 * (RFC 8260) are not reassembled here (still `sctp_data_fragment`).
 *
 * What every fragment must agree on (else SW_MAL_SCTP_REASM_INCONSISTENT): the PPID and the U
 * bit; one B and one E fragment, nothing before B or after E. A TSN received again with other
 * octets is SW_MAL_SCTP_REASM_CONFLICT; more than max_pieces TSNs between the lowest and highest
 * held is SW_MAL_SCTP_REASM_SEGMENTS.
 */
#include <string.h>

#include "dataplane/decode/decode.h"
#include "dataplane/proto/sctp.h"
#include "reasm_int.h"

struct sctp_key {
	uint32_t vtag;
	uint16_t sport, dport;
	uint32_t port; /* ingress */
	uint16_t sid;
	uint16_t ssn;  /* 0 for unordered fragments */
	uint8_t unordered;
};
_Static_assert(sizeof(struct sctp_key) <= RT_KEY_LEN, "SCTP key outgrew the table key");

/* Serial number arithmetic on TSNs, RFC 9260 1.6. */
static inline bool
tsn_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static enum sw_reasm_res
sctp_fail(struct sw_reasm *r, struct sw_msu *msu, int32_t i, uint16_t mal, uint64_t now,
	  struct sw_reasm_out *out)
{
	return reasm_fail(r, &r->sctp, msu, i, mal, now, &out->sctp_entry);
}

/* TSN tsn of entry i holds these octets (ph: their keyed hash with the TSN). */
static bool
sctp_same_piece(const struct rt_table *t, uint32_t i, uint32_t tsn, uint64_t ph, uint32_t n)
{
	const struct rt_entry *e = &t->e[i];

	return !tsn_lt(tsn, e->lo) && !tsn_lt(e->hi, tsn) &&
	       rt_same_piece(t, i, tsn & (SW_REASM_PIECES_MAX - 1), ph, n);
}

/*
 * The rebuilt M3UA message, decoded; an SCCP segment in it goes on to the SCCP table, and the
 * SCTP message then gets what the SCCP message gets.
 */
static enum sw_reasm_res
sctp_complete(struct sw_reasm *r, uint32_t i, struct sw_msu *msu, unsigned port, uint64_t now,
	      struct sw_reasm_out *out)
{
	struct rt_table *t = &r->sctp;
	struct rt_entry *e = &t->e[i];
	const uint8_t *b = rt_buf(t, i);
	uint32_t pos = 0, npieces = e->last - e->first + 1;
	enum sw_reasm_res res;

	for (uint32_t k = 0; k < npieces; k++) {
		unsigned idx = (e->first + k) & (SW_REASM_PIECES_MAX - 1);

		memcpy(r->sout + pos, b + e->off[idx], e->len[idx]);
		pos += e->len[idx];
	}
	rt_judged(t, i, now, true, SW_MAL_NONE,
		  &(struct sw_reasm_verdict){ .action = SW_ACTION_DROP, .rule = SW_RULE_MALFORMED });
	out->buf = r->sout;
	out->len = pos;
	out->npieces = (uint8_t)npieces;
	out->sctp_entry = (int32_t)i;
	r->st.completed++;
	/* The user message as the receiver rebuilds it, decoded as sw_decode_msu decodes a whole
	 * DATA chunk (decode/sctp.c): the chunk fields stay those of this fragment. */
	msu->mal = SW_MAL_NONE;
	msu->data_off = 0;
	msu->data_len = pos;
	/* M3UA (PPID 3) or M2PA (PPID 5, RFC 4165: a User Data message whose MTP3 message is
	 * longer than the path takes is fragmented like any user message); another PPID is
	 * SW_MAL_SCTP_PPID, as for a whole chunk. */
	if (sw_decode_user_message(r->sout, 0, pos, msu->ppid, msu) == SW_MAL_SCTP_PPID)
		return SW_REASM_COMPLETE;
	if (msu->mal != SW_MAL_SCCP_SEGMENTED || !(msu->has & SW_HAS_SEGMENT))
		return SW_REASM_COMPLETE;
	res = sw_reasm_sccp(r, r->sout, msu, port, now, out);
	if (res == SW_REASM_PENDING)
		reasm_record_sctp(r, (int32_t)i,
				  &(struct sw_reasm_verdict){ .action = SW_ACTION_ALLOW,
							      .rule = SW_REASM_RULE_PENDING,
							      .image = SW_REASM_IMAGE_ANY });
	else if (res == SW_REASM_KNOWN)
		reasm_record_sctp(r, (int32_t)i, &out->known);
	return res;
}

enum sw_reasm_res
sw_reasm_sctp(struct sw_reasm *r, const uint8_t *buf, const struct sw_pkt *pkt,
	      struct sw_msu *msu, unsigned port, uint64_t now, struct sw_reasm_out *out)
{
	struct rt_table *t = &r->sctp;
	uint8_t key[RT_KEY_LEN] = { 0 };
	struct sctp_key *k = (struct sctp_key *)key;
	const uint8_t *p = buf + msu->data_off;
	uint32_t n = msu->data_len, tsn = msu->tsn, lo, hi;
	bool bf = msu->chunk_flags & SCTP_DATA_B, ef = msu->chunk_flags & SCTP_DATA_E;
	bool uf = msu->chunk_flags & SCTP_DATA_U, created;
	unsigned idx = tsn & (SW_REASM_PIECES_MAX - 1);
	uint64_t aux = (uint64_t)msu->ppid | (uint64_t)uf << 32, ph;
	struct rt_entry *e;
	int32_t i;

	r->st.pieces++;
	k->vtag = pkt->vtag;
	k->sport = pkt->sport;
	k->dport = pkt->dport;
	k->port = port;
	k->sid = msu->sid;
	k->ssn = uf ? 0 : msu->ssn;
	k->unordered = uf;
	ph = rt_hash(t, p, n) ^ (uint64_t)tsn * 0x9e3779b97f4a7c15ull;

	i = rt_get(t, key, now, SW_MAL_SCTP_REASM_TIMEOUT, &r->st, &created);
	if (i < 0)
		return sctp_fail(r, msu, -1, SW_MAL_SCTP_REASM_FULL, now, out);
	e = &t->e[i];
	if (t->s[i].state == RT_FAILED)
		return sctp_fail(r, msu, i, e->mal, now, out);
	if (t->s[i].state == RT_JUDGED && e->complete && tsn_lt(e->last, tsn)) {
		/* A TSN after the judged message: the next message under this key (the next
		 * unordered one on the stream, or an SSN that wrapped). TSNs only grow. */
		if (!rt_restart(t, (uint32_t)i, now))
			return sctp_fail(r, msu, -1, SW_MAL_SCTP_REASM_FULL, now, out);
		created = true;
	} else if (t->s[i].state == RT_JUDGED) {
		if (!e->complete || (e->aux == aux && sctp_same_piece(t, (uint32_t)i, tsn, ph, n)))
			return reasm_known(r, t, i, msu, out, &out->sctp_entry);
		return sctp_fail(r, msu, -1, SW_MAL_SCTP_REASM_CONFLICT, now, out);
	}
	if (created) {
		e->aux = aux;
		e->lo = e->hi = tsn;
	} else if (e->aux != aux) {
		return sctp_fail(r, msu, i, SW_MAL_SCTP_REASM_INCONSISTENT, now, out);
	}
	lo = tsn_lt(tsn, e->lo) ? tsn : e->lo;
	hi = tsn_lt(e->hi, tsn) ? tsn : e->hi;
	if (hi - lo + 1 > r->max_pieces)
		return sctp_fail(r, msu, i, SW_MAL_SCTP_REASM_SEGMENTS, now, out);
	/* One B and one E; nothing before B, nothing after E. */
	if ((bf && ((e->ends & 1) ? e->first != tsn : lo != tsn)) ||
	    (!bf && (e->ends & 1) && lo != e->first) ||
	    (ef && ((e->ends & 2) ? e->last != tsn : hi != tsn)) ||
	    (!ef && (e->ends & 2) && hi != e->last))
		return sctp_fail(r, msu, i, SW_MAL_SCTP_REASM_INCONSISTENT, now, out);
	if (e->have >> idx & 1) {
		if (sctp_same_piece(t, (uint32_t)i, tsn, ph, n)) {
			r->held = i;
			return reasm_pending(r, msu); /* a retransmission: still incomplete */
		}
		return sctp_fail(r, msu, i, SW_MAL_SCTP_REASM_CONFLICT, now, out);
	}
	if ((uint32_t)e->used + n > SW_REASM_SCTP_DATA_MAX)
		return sctp_fail(r, msu, i, SW_MAL_SCTP_REASM_LONG, now, out);
	rt_put_piece(t, (uint32_t)i, idx, p, n, ph);
	e->lo = lo;
	e->hi = hi;
	if (bf) {
		e->ends |= 1;
		e->first = tsn;
	}
	if (ef) {
		e->ends |= 2;
		e->last = tsn;
	}
	if (e->ends == 3 && (uint32_t)__builtin_popcount(e->have) == e->last - e->first + 1)
		return sctp_complete(r, (uint32_t)i, msu, port, now, out);
	r->held = i;
	return reasm_pending(r, msu);
}
