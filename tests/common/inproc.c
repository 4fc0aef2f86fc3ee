/* SPDX-License-Identifier: BSD-3-Clause */
/* Proxy mode in one process (inproc.h). */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "dataplane/decode/decode.h"
#include "dataplane/proxy/m3ua_wire.h"
#include "inproc.h"

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t
inproc_now_ns(const struct inproc *ip)
{
	return mono_ns() - ip->t0_ns;
}

static uint64_t
now_ms(const struct inproc *ip)
{
	return inproc_now_ns(ip) / 1000000;
}

static bool
wire_push(struct inproc_wire *w, const void *pkt, size_t len)
{
	if (len > INPROC_PKT || w->tail - w->head == INPROC_SLOTS) {
		w->dropped++;
		return false;
	}
	w->len[w->tail % INPROC_SLOTS] = (uint16_t)len;
	memcpy(w->pkt[w->tail % INPROC_SLOTS], pkt, len);
	w->tail++;
	return true;
}

/* ---- peers ------------------------------------------------------------------------------ */

static int
peer_output(void *user, const void *pkt, size_t len)
{
	struct inproc_peer *p = user;

	return wire_push(&p->ip->to_proxy[p->idx], pkt, len) ? 0 : -ENOBUFS;
}

static void
peer_up(void *user)
{
	struct inproc_peer *p = user;

	sw_m3ua_conn_up(&p->ep, now_ms(p->ip));
}

static void
peer_down(void *user)
{
	struct inproc_peer *p = user;

	sw_m3ua_conn_down(&p->ep, now_ms(p->ip));
}

static void
peer_msg(void *user, uint16_t stream, uint32_t ppid, const uint8_t *buf, size_t len)
{
	struct inproc_peer *p = user;

	if (ppid == SW_PPID_M3UA && !p->silent)
		sw_m3ua_input(&p->ep, stream, buf, len, now_ms(p->ip));
}

static const struct sw_sconn_ops peer_conn_ops = {
	.output = peer_output, .up = peer_up, .down = peer_down, .msg = peer_msg};

static int
peer_send(void *user, uint16_t stream, const uint8_t *msg, size_t len)
{
	struct inproc_peer *p = user;

	return sw_sconn_send(&p->conn, stream, SW_PPID_M3UA, msg, len);
}

static void
peer_data(void *user, const struct sw_m3ua_msg *m, uint32_t rctx)
{
	struct inproc_peer *p = user;
	const uint8_t *ud;
	uint32_t ud_len;

	if (!sw_m3ua_data_label(m, &p->last, &ud, &ud_len))
		return;
	p->ndata++;
	p->last_rctx = rctx;
	p->last_ud_len = ud_len < sizeof(p->last_ud) ? ud_len : sizeof(p->last_ud);
	memcpy(p->last_ud, ud, p->last_ud_len);
	if (p->on_data != NULL)
		p->on_data(p, ud, ud_len);
}

