/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Issue 20 D3: the cache key the decoder writes (decode/plan_key.h, decode/pkey.h) never changes
 * a verdict. Under several rule sets, every DATA chunk of the inputs is decoded with the bound
 * context's plan and keyed both ways, in both directions and under several state values
 * (sw_policy_key_pair): the decoder-written key and key_build's key must induce the same
 * equality (two MSUs equal under one exactly when equal under the other). Then every frame is
 * judged with the plan (the hit path reading the decoder's key) and without (SW_POLICY_F_NO_PLAN:
 * key_build for every MSU), on both ports, and every verdict compared.
 *
 * usage: test_keyplan SRCDIR [--selfcheck] INPUT...
 *   INPUT: a pcap file, or a directory of tests/fuzz/corpus/packet inputs (frames.h).
 *   --selfcheck: the plan's writer is deliberately wrong (SW_POLICY_F_BAD_PLAN: a digit less of
 *   every digit field, one integer field never written); the key comparison must then fail
 *   (exit 0 when it does, 1 when it does not).
 * test_keyplan --only plan|ref RULES SITE INPUT...: judge every frame of the inputs 3 times on
 *   port 0, with the plan or without (SW_POLICY_F_NO_PLAN), and compare nothing:
 *   `valgrind --tool=callgrind --toggle-collect=sw_judge_packet` counts the instructions per
 *   packet of each (decoder and verdict; bench/README.md, issue 20 D3).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "control/compiler/compiler.h"
#include "dataplane/decode/decode.h"
#include "dataplane/decode/plan.h"
#include "dataplane/judge/judge.h"
#include "dataplane/policy/image.h"
#include "dataplane/policy/policy.h"

#include "frames.h"

/* One MSU's two keys. */
struct pair {
	uint16_t nkb, nkp;
	uint8_t kb[SW_POLICY_KEY_BUF], kp[SW_POLICY_KEY_BUF];
};

static struct pair *pairs;
static size_t npairs, maxpairs;

static int
cmp_kb(const void *x, const void *y)
{
	const struct pair *a = *(const struct pair *const *)x, *b = *(const struct pair *const *)y;

	if (a->nkb != b->nkb)
		return a->nkb < b->nkb ? -1 : 1;
	return memcmp(a->kb, b->kb, a->nkb);
}

static int
cmp_kp(const void *x, const void *y)
{
	const struct pair *a = *(const struct pair *const *)x, *b = *(const struct pair *const *)y;

	if (a->nkp != b->nkp)
		return a->nkp < b->nkp ? -1 : 1;
	return memcmp(a->kp, b->kp, a->nkp);
}

/* Sorted by one key, neighbours equal under it must be equal under the other: the number of
 * neighbours that are not. */
static size_t
violations(struct pair **v, int (*by)(const void *, const void *),
	   int (*other)(const void *, const void *))
{
	size_t bad = 0;

	qsort(v, npairs, sizeof(*v), by);
	for (size_t i = 1; i < npairs; i++)
		if (by(&v[i - 1], &v[i]) == 0 && other(&v[i - 1], &v[i]) != 0)
			bad++;
	return bad;
}

static struct sw_msu msu_a, msu_b;
static unsigned jp_flags; /* the planned judge's policy flags */

