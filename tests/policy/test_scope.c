/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interconnect scope (issue 18 Deliver 2): conditions on the ingress port, the link of the
 * source address, the M3UA routing context, the SCTP ports of the association, and a partner
 * bound to its links (a GT of partner X arriving over any other link is dropped).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "fixture.h"
#include "tests/common/msu_build.h"

static const char *const site =
	"site = { name = \"x\"; home = { plmn = [ \"65501\" ]; gt = [ \"27820\" ]; };\n"
	" partners = ( { name = \"fr\"; gt = [ \"336090\" ]; links = [ \"ipx-a\" ]; },\n"
	"  { name = \"de\"; gt = [ \"491720\" ]; } );\n"
	" links = ( { name = \"ipx-a\"; side = \"outside\"; peers = [ \"192.0.2.0/24\" ]; },\n"
	"  { name = \"ipx-b\"; side = \"outside\"; peers = [ \"198.51.100.0/24\" ]; } ); };\n";
static const char *const rules =
	"rules = (\n"
	"  { name = \"spoof\"; partner_wrong_link = \"cgpa\"; action = \"drop\"; },\n"
	"  { name = \"rc\"; rctx = 7; action = \"alert\"; },\n"
	"  { name = \"port-b\"; port = \"B\"; link = \"ipx-b\"; action = \"drop\"; },\n"
	"  { name = \"sctp\"; remote_port = 3000; local_port = 2905; action = \"alert\"; }\n"
	");\n";

static const char *
rule_of(struct fx *fx, const char *cgpa, const char *src, unsigned port, uint32_t rctx,
	uint16_t sport)
{
	struct sw_msu m;
	struct sw_pkt pkt;

	memset(&pkt, 0, sizeof(pkt));
	pkt.ip_ver = 4;
	pkt.sctp = true;
	pkt.sport = sport;
	pkt.dport = 2905;
	assert_int_equal(inet_pton(AF_INET, src, pkt.src), 1);
	t_map(&m, cgpa, T_HOME_HLR, 22, NULL);
	if (rctx != 0) {
		m.has |= SW_HAS_RCTX;
		m.m3ua.rctx = rctx;
	}
	sw_policy_ctx_set_port(fx->ctx, port);
	return fx_rule(fx, sw_policy_eval(fx->ctx, &pkt, &m, SW_SIDE_OUTSIDE, 0));
}

static void
test_scope(void **state)
{
	struct fx fx = { 0 };

	(void)state;
	if (fx_compile(&fx, rules, site) != 0)
		fail_msg("compile: %s", fx.err);
	for (int k = 0; k < 2; k++) { /* miss, then cache hit */
		assert_string_equal(rule_of(&fx, "336090123", "192.0.2.9", 0, 0, 1), "default");
		assert_string_equal(rule_of(&fx, "336090123", "198.51.100.9", 0, 0, 1), "spoof");
		assert_string_equal(rule_of(&fx, "336090123", "203.0.113.9", 0, 0, 1), "spoof");
		assert_string_equal(rule_of(&fx, "491720123", "203.0.113.9", 0, 0, 1), "default");
		assert_string_equal(rule_of(&fx, "491720123", "203.0.113.9", 0, 7, 1), "rc");
		assert_string_equal(rule_of(&fx, "491720123", "198.51.100.9", 1, 0, 1), "port-b");
		assert_string_equal(rule_of(&fx, "491720123", "198.51.100.9", 0, 0, 1), "default");
		assert_string_equal(rule_of(&fx, "491720123", "203.0.113.9", 0, 0, 3000), "sctp");
	}
	fx_free(&fx);
}

/*
 * A routing context of 0xffffffff (RFC 4666 3.3.1: 32 bits, every value valid) is no absent one:
 * the cache key held an integer field as v + 1 in 32 bits, so that value keyed as "absent" and
 * a message with it took the verdict cached for a message without a routing context.
 */
