/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * M3UA wire constants, RFC 4666, and the MTP3 service indicator it carries (ITU-T Q.704).
 * (Modelled on osmocom's include/osmocom/sigtran/protocol/m3ua.h.)
 */
#ifndef SW_PROTO_M3UA_H
#define SW_PROTO_M3UA_H

#include <stdint.h>

#define M3UA_VERSION		1      /* RFC 4666 3.1.1 */
#define M3UA_HLEN		8      /* RFC 4666 3.1: version, spare, class, type, length */
#define M3UA_PARAM_HLEN		4      /* RFC 4666 3.2: tag, length */

/* Message classes, RFC 4666 3.1.2 */
#define M3UA_CLASS_MGMT		0
#define M3UA_CLASS_TRANSFER	1
#define M3UA_CLASS_SSNM		2
#define M3UA_CLASS_ASPSM	3
#define M3UA_CLASS_ASPTM	4
#define M3UA_CLASS_QPTM		5      /* RFC 3331 (M2UA/IUA), not used by M3UA */
#define M3UA_CLASS_MAUP		6      /* RFC 3331 */
#define M3UA_CLASS_CL_SUA	7      /* RFC 3868 */
#define M3UA_CLASS_CO_SUA	8      /* RFC 3868 */
#define M3UA_CLASS_RKM		9

/* Message types per class, RFC 4666 3.1.3 */
#define M3UA_MGMT_ERR		0
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
#define M3UA_RKM_REG_REQ	1
#define M3UA_RKM_REG_RSP	2
#define M3UA_RKM_DEREG_REQ	3
#define M3UA_RKM_DEREG_RSP	4

/* Parameter tags: common (RFC 4666 3.2) and M3UA-specific (RFC 4666 3.2, 3.3.1) */
#define M3UA_TAG_INFO		0x0004 /* RFC 4666 3.8.1 */
#define M3UA_TAG_RCTX		0x0006 /* Routing Context, RFC 4666 3.3.1 */
#define M3UA_TAG_DIAG		0x0007 /* RFC 4666 3.8.1 */
#define M3UA_TAG_HB_DATA	0x0009 /* RFC 4666 3.5.5 */
#define M3UA_TAG_TMT		0x000b /* Traffic Mode Type, RFC 4666 3.7.1 */
#define M3UA_TAG_ERR_CODE	0x000c /* RFC 4666 3.8.1 */
#define M3UA_TAG_STATUS		0x000d /* RFC 4666 3.8.2 */
#define M3UA_TAG_ASP_ID		0x0011 /* RFC 4666 3.5.1 */
#define M3UA_TAG_APC		0x0012 /* Affected Point Code, RFC 4666 3.4.1 */
#define M3UA_TAG_CORR_ID	0x0013 /* Correlation Id, RFC 4666 3.3.1 */
#define M3UA_TAG_NA		0x0200 /* Network Appearance, RFC 4666 3.3.1 */
#define M3UA_TAG_PROTO_DATA	0x0210 /* Protocol Data, RFC 4666 3.3.1 */

/* Protocol Data, RFC 4666 3.3.1: OPC 4, DPC 4, SI, NI, MP, SLS, then the MTP3 user data. */
#define M3UA_PD_LABEL		12

/* MTP3 service indicator, ITU-T Q.704 14.2.1 */
#define MTP3_SI_SNM		0      /* signalling network management */
#define MTP3_SI_SNTM		1      /* signalling network testing and maintenance */
#define MTP3_SI_SCCP		3
#define MTP3_SI_TUP		4
#define MTP3_SI_ISUP		5

/* Names (static strings; NULL when unassigned). */
const char *sw_m3ua_class_name(uint8_t cls);            /* "transfer", "aspsm", ... */
const char *sw_m3ua_type_name(uint8_t cls, uint8_t type); /* "data", "aspup_ack", ... */

#endif /* SW_PROTO_M3UA_H */
