/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MAP decoder, 3GPP TS 29.002.
 *
 * One table drives it (the operation names are in dataplane/proto/names.c):
 *  - map_params: for the operations a policy screens, the shapes of their
 *    argument (invoke) or result (returnResult) per TS 29.002 17.6/17.7, and
 *    which elements of each shape carry an identity or address.
 *
 * A shape is the outer tag of the parameter (a SEQUENCE, a [3] SEQUENCE of a
 * later version, or a bare OCTET STRING of an older version) and a list of
 * elements picked out of it by tag and occurrence (universal OCTET STRINGs of
 * a SEQUENCE are told apart by their position among the OCTET STRINGs), by
 * child position (the untagged CHOICEs SM-RP-DA/OA), or recursively by a
 * nested shape. Elements that are not listed are walked (their BER must be
 * sound) and skipped.
 *
 * SM-RP-DA/OA keep their choice tag and digits (IMSI and addresses as TBCD
 * digits, an LMSI as 8 hex digits); their IMSI, MSISDN or service centre
 * address is also offered as msu->map.imsi / msisdn / smsc so that a rule on
 * "imsi" or "smsc" sees the short message's subscriber and SMSC.
 *
 * The fields of msu->map come from ONE component (issue 13: a decoy first component must
 * not hide the second): by default the first invoke, or in a message without an invoke
 * the first returnResult(Last) that gives a field; msu->map.from_comp says which.
 * sw_map_select_component() re-decodes them from any other component, so a policy can
 * judge every invoke with its own parameters. Every component's parameter is checked all
 * the same: a malformed parameter records SW_MAL_MAP_* in msu->mal (first one only) and
 * does not stop the TCAP walk over later components.
 *
 * MAP decoding is skipped for a message whose dialogue names an application
 * context that is not MAP (CAP, INAP share TCAP and the operation codes) and
 * for messages addressed to SSN 146 (CAP, 3GPP TS 23.003 8.1): decoding a CAP
 * argument as MAP would report valid traffic as malformed.
 *
 * USSD strings (TS 29.002 17.7.4 USSD-String, DCS per 3GPP TS 23.038 5): the
 * GSM 7-bit default alphabet and its extension table are decoded to UTF-8 and
 * UCS2 is decoded to UTF-8. For 8-bit data and reserved coding groups only
 * ussd_dcs is stored and ussd_len stays 0. Text longer than SW_USSD_MAX bytes
 * of UTF-8 is cut at a character boundary.
 */
#include <strings.h>

/*
 * GCC's SLP vectoriser packs the four 32-bit fields of every struct sw_ber_tlv
 * that sw_ber_next() fills into one SSE store through 9 shuffle instructions
 * (measured: the largest single cost of sw_tcap_decode); plain stores are fewer.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-slp-vectorize")
#endif
#include "ber.h"
#include "decode.h"
#include "plan.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------------------
 * Parameter shapes, TS 29.002 17.6 (MAP-*-DataTypes)
 */
enum map_kind {
	MK_IMSI = 1,   /* IMSI ::= TBCD-STRING (SIZE (3..8)), TS 29.002 17.7.8 */
	MK_ADDR,       /* AddressString: ext/NAI/NPI octet then TBCD, TS 29.002 17.7.8 */
	MK_SS_CODE,    /* SS-Code ::= OCTET STRING (SIZE (1)), TS 29.002 17.7.5 */
	MK_USSD_DCS,   /* USSD-DataCodingScheme ::= OCTET STRING (SIZE (1)) */
	MK_USSD_STR,   /* USSD-String ::= OCTET STRING (SIZE (1..160)) */
	MK_SS_DATA,    /* SS-UserData ::= IA5String (SIZE (1..200)), MAP v1 */
	MK_SM_RP_DA,   /* SM-RP-DA CHOICE, TS 29.002 17.7.6 */
	MK_SM_RP_OA,   /* SM-RP-OA CHOICE */
	MK_NESTED,     /* constructed element walked with a nested shape */
	MK_FLAG,       /* NULL whose presence sets a flag (gprsNodeIndicator) */
};

enum map_field {
	MF_NONE,
	MF_IMSI,
	MF_MSISDN,
	MF_VLR,
	MF_MSC,
	MF_HLR,
	MF_SGSN,
	MF_SMSC,
	MF_FWD_TO,
	MF_NODE,       /* networkNode-Number of a sendRoutingInfoForSM result */
	MF_GPRS_NODE,  /* MK_FLAG: gprsNodeIndicator */
};

struct map_shape;

struct map_elem {
	uint8_t tag;   /* identifier octet; 0: select by child position */
	uint8_t nth;   /* occurrence of tag (1-based), or child position when tag is 0 */
	uint8_t kind;  /* enum map_kind */
	uint8_t field; /* enum map_field */
	const struct map_shape *sub; /* MK_NESTED */
};

#define MAP_ELEMS_MAX 6

struct map_shape {
	uint8_t tag;   /* outer identifier octet of the parameter */
	/* primitive shape: the parameter itself is one element of this kind/field */
	struct map_elem elems[MAP_ELEMS_MAX];
};

#define T_SEQ SW_BER_SEQUENCE
#define T_OCT SW_BER_OCTET_STRING
#define T_SEQ3 0xa3   /* [3] SEQUENCE, the extensible version 3 arguments */
#define T_IA5 0x16    /* IA5String [UNIVERSAL 22] */
#define CTX(n) ((uint8_t)(0x80 | (n)))  /* [n] IMPLICIT primitive */
#define CTXC(n) ((uint8_t)(0xa0 | (n))) /* [n] constructed */

#define EL(t, n, k, f) { (t), (n), (k), (f), NULL }
#define NEST(t, n, s) { (t), (n), MK_NESTED, MF_NONE, (s) }
#define IMSI_AT(t, n) EL(t, n, MK_IMSI, MF_IMSI)
#define ADDR_AT(t, n, f) EL(t, n, MK_ADDR, f)

/* SubscriberIdentity ::= CHOICE { imsi [0] IMSI, msisdn [1] ISDN-AddressString } */
static const struct map_shape map_subscriber_identity = {
	0, { IMSI_AT(CTX(0), 1), ADDR_AT(CTX(1), 1, MF_MSISDN) } };
/* IMSI-WithLMSI ::= SEQUENCE { imsi IMSI, lmsi LMSI, ... } */
static const struct map_shape map_imsi_with_lmsi = { 0, { IMSI_AT(T_OCT, 1) } };
/* LocationInformation: vlr-number [1], msc-Number [6] (TS 29.002 17.7.1) */
static const struct map_shape map_location_information = {
	0, { ADDR_AT(CTX(1), 1, MF_VLR), ADDR_AT(CTX(6), 1, MF_MSC) } };
/* SubscriberInfo ::= SEQUENCE { locationInformation [0] LocationInformation, ... } */
static const struct map_shape map_subscriber_info = {
	0, { NEST(CTXC(0), 1, &map_location_information) } };
/* Additional-Number ::= CHOICE { msc-Number [0] ISDN-AddressString, sgsn-Number [1] ... } */
static const struct map_shape map_additional_number = {
	0, { ADDR_AT(CTX(0), 1, MF_MSC), ADDR_AT(CTX(1), 1, MF_SGSN) } };
/* LocationInfoWithLMSI ::= SEQUENCE { networkNode-Number [1] ISDN-AddressString, lmsi OPT,
 * extensionContainer OPT, ..., gprsNodeIndicator [5] NULL OPT, additional-Number [6]
 * Additional-Number OPT, ... } (TS 29.002 17.7.6); the node is the MSC unless
 * gprsNodeIndicator says SGSN (map_node_fixup) */
static const struct map_shape map_location_info_with_lmsi = {
	0, { ADDR_AT(CTX(1), 1, MF_NODE), EL(CTX(5), 1, MK_FLAG, MF_GPRS_NODE),
	     NEST(CTXC(6), 1, &map_additional_number) } };
/* LCSLocationInfo ::= SEQUENCE { networkNode-Number ISDN-AddressString, ... } */
static const struct map_shape map_lcs_location_info = { 0, { ADDR_AT(T_OCT, 1, MF_MSC) } };

struct map_param {
	int32_t op;
	bool result;   /* false: invoke argument; true: returnResult result */
	struct map_shape shape;
};

