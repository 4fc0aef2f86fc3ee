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

int
main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_scope) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
