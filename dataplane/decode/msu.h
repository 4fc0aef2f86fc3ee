/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The result of decoding one packet (struct sw_pkt) and one MSU, i.e. one M3UA
 * message carried in one SCTP DATA chunk (struct sw_msu).
 *
 * Both are fixed-size and hold integers, short digit strings and absolute
 * offsets/lengths into the packet buffer: decoding never allocates and never
 * copies payloads (USSD text is the one exception: it is unpacked from GSM
 * 7-bit into a bounded UTF-8 buffer because policies match on the text).
 */
#ifndef SW_DECODE_MSU_H
#define SW_DECODE_MSU_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/decode/plan_key.h" /* struct sw_msu_key */
#include "dataplane/proto/map.h"  /* MAP_NPI_E212 */
#include "dataplane/proto/tcap.h" /* enum sw_tcap_type, enum sw_comp_type */

enum sw_layer {
	SW_LAYER_NONE,
	SW_LAYER_LINK,
	SW_LAYER_IP,
	SW_LAYER_SCTP,
	SW_LAYER_M3UA,
	SW_LAYER_SCCP,
	SW_LAYER_TCAP,
	SW_LAYER_MAP,
	SW_LAYER_ISUP,
	SW_LAYER_M2PA, /* appended: the released layers keep their numbers */
	SW_LAYER_CAP,  /* CAMEL Application Part, 3GPP TS 29.078 (issue 17) */
	SW_LAYER_COUNT
};

enum sw_mal {
#define X(name, layer, desc) SW_MAL_##name,
#include "malformed.def"
#undef X
	SW_MAL_COUNT
};

/* Name ("SW_MAL_SCCP_PTR_OOB" without the prefix, lowercase) and layer of a reason. */
const char *sw_mal_name(enum sw_mal m);
const char *sw_mal_desc(enum sw_mal m);
enum sw_layer sw_mal_layer(enum sw_mal m);
const char *sw_layer_name(enum sw_layer l);

/* Link types of captures (pcap LINKTYPE_* values) and of the dataplane (Ethernet). */
enum sw_link {
	SW_LINK_ETH = 1,    /* LINKTYPE_ETHERNET */
	SW_LINK_RAW = 101,  /* LINKTYPE_RAW: IPv4 or IPv6, by version nibble */
	SW_LINK_SLL = 113,  /* LINKTYPE_LINUX_SLL */
	SW_LINK_IPV4 = 228, /* LINKTYPE_IPV4 */
	SW_LINK_IPV6 = 229, /* LINKTYPE_IPV6 */
	SW_LINK_SLL2 = 276, /* LINKTYPE_LINUX_SLL2 */
};

#define SW_DIGITS_MAX 32 /* E.164 is 15 digits, IMSI 15; GTs get headroom */
#define SW_CHUNKS_MAX 32 /* chunks tracked per SCTP packet */
#define SW_COMP_MAX 16   /* TCAP components tracked per message */
#define SW_ACN_MAX 16    /* encoded OID bytes of an application context name */
#define SW_USSD_MAX 256  /* UTF-8 bytes of a decoded USSD string (182 septets max) */

/* A digit string: '0'-'9' and, where the encoding allows, 'a'-'e' or '*', '#'. */
struct sw_digits {
	uint8_t len;                   /* 0: absent */
	char d[SW_DIGITS_MAX + 1];     /* NUL-terminated */
};

/* SCTP chunk as seen in the packet (RFC 4960 3.2). */
struct sw_chunk {
	uint8_t type;
	uint8_t flags;
	uint16_t len;  /* chunk length field (without padding) */
	uint32_t off;  /* absolute offset of the chunk header */
};

struct sw_pkt {
	uint32_t len;          /* captured length of the frame */
	uint8_t vlan_count;
	uint16_t vlan[2];      /* VLAN ids, outer first */
	uint8_t ip_ver;        /* 4 or 6; 0 if no IP */
	uint8_t ip_proto;      /* upper-layer protocol after IPv6 extension headers */
	bool ip_frag;          /* IPv4 MF/offset or IPv6 fragment header */
	uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes */
	uint32_t l3_off, l4_off, l4_end;
	/* SCTP common header, RFC 4960 3.1 */
	bool sctp;
	uint16_t sport, dport;
	uint32_t vtag;
	uint32_t crc;
	uint8_t nchunks;
	uint8_t ndata;         /* DATA and I-DATA chunks among them */
	struct sw_chunk chunks[SW_CHUNKS_MAX];
	/* first malformation at link/IP/SCTP level; SW_MAL_NONE if none */
	enum sw_mal mal;
};

