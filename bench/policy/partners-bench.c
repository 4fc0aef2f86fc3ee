/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * partners-bench (issue 18, Performance): a tier-1 footprint against today's 4 partners, in one
 * run. The same 1,001 rules (bench/rules/mkrules.py rules-1000-100k.conf: 1,000 rules behind a
 * 100,000-entry GT blocklist) are compiled with patterns/site.example.conf (4 partners) and
 * with a site of N partners (tests/policy/mksite.py: 20 GT ranges and 3 PLMNs each; N = 1,000
 * by default). Printed: the median compile time of each (goal <= 2 s) and the median verdict
 * cost per MSU on a cache miss (every MSU a new key) and a hit, over R rounds:
 *   A  4-partner image, traffic of the 4 partners (today's figure),
 *   B  N-partner image, the same mix with the N partners' GTs and PLMNs,
 *   C  N-partner image, A's very MSUs,
 *   D  4-partner image, B's MSUs (their partner GTs are no partner's there): B against D is
 *      what the image costs on the same traffic, D against A what the traffic costs,
 * and the ratios B/A, C/A and B/D (partner networks are prefix tables probed once per prefix
 * length, image.h: the goal is a ratio of about 1). CPU time of this thread (the machine is
 * shared); run.sh says the load.
 *
 * usage: partners-bench SRCDIR [--partners N] [--msus N] [--rounds R] [--tsv]
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "control/compiler/compiler.h"
#include "dataplane/decode/decode.h"
#include "dataplane/policy/image.h"
#include "dataplane/policy/policy.h"
#include "tests/common/msu_build.h"

#define POOL 4096
#define MISS_POOL 256
#define NBLOCK_MAX 100000
#define ROUNDS_MAX 15

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static char (*blocklist)[20];
static unsigned nblock;

/* The traffic mix of policy-bench, with the partners of the site: 30% partner GTs (and their
 * subscribers' IMSIs), 20% home, 25% blocklisted, 25% networks that are none of them. */
static void
make_pool(struct sw_msu *pool, unsigned npart)
{
	static const int ops[] = { 2, 3, 7, 56, 67, 22, 45, 44, 46, 47, 64, 59, 60, 71, 10, 70 };
	static const char *const pgt[4] = { "336090", "491720", "2547220", "447785" };
	static const char *const pplmn[4] = { "20801", "26202", "63902", "23415" };
	static const char *const foreign[] = { "8613", "23767", "7916", "96650" };

	for (size_t i = 0; i < POOL; i++) {
		char cg[32], imsi[24];
		unsigned r = (unsigned)(rnd() % 100), k = (unsigned)(rnd() % npart);
		bool partner = r < 30;

		if (partner && npart == 4)
			snprintf(cg, sizeof(cg), "%s%06llu", pgt[k], (unsigned long long)(rnd() % 1000000));
		else if (partner) /* mksite.py: "35" + k (4 digits) + j (2 digits) */
			snprintf(cg, sizeof(cg), "35%04u%02u%04llu", k, (unsigned)(rnd() % 20),
				 (unsigned long long)(rnd() % 10000));
		else if (r < 50)
			snprintf(cg, sizeof(cg), "2782%u%06llu", (unsigned)(rnd() % 2),
				 (unsigned long long)(rnd() % 1000000));
		else if (r < 75)
			snprintf(cg, sizeof(cg), "%s%04llu", blocklist[rnd() % nblock],
				 (unsigned long long)(rnd() % 10000));
		else
			snprintf(cg, sizeof(cg), "%s%07llu", foreign[rnd() % 4],
				 (unsigned long long)(rnd() % 10000000));
		if (partner && npart == 4)
			snprintf(imsi, sizeof(imsi), "%s%010llu", pplmn[k],
				 (unsigned long long)(rnd() % 10000000000ull));
		else if (partner) /* mksite.py: "9" + 3 k + j (4 digits) */
			snprintf(imsi, sizeof(imsi), "9%04u%010llu", 3 * k + (unsigned)(rnd() % 3),
				 (unsigned long long)(rnd() % 10000000000ull));
		else
			snprintf(imsi, sizeof(imsi), "65501%010llu",
				 (unsigned long long)(rnd() % 10000000000ull));
		t_map(&pool[i], cg, T_HOME_HLR, ops[rnd() % 16], rnd() % 3 ? imsi : NULL);
		if (i % 8 == 3)
			t_comp(&pool[i], SW_COMP_INVOKE, ops[rnd() % 16]);
	}
}

