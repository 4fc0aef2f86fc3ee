/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * M3UA wire constants the endpoint needs (RFC 4666), private to dataplane/proxy until the
 * decoder's dataplane/proto/m3ua.h lands on main: the names are the ones that header uses, so
 * switching is replacing the first block with one #include. The second block (error codes,
 * notify status, traffic modes, SSNM parameters) is endpoint-only and stays here.
 */
#ifndef SW_PROXY_M3UA_WIRE_H
#define SW_PROXY_M3UA_WIRE_H

#if __has_include("dataplane/proto/m3ua.h")
#include "dataplane/proto/m3ua.h"
#else
#define M3UA_VERSION		1      /* RFC 4666 3.1.1 */
#define M3UA_HLEN		8      /* RFC 4666 3.1 */
#define M3UA_PARAM_HLEN		4      /* RFC 4666 3.2 */
#define M3UA_CLASS_MGMT		0      /* RFC 4666 3.1.2 */
#define M3UA_CLASS_TRANSFER	1
#define M3UA_CLASS_SSNM		2
#define M3UA_CLASS_ASPSM	3
#define M3UA_CLASS_ASPTM	4
#define M3UA_CLASS_RKM		9
#define M3UA_MGMT_ERR		0      /* RFC 4666 3.1.3 */
#define M3UA_MGMT_NTFY		1
#define M3UA_XFER_DATA		1
#define M3UA_SSNM_DUNA		1
#define M3UA_SSNM_DAVA		2
#define M3UA_SSNM_DAUD		3
#define M3UA_SSNM_SCON		4
#define M3UA_SSNM_DUPU		5
#define M3UA_SSNM_DRST		6
#define M3UA_ASPSM_UP		1
#define M3UA_ASPSM_DOWN		2
#define M3UA_ASPSM_BEAT		3
#define M3UA_ASPSM_UP_ACK	4
#define M3UA_ASPSM_DOWN_ACK	5
#define M3UA_ASPSM_BEAT_ACK	6
#define M3UA_ASPTM_ACTIVE	1
#define M3UA_ASPTM_INACTIVE	2
#define M3UA_ASPTM_ACTIVE_ACK	3
#define M3UA_ASPTM_INACTIVE_ACK	4
#define M3UA_TAG_INFO		0x0004 /* RFC 4666 3.8.1 */
#define M3UA_TAG_RCTX		0x0006 /* RFC 4666 3.3.1 */
#define M3UA_TAG_DIAG		0x0007 /* RFC 4666 3.8.1 */
#define M3UA_TAG_HB_DATA	0x0009 /* RFC 4666 3.5.5 */
#define M3UA_TAG_TMT		0x000b /* RFC 4666 3.7.1 */
#define M3UA_TAG_ERR_CODE	0x000c /* RFC 4666 3.8.1 */
#define M3UA_TAG_STATUS		0x000d /* RFC 4666 3.8.2 */
#define M3UA_TAG_ASP_ID		0x0011 /* RFC 4666 3.5.1 */
#define M3UA_TAG_APC		0x0012 /* RFC 4666 3.4.1 */
#define M3UA_TAG_CORR_ID	0x0013 /* RFC 4666 3.3.1 */
#define M3UA_TAG_NA		0x0200 /* RFC 4666 3.3.1 */
#define M3UA_TAG_PROTO_DATA	0x0210 /* RFC 4666 3.3.1 */
#define M3UA_PD_LABEL		12     /* RFC 4666 3.3.1: OPC, DPC, SI, NI, MP, SLS */
#define MTP3_SI_SCCP		3      /* Q.704 14.2.1 */
#endif

/* M3UA-specific parameters of SSNM, RFC 4666 3.2 */
#define M3UA_TAG_USER_CAUSE	0x0204 /* RFC 4666 3.4.5 */
#define M3UA_TAG_CONG_IND	0x0205 /* RFC 4666 3.4.4 */
#define M3UA_TAG_CONCERNED_DEST	0x0206 /* RFC 4666 3.4.4 */

/* Traffic Mode Type, RFC 4666 3.7.1 */
#define M3UA_TMT_OVERRIDE	1
#define M3UA_TMT_LOADSHARE	2
#define M3UA_TMT_BROADCAST	3

/* Error Code, RFC 4666 3.8.1 */
#define M3UA_ERR_INVALID_VERSION	0x01
#define M3UA_ERR_UNSUPP_CLASS		0x03
#define M3UA_ERR_UNSUPP_TYPE		0x04
#define M3UA_ERR_UNSUPP_TMT		0x05
#define M3UA_ERR_UNEXPECTED_MSG		0x06
#define M3UA_ERR_PROTOCOL		0x07
#define M3UA_ERR_INVALID_STREAM		0x09
#define M3UA_ERR_REFUSED_MGMT_BLOCK	0x0d
#define M3UA_ERR_ASP_ID_REQUIRED	0x0e
#define M3UA_ERR_INVALID_ASP_ID		0x0f
#define M3UA_ERR_INVALID_PARAM_VALUE	0x11
#define M3UA_ERR_PARAM_FIELD		0x12
#define M3UA_ERR_UNEXPECTED_PARAM	0x13
#define M3UA_ERR_DEST_STATUS_UNKNOWN	0x14
#define M3UA_ERR_INVALID_NA		0x15
#define M3UA_ERR_MISSING_PARAM		0x16
#define M3UA_ERR_INVALID_RCTX		0x19
#define M3UA_ERR_NO_AS_FOR_ASP		0x1a

/* Notify Status Type and Information, RFC 4666 3.8.2 */
#define M3UA_NTFY_T_AS_STATE_CHG	1
#define M3UA_NTFY_T_OTHER		2
#define M3UA_NTFY_I_AS_INACTIVE		2
#define M3UA_NTFY_I_AS_ACTIVE		3
#define M3UA_NTFY_I_AS_PENDING		4
#define M3UA_NTFY_I_INSUFF_ASP		1
#define M3UA_NTFY_I_ALT_ASP_ACTIVE	2
#define M3UA_NTFY_I_ASP_FAILURE		3

/* SCTP stream 0 carries management (ASPSM/ASPTM/MGMT/SSNM), RFC 4666 1.4.7 */
#define M3UA_MGMT_STREAM		0

#endif /* SW_PROXY_M3UA_WIRE_H */
