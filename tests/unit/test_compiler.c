/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Policy compiler (control/compiler): every kind of bad input is refused with the right
 * "file:line: message" and no image; the same input gives the same image bytes and checksum;
 * a 100,000-entry GT blocklist from a file compiles (time and size printed) and matches;
 * language features over custom rule sets: lists from files, regexes, negation, rate limits,
 * monitor per rule and per policy, direction, integer sets.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <cmocka.h>

#include "control/compiler/compiler.h"
#include "dataplane/policy/image.h"
#include "dataplane/policy/policy.h"
#include "tests/common/msu_build.h"

#define SITE "patterns/site.example.conf"

static char tmpdir[256];

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sw-test-compiler.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *
write_file(const char *name, const char *text)
{
	static char path[4][512];
	static int k;
	char *p = path[k++ & 3];
	FILE *f;

	snprintf(p, 512, "%s/%s", tmpdir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

/* Compile rules text (with the example site unless site_text); returns rc, fills err. */
static int
compile_text(const char *rules, const char *site_text, struct sw_compiled *c, char *err,
	     size_t errlen)
{
	const char *rp = write_file("rules.conf", rules);
	const char *sp = site_text != NULL ? write_file("site.conf", site_text) : SITE;

	return sw_compile_files(rp, sp, 7, c, err, errlen);
}

struct bad {
	const char *what;
	const char *rules;
	const char *site;   /* NULL: the example site */
	const char *expect; /* substring of the error, after the file name */
};

static const struct bad bad_inputs[] = {
	{ "syntax error", "rules = (\n { name = \"a\"; action = ; }\n);\n", NULL,
	  "rules.conf:2: syntax error" },
	{ "unknown top-level key", "policy = { default = \"allow\"; };\nfoo = 1;\n"
				   "rules = ({ name = \"a\"; action = \"drop\"; });\n",
	  NULL, "rules.conf:2: unknown key 'foo' in rule file" },
	{ "unknown policy key", "policy = {\n defualt = \"allow\"; };\n"
				"rules = ({ name = \"a\"; action = \"drop\"; });\n",
	  NULL, "rules.conf:2: unknown key 'defualt' in 'policy'" },
	{ "unknown field", "rules = (\n{ name = \"a\"; action = \"drop\";\n cgpz = \"49\"; }\n);\n",
	  NULL, "rules.conf:3: unknown field or key 'cgpz'" },
	{ "unknown relation field", "rules = (\n{ name = \"a\"; action = \"drop\"; foo_in = \"home\"; }\n);\n",
	  NULL, "rules.conf:2: unknown field 'foo' in 'foo_in'" },
	{ "wrong type (bool for an int field)",
	  "rules = (\n{ name = \"a\"; action = \"drop\";\n\n opc = true; }\n);\n", NULL,
	  "rules.conf:4: 'opc' takes an integer, a name or \"@list\", not a boolean" },
	{ "wrong type (string for monitor)",
	  "rules = (\n{ name = \"a\"; action = \"drop\"; monitor = \"yes\"; }\n);\n", NULL,
	  "rules.conf:2: 'monitor' must be true or false" },
	{ "wrong type (int for a string field)",
	  "rules = (\n{ name = \"a\"; action = \"drop\"; cgpa = 49; }\n);\n", NULL,
	  "rules.conf:2: 'cgpa' takes strings" },
	{ "unknown action", "rules = (\n{ name = \"a\"; action = \"refuse\"; }\n);\n", NULL,
	  "rules.conf:2: unknown action \"refuse\"" },
	{ "invalid inline regex",
	  "rules = (\n{ name = \"a\"; action = \"drop\";\n ussd = \"/(unclosed/\"; }\n);\n", NULL,
	  "rules.conf:3: invalid regex \"(unclosed\" in 'ussd'" },
	{ "invalid regex in a list",
	  "lists = { bad = { type = \"regex\";\n entries = [ \"ok.*\",\n \"[z-a]\" ]; }; };\n"
	  "rules = ({ name = \"a\"; action = \"drop\"; ussd = \"@bad\"; });\n",
	  NULL, "rules.conf:3: invalid regex \"[z-a]\" in list 'bad'" },
	{ "duplicate rule name",
	  "rules = (\n{ name = \"a\"; action = \"drop\"; },\n{ name = \"a\"; action = \"allow\"; }\n);\n",
	  NULL, "rules.conf:3: duplicate rule name 'a' (first at line 2)" },
	{ "unknown list",
	  "rules = (\n{ name = \"a\"; action = \"drop\";\n opcode = \"@nope\"; }\n);\n", NULL,
	  "rules.conf:3: unknown list 'nope'" },
	{ "unknown list in a relation",
	  "rules = (\n{ name = \"a\"; action = \"drop\"; cgpa_in = \"nope\"; }\n);\n", NULL,
	  "rules.conf:2: unknown list 'nope'" },
	{ "list of the wrong type",
	  "lists = { ops = { type = \"opcode\"; entries = [ 2 ]; }; };\n"
	  "rules = (\n{ name = \"a\"; action = \"drop\"; cgpa = \"@ops\"; }\n);\n",
	  NULL, "rules.conf:3: list 'ops' is a opcode list, 'cgpa' needs a prefix or regex list" },
	{ "empty rule set", "policy = { default = \"drop\"; };\nrules = ();\n", NULL,
	  "rules.conf:2: empty rule set" },
	{ "no rules at all", "policy = { default = \"drop\"; };\n", NULL,
	  "rules.conf:1: empty rule set" },
	{ "unreadable list file",
	  "lists = {\n gt = { type = \"prefix\";\n file = \"missing-list.txt\"; };\n};\n"
	  "rules = ({ name = \"a\"; action = \"drop\"; cgpa = \"@gt\"; });\n",
	  NULL, "rules.conf:3: cannot read list file" },
	{ "unknown MAP operation",
	  "rules = (\n{ name = \"a\"; action = \"drop\"; opcode = \"sendRoutingInfoo\"; }\n);\n",
	  NULL, "rules.conf:2: unknown value \"sendRoutingInfoo\" for 'opcode'" },
	{ "invalid prefix", "rules = (\n{ name = \"a\"; action = \"drop\"; cgpa = \"49x1\"; }\n);\n",
	  NULL, "rules.conf:2: invalid prefix \"49x1\" for 'cgpa'" },
	{ "rate-limit without rate",
	  "rules = (\n{ name = \"a\"; action = \"rate-limit\"; }\n);\n", NULL,
	  "rules.conf:2: rule 'a': rate-limit needs" },
	{ "rule without a name", "rules = (\n{ action = \"drop\"; }\n);\n", NULL,
	  "rules.conf:2: a rule needs a non-empty string 'name'" },
	{ "network of a text field",
	  "rules = (\n{ name = \"a\"; action = \"drop\"; ussd_in = \"home\"; }\n);\n", NULL,
	  "rules.conf:2: 'ussd' has no network" },
	{ "site: syntax error", "rules = ({ name = \"a\"; action = \"drop\"; });\n",
	  "site = {\n name = \"x\";\n home = { gt = ; }; };\n", "site.conf:3: syntax error" },
	{ "site: missing home", "rules = ({ name = \"a\"; action = \"drop\"; });\n",
	  "site = {\n name = \"x\";\n};\n", "site.conf:1: missing group 'site.home'" },
	{ "site: unknown key", "rules = ({ name = \"a\"; action = \"drop\"; });\n",
	  "site = { name = \"x\"; home = { plmn = [\"65501\"]; gt = [\"2782\"];\n gts = [\"1\"]; }; };\n",
	  "site.conf:2: unknown key 'gts' in 'site.home'" },
	{ "site: wrong type", "rules = ({ name = \"a\"; action = \"drop\"; });\n",
	  "site = { name = \"x\"; home = { plmn = [\"65501\"]; gt = [\"2782\"];\n point_codes = [ \"1001\" ]; }; };\n",
	  "site.conf:2: 'point_codes' must be a list of integers" },
	{ "site: link without side", "rules = ({ name = \"a\"; action = \"drop\"; });\n",
	  "site = { name = \"x\"; home = { plmn = [\"65501\"]; gt = [\"2782\"]; };\n links = (\n { name = \"ipx\"; peers = [\"192.0.2.0/24\"]; } ); };\n",
	  "site.conf:3: link 'ipx' needs 'side' = \"outside\" or \"inside\"" },
	{ "site: bad peer", "rules = ({ name = \"a\"; action = \"drop\"; });\n",
	  "site = { name = \"x\"; home = { plmn = [\"65501\"]; gt = [\"2782\"]; };\n links = (\n { name = \"ipx\"; side = \"outside\";\n peers = [\"192.0.2.300/24\"]; } ); };\n",
	  "site.conf:4: invalid peer address \"192.0.2.300/24\"" },
	{ "site: peer host bits", "rules = ({ name = \"a\"; action = \"drop\"; });\n",
	  "site = { name = \"x\"; home = { plmn = [\"65501\"]; gt = [\"2782\"]; };\n links = (\n { name = \"ipx\"; side = \"outside\";\n peers = [\"192.0.2.1/24\"]; } ); };\n",
	  "site.conf:4: peer \"192.0.2.1/24\" has address bits set past /24" },
	{ "site: peer prefix length", "rules = ({ name = \"a\"; action = \"drop\"; });\n",
	  "site = { name = \"x\"; home = { plmn = [\"65501\"]; gt = [\"2782\"]; };\n links = (\n { name = \"ipx\"; side = \"outside\";\n peers = [\"2001:db8::/129\"]; } ); };\n",
	  "site.conf:4: invalid prefix length in peer \"2001:db8::/129\" (0-128)" },
	{ "site: duplicate link", "rules = ({ name = \"a\"; action = \"drop\"; });\n",
	  "site = { name = \"x\"; home = { plmn = [\"65501\"]; gt = [\"2782\"]; };\n links = (\n { name = \"ipx\"; side = \"outside\"; peers = [\"10.0.0.0/8\"]; },\n"
	  " { name = \"ipx\"; side = \"inside\"; peers = [\"10.1.0.0/16\"]; } ); };\n",
	  "site.conf:4: duplicate link name 'ipx' (first at line 3)" },
	{ "site: peer in two links", "rules = ({ name = \"a\"; action = \"drop\"; });\n",
	  "site = { name = \"x\"; home = { plmn = [\"65501\"]; gt = [\"2782\"]; };\n links = (\n { name = \"a\"; side = \"outside\"; peers = [\"10.0.0.0/8\"]; },\n"
	  " { name = \"b\"; side = \"inside\"; peers = [\"10.0.0.0/8\"]; } ); };\n",
	  "site.conf:4: peer \"10.0.0.0/8\" is already a peer of link 'a'" },
	{ "site: link without peers", "rules = ({ name = \"a\"; action = \"drop\"; });\n",
	  "site = { name = \"x\"; home = { plmn = [\"65501\"]; gt = [\"2782\"]; };\n links = (\n { name = \"a\"; side = \"outside\"; peers = []; } ); };\n",
	  "site.conf:3: link 'a' needs a non-empty list 'peers'" },
};

static void
test_bad_input(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++) {
		const struct bad *b = &bad_inputs[i];
		struct sw_compiled c;
		char err[512], want[600];
		int rc = compile_text(b->rules, b->site, &c, err, sizeof(err));

		snprintf(want, sizeof(want), "%s/%s", tmpdir, b->expect);
		printf("  %-40s -> %s\n", b->what, rc != 0 ? err : "(accepted)");
		if (rc != -EINVAL)
			fail_msg("%s: rc %d, expected -EINVAL", b->what, rc);
		assert_null(c.image);
		/* file:line: with the file as libconfig names it (included files: as written) */
		if (strstr(err, b->expect) == NULL)
			fail_msg("%s: got \"%s\", expected \"%s\"", b->what, err, b->expect);
		if (strncmp(err, tmpdir, strlen(tmpdir)) != 0 && strncmp(err, "rules.conf", 10) != 0)
			fail_msg("%s: message does not start with the file: %s", b->what, err);
		(void)want;
	}
}

/* site.links (issue 18 Deliver 2 keys): the link of a source address, most specific first, and
 * the direction it gives (issue 13 Deliver 1). */
static void
test_links(void **state)
{
	static const char *site =
		"site = { name = \"x\"; home = { plmn = [\"65501\"]; gt = [\"27820\"];\n"
		" point_codes = [ 1001 ]; };\n"
		" links = (\n"
		"  { name = \"ipx-a\"; side = \"outside\"; peers = [ \"192.0.2.0/24\", \"2001:db8::/32\" ]; },\n"
		"  { name = \"core\"; side = \"inside\"; peers = [ \"10.2.0.0/16\" ]; },\n"
		"  { name = \"core-stp\"; side = \"outside\"; peers = [ \"10.2.3.4\" ]; }\n"
		" ); };\n";
	static const struct {
		int ver;
		const char *src;
		const char *link;
		unsigned inspect, port1;
	} cases[] = {
		{ 4, "192.0.2.77", "ipx-a", SW_SIDE_OUTSIDE, SW_SIDE_OUTSIDE },
		{ 6, "2001:db8:1::5", "ipx-a", SW_SIDE_OUTSIDE, SW_SIDE_OUTSIDE },
		{ 4, "10.2.9.9", "core", SW_SIDE_INSIDE, SW_SIDE_INSIDE },
		{ 4, "10.2.3.4", "core-stp", SW_SIDE_OUTSIDE, SW_SIDE_OUTSIDE }, /* /32 beats /16 */
		{ 4, "10.3.0.1", NULL, SW_SIDE_OUTSIDE, SW_SIDE_INSIDE },      /* no link */
		{ 6, "2001:db9::1", NULL, SW_SIDE_OUTSIDE, SW_SIDE_INSIDE },
	};
	struct sw_compiled c;
	struct sw_policy_ctx *ctx;
	char err[512];
	struct sw_msu m;

	(void)state;
	if (compile_text("rules = ({ name = \"a\"; direction = \"outside\"; cgpa_in = \"home\";"
			 " action = \"drop\"; });\n", site, &c, err, sizeof(err)) != 0)
		fail_msg("compile: %s", err);
	ctx = sw_policy_ctx_new();
	assert_non_null(ctx);
	assert_int_equal(sw_policy_ctx_bind(ctx, c.image), 0);
	assert_string_equal(sw_image_link_name(c.image, 1), "core");
	assert_null(sw_image_link_name(c.image, 3));
	t_map(&m, "27820000010", "27820000020", 71, NULL);
	m.m3ua.opc = 1001; /* a home OPC: with links, the address decides, not the OPC */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sw_pkt pkt;
		memset(&pkt, 0, sizeof(pkt));
		pkt.ip_ver = (uint8_t)cases[i].ver;
		assert_int_equal(inet_pton(cases[i].ver == 4 ? AF_INET : AF_INET6, cases[i].src,
					   pkt.src), 1);
		int l = sw_policy_link(ctx, &pkt);
		if (cases[i].link == NULL)
			assert_int_equal(l, -1);
		else
			assert_string_equal(sw_image_link_name(c.image, l), cases[i].link);
		assert_int_equal(sw_policy_direction(ctx, &pkt, &m, 0, SW_DIR_ADDRESS),
				 cases[i].inspect);
		/* inline: the port, but a source of an outside link on the inside port is a spoof */
		assert_int_equal(sw_policy_direction(ctx, &pkt, &m, 0, SW_DIR_PORT), SW_SIDE_OUTSIDE);
		assert_int_equal(sw_policy_direction(ctx, &pkt, &m, 1, SW_DIR_PORT), cases[i].port1);
		unsigned d = sw_policy_direction(ctx, &pkt, &m, 0, SW_DIR_ADDRESS);
		assert_int_equal(sw_policy_eval(ctx, &pkt, &m, d, 0).action,
				 d == SW_SIDE_OUTSIDE ? SW_ACTION_DROP : SW_ACTION_ALLOW);
	}
	sw_policy_ctx_free(ctx);
	sw_compiled_free(&c);
}

