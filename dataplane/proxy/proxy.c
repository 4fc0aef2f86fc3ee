/* SPDX-License-Identifier: BSD-3-Clause */
/* Proxy core: decode, judge, route or answer every MSU (proxy.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "answer.h"
#include "dataplane/decode/decode.h"
#include "m3ua_wire.h"
#include "proxy.h"
#include "proxy_shm.h"
#include "sccp_wire.h"

#define PROXY_ANSWER_MAX 512 /* an SCCP answer: 3 fields of < 256 bytes + pointers */
#define PROXY_UD_MAX 4096    /* user data copied to rewrite the called SSN */

static const char *const outcome_names[SW_PXO_COUNT] = {
	[SW_PXO_ROUTED] = "routed",
	[SW_PXO_DROPPED] = "dropped",
	[SW_PXO_ALERTED] = "alerted",
	[SW_PXO_REJECTED] = "rejected",
	[SW_PXO_ABORTED] = "aborted",
	[SW_PXO_REDIRECTED] = "redirected",
	[SW_PXO_NO_ROUTE] = "no_route",
	[SW_PXO_NO_ROUTE_UDTS] = "no_route_udts",
	[SW_PXO_ANSWER_FAILED] = "answer_failed",
	[SW_PXO_TX_FAILED] = "tx_failed",
};

static const char *const action_names[] = {
	[SW_PROXY_ALLOW] = "allow",   [SW_PROXY_DROP] = "drop",     [SW_PROXY_ALERT] = "alert",
	[SW_PROXY_REJECT] = "reject", [SW_PROXY_ABORT] = "abort",   [SW_PROXY_REDIRECT] = "redirect",
};

const char *
sw_proxy_outcome_name(enum sw_proxy_outcome o)
{
	return (unsigned)o < SW_PXO_COUNT ? outcome_names[o] : NULL;
}

const char *
sw_proxy_action_name(uint8_t a)
{
	return a < sizeof(action_names) / sizeof(action_names[0]) ? action_names[a] : NULL;
}

int
sw_proxy_action_code(const char *name)
{
	for (unsigned i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++)
		if (strcmp(action_names[i], name) == 0)
			return (int)i;
	return -1;
}

/* ---- M3UA endpoint callbacks ------------------------------------------------------------ */

static int
link_send(void *user, uint16_t stream, const uint8_t *msg, size_t len)
{
	struct sw_proxy_link *l = user;

	return l->px->ops.send(l->px->ops.user, l->id, stream, msg, len);
}

static void link_data(void *user, const struct sw_m3ua_msg *m, uint32_t rctx);

/* Tell the ASPs behind the server-side links that dpcs became (un)available (RFC 4666 4.5.1,
 * 4.5.2), except over the links the route itself uses. */
static void
proxy_announce(struct sw_proxy *px, const uint32_t *dpcs, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		bool up = sw_route_available(&px->routes, dpcs[k]);
		const struct sw_route *r = sw_route_find(&px->routes, dpcs[k]);

		for (unsigned i = 0; i < px->nlinks; i++) {
			struct sw_proxy_link *l = &px->link[i];
			bool on_route = false;

			if (l->ep.client || l->ep.state == SW_M3UA_ASP_DOWN)
				continue;
			for (unsigned j = 0; r != NULL && j < r->nlinks; j++)
				on_route |= r->link[j] == l->id;
			if (on_route)
				continue;
			if (sw_m3ua_send_ssnm(&l->ep, up ? M3UA_SSNM_DAVA : M3UA_SSNM_DUNA, &dpcs[k],
					      1, 0) == 0)
				px->ssnm_tx++;
		}
	}
}

static void
link_routable(struct sw_proxy_link *l, bool routable)
{
	struct sw_proxy *px = l->px;
	uint32_t changed[64];
	unsigned n;

	if (l->routable == routable)
		return;
	l->routable = routable;
	n = sw_route_link_set(&px->routes, l->id, routable, changed, 64);
	proxy_announce(px, changed, n < 64 ? n : 64);
}

