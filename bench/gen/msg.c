/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sigwall-gen message encoders: BER (X.690), TCAP (Q.773), MAP (3GPP TS 29.002), CAP (3GPP
 * TS 29.078), SCCP (Q.713), ISUP IAM (Q.763) and M3UA DATA (RFC 4666). Everything is written backward into a struct
 * sw_gen_bb.
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "dataplane/proto/ansi.h"
#include "dataplane/proto/cap.h"
#include "dataplane/proto/m2pa.h"
#include "dataplane/proto/m3ua.h"
#include "dataplane/proto/map.h"
#include "dataplane/proto/sccp.h"

void
sw_gen_bb_init(struct sw_gen_bb *b, uint8_t *buf, size_t cap)
{
	/* Keep 8 bytes of tail room for the M3UA padding appended after the user part. */
	b->start = buf;
	b->end = buf + cap - 8;
	b->p = b->end;
	b->mode = SW_GEN_BLEN_MIN;
}

static inline void
bb_need(struct sw_gen_bb *b, size_t n)
{
	if ((size_t)(b->p - b->start) < n)
		abort(); /* a generator bug, never input driven: messages are bounded */
}

static inline void
bb_put(struct sw_gen_bb *b, const void *src, size_t n)
{
	bb_need(b, n);
	b->p -= n;
	memcpy(b->p, src, n);
}

static inline void
bb_u8(struct sw_gen_bb *b, uint8_t v)
{
	bb_need(b, 1);
	*--b->p = v;
}

/* X.690 8.1.3: definite length in the builder's mode (indefinite applies to constructed only). */
static inline void
bb_len(struct sw_gen_bb *b, size_t n)
{
	if (b->mode == SW_GEN_BLEN_MIN && n < 128) {
		bb_u8(b, (uint8_t)n);
	} else if (n < 256) {
		bb_u8(b, (uint8_t)n);
		bb_u8(b, 0x81);
	} else {
		bb_u8(b, (uint8_t)n);
		bb_u8(b, (uint8_t)(n >> 8));
		bb_u8(b, 0x82);
	}
}

/* Start a constructed encoding: returns the mark its content ends at. */
static inline uint8_t *
bb_open(struct sw_gen_bb *b)
{
	if (b->mode == SW_GEN_BLEN_INDEF) {
		bb_u8(b, 0x00); /* X.690 8.1.5 end-of-contents */
		bb_u8(b, 0x00);
	}
	return b->p;
}

static inline void
bb_close(struct sw_gen_bb *b, uint8_t tag, uint8_t *mark)
{
	if (b->mode == SW_GEN_BLEN_INDEF)
		bb_u8(b, 0x80); /* X.690 8.1.3.6.1 */
	else
		bb_len(b, (size_t)(mark - b->p));
	bb_u8(b, tag);
}

static inline void
bb_prim(struct sw_gen_bb *b, uint8_t tag, const void *v, size_t n)
{
	bb_put(b, v, n);
	bb_len(b, n);
	bb_u8(b, tag);
}

static inline void
bb_prim_u8(struct sw_gen_bb *b, uint8_t tag, uint8_t v)
{
	bb_prim(b, tag, &v, 1);
}

size_t
sw_gen_bcd(uint8_t *dst, const char *d, uint8_t filler)
{
	size_t i = 0;

	for (; d[0] != '\0' && d[1] != '\0'; d += 2)
		dst[i++] = (uint8_t)((d[0] - '0') | ((d[1] - '0') << 4));
	if (d[0] != '\0')
		dst[i++] = (uint8_t)((d[0] - '0') | (filler << 4));
	return i;
}

/* 3GPP TS 29.002 17.7.8 AddressString: ext=1, nature international, plan E.164, TBCD. */
static void
put_addr(struct sw_gen_bb *b, uint8_t tag, const char *digits)
{
	uint8_t v[12];
	size_t n;

	v[0] = 0x91;
	n = sw_gen_bcd(v + 1, digits, 0xf);
	bb_prim(b, tag, v, n + 1);
}

/* 3GPP TS 29.002 17.7.8 IMSI: TBCD-STRING (SIZE (3..8)). */
static void
put_imsi(struct sw_gen_bb *b, uint8_t tag, const char *imsi)
{
	uint8_t v[10];
	size_t n = sw_gen_bcd(v, imsi, 0xf);

	bb_prim(b, tag, v, n);
}

static void
put_null(struct sw_gen_bb *b, uint8_t tag)
{
	bb_u8(b, 0);
	bb_u8(b, tag);
}

/* GSM 03.38 default alphabet packed into septets (TS 23.038 6.1.2.1.1). Our texts only use
 * characters whose GSM code equals their ASCII code (letters, digits, space, * # . :). */
static size_t
pack7(uint8_t *dst, const char *s, size_t *septets)
{
	size_t n = 0, bits = 0, i;
	uint32_t acc = 0;

	for (i = 0; s[i] != '\0'; i++) {
		acc |= (uint32_t)(s[i] & 0x7f) << bits;
		bits += 7;
		while (bits >= 8) {
			dst[n++] = (uint8_t)acc;
			acc >>= 8;
			bits -= 8;
		}
	}
	if (bits > 0)
		dst[n++] = (uint8_t)acc;
	*septets = i;
	return n;
}

static void
put_ussd(struct sw_gen_bb *b, const char *text)
{
	uint8_t v[160];
	size_t sept, n = pack7(v, text, &sept);

	bb_prim(b, 0x04, v, n);	   /* ussd-String */
	bb_prim_u8(b, 0x04, 0x0f); /* ussd-DataCodingScheme: GSM 7-bit, language unspecified */
}