static const struct map_param map_params[] = {
	/* UpdateLocationArg ::= SEQUENCE { imsi, msc-Number [1], vlr-Number, ... } */
	{ 2, false, { T_SEQ, { IMSI_AT(T_OCT, 1), ADDR_AT(CTX(1), 1, MF_MSC),
			       ADDR_AT(T_OCT, 2, MF_VLR) } } },
	/* UpdateLocationRes ::= SEQUENCE { hlr-Number, ... } */
	{ 2, true, { T_SEQ, { ADDR_AT(T_OCT, 1, MF_HLR) } } },
	/* CancelLocationArg: v1/v2 Identity ::= CHOICE { imsi, imsi-WithLMSI }; v3 [3] SEQUENCE */
	{ 3, false, { T_OCT, { EL(0, 0, MK_IMSI, MF_IMSI) } } },
	{ 3, false, { T_SEQ, { IMSI_AT(T_OCT, 1) } } },
	{ 3, false, { T_SEQ3, { IMSI_AT(T_OCT, 1), NEST(T_SEQ, 1, &map_imsi_with_lmsi) } } },
	/* ProvideRoamingNumberArg ::= SEQUENCE { imsi [0], msc-Number [1], msisdn [2], ... } */
	{ 4, false, { T_SEQ, { IMSI_AT(CTX(0), 1), ADDR_AT(CTX(1), 1, MF_MSC),
			       ADDR_AT(CTX(2), 1, MF_MSISDN) } } },
	/* NoteSubscriberDataModifiedArg ::= SEQUENCE { imsi, msisdn, ... } */
	{ 5, false, { T_SEQ, { IMSI_AT(T_OCT, 1), ADDR_AT(T_OCT, 2, MF_MSISDN) } } },
	/* InsertSubscriberDataArg ::= SEQUENCE { imsi [0] OPT, msisdn [1] OPT, ... } */
	{ 7, false, { T_SEQ, { IMSI_AT(CTX(0), 1), ADDR_AT(CTX(1), 1, MF_MSISDN) } } },
	/* DeleteSubscriberDataArg ::= SEQUENCE { imsi [0], ... } */
	{ 8, false, { T_SEQ, { IMSI_AT(CTX(0), 1) } } },
	/* SendParametersArg ::= SEQUENCE { subscriberId CHOICE { imsi [0], tmsi [1] }, ... } */
	{ 9, false, { T_SEQ, { IMSI_AT(CTX(0), 1) } } },
	/* RegisterSS-Arg ::= SEQUENCE { ss-Code, basicService OPT, forwardedToNumber [4], ... } */
	{ 10, false, { T_SEQ, { EL(T_OCT, 1, MK_SS_CODE, MF_NONE),
				ADDR_AT(CTX(4), 1, MF_FWD_TO) } } },
	/* SS-ForBS-Code ::= SEQUENCE { ss-Code, basicService OPT, ... } */
	{ 11, false, { T_SEQ, { EL(T_OCT, 1, MK_SS_CODE, MF_NONE) } } },
	{ 12, false, { T_SEQ, { EL(T_OCT, 1, MK_SS_CODE, MF_NONE) } } },
	{ 13, false, { T_SEQ, { EL(T_OCT, 1, MK_SS_CODE, MF_NONE) } } },
	{ 14, false, { T_SEQ, { EL(T_OCT, 1, MK_SS_CODE, MF_NONE) } } },
	/* AuthenticationFailureReportArg ::= SEQUENCE { imsi, failureCause, ... } */
	{ 15, false, { T_SEQ, { IMSI_AT(T_OCT, 1) } } },
	/* registerPassword ARGUMENT SS-Code */
	{ 17, false, { T_OCT, { EL(0, 0, MK_SS_CODE, MF_NONE) } } },
	/* processUnstructuredSS-Data ARGUMENT SS-UserData (MAP v1) */
	{ 19, false, { T_IA5, { EL(0, 0, MK_SS_DATA, MF_NONE) } } },
	{ 19, true, { T_IA5, { EL(0, 0, MK_SS_DATA, MF_NONE) } } },
	/* SendRoutingInfoArg ::= SEQUENCE { msisdn [0], ..., gmsc-OrGsmSCF-Address [6], ... } */
	{ 22, false, { T_SEQ, { ADDR_AT(CTX(0), 1, MF_MSISDN), ADDR_AT(CTX(6), 1, MF_MSC) } } },
	/* SendRoutingInfoRes: v3 [3] SEQUENCE { imsi [9], ... }; v2 SEQUENCE { imsi, ... } */
	{ 22, true, { T_SEQ3, { IMSI_AT(CTX(9), 1) } } },
	{ 22, true, { T_SEQ, { IMSI_AT(T_OCT, 1) } } },
	/* UpdateGprsLocationArg ::= SEQUENCE { imsi, sgsn-Number, sgsn-Address, ... } */
	{ 23, false, { T_SEQ, { IMSI_AT(T_OCT, 1), ADDR_AT(T_OCT, 2, MF_SGSN) } } },
	/* UpdateGprsLocationRes ::= SEQUENCE { hlr-Number, ... } */
	{ 23, true, { T_SEQ, { ADDR_AT(T_OCT, 1, MF_HLR) } } },
	/* SendRoutingInfoForGprsArg ::= SEQUENCE { imsi [0], ggsn-Address [1], ggsn-Number [2] } */
	{ 24, false, { T_SEQ, { IMSI_AT(CTX(0), 1) } } },
	/* FailureReportArg ::= SEQUENCE { imsi [0], ggsn-Number [1], ... } */
	{ 25, false, { T_SEQ, { IMSI_AT(CTX(0), 1) } } },
	/* NoteMsPresentForGprsArg ::= SEQUENCE { imsi [0], sgsn-Address [1], ... } */
	{ 26, false, { T_SEQ, { IMSI_AT(CTX(0), 1) } } },
	/* ResetArg ::= SEQUENCE { [networkResource,] hlr-Number | sendingNodenumber, ... } */
	{ 37, false, { T_SEQ, { ADDR_AT(T_OCT, 1, MF_HLR) } } },
	/* checkIMEI: v1/v2 ARGUMENT IMEI; v3 CheckIMEI-Arg ::= SEQUENCE { imei, ... } */
	{ 43, false, { T_OCT, { { 0 } } } },
	{ 43, false, { T_SEQ, { { 0 } } } },
	/* MT-ForwardSM-Arg ::= SEQUENCE { sm-RP-DA, sm-RP-OA, sm-RP-UI, ... } */
	{ 44, false, { T_SEQ, { EL(0, 1, MK_SM_RP_DA, MF_NONE),
				EL(0, 2, MK_SM_RP_OA, MF_NONE) } } },
	/* RoutingInfoForSM-Arg ::= SEQUENCE { msisdn [0], sm-RP-PRI [1], serviceCentreAddress
	 * [2], ..., imsi [12] } */
	{ 45, false, { T_SEQ, { ADDR_AT(CTX(0), 1, MF_MSISDN), ADDR_AT(CTX(2), 1, MF_SMSC),
				IMSI_AT(CTX(12), 1) } } },
	/* RoutingInfoForSM-Res ::= SEQUENCE { imsi, locationInfoWithLMSI [0], ... } */
	{ 45, true, { T_SEQ, { IMSI_AT(T_OCT, 1),
			       NEST(CTXC(0), 1, &map_location_info_with_lmsi) } } },
	/* MO-ForwardSM-Arg ::= SEQUENCE { sm-RP-DA, sm-RP-OA, sm-RP-UI, extensionContainer OPT,
	 * imsi OPT, ... } */
	{ 46, false, { T_SEQ, { EL(0, 1, MK_SM_RP_DA, MF_NONE), EL(0, 2, MK_SM_RP_OA, MF_NONE),
				IMSI_AT(T_OCT, 2) } } },
	/* ReportSM-DeliveryStatusArg ::= SEQUENCE { msisdn, serviceCentreAddress, ... } */
	{ 47, false, { T_SEQ, { ADDR_AT(T_OCT, 1, MF_MSISDN), ADDR_AT(T_OCT, 2, MF_SMSC) } } },
	/* noteSubscriberPresent ARGUMENT IMSI */
	{ 48, false, { T_OCT, { EL(0, 0, MK_IMSI, MF_IMSI) } } },
	/* AlertServiceCentreArg ::= SEQUENCE { msisdn, serviceCentreAddress, ..., imsi } */
	{ 49, false, { T_SEQ, { ADDR_AT(T_OCT, 1, MF_MSISDN), ADDR_AT(T_OCT, 2, MF_SMSC),
				IMSI_AT(T_OCT, 3) } } },
	/* ActivateTraceModeArg / DeactivateTraceModeArg ::= SEQUENCE { imsi [0], ... } */
	{ 50, false, { T_SEQ, { IMSI_AT(CTX(0), 1) } } },
	{ 51, false, { T_SEQ, { IMSI_AT(CTX(0), 1) } } },
	/* BeginSubscriberActivityArg ::= SEQUENCE { imsi, originatingEntityNumber } (v1) */
	{ 54, false, { T_SEQ, { IMSI_AT(T_OCT, 1) } } },
	/* SendIdentificationArg: v2 TMSI; v3 SEQUENCE { tmsi, ..., msc-Number, previous-LAI [0],
	 * hopCounter [1], mtRoamingForwardingSupported [2], newVLR-Number [3], ... } */
	{ 55, false, { T_OCT, { { 0 } } } },
	{ 55, false, { T_SEQ, { ADDR_AT(T_OCT, 2, MF_MSC), ADDR_AT(CTX(3), 1, MF_VLR) } } },
	/* SendIdentificationRes: v2 SEQUENCE { imsi, ... }; v3 [3] SEQUENCE { imsi OPT, ... } */
	{ 55, true, { T_SEQ, { IMSI_AT(T_OCT, 1) } } },
	{ 55, true, { T_SEQ3, { IMSI_AT(T_OCT, 1) } } },
	/* sendAuthenticationInfo: v2 ARGUMENT IMSI; v3 SEQUENCE { imsi [0], ... } */
	{ 56, false, { T_OCT, { EL(0, 0, MK_IMSI, MF_IMSI) } } },
	{ 56, false, { T_SEQ, { IMSI_AT(CTX(0), 1) } } },
	/* RestoreDataArg ::= SEQUENCE { imsi, lmsi OPT, ... } */
	{ 57, false, { T_SEQ, { IMSI_AT(T_OCT, 1) } } },
	/* sendIMSI ARGUMENT ISDN-AddressString RESULT IMSI */
	{ 58, false, { T_OCT, { EL(0, 0, MK_ADDR, MF_MSISDN) } } },
	{ 58, true, { T_OCT, { EL(0, 0, MK_IMSI, MF_IMSI) } } },
	/* USSD-Arg ::= SEQUENCE { ussd-DataCodingScheme, ussd-String, alertingPattern OPT,
	 * msisdn [0] OPT, ... }; USSD-Res ::= SEQUENCE { dcs, string, ... } */
	{ 59, false, { T_SEQ, { EL(T_OCT, 1, MK_USSD_DCS, MF_NONE),
				EL(T_OCT, 2, MK_USSD_STR, MF_NONE),
				ADDR_AT(CTX(0), 1, MF_MSISDN) } } },
	{ 59, true, { T_SEQ, { EL(T_OCT, 1, MK_USSD_DCS, MF_NONE),
			       EL(T_OCT, 2, MK_USSD_STR, MF_NONE) } } },
	{ 60, false, { T_SEQ, { EL(T_OCT, 1, MK_USSD_DCS, MF_NONE),
				EL(T_OCT, 2, MK_USSD_STR, MF_NONE),
				ADDR_AT(CTX(0), 1, MF_MSISDN) } } },
	{ 60, true, { T_SEQ, { EL(T_OCT, 1, MK_USSD_DCS, MF_NONE),
			       EL(T_OCT, 2, MK_USSD_STR, MF_NONE) } } },
	{ 61, false, { T_SEQ, { EL(T_OCT, 1, MK_USSD_DCS, MF_NONE),
				EL(T_OCT, 2, MK_USSD_STR, MF_NONE),
				ADDR_AT(CTX(0), 1, MF_MSISDN) } } },
	/* AnyTimeSubscriptionInterrogationArg ::= SEQUENCE { subscriberIdentity [0], ... } */
	{ 62, false, { T_SEQ, { NEST(CTXC(0), 1, &map_subscriber_identity) } } },
	/* InformServiceCentreArg ::= SEQUENCE { storedMSISDN OPT, mw-Status OPT, ... } */
	{ 63, false, { T_SEQ, { ADDR_AT(T_OCT, 1, MF_MSISDN) } } },
	/* AlertServiceCentreArg (see 49) */
	{ 64, false, { T_SEQ, { ADDR_AT(T_OCT, 1, MF_MSISDN), ADDR_AT(T_OCT, 2, MF_SMSC),
				IMSI_AT(T_OCT, 3) } } },
	/* AnyTimeModificationArg ::= SEQUENCE { subscriberIdentity [0], gsmSCF-Address [1], ... } */
	{ 65, false, { T_SEQ, { NEST(CTXC(0), 1, &map_subscriber_identity) } } },
	/* ReadyForSM-Arg ::= SEQUENCE { imsi [0], alertReason, ... } */
	{ 66, false, { T_SEQ, { IMSI_AT(CTX(0), 1) } } },
	/* PurgeMS-Arg: v2 SEQUENCE { imsi, vlr-Number }; v3 [3] SEQUENCE { imsi, vlr-Number [0],
	 * sgsn-Number [1], ... } */
	{ 67, false, { T_SEQ, { IMSI_AT(T_OCT, 1), ADDR_AT(T_OCT, 2, MF_VLR) } } },
	{ 67, false, { T_SEQ3, { IMSI_AT(T_OCT, 1), ADDR_AT(CTX(0), 1, MF_VLR),
				 ADDR_AT(CTX(1), 1, MF_SGSN) } } },
	/* ProvideSubscriberInfoArg ::= SEQUENCE { imsi [0], lmsi [1] OPT, requestedInfo [2], ... } */
	{ 70, false, { T_SEQ, { IMSI_AT(CTX(0), 1) } } },
	/* ProvideSubscriberInfoRes ::= SEQUENCE { subscriberInfo, ... } */
	{ 70, true, { T_SEQ, { NEST(T_SEQ, 1, &map_subscriber_info) } } },
	/* AnyTimeInterrogationArg ::= SEQUENCE { subscriberIdentity [0], requestedInfo [1],
	 * gsmSCF-Address [3], ... } */
	{ 71, false, { T_SEQ, { NEST(CTXC(0), 1, &map_subscriber_identity) } } },
	/* AnyTimeInterrogationRes ::= SEQUENCE { subscriberInfo, ... } */
	{ 71, true, { T_SEQ, { NEST(T_SEQ, 1, &map_subscriber_info) } } },
	/* Ss-InvocationNotificationArg ::= SEQUENCE { imsi [0], msisdn [1], ss-Event [2], ... } */
	{ 72, false, { T_SEQ, { IMSI_AT(CTX(0), 1), ADDR_AT(CTX(1), 1, MF_MSISDN) } } },
	/* SetReportingStateArg, StatusReportArg, RemoteUserFreeArg ::= SEQUENCE { imsi [0], ... } */
	{ 73, false, { T_SEQ, { IMSI_AT(CTX(0), 1) } } },
	{ 74, false, { T_SEQ, { IMSI_AT(CTX(0), 1) } } },
	{ 75, false, { T_SEQ, { IMSI_AT(CTX(0), 1) } } },
	/* RegisterCC-EntryArg / EraseCC-EntryArg ::= SEQUENCE { ss-Code [0], ... } */
	{ 76, false, { T_SEQ, { EL(CTX(0), 1, MK_SS_CODE, MF_NONE) } } },
	{ 77, false, { T_SEQ, { EL(CTX(0), 1, MK_SS_CODE, MF_NONE) } } },
	/* ProvideSubscriberLocation-Arg ::= SEQUENCE { locationType, mlc-Number, lcs-ClientID [0],
	 * privacyOverride [1], imsi [2], msisdn [3], ... } */
	{ 83, false, { T_SEQ, { IMSI_AT(CTX(2), 1), ADDR_AT(CTX(3), 1, MF_MSISDN) } } },
	/* RoutingInfoForLCS-Arg ::= SEQUENCE { mlcNumber [0], targetMS [1] SubscriberIdentity } */
	{ 85, false, { T_SEQ, { NEST(CTXC(1), 1, &map_subscriber_identity) } } },
	/* RoutingInfoForLCS-Res ::= SEQUENCE { targetMS [0], lcsLocationInfo [1], ... } */
	{ 85, true, { T_SEQ, { NEST(CTXC(0), 1, &map_subscriber_identity),
			       NEST(CTXC(1), 1, &map_lcs_location_info) } } },
	/* SubscriberLocationReport-Arg ::= SEQUENCE { lcs-Event, lcs-ClientID, lcsLocationInfo,
	 * msisdn [0], imsi [1], ... } */
	{ 86, false, { T_SEQ, { ADDR_AT(CTX(0), 1, MF_MSISDN), IMSI_AT(CTX(1), 1) } } },
	/* NoteMM-EventArg ::= SEQUENCE { serviceKey, eventMet [0], imsi [1], msisdn [2], ... } */
	{ 89, false, { T_SEQ, { IMSI_AT(CTX(1), 1), ADDR_AT(CTX(2), 1, MF_MSISDN) } } },
};

