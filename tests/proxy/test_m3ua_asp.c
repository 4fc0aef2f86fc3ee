/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * M3UA endpoint (dataplane/proxy/m3ua_asp.c): every ASP/AS transition of RFC 4666 4.3 between
 * endpoints wired back to back in memory, and every bad input of issue 21 (a message in the
 * wrong state, an unknown routing context, ERR handling, malformed messages) with the exact
 * RFC 4666 3.8.1 error code the endpoint answers with.
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

#include "dataplane/proxy/m3ua_asp.h"
#include "dataplane/proxy/m3ua_wire.h"

#define QMAX 32

struct qmsg {
	uint16_t stream;
	size_t len;
	uint8_t b[SW_M3UA_MSG_MAX + 64];
};

struct peer {
	struct sw_m3ua_ep ep;
	struct qmsg out[QMAX];
	unsigned nout;
	unsigned ev[16];   /* count per event */
	uint32_t ev_arg[16]; /* last argument per event */
	unsigned ndata;
	struct sw_m3ua_label last_label;
	uint32_t last_rctx;
	bool pc_up;        /* answer of pc_available */
};

static int
cb_send(void *user, uint16_t stream, const uint8_t *msg, size_t len)
{
	struct peer *p = user;

	assert_true(p->nout < QMAX);
	assert_true(len <= sizeof(p->out[0].b));
	p->out[p->nout].stream = stream;
	p->out[p->nout].len = len;
	memcpy(p->out[p->nout].b, msg, len);
	p->nout++;
	return 0;
}

static void
cb_data(void *user, const struct sw_m3ua_msg *m, uint32_t rctx)
{
	struct peer *p = user;
	const uint8_t *ud;
	uint32_t ud_len;

	assert_true(sw_m3ua_data_label(m, &p->last_label, &ud, &ud_len));
	p->last_rctx = rctx;
	p->ndata++;
}

static void
cb_event(void *user, enum sw_m3ua_event ev, uint32_t arg)
{
	struct peer *p = user;

	p->ev[ev]++;
	p->ev_arg[ev] = arg;
}

static bool
cb_pc_available(void *user, uint32_t pc)
{
	struct peer *p = user;

	return p->pc_up && pc != 0x999;
}

static const struct sw_m3ua_cb cbs = {
	.send = cb_send, .data = cb_data, .event = cb_event, .pc_available = cb_pc_available};

static void
client_init(struct peer *p, uint32_t tmt, uint32_t rctx)
{
	struct sw_m3ua_cfg cfg = {.role = SW_M3UA_ROLE_ASP, .tmt = tmt, .nrctx = rctx != 0};

	memset(p, 0, sizeof(*p));
	cfg.rctx[0] = rctx;
	sw_m3ua_ep_init(&p->ep, &cfg, &cbs, p);
}

static void
server_init(struct peer *p, struct sw_m3ua_as *as)
{
	struct sw_m3ua_cfg cfg = {.role = SW_M3UA_ROLE_SGP};

	memset(p, 0, sizeof(*p));
	p->pc_up = true;
	sw_m3ua_ep_init(&p->ep, &cfg, &cbs, p);
	if (as != NULL)
		assert_int_equal(sw_m3ua_ep_add_as(&p->ep, as), 0);
}

/* Deliver a's queued messages to b and b's to a until both are quiet. */
static void
pump(struct peer *a, struct peer *b, uint64_t now)
{
	for (int round = 0; round < 20 && (a->nout || b->nout); round++) {
		struct qmsg q[QMAX];
		unsigned n;

		n = a->nout;
		memcpy(q, a->out, n * sizeof(q[0]));
		a->nout = 0;
		for (unsigned i = 0; i < n; i++)
			sw_m3ua_input(&b->ep, q[i].stream, q[i].b, q[i].len, now);
		n = b->nout;
		memcpy(q, b->out, n * sizeof(q[0]));
		b->nout = 0;
		for (unsigned i = 0; i < n; i++)
			sw_m3ua_input(&a->ep, q[i].stream, q[i].b, q[i].len, now);
	}
	assert_int_equal(a->nout, 0);
	assert_int_equal(b->nout, 0);
}

/* Find the i-th queued message of cls/type in p's outbox. */
static const struct qmsg *
find(const struct peer *p, uint8_t cls, uint8_t type)
{
	for (unsigned i = 0; i < p->nout; i++)
		if (p->out[i].b[2] == cls && p->out[i].b[3] == type)
			return &p->out[i];
	return NULL;
}

/* Error code of the ERR p sent, or -1 if none. */
static long
err_sent(const struct peer *p)
{
	const struct qmsg *q = find(p, M3UA_CLASS_MGMT, M3UA_MGMT_ERR);
	struct sw_m3ua_msg m;

	if (q == NULL)
		return -1;
	assert_int_equal(sw_m3ua_parse(q->b, q->len, &m), 0);
	assert_true(m.present & 1u << SW_M3UA_P_ERR_CODE);
	return (long)m.err_code;
}