/* SCCP party address, Q.713 3.4. */
struct sw_sccp_addr {
	bool present;
	uint8_t ri;      /* routing indicator: 0 route on GT, 1 route on SSN (Q.713 3.4.1) */
	uint8_t gti;     /* global title indicator 0-4 */
	bool has_pc, has_ssn;
	uint32_t pc;     /* 14-bit ITU point code, or 24-bit ANSI (T1.112.3 3.4.2.1, fmt) */
	uint8_t ssn;
	uint8_t tt;      /* translation type (GTI 2, 3, 4) */
	uint8_t np;      /* numbering plan (GTI 3, 4) */
	uint8_t es;      /* encoding scheme (GTI 3, 4): 1 BCD odd, 2 BCD even */
	uint8_t nai;     /* nature of address indicator (GTI 1, 4) */
	struct sw_digits digits;
	/* the format this address was read in (enum sw_variant): ANSI when the variant is ANSI
	 * and the national indicator (bit 8) is set, T1.112.3 3.4.1; with the bit clear an ANSI
	 * network carries an international address in the Q.713 format. ANSI GTI 1 is TT + NP/ES
	 * (tt, np, es set), GTI 2 is TT only. */
	uint8_t fmt;
};

struct sw_tcap_comp {
	uint8_t type;          /* enum sw_comp_type */
	bool has_invoke_id;
	bool has_opcode;
	bool opcode_global;    /* globalValue (OID) instead of localValue */
	bool has_linked_id;    /* invoke only: linkedID [0] present, Q.773 4.2.2.1 */
	int32_t invoke_id;     /* -128..127; a returnResult/returnError/reject carries the id of
				* the invoke it answers in the same dialogue (Q.773 4.2.2) */
	int32_t linked_id;     /* invoke only: the invoke this one is linked to (Q.773 4.2.2.1) */
	/* localValue. For a returnResult the operation it answers (Q.773 4.2.2.2: result
	 * SEQUENCE { opcode, parameter }, absent when the result carries no parameter). For a
	 * returnError the error code (TS 29.002 17.6.6 MAP-Errors, e.g. 1 unknownSubscriber,
	 * 34 systemFailure; sw_map_error_name()) */
	int32_t opcode;
	uint32_t param_off;    /* parameter (after the opcode), absolute; 0 if none */
	uint32_t param_len;
	/* reject only: problem CHOICE tag (0 general, 1 invoke, 2 returnResult, 3 returnError)
	 * and its value, Q.773 4.2.2.4 */
	uint8_t problem_tag;
	int32_t problem;
};

struct sw_isup_number {
	bool present;
	uint8_t nai;          /* nature of address indicator */
	uint8_t npi;          /* numbering plan indicator */
	uint8_t presentation; /* address presentation restricted indicator (calling) */
	uint8_t screening;    /* screening indicator (calling) */
	struct sw_digits digits;
};

/*
 * CAP, 3GPP TS 29.078 (issue 17): valid with SW_HAS_CAP, which the TCAP decoder sets when the
 * application context is a CAP one or, without one, the called or calling SSN is 146
 * (dataplane/proto/cap.h). Then the components' local operation codes are CAP codes
 * (sw_cap_op_name) and msu->map stays empty. The fields below come from ONE component, as
 * for MAP: the first invoke (cap.from_comp = 1 + its index; 0: none).
 */
