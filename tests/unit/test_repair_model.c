/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The repair model check (issue 12 Deliver 3, repair_model.c) over many seeded scenarios.
 *   test_repair_model [SEEDS [FIRST]]     default 2000 seeds from 1 (SW_MODEL_SEEDS overrides)
 *   test_repair_model --seed N            replay one seed verbosely
 * A failing seed prints the violation and the command that replays it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "repair_model.h"

int
main(int argc, char **argv)
{
	struct sw_model_stats st, tot;
	uint64_t first = 1, n = 2000, s, fails = 0;
	struct timespec t0, t1;
	char why[512];
	const char *env = getenv("SW_MODEL_SEEDS");

	if (argc == 3 && strcmp(argv[1], "--seed") == 0) {
		s = strtoull(argv[2], NULL, 0);
		if (sw_model_run(s, NULL, 0, 1, &st, why, sizeof(why)) != 0)
			return 1;
		printf("seed %" PRIu64 ": ok, %" PRIu64 " packets, %" PRIu64 " messages (%" PRIu64
		       " blocked), %" PRIu64 " delivered, %" PRIu64 " BEATs, %" PRIu64
		       " retransmissions, %" PRIu64 " ms\n",
		       s, st.packets, st.msgs, st.blocked, st.delivered, st.beats, st.rtx, st.ticks);
		return 0;
	}
	if (env != NULL)
		n = strtoull(env, NULL, 0);
	if (argc >= 2)
		n = strtoull(argv[1], NULL, 0);
	if (argc >= 3)
		first = strtoull(argv[2], NULL, 0);
	memset(&tot, 0, sizeof(tot));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (s = first; s < first + n; s++) {
		int rc = sw_model_run(s, NULL, 0, 0, &st, why, sizeof(why));

		if (rc < 0) {
			fprintf(stderr, "out of memory\n");
			return 2;
		}
		tot.packets += st.packets;
		tot.events += st.events;
		tot.msgs += st.msgs;
		tot.blocked += st.blocked;
		tot.delivered += st.delivered;
		tot.rtx += st.rtx;
		if (rc != 0) {
			fails++;
			if (fails <= 10)
				printf("FAIL seed %" PRIu64 ": %s\n  replay: %s --seed %" PRIu64 "\n",
				       s, why, argv[0], s);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%" PRIu64 " scenarios, %" PRIu64 " failed; %" PRIu64 " packets through the "
	       "enforcer, %" PRIu64 " delivered to endpoints, %" PRIu64 " messages (%" PRIu64
	       " blocked), %" PRIu64 " retransmissions; %.2f s\n",
	       n, fails, tot.packets, tot.events, tot.msgs, tot.blocked, tot.rtx,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return fails != 0;
}
