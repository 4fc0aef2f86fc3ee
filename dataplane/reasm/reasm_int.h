/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal to dataplane/reasm: the state behind struct sw_reasm. */
#ifndef SW_REASM_REASM_INT_H
#define SW_REASM_REASM_INT_H

#include "dataplane/policy/policy.h"
#include "reasm.h"
#include "table.h"

struct sw_reasm {
	struct rt_table sccp, sctp;
	uint8_t max_pieces;
	bool sctp_on;        /* SCTP fragments reassembled (sw_reasm_set_sctp) */
	int32_t held;        /* entry of the SCTP fragment the last call held, -1: none */
	int32_t last_sctp;   /* entry of the SCTP message of the last call's fragment, -1: none */
	struct sw_reasm_stats st;
	uint8_t out[SW_REASM_SCCP_DATA_MAX];  /* the SCCP message being judged, joined */
	uint8_t sout[SW_REASM_SCTP_DATA_MAX]; /* the M3UA message being judged, joined */
};

/* The reasons of one kind of piece, in the order of malformed.def. */
struct reasm_reasons {
	uint16_t full, timeout, conflict, too_long, inconsistent, segments;
};

/* SCCP segmentation (sccp.c): msu is a segment (SW_MAL_SCCP_SEGMENTED with SW_HAS_SEGMENT). */
enum sw_reasm_res sw_reasm_sccp(struct sw_reasm *r, const uint8_t *buf, struct sw_msu *msu,
				unsigned port, uint64_t now, struct sw_reasm_out *out);
/* SCTP user-message fragmentation (sctp.c): msu is a DATA fragment (SW_MAL_SCTP_DATA_FRAGMENT). */
enum sw_reasm_res sw_reasm_sctp(struct sw_reasm *r, const uint8_t *buf, const struct sw_pkt *pkt,
				struct sw_msu *msu, unsigned port, uint64_t now,
				struct sw_reasm_out *out);

/*
 * A failure of the piece's message (entry i of t, or -1 when it has none): the message fails
 * with mal (or the timeout it already had) and is dropped as malformed until sw_reasm_verdict
 * says otherwise. Sets msu->mal, *entry. Returns SW_REASM_FAIL.
 */
enum sw_reasm_res reasm_fail(struct sw_reasm *r, struct rt_table *t, struct sw_msu *msu,
			     int32_t i, uint16_t mal, uint64_t now, int32_t *entry);
/* A piece of the message judged in entry i of t: its verdict (out->known, *entry, msu->mal). */
enum sw_reasm_res reasm_known(struct sw_reasm *r, const struct rt_table *t, int32_t i,
			      struct sw_msu *msu, struct sw_reasm_out *out, int32_t *entry);
/* Held: not a malformation any more, the message will be judged whole. */
enum sw_reasm_res reasm_pending(struct sw_reasm *r, struct sw_msu *msu);
/* Verdict v for entry i of the SCTP table (a rebuilt message whose SCCP segment was held). */
void reasm_record_sctp(struct sw_reasm *r, int32_t i, const struct sw_reasm_verdict *v);

#endif /* SW_REASM_REASM_INT_H */
