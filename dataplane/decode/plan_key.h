/* SPDX-License-Identifier: BSD-3-Clause */
/* The cache key the decoder writes as it decodes (issue 20 D3): part of struct sw_decode_plan. */
#ifndef SW_DECODE_PLAN_KEY_H
#define SW_DECODE_PLAN_KEY_H

#include <stdint.h>

struct sw_plan_key {
	uint32_t size; /* 0: the decoder writes no key (the verdict builds it, key_build) */
};

#endif /* SW_DECODE_PLAN_KEY_H */
