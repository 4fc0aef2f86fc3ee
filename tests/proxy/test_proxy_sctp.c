/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Proxy mode end to end in one process, on usrsctp AF_CONN (no kernel SCTP, no threads):
 *
 *   partner ASP ==SCTP== [link "partner": proxy SGP, rctx 100]
 *                          proxy core (decode, judge, route)
 *                        [link "home": proxy ASP, rctx 200]   ==SCTP== home SGP (dpc 2000)
 *                        [link "honeypot": proxy ASP, rctx 300] ==SCTP== honeypot SGP
 *
 * Every association is a pair of usrsctp AF_CONN sockets whose packets cross an in-process
 * wire; the peers run the same M3UA endpoint library as the proxy. Checked: ASP-ACTIVE on both
 * sides, routed traffic both ways with the routing context translated per side, a reject
 * answered with a UDTS the caller receives, an abort answered with a TCAP abort, a redirect only
 * the honeypot sees, a drop, a DPC without a route (UDTS "no translation"), and a home restart
 * (DUNA then DAVA toward the partner, traffic again); and BEAT loss (home's M3UA hangs over a
 * live association: the proxy aborts it, DUNA, UDTS for the unavailable DPC, reconnect, DAVA).
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

#include "dataplane/decode/decode.h"
#include "dataplane/proxy/m3ua_wire.h"
#include "dataplane/proxy/sccp_wire.h"
#include "inproc.h"

static struct inproc ip;
static struct sw_proxy *const px = &ip.px;
static struct inproc_peer *const partner = &ip.peer[0], *const home = &ip.peer[1],
			  *const hp = &ip.peer[2];

/* The test's policy: by the calling GT's first digits. */
static struct sw_proxy_verdict
test_judge(void *ctx, const struct sw_msu *msu, unsigned side, uint64_t now_ns)
{
	struct sw_proxy_verdict v = {.action = SW_PROXY_ALLOW, .link = SW_LINK_NONE};
	const char *d = msu->sccp.cgpa.digits.d;

	(void)ctx;
	(void)now_ns;
	if (side != 0 || !(msu->has & SW_HAS_SCCP))
		return v;
	if (strncmp(d, "666", 3) == 0) {
		v.action = SW_PROXY_REJECT;
		v.cause = SCCP_CAUSE_SS_FAILURE;
	} else if (strncmp(d, "777", 3) == 0) {
		v.action = SW_PROXY_ABORT;
		v.cause = TCAP_PABORT_RESOURCE_LIMIT;
	} else if (strncmp(d, "888", 3) == 0) {
		v.action = SW_PROXY_REDIRECT;
	} else if (strncmp(d, "999", 3) == 0) {
		v.action = SW_PROXY_DROP;
	}
	return v;
}

static unsigned want_partner, want_home, want_hp;

static bool
got_partner(struct inproc *x)
{
	(void)x;
	return partner->ndata >= want_partner;
}

static bool
got_home(struct inproc *x)
{
	(void)x;
	return home->ndata >= want_home;
}

static bool
got_hp(struct inproc *x)
{
	(void)x;
	return hp->ndata >= want_hp;
}

static bool
got_duna(struct inproc *x)
{
	(void)x;
	return partner->duna >= 1;
}

static bool
got_dava(struct inproc *x)
{
	return partner->dava >= 1 && x->px.link[1].routable;
}

static void
partner_sends(uint8_t cgpa_bcd, uint32_t dpc)
{
	struct sw_m3ua_label l = {.opc = 1000, .dpc = dpc, .si = 3, .ni = 2, .sls = 3};
	uint8_t ud[64];
	size_t n = inproc_udt(ud, cgpa_bcd, 0x01020304);

	assert_int_equal(sw_m3ua_send_data(&partner->ep, 1, &l, ud, n), 0);
}