struct fig {
	double miss_ns, hit_ns, miss_share;
};

/* One round of pool (directions pdir) on the context's image: ns per MSU on a cache miss
 * (*miss) and a hit (*hit); *share: the evaluations that missed. seq: the miss counter. */
static void
measure(struct sw_policy_ctx *ctx, struct sw_msu *pool, const uint8_t *pdir, size_t nmiss,
	size_t *seq, double *miss, double *hit, double *share, uint32_t *sink)
{
	size_t nhit = 4 * nmiss;
	uint64_t h0, m0, h1, m1;
	double t0;

	sw_policy_ctx_stats(ctx, &h0, &m0);
	t0 = now_ns();
	for (size_t i = 0; i < nmiss; i++, (*seq)++) {
		/* a counter in the calling GT's last 3 digits: past every prefix */
		struct sw_msu *m = &pool[i & (MISS_POOL - 1)];
		struct sw_digits *d = &m->sccp.cgpa.digits;
		uint32_t k = (uint32_t)(*seq >> 8);

		d->d[d->len - 1] = (char)('0' + k % 10);
		d->d[d->len - 2] = (char)('0' + k / 10 % 10);
		d->d[d->len - 3] = (char)('0' + k / 100 % 10);
		if (m->map.imsi.len > 0)
			m->map.imsi.d[m->map.imsi.len - 1] = (char)('0' + (k / 1000) % 10);
		*sink += (uint32_t)sw_policy_eval(ctx, NULL, m, pdir[i & (MISS_POOL - 1)],
						  (uint64_t)i).rule;
	}
	*miss = (now_ns() - t0) / (double)nmiss;
	sw_policy_ctx_stats(ctx, &h1, &m1);
	*share = (double)(m1 - m0) / (double)nmiss;
	for (size_t i = 0; i < 1024; i++)
		sw_policy_eval(ctx, NULL, &pool[i & 255], pdir[i & 255], 0);
	t0 = now_ns();
	for (size_t i = 0; i < nhit; i++)
		*sink += (uint32_t)sw_policy_eval(ctx, NULL, &pool[i & 255], pdir[i & 255], 0).rule;
	*hit = (now_ns() - t0) / (double)nhit;
}

