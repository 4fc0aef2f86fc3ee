/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The judge's state work (issue 15, Deliver 3-5; dataplane/judge/README.md "State"): per
 * message, update the state tables (dataplane/state) with what it teaches and compute the state
 * conditions (enum sw_state_cond of image.h) that the image's rules test, and only those: an
 * image without state rules costs one load per message.
 *
 * What is learned (the semantics are dataplane/state/README.md's):
 *   - every TC-BEGIN/CONTINUE/END/ABORT goes through sw_state_dialogue (OTIDs remembered with
 *     the calling GT; answers from outside matched on DTID + called GT); a Begin from outside
 *     with an updateLocation / updateGprsLocation for a home IMSI carries the pending location;
 *   - a returnResult(Last) of updateLocation / updateGprsLocation sent from inside records the
 *     pending location of the dialogue it answers (its DTID, its called GT);
 *   - a returnResult(Last) of sendRoutingInfoForSM sent from inside records its IMSI toward the
 *     called GT.
 */
#include <stdio.h>
#include <string.h>

#include "dataplane/policy/image.h"
#include "dataplane/proto/map.h"
#include "judge.h"

/* TS 29.002 17.5: operations whose invoke from outside must come from the subscriber's serving
 * network (issue 15, Deliver 5 "not serving"). */
#define OP_PROCESS_USSD_REQ 59 /* processUnstructuredSS-Request */

static bool
location_bound(int32_t op)
{
	switch (op) {
	case OP_PROCESS_USSD_REQ:
	case MAP_OP_REGISTER_SS:
	case MAP_OP_ERASE_SS:
	case MAP_OP_ACTIVATE_SS:
	case MAP_OP_DEACTIVATE_SS:
	case MAP_OP_INTERROGATE_SS:
	case MAP_OP_REGISTER_PASSWORD:
	case MAP_OP_RESTORE_DATA:
	case MAP_OP_PURGE_MS:
		return true;
	}
	return false;
}

/* Network of a digit string by the state section's prefixes (longest first): SW_NET_HOME,
 * SW_NET_PARTNER + k, or SW_NET_NONE. */
static unsigned
net_of(const void *image, const struct sw_img_state *ss, unsigned kind, const struct sw_digits *d)
{
	const struct sw_img_sprefix *px;
	uint64_t pk[SW_PTAB_DIGITS + 1];
	unsigned len, lens, n = ss->nprefix[kind];

	if (d == NULL || d->len == 0 || n == 0)
		return SW_NET_NONE;
	len = d->len < SW_PTAB_DIGITS ? d->len : SW_PTAB_DIGITS;
	pk[0] = 0;
	for (unsigned l = 1; l <= len; l++) {
		unsigned nib = sw_ptab_nibble(d->d[l - 1]);
		if (nib == 0) {
			len = l - 1;
			break;
		}
		pk[l] = pk[l - 1] | (uint64_t)nib << (4 * (l - 1));
	}
	px = (const void *)((const char *)image + ss->prefix_off[kind]);
	lens = ss->lens[kind] & (len >= 32 ? ~0u : (1u << len) - 1);
	/* Longest length first; entries are sorted by (len desc, key asc): a lower bound. */
	while (lens != 0) {
		unsigned l = 32 - (unsigned)__builtin_clz(lens);
		uint32_t lo = 0, hi = n;
		lens &= ~(1u << (l - 1));
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			if (px[mid].len > l || (px[mid].len == l && px[mid].key < pk[l]))
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < n && px[lo].len == l && px[lo].key == pk[l])
			return px[lo].net;
	}
	return SW_NET_NONE;
}

static inline uint64_t
dkey(const struct sw_digits *d)
{
	return d != NULL && d->len > 0 ? sw_state_digits_key(d->d, d->len) : 0;
}

static inline uint32_t
tid_value(const uint8_t *t, uint8_t len)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < len && i < 4; i++)
		v = v << 8 | t[i];
	return v;
}