static void
link_event(void *user, enum sw_m3ua_event ev, uint32_t arg)
{
	struct sw_proxy_link *l = user;

	switch (ev) {
	case SW_M3UA_EV_ASP_STATE:
		/* Traffic flows over an association whose ASP is active (RFC 4666 4.3.4.3). */
		link_routable(l, arg == SW_M3UA_ASP_ACTIVE);
		break;
	case SW_M3UA_EV_BEAT_LOST:
		/* The peer's M3UA is gone although SCTP answers: take the link out of routing;
		 * the transport's owner aborts the association. */
		link_routable(l, false);
		l->abort_req = true;
		break;
	case SW_M3UA_EV_DUNA:
		l->duna_rx++;
		break;
	case SW_M3UA_EV_DAVA:
		l->dava_rx++;
		break;
	default:
		break;
	}
}

static bool
link_pc_available(void *user, uint32_t pc)
{
	struct sw_proxy_link *l = user;

	return sw_route_available(&l->px->routes, pc);
}

static const struct sw_m3ua_cb link_cb = {
	.send = link_send,
	.data = link_data,
	.event = link_event,
	.pc_available = link_pc_available,
};

/* ---- set-up ----------------------------------------------------------------------------- */

void
sw_proxy_init(struct sw_proxy *px, const struct sw_proxy_ops *ops,
	      const struct sw_proxy_judge *judge)
{
	memset(px, 0, sizeof(*px));
	px->ops = *ops;
	px->judge = *judge;
	sw_route_table_init(&px->routes);
}

int
sw_proxy_link_by_name(const struct sw_proxy *px, const char *name)
{
	for (unsigned i = 0; i < px->nlinks; i++)
		if (strcmp(px->link[i].cfg.name, name) == 0)
			return (int)i;
	return -ENOENT;
}

int
sw_proxy_add_link(struct sw_proxy *px, const struct sw_proxy_link_cfg *cfg)
{
	struct sw_proxy_link *l;
	struct sw_m3ua_cfg mc = {0};

	if (cfg->name[0] == '\0' || memchr(cfg->name, 0, sizeof(cfg->name)) == NULL)
		return -EINVAL;
	if (sw_proxy_link_by_name(px, cfg->name) >= 0)
		return -EEXIST;
	if (px->nlinks >= SW_PROXY_LINKS)
		return -ENOSPC;
	l = &px->link[px->nlinks];
	memset(l, 0, sizeof(*l));
	l->cfg = *cfg;
	l->id = (uint16_t)px->nlinks;
	l->px = px;
	mc.role = cfg->role;
	mc.initiator = cfg->ipsp_initiator;
	mc.tmt = cfg->tmt != 0 ? cfg->tmt : M3UA_TMT_OVERRIDE;
	mc.nrctx = cfg->rctx != 0;
	mc.rctx[0] = cfg->rctx;
	mc.na_set = cfg->na_set;
	mc.na = cfg->na;
	mc.beat_ms = cfg->beat_ms;
	sw_m3ua_ep_init(&l->ep, &mc, &link_cb, l);
	if (!l->ep.client) {
		/* One AS per server-side association: the partner's or home network's routing
		 * context on this side. */
		sw_m3ua_as_init(&l->as, cfg->rctx, mc.tmt);
		sw_m3ua_ep_add_as(&l->ep, &l->as);
	}
	px->nlinks++;
	return l->id;
}

void
sw_proxy_seal(struct sw_proxy *px)
{
	sw_route_table_seal(&px->routes);
}

void
sw_proxy_link_up(struct sw_proxy *px, uint16_t link, uint64_t now_ms)
{
	struct sw_proxy_link *l = &px->link[link];

	px->now_ms = now_ms;
	l->sctp_up = true;
	sw_m3ua_conn_up(&l->ep, now_ms);
}

void
sw_proxy_link_down(struct sw_proxy *px, uint16_t link, uint64_t now_ms)
{
	struct sw_proxy_link *l = &px->link[link];

	px->now_ms = now_ms;
	l->sctp_up = false;
	sw_m3ua_conn_down(&l->ep, now_ms);
	link_routable(l, false);
}

