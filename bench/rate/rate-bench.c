/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rate-bench (issue 18 D6, D7): what a rate-limit verdict and a shadow evaluation cost per MSU,
 * each as a ratio to a baseline measured in the same run (not a timed test; prints figures).
 *
 *   rate-bench [ITERATIONS] [RUNS]
 *
 * 1. rate limit: sw_policy_eval of a rule `rate-limit` keyed by the calling GT (the shared
 *    table, loaded: 60,000 keys in it before timing, every MSU admitted) against the same rule
 *    with action `allow`; 256 calling GTs in turn (verdict cache hits: the bucket is charged on
 *    every MSU, hit or miss).
 * 2. shadow: the active verdict plus the candidate's (a second policy context on another image,
 *    as a worker with a shadow does) against the active verdict alone; and with a candidate that
 *    names a partner, plus the partner lookup of `shadow diff` on every MSU (the worst case:
 *    a worker looks it up for the MSUs whose action changes only).
 * Medians of RUNS runs, ns per MSU (CLOCK_MONOTONIC).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "control/compiler/compiler.h"
#include "dataplane/policy/policy.h"
#include "dataplane/policy/ratelimit.h"
#include "tests/common/msu_build.h"

#define SITE "patterns/site.example.conf"
#define POOL 256

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
compile(const char *text, uint64_t gen, struct sw_compiled *c)
{
	char path[] = "/tmp/rate-bench-XXXXXX", err[512];
	int fd = mkstemp(path), rc;
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (f == NULL)
		return -1;
	fputs(text, f);
	fclose(f);
	rc = sw_compile_files(path, SITE, gen, c, err, sizeof(err));
	unlink(path);
	if (rc < 0)
		fprintf(stderr, "rate-bench: %s\n", err);
	return rc;
}

/* Median of n figures: the one with as many below it as above (ties counted on both sides). */
static double
median(const double *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned below = 0, above = 0;

		for (unsigned j = 0; j < n; j++) {
			below += v[j] < v[i];
			above += v[j] > v[i];
		}
		if (below <= n / 2 && above <= n / 2)
			return v[i];
	}
	return v[0];
}

/* ns per MSU of ctx (and shadow when not NULL; with partner, also the partner of every MSU's
 * calling party, as a worker counts an MSU the shadow changes) over the pool. */
static double
timed(struct sw_policy_ctx *ctx, struct sw_policy_ctx *shadow, bool partner, struct sw_msu *pool,
      unsigned iters)
{
	volatile uint32_t sink = 0;
	uint64_t t = 1000000000ull;
	double t0 = now_s();

	for (unsigned i = 0; i < iters; i++, t += 1000) {
		struct sw_verdict v = sw_policy_eval(ctx, NULL, &pool[i & (POOL - 1)], 0, t);
		sink += v.action;
		if (shadow != NULL) {
			struct sw_verdict s = sw_policy_eval(shadow, NULL, &pool[i & (POOL - 1)], 0, t);
			sink += s.action != v.action;
			if (partner)
				sink += (uint32_t)sw_policy_partner_of(shadow, &pool[i & (POOL - 1)]);
		}
	}
	(void)sink;
	return (now_s() - t0) * 1e9 / iters;
}

#define RULES(action, extra)                                                                  \
	"policy = { default = \"allow\"; malformed = \"alert\"; };\n"                         \
	"rules = (\n" extra "  { name = \"sri-sm\"; id = 45; opcode = 45; action = " action "; }\n);\n"
#define RL "\"rate-limit\";\n    rate = { rate = 1000000; burst = 1000000; key = \"cgpa\"; }"
#define ALLOW "\"allow\""

