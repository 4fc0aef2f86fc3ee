/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SCCP (Q.713) and TCAP (Q.773) constants only an answering node needs: return causes, P-Abort
 * causes, abort source. The rest comes from dataplane/proto/sccp.h, tcap.h and decode/ber.h.
 */
#ifndef SW_PROXY_SCCP_WIRE_H
#define SW_PROXY_SCCP_WIRE_H

#include "dataplane/decode/ber.h"
#include "dataplane/proto/sccp.h"
#include "dataplane/proto/tcap.h"

/* Return cause, Q.713 3.12 (UDTS/XUDTS/LUDTS) */
#define SCCP_CAUSE_NO_TRANS_NATURE	0x00 /* no translation for an address of such nature */
#define SCCP_CAUSE_NO_TRANS_ADDR	0x01 /* no translation for this specific address */
#define SCCP_CAUSE_SS_CONGESTION	0x02 /* subsystem congestion */
#define SCCP_CAUSE_SS_FAILURE		0x03 /* subsystem failure */
#define SCCP_CAUSE_UNEQUIPPED		0x04 /* unequipped user */
#define SCCP_CAUSE_MTP_FAILURE		0x05 /* MTP failure */
#define SCCP_CAUSE_NET_CONGESTION	0x06 /* network congestion */
#define SCCP_CAUSE_UNQUALIFIED		0x07 /* unqualified */
#define SCCP_CAUSE_TRANSPORT_ERR	0x08 /* error in message transport */
#define SCCP_CAUSE_LOCAL_ERR		0x09 /* error in local processing */
#define SCCP_CAUSE_NO_REASSEMBLY	0x0a /* destination cannot perform reassembly */
#define SCCP_CAUSE_SCCP_FAILURE		0x0b /* SCCP failure */
#define SCCP_CAUSE_HOP_VIOLATION	0x0c /* hop counter violation */

#define SCCP_HOP_COUNTER_MAX		15   /* Q.713 3.18: 1..15; Q.714 2.3.2: set on origination */

/* P-AbortCause, Q.773 4.2.1 (TCAP-Messages ASN.1) */
#define TCAP_PABORT_UNRECOGNIZED_MSG	0
#define TCAP_PABORT_UNRECOGNIZED_TID	1
#define TCAP_PABORT_BAD_TP		2
#define TCAP_PABORT_INCORRECT_TP	3
#define TCAP_PABORT_RESOURCE_LIMIT	4

/* ABRT-source, Q.773 Annex A: dialogue-service-user(0), dialogue-service-provider(1) */
#define TCAP_ABRT_SRC_USER		0
#define TCAP_ABRT_SRC_PROVIDER		1

#endif /* SW_PROXY_SCCP_WIRE_H */
