/* SPDX-License-Identifier: BSD-3-Clause */
/* The proxy core on usrsctp AF_CONN associations (proxy_sctp.h). */
#include <errno.h>
#include <string.h>

#include "dataplane/decode/decode.h"
#include "proxy_sctp.h"

static int
ps_send(void *user, uint16_t link, uint16_t stream, const uint8_t *msg, size_t len)
{
	struct sw_proxy_sctp *ps = user;

	return sw_sconn_send(&ps->link[link].conn, stream, SW_PPID_M3UA, msg, len);
}

static int
ps_output(void *user, const void *pkt, size_t len)
{
	struct sw_proxy_sctp_link *l = user;

	return l->ps->output(l->ps->user, l->id, pkt, len);
}

static void
ps_up(void *user)
{
	struct sw_proxy_sctp_link *l = user;

	sw_proxy_link_up(l->ps->px, l->id, l->ps->last_ms);
}

static void
ps_down(void *user)
{
	struct sw_proxy_sctp_link *l = user;

	sw_proxy_link_down(l->ps->px, l->id, l->ps->last_ms);
	l->next_connect_ms = l->ps->last_ms + SW_PROXY_RECONNECT_MS;
}

static void
ps_msg(void *user, uint16_t stream, uint32_t ppid, const uint8_t *buf, size_t len)
{
	struct sw_proxy_sctp_link *l = user;

	if (ppid != SW_PPID_M3UA)
		return; /* RFC 4666 1.4.7: M3UA is PPID 3; anything else is not ours */
	sw_proxy_input(l->ps->px, l->id, stream, buf, len, l->ps->last_ms);
}

static const struct sw_sconn_ops ps_conn_ops = {
	.output = ps_output, .up = ps_up, .down = ps_down, .msg = ps_msg};

void
sw_proxy_sctp_ops(struct sw_proxy_sctp *ps, struct sw_proxy_ops *ops)
{
	ops->send = ps_send;
	ops->user = ps;
}

int
sw_proxy_sctp_open(struct sw_proxy_sctp *ps, struct sw_proxy *px,
		   int (*output)(void *user, uint16_t link, const void *pkt, size_t len),
		   void *user, uint64_t now_ms)
{
	int rc = sw_sconn_global_init();

	if (rc != 0)
		return rc;
	ps->px = px;
	ps->output = output;
	ps->user = user;
	ps->last_ms = now_ms;
	for (unsigned i = 0; i < px->nlinks; i++) {
		const struct sw_proxy_link_cfg *c = &px->link[i].cfg;
		struct sw_proxy_sctp_link *l = &ps->link[i];

		l->ps = ps;
		l->id = (uint16_t)i;
		l->next_connect_ms = now_ms + SW_PROXY_RECONNECT_MS;
		rc = sw_sconn_open(&l->conn, c->sctp_server, c->lport, c->rport, &ps_conn_ops, l);
		if (rc != 0)
			return rc;
	}
	return 0;
}

void
sw_proxy_sctp_close(struct sw_proxy_sctp *ps)
{
	for (unsigned i = 0; ps->px != NULL && i < ps->px->nlinks; i++)
		sw_sconn_close(&ps->link[i].conn);
}

void
sw_proxy_sctp_input(struct sw_proxy_sctp *ps, uint16_t link, const void *pkt, size_t len)
{
	sw_sconn_input(&ps->link[link].conn, pkt, len);
}

void
sw_proxy_sctp_poll(struct sw_proxy_sctp *ps, uint64_t now_ms)
{
	struct sw_proxy *px = ps->px;

	if (now_ms > ps->last_ms)
		sw_sconn_timers((uint32_t)(now_ms - ps->last_ms));
	ps->last_ms = now_ms;
	for (unsigned i = 0; i < px->nlinks; i++)
		sw_sconn_poll(&ps->link[i].conn);
	sw_proxy_tick(px, now_ms);
	for (unsigned i = 0; i < px->nlinks; i++) {
		struct sw_proxy_sctp_link *l = &ps->link[i];

		/* BEAT lost: the peer's M3UA is dead although SCTP is up; abort so that both
		 * sides start over (the server keeps listening, the client reconnects). */
		if (px->link[i].abort_req) {
			px->link[i].abort_req = false;
			sw_sconn_abort(&l->conn);
			ps->beat_aborts++;
			px->link[i].beat_aborts++;
		}
		if (!l->conn.server && !l->conn.up && now_ms >= l->next_connect_ms) {
			l->next_connect_ms = now_ms + SW_PROXY_RECONNECT_MS;
			sw_sconn_reconnect(&l->conn);
		}
	}
}
