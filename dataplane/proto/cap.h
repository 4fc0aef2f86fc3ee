/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CAMEL Application Part (CAP v1-v4) wire constants, 3GPP TS 29.078 (ETSI TS 129 078): the
 * application contexts (module CAP-object-identifiers), the local operation codes (module
 * CAP-operationcodes), the argument tags the decoder reads (modules CAP-gsmSSF-gsmSCF-ops-args,
 * CAP-SMS-ops-args, CAP-gprsSSF-gsmSCF-ops-args, CAP-DataTypes; all IMPLICIT TAGS) and the
 * subsystem number. Cross-checked with tshark's `camel` dissector (`tshark -G values`: the
 * camel.local, camel.error_code_local and camel.eventTypeBCSM tables).
 *
 * CAP shares TCAP with MAP and its operation codes collide with MAP's (CAP eventReportBCSM 24 is
 * MAP sendRoutingInfoForGprs 24): a message is CAP when its dialogue's application context is one
 * of the CAP ones below, or, without an application context (a TC-CONTINUE / TC-END in the
 * middle of a dialogue carries no dialogue portion, Q.771 3.1.2.2), when the called or calling
 * subsystem is SSN 146 (TS 23.003 8.1: "CAP"; the gsmSSF and the gsmSCF both use it for CAP).
 */
#ifndef SW_PROTO_CAP_H
#define SW_PROTO_CAP_H

#include <stdint.h>

/*
 * Application contexts, TS 29.078 CAP-object-identifiers. Encoded (X.690 8.19) every one starts
 * 04 00 00 01 (0.4.0.0.1: itu-t identified-organization etsi mobileDomain gsm-Network/umts-network)
 * and has 7 octets:
 *  - CAP v1/v2: 0.4.0.0.1.0.<ac>.<v> (gsm-Network, ac-Id: the MAP arc, ac codes 50-52; TS 29.078
 *    v2 "CAP-v2-gsmSSF-to-gsmSCF-AC" 0.4.0.0.1.0.50.1, "CAP-v2-assist-gsmSSF-to-gsmSCF-AC"
 *    0.4.0.0.1.0.51.1, "CAP-v2-gsmSRF-to-gsmSCF-AC" 0.4.0.0.1.0.52.1; CAP v1 0.4.0.0.1.0.50.0);
 *    the last arc is the version minus one.
 *  - CAP v3: 0.4.0.0.1.21.3.<ac> (umts-network cap3OE(21) ac(3): capssf-scfGenericAC 4,
 *    capssf-scfAssistHandoffAC 6, cap3-gprssf-scfAC 50, cap3-gsmscf-gprsssfAC 51, cap3-sms-AC 61)
 *    and 0.4.0.0.1.20.3.<ac> (cap3(20) ac(3): gsmSRF-gsmSCF-ac 14).
 *  - CAP v4: 0.4.0.0.1.23.3.<ac> (cap4OE(23) ac(3): capssf-scfGenericAC 4,
 *    capssf-scfAssistHandoffAC 6, capscf-ssfGenericAC 8, cap4-sms-AC 61) and 0.4.0.0.1.22.3.<ac>
 *    (cap4(22) ac(3): gsmSRF-gsmSCF-ac 14).
 */
#define CAP_AC_PREFIX		{ 0x04, 0x00, 0x00, 0x01 } /* encoded 0.4.0.0.1 */
#define CAP_AC_PREFIX_LEN	4
#define CAP_AC_LEN		7      /* every CAP application context: 7 encoded octets */
#define CAP_AC_V12_ARC		0      /* 0.4.0.0.1.0.<ac>.<v>: gsm-Network ac-Id (as MAP) */
#define CAP_AC_V12_FIRST	50     /* CAP-v1/v2-gsmSSF-to-gsmSCF-AC */
#define CAP_AC_V12_LAST		52     /* CAP-v2-gsmSRF-to-gsmSCF-AC */
#define CAP_AC_V12_VER_MAX	1      /* last arc: 0 for v1, 1 for v2 */
#define CAP_AC_V3		20     /* cap3(20): gsmSRF-gsmSCF-ac */
#define CAP_AC_V3_OE		21     /* cap3OE(21) */
#define CAP_AC_V4		22     /* cap4(22): gsmSRF-gsmSCF-ac */
#define CAP_AC_V4_OE		23     /* cap4OE(23) */
#define CAP_AC_AC_ARC		3      /* ac(3) below the module arc */

/* Subsystem number of CAP, TS 23.003 8.1 (SCCP_SSN_CAP in sccp.h) */
#define CAP_SSN			146

