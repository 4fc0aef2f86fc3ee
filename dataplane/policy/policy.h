/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Verdict engine: evaluates one decoded MSU against a policy image (image.h).
 *
 * Pure C, no DPDK: the dataplane workers, `sigwallctl inspect`, the tests and the
 * benchmarks all run this code. One struct sw_policy_ctx per worker (Hyperscan
 * scratch, verdict cache, rate-limit table: ratelimit.h); sw_policy_eval never allocates,
 * locks or makes a system call.
 */
#ifndef SW_POLICY_POLICY_H
#define SW_POLICY_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/decode/msu.h"

enum sw_action {
	SW_ACTION_ALLOW = 0,
	SW_ACTION_DROP = 1,
	SW_ACTION_ALERT = 2,
};

#define SW_RULE_DEFAULT (-1)   /* no rule matched: the policy's default action */
#define SW_RULE_MALFORMED (-2) /* malformed MSU and no malformed-aware rule matched */

struct sw_verdict {
	uint8_t action; /* final action to enforce: allow/drop/alert (rate-limit resolves to
			   allow or drop) */
	bool monitor;   /* the matched rule (or the policy) is in monitor state: action was
			   downgraded to alert */
	int32_t rule;   /* index of the matching rule, SW_RULE_DEFAULT or SW_RULE_MALFORMED */
};

/* Per worker: Hyperscan scratch, verdict cache, the rate-limit table it charges. */
struct sw_policy_ctx;

/* Check the image (magic, ABI, size, checksum, Hyperscan version, CPU features, 64-byte
 * alignment): 0 or -EINVAL/-ENOTSUP with a message in err. No allocation. */
int sw_image_validate(const void *image, size_t size, char *err, size_t errlen);

/* Allocate once per worker, off the fast path. NULL + errno on failure. */
struct sw_policy_ctx *sw_policy_ctx_new(void);
/* Bind to an image (validated by the caller); re-binding on a generation change flushes the
 * cache and grows scratch. 0 or -errno. */
int sw_policy_ctx_bind(struct sw_policy_ctx *ctx, const void *image);
/* What the decoder is asked for the bound image (decode/plan.h, issue 20 D2/D3): pass it to
 * sw_decode_msu_plan. NULL when the context is bound to no image. */
const struct sw_decode_plan *sw_policy_plan(const struct sw_policy_ctx *ctx);
void sw_policy_ctx_free(struct sw_policy_ctx *ctx);

/* Context flags, set before sw_policy_ctx_bind (a change unbinds the context). */
#define SW_POLICY_F_NO_GATE 1u /* reference evaluation without the atom and integer gates
				  (tests and benchmarks compare it with the gated engine) */
#define SW_POLICY_F_FULL_VIEWS 2u /* reference evaluation of a message of several components:
				     each component's fields re-decoded even when the image
				     reads none of them (issue 20 D2; tests compare it) */
#define SW_POLICY_F_SKIP_VIEWS 4u /* a deliberately wrong field mask, for the self-check of
				     that comparison: never re-decode them */
#define SW_POLICY_F_WRONG_VIEWS 8u /* deliberately wrong views, for the self-check of the views
				      the decoder stores (issue 20 D2): each component judged with
				      the next one's view */
#define SW_POLICY_F_NO_PLAN 16u /* reference evaluation: the decoder writes no cache key, the
				   verdict builds every key itself (issue 20 D3; tests compare) */
#define SW_POLICY_F_BAD_PLAN 32u /* a deliberately wrong key writer, for the self-check of
				    that comparison (plan_key.c) */
#define SW_POLICY_F_BAD_DECIDE 64u /* a deliberately wrong decision before the argument walk
				     (its fields taken as absent, not unknown), for the
				     self-check of tests/policy/test_mask.c --decide) */
#define SW_POLICY_F_DECIDE_ALWAYS 128u /* defer every argument it may, even where that does not
					 pay (tests: the decisions of every message) */
void sw_policy_ctx_set_flags(struct sw_policy_ctx *ctx, unsigned flags);
/*
 * Verdicts decided before the argument walk (issue 20 D2, decode/plan_want.h). Armed (on), the
 * decoder leaves the MAP or CAP argument of a message of one component unwalked
 * (msu->arg_deferred), and sw_policy_settle must then be called before the message's verdict:
 * the judge arms it around the decoding of a packet it then judges (dataplane/judge). Images
 * with state conditions, dated rules or no decoder key decide nothing (bind): the state tables
 * learn only from well-formed messages.
 */
