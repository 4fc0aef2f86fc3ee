/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SCCP wire constants, ITU-T Q.713 (07/96 and 03/2001), SCCP management (Q.713 5) and the
 * subsystem numbers of 3GPP TS 23.003 8.1. (Modelled on osmocom's sccp/sccp.h.)
 */
#ifndef SW_PROTO_SCCP_H
#define SW_PROTO_SCCP_H

#include <stdint.h>

/* Message type codes, Q.713 4.1 Table 1 */
#define SCCP_MSG_CR		0x01   /* connection request, Q.713 4.2 */
#define SCCP_MSG_CC		0x02   /* connection confirm, Q.713 4.3 */
#define SCCP_MSG_CREF		0x03   /* connection refused, Q.713 4.4 */
#define SCCP_MSG_RLSD		0x04   /* released, Q.713 4.5 */
#define SCCP_MSG_RLC		0x05   /* release complete, Q.713 4.6 */
#define SCCP_MSG_DT1		0x06   /* data form 1, Q.713 4.7 */
#define SCCP_MSG_DT2		0x07   /* data form 2, Q.713 4.8 */
#define SCCP_MSG_AK		0x08   /* data acknowledgement, Q.713 4.9 */
#define SCCP_MSG_UDT		0x09   /* unitdata, Q.713 4.10 */
#define SCCP_MSG_UDTS		0x0a   /* unitdata service, Q.713 4.11 */
#define SCCP_MSG_ED		0x0b   /* expedited data, Q.713 4.12 */
#define SCCP_MSG_EA		0x0c   /* expedited data acknowledgement, Q.713 4.13 */
#define SCCP_MSG_RSR		0x0d   /* reset request, Q.713 4.14 */
#define SCCP_MSG_RSC		0x0e   /* reset confirm, Q.713 4.15 */
#define SCCP_MSG_ERR		0x0f   /* protocol data unit error, Q.713 4.16 */
#define SCCP_MSG_IT		0x10   /* inactivity test, Q.713 4.17 */
#define SCCP_MSG_XUDT		0x11   /* extended unitdata, Q.713 4.18 */
#define SCCP_MSG_XUDTS		0x12   /* extended unitdata service, Q.713 4.19 */
#define SCCP_MSG_LUDT		0x13   /* long unitdata, Q.713 4.20 */
#define SCCP_MSG_LUDTS		0x14   /* long unitdata service, Q.713 4.21 */

/* Parameter names, Q.713 3.1 Table 2 */
#define SCCP_PARAM_EOP		0x00   /* end of optional parameters, Q.713 3.1 */
#define SCCP_PARAM_DLR		0x01   /* destination local reference, Q.713 3.2 */
#define SCCP_PARAM_SLR		0x02   /* source local reference, Q.713 3.3 */
#define SCCP_PARAM_CDPA		0x03   /* called party address, Q.713 3.4 */
#define SCCP_PARAM_CGPA		0x04   /* calling party address, Q.713 3.5 */
#define SCCP_PARAM_PCLASS	0x05   /* protocol class, Q.713 3.6 */
#define SCCP_PARAM_SEG_REASM	0x06   /* segmenting/reassembling, Q.713 3.7 */
#define SCCP_PARAM_RSN		0x07   /* receive sequence number, Q.713 3.8 */
#define SCCP_PARAM_SEQ_SEG	0x08   /* sequencing/segmenting, Q.713 3.9 */
#define SCCP_PARAM_CREDIT	0x09   /* Q.713 3.10 */
#define SCCP_PARAM_RELEASE_CAUSE 0x0a  /* Q.713 3.11 */
#define SCCP_PARAM_RETURN_CAUSE	0x0b   /* Q.713 3.12 */
#define SCCP_PARAM_RESET_CAUSE	0x0c   /* Q.713 3.13 */
#define SCCP_PARAM_ERROR_CAUSE	0x0d   /* Q.713 3.14 */
#define SCCP_PARAM_REFUSAL_CAUSE 0x0e  /* Q.713 3.15 */
#define SCCP_PARAM_DATA		0x0f   /* Q.713 3.16 */
#define SCCP_PARAM_SEGMENTATION	0x10   /* Q.713 3.17 */
#define SCCP_PARAM_HOP_COUNTER	0x11   /* Q.713 3.18 */
#define SCCP_PARAM_IMPORTANCE	0x12   /* Q.713 3.19 */
#define SCCP_PARAM_LONG_DATA	0x13   /* Q.713 3.20 */

#define SCCP_LR_LEN		3      /* local reference, Q.713 3.2/3.3 */
#define SCCP_SEGMENTATION_LEN	4      /* Q.713 3.17: indicators + 3 octets local reference */

/* Address indicator, Q.713 3.4.1 (ITU format) */
#define SCCP_AI_PC		0x01   /* point code indicator */
#define SCCP_AI_SSN		0x02   /* subsystem number indicator */
#define SCCP_AI_GTI_MASK	0x3c   /* global title indicator, bits 3-6 */
#define SCCP_AI_GTI_SHIFT	2
#define SCCP_AI_RI		0x40   /* routing indicator: 1 route on SSN, 0 route on GT */
/* bit 8 is reserved for national use and ignored for decoding (Q.713 3.4.1) */

/* Global title indicator values, Q.713 3.4.1 */
#define SCCP_GTI_NONE		0
#define SCCP_GTI_NAI		1      /* odd/even + NAI, Q.713 3.4.2.3.1 */
#define SCCP_GTI_TT		2      /* TT, Q.713 3.4.2.3.2 */
#define SCCP_GTI_TT_NP_ES	3      /* TT, NP/ES, Q.713 3.4.2.3.3 */
#define SCCP_GTI_TT_NP_ES_NAI	4      /* TT, NP/ES, NAI, Q.713 3.4.2.3.4 */

#define SCCP_GT_ODD		0x80   /* odd/even indicator of GTI 1, Q.713 3.4.2.3.1 */
#define SCCP_GT_NAI_MASK	0x7f   /* nature of address indicator, Q.713 3.4.2.3.1 */
#define SCCP_PC_MASK		0x3fff /* ITU signalling point code, 14 bits, Q.713 3.4.2.1 */
#define SCCP_ES_BCD_ODD		1      /* encoding scheme, Q.713 3.4.2.3.3 */
#define SCCP_ES_BCD_EVEN	2
#define SCCP_NP_ISDN		1      /* E.164 numbering plan, Q.713 3.4.2.3.3 */
#define SCCP_NP_E212		6      /* land mobile (E.212), Q.713 3.4.2.3.3 */
#define SCCP_NP_E214		7      /* ISDN/mobile (E.214), Q.713 3.4.2.3.3 */

/* Protocol class / message handling, Q.713 3.6 */
#define SCCP_PCLASS_MASK	0x0f
#define SCCP_RET_OPT_SHIFT	4
#define SCCP_RET_ON_ERROR	0x08   /* in the high nibble: return message on error */

/* Segmentation, Q.713 3.17 */
#define SCCP_SEG_FIRST		0x80
#define SCCP_SEG_CLASS1		0x40   /* in-sequence delivery */
#define SCCP_SEG_REMAINING	0x0f

/* Pointers, Q.713 2.3: one octet, or two octets (least significant first) in LUDT/LUDTS */
#define SCCP_PTR_LEN		1
#define SCCP_PTR_LEN_LONG	2

/* SCCP management, Q.713 5: SCMG messages are UDT data to and from SSN 1 (Q.713 5.1). */
#define SCCP_SSN_SCMG		1
#define SCMG_SSA		0x01   /* subsystem-allowed, Q.713 5.1 Table 23 */
#define SCMG_SSP		0x02   /* subsystem-prohibited */
#define SCMG_SST		0x03   /* subsystem-status-test */
#define SCMG_SOR		0x04   /* subsystem-out-of-service-request */
#define SCMG_SOG		0x05   /* subsystem-out-of-service-grant */
#define SCMG_SSC		0x06   /* SCCP/subsystem-congested */
/* Q.713 5.3: format identifier, affected SSN, affected PC (2 octets, 14 bits, LSB first),
 * subsystem multiplicity indicator (2 bits); SSC adds the SCCP congestion level (4 bits). */
#define SCMG_LEN		5
#define SCMG_SSC_LEN		6
#define SCMG_SMI_MASK		0x03   /* Q.713 5.3.2.3 */
#define SCMG_CONG_MASK		0x0f   /* Q.713 5.3.2.4 */

/* Subsystem numbers, Q.713 3.4.2.2 and 3GPP TS 23.003 8.1 */
#define SCCP_SSN_UNKNOWN	0
#define SCCP_SSN_ISUP		3
#define SCCP_SSN_HLR		6
#define SCCP_SSN_VLR		7
#define SCCP_SSN_MSC		8
#define SCCP_SSN_EIR		9
#define SCCP_SSN_AUC		10
#define SCCP_SSN_GMLC		145
#define SCCP_SSN_CAP		146
#define SCCP_SSN_GSMSCF		147
#define SCCP_SSN_SIWF		148
#define SCCP_SSN_SGSN		149
#define SCCP_SSN_GGSN		150

/* Lowercase name of a message type ("udt", "xudt", ...) and back; NULL / -1 when unknown. */
const char *sw_sccp_type_name(uint8_t type);
int sw_sccp_type_code(const char *name);
/* SCMG format identifier name ("sst", "ssp", ...); NULL when unknown. */
const char *sw_scmg_type_name(uint8_t type);

#endif /* SW_PROTO_SCCP_H */