/* Local operation codes, TS 29.078 CAP-operationcodes (opcode-<name>) */
#define CAP_OP_INITIAL_DP		0
#define CAP_OP_ASSIST_REQUEST_INSTRUCTIONS 16
#define CAP_OP_ESTABLISH_TEMPORARY_CONNECTION 17
#define CAP_OP_DISCONNECT_FORWARD_CONNECTION 18
#define CAP_OP_CONNECT_TO_RESOURCE	19
#define CAP_OP_CONNECT			20
#define CAP_OP_RELEASE_CALL		22
#define CAP_OP_REQUEST_REPORT_BCSM_EVENT 23
#define CAP_OP_EVENT_REPORT_BCSM	24
#define CAP_OP_COLLECT_INFORMATION	27
#define CAP_OP_CONTINUE			31
#define CAP_OP_INITIATE_CALL_ATTEMPT	32
#define CAP_OP_RESET_TIMER		33
#define CAP_OP_FURNISH_CHARGING_INFORMATION 34
#define CAP_OP_APPLY_CHARGING		35
#define CAP_OP_APPLY_CHARGING_REPORT	36
#define CAP_OP_CALL_GAP			41
#define CAP_OP_CALL_INFORMATION_REPORT	44
#define CAP_OP_CALL_INFORMATION_REQUEST	45
#define CAP_OP_SEND_CHARGING_INFORMATION 46
#define CAP_OP_PLAY_ANNOUNCEMENT	47
#define CAP_OP_PROMPT_AND_COLLECT	48
#define CAP_OP_SPECIALIZED_RESOURCE_REPORT 49
#define CAP_OP_CANCEL			53
#define CAP_OP_ACTIVITY_TEST		55
#define CAP_OP_INITIAL_DP_SMS		60
#define CAP_OP_FURNISH_CHARGING_INFORMATION_SMS 61
#define CAP_OP_CONNECT_SMS		62
#define CAP_OP_REQUEST_REPORT_SMS_EVENT	63
#define CAP_OP_EVENT_REPORT_SMS		64
#define CAP_OP_CONTINUE_SMS		65
#define CAP_OP_RELEASE_SMS		66
#define CAP_OP_RESET_TIMER_SMS		67
#define CAP_OP_ACTIVITY_TEST_GPRS	70
#define CAP_OP_APPLY_CHARGING_GPRS	71
#define CAP_OP_APPLY_CHARGING_REPORT_GPRS 72
#define CAP_OP_CANCEL_GPRS		73
#define CAP_OP_CONNECT_GPRS		74
#define CAP_OP_CONTINUE_GPRS		75
#define CAP_OP_ENTITY_RELEASED_GPRS	76
#define CAP_OP_FURNISH_CHARGING_INFORMATION_GPRS 77
#define CAP_OP_INITIAL_DP_GPRS		78
#define CAP_OP_RELEASE_GPRS		79
#define CAP_OP_EVENT_REPORT_GPRS	80
#define CAP_OP_REQUEST_REPORT_GPRS_EVENT 81
#define CAP_OP_RESET_TIMER_GPRS		82
#define CAP_OP_SEND_CHARGING_INFORMATION_GPRS 83
#define CAP_OP_DISCONNECT_FORWARD_CONNECTION_WITH_ARG 86
#define CAP_OP_CONTINUE_WITH_ARGUMENT	88
#define CAP_OP_DISCONNECT_LEG		90
#define CAP_OP_MOVE_LEG			93
#define CAP_OP_SPLIT_LEG		95
#define CAP_OP_ENTITY_RELEASED		96
#define CAP_OP_PLAY_TONE		97

/*
 * Policy namespace of CAP operation codes (patterns/README.md): a rule names a CAP operation as
 * "cap:initialDP"; the compiler stores it as CAP_OP_NS + code and the evaluator compares a CAP
 * message's local operation codes as CAP_OP_NS + code, so a MAP rule (codes 0-255) never matches
 * a CAP operation with the same number and a CAP rule never matches a MAP one.
 */
#define CAP_OP_NS		256
#define CAP_OP_NS_PREFIX	"cap:"
#define CAP_OP_NS_MAX		(CAP_OP_NS + 255) /* largest value of a policy opcode set */

/* Policy opcode of a name: "cap:<CAP name>" or "cap:<0-255>" gives CAP_OP_NS + the CAP code, any
 * other name the MAP code (sw_map_op_code); -1 if unknown. */
int32_t sw_policy_op_code(const char *name);

/*
 * Argument context tags (TS 29.078, IMPLICIT TAGS; tag numbers, class context-specific).
 * InitialDPArg (CAP-gsmSSF-gsmSCF-ops-args): serviceKey [0], calledPartyNumber [2],
 * callingPartyNumber [3], eventTypeBCSM [28], iMSI [50], locationInformation [52],
 * mscAddress [55]. CalledPartyNumber / CallingPartyNumber are Q.763 3.9 / 3.10 octets
 * (CAP-DataTypes); IMSI is TBCD (TS 29.002 17.7.4); mscAddress an ISDN-AddressString.
 */