/* The subscriber of a message (issue 15, Deliver 1): the decoder's (the argument's IMSI, else a
 * MAP-OPEN destinationReference that is an IMSI), else an SM-RP-DA that is an IMSI
 * (mt-forwardSM, TS 29.002 7.6.8.1). */
static const struct sw_digits *
subscriber(const struct sw_msu *m)
{
	const struct sw_digits *d = sw_msu_subscriber(m);

	if (d != NULL)
		return d;
	if (m->map.sm_rp_da_kind == 0 && m->map.sm_rp_da.len > 0)
		return &m->map.sm_rp_da;
	return NULL;
}

/* The serving node an updateLocation (its VLR number, else its MSC number) or an
 * updateGprsLocation (its SGSN number) names. */
static const struct sw_digits *
ul_number(const struct sw_msu *m, int32_t op)
{
	if (op == MAP_OP_UPDATE_GPRS_LOCATION)
		return &m->map.sgsn;
	return m->map.vlr.len > 0 ? &m->map.vlr : &m->map.msc;
}

struct net_info {
	uint32_t id;      /* partner id, 0: none */
	uint16_t country; /* its country (home: the home country), 0: unknown */
};

static struct net_info
net_info(const void *image, const struct sw_img_state *ss, unsigned net)
{
	struct net_info ni = { 0, 0 };

	if (net == SW_NET_HOME) {
		ni.country = ss->home_country;
	} else if (net >= SW_NET_PARTNER && net - SW_NET_PARTNER < ss->npartners) {
		const struct sw_img_partner *pa =
			(const void *)((const char *)image + ss->partners_off);
		ni.id = pa[net - SW_NET_PARTNER].id;
		ni.country = pa[net - SW_NET_PARTNER].country;
	}
	return ni;
}

#define BIT(c) (1u << (c))
#define LOC_BITS (BIT(SW_ST_NOT_SERVING) | BIT(SW_ST_VELOCITY) | BIT(SW_ST_UNKNOWN_LOCATION))
#define DLG_BITS (BIT(SW_ST_UNSOLICITED_DIALOGUE) | LOC_BITS)

