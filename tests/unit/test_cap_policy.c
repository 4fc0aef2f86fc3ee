/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shipped policy's CAMEL rules (patterns/cap.conf, issue 17 D3) over patterns/default.conf
 * with patterns/site.example.conf: CAP between the home gsmSCF and the partners' gsmSSF passes
 * both ways, CAP from a non-partner is dropped, CAP about a home subscriber from a non-partner
 * is dropped under its own rule; each rule fires on a message made for it and stays silent on
 * its legitimate twin. Direction as `inspect` takes it without links: the OPC (home point codes
 * 1001-1003 are inside). The messages are built decoded (tests/common/msu_build.h) with the
 * fields the CAP decoder fills (dataplane/decode/cap.c).
 */
#include "dataplane/decode/decode.h"
#include "dataplane/proto/cap.h"
#include "tests/common/msu_build.h"
#include "tests/common/shipped_policy.h"

#define T_HOME_SCF "27821000050"    /* the home gsmSCF: a home GT (site.home.gt 27821) */
#define T_DE_SSF "491720000020"     /* PartnerDE's MSC/VLR (gsmSSF) */
#define T_FOREIGN_SSF "8613900000020" /* an MSC of a network that is no partner */
#define T_FOREIGN_MSISDN "8613912345000"

/* A CAP message (SSN 146 both sides, TS 23.003 8.1) of TCAP type tcap from cgpa to cdpa, one
 * invoke of CAP operation op (op < 0: no component), the served subscriber's IMSI and calling
 * number when given; as the decoder leaves it: SW_HAS_CAP, msu->map empty. */
static void
t_cap(struct sw_msu *m, uint8_t tcap, const char *cgpa, const char *cdpa, int32_t op,
      const char *imsi, const char *calling)
{
	t_map(m, cgpa, cdpa, op < 0 ? 0 : op, NULL);
	m->has = (m->has & ~SW_HAS_MAP) | SW_HAS_CAP;
	m->sccp.cgpa.ssn = CAP_SSN;
	m->sccp.cdpa.ssn = CAP_SSN;
	m->tcap.type = tcap;
	m->tcap.dtid_len = tcap == SW_TCAP_BEGIN ? 0 : 4;
	m->tcap.otid_len = tcap == SW_TCAP_BEGIN || tcap == SW_TCAP_CONTINUE ? 4 : 0;
	if (op < 0)
		m->tcap.ncomp = 0;
	m->cap.version = 2;
	m->cap.from_comp = op < 0 ? 0 : 1;
	if (op == CAP_OP_INITIAL_DP) {
		m->cap.has_service_key = true;
		m->cap.service_key = 100;
		m->cap.has_event = true;
		m->cap.event = 2; /* collectedInfo */
	}
	if (imsi != NULL)
		t_digits(&m->cap.imsi, imsi);
	if (calling != NULL) {
		m->cap.calling.present = true;
		m->cap.calling.nai = 4;
		m->cap.calling.npi = 1;
		t_digits(&m->cap.calling.digits, calling);
	}
}

struct cap_case {
	const char *what;
	uint8_t tcap;
	const char *cgpa, *cdpa;
	int32_t op;
	const char *imsi, *calling;
	uint8_t action;
	const char *rule;
};