/* TS 23.040 9.2.2.1 SMS-DELIVER, or 9.2.2.2 SMS-SUBMIT, as SignalInfo (sm-RP-UI). */
static void
put_tpdu(struct sw_gen_bb *b, int submit, const char *addr, const char *imsi)
{
	uint8_t v[200];
	size_t n = 0, sept, ud;
	char text[64];
	const char *code = imsi + strlen(imsi) - 6;

	memcpy(text, "Your code is ", 13);
	memcpy(text + 13, code, 6);
	memcpy(text + 19, ". Do not share it.", 19);
	if (submit) {
		v[n++] = 0x01;		   /* TP-MTI SMS-SUBMIT, TP-VPF absent */
		v[n++] = (uint8_t)code[5]; /* TP-MR */
	} else {
		v[n++] = 0x04; /* TP-MTI SMS-DELIVER, TP-MMS no more messages */
	}
	v[n++] = (uint8_t)strlen(addr); /* TP-OA/TP-DA: number of digits */
	v[n++] = 0x91;
	n += sw_gen_bcd(v + n, addr, 0xf);
	v[n++] = 0x00; /* TP-PID */
	v[n++] = 0x00; /* TP-DCS: GSM 7-bit */
	if (!submit) {
		/* TP-SCTS 2026-01-15 12:30:45 +00, semi-octets swapped */
		static const uint8_t scts[7] = {0x62, 0x10, 0x51, 0x21, 0x03, 0x54, 0x00};

		memcpy(v + n, scts, 7);
		n += 7;
	}
	ud = pack7(v + n + 1, text, &sept);
	v[n++] = (uint8_t)sept; /* TP-UDL in septets */
	n += ud;
	bb_prim(b, 0x04, v, n);
}

/* MAP arguments (3GPP TS 29.002 clause 17, v3 syntax), written backward: last field first. */
static void
enc_arg(struct sw_gen_bb *b, uint8_t op, const struct sw_gen_sub *s)
{
	uint8_t *m, *m2;

	switch (op) {
	case MAP_OP_SEND_IMSI:
		put_addr(b, 0x04, s->msisdn); /* ISDN-AddressString, not a SEQUENCE */
		return;
	case MAP_OP_CANCEL_LOCATION:
		m = bb_open(b);
		bb_prim_u8(b, 0x0a, 0x00); /* cancellationType updateProcedure */
		put_imsi(b, 0x04, s->imsi);
		bb_close(b, 0xa3, m); /* CancelLocationArg ::= [3] SEQUENCE */
		return;
	case MAP_OP_PURGE_MS:
		m = bb_open(b);
		put_addr(b, 0x80, s->node_a); /* vlr-Number [0] */
		put_imsi(b, 0x04, s->imsi);
		bb_close(b, 0xa3, m); /* PurgeMS-Arg ::= [3] SEQUENCE */
		return;
	default:
		break;
	}
	m = bb_open(b);
	switch (op) {
	case MAP_OP_UPDATE_LOCATION:
		put_addr(b, 0x04, s->node_a); /* vlr-Number */
		put_addr(b, 0x81, s->node_a); /* msc-Number [1] */
		put_imsi(b, 0x04, s->imsi);
		break;
	case MAP_OP_PROVIDE_ROAMING_NUMBER:
		put_addr(b, 0x82, s->msisdn); /* msisdn [2] */
		put_addr(b, 0x81, s->node_a); /* msc-Number [1] */
		put_imsi(b, 0x80, s->imsi);   /* imsi [0] */
		break;
	case MAP_OP_INSERT_SUBSCRIBER_DATA:
		bb_prim_u8(b, 0x83, 0x00); /* subscriberStatus [3] serviceGranted */
		bb_prim_u8(b, 0x82, 0x0a); /* category [2] ordinary subscriber */
		put_addr(b, 0x81, s->msisdn);
		put_imsi(b, 0x80, s->imsi);
		break;
	case MAP_OP_REGISTER_SS:
		put_addr(b, 0x84, s->node_a); /* forwardedToNumber [4] */
		bb_prim_u8(b, 0x04, 0x21);    /* ss-Code cfu (TS 29.002 17.7.5) */
		break;
	case MAP_OP_ACTIVATE_SS:
		bb_prim_u8(b, 0x04, 0x21); /* ss-Code cfu */
		break;
	case MAP_OP_SEND_ROUTING_INFO:
		put_addr(b, 0x86, s->node_a); /* gmsc-OrGsmSCF-Address [6] */
		bb_prim_u8(b, 0x83, 0x00);    /* interrogationType [3] basicCall */
		put_addr(b, 0x80, s->msisdn);
		break;
	case MAP_OP_MT_FORWARD_SM:
		put_tpdu(b, 0, s->node_a, s->imsi); /* sm-RP-UI */
		put_addr(b, 0x84, s->node_a);	    /* sm-RP-OA serviceCentreAddressOA [4] */
		put_imsi(b, 0x80, s->imsi);	    /* sm-RP-DA imsi [0] */
		break;
	case MAP_OP_SEND_ROUTING_INFO_FOR_SM:
		put_addr(b, 0x82, s->node_a); /* serviceCentreAddress [2] */
		bb_prim_u8(b, 0x81, 0xff);    /* sm-RP-PRI [1] TRUE */
		put_addr(b, 0x80, s->msisdn);
		break;
	case MAP_OP_MO_FORWARD_SM:
		put_imsi(b, 0x04, s->imsi);	    /* imsi */
		put_tpdu(b, 1, s->msisdn, s->imsi); /* sm-RP-UI */
		put_addr(b, 0x82, s->msisdn);	    /* sm-RP-OA msisdn [2] */
		put_addr(b, 0x84, s->node_a);	    /* sm-RP-DA serviceCentreAddressDA [4] */
		break;
	case MAP_OP_REPORT_SM_DELIVERY_STATUS:
		bb_prim_u8(b, 0x0a, 0x02); /* sm-DeliveryOutcome successfulTransfer */
		put_addr(b, 0x04, s->node_a);
		put_addr(b, 0x04, s->msisdn);
		break;
	case MAP_OP_ALERT_SERVICE_CENTRE:
		put_addr(b, 0x04, s->node_a);
		put_addr(b, 0x04, s->msisdn);
		break;
	case MAP_OP_SEND_IDENTIFICATION: {
		uint8_t tmsi[4] = {(uint8_t)s->imsi[11], (uint8_t)s->imsi[12], (uint8_t)s->imsi[13],
				   (uint8_t)s->imsi[14]};

		bb_prim(b, 0x04, tmsi, 4); /* tmsi */
		break;
	}
	case MAP_OP_SEND_AUTHENTICATION_INFO:
		bb_prim_u8(b, 0x02, 0x02); /* numberOfRequestedVectors */
		put_imsi(b, 0x80, s->imsi);
		break;
	case MAP_OP_PROCESS_USS_REQUEST:
		put_addr(b, 0x80, s->msisdn); /* msisdn [0] */
		put_ussd(b, "*100#");
		break;
	case MAP_OP_USS_REQUEST:
		put_addr(b, 0x80, s->msisdn);
		put_ussd(b, "Your account is blocked. Reply with your PIN");
		break;
	case MAP_OP_USS_NOTIFY:
		put_addr(b, 0x80, s->msisdn);
		put_ussd(b, "Bank: call 0800 to confirm the transfer");
		break;
	case MAP_OP_ANY_TIME_MODIFICATION:
		put_addr(b, 0x81, s->node_a); /* gsmSCF-Address [1] */
		m2 = bb_open(b);
		put_addr(b, 0x81, s->msisdn); /* SubscriberIdentity msisdn [1] */
		bb_close(b, 0xa0, m2);
		break;
	case MAP_OP_PROVIDE_SUBSCRIBER_INFO:
		m2 = bb_open(b);
		put_null(b, 0x81);     /* subscriberState [1] */
		put_null(b, 0x80);     /* locationInformation [0] */
		bb_close(b, 0xa2, m2); /* requestedInfo [2] */
		put_imsi(b, 0x80, s->imsi);
		break;
	case MAP_OP_ANY_TIME_INTERROGATION:
		put_addr(b, 0x83, s->node_a); /* gsmSCF-Address [3] */
		m2 = bb_open(b);
		put_null(b, 0x81);
		put_null(b, 0x80);
		bb_close(b, 0xa1, m2); /* requestedInfo [1] */
		m2 = bb_open(b);
		put_addr(b, 0x81, s->msisdn);
		bb_close(b, 0xa0, m2); /* subscriberIdentity [0] */
		break;
	case MAP_OP_PROVIDE_SUBSCRIBER_LOCATION:
		put_addr(b, 0x83, s->msisdn); /* msisdn [3] */
		put_imsi(b, 0x82, s->imsi);   /* imsi [2] */
		put_addr(b, 0x04, s->node_a); /* mlc-Number */
		m2 = bb_open(b);
		bb_prim_u8(b, 0x80, 0x00); /* locationEstimateType currentLocation */
		bb_close(b, 0x30, m2);	   /* locationType */
		break;
	default:
		abort();
	}
	bb_close(b, 0x30, m);
}