uint32_t
sw_judge_state(const struct sw_judge_ctx *ctx, const struct sw_msu *m, unsigned dir,
	       uint64_t now_ns)
{
	const void *image = ctx->image;
	const struct sw_img_state *ss = sw_img_state(image);
	struct sw_state_ctx *sc = ctx->state;
	const struct sw_digits *cgd, *cdd, *imsi;
	uint32_t used, bits = 0;
	int32_t inv_op = -1, res_op = -1;
	unsigned nc, cg_net = SW_NET_NONE;
	bool out = dir == SW_SIDE_OUTSIDE, home_sub = false, cg_net_done = false;
	uint64_t now, cg, cd;

	if (ss == NULL || (used = ss->used) == 0 || sc == NULL || m->mal != SW_MAL_NONE ||
	    !(m->has & SW_HAS_TCAP) || !(m->has & SW_HAS_SCCP))
		return 0;
	now = now_ns + (uint64_t)ctx->state_clock;
	/* Issue 16 D3: the member cannot reach its group's Redis or is resynchronising: the
	 * policy decides what a state miss means then (patterns/README.md). */
	if ((used & BIT(SW_ST_CLUSTER_DEGRADED)) && sc->ring != NULL &&
	    atomic_load_explicit(&sc->ring->degraded, memory_order_relaxed) != 0)
		bits |= BIT(SW_ST_CLUSTER_DEGRADED);
	cgd = m->sccp.cgpa.present ? &m->sccp.cgpa.digits : NULL;
	cdd = m->sccp.cdpa.present ? &m->sccp.cdpa.digits : NULL;
	cg = dkey(cgd);
	cd = dkey(cdd);
	/* The first invoke's operation, and the operation of a returnResult(Last) we learn from. */
	nc = m->tcap.ncomp < SW_COMP_MAX ? m->tcap.ncomp : SW_COMP_MAX;
	for (unsigned i = 0; i < nc; i++) {
		const struct sw_tcap_comp *c = &m->tcap.comp[i];
		/* CAP's codes are not MAP's (issue 17: CAP 23 is no updateGprsLocation) */
		if (!c->has_opcode || c->opcode_global || (m->has & SW_HAS_CAP))
			continue;
		if (c->type == SW_COMP_INVOKE && inv_op < 0)
			inv_op = c->opcode;
		else if ((c->type == SW_COMP_RESULT_LAST || c->type == SW_COMP_RESULT) &&
			 (c->opcode == MAP_OP_UPDATE_LOCATION ||
			  c->opcode == MAP_OP_UPDATE_GPRS_LOCATION ||
			  c->opcode == MAP_OP_SEND_ROUTING_INFO_FOR_SM))
			res_op = c->opcode;
	}
	imsi = subscriber(m);
	if (out && imsi != NULL)
		home_sub = net_of(image, ss, SW_STATE_PFX_IMSI, imsi) == SW_NET_HOME;
#define CG_NET()                                                                   \
	(cg_net_done ? cg_net                                                      \
		     : (cg_net_done = true,                                        \
			cg_net = net_of(image, ss, SW_STATE_PFX_GT, cgd)))

	/* Dialogues (Deliver 3), which also carry the pending updateLocation (Deliver 5). */
	if ((used & DLG_BITS) && m->tcap.type >= SW_TCAP_BEGIN && m->tcap.type <= SW_TCAP_ABORT) {
		struct sw_state_pending pend;
		struct sw_state_tcap tc = {
			.from_inside = !out,
			.otid_len = m->tcap.otid_len <= 4 ? m->tcap.otid_len : 0,
			.dtid_len = m->tcap.dtid_len <= 4 ? m->tcap.dtid_len : 0,
			.cgpa = cg,
			.cdpa = cd,
		};
		enum sw_state_why why;

		switch (m->tcap.type) {
		case SW_TCAP_BEGIN:
			tc.type = SW_STATE_TC_BEGIN;
			break;
		case SW_TCAP_CONTINUE:
			tc.type = SW_STATE_TC_CONTINUE;
			break;
		case SW_TCAP_END:
			tc.type = SW_STATE_TC_END;
			break;
		default:
			tc.type = SW_STATE_TC_ABORT;
			break;
		}
		tc.otid = tid_value(m->tcap.otid, tc.otid_len);
		tc.dtid = tid_value(m->tcap.dtid, tc.dtid_len);
		if (out && (used & LOC_BITS) && tc.type == SW_STATE_TC_BEGIN && home_sub &&
		    (inv_op == MAP_OP_UPDATE_LOCATION || inv_op == MAP_OP_UPDATE_GPRS_LOCATION)) {
			/* The serving network: the partner of the VLR/SGSN number, else of the
			 * calling GT. */
			const struct sw_digits *num = ul_number(m, inv_op);
			unsigned net = net_of(image, ss, SW_STATE_PFX_GT, num);
			struct net_info ni =
				net_info(image, ss, net != SW_NET_NONE ? net : CG_NET());
			memset(&pend, 0, sizeof(pend));
			pend.imsi = dkey(imsi);
			pend.vlr = dkey(num);
			pend.partner = ni.id;
			pend.country = ni.country;
			pend.kind = inv_op == MAP_OP_UPDATE_LOCATION ? 1 : 2;
			tc.pending = &pend;
		}
		if (sw_state_dialogue(sc, &tc, now, &why) == SW_STATE_DLG_UNSOLICITED &&
		    (used & BIT(SW_ST_UNSOLICITED_DIALOGUE)))
			bits |= BIT(SW_ST_UNSOLICITED_DIALOGUE);
	}
	if (!out) {
		/* Answers from inside: a location accepted by the HLR, an SRI-SM answered. */
		if ((used & LOC_BITS) &&
		    (res_op == MAP_OP_UPDATE_LOCATION || res_op == MAP_OP_UPDATE_GPRS_LOCATION) &&
		    m->tcap.dtid_len > 0 && m->tcap.dtid_len <= 4)
			sw_state_location_answer(sc, tid_value(m->tcap.dtid, m->tcap.dtid_len),
						 m->tcap.dtid_len, cd, true, now);
		if ((used & BIT(SW_ST_UNSOLICITED_SMS)) &&
		    res_op == MAP_OP_SEND_ROUTING_INFO_FOR_SM && m->map.imsi.len > 0 && cd != 0) {
			struct sw_state_key k;
			struct net_info ni =
				net_info(image, ss, net_of(image, ss, SW_STATE_PFX_GT, cdd));
			sw_state_key_imsi(sc->st, &k, SW_STATE_T_SMS, dkey(&m->map.imsi));
			sw_state_sms_record(sc, &k, cd, ni.id, now);
		}
		return bits;
	}
	if (!home_sub || inv_op < 0)
		return bits;
	/* SMS correlation (Deliver 4): an mt-forwardSM for a home subscriber. */
	if ((used & BIT(SW_ST_UNSOLICITED_SMS)) && inv_op == MAP_OP_MT_FORWARD_SM) {
		enum sw_state_why why;
		if (sw_state_unsolicited_sms(sc, dkey(imsi), cg,
					     net_info(image, ss, CG_NET()).id, now, &why))
			bits |= BIT(SW_ST_UNSOLICITED_SMS);
	}
	/* Subscriber location (Deliver 5). */
	bool ul = inv_op == MAP_OP_UPDATE_LOCATION || inv_op == MAP_OP_UPDATE_GPRS_LOCATION;
	if ((used & LOC_BITS) && (ul || location_bound(inv_op))) {
		struct sw_state_location loc;
		struct sw_state_key k;
		enum sw_state_why why;

		sw_state_key_imsi(sc->st, &k, SW_STATE_T_LOCATION, dkey(imsi));
		why = sw_state_location_get(sc, &k, now, &loc);
		if (why != SW_STATE_WHY_NONE) {
			if (why != SW_STATE_WHY_BUSY)
				bits |= used & BIT(SW_ST_UNKNOWN_LOCATION);
		} else if (!ul) {
			if ((used & BIT(SW_ST_NOT_SERVING)) &&
			    sw_state_loc_serving(&loc, cg, net_info(image, ss, CG_NET()).id) ==
				    SW_STATE_LOC_NOT_SERVING)
				bits |= BIT(SW_ST_NOT_SERVING);
		} else if (used & BIT(SW_ST_VELOCITY)) {
			unsigned net = net_of(image, ss, SW_STATE_PFX_GT, ul_number(m, inv_op));
			struct net_info ni =
				net_info(image, ss, net != SW_NET_NONE ? net : CG_NET());
			const struct sw_state_travel *t =
				(const void *)((const char *)image + ss->travel_off);
			if (sw_state_loc_velocity(&loc, ni.country, now, t))
				bits |= BIT(SW_ST_VELOCITY);
		}
	}
	return bits;
#undef CG_NET
}

