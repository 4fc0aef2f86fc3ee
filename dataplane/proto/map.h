/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MAP wire constants, 3GPP TS 29.002: local operation codes (17.5), application contexts
 * (17.3.2), the SM-RP-DA/OA choice (17.7.6) and the address/identity octets (17.7.8).
 * The name of every operation code is in the table behind sw_map_op_name().
 */
#ifndef SW_PROTO_MAP_H
#define SW_PROTO_MAP_H

#include <stdint.h>

/* Operation codes, TS 29.002 17.5 (MAP-Protocol) */
#define MAP_OP_UPDATE_LOCATION			2
#define MAP_OP_CANCEL_LOCATION			3
#define MAP_OP_PROVIDE_ROAMING_NUMBER		4
#define MAP_OP_NOTE_SUBSCRIBER_DATA_MODIFIED	5
#define MAP_OP_INSERT_SUBSCRIBER_DATA		7
#define MAP_OP_DELETE_SUBSCRIBER_DATA		8
#define MAP_OP_SEND_PARAMETERS			9
#define MAP_OP_REGISTER_SS			10
#define MAP_OP_ERASE_SS				11
#define MAP_OP_ACTIVATE_SS			12
#define MAP_OP_DEACTIVATE_SS			13
#define MAP_OP_INTERROGATE_SS			14
#define MAP_OP_AUTH_FAILURE_REPORT		15
#define MAP_OP_REGISTER_PASSWORD		17
#define MAP_OP_PROCESS_USS_DATA			19
#define MAP_OP_SEND_ROUTING_INFO		22
#define MAP_OP_UPDATE_GPRS_LOCATION		23
#define MAP_OP_SEND_ROUTING_INFO_FOR_GPRS	24
#define MAP_OP_FAILURE_REPORT			25
#define MAP_OP_NOTE_MS_PRESENT_FOR_GPRS		26
#define MAP_OP_RESET				37
#define MAP_OP_FORWARD_CHECK_SS			38
#define MAP_OP_CHECK_IMEI			43
#define MAP_OP_MT_FORWARD_SM			44
#define MAP_OP_SEND_ROUTING_INFO_FOR_SM		45
#define MAP_OP_MO_FORWARD_SM			46
#define MAP_OP_REPORT_SM_DELIVERY_STATUS	47
#define MAP_OP_NOTE_SUBSCRIBER_PRESENT		48
#define MAP_OP_ALERT_SC_WITHOUT_RESULT		49
#define MAP_OP_ACTIVATE_TRACE_MODE		50
#define MAP_OP_DEACTIVATE_TRACE_MODE		51
#define MAP_OP_BEGIN_SUBSCRIBER_ACTIVITY	54
#define MAP_OP_SEND_IDENTIFICATION		55
#define MAP_OP_SEND_AUTHENTICATION_INFO		56
#define MAP_OP_RESTORE_DATA			57
#define MAP_OP_SEND_IMSI			58
#define MAP_OP_PROCESS_USS_REQUEST		59
#define MAP_OP_USS_REQUEST			60
#define MAP_OP_USS_NOTIFY			61
#define MAP_OP_ANY_TIME_SUBSCRIPTION_INTERROGATION 62
#define MAP_OP_INFORM_SERVICE_CENTRE		63
#define MAP_OP_ALERT_SERVICE_CENTRE		64
#define MAP_OP_ANY_TIME_MODIFICATION		65
#define MAP_OP_READY_FOR_SM			66
#define MAP_OP_PURGE_MS				67
#define MAP_OP_PROVIDE_SUBSCRIBER_INFO		70
#define MAP_OP_ANY_TIME_INTERROGATION		71
#define MAP_OP_SS_INVOCATION_NOTIFICATION	72
#define MAP_OP_SET_REPORTING_STATE		73
#define MAP_OP_STATUS_REPORT			74
#define MAP_OP_REMOTE_USER_FREE			75
#define MAP_OP_REGISTER_CC_ENTRY		76
#define MAP_OP_ERASE_CC_ENTRY			77
#define MAP_OP_PROVIDE_SUBSCRIBER_LOCATION	83
#define MAP_OP_SEND_ROUTING_INFO_FOR_LCS	85
#define MAP_OP_SUBSCRIBER_LOCATION_REPORT	86
#define MAP_OP_NOTE_MM_EVENT			89

