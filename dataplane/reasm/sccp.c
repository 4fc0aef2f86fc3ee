/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SCCP segmentation (Q.713 3.17, Q.714 4.1.1.2 segmentation and 4.1.1.3 reassembly): the XUDT
 * and LUDT segments of one message share the calling party address, the originating point code
 * and the segmentation local reference; that triple (plus the ingress port) is the key. The
 * first segment (F bit) says how many segments follow it; every segment says how many follow
 * it (remaining, 4 bits), which is its place in the message, so segments are held in any order
 * and joined when the first and all those after it are there: first (remaining N-1) .. last
 * (remaining 0).
 *
 * What every segment of the message must agree on (otherwise SW_MAL_SCCP_REASM_INCONSISTENT):
 * the called party address, the DPC, the message type; at most one first segment and no
 * segment at or beyond its place. A place received twice with other octets is
 * SW_MAL_SCCP_REASM_CONFLICT (the receiver would keep one of them, we could judge the other).
 */
#include <stddef.h>
#include <string.h>

#include "dataplane/decode/decode.h"
#include "reasm_int.h"

/* What identifies the message a segment belongs to (Q.714 4.1.1.3). */
struct sccp_key {
	uint32_t opc;
	uint32_t ref;  /* segmentation local reference, Q.713 3.17 (24 bits) */
	uint32_t port; /* ingress: segments from both sides never meet */
	struct sw_sccp_addr cgpa;
};
_Static_assert(sizeof(struct sccp_key) <= RT_KEY_LEN, "SCCP key outgrew the table key");

/* What every segment of one message must carry alike. */
struct sccp_same {
	struct sw_sccp_addr cdpa;
	uint32_t dpc;
	uint8_t type;
};
_Static_assert(sizeof(struct sccp_same) <= RT_KEY_LEN, "SCCP consistency block too large");

static enum sw_reasm_res
sccp_fail(struct sw_reasm *r, struct sw_msu *msu, int32_t i, uint16_t mal, uint64_t now,
	  struct sw_reasm_out *out)
{
	return reasm_fail(r, &r->sccp, msu, i, mal, now, &out->entry);
}

/* All segments are there: join them in message order and decode the TCAP message. */
static enum sw_reasm_res
sccp_complete(struct sw_reasm *r, uint32_t i, struct sw_msu *msu, uint64_t now,
	      struct sw_reasm_out *out)
{
	struct rt_entry *e = &r->sccp.e[i];
	const uint8_t *b = rt_buf(&r->sccp, i);
	uint32_t pos = 0;

	for (int k = e->total - 1; k >= 0; k--) {
		memcpy(r->out + pos, b + e->off[k], e->len[k]);
		pos += e->len[k];
	}
	rt_judged(&r->sccp, i, now, true, SW_MAL_NONE,
		  &(struct sw_reasm_verdict){ .action = SW_ACTION_DROP, .rule = SW_RULE_MALFORMED });
	out->buf = r->out;
	out->len = pos;
	out->npieces = e->total;
	out->entry = (int32_t)i;
	r->st.completed++;
	/* The message as the receiver rebuilds it: the routing label and SCCP header of this
	 * segment (the same in all of them), the data reassembled. */
	msu->mal = SW_MAL_NONE;
	msu->sccp.data_off = 0;
	msu->sccp.data_len = pos;
	sw_tcap_decode(r->out, 0, pos, msu);
	return SW_REASM_COMPLETE;
}