/* MAP results, backward. */
static void
enc_res(struct sw_gen_bb *b, uint8_t op, const struct sw_gen_sub *s, const uint8_t *rnd)
{
	uint8_t *m, *m2, *m3;
	int i;

	m = bb_open(b);
	switch (op) {
	case MAP_OP_UPDATE_LOCATION:
		put_addr(b, 0x04, s->node_b); /* hlr-Number */
		break;
	case MAP_OP_PROVIDE_ROAMING_NUMBER:
		put_addr(b, 0x04, s->node_b); /* roamingNumber */
		break;
	case MAP_OP_SEND_ROUTING_INFO:
		put_addr(b, 0x04, s->node_b); /* extendedRoutingInfo: roamingNumber */
		put_imsi(b, 0x89, s->imsi);   /* imsi [9] */
		bb_close(b, 0xa3, m);	      /* SendRoutingInfoRes ::= [3] SEQUENCE */
		return;
	case MAP_OP_SEND_ROUTING_INFO_FOR_SM:
		m2 = bb_open(b);
		put_addr(b, 0x81, s->node_b); /* networkNode-Number [1] */
		bb_close(b, 0xa0, m2);	      /* locationInfoWithLMSI [0] */
		put_imsi(b, 0x04, s->imsi);
		break;
	case MAP_OP_SEND_AUTHENTICATION_INFO:
		m2 = bb_open(b);
		for (i = 0; i < 2; i++) {
			m3 = bb_open(b);
			bb_prim(b, 0x04, rnd + 20 * i, 8);  /* kc */
			bb_prim(b, 0x04, rnd + 20 * i, 4);  /* sres */
			bb_prim(b, 0x04, rnd + 20 * i, 16); /* rand */
			bb_close(b, 0x30, m3);
		}
		bb_close(b, 0xa0, m2); /* tripletList [0] */
		bb_close(b, 0xa3, m);  /* SendAuthenticationInfoRes ::= [3] SEQUENCE */
		return;
	case MAP_OP_PROCESS_USS_REQUEST:
		put_ussd(b, "Balance 12.50 EUR");
		break;
	case MAP_OP_PROVIDE_SUBSCRIBER_INFO:
		m2 = bb_open(b);
		m3 = bb_open(b);
		put_null(b, 0x80);     /* assumedIdle [0] */
		bb_close(b, 0xa1, m3); /* subscriberState [1] */
		m3 = bb_open(b);
		put_addr(b, 0x81, s->node_b); /* vlr-number [1] */
		bb_prim_u8(b, 0x02, 0x05);    /* ageOfLocationInformation */
		bb_close(b, 0xa0, m3);	      /* locationInformation [0] */
		bb_close(b, 0x30, m2);	      /* subscriberInfo */
		break;
	default:
		abort();
	}
	bb_close(b, 0x30, m);
}

/* ---- CAP arguments, 3GPP TS 29.078 (IMPLICIT TAGS; sigwall-gen --cap, issue 17 D3) ---- */

/* A context-specific tag [num] of 31 or more: X.690 8.1.2.4 high-tag-number form, two octets
 * (first: 0x9f primitive, 0xbf constructed) */
static void
cap_prim_hi(struct sw_gen_bb *b, uint8_t num, const void *v, size_t n)
{
	bb_put(b, v, n);
	bb_len(b, n);
	bb_u8(b, num);
	bb_u8(b, 0x9f);
}

static void
cap_close_hi(struct sw_gen_bb *b, uint8_t num, uint8_t *mark)
{
	if (b->mode == SW_GEN_BLEN_INDEF)
		bb_u8(b, 0x80);
	else
		bb_len(b, (size_t)(mark - b->p));
	bb_u8(b, num);
	bb_u8(b, 0xbf);
}

/* Q.763 3.9 called / 3.10 calling party number: odd/even and nature of address (4,
 * international), then INN/NI, numbering plan 1 (ISDN) and, calling, screening 1 (user provided,
 * verified and passed); BCD digits, filler 0 (Q.763 3.9 f). */
static void
cap_number(struct sw_gen_bb *b, uint8_t tag, const char *digits, int calling)
{
	uint8_t v[2 + 12];
	size_t n = strlen(digits);

	v[0] = (uint8_t)((n & 1 ? 0x80 : 0x00) | 0x04);
	v[1] = calling ? 0x11 : 0x10;
	n = sw_gen_bcd(v + 2, digits, 0x0);
	bb_prim(b, tag, v, n + 2);
}