void sw_policy_ctx_decide_arm(struct sw_policy_ctx *ctx, bool on);
/* The bound image lets the decoder defer (false: arming it changes nothing). */
bool sw_policy_ctx_decides(const struct sw_policy_ctx *ctx);
/*
 * Before the verdict of msu (decoded from buf, from pkt; dir its direction, now_ns as for
 * sw_policy_eval): when its argument was deferred, true with *v its verdict if that is decided
 * without the argument (the same action whatever it holds and whether or not it turns out
 * malformed; msu->arg_skipped, and the verdict cache keeps the answer under the key without
 * it), else false with the argument walked now (sw_tcap_complete): judge it then. The
 * context's port and state must be set for msu already (sw_policy_ctx_set_port, _set_state). A
 * message the walk would find malformed is reported by the rule that decided it.
 */
bool sw_policy_settle(struct sw_policy_ctx *ctx, const uint8_t *buf, const struct sw_pkt *pkt,
		      struct sw_msu *msu, unsigned dir, uint64_t now_ns, struct sw_verdict *v);
/* Decisions settled: evaluated (*evals), answered from memory (*hits), arguments never walked
 * (*skips), and the windows after which deferring stopped for not paying (*paused). */
void sw_policy_ctx_decide_stats(const struct sw_policy_ctx *ctx, uint64_t *evals,
				uint64_t *hits, uint64_t *skips, uint64_t *paused);
/* The bound image reads a field that each component of a message gives on its own (MAP or CAP
 * argument: in a rule or as a rate-limit key), so sw_policy_eval_msg decodes it per component
 * (issue 20 D2: false, the components are judged without a second walk of their arguments). */
bool sw_policy_ctx_reads_components(const struct sw_policy_ctx *ctx);
/* Tests (issue 20 D3): the cache key of msu judged in direction port, as the verdict builds it
 * (kb, *nkb bytes) and, when the decoder wrote msu's key with this context's plan, as the hit
 * path reads it (kp, *nkp bytes; returns true). Both buffers SW_POLICY_KEY_BUF bytes. */
#define SW_POLICY_KEY_BUF 272
bool sw_policy_key_pair(struct sw_policy_ctx *ctx, const struct sw_pkt *pkt,
			const struct sw_msu *msu, unsigned port, uint8_t *kb, size_t *nkb,
			uint8_t *kp, size_t *nkp);

/*
 * Verdict for one decoded MSU.
 * port: 0 = from port A (outside/interconnect), 1 = from port B (inside/home); the rule
 * language calls it `direction` ("outside" = 0, "inside" = 1).
 * now_ns: monotonic time for rate limits.
 */
struct sw_verdict sw_policy_eval(struct sw_policy_ctx *ctx, const struct sw_pkt *pkt,
				 const struct sw_msu *msu, unsigned port, uint64_t now_ns);

/*
 * Direction of an MSU (the `direction` field, SW_SIDE_OUTSIDE / SW_SIDE_INSIDE of image.h): where
 * the packet came from. Pure: reads the bound image's site section and the packet, nothing else.
 *
 * SW_DIR_PORT (inline: the appliance's ports): port 0 (A, interconnect) is outside, 1 (B, home)
 * inside; but a packet from inside whose source address is a peer of an outside link
 * (site.links) is a spoof and counts as outside.
 * SW_DIR_ADDRESS (`inspect`, a capture without ports): when the site declares links, the side
 * of the link whose peers hold the source address (most specific prefix first; a source in no
 * link is outside); without links, inside when the M3UA OPC is a home point code, else outside.
 */
enum sw_dir_mode {
	SW_DIR_PORT,
	SW_DIR_ADDRESS,
};
/* The port of a packet that came through no port (`inspect`: a capture); the judge then asks
 * for SW_DIR_ADDRESS. */
#define SW_PORT_NONE 2
unsigned sw_policy_direction(const struct sw_policy_ctx *ctx, const struct sw_pkt *pkt,
			     const struct sw_msu *msu, unsigned port, enum sw_dir_mode mode);
/* Link of the packet's source address (index into site.links), -1 when none or no packet. */
int sw_policy_link(const struct sw_policy_ctx *ctx, const struct sw_pkt *pkt);
/* Network variant a packet's MSUs are decoded in (issue 17 D6, enum sw_variant): that of the
 * link of its source address when the link gives one, else that of the link of its destination
 * address when that one does, else site.variant; ITU without an image or a site. */
