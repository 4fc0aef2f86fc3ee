/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Model check of the inline SCTP repair (issue 12 Deliver 3): two simulated SCTP endpoints
 * (RFC 9260 sender and receiver state) exchange M3UA DATA through sw_enforce_packet() under
 * random drop decisions and packet fates, and every packet is checked against the invariants.
 * Used by tests/unit/test_repair_model.c (many seeds) and tests/fuzz/fuzz_repair.c (libFuzzer:
 * the input drives the scenario and the random decisions).
 */
#ifndef SW_TESTS_REPAIR_MODEL_H
#define SW_TESTS_REPAIR_MODEL_H

#include <stddef.h>
#include <stdint.h>

struct sw_model_stats {
	uint64_t packets;   /* packets through the enforcer (both directions) */
	uint64_t events;    /* packets delivered to an endpoint */
	uint64_t msgs;	    /* messages offered by the applications */
	uint64_t blocked;   /* of them blocked by the test policy */
	uint64_t delivered; /* allowed messages delivered */
	uint64_t beats;	    /* neutralized messages received as BEATs */
	uint64_t rtx;	    /* chunks retransmitted */
	uint64_t ticks;	    /* simulated milliseconds */
};

/*
 * Run one scenario. The scenario (sizes, streams, drop ratio, impairments, timers, bundling) and
 * every random decision come from seed, or, when fuzz != NULL, from the fuzz bytes first (then
 * from seed). Returns 0 when every invariant held and the association drained; otherwise
 * nonzero with a description in why. verbose: print the scenario and the violation.
 */
int sw_model_run(uint64_t seed, const uint8_t *fuzz, size_t fuzz_len, int verbose,
		 struct sw_model_stats *st, char *why, size_t why_len);

#endif /* SW_TESTS_REPAIR_MODEL_H */