/* Issue 18 Deliver 5: `check` reports every error of a run, and warns on what compiles but is
 * probably wrong. */
static void
test_all_errors_and_warnings(void **state)
{
	static const char *bad_rules =
		"lists = {\n"
		" b = { type = \"opcode\"; entries = [ \"sendIMSI\", \"bogusOp\" ]; };\n"
		"};\n"
		"rules = (\n"
		" { name = \"r1\"; action = \"drop\"; opc = 1; },\n"
		" { name = \"r2\"; opcode = \"@nosuch\"; action = \"drop\"; },\n"
		" { name = \"r3\"; cgpz = \"1\"; action = \"drop\"; },\n"
		" { name = \"r1\"; action = \"allow\"; }\n"
		");\n";
	static const char *warn_rules =
		"lists = { a = { type = \"prefix\"; entries = [ \"49\", \"33\",\n \"49\" ]; }; };\n"
		"rules = (\n"
		" { name = \"r1\"; cgpa = \"@a\"; action = \"drop\"; },\n"
		" { name = \"r2\"; cgpa = \"@a\"; opc = 5; action = \"drop\"; },\n"
		" { name = \"r3\"; opc = [ 5, 6 ]; action = \"alert\"; },\n"
		" { name = \"r4\"; opc = [ 6, 5 ]; dpc = 1; action = \"alert\"; },\n"
		" { name = \"r5\"; opc = [ 6, 5 ]; malformed = true; action = \"alert\"; }\n"
		");\n";
	static const char *warn_site =
		"site = { name = \"x\"; home = { plmn = [ \"65501\", \"655\" ]; gt = [ \"2782\" ]; };\n"
		" partners = ( { name = \"P1\"; plmn = [ \"20\" ]; gt = [ \"27821\", \"33\" ]; },\n"
		"  { name = \"P2\"; plmn = [ \"20801\" ]; gt = [ \"331\" ]; } ); };\n";
	static const char *const want_err[] = {
		"rules.conf:2: unknown MAP operation \"bogusOp\" in list 'b'",
		"rules.conf:6: unknown list 'nosuch'",
		"rules.conf:7: unknown field or key 'cgpz'",
		"rules.conf:8: duplicate rule name 'r1' (first at line 5)",
	};
	static const char *const want_warn[] = {
		"rules.conf:2: warning: duplicate entry \"49\" in list 'a' (first at line 1)",
		"rules.conf:5: warning: rule 'r2' can never match: rule 'r1' (line 4)",
		"rules.conf:7: warning: rule 'r4' can never match: rule 'r3' (line 6)",
		"site.conf:1: warning: home plmn \"655\" is not 5-6 digits",
		"site.conf:2: warning: partner 'P1' plmn \"20\" is not 5-6 digits",
		"site.conf:2: warning: partner 'P1' gt \"27821\" overlaps the home range \"2782\"",
		"site.conf:3: warning: partner 'P2' gt \"331\" overlaps partner 'P1' \"33\"",
		"site.conf:3: warning: partner 'P2' plmn \"20801\" overlaps partner 'P1' \"20\"",
	};
	struct sw_compile_opts opts = { .all_errors = true };
	struct sw_compiled c;
	char err[4096], *wbuf = NULL;
	size_t wlen = 0;
	const char *rp;

	(void)state;
	/* every error, one line each; by default only the first */
	rp = write_file("rules.conf", bad_rules);
	assert_int_equal(sw_compile_files_opts(rp, SITE, 1, &opts, &c, err, sizeof(err)), -EINVAL);
	printf("%s\n", err);
	for (size_t i = 0; i < sizeof(want_err) / sizeof(want_err[0]); i++)
		if (strstr(err, want_err[i]) == NULL)
			fail_msg("missing error \"%s\" in:\n%s", want_err[i], err);
	assert_int_equal(sw_compile_files(rp, SITE, 1, &c, err, sizeof(err)), -EINVAL);
	assert_null(strchr(err, '\n'));
	assert_non_null(strstr(err, want_err[0]));

	/* warnings: compiled all the same */
	opts.warn = open_memstream(&wbuf, &wlen);
	assert_non_null(opts.warn);
	rp = write_file("rules.conf", warn_rules);
	const char *sp = write_file("site.conf", warn_site);
	if (sw_compile_files_opts(rp, sp, 1, &opts, &c, err, sizeof(err)) != 0)
		fail_msg("compile: %s", err);
	fclose(opts.warn);
	printf("%s", wbuf);
	assert_int_equal(c.nwarnings, sizeof(want_warn) / sizeof(want_warn[0]));
	for (size_t i = 0; i < sizeof(want_warn) / sizeof(want_warn[0]); i++)
		if (strstr(wbuf, want_warn[i]) == NULL)
			fail_msg("missing warning \"%s\" in:\n%s", want_warn[i], wbuf);
	sw_compiled_free(&c);
	free(wbuf);

	/* the shipped policy has none */
	wbuf = NULL;
	opts.warn = open_memstream(&wbuf, &wlen);
	assert_int_equal(sw_compile_files_opts("patterns/default.conf", SITE, 1, &opts, &c, err,
					       sizeof(err)), 0);
	fclose(opts.warn);
	if (c.nwarnings != 0)
		fail_msg("shipped policy: %s", wbuf);
	sw_compiled_free(&c);
	free(wbuf);
}

