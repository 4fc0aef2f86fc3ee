/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * M3UA endpoint (RFC 4666): the ASP state machine of one association, seen from either side.
 *
 *   client side (role ASP, or IPSP that initiates: IPSP single exchange, RFC 4666 4.3.1)
 *     sends ASPUP, ASPAC (traffic mode and routing contexts), ASPIA, ASPDN, DAUD;
 *     receives ACKs, NTFY (AS state), SSNM (DUNA/DAVA/SCON) and ERR.
 *   server side (role SGP, or IPSP that answers)
 *     answers ASPUP/ASPAC/ASPIA/ASPDN, keeps the Application Server state over all the
 *     associations serving it (override: one active ASP, loadshare: all), sends NTFY on AS
 *     state changes, ERR for messages in the wrong state or for unknown routing contexts,
 *     SSNM when a destination becomes (un)available, and answers DAUD.
 *   both sides: BEAT/BEAT-ACK (RFC 4666 3.5.5, 3.5.6), DATA in ASP-ACTIVE only.
 *
 * Pure C, no DPDK, no SCTP: bytes come in through sw_m3ua_input() and go out through the
 * send callback; time is passed in (milliseconds, monotonic) by sw_m3ua_tick(). No allocation.
 */
#ifndef SW_PROXY_M3UA_ASP_H
#define SW_PROXY_M3UA_ASP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SW_M3UA_RCTX_MAX 8   /* routing contexts per message and per endpoint */
#define SW_M3UA_APC_MAX 16   /* affected point codes per SSNM */
#define SW_M3UA_AS_ASPS 8    /* associations (ASPs) per application server */
#define SW_M3UA_MSG_MAX 512  /* largest management message this endpoint builds */

enum sw_m3ua_role {
	SW_M3UA_ROLE_ASP,  /* client side */
	SW_M3UA_ROLE_SGP,  /* server side */
	SW_M3UA_ROLE_IPSP, /* client if cfg.initiator, else server (single exchange) */
};

/* ASP state, RFC 4666 4.3.1 (figure 4) */
enum sw_m3ua_asp_state {
	SW_M3UA_ASP_DOWN,
	SW_M3UA_ASP_INACTIVE,
	SW_M3UA_ASP_ACTIVE,
};

/* AS state, RFC 4666 4.3.2 (figure 5) */
enum sw_m3ua_as_state {
	SW_M3UA_AS_DOWN,
	SW_M3UA_AS_INACTIVE,
	SW_M3UA_AS_ACTIVE,
	SW_M3UA_AS_PENDING,
};

enum sw_m3ua_event {
	SW_M3UA_EV_ASP_STATE,  /* endpoint's ASP state changed (arg: new state) */
	SW_M3UA_EV_AS_STATE,   /* AS state changed (server: computed; client: from NTFY) */
	SW_M3UA_EV_ERR_RX,     /* peer sent ERR (arg: error code) */
	SW_M3UA_EV_ERR_TX,     /* we sent ERR (arg: error code) */
	SW_M3UA_EV_NTFY_RX,    /* peer sent NTFY (arg: type << 16 | info) */
	SW_M3UA_EV_BEAT_LOST,  /* no BEAT-ACK for beat_max_missed intervals: peer is gone */
	SW_M3UA_EV_DUNA,       /* peer says: pc unavailable (arg: pc) */
	SW_M3UA_EV_DAVA,       /* peer says: pc available (arg: pc) */
	SW_M3UA_EV_SCON,       /* peer says: pc congested (arg: pc) */
};

/* A decoded M3UA message: the parameters the endpoint and the proxy act on. Pointers are into
 * the input buffer. */
struct sw_m3ua_msg {
	uint8_t cls, type;
	uint32_t len;
	uint32_t present;       /* 1u << SW_M3UA_P_* */
	uint32_t rctx[SW_M3UA_RCTX_MAX];
	uint8_t nrctx;
	uint32_t tmt, err_code, na, asp_id, corr_id;
	uint16_t status_type, status_info;
	uint32_t apc[SW_M3UA_APC_MAX]; /* mask << 24 | pc, RFC 4666 3.4.1 */
	uint8_t napc;
	uint32_t concerned_dest;
	uint32_t cong_level;
	const uint8_t *hb;      /* heartbeat data */
	uint16_t hb_len;
	const uint8_t *pd;      /* protocol data (routing label + user data) */
	uint32_t pd_len;
	const uint8_t *diag;
	uint16_t diag_len;
};

