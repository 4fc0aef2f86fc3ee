/* SPDX-License-Identifier: BSD-3-Clause */
/* What some reader asks of the decoder (issue 20 D2): part of struct sw_decode_plan. */
#ifndef SW_DECODE_PLAN_WANT_H
#define SW_DECODE_PLAN_WANT_H

#include <stdint.h>

struct sw_plan_want {
	uint32_t flags; /* 0: nothing beyond what the decoder always does */
};

#endif /* SW_DECODE_PLAN_WANT_H */
