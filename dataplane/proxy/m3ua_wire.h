/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * M3UA wire constants only an endpoint needs (RFC 4666): error codes, notify status, traffic
 * modes, SSNM parameters. Everything the decoder also uses comes from dataplane/proto/m3ua.h.
 */
#ifndef SW_PROXY_M3UA_WIRE_H
#define SW_PROXY_M3UA_WIRE_H

#include "dataplane/proto/m3ua.h"

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
