/* SPDX-License-Identifier: BSD-3-Clause */
/* Whole messages (reasm.h): the tables, and which reassembler a piece goes to. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/proto/sctp.h"
#include "reasm_int.h"

struct sw_reasm *
sw_reasm_new(const struct sw_reasm_conf *conf)
{
	struct sw_reasm_conf c = {
		.entries = SW_REASM_ENTRIES_DEFAULT,
		.timeout_ns = SW_REASM_TIMEOUT_DEFAULT_NS,
		.max_pieces = SW_REASM_PIECES_MAX,
	};
	struct sw_reasm *r;

	if (conf != NULL)
		c = *conf;
	if (c.entries == 0 || c.timeout_ns == 0 || c.max_pieces == 0 ||
	    c.max_pieces > SW_REASM_PIECES_MAX) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->max_pieces = c.max_pieces;
	r->sctp_on = SW_REASM_SCTP_DEFAULT;
	r->held = -1;
	r->last_sctp = -1;
	/* SCTP fragments: a quarter of the entries (a sender fragments a message only when it
	 * exceeds the path MTU: long ISD, LUDT; one message at a time per stream). */
	if (rt_init(&r->sccp, c.entries, SW_REASM_SCCP_DATA_MAX, c.timeout_ns) < 0 ||
	    rt_init(&r->sctp, c.entries / 4, SW_REASM_SCTP_DATA_MAX, c.timeout_ns) < 0) {
		sw_reasm_free(r);
		return NULL;
	}
	return r;
}

void
sw_reasm_free(struct sw_reasm *r)
{
	if (r == NULL)
		return;
	rt_fini(&r->sccp);
	rt_fini(&r->sctp);
	free(r);
}

enum sw_reasm_res
reasm_fail(struct sw_reasm *r, struct rt_table *t, struct sw_msu *msu, int32_t i, uint16_t mal,
	   uint64_t now, int32_t *entry)
{
	if (i >= 0) {
		/* A message that timed out keeps its reason. Until sw_reasm_verdict says
		 * otherwise, the message's other pieces are dropped as malformed: fail closed if
		 * the caller never gives a verdict. */
		struct sw_reasm_verdict v = { .action = SW_ACTION_DROP, .rule = SW_RULE_MALFORMED };

		if (t->s[i].state == RT_FAILED)
			mal = t->e[i].mal;
		v.mal = mal;
		rt_judged(t, (uint32_t)i, now, false, mal, &v);
	}
	msu->mal = (enum sw_mal)mal;
	*entry = i;
	r->st.failed++;
	r->st.mal[mal < SW_MAL_COUNT ? mal : 0]++;
	return SW_REASM_FAIL;
}

enum sw_reasm_res
reasm_known(struct sw_reasm *r, const struct rt_table *t, int32_t i, struct sw_msu *msu,
	    struct sw_reasm_out *out, int32_t *entry)
{
	r->st.known++;
	*entry = i;
	out->known = t->e[i].v;
	msu->mal = (enum sw_mal)out->known.mal; /* the message's, as its verdict says */
	return SW_REASM_KNOWN;
}

enum sw_reasm_res
reasm_pending(struct sw_reasm *r, struct sw_msu *msu)
{
	r->st.pending++;
	msu->mal = SW_MAL_NONE;
	return SW_REASM_PENDING;
}

enum sw_reasm_res
sw_reasm_msu(struct sw_reasm *r, const uint8_t *buf, const struct sw_pkt *pkt, struct sw_msu *msu,
	     unsigned port, uint64_t now_ns, struct sw_reasm_out *out)
{
	enum sw_reasm_res res;

	out->buf = buf;
	out->len = 0;
	out->npieces = 0;
	out->entry = -1;
	out->sctp_entry = -1;
	r->held = -1;
	r->last_sctp = -1;
	/* The decoder stops at a fragment before M3UA (decode/sctp.c) and at a segment that is
	 * not a whole message before TCAP (decode/sccp.c). */
	if (msu->mal == SW_MAL_SCTP_DATA_FRAGMENT) {
		if (!r->sctp_on || msu->chunk_type != SCTP_CT_DATA)
			return SW_REASM_NONE; /* off, or I-DATA: the malformation as it is */
		res = sw_reasm_sctp(r, buf, pkt, msu, port, now_ns, out);
		r->last_sctp = res == SW_REASM_PENDING ? r->held : out->sctp_entry;
		return res;
	}
	if (msu->mal == SW_MAL_SCCP_SEGMENTED && (msu->has & SW_HAS_SEGMENT))
		return sw_reasm_sccp(r, buf, msu, port, now_ns, out);
	return SW_REASM_NONE;
}

