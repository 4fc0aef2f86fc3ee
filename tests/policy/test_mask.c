/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Issue 20 D2: the field mask never changes a verdict. A message of several TCAP components is
 * judged component by component (issue 13); when the image reads no field that a component's
 * own argument gives (sw_policy_ctx_reads_components false), the components are judged without
 * decoding their arguments a second time, and the component the decoder took the message's
 * MAP fields from is never decoded twice. This judges every frame of the inputs with the
 * reference (SW_POLICY_F_FULL_VIEWS: every component decoded again, as before) and with the
 * masked engine, under several rule sets, on both ports, and compares every verdict (class,
 * forward, chunk mask, and per chunk action, monitor, malformation, rule, state).
 *
 * The views (issue 20 D2, decode/plan_want.h): with the masked engine the decoder stores each
 * component's own fields as it walks its argument, and the policy judges each component with
 * them. Every stored view of a message of several components is compared byte for byte
 * (MAP fields, CAP fields, presence bits) with what decoding that component alone gives, and
 * the arguments walked (sw_decode_arg_walks) while judging each frame are counted against a
 * plain decode of the same frame: every argument walked exactly once (the reference engine,
 * which decodes the components again, must walk more: the count can fail).
 *
 * usage: test_mask SRCDIR [--selfcheck|--selfcheck-views] INPUT...
 *   INPUT: a pcap file, or a directory of tests/fuzz/corpus/packet inputs (the first byte
 *   picks the link type, the rest is the frame: fuzz_packet.c).
 *   --selfcheck: the masked engine gets a deliberately wrong mask (SW_POLICY_F_SKIP_VIEWS:
 *   never decode a component's own fields); the comparison must then fail under the shipped
 *   policy (exit 0 when it does, 1 when it does not).
 *   --selfcheck-views: the same with deliberately wrong views (SW_POLICY_F_WRONG_VIEWS: each
 *   component judged with the next one's stored view).
 * test_mask SRCDIR --decide [--selfcheck] INPUT...: verdicts decided before the argument walk
 *   (issue 20 D2, sw_policy_ctx_decide_pkt): the judge that may skip the MAP or CAP argument of
 *   a message of one component against the one that walks every argument, under the same rule
 *   sets. Every verdict must be the same (class, forward, chunk mask, action, monitor, state;
 *   rule and malformation too, except where the skipped argument is one the walk finds
 *   malformed: that message is reported by the rule that decided it, the action unchanged);
 *   some arguments must be skipped. --selfcheck: the deciding judge gets a deliberately wrong
 *   decision (SW_POLICY_F_BAD_DECIDE: argument fields taken as absent, not unknown); the
 *   comparison must then fail.
 * test_mask SRCDIR --only ref|mask|dec SET INPUT...: judge with one engine (dec: the masked one
 *   deciding before the argument walk) under one rule set and
 *   compare nothing: `valgrind --tool=callgrind --toggle-collect=sw_judge_packet` counts the
 *   instructions of each (bench/README.md, issue 20).
 */
#include <dirent.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control/compiler/compiler.h"
#include "dataplane/decode/decode.h"
#include "dataplane/judge/judge.h"
#include "dataplane/policy/image.h"
#include "dataplane/policy/policy.h"

#include "frames.h"

struct tally {
	size_t judged, msus, multi, diffs;
	size_t walks_plain, walks_mask, walks_ref; /* arguments walked */
	size_t views, views_cap, view_diffs;       /* stored views compared, of CAP messages */
};

static struct sw_msu msu_ref, msu_mask;

/* Verdict callback of the reference judge: count the MSUs of several components. */
static void
count_multi(void *arg, const struct sw_pkt *pkt, const struct sw_msu *msu,
	    const struct sw_judge_verdict *v)
{
	(void)pkt;
	(void)v;
	if ((msu->has & SW_HAS_TCAP) && msu->tcap.ncomp > 1)
		(*(size_t *)arg)++;
}

/* Arguments walked by a plain decode of the frame (no plan): each component's once. */
static size_t
plain_walks(const struct judge *jd, const uint8_t *buf, const struct sw_pkt *pkt)
{
	static struct sw_msu m;
	uint64_t w0 = sw_decode_arg_walks();

	if (pkt->mal != SW_MAL_NONE)
		return 0;
	for (unsigned i = 0; i < pkt->nchunks; i++)
		if (sw_sctp_is_data(pkt->chunks[i].type))
			sw_decode_msu_variant(buf, pkt, i,
					      (enum sw_variant)sw_policy_variant(jd->pctx, pkt), &m);
	return (size_t)(sw_decode_arg_walks() - w0);
}

struct view_arg {
	struct tally *t;
	const uint8_t *buf;
};

/* Verdict callback of the masked judge: every stored view against decoding the component
 * alone (the walks of that check are not the judge's: taken off the count). */
static void
check_views(void *arg, const struct sw_pkt *pkt, const struct sw_msu *msu,
	    const struct sw_judge_verdict *v)
{
	static struct sw_msu a, b;
	struct view_arg *va = arg;
	uint64_t w0 = sw_decode_arg_walks();

	(void)pkt;
	(void)v;
	if (!(msu->has & SW_HAS_TCAP) || msu->tcap.ncomp <= 1)
		return;
	for (unsigned i = 0; i < msu->tcap.ncomp; i++) {
		memcpy(&a, msu, sizeof(a));
		if (!sw_map_view_component(msu, i, &a))
			continue;
		memcpy(&b, msu, sizeof(b));
		b.plan = NULL;
		b.tcap.ncomp = 1;
		b.tcap.comp[0] = msu->tcap.comp[i];
		memset(&b.map, 0, sizeof(b.map));
		b.has = msu->has & ~SW_HAS_MAP;
		sw_map_decode_component(va->buf, &b, 0);
		va->t->views++;
		va->t->views_cap += (msu->has & SW_HAS_CAP) != 0;
		if (a.has != b.has || memcmp(&a.map, &b.map, sizeof(a.map)) != 0 ||
		    memcmp(&a.cap, &b.cap, sizeof(a.cap)) != 0) {
			if (va->t->view_diffs++ < 3)
				printf("  view of component %u of %u differs (%s): imsi '%s'/'%s'\n",
				       i, msu->tcap.ncomp, (msu->has & SW_HAS_CAP) ? "CAP" : "MAP",
				       a.map.imsi.d, b.map.imsi.d);
		}
	}
	va->t->walks_mask -= (size_t)(sw_decode_arg_walks() - w0);
}

/* Every frame on ports 0 and 1 through both judges; differences counted and the first printed. */
static void
compare(const char *set, struct judge *ref, struct judge *mask, struct tally *t)
{
	for (size_t i = 0; i < nframes; i++) {
		struct sw_pkt pkt;
		struct sw_judgement a, b;

		sw_decode_packet(frames[i].buf, frames[i].len, (enum sw_link)frames[i].link, &pkt);
		for (unsigned port = 0; port < 2; port++) {
			uint64_t now = (uint64_t)i * 1000000u;
			bool d;

			if (ref == NULL || mask == NULL) { /* --only */
				struct judge *one = ref != NULL ? ref : mask;
				sw_judge_packet(&one->j, frames[i].buf, &pkt, port, now, &msu_ref,
						&a, count_multi, &t->multi);
				t->judged++;
				t->msus += a.nverdicts;
				continue;
			}
			struct view_arg va = { t, frames[i].buf };
			uint64_t w0 = sw_decode_arg_walks(), w1, w2;

			sw_judge_packet(&ref->j, frames[i].buf, &pkt, port, now, &msu_ref, &a,
					count_multi, &t->multi);
			w1 = sw_decode_arg_walks();
			sw_judge_packet(&mask->j, frames[i].buf, &pkt, port, now, &msu_mask, &b,
					check_views, &va);
			w2 = sw_decode_arg_walks();
			t->walks_ref += (size_t)(w1 - w0);
			t->walks_mask += (size_t)(w2 - w1);
			t->walks_plain += plain_walks(mask, frames[i].buf, &pkt);
			t->judged++;
			t->msus += a.nverdicts;
			d = judgements_differ(&a, &b);
			if (d && t->diffs++ < 3) {
				const struct sw_judge_verdict *x = a.nverdicts ? &a.v[0] : &a.pkt;
				const struct sw_judge_verdict *y = b.nverdicts ? &b.v[0] : &b.pkt;
				printf("  %s: frame %zu port %u: reference %s/%s, masked %s/%s\n", set,
				       i, port, sw_action_name(x->action),
				       sw_judge_rule_name(ref->j.image, x->rule),
				       sw_action_name(y->action),
				       sw_judge_rule_name(mask->j.image, y->rule));
			}
		}
	}
}

/* What the deciding judge did with each MSU of a frame, in chunk order (its callback). */
struct decided {
	unsigned n;
	bool skipped[SW_CHUNKS_MAX];
};

static void
note_skipped(void *arg, const struct sw_pkt *pkt, const struct sw_msu *msu,
	     const struct sw_judge_verdict *v)
{
	struct decided *d = arg;

	(void)pkt;
	(void)v;
	if (d->n < SW_CHUNKS_MAX)
		d->skipped[d->n++] = msu->arg_skipped != 0;
}

struct decide_tally {
	size_t judged, msus, skipped, skipped_mal, diffs, walks_ref, walks_dec;
};

/* --decide: every frame on ports 0 and 1 through the walking judge (ref) and the deciding one
 * (dec); differences counted and the first printed. */
static void
compare_decide(const char *set, struct judge *ref, struct judge *dec, struct decide_tally *t)
{
	for (size_t i = 0; i < nframes; i++) {
		struct sw_pkt pkt;
		struct sw_judgement a, b;

		sw_decode_packet(frames[i].buf, frames[i].len, (enum sw_link)frames[i].link, &pkt);
		for (unsigned port = 0; port < 2; port++) {
			uint64_t now = (uint64_t)i * 1000000u, w0, w1, w2;
			struct decided d = { 0 };
			bool diff;

			w0 = sw_decode_arg_walks();
			sw_judge_packet(&ref->j, frames[i].buf, &pkt, port, now, &msu_ref, &a, NULL,
					NULL);
			w1 = sw_decode_arg_walks();
			sw_judge_packet(&dec->j, frames[i].buf, &pkt, port, now, &msu_mask, &b,
					note_skipped, &d);
			w2 = sw_decode_arg_walks();
			t->walks_ref += (size_t)(w1 - w0);
			t->walks_dec += (size_t)(w2 - w1);
			t->judged++;
			t->msus += a.nverdicts;
			diff = a.cls != b.cls || a.forward != b.forward ||
			       a.drop_mask != b.drop_mask || a.nverdicts != b.nverdicts ||
			       (a.cls != SW_JUDGE_CHUNKS && !same(&a.pkt, &b.pkt));
			for (unsigned k = 0; !diff && k < a.nverdicts; k++) {
				const struct sw_judge_verdict *x = &a.v[k], *y = &b.v[k];
				bool skipped = k < d.n && d.skipped[k];

				t->skipped += skipped;
				if (skipped && x->mal != SW_MAL_NONE) {
					/* the walk found it malformed: same action, the deciding
					 * rule reported */
					t->skipped_mal++;
					diff = x->chunk != y->chunk || x->action != y->action ||
					       x->monitor != y->monitor || x->state != y->state ||
					       x->no_image != y->no_image;
				} else {
					diff = !same(x, y);
				}
				if (diff && t->diffs < 3)
					printf("  %s: frame %zu port %u chunk %u%s: walked %s/%s, "
					       "decided %s/%s\n", set, i, port, x->chunk,
					       skipped ? " (argument skipped)" : "",
					       sw_action_name(x->action),
					       sw_judge_rule_name(ref->j.image, x->rule),
					       sw_action_name(y->action),
					       sw_judge_rule_name(dec->j.image, y->rule));
			}
			if (diff && t->diffs < 3 && a.cls != SW_JUDGE_CHUNKS)
				printf("  %s: frame %zu port %u: the judgements differ\n", set, i,
				       port);
			t->diffs += diff;
		}
	}
}

/* Rule sets: the shipped policy, and sets that read no component field (the masked path) or
 * read them only through a rate-limit key or USSD. */
static const char *const sets[][2] = {
	{ "shipped", NULL },
	{ "stateless", NULL },
	{ "base-only", "policy = { name = \"m\"; default = \"allow\"; malformed = \"drop\"; };\n"
		       "lists = {\n@include \"lists.conf\"\n};\n"
		       "rules = (\n@include \"base.conf\"\n);\n" },
	{ "opcodes-gts",
	  "policy = { name = \"m\"; default = \"allow\"; malformed = \"drop\"; };\n"
	  "lists = {\n@include \"lists.conf\"\n};\n"
	  "rules = (\n"
	  "{ name = \"psi-out\"; component = \"invoke\"; opcode = 70; direction = \"outside\";"
	  " action = \"drop\"; },\n"
	  "{ name = \"ati\"; opcode = 71; action = \"alert\"; },\n"
	  "{ name = \"sri-not-home\"; opcode = 22; cgpa_in = \"home\"; direction = \"outside\";"
	  " action = \"drop\"; },\n"
	  "{ name = \"ul\"; component = \"invoke\"; opcode = 2; action = \"alert\"; }\n);\n" },
	{ "rate-imsi",
	  "policy = { name = \"m\"; default = \"allow\"; malformed = \"drop\"; };\n"
	  "rules = (\n"
	  "{ name = \"ul-rate\"; opcode = 2; action = \"rate-limit\";\n"
	  "  rate = { rate = 1; burst = 2; key = \"imsi\"; }; },\n"
	  "{ name = \"psi\"; opcode = 70; action = \"drop\"; }\n);\n" },
	{ "components",
	  "policy = { name = \"m\"; default = \"allow\"; malformed = \"drop\"; };\n"
	  "rules = (\n"
	  "{ name = \"imsi-home-out\"; imsi_in = \"home\"; direction = \"outside\";"
	  " action = \"drop\"; },\n"
	  "{ name = \"smsc-home\"; smsc_in = \"home\"; action = \"alert\"; },\n"
	  "{ name = \"msisdn-home\"; msisdn_in = \"home\"; direction = \"outside\";"
	  " action = \"alert\"; },\n"
	  "{ name = \"vlr-home\"; vlr_in = \"home\"; action = \"drop\"; },\n"
	  "{ name = \"cap-cgpn\"; cgpn_in = \"home\"; direction = \"outside\";"
	  " action = \"drop\"; }\n);\n" },
	/* default drop: only a subscriber's own numbers let a message through, so no verdict is
	 * decided before its argument is walked, and a decision that takes the argument's fields
	 * as absent (the self-check of --decide) drops what the walk lets through */
	{ "home-subs", "policy = { name = \"m\"; default = \"drop\"; malformed = \"drop\"; };\n"
		       "rules = (\n"
		       "{ name = \"home-msisdn\"; msisdn_in = \"home\"; action = \"allow\"; },\n"
		       "{ name = \"home-imsi\"; imsi_in = \"home\"; action = \"allow\"; }\n);\n" },
	{ "ussd", "policy = { name = \"m\"; default = \"allow\"; malformed = \"drop\"; };\n"
		  "rules = (\n"
		  "{ name = \"ussd-star\"; ussd = \"*\"; action = \"drop\"; },\n"
		  "{ name = \"isd\"; opcode = 7; direction = \"outside\"; action = \"alert\"; }\n);\n" },
};

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/sw-test-mask.XXXXXX", rules[512], site[512], err[4096], cmd[1200];
	bool selfcheck = false, decide = false;
	size_t dec_skipped = 0, dec_sets = 0;
	unsigned wrong = SW_POLICY_F_SKIP_VIEWS; /* the self-check's mutation */
	size_t walk_fail = 0, view_total = 0, view_cap = 0, view_diffs = 0, ref_extra = 0;
	size_t counter_fail = 0;
	const char *only = NULL, *only_set = NULL;
	size_t total_diffs = 0, shipped_diffs = 0, masked_sets = 0, total_multi = 0;
	const char *src;
	int argi = 2;

	if (argc < 3) {
		fprintf(stderr, "usage: test_mask SRCDIR [--selfcheck|--selfcheck-views] INPUT...\n");
		return 2;
	}
	src = argv[1];
	if (strcmp(argv[2], "--decide") == 0) {
		decide = true;
		argi++;
		if (argc > 3 && strcmp(argv[3], "--selfcheck") == 0) {
			selfcheck = true;
			wrong = SW_POLICY_F_BAD_DECIDE;
			argi++;
		}
	} else if (strcmp(argv[2], "--selfcheck") == 0 ||
		   strcmp(argv[2], "--selfcheck-views") == 0) {
		selfcheck = true;
		if (strcmp(argv[2], "--selfcheck-views") == 0)
			wrong = SW_POLICY_F_WRONG_VIEWS;
		argi++;
	} else if (strcmp(argv[2], "--only") == 0 && argc > 5) {
		only = argv[3];
		only_set = argv[4];
		argi += 3;
	}
	if (load_inputs("test_mask", argc, argv, argi) != 0)
		return 1;
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(cmd, sizeof(cmd), "cp %s/patterns/*.conf %s/", src, dir);
	if (system(cmd) != 0)
		return 1;
	snprintf(site, sizeof(site), "%s/site.example.conf", dir);
	for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
		struct sw_compiled c;
		struct judge ref, mask;
		struct tally t = { 0 };
		bool reads;

		if (only_set != NULL && strcmp(only_set, sets[s][0]) != 0)
			continue;
		if (s == 0)
			snprintf(rules, sizeof(rules), "%s/default.conf", dir);
		else if (s == 1)
			snprintf(rules, sizeof(rules), "%s/stateless.conf", dir);
		else {
			FILE *f;
			snprintf(rules, sizeof(rules), "%s/mask-%zu.conf", dir, s);
			if ((f = fopen(rules, "w")) == NULL)
				return 1;
			fputs(sets[s][1], f);
			fclose(f);
		}
		memset(&c, 0, sizeof(c));
		if (sw_compile_files(rules, site, 1, &c, err, sizeof(err)) != 0) {
			fprintf(stderr, "test_mask: %s: %s\n", sets[s][0], err);
			return 1;
		}
		if (judge_init(&ref, c.image, SW_POLICY_F_FULL_VIEWS) != 0 ||
		    judge_init(&mask, c.image, selfcheck ? wrong : 0) != 0) {
			fprintf(stderr, "test_mask: %s: cannot bind\n", sets[s][0]);
			return 1;
		}
		reads = sw_policy_ctx_reads_components(mask.pctx);
		if (decide) {
			struct decide_tally dt = { 0 };
			struct judge dec;
			uint64_t ev, hi, sk, pa;

			if (judge_init(&dec, c.image,
				       SW_POLICY_F_DECIDE_ALWAYS | (selfcheck ? wrong : 0)) != 0)
				return 1;
			dec.j.decide = true;
			compare_decide(sets[s][0], &mask, &dec, &dt);
			sw_policy_ctx_decide_stats(dec.pctx, &ev, &hi, &sk, &pa);
			printf("%-12s judged %zu (%zu MSUs): arguments skipped %zu (%zu of them "
			       "malformed when walked: reported by the deciding rule); arguments "
			       "walked %zu, walking judge %zu; decisions evaluated %llu, remembered "
			       "%llu: %zu differences\n",
			       sets[s][0], dt.judged, dt.msus, dt.skipped, dt.skipped_mal,
			       dt.walks_dec, dt.walks_ref, (unsigned long long)ev,
			       (unsigned long long)hi, dt.diffs);
			total_diffs += dt.diffs;
			dec_skipped += dt.skipped;
			dec_sets += dt.skipped > 0;
			/* skipped arguments are arguments not walked (the count can fail) */
			walk_fail += dt.walks_dec > dt.walks_ref ||
				     (dt.skipped > 0) != (dt.walks_dec < dt.walks_ref);
			if (s == 0)
				shipped_diffs = dt.diffs;
			sw_policy_ctx_free(dec.pctx);
			sw_policy_ctx_free(ref.pctx);
			sw_policy_ctx_free(mask.pctx);
			sw_compiled_free(&c);
			continue;
		}
		mask.j.decide = only != NULL && strcmp(only, "dec") == 0 &&
				sw_policy_ctx_decides(mask.pctx);
		if (only != NULL)
			compare(sets[s][0], strcmp(only, "ref") == 0 ? &ref : NULL,
				strcmp(only, "ref") == 0 ? NULL : &mask, &t);
		else
			compare(sets[s][0], &ref, &mask, &t);
		printf("%-12s reads component fields: %-3s judged %zu (%zu MSUs, %zu of several "
		       "components): %zu differences\n",
		       sets[s][0], reads ? "yes" : "no", t.judged, t.msus, t.multi, t.diffs);
		if (only == NULL) {
			/* each argument once: the masked judge walks what a plain decode walks */
			printf("%-12s arguments walked: plain decode %zu, masked judge %zu, reference "
			       "%zu; stored views %zu (%zu CAP), %zu differ from decoding alone\n",
			       sets[s][0], t.walks_plain, t.walks_mask, t.walks_ref, t.views,
			       t.views_cap, t.view_diffs);
			uint64_t rh, rm, mh, mm;

			/* the same evaluations: the verdict cache counts the same hits and misses */
			sw_policy_ctx_stats(ref.pctx, &rh, &rm);
			sw_policy_ctx_stats(mask.pctx, &mh, &mm);
			printf("%-12s verdict cache hits/misses: reference %llu/%llu, masked %llu/%llu\n",
			       sets[s][0], (unsigned long long)rh, (unsigned long long)rm,
			       (unsigned long long)mh, (unsigned long long)mm);
			counter_fail += rh != mh || rm != mm;
			walk_fail += t.walks_mask != t.walks_plain;
			view_total += t.views;
			view_cap += t.views_cap;
			view_diffs += t.view_diffs;
			if (reads)
				ref_extra += t.walks_ref > t.walks_plain;
		}
		total_diffs += t.diffs;
		total_multi += t.multi;
		masked_sets += !reads;
		if (s == 0)
			shipped_diffs = t.diffs;
		sw_policy_ctx_free(ref.pctx);
		sw_policy_ctx_free(mask.pctx);
		sw_compiled_free(&c);
	}
	frames_free("test_mask", dir);
	if (only != NULL)
		return 0;
	if (decide && selfcheck) {
		printf("selfcheck: %zu differences with a wrong decision: %s\n", total_diffs,
		       total_diffs > 0 ? "the comparison can fail" : "NOT DETECTED");
		return total_diffs > 0 ? 0 : 1;
	}
	if (decide) {
		/* the test is only worth something if arguments were skipped, under several sets */
		if (dec_sets < 2 || walk_fail > 0) {
			printf("FAIL: arguments skipped under %zu rule sets (must be >= 2), %zu rule "
			       "sets where skipping did not walk fewer arguments\n",
			       dec_sets, walk_fail);
			return 1;
		}
		printf("%s: %zu arguments skipped, %zu differences\n",
		       total_diffs == 0 ? "PASS" : "FAIL", dec_skipped, total_diffs);
		return total_diffs == 0 ? 0 : 1;
	}
	if (selfcheck) {
		printf("selfcheck: %zu differences under the shipped policy with a wrong %s: %s\n",
		       shipped_diffs, wrong == SW_POLICY_F_SKIP_VIEWS ? "mask" : "view",
		       shipped_diffs > 0 ? "the comparison can fail" : "NOT DETECTED");
		return shipped_diffs > 0 ? 0 : 1;
	}
	/* The walk count can fail (the reference walks components again) and says once; the
	 * views were exercised, MAP and CAP, and each is what decoding its component alone gives. */
	if (walk_fail > 0 || ref_extra == 0 || view_total == 0 || view_cap == 0 || view_diffs > 0 ||
	    counter_fail > 0) {
		printf("FAIL: %zu rule sets walk an argument twice, %zu where the reference walks "
		       "more (must be > 0), %zu stored views (%zu CAP; both must be > 0), %zu "
		       "differ, %zu rule sets count other cache hits or misses\n", walk_fail,
		       ref_extra, view_total, view_cap, view_diffs, counter_fail);
		return 1;
	}
	/* The test is only worth something if the inputs reach the masked path. */
	if (total_multi == 0 || masked_sets == 0) {
		printf("FAIL: no message of several components (%zu) or no rule set without "
		       "component fields (%zu): the masked path was not exercised\n",
		       total_multi, masked_sets);
		return 1;
	}
	printf("%s: %zu differences\n", total_diffs == 0 ? "PASS" : "FAIL", total_diffs);
	return total_diffs == 0 ? 0 : 1;
}
