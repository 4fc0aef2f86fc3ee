/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The judge (judge.h): which parts of a packet are judged and how. The order of the cases below
 * is the definition; dataplane/judge/README.md says why each is there.
 */
#include <string.h>

#include "dataplane/decode/decode.h"
#include "dataplane/policy/image.h"
#include "dataplane/proto/sctp.h"
#include "dataplane/reasm/reasm.h"
#include "judge.h"

#define IPPROTO_ICMPV6_ 58  /* RFC 4443 */
#define ND_TYPE_FIRST 133   /* RFC 4861 4.1-4.5: router solicitation .. redirect */
#define ND_TYPE_LAST 137

#define likely_(x) __builtin_expect(!!(x), 1)
#define unlikely_(x) __builtin_expect(!!(x), 0)

/* The policy's verdict for one MSU (or for a packet judged as a whole: msu carries its mal). */
static inline void
judge_eval(const struct sw_judge_ctx *ctx, const uint8_t *buf, const struct sw_pkt *pkt,
	   struct sw_msu *msu, unsigned port, uint64_t now_ns, struct sw_judge_verdict *v)
{
	if (likely_(ctx->image != NULL)) {
		/* Direction (policy.h): the port, or without one the site's links or the OPC;
		 * each component judged with its own parameters, the strictest verdict. */
		unsigned dir = sw_policy_direction(ctx->pctx, pkt, msu, port,
						   port == SW_PORT_NONE ? SW_DIR_ADDRESS : SW_DIR_PORT);
		/* State (issue 15): learn from the message, then the conditions its rules test. */
		uint32_t st = sw_judge_state(ctx, msu, dir, now_ns) |
			      sw_judge_state_mismatch(ctx, msu, dir);
		sw_policy_ctx_set_state(ctx->pctx, st);
		sw_policy_ctx_set_port(ctx->pctx, port);
		/* An argument the decoder left (issue 20 D2): decided without it, or walked now.
		 * The state tables read nothing of it: images that decide have none. */
		struct sw_verdict pv;
		if (!unlikely_(msu->arg_deferred) ||
		    !sw_policy_settle(ctx->pctx, buf, pkt, msu, dir, now_ns, &pv))
			pv = sw_policy_eval_msg(ctx->pctx, buf, pkt, msu, dir, now_ns);

		v->mal = (uint16_t)msu->mal;
		v->state = (uint8_t)st;
		v->action = pv.action;
		v->monitor = pv.monitor;
		v->no_image = false;
		v->rule = pv.rule;
		return;
	}
	/* No image bound: the context's action for everything the policy would judge; the rule
	 * says whether the policy would have judged it as malformed. */
	v->action = ctx->no_image_action;
	v->monitor = false;
	v->no_image = true;
	v->state = 0;
	v->rule = msu->mal != SW_MAL_NONE ? SW_RULE_MALFORMED : SW_RULE_DEFAULT;
	v->mal = (uint16_t)msu->mal;
}

/*
 * A piece of a longer message (dataplane/reasm, issue 14): held pieces pass, the one completing
 * the message is judged as the whole message, later copies get its verdict.
 */
static void
judge_piece(const struct sw_judge_ctx *ctx, const uint8_t *buf, const struct sw_pkt *pkt,
	    struct sw_msu *msu, unsigned port, uint64_t now_ns, struct sw_judge_verdict *v)
{
	const struct sw_image_hdr *h = ctx->image;
	uint64_t image = h != NULL ? h->generation ^ h->checksum : 0;
	enum sw_mal piece_mal = msu->mal;
	struct sw_reasm_out o;
	struct sw_reasm_verdict rv;

	/* reassembly decodes the whole message again into msu: its key is built by the verdict
	 * (issue 20 D3), never the one the decoder wrote for the piece */
	msu->key.stamp = 0;
	v->piece = (uint8_t)sw_reasm_msu(ctx->reasm, buf, pkt, msu, port, now_ns, &o);
	v->npieces = o.npieces;
	if (v->piece == SW_REASM_KNOWN && o.known.image != image &&
	    o.known.image != SW_REASM_IMAGE_ANY) {
		/* Judged under another image: this one judges the piece as it is (malformed). */
		msu->mal = piece_mal;
		judge_eval(ctx, buf, pkt, msu, port, now_ns, v);
		return;
	}
	if (v->piece == SW_REASM_PENDING || v->piece == SW_REASM_KNOWN) {
		rv = v->piece == SW_REASM_KNOWN ? o.known : (struct sw_reasm_verdict){
			.action = SW_ACTION_ALLOW, .rule = SW_JUDGE_RULE_PENDING };
		v->action = rv.action, v->monitor = rv.monitor, v->no_image = rv.no_image;
		v->mal = rv.mal, v->rule = rv.rule;
		v->state = 0;
		return;
	}
	judge_eval(ctx, v->piece == SW_REASM_NONE ? buf : o.buf, pkt, msu, port, now_ns, v);
	rv = (struct sw_reasm_verdict){ v->action, v->monitor, v->no_image, v->mal, v->rule, image };
	sw_reasm_verdict(ctx->reasm, &o, &rv);
}