enum {
	SW_M3UA_P_RCTX,
	SW_M3UA_P_TMT,
	SW_M3UA_P_ERR_CODE,
	SW_M3UA_P_STATUS,
	SW_M3UA_P_NA,
	SW_M3UA_P_ASP_ID,
	SW_M3UA_P_CORR_ID,
	SW_M3UA_P_APC,
	SW_M3UA_P_HB,
	SW_M3UA_P_PD,
	SW_M3UA_P_DIAG,
	SW_M3UA_P_CONCERNED,
	SW_M3UA_P_CONG,
};

/* Parse one message: 0, or the RFC 4666 3.8.1 error code that answers it
 * (M3UA_ERR_INVALID_VERSION, M3UA_ERR_PARAM_FIELD, ...). */
int sw_m3ua_parse(const uint8_t *buf, size_t len, struct sw_m3ua_msg *msg);

/* Message builder: a header then parameters; sw_m3ua_put_end() writes the length. */
struct sw_m3ua_buf {
	uint8_t *p;
	size_t len, cap;
	bool overflow;
};
void sw_m3ua_put_hdr(struct sw_m3ua_buf *b, uint8_t cls, uint8_t type);
void sw_m3ua_put_param(struct sw_m3ua_buf *b, uint16_t tag, const void *val, size_t len);
void sw_m3ua_put_u32(struct sw_m3ua_buf *b, uint16_t tag, uint32_t val);
void sw_m3ua_put_u32s(struct sw_m3ua_buf *b, uint16_t tag, const uint32_t *val, unsigned n);
/* Returns the message length, 0 if it did not fit. */
size_t sw_m3ua_put_end(struct sw_m3ua_buf *b);

/* DATA (RFC 4666 3.3.1): routing label + user data in Protocol Data. */
struct sw_m3ua_label {
	uint32_t opc, dpc;
	uint8_t si, ni, mp, sls;
};
/* Build a DATA message into out (cap bytes); rctx 0 = none, na_set false = no NA. */
size_t sw_m3ua_build_data(uint8_t *out, size_t cap, uint32_t rctx, bool na_set, uint32_t na,
			  const struct sw_m3ua_label *l, const uint8_t *ud, size_t ud_len);
/* Routing label of a parsed DATA message; false if the protocol data is too short. */
bool sw_m3ua_data_label(const struct sw_m3ua_msg *m, struct sw_m3ua_label *l,
			const uint8_t **ud, uint32_t *ud_len);

/* Application server on the server side: shared by the endpoints (associations) serving it. */
struct sw_m3ua_as {
	uint32_t rctx;
	uint32_t tmt;          /* M3UA_TMT_OVERRIDE or M3UA_TMT_LOADSHARE */
	uint32_t min_active;   /* loadshare: ASPs for AS-ACTIVE (n of "n+k"), >= 1 */
	enum sw_m3ua_as_state state;
	uint64_t pending_until_ms; /* T(r) recovery timer in AS-PENDING, RFC 4666 4.3.4.5 */
	struct sw_m3ua_ep *asp[SW_M3UA_AS_ASPS];
	unsigned nasp;
};

struct sw_m3ua_cb {
	/* Send one message on stream (0 for management). Returns 0 or -errno. */
	int (*send)(void *user, uint16_t stream, const uint8_t *msg, size_t len);
	/* DATA accepted in ASP-ACTIVE (rctx 0 if the message carried none). */
	void (*data)(void *user, const struct sw_m3ua_msg *m, uint32_t rctx);
	void (*event)(void *user, enum sw_m3ua_event ev, uint32_t arg);
	/* Server side, DAUD: is this point code available? (true when NULL) */
	bool (*pc_available)(void *user, uint32_t pc);
};

struct sw_m3ua_cfg {
	enum sw_m3ua_role role;
	bool initiator;          /* IPSP only */
	uint32_t tmt;            /* client: traffic mode it asks for; 0 = none in ASPAC */
	uint32_t rctx[SW_M3UA_RCTX_MAX]; /* client: contexts it activates */
	uint8_t nrctx;
	bool na_set;
	uint32_t na;
	bool asp_id_set;
	uint32_t asp_id;
	uint32_t ack_timeout_ms; /* client: retransmit ASPUP/ASPAC (T(ack)); 0 = 2000 */
	uint32_t beat_ms;        /* 0 = no BEAT (SCTP heartbeats suffice) */
	uint32_t beat_max_missed; /* 0 = 3 */
	uint32_t recovery_ms;    /* server: T(r), 0 = 2000 */
	bool blocked;            /* server: management blocking (ERR Refused on ASPUP) */
};

