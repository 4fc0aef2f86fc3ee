/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Whole messages (issue 14): the pieces of a message cut by the sender are joined and the
 * message is judged as the receiver will rebuild it. Pure C, no DPDK: the workers (through the
 * judge), `sigwallctl inspect`, the tests, the fuzzer and the benchmark run this code.
 *
 * Pieces: SCCP segments (XUDT/LUDT with the segmentation parameter, Q.713 3.17, Q.714
 * 4.1.1.2/4.1.1.3) and SCTP fragments (DATA chunks without both B and E bits, RFC 9260 6.9: one
 * M3UA message cut over consecutive TSNs of one stream; the rebuilt message may itself be an
 * SCCP segment, which then goes on to the SCCP table). A piece is held (it passes: SW_REASM_PENDING) until the segment that
 * completes the message arrives; that one carries the message's verdict (SW_REASM_COMPLETE:
 * the caller judges the reassembled message and records the verdict with sw_reasm_verdict), so
 * a dropped message can never be rebuilt by the receiver. Any later copy of a segment of a
 * judged message gets the same verdict (SW_REASM_KNOWN). Every failure is a named malformation
 * (SW_MAL_SCCP_REASM_*) that the policy's `malformed` action judges (SW_REASM_FAIL), and the
 * message it belongs to keeps that verdict.
 *
 * State is one bounded table per struct sw_reasm (one per worker; see README.md for why the
 * segments of one message reach one worker): entries allocated up front, a hash keyed with
 * random bits per table, probing bounded to SW_REASM_PROBE slots. Not thread-safe: one owner.
 */
#ifndef SW_REASM_REASM_H
#define SW_REASM_REASM_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/decode/msu.h"

/* Q.713 3.17: four bits of remaining segments, so at most 16 segments make one message. */
#define SW_REASM_PIECES_MAX 16
/* Q.713 4.20 / Q.714 4.1.1.2: at most 3,952 octets of user data in one (reassembled) message. */
#define SW_REASM_SCCP_DATA_MAX 3952
/* The longest M3UA message rebuilt from SCTP fragments: an LUDT with 3,952 octets of data and
 * its M3UA (RFC 4666 3.3.1: header, routing context, protocol data label) and SCCP headers. */
#define SW_REASM_SCTP_DATA_MAX 4400
/* Rule of a held piece's verdict (the judge's SW_JUDGE_RULE_PENDING, judge.h). */
#define SW_REASM_RULE_PENDING (-4)
#define SW_REASM_PROBE 16 /* slots looked at from a key's home slot, never more */

struct sw_reasm_conf {
	uint32_t entries;    /* messages being reassembled or remembered (rounded up to 2^n) */
	uint64_t timeout_ns; /* an incomplete message fails after this (from its first piece);
				a judged one is remembered this long for later copies */
	uint8_t max_pieces;  /* segments per message, 1..SW_REASM_PIECES_MAX */
};

#define SW_REASM_ENTRIES_DEFAULT 1024
#define SW_REASM_TIMEOUT_DEFAULT_NS 10000000000ull /* Q.714 T(reassembly): 10 to 20 s */

enum sw_reasm_res {
	SW_REASM_NONE = 0, /* not a piece: judge the MSU as it is */
	SW_REASM_PENDING,  /* held: this piece passes unjudged, its message is judged later */
	SW_REASM_COMPLETE, /* the message is whole: msu holds it decoded (buffer out->buf); judge
			      it and record the verdict with sw_reasm_verdict */
	SW_REASM_KNOWN,    /* a piece of a message already judged: out->known is its verdict */
	SW_REASM_FAIL,     /* msu->mal is the reason (SW_MAL_SCCP_REASM_*): judge it (the policy's
			      malformed verdict) and record the verdict with sw_reasm_verdict */
};

/* A verdict as the judge gives it (struct sw_judge_verdict's fields). */
struct sw_reasm_verdict {
	uint8_t action;
	bool monitor;
	bool no_image;
	uint16_t mal;
	int32_t rule;
	uint64_t image;  /* the judge's: which image gave it (a later image does not reuse it);
			    SW_REASM_IMAGE_ANY: valid under any image (a held piece) */
};
#define SW_REASM_IMAGE_ANY UINT64_MAX

struct sw_reasm_out {
	const uint8_t *buf;  /* the buffer msu's TCAP/MAP offsets point into (COMPLETE: the
				reassembled data; otherwise the packet) */
	uint32_t len;        /* COMPLETE: octets reassembled */
	uint8_t npieces;     /* COMPLETE: segments joined */
	int32_t entry;       /* SCCP entry the verdict goes to (-1: none) */
	int32_t sctp_entry;  /* SCTP entry the verdict goes to (-1: none) */
	struct sw_reasm_verdict known; /* KNOWN */
};

