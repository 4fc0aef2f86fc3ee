/* SPDX-License-Identifier: BSD-3-Clause */
/* usrsctp AF_CONN associations driven from a poll loop (sctp_conn.h). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <usrsctp.h>

#include "sctp_conn.h"

static bool sconn_inited;

/* usrsctp's output: addr is the struct sw_sconn registered as the AF_CONN address. */
static int
sconn_output(void *addr, void *buffer, size_t length, uint8_t tos, uint8_t set_df)
{
	struct sw_sconn *c = addr;

	(void)tos;
	(void)set_df;
	return c->ops.output(c->user, buffer, length) == 0 ? 0 : -1;
}

int
sw_sconn_global_init(void)
{
	if (sconn_inited)
		return 0;
	/* Port 0: no UDP encapsulation; no threads: timers come from sw_sconn_timers. */
	usrsctp_init_nothreads(0, sconn_output, NULL);
	usrsctp_sysctl_set_sctp_asconf_enable(0);
	usrsctp_sysctl_set_sctp_auto_asconf(0);
	usrsctp_sysctl_set_sctp_ecn_enable(0);
	usrsctp_sysctl_set_sctp_heartbeat_interval_default(1000);
	/* SACK every packet (RFC 9260 6.2 allows it): signalling wants latency, not fewer SACKs,
	 * and a poll loop without the 200 ms delayed-SACK timer never waits on it. */
	usrsctp_sysctl_set_sctp_sack_freq_default(1);
	sconn_inited = true;
	return 0;
}

void
sw_sconn_timers(uint32_t elapsed_ms)
{
	usrsctp_handle_timers(elapsed_ms);
}

static int
sconn_socket(struct sw_sconn *c)
{
	struct sockaddr_conn la = {.sconn_family = AF_CONN};
	struct sctp_initmsg im = {.sinit_num_ostreams = SW_SCONN_STREAMS,
				  .sinit_max_instreams = SW_SCONN_STREAMS};
	struct sctp_event ev = {.se_assoc_id = SCTP_FUTURE_ASSOC, .se_on = 1};
	const uint16_t events[] = {SCTP_ASSOC_CHANGE, SCTP_SHUTDOWN_EVENT};
	const int on = 1;

	c->sock = usrsctp_socket(AF_CONN, SOCK_SEQPACKET, IPPROTO_SCTP, NULL, NULL, 0, NULL);
	if (c->sock == NULL)
		return -errno;
	usrsctp_set_non_blocking(c->sock, 1);
	usrsctp_setsockopt(c->sock, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof(on));
	usrsctp_setsockopt(c->sock, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof(on));
	usrsctp_setsockopt(c->sock, IPPROTO_SCTP, SCTP_INITMSG, &im, sizeof(im));
	for (unsigned i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		ev.se_type = events[i];
		usrsctp_setsockopt(c->sock, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof(ev));
	}
	la.sconn_port = htons(c->lport);
	la.sconn_addr = c;
	if (usrsctp_bind(c->sock, (struct sockaddr *)&la, sizeof(la)) < 0)
		return -errno;
	if (c->server)
		return usrsctp_listen(c->sock, 1) < 0 ? -errno : 0;
	struct sockaddr_conn ra = {.sconn_family = AF_CONN, .sconn_port = htons(c->rport),
				   .sconn_addr = c};
	if (usrsctp_connect(c->sock, (struct sockaddr *)&ra, sizeof(ra)) < 0 &&
	    errno != EINPROGRESS)
		return -errno;
	return 0;
}

int
sw_sconn_open(struct sw_sconn *c, bool server, uint16_t lport, uint16_t rport,
	      const struct sw_sconn_ops *ops, void *user)
{
	int rc;

	memset(c, 0, offsetof(struct sw_sconn, buf));
	c->ops = *ops;
	c->user = user;
	c->server = server;
	c->lport = lport;
	c->rport = rport;
	usrsctp_register_address(c);
	rc = sconn_socket(c);
	if (rc != 0)
		sw_sconn_close(c);
	return rc;
}

void
sw_sconn_close(struct sw_sconn *c)
{
	if (c->sock != NULL) {
		usrsctp_close(c->sock);
		c->sock = NULL;
	}
	if (c->up && c->ops.down != NULL) {
		c->up = false;
		c->ops.down(c->user);
	}
	usrsctp_deregister_address(c);
}