struct sw_cap {
	uint8_t version;       /* 1-4 from the application context; 0: recognised by SSN */
	uint8_t from_comp;
	bool has_service_key;  /* serviceKey [0] of initialDP / initialDPSMS / initialDPGPRS */
	bool has_event;        /* eventTypeBCSM of initialDP [28], eventReportBCSM [0], the
				* first BCSMEvent of requestReportBCSMEvent */
	uint8_t event;
	uint32_t service_key;
	/* callingPartyNumber / calledPartyNumber (Q.763 3.10 / 3.9 octets; for connect the
	 * destinationRoutingAddress; for initialDPSMS the SMS-AddressString calling number
	 * and the destinationSubscriberNumber; for initialDPGPRS the mSISDN as calling) */
	struct sw_isup_number calling, called;
	struct sw_digits imsi; /* iMSI */
	struct sw_digits vlr;  /* locationInformation vlr-number (TS 29.002 17.7.1) */
	struct sw_digits msc;  /* mscAddress */
	/* locationInformation cellGlobalIdOrServiceAreaIdOrLAI (TS 29.002 17.7.5): the
	 * 7-octet cell global id / service area id or the 5-octet LAI, as sent */
	uint8_t cell_len;      /* 0: absent, 7 or 5 */
	uint8_t cell[7];
};

/* Presence bits of struct sw_msu */
#define SW_HAS_M3UA (1u << 0)
#define SW_HAS_PROTO_DATA (1u << 1)
#define SW_HAS_RCTX (1u << 2)
#define SW_HAS_NA (1u << 3)
#define SW_HAS_CORR_ID (1u << 4)
#define SW_HAS_SCCP (1u << 5)
#define SW_HAS_SEGMENT (1u << 6)
#define SW_HAS_TCAP (1u << 7)
#define SW_HAS_ACN (1u << 8)
#define SW_HAS_MAP (1u << 9)
#define SW_HAS_ISUP (1u << 10)
#define SW_HAS_SCMG (1u << 11)
#define SW_HAS_DLR (1u << 12)
#define SW_HAS_SLR (1u << 13)
#define SW_HAS_MAPDLG (1u << 14) /* msu->mapdlg: a MAP dialogue PDU was decoded */
/* msu->m2pa: an M2PA message (RFC 4165, PPID 5). Its User Data fills the MTP3 fields that M3UA
 * DATA fills (msu->m3ua.opc/dpc/si/ni/mp/sls/ud_*, with SW_HAS_PROTO_DATA), never SW_HAS_M3UA */
#define SW_HAS_M2PA (1u << 15)
/* Either adaptation layer: the label fields in msu->m3ua are as the message gave them */
#define SW_HAS_MTP3 (SW_HAS_M3UA | SW_HAS_M2PA)
#define SW_HAS_CAP (1u << 16)    /* the TCAP user is CAP (TS 29.078): msu->cap, opcodes are CAP's */

/* Dialogue PDU of the TCAP dialogue portion, Q.773 Annex A (struct sw_msu tcap.dlg_pdu) */
enum sw_dlg_pdu {
	SW_DLG_NONE,
	SW_DLG_AARQ,   /* dialogueRequest (also the AUDT of a unidirectional message) */
	SW_DLG_AARE,   /* dialogueResponse */
	SW_DLG_ABRT,   /* dialogueAbort */
};

/* Which reason a TC-ABORT carries, Q.773 4.1 Abort reason CHOICE (tcap.abort_kind) */
enum sw_tcap_abort_reason {
	SW_TCAP_ABORT_NONE, /* not an Abort, or an Abort without a reason */
	SW_TCAP_ABORT_P,    /* p-abortCause: tcap.abort_cause (Q.773 4.1 P-AbortCause) */
	SW_TCAP_ABORT_U,    /* u-abortCause: the dialogue portion (tcap.dlg_* and msu->mapdlg) */
};

/* MAP-DialoguePDU CHOICE, TS 29.002 17.4 (msu->mapdlg.pdu): 1 + its context tag */
enum sw_map_dlg_pdu {
	SW_MAPDLG_NONE,
	SW_MAPDLG_OPEN,           /* map-open [0] MAP-OpenInfo */
	SW_MAPDLG_ACCEPT,         /* map-accept [1] */
	SW_MAPDLG_CLOSE,          /* map-close [2] */
	SW_MAPDLG_REFUSE,         /* map-refuse [3] MAP-RefuseInfo */
	SW_MAPDLG_USER_ABORT,     /* map-userAbort [4] MAP-UserAbortInfo */
	SW_MAPDLG_PROVIDER_ABORT, /* map-providerAbort [5] MAP-ProviderAbortInfo */
};