/* Build a message with optional routing context / traffic mode. */
static size_t
mk(uint8_t *out, uint8_t cls, uint8_t type, uint32_t rctx, uint32_t tmt)
{
	struct sw_m3ua_buf b = {.p = out, .cap = SW_M3UA_MSG_MAX};

	sw_m3ua_put_hdr(&b, cls, type);
	if (tmt != 0)
		sw_m3ua_put_u32(&b, M3UA_TAG_TMT, tmt);
	if (rctx != 0)
		sw_m3ua_put_u32(&b, M3UA_TAG_RCTX, rctx);
	return sw_m3ua_put_end(&b);
}

static const struct sw_m3ua_label label = {
	.opc = 0x1111, .dpc = 0x2222, .si = 3, .ni = 2, .mp = 0, .sls = 5};
static const uint8_t ud[] = {0x09, 0x00, 0x03, 0x05, 0x07};

/* ASP client up and active against an SGP serving one AS. */
static void
bring_up(struct peer *c, struct peer *s, struct sw_m3ua_as *as, uint32_t tmt)
{
	sw_m3ua_as_init(as, 100, tmt);
	client_init(c, tmt, 100);
	server_init(s, as);
	sw_m3ua_conn_up(&c->ep, 0);
	sw_m3ua_conn_up(&s->ep, 0);
	pump(c, s, 1);
	assert_int_equal(c->ep.state, SW_M3UA_ASP_ACTIVE);
	assert_int_equal(s->ep.state, SW_M3UA_ASP_ACTIVE);
}