/* Cross-layer (Deliver 7): an updateLocation / updateGprsLocation from outside whose VLR, MSC or
 * SGSN number (MAP) is not in the network of the calling GT (SCCP). Needs no table: computed
 * separately so that an image using only it does no dialogue work. */
uint32_t
sw_judge_state_mismatch(const struct sw_judge_ctx *ctx, const struct sw_msu *m, unsigned dir)
{
	const struct sw_img_state *ss = sw_img_state(ctx->image);
	const struct sw_digits *num = NULL;
	unsigned nc, a, b;

	if (ss == NULL || !(ss->used & BIT(SW_ST_VLR_NETWORK_MISMATCH)) ||
	    dir != SW_SIDE_OUTSIDE || m->mal != SW_MAL_NONE || !(m->has & SW_HAS_TCAP) ||
	    (m->has & SW_HAS_CAP) || !(m->has & SW_HAS_SCCP) || !m->sccp.cgpa.present)
		return 0;
	nc = m->tcap.ncomp < SW_COMP_MAX ? m->tcap.ncomp : SW_COMP_MAX;
	for (unsigned i = 0; i < nc && num == NULL; i++) {
		const struct sw_tcap_comp *c = &m->tcap.comp[i];
		if (c->type != SW_COMP_INVOKE || !c->has_opcode || c->opcode_global)
			continue;
		if (c->opcode == MAP_OP_UPDATE_LOCATION || c->opcode == MAP_OP_UPDATE_GPRS_LOCATION)
			num = ul_number(m, c->opcode);
		else
			break; /* the MAP fields are the first invoke's */
	}
	if (num == NULL || num->len == 0)
		return 0;
	a = net_of(ctx->image, ss, SW_STATE_PFX_GT, &m->sccp.cgpa.digits);
	b = net_of(ctx->image, ss, SW_STATE_PFX_GT, num);
	/* A partner's GT announcing another network's VLR (or the home network's); a GT of no
	 * known network announcing a known network's VLR. Two unknown networks: not judged. */
	return a != b ? BIT(SW_ST_VLR_NETWORK_MISMATCH) : 0;
}