/*
 * Index of map_params by (result, opcode), built once at load time: the entries of one
 * operation in table order as a chain of 1-based indices (0 ends it). Replaces a linear
 * scan of the whole table per component (measured: most of sw_map_decode_component's own
 * instructions). Opcodes outside 0..MAP_PARAM_OPS-1 (none in the table today) fall back
 * to the scan.
 */
#define MAP_PARAM_OPS 256
_Static_assert(ARRAY_SIZE(map_params) < UINT8_MAX, "map_params index is 8-bit");
static uint8_t map_param_first[2][MAP_PARAM_OPS];
static uint8_t map_param_chain[ARRAY_SIZE(map_params)];

static void __attribute__((constructor))
map_param_index(void)
{
	uint8_t *tail[2][MAP_PARAM_OPS];

	for (unsigned r = 0; r < 2; r++)
		for (unsigned op = 0; op < MAP_PARAM_OPS; op++)
			tail[r][op] = &map_param_first[r][op];
	for (unsigned i = 0; i < ARRAY_SIZE(map_params); i++) {
		const struct map_param *p = &map_params[i];

		if (p->op < 0 || p->op >= MAP_PARAM_OPS)
			continue;
		*tail[p->result][p->op] = (uint8_t)(i + 1);
		tail[p->result][p->op] = &map_param_chain[i];
	}
}