static void
test_up_active_data(void **state)
{
	struct peer c, s;
	struct sw_m3ua_as as;
	uint8_t buf[SW_M3UA_MSG_MAX];
	size_t n;

	(void)state;
	sw_m3ua_as_init(&as, 100, M3UA_TMT_OVERRIDE);
	client_init(&c, M3UA_TMT_OVERRIDE, 100);
	server_init(&s, &as);
	sw_m3ua_conn_up(&s.ep, 0);
	assert_int_equal(s.nout, 0); /* the server waits for ASPUP */
	sw_m3ua_conn_up(&c.ep, 0);
	/* ASPUP carries nothing but the header here (no ASP id configured). */
	assert_int_equal(c.nout, 1);
	static const uint8_t aspup[] = {1, 0, 3, 1, 0, 0, 0, 8};
	assert_memory_equal(c.out[0].b, aspup, sizeof(aspup));
	assert_int_equal(c.out[0].len, sizeof(aspup));
	assert_int_equal(c.out[0].stream, 0);
	pump(&c, &s, 1);
	assert_int_equal(c.ep.state, SW_M3UA_ASP_ACTIVE);
	assert_int_equal(s.ep.state, SW_M3UA_ASP_ACTIVE);
	assert_int_equal(as.state, SW_M3UA_AS_ACTIVE);
	assert_int_equal(c.ep.peer_as_state, SW_M3UA_AS_ACTIVE); /* from NTFY AS-ACTIVE */
	assert_int_equal(c.ev[SW_M3UA_EV_NTFY_RX], 2);           /* AS-INACTIVE, AS-ACTIVE */
	assert_int_equal(s.ep.ctr.err_tx + c.ep.ctr.err_tx, 0);

	/* DATA both ways, routing context and label preserved. */
	assert_int_equal(sw_m3ua_send_data(&c.ep, 1, &label, ud, sizeof(ud)), 0);
	pump(&c, &s, 2);
	assert_int_equal(s.ndata, 1);
	assert_int_equal(s.last_rctx, 100);
	assert_memory_equal(&s.last_label, &label, sizeof(label));
	assert_int_equal(sw_m3ua_send_data(&s.ep, 3, &label, ud, sizeof(ud)), 0);
	pump(&c, &s, 3);
	assert_int_equal(c.ndata, 1);

	/* DATA built by hand, byte-exact: RFC 4666 3.3.1 layout. */
	n = sw_m3ua_build_data(buf, sizeof(buf), 100, false, 0, &label, ud, sizeof(ud));
	static const uint8_t want[] = {
		1, 0, 1, 1, 0, 0, 0, 0x28,       /* DATA, length 40 */
		0x00, 0x06, 0x00, 0x08, 0, 0, 0, 100, /* RCTX 100 */
		0x02, 0x10, 0x00, 0x15,          /* Protocol Data, 4 + 12 + 5 */
		0, 0, 0x11, 0x11, 0, 0, 0x22, 0x22, 3, 2, 0, 5,
		0x09, 0x00, 0x03, 0x05, 0x07, 0, 0, 0, /* user data + padding */
	};
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

static void
test_deactivate_and_down(void **state)
{
	struct peer c, s;
	struct sw_m3ua_as as;

	(void)state;
	bring_up(&c, &s, &as, M3UA_TMT_OVERRIDE);
	assert_int_equal(sw_m3ua_deactivate(&c.ep), 0);
	pump(&c, &s, 10);
	assert_int_equal(c.ep.state, SW_M3UA_ASP_INACTIVE);
	assert_int_equal(s.ep.state, SW_M3UA_ASP_INACTIVE);
	/* Last active ASP gone: AS-PENDING during T(r), then AS-INACTIVE. */
	assert_int_equal(as.state, SW_M3UA_AS_PENDING);
	assert_int_equal(c.ep.peer_as_state, SW_M3UA_AS_PENDING);
	sw_m3ua_tick(&s.ep, 10 + 1999);
	assert_int_equal(as.state, SW_M3UA_AS_PENDING);
	sw_m3ua_tick(&s.ep, 10 + 2000);
	assert_int_equal(as.state, SW_M3UA_AS_INACTIVE);
	pump(&c, &s, 2011);
	assert_int_equal(c.ep.peer_as_state, SW_M3UA_AS_INACTIVE);
	/* ASPIA in INACTIVE is an error on the client side (nothing to deactivate). */
	assert_int_equal(sw_m3ua_deactivate(&c.ep), -EINVAL);
	assert_int_equal(sw_m3ua_down(&c.ep), 0);
	pump(&c, &s, 2020);
	assert_int_equal(c.ep.state, SW_M3UA_ASP_DOWN);
	assert_int_equal(s.ep.state, SW_M3UA_ASP_DOWN);
	assert_int_equal(as.state, SW_M3UA_AS_DOWN);
	assert_int_equal(c.ep.ctr.err_tx + s.ep.ctr.err_tx, 0);
}

static void
test_override_takeover(void **state)
{
	struct peer c1, c2, s1, s2;
	struct sw_m3ua_as as;

	(void)state;
	bring_up(&c1, &s1, &as, M3UA_TMT_OVERRIDE);
	client_init(&c2, M3UA_TMT_OVERRIDE, 100);
	server_init(&s2, &as);
	sw_m3ua_conn_up(&c2.ep, 5);
	pump(&c2, &s2, 5);
	/* The newcomer is active; the first ASP was told "Alternate ASP Active". */
	assert_int_equal(s2.ep.state, SW_M3UA_ASP_ACTIVE);
	assert_int_equal(c2.ep.state, SW_M3UA_ASP_ACTIVE);
	assert_int_equal(s1.ep.state, SW_M3UA_ASP_INACTIVE);
	assert_int_equal(as.state, SW_M3UA_AS_ACTIVE);
	pump(&c1, &s1, 6);
	assert_int_equal(c1.ep.state, SW_M3UA_ASP_INACTIVE);
	assert_int_equal(c1.ev_arg[SW_M3UA_EV_NTFY_RX],
			 M3UA_NTFY_T_OTHER << 16 | M3UA_NTFY_I_ALT_ASP_ACTIVE);
	/* The standby's DATA is refused now. */
	assert_int_equal(sw_m3ua_send_data(&c1.ep, 1, &label, ud, sizeof(ud)), -EAGAIN);
}

static void
test_loadshare(void **state)
{
	struct peer c1, c2, s1, s2;
	struct sw_m3ua_as as;

	(void)state;
	bring_up(&c1, &s1, &as, M3UA_TMT_LOADSHARE);
	as.min_active = 2;
	client_init(&c2, M3UA_TMT_LOADSHARE, 100);
	server_init(&s2, &as);
	sw_m3ua_conn_up(&c2.ep, 5);
	pump(&c2, &s2, 5);
	assert_int_equal(s1.ep.state, SW_M3UA_ASP_ACTIVE); /* both stay active */
	assert_int_equal(s2.ep.state, SW_M3UA_ASP_ACTIVE);
	assert_int_equal(s1.nout, 0);                       /* nobody told the first one */
	/* One ASP leaves: the AS stays active on the other. */
	sw_m3ua_conn_down(&s1.ep, 6);
	assert_int_equal(as.state, SW_M3UA_AS_ACTIVE);
	/* The second leaves too, ASPAC by c1 during T(r) brings the AS back to active. */
	assert_int_equal(sw_m3ua_deactivate(&c2.ep), 0);
	pump(&c2, &s2, 7);
	assert_int_equal(as.state, SW_M3UA_AS_PENDING);
	sw_m3ua_conn_down(&c1.ep, 8);
	sw_m3ua_conn_up(&c1.ep, 8);
	sw_m3ua_conn_up(&s1.ep, 8);
	pump(&c1, &s1, 8);
	assert_int_equal(s1.ep.state, SW_M3UA_ASP_ACTIVE);
	assert_int_equal(as.state, SW_M3UA_AS_ACTIVE);
	/* Loadshare with min_active 2 and one active: "Insufficient ASP resources". */
	assert_int_equal(c1.ev_arg[SW_M3UA_EV_NTFY_RX],
			 M3UA_NTFY_T_OTHER << 16 | M3UA_NTFY_I_INSUFF_ASP);
	assert_int_equal(c1.ep.peer_as_state, SW_M3UA_AS_ACTIVE);
}

static void
test_wrong_state(void **state)
{
	struct peer c, s;
	struct sw_m3ua_as as;
	uint8_t m[SW_M3UA_MSG_MAX];
	size_t n;

	(void)state;
	sw_m3ua_as_init(&as, 100, M3UA_TMT_OVERRIDE);
	server_init(&s, &as);
	/* ASPAC before ASPUP: Unexpected Message, no ack, still down. */
	n = mk(m, M3UA_CLASS_ASPTM, M3UA_ASPTM_ACTIVE, 100, 0);
	sw_m3ua_input(&s.ep, 0, m, n, 0);
	assert_int_equal(err_sent(&s), M3UA_ERR_UNEXPECTED_MSG);
	assert_null(find(&s, M3UA_CLASS_ASPTM, M3UA_ASPTM_ACTIVE_ACK));
	assert_int_equal(s.ep.state, SW_M3UA_ASP_DOWN);
	s.nout = 0;
	/* ASPIA before ASPUP: same. */
	n = mk(m, M3UA_CLASS_ASPTM, M3UA_ASPTM_INACTIVE, 0, 0);
	sw_m3ua_input(&s.ep, 0, m, n, 0);
	assert_int_equal(err_sent(&s), M3UA_ERR_UNEXPECTED_MSG);
	s.nout = 0;
	/* ASPUP: inactive. DATA in ASP-INACTIVE: Unexpected Message, not delivered. */
	n = mk(m, M3UA_CLASS_ASPSM, M3UA_ASPSM_UP, 0, 0);
	sw_m3ua_input(&s.ep, 0, m, n, 0);
	assert_int_equal(s.ep.state, SW_M3UA_ASP_INACTIVE);
	s.nout = 0;
	n = sw_m3ua_build_data(m, sizeof(m), 100, false, 0, &label, ud, sizeof(ud));
	sw_m3ua_input(&s.ep, 1, m, n, 0);
	assert_int_equal(err_sent(&s), M3UA_ERR_UNEXPECTED_MSG);
	assert_int_equal(s.ndata, 0);
	s.nout = 0;
	/* Acks are never expected by a server. */
	n = mk(m, M3UA_CLASS_ASPSM, M3UA_ASPSM_UP_ACK, 0, 0);
	sw_m3ua_input(&s.ep, 0, m, n, 0);
	assert_int_equal(err_sent(&s), M3UA_ERR_UNEXPECTED_MSG);
	s.nout = 0;
	/* Active, then ASPUP again: ASPUP-ACK + ERR, and the ASP is inactive (RFC 4666
	 * 4.3.4.1). */
	n = mk(m, M3UA_CLASS_ASPTM, M3UA_ASPTM_ACTIVE, 100, 0);
	sw_m3ua_input(&s.ep, 0, m, n, 0);
	assert_int_equal(s.ep.state, SW_M3UA_ASP_ACTIVE);
	s.nout = 0;
	n = mk(m, M3UA_CLASS_ASPSM, M3UA_ASPSM_UP, 0, 0);
	sw_m3ua_input(&s.ep, 0, m, n, 0);
	assert_non_null(find(&s, M3UA_CLASS_ASPSM, M3UA_ASPSM_UP_ACK));
	assert_int_equal(err_sent(&s), M3UA_ERR_UNEXPECTED_MSG);
	assert_int_equal(s.ep.state, SW_M3UA_ASP_INACTIVE);
	s.nout = 0;
	/* DAVA from an ASP: only an SGP sends it. */
	n = mk(m, M3UA_CLASS_SSNM, M3UA_SSNM_DAVA, 0, 0);
	sw_m3ua_input(&s.ep, 0, m, n, 0);
	assert_int_equal(err_sent(&s), M3UA_ERR_MISSING_PARAM); /* no APC: missing first */

	/* Client side: unsolicited acks and requests. */
	client_init(&c, 0, 100);
	n = mk(m, M3UA_CLASS_ASPTM, M3UA_ASPTM_ACTIVE_ACK, 100, 0);
	sw_m3ua_input(&c.ep, 0, m, n, 0);
	assert_int_equal(err_sent(&c), M3UA_ERR_UNEXPECTED_MSG);
	assert_int_equal(c.ep.state, SW_M3UA_ASP_DOWN);
	c.nout = 0;
	n = mk(m, M3UA_CLASS_ASPSM, M3UA_ASPSM_UP, 0, 0);
	sw_m3ua_input(&c.ep, 0, m, n, 0);
	assert_int_equal(err_sent(&c), M3UA_ERR_UNEXPECTED_MSG);
	c.nout = 0;
	n = mk(m, M3UA_CLASS_ASPSM, M3UA_ASPSM_UP_ACK, 0, 0);
	sw_m3ua_input(&c.ep, 0, m, n, 0);
	assert_int_equal(err_sent(&c), M3UA_ERR_UNEXPECTED_MSG);
	assert_int_equal(c.ep.state, SW_M3UA_ASP_DOWN);
	assert_int_equal(sw_m3ua_send_data(&c.ep, 1, &label, ud, sizeof(ud)), -EAGAIN);
}

static void
test_unknown_rctx(void **state)
{
	struct peer c, s;
	struct sw_m3ua_as as;
	uint8_t m[SW_M3UA_MSG_MAX];
	struct sw_m3ua_msg e;
	size_t n;

	(void)state;
	sw_m3ua_as_init(&as, 100, M3UA_TMT_OVERRIDE);
	server_init(&s, &as);
	n = mk(m, M3UA_CLASS_ASPSM, M3UA_ASPSM_UP, 0, 0);
	sw_m3ua_input(&s.ep, 0, m, n, 0);
	s.nout = 0;
	/* ASPAC for routing context 999: ERR "Invalid Routing Context" naming 999, no ack. */
	n = mk(m, M3UA_CLASS_ASPTM, M3UA_ASPTM_ACTIVE, 999, 0);
	sw_m3ua_input(&s.ep, 0, m, n, 0);
	assert_int_equal(err_sent(&s), M3UA_ERR_INVALID_RCTX);
	assert_int_equal(sw_m3ua_parse(s.out[0].b, s.out[0].len, &e), 0);
	assert_int_equal(e.nrctx, 1);
	assert_int_equal(e.rctx[0], 999);
	assert_true(e.present & 1u << SW_M3UA_P_DIAG);
	assert_int_equal(s.nout, 1);
	assert_int_equal(s.ep.state, SW_M3UA_ASP_INACTIVE);
	s.nout = 0;
	/* Same for ASPIA. */
	n = mk(m, M3UA_CLASS_ASPTM, M3UA_ASPTM_INACTIVE, 998, 0);
	sw_m3ua_input(&s.ep, 0, m, n, 0);
	assert_int_equal(err_sent(&s), M3UA_ERR_INVALID_RCTX);
	s.nout = 0;
	/* Traffic mode other than the AS's: "Unsupported Traffic Mode Type". */
	n = mk(m, M3UA_CLASS_ASPTM, M3UA_ASPTM_ACTIVE, 100, M3UA_TMT_LOADSHARE);
	sw_m3ua_input(&s.ep, 0, m, n, 0);
	assert_int_equal(err_sent(&s), M3UA_ERR_UNSUPP_TMT);
	assert_int_equal(s.ep.state, SW_M3UA_ASP_INACTIVE);
	s.nout = 0;
	/* Active on 100, then DATA for 999 is refused and not delivered. */
	n = mk(m, M3UA_CLASS_ASPTM, M3UA_ASPTM_ACTIVE, 100, M3UA_TMT_OVERRIDE);
	sw_m3ua_input(&s.ep, 0, m, n, 0);
	assert_int_equal(s.ep.state, SW_M3UA_ASP_ACTIVE);
	s.nout = 0;
	n = sw_m3ua_build_data(m, sizeof(m), 999, false, 0, &label, ud, sizeof(ud));
	sw_m3ua_input(&s.ep, 1, m, n, 0);
	assert_int_equal(err_sent(&s), M3UA_ERR_INVALID_RCTX);
	assert_int_equal(s.ndata, 0);
	s.nout = 0;
	n = sw_m3ua_build_data(m, sizeof(m), 100, false, 0, &label, ud, sizeof(ud));
	sw_m3ua_input(&s.ep, 1, m, n, 0);
	assert_int_equal(s.ndata, 1);
	assert_int_equal(s.nout, 0);

	/* An ASP with no AS configured: "No Configured AS for ASP". */
	server_init(&c, NULL);
	n = mk(m, M3UA_CLASS_ASPSM, M3UA_ASPSM_UP, 0, 0);
	sw_m3ua_input(&c.ep, 0, m, n, 0);
	c.nout = 0;
	n = mk(m, M3UA_CLASS_ASPTM, M3UA_ASPTM_ACTIVE, 0, 0);
	sw_m3ua_input(&c.ep, 0, m, n, 0);
	assert_int_equal(err_sent(&c), M3UA_ERR_NO_AS_FOR_ASP);
}

static void
test_err_handling(void **state)
{
	struct peer c, s;
	struct sw_m3ua_as as;
	uint8_t m[SW_M3UA_MSG_MAX];
	size_t n;

	(void)state;
	/* The client asks for a context the server does not serve: the server's ERR stops the
	 * client's ASPAC retransmission and is reported; the client stays inactive. */
	sw_m3ua_as_init(&as, 100, M3UA_TMT_OVERRIDE);
	client_init(&c, M3UA_TMT_OVERRIDE, 200);
	server_init(&s, &as);
	sw_m3ua_conn_up(&c.ep, 0);
	pump(&c, &s, 0);
	assert_int_equal(c.ep.state, SW_M3UA_ASP_INACTIVE);
	assert_int_equal(c.ev[SW_M3UA_EV_ERR_RX], 1);
	assert_int_equal(c.ep.last_err_rx, M3UA_ERR_INVALID_RCTX);
	sw_m3ua_tick(&c.ep, 10000);
	assert_int_equal(c.nout, 0); /* no retransmission after the refusal */

	/* An ERR is never answered, even a malformed one. */
	n = mk(m, M3UA_CLASS_MGMT, M3UA_MGMT_ERR, 0, 0);
	sw_m3ua_input(&c.ep, 0, m, n, 0);
	assert_int_equal(c.nout, 0);
	assert_int_equal(c.ev[SW_M3UA_EV_ERR_RX], 2);
	m[7] = 12; /* length says 12, message is 8 */
	sw_m3ua_input(&c.ep, 0, m, n, 0);
	assert_int_equal(c.nout, 0);
	assert_int_equal(c.ep.ctr.dropped, 1);

	/* NTFY without Status: Missing Parameter. */
	n = mk(m, M3UA_CLASS_MGMT, M3UA_MGMT_NTFY, 0, 0);
	sw_m3ua_input(&c.ep, 0, m, n, 0);
	assert_int_equal(err_sent(&c), M3UA_ERR_MISSING_PARAM);
	c.nout = 0;
	/* MGMT type 5: Unsupported Message Type. */
	n = mk(m, M3UA_CLASS_MGMT, 5, 0, 0);
	sw_m3ua_input(&c.ep, 0, m, n, 0);
	assert_int_equal(err_sent(&c), M3UA_ERR_UNSUPP_TYPE);
}

static void
test_bad_input(void **state)
{
	struct peer s, b;
	struct sw_m3ua_as as;
	uint8_t m[SW_M3UA_MSG_MAX];
	size_t n;
	static const struct {
		const char *what;
		uint8_t msg[24];
		size_t len;
		uint16_t stream;
		long err;
	} cases[] = {
		{"version 2", {2, 0, 3, 1, 0, 0, 0, 8}, 8, 0, M3UA_ERR_INVALID_VERSION},
		{"short header", {1, 0, 3, 1, 0, 0}, 6, 0, M3UA_ERR_PROTOCOL},
		{"length beyond message", {1, 0, 3, 1, 0, 0, 0, 12}, 8, 0, M3UA_ERR_PROTOCOL},
		{"length not a multiple of 4", {1, 0, 3, 1, 0, 0, 0, 10, 0, 0}, 10, 0,
		 M3UA_ERR_PROTOCOL},
		{"parameter past the end",
		 {1, 0, 3, 1, 0, 0, 0, 16, 0x00, 0x11, 0x00, 0x10, 0, 0, 0, 1},
		 16, 0, M3UA_ERR_PARAM_FIELD},
		{"parameter length < 4", {1, 0, 3, 1, 0, 0, 0, 12, 0x00, 0x11, 0x00, 0x02}, 12, 0,
		 M3UA_ERR_PARAM_FIELD},
		{"routing context of 3 bytes",
		 {1, 0, 4, 1, 0, 0, 0, 16, 0x00, 0x06, 0x00, 0x07, 0, 0, 1, 0},
		 16, 0, M3UA_ERR_PARAM_FIELD},
		{"traffic mode of 8 bytes",
		 {1, 0, 4, 1, 0, 0, 0, 20, 0x00, 0x0b, 0x00, 0x0c, 0, 0, 0, 1, 0, 0, 0, 1},
		 20, 0, M3UA_ERR_PARAM_FIELD},
		{"RKM class", {1, 0, 9, 1, 0, 0, 0, 8}, 8, 0, M3UA_ERR_UNSUPP_CLASS},
		{"class 7 (SUA)", {1, 0, 7, 1, 0, 0, 0, 8}, 8, 0, M3UA_ERR_UNSUPP_CLASS},
		{"ASPSM type 7", {1, 0, 3, 7, 0, 0, 0, 8}, 8, 0, M3UA_ERR_UNSUPP_TYPE},
		{"ASPTM type 0", {1, 0, 4, 0, 0, 0, 0, 8}, 8, 0, M3UA_ERR_UNSUPP_TYPE},
		{"transfer type 2", {1, 0, 1, 2, 0, 0, 0, 8}, 8, 1, M3UA_ERR_UNSUPP_TYPE},
		{"SSNM type 9", {1, 0, 2, 9, 0, 0, 0, 8}, 8, 0, M3UA_ERR_UNSUPP_TYPE},
		{"DATA on stream 0", {1, 0, 1, 1, 0, 0, 0, 8}, 8, 0, M3UA_ERR_INVALID_STREAM},
	};

	(void)state;
	sw_m3ua_as_init(&as, 100, M3UA_TMT_OVERRIDE);
	server_init(&s, &as);
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s.nout = 0;
		sw_m3ua_input(&s.ep, cases[i].stream, cases[i].msg, cases[i].len, 0);
		if (err_sent(&s) != cases[i].err)
			fail_msg("%s: error %ld, want %ld", cases[i].what, err_sent(&s),
				 cases[i].err);
		assert_int_equal(s.ep.state, SW_M3UA_ASP_DOWN);
	}
	assert_int_equal(s.ep.ctr.dropped, sizeof(cases) / sizeof(cases[0]));

	/* Active; DATA without Protocol Data, and DATA with the wrong network appearance. */
	s.nout = 0;
	s.ep.cfg.na_set = true;
	s.ep.cfg.na = 7;
	n = mk(m, M3UA_CLASS_ASPSM, M3UA_ASPSM_UP, 0, 0);
	sw_m3ua_input(&s.ep, 0, m, n, 0);
	n = mk(m, M3UA_CLASS_ASPTM, M3UA_ASPTM_ACTIVE, 100, 0);
	sw_m3ua_input(&s.ep, 0, m, n, 0);
	assert_int_equal(s.ep.state, SW_M3UA_ASP_ACTIVE);
	s.nout = 0;
	n = mk(m, M3UA_CLASS_TRANSFER, M3UA_XFER_DATA, 100, 0);
	sw_m3ua_input(&s.ep, 1, m, n, 0);
	assert_int_equal(err_sent(&s), M3UA_ERR_MISSING_PARAM);
	s.nout = 0;
	n = sw_m3ua_build_data(m, sizeof(m), 100, true, 8, &label, ud, sizeof(ud));
	sw_m3ua_input(&s.ep, 1, m, n, 0);
	assert_int_equal(err_sent(&s), M3UA_ERR_INVALID_NA);
	assert_int_equal(s.ndata, 0);
	s.nout = 0;
	n = sw_m3ua_build_data(m, sizeof(m), 100, true, 7, &label, ud, sizeof(ud));
	sw_m3ua_input(&s.ep, 1, m, n, 0);
	assert_int_equal(s.ndata, 1);

	/* Management blocking: ASPUP refused. */
	server_init(&b, &as);
	b.ep.cfg.blocked = true;
	n = mk(m, M3UA_CLASS_ASPSM, M3UA_ASPSM_UP, 0, 0);
	sw_m3ua_input(&b.ep, 0, m, n, 0);
	assert_int_equal(err_sent(&b), M3UA_ERR_REFUSED_MGMT_BLOCK);
	assert_null(find(&b, M3UA_CLASS_ASPSM, M3UA_ASPSM_UP_ACK));
	assert_int_equal(b.ep.state, SW_M3UA_ASP_DOWN);
}