/* Record v for entry i of t, if it is (still) the judged message. */
static void
reasm_record(struct rt_table *t, int32_t i, const struct sw_reasm_verdict *v)
{
	if (i < 0 || (uint32_t)i > t->mask || t->s[i].state != RT_JUDGED)
		return;
	t->e[i].v = *v;
	t->s[i].drop = v->action == SW_ACTION_DROP;
}

void
sw_reasm_verdict(struct sw_reasm *r, const struct sw_reasm_out *out,
		 const struct sw_reasm_verdict *v)
{
	reasm_record(&r->sccp, out->entry, v);
	reasm_record(&r->sctp, out->sctp_entry, v);
}

void
reasm_record_sctp(struct sw_reasm *r, int32_t i, const struct sw_reasm_verdict *v)
{
	reasm_record(&r->sctp, i, v);
}

void
sw_reasm_set_sctp(struct sw_reasm *r, bool on)
{
	r->sctp_on = on;
}

bool
sw_reasm_sctp_on(const struct sw_reasm *r)
{
	return r->sctp_on;
}

bool
sw_reasm_last_held(const struct sw_reasm *r, struct sw_reasm_ticket *t)
{
	if (r->held < 0)
		return false;
	t->entry = r->held;
	t->gen = r->sctp.e[r->held].gen;
	return true;
}

bool
sw_reasm_last_sctp(const struct sw_reasm *r, struct sw_reasm_ticket *t)
{
	if (r->last_sctp < 0)
		return false;
	t->entry = r->last_sctp;
	t->gen = r->sctp.e[r->last_sctp].gen;
	return true;
}

/* The entry of ticket t if it still holds t's message, else -1. */
static int32_t
reasm_ticket_entry(const struct sw_reasm *r, const struct sw_reasm_ticket *t)
{
	if (t->entry < 0 || (uint32_t)t->entry > r->sctp.mask ||
	    r->sctp.s[t->entry].state == RT_FREE || r->sctp.e[t->entry].gen != t->gen)
		return -1;
	return t->entry;
}

enum sw_reasm_res
sw_reasm_ticket_state(const struct sw_reasm *r, const struct sw_reasm_ticket *t,
		      struct sw_reasm_verdict *v)
{
	int32_t i = reasm_ticket_entry(r, t);

	*v = (struct sw_reasm_verdict){ .action = SW_ACTION_DROP, .rule = SW_RULE_MALFORMED,
					.mal = SW_MAL_SCTP_REASM_TIMEOUT,
					.image = SW_REASM_IMAGE_ANY };
	if (i < 0)
		return SW_REASM_FAIL; /* forgotten: its time (and its verdict's) ran out */
	switch (r->sctp.s[i].state) {
	case RT_COLLECT:
		return SW_REASM_PENDING;
	case RT_JUDGED:
		*v = r->sctp.e[i].v;
		return SW_REASM_KNOWN;
	default: /* RT_FAILED: timed out, no verdict given yet */
		v->mal = r->sctp.e[i].mal;
		return SW_REASM_FAIL;
	}
}

void
sw_reasm_ticket_fail(struct sw_reasm *r, const struct sw_reasm_ticket *t, uint16_t mal,
		     uint64_t now_ns, const struct sw_reasm_verdict *v)
{
	int32_t i = reasm_ticket_entry(r, t);

	if (i < 0 || r->sctp.s[i].state != RT_COLLECT)
		return;
	rt_judged(&r->sctp, (uint32_t)i, now_ns, false, mal, v);
	r->st.failed++;
	r->st.mal[mal < SW_MAL_COUNT ? mal : 0]++;
}

const struct sw_reasm_stats *
sw_reasm_stats(const struct sw_reasm *r)
{
	return &r->st;
}

const char *
sw_reasm_state_name(unsigned res)
{
	static const char *const names[] = { "none", "pending", "complete", "known", "failed" };

	return res < sizeof(names) / sizeof(names[0]) ? names[res] : "?";
}
