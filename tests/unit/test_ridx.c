/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Atom gate of the verdict engine (image.h, eval.c): a rule set shaped like
 * bench/rules/mkrules.py's rules-1000-100k (the shipped rules, operator rules over calling-GT,
 * called-GT and IMSI prefix lists, point-code and SSN screens, a first rule over a 1,000-entry
 * calling-GT blocklist held in the prefix table) plus shapes the benchmark lacks (negated
 * atoms, several atoms per rule, malformed rules, a rate limit), 300 rules in all, compiled
 * from a temporary directory with a fixed seed. Over 40,000 MSUs whose digits mostly extend
 * list prefixes, sw_policy_eval with the gate (atoms, and point codes for rules without an
 * atom) gives the same (action, rule, monitor) as the reference evaluation without it
 * (SW_POLICY_F_NO_GATE), every time; sw_image_validate refuses a gate that
 * could drop a matching rule.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "control/compiler/compiler.h"
#include "dataplane/policy/image.h"
#include "dataplane/policy/policy.h"
#include "tests/common/msu_build.h"

#define SITE "patterns/site.example.conf"
#define NRULES 300
/* the blocklist rule and the shipped base.conf (7), fs11.conf (8), dfs.conf (2), isup.conf (1) */
#define NSHIPPED 19
#define NBLOCK 1000
#define NMSUS 40000
#define N_CGPA 60
#define N_CDPA 30
#define N_IMSI 30
#define LMAX 12

static const char *const ccs[] = { "1", "7", "20", "30", "31", "32", "34", "36", "39", "40",
				   "41", "43", "45", "46", "47", "48", "51", "52", "53", "54",
				   "55", "56", "57", "58", "60", "61", "62", "63", "64", "65",
				   "66", "81", "82", "84", "86", "90", "91", "92", "93", "94" };
#define NCC (sizeof(ccs) / sizeof(ccs[0]))
/* MAP operations of the shipped lists and of mkrules.py's operator sets (TS 29.002). */
static const int32_t ops[] = { 22, 23, 55, 58, 71, 83, 85, 3, 4, 7, 8, 70, 2, 23, 56, 67, 57,
			       45, 44, 46, 59, 60, 10, 11, 12, 13, 66, 37, 43, 61, 62, 5,
			       /* outside the FS.11 lists: SMS and friends */
			       45, 44, 46, 47, 63, 64, 45, 44, 46, 47, 63, 64, 45, 44, 46, 47 };
#define NOPS (sizeof(ops) / sizeof(ops[0]))
static const unsigned ssns[] = { 6, 7, 8, 9, 10, 142, 145, 146, 147 };

struct plist {
	unsigned n;
	char e[LMAX][20];
};

static struct plist cgl[N_CGPA], cdl[N_CDPA], iml[N_IMSI];
static char block[NBLOCK][20];
static char tmpdir[64];
static uint64_t rng_s = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(void)
{
	rng_s ^= rng_s << 13;
	rng_s ^= rng_s >> 7;
	rng_s ^= rng_s << 17;
	return rng_s;
}

static unsigned
rn(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static void
rdigits(char *out, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		out[i] = (char)('0' + rn(10));
	out[n] = '\0';
}

/* Lines of a shipped file, comment lines removed (as mkrules.py embeds them). */
static void
put_shipped(FILE *o, const char *name)
{
	char path[256], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "patterns/%s", name);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '#')
			fputs(line, o);
	}
	fclose(f);
}

static void
put_list(FILE *o, const char *name, const struct plist *l)
{
	fprintf(o, "%s = { type = \"prefix\"; entries = [ ", name);
	for (unsigned i = 0; i < l->n; i++)
		fprintf(o, "%s\"%s\"", i ? ", " : "", l->e[i]);
	fprintf(o, " ]; };\n");
}

static void
gen_lists(void)
{
	for (unsigned i = 0; i < N_CGPA; i++) {
		const char *cc = ccs[rn(NCC)];
		cgl[i].n = 2 + rn(LMAX - 2);
		for (unsigned j = 0; j < cgl[i].n; j++) {
			strcpy(cgl[i].e[j], cc);
			rdigits(cgl[i].e[j] + strlen(cc), 3 + rn(4));
		}
	}
	for (unsigned i = 0; i < N_CDPA; i++) {
		const char *cc = ccs[rn(NCC)];
		cdl[i].n = 1 + rn(6);
		for (unsigned j = 0; j < cdl[i].n; j++) {
			strcpy(cdl[i].e[j], cc);
			rdigits(cdl[i].e[j] + strlen(cc), 2 + rn(4));
		}
	}
	for (unsigned i = 0; i < N_IMSI; i++) {
		iml[i].n = 1 + rn(4);
		for (unsigned j = 0; j < iml[i].n; j++)
			snprintf(iml[i].e[j], sizeof(iml[i].e[j]), "%03u%02u", 300 + rn(451), rn(100));
	}
	for (unsigned i = 0; i < NBLOCK; i++) {
		const char *cc = ccs[rn(NCC)];
		strcpy(block[i], cc);
		rdigits(block[i] + strlen(cc), 12 - (unsigned)strlen(cc));
	}
}