/* Scan from 1-based index i (exclusive) for the next entry of (op, result); 0 if none. */
static unsigned
map_param_scan(int32_t op, bool result, unsigned i)
{
	for (; i < ARRAY_SIZE(map_params); i++)
		if (map_params[i].op == op && map_params[i].result == result)
			return i + 1;
	return 0;
}

static inline unsigned
map_param_head(int32_t op, bool result)
{
	if (op < 0 || op >= MAP_PARAM_OPS)
		return map_param_scan(op, result, 0);
	return map_param_first[result][op];
}

static inline unsigned
map_param_after(int32_t op, bool result, unsigned i)
{
	if (op < 0 || op >= MAP_PARAM_OPS)
		return map_param_scan(op, result, i);
	return map_param_chain[i - 1];
}

/* ---------------------------------------------------------------------------
 * Field decoders
 */
struct map_ctx {
	const uint8_t *buf;
	SW_MAP_FIELDS *map; /* where the fields go: msu->map, or a view record (plan_want.h) */
	bool decoded;     /* any field stored */
	bool check;       /* check the parameter only: store nothing (not the selected component) */
	bool have_dcs;
	uint8_t dcs;      /* USSD DCS of the current argument */
};

static struct sw_digits *
map_field(SW_MAP_FIELDS *map, uint8_t f)
{
	switch (f) {
	case MF_IMSI:
		return &map->imsi;
	case MF_MSISDN:
		return &map->msisdn;
	case MF_VLR:
		return &map->vlr;
	case MF_MSC:
		return &map->msc;
	case MF_HLR:
		return &map->hlr;
	case MF_SGSN:
		return &map->sgsn;
	case MF_SMSC:
		return &map->smsc;
	case MF_FWD_TO:
		return &map->fwd_to;
	case MF_NODE:
		return &map->node;
	}
	return NULL;
}

/* TS 29.002 17.7.8 TBCD-STRING digits: 1010 '*', 1011 '#', 1100 'a', 1101 'b', 1110 'c'. */
#define TBCD_CH(n)                                                                            \
	((n) < 10 ? '0' + (n) : (n) == 10 ? '*' : (n) == 11 ? '#' : (n) == 12 ? 'a' :         \
	 (n) == 13 ? 'b' : (n) == 14 ? 'c' : 'f')
#define TBCD_PAIR(b) { TBCD_CH((b) & 15), TBCD_CH((b) >> 4) }
#define TBCD_ROW(h)                                                                           \
	TBCD_PAIR(h + 0), TBCD_PAIR(h + 1), TBCD_PAIR(h + 2), TBCD_PAIR(h + 3),                \
	TBCD_PAIR(h + 4), TBCD_PAIR(h + 5), TBCD_PAIR(h + 6), TBCD_PAIR(h + 7),                \
	TBCD_PAIR(h + 8), TBCD_PAIR(h + 9), TBCD_PAIR(h + 10), TBCD_PAIR(h + 11),              \
	TBCD_PAIR(h + 12), TBCD_PAIR(h + 13), TBCD_PAIR(h + 14), TBCD_PAIR(h + 15)
/* Two characters per octet, low nibble first. */
static const char map_tbcd_pairs[256][2] = {
	TBCD_ROW(0x00), TBCD_ROW(0x10), TBCD_ROW(0x20), TBCD_ROW(0x30), TBCD_ROW(0x40),
	TBCD_ROW(0x50), TBCD_ROW(0x60), TBCD_ROW(0x70), TBCD_ROW(0x80), TBCD_ROW(0x90),
	TBCD_ROW(0xa0), TBCD_ROW(0xb0), TBCD_ROW(0xc0), TBCD_ROW(0xd0), TBCD_ROW(0xe0),
	TBCD_ROW(0xf0),
};

/* Filler (0xf) nibbles of an octet: TBCD_FILL_LO | TBCD_FILL_HI. */
#define TBCD_FILL_LO 1
#define TBCD_FILL_HI 2
#define TBCD_FILL(b) ((((b) & 15) == 15 ? TBCD_FILL_LO : 0) | ((b) >> 4 == 15 ? TBCD_FILL_HI : 0))
#define TBCD_FROW(h)                                                                          \
	TBCD_FILL(h + 0), TBCD_FILL(h + 1), TBCD_FILL(h + 2), TBCD_FILL(h + 3),                \
	TBCD_FILL(h + 4), TBCD_FILL(h + 5), TBCD_FILL(h + 6), TBCD_FILL(h + 7),                \
	TBCD_FILL(h + 8), TBCD_FILL(h + 9), TBCD_FILL(h + 10), TBCD_FILL(h + 11),              \
	TBCD_FILL(h + 12), TBCD_FILL(h + 13), TBCD_FILL(h + 14), TBCD_FILL(h + 15)
static const uint8_t map_tbcd_fill[256] = {
	TBCD_FROW(0x00), TBCD_FROW(0x10), TBCD_FROW(0x20), TBCD_FROW(0x30), TBCD_FROW(0x40),
	TBCD_FROW(0x50), TBCD_FROW(0x60), TBCD_FROW(0x70), TBCD_FROW(0x80), TBCD_FROW(0x90),
	TBCD_FROW(0xa0), TBCD_FROW(0xb0), TBCD_FROW(0xc0), TBCD_FROW(0xd0), TBCD_FROW(0xe0),
	TBCD_FROW(0xf0),
};

/*
 * TBCD-STRING (TS 29.002 17.7.8): digits low nibble first; 0xf is a filler
 * allowed only as the high nibble of the last octet. A filler anywhere else
 * would let the firewall and the HLR see different digit strings.
 *
 * Store the digits into dst unless it already holds a value; a string is
 * checked all the same. A checked octet gives two digits but the last, which
 * gives one before a filler, so each octet is checked and copied as a digit
 * pair in one pass (what sw_bcd_decode(p, n, false, true) gives for such a
 * string, without its per-octet filler branches). On a misplaced filler the
 * digits written are zeroed again: a field is all zero until it is set.
 */
static enum sw_mal
map_store_tbcd(struct map_ctx *x, const uint8_t *p, uint32_t n, struct sw_digits *dst)
{
	char scratch[SW_DIGITS_MAX + 1];
	bool store = dst != NULL && dst->len == 0;
	char *d = store ? dst->d : scratch;
	uint32_t i, nd;
	uint8_t bad = 0;

	if (n == 0)
		return SW_MAL_NONE;
	if (n * 2 > SW_DIGITS_MAX + 1) {
		/* too long, unless a filler is misplaced first: check only */
		for (i = 0; i + 1 < n; i++)
			if ((p[i] & 0x0f) == 0x0f || p[i] >= 0xf0)
				return SW_MAL_MAP_PARAM;
		return (p[n - 1] & 0x0f) == 0x0f ? SW_MAL_MAP_PARAM : SW_MAL_MAP_DIGITS_LONG;
	}
	/* no branch per octet: filler flags are or-ed up and checked once */
	for (i = 0; i + 1 < n; i++) {
		bad |= map_tbcd_fill[p[i]];
		memcpy(d + 2 * i, map_tbcd_pairs[p[i]], 2);
	}
	bad |= map_tbcd_fill[p[i]] & TBCD_FILL_LO;
	memcpy(d + 2 * i, map_tbcd_pairs[p[i]], 2);
	if (bad != 0) {
		if (store)
			memset(dst->d, 0, 2 * n);
		return SW_MAL_MAP_PARAM;
	}
	nd = 2 * n - (p[i] >= 0xf0);
	d[nd] = '\0'; /* over the filler's 'f', if any */
	if (store) {
		dst->len = (uint8_t)nd;
		x->decoded = true;
	}
	return SW_MAL_NONE;
}

/* IMSI ::= TBCD-STRING (SIZE (3..8)) */
static enum sw_mal
map_imsi(struct map_ctx *x, const struct sw_ber_tlv *t, struct sw_digits *dst)
{
	uint32_t n = sw_ber_len(t);

	if (t->constructed || n < 3)
		return SW_MAL_MAP_PARAM;
	if (n > 8)
		return SW_MAL_MAP_DIGITS_LONG;
	return map_store_tbcd(x, x->buf + t->val_off, n, dst);
}

