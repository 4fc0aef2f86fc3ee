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
 * (DUNA then DAVA toward the partner, traffic again).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "dataplane/decode/decode.h"
#include "dataplane/proxy/m3ua_wire.h"
#include "dataplane/proxy/proxy_sctp.h"
#include "dataplane/proxy/sccp_wire.h"

#define WIRE_SLOTS 256
#define WIRE_PKT 2048

struct wire {
	unsigned head, tail;
	uint16_t len[WIRE_SLOTS];
	uint8_t pkt[WIRE_SLOTS][WIRE_PKT];
	uint64_t dropped;
};

static bool
wire_push(struct wire *w, const void *pkt, size_t len)
{
	if (len > WIRE_PKT || w->tail - w->head == WIRE_SLOTS) {
		w->dropped++;
		return false;
	}
	w->len[w->tail % WIRE_SLOTS] = (uint16_t)len;
	memcpy(w->pkt[w->tail % WIRE_SLOTS], pkt, len);
	w->tail++;
	return true;
}

/* A test peer: usrsctp association + M3UA endpoint, records what it receives. */
struct peer {
	const char *name;
	struct sw_sconn conn;
	struct sw_m3ua_ep ep;
	struct sw_m3ua_as as;
	struct wire in;           /* packets from the proxy */
	unsigned ndata;
	struct sw_m3ua_label last;
	uint32_t last_rctx;
	uint8_t last_ud[512];
	uint32_t last_ud_len;
	unsigned duna, dava;
	uint32_t duna_pc, dava_pc;
};

static struct sw_proxy px;
static struct sw_proxy_sctp ps;
static struct wire to_proxy[3];     /* packets from each peer to the proxy's link */
static struct peer partner, home, hp;
static struct peer *peers[3] = {&partner, &home, &hp};
static uint64_t t0;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 - t0;
}

/* ---- peers ------------------------------------------------------------------------------ */

static int
peer_output(void *user, const void *pkt, size_t len)
{
	struct peer *p = user;
	unsigned i = p == &partner ? 0 : p == &home ? 1 : 2;

	return wire_push(&to_proxy[i], pkt, len) ? 0 : -ENOBUFS;
}

static void
peer_up(void *user)
{
	struct peer *p = user;

	sw_m3ua_conn_up(&p->ep, now_ms());
}

static void
peer_down(void *user)
{
	struct peer *p = user;

	sw_m3ua_conn_down(&p->ep, now_ms());
}

static void
peer_msg(void *user, uint16_t stream, uint32_t ppid, const uint8_t *buf, size_t len)
{
	struct peer *p = user;

	assert_int_equal(ppid, SW_PPID_M3UA);
	sw_m3ua_input(&p->ep, stream, buf, len, now_ms());
}

static const struct sw_sconn_ops peer_conn_ops = {
	.output = peer_output, .up = peer_up, .down = peer_down, .msg = peer_msg};

static int
peer_send(void *user, uint16_t stream, const uint8_t *msg, size_t len)
{
	struct peer *p = user;

	return sw_sconn_send(&p->conn, stream, SW_PPID_M3UA, msg, len);
}

static void
peer_data(void *user, const struct sw_m3ua_msg *m, uint32_t rctx)
{
	struct peer *p = user;
	const uint8_t *ud;
	uint32_t ud_len;

	assert_true(sw_m3ua_data_label(m, &p->last, &ud, &ud_len));
	assert_true(ud_len <= sizeof(p->last_ud));
	memcpy(p->last_ud, ud, ud_len);
	p->last_ud_len = ud_len;
	p->last_rctx = rctx;
	p->ndata++;
}

static void
peer_event(void *user, enum sw_m3ua_event ev, uint32_t arg)
{
	struct peer *p = user;

	if (ev == SW_M3UA_EV_DUNA) {
		p->duna++;
		p->duna_pc = arg;
	} else if (ev == SW_M3UA_EV_DAVA) {
		p->dava++;
		p->dava_pc = arg;
	}
}

static const struct sw_m3ua_cb peer_cb = {
	.send = peer_send, .data = peer_data, .event = peer_event};

static void
peer_open(struct peer *p, const char *name, bool server, uint16_t lport, uint16_t rport,
	  uint32_t rctx)
{
	struct sw_m3ua_cfg cfg = {.role = server ? SW_M3UA_ROLE_SGP : SW_M3UA_ROLE_ASP,
				  .tmt = M3UA_TMT_OVERRIDE, .nrctx = 1, .rctx = {rctx}};

	memset(p, 0, sizeof(*p));
	p->name = name;
	sw_m3ua_ep_init(&p->ep, &cfg, &peer_cb, p);
	if (server) {
		sw_m3ua_as_init(&p->as, rctx, M3UA_TMT_OVERRIDE);
		sw_m3ua_ep_add_as(&p->ep, &p->as);
	}
	assert_int_equal(sw_sconn_open(&p->conn, server, lport, rport, &peer_conn_ops, p), 0);
}

/* ---- proxy side ------------------------------------------------------------------------- */