int
sw_sconn_reconnect(struct sw_sconn *c)
{
	if (c->sock != NULL) {
		usrsctp_close(c->sock);
		c->sock = NULL;
	}
	c->up = false;
	c->partial = 0;
	return sconn_socket(c);
}

void
sw_sconn_abort(struct sw_sconn *c)
{
	struct sctp_sndinfo si = {.snd_flags = SCTP_ABORT, .snd_assoc_id = c->assoc_id};

	if (c->sock == NULL || !c->up)
		return;
	uint8_t none = 0;

	/* usrsctp refuses a NULL buffer even with length 0 (EFAULT). */
	usrsctp_sendv(c->sock, &none, 0, NULL, 0, &si, sizeof(si), SCTP_SENDV_SNDINFO, 0);
}

void
sw_sconn_input(struct sw_sconn *c, const void *pkt, size_t len)
{
	usrsctp_conninput(c, pkt, len, 0);
}

static void
sconn_notification(struct sw_sconn *c, const union sctp_notification *n, size_t len)
{
	if (len < sizeof(n->sn_header))
		return;
	if (n->sn_header.sn_type == SCTP_ASSOC_CHANGE && len >= sizeof(n->sn_assoc_change)) {
		const struct sctp_assoc_change *ac = &n->sn_assoc_change;

		switch (ac->sac_state) {
		case SCTP_COMM_UP:
			c->assoc_id = ac->sac_assoc_id;
			c->up = true;
			c->partial = 0;
			if (c->ops.up != NULL)
				c->ops.up(c->user);
			break;
		case SCTP_RESTART:
			/* The peer restarted: its M3UA state is gone; ours must restart too. */
			c->assoc_id = ac->sac_assoc_id;
			if (c->ops.down != NULL)
				c->ops.down(c->user);
			c->partial = 0;
			if (c->ops.up != NULL)
				c->ops.up(c->user);
			break;
		case SCTP_COMM_LOST:
		case SCTP_SHUTDOWN_COMP:
		case SCTP_CANT_STR_ASSOC:
			if (c->up) {
				c->up = false;
				if (c->ops.down != NULL)
					c->ops.down(c->user);
			}
			break;
		default:
			break;
		}
	}
}

void
sw_sconn_poll(struct sw_sconn *c)
{
	for (int i = 0; i < 64 && c->sock != NULL; i++) {
		struct sctp_rcvinfo rcv;
		socklen_t infolen = sizeof(rcv);
		unsigned infotype = 0;
		int flags = 0;
		struct sockaddr_conn from;
		socklen_t fromlen = sizeof(from);
		ssize_t n;

		n = usrsctp_recvv(c->sock, c->buf + c->partial, sizeof(c->buf) - c->partial,
				  (struct sockaddr *)&from, &fromlen, &rcv, &infolen, &infotype,
				  &flags);
		if (n <= 0)
			return;
		if (flags & MSG_NOTIFICATION) {
			sconn_notification(c, (const union sctp_notification *)(c->buf + c->partial),
					   (size_t)n);
			continue;
		}
		c->partial += (size_t)n;
		if (!(flags & MSG_EOR)) {
			if (c->partial < sizeof(c->buf))
				continue;
			c->partial = 0; /* longer than any M3UA message we accept: dropped */
			continue;
		}
		if (c->ops.msg != NULL && infotype == SCTP_RECVV_RCVINFO)
			c->ops.msg(c->user, rcv.rcv_sid, ntohl(rcv.rcv_ppid), c->buf, c->partial);
		c->partial = 0;
	}
}

int
sw_sconn_send(struct sw_sconn *c, uint16_t stream, uint32_t ppid, const uint8_t *buf, size_t len)
{
	struct sctp_sndinfo si = {.snd_sid = stream, .snd_ppid = htonl(ppid),
				  .snd_assoc_id = c->assoc_id};

	if (c->sock == NULL || !c->up) {
		c->tx_fail++;
		return -ENOTCONN;
	}
	if (usrsctp_sendv(c->sock, buf, len, NULL, 0, &si, sizeof(si), SCTP_SENDV_SNDINFO, 0) <
	    0) {
		c->tx_fail++;
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	}
	return 0;
}