void
sw_proxy_input(struct sw_proxy *px, uint16_t link, uint16_t stream, const uint8_t *buf,
	       size_t len, uint64_t now_ms)
{
	px->now_ms = now_ms;
	px->cur = buf;
	px->cur_len = len;
	px->cur_stream = stream;
	sw_m3ua_input(&px->link[link].ep, stream, buf, len, now_ms);
	px->cur = NULL;
}

void
sw_proxy_tick(struct sw_proxy *px, uint64_t now_ms)
{
	px->now_ms = now_ms;
	for (unsigned i = 0; i < px->nlinks; i++)
		sw_m3ua_tick(&px->link[i].ep, now_ms);
}

/* ---- the MSU path ------------------------------------------------------------------------ */

static void
outcome(struct sw_proxy *px, struct sw_proxy_link *in, const struct sw_msu *msu,
	const struct sw_proxy_verdict *v, enum sw_proxy_outcome o)
{
	px->ctr[o]++;
	if (px->ops.event != NULL && (o != SW_PXO_ROUTED || v->action != SW_PROXY_ALLOW))
		px->ops.event(px->ops.user, in->id, msu, v, (uint8_t)o);
}

/* DATA stream on the way out: the sender's stream, so that what it put in sequence stays in
 * sequence; one chosen by SLS when the sender's is out of range (RFC 4666 1.4.7: stream 0 is
 * management). */
static uint16_t
out_stream(const struct sw_proxy *px, uint8_t sls)
{
	if (px->cur_stream != 0 && px->cur_stream < SW_PROXY_STREAMS)
		return px->cur_stream;
	return (uint16_t)(1 + sls % (SW_PROXY_STREAMS - 1));
}

static enum sw_proxy_outcome
forward(struct sw_proxy *px, uint16_t out, const struct sw_m3ua_label *lb, const uint8_t *ud,
	uint32_t ud_len)
{
	if (sw_m3ua_send_data(&px->link[out].ep, out_stream(px, lb->sls), lb, ud, ud_len) != 0)
		return SW_PXO_TX_FAILED;
	return SW_PXO_ROUTED;
}

/* Send an answer (UDTS/XUDTS or a UDT with a TCAP abort) back on the link it came from. */
static bool
answer(struct sw_proxy_link *in, const struct sw_m3ua_label *lb, const uint8_t *sccp, size_t n)
{
	struct sw_m3ua_label back;

	if (n == 0)
		return false;
	sw_answer_label(lb, in->cfg.local_pc, &back);
	return sw_m3ua_send_data(&in->ep, out_stream(in->px, back.sls), &back, sccp, n) == 0;
}

static enum sw_proxy_outcome
route(struct sw_proxy *px, struct sw_proxy_link *in, const struct sw_msu *msu,
      struct sw_m3ua_label *lb, const uint8_t *ud, uint32_t ud_len)
{
	uint8_t copy[PROXY_UD_MAX];
	uint8_t ans[PROXY_ANSWER_MAX];
	uint32_t dpc = lb->dpc;
	uint16_t out;

	/* Global title translation: a GT-routed called address whose digits match a configured
	 * prefix goes to the prefix's DPC (and SSN, written into the called address). */
	if (px->gt_routing && (msu->has & SW_HAS_SCCP) && msu->sccp.cdpa.present &&
	    msu->sccp.cdpa.ri == 0 && msu->sccp.cdpa.digits.len != 0) {
		const struct sw_route_gt *g = sw_route_gt_lookup(&px->routes,
								 msu->sccp.cdpa.digits.d);
		if (g != NULL) {
			dpc = g->dpc;
			if (g->ssn != 0 && msu->sccp.cdpa.has_ssn && ud_len <= sizeof(copy)) {
				struct sw_sccp_parts p;

				memcpy(copy, ud, ud_len);
				if (sw_sccp_parts(copy, ud_len, &p) && p.cdpa_len >= 2) {
					/* Q.713 3.4.1: AI, then PC (2 octets) if present, SSN */
					size_t at = (size_t)(p.cdpa - copy) + 1 +
						    ((p.cdpa[0] & SCCP_AI_PC) ? 2 : 0);
					if (at < (size_t)(p.cdpa - copy) + p.cdpa_len) {
						copy[at] = g->ssn;
						ud = copy;
					}
				}
			}
		}
	}
	out = sw_route_pick(&px->routes, dpc, lb->sls);
	if (out == SW_LINK_NONE) {
		/* Q.714 4.2: "no translation for this specific address" back when asked. */
		if (lb->si == MTP3_SI_SCCP &&
		    answer(in, lb, ans,
			   sw_sccp_build_service(ud, ud_len, SCCP_CAUSE_NO_TRANS_ADDR, ans,
						 sizeof(ans))))
			return SW_PXO_NO_ROUTE_UDTS;
		return SW_PXO_NO_ROUTE;
	}
	lb->dpc = dpc;
	if (out == in->id)
		in->looped++;
	return forward(px, out, lb, ud, ud_len);
}