struct sw_decode_plan;

struct sw_msu {
	uint32_t has;             /* SW_HAS_* */
	/* the SCTP DATA / I-DATA chunk carrying it (RFC 4960 3.3.1, RFC 8260 2.1) */
	uint8_t chunk_idx;        /* index into sw_pkt.chunks */
	uint8_t chunk_type;       /* 0 DATA, 64 I-DATA */
	uint8_t chunk_flags;
	uint32_t tsn;
	uint16_t sid;
	uint16_t ssn;             /* DATA only */
	uint32_t mid;             /* I-DATA message identifier */
	uint32_t ppid;
	uint32_t data_off, data_len; /* user data of the chunk */

	/* M3UA, RFC 4666 3.1 and 3.3.1 */
	struct {
		uint8_t cls, type;
		uint32_t opc, dpc;
		uint8_t si, ni, mp, sls;
		uint32_t rctx, na, corr_id;
		uint32_t ud_off, ud_len; /* MTP3 user data inside Protocol Data */
	} m3ua;

	/* SCCP, Q.713 */
	struct {
		uint8_t type;          /* message type code (Q.713 4.x) */
		uint8_t pclass;        /* protocol class 0-3 (low nibble) */
		uint8_t ret_opt;       /* message handling (high nibble) */
		uint8_t cause;         /* return cause of UDTS/XUDTS/LUDTS; refusal, release, reset
					* or error cause of CREF, RLSD, RSR, ERR */
		/* connection-oriented messages, Q.713 4.2-4.17: local references (24 bits, least
		 * significant octet first, Q.713 3.2/3.3), valid with SW_HAS_DLR / SW_HAS_SLR */
		uint32_t dlr, slr;
		uint8_t hop_counter;
		struct sw_sccp_addr cdpa, cgpa;
		/* segmentation parameter, Q.713 3.17 */
		bool seg_first;
		uint8_t seg_remaining;
		uint32_t seg_ref;      /* 24-bit local reference */
		uint32_t data_off, data_len;
		/* SCCP management, Q.713 5.3 (data of a message to SSN 1): valid with
		 * SW_HAS_SCMG; such a message carries no TCAP */
		struct {
			uint8_t type;  /* format identifier, Q.713 5.1: SCMG_SSA .. SCMG_SSC */
			uint8_t assn;  /* affected subsystem number, Q.713 5.3.2.1 */
			uint32_t apc;  /* affected signalling point code (14 bits), Q.713 5.3.2.2;
					* 24 bits in ANSI, T1.112.3 5.3 */
			uint8_t smi;   /* subsystem multiplicity indicator, Q.713 5.3.2.3 */
			uint8_t cong;  /* SSC only: SCCP congestion level, Q.713 5.3.2.4 */
		} scmg;
	} sccp;

	/* TCAP, Q.773 */
	struct {
		uint8_t type;          /* enum sw_tcap_type */
		uint8_t otid_len, dtid_len;
		uint8_t otid[4], dtid[4];
		uint8_t acn_len;       /* encoded OID bytes */
		uint8_t acn[SW_ACN_MAX];
		uint8_t ncomp;
		/* Abort (Q.773 4.1): abort_kind says which reason CHOICE was sent; abort_cause is
		 * the P-AbortCause (0 unrecognizedMessageType, 1 unrecognizedTransactionID,
		 * 2 badlyFormattedTransactionPortion, 3 incorrectTransactionPortion,
		 * 4 resourceLimitation) when abort_kind is SW_TCAP_ABORT_P */
		uint8_t abort_kind;    /* enum sw_tcap_abort_reason */
		uint8_t abort_cause;
		/* dialogue PDU of the dialogue portion, Q.773 Annex A */
		uint8_t dlg_pdu;       /* enum sw_dlg_pdu; SW_DLG_NONE without a dialogue portion */
		/* AARE only: result [2] (0 accepted, 1 reject-permanent) and result-source-diagnostic
		 * [3] CHOICE (dlg_diag_source 1 dialogue-service-user, 2 dialogue-service-provider)
		 * with its value dlg_diag (user: 0 null, 1 no-reason-given, 2 application-context-
		 * name-not-supported; provider: 0 null, 1 no-reason-given, 2 no-common-dialogue-
		 * portion) */
		uint8_t dlg_result;
		uint8_t dlg_diag_source;
		uint8_t dlg_diag;
		/* ABRT only: abort-source [0] (0 dialogue-service-user, 1 dialogue-service-provider):
		 * with abort_kind SW_TCAP_ABORT_U the U-ABORT's source */
		uint8_t dlg_abort_source;
		struct sw_tcap_comp comp[SW_COMP_MAX];
	} tcap;