/* The argument of CAP operation op (the ones a CAMEL call carries: TS 29.078
 * CAP-gsmSSF-gsmSCF-ops-args), from the served subscriber and nodes in s. */
static void
enc_cap_arg(struct sw_gen_bb *b, uint8_t op, const struct sw_gen_sub *s)
{
	static const uint8_t cause[2] = {0x80, 0x90};
	uint8_t *m, *m2, *m3;
	uint8_t v[16];
	size_t n;

	if (op == CAP_OP_RELEASE_CALL) {
		/* ReleaseCallArg ::= Cause (not a SEQUENCE): Q.850 2.2.5, location user, normal
		 * call clearing (16) */
		bb_prim(b, 0x04, cause, sizeof(cause));
		return;
	}
	m = bb_open(b);
	switch (op) {
	case CAP_OP_INITIAL_DP:
		/* InitialDPArg: serviceKey [0], calledPartyNumber [2], callingPartyNumber [3],
		 * eventTypeBCSM [28], iMSI [50], locationInformation [52], mscAddress [55] */
		v[0] = 0x91;
		n = sw_gen_bcd(v + 1, s->node_a, 0xf);
		cap_prim_hi(b, CAP_IDP_MSC_ADDRESS, v, n + 1);
		m2 = bb_open(b);
		/* cellGlobalIdOrServiceAreaIdOrLAI [3] { cellGlobalIdOrServiceAreaIdFixedLength [0] }:
		 * MCC MNC (TS 24.008 10.5.1.3 order), LAC, CI (TS 29.002 17.7.5) */
		m3 = bb_open(b);
		{
			const char *p = s->cell_plmn;
			uint8_t mnc3 = p[5] != '\0' ? (uint8_t)(p[5] - '0') : 0xf;
			uint8_t cgi[CAP_CGI_LEN] = {
				(uint8_t)((p[0] - '0') | (p[1] - '0') << 4),
				(uint8_t)((p[2] - '0') | mnc3 << 4),
				(uint8_t)((p[3] - '0') | (p[4] - '0') << 4),
				0x00, (uint8_t)(1 + s->imsi[14] % 8), 0x00,
				(uint8_t)(10 + s->imsi[13] % 16),
			};

			bb_prim(b, 0x80 | CAP_LOC_CGI, cgi, sizeof(cgi));
		}
		bb_close(b, 0xa0 | CAP_LOC_CELL, m3);
		v[0] = 0x91;
		n = sw_gen_bcd(v + 1, s->node_a, 0xf);
		bb_prim(b, 0x80 | CAP_LOC_VLR, v, n + 1); /* vlr-number [1] */
		cap_close_hi(b, CAP_IDP_LOCATION, m2);
		n = sw_gen_bcd(v, s->imsi, 0xf);
		cap_prim_hi(b, CAP_IDP_IMSI, v, n);
		v[0] = 2; /* collectedInfo */
		cap_prim_hi(b, CAP_IDP_EVENT_TYPE, v, 1);
		cap_number(b, 0x80 | CAP_IDP_CALLING, s->msisdn, 1);
		cap_number(b, 0x80 | CAP_IDP_CALLED, s->node_b, 0);
		bb_prim_u8(b, 0x80 | CAP_IDP_SERVICE_KEY, 100); /* the prepaid service */
		break;
	case CAP_OP_REQUEST_REPORT_BCSM_EVENT:
		/* bcsmEvents [0]: oAnswer notifyAndContinue, oDisconnect interrupted */
		m2 = bb_open(b);
		m3 = bb_open(b);
		bb_prim_u8(b, 0x80 | CAP_BCSM_MONITOR_MODE, 0);
		bb_prim_u8(b, 0x80 | CAP_BCSM_EVENT_TYPE, 9);
		bb_close(b, 0x30, m3);
		m3 = bb_open(b);
		bb_prim_u8(b, 0x80 | CAP_BCSM_MONITOR_MODE, 1);
		bb_prim_u8(b, 0x80 | CAP_BCSM_EVENT_TYPE, 7);
		bb_close(b, 0x30, m3);
		bb_close(b, 0xa0 | CAP_RRB_EVENTS, m2);
		break;
	case CAP_OP_CONNECT:
		/* destinationRoutingAddress [0] SEQUENCE SIZE (1) OF CalledPartyNumber */
		m2 = bb_open(b);
		cap_number(b, 0x04, s->node_b, 0);
		bb_close(b, 0xa0 | CAP_CON_DRA, m2);
		break;
	case CAP_OP_EVENT_REPORT_BCSM:
		/* eventTypeBCSM [0], miscCallInfo [3] { messageType [0]: request (0) for an interrupted
		 * event, notification (1) otherwise } */
		m2 = bb_open(b);
		bb_prim_u8(b, 0x80, s->cap_event == 9 ? 0 : 1);
		bb_close(b, 0xa3, m2);
		bb_prim_u8(b, 0x80 | CAP_ERB_EVENT_TYPE, s->cap_event);
		break;
	default:
		abort();
	}
	bb_close(b, 0x30, m);
}

static void
enc_opcode(struct sw_gen_bb *b, uint8_t op, uint8_t mal)
{
	if (mal == SW_GEN_MAL_NEG_OPCODE) {
		static const uint8_t neg[2] = {0xfd, 0x66}; /* -666, as in pwnss7 */

		bb_prim(b, 0x02, neg, 2);
	} else if (mal == SW_GEN_MAL_GLOBAL_OP) {
		/* Q.773 4.2.2.3 Code ::= CHOICE { localValue INTEGER, globalValue OBJECT ID } */
		uint8_t oid[7] = {0x04, 0x00, 0x00, 0x01, 0x00, op, 0x03};

		bb_prim(b, 0x06, oid, sizeof(oid));
	} else {
		bb_prim_u8(b, 0x02, op);
	}
}

