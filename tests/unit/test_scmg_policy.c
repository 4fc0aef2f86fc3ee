/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shipped policy's SCCP management rules (patterns/scmg.conf, issue 17 D2) and its
 * treatment of connection-oriented SCCP (issue 17 D4), over patterns/default.conf with
 * patterns/site.example.conf: each rule fires on a message made for it and stays silent on
 * its legitimate twin. Direction as `inspect` takes it without links: the OPC (home point
 * codes 1001-1003 are inside).
 */
#include "dataplane/decode/decode.h"
#include "tests/common/msu_build.h"
#include "tests/common/shipped_policy.h"

struct scmg_case {
	const char *what;
	const char *cgpa;
	uint32_t opc;
	uint8_t type, assn;
	uint16_t apc;
	uint8_t action;
	const char *rule;
};

static const struct scmg_case scmg_cases[] = {
	{ "SSP about the home HLR (1002/6) from a partner", T_DE_GT, 4000, SCMG_SSP, 6, 1002,
	  SW_ACTION_DROP, "scmg-home-status-from-outside" },
	{ "SSA about a home VLR (1003/7) from a partner", T_FR_GT, 4000, SCMG_SSA, 7, 1003,
	  SW_ACTION_DROP, "scmg-home-status-from-outside" },
	{ "SSC about a home point code from a partner", T_DE_GT, 4000, SCMG_SSC, 6, 1001,
	  SW_ACTION_DROP, "scmg-home-status-from-outside" },
	{ "SST of the home HLR from a partner (routine)", T_DE_GT, 4000, SCMG_SST, 6, 1002,
	  SW_ACTION_ALLOW, "default" },
	{ "SSP about the partner's own HLR from the partner", T_DE_GT, 4000, SCMG_SSP, 6, 4000,
	  SW_ACTION_ALLOW, "default" },
	{ "SSA about the partner's own HLR from the partner", T_GB_SMSC_GT, 4000, SCMG_SSA, 8,
	  4000, SW_ACTION_ALLOW, "default" },
	{ "SOR from a partner", T_DE_GT, 4000, SCMG_SOR, 6, 4000, SW_ACTION_DROP,
	  "scmg-coordination-from-outside" },
	{ "SOG from a partner", T_DE_GT, 4000, SCMG_SOG, 6, 4000, SW_ACTION_DROP,
	  "scmg-coordination-from-outside" },
	{ "SST of the home HLR from a non-partner (mapping)", T_FOREIGN_GT, 4000, SCMG_SST, 6,
	  1002, SW_ACTION_DROP, "scmg-non-partner" },
	{ "SSP about its own point code from a non-partner", T_FOREIGN_GT, 4000, SCMG_SSP, 6,
	  4000, SW_ACTION_DROP, "scmg-non-partner" },
	{ "SST routed on SSN (no calling GT) from outside", NULL, 4000, SCMG_SST, 6, 1002,
	  SW_ACTION_DROP, "scmg-non-partner" },
	{ "SSP about the home HLR from inside (our own SCCP)", T_HOME_HLR, 1002, SCMG_SSP, 6,
	  1002, SW_ACTION_ALLOW, "default" },
	{ "SOR between home nodes, inside", T_HOME_VLR, 1003, SCMG_SOR, 7, 1003, SW_ACTION_ALLOW,
	  "default" },
};

static void
test_scmg_rules(void **state)
{
	struct sw_msu m;

	(void)state;
	for (size_t i = 0; i < sizeof(scmg_cases) / sizeof(scmg_cases[0]); i++) {
		const struct scmg_case *c = &scmg_cases[i];

		t_scmg(&m, c->cgpa, c->opc, c->type, c->assn, c->apc);
		expect(&m, c->action, c->rule, c->what);
	}
	/* The fields are SCMG's only: a MAP message from a non-partner is not an SCMG one. */
	t_map(&m, T_FOREIGN_GT, T_HOME_HLR, 56, T_FOREIGN_IMSI);
	expect(&m, SW_ACTION_DROP, "fs11-cat3", "SAI from a non-partner is FS.11's, not SCMG's");
}

/* Connection-oriented SCCP (Q.713 4.2-4.17) is classified, not judged: its data is not TCAP.
 * It is the malformation sccp_connection_oriented, so the policy's malformed action judges it
 * unless a malformed-aware rule allows it (patterns/README.md). */
static void
test_connection_oriented(void **state)
{
	struct sw_msu m;

	(void)state;
	t_scmg(&m, T_DE_GT, 4000, 0, 0, 0);
	m.has &= ~SW_HAS_SCMG;
	m.sccp.type = 0x01; /* CR, Q.713 4.2 */
	m.sccp.pclass = 2;
	m.has |= SW_HAS_SLR;
	m.sccp.slr = 0x123456;
	m.mal = SW_MAL_SCCP_CONNECTION_ORIENTED;
	expect(&m, SW_ACTION_DROP, "malformed", "CR from outside (partner GT)");
	m.sccp.type = 0x06; /* DT1, Q.713 4.7: no addresses */
	memset(&m.sccp.cgpa, 0, sizeof(m.sccp.cgpa));
	expect(&m, SW_ACTION_DROP, "malformed", "DT1 from outside");
	m.m3ua.opc = 1002;
	m.m3ua.dpc = 4000;
	expect(&m, SW_ACTION_DROP, "malformed", "DT1 from inside (no calling GT)");
	m.sccp.type = 0x01; /* a CR from a home node with its optional calling address */
	t_addr(&m.sccp.cgpa, T_HOME_VLR, 4, 8);
	expect(&m, SW_ACTION_ALLOW, "malformed-from-home", "CR from inside, home calling GT");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scmg_rules),
		cmocka_unit_test(test_connection_oriented),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
