/* SPDX-License-Identifier: BSD-3-Clause */
/* The proxy's verdicts from the one judge (proxy_judge.h). */
#include <string.h>

#include "answer.h"
#include "dataplane/policy/image.h"
#include "proxy_judge.h"
#include "sccp_wire.h"

/* The rule's proxy-mode action (image.h px_*), if it has one: v filled, true. */
static bool
px_rule_action(const struct sw_proxy_policy *pp, struct sw_proxy_verdict *v)
{
	struct sw_rule_proxy rp;
	const char *name;
	int link;

	switch (sw_image_rule_proxy(pp->jctx.image, pp->last.rule, &rp)) {
	case SW_PX_REJECT:
		v->action = SW_PROXY_REJECT;
		v->cause = rp.arg;
		return true;
	case SW_PX_ABORT:
		v->action = SW_PROXY_ABORT;
		v->abort_kind = rp.arg == SW_PX_ABORT_U ? SW_ABORT_U : SW_ABORT_P;
		v->cause = TCAP_PABORT_RESOURCE_LIMIT;
		return true;
	case SW_PX_REDIRECT:
		/* The image names the site's link; the proxy numbers its own (the same file, but
		 * by name is what cannot disagree). Not one of ours: a drop. */
		name = sw_image_link_name(pp->jctx.image, rp.link);
		link = pp->px != NULL && name != NULL ? sw_proxy_link_by_name(pp->px, name) : -1;
		if (link < 0)
			return false;
		v->action = SW_PROXY_REDIRECT;
		v->link = (uint16_t)link;
		return true;
	default:
		return false;
	}
}

static struct sw_proxy_verdict
proxy_policy_judge(void *ctx, const struct sw_msu *msu, unsigned side, uint64_t now_ns)
{
	struct sw_proxy_policy *pp = ctx;
	struct sw_proxy_verdict v = {.action = SW_PROXY_ALLOW, .link = SW_LINK_NONE};
	static const struct sw_pkt none; /* the policy reads nothing of the packet */

	sw_judge_msu(&pp->jctx, &none, msu, side, now_ns, &pp->last);
	pp->judged++;
	v.rule = pp->last.rule;
	switch (pp->last.action) {
	case SW_ACTION_DROP:
		if (pp->jctx.image != NULL && !pp->last.no_image && px_rule_action(pp, &v))
			break;
		if (pp->reject_drops) {
			v.action = SW_PROXY_REJECT;
			v.cause = pp->reject_cause != 0 ? pp->reject_cause : SCCP_CAUSE_SS_FAILURE;
		} else {
			v.action = SW_PROXY_DROP;
		}
		break;
	case SW_ACTION_ALERT:
		v.action = SW_PROXY_ALERT;
		break;
	default:
		break;
	}
	return v;
}

void
sw_proxy_policy_judge(struct sw_proxy_policy *pp, struct sw_proxy_judge *out)
{
	out->judge = proxy_policy_judge;
	out->ctx = pp;
}