static void
test_deterministic(void **state)
{
	struct sw_compiled a, b;
	char err[512];

	(void)state;
	assert_int_equal(sw_compile_files("patterns/default.conf", SITE, 5, &a, err, sizeof(err)), 0);
	assert_int_equal(sw_compile_files("patterns/default.conf", SITE, 5, &b, err, sizeof(err)), 0);
	assert_int_equal(a.size, b.size);
	assert_int_equal(sw_image_checksum(a.image), sw_image_checksum(b.image));
	assert_memory_equal(a.image, b.image, a.size);
	sw_compiled_free(&b);
	/* Another generation: same checksum (it covers the body), different header. */
	assert_int_equal(sw_compile_files("patterns/default.conf", SITE, 6, &b, err, sizeof(err)), 0);
	assert_int_equal(sw_image_checksum(a.image), sw_image_checksum(b.image));
	assert_int_equal(sw_image_generation(b.image), 6);
	printf("  shipped rules: checksum %016llx, %zu bytes, %.1f ms\n",
	       (unsigned long long)sw_image_checksum(a.image), a.size, a.compile_ms);
	sw_compiled_free(&b);
	/* Another rule set: another checksum. */
	assert_int_equal(compile_text("rules = ({ name = \"a\"; action = \"drop\"; opc = 1; });\n",
				      NULL, &b, err, sizeof(err)), 0);
	assert_true(sw_image_checksum(a.image) != sw_image_checksum(b.image));
	sw_compiled_free(&a);
	sw_compiled_free(&b);
}

