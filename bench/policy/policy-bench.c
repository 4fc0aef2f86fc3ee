/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * policy-bench: verdict cost per MSU on one core with the shipped rules plus a 100,000-entry GT
 * blocklist (issue 4, Performance): compile time and image size; sw_policy_eval on a cache miss
 * (every MSU a new key) and on a cache hit; and, in the same run, a naive matcher that checks
 * each rule's patterns one by one with PCRE2 (the same rules, the same first-match order), as a
 * ratio. The naive verdicts are compared with the engine's on every MSU it runs.
 *
 * usage: policy-bench [SRCDIR] [--msus N] [--naive-msus N] [--hit-factor K] [--blocked-pct P]
 *                     [--hits N] [--hit-set N] [--plan] [--tsv]
 * --blocked-pct: share of calling GTs drawn from the blocklist (default 25)
 * --hits N: hits per round (default --msus x --hit-factor); `--msus 0 --naive-msus 0 --hits N`
 * under `valgrind --tool=callgrind --toggle-collect=sw_policy_eval` counts the hit path alone
 * --hit-set N: the hit loop's hot set, N MSUs (a power of two <= 256; default 256, about 470 KB
 * of MSUs, which stay in L2; 16 stay in L1 as the MSU a worker has just decoded does)
 * --plan: the MSUs carry the cache key the decoder writes (issue 20 D3, decode/pkey.h: the
 * layers' writers run on each MSU after it is built, and again after the miss loop changes
 * it), so that the verdict reads it instead of building it (key_build)
 * Budgets (ARCHITECTURE.md 10): compile <= 2 s, image <= 64 MiB, miss <= 120 ns, hit <= 10 ns.
 * Printed, not enforced.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "control/compiler/compiler.h"
#include "dataplane/decode/decode.h"
#include "dataplane/decode/pkey.h"
#include "dataplane/policy/image.h"
#include "dataplane/policy/policy.h"
#include "tests/common/msu_build.h"

#define NBLOCK 100000
#define POOL 4096
#define ROUNDS 3
#define MISS_POOL 256

static uint64_t rng = 0x9e3779b97f4a7c15ull;

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

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); /* CPU time: the machine is shared */
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static char blocklist[NBLOCK][16];

/* ---- naive matcher: PCRE2, pattern by pattern, rule by rule ---- */

struct nre {
	pcre2_code **re;
	size_t n;
};

static pcre2_match_data *md;

static void
nre_add(struct nre *r, const char *prefix)
{
	char pat[40];
	int e;
	PCRE2_SIZE eo;

	snprintf(pat, sizeof(pat), "^%s", prefix);
	r->re = realloc(r->re, (r->n + 1) * sizeof(*r->re));
	r->re[r->n] = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &e, &eo, NULL);
	if (r->re == NULL || r->re[r->n] == NULL) {
		fprintf(stderr, "pcre2_compile %s failed\n", pat);
		exit(1);
	}
	r->n++;
}

static bool
nre_any(const struct nre *r, const struct sw_digits *d)
{
	if (d == NULL || d->len == 0)
		return false;
	for (size_t i = 0; i < r->n; i++)
		if (pcre2_match(r->re[i], (PCRE2_SPTR)d->d, d->len, 0, 0, md, NULL) >= 0)
			return true;
	return false;
}

/* patterns/site.example.conf */
static struct nre home_gt, home_plmn, home_msisdn, part_gt[4], part_plmn[4], block;
static const char *const pgt[4] = { "336090", "491720", "2547220", "447785" };
static const char *const pplmn[4] = { "20801", "26202", "63902", "23415" };

static void
naive_init(void)
{
	md = pcre2_match_data_create(4, NULL);
	nre_add(&home_gt, "27820");
	nre_add(&home_gt, "27821");
	nre_add(&home_plmn, "65501");
	nre_add(&home_msisdn, "2782");
	nre_add(&home_msisdn, "2783");
	for (int k = 0; k < 4; k++) {
		nre_add(&part_gt[k], pgt[k]);
		nre_add(&part_plmn[k], pplmn[k]);
	}
	for (int i = 0; i < NBLOCK; i++)
		nre_add(&block, blocklist[i]);
}

static int
net_of(const struct sw_digits *d, const struct nre *home, const struct nre *part)
{
	if (home != NULL && nre_any(home, d))
		return 1;
	for (int k = 0; part != NULL && k < 4; k++)
		if (nre_any(&part[k], d))
			return 2 + k;
	return 0;
}

static bool
in_set(int32_t op, const int *set)
{
	for (; *set >= 0; set++)
		if (*set == op)
			return true;
	return false;
}

