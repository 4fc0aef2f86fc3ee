/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The proxy's judge callback on the one judge (dataplane/judge): every MSU the proxy receives is
 * judged by sw_judge_msu with the same policy context, image and port numbering as inline mode
 * (the link's side is the port: 0 outside, 1 inside).
 *
 * The policy's actions today are allow/drop/alert (rate-limit resolves to one of them). The
 * proxy-only actions (reject with a cause, abort, redirect to a link) need the policy language
 * to carry them (issue 21, policy side); until then `reject_drops` turns every drop into a
 * reject with `reject_cause`, which is what an STP filter answering its callers does.
 */
#ifndef SW_PROXY_PROXY_JUDGE_H
#define SW_PROXY_PROXY_JUDGE_H

#include "dataplane/judge/judge.h"
#include "proxy.h"

struct sw_proxy_policy {
	struct sw_judge_ctx jctx;
	bool reject_drops;
	uint8_t reject_cause;      /* Q.713 3.12; default SCCP_CAUSE_SS_FAILURE when set to 0 */
	struct sw_judge_verdict last; /* the judge's verdict of the last MSU (events) */
	uint64_t judged;
};

/* Fill a struct sw_proxy_judge that calls the judge with pp. */
void sw_proxy_policy_judge(struct sw_proxy_policy *pp, struct sw_proxy_judge *out);

#endif /* SW_PROXY_PROXY_JUDGE_H */