/* AddressString ::= OCTET STRING (SIZE (1..20)): ext/NAI/NPI octet, then TBCD digits. */
static enum sw_mal
map_addr(struct map_ctx *x, const struct sw_ber_tlv *t, struct sw_digits *dst)
{
	uint32_t n = sw_ber_len(t);

	if (t->constructed || n < 1)
		return SW_MAL_MAP_PARAM;
	if (n > 20)
		return SW_MAL_MAP_DIGITS_LONG;
	return map_store_tbcd(x, x->buf + t->val_off + 1, n - 1, dst);
}

/* LMSI ::= OCTET STRING (SIZE (4)): kept as 8 hex digits. */
static enum sw_mal
map_lmsi(struct map_ctx *x, const struct sw_ber_tlv *t, struct sw_digits *dst)
{
	static const char hex[] = "0123456789abcdef";
	uint32_t n = sw_ber_len(t);

	if (t->constructed || n != 4)
		return SW_MAL_MAP_PARAM;
	if (x->check || dst->len != 0)
		return SW_MAL_NONE;
	for (uint32_t i = 0; i < n; i++) {
		dst->d[2 * i] = hex[x->buf[t->val_off + i] >> 4];
		dst->d[2 * i + 1] = hex[x->buf[t->val_off + i] & 0x0f];
	}
	dst->d[2 * n] = '\0';
	dst->len = (uint8_t)(2 * n);
	x->decoded = true;
	return SW_MAL_NONE;
}

/*
 * Offer digits decoded for an SM-RP-DA/OA also as the plain field (first value wins):
 * the same bytes as decoding the element a second time into the field.
 */
static void
map_also(struct map_ctx *x, const struct sw_digits *d, struct sw_digits *field)
{
	if (!x->check && field->len == 0 && d->len > 0) {
		*field = *d;
		x->decoded = true;
	}
}

static enum sw_mal
map_sm_rp(struct map_ctx *x, const struct sw_ber_tlv *t, bool da)
{
	SW_MAP_FIELDS *map = x->map;
	struct sw_digits *dst = da ? &map->sm_rp_da : &map->sm_rp_oa;
	uint8_t *kind = da ? &map->sm_rp_da_kind : &map->sm_rp_oa_kind;
	bool first = dst->len == 0 && *kind == 0;
	struct sw_digits d;
	enum sw_mal m;

	if (t->cls != SW_BER_CLASS_CONTEXT || t->constructed)
		return SW_MAL_MAP_PARAM;
	memset(&d, 0, sizeof(d));
	switch (t->tag) {
	case MAP_SM_RP_IMSI:
		if (!da)
			return SW_MAL_MAP_PARAM;
		m = map_imsi(x, t, &d);
		if (m == SW_MAL_NONE)
			map_also(x, &d, &map->imsi);
		break;
	case MAP_SM_RP_LMSI:
		if (!da)
			return SW_MAL_MAP_PARAM;
		m = map_lmsi(x, t, &d);
		break;
	case MAP_SM_RP_MSISDN:
		if (da)
			return SW_MAL_MAP_PARAM;
		m = map_addr(x, t, &d);
		if (m == SW_MAL_NONE)
			map_also(x, &d, &map->msisdn);
		break;
	case MAP_SM_RP_SC:
		m = map_addr(x, t, &d);
		if (m == SW_MAL_NONE)
			map_also(x, &d, &map->smsc);
		break;
	case MAP_SM_RP_NONE:
		m = sw_ber_len(t) == 0 ? SW_MAL_NONE : SW_MAL_MAP_PARAM;
		break;
	default:
		return SW_MAL_MAP_PARAM;
	}
	if (m != SW_MAL_NONE)
		return m;
	/* The kind 0 (imsi) cannot be told from "absent" by the kind alone: the first
	 * SM-RP-DA wins when neither digits nor a kind were stored yet. */
	if (first && !x->check) {
		*kind = (uint8_t)t->tag;
		*dst = d;
		x->decoded = true;
	}
	return SW_MAL_NONE;
}

/* ---------------------------------------------------------------------------
 * USSD, 3GPP TS 23.038
 */

/* GSM 7-bit default alphabet, TS 23.038 6.2.1, as UTF-8 */
static const char *const gsm7_basic[128] = {
	"@", "\u00a3", "$", "\u00a5", "\u00e8", "\u00e9", "\u00f9", "\u00ec",
	"\u00f2", "\u00c7", "\n", "\u00d8", "\u00f8", "\r", "\u00c5", "\u00e5",
	"\u0394", "_", "\u03a6", "\u0393", "\u039b", "\u03a9", "\u03a0", "\u03a8",
	"\u03a3", "\u0398", "\u039e", " " /* 0x1b escape, see gsm7_ext */, "\u00c6", "\u00e6",
	"\u00df", "\u00c9",
	" ", "!", "\"", "#", "\u00a4", "%", "&", "'", "(", ")", "*", "+", ",", "-", ".", "/",
	"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ":", ";", "<", "=", ">", "?",
	"\u00a1", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O",
	"P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z", "\u00c4", "\u00d6", "\u00d1",
	"\u00dc", "\u00a7",
	"\u00bf", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
	"p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "\u00e4", "\u00f6", "\u00f1",
	"\u00fc", "\u00e0",
};

#define GSM7_ESC 0x1b /* TS 23.038 6.2.1.1: escape to the extension table */

/* GSM 7-bit default alphabet extension table, TS 23.038 6.2.1.1 */
static const struct {
	uint8_t code;
	const char *utf8;
} gsm7_ext[] = {
	{ 0x0a, "\f" },
	{ 0x14, "^" },
	{ 0x28, "{" },
	{ 0x29, "}" },
	{ 0x2f, "\\" },
	{ 0x3c, "[" },
	{ 0x3d, "~" },
	{ 0x3e, "]" },
	{ 0x40, "|" },
	{ 0x65, "\u20ac" },
};

/* Append s to the USSD buffer if it fits whole; returns false when full. */
static bool
ussd_put(SW_MAP_FIELDS *map, const char *s, size_t n)
{
	if (map->ussd_len + n > SW_USSD_MAX)
		return false;
	memcpy(map->ussd + map->ussd_len, s, n);
	map->ussd_len = (uint16_t)(map->ussd_len + n);
	map->ussd[map->ussd_len] = '\0';
	return true;
}

static uint8_t
gsm7_septet(const uint8_t *p, uint32_t n, uint32_t i)
{
	uint32_t bit = i * 7, byte = bit / 8, shift = bit % 8;
	unsigned v = p[byte] >> shift;

	if (shift > 1 && byte + 1 < n)
		v |= (unsigned)p[byte + 1] << (8 - shift);
	return (uint8_t)(v & 0x7f);
}

static void
ussd_gsm7(SW_MAP_FIELDS *map, const uint8_t *p, uint32_t n)
{
	uint32_t count = n * 8 / 7;

	/* TS 23.038 6.1.2.3.1: 7 spare bits at the end are filled with CR, not '@' */
	if (count > 0 && count % 8 == 0 && gsm7_septet(p, n, count - 1) == '\r')
		count--;
	for (uint32_t i = 0; i < count; i++) {
		uint8_t c = gsm7_septet(p, n, i);
		const char *s = gsm7_basic[c];

		if (c == GSM7_ESC && i + 1 < count) {
			uint8_t e = gsm7_septet(p, n, ++i);

			/* unknown extension codes show the default table character */
			s = gsm7_basic[e];
			for (size_t k = 0; k < ARRAY_SIZE(gsm7_ext); k++) {
				if (gsm7_ext[k].code == e) {
					s = gsm7_ext[k].utf8;
					break;
				}
			}
		}
		/* table entries are 1 to 3 UTF-8 bytes */
		if (!ussd_put(map, s, s[1] == '\0' ? 1 : s[2] == '\0' ? 2 : 3))
			return;
	}
}

/* UCS2 (UTF-16BE with surrogates) to UTF-8; odd length is malformed. */
static enum sw_mal
ussd_ucs2(SW_MAP_FIELDS *map, const uint8_t *p, uint32_t n)
{
	if (n % 2 != 0)
		return SW_MAL_MAP_USSD;
	for (uint32_t i = 0; i < n; i += 2) {
		uint32_t u = ((uint32_t)p[i] << 8) | p[i + 1];
		char s[4];
		size_t k;

		if (u >= 0xd800 && u <= 0xdbff && i + 3 < n) {
			uint32_t lo = ((uint32_t)p[i + 2] << 8) | p[i + 3];

			if (lo >= 0xdc00 && lo <= 0xdfff) {
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
				i += 2;
			}
		}
		if (u >= 0xd800 && u <= 0xdfff)
			u = 0xfffd; /* lone surrogate */
		if (u < 0x80) {
			s[0] = (char)u;
			k = 1;
		} else if (u < 0x800) {
			s[0] = (char)(0xc0 | (u >> 6));
			s[1] = (char)(0x80 | (u & 0x3f));
			k = 2;
		} else if (u < 0x10000) {
			s[0] = (char)(0xe0 | (u >> 12));
			s[1] = (char)(0x80 | ((u >> 6) & 0x3f));
			s[2] = (char)(0x80 | (u & 0x3f));
			k = 3;
		} else {
			s[0] = (char)(0xf0 | (u >> 18));
			s[1] = (char)(0x80 | ((u >> 12) & 0x3f));
			s[2] = (char)(0x80 | ((u >> 6) & 0x3f));
			s[3] = (char)(0x80 | (u & 0x3f));
			k = 4;
		}
		if (!ussd_put(map, s, k))
			break;
	}
	return SW_MAL_NONE;
}