static void
test_rctx_max_not_absent(void **state)
{
	static const char *const rc_rules =
		"rules = (\n"
		"  { name = \"rc-max\"; rctx = 4294967295L; action = \"drop\"; },\n"
		"  { name = \"rc-7\"; rctx = 7; action = \"alert\"; }\n"
		");\n";
	struct fx fx = { 0 };

	(void)state;
	if (fx_compile(&fx, rc_rules, site) != 0)
		fail_msg("compile: %s", fx.err);
	for (int k = 0; k < 2; k++) { /* absent first (cached), then the wrapping value */
		assert_string_equal(rule_of(&fx, "491720123", "203.0.113.9", 0, 0, 1), "default");
		assert_string_equal(rule_of(&fx, "491720123", "203.0.113.9", 0, UINT32_MAX, 1),
				    "rc-max");
		assert_string_equal(rule_of(&fx, "491720123", "203.0.113.9", 0, 7, 1), "rc-7");
	}
	fx_free(&fx);
}

/* One MSU of a partner GT in an IP packet src -> dst (v4 or v6 text), sctp ports, direction
 * dir, ingress port, M3UA rctx and OPC. */
struct pk {
	const char *src, *dst;
	uint16_t sport, dport;
	unsigned dir, port;
	uint32_t rctx, opc;
};

static const char *
rule_pk(struct fx *fx, const struct pk *p)
{
	struct sw_msu m;
	struct sw_pkt pkt;

	memset(&pkt, 0, sizeof(pkt));
	if (p->src != NULL) {
		pkt.ip_ver = strchr(p->src, ':') != NULL ? 6 : 4;
		assert_int_equal(inet_pton(pkt.ip_ver == 4 ? AF_INET : AF_INET6, p->src, pkt.src),
				 1);
		assert_int_equal(inet_pton(pkt.ip_ver == 4 ? AF_INET : AF_INET6, p->dst, pkt.dst),
				 1);
		pkt.sctp = true;
		pkt.sport = p->sport;
		pkt.dport = p->dport;
	}
	t_map(&m, "491720123", T_HOME_HLR, 22, NULL);
	if (p->rctx != 0) {
		m.has |= SW_HAS_RCTX;
		m.m3ua.rctx = p->rctx;
	}
	if (p->opc != 0)
		m.m3ua.opc = p->opc;
	sw_policy_ctx_set_port(fx->ctx, p->port);
	return fx_rule(fx, sw_policy_eval(fx->ctx, p->src != NULL ? &pkt : NULL, &m, p->dir, 0));
}

/*
 * Each interconnect condition alone (issue 18 D2): the rule of each is the first that can
 * match, the MSUs differ from a base one in that condition only, and each is judged twice
 * (a cache miss, then a hit: the verdict cache keys on what the conditions read).
 * remote_ip / local_ip: the association's outside / inside address, as remote_port /
 * local_port: from outside the source is the remote one, from inside the destination.
 */
