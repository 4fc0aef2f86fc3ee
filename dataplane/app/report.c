/* SPDX-License-Identifier: BSD-3-Clause */
/* sigwall-dataplane: the named counters (one table for the final report and telemetry) and the
 * report printed at exit. */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "dataplane/enforce/enforce.h"

#define CTR(f) {#f, offsetof(struct sw_shm_counters, f)}

/* In the order of the final report's counter lines (tests parse them by name). */
const struct sw_ctr_desc sw_ctr_desc[] = {
	CTR(rx_pkts), CTR(rx_bytes), CTR(tx_pkts), CTR(tx_bytes), CTR(msus), CTR(allowed),
	CTR(dropped), CTR(alerted), CTR(malformed), CTR(non_sctp), CTR(chunks_removed),
	CTR(pkts_dropped), CTR(events), CTR(events_lost), CTR(tx_dropped), CTR(gen_switches),
	CTR(images_refused), CTR(bursts), {"rate_limited", offsetof(struct sw_shm_counters, rl.limited)},
	CTR(cache_hits), CTR(cache_misses),
	CTR(malformed_verdicts), CTR(default_hits), CTR(rule_overflow), CTR(no_image), CTR(non_m3ua),
	CTR(non_sctp_ip), CTR(reasm_capacity), CTR(reasm_entries), CTR(reasm_pieces),
	CTR(reasm_completed), CTR(reasm_expired), CTR(reasm_reclaimed), CTR(reasm_failed),
	/* the shared rate-limit table (issue 18 D6) */
	{"rl_admitted", offsetof(struct sw_shm_counters, rl.admitted)},
	{"rl_inserts", offsetof(struct sw_shm_counters, rl.inserts)},
	{"rl_reclaims", offsetof(struct sw_shm_counters, rl.reclaims)},
	{"rl_evictions", offsetof(struct sw_shm_counters, rl.evictions)},
	{"rl_busy", offsetof(struct sw_shm_counters, rl.busy)},
	/* the shadow policy (issue 18 D7) */
	CTR(shadow_msus), CTR(shadow_changed), CTR(shadow_to_drop), CTR(shadow_to_pass),
	CTR(shadow_default), CTR(shadow_malformed), CTR(shadow_images_refused),
};
const unsigned sw_ctr_count = RTE_DIM(sw_ctr_desc);

void
sw_app_totals(const struct app *a, struct sw_shm_counters *total)
{
	uint64_t *t = (uint64_t *)total;
	unsigned i, k, nw = (unsigned)(sizeof(*total) / sizeof(uint64_t));

	memset(total, 0, sizeof(*total));
	for (i = 0; i < a->nworkers; i++) {
		/* Only uint64_t counters, no padding: shm.h asserts it. */
		const _Atomic uint64_t *s = (const _Atomic uint64_t *)a->workers[i].c;

		for (k = 0; k < nw; k++)
			t[k] += atomic_load_explicit(&s[k], memory_order_relaxed);
	}
}

static void
print_counters(FILE *f, const char *who, const struct sw_shm_counters *c, uint64_t gen)
{
	unsigned k;

	fprintf(f, "%s:", who);
	/* The first 17 are the report's historical line; the rest follow it. */
	for (k = 0; k < sw_ctr_count; k++)
		fprintf(f, " %s %" PRIu64, sw_ctr_desc[k].name, sw_ctr_get(c, k));
	fprintf(f, " generation %" PRIu64 "\n", gen);
}

void
sw_app_print_final(struct app *a, double secs)
{
	struct sw_shm_counters total;
	unsigned i, k;
	char who[32];
	bool any_mal = false;

	printf("sigwall-dataplane: stopped after %.3f s, final counters\n", secs);
	for (i = 0; i < a->nworkers; i++) {
		snprintf(who, sizeof(who), "worker %u", i);
		print_counters(stdout, who, a->workers[i].c, a->workers[i].gen);
	}
	sw_app_totals(a, &total);
	print_counters(stdout, "total", &total, a->workers[0].gen);
	for (k = 1; k < SW_MAL_COUNT; k++) {
		if (total.mal[k] == 0)
			continue;
		printf("%smalformed %s %" PRIu64, any_mal ? ", " : "", sw_mal_name((enum sw_mal)k),
		       (uint64_t)total.mal[k]);
		any_mal = true;
	}
	if (any_mal)
		putchar('\n');
	for (k = 0; k < SW_SHM_MAX_RULES; k++)
		if (total.rule_hits[k] != 0)
			printf("rule %u hits %" PRIu64 "\n", k, (uint64_t)total.rule_hits[k]);
	if (total.default_hits != 0)
		printf("rule default hits %" PRIu64 "\n", (uint64_t)total.default_hits);
	for (i = 0; i < a->nworkers; i++) {
		const struct sw_worker *w = &a->workers[i];

		printf("worker %u: sacks_generated %" PRIu64 " pkts_shrunk %" PRIu64
		       " non_m3ua_chunks %" PRIu64 "\n", i, w->replies, w->shrunk, w->non_m3ua);
		if (w->ipr != NULL) { /* reasm: IP fragments (issue 14 D1) */
			struct sw_worker_ipr_stats q;

			sw_worker_ipr_stats(w, &q);
			printf("worker %u ipfrag: held %" PRIu64 " joined %" PRIu64 " refragmented %" PRIu64
			       " full %" PRIu64 " timeout %" PRIu64 " overlap %" PRIu64 " long %" PRIu64
			       " tx_fail %" PRIu64 "\n", i, q.held, q.done, q.refragmented, q.full,
			       q.timeout, q.overlap, q.long_, q.tx_fail);
		}
		if (w->sh != NULL) /* reasm: SCTP fragments held inline (issue 14 D2) */
			printf("worker %u sctphold: held %" PRIu64 " released %" PRIu64
			       " stalled %" PRIu64 " lost %" PRIu64 " control %" PRIu64 "\n", i,
			       w->sh_st.held, w->sh_st.released, w->sh_st.stalled, w->sh_st.lost,
			       w->sh_st.control);
		if (w->enforce != NULL) {
			const uint64_t *e = sw_enforce_counters(w->enforce);

			printf("worker %u enforce:", i);
			for (k = 0; k < SW_ENF_CTR_COUNT; k++)
				if (e[k] != 0)
					printf(" %s %" PRIu64, sw_enf_ctr_name((enum sw_enf_ctr)k), e[k]);
			printf(" assocs %u\n", sw_enforce_assoc_count(w->enforce));
		}
	}
	sw_nic_print(a, stdout);
	fflush(stdout);
}