static const struct cap_case cap_cases[] = {
	/* A home subscriber roaming in PartnerDE calls: the partner's gsmSSF and our gsmSCF. */
	{ "initialDP of a home roamer, partner gsmSSF -> home gsmSCF", SW_TCAP_BEGIN, T_DE_SSF,
	  T_HOME_SCF, CAP_OP_INITIAL_DP, T_HOME_IMSI, T_HOME_MSISDN, SW_ACTION_ALLOW, "default" },
	{ "requestReportBCSMEvent, home gsmSCF -> partner gsmSSF (inside)", SW_TCAP_CONTINUE,
	  T_HOME_SCF, T_DE_SSF, CAP_OP_REQUEST_REPORT_BCSM_EVENT, NULL, NULL, SW_ACTION_ALLOW,
	  "default" },
	{ "connect, home gsmSCF -> partner gsmSSF (inside)", SW_TCAP_CONTINUE, T_HOME_SCF,
	  T_DE_SSF, CAP_OP_CONNECT, NULL, NULL, SW_ACTION_ALLOW, "default" },
	{ "continue, home gsmSCF -> partner gsmSSF (inside)", SW_TCAP_CONTINUE, T_HOME_SCF,
	  T_DE_SSF, CAP_OP_CONTINUE, NULL, NULL, SW_ACTION_ALLOW, "default" },
	/* eventReportBCSM is 24, MAP's sendRoutingInfoForGprs (fs11-cat1): no collision */
	{ "eventReportBCSM, partner gsmSSF -> home gsmSCF", SW_TCAP_CONTINUE, T_DE_SSF,
	  T_HOME_SCF, CAP_OP_EVENT_REPORT_BCSM, NULL, NULL, SW_ACTION_ALLOW, "default" },
	{ "releaseCall, home gsmSCF -> partner gsmSSF (inside)", SW_TCAP_END, T_HOME_SCF,
	  T_DE_SSF, CAP_OP_RELEASE_CALL, NULL, NULL, SW_ACTION_ALLOW, "default" },
	{ "TC-END without components, partner gsmSSF -> home gsmSCF", SW_TCAP_END, T_DE_SSF,
	  T_HOME_SCF, -1, NULL, NULL, SW_ACTION_ALLOW, "default" },
	/* An inbound roamer (PartnerFR's subscriber) sends an SMS in our network: our MSC's gsmSSF
	 * asks PartnerFR's gsmSCF, which answers from outside. */
	{ "initialDPSMS of an inbound roamer, home gsmSSF -> partner gsmSCF (inside)", SW_TCAP_BEGIN,
	  T_HOME_VLR, T_FR_GT, CAP_OP_INITIAL_DP_SMS, T_FR_IMSI, NULL, SW_ACTION_ALLOW, "default" },
	{ "continueSMS, partner gsmSCF -> home gsmSSF", SW_TCAP_END, T_FR_GT, T_HOME_VLR,
	  CAP_OP_CONTINUE_SMS, NULL, NULL, SW_ACTION_ALLOW, "default" },
	/* Non-partners */
	{ "initialDP with a home IMSI from a non-partner", SW_TCAP_BEGIN, T_FOREIGN_SSF,
	  T_HOME_SCF, CAP_OP_INITIAL_DP, T_HOME_IMSI, T_HOME_MSISDN, SW_ACTION_DROP,
	  "cap-home-subscriber-non-partner" },
	{ "initialDPGPRS with a home IMSI from a non-partner", SW_TCAP_BEGIN, T_FOREIGN_SSF,
	  T_HOME_SCF, CAP_OP_INITIAL_DP_GPRS, T_HOME_IMSI, NULL, SW_ACTION_DROP,
	  "cap-home-subscriber-non-partner" },
	{ "initialDP, home calling MSISDN, no IMSI, from a non-partner", SW_TCAP_BEGIN,
	  T_FOREIGN_SSF, T_HOME_SCF, CAP_OP_INITIAL_DP, NULL, T_HOME_MSISDN, SW_ACTION_DROP,
	  "cap-home-msisdn-non-partner" },
	{ "initialDP of a foreign subscriber from a non-partner", SW_TCAP_BEGIN, T_FOREIGN_SSF,
	  T_HOME_SCF, CAP_OP_INITIAL_DP, T_FOREIGN_IMSI, T_FOREIGN_MSISDN, SW_ACTION_DROP,
	  "cap-non-partner" },
	{ "connect from a non-partner gsmSCF to the home gsmSSF", SW_TCAP_CONTINUE,
	  T_FOREIGN_SSF, T_HOME_VLR, CAP_OP_CONNECT, NULL, NULL, SW_ACTION_DROP,
	  "cap-non-partner" },
	{ "releaseCall from a non-partner to the home gsmSSF", SW_TCAP_END, T_FOREIGN_SSF,
	  T_HOME_VLR, CAP_OP_RELEASE_CALL, NULL, NULL, SW_ACTION_DROP, "cap-non-partner" },
	{ "eventReportBCSM from a non-partner", SW_TCAP_CONTINUE, T_FOREIGN_SSF, T_HOME_SCF,
	  CAP_OP_EVENT_REPORT_BCSM, NULL, NULL, SW_ACTION_DROP, "cap-non-partner" },
	{ "TC-END without components to SSN 146 from a non-partner", SW_TCAP_END, T_FOREIGN_SSF,
	  T_HOME_SCF, -1, NULL, NULL, SW_ACTION_DROP, "cap-ssn-non-partner" },
	/* What the earlier rules judge first */
	{ "initialDP with a spoofed home calling GT from outside", SW_TCAP_BEGIN, T_HOME_VLR,
	  T_HOME_SCF, CAP_OP_INITIAL_DP, T_HOME_IMSI, NULL, SW_ACTION_DROP, "spoofed-home-gt" },
	{ "CAP opcode 5 (TS 29.078 defines none) from a partner", SW_TCAP_BEGIN, T_DE_SSF,
	  T_HOME_SCF, 5, NULL, NULL, SW_ACTION_DROP, "unknown-opcode-from-outside" },
};

static void
test_cap_rules(void **state)
{
	struct sw_msu m;

	(void)state;
	for (size_t i = 0; i < sizeof(cap_cases) / sizeof(cap_cases[0]); i++) {
		const struct cap_case *c = &cap_cases[i];

		t_cap(&m, c->tcap, c->cgpa, c->cdpa, c->op, c->imsi, c->calling);
		if (strcmp(c->rule, "spoofed-home-gt") == 0) {
			/* a spoofed home GT arriving from the interconnect's STP (t_map gives a home
			 * GT a home OPC) */
			m.m3ua.opc = 4000;
			m.m3ua.dpc = 1001;
		}
		expect(&m, c->action, c->rule, c->what);
	}
	/* The namespaces: the same code as MAP is MAP's rule, as CAP the CAP one's. */
	t_map(&m, T_DE_GT, T_HOME_HLR, 24, T_HOME_IMSI);
	expect(&m, SW_ACTION_DROP, "fs11-cat1", "MAP sendRoutingInfoForGprs (24) from a partner");
	t_map(&m, T_FOREIGN_GT, T_HOME_HLR, 56, T_FOREIGN_IMSI);
	expect(&m, SW_ACTION_DROP, "fs11-cat3", "MAP SAI from a non-partner is FS.11's, not CAP's");
	/* The CAP subsystem rule needs CAP's SSN: MAP to SSN 6 from a non-partner is not CAP. */
	t_map(&m, T_FOREIGN_GT, T_HOME_HLR, 45, T_HOME_IMSI);
	m.tcap.ncomp = 0;
	m.tcap.type = SW_TCAP_END;
	expect(&m, SW_ACTION_ALLOW, "default", "TC-END without components to SSN 6, non-partner");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cap_rules),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