struct sw_m3ua_counters {
	uint64_t rx, tx, rx_data, tx_data, err_rx, err_tx, ntfy_rx, ntfy_tx, beat_rx, beat_tx,
		ssnm_rx, ssnm_tx, dropped;
};

struct sw_m3ua_ep {
	struct sw_m3ua_cfg cfg;
	struct sw_m3ua_cb cb;
	void *user;
	bool client;
	enum sw_m3ua_asp_state state;
	/* server: the ASes this association may serve; bit i of active_as: active in as[i] */
	struct sw_m3ua_as *as[SW_M3UA_RCTX_MAX];
	uint8_t nas;
	uint32_t active_as;
	/* client: AS state last notified, pending request and its retransmission deadline */
	enum sw_m3ua_as_state peer_as_state;
	uint8_t pending_cls, pending_type;
	uint64_t pending_deadline_ms;
	bool want_active;
	/* BEAT */
	uint64_t next_beat_ms;
	uint32_t beat_seq, beat_missed;
	bool beat_outstanding;
	uint32_t last_err_rx;
	uint64_t now_ms;
	struct sw_m3ua_counters ctr;
};

/* Set up an endpoint (association not yet up: ASP-DOWN). */
void sw_m3ua_ep_init(struct sw_m3ua_ep *ep, const struct sw_m3ua_cfg *cfg,
		     const struct sw_m3ua_cb *cb, void *user);
/* Server side: this association may serve as (up to SW_M3UA_RCTX_MAX). 0 or -ENOSPC. */
int sw_m3ua_ep_add_as(struct sw_m3ua_ep *ep, struct sw_m3ua_as *as);
void sw_m3ua_as_init(struct sw_m3ua_as *as, uint32_t rctx, uint32_t tmt);

/* The SCTP association came up (client: sends ASPUP, then ASPAC on ASPUP-ACK) / went down
 * (RFC 4666 4.3.4.1: the ASP is ASP-DOWN in every AS; ASes recompute their state). */
void sw_m3ua_conn_up(struct sw_m3ua_ep *ep, uint64_t now_ms);
void sw_m3ua_conn_down(struct sw_m3ua_ep *ep, uint64_t now_ms);

/* One received M3UA message (one SCTP user message, PPID 3). */
void sw_m3ua_input(struct sw_m3ua_ep *ep, uint16_t stream, const uint8_t *buf, size_t len,
		   uint64_t now_ms);

/* Timers: retransmission, BEAT, AS recovery. Call from the poll loop. */
void sw_m3ua_tick(struct sw_m3ua_ep *ep, uint64_t now_ms);

/* Client requests: ASPIA (stay up, stop traffic) and ASPDN. 0 or -EINVAL in the wrong state. */
int sw_m3ua_deactivate(struct sw_m3ua_ep *ep);
int sw_m3ua_down(struct sw_m3ua_ep *ep);

/* Send DATA; -EAGAIN unless ASP-ACTIVE. */
int sw_m3ua_send_data(struct sw_m3ua_ep *ep, uint16_t stream, const struct sw_m3ua_label *l,
		      const uint8_t *ud, size_t ud_len);

/* SSNM (RFC 4666 3.4): server side sends DUNA/DAVA/SCON for pcs to an ASP that is up; client
 * side sends DAUD. type is M3UA_SSNM_*. 0, -EAGAIN (ASP-DOWN) or -EINVAL. */
int sw_m3ua_send_ssnm(struct sw_m3ua_ep *ep, uint8_t type, const uint32_t *pcs, unsigned n,
		      uint32_t cong_level);

/* Send ERR (RFC 4666 3.8.1) with the offending message as diagnostic (first 40 bytes). */
void sw_m3ua_send_err(struct sw_m3ua_ep *ep, uint32_t code, const uint8_t *diag, size_t diag_len);

const char *sw_m3ua_asp_state_name(enum sw_m3ua_asp_state s);
const char *sw_m3ua_as_state_name(enum sw_m3ua_as_state s);

#endif /* SW_PROXY_M3UA_ASP_H */