	/*
	 * MAP dialogue, TS 29.002 17.4 (MAP-DialogueInformation): the MAP-DialoguePDU in the
	 * user-information of the TCAP dialogue PDU (EXTERNAL with direct-reference map-DialogueAS
	 * 0.4.0.0.1.1.1.1, TS 29.002 17.3.2 / 17.4). Valid with SW_HAS_MAPDLG. It belongs to the
	 * message, not to a component: sw_map_select_component() leaves it as it is.
	 */
	struct {
		uint8_t pdu;           /* enum sw_map_dlg_pdu */
		/* map-open: destinationReference [0] / originationReference [1] AddressString
		 * (TS 29.002 7.3.1 MAP-OPEN, 17.4 MAP-OpenInfo): the subscriber (an IMSI when the
		 * numbering plan is E.212, as in network-initiated USSD and MT short message
		 * dialogues) and the originating entity (e.g. the MSC/VLR number). *_npi and
		 * *_nai are the numbering plan and nature of address of the AddressString's first
		 * octet (TS 29.002 17.7.8: MAP_NPI_E164 1, MAP_NPI_E212 6); the digits are TBCD */
		uint8_t dest_ref_npi, dest_ref_nai;
		uint8_t orig_ref_npi, orig_ref_nai;
		struct sw_digits dest_ref, orig_ref;
		/* map-refuse: Reason (0 noReasonGiven, 1 invalidDestinationReference,
		 * 2 invalidOriginatingReference); map-providerAbort: MAP-ProviderAbortReason
		 * (0 abnormalDialogue, 1 invalidPDU); map-userAbort: the MAP-UserAbortChoice tag
		 * (0 userSpecificReason, 1 userResourceLimitation, 2 resourceUnavailable,
		 * 3 applicationProcedureCancellation) with, for 2 and 3, reason_value its
		 * ResourceUnavailableReason / ProcedureCancellationReason. has_reason: present */
		bool has_reason;
		uint8_t reason;
		uint8_t reason_value;
	} mapdlg;

	/* MAP, 3GPP TS 29.002: the fields of ONE component, msu->map.from_comp (see
	 * sw_map_select_component): by default the first invoke, else the first returnResult */
	struct {
		uint8_t from_comp;     /* 1 + index into tcap.comp of the source; 0: none */
		struct sw_digits imsi, msisdn, vlr, msc, hlr, sgsn, smsc, sm_rp_da, sm_rp_oa;
		uint8_t sm_rp_da_kind, sm_rp_oa_kind; /* SM-RP-DA/OA choice tag: 0 imsi, 1 lmsi,
							 2 msisdn, 4 service centre, 5 none */
		bool has_ss_code;
		uint8_t ss_code;
		uint8_t ussd_dcs;
		uint16_t ussd_len;     /* bytes of UTF-8 in ussd; 0: absent */
		char ussd[SW_USSD_MAX + 1];
		/* forwardedToNumber of registerSS (call forwarding target), TS 29.002 7.6.4 */
		struct sw_digits fwd_to;
		/* sendRoutingInfoForSM result (TS 29.002 12.1, 17.7.6 LocationInfoWithLMSI):
		 * networkNode-Number [1] as sent in node; it is the serving MSC (copied to msc)
		 * unless gprsNodeIndicator [5] says it is the SGSN (copied to sgsn, gprs_node set).
		 * additional-Number [6] (msc-Number [0] / sgsn-Number [1]) fills the other one */
		struct sw_digits node;
		bool gprs_node;
	} map;

	/* ISUP, Q.763 */
	struct {
		uint8_t type;
		uint16_t cic;
		struct sw_isup_number cgpn, cdpn;
	} isup;

