/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal to dataplane/reasm: the state behind struct sw_reasm. */
#ifndef SW_REASM_REASM_INT_H
#define SW_REASM_REASM_INT_H

#include "dataplane/policy/policy.h"
#include "reasm.h"
#include "table.h"

struct sw_reasm {
	struct rt_table sccp;
	uint8_t max_pieces;
	struct sw_reasm_stats st;
	uint8_t out[SW_REASM_SCCP_DATA_MAX]; /* the message being judged, joined */
};

/* SCCP segmentation (sccp.c): msu is a segment (SW_MAL_SCCP_SEGMENTED with SW_HAS_SEGMENT). */
enum sw_reasm_res sw_reasm_sccp(struct sw_reasm *r, const uint8_t *buf, struct sw_msu *msu,
				unsigned port, uint64_t now, struct sw_reasm_out *out);

#endif /* SW_REASM_REASM_INT_H */
