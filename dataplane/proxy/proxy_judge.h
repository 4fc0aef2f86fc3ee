/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The proxy's judge callback on the one judge (dataplane/judge): every MSU the proxy receives is
 * judged by sw_judge_msu with the same policy context, image and port numbering as inline mode
 * (the link's side is the port: 0 outside, 1 inside).
 *
 * The policy's actions are allow/drop/alert (rate-limit resolves to one of them) and proxy
 * mode's own: a rule with `action = "reject"|"abort"|"redirect"` is a drop for the judge and
 * carries the proxy's action in the image (sw_image_rule_proxy), which this maps to the proxy's
 * verdict (a redirect by the link's name). A rule in monitor state alerts and forwards instead.
 * `reject_drops` turns every other drop into a reject with `reject_cause`.
 */
#ifndef SW_PROXY_PROXY_JUDGE_H
#define SW_PROXY_PROXY_JUDGE_H

#include "dataplane/judge/judge.h"
#include "proxy.h"

struct sw_proxy_policy {
	struct sw_judge_ctx jctx;
	const struct sw_proxy *px;   /* the links a redirect names (NULL: a redirect drops) */
	bool reject_drops;
	uint8_t reject_cause;      /* Q.713 3.12; default SCCP_CAUSE_SS_FAILURE when set to 0 */
	struct sw_judge_verdict last; /* the judge's verdict of the last MSU (events) */
	uint64_t judged;
};

/* Fill a struct sw_proxy_judge that calls the judge with pp. */
void sw_proxy_policy_judge(struct sw_proxy_policy *pp, struct sw_proxy_judge *out);

#endif /* SW_PROXY_PROXY_JUDGE_H */