static void
enc_comp(struct sw_gen_bb *b, const struct sw_gen_tcap *t, const struct sw_gen_comp *c,
	 const struct sw_gen_sub *s)
{
	uint8_t *m = bb_open(b), *m2;
	uint8_t rnd[40];
	int i;

	if (c->type == SW_GEN_INVOKE) {
		if (!c->noparam && t->cap)
			enc_cap_arg(b, c->op, s);
		else if (!c->noparam)
			enc_arg(b, c->op, s);
		enc_opcode(b, c->op, t->mal);
	} else if (!c->noparam) {
		for (i = 0; i < 40; i++)
			rnd[i] = (uint8_t)(s->imsi[i % 15] * 31 + i * 17 + t->otid + t->dtid);
		m2 = bb_open(b);
		enc_res(b, c->op, s, rnd);
		bb_prim_u8(b, 0x02, c->op);
		bb_close(b, 0x30, m2); /* resultretres SEQUENCE { opcode, result } */
	}
	bb_prim_u8(b, 0x02, c->iid);
	bb_close(b, c->type, m);
	if (t->mal == SW_GEN_MAL_LEN_OVERFLOW && c == &t->comp[t->ncomp - 1] && b->p[1] < 0x60)
		b->p[1] += 0x20; /* the component now claims 32 bytes more than its container */
}

/* Q.773 4.2.3 dialogue portion: EXTERNAL { id-as-dialogue, single-ASN1-type AARQ/AARE }. */
static void
enc_dialogue(struct sw_gen_bb *b, const struct sw_gen_tcap *t)
{
	static const uint8_t as_dialogue[7] = {0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01};
	static const uint8_t pv[2] = {0x07, 0x80}; /* protocol-version version1 */
	uint8_t acn[110] = {0x04, 0x00, 0x00, 0x01, 0x00, t->acn, t->acn_ver};
	size_t acn_len = 7;
	uint8_t *m1 = bb_open(b), *m2, *m3, *m4, *m5;

	if (t->mal == SW_GEN_MAL_LONG_ACN) {
		memset(acn + 7, 0x01, 93);
		acn_len = 100;
	}
	m2 = bb_open(b);
	m3 = bb_open(b);
	if (t->dlg == SW_GEN_DLG_AARE) {
		m4 = bb_open(b);
		m5 = bb_open(b);
		bb_prim_u8(b, 0x02, 0x00); /* dialogue-service-user null */
		bb_close(b, 0xa1, m5);
		bb_close(b, 0xa3, m4); /* result-source-diagnostic */
		m4 = bb_open(b);
		bb_prim_u8(b, 0x02, 0x00); /* accepted */
		bb_close(b, 0xa2, m4);	   /* result */
	}
	if (t->dlg == SW_GEN_DLG_AARQ && t->map_open != NULL) {
		/* user-information [30] { EXTERNAL { map-DialogueAS 0.4.0.0.1.1.1.1, single-ASN1-type
		 * [0] map-open [0] { destinationReference [0] IMSI as an E.212 AddressString,
		 * originationReference [1] E.164 } } } (TS 29.002 7.3.1, 17.4) */
		static const uint8_t map_dialogue_as[7] = {0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x01};
		uint8_t v[12];
		size_t n;

		m4 = bb_open(b);
		m5 = bb_open(b);
		{
			uint8_t *m6 = bb_open(b), *m7 = bb_open(b);

			if (t->map_open->orig[0] != '\0')
				put_addr(b, 0x81, t->map_open->orig);
			v[0] = 0x96; /* international, E.212 */
			n = sw_gen_bcd(v + 1, t->map_open->dest_imsi, 0xf);
			bb_prim(b, 0x80, v, n + 1);
			bb_close(b, 0xa0, m7); /* map-open */
			bb_close(b, 0xa0, m6); /* single-ASN1-type */
		}
		bb_prim(b, 0x06, map_dialogue_as, sizeof(map_dialogue_as));
		bb_close(b, 0x28, m5); /* EXTERNAL */
		bb_close(b, 0xbe, m4); /* user-information */
	}
	m4 = bb_open(b);
	bb_prim(b, 0x06, acn, acn_len);
	bb_close(b, 0xa1, m4); /* application-context-name */
	bb_prim(b, 0x80, pv, 2);
	bb_close(b, t->dlg == SW_GEN_DLG_AARE ? 0x61 : 0x60, m3);
	bb_close(b, 0xa0, m2); /* single-ASN1-type [0] */
	bb_prim(b, 0x06, as_dialogue, 7);
	bb_close(b, 0x28, m1); /* EXTERNAL */
	/* Dialogue portion [APPLICATION 11]: wrapped by the caller's mark. */
}

void
sw_gen_tcap(struct sw_gen_bb *b, const struct sw_gen_tcap *t, const struct sw_gen_sub *s)
{
	uint8_t *end = b->end;
	uint8_t *mmsg, *m;
	uint8_t tid[4];
	int i;

	b->mode = (enum sw_gen_blen)t->lenmode;
	mmsg = bb_open(b);
	if (t->ncomp > 0) {
		m = bb_open(b);
		for (i = t->ncomp - 1; i >= 0; i--)
			enc_comp(b, t, &t->comp[i], s);
		bb_close(b, 0x6c, m); /* component portion [APPLICATION 12] */
	}
	if (t->dlg != SW_GEN_DLG_NONE) {
		m = bb_open(b);
		enc_dialogue(b, t);
		bb_close(b, 0x6b, m); /* dialogue portion [APPLICATION 11] */
	}
	if (t->type != SW_GEN_BEGIN) {
		tid[0] = (uint8_t)(t->dtid >> 24);
		tid[1] = (uint8_t)(t->dtid >> 16);
		tid[2] = (uint8_t)(t->dtid >> 8);
		tid[3] = (uint8_t)t->dtid;
		bb_prim(b, 0x49, tid, 4); /* dtid [APPLICATION 9] */
	}
	if (t->type != SW_GEN_END) {
		tid[0] = (uint8_t)(t->otid >> 24);
		tid[1] = (uint8_t)(t->otid >> 16);
		tid[2] = (uint8_t)(t->otid >> 8);
		tid[3] = (uint8_t)t->otid;
		bb_prim(b, 0x48, tid, 4); /* otid [APPLICATION 8] */
	}
	bb_close(b, t->type, mmsg);
	b->mode = SW_GEN_BLEN_MIN;
	if (t->mal == SW_GEN_MAL_TRUNC) {
		/* Cut the message inside its last component: the outer lengths now overflow. */
		size_t cut = sw_gen_bb_len(b) / 4;

		b->end = end - cut;
	}
}

/* sigwall-gen --ansi (issue 17 D6): addresses and SCCP management of ANSI T1.112.3. */
static int gen_ansi;

void
sw_gen_set_ansi(int on)
{
	gen_ansi = on;
}

/* Q.713 3.4 called/calling party address, with its length octet, backward. With --ansi the
 * T1.112.3 3.4 format: indicator bit 8 national, bits 3-6 GTI, bit 1 SSN; the SSN first; GTI 2
 * (TT only) for a GTI 2 address, GTI 1 (TT, NP/ES: no NAI in ANSI) for a GTI 4 one. */
