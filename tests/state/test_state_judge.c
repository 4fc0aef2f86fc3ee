/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The state conditions through the judge (issue 15, Deliver 3-7): the shipped policy
 * (patterns/default.conf with patterns/site.example.conf) compiled, a private state object, and
 * hand-built MSUs judged one after another with sw_judge_msu, as a worker judges them. Each
 * test plays a flow and asserts the verdict's rule, action and state conditions: the attacks
 * the shipped state rules drop, and the legitimate roaming flows they never act on.
 *
 * usage: test_state_judge SRCROOT
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "control/compiler/compiler.h"
#include "dataplane/judge/judge.h"
#include "dataplane/policy/image.h"
#include "dataplane/proto/map.h"
#include "tests/common/msu_build.h"

#define S (1000000000ull)
#define T0 (1765000000ull * S) /* 2025-12-06, CLOCK_REALTIME ns */

#define KE_VLR "2547220000020"   /* PartnerKE */
#define FR_VLR "336090000020"    /* PartnerFR */
#define FR_SMSC "336090000030"
#define FR_OTHER "336090000099"
#define DE_GT "491720000020"     /* PartnerDE (a neighbour of FR in site.example.conf) */
#define HOME_MSC "27820000020"
#define HOME_IMSI2 "655019999999999"

static const char *srcroot;

struct fx {
	struct sw_compiled comp;
	struct sw_policy_ctx *pctx;
	struct sw_judge_ctx j;
	struct sw_state st;
	struct sw_msu m;
};