static const int cat1[] = { 22, 24, 55, 58, 71, 62, 65, 83, 85, 43, 5, -1 };
static const int cat2[] = { 3, 4, 7, 8, 70, 37, 60, 61, -1 };
static const int cat3[] = { 2, 23, 56, 67, 57, 59, 10, 11, 12, 13, 66, -1 };

static bool
has_invoke(const struct sw_msu *m, const int *set)
{
	for (unsigned i = 0; i < m->tcap.ncomp; i++) {
		const struct sw_tcap_comp *c = &m->tcap.comp[i];
		if (c->type == SW_COMP_INVOKE && c->has_opcode && !c->opcode_global &&
		    in_set(c->opcode, set))
			return true;
	}
	return false;
}

/* The rule names of the image, in order; returns the rule index like the engine. dir: the
 * MSU's direction (0 outside, 1 inside). */
static int32_t
naive_eval(const struct sw_msu *m, unsigned dir, const int32_t *idx)
{
	const struct sw_digits *cg = m->sccp.cgpa.present ? &m->sccp.cgpa.digits : NULL;
	const struct sw_digits *cd = m->sccp.cdpa.present ? &m->sccp.cdpa.digits : NULL;
	const struct sw_digits *imsi = &m->map.imsi;

	bool home_opc = m->m3ua.opc >= 1001 && m->m3ua.opc <= 1003;

	if (m->mal != SW_MAL_NONE) {
		if (dir == 1 && nre_any(&home_gt, cg))
			return idx[1];
		if (dir == 1 && m->m3ua.si == 5 && home_opc)
			return idx[2];
		return SW_RULE_MALFORMED;
	}
	if (nre_any(&block, cg))
		return idx[0];
	if (dir == 0 && nre_any(&home_gt, cg))
		return idx[15];
	if (dir == 0 && home_opc)
		return idx[16];
	for (unsigned i = 0; i < m->tcap.ncomp; i++)
		if (m->tcap.comp[i].opcode_global && !nre_any(&home_gt, cg))
			return idx[3];
	for (unsigned i = 0; i < m->tcap.ncomp; i++) {
		const struct sw_tcap_comp *c = &m->tcap.comp[i];
		if (c->type != SW_COMP_ERROR && c->type != SW_COMP_REJECT && c->has_opcode &&
		    !c->opcode_global && sw_map_op_name(c->opcode) == NULL && !nre_any(&home_gt, cg))
			return idx[4];
	}
	if (has_invoke(m, cat1) && !nre_any(&home_gt, cg))
		return idx[5];
	if (has_invoke(m, cat2)) {
		int ni = net_of(imsi, &home_plmn, part_plmn), nc = net_of(cg, &home_gt, part_gt);
		if (ni >= 2 && ni == nc)
			return idx[6];
		if (imsi->len == 0 && nc >= 2)
			return idx[7];
		if (!nre_any(&home_gt, cg))
			return idx[8];
	}
	if (has_invoke(m, cat3)) {
		int nc = net_of(cg, NULL, part_gt);
		bool cgp = false;
		for (int k = 0; k < 4; k++)
			cgp = cgp || nre_any(&part_gt[k], cg);
		(void)nc;
		if (cgp && nre_any(&home_plmn, imsi))
			return idx[9];
		if (cgp && imsi->len == 0)
			return idx[10];
		if (!nre_any(&home_gt, cg))
			return idx[11];
	}
	static const int srism[] = { 45, -1 }, mtfsm[] = { 44, -1 };
	if (has_invoke(m, srism) && net_of(cg, &home_gt, part_gt) == 0)
		return idx[12];
	if (has_invoke(m, mtfsm) && net_of(cd, &home_gt, part_gt) == 0)
		return idx[13];
	if ((m->has & SW_HAS_ISUP) && m->isup.type == 1 && m->isup.cgpn.present &&
	    nre_any(&home_msisdn, &m->isup.cgpn.digits) &&
	    !(m->m3ua.opc >= 1001 && m->m3ua.opc <= 1003))
		return idx[14];
	return SW_RULE_DEFAULT;
}

/* ---- traffic ---- */

static unsigned blocked_pct = 25;

static void
rand_gt(char *out, size_t n)
{
	static const char *const pref[] = { "27820", "27821", "336090", "491720", "2547220",
					    "447785", "8613", "23767", "7916", NULL };
	unsigned r = (unsigned)(rnd() % 9);

	if (rnd() % 100 >= blocked_pct)
		snprintf(out, n, "%s%06llu", pref[r], (unsigned long long)(rnd() % 1000000));
	else /* a blocklisted GT: the entry + 4 digits, so the loop's counter keeps it listed */
		snprintf(out, n, "%s%04llu", blocklist[rnd() % NBLOCK],
			 (unsigned long long)(rnd() % 10000));
}