static struct sw_verdict
eval_once(const struct sw_compiled *c, const struct sw_msu *m, unsigned port)
{
	struct sw_policy_ctx *ctx = sw_policy_ctx_new();
	struct sw_verdict v;

	assert_non_null(ctx);
	assert_int_equal(sw_policy_ctx_bind(ctx, c->image), 0);
	v = sw_policy_eval(ctx, NULL, m, port, 0);
	sw_policy_ctx_free(ctx);
	return v;
}

static void
test_blocklist_100k(void **state)
{
	char path[512], rules[2048], err[512];
	struct sw_compiled c;
	struct sw_msu m;
	FILE *f;
	uint64_t x = 88172645463325252ull;
	char first[24] = "", last[24] = "";

	(void)state;
	snprintf(path, sizeof(path), "%s/gt-blocklist.txt", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "# 100,000 GT prefixes, one per line\n");
	for (int i = 0; i < 100000; i++) {
		char p[24];
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* 8 to 12 digit prefixes under country codes the example site does not use */
		snprintf(p, sizeof(p), "%u%0*llu", 90 + (unsigned)(x % 8), 6 + (int)(x >> 60) % 5,
			 (unsigned long long)((x >> 8) % 10000000000ull) % (unsigned long long)
			 (i % 2 ? 1000000ull : 100000000ull));
		fprintf(f, "%s\n", p);
		if (i == 0)
			snprintf(first, sizeof(first), "%s", p);
		snprintf(last, sizeof(last), "%s", p);
	}
	fclose(f);
	snprintf(rules, sizeof(rules),
		 "policy = { name = \"blocklist\"; default = \"allow\"; };\n"
		 "lists = { gt_block = { type = \"prefix\"; file = \"gt-blocklist.txt\"; }; };\n"
		 "rules = ( { name = \"gt-blocklist\"; cgpa = \"@gt_block\"; action = \"drop\"; },\n"
		 "  { name = \"cdpa-blocklist\"; cdpa_in = \"gt_block\"; action = \"alert\"; } );\n");
	assert_int_equal(compile_text(rules, NULL, &c, err, sizeof(err)), 0);
	printf("  100k blocklist: compile %.1f ms, image %zu bytes (%.2f MiB), cgpa patterns %u\n",
	       c.compile_ms, c.size, (double)c.size / 1048576.0, c.npatterns[SW_SF_CGPA]);
	assert_int_equal(c.npatterns[SW_SF_CGPA], 100000);
	char gt[40];
	snprintf(gt, sizeof(gt), "%s12", first);
	t_map(&m, gt, T_HOME_HLR, 46, NULL);
	assert_int_equal(eval_once(&c, &m, 0).action, SW_ACTION_DROP);
	snprintf(gt, sizeof(gt), "%s9", last);
	t_map(&m, gt, T_HOME_HLR, 46, NULL);
	assert_int_equal(eval_once(&c, &m, 0).action, SW_ACTION_DROP);
	t_map(&m, T_DE_GT, gt, 46, NULL);
	struct sw_verdict v = eval_once(&c, &m, 0);
	assert_int_equal(v.action, SW_ACTION_ALERT);
	assert_string_equal(sw_image_rule_name(c.image, v.rule), "cdpa-blocklist");
	t_map(&m, T_DE_GT, T_HOME_HLR, 46, NULL);
	assert_int_equal(eval_once(&c, &m, 0).action, SW_ACTION_ALLOW);
	/* a prefix of a listed prefix is not listed */
	snprintf(gt, sizeof(gt), "%.*s", (int)strlen(first) - 1, first);
	t_map(&m, gt, T_HOME_HLR, 46, NULL);
	assert_int_equal(eval_once(&c, &m, 0).action, SW_ACTION_ALLOW);
	sw_compiled_free(&c);
}

