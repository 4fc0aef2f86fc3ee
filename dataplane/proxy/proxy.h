/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The proxy core: links (one M3UA endpoint per association), the route table, and per MSU:
 * decode, judge, then forward on the route's association, or answer (reject: UDTS/XUDTS;
 * abort: TCAP abort), redirect to a honeypot link, or drop.
 *
 * Pure C: no DPDK, no usrsctp. The transport is the ops.send callback (sctp_conn.h on usrsctp in
 * the dataplane and the tests); the verdict is the judge callback (the same judge the inline
 * mode calls, through an adapter: proxy_judge.h).
 */
#ifndef SW_PROXY_PROXY_H
#define SW_PROXY_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/decode/msu.h"
#include "m3ua_asp.h"
#include "route.h"

#define SW_PROXY_LINKS 32
#define SW_PROXY_PORTS 2 /* DPDK ports of one proxy: sigwall-dataplane's --ports takes 1 or 2 */
#define SW_PROXY_NAME_MAX 32
#define SW_PROXY_STREAMS 17 /* per association: 0 management, 1-16 DATA (sctp_conn.h) */

/* Actions of proxy mode. allow/drop/alert are the inline ones; the other three only exist
 * where the proxy terminates the association (issue 21). */
enum sw_proxy_action {
	SW_PROXY_ALLOW,
	SW_PROXY_DROP,
	SW_PROXY_ALERT,    /* forwarded and reported */
	SW_PROXY_REJECT,   /* UDTS/XUDTS back to the caller (if it asked for return), else drop */
	SW_PROXY_ABORT,    /* TCAP abort back to the caller (Begin/Continue), else drop */
	SW_PROXY_REDIRECT, /* forwarded unchanged on the honeypot link instead */
};

struct sw_proxy_verdict {
	uint8_t action;        /* enum sw_proxy_action */
	uint8_t cause;         /* reject: Q.713 3.12 return cause; abort: P-Abort cause */
	uint8_t abort_kind;    /* enum sw_abort_kind */
	uint16_t link;         /* redirect: link id; SW_LINK_NONE: the first honeypot link */
	int32_t rule;          /* for events */
};

struct sw_proxy_judge {
	/* side: the link's side (0 outside, 1 inside: the inline mode's port numbering). */
	struct sw_proxy_verdict (*judge)(void *ctx, const struct sw_msu *msu, unsigned side,
					 uint64_t now_ns);
	void *ctx;
};

struct sw_proxy_ops {
	/* Send one M3UA message on link's association. 0 or -errno. */
	int (*send)(void *user, uint16_t link, uint16_t stream, const uint8_t *msg, size_t len);
	/* Optional: report a verdict that was not a plain allow (events). */
	void (*event)(void *user, uint16_t link, const struct sw_msu *msu,
		      const struct sw_proxy_verdict *v, uint8_t outcome);
	void *user;
};

/* What happened to an MSU (counters and events). */
enum sw_proxy_outcome {
	SW_PXO_ROUTED,
	SW_PXO_DROPPED,
	SW_PXO_ALERTED,
	SW_PXO_REJECTED,     /* UDTS/XUDTS sent */
	SW_PXO_ABORTED,      /* TCAP abort sent */
	SW_PXO_REDIRECTED,
	SW_PXO_NO_ROUTE,     /* no route, no return asked: dropped */
	SW_PXO_NO_ROUTE_UDTS, /* no route, UDTS "no translation" sent */
	SW_PXO_ANSWER_FAILED, /* reject/abort asked but not possible (no return, not TCAP): dropped */
	SW_PXO_TX_FAILED,     /* the outgoing association refused it */
	SW_PXO_COUNT
};

struct sw_proxy_link_cfg {
	char name[SW_PROXY_NAME_MAX];
	/* SCTP (the transport reads these) */
	bool sctp_server;
	uint16_t lport, rport;
	uint32_t laddr, raddr;       /* IPv4, host order (DPDK mode) */
	/* M3UA */
	enum sw_m3ua_role role;
	bool ipsp_initiator;
	uint32_t rctx;               /* 0: none */
	uint32_t tmt;                /* M3UA_TMT_*; 0: override */
	bool na_set;
	uint32_t na;
	uint32_t beat_ms;
	/* MTP3: the proxy's own point code on this side (answers come from it; 0: the DPC) */
	uint32_t local_pc;
	uint8_t side;                /* 0 outside (partners), 1 inside (home) */
	bool honeypot;
	uint8_t port;                /* DPDK mode: the peer is behind the port --ports lists at
					this index (0: the first) */
};

struct sw_proxy;

struct sw_proxy_link {
	struct sw_proxy_link_cfg cfg;
	uint16_t id;
	struct sw_proxy *px;
	struct sw_m3ua_ep ep;
	struct sw_m3ua_as as;         /* server side: the AS this association serves */
	bool sctp_up;
	bool routable;                /* ASP-ACTIVE: in the route table's available links */
	bool abort_req;               /* BEAT lost: the transport aborts the association */
	uint64_t duna_rx, dava_rx;
	uint64_t looped;              /* MSUs routed back onto the link they came from (a route
					 loop, or a peer addressing itself through us) */
	uint64_t beat_aborts;         /* associations aborted for unanswered BEATs (the
					 transport's owner counts them: proxy_sctp.c) */
};

struct sw_proxy {
	struct sw_proxy_link link[SW_PROXY_LINKS];
	unsigned nlinks;
	struct sw_route_table routes;
	bool gt_routing;              /* translate GT-routed called addresses (routes.gt) */
	struct sw_proxy_judge judge;
	struct sw_proxy_ops ops;
	uint64_t now_ms;
	uint64_t ctr[SW_PXO_COUNT];
	uint64_t rx_msu, ssnm_tx, decode_mal;
	/* the M3UA message being processed (sw_proxy_input) */
	const uint8_t *cur;
	size_t cur_len;
	uint16_t cur_stream;
};

void sw_proxy_init(struct sw_proxy *px, const struct sw_proxy_ops *ops,
		   const struct sw_proxy_judge *judge);
/* Add a link; returns its id (>= 0) or -ENOSPC/-EEXIST (name twice)/-EINVAL. */
int sw_proxy_add_link(struct sw_proxy *px, const struct sw_proxy_link_cfg *cfg);
int sw_proxy_link_by_name(const struct sw_proxy *px, const char *name);
/* After links and routes (px->routes) are added. */
void sw_proxy_seal(struct sw_proxy *px);

/* The transport's view of a link: association up / down, one M3UA message received. */
void sw_proxy_link_up(struct sw_proxy *px, uint16_t link, uint64_t now_ms);
void sw_proxy_link_down(struct sw_proxy *px, uint16_t link, uint64_t now_ms);
void sw_proxy_input(struct sw_proxy *px, uint16_t link, uint16_t stream, const uint8_t *buf,
		    size_t len, uint64_t now_ms);
/* M3UA timers (retransmissions, BEAT, AS recovery). */
void sw_proxy_tick(struct sw_proxy *px, uint64_t now_ms);

/* One line per link: name, SCTP, ASP and AS state, counters (for `status`). Returns the length
 * written (truncated to cap). */
size_t sw_proxy_status(const struct sw_proxy *px, char *out, size_t cap);

const char *sw_proxy_outcome_name(enum sw_proxy_outcome o);
/* "allow", "drop", "alert", "reject", "abort", "redirect"; and back (-1 if unknown). */
const char *sw_proxy_action_name(uint8_t a);
int sw_proxy_action_code(const char *name);

#endif /* SW_PROXY_PROXY_H */