static void
make_pool(struct sw_msu *pool, size_t n)
{
	static const int ops[] = { 2, 3, 7, 56, 67, 22, 45, 44, 46, 47, 64, 59, 60, 71, 10, 70 };
	static const char *const plmn[] = { "65501", "20801", "26202", "63902", "23415", "46000" };

	for (size_t i = 0; i < n; i++) {
		struct sw_msu *m = &pool[i];
		char cg[24], cd[24], imsi[24];

		if (i % 16 == 15) {
			snprintf(cg, sizeof(cg), "27%09llu", (unsigned long long)(rnd() % 1000000000));
			t_iam(m, rnd() % 2 ? 1001 : 4000, cg, "27831234567");
			continue;
		}
		rand_gt(cg, sizeof(cg));
		rand_gt(cd, sizeof(cd));
		snprintf(imsi, sizeof(imsi), "%s%010llu", plmn[rnd() % 6],
			 (unsigned long long)(rnd() % 10000000000ull));
		t_map(m, cg, cd, ops[rnd() % 16], rnd() % 3 ? imsi : NULL);
		if (i % 8 == 3) /* the operation behind another component */
			t_comp(m, SW_COMP_INVOKE, ops[rnd() % 16]);
		if (i % 64 == 5)
			m->mal = SW_MAL_TCAP_LEN;
	}
}

/* The key the decoder would write into m with plan p (--plan): each layer's writer, as the
 * layer decoders call them. */
static void
pkey_write(struct sw_msu *m, const struct sw_decode_plan *p)
{
	m->plan = p;
	m->key.stamp = p->key.size != 0 ? p->key.stamp ^ (uintptr_t)m : 0;
	if (m->has & SW_HAS_MTP3)
		sw_pkey_mtp3(m);
	if (m->has & SW_HAS_SCCP)
		sw_pkey_sccp(m);
	if (m->has & SW_HAS_SCMG)
		sw_pkey_scmg(m);
	if (m->has & SW_HAS_TCAP)
		sw_pkey_tcap(m);
	if (m->has & SW_HAS_ISUP)
		sw_pkey_isup(m);
}

