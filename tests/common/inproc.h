/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Proxy mode in one process for the tests and the benchmark: the proxy (dataplane/proxy on
 * usrsctp AF_CONN) and one peer per link (an M3UA endpoint on its own AF_CONN association, the
 * other role of the link), their SCTP packets crossing in-process wires, one thread, one loop.
 */
#ifndef SW_TESTS_COMMON_INPROC_H
#define SW_TESTS_COMMON_INPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/proxy/proxy_sctp.h"

#define INPROC_LINKS 4
#define INPROC_SLOTS 512
#define INPROC_PKT 2048

struct inproc_wire {
	unsigned head, tail;
	uint64_t dropped;
	uint16_t len[INPROC_SLOTS];
	uint8_t pkt[INPROC_SLOTS][INPROC_PKT];
};

struct inproc;

struct inproc_peer {
	struct inproc *ip;
	unsigned idx;
	struct sw_sconn conn;
	struct sw_m3ua_ep ep;
	struct sw_m3ua_as as;
	struct inproc_wire in;   /* packets from the proxy */
	bool silent;             /* its M3UA ignores what it receives (a hung M3UA over a live
				    SCTP association: BEATs go unanswered) */
	/* what it received */
	unsigned ndata, duna, dava;
	uint32_t duna_pc, dava_pc;
	struct sw_m3ua_label last;
	uint32_t last_rctx;
	uint8_t last_ud[512];
	uint32_t last_ud_len;
	/* optional hook per DATA (benchmark: latency) */
	void (*on_data)(struct inproc_peer *p, const uint8_t *ud, uint32_t ud_len);
};

struct inproc {
	struct sw_proxy px;
	struct sw_proxy_sctp ps;
	struct inproc_wire to_proxy[INPROC_LINKS];
	struct inproc_peer peer[INPROC_LINKS];
	unsigned n;
	uint64_t t0_ns;
};

/* Add the links (peer i gets the other role of link i); then add routes to ip->px.routes and
 * call inproc_open. 0 or -errno. */
int inproc_setup(struct inproc *ip, const struct sw_proxy_link_cfg *links, unsigned n,
		 const struct sw_proxy_judge *judge);
int inproc_open(struct inproc *ip);
void inproc_close(struct inproc *ip);

uint64_t inproc_now_ns(const struct inproc *ip);
/* Deliver what is on the wires, poll every association, run the timers. Returns the number of
 * packets delivered (0: nothing to do). */
unsigned inproc_pump(struct inproc *ip);
/* Pump until cond(ip) or timeout_ms; returns cond(ip). */
bool inproc_run_until(struct inproc *ip, bool (*cond)(struct inproc *), unsigned timeout_ms);
bool inproc_all_active(struct inproc *ip);

/* A UDT with return on error (Q.713 4.10): called GT 27821234567 (an HLR), calling GT
 * 491720000001 or, when cgpa_bcd != 0, twelve digits of that BCD pair ("66..."), TCAP Begin
 * with OTID otid. Writes INPROC_UDT_LEN bytes; OTID at INPROC_UDT_OTID. */
#define INPROC_UDT_LEN 38
#define INPROC_UDT_OTID 34
size_t inproc_udt(uint8_t *out, uint8_t cgpa_bcd, uint32_t otid);

#endif /* SW_TESTS_COMMON_INPROC_H */