static void
enc_addr(struct sw_gen_bb *b, const struct sw_gen_sccp_addr *a)
{
	uint8_t v[24];
	size_t n = 0, nd = strlen(a->gt);

	if (gen_ansi) {
		v[n++] = (uint8_t)(ANSI_AI_NATIONAL | ANSI_AI_SSN |
				   (a->gti == 2 ? ANSI_GTI_TT : ANSI_GTI_TT_NP_ES) << ANSI_AI_GTI_SHIFT);
		v[n++] = a->ssn;
		v[n++] = 0x00; /* TT */
		if (a->gti != 2)
			v[n++] = (uint8_t)(0x10 | ((nd & 1) ? 1 : 2)); /* NP E.164, ES BCD */
		n += sw_gen_bcd(v + n, a->gt, a->gti == 2 ? 0xf : 0x0);
	} else if (a->gti == 2) {
		v[n++] = 0x0a; /* AI: route on GT, GTI 2, SSN present */
		v[n++] = a->ssn;
		v[n++] = 0x00; /* TT */
		n += sw_gen_bcd(v + n, a->gt, 0x0);
	} else {
		v[n++] = 0x12; /* AI: route on GT, GTI 4, SSN present (Q.713 3.4.1) */
		v[n++] = a->ssn;
		v[n++] = 0x00;				       /* TT */
		v[n++] = (uint8_t)(0x10 | ((nd & 1) ? 1 : 2)); /* NP E.164, ES BCD odd/even */
		v[n++] = 0x04;				       /* NAI international */
		n += sw_gen_bcd(v + n, a->gt, 0x0);
	}
	bb_put(b, v, n);
	bb_u8(b, (uint8_t)n);
}

/* Calling then called party address, backward (so called comes first on the wire); their
 * lengths with the length octets in *la (called) and *lb (calling). */
static void
enc_addrs(struct sw_gen_bb *b, const struct sw_gen_sccp_addr *cdpa,
	  const struct sw_gen_sccp_addr *cgpa, size_t *la, size_t *lb)
{
	uint8_t *m = b->p;

	enc_addr(b, cgpa);
	*lb = (size_t)(m - b->p);
	m = b->p;
	enc_addr(b, cdpa);
	*la = (size_t)(m - b->p);
}

void
sw_gen_sccp_udt(struct sw_gen_bb *b, const struct sw_gen_sccp_addr *cdpa,
		const struct sw_gen_sccp_addr *cgpa)
{
	size_t nd = sw_gen_bb_len(b), la, lb;

	if (nd > 255)
		abort();
	bb_u8(b, (uint8_t)nd);
	enc_addrs(b, cdpa, cgpa, &la, &lb);
	bb_u8(b, (uint8_t)(1 + la + lb)); /* pointer to data (from its own octet) */
	bb_u8(b, (uint8_t)(2 + la));	  /* pointer to calling party address */
	bb_u8(b, 3);			  /* pointer to called party address */
	bb_u8(b, 0x81);			  /* class 1, return message on error */
	bb_u8(b, 0x09);			  /* UDT (Q.713 4.10) */
}

void
sw_gen_sccp_xudt(struct sw_gen_bb *b, const struct sw_gen_sccp_addr *cdpa,
		 const struct sw_gen_sccp_addr *cgpa, const uint8_t *data, size_t n, int first,
		 int remaining, uint32_t ref)
{
	uint8_t seg[6];
	size_t la, lb;

	bb_u8(b, 0x00); /* end of optional parameters */
	seg[0] = 0x10;	/* Segmentation (Q.713 3.17) */
	seg[1] = 4;
	seg[2] = (uint8_t)((first ? 0x80 : 0) | 0x40 | (remaining & 0x0f)); /* F, C=class 1 */
	/* segmentation local reference, Q.713 3.17: coded as the local references of 3.2/3.3,
	 * least significant octet first (as sccp.c decodes it and tshark shows it) */
	seg[3] = (uint8_t)ref;
	seg[4] = (uint8_t)(ref >> 8);
	seg[5] = (uint8_t)(ref >> 16);
	bb_put(b, seg, 6);
	bb_put(b, data, n);
	bb_u8(b, (uint8_t)n);
	enc_addrs(b, cdpa, cgpa, &la, &lb);
	bb_u8(b, (uint8_t)(1 + la + lb + 1 + n)); /* pointer to optional part */
	bb_u8(b, (uint8_t)(2 + la + lb));	  /* pointer to data */
	bb_u8(b, (uint8_t)(3 + la));		  /* pointer to calling party address */
	bb_u8(b, 4);				  /* pointer to called party address */
	bb_u8(b, 0x0f);				  /* hop counter */
	bb_u8(b, 0x81);				  /* class 1, return on error */
	bb_u8(b, 0x11);				  /* XUDT (Q.713 4.18) */
}

/*
 * LUDT (Q.713 4.20) around the TCAP message already in b: class 1, hop counter 15, four
 * two-octet pointers (least significant octet first) counted from their second octet as
 * Wireshark reads them (issue 17), no optional part, long data with a two-octet length.
 */
void
sw_gen_sccp_ludt(struct sw_gen_bb *b, const struct sw_gen_sccp_addr *cdpa,
		 const struct sw_gen_sccp_addr *cgpa)
{
	size_t nd = sw_gen_bb_len(b), la, lb, p[3];

	if (nd > 0xffff)
		abort();
	bb_u8(b, (uint8_t)(nd >> 8)); /* long data length, Q.713 3.20 */
	bb_u8(b, (uint8_t)nd);
	enc_addrs(b, cdpa, cgpa, &la, &lb);
	/* the called address starts at octet 11; pointer i's second octet is octet 4 + 2i */
	p[0] = 11 - 4;
	p[1] = 11 + la - 6;
	p[2] = 11 + la + lb - 8;
	bb_u8(b, 0); /* no optional part */
	bb_u8(b, 0);
	for (int i = 2; i >= 0; i--) {
		bb_u8(b, (uint8_t)(p[i] >> 8));
		bb_u8(b, (uint8_t)p[i]);
	}
	bb_u8(b, 0x0f);		      /* hop counter */
	bb_u8(b, 0x81);		      /* class 1, return message on error */
	bb_u8(b, SCCP_MSG_LUDT);      /* Q.713 4.20 */
}