static void
test_beat(void **state)
{
	struct peer c, s;
	struct sw_m3ua_as as;
	struct sw_m3ua_msg bm, am;

	(void)state;
	bring_up(&c, &s, &as, M3UA_TMT_OVERRIDE);
	c.ep.cfg.beat_ms = 1000;
	c.ep.next_beat_ms = 1000;
	sw_m3ua_tick(&c.ep, 999);
	assert_int_equal(c.nout, 0);
	sw_m3ua_tick(&c.ep, 1000);
	assert_int_equal(c.nout, 1);
	assert_int_equal(sw_m3ua_parse(c.out[0].b, c.out[0].len, &bm), 0);
	assert_int_equal(bm.type, M3UA_ASPSM_BEAT);
	/* The server echoes the heartbeat data in BEAT-ACK. */
	sw_m3ua_input(&s.ep, 0, c.out[0].b, c.out[0].len, 1000);
	assert_int_equal(s.nout, 1);
	assert_int_equal(sw_m3ua_parse(s.out[0].b, s.out[0].len, &am), 0);
	assert_int_equal(am.type, M3UA_ASPSM_BEAT_ACK);
	assert_int_equal(am.hb_len, bm.hb_len);
	assert_memory_equal(am.hb, bm.hb, bm.hb_len);
	c.nout = 0;
	pump(&c, &s, 1001);
	assert_false(c.ep.beat_outstanding);
	/* The server goes silent: three unanswered BEATs report the loss once. */
	for (uint64_t t = 2000; t <= 5000; t += 1000) {
		sw_m3ua_tick(&c.ep, t);
		c.nout = 0;
	}
	assert_int_equal(c.ev[SW_M3UA_EV_BEAT_LOST], 1);
	assert_int_equal(c.ep.ctr.beat_tx, 5);
}