	/* first malformation; layer from sw_mal_layer() */
	enum sw_mal mal;

	/*
	 * M2PA, RFC 4165 (valid with SW_HAS_M2PA). A User Data message with a Data field also
	 * sets SW_HAS_PROTO_DATA and the MTP3 routing label in msu->m3ua (opc, dpc, si, ni, sls;
	 * mp the SIO's priority bits; ud_off/ud_len the SIF after the label), exactly where M3UA
	 * DATA puts them, so that every rule reads one place whatever the adaptation layer.
	 */
	struct {
		uint8_t type;          /* M2PA_TYPE_USER_DATA, M2PA_TYPE_LINK_STATUS (2.1.1) */
		uint8_t pri;           /* User Data: PRI (2.3.1) */
		bool has_data;         /* User Data with a Data field (takes an FSN, 2.3.1) */
		uint32_t bsn, fsn;     /* 24 bits each, RFC 4165 2.2 */
		uint32_t state;        /* Link Status: State (2.3.2) */
		uint32_t off, len;     /* the M2PA message in the packet: offset, Message Length */
	} m2pa;
	/* Network variant (issue 17 D6): set by sw_decode_msu_variant before M3UA is decoded */
	struct {
		uint8_t variant;       /* enum sw_variant: how point codes and SCCP addresses read */
		uint8_t tcap_pkg;      /* ANSI TCAP package type (T1.114.3, ANSI_TCAP_*), 0: none;
					* recognised, not decoded: SW_MAL_TCAP_ANSI */
	} ansi;
	struct sw_cap cap; /* CAP, TS 29.078 (issue 17): valid with SW_HAS_CAP */
	/* What the policy asks of the decoder (decode/plan.h, issue 20 D2/D3): set by
	 * sw_decode_msu_plan after it clears the struct, NULL from every other entry point. */
	const struct sw_decode_plan *plan;
	/* Per-component views (issue 20 D2, decode/plan_want.h; decode's fields): view_on, the
	 * decoder kept the views of the components it did not select; bit i of view_full:
	 * component i's own fields are in record view_seq + (view_off >> 4 i & 15) of the plan's
	 * ring */
	uint64_t view_seq, view_off;
	uint16_t view_full;
	uint8_t view_on;
	/* Issue 20 D2 (plan_want.h SW_WANT_DECIDE): arg_deferred, the TCAP walk left the argument
	 * of the one component unwalked for the verdict to settle (sw_tcap_complete walks it);
	 * arg_skipped, the verdict was decided without it: msu->map and msu->cap are empty, not
	 * absent */
	uint8_t arg_deferred, arg_skipped;
	/* What the policy scanned of this message's fields while it decided (issue 20 D2; the
	 * policy's, dataplane/policy/eval.c): its record in the policy context, 0: none */
	uint64_t pscan_seq;
	/* The cache key the layers write as they decode (issue 20 D3, decode/plan_key.h): valid
	 * when key.stamp is msu->plan's key stamp ^ (uintptr_t)msu */
	struct sw_msu_key key;
};

/*
 * The subscriber a message is about (issue 15): the IMSI of the MAP argument or result of the
 * selected component (msu->map.imsi: an argument's imsi, an SM-RP-DA imsi, a
 * sendRoutingInfoForSM result's imsi ...), else the MAP-OPEN destinationReference when its
 * numbering plan is E.212 (TS 29.002 7.3.1: then it is the IMSI). NULL when neither is there.
 */
static inline const struct sw_digits *
sw_msu_subscriber(const struct sw_msu *msu)
{
	if ((msu->has & SW_HAS_MAP) && msu->map.imsi.len > 0)
		return &msu->map.imsi;
	if ((msu->has & SW_HAS_CAP) && msu->cap.imsi.len > 0)
		return &msu->cap.imsi; /* CAP iMSI (issue 17) */
	if ((msu->has & SW_HAS_MAPDLG) && msu->mapdlg.dest_ref.len > 0 &&
	    msu->mapdlg.dest_ref_npi == MAP_NPI_E212)
		return &msu->mapdlg.dest_ref;
	return NULL;
}

#endif /* SW_DECODE_MSU_H */
