/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The judge: the one place that decides which parts of a decoded packet are judged, how, and
 * what the packet's fate is. The workers (dataplane/app/worker.c, and through them the
 * benchmarks) and `sigwallctl inspect --rules` call it and nothing else decides.
 *
 * Pure C, no DPDK: it takes the packet buffer and its struct sw_pkt (sw_decode_packet), decodes
 * each DATA/I-DATA chunk's MSU, evaluates it with the policy (dataplane/policy) and returns
 * per-chunk verdicts, the mask of chunks to take out and the packet-level verdict. It never
 * allocates, locks or makes a system call. The classes it sorts packets into are listed in
 * dataplane/judge/README.md with the behaviour they replaced.
 */
#ifndef SW_JUDGE_JUDGE_H
#define SW_JUDGE_JUDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/decode/msu.h"
#include "dataplane/policy/policy.h"
#include "dataplane/state/state.h"

/* Pseudo rule of a frame that is not IP (ARP, LLDP ...): passed or dropped per the context's
 * non_ip_pass, never judged by the policy. (SW_RULE_DEFAULT -1 and SW_RULE_MALFORMED -2 are the
 * policy's, policy.h.) */
#define SW_JUDGE_RULE_NON_IP (-3)
/* Pseudo rule of a piece held for reassembly (issue 14, dataplane/reasm): it passes, its message
 * is judged on the piece that completes it. */
#define SW_JUDGE_RULE_PENDING (-4) /* SW_REASM_RULE_PENDING */

/* How a packet was judged. */
enum sw_judge_class {
	SW_JUDGE_CHUNKS = 0, /* SCTP without a packet-level malformation: one verdict per DATA and
				I-DATA chunk (other chunks are control: never judged, never cut) */
	SW_JUDGE_PACKET = 1, /* judged as a whole with the policy's malformed verdict: packet-level
				malformation (truncated IP, fragment, bad chunk length), or IP that
				does not carry SCTP (ESP, UDP, ...) */
	SW_JUDGE_NON_IP = 2, /* not IP (ARP, LLDP, ...): not the policy's business; non_ip_pass */
};

/* Chunk index of the packet-level verdict (struct sw_judge_verdict.chunk). */
#define SW_JUDGE_PKT 0xff

/* One verdict: of one DATA/I-DATA chunk, or of the packet as a whole (chunk SW_JUDGE_PKT). */
struct sw_judge_verdict {
	uint8_t chunk;   /* index into pkt->chunks, or SW_JUDGE_PKT */
	uint8_t action;  /* enum sw_action (policy.h) */
	bool monitor;    /* the policy downgraded a drop to alert (monitor state) */
	bool no_image;   /* no image was bound: the context's no_image_action */
	uint16_t mal;    /* enum sw_mal: the MSU's (or the packet's) malformation, SW_MAL_NONE if none;
			    SW_MAL_SCTP_PPID: a DATA chunk whose payload is not M3UA (judged as
			    malformed) */
	int32_t rule;    /* image rule index, SW_RULE_DEFAULT, SW_RULE_MALFORMED or
			    SW_JUDGE_RULE_NON_IP */
	uint8_t piece;   /* enum sw_reasm_res: SW_REASM_NONE (0) unless a piece of a longer message */
	uint8_t npieces; /* SW_REASM_COMPLETE: pieces joined */
	uint8_t state;   /* state conditions that held (bit per enum sw_state_cond of image.h);
			    only those some rule of the image tests are computed */
};

struct sw_judgement {
	uint8_t cls;        /* enum sw_judge_class */
	bool forward;       /* the packet leaves (minus the chunks in drop_mask) */
	uint8_t nverdicts;  /* entries in v[] (cls SW_JUDGE_CHUNKS: judged chunks) */
	uint32_t drop_mask; /* bit i: pkt->chunks[i] is taken out (cls SW_JUDGE_CHUNKS only) */
	struct sw_judge_verdict pkt; /* packet-level verdict (cls SW_JUDGE_PACKET, SW_JUDGE_NON_IP) */
	struct sw_judge_verdict v[SW_CHUNKS_MAX];
};

struct sw_reasm;

/* What the judge judges with. One per worker (it holds the worker's policy context). */
struct sw_judge_ctx {
	struct sw_policy_ctx *pctx; /* bound to image */
	const void *image;          /* NULL: no image bound; every verdict is no_image_action */
	uint8_t no_image_action;    /* enum sw_action while no image is bound */
	bool non_ip_pass;           /* frames that are not IP: forward (true) or drop */
	struct sw_reasm *reasm;     /* whole messages (dataplane/reasm); NULL: pieces are judged
				       as they are (malformed) */
	/* State tables (issue 15): this worker's context on the instance's object, NULL: none (the
	 * state conditions never hold). Their clock is now_ns + state_clock, ns of CLOCK_REALTIME:
	 * the workers' now_ns is monotonic (state_clock = realtime - monotonic at start), inspect's
	 * is the capture's timestamp (state_clock = 0). */
	struct sw_state_ctx *state;
	int64_t state_clock;
	struct sw_state_ctx state_ctx; /* what state points to after sw_judge_state_attach */
	/* Issue 20 D2: the decoder may skip the argument of a message whose verdict its operation
	 * and addresses decide (sw_policy_ctx_decide_arm, sw_policy_settle). The worker sets it
	 * when the bound image decides (sw_policy_ctx_decides) and no shadow policy, which judges
	 * the same MSUs with other rules, is loaded; false (tests, inspect, proxy mode): every
	 * argument is walked. */
	bool decide;
};