static int
proxy_output(void *user, uint16_t link, const void *pkt, size_t len)
{
	(void)user;
	return wire_push(&peers[link]->in, pkt, len) ? 0 : -ENOBUFS;
}

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

static void
pump_once(void)
{
	uint8_t pkt[WIRE_PKT];

	for (unsigned i = 0; i < 3; i++) {
		while (to_proxy[i].head != to_proxy[i].tail) {
			struct wire *w = &to_proxy[i];
			size_t n = w->len[w->head % WIRE_SLOTS];

			memcpy(pkt, w->pkt[w->head % WIRE_SLOTS], n);
			w->head++;
			sw_proxy_sctp_input(&ps, (uint16_t)i, pkt, n);
		}
		while (peers[i]->in.head != peers[i]->in.tail) {
			struct wire *w = &peers[i]->in;
			size_t n = w->len[w->head % WIRE_SLOTS];

			memcpy(pkt, w->pkt[w->head % WIRE_SLOTS], n);
			w->head++;
			sw_sconn_input(&peers[i]->conn, pkt, n);
		}
	}
	uint64_t t = now_ms();
	sw_proxy_sctp_poll(&ps, t); /* also runs usrsctp's timers for everyone */
	for (unsigned i = 0; i < 3; i++) {
		sw_sconn_poll(&peers[i]->conn);
		sw_m3ua_tick(&peers[i]->ep, t);
	}
}

/* Run the loop until cond() or timeout; false on timeout. */
static bool
run_until(bool (*cond)(void), unsigned timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;

	while (now_ms() < end) {
		pump_once();
		if (cond())
			return true;
		struct timespec ts = {0, 200000};
		nanosleep(&ts, NULL);
	}
	return cond();
}

static bool
all_active(void)
{
	return partner.ep.state == SW_M3UA_ASP_ACTIVE && home.ep.state == SW_M3UA_ASP_ACTIVE &&
	       hp.ep.state == SW_M3UA_ASP_ACTIVE && px.link[0].ep.state == SW_M3UA_ASP_ACTIVE &&
	       px.link[1].ep.state == SW_M3UA_ASP_ACTIVE &&
	       px.link[2].ep.state == SW_M3UA_ASP_ACTIVE;
}

static unsigned want_partner, want_home, want_hp;

static bool
got_partner(void)
{
	return partner.ndata >= want_partner;
}

static bool
got_home(void)
{
	return home.ndata >= want_home;
}

static bool
got_hp(void)
{
	return hp.ndata >= want_hp;
}

static bool
got_duna(void)
{
	return partner.duna >= 1;
}

static bool
got_dava(void)
{
	return partner.dava >= 1 && px.link[1].routable;
}

/* UDT with return on error: cdpa GT 27821234567 (HLR), cgpa GT with the given first byte
 * pair of BCD digits (0x66 -> "66..."), TCAP Begin OTID 01020304. */
static size_t
mk_udt(uint8_t *out, uint8_t cgpa_bcd)
{
	static const uint8_t udt[] = {
		0x09, 0x80, 0x03, 0x0e, 0x19,
		0x0b, 0x12, 0x06, 0x00, 0x11, 0x04, 0x72, 0x28, 0x21, 0x43, 0x65, 0x07,
		0x0b, 0x12, 0x08, 0x00, 0x12, 0x04, 0x94, 0x71, 0x02, 0x00, 0x00, 0x10,
		0x08, 0x62, 0x06, 0x48, 0x04, 0x01, 0x02, 0x03, 0x04,
	};

	memcpy(out, udt, sizeof(udt));
	if (cgpa_bcd != 0)
		memset(out + 23, cgpa_bcd, 6);
	return sizeof(udt);
}

static void
partner_sends(uint8_t cgpa_bcd, uint32_t dpc)
{
	struct sw_m3ua_label l = {.opc = 1000, .dpc = dpc, .si = 3, .ni = 2, .sls = 3};
	uint8_t ud[64];
	size_t n = mk_udt(ud, cgpa_bcd);

	assert_int_equal(sw_m3ua_send_data(&partner.ep, 1, &l, ud, n), 0);
}