enum ussd_alphabet { USSD_GSM7, USSD_8BIT, USSD_UCS2, USSD_UCS2_LANG };

/* CBS Data Coding Scheme, TS 23.038 5 */
static enum ussd_alphabet
ussd_alphabet(uint8_t dcs)
{
	switch (dcs >> 4) {
	case 0x0: /* language using the GSM 7 bit default alphabet */
	case 0x2:
	case 0x3:
		return USSD_GSM7;
	case 0x1: /* 0x10 GSM 7 bit preceded by language, 0x11 UCS2 preceded by language */
		if (dcs == 0x10)
			return USSD_GSM7;
		return dcs == 0x11 ? USSD_UCS2_LANG : USSD_8BIT;
	case 0x4: /* general data coding: bits 3..2 the alphabet */
	case 0x5:
	case 0x6:
	case 0x7:
		switch ((dcs >> 2) & 3) {
		case 0:
			return USSD_GSM7;
		case 2:
			return USSD_UCS2;
		default:
			return USSD_8BIT;
		}
	case 0xf: /* data coding / message class: bit 2 the alphabet */
		return (dcs & 0x04) ? USSD_8BIT : USSD_GSM7;
	default:
		return USSD_8BIT;
	}
}

static enum sw_mal
map_ussd_string(struct map_ctx *x, const struct sw_ber_tlv *t)
{
	SW_MAP_FIELDS *map = x->map;
	const uint8_t *p = x->buf + t->val_off;
	uint32_t n = sw_ber_len(t);
	enum sw_mal m = SW_MAL_NONE;

	/* USSD-String ::= OCTET STRING (SIZE (1..maxUSSD-StringLength)), 160 */
	if (t->constructed || n < 1 || n > MAP_USSD_MAX || !x->have_dcs)
		return SW_MAL_MAP_USSD;
	/* What decoding finds malformed, checking finds too: a UCS2 string of an odd length
	 * (TS 23.038 5: UCS2 is 16 bits a character), also behind a decoy component that holds
	 * the message's fields (issue 13: a component only checked is checked all the same). */
	if ((ussd_alphabet(x->dcs) == USSD_UCS2 && n % 2 != 0) ||
	    (ussd_alphabet(x->dcs) == USSD_UCS2_LANG && (n < 2 || (n - 2) % 2 != 0)))
		return SW_MAL_MAP_USSD;
	if (x->check || map->ussd_len != 0)
		return SW_MAL_NONE;
	map->ussd_dcs = x->dcs;
	switch (ussd_alphabet(x->dcs)) {
	case USSD_GSM7:
		ussd_gsm7(map, p, n);
		break;
	case USSD_UCS2:
		m = ussd_ucs2(map, p, n);
		break;
	case USSD_UCS2_LANG:
		/* TS 23.038 5: two GSM 7-bit characters of language, then UCS2 */
		m = n < 2 ? SW_MAL_MAP_USSD : ussd_ucs2(map, p + 2, n - 2);
		break;
	case USSD_8BIT:
		break;
	}
	x->decoded = true;
	return m;
}

/* SS-UserData ::= IA5String: printable ASCII copied as is. */
static enum sw_mal
map_ss_data(struct map_ctx *x, const struct sw_ber_tlv *t)
{
	SW_MAP_FIELDS *map = x->map;
	uint32_t n = sw_ber_len(t);

	if (t->constructed || n < 1 || n > 200)
		return SW_MAL_MAP_USSD;
	for (uint32_t i = 0; i < n; i++)
		if (x->buf[t->val_off + i] > 0x7f)
			return SW_MAL_MAP_USSD;
	if (x->check || map->ussd_len != 0)
		return SW_MAL_NONE;
	ussd_put(map, (const char *)x->buf + t->val_off, n < SW_USSD_MAX ? n : SW_USSD_MAX);
	x->decoded = true;
	return SW_MAL_NONE;
}

static enum sw_mal map_shape_walk(struct map_ctx *x, const struct map_shape *s,
				  const struct sw_ber_tlv *outer, unsigned depth);

static enum sw_mal
map_elem(struct map_ctx *x, const struct map_elem *e, const struct sw_ber_tlv *t,
	 unsigned depth)
{
	SW_MAP_FIELDS *map = x->map;

	switch (e->kind) {
	case MK_IMSI:
		return map_imsi(x, t, x->check ? NULL : map_field(map, e->field));
	case MK_ADDR:
		return map_addr(x, t, x->check ? NULL : map_field(map, e->field));
	case MK_SS_CODE:
		if (t->constructed || sw_ber_len(t) != 1)
			return SW_MAL_MAP_PARAM;
		if (!x->check && !map->has_ss_code) {
			map->has_ss_code = true;
			map->ss_code = x->buf[t->val_off];
			x->decoded = true;
		}
		return SW_MAL_NONE;
	case MK_USSD_DCS:
		if (t->constructed || sw_ber_len(t) != 1)
			return SW_MAL_MAP_USSD;
		x->dcs = x->buf[t->val_off];
		x->have_dcs = true;
		return SW_MAL_NONE;
	case MK_USSD_STR:
		return map_ussd_string(x, t);
	case MK_SS_DATA:
		return map_ss_data(x, t);
	case MK_SM_RP_DA:
		return map_sm_rp(x, t, true);
	case MK_SM_RP_OA:
		return map_sm_rp(x, t, false);
	case MK_NESTED:
		if (!t->constructed)
			return SW_MAL_MAP_PARAM;
		return map_shape_walk(x, e->sub, t, depth + 1);
	case MK_FLAG:
		/* NULL: primitive, empty (X.690 8.8) */
		if (t->constructed || sw_ber_len(t) != 0)
			return SW_MAL_MAP_PARAM;
		if (!x->check && e->field == MF_GPRS_NODE) {
			map->gprs_node = true;
			x->decoded = true;
		}
		return SW_MAL_NONE;
	}
	return SW_MAL_NONE;
}

/*
 * Walk the children of a constructed parameter (or apply a primitive shape to
 * the parameter itself) and decode the listed elements.
 */
static enum sw_mal
map_shape_walk(struct map_ctx *x, const struct map_shape *s, const struct sw_ber_tlv *outer,
	       unsigned depth)
{
	uint8_t seen[MAP_ELEMS_MAX]; /* occurrences of elems[i].tag so far */
	unsigned pos = 0, nel = 0;
	bool positional = false;     /* an element picked by position (untagged CHOICE) */
	uint64_t ctx_seen = 0;       /* context-specific tag numbers below 64 met so far */
	struct sw_cur c;

	if (depth > SW_BER_DEPTH_MAX)
		return SW_MAL_MAP_PARAM;
	if (!outer->constructed) {
		if (s->elems[0].kind == 0)
			return SW_MAL_NONE;
		return map_elem(x, &s->elems[0], outer, depth);
	}

	while (nel < MAP_ELEMS_MAX && s->elems[nel].kind != 0) {
		seen[nel] = 0;
		positional |= s->elems[nel].tag == 0;
		nel++;
	}
	sw_ber_contents(x->buf, outer, &c);
	while (sw_cur_left(&c) > 0) {
		struct sw_ber_tlv t;

		if (sw_ber_next(&c, &t) != SW_MAL_NONE)
			return SW_MAL_MAP_PARAM;
		pos++;
		/*
		 * The components of a TS 29.002 argument SEQUENCE carry distinct context tags: a
		 * context tag met twice is a duplicated parameter that the firewall and the peer
		 * could each read differently (issue 13). The untagged SM-RP-DA/OA CHOICEs may
		 * legitimately share a tag ([4] in both), so shapes picking by position only refuse
		 * repeats of the elements they list.
		 */
		if (!positional && t.cls == SW_BER_CLASS_CONTEXT && t.tag < 64) {
			if (ctx_seen >> t.tag & 1)
				return SW_MAL_MAP_PARAM_REPEATED;
			ctx_seen |= 1ull << t.tag;
		}
		for (unsigned i = 0; i < nel; i++) {
			const struct map_elem *e = &s->elems[i];
			enum sw_mal m;

			if (e->tag == 0) {
				if (e->nth != pos)
					continue;
			} else {
				if (!sw_ber_is(&t, e->tag))
					continue;
				if (seen[i] < UINT8_MAX)
					seen[i]++;
				/* a repeated context-tagged element is ambiguous */
				if ((e->tag & 0xc0) == 0x80 && seen[i] > 1)
					return SW_MAL_MAP_PARAM_REPEATED;
				if (e->nth != seen[i])
					continue;
			}
			m = map_elem(x, e, &t, depth);
			if (m != SW_MAL_NONE)
				return m;
		}
	}
	return SW_MAL_NONE;
}