void
sw_judge_state_config(const void *image, struct sw_state_config *cfg)
{
	const struct sw_img_state *ss = image != NULL ? sw_img_state(image) : NULL;

	memset(cfg, 0, sizeof(*cfg));
	if (ss == NULL)
		return;
	cfg->dialogues = ss->dialogues;
	cfg->sms = ss->sms;
	cfg->subscribers = ss->subscribers;
	cfg->dialogue_ttl_ns = (uint64_t)ss->dialogue_timeout_s * SW_STATE_NS_PER_S;
	cfg->sms_window_ns = (uint64_t)ss->sms_window_s * SW_STATE_NS_PER_S;
	cfg->location_age_ns = (uint64_t)ss->location_max_age_s * SW_STATE_NS_PER_S;
}

int
sw_judge_state_open(const char *instance, const void *image, struct sw_state *st, char *line,
		    size_t linelen)
{
	struct sw_state_config cfg;
	int rc;

	sw_judge_state_config(image, &cfg);
	rc = sw_state_open(instance, &cfg, SW_STATE_F_RECOVER, st);
	if (rc < 0) {
		snprintf(line, linelen, "cannot open /sigwall.%s.state (%s): no state conditions "
			 "hold", instance, strerror(-rc));
		return rc;
	}
	snprintf(line, linelen, "/sigwall.%s.state %s (%.1f MiB: %llu dialogues, %llu SMS, "
		 "%llu subscribers)", instance,
		 rc == SW_STATE_CREATED	   ? "created"
		 : rc == SW_STATE_REUSED   ? "reused: the learned state is kept"
		 : rc == SW_STATE_RESIZED  ? "recreated empty: other table sizes"
					   : "recreated empty: another layout version",
		 (double)sw_state_size(&cfg) / 1048576.0,
		 (unsigned long long)sw_state_capacity(st, SW_STATE_T_DIALOGUE),
		 (unsigned long long)sw_state_capacity(st, SW_STATE_T_SMS),
		 (unsigned long long)sw_state_capacity(st, SW_STATE_T_LOCATION));
	return rc;
}

int
sw_judge_state_attach(struct sw_judge_ctx *ctx, struct sw_state *st, unsigned worker,
		      int64_t state_clock)
{
	int rc = sw_state_ctx_init(&ctx->state_ctx, st, worker, NULL);

	if (rc < 0)
		return rc;
	ctx->state = &ctx->state_ctx;
	ctx->state_clock = state_clock;
	return 0;
}