static const char *
act(void)
{
	unsigned x = rn(10);
	return x < 6 ? "drop" : x < 9 ? "alert" : "allow";
}

static void
put_opset(FILE *o)
{
	unsigned n = 1 + rn(5);
	fprintf(o, "opcode = [ ");
	for (unsigned i = 0; i < n; i++)
		fprintf(o, "%s%d", i ? ", " : "", ops[rn(NOPS)]);
	fprintf(o, " ]; ");
}

/* One operator rule: mkrules.py's six shapes, then negations, two atoms, malformed. */
static void
put_rule(FILE *o, unsigned i)
{
	fprintf(o, ",\n{ name = \"op-%04u\"; ", i);
	switch (i % 11) {
	case 0:
	case 1:
		fprintf(o, "cgpa = \"@net%03u\"; component = \"invoke\"; ", rn(N_CGPA));
		put_opset(o);
		break;
	case 2:
		fprintf(o, "cdpa = \"@dst%03u\"; ", rn(N_CDPA));
		break;
	case 3:
		fprintf(o, "imsi = \"@plmn%03u\"; component = \"invoke\"; opcode = %d; ",
			rn(N_IMSI), ops[rn(NOPS)]);
		break;
	case 4:
		fprintf(o, "opc = [ %u, %u ]; ", 4000 + rn(8), 12000 + rn(4000));
		break;
	case 5:
		fprintf(o, "cgpa = \"@net%03u\"; cgpa_ssn = [ %u, %u ]; ", rn(N_CGPA), ssns[rn(9)],
			ssns[rn(9)]);
		break;
	case 6: /* the atom is negated: must not gate; the other one may */
		fprintf(o, "cdpa = \"@dst%03u\"; not = { cgpa = \"@net%03u\"; }; ", rn(N_CDPA),
			rn(N_CGPA));
		break;
	case 7: /* only a negated atom */
		fprintf(o, "not = { imsi = \"@plmn%03u\"; }; component = \"invoke\"; ", rn(N_IMSI));
		put_opset(o);
		break;
	case 8: /* two atoms: the gate picks one, the other is still tested */
		fprintf(o, "imsi = \"@plmn%03u\"; cdpa = \"@dst%03u\"; ", rn(N_IMSI), rn(N_CDPA));
		break;
	case 9: /* malformed-only rule gated by an atom */
		fprintf(o, "malformed = true; cgpa = \"@net%03u\"; ", rn(N_CGPA));
		break;
	case 10: /* inline prefixes and a relation */
		fprintf(o, "cgpa = [ \"%s\", \"%s\" ]; imsi_in = \"home\"; ",
			cgl[rn(N_CGPA)].e[0], cgl[rn(N_CGPA)].e[1]);
		break;
	}
	if (i == 150)
		fprintf(o, "cdpa = \"@dst%03u\"; action = \"rate-limit\"; "
			   "rate = { rate = 2; burst = 3; key = \"cgpa\"; }; }", rn(N_CDPA));
	else
		fprintf(o, "action = \"%s\"; }", act());
}

static void
write_rules(const char *path)
{
	char bl[128];
	FILE *o = fopen(path, "w"), *b;

	assert_non_null(o);
	snprintf(bl, sizeof(bl), "%s/gt-block.txt", tmpdir);
	b = fopen(bl, "w");
	assert_non_null(b);
	for (unsigned i = 0; i < NBLOCK; i++)
		fprintf(b, "%s\n", block[i]);
	fclose(b);
	fprintf(o, "policy = { name = \"ridx\"; default = \"allow\"; malformed = \"drop\"; "
		   "monitor = false; };\nlists = {\n");
	put_shipped(o, "lists.conf");
	for (unsigned i = 0; i < N_CGPA; i++) {
		char n[16];
		snprintf(n, sizeof(n), "net%03u", i);
		put_list(o, n, &cgl[i]);
	}
	for (unsigned i = 0; i < N_CDPA; i++) {
		char n[16];
		snprintf(n, sizeof(n), "dst%03u", i);
		put_list(o, n, &cdl[i]);
	}
	for (unsigned i = 0; i < N_IMSI; i++) {
		char n[16];
		snprintf(n, sizeof(n), "plmn%03u", i);
		put_list(o, n, &iml[i]);
	}
	fprintf(o, "gt_block = { type = \"prefix\"; file = \"gt-block.txt\"; };\n};\nrules = (\n");
	fprintf(o, "{ name = \"gt-blocklist\"; cgpa = \"@gt_block\"; action = \"drop\"; }");
	/* Half the operator rules before the shipped ones (which match most foreign MAP
	 * traffic), so that operator rules decide many verdicts too. */
	for (unsigned i = 0; i < (NRULES - NSHIPPED) / 2; i++)
		put_rule(o, i);
	fprintf(o, ",\n");
	put_shipped(o, "base.conf");
	fprintf(o, ",\n");
	put_shipped(o, "fs11.conf");
	fprintf(o, ",\n");
	put_shipped(o, "dfs.conf");
	fprintf(o, ",\n");
	put_shipped(o, "isup.conf");
	for (unsigned i = (NRULES - NSHIPPED) / 2; i < NRULES - NSHIPPED; i++)
		put_rule(o, i);
	fprintf(o, "\n);\n");
	fclose(o);
}

