/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Partners at a tier-1's scale (issue 18 Deliver 1): no cap of 64; 2,000 partners of 20 GT
 * ranges and 3 PLMNs each compile into one image whose partner networks are prefix tables
 * (a verdict costs what it does with 4); rules name a partner (`"partner:NAME"`) or a group of
 * the site file (`"group:NAME"`); a partner's own exceptions (`allow_opcodes`); 10,000 partners
 * work and more than the limit is a clear error; unknown names are `file:line` errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "fixture.h"
#include "tests/common/msu_build.h"

/* Partner k: name "p<k>", PLMNs 9<k:04>0..2 (6 digits), GT ranges 8<k:05><r:02> (8 digits),
 * country-free; groups "g<j>" of partners 10j..10j+9 for the first 100. */
static char *
site_of(unsigned np, unsigned ngt, bool groups)
{
	size_t cap = 4096 + (size_t)np * (128 + 16 * ngt) + (groups ? 100 * 80 : 0), n = 0;
	char *s = malloc(cap);

	n += (size_t)snprintf(s + n, cap - n,
			      "site = { name = \"big\"; home = { plmn = [ \"65501\" ]; gt = "
			      "[ \"27820\" ]; point_codes = [ 1001 ]; };\n partners = (\n");
	for (unsigned k = 0; k < np; k++) {
		n += (size_t)snprintf(s + n, cap - n, "  { name = \"p%u\"; plmn = [ \"9%04u0\", "
				      "\"9%04u1\", \"9%04u2\" ]; gt = [", k, k % 10000, k % 10000,
				      k % 10000);
		for (unsigned r = 0; r < ngt; r++)
			n += (size_t)snprintf(s + n, cap - n, "%s\"8%05u%02u\"", r ? ", " : " ", k, r);
		n += (size_t)snprintf(s + n, cap - n, " ];%s }%s\n",
				      k == 7 ? " allow_opcodes = ( \"anyTimeInterrogation\", 70 );" : "",
				      k + 1 < np ? "," : "");
	}
	n += (size_t)snprintf(s + n, cap - n, " );\n");
	if (groups) {
		n += (size_t)snprintf(s + n, cap - n, " groups = (\n");
		for (unsigned j = 0; j < 100 && 10 * j + 9 < np; j++)
			n += (size_t)snprintf(s + n, cap - n,
					      "  { name = \"g%u\"; partners = [ \"p%u\", \"p%u\", "
					      "\"p%u\" ]; }%s\n", j, 10 * j, 10 * j + 5, 10 * j + 9,
					      j < 99 && 10 * j + 19 < np ? "," : "");
		n += (size_t)snprintf(s + n, cap - n, " );\n");
	}
	snprintf(s + n, cap - n, "};\n");
	return s;
}

static const char *const rules_named =
	"rules = (\n"
	"  { name = \"exceptions\"; direction = \"outside\"; partner_allows = \"cgpa\";\n"
	"    action = \"allow\"; },\n"
	"  { name = \"ati\"; opcode = [ \"anyTimeInterrogation\", \"provideSubscriberInfo\" ];\n"
	"    action = \"drop\"; },\n"
	"  { name = \"p1500-sri\"; opcode = \"sendRoutingInfo\"; cgpa_in = \"partner:p1500\";\n"
	"    action = \"alert\"; },\n"
	"  { name = \"hub-a\"; opcode = \"sendRoutingInfo\"; cgpa_in = \"group:g3\"; action = \"drop\"; },\n"
	"  { name = \"own-sub\"; opcode = \"updateLocation\"; imsi_network = \"cgpa\";\n"
	"    action = \"allow\"; },\n"
	"  { name = \"not-own-sub\"; opcode = \"updateLocation\"; cgpa_in = \"partner\";\n"
	"    action = \"drop\"; },\n"
	"  { name = \"opc-of-p9\"; opcode = \"sendIMSI\"; imsi_in = [ \"partner:p9\", \"home\" ];\n"
	"    action = \"drop\"; }\n"
	");\n";

static struct sw_verdict
verdict(struct fx *fx, const char *cgpa, int32_t op, const char *imsi)
{
	struct sw_msu m;

	t_map(&m, cgpa, T_HOME_HLR, op, imsi);
	return sw_policy_eval(fx->ctx, NULL, &m, SW_SIDE_OUTSIDE, 0);
}