/* Part 1: both keys of every MSU; returns the number of equality violations. */
static size_t
keys(const char *set, struct judge *jp, size_t *planned, size_t *keyed)
{
	const struct sw_decode_plan *plan = sw_policy_plan(jp->pctx);
	struct pair **v;
	size_t bad, last_i = SIZE_MAX;
	unsigned last_c = 0;

	npairs = 0;
	*keyed = 0;
	for (size_t i = 0; i < nframes; i++) {
		struct sw_pkt pkt;

		if (sw_decode_packet(frames[i].buf, frames[i].len, (enum sw_link)frames[i].link,
				     &pkt) != SW_MAL_NONE)
			continue;
		for (unsigned c = 0; c < pkt.nchunks; c++) {
			if (!sw_sctp_is_data(pkt.chunks[c].type))
				continue;
			sw_decode_msu_plan(frames[i].buf, &pkt, c, SW_VARIANT_ITU, plan, &msu_a);
			for (unsigned k = 0; k < 4; k++) {
				struct pair *p;
				size_t nkb, nkp;

				if (npairs == maxpairs) {
					struct pair *g = realloc(pairs, 2 * maxpairs * sizeof(*g));
					if (g == NULL)
						return 1;
					pairs = g;
					maxpairs *= 2;
				}
				p = &pairs[npairs];

				/* direction k & 1, ingress port and state from k and the frame */
				sw_policy_ctx_set_port(jp->pctx, (unsigned)(k >> 1) * 5);
				sw_policy_ctx_set_state(jp->pctx, (uint32_t)((i + k) % 3));
				if (!sw_policy_key_pair(jp->pctx, &pkt, &msu_a, k & 1, p->kb, &nkb,
							p->kp, &nkp)) {
					if (nkb > 0)
						(*keyed)++;
					continue;
				}
				if (nkb == 0) {
					printf("  %s: frame %zu: a decoder key where key_build has none\n",
					       set, i);
					return 1;
				}
				p->nkb = (uint16_t)nkb;
				p->nkp = (uint16_t)nkp;
				npairs++;
				last_i = i;
				last_c = c;
			}
		}
	}
	*planned = npairs;
	if (last_i != SIZE_MAX) {
		/* The image bound again between the decode and the verdict (a swap between
		 * predecode and judge): the key the decoder wrote must not be read. */
		struct sw_pkt pkt;
		const void *image = jp->j.image;
		uint8_t kb[SW_POLICY_KEY_BUF], kp[SW_POLICY_KEY_BUF];
		size_t nkb, nkp;
		bool stale;

		sw_decode_packet(frames[last_i].buf, frames[last_i].len,
				 (enum sw_link)frames[last_i].link, &pkt);
		sw_decode_msu_plan(frames[last_i].buf, &pkt, last_c, SW_VARIANT_ITU, plan, &msu_a);
		sw_policy_ctx_set_flags(jp->pctx, jp_flags | SW_POLICY_F_NO_GATE);
		sw_policy_ctx_set_flags(jp->pctx, jp_flags);
		if (sw_policy_ctx_bind(jp->pctx, image) != 0)
			return 1;
		stale = sw_policy_key_pair(jp->pctx, &pkt, &msu_a, 0, kb, &nkb, kp, &nkp);
		if (stale) {
			printf("  %s: a key written under the plan of the image bound before is read\n",
			       set);
			return 1;
		}
	}
	v = malloc(npairs * sizeof(*v) + 1);
	if (v == NULL)
		return 1;
	for (size_t i = 0; i < npairs; i++)
		v[i] = &pairs[i];
	bad = violations(v, cmp_kb, cmp_kp) + violations(v, cmp_kp, cmp_kb);
	free(v);
	return bad;
}

/* Part 2: every frame judged with and without the plan, both ports; the differences. */
static size_t
verdicts(const char *set, struct judge *ref, struct judge *jp)
{
	size_t diffs = 0;

	for (size_t i = 0; i < nframes; i++) {
		struct sw_pkt pkt;
		struct sw_judgement a, b;

		sw_decode_packet(frames[i].buf, frames[i].len, (enum sw_link)frames[i].link, &pkt);
		for (unsigned port = 0; port < 2; port++) {
			uint64_t now = (uint64_t)i * 1000000u;

			sw_judge_packet(&ref->j, frames[i].buf, &pkt, port, now, &msu_a, &a, NULL,
					NULL);
			sw_judge_packet(&jp->j, frames[i].buf, &pkt, port, now, &msu_b, &b, NULL,
					NULL);
			if (judgements_differ(&a, &b) && diffs++ < 3)
				printf("  %s: frame %zu port %u: verdicts differ\n", set, i, port);
		}
	}
	return diffs;
}

/* Rule sets: the shipped ones, and two keying every field the decoder writes (in two halves:
 * together they outgrow the decoder's key, sw_plan_key_build then leaves it to key_build). */
static const char *const sets[] = { "default.conf", "stateless.conf", "keyplan-label.conf",
				    "keyplan-tcap.conf" };