static void
test_language(void **state)
{
	struct sw_compiled c;
	struct sw_msu m;
	struct sw_verdict v;
	char err[512];
	const char *rules =
		"policy = { default = \"allow\"; malformed = \"alert\"; };\n"
		"lists = {\n"
		"  bad_ussd = { type = \"regex\"; entries = [ \"(?i)pin\", \"\\\\*21\\\\*\" ]; };\n"
		"  ops = { type = \"opcode\"; entries = ( \"sendRoutingInfoForSM\", 45, 46 ); };\n"
		"  pcs = { type = \"pc\"; entries = [ 4000, 4001 ]; };\n"
		"  ssns = { type = \"int\"; entries = [ 6, 7 ]; };\n"
		"};\n"
		"rules = (\n"
		"  { name = \"ussd-text\"; ussd = \"@bad_ussd\"; action = \"drop\"; },\n"
		"  { name = \"inside-only\"; direction = \"inside\"; opcode = 71; action = \"allow\"; },\n"
		"  { name = \"monitored\"; opcode = 71; action = \"drop\"; monitor = true; },\n"
		"  { name = \"sms-ratelimit\"; component = \"invoke\"; opcode = \"@ops\";\n"
		"    action = \"rate-limit\"; rate = { rate = 1; burst = 2; key = \"cgpa\"; }; },\n"
		"  { name = \"pc-ssn\"; opc_in = \"pcs\"; cgpa_ssn = \"@ssns\"; tcap = \"begin\";\n"
		"    not = { cgpa = [ \"4917\", \"/^33/\" ]; }; action = \"alert\"; },\n"
		"  { name = \"acn\"; acn = \"/^0\\\\.4\\\\.0\\\\.0\\\\.1\\\\.0\\\\.19\\\\./\"; action = \"drop\"; }\n"
		");\n";

	(void)state;
	if (compile_text(rules, NULL, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	struct sw_policy_ctx *ctx = sw_policy_ctx_new();
	assert_int_equal(sw_policy_ctx_bind(ctx, c.image), 0);

	/* regex list over the USSD text */
	t_map(&m, T_FOREIGN_GT, T_HOME_VLR, 60, NULL);
	snprintf(m.map.ussd, sizeof(m.map.ussd), "Reply with your PIN");
	m.map.ussd_len = (uint16_t)strlen(m.map.ussd);
	v = sw_policy_eval(ctx, NULL, &m, 0, 0);
	assert_int_equal(v.action, SW_ACTION_DROP);
	assert_string_equal(sw_image_rule_name(c.image, v.rule), "ussd-text");
	snprintf(m.map.ussd, sizeof(m.map.ussd), "Balance: 10 EUR");
	m.map.ussd_len = (uint16_t)strlen(m.map.ussd);
	m.m3ua.opc = 1001;
	v = sw_policy_eval(ctx, NULL, &m, 0, 0);
	assert_int_equal(v.rule, SW_RULE_DEFAULT);

	/* direction, then monitor per rule: drop becomes alert */
	t_map(&m, T_FOREIGN_GT, T_HOME_HLR, 71, NULL);
	v = sw_policy_eval(ctx, NULL, &m, 1, 0);
	assert_string_equal(sw_image_rule_name(c.image, v.rule), "inside-only");
	assert_int_equal(v.action, SW_ACTION_ALLOW);
	v = sw_policy_eval(ctx, NULL, &m, 0, 0);
	assert_string_equal(sw_image_rule_name(c.image, v.rule), "monitored");
	assert_int_equal(v.action, SW_ACTION_ALERT);
	assert_true(v.monitor);

	/* rate limit 1/s, burst 2, per calling GT; cache hits still charge the bucket */
	t_map(&m, T_FR_GT, T_HOME_HLR, 45, NULL);
	m.m3ua.opc = 1001;
	uint64_t t = 5000000000ull;
	assert_int_equal(sw_policy_eval(ctx, NULL, &m, 0, t).action, SW_ACTION_ALLOW);
	assert_int_equal(sw_policy_eval(ctx, NULL, &m, 0, t).action, SW_ACTION_ALLOW);
	v = sw_policy_eval(ctx, NULL, &m, 0, t);
	assert_int_equal(v.action, SW_ACTION_DROP);
	assert_string_equal(sw_image_rule_name(c.image, v.rule), "sms-ratelimit");
	t_map(&m, T_DE_GT, T_HOME_HLR, 46, NULL); /* another key: its own bucket */
	m.m3ua.opc = 1001;
	assert_int_equal(sw_policy_eval(ctx, NULL, &m, 0, t).action, SW_ACTION_ALLOW);
	t_map(&m, T_FR_GT, T_HOME_HLR, 45, NULL);
	m.m3ua.opc = 1001;
	assert_int_equal(sw_policy_eval(ctx, NULL, &m, 0, t + 1000).action, SW_ACTION_DROP);
	assert_int_equal(sw_policy_eval(ctx, NULL, &m, 0, t + 1100000000ull).action,
			 SW_ACTION_ALLOW);

	/* point-code list, int list, tcap type, negated prefix and regex */
	t_map(&m, "2547220123", T_HOME_HLR, 2, NULL);
	v = sw_policy_eval(ctx, NULL, &m, 0, 0);
	assert_string_equal(sw_image_rule_name(c.image, v.rule), "pc-ssn");
	t_map(&m, T_FR_GT, T_HOME_HLR, 2, NULL);
	assert_int_equal(sw_policy_eval(ctx, NULL, &m, 0, 0).rule, SW_RULE_DEFAULT);
	t_map(&m, "2547220123", T_HOME_HLR, 2, NULL);
	m.m3ua.opc = 4002;
	assert_int_equal(sw_policy_eval(ctx, NULL, &m, 0, 0).rule, SW_RULE_DEFAULT);

	/* application context name as dotted text: networkUnstructuredSsContext-v2 */
	static const uint8_t acn[] = { 0x04, 0x00, 0x00, 0x01, 0x00, 0x13, 0x02 };
	t_map(&m, T_FR_GT, T_HOME_HLR, 2, NULL);
	m.m3ua.opc = 1001;
	m.has |= SW_HAS_ACN;
	m.tcap.acn_len = sizeof(acn);
	memcpy(m.tcap.acn, acn, sizeof(acn));
	v = sw_policy_eval(ctx, NULL, &m, 0, 0);
	assert_string_equal(sw_image_rule_name(c.image, v.rule), "acn");

	/* malformed action of the policy */
	m.mal = SW_MAL_TCAP_LEN;
	v = sw_policy_eval(ctx, NULL, &m, 0, 0);
	assert_int_equal(v.rule, SW_RULE_MALFORMED);
	assert_int_equal(v.action, SW_ACTION_ALERT);
	sw_policy_ctx_free(ctx);
	sw_compiled_free(&c);

	/* the whole policy in monitor state */
	assert_int_equal(compile_text("policy = { monitor = true; default = \"drop\"; };\n"
				      "rules = ({ name = \"d\"; opcode = 71; action = \"drop\"; });\n",
				      NULL, &c, err, sizeof(err)), 0);
	t_map(&m, T_FOREIGN_GT, T_HOME_HLR, 71, NULL);
	v = eval_once(&c, &m, 0);
	assert_int_equal(v.action, SW_ACTION_ALERT);
	assert_true(v.monitor);
	t_map(&m, T_FOREIGN_GT, T_HOME_HLR, 2, NULL);
	v = eval_once(&c, &m, 0);
	assert_int_equal(v.rule, SW_RULE_DEFAULT);
	assert_int_equal(v.action, SW_ACTION_ALERT);
	sw_compiled_free(&c);
}

/* The same prefixes give the same verdicts whether a field keeps them in Hyperscan (few) or
 * moves them to its prefix table (more than SW_HS_PREFIX_MAX in total, site ranges included):
 * list atoms and network resolution both. */
static void
test_prefix_table_equivalence(void **state)
{
	char rules[32768], err[512];
	int nfill[2] = { 10, SW_HS_PREFIX_MAX + 50 };

	(void)state;
	for (int mode = 0; mode < 2; mode++) {
		struct sw_compiled c;
		struct sw_msu m;
		struct sw_verdict v;
		size_t n = 0;

		/* inline values: each its own pattern, so mode 1 moves the whole field (the site's
		 * home and partner ranges included) to the prefix table */
		n += (size_t)snprintf(rules + n, sizeof(rules) - n,
				      "rules = (\n{ name = \"listed\"; action = \"drop\"; cgpa = [ "
				      "\"8613\", \"86139\", \"491720999\"");
		for (int i = 0; i < nfill[mode]; i++)
			n += (size_t)snprintf(rules + n, sizeof(rules) - n, ", \"7%07d\"", i * 7);
		snprintf(rules + n, sizeof(rules) - n,
			 " ]; },\n"
			 "{ name = \"same-net\"; imsi_network = \"cgpa\"; action = \"alert\"; },\n"
			 "{ name = \"partner\"; cgpa_in = \"partner\"; action = \"allow\"; }\n);\n");
		if (compile_text(rules, NULL, &c, err, sizeof(err)) != 0)
			fail_msg("%s", err);
		const struct sw_image_hdr *h = c.image;
		printf("  mode %d: cgpa database %s, prefix table %u slots\n", mode,
		       h->fields[SW_SF_CGPA].db_off ? "yes" : "no", h->fields[SW_SF_CGPA].ptab_nslots);
		assert_true(mode == 0 ? h->fields[SW_SF_CGPA].ptab_off == 0 &&
						h->fields[SW_SF_CGPA].db_off != 0
				      : h->fields[SW_SF_CGPA].ptab_off != 0 &&
						h->fields[SW_SF_CGPA].db_off == 0);
		t_map(&m, "8613912345678", T_HOME_HLR, 2, NULL);
		v = eval_once(&c, &m, 0);
		assert_string_equal(sw_image_rule_name(c.image, v.rule), "listed");
		t_map(&m, "4917209991234", T_HOME_HLR, 2, NULL); /* listed and a partner GT */
		assert_string_equal(sw_image_rule_name(c.image, eval_once(&c, &m, 0).rule), "listed");
		t_map(&m, "4917201234", T_HOME_HLR, 2, T_DE_IMSI);
		assert_string_equal(sw_image_rule_name(c.image, eval_once(&c, &m, 0).rule), "same-net");
		t_map(&m, "4917201234", T_HOME_HLR, 2, T_FR_IMSI);
		assert_string_equal(sw_image_rule_name(c.image, eval_once(&c, &m, 0).rule), "partner");
		t_map(&m, "27820000010", T_HOME_HLR, 2, T_HOME_IMSI); /* home == home */
		assert_string_equal(sw_image_rule_name(c.image, eval_once(&c, &m, 0).rule), "same-net");
		t_map(&m, "861", T_HOME_HLR, 2, NULL); /* shorter than every listed prefix */
		assert_int_equal(eval_once(&c, &m, 0).rule, SW_RULE_DEFAULT);
		t_map(&m, "70000007", T_HOME_HLR, 2, NULL);
		assert_string_equal(sw_image_rule_name(c.image, eval_once(&c, &m, 0).rule), "listed");
		sw_compiled_free(&c);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_all_errors_and_warnings),
		cmocka_unit_test(test_language),
		cmocka_unit_test(test_blocklist_100k),
		cmocka_unit_test(test_prefix_table_equivalence),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