/*
 * Link-level traffic the appliance must let through for the link to work at all when it sits
 * in the wire: IPv6 neighbour discovery is to IPv6 what ARP is to IPv4.
 */
static bool
judge_link_control(const uint8_t *buf, const struct sw_pkt *pkt)
{
	return pkt->ip_ver == 6 && pkt->ip_proto == IPPROTO_ICMPV6_ && !pkt->ip_frag &&
	       pkt->l4_off < pkt->l4_end && pkt->l4_off < pkt->len &&
	       buf[pkt->l4_off] >= ND_TYPE_FIRST && buf[pkt->l4_off] <= ND_TYPE_LAST;
}

/* A packet judged as a whole: an MSU that carries only the packet's malformation. */
static bool
judge_whole(const struct sw_judge_ctx *ctx, const struct sw_pkt *pkt, unsigned port,
	    uint64_t now_ns, struct sw_msu *msu, struct sw_judgement *j, sw_judge_fn fn, void *arg)
{
	memset(msu, 0, sizeof(*msu));
	msu->mal = pkt->mal;
	j->cls = SW_JUDGE_PACKET;
	j->pkt.chunk = SW_JUDGE_PKT;
	j->pkt.piece = j->pkt.npieces = 0; /* no piece of a longer message (worker_verdict reads it) */
	judge_eval(ctx, NULL, pkt, msu, port, now_ns, &j->pkt);
	j->forward = j->pkt.action != SW_ACTION_DROP;
	if (fn != NULL)
		fn(arg, pkt, msu, &j->pkt);
	return j->forward;
}

/* The network variant of the site or of the packet's link (issue 17 D6) the MSUs are read in. */
static inline enum sw_variant
judge_variant(const struct sw_judge_ctx *ctx, const struct sw_pkt *pkt)
{
	return ctx->image != NULL ? (enum sw_variant)sw_policy_variant(ctx->pctx, pkt)
				  : SW_VARIANT_ITU;
}

/* sw_judge_packet, with pre[0..npre) the MSUs of the first DATA chunks decoded ahead. */
static inline bool
judge_packet(const struct sw_judge_ctx *ctx, const uint8_t *buf, const struct sw_pkt *pkt,
	     unsigned port, uint64_t now_ns, struct sw_msu *msu, struct sw_msu *pre, unsigned npre,
	     struct sw_judgement *j, sw_judge_fn fn, void *arg)
{
	uint32_t mask = 0;
	unsigned i, n = 0;