/* --only: judge every frame 3 times with one engine, print what was judged. */
static int
only(const char *which, const char *rules, const char *site)
{
	char err[4096];
	struct sw_compiled c;
	struct judge jd;
	size_t msus = 0, judged = 0;

	memset(&c, 0, sizeof(c));
	if (sw_compile_files(rules, site, 1, &c, err, sizeof(err)) != 0) {
		fprintf(stderr, "test_keyplan: %s\n", err);
		return 1;
	}
	if (judge_init(&jd, c.image, strcmp(which, "ref") == 0 ? SW_POLICY_F_NO_PLAN : 0) != 0)
		return 1;
	for (unsigned pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < nframes; i++) {
			struct sw_pkt pkt;
			struct sw_judgement a;

			sw_decode_packet(frames[i].buf, frames[i].len, (enum sw_link)frames[i].link,
					 &pkt);
			sw_judge_packet(&jd.j, frames[i].buf, &pkt, 0, (uint64_t)i * 1000u, &msu_a,
					&a, NULL, NULL);
			judged++;
			msus += a.nverdicts;
		}
	const struct sw_plan_key *pk = &sw_policy_plan(jd.pctx)->key;
	printf("%s: judged %zu packets, %zu MSUs; decoder key %u bytes (integer fields %#x, digit "
	       "fields %#x, ACN %s, components %s)\n",
	       which, judged, msus, pk->size, pk->imask, pk->dmask,
	       pk->acn_off != SW_PKEY_NONE ? "yes" : "no",
	       pk->comp_off != SW_PKEY_NONE ? "yes" : "no");
	for (unsigned f = 0; f < SW_PD_NDIG; f++)
		if (pk->dmask & (1u << f))
			printf("  digit field %u: %u digits\n", f, pk->dkd[f]);
	sw_policy_ctx_free(jd.pctx);
	sw_compiled_free(&c);
	return 0;
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/sw-test-keyplan.XXXXXX", rules[512], site[512], err[4096], cmd[1200];
	size_t total_bad = 0, total_diffs = 0, total_planned = 0;
	bool selfcheck = false;
	const char *src;
	int argi = 2;

	if (argc < 3) {
		fprintf(stderr, "usage: test_keyplan SRCDIR [--selfcheck] INPUT...\n"
				"       test_keyplan --only plan|ref RULES SITE INPUT...\n");
		return 2;
	}
	src = argv[1];
	if (strcmp(argv[2], "--selfcheck") == 0) {
		selfcheck = true;
		argi++;
	} else if (strcmp(argv[1], "--only") == 0 && argc > 5) {
		argi = 5;
	}
	if (load_inputs("test_keyplan", argc, argv, argi) != 0)
		return 1;
	if (strcmp(argv[1], "--only") == 0)
		return only(argv[2], argv[3], argv[4]);
	maxpairs = 4096;
	pairs = malloc(maxpairs * sizeof(*pairs));
	if (pairs == NULL || mkdtemp(dir) == NULL)
		return 1;
	snprintf(cmd, sizeof(cmd), "cp %s/patterns/*.conf %s/tests/policy/keyplan-*.conf %s/", src,
		 src, dir);
	if (system(cmd) != 0)
		return 1;
	snprintf(site, sizeof(site), "%s/site.example.conf", dir);
	for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
		struct sw_compiled c;
		struct judge ref, jp;
		size_t planned = 0, keyed = 0, bad, diffs;

		snprintf(rules, sizeof(rules), "%s/%s", dir, sets[s]);
		memset(&c, 0, sizeof(c));
		if (sw_compile_files(rules, site, 1, &c, err, sizeof(err)) != 0) {
			fprintf(stderr, "test_keyplan: %s: %s\n", sets[s], err);
			return 1;
		}
		if (judge_init(&ref, c.image, SW_POLICY_F_NO_PLAN) != 0 ||
		    judge_init(&jp, c.image, selfcheck ? SW_POLICY_F_BAD_PLAN : 0) != 0) {
			fprintf(stderr, "test_keyplan: %s: cannot bind\n", sets[s]);
			return 1;
		}
		if (sw_policy_plan(ref.pctx)->key.size != 0) {
			printf("FAIL: %s: SW_POLICY_F_NO_PLAN still plans a key\n", sets[s]);
			return 1;
		}
		jp_flags = selfcheck ? SW_POLICY_F_BAD_PLAN : 0;
		bad = keys(sets[s], &jp, &planned, &keyed);
		diffs = verdicts(sets[s], &ref, &jp);
		printf("%-16s decoder key %3u bytes: %zu keys from the decoder (%zu built by the "
		       "verdict): %zu equality violations; %zu verdict differences\n",
		       sets[s], sw_policy_plan(jp.pctx)->key.size, planned, keyed, bad, diffs);
		total_bad += bad;
		total_diffs += diffs;
		total_planned += planned;
		sw_policy_ctx_free(ref.pctx);
		sw_policy_ctx_free(jp.pctx);
		sw_compiled_free(&c);
	}
	frames_free("test_keyplan", dir);
	free(pairs);
	if (selfcheck) {
		printf("selfcheck: %zu equality violations, %zu verdict differences with a wrong "
		       "writer: %s\n",
		       total_bad, total_diffs, total_bad > 0 ? "the comparison can fail" : "NOT DETECTED");
		return total_bad > 0 ? 0 : 1;
	}
	/* The test is only worth something if the decoder wrote keys. */
	if (total_planned == 0) {
		printf("FAIL: no decoder-written key: the plan's path was not exercised\n");
		return 1;
	}
	printf("%s: %zu equality violations, %zu verdict differences\n",
	       total_bad + total_diffs == 0 ? "PASS" : "FAIL", total_bad, total_diffs);
	return total_bad + total_diffs == 0 ? 0 : 1;
}