/*
 * Called for every verdict, in chunk order, with the MSU it judged (for a packet-level verdict
 * an MSU that carries only the malformation). The worker counts and raises events here, inspect
 * prints. May be NULL.
 */
typedef void (*sw_judge_fn)(void *arg, const struct sw_pkt *pkt, const struct sw_msu *msu,
			    const struct sw_judge_verdict *v);

/*
 * Judge one packet: buf/pkt as decoded by sw_decode_packet, port 0 (A, outside), 1 (B,
 * inside) or SW_PORT_NONE (a capture: the direction from the site, policy.h), now_ns the time
 * for rate limits. msu is scratch space for the MSU being judged (struct sw_msu is large: the
 * caller keeps one). Fills j and returns j->forward.
 */
bool sw_judge_packet(const struct sw_judge_ctx *ctx, const uint8_t *buf, const struct sw_pkt *pkt,
		     unsigned port, uint64_t now_ns, struct sw_msu *msu, struct sw_judgement *j,
		     sw_judge_fn fn, void *arg);

/*
 * Batching (issue 20 D4): the MSUs of a burst decoded before any packet of it is judged.
 * sw_judge_predecode decodes the MSUs of the first (up to max) DATA chunks of pkt into msus[],
 * exactly as sw_judge_packet would (nothing for a packet it judges as a whole), and returns how
 * many; sw_judge_packet_pre is sw_judge_packet with those npre MSUs used instead of decoding
 * them again (the judge may change them: reassembly). Decoding reads only buf, pkt and the
 * bound image's network variant, so it may run ahead of the judging of earlier packets (an
 * argument it defers, judge_ctx.decide, is settled when its packet is judged).
 */
unsigned sw_judge_predecode(const struct sw_judge_ctx *ctx, const uint8_t *buf,
			    const struct sw_pkt *pkt, struct sw_msu *msus, unsigned max);
bool sw_judge_packet_pre(const struct sw_judge_ctx *ctx, const uint8_t *buf,
			 const struct sw_pkt *pkt, unsigned port, uint64_t now_ns,
			 struct sw_msu *msu, struct sw_msu *pre, unsigned npre,
			 struct sw_judgement *j, sw_judge_fn fn, void *arg);

/*
 * Judge one MSU decoded outside a captured packet (proxy mode: an M3UA message received on an
 * association the appliance terminates): the policy's verdict exactly as for a DATA chunk
 * (v->chunk = SW_JUDGE_PKT). pkt may be an empty struct sw_pkt.
 */
void sw_judge_msu(const struct sw_judge_ctx *ctx, const struct sw_pkt *pkt,
		  const struct sw_msu *msu, unsigned port, uint64_t now_ns,
		  struct sw_judge_verdict *v);

/*
 * State work of one message (dataplane/judge/jstate.c, called by the judge before the policy):
 * update the tables with what the message teaches and return the state conditions that hold
 * (bit per enum sw_state_cond), of those the image's rules test only. dir: SW_SIDE_*.
 * sw_judge_state_mismatch: the table-free vlr-network-mismatch.
 */
uint32_t sw_judge_state(const struct sw_judge_ctx *ctx, const struct sw_msu *msu, unsigned dir,
			uint64_t now_ns);
uint32_t sw_judge_state_mismatch(const struct sw_judge_ctx *ctx, const struct sw_msu *msu,
				 unsigned dir);

/*
 * Open the instance's state object for a dataplane (SW_STATE_F_RECOVER: call before any worker
 * runs) with the sizes and timeouts of image's state section (site.state; NULL or no section:
 * the defaults). Fills line with what happened, to log once ("created", "reused: learned
 * state kept", "recreated: ...", "resized: ..."). Returns enum sw_state_open_result or -errno.
 */
int sw_judge_state_open(const char *instance, const void *image, struct sw_state *st,
			char *line, size_t linelen);
/* Give a judge context its worker's state context on st (counter block `worker`) and the clock
 * offset (above). 0 or -EINVAL (worker beyond the object's counter blocks). Before the worker
 * runs. */
int sw_judge_state_attach(struct sw_judge_ctx *ctx, struct sw_state *st, unsigned worker,
			  int64_t state_clock);
/* Sizes and timeouts of an image's state section as a state configuration. */
void sw_judge_state_config(const void *image, struct sw_state_config *cfg);

/* Name of a verdict's rule: the image's rule names, "default", "malformed", "non-ip". */
const char *sw_judge_rule_name(const void *image, int32_t rule);

#endif /* SW_JUDGE_JUDGE_H */