/* T1.112.3 3.4: SSN 1 and a 3-octet point code (member first), routed on SSN, backward. */
static void
enc_scmg_addr_ansi(struct sw_gen_bb *b, uint32_t pc)
{
	uint8_t a[5] = { ANSI_AI_NATIONAL | ANSI_AI_RI | ANSI_AI_PC | ANSI_AI_SSN, 0x01,
			 (uint8_t)pc, (uint8_t)(pc >> 8), (uint8_t)(pc >> 16) };

	bb_put(b, a, 5);
	bb_u8(b, 5);
}

/*
 * SCCP management (Q.713 5.1/5.3) in a UDT class 0 between SSN 1 of two signalling points,
 * routed on SSN with point codes: format identifier, affected SSN, affected PC (14 bits, LSB
 * first), subsystem multiplicity indicator, and for SSC the congestion level.
 */
void
sw_gen_sccp_scmg(struct sw_gen_bb *b, uint8_t type, uint8_t assn, uint32_t apc, uint32_t cdpc,
		 uint32_t cgpc, uint8_t cong, const char *cg_gt)
{
	uint8_t d[6], a[4];
	size_t n = 0, la = 5, lb;
	uint8_t *m;

	d[n++] = type;
	d[n++] = assn;
	d[n++] = (uint8_t)apc;
	d[n++] = (uint8_t)((apc >> 8) & (gen_ansi ? 0xff : 0x3f));
	if (gen_ansi)
		d[n++] = (uint8_t)(apc >> 16); /* T1.112.3 5.3: a 3-octet affected PC */
	d[n++] = 0x00; /* SMI: affected subsystem multiplicity unknown */
	if (type == 6 && !gen_ansi)
		d[n++] = (uint8_t)(cong & 0x0f); /* SSC: congestion level */
	bb_put(b, d, n);
	bb_u8(b, (uint8_t)n);
	m = b->p;
	if (cg_gt != NULL) {
		/* the calling party by its global title (route on GT, GTI 4), SSN 1 */
		struct sw_gen_sccp_addr cg;

		memset(&cg, 0, sizeof(cg));
		snprintf(cg.gt, sizeof(cg.gt), "%s", cg_gt);
		cg.ssn = 1;
		cg.gti = 4;
		enc_addr(b, &cg);
	} else if (gen_ansi) {
		enc_scmg_addr_ansi(b, cgpc);
	} else {
		a[0] = 0x43; /* AI: route on SSN, SSN present, PC present (Q.713 3.4.1) */
		a[1] = (uint8_t)cgpc;
		a[2] = (uint8_t)((cgpc >> 8) & 0x3f);
		a[3] = 0x01; /* SSN 1: SCCP management */
		bb_put(b, a, 4);
		bb_u8(b, 4);
	}
	lb = (size_t)(m - b->p);
	if (gen_ansi) {
		enc_scmg_addr_ansi(b, cdpc); /* called */
		la = 6;
	} else {
		a[0] = 0x43;
		a[1] = (uint8_t)cdpc;
		a[2] = (uint8_t)((cdpc >> 8) & 0x3f);
		a[3] = 0x01;
		bb_put(b, a, 4); /* called */
		bb_u8(b, 4);
	}
	bb_u8(b, (uint8_t)(1 + la + lb)); /* pointer to data */
	bb_u8(b, (uint8_t)(2 + la));	  /* pointer to calling party address */
	bb_u8(b, 3);			  /* pointer to called party address */
	bb_u8(b, 0x00);			  /* class 0, no return */
	bb_u8(b, 0x09);			  /* UDT */
}

/*
 * Connection-oriented SCCP (Q.713 4.2-4.6): CR with class 2, the called address (SSN/PC) and no
 * optional part; CC with DLR/SLR and class; DT1 with DLR, segmenting/reassembling and n octets
 * of data; RLSD with DLR/SLR and release cause; RLC with DLR/SLR. Local references are 24 bits,
 * least significant octet first (Q.713 3.2/3.3).
 */
void
sw_gen_sccp_co(struct sw_gen_bb *b, uint8_t type, uint32_t dlr, uint32_t slr, uint32_t cdpc,
	       uint8_t cdssn, const uint8_t *data, size_t n)
{
	uint8_t v[32];
	size_t k = 0;

	v[k++] = type;
	switch (type) {
	case 0x01: /* CR: SLR, class, pointer to called address, pointer to optional part */
		v[k++] = (uint8_t)slr;
		v[k++] = (uint8_t)(slr >> 8);
		v[k++] = (uint8_t)(slr >> 16);
		v[k++] = 0x02; /* class 2 */
		v[k++] = 2;    /* pointer to called party address */
		v[k++] = 0;    /* no optional part */
		v[k++] = 4;
		v[k++] = 0x43; /* route on SSN, SSN and PC present */
		v[k++] = (uint8_t)cdpc;
		v[k++] = (uint8_t)((cdpc >> 8) & 0x3f);
		v[k++] = cdssn;
		break;
	case 0x02: /* CC: DLR, SLR, class, pointer to optional part (none) */
	case 0x04: /* RLSD: DLR, SLR, release cause, pointer to optional part (none) */
	case 0x05: /* RLC: DLR, SLR */
		for (int i = 0; i < 2; i++) {
			uint32_t r = i == 0 ? dlr : slr;

			v[k++] = (uint8_t)r;
			v[k++] = (uint8_t)(r >> 8);
			v[k++] = (uint8_t)(r >> 16);
		}
		if (type == 0x02)
			v[k++] = 0x02; /* class 2 */
		if (type == 0x04)
			v[k++] = 0x03; /* release cause: SCCP user originated (Q.713 3.11) */
		if (type != 0x05)
			v[k++] = 0;    /* no optional part */
		break;
	case 0x06: /* DT1: DLR, segmenting/reassembling, pointer to data, data */
		v[k++] = (uint8_t)dlr;
		v[k++] = (uint8_t)(dlr >> 8);
		v[k++] = (uint8_t)(dlr >> 16);
		v[k++] = 0x00; /* no more data */
		v[k++] = 1;    /* pointer to data */
		v[k++] = (uint8_t)n;
		break;
	default:
		abort();
	}
	if (type == 0x06)
		bb_put(b, data, n);
	bb_put(b, v, k);
}