unsigned sw_policy_variant(const struct sw_policy_ctx *ctx, const struct sw_pkt *pkt);
/* Name of link i of the image, NULL when out of range. */
const char *sw_image_link_name(const void *image, int link);
/* The partner (index in site order) whose `gt` range holds msu's calling party address, -1 when
 * none, or when the image resolves no partner GTs (no rule names a partner, a group or home on
 * a GT field). The shadow policy counts its changes per partner with it (issue 18 D7). */
int32_t sw_policy_partner_of(const struct sw_policy_ctx *ctx, const struct sw_msu *m);

/*
 * Verdict for one message with its components judged one by one (issue 13, finding 3): each
 * component alone, with the MAP fields decoded from its own parameter (buf: the packet the MSU
 * was decoded from), and the message gets the strictest of their verdicts (drop > alert >
 * allow; the first component on a tie). A message of at most one component, or without buf, is
 * sw_policy_eval. The judge (dataplane/judge) calls this.
 */
struct sw_verdict sw_policy_eval_msg(struct sw_policy_ctx *ctx, const uint8_t *buf,
				     const struct sw_pkt *pkt, const struct sw_msu *msu,
				     unsigned port, uint64_t now_ns);

uint32_t sw_image_nrules(const void *image);
/* "default" and "malformed" for the negative ids; NULL if out of range. */
const char *sw_image_rule_name(const void *image, int32_t rule);
/* The rule's `id` (issue 18: stable across reloads, what events, metrics and rate buckets
 * name it by); 0 for a rule without one and for the negative ids. */
uint32_t sw_image_rule_id(const void *image, int32_t rule);
/* The rule's severity name ("info" .. "critical"); NULL for the negative ids. */
const char *sw_image_rule_severity(const void *image, int32_t rule);
/* Proxy mode's action of a rule (issue 21, image.h px_*): action is enum sw_img_px_action
 * (SW_PX_NONE for every rule of a policy without them, and for the negative ids); returns it. */
struct sw_rule_proxy {
	uint8_t action; /* enum sw_img_px_action */
	uint8_t arg;    /* reject: Q.713 3.12 return cause; abort: enum sw_img_px_abort */
	uint16_t link;  /* redirect: link of the site section (sw_image_link_name) */
};
int sw_image_rule_proxy(const void *image, int32_t rule, struct sw_rule_proxy *out);
uint64_t sw_image_generation(const void *image);
uint64_t sw_image_checksum(const void *image);

/*
 * The state conditions that held for the message about to be judged (bit per enum
 * sw_state_cond of image.h): the judge computes them from the state tables (issue 15) before
 * each sw_policy_eval / sw_policy_eval_msg; SW_COND_STATE conditions read them. 0: none held
 * (no state tables, or no rule uses state).
 */
void sw_policy_ctx_set_state(struct sw_policy_ctx *ctx, uint32_t state);

/* The appliance's port the message came in on (0 A, 1 B; SW_PORT_NONE: a capture), for the
 * `port` condition (issue 18 Deliver 2); the judge sets it before each evaluation. */
void sw_policy_ctx_set_port(struct sw_policy_ctx *ctx, unsigned port);

/*
 * Wall clock of the rules' dates (issue 18: `monitor_until`, `expires`): the evaluation's
 * now_ns plus offset_ns is Unix time in ns. 0 (the default): now_ns already is (inspect: the
 * capture's timestamps; benchmarks); the workers give CLOCK_REALTIME - CLOCK_MONOTONIC.
 */
void sw_policy_ctx_set_clock(struct sw_policy_ctx *ctx, int64_t offset_ns);

/*
 * Rate limits (ratelimit.h): charge the buckets of `table` (shared by the workers of a dataplane,
 * owned by the caller, outliving the context) and count into `stats` (NULL: the context's own).
 * Without a table a context makes its own when it binds an image with rate-limit rules (table
 * NULL here only sets stats). Before the context is used; 0 or -EINVAL.
 */
struct sw_rl_table;
struct sw_rl_stats;
int sw_policy_ctx_set_ratelimit(struct sw_policy_ctx *ctx, struct sw_rl_table *table,
				struct sw_rl_stats *stats);
const struct sw_rl_stats *sw_policy_ctx_rl_stats(const struct sw_policy_ctx *ctx);

/* Cache statistics of this ctx. */
void sw_policy_ctx_stats(const struct sw_policy_ctx *ctx, uint64_t *cache_hits,
			 uint64_t *cache_misses);

/* Hyperscan scans of this ctx that failed (each one matched nothing). */
uint64_t sw_policy_ctx_scan_errors(const struct sw_policy_ctx *ctx);

/* "allow", "drop", "alert" */
const char *sw_action_name(uint8_t action);

#endif /* SW_POLICY_POLICY_H */