static void
test_each_condition(void **state)
{
	static const char *const r =
		"rules = (\n"
		"  { name = \"port\"; port = \"B\"; action = \"drop\"; },\n"
		"  { name = \"link\"; link = \"ipx-b\"; action = \"drop\"; },\n"
		"  { name = \"rctx\"; rctx = [ 7, 300 ]; action = \"drop\"; },\n"
		"  { name = \"remote-port\"; remote_port = 3000; action = \"drop\"; },\n"
		"  { name = \"local-port\"; local_port = 2999; action = \"drop\"; },\n"
		"  { name = \"opc\"; opc = 4100; action = \"drop\"; },\n"
		"  { name = \"remote-ip\"; remote_ip = [ \"203.0.113.0/25\", \"2001:db8:5::/48\",\n"
		"    \"203.0.113.200\" ]; action = \"drop\"; },\n"
		"  { name = \"local-ip\"; local_ip = \"10.9.0.0/16\"; action = \"drop\"; },\n"
		"  { name = \"local-ip6\"; local_ip = [ \"2001:db8:ffff::1\" ]; action = \"drop\"; },\n"
		"  { name = \"not-remote-ip\"; direction = \"outside\";\n"
		"    not = { remote_ip = [ \"192.0.2.0/24\", \"198.51.100.0/24\", \"2001:db8::/32\" ]; };\n"
		"    action = \"alert\"; }\n"
		");\n";
	static const struct {
		struct pk p;
		const char *rule;
	} t[] = {
		/* base: from outside over ipx-a, nothing else set */
		{ { "192.0.2.9", "10.1.0.1", 2905, 2905, 0, 0, 0, 0 }, "default" },
		{ { "192.0.2.9", "10.1.0.1", 2905, 2905, 0, 1, 0, 0 }, "port" },
		{ { "198.51.100.9", "10.1.0.1", 2905, 2905, 0, 0, 0, 0 }, "link" },
		{ { "192.0.2.9", "10.1.0.1", 2905, 2905, 0, 0, 7, 0 }, "rctx" },
		{ { "192.0.2.9", "10.1.0.1", 2905, 2905, 0, 0, 300, 0 }, "rctx" },
		{ { "192.0.2.9", "10.1.0.1", 2905, 2905, 0, 0, 8, 0 }, "default" },
		{ { "192.0.2.9", "10.1.0.1", 3000, 2905, 0, 0, 0, 0 }, "remote-port" },
		{ { "192.0.2.9", "10.1.0.1", 2905, 2999, 0, 0, 0, 0 }, "local-port" },
		/* from inside, the remote endpoint is the destination */
		{ { "10.1.0.1", "192.0.2.9", 2905, 3000, 1, 0, 0, 0 }, "remote-port" },
		{ { "10.1.0.1", "192.0.2.9", 2999, 2905, 1, 0, 0, 0 }, "local-port" },
		{ { "192.0.2.9", "10.1.0.1", 2905, 2905, 0, 0, 0, 4100 }, "opc" },
		/* remote_ip: a prefix, an address, v6; the address just past the /25 is not in */
		{ { "203.0.113.127", "10.1.0.1", 2905, 2905, 0, 0, 0, 0 }, "remote-ip" },
		{ { "203.0.113.200", "10.1.0.1", 2905, 2905, 0, 0, 0, 0 }, "remote-ip" },
		{ { "203.0.113.128", "10.1.0.1", 2905, 2905, 0, 0, 0, 0 }, "not-remote-ip" },
		{ { "2001:db8:5:1::7", "2001:db8:ffff::2", 2905, 2905, 0, 0, 0, 0 }, "remote-ip" },
		{ { "2001:db8:6::7", "2001:db8:ffff::2", 2905, 2905, 0, 0, 0, 0 }, "default" },
		/* from inside: the remote address is the destination; the source is the local */
		{ { "10.1.0.1", "203.0.113.5", 2905, 2905, 1, 0, 0, 0 }, "remote-ip" },
		{ { "203.0.113.5", "192.0.2.9", 2905, 2905, 1, 0, 0, 0 }, "default" },
		/* local_ip: v4 prefix, a v6 address; an IPv4 address never matches a v6 prefix */
		{ { "192.0.2.9", "10.9.255.1", 2905, 2905, 0, 0, 0, 0 }, "local-ip" },
		{ { "10.9.0.3", "192.0.2.9", 2905, 2905, 1, 0, 0, 0 }, "local-ip" },
		{ { "192.0.2.9", "10.10.0.1", 2905, 2905, 0, 0, 0, 0 }, "default" },
		{ { "2001:db8::9", "2001:db8:ffff::1", 2905, 2905, 0, 0, 0, 0 }, "local-ip6" },
		{ { "2001:db8::9", "2001:db8:ffff::3", 2905, 2905, 0, 0, 0, 0 }, "default" },
		/* not remote_ip: from outside, a source in none of the interconnect's ranges */
		{ { "100.64.0.1", "10.1.0.1", 2905, 2905, 0, 0, 0, 0 }, "not-remote-ip" },
		{ { "2001:db9::1", "2001:db8:ffff::2", 2905, 2905, 0, 0, 0, 0 }, "not-remote-ip" },
		/* no IP packet: every address and port condition is false, its negation true */
		{ { NULL, NULL, 0, 0, 0, 0, 0, 0 }, "not-remote-ip" },
		{ { NULL, NULL, 0, 0, 1, 0, 0, 0 }, "default" },
	};
	static const char *const site6 =
		"site = { name = \"x\"; home = { plmn = [ \"65501\" ]; gt = [ \"27820\" ]; };\n"
		" links = ( { name = \"ipx-a\"; side = \"outside\"; peers = [ \"192.0.2.0/24\" ]; },\n"
		"  { name = \"ipx-b\"; side = \"outside\"; peers = [ \"198.51.100.0/24\" ]; } ); };\n";
	struct fx fx = { 0 };

	(void)state;
	if (fx_compile(&fx, r, site6) != 0)
		fail_msg("compile: %s", fx.err);
	assert_string_equal(fx.warn, "");
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			const char *got = rule_pk(&fx, &t[i].p);
			if (strcmp(got, t[i].rule) != 0)
				fail_msg("case %zu (%s -> %s, %s): %s, expected %s (round %d)", i,
					 t[i].p.src ? t[i].p.src : "-", t[i].p.dst ? t[i].p.dst : "-",
					 t[i].p.dir ? "inside" : "outside", got, t[i].rule, k);
		}
	fx_free(&fx);
}

