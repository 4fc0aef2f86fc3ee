/* SPDX-License-Identifier: BSD-3-Clause */
/* The decode plan's key part (decode/plan_key.h), built at bind (issue 20 D3). */
#include <string.h>

#include "ctx.h"

void
sw_plan_key_build(const struct sw_policy_ctx *ctx, struct sw_plan_key *key)
{
	(void)ctx;
	memset(key, 0, sizeof(*key)); /* no decoder-written key yet */
}