int
main(int argc, char **argv)
{
	unsigned iters = argc > 1 ? (unsigned)atoi(argv[1]) : 2000000;
	unsigned runs = argc > 2 ? (unsigned)atoi(argv[2]) : 5;
	struct sw_compiled base, rl, active, cand, candp;
	struct sw_msu *pool = calloc(POOL, sizeof(*pool)), *ppool = calloc(POOL, sizeof(*ppool));
	double a[16], b[16], c[16], d[16], e[16], f[16];
	char gt[32];

	if (runs > 16)
		runs = 16;
	if (pool == NULL || ppool == NULL || compile(RULES(ALLOW, ""), 1, &base) < 0 ||
	    compile(RULES(RL, ""), 2, &rl) < 0 ||
	    compile(RULES(ALLOW, "  { name = \"no-ati\"; opcode = 71; action = \"drop\"; },\n"), 3,
		    &active) < 0 ||
	    compile(RULES(ALLOW, "  { name = \"no-ati\"; opcode = 71; action = \"drop\"; },\n"
				   "  { name = \"no-sri\"; opcode = 22; action = \"drop\"; },\n"),
		    4, &cand) < 0 ||
	    compile(RULES(ALLOW, "  { name = \"no-ati\"; opcode = 71; action = \"drop\"; },\n"
				   "  { name = \"ul-fr\"; opcode = 2; cgpa_in = \"partner:PartnerFR\";"
				   " action = \"drop\"; },\n"),
		    5, &candp) < 0)
		return 1;
	for (unsigned i = 0; i < POOL; i++) {
		snprintf(gt, sizeof(gt), "4179%07u", i * 7919u);
		t_map(&pool[i], gt, "33609001234", 45, NULL);
		/* half in PartnerFR's GT range (site.example.conf), half in nobody's */
		snprintf(gt, sizeof(gt), i % 2 ? "4179%07u" : "336090%05u", i * 7919u % 100000u);
		t_map(&ppool[i], gt, "33609001234", 45, NULL);
	}
	struct sw_rl_table *table = sw_rl_table_new(SW_RL_DEFAULT_ENTRIES, 0, 0);
	struct sw_policy_ctx *cb = sw_policy_ctx_new(), *cr = sw_policy_ctx_new();
	struct sw_policy_ctx *ca = sw_policy_ctx_new(), *cs = sw_policy_ctx_new();
	struct sw_policy_ctx *cp = sw_policy_ctx_new();
	if (table == NULL || cb == NULL || cr == NULL || ca == NULL || cs == NULL || cp == NULL)
		return 1;
	sw_policy_ctx_set_ratelimit(cr, table, NULL);
	if (sw_policy_ctx_bind(cb, base.image) < 0 || sw_policy_ctx_bind(cr, rl.image) < 0 ||
	    sw_policy_ctx_bind(ca, active.image) < 0 || sw_policy_ctx_bind(cs, cand.image) < 0 ||
	    sw_policy_ctx_bind(cp, candp.image) < 0)
		return 1;
	/* Load the table: 60,000 other keys of the same rule. */
	{
		struct sw_msu m;
		for (unsigned i = 0; i < 60000; i++) {
			snprintf(gt, sizeof(gt), "3361%07u", i);
			t_map(&m, gt, "33609001234", 45, NULL);
			sw_policy_eval(cr, NULL, &m, 0, 1000);
		}
	}
	for (unsigned r = 0; r < runs; r++) {
		a[r] = timed(cb, NULL, false, pool, iters);
		b[r] = timed(cr, NULL, false, pool, iters);
		c[r] = timed(ca, NULL, false, pool, iters);
		d[r] = timed(ca, cs, false, pool, iters);
		f[r] = timed(ca, cp, false, ppool, iters);
		e[r] = timed(ca, cp, true, ppool, iters);
	}
	double ma = median(a, runs), mb = median(b, runs), mc = median(c, runs), md = median(d, runs);
	double me = median(e, runs), mf = median(f, runs);
	printf("rate-bench: %u MSUs x %u runs, medians (ns/MSU)\n", iters, runs);
	printf("rate limit: allow rule %.1f, rate-limit rule %.1f (shared table, %u keys held): "
	       "ratio %.2f, +%.1f ns\n", ma, mb, sw_rl_table_used(table), mb / ma, mb - ma);
	printf("shadow: active only %.1f, active + candidate %.1f: ratio %.2f, +%.1f ns\n", mc, md,
	       md / mc, md - mc);
	/* issue 18 D7 diff per partner: the worst case, every MSU changed */
	printf("shadow naming a partner (half the calling parties in its range): active + candidate "
	       "%.1f, + the partner of every MSU %.1f: ratio %.2f, +%.1f ns\n", mf, me, me / mf,
	       me - mf);
	sw_policy_ctx_free(cb);
	sw_policy_ctx_free(cr);
	sw_policy_ctx_free(ca);
	sw_policy_ctx_free(cs);
	sw_policy_ctx_free(cp);
	sw_compiled_free(&candp);
	sw_rl_table_free(table);
	sw_compiled_free(&base);
	sw_compiled_free(&rl);
	sw_compiled_free(&active);
	sw_compiled_free(&cand);
	free(pool);
	free(ppool);
	return 0;
}
