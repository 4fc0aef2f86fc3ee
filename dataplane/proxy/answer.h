/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The answers a proxy gives instead of forwarding: an SCCP service message (UDTS/XUDTS, the
 * `reject` action and "no route") and a TCAP abort (the `abort` action), each built from the
 * SCCP message being answered. The caller wraps the result in M3UA DATA with the routing label
 * reversed (sw_answer_label).
 */
#ifndef SW_PROXY_ANSWER_H
#define SW_PROXY_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/decode/msu.h"
#include "m3ua_asp.h"

/* Raw pieces of a connectionless SCCP message (UDT/UDTS/XUDT/XUDTS), Q.713 4.10-4.19. */
struct sw_sccp_parts {
	uint8_t type;
	uint8_t pclass;   /* octet 2: protocol class + message handling, or return cause */
	uint8_t hop;      /* XUDT/XUDTS */
	const uint8_t *cdpa, *cgpa, *data; /* contents, without their length octet */
	uint8_t cdpa_len, cgpa_len, data_len;
};

/* Split sccp[0..len) (UDT, UDTS, XUDT, XUDTS); false if malformed or another type. Every
 * pointer and length is checked against len. */
bool sw_sccp_parts(const uint8_t *sccp, size_t len, struct sw_sccp_parts *p);

/*
 * UDTS for a UDT, XUDTS for an XUDT (Q.713 4.11, 4.19; Q.714 4.2): called and calling
 * addresses swapped, the user data returned, cause a Q.713 3.12 value (SCCP_CAUSE_*). Q.714
 * 4.2 returns a message only when its sender asked for it (message handling "return message on
 * error"), and never answers a service message; both give 0. Returns the length written.
 */
size_t sw_sccp_build_service(const uint8_t *sccp, size_t len, uint8_t cause, uint8_t *out,
			     size_t cap);

enum sw_abort_kind {
	SW_ABORT_P, /* P-ABORT with a P-AbortCause (Q.773 4.2.1) */
	SW_ABORT_U, /* U-ABORT: dialogue portion with ABRT, abort-source user (Q.773 Annex A) */
};

/*
 * A UDT (class 0, no return) back to the caller carrying a TCAP Abort of the caller's
 * transaction: DTID = the OTID of the Begin/Continue being answered (msu, decoded from sccp).
 * 0 when the message has no originating transaction (End, Abort, Unidirectional, not TCAP).
 */
size_t sw_tcap_build_abort(const uint8_t *sccp, size_t len, const struct sw_msu *msu,
			   enum sw_abort_kind kind, uint8_t pabort_cause, uint8_t *out,
			   size_t cap);

/* Routing label of an answer: from `self` (the proxy's point code on the caller's side, or the
 * original DPC when 0) to the original OPC, same NI and SLS, SI SCCP. */
void sw_answer_label(const struct sw_m3ua_label *in, uint32_t self, struct sw_m3ua_label *out);

#endif /* SW_PROXY_ANSWER_H */