#define CAP_IDP_SERVICE_KEY	0
#define CAP_IDP_CALLED		2
#define CAP_IDP_CALLING		3
#define CAP_IDP_EVENT_TYPE	28
#define CAP_IDP_IMSI		50
#define CAP_IDP_LOCATION	52
#define CAP_IDP_MSC_ADDRESS	55
/* EventReportBCSMArg: eventTypeBCSM [0] (mandatory) */
#define CAP_ERB_EVENT_TYPE	0
/* RequestReportBCSMEventArg: bcsmEvents [0] SEQUENCE OF BCSMEvent; BCSMEvent: eventTypeBCSM [0],
 * monitorMode [1] */
#define CAP_RRB_EVENTS		0
#define CAP_BCSM_EVENT_TYPE	0
#define CAP_BCSM_MONITOR_MODE	1
/* ConnectArg: destinationRoutingAddress [0] SEQUENCE SIZE (1) OF CalledPartyNumber */
#define CAP_CON_DRA		0
/* ApplyChargingArg: aChBillingChargingCharacteristics [0] (mandatory) */
#define CAP_ACH_CHARACTERISTICS	0
/* ReleaseCallArg ::= Cause (OCTET STRING (SIZE (2..32)), Q.850) or, CAP v4,
 * allCallSegmentsWithExtension [2] SEQUENCE */
#define CAP_CAUSE_MIN		2
#define CAP_CAUSE_MAX		32
#define CAP_REL_WITH_EXT	2
/* InitialDPSMSArg (CAP-SMS-ops-args): serviceKey [0], destinationSubscriberNumber [1]
 * (CalledPartyBCDNumber: TS 24.008 10.5.4.7, type octet then BCD), callingPartyNumber [2]
 * (SMS-AddressString), iMSI [4], locationInformationMSC [5], mscAddress [12] */
#define CAP_SMS_SERVICE_KEY	0
#define CAP_SMS_DESTINATION	1
#define CAP_SMS_CALLING		2
#define CAP_SMS_EVENT_TYPE	3
#define CAP_SMS_IMSI		4
#define CAP_SMS_LOCATION	5
#define CAP_SMS_MSC_ADDRESS	12
/* InitialDPGPRSArg (CAP-gprsSSF-gsmSCF-ops-args): serviceKey [0], gPRSEventType [1],
 * mSISDN [2] (ISDN-AddressString), iMSI [3] */
#define CAP_GPRS_SERVICE_KEY	0
#define CAP_GPRS_EVENT_TYPE	1
#define CAP_GPRS_MSISDN		2
#define CAP_GPRS_IMSI		3
/* ServiceKey ::= INTEGER (0..2147483647), CAP-DataTypes (Q.1238.2) */
#define CAP_SERVICE_KEY_MAX	2147483647
/* EventTypeBCSM ::= ENUMERATED, CAP-DataTypes: collectedInfo 2 .. tServiceChange 53 */
#define CAP_EVENT_BCSM_MAX	127
/* CalledPartyNumber / CallingPartyNumber: OCTET STRING sized by cAPSpecificBoundSet (CAP-DataTypes,
 * at most 12 octets in TS 29.078); the decoder needs the 2 Q.763 header octets and accepts up
 * to 16 (28 digits, within SW_DIGITS_MAX), longer is cap_digits_long */
#define CAP_NUMBER_MIN		2
#define CAP_NUMBER_MAX		16

/*
 * LocationInformation, TS 29.002 17.7.1 (MAP-MS-DataTypes, used by CAP): vlr-number [1]
 * ISDN-AddressString, cellGlobalIdOrServiceAreaIdOrLAI [3] CHOICE (explicit: a CHOICE) of
 * cellGlobalIdOrServiceAreaIdFixedLength [0] OCTET STRING (SIZE (7)) and laiFixedLength [1]
 * OCTET STRING (SIZE (5)), TS 29.002 17.7.5.
 */
#define CAP_LOC_VLR		1
#define CAP_LOC_CELL		3
#define CAP_LOC_CGI		0
#define CAP_LOC_LAI		1
#define CAP_CGI_LEN		7
#define CAP_LAI_LEN		5

/* Name of a CAP local operation code ("initialDP"); NULL if TS 29.078 has none. */
const char *sw_cap_op_name(int32_t opcode);
/* Code of a CAP operation name, case-insensitive; -1 if unknown. */
int32_t sw_cap_op_code(const char *name);
/* Name of a CAP error code (TS 29.078 CAP-errorcodes, e.g. 11 systemFailure); NULL if unknown. */
const char *sw_cap_error_name(int32_t code);
/* Name of an EventTypeBCSM value (CAP-DataTypes, e.g. 7 oAnswer); NULL if unknown. */
const char *sw_cap_event_name(int32_t code);
/* EventTypeBCSM value of a name; -1 if unknown. */
int32_t sw_cap_event_code(const char *name);

#endif /* SW_PROTO_CAP_H */
