/* SPDX-License-Identifier: BSD-3-Clause */
/* The decode plan's want part (decode/plan_want.h), built at bind (issue 20 D2). */
#include <string.h>

#include "ctx.h"

void
sw_plan_want_build(const struct sw_policy_ctx *ctx, struct sw_plan_want *want)
{
	(void)ctx;
	memset(want, 0, sizeof(*want)); /* nothing asked beyond today's decode */
}