enum sw_reasm_res
sw_reasm_sccp(struct sw_reasm *r, const uint8_t *buf, struct sw_msu *msu, unsigned port,
	      uint64_t now, struct sw_reasm_out *out)
{
	struct rt_table *t = &r->sccp;
	uint8_t key[RT_KEY_LEN] = { 0 }, same[RT_KEY_LEN] = { 0 };
	struct sccp_key *k = (struct sccp_key *)key;
	struct sccp_same *s = (struct sccp_same *)same;
	const uint8_t *p = buf + msu->sccp.data_off;
	uint32_t n = msu->sccp.data_len;
	unsigned rem = msu->sccp.seg_remaining, idx = rem;
	bool first = msu->sccp.seg_first, created;
	struct rt_entry *e;
	uint64_t ph;
	int32_t i;

	r->st.pieces++;
	k->opc = msu->m3ua.opc;
	k->ref = msu->sccp.seg_ref;
	k->port = port;
	/* memcpy keeps the padding octets, zero: the decoder clears the whole MSU first */
	memcpy(&k->cgpa, &msu->sccp.cgpa, sizeof(k->cgpa));
	memcpy(&s->cdpa, &msu->sccp.cdpa, sizeof(s->cdpa));
	s->dpc = msu->m3ua.dpc;
	s->type = msu->sccp.type;
	ph = rt_hash(t, p, n);

	i = rt_get(t, key, now, SW_MAL_SCCP_REASM_TIMEOUT, &r->st, &created);
	if (i < 0)
		return sccp_fail(r, msu, -1, SW_MAL_SCCP_REASM_FULL, now, out);
	e = &t->e[i];
	if (t->s[i].state == RT_FAILED) /* timed out: this segment is the first to hear of it */
		return sccp_fail(r, msu, i, e->mal, now, out);
	if (t->s[i].state == RT_JUDGED) {
		/* A copy of a segment of a judged message gets its verdict; a failed message's
		 * verdict covers all its segments. Anything else under the same key after the
		 * message was rebuilt is not a copy: the receiver could start another message
		 * with it that we would not see whole. */
		if (!e->complete || (memcmp(e->same, same, RT_KEY_LEN) == 0 && idx < e->total &&
				     rt_same_piece(t, (uint32_t)i, idx, ph, n)))
			return reasm_known(r, t, i, msu, out, &out->entry);
		return sccp_fail(r, msu, -1, SW_MAL_SCCP_REASM_CONFLICT, now, out);
	}
	/* compared whole, not hashed: one keyed SipHash less per segment (issue 14 Performance) */
	if (created)
		memcpy(e->same, same, RT_KEY_LEN);
	else if (memcmp(e->same, same, RT_KEY_LEN) != 0)
		return sccp_fail(r, msu, i, SW_MAL_SCCP_REASM_INCONSISTENT, now, out);
	/* Segments in the message: remaining + 1 from the first, at least remaining + 2 from any
	 * other (the first is before it). */
	if ((first ? rem + 1 : rem + 2) > r->max_pieces)
		return sccp_fail(r, msu, i, SW_MAL_SCCP_REASM_SEGMENTS, now, out);
	if (first ? (e->total != 0 && e->total != rem + 1) ||
			    (e->total == 0 && ((e->have >> idx) != 0))
		  : e->total != 0 && rem + 1 >= e->total) {
		/* A second first segment with another count, a first segment at or before a
		 * segment held, or a segment at or before the first segment's place. A first
		 * segment again with the same count is checked as a copy below. */
		if (!(first && e->total == rem + 1))
			return sccp_fail(r, msu, i, SW_MAL_SCCP_REASM_INCONSISTENT, now, out);
	}
	if (e->have >> idx & 1) {
		if (rt_same_piece(t, (uint32_t)i, idx, ph, n))
			return reasm_pending(r, msu); /* a copy: the message is still incomplete */
		return sccp_fail(r, msu, i, SW_MAL_SCCP_REASM_CONFLICT, now, out);
	}
	if ((uint32_t)e->used + n > SW_REASM_SCCP_DATA_MAX)
		return sccp_fail(r, msu, i, SW_MAL_SCCP_REASM_LONG, now, out);
	rt_put_piece(t, (uint32_t)i, idx, p, n, ph);
	if (first)
		e->total = (uint8_t)(rem + 1);
	if (e->total != 0 && e->have == (uint16_t)((1u << e->total) - 1))
		return sccp_complete(r, (uint32_t)i, msu, now, out);
	return reasm_pending(r, msu);
}
