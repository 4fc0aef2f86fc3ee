/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness of the repair model check (issue 12 Deliver 3, tests/unit/repair_model.c):
 * the input picks the scenario (streams, drop ratio, impairments, timers, bundling) and the
 * first random decisions, a hash of it seeds the rest. Any invariant violation aborts with its
 * description (a finding). Owned by the enforce engineer; added to tests/fuzz additively.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/unit/repair_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t seed = 1469598103934665603ull; /* FNV-1a of the input */
	char why[512];
	size_t i;

	for (i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 1099511628211ull;
	if (sw_model_run(seed, data, size, 0, NULL, why, sizeof(why)) > 0) {
		fprintf(stderr, "repair model: %s\n", why);
		abort();
	}
	return 0;
}