static void
test_proxy_end_to_end(void **state)
{
	struct sw_proxy_judge judge = {.judge = test_judge};
	struct sw_proxy_link_cfg lc[3] = {
		{.name = "partner", .sctp_server = true, .lport = 3000, .rport = 3100,
		 .role = SW_M3UA_ROLE_SGP, .rctx = 100, .local_pc = 1500, .side = 0},
		{.name = "home", .sctp_server = false, .lport = 3001, .rport = 3101,
		 .role = SW_M3UA_ROLE_ASP, .rctx = 200, .local_pc = 1501, .side = 1},
		{.name = "honeypot", .sctp_server = false, .lport = 3002, .rport = 3102,
		 .role = SW_M3UA_ROLE_ASP, .rctx = 300, .side = 1, .honeypot = true},
	};
	uint16_t l_home = 1, l_partner = 0;
	uint8_t ud[64];
	struct sw_msu msu;
	char status[1024];

	(void)state;
	assert_int_equal(inproc_setup(&ip, lc, 3, &judge), 0);
	assert_int_equal(sw_proxy_add_link(px, &lc[0]), -EEXIST);
	assert_int_equal(sw_route_add(&px->routes, 2000, &l_home, 1), 0);
	assert_int_equal(sw_route_add(&px->routes, 1000, &l_partner, 1), 0);
	assert_int_equal(inproc_open(&ip), 0);

	/* 1. Every association up, every ASP active on both sides. */
	assert_true(inproc_run_until(&ip, inproc_all_active, 5000));
	assert_int_equal(home->as.state, SW_M3UA_AS_ACTIVE);
	assert_int_equal(px->link[0].as.state, SW_M3UA_AS_ACTIVE);

	/* 2. Routed: partner -> home, user data byte-identical, routing context of home's side. */
	partner_sends(0, 2000);
	want_home = 1;
	assert_true(inproc_run_until(&ip, got_home, 2000));
	assert_int_equal(home->last.opc, 1000);
	assert_int_equal(home->last.dpc, 2000);
	assert_int_equal(home->last_rctx, 200);
	assert_int_equal(home->last_ud_len, inproc_udt(ud, 0, 0x01020304));
	assert_memory_equal(home->last_ud, ud, home->last_ud_len);
	/* and back: home -> partner by the partner's DPC, rctx 100 on the partner's side */
	struct sw_m3ua_label back = {.opc = 2000, .dpc = 1000, .si = 3, .ni = 2, .sls = 3};
	assert_int_equal(sw_m3ua_send_data(&home->ep, 1, &back, ud, inproc_udt(ud, 0, 0x01020304)), 0);
	want_partner = 1;
	assert_true(inproc_run_until(&ip, got_partner, 2000));
	assert_int_equal(partner->last_rctx, 100);
	assert_int_equal(px->ctr[SW_PXO_ROUTED], 2);

	/* 3. reject: the caller receives a UDTS "subsystem failure" from the proxy's pc. */
	partner_sends(0x66, 2000);
	want_partner = 2;
	assert_true(inproc_run_until(&ip, got_partner, 2000));
	memset(&msu, 0, sizeof(msu));
	sw_sccp_decode(partner->last_ud, 0, partner->last_ud_len, &msu);
	assert_int_equal(msu.sccp.type, SCCP_MSG_UDTS);
	assert_int_equal(msu.sccp.cause, SCCP_CAUSE_SS_FAILURE);
	assert_int_equal(partner->last.opc, 1500);
	assert_int_equal(partner->last.dpc, 1000);
	assert_int_equal(px->ctr[SW_PXO_REJECTED], 1);

	/* 4. abort: a TCAP abort of the caller's transaction. */
	partner_sends(0x77, 2000);
	want_partner = 3;
	assert_true(inproc_run_until(&ip, got_partner, 2000));
	memset(&msu, 0, sizeof(msu));
	sw_sccp_decode(partner->last_ud, 0, partner->last_ud_len, &msu);
	assert_int_equal(msu.sccp.type, SCCP_MSG_UDT);
	assert_int_equal(msu.tcap.type, SW_TCAP_ABORT);
	assert_int_equal(msu.tcap.dtid_len, 4);

	/* 5. redirect: only the honeypot sees it. */
	partner_sends(0x88, 2000);
	want_hp = 1;
	assert_true(inproc_run_until(&ip, got_hp, 2000));
	assert_int_equal(hp->last.dpc, 2000);
	assert_int_equal(hp->last_rctx, 300);

	/* 6. drop, 7. no route (DPC 4000): UDTS "no translation for this specific address". */
	partner_sends(0x99, 2000);
	partner_sends(0, 4000);
	want_partner = 4;
	assert_true(inproc_run_until(&ip, got_partner, 2000));
	memset(&msu, 0, sizeof(msu));
	sw_sccp_decode(partner->last_ud, 0, partner->last_ud_len, &msu);
	assert_int_equal(msu.sccp.type, SCCP_MSG_UDTS);
	assert_int_equal(msu.sccp.cause, SCCP_CAUSE_NO_TRANS_ADDR);
	assert_int_equal(px->ctr[SW_PXO_DROPPED], 1);
	assert_int_equal(px->ctr[SW_PXO_NO_ROUTE_UDTS], 1);
	assert_int_equal(home->ndata, 1); /* nothing but the first message reached home */
	assert_int_equal(hp->ndata, 1);

	/* status lists the associations and their M3UA states */
	sw_proxy_status(px, status, sizeof(status));
	assert_non_null(strstr(status, "link partner sctp=up m3ua=sgp asp=active as=active"));
	assert_non_null(strstr(status, "link home sctp=up m3ua=asp asp=active as=active"));

	/* 8. home restarts: its association is aborted; the partner hears DUNA 2000, then DAVA
	 * 2000 when the proxy has reconnected and home is active again; traffic flows again. */
	partner->dava = 0;
	sw_sconn_abort(&home->conn);
	assert_true(inproc_run_until(&ip, got_duna, 3000));
	assert_int_equal(partner->duna_pc, 2000);
	assert_false(sw_route_available(&px->routes, 2000));
	assert_true(inproc_run_until(&ip, got_dava, 5000));
	assert_int_equal(partner->dava_pc, 2000);
	partner_sends(0, 2000);
	want_home = 2;
	assert_true(inproc_run_until(&ip, got_home, 2000));

	inproc_close(&ip);
}