static void
check_named(struct fx *fx)
{
	static const struct {
		const char *cgpa;
		int32_t op;
		const char *imsi;
		const char *rule;
	} cases[] = {
		{ "801500031234", 22, NULL, "p1500-sri" },   /* partner p1500 by name */
		{ "801501031234", 22, NULL, "default" },     /* p1501: not named */
		{ "80003004999", 22, NULL, "hub-a" },       /* p30, in group g3 */
		{ "80003501999", 22, NULL, "hub-a" },       /* p35 */
		{ "80003900199", 22, NULL, "hub-a" },       /* p39 */
		{ "80003100199", 22, NULL, "default" },     /* p31: not in g3 */
		{ "8000070011", 71, NULL, "exceptions" },     /* p7 may send ATI */
		{ "8000070011", 70, NULL, "exceptions" },     /* and PSI (by code) */
		{ "8000080011", 71, NULL, "ati" },            /* p8 may not */
		{ "900000001", 71, NULL, "ati" },            /* no partner */
		{ "801230191", 2, "912301123456789", "own-sub" },    /* p1230's own subscriber */
		{ "801230191", 2, "912311123456789", "not-own-sub" }, /* p1231's */
		{ "80000901", 58, "900092123456789", "opc-of-p9" },  /* IMSI of p9 */
		{ "80000901", 58, "655011234567890", "opc-of-p9" },  /* home IMSI */
		{ "80000901", 58, "900082123456789", "default" },    /* p8's */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (int k = 0; k < 2; k++) { /* a miss, then the cached verdict */
			struct sw_verdict v = verdict(fx, cases[i].cgpa, cases[i].op, cases[i].imsi);
			if (strcmp(fx_rule(fx, v), cases[i].rule) != 0)
				fail_msg("case %zu (%s op %d): rule %s, expected %s", i, cases[i].cgpa,
					 cases[i].op, fx_rule(fx, v), cases[i].rule);
		}
}

/* 2,000 partners of 20 GT ranges and 3 PLMNs (Deliver 1's figure), named in rules. */
static void
test_2000_partners(void **state)
{
	struct fx fx = { 0 };
	char *site = site_of(2000, 20, true);

	(void)state;
	if (fx_compile(&fx, rules_named, site) != 0)
		fail_msg("compile: %.500s", fx.err);
	printf("2,000 partners x 20 GT ranges x 3 PLMNs: %.1f ms, %zu bytes\n", fx.c.compile_ms,
	       fx.c.size);
	assert_int_equal(((const struct sw_image_hdr *)fx.c.image)->npartners, 2000);
	check_named(&fx);
	free(site);
	fx_free(&fx);
}

/* 10,000 partners work; past the limit is one clear error. */
static void
test_limits(void **state)
{
	struct fx fx = { 0 };
	char *site = site_of(10000, 20, false);
	size_t cap = 64 + (size_t)(SW_PARTNERS_MAX + 1) * 24, n = 0;
	char *big;

	(void)state;
	if (fx_compile(&fx, "rules = ({ name = \"p9999\"; cgpa_in = \"partner:p9999\";"
			    " action = \"drop\"; });\n", site) != 0)
		fail_msg("compile: %.500s", fx.err);
	printf("10,000 partners x 20 GT ranges x 3 PLMNs: %.1f ms, %zu bytes\n", fx.c.compile_ms,
	       fx.c.size);
	assert_string_equal(fx_rule(&fx, verdict(&fx, "8099990512", 22, NULL)), "p9999");
	assert_string_equal(fx_rule(&fx, verdict(&fx, "8099980512", 22, NULL)), "default");
	free(site);
	big = malloc(cap);
	n += (size_t)snprintf(big, cap, "site = { name = \"x\"; home = { plmn = [ \"65501\" ];"
				       " gt = [ \"27820\" ]; };\n partners = (");
	for (unsigned k = 0; k <= SW_PARTNERS_MAX; k++)
		n += (size_t)snprintf(big + n, cap - n, "%s{ name = \"p%u\"; }", k ? "," : "", k);
	snprintf(big + n, cap - n, "); };\n");
	assert_int_equal(fx_compile(&fx, "rules = ({ name = \"a\"; action = \"drop\"; });\n", big),
			 -EINVAL);
	printf("%s\n", fx.err);
	assert_non_null(strstr(fx.err, "site.conf:2: 65001 partners: more than 65000"));
	free(big);
	fx_free(&fx);
}

/* The longest partner prefix decides; the same prefix twice belongs to the first partner. */
static void
test_longest_prefix(void **state)
{
	static const char *site =
		"site = { name = \"x\"; home = { plmn = [ \"65501\" ]; gt = [ \"27820\" ]; };\n"
		" partners = ( { name = \"wide\"; gt = [ \"3360\", \"4917\" ]; },\n"
		"  { name = \"narrow\"; gt = [ \"336090\", \"4917\" ]; } ); };\n";
	struct fx fx = { 0 };

	(void)state;
	if (fx_compile(&fx, "rules = ({ name = \"narrow\"; cgpa_in = \"partner:narrow\"; "
			    "action = \"drop\"; },\n { name = \"wide\"; cgpa_in = \"partner:wide\"; "
			    "action = \"alert\"; });\n", site) != 0)
		fail_msg("compile: %s", fx.err);
	assert_string_equal(fx_rule(&fx, verdict(&fx, "336090123", 22, NULL)), "narrow");
	assert_string_equal(fx_rule(&fx, verdict(&fx, "336091123", 22, NULL)), "wide");
	assert_string_equal(fx_rule(&fx, verdict(&fx, "491712345", 22, NULL)), "wide");
	assert_string_equal(fx_rule(&fx, verdict(&fx, "27820123", 22, NULL)), "default");
	/* the overlap is what `check` warns about */
	assert_non_null(strstr(fx.warn, "warning:"));
	fx_free(&fx);
}

/* Unknown partners, groups and links, duplicates: file:line errors, all in one run. */
static void
test_bad_names(void **state)
{
	static const char *site =
		"site = { name = \"x\"; home = { plmn = [ \"65501\" ]; gt = [ \"27820\" ]; };\n"
		" partners = ( { name = \"fr-sfr\"; gt = [ \"336090\" ]; },\n"
		"  { name = \"de-tmo\"; gt = [ \"491710\" ]; links = [ \"ipx-z\" ]; },\n"
		"  { name = \"fr-sfr\"; gt = [ \"336091\" ]; },\n"
		"  { name = \"gb\"; allow_opcodes = [ \"noSuchOp\" ]; }\n"
		" );\n"
		" links = ( { name = \"ipx-a\"; side = \"outside\"; peers = [ \"192.0.2.0/24\" ]; } );\n"
		" groups = ( { name = \"hub\"; partners = [ \"fr-sfr\", \"es-mov\" ]; },\n"
		"  { name = \"hub\"; partners = [ \"de-tmo\" ]; } );\n"
		"};\n";
	static const char *rules =
		"rules = (\n"
		"  { name = \"a\"; cgpa_in = \"partner:it-tim\"; action = \"drop\"; },\n"
		"  { name = \"b\"; cgpa_in = \"group:ipx-hub-b\"; action = \"drop\"; },\n"
		"  { name = \"c\"; link = \"ipx-q\"; action = \"drop\"; },\n"
		"  { name = \"d\"; partner_allows = \"ussd\"; action = \"drop\"; }\n"
		");\n";
	static const char *const want[] = {
		"site.conf:4: duplicate partner name 'fr-sfr' (first at line 2)",
		"site.conf:5: unknown operation \"noSuchOp\" in 'allow_opcodes'",
		"site.conf:3: unknown link 'ipx-z' in partner 'de-tmo' (site.links)",
		"site.conf:8: unknown partner 'es-mov' in group 'hub'",
		"site.conf:9: duplicate group name 'hub'",
		"rules.conf:2: unknown partner 'it-tim' (site file: site.partners)",
		"rules.conf:3: unknown group 'ipx-hub-b' (site file: site.groups)",
		"rules.conf:4: unknown link 'ipx-q' (site.links)",
		"rules.conf:5: 'partner_allows' takes the name of a number field (\"cgpa\")",
	};
	struct fx fx = { 0 };

	(void)state;
	assert_int_equal(fx_compile(&fx, rules, site), -EINVAL);
	printf("%s\n", fx.err);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (strstr(fx.err, want[i]) == NULL)
			fail_msg("missing \"%s\" in:\n%s", want[i], fx.err);
	fx_free(&fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_2000_partners),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_longest_prefix),
		cmocka_unit_test(test_bad_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
