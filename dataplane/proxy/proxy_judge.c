/* SPDX-License-Identifier: BSD-3-Clause */
/* The proxy's verdicts from the one judge (proxy_judge.h). */
#include <string.h>

#include "proxy_judge.h"
#include "sccp_wire.h"

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