static void
test_ssnm(void **state)
{
	struct peer c, s;
	struct sw_m3ua_as as;
	struct sw_m3ua_msg e;
	uint32_t pcs[] = {0x1234, 0x999};
	uint32_t one = 0x1234;

	(void)state;
	bring_up(&c, &s, &as, M3UA_TMT_OVERRIDE);
	/* The SGP tells its ASP a destination is unavailable, available, congested. */
	assert_int_equal(sw_m3ua_send_ssnm(&s.ep, M3UA_SSNM_DUNA, &one, 1, 0), 0);
	assert_int_equal(sw_m3ua_parse(s.out[0].b, s.out[0].len, &e), 0);
	assert_int_equal(e.cls, M3UA_CLASS_SSNM);
	assert_int_equal(e.napc, 1);
	assert_int_equal(e.apc[0], 0x1234);
	assert_int_equal(e.rctx[0], 100);
	pump(&c, &s, 10);
	assert_int_equal(c.ev[SW_M3UA_EV_DUNA], 1);
	assert_int_equal(c.ev_arg[SW_M3UA_EV_DUNA], 0x1234);
	assert_int_equal(sw_m3ua_send_ssnm(&s.ep, M3UA_SSNM_DAVA, &one, 1, 0), 0);
	assert_int_equal(sw_m3ua_send_ssnm(&s.ep, M3UA_SSNM_SCON, &one, 1, 2), 0);
	assert_int_equal(sw_m3ua_parse(s.out[1].b, s.out[1].len, &e), 0);
	assert_int_equal(e.cong_level, 2);
	pump(&c, &s, 11);
	assert_int_equal(c.ev[SW_M3UA_EV_DAVA], 1);
	assert_int_equal(c.ev[SW_M3UA_EV_SCON], 1);
	/* Roles: an ASP does not send DUNA; an SGP does not send DAUD. */
	assert_int_equal(sw_m3ua_send_ssnm(&c.ep, M3UA_SSNM_DUNA, &one, 1, 0), -EINVAL);
	assert_int_equal(sw_m3ua_send_ssnm(&s.ep, M3UA_SSNM_DAUD, &one, 1, 0), -EINVAL);
	/* Audit: the SGP answers DAVA for the available pc and DUNA for the other. */
	assert_int_equal(sw_m3ua_send_ssnm(&c.ep, M3UA_SSNM_DAUD, pcs, 2, 0), 0);
	c.ev[SW_M3UA_EV_DUNA] = c.ev[SW_M3UA_EV_DAVA] = 0;
	pump(&c, &s, 12);
	assert_int_equal(c.ev[SW_M3UA_EV_DAVA], 1);
	assert_int_equal(c.ev_arg[SW_M3UA_EV_DAVA], 0x1234);
	assert_int_equal(c.ev[SW_M3UA_EV_DUNA], 1);
	assert_int_equal(c.ev_arg[SW_M3UA_EV_DUNA], 0x999);
	/* Not while down. */
	sw_m3ua_conn_down(&s.ep, 13);
	assert_int_equal(sw_m3ua_send_ssnm(&s.ep, M3UA_SSNM_DUNA, &one, 1, 0), -EAGAIN);
}