static void
peer_event(void *user, enum sw_m3ua_event ev, uint32_t arg)
{
	struct inproc_peer *p = user;

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

/* ---- the proxy's side ------------------------------------------------------------------- */

static int
proxy_output(void *user, uint16_t link, const void *pkt, size_t len)
{
	struct inproc *ip = user;

	return wire_push(&ip->peer[link].in, pkt, len) ? 0 : -ENOBUFS;
}

int
inproc_setup(struct inproc *ip, const struct sw_proxy_link_cfg *links, unsigned n,
	     const struct sw_proxy_judge *judge)
{
	struct sw_proxy_ops ops = {0};

	if (n > INPROC_LINKS)
		return -EINVAL;
	memset(ip, 0, sizeof(*ip));
	ip->t0_ns = mono_ns();
	ip->n = n;
	sw_proxy_sctp_ops(&ip->ps, &ops);
	sw_proxy_init(&ip->px, &ops, judge);
	for (unsigned i = 0; i < n; i++) {
		int rc = sw_proxy_add_link(&ip->px, &links[i]);

		if (rc < 0)
			return rc;
	}
	return 0;
}

int
inproc_open(struct inproc *ip)
{
	int rc;

	sw_proxy_seal(&ip->px);
	rc = sw_proxy_sctp_open(&ip->ps, &ip->px, proxy_output, ip, now_ms(ip));
	if (rc != 0)
		return rc;
	for (unsigned i = 0; i < ip->n; i++) {
		const struct sw_proxy_link_cfg *lc = &ip->px.link[i].cfg;
		struct inproc_peer *p = &ip->peer[i];
		bool peer_sgp = ip->px.link[i].ep.client;
		struct sw_m3ua_cfg cfg = {.role = peer_sgp ? SW_M3UA_ROLE_SGP : SW_M3UA_ROLE_ASP,
					  .tmt = M3UA_TMT_OVERRIDE, .nrctx = lc->rctx != 0,
					  .rctx = {lc->rctx}};

		p->ip = ip;
		p->idx = i;
		sw_m3ua_ep_init(&p->ep, &cfg, &peer_cb, p);
		if (peer_sgp) {
			sw_m3ua_as_init(&p->as, lc->rctx, M3UA_TMT_OVERRIDE);
			sw_m3ua_ep_add_as(&p->ep, &p->as);
		}
		rc = sw_sconn_open(&p->conn, !lc->sctp_server, lc->rport, lc->lport,
				   &peer_conn_ops, p);
		if (rc != 0)
			return rc;
	}
	return 0;
}

void
inproc_close(struct inproc *ip)
{
	sw_proxy_sctp_close(&ip->ps);
	for (unsigned i = 0; i < ip->n; i++)
		sw_sconn_close(&ip->peer[i].conn);
}

unsigned
inproc_pump(struct inproc *ip)
{
	uint8_t pkt[INPROC_PKT];
	unsigned moved = 0;

	for (unsigned i = 0; i < ip->n; i++) {
		struct inproc_wire *w = &ip->to_proxy[i];

		while (w->head != w->tail) {
			size_t n = w->len[w->head % INPROC_SLOTS];

			memcpy(pkt, w->pkt[w->head % INPROC_SLOTS], n);
			w->head++;
			moved++;
			sw_proxy_sctp_input(&ip->ps, (uint16_t)i, pkt, n);
		}
		w = &ip->peer[i].in;
		while (w->head != w->tail) {
			size_t n = w->len[w->head % INPROC_SLOTS];

			memcpy(pkt, w->pkt[w->head % INPROC_SLOTS], n);
			w->head++;
			moved++;
			sw_sconn_input(&ip->peer[i].conn, pkt, n);
		}
	}
	sw_proxy_sctp_poll(&ip->ps, now_ms(ip)); /* usrsctp's timers run here for everyone */
	for (unsigned i = 0; i < ip->n; i++) {
		sw_sconn_poll(&ip->peer[i].conn);
		sw_m3ua_tick(&ip->peer[i].ep, now_ms(ip));
	}
	return moved;
}

bool
inproc_run_until(struct inproc *ip, bool (*cond)(struct inproc *), unsigned timeout_ms)
{
	uint64_t end = now_ms(ip) + timeout_ms;

	while (now_ms(ip) < end) {
		inproc_pump(ip);
		if (cond(ip))
			return true;
		struct timespec ts = {0, 100000};
		nanosleep(&ts, NULL);
	}
	return cond(ip);
}

bool
inproc_all_active(struct inproc *ip)
{
	for (unsigned i = 0; i < ip->n; i++)
		if (ip->peer[i].ep.state != SW_M3UA_ASP_ACTIVE ||
		    ip->px.link[i].ep.state != SW_M3UA_ASP_ACTIVE)
			return false;
	return true;
}

size_t
inproc_udt(uint8_t *out, uint8_t cgpa_bcd, uint32_t otid)
{
	static const uint8_t udt[INPROC_UDT_LEN] = {
		0x09, 0x80, 0x03, 0x0e, 0x19,
		0x0b, 0x12, 0x06, 0x00, 0x11, 0x04, 0x72, 0x28, 0x21, 0x43, 0x65, 0x07,
		0x0b, 0x12, 0x08, 0x00, 0x12, 0x04, 0x94, 0x71, 0x02, 0x00, 0x00, 0x10,
		0x08, 0x62, 0x06, 0x48, 0x04, 0x01, 0x02, 0x03, 0x04,
	};

	memcpy(out, udt, sizeof(udt));
	if (cgpa_bcd != 0)
		memset(out + 23, cgpa_bcd, 6);
	out[INPROC_UDT_OTID] = (uint8_t)(otid >> 24);
	out[INPROC_UDT_OTID + 1] = (uint8_t)(otid >> 16);
	out[INPROC_UDT_OTID + 2] = (uint8_t)(otid >> 8);
	out[INPROC_UDT_OTID + 3] = (uint8_t)otid;
	return sizeof(udt);
}