/* MAP application contexts are 0.4.0.0.1.0.<ac>.<version> (TS 29.002 17.3.2); CAP uses
 * ac codes from 50 upwards under the same arc and 0.4.0.0.1.20-23 (TS 29.078): a CAP message
 * (SW_HAS_CAP, set by sw_cap_recognise: CAP context, or no context and SSN 146) is not MAP. */
static const uint8_t map_ac_prefix[MAP_AC_PREFIX_LEN] = MAP_AC_PREFIX;

static bool
map_applies(const struct sw_msu *msu)
{
	if (msu->has & SW_HAS_CAP)
		return false;
	if (msu->has & SW_HAS_ACN) {
		if (msu->tcap.acn_len <= MAP_AC_PREFIX_LEN ||
		    memcmp(msu->tcap.acn, map_ac_prefix, MAP_AC_PREFIX_LEN) != 0 ||
		    msu->tcap.acn[MAP_AC_PREFIX_LEN] > MAP_AC_CODE_MAX)
			return false;
	}
	return true;
}

/* Arguments walked (sw_decode_arg_walks): MAP parameters here, CAP arguments in cap.c. */
_Thread_local uint64_t sw_decode_arg_walk_count;

uint64_t
sw_decode_arg_walks(void)
{
	return sw_decode_arg_walk_count;
}

/*
 * Decode the MAP parameter of comp into map (store) or only check it (store false). msu gives
 * the message (which application). *decoded: some field was stored.
 */
static inline enum sw_mal
map_walk(const uint8_t *buf, const struct sw_msu *msu, const struct sw_tcap_comp *comp,
	 SW_MAP_FIELDS *map, bool store, bool *decoded)
{
	struct sw_ber_tlv param;
	struct sw_cur c;
	struct map_ctx x;
	bool result, matched_op = false;
	enum sw_mal m = SW_MAL_NONE;

	*decoded = false;
	if (!comp->has_opcode || comp->opcode_global || comp->param_len == 0)
		return SW_MAL_NONE;
	if (comp->type == SW_COMP_INVOKE)
		result = false;
	else if (comp->type == SW_COMP_RESULT_LAST || comp->type == SW_COMP_RESULT)
		result = true;
	else
		return SW_MAL_NONE;
	if (!map_applies(msu))
		return SW_MAL_NONE;
	sw_decode_arg_walk_count++;

	/* the parameter TLV was delimited by tcap; read it again to get its header */
	sw_cur_init(&c, buf, comp->param_off, comp->param_off + comp->param_len);
	if (sw_ber_next(&c, &param) != SW_MAL_NONE)
		m = SW_MAL_MAP_PARAM;

	memset(&x, 0, sizeof(x));
	x.buf = buf;
	x.map = map;
	x.check = !store;
	for (unsigned i = map_param_head(comp->opcode, result); m == SW_MAL_NONE && i != 0;
	     i = map_param_after(comp->opcode, result, i)) {
		const struct map_param *p = &map_params[i - 1];

		matched_op = true;
		if (!sw_ber_is(&param, p->shape.tag))
			continue;
		m = map_shape_walk(&x, &p->shape, &param, 0);
		matched_op = false; /* the shape was found */
		break;
	}
	/* an operation we decode, with a parameter of none of its shapes */
	if (m == SW_MAL_NONE && matched_op)
		m = SW_MAL_MAP_PARAM;
	/* LocationInfoWithLMSI (TS 29.002 17.7.6): networkNode-Number is the serving MSC, or the
	 * SGSN when gprsNodeIndicator is present; additional-Number gave the other node */
	if (store && map->node.len > 0) {
		struct sw_digits *to = map->gprs_node ? &map->sgsn : &map->msc;

		if (to->len == 0)
			*to = map->node;
	}
	*decoded = store && x.decoded;
	return m;
}

/* Decode (store) or only check (store false) the MAP parameter of component comp_idx. */
static enum sw_mal
map_component(const uint8_t *buf, struct sw_msu *msu, unsigned comp_idx, bool store,
	      bool *decoded)
{
	enum sw_mal m = map_walk(buf, msu, &msu->tcap.comp[comp_idx], &msu->map, store, decoded);

	if (*decoded)
		msu->has |= SW_HAS_MAP;
	return m;
}

static void
map_clear(struct sw_msu *msu)
{
	memset(&msu->map, 0, sizeof(msu->map));
	msu->has &= ~SW_HAS_MAP;
}

/* The ring of msu's plan for per-component views, NULL if none (marks msu: plan_want.h). */
static inline struct sw_view_ring *
map_view_ring(struct sw_msu *msu)
{
	return sw_view_ring_of(msu, msu->plan != NULL ? &msu->plan->want : NULL);
}

/* Component comp_idx, not selected, decoded into its view record of r (noinline: off the path
 * of the selected components, which a message of one component only has). */
static __attribute__((noinline)) enum sw_mal
map_view_decode(const uint8_t *buf, struct sw_msu *msu, unsigned comp_idx,
		struct sw_view_ring *r)
{
	struct sw_view_rec *rec = sw_view_slot(r);
	bool decoded;
	enum sw_mal m;

	memset(&rec->u.map, 0, sizeof(rec->u.map));
	m = map_walk(buf, msu, &msu->tcap.comp[comp_idx], &rec->u.map, true, &decoded);
	if (decoded) {
		rec->u.map.from_comp = 1;
		sw_view_keep(r, rec, msu, comp_idx);
	}
	return m;
}

/*
 * Called by the TCAP walk for every component in order. Every component's parameter is
 * checked (its malformation is recorded); the fields of msu->map come from one component,
 * the selected one: the first invoke, or, in a message without an invoke, the first
 * returnResult(Last) whose parameter gave a field. A result stored before a later first
 * invoke is replaced by the invoke's fields.
 *
 * With a plan asking for per-component views (SW_WANT_VIEWS), the parameter of a component
 * that is not selected is decoded (not only checked: the same checks, the same malformation)
 * into a record of the plan's ring, which sw_map_view_component gives the policy: each
 * argument is walked once (issue 20 D2). A record is kept only when the component gave a
 * field; the others' views are empty.
 */
enum sw_mal
sw_map_decode_component(const uint8_t *buf, struct sw_msu *msu, unsigned comp_idx)
{
	const struct sw_tcap_comp *comp;
	struct sw_view_ring *r;
	bool store = false, decoded, invoke_selected;
	enum sw_mal m;

	if (buf == NULL || msu == NULL || comp_idx >= msu->tcap.ncomp)
		return SW_MAL_NONE;
	/* a CAP message's components are CAP operations (TS 29.078), not MAP ones (the TCAP walk
	 * has recognised it already; a direct caller gets the same answer) */
	if (sw_cap_recognise(msu))
		return sw_cap_decode_component(buf, msu, comp_idx);
	comp = &msu->tcap.comp[comp_idx];
	invoke_selected = msu->map.from_comp != 0 &&
			  msu->tcap.comp[msu->map.from_comp - 1].type == SW_COMP_INVOKE;
	if (comp->type == SW_COMP_INVOKE && !invoke_selected) {
		if (msu->map.from_comp != 0) {
			/* the result selected so far: its fields are what it gives alone (it was
			 * stored into a clear msu->map) */
			if ((r = map_view_ring(msu)) != NULL) {
				struct sw_view_rec *was = sw_view_slot(r);

				memcpy(&was->u.map, &msu->map, sizeof(was->u.map));
				was->u.map.from_comp = 1;
				sw_view_keep(r, was, msu, msu->map.from_comp - 1u);
			}
			map_clear(msu);
		}
		store = true;
	} else if ((comp->type == SW_COMP_RESULT_LAST || comp->type == SW_COMP_RESULT) &&
		   msu->map.from_comp == 0) {
		store = true;
	} else if ((r = map_view_ring(msu)) != NULL &&
		   (comp->type == SW_COMP_INVOKE || comp->type == SW_COMP_RESULT_LAST ||
		    comp->type == SW_COMP_RESULT)) {
		/* not selected: decoded into its view (what decoding it alone stores) */
		m = map_view_decode(buf, msu, comp_idx, r);
		goto mal;
	}
	m = map_component(buf, msu, comp_idx, store, &decoded);
	/* the first invoke is the source even when it gives no field */
	if (store && (decoded || comp->type == SW_COMP_INVOKE))
		msu->map.from_comp = (uint8_t)(comp_idx + 1);
mal:
	if (m != SW_MAL_NONE && msu->mal == SW_MAL_NONE)
		msu->mal = m;
	return m;
}