/* A GT that often extends a list prefix (or is a blocklisted one), else home/partner/foreign. */
static void
pick_gt(char *out, const struct plist *lists, unsigned nl)
{
	unsigned x = rn(100);

	if (x < 55) {
		const struct plist *l = &lists[rn(nl)];
		const char *p = l->e[rn(l->n)];
		size_t n = strlen(p);
		strcpy(out, p);
		if (rn(8) != 0)
			rdigits(out + n, 11 - (unsigned)(n < 11 ? n : 11) + rn(2));
		if (rn(6) == 0 && n > 1)
			out[n - 1] = (char)('0' + rn(10)); /* near miss */
	} else if (x < 65) {
		strcpy(out, block[rn(NBLOCK)]);
		if (rn(4) == 0)
			out[strlen(out) - 1 - rn(3)] = (char)('0' + rn(10));
	} else if (x < 75) {
		static const char *const known[] = { T_HOME_HLR, T_HOME_VLR, T_DE_GT, T_FR_GT,
						     T_GB_SMSC_GT, "27821000147", "2547220111222" };
		strcpy(out, known[rn(7)]);
	} else if (x < 80) {
		out[0] = '\0';
	} else {
		const char *cc = ccs[rn(NCC)];
		strcpy(out, cc);
		rdigits(out + strlen(cc), 12 - (unsigned)strlen(cc));
	}
}

static void
pick_imsi(char *out)
{
	unsigned x = rn(100);

	if (x < 45) {
		const struct plist *l = &iml[rn(N_IMSI)];
		strcpy(out, l->e[rn(l->n)]);
		rdigits(out + 5, 10);
	} else if (x < 65) {
		static const char *const known[] = { T_HOME_IMSI, T_DE_IMSI, T_FR_IMSI,
						     T_FOREIGN_IMSI };
		strcpy(out, known[rn(4)]);
	} else if (x < 85) {
		out[0] = '\0';
	} else {
		rdigits(out, 15);
	}
}