static uint16_t
honeypot(const struct sw_proxy *px, uint16_t want)
{
	if (want != SW_LINK_NONE && want < px->nlinks)
		return want;
	for (unsigned i = 0; i < px->nlinks; i++)
		if (px->link[i].cfg.honeypot)
			return (uint16_t)i;
	return SW_LINK_NONE;
}

static void
link_data(void *user, const struct sw_m3ua_msg *m, uint32_t rctx)
{
	struct sw_proxy_link *in = user;
	struct sw_proxy *px = in->px;
	struct sw_m3ua_label lb;
	const uint8_t *ud;
	uint32_t ud_len;
	struct sw_msu msu;
	struct sw_proxy_verdict v = {.action = SW_PROXY_ALLOW, .link = SW_LINK_NONE};
	uint8_t ans[PROXY_ANSWER_MAX];
	enum sw_proxy_outcome o;
	uint16_t hp;

	(void)rctx;
	if (!sw_m3ua_data_label(m, &lb, &ud, &ud_len))
		return;
	px->rx_msu++;
	/* Decode the whole M3UA message with the inline mode's decoder. */
	memset(&msu, 0, sizeof(msu));
	msu.ppid = SW_PPID_M3UA;
	if (px->cur != NULL) {
		msu.data_off = 0;
		msu.data_len = (uint32_t)px->cur_len;
		if (sw_m3ua_decode(px->cur, 0, (uint32_t)px->cur_len, &msu) != SW_MAL_NONE)
			px->decode_mal++;
	}
	if (px->judge.judge != NULL)
		v = px->judge.judge(px->judge.ctx, &msu, in->cfg.side, px->now_ms * 1000000ull);
	switch (v.action) {
	case SW_PROXY_ALLOW:
	case SW_PROXY_ALERT:
		o = route(px, in, &msu, &lb, ud, ud_len);
		if (o == SW_PXO_ROUTED && v.action == SW_PROXY_ALERT)
			o = SW_PXO_ALERTED;
		break;
	case SW_PROXY_REJECT:
		o = lb.si == MTP3_SI_SCCP &&
				    answer(in, &lb, ans,
					   sw_sccp_build_service(ud, ud_len, v.cause, ans,
								 sizeof(ans)))
			    ? SW_PXO_REJECTED
			    : SW_PXO_ANSWER_FAILED;
		break;
	case SW_PROXY_ABORT:
		o = lb.si == MTP3_SI_SCCP &&
				    answer(in, &lb, ans,
					   sw_tcap_build_abort(ud, ud_len, &msu,
							       (enum sw_abort_kind)v.abort_kind,
							       v.cause, ans, sizeof(ans)))
			    ? SW_PXO_ABORTED
			    : SW_PXO_ANSWER_FAILED;
		break;
	case SW_PROXY_REDIRECT:
		hp = honeypot(px, v.link);
		o = hp == SW_LINK_NONE ? SW_PXO_DROPPED : forward(px, hp, &lb, ud, ud_len);
		if (o == SW_PXO_ROUTED)
			o = SW_PXO_REDIRECTED;
		break;
	default:
		o = SW_PXO_DROPPED;
	}
	outcome(px, in, &msu, &v, o);
}

size_t
sw_proxy_status(const struct sw_proxy *px, char *out, size_t cap)
{
	struct sw_proxy_snap snap;

	sw_proxy_snapshot(px, 0, 0, &snap);
	return sw_proxy_snap_format(&snap, false, out, cap);
}
