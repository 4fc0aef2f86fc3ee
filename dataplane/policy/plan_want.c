/* SPDX-License-Identifier: BSD-3-Clause */
/* The decode plan's want part (decode/plan_want.h), built at bind (issue 20 D2). */
#include <string.h>

#include "ctx.h"

void
sw_plan_want_build(const struct sw_policy_ctx *ctx, struct sw_plan_want *want)
{
	memset(want, 0, sizeof(*want));
	/* Per-component views: the image reads a component's own fields (ctx->view_fields), so
	 * the decoder keeps what it decodes of every component for sw_policy_eval_msg. The
	 * reference evaluation (SW_POLICY_F_FULL_VIEWS) decodes them again, as before plans. */
	if (ctx->view_fields && ctx->view_ring != NULL && !(ctx->flags & SW_POLICY_F_FULL_VIEWS)) {
		want->flags |= SW_WANT_VIEWS;
		want->ring = ctx->view_ring;
	}
	/* A verdict decided before the argument walk (eval.c sw_policy_decide). */
	if (ctx->decide_ok) {
		want->flags |= SW_WANT_DECIDE;
		want->decide = sw_policy_decide;
		want->decide_arg = (void *)ctx;
	}
}