static void
test_proxy_end_to_end(void **state)
{
	struct sw_proxy_ops ops = {0};
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
	t0 = 0;
	t0 = now_ms();
	sw_proxy_sctp_ops(&ps, &ops);
	sw_proxy_init(&px, &ops, &judge);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(sw_proxy_add_link(&px, &lc[i]), (int)i);
	assert_int_equal(sw_proxy_add_link(&px, &lc[0]), -EEXIST);
	assert_int_equal(sw_route_add(&px.routes, 2000, &l_home, 1), 0);
	assert_int_equal(sw_route_add(&px.routes, 1000, &l_partner, 1), 0);
	sw_proxy_seal(&px);
	assert_int_equal(sw_proxy_sctp_open(&ps, &px, proxy_output, NULL, now_ms()), 0);
	peer_open(&partner, "partner", false, 3100, 3000, 100);
	peer_open(&home, "home", true, 3101, 3001, 200);
	peer_open(&hp, "honeypot", true, 3102, 3002, 300);

	/* 1. Every association up, every ASP active on both sides. */
	assert_true(run_until(all_active, 5000));
	assert_int_equal(home.as.state, SW_M3UA_AS_ACTIVE);
	assert_int_equal(px.link[0].as.state, SW_M3UA_AS_ACTIVE);

	/* 2. Routed: partner -> home, user data byte-identical, routing context of home's side. */
	partner_sends(0, 2000);
	want_home = 1;
	assert_true(run_until(got_home, 2000));
	assert_int_equal(home.last.opc, 1000);
	assert_int_equal(home.last.dpc, 2000);
	assert_int_equal(home.last_rctx, 200);
	assert_int_equal(home.last_ud_len, mk_udt(ud, 0));
	assert_memory_equal(home.last_ud, ud, home.last_ud_len);
	/* and back: home -> partner by the partner's DPC, rctx 100 on the partner's side */
	struct sw_m3ua_label back = {.opc = 2000, .dpc = 1000, .si = 3, .ni = 2, .sls = 3};
	assert_int_equal(sw_m3ua_send_data(&home.ep, 1, &back, ud, mk_udt(ud, 0)), 0);
	want_partner = 1;
	assert_true(run_until(got_partner, 2000));
	assert_int_equal(partner.last_rctx, 100);
	assert_int_equal(px.ctr[SW_PXO_ROUTED], 2);

	/* 3. reject: the caller receives a UDTS "subsystem failure" from the proxy's pc. */
	partner_sends(0x66, 2000);
	want_partner = 2;
	assert_true(run_until(got_partner, 2000));
	memset(&msu, 0, sizeof(msu));
	sw_sccp_decode(partner.last_ud, 0, partner.last_ud_len, &msu);
	assert_int_equal(msu.sccp.type, SCCP_MSG_UDTS);
	assert_int_equal(msu.sccp.cause, SCCP_CAUSE_SS_FAILURE);
	assert_int_equal(partner.last.opc, 1500);
	assert_int_equal(partner.last.dpc, 1000);
	assert_int_equal(px.ctr[SW_PXO_REJECTED], 1);

	/* 4. abort: a TCAP abort of the caller's transaction. */
	partner_sends(0x77, 2000);
	want_partner = 3;
	assert_true(run_until(got_partner, 2000));
	memset(&msu, 0, sizeof(msu));
	sw_sccp_decode(partner.last_ud, 0, partner.last_ud_len, &msu);
	assert_int_equal(msu.sccp.type, SCCP_MSG_UDT);
	assert_int_equal(msu.tcap.type, SW_TCAP_ABORT);
	assert_int_equal(msu.tcap.dtid_len, 4);

	/* 5. redirect: only the honeypot sees it. */
	partner_sends(0x88, 2000);
	want_hp = 1;
	assert_true(run_until(got_hp, 2000));
	assert_int_equal(hp.last.dpc, 2000);
	assert_int_equal(hp.last_rctx, 300);

	/* 6. drop, 7. no route (DPC 4000): UDTS "no translation for this specific address". */
	partner_sends(0x99, 2000);
	partner_sends(0, 4000);
	want_partner = 4;
	assert_true(run_until(got_partner, 2000));
	memset(&msu, 0, sizeof(msu));
	sw_sccp_decode(partner.last_ud, 0, partner.last_ud_len, &msu);
	assert_int_equal(msu.sccp.type, SCCP_MSG_UDTS);
	assert_int_equal(msu.sccp.cause, SCCP_CAUSE_NO_TRANS_ADDR);
	assert_int_equal(px.ctr[SW_PXO_DROPPED], 1);
	assert_int_equal(px.ctr[SW_PXO_NO_ROUTE_UDTS], 1);
	assert_int_equal(home.ndata, 1); /* nothing but the first message reached home */
	assert_int_equal(hp.ndata, 1);

	/* status lists the associations and their M3UA states */
	sw_proxy_status(&px, status, sizeof(status));
	assert_non_null(strstr(status, "link partner sctp=up m3ua=sgp asp=active as=active"));
	assert_non_null(strstr(status, "link home sctp=up m3ua=asp asp=active as=active"));

	/* 8. home restarts: its association is aborted; the partner hears DUNA 2000, then DAVA
	 * 2000 when the proxy has reconnected and home is active again; traffic flows again. */
	partner.dava = 0;
	sw_sconn_abort(&home.conn);
	assert_true(run_until(got_duna, 3000));
	assert_int_equal(partner.duna_pc, 2000);
	assert_false(sw_route_available(&px.routes, 2000));
	assert_true(run_until(got_dava, 5000));
	assert_int_equal(partner.dava_pc, 2000);
	partner_sends(0, 2000);
	want_home = 2;
	assert_true(run_until(got_home, 2000));

	sw_proxy_sctp_close(&ps);
	for (unsigned i = 0; i < 3; i++)
		sw_sconn_close(&peers[i]->conn);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proxy_end_to_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