/* BEAT loss runs on its own objects: usrsctp may still call back into the first test's
 * associations while it tears them down. */
static struct inproc ipb;

static bool
beat_aborted(struct inproc *x)
{
	return x->ps.beat_aborts >= 1;
}

static bool
b_duna(struct inproc *x)
{
	return x->peer[0].duna >= 1;
}

static bool
b_dava(struct inproc *x)
{
	return x->peer[0].dava >= 1 && x->px.link[1].routable;
}

static bool
b_partner_got_one(struct inproc *x)
{
	return x->peer[0].ndata >= 1;
}

static bool
b_home_got_one(struct inproc *x)
{
	return x->peer[1].ndata >= 1;
}

static void
b_partner_sends(void)
{
	struct sw_m3ua_label l = {.opc = 1000, .dpc = 2000, .si = 3, .ni = 2, .sls = 3};
	uint8_t ud[64];
	size_t n = inproc_udt(ud, 0, 0x01020304);

	assert_int_equal(sw_m3ua_send_data(&ipb.peer[0].ep, 1, &l, ud, n), 0);
}

/* BEAT loss (RFC 4666 3.5.5): home's M3UA hangs while its SCTP association lives on. The proxy's
 * BEATs on the home link go unanswered; after beat_max_missed it takes the link out of routing
 * (DUNA toward the partner), aborts the association and reconnects; once home answers again the
 * link is ASP-ACTIVE and routable (DAVA) and traffic flows. */
static void
test_beat_loss(void **state)
{
	struct sw_proxy_judge judge = {.judge = test_judge};
	struct sw_proxy_link_cfg lc[2] = {
		{.name = "partner", .sctp_server = true, .lport = 3400, .rport = 3500,
		 .role = SW_M3UA_ROLE_SGP, .rctx = 100, .local_pc = 1500, .side = 0},
		{.name = "home", .sctp_server = false, .lport = 3401, .rport = 3501,
		 .role = SW_M3UA_ROLE_ASP, .rctx = 200, .local_pc = 1501, .side = 1, .beat_ms = 200},
	};
	struct sw_proxy *const bx = &ipb.px;
	uint16_t l_home = 1, l_partner = 0;

	(void)state;
	assert_int_equal(inproc_setup(&ipb, lc, 2, &judge), 0);
	assert_int_equal(sw_route_add(&bx->routes, 2000, &l_home, 1), 0);
	assert_int_equal(sw_route_add(&bx->routes, 1000, &l_partner, 1), 0);
	assert_int_equal(inproc_open(&ipb), 0);
	assert_true(inproc_run_until(&ipb, inproc_all_active, 5000));
	/* BEATs answered for a while: nothing happens. */
	assert_false(inproc_run_until(&ipb, beat_aborted, 1000));
	assert_true(bx->link[1].ep.ctr.beat_tx >= 3);

	ipb.peer[1].silent = true;
	assert_true(inproc_run_until(&ipb, beat_aborted, 3000));
	/* counted on the link whose BEATs went unanswered (status lines, status object) */
	assert_true(bx->link[1].beat_aborts >= 1);
	assert_int_equal(bx->link[0].beat_aborts, 0);
	assert_true(inproc_run_until(&ipb, b_duna, 1000));
	assert_int_equal(ipb.peer[0].duna_pc, 2000);
	assert_false(sw_route_available(&bx->routes, 2000));
	/* DPC 2000 unavailable: a UDT asking for return gets "no translation" back. */
	b_partner_sends();
	assert_true(inproc_run_until(&ipb, b_partner_got_one, 2000));
	assert_int_equal(bx->ctr[SW_PXO_NO_ROUTE_UDTS], 1);

	ipb.peer[1].silent = false;
	assert_true(inproc_run_until(&ipb, b_dava, 8000));
	b_partner_sends();
	assert_true(inproc_run_until(&ipb, b_home_got_one, 2000));
	inproc_close(&ipb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proxy_end_to_end),
		cmocka_unit_test(test_beat_loss),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