static void
gen_msu(struct sw_msu *m)
{
	char cg[24], cd[24], im[24];

	if (rn(20) == 0) {
		char a[24], b[24];
		pick_gt(a, cgl, N_CGPA);
		pick_gt(b, cdl, N_CDPA);
		t_iam(m, rn(2) ? 4000 + rn(8) : 12000 + rn(4000), a, b);
	} else {
		pick_gt(cg, cgl, N_CGPA);
		pick_gt(cd, cdl, N_CDPA);
		pick_imsi(im);
		t_map(m, cg[0] ? cg : "0", cd[0] ? cd : "0", ops[rn(NOPS)], im[0] ? im : NULL);
		if (cg[0] == '\0')
			m->sccp.cgpa.present = false;
		if (cd[0] == '\0')
			m->sccp.cdpa.present = false;
		m->sccp.cgpa.gti = rn(3) == 0 ? 2 : 4;
		m->sccp.cgpa.ssn = (uint8_t)ssns[rn(9)];
		m->sccp.cdpa.ssn = (uint8_t)ssns[rn(9)];
		m->m3ua.opc = rn(2) ? 4000 + rn(8) : 12000 + rn(4000);
		if (rn(4) == 0)
			t_comp(m, rn(2) ? SW_COMP_INVOKE : SW_COMP_RESULT_LAST, ops[rn(NOPS)]);
		if (rn(10) == 0)
			m->tcap.comp[0].type = SW_COMP_RESULT_LAST;
	}
	if (rn(12) == 0)
		m->mal = (enum sw_mal)(1 + rn(SW_MAL_COUNT - 1));
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sw-test-ridx.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
gate_equals_reference(void **state)
{
	struct sw_compiled c;
	struct sw_policy_ctx *gate, *ref;
	char rules[128], err[512];
	unsigned matched = 0, opmatched = 0, distinct = 0, mismatches = 0;
	static uint8_t seen[SW_RULES_MAX];
	int rc;

	(void)state;
	gen_lists();
	snprintf(rules, sizeof(rules), "%s/rules-ridx.conf", tmpdir);
	write_rules(rules);
	rc = sw_compile_files(rules, SITE, 1, &c, err, sizeof(err));
	if (rc != 0)
		fail_msg("compile: %s", err);
	assert_int_equal(c.nrules, NRULES);
	assert_int_equal(sw_image_validate(c.image, c.size, err, sizeof(err)), 0);
	const struct sw_image_hdr *h = c.image;
	/* The blocklist went to the prefix table; most rules are gated, not all of them. */
	assert_true(h->fields[SW_SF_CGPA].ptab_off != 0);
	assert_true(h->ngated > NRULES / 2);
	assert_true(h->ngated < NRULES);
	assert_true(h->nivals > 0); /* point-code screens: the integer gate */

	ref = sw_policy_ctx_new();
	gate = sw_policy_ctx_new();
	assert_non_null(ref);
	assert_non_null(gate);
	sw_policy_ctx_set_flags(ref, SW_POLICY_F_NO_GATE);
	assert_int_equal(sw_policy_ctx_bind(ref, c.image), 0);
	assert_int_equal(sw_policy_ctx_bind(gate, c.image), 0);

	for (unsigned i = 0; i < NMSUS; i++) {
		struct sw_msu m;
		unsigned port = rn(2);
		uint64_t now = 1000000ull * i;

		gen_msu(&m);
		struct sw_verdict a = sw_policy_eval(gate, NULL, &m, port, now);
		struct sw_verdict b = sw_policy_eval(ref, NULL, &m, port, now);
		if (a.action != b.action || a.rule != b.rule || a.monitor != b.monitor) {
			if (mismatches++ < 10)
				print_error("MSU %u: gate %s by %s, reference %s by %s\n", i,
					    sw_action_name(a.action),
					    sw_image_rule_name(c.image, a.rule),
					    sw_action_name(b.action),
					    sw_image_rule_name(c.image, b.rule));
			continue;
		}
		if (b.rule >= 0) {
			matched++;
			opmatched += strncmp(sw_image_rule_name(c.image, b.rule), "op-", 3) == 0;
			if (!seen[b.rule]) {
				seen[b.rule] = 1;
				distinct++;
			}
		}
	}
	print_message("%u MSUs: %u matched a rule (%u an operator rule, %u distinct rules), %u "
		      "mismatches, %u gated rules of %u\n", NMSUS, matched, opmatched, distinct,
		      mismatches, h->ngated, NRULES);
	assert_int_equal(mismatches, 0);
	/* The MSUs exercise the rules: many match, and many different rules do. */
	assert_true(matched > NMSUS / 5);
	assert_true(opmatched > NMSUS / 5);
	assert_true(distinct > 100);
	assert_true(seen[0]); /* the blocklist rule */

	/* Corrupted gate: a rule gated by an atom it does not require is refused. */
	uint8_t *img = aligned_alloc(SW_IMAGE_ALIGN, c.size);
	assert_non_null(img);
	memcpy(img, c.image, c.size);
	struct sw_image_hdr *hh = (void *)img;
	uint64_t *g = (void *)(img + hh->gate_off);
	unsigned rw = hh->rule_words;
	for (unsigned r = 0; r < NRULES; r++) {
		if (g[r / 64] & (1ull << (r % 64)))
			continue;
		/* an ungated rule: claim it is gated by atom 0 of cgpa */
		g[r / 64] |= 1ull << (r % 64);
		g[(2 + SW_SF_CGPA) * rw + r / 64] |= 1ull << (r % 64);
		g[(2 + SW_SF_COUNT) * rw + r / 64] |= 1ull << (r % 64);
		hh->ngated++;
		break;
	}
	hh->checksum = sw_image_compute_checksum(img, c.size);
	assert_int_equal(sw_image_validate(img, c.size, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "gate"));

	/* Corrupted integer gate: a value row that lost its rule would drop a match. */
	memcpy(img, c.image, c.size);
	uint64_t *vrow = g + (uint64_t)(2 + SW_SF_COUNT + hh->natoms + SW_IF_COUNT) * rw;
	bool cleared = false;
	for (uint32_t w = 0; !cleared && w < hh->nivals * rw; w++)
		if (vrow[w] != 0) {
			vrow[w] &= vrow[w] - 1; /* lowest rule of the row */
			cleared = true;
		}
	assert_true(cleared);
	hh->checksum = sw_image_compute_checksum(img, c.size);
	assert_int_equal(sw_image_validate(img, c.size, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "integer gate"));
	free(img);

	sw_policy_ctx_free(gate);
	sw_policy_ctx_free(ref);
	sw_compiled_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gate_equals_reference),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
