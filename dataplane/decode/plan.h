/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The decode plan (issue 20 D2, D3): what the policy bound to a worker asks of the decoder.
 * A policy context builds it when it binds an image (sw_policy_plan, dataplane/policy/); the
 * judge hands it to the decoder with sw_decode_msu_plan, which keeps it in msu->plan for every
 * layer below (and for a reassembled message decoded again into the same msu). A NULL plan
 * decodes everything and asks nothing: the decoder then does exactly what it did before plans.
 *
 * Two parts, each in its own header and built by its own file in dataplane/policy/:
 *   key   the cache key the decoder writes as it decodes (plan_key.h, plan_key.c)
 *   want  the fields and per-component views some reader asks for (plan_want.h, plan_want.c)
 */
#ifndef SW_DECODE_PLAN_H
#define SW_DECODE_PLAN_H

#include <stdint.h>

#include "dataplane/decode/plan_key.h"
#include "dataplane/decode/plan_want.h"

struct sw_decode_plan {
	/* the image it was built for (sw_image_hdr generation and checksum): a reader that finds
	 * another image bound (a swap between the decode and the verdict) does not use it */
	uint64_t gen, checksum;
	struct sw_plan_key key;
	struct sw_plan_want want;
};

#endif /* SW_DECODE_PLAN_H */
