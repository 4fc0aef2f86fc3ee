/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SCCP (Q.713) and TCAP (Q.773) constants the proxy's answers need. The common ones come from
 * the decoder's dataplane/proto/sccp.h and tcap.h once they are on main (same names); the second
 * block (return causes, P-Abort causes, the dialogue-as OID) is what only an answering node needs.
 */
#ifndef SW_PROXY_SCCP_WIRE_H
#define SW_PROXY_SCCP_WIRE_H

#if __has_include("dataplane/proto/sccp.h") && __has_include("dataplane/proto/tcap.h")
#include "dataplane/proto/sccp.h"
#include "dataplane/proto/tcap.h"
#else
#define SCCP_MSG_UDT		0x09   /* unitdata, Q.713 4.10 */
#define SCCP_MSG_UDTS		0x0a   /* unitdata service, Q.713 4.11 */
#define SCCP_MSG_XUDT		0x11   /* extended unitdata, Q.713 4.18 */
#define SCCP_MSG_XUDTS		0x12   /* extended unitdata service, Q.713 4.19 */
#define SCCP_PCLASS_MASK	0x0f   /* Q.713 3.6 */
#define SCCP_RET_OPT_SHIFT	4
#define SCCP_RET_ON_ERROR	0x08   /* in the high nibble: return message on error */
#define SCCP_AI_SSN		0x02   /* Q.713 3.4.1 */
#define SCCP_AI_PC		0x01
#define TCAP_MSG_ABORT		0x67   /* abort [APPLICATION 7], Q.773 4.1 */
#define TCAP_DTID		0x49   /* DestTransactionID [APPLICATION 9] */
#define TCAP_PABORT		0x4a   /* P-AbortCause [APPLICATION 10] */
#define TCAP_DIALOGUE		0x6b   /* DialoguePortion [APPLICATION 11] */
#define TCAP_DLG_ABRT		0x64   /* dialogueAbort [APPLICATION 4], Q.773 Annex A */
#define TCAP_DLG_SINGLE		0xa0   /* EXTERNAL single-ASN1-type [0] (X.690 8.18) */
#define TCAP_DLG_ABRT_SRC	0x80   /* abort-source [0] IMPLICIT (ABRT) */
#endif

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

/* EXTERNAL (X.690 8.18, UNIVERSAL 8 constructed) and OBJECT IDENTIFIER tags */
#define BER_EXTERNAL			0x28
#define BER_OID				0x06
/* ABRT-source, Q.773 Annex A: dialogue-service-user(0), dialogue-service-provider(1) */
#define TCAP_ABRT_SRC_USER		0
#define TCAP_ABRT_SRC_PROVIDER		1

#endif /* SW_PROXY_SCCP_WIRE_H */