static void
test_retransmit_and_restart(void **state)
{
	struct peer c, s;
	struct sw_m3ua_as as;

	(void)state;
	client_init(&c, M3UA_TMT_OVERRIDE, 100);
	sw_m3ua_conn_up(&c.ep, 0);
	assert_int_equal(c.nout, 1);
	c.nout = 0;
	sw_m3ua_tick(&c.ep, 1999);
	assert_int_equal(c.nout, 0);
	sw_m3ua_tick(&c.ep, 2000); /* T(ack): ASPUP again */
	assert_int_equal(c.nout, 1);
	assert_non_null(find(&c, M3UA_CLASS_ASPSM, M3UA_ASPSM_UP));
	c.nout = 0;

	/* Peer restart: the server's association drops while active; the AS goes pending and
	 * then down; the client (new association) comes back through ASPUP/ASPAC. */
	bring_up(&c, &s, &as, M3UA_TMT_OVERRIDE);
	sw_m3ua_conn_down(&s.ep, 100);
	sw_m3ua_conn_down(&c.ep, 100);
	assert_int_equal(as.state, SW_M3UA_AS_PENDING);
	sw_m3ua_tick(&s.ep, 100 + 2000);
	assert_int_equal(as.state, SW_M3UA_AS_DOWN);
	sw_m3ua_conn_up(&s.ep, 3000);
	sw_m3ua_conn_up(&c.ep, 3000);
	pump(&c, &s, 3000);
	assert_int_equal(c.ep.state, SW_M3UA_ASP_ACTIVE);
	assert_int_equal(as.state, SW_M3UA_AS_ACTIVE);

	/* Unsolicited ASPDN-ACK (SGP taking the ASP out of service): down, ASPUP after T(ack). */
	uint8_t m[16];
	size_t n = mk(m, M3UA_CLASS_ASPSM, M3UA_ASPSM_DOWN_ACK, 0, 0);
	sw_m3ua_input(&c.ep, 0, m, n, 4000);
	assert_int_equal(c.ep.state, SW_M3UA_ASP_DOWN);
	assert_int_equal(c.nout, 0);
	sw_m3ua_tick(&c.ep, 6000);
	assert_non_null(find(&c, M3UA_CLASS_ASPSM, M3UA_ASPSM_UP));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_up_active_data),
		cmocka_unit_test(test_deactivate_and_down),
		cmocka_unit_test(test_override_takeover),
		cmocka_unit_test(test_loadshare),
		cmocka_unit_test(test_wrong_state),
		cmocka_unit_test(test_unknown_rctx),
		cmocka_unit_test(test_err_handling),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_beat),
		cmocka_unit_test(test_ssnm),
		cmocka_unit_test(test_retransmit_and_restart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
