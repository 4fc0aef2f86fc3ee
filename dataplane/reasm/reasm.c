/* SPDX-License-Identifier: BSD-3-Clause */
/* Whole messages (reasm.h): the tables, and which reassembler a piece goes to. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
	if (rt_init(&r->sccp, c.entries, SW_REASM_SCCP_DATA_MAX, c.timeout_ns) < 0) {
		free(r);
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
	free(r);
}

enum sw_reasm_res
sw_reasm_msu(struct sw_reasm *r, const uint8_t *buf, struct sw_msu *msu, unsigned port,
	     uint64_t now_ns, struct sw_reasm_out *out)
{
	out->buf = buf;
	out->len = 0;
	out->npieces = 0;
	out->entry = -1;
	/* The decoder stops at a segment that is not a whole message (sccp.c), before TCAP. */
	if (msu->mal == SW_MAL_SCCP_SEGMENTED && (msu->has & SW_HAS_SEGMENT))
		return sw_reasm_sccp(r, buf, msu, port, now_ns, out);
	return SW_REASM_NONE;
}

void
sw_reasm_verdict(struct sw_reasm *r, const struct sw_reasm_out *out,
		 const struct sw_reasm_verdict *v)
{
	struct rt_entry *e;

	if (out->entry < 0 || (uint32_t)out->entry > r->sccp.mask)
		return;
	e = &r->sccp.e[out->entry];
	if (r->sccp.s[out->entry].state == RT_JUDGED) {
		e->v = *v;
		r->sccp.s[out->entry].drop = v->action == SW_ACTION_DROP;
	}
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