/* remote_ip / local_ip that do not compile: file:line errors, every one of them; a duplicate
 * prefix and a rule shadowed by the same list are warnings. */
static void
test_addr_errors(void **state)
{
	static const struct {
		const char *cond, *msg;
	} t[] = {
		{ "remote_ip = \"192.0.2.300/24\";",
		  "rules.conf:1: 'remote_ip': invalid address \"192.0.2.300/24\"" },
		{ "remote_ip = \"192.0.2.1/24\";",
		  "rules.conf:1: 'remote_ip': \"192.0.2.1/24\" has address bits set past /24" },
		{ "local_ip = [ \"2001:db8::/129\" ];",
		  "rules.conf:1: 'local_ip': invalid prefix length in \"2001:db8::/129\" (0-128)" },
		{ "local_ip = [ ];", "rules.conf:1: 'local_ip' takes an address prefix" },
		{ "remote_ip = 7;", "rules.conf:1: 'remote_ip' must be a list of address prefixes" },
		{ "remote_ip = { a = 1; };", "rules.conf:1: 'remote_ip' takes an address prefix" },
	};
	struct fx fx = { 0 };
	char text[512];

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text), "rules = ( { name = \"r\"; %s action = \"drop\"; } );\n",
			 t[i].cond);
		assert_int_equal(fx_compile(&fx, text, NULL), -EINVAL);
		if (strstr(fx.err, t[i].msg) == NULL)
			fail_msg("%s: \"%s\", expected \"%s\"", t[i].cond, fx.err, t[i].msg);
	}
	assert_int_equal(fx_compile(&fx,
				    "rules = (\n"
				    "{ name = \"a\"; remote_ip = [ \"192.0.2.0/24\", \"10.0.0.1\" ];\n"
				    "  action = \"drop\"; },\n"
				    "{ name = \"b\"; remote_ip = [ \"10.0.0.1\", \"192.0.2.0/24\",\n"
				    "  \"10.0.0.1\" ]; opc = 5; action = \"drop\"; } );\n",
				    NULL),
			 0);
	assert_non_null(strstr(fx.warn, "rules.conf:4: warning: 'remote_ip' has a prefix twice"));
	assert_non_null(strstr(fx.warn, "rules.conf:4: warning: rule 'b' can never match"));
	fx_free(&fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_scope),
					    cmocka_unit_test(test_rctx_max_not_absent),
					    cmocka_unit_test(test_each_condition),
					    cmocka_unit_test(test_addr_errors) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