int
main(int argc, char **argv)
{
	const char *src = ".";
	size_t nmiss = 2000000, nnaive = 2000, hit_factor = 4, nhits_opt = 0;
	bool tsv = false, plan = false;
	size_t hmask = 255; /* --hit-set - 1 */
	char dir[] = "/tmp/sw-policy-bench.XXXXXX", path[512], err[512], cmd[1200];
	struct sw_compiled c;
	FILE *f;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--msus") == 0 && i + 1 < argc)
			nmiss = strtoul(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--naive-msus") == 0 && i + 1 < argc)
			nnaive = strtoul(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--hit-factor") == 0 && i + 1 < argc)
			hit_factor = strtoul(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--hits") == 0 && i + 1 < argc)
			nhits_opt = strtoul(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--blocked-pct") == 0 && i + 1 < argc)
			blocked_pct = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--tsv") == 0)
			tsv = true;
		else if (strcmp(argv[i], "--plan") == 0)
			plan = true;
		else if (strcmp(argv[i], "--hit-set") == 0 && i + 1 < argc) {
			size_t hs = strtoul(argv[++i], NULL, 0);
			if (hs == 0 || hs > 256 || (hs & (hs - 1)) != 0) {
				fprintf(stderr, "policy-bench: --hit-set: a power of two <= 256\n");
				return 2;
			}
			hmask = hs - 1;
		}
		else
			src = argv[i];
	}
	if (mkdtemp(dir) == NULL)
		return 1;
	/* The shipped files next to a rule file that adds the blocklist rule first. */
	snprintf(cmd, sizeof(cmd), "cp %s/patterns/*.conf %s/", src, dir);
	if (system(cmd) != 0)
		return 1;
	snprintf(path, sizeof(path), "%s/gt-blocklist.txt", dir);
	f = fopen(path, "w");
	for (int i = 0; i < NBLOCK; i++) {
		snprintf(blocklist[i], sizeof(blocklist[i]), "%u%0*llu", 90 + (unsigned)(rnd() % 8),
			 6 + (int)(rnd() % 5), (unsigned long long)(rnd() % 1000000));
		fprintf(f, "%s\n", blocklist[i]);
	}
	fclose(f);
	snprintf(path, sizeof(path), "%s/bench.conf", dir);
	f = fopen(path, "w");
	fprintf(f, "policy = { name = \"bench\"; default = \"allow\"; malformed = \"drop\"; };\n"
		   "lists = {\n@include \"lists.conf\"\n"
		   "gt_block = { type = \"prefix\"; file = \"gt-blocklist.txt\"; };\n};\n"
		   "rules = (\n{ name = \"gt-blocklist\"; cgpa = \"@gt_block\"; action = \"drop\"; },\n"
		   "@include \"base.conf\"\n,\n@include \"fs11.conf\"\n,\n@include \"dfs.conf\"\n,\n"
		   "@include \"isup.conf\"\n);\n");
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s/site.example.conf", dir);
	if (sw_compile_files(path, cmd, 1, &c, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;

	struct sw_policy_ctx *ctx = sw_policy_ctx_new();
	if (ctx == NULL || sw_policy_ctx_bind(ctx, c.image) != 0)
		return 1;
	struct sw_msu *pool = calloc(POOL, sizeof(*pool));
	uint8_t *pdir = calloc(POOL, 1);
	make_pool(pool, POOL);
	if (plan)
		for (size_t i = 0; i < POOL; i++)
			pkey_write(&pool[i], sw_policy_plan(ctx));
	/* Direction as `inspect` takes it without links (the OPC: t_map sends home GTs from a home
	 * point code), once per MSU: the loops below change only digits past every prefix. */
	for (size_t i = 0; i < POOL; i++)
		pdir[i] = (uint8_t)sw_policy_direction(ctx, NULL, &pool[i], 0, SW_DIR_ADDRESS);

	/* rule indexes by name for the naive matcher */
	static const char *const names[] = {
		"gt-blocklist", "malformed-from-home", "malformed-isup-from-home",
		"global-opcode-from-outside", "unknown-opcode-from-outside", "fs11-cat1",
		"fs11-cat2-partner-own-subscriber", "fs11-cat2-partner-no-imsi", "fs11-cat2",
		"fs11-cat3-partner-home-subscriber", "fs11-cat3-partner-no-imsi", "fs11-cat3",
		"dfs-sri-sm-non-partner", "dfs-mt-forward-sm-unknown-network", "isup-cli-spoof",
		"spoofed-home-gt", "spoofed-home-opc" };
	int32_t idx[17];
	for (int k = 0; k < 17; k++) {
		idx[k] = -100;
		for (uint32_t r = 0; r < sw_image_nrules(c.image); r++)
			if (strcmp(sw_image_rule_name(c.image, (int32_t)r), names[k]) == 0)
				idx[k] = (int32_t)r;
	}

	/* Cache miss: every evaluation sees a new key (a counter in the calling GT's last digits,
	 * which no prefix list reaches: the GTs are longer than every prefix + 2). The machine is
	 * shared: each figure is the best of ROUNDS runs, in CPU time of this thread. */
	volatile uint32_t sink = 0;
	uint64_t h0, m0, h1, m1;
	double miss_ns = 1e18, hit_ns = 1e18, miss_ratio = 0, hit_ratio = 0, t0;
	/* --hits N: that many hits per round whatever --msus is (`--msus 0 --naive-msus 0
	 * --hits N` under callgrind counts the hit path alone) */
	size_t nhit = nhits_opt > 0 ? nhits_opt : nmiss * hit_factor, seq = 0;
	for (int round = 0; round < ROUNDS; round++) {
		sw_policy_ctx_stats(ctx, &h0, &m0);
		t0 = now_ns();
		for (size_t i = 0; i < nmiss; i++, seq++) {
			/* 256 MSUs (300 KB) stay in L2 like a just-decoded MSU in a worker; the
			 * counter makes 256,000 distinct keys, far more than the cache holds. */
			struct sw_msu *m = &pool[i & (MISS_POOL - 1)];
			struct sw_digits *d =
				m->has & SW_HAS_ISUP ? &m->isup.cgpn.digits : &m->sccp.cgpa.digits;
			uint32_t k = (uint32_t)(seq >> 8);
			d->d[d->len - 1] = (char)('0' + k % 10);
			d->d[d->len - 2] = (char)('0' + k / 10 % 10);
			d->d[d->len - 3] = (char)('0' + k / 100 % 10);
			m->tcap.otid[0] = (uint8_t)k; /* not a key field */
			if (m->map.imsi.len > 0)
				m->map.imsi.d[m->map.imsi.len - 1] = (char)('0' + (k / 1000) % 10);
			if (plan)
				pkey_write(m, sw_policy_plan(ctx));
			sink += (uint32_t)sw_policy_eval(ctx, NULL, m, pdir[i & (MISS_POOL - 1)],
							 (uint64_t)i).rule;
		}
		double ns = (now_ns() - t0) / (double)nmiss;
		sw_policy_ctx_stats(ctx, &h1, &m1);
		if (ns < miss_ns) {
			miss_ns = ns;
			miss_ratio = (double)(m1 - m0) / (double)nmiss;
		}

		/* Cache hit: a hot set of 256 MSUs (--hit-set). */
		for (size_t i = 0; i < 1024; i++)
			sw_policy_eval(ctx, NULL, &pool[i & hmask], pdir[i & hmask], 0);
		sw_policy_ctx_stats(ctx, &h0, &m0);
		t0 = now_ns();
		for (size_t i = 0; i < nhit; i++)
			sink += (uint32_t)sw_policy_eval(ctx, NULL, &pool[i & hmask],
							 pdir[i & hmask], 0).rule;
		ns = nhit > 0 ? (now_ns() - t0) / (double)nhit : 0;
		sw_policy_ctx_stats(ctx, &h1, &m1);
		if (ns < hit_ns) {
			hit_ns = ns;
			hit_ratio = nhit > 0 ? (double)(h1 - h0) / (double)nhit : 0;
		}
	}

	/* Naive: PCRE2 pattern by pattern, same MSUs; verdicts compared. */
	double tn0 = now_ns();
	naive_init();
	double naive_setup_ms = (now_ns() - tn0) / 1e6;
	size_t disagree = 0, dropped = 0;
	t0 = now_ns();
	for (size_t i = 0; i < nnaive; i++) {
		int32_t r = naive_eval(&pool[i % POOL], pdir[i % POOL], idx);
		sink += (uint32_t)r;
		if (r >= 0 && sw_image_rule_name(c.image, r) != NULL &&
		    strcmp(sw_image_rule_name(c.image, r), "gt-blocklist") == 0)
			dropped++;
	}
	double naive_ns = (now_ns() - t0) / (double)nnaive;
	for (size_t i = 0; i < nnaive && i < POOL; i++) {
		struct sw_verdict v = sw_policy_eval(ctx, NULL, &pool[i], pdir[i], 0);
		int32_t r = naive_eval(&pool[i], pdir[i], idx);
		if (r != v.rule) {
			if (disagree < 5)
				fprintf(stderr, "disagree on MSU %zu: engine %s, naive %s\n", i,
					sw_image_rule_name(c.image, v.rule),
					sw_image_rule_name(c.image, r));
			disagree++;
		}
	}

	const struct sw_image_hdr *h = c.image;
	(void)h;
	printf("policy-bench: shipped rules + %d-entry GT blocklist, %u rules, one core, %u%% of "
	       "calling GTs blocklisted\n", NBLOCK, c.nrules, blocked_pct);
	printf("  compile              %10.1f ms   (budget 2000 ms)\n", c.compile_ms);
	printf("  image                %10.2f MiB  (budget 64 MiB)\n", (double)c.size / 1048576.0);
	printf("  verdict, cache miss  %10.1f ns/MSU (budget 120 ns; best of %d x %zu MSUs, %.1f%% "
	       "misses)\n",
	       miss_ns, ROUNDS, nmiss, 100.0 * miss_ratio);
	printf("  verdict, cache hit   %10.1f ns/MSU (budget 10 ns; best of %d x %zu MSUs, %.1f%% "
	       "hits, %zu hot MSUs)\n", hit_ns, ROUNDS, nhit, 100.0 * hit_ratio, hmask + 1);
	printf("  naive PCRE2 matcher  %10.1f ns/MSU (%zu MSUs, %.0f ms to compile %zu regexes)\n",
	       naive_ns, nnaive, naive_setup_ms, (size_t)NBLOCK + 15);
	printf("  ratio naive / miss   %10.0fx\n", naive_ns / miss_ns);
	printf("  naive vs engine: %zu disagreements on %zu MSUs (%zu blocklisted)\n", disagree,
	       nnaive < POOL ? nnaive : (size_t)POOL, dropped);
	if (tsv)
		printf("TSV\tcompile_ms\t%.1f\timage_bytes\t%zu\tmiss_ns\t%.1f\thit_ns\t%.1f\tnaive_ns\t%.1f\n",
		       c.compile_ms, c.size, miss_ns, hit_ns, naive_ns);
	sw_policy_ctx_free(ctx);
	sw_compiled_free(&c);
	free(pool);
	free(pdir);
	return disagree == 0 && sink != 0xffffffffu ? 0 : 1;
}