/* Counters of one table (the failures also count as malformations where the verdict lands). */
struct sw_reasm_stats { /* SCCP and SCTP pieces together; the reasons tell them apart */
	uint64_t pieces;    /* segments seen */
	uint64_t pending;   /* held */
	uint64_t completed; /* messages reassembled and judged */
	uint64_t known;     /* later copies given their message's verdict */
	uint64_t failed;    /* SW_REASM_FAIL results */
	uint64_t expired;   /* incomplete messages timed out (also in mal[SCCP_REASM_TIMEOUT] when
			       a later segment meets them) */
	uint64_t reclaimed; /* judged messages forgotten: their time over, or (not dropped ones)
			       to make room for a new message */
	uint64_t in_use;    /* entries holding a message now */
	uint64_t mal[SW_MAL_COUNT]; /* SW_REASM_FAIL per reason */
};

struct sw_reasm;

/* conf NULL: the defaults above. Returns NULL with errno set. */
struct sw_reasm *sw_reasm_new(const struct sw_reasm_conf *conf);
void sw_reasm_free(struct sw_reasm *r);

/*
 * A piece of a longer message the judge hands to sw_reasm_msu: the one test on the fast path.
 * SCTP fragments reach the SCTP table only when it is switched on (sw_reasm_set_sctp); off,
 * sw_reasm_msu returns SW_REASM_NONE for them and they stay the sctp_data_fragment malformation.
 */
static inline bool
sw_reasm_is_piece(const struct sw_msu *msu)
{
	return msu->mal == SW_MAL_SCCP_SEGMENTED || msu->mal == SW_MAL_SCTP_DATA_FRAGMENT;
}

/*
 * SCTP user-message fragments (RFC 9260 6.9) reassembled and judged as the message they form
 * (on), or left to the malformed verdict (off). Inline, a packet with a fragment held here must
 * not reach the receiver before its message is judged: the workers hold it (dataplane/app
 * worker.c, sw_reasm_last_held, README.md). Default: SW_REASM_SCTP_DEFAULT.
 */
#define SW_REASM_SCTP_DEFAULT true
void sw_reasm_set_sctp(struct sw_reasm *r, bool on);
bool sw_reasm_sctp_on(const struct sw_reasm *r);

/* An SCTP message a held fragment belongs to: its entry and the entry's generation (an entry
 * reused for another message is not this one any more). */
struct sw_reasm_ticket {
	int32_t entry;
	uint32_t gen;
};

/*
 * Whether the last sw_reasm_msu call held an SCTP fragment (SW_REASM_PENDING from the SCTP
 * table, not a rebuilt message whose SCCP segment is held): then *t names its message.
 */
bool sw_reasm_last_held(const struct sw_reasm *r, struct sw_reasm_ticket *t);
/* The SCTP message the last sw_reasm_msu call's fragment belongs to, whatever the result (held,
 * completed, known, failed): the caller that holds packets learns its verdict there, before a
 * full table may give the entry to another message. False if the call had none. */
bool sw_reasm_last_sctp(const struct sw_reasm *r, struct sw_reasm_ticket *t);

/*
 * The state of the message of ticket t: SW_REASM_PENDING (still incomplete), SW_REASM_KNOWN
 * (judged or failed: *v is its verdict), SW_REASM_FAIL (forgotten, or timed out before any
 * verdict: *v is a malformed drop with the reason in v->mal).
 */
enum sw_reasm_res sw_reasm_ticket_state(const struct sw_reasm *r, const struct sw_reasm_ticket *t,
					struct sw_reasm_verdict *v);

/*
 * The message of ticket t fails with mal (e.g. SW_MAL_SCTP_REASM_STALLED) and verdict v (the
 * policy's malformed action): its later fragments get v. A message no longer pending is left
 * as it is. Counted in the stats like any failure.
 */
void sw_reasm_ticket_fail(struct sw_reasm *r, const struct sw_reasm_ticket *t, uint16_t mal,
			  uint64_t now_ns, const struct sw_reasm_verdict *v);

/*
 * One decoded MSU (sw_decode_msu on buf, pkt): a piece of a longer message or not. port: the
 * ingress port (or SW_PORT_NONE); pieces that came in on different ports never meet. now_ns:
 * the time (monotonic in the workers, capture time in inspect). May rewrite msu (COMPLETE: the
 * whole message decoded; FAIL: msu->mal). Never allocates.
 */
enum sw_reasm_res sw_reasm_msu(struct sw_reasm *r, const uint8_t *buf, const struct sw_pkt *pkt,
			       struct sw_msu *msu, unsigned port, uint64_t now_ns,
			       struct sw_reasm_out *out);

/* The verdict given to a COMPLETE or FAIL result: later pieces of that message get it too. */
void sw_reasm_verdict(struct sw_reasm *r, const struct sw_reasm_out *out,
		      const struct sw_reasm_verdict *v);

const struct sw_reasm_stats *sw_reasm_stats(const struct sw_reasm *r);

/* "none", "pending", "complete", "known", "failed" (enum sw_reasm_res). */
const char *sw_reasm_state_name(unsigned res);

#endif /* SW_REASM_REASM_H */
