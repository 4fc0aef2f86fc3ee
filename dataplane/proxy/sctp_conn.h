/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SCTP associations on usrsctp's AF_CONN interface, with no thread of usrsctp's own: the owner's
 * poll loop feeds received SCTP packets in (sw_sconn_input), drains what usrsctp wants to send
 * through each connection's lower-layer output (a DPDK port queue, a UDP socket, or an
 * in-process wire in the tests), and drives the timers (sw_sconn_timers). No kernel SCTP.
 *
 * One struct sw_sconn is one association endpoint (one-to-many socket with one association):
 * a server listens and accepts the association its peer starts (again after a peer restart),
 * a client connects (again, after sw_sconn_reconnect). The struct's address is the AF_CONN
 * address usrsctp hands back to the output function.
 *
 * usrsctp is one stack per process; everything here runs on one thread (the proxy's lcore).
 */
#ifndef SW_PROXY_SCTP_CONN_H
#define SW_PROXY_SCTP_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SW_SCONN_MSG_MAX 8192 /* largest user message reassembled */
#define SW_SCONN_STREAMS 17   /* stream 0 management + 16 for DATA (one per SLS) */

struct socket;

struct sw_sconn_ops {
	/* An SCTP packet (common header + chunks) to send to the peer. 0 or -errno. */
	int (*output)(void *user, const void *pkt, size_t len);
	void (*up)(void *user);
	void (*down)(void *user);  /* lost, shut down, or restarted (then up again) */
	void (*msg)(void *user, uint16_t stream, uint32_t ppid, const uint8_t *buf, size_t len);
};

struct sw_sconn {
	struct sw_sconn_ops ops;
	void *user;
	bool server;
	uint16_t lport, rport;
	struct socket *sock;
	uint32_t assoc_id;
	bool up;
	size_t partial;           /* bytes of a user message received without MSG_EOR */
	uint8_t buf[SW_SCONN_MSG_MAX];
	uint64_t tx_fail;         /* sends refused (buffer full, not up) */
};

/* Once per process. 0 or -errno. */
int sw_sconn_global_init(void);
/* Elapsed milliseconds since the last call: usrsctp's timers. */
void sw_sconn_timers(uint32_t elapsed_ms);

/* Open (server: bind + listen on lport; client: bind lport, connect to rport). 0 or -errno. */
int sw_sconn_open(struct sw_sconn *c, bool server, uint16_t lport, uint16_t rport,
		  const struct sw_sconn_ops *ops, void *user);
/* Client: close and connect again (after a loss). */
int sw_sconn_reconnect(struct sw_sconn *c);
/* Abort the association (ABORT chunk) without closing the socket; a server listens on. */
void sw_sconn_abort(struct sw_sconn *c);
void sw_sconn_close(struct sw_sconn *c);

/* One SCTP packet received for this connection. */
void sw_sconn_input(struct sw_sconn *c, const void *pkt, size_t len);
/* Read what usrsctp has for the owner: notifications and user messages (callbacks). */
void sw_sconn_poll(struct sw_sconn *c);
/* Send one user message. 0, -ENOTCONN or -EAGAIN (send buffer full). */
int sw_sconn_send(struct sw_sconn *c, uint16_t stream, uint32_t ppid, const uint8_t *buf,
		  size_t len);

#endif /* SW_PROXY_SCTP_CONN_H */
