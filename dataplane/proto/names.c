/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The name tables of every protocol, defined once: SCTP chunk types, M3UA classes and types,
 * SCCP message types, SCMG formats, TCAP message and component types, MAP operations and ISUP
 * messages, with the lookups both ways. The decoder, the JSON printer, `sigwallctl inspect`,
 * the policy compiler and the evaluator all read these (issue 11: one definition per wire fact).
 */
#include <stddef.h>
#include <stdlib.h>
#include <strings.h>

#include "ansi.h"
#include "cap.h"
#include "ip.h"
#include "isup.h"
#include "m2pa.h"
#include "m3ua.h"
#include "map.h"
#include "sccp.h"
#include "sctp.h"
#include "tcap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Index of name in a table of size n (NULL entries skipped), case-insensitive; -1 if absent. */
static int
name_index(const char *const *names, size_t n, const char *name)
{
	if (name == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (names[i] != NULL && strcasecmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

/* ---------------------------------------------------------------------------
 * SCTP chunk types: RFC 9260 3.2, RFC 3758 FORWARD-TSN, RFC 8260 I-DATA / I-FORWARD-TSN,
 * RFC 4895 AUTH, RFC 5061 ASCONF, RFC 6525 RE-CONFIG, RFC 4820 PAD.
 */
static const char *const sctp_chunk_names[256] = {
	[SCTP_CT_DATA] = "data",
	[SCTP_CT_INIT] = "init",
	[SCTP_CT_INIT_ACK] = "init_ack",
	[SCTP_CT_SACK] = "sack",
	[SCTP_CT_HEARTBEAT] = "heartbeat",
	[SCTP_CT_HEARTBEAT_ACK] = "heartbeat_ack",
	[SCTP_CT_ABORT] = "abort",
	[SCTP_CT_SHUTDOWN] = "shutdown",
	[SCTP_CT_SHUTDOWN_ACK] = "shutdown_ack",
	[SCTP_CT_ERROR] = "error",
	[SCTP_CT_COOKIE_ECHO] = "cookie_echo",
	[SCTP_CT_COOKIE_ACK] = "cookie_ack",
	[SCTP_CT_ECNE] = "ecne",
	[SCTP_CT_CWR] = "cwr",
	[SCTP_CT_SHUTDOWN_COMPLETE] = "shutdown_complete",
	[SCTP_CT_AUTH] = "auth",
	[SCTP_CT_IDATA] = "i_data",
	[SCTP_CT_ASCONF_ACK] = "asconf_ack",
	[SCTP_CT_RECONFIG] = "reconfig",
	[SCTP_CT_PAD] = "pad",
	[SCTP_CT_FWD_TSN] = "forward_tsn",
	[SCTP_CT_ASCONF] = "asconf",
	[SCTP_CT_IFWD_TSN] = "i_forward_tsn",
};

const char *
sw_sctp_chunk_name(uint8_t type)
{
	return sctp_chunk_names[type];
}

/* ---------------------------------------------------------------------------
 * M3UA, RFC 4666 3.1.2 (classes) and 3.1.3 (types per class)
 */
static const char *const m3ua_class_names[] = {
	[M3UA_CLASS_MGMT] = "mgmt",	  [M3UA_CLASS_TRANSFER] = "transfer",
	[M3UA_CLASS_SSNM] = "ssnm",	  [M3UA_CLASS_ASPSM] = "aspsm",
	[M3UA_CLASS_ASPTM] = "asptm",	  [M3UA_CLASS_QPTM] = "qptm",
	[M3UA_CLASS_MAUP] = "maup",	  [M3UA_CLASS_CL_SUA] = "cl-sua",
	[M3UA_CLASS_CO_SUA] = "co-sua",	  [M3UA_CLASS_RKM] = "rkm",
};

const char *
sw_m3ua_class_name(uint8_t cls)
{
	return cls < ARRAY_SIZE(m3ua_class_names) ? m3ua_class_names[cls] : NULL;
}

const char *
sw_m3ua_type_name(uint8_t cls, uint8_t type)
{
	static const char *const mgmt[] = { [M3UA_MGMT_ERR] = "err", [M3UA_MGMT_NTFY] = "ntfy" };
	static const char *const xfer[] = { [M3UA_XFER_DATA] = "data" };
	static const char *const ssnm[] = {
		[M3UA_SSNM_DUNA] = "duna", [M3UA_SSNM_DAVA] = "dava", [M3UA_SSNM_DAUD] = "daud",
		[M3UA_SSNM_SCON] = "scon", [M3UA_SSNM_DUPU] = "dupu", [M3UA_SSNM_DRST] = "drst",
	};
	static const char *const aspsm[] = {
		[M3UA_ASPSM_UP] = "aspup",	   [M3UA_ASPSM_DOWN] = "aspdn",
		[M3UA_ASPSM_BEAT] = "beat",	   [M3UA_ASPSM_UP_ACK] = "aspup_ack",
		[M3UA_ASPSM_DOWN_ACK] = "aspdn_ack", [M3UA_ASPSM_BEAT_ACK] = "beat_ack",
	};
	static const char *const asptm[] = {
		[M3UA_ASPTM_ACTIVE] = "aspac",	       [M3UA_ASPTM_INACTIVE] = "aspia",
		[M3UA_ASPTM_ACTIVE_ACK] = "aspac_ack", [M3UA_ASPTM_INACTIVE_ACK] = "aspia_ack",
	};
	static const char *const rkm[] = {
		[M3UA_RKM_REG_REQ] = "reg_req",	    [M3UA_RKM_REG_RSP] = "reg_rsp",
		[M3UA_RKM_DEREG_REQ] = "dereg_req", [M3UA_RKM_DEREG_RSP] = "dereg_rsp",
	};
	static const struct {
		const char *const *names;
		unsigned n;
	} classes[] = {
		[M3UA_CLASS_MGMT] = { mgmt, ARRAY_SIZE(mgmt) },
		[M3UA_CLASS_TRANSFER] = { xfer, ARRAY_SIZE(xfer) },
		[M3UA_CLASS_SSNM] = { ssnm, ARRAY_SIZE(ssnm) },
		[M3UA_CLASS_ASPSM] = { aspsm, ARRAY_SIZE(aspsm) },
		[M3UA_CLASS_ASPTM] = { asptm, ARRAY_SIZE(asptm) },
		[M3UA_CLASS_RKM] = { rkm, ARRAY_SIZE(rkm) },
	};

	if (cls < ARRAY_SIZE(classes) && classes[cls].names != NULL && type < classes[cls].n)
		return classes[cls].names[type];
	return NULL;
}

/* ---------------------------------------------------------------------------
 * SCCP message types, Q.713 4.1 Table 1, and SCMG formats, Q.713 5.1 Table 23
 */
static const char *const sccp_type_names[] = {
	[SCCP_MSG_CR] = "cr",	    [SCCP_MSG_CC] = "cc",	[SCCP_MSG_CREF] = "cref",
	[SCCP_MSG_RLSD] = "rlsd",   [SCCP_MSG_RLC] = "rlc",	[SCCP_MSG_DT1] = "dt1",
	[SCCP_MSG_DT2] = "dt2",	    [SCCP_MSG_AK] = "ak",	[SCCP_MSG_UDT] = "udt",
	[SCCP_MSG_UDTS] = "udts",   [SCCP_MSG_ED] = "ed",	[SCCP_MSG_EA] = "ea",
	[SCCP_MSG_RSR] = "rsr",	    [SCCP_MSG_RSC] = "rsc",	[SCCP_MSG_ERR] = "err",
	[SCCP_MSG_IT] = "it",	    [SCCP_MSG_XUDT] = "xudt",	[SCCP_MSG_XUDTS] = "xudts",
	[SCCP_MSG_LUDT] = "ludt",   [SCCP_MSG_LUDTS] = "ludts",
};

const char *
sw_sccp_type_name(uint8_t type)
{
	return type < ARRAY_SIZE(sccp_type_names) ? sccp_type_names[type] : NULL;
}

int
sw_sccp_type_code(const char *name)
{
	return name_index(sccp_type_names, ARRAY_SIZE(sccp_type_names), name);
}

static const char *const scmg_type_names[] = {
	[SCMG_SSA] = "ssa", [SCMG_SSP] = "ssp", [SCMG_SST] = "sst",
	[SCMG_SOR] = "sor", [SCMG_SOG] = "sog", [SCMG_SSC] = "ssc",
};

const char *
sw_scmg_type_name(uint8_t type)
{
	return type < ARRAY_SIZE(scmg_type_names) ? scmg_type_names[type] : NULL;
}

/* ---------------------------------------------------------------------------
 * TCAP message and component types, Q.773 4.1 and 4.2.2
 */
static const char *const tcap_type_names[] = {
	[SW_TCAP_UNIDIRECTIONAL] = "unidirectional",
	[SW_TCAP_BEGIN] = "begin",
	[SW_TCAP_END] = "end",
	[SW_TCAP_CONTINUE] = "continue",
	[SW_TCAP_ABORT] = "abort",
};

static const char *const comp_type_names[] = {
	[SW_COMP_INVOKE] = "invoke",
	[SW_COMP_RESULT_LAST] = "returnResultLast",
	[SW_COMP_RESULT] = "returnResult",
	[SW_COMP_ERROR] = "returnError",
	[SW_COMP_REJECT] = "reject",
};

const char *
sw_tcap_type_name(uint8_t type)
{
	return type < ARRAY_SIZE(tcap_type_names) ? tcap_type_names[type] : NULL;
}

int
sw_tcap_type_code(const char *name)
{
	return name_index(tcap_type_names, ARRAY_SIZE(tcap_type_names), name);
}

const char *
sw_comp_type_name(uint8_t type)
{
	return type < ARRAY_SIZE(comp_type_names) ? comp_type_names[type] : NULL;
}

int
sw_comp_type_code(const char *name)
{
	if (name != NULL && strcasecmp(name, "returnResultNotLast") == 0)
		return SW_COMP_RESULT;
	return name_index(comp_type_names, ARRAY_SIZE(comp_type_names), name);
}

/* ---------------------------------------------------------------------------
 * MAP operation codes, TS 29.002 17.5 (Wireshark's gsm_old.localValue table spells them the
 * same way)
 */
struct map_op {
	int32_t code;
	const char *name;
};

static const struct map_op map_ops[] = {
	{ 2, "updateLocation" },
	{ 3, "cancelLocation" },
	{ 4, "provideRoamingNumber" },
	{ 5, "noteSubscriberDataModified" },
	{ 6, "resumeCallHandling" },
	{ 7, "insertSubscriberData" },
	{ 8, "deleteSubscriberData" },
	{ 9, "sendParameters" },
	{ 10, "registerSS" },
	{ 11, "eraseSS" },
	{ 12, "activateSS" },
	{ 13, "deactivateSS" },
	{ 14, "interrogateSS" },
	{ 15, "authenticationFailureReport" },
	{ 16, "notifySS" },
	{ 17, "registerPassword" },
	{ 18, "getPassword" },
	{ 19, "processUnstructuredSS-Data" },
	{ 20, "releaseResources" },
	{ 21, "mt-ForwardSM-VGCS" },
	{ 22, "sendRoutingInfo" },
	{ 23, "updateGprsLocation" },
	{ 24, "sendRoutingInfoForGprs" },
	{ 25, "failureReport" },
	{ 26, "noteMsPresentForGprs" },
	{ 28, "performHandover" },
	{ 29, "sendEndSignal" },
	{ 30, "performSubsequentHandover" },
	{ 31, "provideSIWFSNumber" },
	{ 32, "sIWFSSignallingModify" },
	{ 33, "processAccessSignalling" },
	{ 34, "forwardAccessSignalling" },
	{ 35, "noteInternalHandover" },
	{ 36, "cancelVcsgLocation" },
	{ 37, "reset" },
	{ 38, "forwardCheckSS" },
	{ 39, "prepareGroupCall" },
	{ 40, "sendGroupCallEndSignal" },
	{ 41, "processGroupCallSignalling" },
	{ 42, "forwardGroupCallSignalling" },
	{ 43, "checkIMEI" },
	{ 44, "mt-forwardSM" },
	{ 45, "sendRoutingInfoForSM" },
	{ 46, "mo-forwardSM" },
	{ 47, "reportSM-DeliveryStatus" },
	{ 48, "noteSubscriberPresent" },
	{ 49, "alertServiceCentreWithoutResult" },
	{ 50, "activateTraceMode" },
	{ 51, "deactivateTraceMode" },
	{ 52, "traceSubscriberActivity" },
	{ 53, "updateVcsgLocation" },
	{ 54, "beginSubscriberActivity" },
	{ 55, "sendIdentification" },
	{ 56, "sendAuthenticationInfo" },
	{ 57, "restoreData" },
	{ 58, "sendIMSI" },
	{ 59, "processUnstructuredSS-Request" },
	{ 60, "unstructuredSS-Request" },
	{ 61, "unstructuredSS-Notify" },
	{ 62, "anyTimeSubscriptionInterrogation" },
	{ 63, "informServiceCentre" },
	{ 64, "alertServiceCentre" },
	{ 65, "anyTimeModification" },
	{ 66, "readyForSM" },
	{ 67, "purgeMS" },
	{ 68, "prepareHandover" },
	{ 69, "prepareSubsequentHandover" },
	{ 70, "provideSubscriberInfo" },
	{ 71, "anyTimeInterrogation" },
	{ 72, "ss-InvocationNotification" },
	{ 73, "setReportingState" },
	{ 74, "statusReport" },
	{ 75, "remoteUserFree" },
	{ 76, "registerCC-Entry" },
	{ 77, "eraseCC-Entry" },
	{ 78, "secureTransportClass1" },
	{ 79, "secureTransportClass2" },
	{ 80, "secureTransportClass3" },
	{ 81, "secureTransportClass4" },
	{ 83, "provideSubscriberLocation" },
	{ 84, "sendGroupCallInfo" },
	{ 85, "sendRoutingInfoForLCS" },
	{ 86, "subscriberLocationReport" },
	{ 87, "ist-Alert" },
	{ 88, "ist-Command" },
	{ 89, "noteMM-Event" },
	{ 109, "lcs-PeriodicLocationCancellation" },
	{ 110, "lcs-LocationUpdate" },
	{ 111, "lcs-PeriodicLocationRequest" },
	{ 112, "lcs-AreaEventCancellation" },
	{ 113, "lcs-AreaEventReport" },
	{ 114, "lcs-AreaEventRequest" },
	{ 115, "lcs-MOLR" },
	{ 116, "lcs-LocationNotification" },
	{ 117, "callDeflection" },
	{ 118, "userUserService" },
	{ 119, "accessRegisterCCEntry" },
	{ 120, "forwardCUG-Info" },
	{ 121, "splitMPTY" },
	{ 122, "retrieveMPTY" },
	{ 123, "holdMPTY" },
	{ 124, "buildMPTY" },
	{ 125, "forwardChargeAdvice" },
	{ 126, "explicitCT" },
};

/* Older spellings accepted by sw_map_op_code() (GSM 09.02 phase 1/2 names). */
static const struct map_op map_op_aliases[] = {
	{ 46, "forwardSM" },                 /* MAP v1/v2 name of mo-forwardSM */
	{ 49, "alertServiceCentreWithoutResult" },
	{ 56, "sendAuthInfo" },
	{ 71, "ati" },
	{ 45, "sri-sm" },
	{ 22, "sri" },
};

const char *
sw_map_op_name(int32_t opcode)
{
	size_t lo = 0, hi = ARRAY_SIZE(map_ops);

	/* map_ops is sorted by code */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (map_ops[mid].code == opcode)
			return map_ops[mid].name;
		if (map_ops[mid].code < opcode)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Case-insensitive: TS 29.002 writes "mt-ForwardSM", Wireshark "mt-forwardSM". */
int32_t
sw_map_op_code(const char *name)
{
	if (name == NULL)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(map_ops); i++)
		if (strcasecmp(map_ops[i].name, name) == 0)
			return map_ops[i].code;
	for (size_t i = 0; i < ARRAY_SIZE(map_op_aliases); i++)
		if (strcasecmp(map_op_aliases[i].name, name) == 0)
			return map_op_aliases[i].code;
	return -1;
}

/* ---------------------------------------------------------------------------
 * MAP error codes, TS 29.002 17.6.6 (MAP-Errors; localValue of a returnError's errorCode).
 * Cross-checked with tshark's gsm_old.localValue error values.
 */
static const char *const map_error_names[MAP_ERROR_MAX + 1] = {
	[1] = "unknownSubscriber",
	[3] = "unknownMSC",
	[5] = "unidentifiedSubscriber",
	[6] = "absentSubscriberSM",
	[7] = "unknownEquipment",
	[8] = "roamingNotAllowed",
	[9] = "illegalSubscriber",
	[10] = "bearerServiceNotProvisioned",
	[11] = "teleserviceNotProvisioned",
	[12] = "illegalEquipment",
	[13] = "callBarred",
	[14] = "forwardingViolation",
	[15] = "cug-Reject",
	[16] = "illegalSS-Operation",
	[17] = "ss-ErrorStatus",
	[18] = "ss-NotAvailable",
	[19] = "ss-SubscriptionViolation",
	[20] = "ss-Incompatibility",
	[21] = "facilityNotSupported",
	[22] = "ongoingGroupCall",
	[25] = "noHandoverNumberAvailable",
	[26] = "subsequentHandoverFailure",
	[27] = "absentSubscriber",
	[28] = "incompatibleTerminal",
	[29] = "shortTermDenial",
	[30] = "longTermDenial",
	[31] = "subscriberBusyForMT-SMS",
	[32] = "sm-DeliveryFailure",
	[33] = "messageWaitingListFull",
	[34] = "systemFailure",
	[35] = "dataMissing",
	[36] = "unexpectedDataValue",
	[37] = "pw-RegistrationFailure",
	[38] = "negativePW-Check",
	[39] = "noRoamingNumberAvailable",
	[40] = "tracingBufferFull",
	[42] = "targetCellOutsideGroupCallArea",
	[43] = "numberOfPW-AttemptsViolation",
	[44] = "numberChanged",
	[45] = "busySubscriber",
	[46] = "noSubscriberReply",
	[47] = "forwardingFailed",
	[48] = "or-NotAllowed",
	[49] = "ati-NotAllowed",
	[50] = "noGroupCallNumberAvailable",
	[51] = "resourceLimitation",
	[52] = "unauthorizedRequestingNetwork",
	[53] = "unauthorizedLCSClient",
	[54] = "positionMethodFailure",
	[58] = "unknownOrUnreachableLCSClient",
	[59] = "mm-EventNotSupported",
	[60] = "atsi-NotAllowed",
	[61] = "atm-NotAllowed",
	[62] = "informationNotAvailable",
	[71] = "unknownAlphabet",
	[72] = "ussd-Busy",
};

const char *
sw_map_error_name(int32_t code)
{
	if (code < 0 || code > MAP_ERROR_MAX)
		return NULL;
	return map_error_names[code];
}

int32_t
sw_map_error_code(const char *name)
{
	int i = name_index(map_error_names, ARRAY_SIZE(map_error_names), name);

	return i < 0 ? -1 : i;
}

/* ---------------------------------------------------------------------------
 * ISUP
 */
/* Message acronyms, Q.763 Table 4 (Q.762 Table 1). Reserved and spare codes have no name. */
static const char *const isup_msg_names[256] = {
	[0x01] = "IAM",  /* initial address */
	[0x02] = "SAM",  /* subsequent address */
	[0x03] = "INR",  /* information request (national use) */
	[0x04] = "INF",  /* information (national use) */
	[0x05] = "COT",  /* continuity */
	[0x06] = "ACM",  /* address complete */
	[0x07] = "CON",  /* connect */
	[0x08] = "FOT",  /* forward transfer */
	[0x09] = "ANM",  /* answer */
	[0x0c] = "REL",  /* release */
	[0x0d] = "SUS",  /* suspend */
	[0x0e] = "RES",  /* resume */
	[0x10] = "RLC",  /* release complete */
	[0x11] = "CCR",  /* continuity check request */
	[0x12] = "RSC",  /* reset circuit */
	[0x13] = "BLO",  /* blocking */
	[0x14] = "UBL",  /* unblocking */
	[0x15] = "BLA",  /* blocking acknowledgement */
	[0x16] = "UBA",  /* unblocking acknowledgement */
	[0x17] = "GRS",  /* circuit group reset */
	[0x18] = "CGB",  /* circuit group blocking */
	[0x19] = "CGU",  /* circuit group unblocking */
	[0x1a] = "CGBA", /* circuit group blocking acknowledgement */
	[0x1b] = "CGUA", /* circuit group unblocking acknowledgement */
	[0x1f] = "FAR",  /* facility request */
	[0x20] = "FAA",  /* facility accepted */
	[0x21] = "FRJ",  /* facility reject */
	[0x24] = "LPA",  /* loop back acknowledgement (national use) */
	[0x28] = "PAM",  /* pass-along (national use) */
	[0x29] = "GRA",  /* circuit group reset acknowledgement */
	[0x2a] = "CQM",  /* circuit group query (national use) */
	[0x2b] = "CQR",  /* circuit group query response (national use) */
	[0x2c] = "CPG",  /* call progress */
	[0x2d] = "USR",  /* user-to-user information */
	[0x2e] = "UCIC", /* unequipped CIC (national use) */
	[0x2f] = "CFN",  /* confusion */
	[0x30] = "OLM",  /* overload (national use) */
	[0x31] = "CRG",  /* charge information (national use) */
	[0x32] = "NRM",  /* network resource management */
	[0x33] = "FAC",  /* facility */
	[0x34] = "UPT",  /* user part test */
	[0x35] = "UPA",  /* user part available */
	[0x36] = "IDR",  /* identification request */
	[0x37] = "IRS",  /* identification response */
	[0x38] = "SGM",  /* segmentation */
	[0x40] = "LOP",  /* loop prevention */
	[0x41] = "APM",  /* application transport */
	[0x42] = "PRI",  /* pre-release information */
	[0x43] = "SDN",  /* subsequent directory number (national use) */
};

const char *
sw_isup_type_name(uint8_t type)
{
	return isup_msg_names[type];
}

int
sw_isup_type_code(const char *name)
{
	return name_index(isup_msg_names, ARRAY_SIZE(isup_msg_names), name);
}

/* ---------------------------------------------------------------------------
 * M2PA, RFC 4165 2.1.1 (message types) and 2.3.2 (link states)
 */
static const char *const m2pa_type_names[] = {
	[M2PA_TYPE_USER_DATA] = "user_data",
	[M2PA_TYPE_LINK_STATUS] = "link_status",
};

const char *
sw_m2pa_type_name(uint8_t type)
{
	return type < ARRAY_SIZE(m2pa_type_names) ? m2pa_type_names[type] : NULL;
}

static const char *const m2pa_state_names[] = {
	[M2PA_LS_ALIGNMENT] = "alignment",
	[M2PA_LS_PROVING_NORMAL] = "proving_normal",
	[M2PA_LS_PROVING_EMERG] = "proving_emergency",
	[M2PA_LS_READY] = "ready",
	[M2PA_LS_PROC_OUTAGE] = "processor_outage",
	[M2PA_LS_PROC_RECOVERED] = "processor_recovered",
	[M2PA_LS_BUSY] = "busy",
	[M2PA_LS_BUSY_ENDED] = "busy_ended",
	[M2PA_LS_OUT_OF_SERVICE] = "out_of_service",
};

const char *
sw_m2pa_state_name(uint32_t state)
{
	return state < ARRAY_SIZE(m2pa_state_names) ? m2pa_state_names[state] : NULL;
}

/* ---------------------------------------------------------------------------
 * ANSI (dataplane/proto/ansi.h): network variants, TCAP package types (T1.114.3), point codes
 * as "network-cluster-member" (T1.111.4 2.2.3).
 */
static const char *const variant_names[] = {
	[SW_VARIANT_ITU] = "itu",
	[SW_VARIANT_ANSI] = "ansi",
};

const char *
sw_variant_name(uint8_t variant)
{
	return variant < ARRAY_SIZE(variant_names) ? variant_names[variant] : NULL;
}

int
sw_variant_code(const char *name)
{
	return name_index(variant_names, ARRAY_SIZE(variant_names), name);
}

const char *
sw_ansi_tcap_name(uint8_t pkg)
{
	switch (pkg) {
	case ANSI_TCAP_UNI:
		return "unidirectional";
	case ANSI_TCAP_QWP:
		return "query_with_permission";
	case ANSI_TCAP_QWOP:
		return "query_without_permission";
	case ANSI_TCAP_RESP:
		return "response";
	case ANSI_TCAP_CWP:
		return "conversation_with_permission";
	case ANSI_TCAP_CWOP:
		return "conversation_without_permission";
	case ANSI_TCAP_ABORT:
		return "abort";
	}
	return NULL;
}

int
sw_ansi_pc_parse(const char *s, uint32_t *pc)
{
	uint32_t v = 0;

	if (s == NULL)
		return -1;
	for (int part = 0; part < 3; part++) {
		uint32_t x = 0;
		int nd = 0;

		while (*s >= '0' && *s <= '9' && nd < 4) {
			x = x * 10 + (uint32_t)(*s++ - '0');
			nd++;
		}
		if (nd == 0 || nd > 3 || x > 255)
			return -1;
		v = v << 8 | x;
		if (part < 2 && *s++ != '-')
			return -1;
	}
	if (*s != '\0')
		return -1;
	*pc = v;
	return 0;
}

/* ---------------------------------------------------------------------------
 * CAP (CAMEL v1-v4) operation codes, TS 29.078 CAP-operationcodes, spelled as tshark's
 * camel.local values; indexed by code (all below 100).
 */
#define CAP_OP_TABLE_MAX 100
static const char *const cap_op_names[CAP_OP_TABLE_MAX] = {
	[CAP_OP_INITIAL_DP] = "initialDP",
	[CAP_OP_ASSIST_REQUEST_INSTRUCTIONS] = "assistRequestInstructions",
	[CAP_OP_ESTABLISH_TEMPORARY_CONNECTION] = "establishTemporaryConnection",
	[CAP_OP_DISCONNECT_FORWARD_CONNECTION] = "disconnectForwardConnection",
	[CAP_OP_CONNECT_TO_RESOURCE] = "connectToResource",
	[CAP_OP_CONNECT] = "connect",
	[CAP_OP_RELEASE_CALL] = "releaseCall",
	[CAP_OP_REQUEST_REPORT_BCSM_EVENT] = "requestReportBCSMEvent",
	[CAP_OP_EVENT_REPORT_BCSM] = "eventReportBCSM",
	[CAP_OP_COLLECT_INFORMATION] = "collectInformation",
	[CAP_OP_CONTINUE] = "continue",
	[CAP_OP_INITIATE_CALL_ATTEMPT] = "initiateCallAttempt",
	[CAP_OP_RESET_TIMER] = "resetTimer",
	[CAP_OP_FURNISH_CHARGING_INFORMATION] = "furnishChargingInformation",
	[CAP_OP_APPLY_CHARGING] = "applyCharging",
	[CAP_OP_APPLY_CHARGING_REPORT] = "applyChargingReport",
	[CAP_OP_CALL_GAP] = "callGap",
	[CAP_OP_CALL_INFORMATION_REPORT] = "callInformationReport",
	[CAP_OP_CALL_INFORMATION_REQUEST] = "callInformationRequest",
	[CAP_OP_SEND_CHARGING_INFORMATION] = "sendChargingInformation",
	[CAP_OP_PLAY_ANNOUNCEMENT] = "playAnnouncement",
	[CAP_OP_PROMPT_AND_COLLECT] = "promptAndCollectUserInformation",
	[CAP_OP_SPECIALIZED_RESOURCE_REPORT] = "specializedResourceReport",
	[CAP_OP_CANCEL] = "cancel",
	[CAP_OP_ACTIVITY_TEST] = "activityTest",
	[CAP_OP_INITIAL_DP_SMS] = "initialDPSMS",
	[CAP_OP_FURNISH_CHARGING_INFORMATION_SMS] = "furnishChargingInformationSMS",
	[CAP_OP_CONNECT_SMS] = "connectSMS",
	[CAP_OP_REQUEST_REPORT_SMS_EVENT] = "requestReportSMSEvent",
	[CAP_OP_EVENT_REPORT_SMS] = "eventReportSMS",
	[CAP_OP_CONTINUE_SMS] = "continueSMS",
	[CAP_OP_RELEASE_SMS] = "releaseSMS",
	[CAP_OP_RESET_TIMER_SMS] = "resetTimerSMS",
	[CAP_OP_ACTIVITY_TEST_GPRS] = "activityTestGPRS",
	[CAP_OP_APPLY_CHARGING_GPRS] = "applyChargingGPRS",
	[CAP_OP_APPLY_CHARGING_REPORT_GPRS] = "applyChargingReportGPRS",
	[CAP_OP_CANCEL_GPRS] = "cancelGPRS",
	[CAP_OP_CONNECT_GPRS] = "connectGPRS",
	[CAP_OP_CONTINUE_GPRS] = "continueGPRS",
	[CAP_OP_ENTITY_RELEASED_GPRS] = "entityReleasedGPRS",
	[CAP_OP_FURNISH_CHARGING_INFORMATION_GPRS] = "furnishChargingInformationGPRS",
	[CAP_OP_INITIAL_DP_GPRS] = "initialDPGPRS",
	[CAP_OP_RELEASE_GPRS] = "releaseGPRS",
	[CAP_OP_EVENT_REPORT_GPRS] = "eventReportGPRS",
	[CAP_OP_REQUEST_REPORT_GPRS_EVENT] = "requestReportGPRSEvent",
	[CAP_OP_RESET_TIMER_GPRS] = "resetTimerGPRS",
	[CAP_OP_SEND_CHARGING_INFORMATION_GPRS] = "sendChargingInformationGPRS",
	[CAP_OP_DISCONNECT_FORWARD_CONNECTION_WITH_ARG] = "disconnectForwardConnectionWithArgument",
	[CAP_OP_CONTINUE_WITH_ARGUMENT] = "continueWithArgument",
	[CAP_OP_DISCONNECT_LEG] = "disconnectLeg",
	[CAP_OP_MOVE_LEG] = "moveLeg",
	[CAP_OP_SPLIT_LEG] = "splitLeg",
	[CAP_OP_ENTITY_RELEASED] = "entityReleased",
	[CAP_OP_PLAY_TONE] = "playTone",
};

const char *
sw_cap_op_name(int32_t opcode)
{
	return opcode >= 0 && opcode < CAP_OP_TABLE_MAX ? cap_op_names[opcode] : NULL;
}

int32_t
sw_cap_op_code(const char *name)
{
	return name_index(cap_op_names, ARRAY_SIZE(cap_op_names), name);
}

/* CAP error codes, TS 29.078 CAP-errorcodes (tshark camel.error_code_local) */
static const char *const cap_error_names[52] = {
	[0] = "canceled",
	[1] = "cancelFailed",
	[3] = "eTCFailed",
	[4] = "improperCallerResponse",
	[6] = "missingCustomerRecord",
	[7] = "missingParameter",
	[8] = "parameterOutOfRange",
	[10] = "requestedInfoError",
	[11] = "systemFailure",
	[12] = "taskRefused",
	[13] = "unavailableResource",
	[14] = "unexpectedComponentSequence",
	[15] = "unexpectedDataValue",
	[16] = "unexpectedParameter",
	[17] = "unknownLegID",
	[50] = "unknownPDPID",
	[51] = "unknownCSID",
};

const char *
sw_cap_error_name(int32_t code)
{
	return code >= 0 && (size_t)code < ARRAY_SIZE(cap_error_names) ? cap_error_names[code]
									  : NULL;
}

/* EventTypeBCSM, TS 29.078 CAP-DataTypes (tshark camel.eventTypeBCSM) */
static const char *const cap_event_names[54] = {
	[2] = "collectedInfo",
	[3] = "analyzedInformation",
	[4] = "routeSelectFailure",
	[5] = "oCalledPartyBusy",
	[6] = "oNoAnswer",
	[7] = "oAnswer",
	[8] = "oMidCall",
	[9] = "oDisconnect",
	[10] = "oAbandon",
	[12] = "termAttemptAuthorized",
	[13] = "tBusy",
	[14] = "tNoAnswer",
	[15] = "tAnswer",
	[16] = "tMidCall",
	[17] = "tDisconnect",
	[18] = "tAbandon",
	[19] = "oTermSeized",
	[27] = "callAccepted",
	[50] = "oChangeOfPosition",
	[51] = "tChangeOfPosition",
	[52] = "oServiceChange",
	[53] = "tServiceChange",
};

const char *
sw_cap_event_name(int32_t code)
{
	return code >= 0 && (size_t)code < ARRAY_SIZE(cap_event_names) ? cap_event_names[code]
									  : NULL;
}

int32_t
sw_cap_event_code(const char *name)
{
	return name_index(cap_event_names, ARRAY_SIZE(cap_event_names), name);
}

int32_t
sw_policy_op_code(const char *name)
{
	size_t n = sizeof(CAP_OP_NS_PREFIX) - 1;
	int32_t code;

	if (name == NULL)
		return -1;
	if (strncasecmp(name, CAP_OP_NS_PREFIX, n) != 0)
		return sw_map_op_code(name);
	name += n;
	if (*name >= '0' && *name <= '9') {
		char *end;
		long v = strtol(name, &end, 10);

		code = *end == '\0' && v <= 255 ? (int32_t)v : -1;
	} else {
		code = sw_cap_op_code(name);
	}
	return code < 0 ? -1 : CAP_OP_NS + code;
}