/* Q.763 3.9 / 3.10 called and calling party numbers: O/E + NAI, then plan, then BCD. */
void
sw_gen_isup_iam(struct sw_gen_bb *b, uint16_t cic, const char *cdpn, const char *cgpn)
{
	uint8_t v[64];
	size_t n = 0, nd, cdlen_pos;

	v[n++] = (uint8_t)cic;
	v[n++] = (uint8_t)((cic >> 8) & 0x0f);
	v[n++] = 0x01; /* IAM (Q.763 table 4) */
	v[n++] = 0x00; /* nature of connection indicators */
	v[n++] = 0x00; /* forward call indicators */
	v[n++] = 0x01; /*   ISDN access indicator: originating access ISDN */
	v[n++] = 0x0a; /* calling party's category: ordinary subscriber */
	v[n++] = 0x00; /* transmission medium requirement: speech */
	v[n++] = 0x02; /* pointer to called party number */
	cdlen_pos = n++;
	nd = strlen(cdpn);
	v[n++] = 2 + (uint8_t)((nd + 1) / 2);		  /* called party number length */
	v[n++] = (uint8_t)(((nd & 1) ? 0x80 : 0) | 0x04); /* O/E, NAI international */
	v[n++] = 0x10;					  /* INN allowed, NPI E.164 */
	n += sw_gen_bcd(v + n, cdpn, 0x0);
	v[cdlen_pos] = (uint8_t)(n - cdlen_pos); /* pointer to optional part */
	nd = strlen(cgpn);
	v[n++] = 0x0a; /* calling party number (Q.763 3.10) */
	v[n++] = 2 + (uint8_t)((nd + 1) / 2);
	v[n++] = (uint8_t)(((nd & 1) ? 0x80 : 0) | 0x04);
	v[n++] = 0x11; /* NI complete, NPI E.164, presentation allowed, user provided verified */
	n += sw_gen_bcd(v + n, cgpn, 0x0);
	v[n++] = 0x00; /* end of optional parameters */
	bb_put(b, v, n);
}

static inline void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void
sw_gen_m3ua_data(struct sw_gen_bb *b, uint32_t rc, uint32_t opc, uint32_t dpc, uint8_t si,
		 uint8_t sls)
{
	size_t ud = sw_gen_bb_len(b);
	size_t pad = (4 - (ud & 3)) & 3;
	uint8_t h[32];

	memset(b->end, 0, pad); /* tail room reserved by sw_gen_bb_init */
	b->end += pad;
	/* RFC 4666 3.1 common header */
	h[0] = 1;
	h[1] = 0;
	h[2] = 1; /* class: transfer messages */
	h[3] = 1; /* type: DATA */
	put_be32(h + 4, (uint32_t)(8 + 8 + 16 + ud + pad));
	/* RFC 4666 3.3.1 Routing Context 0x0006 */
	h[8] = 0x00;
	h[9] = 0x06;
	h[10] = 0x00;
	h[11] = 0x08;
	put_be32(h + 12, rc);
	/* Protocol Data 0x0210 */
	h[16] = 0x02;
	h[17] = 0x10;
	h[18] = (uint8_t)((16 + ud) >> 8);
	h[19] = (uint8_t)(16 + ud);
	put_be32(h + 20, opc);
	put_be32(h + 24, dpc);
	h[28] = si;
	h[29] = 0; /* NI international */
	h[30] = 0; /* MP */
	h[31] = sls;
	bb_put(b, h, 32);
}

void
sw_gen_m2pa_data(struct sw_gen_bb *b, uint32_t opc, uint32_t dpc, uint8_t si, uint8_t sls)
{
	size_t ud = sw_gen_bb_len(b);
	uint32_t label = (dpc & 0x3fffu) | (opc & 0x3fffu) << 14 | (uint32_t)(sls & 0x0f) << 28;
	uint8_t h[M2PA_HLEN + M2PA_PRI_LEN + 1 + MTP3_ANSI_LABEL_LEN];
	size_t hl = M2PA_HLEN + M2PA_PRI_LEN + 1;

	/* RFC 4165 2.3.1: PRI 0, spare */
	h[M2PA_HLEN] = 0;
	/* Q.704 14.2 SIO: NI 0 (international), SI */
	h[M2PA_HLEN + 1] = si & MTP3_SIO_SI_MASK;
	if (gen_ansi) {
		/* --ansi: T1.111.4 2.2 label, DPC then OPC, 24 bits each, least significant octet
		 * (member) first, then the SLS octet (NI stays 0, as in the M3UA label above) */
		for (int i = 0; i < 3; i++) {
			h[hl + (size_t)i] = (uint8_t)(dpc >> (8 * i));
			h[hl + 3 + (size_t)i] = (uint8_t)(opc >> (8 * i));
		}
		h[hl + 6] = sls;
		hl += MTP3_ANSI_LABEL_LEN;
	} else {
		/* Q.704 2.2.2 ITU label, LSB first */
		for (int i = 0; i < 4; i++)
			h[hl + (size_t)i] = (uint8_t)(label >> (8 * i));
		hl += MTP3_ITU_LABEL_LEN;
	}
	/* RFC 4165 2.1.1 common header: version 1, spare, class 11, type User Data, length */
	h[0] = M2PA_VERSION;
	h[1] = 0;
	h[2] = M2PA_CLASS;
	h[3] = M2PA_TYPE_USER_DATA;
	put_be32(h + M2PA_OFF_LEN, (uint32_t)(hl + ud));
	/* RFC 4165 2.2: BSN and FSN, written by the sender when the message leaves (main.c) */
	memset(h + M2PA_OFF_BSN, 0, 8);
	bb_put(b, h, hl);
}

/* The point codes of an M2PA User Data message's routing label (as sw_gen_m2pa_data wrote it
 * under the variant in force). */
void
sw_gen_m2pa_label(const uint8_t *msg, uint32_t *opc, uint32_t *dpc)
{
	const uint8_t *l = msg + M2PA_HLEN + M2PA_PRI_LEN + 1;

	if (gen_ansi) {
		*dpc = (uint32_t)l[0] | (uint32_t)l[1] << 8 | (uint32_t)l[2] << 16;
		*opc = (uint32_t)l[3] | (uint32_t)l[4] << 8 | (uint32_t)l[5] << 16;
	} else {
		uint32_t w = (uint32_t)l[0] | (uint32_t)l[1] << 8 | (uint32_t)l[2] << 16 |
			     (uint32_t)l[3] << 24;

		*dpc = w & 0x3fffu;
		*opc = (w >> 14) & 0x3fffu;
	}
}