/* Application contexts 0.4.0.0.1.0.<ac>.<version>, TS 29.002 17.3.2 */
#define MAP_AC_PREFIX		{ 0x04, 0x00, 0x00, 0x01, 0x00 } /* encoded 0.4.0.0.1.0 */
#define MAP_AC_PREFIX_LEN	5
#define MAP_AC_CODE_MAX		49     /* CAP uses codes from 50 under the same arc (TS 29.078) */
#define MAP_AC_NETWORK_LOC_UP		1
#define MAP_AC_LOCATION_CANCELLATION	2
#define MAP_AC_ROAMING_NUMBER_ENQUIRY	3
#define MAP_AC_LOCATION_INFO_RETRIEVAL	5
#define MAP_AC_RESET			10
#define MAP_AC_INFO_RETRIEVAL		14
#define MAP_AC_INTER_VLR_INFO_RETRIEVAL	15
#define MAP_AC_SUBSCRIBER_DATA_MNGT	16
#define MAP_AC_NETWORK_FUNCTIONAL_SS	18
#define MAP_AC_NETWORK_UNSTRUCTURED_SS	19
#define MAP_AC_SHORT_MSG_GATEWAY	20
#define MAP_AC_SHORT_MSG_MO_RELAY	21
#define MAP_AC_SHORT_MSG_ALERT		23
#define MAP_AC_SHORT_MSG_MT_RELAY	25
#define MAP_AC_IMSI_RETRIEVAL		26
#define MAP_AC_MS_PURGING		27
#define MAP_AC_SUBSCRIBER_INFO_ENQUIRY	28
#define MAP_AC_ANY_TIME_INFO_ENQUIRY	29
#define MAP_AC_GPRS_LOCATION_UPDATE	32
#define MAP_AC_LOCATION_SVC_ENQUIRY	38
#define MAP_AC_ANY_TIME_INFO_HANDLING	43

/* MAP-DialoguePDU, TS 29.002 17.4: map-open [0] { destinationReference [0], originationReference
 * [1], ... }; its application context 0.4.0.0.1.1.1.1 (map-DialogueAS) */
#define MAP_DIALOGUE_AS		{ 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x01 } /* encoded */
#define MAP_DLG_OPEN		0xa0   /* map-open [0] IMPLICIT MAP-OpenInfo */
#define MAP_DLG_ACCEPT		0xa1   /* map-accept [1] IMPLICIT MAP-AcceptInfo */
#define MAP_DLG_CLOSE		0xa2   /* map-close [2] IMPLICIT MAP-CloseInfo */
#define MAP_DLG_REFUSE		0xa3   /* map-refuse [3] IMPLICIT MAP-RefuseInfo */
#define MAP_DLG_USER_ABORT	0xa4   /* map-userAbort [4] IMPLICIT MAP-UserAbortInfo */
#define MAP_DLG_PROVIDER_ABORT	0xa5   /* map-providerAbort [5] IMPLICIT MAP-ProviderAbortInfo */
#define MAP_DLG_DEST_REF	0x80   /* MAP-OpenInfo destinationReference [0] AddressString */
#define MAP_DLG_ORIG_REF	0x81   /* MAP-OpenInfo originationReference [1] AddressString */
/* MAP-UserAbortChoice, TS 29.002 17.4: userSpecificReason [0] NULL, userResourceLimitation [1]
 * NULL, resourceUnavailable [2] ENUMERATED, applicationProcedureCancellation [3] ENUMERATED */
#define MAP_UABORT_FIRST	0x80
#define MAP_UABORT_LAST		0x83

/* SM-RP-DA / SM-RP-OA choice tags, TS 29.002 17.7.6 */
#define MAP_SM_RP_IMSI		0      /* DA imsi [0] */
#define MAP_SM_RP_LMSI		1      /* DA lmsi [1] */
#define MAP_SM_RP_MSISDN	2      /* OA msisdn [2] */
#define MAP_SM_RP_SC		4      /* serviceCentreAddressDA/OA [4] */
#define MAP_SM_RP_NONE		5      /* noSM-RP-DA/OA [5] NULL */

/* Sizes, TS 29.002 17.7.8 / 17.7.4 */
#define MAP_IMSI_MIN		3      /* IMSI ::= TBCD-STRING (SIZE (3..8)) */
#define MAP_IMSI_MAX		8
#define MAP_ADDR_MAX		20     /* AddressString ::= OCTET STRING (SIZE (1..20)) */
#define MAP_LMSI_LEN		4
#define MAP_USSD_MAX		160    /* maxUSSD-StringLength */
#define MAP_ADDR_NPI_MASK	0x0f   /* ext/NAI/NPI octet of an AddressString */
#define MAP_NPI_E164		1
#define MAP_NPI_E212		6      /* land mobile numbering: the digits are an IMSI */

/* Name of a local operation code ("sendRoutingInfo"); NULL if TS 29.002 17.5 has none. */
const char *sw_map_op_name(int32_t opcode);
/* Code of an operation name, case-insensitive, older spellings accepted; -1 if unknown. */
int32_t sw_map_op_code(const char *name);
/* Name of a MAP error code ("systemFailure", TS 29.002 17.6.6) and back; NULL / -1 if unknown. */
#define MAP_ERROR_MAX 72
const char *sw_map_error_name(int32_t code);
int32_t sw_map_error_code(const char *name);

#endif /* SW_PROTO_MAP_H */