	j->nverdicts = 0;
	j->drop_mask = 0;
	if (unlikely_(pkt->mal != SW_MAL_NONE)) {
		/* Not IP at all (ARP, LLDP), or IPv6 neighbour discovery: the link's own traffic,
		 * not the policy's business. */
		if (pkt->mal == SW_MAL_ETH_TYPE ||
		    (pkt->mal == SW_MAL_IP_PROTO && judge_link_control(buf, pkt))) {
			j->cls = SW_JUDGE_NON_IP;
			j->pkt.chunk = SW_JUDGE_PKT;
			j->pkt.piece = j->pkt.npieces = 0;
			j->pkt.action = ctx->non_ip_pass ? SW_ACTION_ALLOW : SW_ACTION_DROP;
			j->pkt.monitor = false;
			j->pkt.no_image = false;
			j->pkt.mal = (uint16_t)pkt->mal;
			j->pkt.rule = SW_JUDGE_RULE_NON_IP;
			j->pkt.state = 0;
			j->forward = ctx->non_ip_pass;
			return j->forward;
		}
		/* IP that is not SCTP (ESP, UDP-encapsulated SCTP, ...) and packet-level
		 * malformations (truncated IP, fragment, bad chunk length): the policy's verdict
		 * for a malformed message, on the whole packet, which cannot be cut safely. */
		return judge_whole(ctx, pkt, port, now_ns, msu, j, fn, arg);
	}
	j->cls = SW_JUDGE_CHUNKS;
	enum sw_variant variant =
		npre == 0 || npre < pkt->ndata ? judge_variant(ctx, pkt) : SW_VARIANT_ITU;
	if (ctx->decide && ctx->image != NULL)
		sw_policy_ctx_decide_arm(ctx->pctx, true);
	for (i = 0; i < pkt->nchunks; i++) {
		struct sw_judge_verdict *v;
		struct sw_msu *m = msu;

		if (!sw_sctp_is_data(pkt->chunks[i].type))
			continue;
		/* Every DATA chunk is judged, whatever its payload protocol: a PPID other than
		 * M3UA is a malformation (SW_MAL_SCTP_PPID) and gets the malformed verdict. */
		if (n < npre)
			m = &pre[n];
		else
			sw_decode_msu_plan(buf, pkt, i, variant, sw_policy_plan(ctx->pctx), m);
		v = &j->v[n++];
		v->chunk = (uint8_t)i;
		v->piece = v->npieces = 0;
		if (unlikely_(sw_reasm_is_piece(m)) && ctx->reasm != NULL)
			judge_piece(ctx, buf, pkt, m, port, now_ns, v);
		else
			judge_eval(ctx, buf, pkt, m, port, now_ns, v);
		if (v->action == SW_ACTION_DROP)
			mask |= 1u << i;
		if (fn != NULL)
			fn(arg, pkt, m, v);
	}
	if (ctx->decide && ctx->image != NULL)
		sw_policy_ctx_decide_arm(ctx->pctx, false);
	j->nverdicts = (uint8_t)n;
	j->drop_mask = mask;
	/* Left with no chunk at all, the packet does not leave. */
	j->forward = pkt->nchunks == 0 || mask != (uint32_t)((1ull << pkt->nchunks) - 1);
	return j->forward;
}

bool
sw_judge_packet(const struct sw_judge_ctx *ctx, const uint8_t *buf, const struct sw_pkt *pkt,
		unsigned port, uint64_t now_ns, struct sw_msu *msu, struct sw_judgement *j,
		sw_judge_fn fn, void *arg)
{
	return judge_packet(ctx, buf, pkt, port, now_ns, msu, NULL, 0, j, fn, arg);
}

unsigned
sw_judge_predecode(const struct sw_judge_ctx *ctx, const uint8_t *buf, const struct sw_pkt *pkt,
		   struct sw_msu *msus, unsigned max)
{
	const struct sw_decode_plan *plan;
	enum sw_variant variant;
	unsigned i, n = 0;

	/* exactly the MSUs judge_packet decodes: every DATA chunk of a packet judged by chunks */
	if (pkt->mal != SW_MAL_NONE || pkt->ndata == 0 || max == 0)
		return 0;
	variant = judge_variant(ctx, pkt);
	plan = sw_policy_plan(ctx->pctx);
	if (ctx->decide && ctx->image != NULL)
		sw_policy_ctx_decide_arm(ctx->pctx, true);
	for (i = 0; i < pkt->nchunks && n < max; i++)
		if (sw_sctp_is_data(pkt->chunks[i].type))
			sw_decode_msu_plan(buf, pkt, i, variant, plan, &msus[n++]);
	if (ctx->decide && ctx->image != NULL)
		sw_policy_ctx_decide_arm(ctx->pctx, false);
	return n;
}

bool
sw_judge_packet_pre(const struct sw_judge_ctx *ctx, const uint8_t *buf, const struct sw_pkt *pkt,
		    unsigned port, uint64_t now_ns, struct sw_msu *msu, struct sw_msu *pre,
		    unsigned npre, struct sw_judgement *j, sw_judge_fn fn, void *arg)
{
	return judge_packet(ctx, buf, pkt, port, now_ns, msu, pre, npre, j, fn, arg);
}

void
sw_judge_msu(const struct sw_judge_ctx *ctx, const struct sw_pkt *pkt, const struct sw_msu *msu,
	     unsigned port, uint64_t now_ns, struct sw_judge_verdict *v)
{
	v->chunk = SW_JUDGE_PKT;
	/* no buffer: message-level MAP fields. Not decoded while a judge was armed
	 * (judge_packet): nothing deferred, judge_eval writes nothing to it. */
	judge_eval(ctx, NULL, pkt, (struct sw_msu *)msu, port, now_ns, v);
}

const char *
sw_judge_rule_name(const void *image, int32_t rule)
{
	if (rule == SW_JUDGE_RULE_NON_IP)
		return "non-ip";
	if (rule == SW_JUDGE_RULE_PENDING)
		return "pending";
	if (image == NULL)
		return rule == SW_RULE_MALFORMED ? "malformed" : "default";
	return sw_image_rule_name(image, rule);
}
