/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The proxy on usrsctp: one AF_CONN association per link (sctp_conn.h) bound to the proxy core
 * (proxy.h). The owner moves SCTP packets between the links' wires (DPDK port queues, or
 * in-process queues in the tests and the benchmark) and calls sw_proxy_sctp_poll from its loop.
 */
#ifndef SW_PROXY_PROXY_SCTP_H
#define SW_PROXY_PROXY_SCTP_H

#include "proxy.h"
#include "sctp_conn.h"

#define SW_PROXY_RECONNECT_MS 1000 /* a client link that is down connects again this often */

struct sw_proxy_sctp;

struct sw_proxy_sctp_link {
	struct sw_proxy_sctp *ps;
	uint16_t id;
	uint64_t next_connect_ms;
	struct sw_sconn conn;
};

struct sw_proxy_sctp {
	struct sw_proxy *px;
	/* an SCTP packet for link's peer */
	int (*output)(void *user, uint16_t link, const void *pkt, size_t len);
	void *user;
	uint64_t last_ms;
	uint64_t beat_aborts;
	struct sw_proxy_sctp_link link[SW_PROXY_LINKS];
};

/* The proxy ops to pass to sw_proxy_init: sends go to the link's association. */
void sw_proxy_sctp_ops(struct sw_proxy_sctp *ps, struct sw_proxy_ops *ops);
/* Open every link of px (sealed). 0 or -errno. */
int sw_proxy_sctp_open(struct sw_proxy_sctp *ps, struct sw_proxy *px,
		       int (*output)(void *user, uint16_t link, const void *pkt, size_t len),
		       void *user, uint64_t now_ms);
void sw_proxy_sctp_close(struct sw_proxy_sctp *ps);
/* An SCTP packet from link's peer. */
void sw_proxy_sctp_input(struct sw_proxy_sctp *ps, uint16_t link, const void *pkt, size_t len);
/* usrsctp timers, received messages, M3UA timers, reconnections. */
void sw_proxy_sctp_poll(struct sw_proxy_sctp *ps, uint64_t now_ms);

#endif /* SW_PROXY_PROXY_SCTP_H */