/* Compile rounds times; the median compile time, the last image in *c. */
static int
compile(const char *rules, const char *site, unsigned rounds, struct sw_compiled *c,
	double *ms)
{
	double t[ROUNDS_MAX];
	char err[1024];

	for (unsigned r = 0; r < rounds; r++) {
		if (r > 0)
			sw_compiled_free(c);
		if (sw_compile_files(rules, site, 1, c, err, sizeof(err)) != 0) {
			fprintf(stderr, "partners-bench: %s\n", err);
			return -1;
		}
		t[r] = c->compile_ms;
	}
	*ms = median(t, rounds);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *src = ".";
	unsigned npart = 1000, rounds = 5;
	size_t nmiss = 1000000;
	bool tsv = false;
	char dir[] = "/tmp/sw-partners-bench.XXXXXX", rules[512], site4[512], siten[512],
	     cmd[2048], line[64];
	struct sw_compiled ca, cb;
	double ms_a, ms_b;
	uint32_t sink = 0;
	FILE *f;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--partners") == 0 && i + 1 < argc)
			npart = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--msus") == 0 && i + 1 < argc)
			nmiss = strtoul(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
			rounds = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--tsv") == 0)
			tsv = true;
		else
			src = argv[i];
	}
	if (npart < 5 || npart > 10000 || rounds < 1 || rounds > ROUNDS_MAX || nmiss < 256) {
		fprintf(stderr, "partners-bench: --partners 5-10000, --rounds 1-%d, --msus >= 256\n",
			ROUNDS_MAX);
		return 2;
	}
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 '%s/bench/rules/mkrules.py' --out '%s' >/dev/null && "
		 "/usr/bin/python3 '%s/tests/policy/mksite.py' %u '%s/site-n.conf'", src, dir, src,
		 npart, dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "partners-bench: %s failed\n", cmd);
		return 1;
	}
	snprintf(rules, sizeof(rules), "%s/rules-1000-100k.conf", dir);
	snprintf(site4, sizeof(site4), "%s/patterns/site.example.conf", src);
	snprintf(siten, sizeof(siten), "%s/site-n.conf", dir);
	/* the blocklist's entries, for the blocklisted share of the traffic */
	blocklist = calloc(NBLOCK_MAX, sizeof(*blocklist));
	snprintf(cmd, sizeof(cmd), "%s/gt-block-100k.txt", dir);
	if (blocklist == NULL || (f = fopen(cmd, "r")) == NULL)
		return 1;
	while (nblock < NBLOCK_MAX && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] >= '0' && line[0] <= '9' && strlen(line) < 16)
			snprintf(blocklist[nblock++], sizeof(blocklist[0]), "%s", line);
	}
	fclose(f);
	if (compile(rules, site4, rounds, &ca, &ms_a) != 0 ||
	    compile(rules, siten, rounds, &cb, &ms_b) != 0)
		return 1;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (nblock == 0 || system(cmd) != 0)
		return 1;

	struct sw_policy_ctx *xa = sw_policy_ctx_new(), *xb = sw_policy_ctx_new();
	struct sw_msu *pa = calloc(POOL, sizeof(*pa)), *pb = calloc(POOL, sizeof(*pb)),
		      *pc = calloc(POOL, sizeof(*pc)), *pd = calloc(POOL, sizeof(*pd));
	uint8_t *da = calloc(POOL, 1), *db = calloc(POOL, 1);

	if (xa == NULL || xb == NULL || pa == NULL || pb == NULL || pc == NULL || pd == NULL ||
	    da == NULL ||
	    db == NULL || sw_policy_ctx_bind(xa, ca.image) != 0 ||
	    sw_policy_ctx_bind(xb, cb.image) != 0)
		return 1;
	make_pool(pa, 4);
	make_pool(pb, npart);
	memcpy(pc, pa, POOL * sizeof(*pa));
	memcpy(pd, pb, POOL * sizeof(*pb));
	/* Directions as `inspect` takes them from the 4-partner site (no links: the OPC), the
	 * same for every image, so that A and C judge the same messages. */
	for (size_t i = 0; i < POOL; i++) {
		da[i] = (uint8_t)sw_policy_direction(xa, NULL, &pa[i], 0, SW_DIR_ADDRESS);
		db[i] = (uint8_t)sw_policy_direction(xa, NULL, &pb[i], 0, SW_DIR_ADDRESS);
	}
	/* A and C must agree on every MSU's rule but those that name partners by class: count
	 * the verdicts that differ (the 4-partner traffic has no GT of the N partners). */
	size_t differ = 0;
	for (size_t i = 0; i < POOL; i++)
		differ += sw_policy_eval(xa, NULL, &pa[i], da[i], 0).rule !=
			  sw_policy_eval(xb, NULL, &pa[i], da[i], 0).rule;

	/* The three interleaved round by round, so that a change of the machine's load in the
	 * run weighs on each alike; the median of each. */
	struct fig fig[4];
	double miss[4][ROUNDS_MAX], hit[4][ROUNDS_MAX], share[4] = { 0 };
	size_t seq[4] = { 0 };
	struct sw_policy_ctx *cx[4] = { xa, xb, xb, xa };
	struct sw_msu *px[4] = { pa, pb, pc, pd };
	const uint8_t *dx[4] = { da, db, da, db };
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned k = 0; k < 4; k++) {
			double sh;
			measure(cx[k], px[k], dx[k], nmiss, &seq[k], &miss[k][r], &hit[k][r], &sh,
				&sink);
			share[k] += sh / rounds;
		}
	for (unsigned k = 0; k < 4; k++) {
		fig[k].miss_ns = median(miss[k], rounds);
		fig[k].hit_ns = median(hit[k], rounds);
		fig[k].miss_share = share[k];
	}
	struct fig fa = fig[0], fb = fig[1], fc = fig[2], fd = fig[3];

	printf("partners-bench: %u rules (1,000 + the 100,000-entry GT blocklist rule), one core, "
	       "medians of %u rounds\n", ca.nrules, rounds);
	printf("  %-34s %10s %10s\n", "", "4 partners", "N partners");
	printf("  %-34s %10u %10u\n", "partners", 4u, npart);
	printf("  %-34s %10.1f %10.1f   (goal <= 2000 ms)\n", "compile, ms", ms_a, ms_b);
	printf("  %-34s %10.2f %10.2f\n", "image, MiB", (double)ca.size / 1048576.0,
	       (double)cb.size / 1048576.0);
	printf("  %-34s %10.1f %10.1f   ratio %.2f (%.0f%% misses)\n",
	       "verdict, miss, own traffic, ns", fa.miss_ns, fb.miss_ns, fb.miss_ns / fa.miss_ns,
	       100.0 * fb.miss_share);
	printf("  %-34s %10.1f %10.1f   ratio %.2f\n", "verdict, hit, own traffic, ns", fa.hit_ns,
	       fb.hit_ns, fb.hit_ns / fa.hit_ns);
	printf("  %-34s %10.1f %10.1f   ratio %.2f\n", "verdict, miss, A's MSUs, ns", fa.miss_ns,
	       fc.miss_ns, fc.miss_ns / fa.miss_ns);
	printf("  %-34s %10.1f %10.1f   ratio %.2f\n", "verdict, hit, A's MSUs, ns", fa.hit_ns,
	       fc.hit_ns, fc.hit_ns / fa.hit_ns);
	printf("  %-34s %10.1f %10.1f   ratio %.2f (the image, same MSUs)\n",
	       "verdict, miss, B's MSUs, ns", fd.miss_ns, fb.miss_ns, fb.miss_ns / fd.miss_ns);
	printf("  %-34s %10.1f %10.1f   ratio %.2f\n", "verdict, hit, B's MSUs, ns", fd.hit_ns,
	       fb.hit_ns, fb.hit_ns / fd.hit_ns);
	printf("  A's MSUs judged by another rule with N partners: %zu of %d\n", differ, POOL);
	if (tsv)
		printf("TSV\tpartners\t%u\tcompile_a_ms\t%.1f\tcompile_b_ms\t%.1f\tmiss_a_ns\t%.1f\t"
		       "miss_b_ns\t%.1f\tmiss_c_ns\t%.1f\thit_a_ns\t%.1f\thit_b_ns\t%.1f\n", npart,
		       ms_a, ms_b, fa.miss_ns, fb.miss_ns, fc.miss_ns, fa.hit_ns, fb.hit_ns);
	sw_policy_ctx_free(xa);
	sw_policy_ctx_free(xb);
	sw_compiled_free(&ca);
	sw_compiled_free(&cb);
	free(pa);
	free(pb);
	free(pc);
	free(pd);
	free(da);
	free(db);
	free(blocklist);
	return sink == 0xffffffffu ? 1 : 0;
}