bool
sw_map_view_component(const struct sw_msu *msu, unsigned comp_idx, struct sw_msu *view)
{
	const struct sw_view_ring *r;
	const struct sw_view_rec *rec = NULL;
	const struct sw_tcap_comp *comp;
	bool cap;

	if (!msu->view_on || msu->plan == NULL || (r = msu->plan->want.ring) == NULL ||
	    comp_idx >= msu->tcap.ncomp)
		return false;
	if (msu->view_full >> comp_idx & 1) {
		rec = sw_view_rec_of(r, msu, comp_idx);
		if (rec == NULL)
			return false; /* overwritten since: decode again */
	}
	comp = &msu->tcap.comp[comp_idx];
	cap = (msu->has & SW_HAS_CAP) != 0;
	view->has = msu->has & ~SW_HAS_MAP;
	if (cap) {
		memset(&view->map, 0, sizeof(view->map));
		if (comp_idx + 1u == msu->cap.from_comp) {
			memcpy(&view->cap, &msu->cap, sizeof(view->cap));
			view->cap.from_comp = 1;
		} else if (rec != NULL) {
			memcpy(&view->cap, &rec->u.cap, sizeof(view->cap));
		} else {
			memset(&view->cap, 0, sizeof(view->cap));
			view->cap.version = msu->cap.version;
		}
		return true;
	}
	if (comp_idx + 1u == msu->map.from_comp) {
		memcpy(&view->map, &msu->map, sizeof(view->map));
		view->map.from_comp = 1;
		view->has = msu->has;
	} else if (rec != NULL) {
		memcpy(&view->map, &rec->u.map, sizeof(view->map));
		view->has |= SW_HAS_MAP;
	} else {
		/* gave no field: a clear view; an invoke is its own source (as decoding it alone) */
		memset(&view->map, 0, sizeof(view->map));
		view->map.from_comp = comp->type == SW_COMP_INVOKE ? 1 : 0;
	}
	return true;
}

enum sw_mal
sw_map_select_component(const uint8_t *buf, struct sw_msu *msu, unsigned comp_idx)
{
	bool decoded;

	if (buf == NULL || msu == NULL || comp_idx >= msu->tcap.ncomp)
		return SW_MAL_NONE;
	if (sw_cap_recognise(msu)) {
		/* a CAP message: msu->cap from that component (an invoke; any other leaves it
		 * empty), msu->map stays empty and msu->mal as the message decode set it */
		enum sw_mal mal = msu->mal, m;
		uint8_t version = msu->cap.version;

		memset(&msu->cap, 0, sizeof(msu->cap));
		msu->cap.version = version;
		m = sw_cap_decode_component(buf, msu, comp_idx);
		msu->mal = mal;
		return m;
	}
	map_clear(msu);
	msu->map.from_comp = (uint8_t)(comp_idx + 1);
	return map_component(buf, msu, comp_idx, true, &decoded);
}

/* ---------------------------------------------------------------------------
 * MAP dialogue, TS 29.002 17.4 (MAP-DialogueInformation, IMPLICIT TAGS)
 */

/* AddressString of MAP-OpenInfo: NAI/NPI octet then TBCD digits (TS 29.002 17.7.8). */
static enum sw_mal
map_dlg_ref(const uint8_t *buf, const struct sw_ber_tlv *t, struct sw_msu *msu,
	    struct sw_digits *d, uint8_t *npi, uint8_t *nai)
{
	struct map_ctx x;

	memset(&x, 0, sizeof(x));
	x.buf = buf;
	x.map = &msu->map;
	if (map_addr(&x, t, d) != SW_MAL_NONE)
		return SW_MAL_TCAP_DIALOGUE;
	*npi = buf[t->val_off] & MAP_ADDR_NPI_MASK;
	*nai = (buf[t->val_off] >> 4) & 0x07;
	return SW_MAL_NONE;
}

/* ENUMERATED 0..255 (Reason, MAP-ProviderAbortReason, ResourceUnavailableReason ...). */
static enum sw_mal
map_dlg_enum(const uint8_t *buf, const struct sw_ber_tlv *t, uint8_t *v)
{
	int32_t x;

	if (t->constructed || sw_ber_int(buf, t, &x) != SW_MAL_NONE || x < 0 || x > 255)
		return SW_MAL_TCAP_DIALOGUE;
	*v = (uint8_t)x;
	return SW_MAL_NONE;
}

enum sw_mal
sw_map_decode_dialogue(const uint8_t *buf, uint32_t off, uint32_t end, struct sw_msu *msu)
{
	struct sw_ber_tlv pdu, t;
	struct sw_cur c;
	unsigned pos = 0, refs = 0; /* refs: bit 0 destinationReference, bit 1 originationReference */

	if (buf == NULL || msu == NULL || end < off)
		return SW_MAL_TCAP_DIALOGUE;
	sw_cur_init(&c, buf, off, end);
	if (sw_ber_next(&c, &pdu) != SW_MAL_NONE || sw_cur_left(&c) != 0 ||
	    pdu.cls != SW_BER_CLASS_CONTEXT || !pdu.constructed || pdu.id < MAP_DLG_OPEN ||
	    pdu.id > MAP_DLG_PROVIDER_ABORT)
		return SW_MAL_TCAP_DIALOGUE;
	memset(&msu->mapdlg, 0, sizeof(msu->mapdlg));
	msu->mapdlg.pdu = (uint8_t)(SW_MAPDLG_OPEN + (pdu.id - MAP_DLG_OPEN));
	msu->has |= SW_HAS_MAPDLG;

	/* every element is walked (sound BER); the first one carries the reason of refuse and
	 * the aborts, map-open's references are tagged [0] / [1] */
	sw_ber_contents(buf, &pdu, &c);
	while (sw_cur_left(&c) > 0) {
		enum sw_mal m = SW_MAL_NONE;

		if (sw_ber_next(&c, &t) != SW_MAL_NONE)
			return SW_MAL_TCAP_DIALOGUE;
		pos++;
		switch (pdu.id) {
		case MAP_DLG_OPEN:
			if (sw_ber_is(&t, MAP_DLG_DEST_REF) || sw_ber_is(&t, MAP_DLG_ORIG_REF)) {
				unsigned bit = 1u << (t.id - MAP_DLG_DEST_REF);

				if (refs & bit)
					return SW_MAL_TCAP_DIALOGUE; /* repeated: read two ways */
				refs |= bit;
			}
			if (sw_ber_is(&t, MAP_DLG_DEST_REF))
				m = map_dlg_ref(buf, &t, msu, &msu->mapdlg.dest_ref,
						&msu->mapdlg.dest_ref_npi, &msu->mapdlg.dest_ref_nai);
			else if (sw_ber_is(&t, MAP_DLG_ORIG_REF))
				m = map_dlg_ref(buf, &t, msu, &msu->mapdlg.orig_ref,
						&msu->mapdlg.orig_ref_npi, &msu->mapdlg.orig_ref_nai);
			break;
		case MAP_DLG_REFUSE:
		case MAP_DLG_PROVIDER_ABORT:
			/* reason Reason / map-ProviderAbortReason: ENUMERATED, the first element */
			if (pos != 1)
				break;
			if (!sw_ber_is(&t, SW_BER_ENUMERATED))
				return SW_MAL_TCAP_DIALOGUE;
			m = map_dlg_enum(buf, &t, &msu->mapdlg.reason);
			msu->mapdlg.has_reason = m == SW_MAL_NONE;
			break;
		case MAP_DLG_USER_ABORT:
			/* map-UserAbortChoice: [0] / [1] NULL, [2] / [3] ENUMERATED */
			if (pos != 1)
				break;
			if (t.cls != SW_BER_CLASS_CONTEXT || t.constructed || t.id < MAP_UABORT_FIRST ||
			    t.id > MAP_UABORT_LAST)
				return SW_MAL_TCAP_DIALOGUE;
			msu->mapdlg.reason = (uint8_t)(t.id - MAP_UABORT_FIRST);
			if (t.id - MAP_UABORT_FIRST < 2)
				m = sw_ber_len(&t) == 0 ? SW_MAL_NONE : SW_MAL_TCAP_DIALOGUE;
			else
				m = map_dlg_enum(buf, &t, &msu->mapdlg.reason_value);
			msu->mapdlg.has_reason = m == SW_MAL_NONE;
			break;
		default:
			break;
		}
		if (m != SW_MAL_NONE)
			return m;
	}
	/* the reason of map-refuse, map-userAbort and map-providerAbort is mandatory */
	if ((pdu.id == MAP_DLG_REFUSE || pdu.id == MAP_DLG_USER_ABORT ||
	     pdu.id == MAP_DLG_PROVIDER_ABORT) && !msu->mapdlg.has_reason)
		return SW_MAL_TCAP_DIALOGUE;
	return SW_MAL_NONE;
}