static int
fx_open(struct fx *f, const char *rules, const char *site)
{
	char rp[1024], sp[1024], err[512];

	memset(f, 0, sizeof(*f));
	snprintf(rp, sizeof(rp), "%s/%s", srcroot, rules);
	snprintf(sp, sizeof(sp), "%s/%s", srcroot, site);
	if (sw_compile_files(rp, sp, 1, &f->comp, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	f->pctx = sw_policy_ctx_new();
	if (f->pctx == NULL || sw_policy_ctx_bind(f->pctx, f->comp.image) < 0)
		return -1;
	f->j.pctx = f->pctx;
	f->j.image = f->comp.image;
	struct sw_state_config cfg = { .dialogues = 4096, .sms = 4096, .subscribers = 4096 };
	if (sw_state_create_private(&cfg, &f->st) < 0)
		return -1;
	return sw_judge_state_attach(&f->j, &f->st, 0, 0);
}

static int
setup_shipped(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL || fx_open(f, "patterns/default.conf", "patterns/site.example.conf") < 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	sw_state_close(&f->st);
	sw_policy_ctx_free(f->pctx);
	sw_compiled_free(&f->comp);
	free(f);
	return 0;
}

static void
tid(uint8_t *t, uint32_t v)
{
	t[0] = (uint8_t)(v >> 24);
	t[1] = (uint8_t)(v >> 16);
	t[2] = (uint8_t)(v >> 8);
	t[3] = (uint8_t)v;
}

/* A TCAP message of type ty from cgpa to cdpa, OTID/DTID (0: absent), one component. */
static struct sw_msu *
msg(struct fx *f, uint8_t ty, const char *cgpa, const char *cdpa, uint32_t otid, uint32_t dtid,
    uint8_t ctype, int32_t op, const char *imsi)
{
	struct sw_msu *m = &f->m;

	t_map(m, cgpa, cdpa, op, imsi);
	m->tcap.type = ty;
	m->tcap.otid_len = otid != 0 ? 4 : 0;
	m->tcap.dtid_len = dtid != 0 ? 4 : 0;
	tid(m->tcap.otid, otid);
	tid(m->tcap.dtid, dtid);
	m->tcap.comp[0].type = ctype;
	if (ctype == 0xff)
		m->tcap.ncomp = 0;
	return m;
}

/* Judge f->m from port (0 outside, 1 inside) at time t; returns the verdict. */
static struct sw_judge_verdict
judge(struct fx *f, unsigned port, uint64_t t)
{
	struct sw_pkt pkt;
	struct sw_judge_verdict v;

	memset(&pkt, 0, sizeof(pkt));
	sw_judge_msu(&f->j, &pkt, &f->m, port, t, &v);
	return v;
}

#define ST(c) (1u << (c))

static void
expect(struct fx *f, struct sw_judge_verdict v, const char *rule, uint8_t action, unsigned state)
{
	const char *got = sw_judge_rule_name(f->comp.image, v.rule);

	if (strcmp(got, rule) != 0 || v.action != action || v.state != state)
		fprintf(stderr, "got rule %s action %u state 0x%x, expected %s %u 0x%x\n", got,
			v.action, v.state, rule, action, state);
	assert_string_equal(got, rule);
	assert_int_equal(v.action, action);
	assert_int_equal(v.state, state);
}

/* Deliver 3: a Begin from inside answered from outside is never acted on; an End that answers
 * nothing, a second End, and an End addressed to another node than the one that began are
 * unsolicited. */
static void
test_dialogue(void **state)
{
	struct fx *f = *state;

	msg(f, SW_TCAP_END, FR_VLR, T_HOME_HLR, 0, 0x11110001, SW_COMP_RESULT_LAST, 22, NULL);
	expect(f, judge(f, 0, T0), "state-unsolicited-dialogue", SW_ACTION_DROP,
	       ST(SW_ST_UNSOLICITED_DIALOGUE));
	/* inside begins, outside continues then ends */
	msg(f, SW_TCAP_BEGIN, T_HOME_HLR, FR_VLR, 0x22220001, 0, SW_COMP_INVOKE, 7, T_HOME_IMSI);
	expect(f, judge(f, 1, T0), "default", SW_ACTION_ALLOW, 0);
	msg(f, SW_TCAP_CONTINUE, FR_VLR, T_HOME_HLR, 0x33330001, 0x22220001, SW_COMP_RESULT_LAST,
	    7, NULL);
	expect(f, judge(f, 0, T0 + S), "default", SW_ACTION_ALLOW, 0);
	msg(f, SW_TCAP_END, FR_VLR, T_HOME_HLR, 0, 0x22220001, SW_COMP_RESULT_LAST, 7, NULL);
	expect(f, judge(f, 0, T0 + 2 * S), "default", SW_ACTION_ALLOW, 0);
	/* the same End again: the dialogue is closed */
	expect(f, judge(f, 0, T0 + 3 * S), "state-unsolicited-dialogue", SW_ACTION_DROP,
	       ST(SW_ST_UNSOLICITED_DIALOGUE));
	/* an End addressed to another home node than the one that sent the OTID */
	msg(f, SW_TCAP_BEGIN, T_HOME_HLR, FR_VLR, 0x22220002, 0, SW_COMP_INVOKE, 7, T_HOME_IMSI);
	judge(f, 1, T0);
	msg(f, SW_TCAP_ABORT, FR_VLR, HOME_MSC, 0, 0x22220002, 0xff, 0, NULL);
	expect(f, judge(f, 0, T0 + S), "state-unsolicited-dialogue", SW_ACTION_DROP,
	       ST(SW_ST_UNSOLICITED_DIALOGUE));
	/* ... which closed nothing: the real node's answer still matches */
	msg(f, SW_TCAP_ABORT, FR_VLR, T_HOME_HLR, 0, 0x22220002, 0xff, 0, NULL);
	expect(f, judge(f, 0, T0 + 2 * S), "default", SW_ACTION_ALLOW, 0);
	/* past the timeout (60 s) an answer is unsolicited */
	msg(f, SW_TCAP_BEGIN, T_HOME_HLR, FR_VLR, 0x22220003, 0, SW_COMP_INVOKE, 7, T_HOME_IMSI);
	judge(f, 1, T0);
	msg(f, SW_TCAP_END, FR_VLR, T_HOME_HLR, 0, 0x22220003, SW_COMP_RESULT_LAST, 7, NULL);
	expect(f, judge(f, 0, T0 + 61 * S), "state-unsolicited-dialogue", SW_ACTION_DROP,
	       ST(SW_ST_UNSOLICITED_DIALOGUE));
	/* a Begin from outside and its End from inside: nothing to judge */
	msg(f, SW_TCAP_BEGIN, FR_VLR, T_HOME_HLR, 0x44440001, 0, SW_COMP_INVOKE, 56, T_HOME_IMSI);
	expect(f, judge(f, 0, T0), "fs11-cat3-partner-home-subscriber", SW_ACTION_ALLOW, 0);
	msg(f, SW_TCAP_END, T_HOME_HLR, FR_VLR, 0, 0x44440001, SW_COMP_RESULT_LAST, 56, NULL);
	expect(f, judge(f, 1, T0 + S), "default", SW_ACTION_ALLOW, 0);
}

static struct sw_msu *
mt_fsm(struct fx *f, const char *cgpa, const char *imsi)
{
	struct sw_msu *m = msg(f, SW_TCAP_BEGIN, cgpa, HOME_MSC, 0x55550000, 0, SW_COMP_INVOKE,
			       MAP_OP_MT_FORWARD_SM, NULL);

	t_digits(&m->map.sm_rp_da, imsi);
	m->map.sm_rp_da_kind = 0; /* IMSI */
	return m;
}

/* Deliver 4: MT-FSM for a home subscriber after an SRI-SM answered toward the same partner
 * (another GT of it: a different SMSC of the network) is allowed; without one, after the window,
 * or from another partner it is unsolicited; inbound roamers are not judged. */
static void
test_sms(void **state)
{
	struct fx *f = *state;

	mt_fsm(f, FR_SMSC, T_HOME_IMSI);
	expect(f, judge(f, 0, T0), "state-unsolicited-sms", SW_ACTION_DROP,
	       ST(SW_ST_UNSOLICITED_SMS));
	/* the SRI-SM from the partner's SMSC, answered from inside with the IMSI */
	msg(f, SW_TCAP_BEGIN, FR_SMSC, T_HOME_HLR, 0x66660001, 0, SW_COMP_INVOKE,
	    MAP_OP_SEND_ROUTING_INFO_FOR_SM, NULL);
	expect(f, judge(f, 0, T0), "default", SW_ACTION_ALLOW, 0);
	msg(f, SW_TCAP_END, T_HOME_HLR, FR_SMSC, 0, 0x66660001, SW_COMP_RESULT_LAST,
	    MAP_OP_SEND_ROUTING_INFO_FOR_SM, T_HOME_IMSI);
	expect(f, judge(f, 1, T0 + S), "default", SW_ACTION_ALLOW, 0);
	mt_fsm(f, FR_SMSC, T_HOME_IMSI);
	expect(f, judge(f, 0, T0 + 2 * S), "default", SW_ACTION_ALLOW, 0);
	mt_fsm(f, FR_OTHER, T_HOME_IMSI); /* same partner, another GT */
	expect(f, judge(f, 0, T0 + 3 * S), "default", SW_ACTION_ALLOW, 0);
	mt_fsm(f, DE_GT, T_HOME_IMSI); /* another partner */
	expect(f, judge(f, 0, T0 + 3 * S), "state-unsolicited-sms", SW_ACTION_DROP,
	       ST(SW_ST_UNSOLICITED_SMS));
	mt_fsm(f, FR_SMSC, HOME_IMSI2); /* another subscriber */
	expect(f, judge(f, 0, T0 + 3 * S), "state-unsolicited-sms", SW_ACTION_DROP,
	       ST(SW_ST_UNSOLICITED_SMS));
	mt_fsm(f, FR_SMSC, T_HOME_IMSI); /* after the 60 s window */
	expect(f, judge(f, 0, T0 + 62 * S), "state-unsolicited-sms", SW_ACTION_DROP,
	       ST(SW_ST_UNSOLICITED_SMS));
	mt_fsm(f, FR_SMSC, T_FR_IMSI); /* an inbound roamer's SMS: not judged here */
	expect(f, judge(f, 0, T0 + 3 * S), "default", SW_ACTION_ALLOW, 0);
	/* an SRI-SM answered from OUTSIDE teaches nothing */
	msg(f, SW_TCAP_END, FR_SMSC, T_HOME_HLR, 0, 0x66660002, SW_COMP_RESULT_LAST,
	    MAP_OP_SEND_ROUTING_INFO_FOR_SM, HOME_IMSI2);
	judge(f, 0, T0 + 4 * S);
	mt_fsm(f, FR_SMSC, HOME_IMSI2);
	expect(f, judge(f, 0, T0 + 5 * S), "state-unsolicited-sms", SW_ACTION_DROP,
	       ST(SW_ST_UNSOLICITED_SMS));
}

/* An updateLocation from outside (cgpa and VLR number vlr) for imsi, answered from inside with
 * a returnResult (ok) or a returnError, at time t. Returns the UL's verdict. */
static struct sw_judge_verdict
ul_flow(struct fx *f, const char *vlr, const char *imsi, uint32_t otid, bool ok, uint64_t t)
{
	struct sw_judge_verdict v;
	struct sw_msu *m = msg(f, SW_TCAP_BEGIN, vlr, T_HOME_HLR, otid, 0, SW_COMP_INVOKE,
			       MAP_OP_UPDATE_LOCATION, imsi);

	t_digits(&m->map.vlr, vlr);
	t_digits(&m->map.msc, vlr);
	v = judge(f, 0, t);
	if (v.action == SW_ACTION_DROP)
		return v; /* never answered */
	msg(f, SW_TCAP_END, T_HOME_HLR, vlr, 0, otid, ok ? SW_COMP_RESULT_LAST : SW_COMP_ERROR,
	    MAP_OP_UPDATE_LOCATION, NULL);
	t_digits(&f->m.map.hlr, T_HOME_HLR);
	judge(f, 1, t + S / 10);
	return v;
}

static struct sw_msu *
ussd(struct fx *f, const char *cgpa, const char *imsi)
{
	/* the subscriber of a USSD request: its IMSI (the decoder's destination reference) */
	return msg(f, SW_TCAP_BEGIN, cgpa, T_HOME_HLR, 0x77770000, 0, SW_COMP_INVOKE, 59, imsi);
}

/* Deliver 5: unknown location (learning), a returnError records nothing, an accepted UL records
 * the serving network; USSD from it is allowed, from another network not serving. */
static void
test_location(void **state)
{
	struct fx *f = *state;

	ussd(f, FR_VLR, T_HOME_IMSI);
	expect(f, judge(f, 0, T0), "fs11-cat3-partner-home-subscriber", SW_ACTION_ALLOW,
	       ST(SW_ST_UNKNOWN_LOCATION));
	expect(f, ul_flow(f, FR_VLR, T_HOME_IMSI, 0x88880001, false, T0),
	       "fs11-cat3-partner-home-subscriber", SW_ACTION_ALLOW, ST(SW_ST_UNKNOWN_LOCATION));
	ussd(f, DE_GT, T_HOME_IMSI); /* the returnError recorded nothing */
	expect(f, judge(f, 0, T0 + S), "fs11-cat3-partner-home-subscriber", SW_ACTION_ALLOW,
	       ST(SW_ST_UNKNOWN_LOCATION));
	expect(f, ul_flow(f, FR_VLR, T_HOME_IMSI, 0x88880002, true, T0 + 2 * S),
	       "fs11-cat3-partner-home-subscriber", SW_ACTION_ALLOW, ST(SW_ST_UNKNOWN_LOCATION));
	ussd(f, FR_VLR, T_HOME_IMSI);
	expect(f, judge(f, 0, T0 + 3 * S), "fs11-cat3-partner-home-subscriber", SW_ACTION_ALLOW, 0);
	ussd(f, FR_OTHER, T_HOME_IMSI); /* another node of the serving network */
	expect(f, judge(f, 0, T0 + 3 * S), "fs11-cat3-partner-home-subscriber", SW_ACTION_ALLOW, 0);
	ussd(f, DE_GT, T_HOME_IMSI);
	expect(f, judge(f, 0, T0 + 4 * S), "state-not-serving", SW_ACTION_DROP,
	       ST(SW_ST_NOT_SERVING));
	/* registerSS and restoreData likewise; sendAuthenticationInfo is not location-bound */
	msg(f, SW_TCAP_BEGIN, KE_VLR, T_HOME_HLR, 0x77770001, 0, SW_COMP_INVOKE, MAP_OP_REGISTER_SS,
	    T_HOME_IMSI);
	expect(f, judge(f, 0, T0 + 5 * S), "state-not-serving", SW_ACTION_DROP,
	       ST(SW_ST_NOT_SERVING));
	msg(f, SW_TCAP_BEGIN, KE_VLR, T_HOME_HLR, 0x77770002, 0, SW_COMP_INVOKE,
	    MAP_OP_RESTORE_DATA, T_HOME_IMSI);
	expect(f, judge(f, 0, T0 + 5 * S), "state-not-serving", SW_ACTION_DROP,
	       ST(SW_ST_NOT_SERVING));
	msg(f, SW_TCAP_BEGIN, KE_VLR, T_HOME_HLR, 0x77770003, 0, SW_COMP_INVOKE, 56, T_HOME_IMSI);
	expect(f, judge(f, 0, T0 + 5 * S), "fs11-cat3-partner-home-subscriber", SW_ACTION_ALLOW, 0);
	/* the state survives a reload: partner ids are hashes of the names */
	struct sw_compiled c2;
	char rp[1024], sp[1024], err[512];
	snprintf(rp, sizeof(rp), "%s/patterns/default.conf", srcroot);
	snprintf(sp, sizeof(sp), "%s/tests/state/site-reordered.conf", srcroot);
	assert_int_equal(sw_compile_files(rp, sp, 2, &c2, err, sizeof(err)), 0);
	assert_int_equal(sw_policy_ctx_bind(f->pctx, c2.image), 0);
	f->j.image = c2.image;
	ussd(f, FR_VLR, T_HOME_IMSI);
	expect(f, judge(f, 0, T0 + 6 * S), "fs11-cat3-partner-home-subscriber", SW_ACTION_ALLOW, 0);
	ussd(f, DE_GT, T_HOME_IMSI);
	expect(f, judge(f, 0, T0 + 6 * S), "state-not-serving", SW_ACTION_DROP,
	       ST(SW_ST_NOT_SERVING));
	assert_int_equal(sw_policy_ctx_bind(f->pctx, f->comp.image), 0);
	f->j.image = f->comp.image;
	sw_compiled_free(&c2);
}

/* Deliver 5 velocity: FR then KE 10 minutes later (default 120) is dropped; FR then DE
 * (neighbours, 0 minutes) is not; KE three hours later is not. A dropped UL records nothing. */
static void
test_velocity(void **state)
{
	struct fx *f = *state;

	ul_flow(f, FR_VLR, HOME_IMSI2, 0x99990001, true, T0);
	expect(f, ul_flow(f, KE_VLR, HOME_IMSI2, 0x99990002, true, T0 + 600 * S),
	       "state-velocity", SW_ACTION_DROP, ST(SW_ST_VELOCITY));
	expect(f, ul_flow(f, DE_GT, HOME_IMSI2, 0x99990003, true, T0 + 660 * S),
	       "fs11-cat3-partner-home-subscriber", SW_ACTION_ALLOW, 0);
	/* now in DE (recorded at T0 + 660 s); GB is 120 minutes away */
	expect(f, ul_flow(f, "447785000020", HOME_IMSI2, 0x99990004, true, T0 + 1200 * S),
	       "state-velocity", SW_ACTION_DROP, ST(SW_ST_VELOCITY));
	expect(f, ul_flow(f, KE_VLR, HOME_IMSI2, 0x99990005, true, T0 + 660 * S + 3 * 3600 * S),
	       "fs11-cat3-partner-home-subscriber", SW_ACTION_ALLOW, 0);
}

/* Deliver 7 cross-layer: a UL from a FR GT announcing a DE VLR; from a GT of no partner
 * announcing a home VLR; the consistent one passes. */
static void
test_vlr_mismatch(void **state)
{
	struct fx *f = *state;
	const unsigned u = ST(SW_ST_UNKNOWN_LOCATION), x = ST(SW_ST_VLR_NETWORK_MISMATCH);
	struct sw_msu *m;

	m = msg(f, SW_TCAP_BEGIN, FR_VLR, T_HOME_HLR, 0xaaaa0001, 0, SW_COMP_INVOKE,
		MAP_OP_UPDATE_LOCATION, T_HOME_IMSI);
	t_digits(&m->map.vlr, DE_GT);
	expect(f, judge(f, 0, T0), "state-vlr-network-mismatch", SW_ACTION_DROP, x | u);
	t_digits(&m->map.vlr, FR_OTHER);
	expect(f, judge(f, 0, T0), "fs11-cat3-partner-home-subscriber", SW_ACTION_ALLOW, u);
	/* no VLR number: the MSC number counts */
	m->map.vlr.len = 0;
	t_digits(&m->map.msc, DE_GT);
	expect(f, judge(f, 0, T0), "state-vlr-network-mismatch", SW_ACTION_DROP, x | u);
	/* a GT of no partner announcing a home VLR */
	m = msg(f, SW_TCAP_BEGIN, T_FOREIGN_GT, T_HOME_HLR, 0xaaaa0004, 0, SW_COMP_INVOKE,
		MAP_OP_UPDATE_LOCATION, T_HOME_IMSI);
	t_digits(&m->map.vlr, HOME_MSC);
	expect(f, judge(f, 0, T0), "state-vlr-network-mismatch", SW_ACTION_DROP, x | u);
	/* updateGprsLocation: the SGSN number */
	m = msg(f, SW_TCAP_BEGIN, FR_VLR, T_HOME_HLR, 0xaaaa0002, 0, SW_COMP_INVOKE,
		MAP_OP_UPDATE_GPRS_LOCATION, T_HOME_IMSI);
	t_digits(&m->map.sgsn, KE_VLR);
	expect(f, judge(f, 0, T0), "state-vlr-network-mismatch", SW_ACTION_DROP, x | u);
	/* from inside: not judged */
	m = msg(f, SW_TCAP_BEGIN, T_HOME_HLR, FR_VLR, 0xaaaa0003, 0, SW_COMP_INVOKE,
		MAP_OP_UPDATE_LOCATION, T_HOME_IMSI);
	t_digits(&m->map.vlr, DE_GT);
	assert_int_equal(judge(f, 1, T0).state, 0);
}

/* An image without state rules does no state work (no lookups), and a rule in monitor state
 * alerts: learn -> test -> active. */
static void
test_no_state_and_monitor(void **state)
{
	struct fx g;
	struct sw_state_counters c;

	(void)state;
	assert_int_equal(
		fx_open(&g, "tests/state/rules-nostate.conf", "patterns/site.example.conf"), 0);
	msg(&g, SW_TCAP_END, FR_VLR, T_HOME_HLR, 0, 0x11110001, SW_COMP_RESULT_LAST, 22, NULL);
	expect(&g, judge(&g, 0, T0), "default", SW_ACTION_ALLOW, 0);
	for (unsigned t = 0; t < SW_STATE_NTABLES; t++) {
		sw_state_stats(&g.st, (enum sw_state_table)t, &c);
		assert_int_equal(c.lookups + c.inserts, 0);
	}
	sw_state_close(&g.st);
	sw_policy_ctx_free(g.pctx);
	sw_compiled_free(&g.comp);

	assert_int_equal(
		fx_open(&g, "tests/state/rules-monitor.conf", "patterns/site.example.conf"), 0);
	msg(&g, SW_TCAP_END, FR_VLR, T_HOME_HLR, 0, 0x11110001, SW_COMP_RESULT_LAST, 22, NULL);
	struct sw_judge_verdict v = judge(&g, 0, T0);
	expect(&g, v, "learn-unsolicited", SW_ACTION_ALERT, ST(SW_ST_UNSOLICITED_DIALOGUE));
	assert_true(v.monitor);
	sw_state_stats(&g.st, SW_STATE_T_DIALOGUE, &c);
	assert_true(c.lookups > 0);
	sw_state_close(&g.st);
	sw_policy_ctx_free(g.pctx);
	sw_compiled_free(&g.comp);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dialogue, setup_shipped, teardown),
		cmocka_unit_test_setup_teardown(test_sms, setup_shipped, teardown),
		cmocka_unit_test_setup_teardown(test_location, setup_shipped, teardown),
		cmocka_unit_test_setup_teardown(test_velocity, setup_shipped, teardown),
		cmocka_unit_test_setup_teardown(test_vlr_mismatch, setup_shipped, teardown),
		cmocka_unit_test(test_no_state_and_monitor),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: test_state_judge SRCROOT\n");
		return 2;
	}
	srcroot = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
