/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MAP decoder (dataplane/decode/map.c), 3GPP TS 29.002: operation name table
 * (both directions, and against Wireshark's table when tshark is installed),
 * and the parameters of the screened operations decoded from hand-built BER
 * arguments and results: IMSI (odd/even TBCD), AddressStrings, SM-RP-DA/OA,
 * USSD in GSM 7-bit (incl. the extension table), UCS2 and 8-bit, SS codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/decode/decode.h"

/*
 * Decode one component parameter from an exact-size heap copy: the parameter
 * sits at offset 3 behind three octets of padding so that offsets are not 0.
 * Fields already in *msu (earlier components) are kept.
 */
static enum sw_mal
map_comp(struct sw_msu *msu, uint8_t type, int32_t op, const uint8_t *param, uint32_t n)
{
	uint8_t *buf = malloc(n + 3);
	struct sw_tcap_comp *c;
	enum sw_mal m;

	assert_non_null(buf);
	memset(buf, 0xee, 3);
	memcpy(buf + 3, param, n);
	assert_true(msu->tcap.ncomp < SW_COMP_MAX);
	c = &msu->tcap.comp[msu->tcap.ncomp++];
	memset(c, 0, sizeof(*c));
	c->type = type;
	c->has_invoke_id = true;
	c->invoke_id = 1;
	c->has_opcode = true;
	c->opcode = op;
	c->param_off = 3;
	c->param_len = n;
	m = sw_map_decode_component(buf, msu, msu->tcap.ncomp - 1u);
	free(buf);
	return m;
}

static enum sw_mal
invoke(struct sw_msu *msu, int32_t op, const uint8_t *param, uint32_t n)
{
	memset(msu, 0, sizeof(*msu));
	return map_comp(msu, SW_COMP_INVOKE, op, param, n);
}

#define INVOKE(msu, op, ...)                                                                \
	({                                                                                  \
		static const uint8_t p_[] = { __VA_ARGS__ };                               \
		invoke(msu, op, p_, sizeof(p_));                                           \
	})

#define RESULT(msu, op, ...)                                                                \
	({                                                                                  \
		static const uint8_t p_[] = { __VA_ARGS__ };                               \
		memset(msu, 0, sizeof(*msu));                                              \
		map_comp(msu, SW_COMP_RESULT_LAST, op, p_, sizeof(p_));                    \
	})

static void
test_op_names(void **state)
{
	static const struct {
		int32_t code;
		const char *name;
	} v[] = {
		{ 2, "updateLocation" },
		{ 3, "cancelLocation" },
		{ 22, "sendRoutingInfo" },
		{ 44, "mt-forwardSM" },
		{ 45, "sendRoutingInfoForSM" },
		{ 46, "mo-forwardSM" },
		{ 56, "sendAuthenticationInfo" },
		{ 59, "processUnstructuredSS-Request" },
		{ 60, "unstructuredSS-Request" },
		{ 61, "unstructuredSS-Notify" },
		{ 71, "anyTimeInterrogation" },
		{ 83, "provideSubscriberLocation" },
		{ 85, "sendRoutingInfoForLCS" },
		{ 126, "explicitCT" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_string_equal(sw_map_op_name(v[i].code), v[i].name);
		assert_int_equal(sw_map_op_code(v[i].name), v[i].code);
	}
	/* TS 29.002 spelling and older names */
	assert_int_equal(sw_map_op_code("mt-ForwardSM"), 44);
	assert_int_equal(sw_map_op_code("MO-FORWARDSM"), 46);
	assert_int_equal(sw_map_op_code("forwardSM"), 46);
	/* unknown and unallocated codes */
	assert_null(sw_map_op_name(0));
	assert_null(sw_map_op_name(1));
	assert_null(sw_map_op_name(27));
	assert_null(sw_map_op_name(90));
	assert_null(sw_map_op_name(127));
	assert_null(sw_map_op_name(-666));
	assert_int_equal(sw_map_op_code("noSuchOperation"), -1);
	assert_int_equal(sw_map_op_code(""), -1);
	assert_int_equal(sw_map_op_code(NULL), -1);

	/* every name maps back to its code */
	for (int32_t c = -1000; c < 1000; c++) {
		const char *n = sw_map_op_name(c);

		if (n != NULL)
			assert_int_equal(sw_map_op_code(n), c);
	}
}

/* Named operations in the table. */
static unsigned
op_count(void)
{
	unsigned n = 0;

	for (int32_t c = 0; c < 256; c++)
		if (sw_map_op_name(c) != NULL)
			n++;
	return n;
}

/*
 * Wireshark 4.0 gsm_old.localValue lists codes 2..126, 21 of them
 * "unAllocated": 104 named operations. When tshark is installed, compare name
 * by name with its table (the operation table comes first in `tshark -G
 * values`, the error table follows and starts again at code 1).
 */
static void
test_op_table_vs_tshark(void **state)
{
	char line[512];
	unsigned named = 0, mismatches = 0;
	int32_t prev = -1;
	FILE *p;

	(void)state;
	assert_int_equal(op_count(), 104);
	p = popen("tshark -G values 2>/dev/null", "r");
	if (p == NULL) {
		printf("tshark comparison skipped: popen failed\n");
		return;
	}
	while (fgets(line, sizeof(line), p) != NULL) {
		char name[256];
		int code;

		if (strncmp(line, "V\tgsm_old.localValue\t", 21) != 0)
			continue;
		if (sscanf(line + 21, "%d\t%255[^\n]", &code, name) != 2)
			continue;
		if (code <= prev)
			break; /* the error table */
		prev = code;
		if (strcmp(name, "unAllocated") == 0) {
			assert_null(sw_map_op_name(code));
			continue;
		}
		named++;
		if (sw_map_op_name(code) == NULL || strcmp(sw_map_op_name(code), name) != 0) {
			printf("op %d: tshark %s, ours %s\n", code, name,
			       sw_map_op_name(code) ? sw_map_op_name(code) : "(none)");
			mismatches++;
		}
	}
	pclose(p);
	if (named == 0) {
		printf("tshark comparison skipped: tshark not installed\n");
		return;
	}
	printf("MAP operations: %u in our table, %u named by tshark, %u mismatches\n", op_count(),
	       named, mismatches);
	assert_int_equal(named, op_count());
	assert_int_equal(mismatches, 0);
}

static void
test_imsi_odd_even(void **state)
{
	struct sw_msu msu;

	(void)state;
	/* sendAuthenticationInfo v2: bare IMSI, 15 digits (odd: filler f in the last octet) */
	assert_int_equal(INVOKE(&msu, 56, 0x04, 0x08, 0x54, 0x04, 0x60, 0x01, 0x07, 0x60, 0x29,
				0xf0), SW_MAL_NONE);
	assert_string_equal(msu.map.imsi.d, "454006107006920");
	assert_int_equal(msu.map.imsi.len, 15);
	assert_true(msu.has & SW_HAS_MAP);
	/* 14 digits (even, no filler) */
	assert_int_equal(INVOKE(&msu, 56, 0x04, 0x07, 0x12, 0x04, 0x17, 0x32, 0x54, 0x76, 0x98),
			 SW_MAL_NONE);
	assert_string_equal(msu.map.imsi.d, "21407123456789");
	/* sendAuthenticationInfo v3: SEQUENCE { imsi [0], numberOfRequestedVectors } */
	assert_int_equal(INVOKE(&msu, 56, 0x30, 0x0d, 0x80, 0x08, 0x54, 0x04, 0x60, 0x01, 0x07,
				0x60, 0x29, 0xf0, 0x02, 0x01, 0x01), SW_MAL_NONE);
	assert_string_equal(msu.map.imsi.d, "454006107006920");
	/* a filler in the middle would hide digits from one side: malformed */
	assert_int_equal(INVOKE(&msu, 56, 0x04, 0x04, 0x54, 0xf4, 0x60, 0x01), SW_MAL_MAP_PARAM);
	assert_int_equal(msu.mal, SW_MAL_MAP_PARAM);
	assert_int_equal(msu.map.imsi.len, 0);
	/* IMSI of 2 octets (SIZE (3..8)) and of 9 octets */
	assert_int_equal(INVOKE(&msu, 56, 0x04, 0x02, 0x54, 0x04), SW_MAL_MAP_PARAM);
	assert_int_equal(INVOKE(&msu, 56, 0x04, 0x09, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
				0x11, 0x11), SW_MAL_MAP_DIGITS_LONG);
	/* the argument in a shape the operation does not have */
	assert_int_equal(INVOKE(&msu, 56, 0x02, 0x01, 0x01), SW_MAL_MAP_PARAM);
	/* a broken TLV inside the SEQUENCE */
	assert_int_equal(INVOKE(&msu, 56, 0x30, 0x03, 0x80, 0x05, 0x54), SW_MAL_MAP_PARAM);
}

static void
test_location_management(void **state)
{
	struct sw_msu msu;

	(void)state;
	/* UpdateLocationArg { imsi, msc-Number [1], vlr-Number } */
	assert_int_equal(INVOKE(&msu, 2,
				0x30, 0x1a,
				0x04, 0x08, 0x54, 0x04, 0x60, 0x01, 0x07, 0x31, 0x04, 0xf5,
				0x81, 0x06, 0x91, 0x68, 0x31, 0x52, 0x14, 0x93,
				0x04, 0x06, 0x91, 0x68, 0x31, 0x52, 0x14, 0x94),
			 SW_MAL_NONE);
	assert_string_equal(msu.map.imsi.d, "454006107013405");
	assert_string_equal(msu.map.msc.d, "8613254139");
	assert_string_equal(msu.map.vlr.d, "8613254149");
	/* UpdateLocationRes { hlr-Number } */
	assert_int_equal(RESULT(&msu, 2, 0x30, 0x09, 0x04, 0x07, 0x91, 0x72, 0x38, 0x99, 0x00,
				0x01, 0xf0), SW_MAL_NONE);
	assert_string_equal(msu.map.hlr.d, "27839900100");
	/* CancelLocationArg v3: [3] { identity imsi-WithLMSI { imsi, lmsi } } */
	assert_int_equal(INVOKE(&msu, 3, 0xa3, 0x10, 0x30, 0x0e,
				0x04, 0x06, 0x21, 0x43, 0x65, 0x87, 0x09, 0xf1,
				0x04, 0x04, 0x01, 0x02, 0x03, 0x04), SW_MAL_NONE);
	assert_string_equal(msu.map.imsi.d, "12345678901");
	/* PurgeMS-Arg v3: [3] { imsi, vlr-Number [0], sgsn-Number [1] } */
	assert_int_equal(INVOKE(&msu, 67, 0xa3, 0x13,
				0x04, 0x06, 0x21, 0x43, 0x65, 0x87, 0x09, 0xf1,
				0x80, 0x04, 0x91, 0x11, 0x22, 0x33,
				0x81, 0x03, 0x91, 0x44, 0x55), SW_MAL_NONE);
	assert_string_equal(msu.map.vlr.d, "112233");
	assert_string_equal(msu.map.sgsn.d, "4455");
	/* UpdateGprsLocationArg { imsi, sgsn-Number, sgsn-Address } */
	assert_int_equal(INVOKE(&msu, 23, 0x30, 0x13,
				0x04, 0x06, 0x21, 0x43, 0x65, 0x87, 0x09, 0xf1,
				0x04, 0x03, 0x91, 0x44, 0x55,
				0x04, 0x04, 0x0a, 0x00, 0x00, 0x01), SW_MAL_NONE);
	assert_string_equal(msu.map.sgsn.d, "4455");
	/* InsertSubscriberDataArg { imsi [0], msisdn [1], ... } */
	assert_int_equal(INVOKE(&msu, 7, 0x30, 0x12,
				0x80, 0x06, 0x21, 0x43, 0x65, 0x87, 0x09, 0xf1,
				0x81, 0x05, 0x91, 0x72, 0x83, 0x00, 0x10,
				0x82, 0x01, 0x0a), SW_MAL_NONE);
	assert_string_equal(msu.map.msisdn.d, "27380001");
	/* the same context tag twice is ambiguous */
	assert_int_equal(INVOKE(&msu, 7, 0x30, 0x10,
				0x80, 0x06, 0x21, 0x43, 0x65, 0x87, 0x09, 0xf1,
				0x80, 0x06, 0x99, 0x99, 0x99, 0x99, 0x99, 0xf9), SW_MAL_MAP_PARAM_REPEATED);
	/* ResetArg { hlr-Number } */
	assert_int_equal(INVOKE(&msu, 37, 0x30, 0x05, 0x04, 0x03, 0x91, 0x21, 0x43),
			 SW_MAL_NONE);
	assert_string_equal(msu.map.hlr.d, "1234");
}

static void
test_msisdn_and_subscriber_info(void **state)
{
	struct sw_msu msu;

	(void)state;
	/* SendRoutingInfoArg { msisdn [0], ..., gmsc-OrGsmSCF-Address [6] } */
	assert_int_equal(INVOKE(&msu, 22, 0x30, 0x12,
				0x80, 0x07, 0x91, 0x72, 0x67, 0x41, 0x58, 0x27, 0xf2,
				0x83, 0x01, 0x00,
				0x86, 0x04, 0x91, 0x72, 0x83, 0x09), SW_MAL_NONE);
	assert_string_equal(msu.map.msisdn.d, "27761485722");
	assert_string_equal(msu.map.msc.d, "273890");
	/* sendIMSI: bare ISDN-AddressString; result bare IMSI */
	assert_int_equal(INVOKE(&msu, 58, 0x04, 0x04, 0x91, 0x72, 0x67, 0x41), SW_MAL_NONE);
	assert_string_equal(msu.map.msisdn.d, "277614");
	assert_int_equal(RESULT(&msu, 58, 0x04, 0x03, 0x21, 0x43, 0x65), SW_MAL_NONE);
	assert_string_equal(msu.map.imsi.d, "123456");
	/* AnyTimeInterrogationArg { subscriberIdentity [0] { msisdn [1] }, requestedInfo [1],
	 * gsmSCF-Address [3] } */
	assert_int_equal(INVOKE(&msu, 71, 0x30, 0x14,
				0xa0, 0x07, 0x81, 0x05, 0x91, 0x72, 0x67, 0x41, 0x58,
				0xa1, 0x02, 0x80, 0x00,
				0x83, 0x05, 0x91, 0x44, 0x77, 0x00, 0x00), SW_MAL_NONE);
	assert_string_equal(msu.map.msisdn.d, "27761485");
	assert_int_equal(msu.map.imsi.len, 0);
	/* AnyTimeInterrogationRes { subscriberInfo { locationInformation [0] { age,
	 * vlr-number [1], msc-Number [6] } } } */
	assert_int_equal(RESULT(&msu, 71, 0x30, 0x14, 0x30, 0x12, 0xa0, 0x10,
				0x02, 0x01, 0x05,
				0x81, 0x05, 0x91, 0x72, 0x83, 0x00, 0x10,
				0x86, 0x04, 0x91, 0x72, 0x83, 0x01), SW_MAL_NONE);
	assert_string_equal(msu.map.vlr.d, "27380001");
	assert_string_equal(msu.map.msc.d, "273810");
	/* ProvideSubscriberInfoArg { imsi [0], requestedInfo [2] } */
	assert_int_equal(INVOKE(&msu, 70, 0x30, 0x0a, 0x80, 0x04, 0x21, 0x43, 0x65, 0x87,
				0xa2, 0x02, 0x80, 0x00), SW_MAL_NONE);
	assert_string_equal(msu.map.imsi.d, "12345678");
	/* ProvideSubscriberLocation-Arg { locationType, mlc-Number, imsi [2], msisdn [3] } */
	assert_int_equal(INVOKE(&msu, 83, 0x30, 0x13, 0x30, 0x03, 0x80, 0x01, 0x00,
				0x04, 0x03, 0x91, 0x11, 0x11,
				0x82, 0x03, 0x21, 0x43, 0x65,
				0x83, 0x02, 0x91, 0x99), SW_MAL_NONE);
	assert_string_equal(msu.map.imsi.d, "123456");
	assert_string_equal(msu.map.msisdn.d, "99");
	/* RoutingInfoForLCS-Arg { mlcNumber [0], targetMS [1] { imsi [0] } } */
	assert_int_equal(INVOKE(&msu, 85, 0x30, 0x0c, 0x80, 0x03, 0x91, 0x11, 0x11,
				0xa1, 0x05, 0x80, 0x03, 0x21, 0x43, 0x65), SW_MAL_NONE);
	assert_string_equal(msu.map.imsi.d, "123456");
	/* SendIdentificationRes v3 [3] { imsi } */
	assert_int_equal(RESULT(&msu, 55, 0xa3, 0x05, 0x04, 0x03, 0x21, 0x43, 0x65),
			 SW_MAL_NONE);
	assert_string_equal(msu.map.imsi.d, "123456");
	/* AddressString longer than 20 octets */
	assert_int_equal(INVOKE(&msu, 58, 0x04, 0x15, 0x91, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
				1, 1, 1, 1, 1, 1, 1, 1), SW_MAL_MAP_DIGITS_LONG);
	/* an empty AddressString */
	assert_int_equal(INVOKE(&msu, 58, 0x04, 0x00), SW_MAL_MAP_PARAM);
}

static void
test_sms(void **state)
{
	struct sw_msu msu;

	(void)state;
	/* MT-ForwardSM-Arg { sm-RP-DA imsi [0], sm-RP-OA serviceCentreAddressOA [4], sm-RP-UI } */
	assert_int_equal(INVOKE(&msu, 44, 0x30, 0x17,
				0x80, 0x08, 0x54, 0x04, 0x60, 0x01, 0x07, 0x60, 0x29, 0xf0,
				0x84, 0x07, 0x91, 0x72, 0x38, 0x99, 0x00, 0x01, 0xf0,
				0x04, 0x02, 0x04, 0x00), SW_MAL_NONE);
	assert_int_equal(msu.map.sm_rp_da_kind, 0);
	assert_string_equal(msu.map.sm_rp_da.d, "454006107006920");
	assert_int_equal(msu.map.sm_rp_oa_kind, 4);
	assert_string_equal(msu.map.sm_rp_oa.d, "27839900100");
	assert_string_equal(msu.map.imsi.d, "454006107006920");
	assert_string_equal(msu.map.smsc.d, "27839900100");
	/* lmsi [1] as DA, noSM-RP-OA [5] */
	assert_int_equal(INVOKE(&msu, 44, 0x30, 0x0c,
				0x81, 0x04, 0xde, 0xad, 0xbe, 0xef,
				0x85, 0x00,
				0x04, 0x02, 0x04, 0x00), SW_MAL_NONE);
	assert_int_equal(msu.map.sm_rp_da_kind, 1);
	assert_string_equal(msu.map.sm_rp_da.d, "deadbeef");
	assert_int_equal(msu.map.sm_rp_oa_kind, 5);
	assert_int_equal(msu.map.sm_rp_oa.len, 0);
	/* MO-ForwardSM-Arg { DA serviceCentreAddressDA [4], OA msisdn [2], UI, imsi } */
	assert_int_equal(INVOKE(&msu, 46, 0x30, 0x16,
				0x84, 0x04, 0x91, 0x72, 0x38, 0x99,
				0x82, 0x04, 0x91, 0x72, 0x67, 0x41,
				0x04, 0x02, 0x01, 0x00,
				0x04, 0x04, 0x21, 0x43, 0x65, 0xf7), SW_MAL_NONE);
	assert_int_equal(msu.map.sm_rp_da_kind, 4);
	assert_string_equal(msu.map.sm_rp_da.d, "278399");
	assert_int_equal(msu.map.sm_rp_oa_kind, 2);
	assert_string_equal(msu.map.sm_rp_oa.d, "277614");
	assert_string_equal(msu.map.msisdn.d, "277614");
	assert_string_equal(msu.map.imsi.d, "1234567");
	/* an OA tag in the DA position (msisdn [2] is not a DA choice) */
	assert_int_equal(INVOKE(&msu, 44, 0x30, 0x08, 0x82, 0x02, 0x91, 0x11, 0x85, 0x00,
				0x04, 0x00), SW_MAL_MAP_PARAM);
	/* RoutingInfoForSM-Arg { msisdn [0], sm-RP-PRI [1], serviceCentreAddress [2] } */
	assert_int_equal(INVOKE(&msu, 45, 0x30, 0x12,
				0x80, 0x07, 0x91, 0x72, 0x67, 0x41, 0x58, 0x27, 0xf2,
				0x81, 0x01, 0xff,
				0x82, 0x04, 0x91, 0x72, 0x38, 0x99), SW_MAL_NONE);
	assert_string_equal(msu.map.msisdn.d, "27761485722");
	assert_string_equal(msu.map.smsc.d, "278399");
	/* RoutingInfoForSM-Res { imsi, locationInfoWithLMSI [0] { networkNode-Number [1] } } */
	assert_int_equal(RESULT(&msu, 45, 0x30, 0x0e,
				0x04, 0x03, 0x21, 0x43, 0x65,
				0xa0, 0x07, 0x81, 0x05, 0x91, 0x72, 0x83, 0x00, 0x10), SW_MAL_NONE);
	assert_string_equal(msu.map.imsi.d, "123456");
	assert_string_equal(msu.map.msc.d, "27380001");
	/* ReportSM-DeliveryStatusArg { msisdn, serviceCentreAddress, outcome } */
	assert_int_equal(INVOKE(&msu, 47, 0x30, 0x0d, 0x04, 0x03, 0x91, 0x72, 0x67,
				0x04, 0x03, 0x91, 0x72, 0x38, 0x0a, 0x01, 0x00), SW_MAL_NONE);
	assert_string_equal(msu.map.msisdn.d, "2776");
	assert_string_equal(msu.map.smsc.d, "2783");
}

/* USSD-Arg { dcs, string, msisdn [0] } with the given DCS and string octets. */
static enum sw_mal
ussd(struct sw_msu *msu, int32_t op, uint8_t dcs, const uint8_t *s, uint8_t n)
{
	uint8_t p[200];
	uint32_t k = 0;

	assert_true(n <= 180);
	p[k++] = 0x30;
	if (3 + 3 + n >= 128)
		p[k++] = 0x81; /* long form for the 160-octet string */
	p[k++] = (uint8_t)(3 + (n >= 128 ? 3 : 2) + n);
	p[k++] = 0x04;
	p[k++] = 0x01;
	p[k++] = dcs;
	p[k++] = 0x04;
	if (n >= 128)
		p[k++] = 0x81;
	p[k++] = n;
	memcpy(p + k, s, n);
	k += n;
	return invoke(msu, op, p, k);
}

#define USSD(msu, op, dcs, ...)                                                             \
	({                                                                                  \
		static const uint8_t s_[] = { __VA_ARGS__ };                               \
		ussd(msu, op, dcs, s_, sizeof(s_));                                        \
	})

static void
test_ussd(void **state)
{
	struct sw_msu msu;

	(void)state;
	/* "*100#", GSM 7-bit, DCS 0x0f */
	assert_int_equal(USSD(&msu, 59, 0x0f, 0xaa, 0x18, 0x0c, 0x36, 0x02), SW_MAL_NONE);
	assert_string_equal(msu.map.ussd, "*100#");
	assert_int_equal(msu.map.ussd_len, 5);
	assert_int_equal(msu.map.ussd_dcs, 0x0f);
	/* "Pay 5€ @ shop": '@' is septet 0x00, '€' is 0x1b 0x65 (extension table) */
	assert_int_equal(USSD(&msu, 60, 0x0f, 0xd0, 0x70, 0x1e, 0x54, 0xdb, 0x94, 0x41, 0x00,
			      0xd0, 0x1c, 0xfd, 0x86, 0x03), SW_MAL_NONE);
	assert_string_equal(msu.map.ussd, "Pay 5\u20ac @ shop");
	/* "a{b}c": extension braces */
	assert_int_equal(USSD(&msu, 61, 0x0f, 0xe1, 0x0d, 0x4a, 0xbc, 0x49, 0x8d, 0x1b),
			 SW_MAL_NONE);
	assert_string_equal(msu.map.ussd, "a{b}c");
	/* "1234567": 7 characters leave 7 spare bits, padded with CR (TS 23.038 6.1.2.3.1) */
	assert_int_equal(USSD(&msu, 59, 0x0f, 0x31, 0xd9, 0x8c, 0x56, 0xb3, 0xdd, 0x1a),
			 SW_MAL_NONE);
	assert_string_equal(msu.map.ussd, "1234567");
	/* "ABCDEFG@": 8 septets, the eighth a real '@' */
	assert_int_equal(USSD(&msu, 59, 0x0f, 0x41, 0xe1, 0x90, 0x58, 0x34, 0x1e, 0x01),
			 SW_MAL_NONE);
	assert_string_equal(msu.map.ussd, "ABCDEFG@");
	/* basic table specials: £ $ ¥ è (0x01 0x02 0x03 0x04) */
	assert_int_equal(USSD(&msu, 59, 0x0f, 0x01, 0xc1, 0x80, 0x00), SW_MAL_NONE);
	assert_string_equal(msu.map.ussd, "\u00a3$\u00a5\u00e8");
	/* UCS2 (DCS 0x48: general data coding, UCS2): "é€" */
	assert_int_equal(USSD(&msu, 60, 0x48, 0x00, 0xe9, 0x20, 0xac), SW_MAL_NONE);
	assert_string_equal(msu.map.ussd, "\u00e9\u20ac");
	assert_int_equal(msu.map.ussd_dcs, 0x48);
	/* UCS2 with an odd octet count */
	assert_int_equal(USSD(&msu, 60, 0x48, 0x00, 0xe9, 0x20), SW_MAL_MAP_USSD);
	/* 8-bit data (DCS 0x44): not decoded, DCS kept */
	assert_int_equal(USSD(&msu, 59, 0x44, 0x01, 0x02, 0x03), SW_MAL_NONE);
	assert_int_equal(msu.map.ussd_len, 0);
	assert_int_equal(msu.map.ussd_dcs, 0x44);
	/* empty USSD string */
	assert_int_equal(USSD(&msu, 59, 0x0f), SW_MAL_MAP_USSD);
	/* msisdn [0] after the string */
	assert_int_equal(INVOKE(&msu, 59, 0x30, 0x0e, 0x04, 0x01, 0x0f,
				0x04, 0x02, 0xaa, 0x18,
				0x80, 0x05, 0x91, 0x72, 0x67, 0x41, 0x58), SW_MAL_NONE);
	assert_string_equal(msu.map.msisdn.d, "27761485");
	assert_string_equal(msu.map.ussd, "*1");
	/* USSD-Res { dcs, string } in a returnResultLast */
	assert_int_equal(RESULT(&msu, 59, 0x30, 0x0a, 0x04, 0x01, 0x0f,
				0x04, 0x05, 0xaa, 0x18, 0x0c, 0x36, 0x02), SW_MAL_NONE);
	assert_string_equal(msu.map.ussd, "*100#");

	/* 160 octets of '€' (182 septets = 91 euro signs, 273 bytes of UTF-8): cut to fit */
	uint8_t sp[182], packed[160];
	for (unsigned i = 0; i < 182; i++)
		sp[i] = (i % 2 == 0) ? 0x1b : 0x65;
	memset(packed, 0, sizeof(packed));
	for (unsigned i = 0; i < 182; i++) {
		unsigned bit = i * 7;

		packed[bit / 8] |= (uint8_t)(sp[i] << (bit % 8));
		if (bit % 8 > 1 && bit / 8 + 1 < sizeof(packed))
			packed[bit / 8 + 1] |= (uint8_t)(sp[i] >> (8 - bit % 8));
	}
	assert_int_equal(ussd(&msu, 59, 0x0f, packed, 160), SW_MAL_NONE);
	assert_int_equal(msu.map.ussd_len, 255); /* 85 whole euro signs of 3 bytes */
	assert_int_equal(strlen(msu.map.ussd), 255);
	assert_memory_equal(msu.map.ussd + 252, "\u20ac", 3);
}

/*
 * A UCS2 USSD string of an odd length (malformed, TS 23.038 5) in an invoke behind a first
 * (decoy) invoke that holds the message's fields: that parameter is only checked, and checking
 * must find what decoding finds (issue 13). Failed before: SW_MAL_NONE, msu.mal unset.
 */
static void
test_ussd_ucs2_behind_decoy(void **state)
{
	/* USSD-Arg { dcs 0x0f, "*100#" }, then { dcs 0x48 UCS2, 3 octets }, { dcs 0x11 UCS2
	 * preceded by language, "en" + 1 octet } */
	static const uint8_t good[] = { 0x30, 0x0a, 0x04, 0x01, 0x0f, 0x04, 0x05,
					0xaa, 0x18, 0x0c, 0x36, 0x02 };
	static const uint8_t odd[] = { 0x30, 0x08, 0x04, 0x01, 0x48, 0x04, 0x03, 0x00, 0xe9, 0x20 };
	static const uint8_t lang[] = { 0x30, 0x08, 0x04, 0x01, 0x11, 0x04, 0x03, 'e', 'n', 0x00 };
	static const uint8_t even[] = { 0x30, 0x09, 0x04, 0x01, 0x48, 0x04, 0x04,
					0x00, 0xe9, 0x20, 0xac };
	struct sw_msu msu;

	(void)state;
	assert_int_equal(invoke(&msu, 59, good, sizeof(good)), SW_MAL_NONE);
	assert_int_equal(map_comp(&msu, SW_COMP_INVOKE, 59, odd, sizeof(odd)), SW_MAL_MAP_USSD);
	assert_int_equal(msu.mal, SW_MAL_MAP_USSD);
	assert_string_equal(msu.map.ussd, "*100#"); /* the first invoke's fields stay */
	assert_int_equal(invoke(&msu, 59, good, sizeof(good)), SW_MAL_NONE);
	assert_int_equal(map_comp(&msu, SW_COMP_INVOKE, 60, lang, sizeof(lang)), SW_MAL_MAP_USSD);
	assert_int_equal(msu.mal, SW_MAL_MAP_USSD);
	/* an even UCS2 string behind the decoy is sound */
	assert_int_equal(invoke(&msu, 59, good, sizeof(good)), SW_MAL_NONE);
	assert_int_equal(map_comp(&msu, SW_COMP_INVOKE, 60, even, sizeof(even)), SW_MAL_NONE);
	assert_int_equal(msu.mal, SW_MAL_NONE);
	/* alone (decoded, not only checked) the same strings are what they were */
	assert_int_equal(invoke(&msu, 59, odd, sizeof(odd)), SW_MAL_MAP_USSD);
	assert_int_equal(invoke(&msu, 59, lang, sizeof(lang)), SW_MAL_MAP_USSD);
	assert_int_equal(invoke(&msu, 59, even, sizeof(even)), SW_MAL_NONE);
	assert_string_equal(msu.map.ussd, "\u00e9\u20ac");
}

static void
test_ss_code(void **state)
{
	struct sw_msu msu;

	(void)state;
	/* RegisterSS-Arg { ss-Code cfu (0x21), basicService, forwardedToNumber [4] } */
	assert_int_equal(INVOKE(&msu, 10, 0x30, 0x0e, 0x04, 0x01, 0x21,
				0x83, 0x01, 0x11,
				0x84, 0x06, 0x91, 0x44, 0x77, 0x00, 0x00, 0xf1), SW_MAL_NONE);
	assert_true(msu.map.has_ss_code);
	assert_int_equal(msu.map.ss_code, 0x21);
	assert_string_equal(msu.map.fwd_to.d, "447700001");
	/* activateSS { ss-Code cfb (0x29) } */
	assert_int_equal(INVOKE(&msu, 12, 0x30, 0x03, 0x04, 0x01, 0x29), SW_MAL_NONE);
	assert_int_equal(msu.map.ss_code, 0x29);
	/* eraseSS, deactivateSS, interrogateSS */
	for (int32_t op = 11; op <= 14; op++) {
		assert_int_equal(INVOKE(&msu, op, 0x30, 0x03, 0x04, 0x01, 0x2a), SW_MAL_NONE);
		assert_true(msu.map.has_ss_code);
		assert_int_equal(msu.map.ss_code, 0x2a);
	}
	/* ss-Code of 2 octets */
	assert_int_equal(INVOKE(&msu, 12, 0x30, 0x04, 0x04, 0x02, 0x29, 0x00), SW_MAL_MAP_PARAM);
	assert_false(msu.map.has_ss_code);
}

static void
test_first_value_kept(void **state)
{
	static const uint8_t a[] = { 0x04, 0x03, 0x21, 0x43, 0x65 };
	static const uint8_t b[] = { 0x04, 0x03, 0x99, 0x99, 0x99 };
	static const uint8_t bad[] = { 0x04, 0x01, 0x21 };
	struct sw_msu msu;

	(void)state;
	memset(&msu, 0, sizeof(msu));
	assert_int_equal(map_comp(&msu, SW_COMP_INVOKE, 56, a, sizeof(a)), SW_MAL_NONE);
	assert_int_equal(map_comp(&msu, SW_COMP_INVOKE, 56, bad, sizeof(bad)), SW_MAL_MAP_PARAM);
	assert_int_equal(map_comp(&msu, SW_COMP_INVOKE, 56, b, sizeof(b)), SW_MAL_NONE);
	assert_string_equal(msu.map.imsi.d, "123456");
	/* the first malformation stays */
	assert_int_equal(msu.mal, SW_MAL_MAP_PARAM);
}

/* TCAP Begin (no dialogue) with n provideSubscriberInfo invokes, the i-th for imsi[i]. */
static size_t
psi_begin(uint8_t *out, const uint8_t (*imsi)[8], unsigned n)
{
	size_t o = 0;

	out[o++] = 0x62; /* Begin */
	out[o++] = (uint8_t)(6 + 2 + 22 * n);
	out[o++] = 0x48; /* otid */
	out[o++] = 4;
	memcpy(out + o, "\x01\x02\x03\x04", 4);
	o += 4;
	out[o++] = 0x6c;
	out[o++] = (uint8_t)(22 * n);
	for (unsigned i = 0; i < n; i++) {
		static const uint8_t head[] = { 0xa1, 0x14, 0x02, 0x01, 0x00, 0x02, 0x01, 0x46,
						0x30, 0x0c, 0x80, 0x08 };

		memcpy(out + o, head, sizeof(head));
		out[o + 4] = (uint8_t)(i + 1); /* invoke id */
		o += sizeof(head);
		memcpy(out + o, imsi[i], 8);
		o += 8;
		out[o++] = 0xa2; /* requestedInfo */
		out[o++] = 0x00;
	}
	return o;
}

/*
 * Issue 13 finding 3: two provideSubscriberInfo invokes, the first (decoy) for a partner's own
 * subscriber, the second for a home subscriber. The default fields are the first invoke's only;
 * sw_map_select_component gives each invoke's own IMSI; with three invokes too.
 */
static void
test_select_component_decoy(void **state)
{
	static const uint8_t imsi[3][8] = {
		{ 0x62, 0x02, 0x10, 0x32, 0x54, 0x76, 0x98, 0xf0 }, /* 262001234567890 partner */
		{ 0x36, 0x09, 0x17, 0x32, 0x54, 0x76, 0x98, 0xf0 }, /* 639071234567890 home */
		{ 0x36, 0x09, 0x17, 0x11, 0x11, 0x11, 0x11, 0xf1 }, /* 639071111111111 */
	};
	uint8_t buf[128];
	struct sw_msu msu;
	size_t n;

	(void)state;
	n = psi_begin(buf, imsi, 2);
	memset(&msu, 0, sizeof(msu));
	assert_int_equal(sw_tcap_decode(buf, 0, (uint32_t)n, &msu), SW_MAL_NONE);
	assert_int_equal(msu.tcap.ncomp, 2);
	assert_int_equal(msu.map.from_comp, 1);
	assert_string_equal(msu.map.imsi.d, "262001234567890");
	assert_int_equal(sw_map_select_component(buf, &msu, 1), SW_MAL_NONE);
	assert_int_equal(msu.map.from_comp, 2);
	assert_true(msu.has & SW_HAS_MAP);
	assert_string_equal(msu.map.imsi.d, "639071234567890");
	assert_int_equal(sw_map_select_component(buf, &msu, 0), SW_MAL_NONE);
	assert_string_equal(msu.map.imsi.d, "262001234567890");
	/* out of range: nothing changes */
	assert_int_equal(sw_map_select_component(buf, &msu, 2), SW_MAL_NONE);
	assert_string_equal(msu.map.imsi.d, "262001234567890");
	assert_int_equal(msu.mal, SW_MAL_NONE);

	n = psi_begin(buf, imsi, 3);
	memset(&msu, 0, sizeof(msu));
	assert_int_equal(sw_tcap_decode(buf, 0, (uint32_t)n, &msu), SW_MAL_NONE);
	assert_int_equal(msu.tcap.ncomp, 3);
	assert_string_equal(msu.map.imsi.d, "262001234567890");
	for (unsigned i = 0; i < 3; i++) {
		static const char *const want[] = { "262001234567890", "639071234567890",
						    "639071111111111" };

		assert_int_equal(sw_map_select_component(buf, &msu, i), SW_MAL_NONE);
		assert_string_equal(msu.map.imsi.d, want[i]);
		assert_int_equal(msu.map.from_comp, i + 1);
	}
}

/*
 * A CAP message (TS 29.078): sw_map_select_component selects among its invokes' CAP fields, as
 * for MAP. A gsmSCF's TC-CONTINUE to SSN 146 with requestReportBCSMEvent (oAnswer) then connect
 * (destinationRoutingAddress 4915112345678): the message's fields are the first invoke's; the
 * second alone gives connect's called number; msu->map stays empty. (Before, the selection read
 * a CAP component as MAP operation 20 and left msu->cap as it was.)
 */
static void
test_select_component_cap(void **state)
{
	static const uint8_t buf[] = {
		0x65, 0x39, 0x48, 0x04, 0x00, 0x00, 0x90, 0x01, 0x49, 0x04, 0x01, 0x46, 0x00, 0x01,
		0x6c, 0x2b,
		/* invoke 2 requestReportBCSMEvent (23): bcsmEvents [0] { { [0] 7, [1] 1 } } */
		0xa1, 0x12, 0x02, 0x01, 0x02, 0x02, 0x01, 0x17, 0x30, 0x0a, 0xa0, 0x08, 0x30, 0x06,
		0x80, 0x01, 0x07, 0x81, 0x01, 0x01,
		/* invoke 3 connect (20): destinationRoutingAddress [0] { Q.763 called number } */
		0xa1, 0x15, 0x02, 0x01, 0x03, 0x02, 0x01, 0x14, 0x30, 0x0d, 0xa0, 0x0b, 0x04, 0x09,
		0x84, 0x10, 0x94, 0x51, 0x11, 0x32, 0x54, 0x76, 0x08,
	};
	struct sw_msu msu;

	(void)state;
	memset(&msu, 0, sizeof(msu));
	msu.has = SW_HAS_SCCP;
	msu.sccp.cdpa.has_ssn = true;
	msu.sccp.cdpa.ssn = CAP_SSN;
	assert_int_equal(sw_tcap_decode(buf, 0, sizeof(buf), &msu), SW_MAL_NONE);
	assert_true(msu.has & SW_HAS_CAP);
	assert_int_equal(msu.tcap.ncomp, 2);
	assert_int_equal(msu.cap.from_comp, 1);
	assert_true(msu.cap.has_event);
	assert_int_equal(msu.cap.event, 7);
	assert_false(msu.cap.called.present);
	assert_int_equal(sw_map_select_component(buf, &msu, 1), SW_MAL_NONE);
	assert_int_equal(msu.cap.from_comp, 2);
	assert_false(msu.cap.has_event);
	assert_true(msu.cap.called.present);
	assert_string_equal(msu.cap.called.digits.d, "4915112345678");
	assert_int_equal(sw_map_select_component(buf, &msu, 0), SW_MAL_NONE);
	assert_int_equal(msu.cap.from_comp, 1);
	assert_int_equal(msu.cap.event, 7);
	assert_false(msu.cap.called.present);
	assert_false(msu.has & SW_HAS_MAP);
	assert_int_equal(msu.map.from_comp, 0);
	assert_int_equal(msu.mal, SW_MAL_NONE);
}

/* A result before the first invoke is replaced by the invoke's fields; results alone count. */
static void
test_first_invoke_over_result(void **state)
{
	static const uint8_t res[] = { 0x04, 0x03, 0x21, 0x43, 0x65 };       /* sendIMSI result */
	static const uint8_t inv[] = { 0x04, 0x03, 0x99, 0x99, 0x99 };       /* SAI v2 IMSI */
	static const uint8_t noimsi[] = { 0x04, 0x02, 0x91, 0x21 };          /* sendIMSI arg */
	struct sw_msu msu;

	(void)state;
	memset(&msu, 0, sizeof(msu));
	assert_int_equal(map_comp(&msu, SW_COMP_RESULT_LAST, 58, res, sizeof(res)), SW_MAL_NONE);
	assert_string_equal(msu.map.imsi.d, "123456");
	assert_int_equal(msu.map.from_comp, 1);
	assert_int_equal(map_comp(&msu, SW_COMP_INVOKE, 56, inv, sizeof(inv)), SW_MAL_NONE);
	assert_string_equal(msu.map.imsi.d, "999999");
	assert_int_equal(msu.map.from_comp, 2);
	/* a later result does not add to the invoke's fields */
	assert_int_equal(map_comp(&msu, SW_COMP_RESULT_LAST, 58, res, sizeof(res)), SW_MAL_NONE);
	assert_string_equal(msu.map.imsi.d, "999999");
	/* the first invoke is the source even when it has no IMSI: a later invoke adds nothing */
	memset(&msu, 0, sizeof(msu));
	assert_int_equal(map_comp(&msu, SW_COMP_INVOKE, 58, noimsi, sizeof(noimsi)), SW_MAL_NONE);
	assert_int_equal(map_comp(&msu, SW_COMP_INVOKE, 56, inv, sizeof(inv)), SW_MAL_NONE);
	assert_int_equal(msu.map.imsi.len, 0);
	assert_string_equal(msu.map.msisdn.d, "12");
	assert_int_equal(msu.map.from_comp, 1);
}

static void
test_not_map(void **state)
{
	static const uint8_t imsi[] = { 0x04, 0x03, 0x21, 0x43, 0x65 };
	/* CAP v2 gsmSSF-to-gsmSCF 0.4.0.0.1.0.50.1 */
	static const uint8_t cap_acn[] = { 0x04, 0x00, 0x00, 0x01, 0x00, 0x32, 0x01 };
	struct sw_msu msu;

	(void)state;
	memset(&msu, 0, sizeof(msu));
	msu.has |= SW_HAS_ACN;
	msu.tcap.acn_len = sizeof(cap_acn);
	memcpy(msu.tcap.acn, cap_acn, sizeof(cap_acn));
	assert_int_equal(map_comp(&msu, SW_COMP_INVOKE, 56, imsi, sizeof(imsi)), SW_MAL_NONE);
	assert_int_equal(msu.map.imsi.len, 0);
	assert_false(msu.has & SW_HAS_MAP);
	/* addressed to SSN 146 (CAP) */
	memset(&msu, 0, sizeof(msu));
	msu.has |= SW_HAS_SCCP;
	msu.sccp.cdpa.has_ssn = true;
	msu.sccp.cdpa.ssn = 146;
	assert_int_equal(map_comp(&msu, SW_COMP_INVOKE, 56, imsi, sizeof(imsi)), SW_MAL_NONE);
	assert_false(msu.has & SW_HAS_MAP);
	/* a MAP ACN decodes */
	memset(&msu, 0, sizeof(msu));
	msu.has |= SW_HAS_ACN;
	msu.tcap.acn_len = sizeof(cap_acn);
	memcpy(msu.tcap.acn, cap_acn, sizeof(cap_acn));
	msu.tcap.acn[5] = 14; /* infoRetrievalContext */
	assert_int_equal(map_comp(&msu, SW_COMP_INVOKE, 56, imsi, sizeof(imsi)), SW_MAL_NONE);
	assert_string_equal(msu.map.imsi.d, "123456");
	/* returnError, reject and unknown operations are not decoded */
	memset(&msu, 0, sizeof(msu));
	assert_int_equal(map_comp(&msu, SW_COMP_ERROR, 56, imsi, sizeof(imsi)), SW_MAL_NONE);
	assert_int_equal(map_comp(&msu, SW_COMP_INVOKE, -666, imsi, sizeof(imsi)), SW_MAL_NONE);
	assert_int_equal(msu.map.imsi.len, 0);
}

/*
 * One vector per remaining screened operation: the fields it must yield
 * (NULL: must stay absent). IMSI 123456 is 21 43 65, address 91 + digits.
 */
static void
test_operation_table(void **state)
{
	static const struct {
		int32_t op;
		bool result;
		uint8_t p[40];
		uint32_t n;
		const char *imsi, *msisdn, *vlr, *msc, *hlr, *smsc;
	} v[] = {
		/* ProvideRoamingNumberArg { imsi [0], msc-Number [1], msisdn [2] } */
		{ 4, false, { 0x30, 0x0f, 0x80, 0x03, 0x21, 0x43, 0x65, 0x81, 0x03, 0x91, 0x11, 0x22,
			      0x82, 0x03, 0x91, 0x33, 0x44 }, 17, "123456", "3344", NULL, "1122",
		  NULL, NULL },
		/* NoteSubscriberDataModifiedArg { imsi, msisdn } */
		{ 5, false, { 0x30, 0x0a, 0x04, 0x03, 0x21, 0x43, 0x65, 0x04, 0x03, 0x91, 0x33,
			      0x44 }, 12, "123456", "3344", NULL, NULL, NULL, NULL },
		/* DeleteSubscriberDataArg { imsi [0], basicServiceList [1] } */
		{ 8, false, { 0x30, 0x09, 0x80, 0x03, 0x21, 0x43, 0x65, 0xa1, 0x02, 0x82, 0x00 }, 11,
		  "123456", NULL, NULL, NULL, NULL, NULL },
		/* SendParametersArg { subscriberId imsi [0], requestParameterList } */
		{ 9, false, { 0x30, 0x0a, 0x80, 0x03, 0x21, 0x43, 0x65, 0x30, 0x03, 0x0a, 0x01,
			      0x00 }, 12, "123456", NULL, NULL, NULL, NULL, NULL },
		/* SendRoutingInfoRes v3 [3] { imsi [9] } */
		{ 22, true, { 0xa3, 0x05, 0x89, 0x03, 0x21, 0x43, 0x65 }, 7, "123456", NULL, NULL,
		  NULL, NULL, NULL },
		/* UpdateGprsLocationRes { hlr-Number } */
		{ 23, true, { 0x30, 0x05, 0x04, 0x03, 0x91, 0x55, 0x66 }, 7, NULL, NULL, NULL, NULL,
		  "5566", NULL },
		/* SendRoutingInfoForGprsArg { imsi [0], ggsn-Address [1], ggsn-Number [2] } */
		{ 24, false, { 0x30, 0x0d, 0x80, 0x03, 0x21, 0x43, 0x65, 0x81, 0x01, 0x00, 0x82, 0x03,
			       0x91, 0x11, 0x22 }, 15, "123456", NULL, NULL, NULL, NULL, NULL },
		/* checkIMEI v2: bare IMEI; v3 { imei, requestedEquipmentInfo } */
		{ 43, false, { 0x04, 0x08, 0x53, 0x41, 0x10, 0x00, 0x00, 0x00, 0x00, 0xf0 }, 10,
		  NULL, NULL, NULL, NULL, NULL, NULL },
		{ 43, false, { 0x30, 0x0e, 0x04, 0x08, 0x53, 0x41, 0x10, 0x00, 0x00, 0x00, 0x00, 0xf0,
			       0x03, 0x02, 0x06, 0xc0 }, 16, NULL, NULL, NULL, NULL, NULL, NULL },
		/* SendIdentificationArg v3 { tmsi, numberOfRequestedVectors, msc-Number,
		 * newVLR-Number [3] } */
		{ 55, false, { 0x30, 0x11, 0x04, 0x04, 0x01, 0x02, 0x03, 0x04, 0x02, 0x01, 0x01, 0x04,
			       0x02, 0x91, 0x12, 0x83, 0x02, 0x91, 0x34 }, 19, NULL, NULL, "43",
		  "21", NULL, NULL },
		/* RestoreDataArg { imsi, lmsi } */
		{ 57, false, { 0x30, 0x0b, 0x04, 0x03, 0x21, 0x43, 0x65, 0x04, 0x04, 0x01, 0x02, 0x03,
			       0x04 }, 13, "123456", NULL, NULL, NULL, NULL, NULL },
		/* AnyTimeSubscriptionInterrogationArg { subscriberIdentity [0] { msisdn [1] },
		 * requestedSubscriptionInfo [1], gsmSCF-Address [2] } */
		{ 62, false, { 0x30, 0x0f, 0xa0, 0x05, 0x81, 0x03, 0x91, 0x33, 0x44, 0xa1, 0x00, 0x82,
			       0x04, 0x91, 0x44, 0x77, 0x00 }, 17, NULL, "3344", NULL, NULL, NULL,
		  NULL },
		/* AlertServiceCentreArg { msisdn, serviceCentreAddress } */
		{ 64, false, { 0x30, 0x0a, 0x04, 0x03, 0x91, 0x33, 0x44, 0x04, 0x03, 0x91, 0x55,
			       0x66 }, 12, NULL, "3344", NULL, NULL, NULL, "5566" },
		/* AnyTimeModificationArg { subscriberIdentity [0] { imsi [0] }, gsmSCF-Address [1] } */
		{ 65, false, { 0x30, 0x0d, 0xa0, 0x05, 0x80, 0x03, 0x21, 0x43, 0x65, 0x81, 0x04,
			       0x91, 0x44, 0x77, 0x00 }, 15, "123456", NULL, NULL, NULL, NULL, NULL },
		/* ReadyForSM-Arg { imsi [0], alertReason } */
		{ 66, false, { 0x30, 0x08, 0x80, 0x03, 0x21, 0x43, 0x65, 0x0a, 0x01, 0x00 }, 10,
		  "123456", NULL, NULL, NULL, NULL, NULL },
		/* PurgeMS-Arg v2 { imsi, vlr-Number } */
		{ 67, false, { 0x30, 0x0a, 0x04, 0x03, 0x21, 0x43, 0x65, 0x04, 0x03, 0x91, 0x11,
			       0x22 }, 12, "123456", NULL, "1122", NULL, NULL, NULL },
		/* ProvideSubscriberInfoRes { subscriberInfo { locationInformation [0]
		 * { vlr-number [1] } } } */
		{ 70, true, { 0x30, 0x09, 0x30, 0x07, 0xa0, 0x05, 0x81, 0x03, 0x91, 0x11, 0x22 }, 11,
		  NULL, NULL, "1122", NULL, NULL, NULL },
		/* RoutingInfoForLCS-Res { targetMS [0] { msisdn [1] }, lcsLocationInfo [1]
		 * { networkNode-Number } } */
		{ 85, true, { 0x30, 0x0e, 0xa0, 0x05, 0x81, 0x03, 0x91, 0x33, 0x44, 0xa1, 0x05, 0x04,
			      0x03, 0x91, 0x11, 0x22 }, 16, NULL, "3344", NULL, "1122", NULL, NULL },
		/* cancelLocation v1/v2: bare IMSI */
		{ 3, false, { 0x04, 0x03, 0x21, 0x43, 0x65 }, 5, "123456", NULL, NULL, NULL, NULL,
		  NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct sw_msu msu;
		enum sw_mal m;

		memset(&msu, 0, sizeof(msu));
		m = map_comp(&msu, v[i].result ? SW_COMP_RESULT_LAST : SW_COMP_INVOKE, v[i].op,
			     v[i].p, v[i].n);
		if (m != SW_MAL_NONE)
			fail_msg("vector %zu (op %d): %s", i, v[i].op, sw_mal_name(m));
#define FIELD(f)                                                                            \
	do {                                                                                \
		if (v[i].f == NULL)                                                         \
			assert_int_equal(msu.map.f.len, 0);                                 \
		else                                                                        \
			assert_string_equal(msu.map.f.d, v[i].f);                           \
	} while (0)
		FIELD(imsi);
		FIELD(msisdn);
		FIELD(vlr);
		FIELD(msc);
		FIELD(hlr);
		FIELD(smsc);
#undef FIELD
		/* truncated copies of each parameter stay in bounds */
		for (uint32_t n = 0; n < v[i].n; n++) {
			memset(&msu, 0, sizeof(msu));
			map_comp(&msu, SW_COMP_INVOKE, v[i].op, v[i].p, n);
		}
	}
}

/* Every prefix of a parameter, and every single-octet corruption, stays in bounds. */
static void
test_truncated_params(void **state)
{
	static const uint8_t p[] = {
		0x30, 0x17,
		0x80, 0x08, 0x54, 0x04, 0x60, 0x01, 0x07, 0x60, 0x29, 0xf0,
		0x84, 0x07, 0x91, 0x72, 0x38, 0x99, 0x00, 0x01, 0xf0,
		0x04, 0x02, 0x04, 0x00,
	};
	static const int32_t ops[] = { 2, 7, 22, 44, 45, 46, 56, 59, 71, 85 };
	struct sw_msu msu;
	uint8_t q[sizeof(p)];

	(void)state;
	for (size_t o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
		for (uint32_t n = 0; n <= sizeof(p); n++)
			invoke(&msu, ops[o], p, n);
		for (uint32_t i = 0; i < sizeof(p); i++) {
			memcpy(q, p, sizeof(p));
			q[i] ^= 0xff;
			invoke(&msu, ops[o], q, sizeof(q));
			q[i] = 0x80;
			invoke(&msu, ops[o], q, sizeof(q));
		}
	}
	/* a parameter cut inside its own header is malformed */
	assert_int_equal(invoke(&msu, 44, p, 1), SW_MAL_MAP_PARAM);
}

/* MAP error names (TS 29.002 17.6.6) against tshark's gsm_old.localValue error table. */
static void
test_error_names_vs_tshark(void **state)
{
	char line[512];
	unsigned named = 0, mismatches = 0, ours = 0;
	int32_t prev = -1;
	bool errors = false;
	FILE *p;

	(void)state;
	assert_string_equal(sw_map_error_name(34), "systemFailure");
	assert_int_equal(sw_map_error_code("absentSubscriberSM"), 6);
	assert_int_equal(sw_map_error_code("SYSTEMFAILURE"), 34);
	assert_null(sw_map_error_name(-1));
	assert_null(sw_map_error_name(MAP_ERROR_MAX + 1));
	assert_int_equal(sw_map_error_code("nope"), -1);
	for (int32_t c = 0; c <= MAP_ERROR_MAX; c++)
		ours += sw_map_error_name(c) != NULL;
	p = popen("tshark -G values 2>/dev/null", "r");
	if (p == NULL) {
		printf("tshark comparison skipped: popen failed\n");
		return;
	}
	while (fgets(line, sizeof(line), p) != NULL) {
		char name[256];
		int code;

		if (strncmp(line, "V\tgsm_old.localValue\t", 21) != 0)
			continue;
		if (sscanf(line + 21, "%d\t%255[^\n]", &code, name) != 2)
			continue;
		if (code <= prev)
			errors = true; /* the operation table ends, the error table starts */
		prev = code;
		/* tshark keeps codes TS 29.002 no longer assigns (2, 4, 23, 24: handover and
		 * secure transport errors of withdrawn procedures) */
		if (!errors || code == 2 || code == 4 || code == 23 || code == 24)
			continue;
		named++;
		if (sw_map_error_name(code) == NULL || strcmp(sw_map_error_name(code), name) != 0) {
			printf("error %d: tshark %s, ours %s\n", code, name,
			       sw_map_error_name(code) ? sw_map_error_name(code) : "(none)");
			mismatches++;
		}
	}
	pclose(p);
	if (named == 0) {
		printf("tshark comparison skipped: tshark not installed\n");
		return;
	}
	printf("MAP errors: %u in our table, %u named by tshark, %u mismatches\n", ours, named,
	       mismatches);
	assert_int_equal(named, ours);
	assert_int_equal(mismatches, 0);
}

/* Decode a MAP-DialoguePDU from an exact-size heap copy at offset 2. */
static enum sw_mal
mapdlg(struct sw_msu *msu, const uint8_t *pdu, uint32_t n)
{
	uint8_t *buf = malloc(n + 2);
	enum sw_mal m;

	assert_non_null(buf);
	memset(buf, 0xee, 2);
	memcpy(buf + 2, pdu, n);
	memset(msu, 0, sizeof(*msu));
	m = sw_map_decode_dialogue(buf, 2, 2 + n, msu);
	free(buf);
	return m;
}

#define MAPDLG(msu, ...)                                                                    \
	({                                                                                  \
		static const uint8_t p_[] = { __VA_ARGS__ };                               \
		mapdlg(msu, p_, sizeof(p_));                                               \
	})

/* MAP-OPEN references, refuse / abort reasons (TS 29.002 17.4) and the message's subscriber. */
static void
test_map_dialogue(void **state)
{
	struct sw_msu msu;

	(void)state;
	/* map-open { destinationReference IMSI (NPI 6) 655011234567890, originationReference
	 * E.164 3360 } */
	assert_int_equal(MAPDLG(&msu, 0xa0, 0x10, 0x80, 0x09, 0x96, 0x56, 0x05, 0x11, 0x32, 0x54,
				0x76, 0x98, 0xf0, 0x81, 0x03, 0x91, 0x33, 0x06),
			 SW_MAL_NONE);
	assert_true(msu.has & SW_HAS_MAPDLG);
	assert_int_equal(msu.mapdlg.pdu, SW_MAPDLG_OPEN);
	assert_string_equal(msu.mapdlg.dest_ref.d, "655011234567890");
	assert_int_equal(msu.mapdlg.dest_ref_npi, MAP_NPI_E212);
	assert_int_equal(msu.mapdlg.dest_ref_nai, 1);
	assert_string_equal(msu.mapdlg.orig_ref.d, "3360");
	assert_int_equal(msu.mapdlg.orig_ref_npi, MAP_NPI_E164);
	/* the subscriber: the dialogue's IMSI when the argument has none ... */
	assert_non_null(sw_msu_subscriber(&msu));
	assert_string_equal(sw_msu_subscriber(&msu)->d, "655011234567890");
	/* ... the argument's IMSI when there is one */
	strcpy(msu.map.imsi.d, "234150000000001");
	msu.map.imsi.len = 15;
	msu.has |= SW_HAS_MAP;
	assert_string_equal(sw_msu_subscriber(&msu)->d, "234150000000001");
	/* an E.164 destination reference is no subscriber identity */
	assert_int_equal(MAPDLG(&msu, 0xa0, 0x05, 0x80, 0x03, 0x91, 0x72, 0x28), SW_MAL_NONE);
	assert_string_equal(msu.mapdlg.dest_ref.d, "2782");
	assert_null(sw_msu_subscriber(&msu));
	/* repeated references, a reference of more than 20 octets, a constructed one */
	assert_int_equal(MAPDLG(&msu, 0xa0, 0x06, 0x80, 0x01, 0x96, 0x80, 0x01, 0x96),
			 SW_MAL_TCAP_DIALOGUE);
	assert_int_equal(MAPDLG(&msu, 0xa0, 0x04, 0xa0, 0x02, 0x04, 0x00), SW_MAL_NONE);
	assert_int_equal(MAPDLG(&msu, 0xa0, 0x04, 0x80, 0x02, 0x96, 0xff), SW_MAL_TCAP_DIALOGUE);
	/* map-refuse reason 2 invalidOriginatingReference; without a reason */
	assert_int_equal(MAPDLG(&msu, 0xa3, 0x03, 0x0a, 0x01, 0x02), SW_MAL_NONE);
	assert_int_equal(msu.mapdlg.pdu, SW_MAPDLG_REFUSE);
	assert_true(msu.mapdlg.has_reason);
	assert_int_equal(msu.mapdlg.reason, 2);
	assert_int_equal(MAPDLG(&msu, 0xa3, 0x00), SW_MAL_TCAP_DIALOGUE);
	/* map-userAbort: userSpecificReason [0] NULL; applicationProcedureCancellation [3] 4 */
	assert_int_equal(MAPDLG(&msu, 0xa4, 0x02, 0x80, 0x00), SW_MAL_NONE);
	assert_int_equal(msu.mapdlg.reason, 0);
	assert_int_equal(MAPDLG(&msu, 0xa4, 0x03, 0x83, 0x01, 0x04), SW_MAL_NONE);
	assert_int_equal(msu.mapdlg.reason, 3);
	assert_int_equal(msu.mapdlg.reason_value, 4);
	assert_int_equal(MAPDLG(&msu, 0xa4, 0x03, 0x80, 0x01, 0x00), SW_MAL_TCAP_DIALOGUE);
	/* map-providerAbort invalidPDU; map-accept, map-close */
	assert_int_equal(MAPDLG(&msu, 0xa5, 0x03, 0x0a, 0x01, 0x01), SW_MAL_NONE);
	assert_int_equal(msu.mapdlg.pdu, SW_MAPDLG_PROVIDER_ABORT);
	assert_int_equal(msu.mapdlg.reason, 1);
	assert_int_equal(MAPDLG(&msu, 0xa1, 0x00), SW_MAL_NONE);
	assert_int_equal(msu.mapdlg.pdu, SW_MAPDLG_ACCEPT);
	assert_int_equal(MAPDLG(&msu, 0xa2, 0x00), SW_MAL_NONE);
	assert_int_equal(msu.mapdlg.pdu, SW_MAPDLG_CLOSE);
	/* an unknown choice [6], a primitive PDU, trailing octets */
	assert_int_equal(MAPDLG(&msu, 0xa6, 0x00), SW_MAL_TCAP_DIALOGUE);
	assert_int_equal(MAPDLG(&msu, 0x80, 0x00), SW_MAL_TCAP_DIALOGUE);
	assert_int_equal(MAPDLG(&msu, 0xa1, 0x00, 0x00), SW_MAL_TCAP_DIALOGUE);
	/* every truncation of the map-open is refused */
	{
		static const uint8_t open[] = { 0xa0, 0x05, 0x80, 0x03, 0x96, 0x56, 0x05 };

		for (uint32_t n = 0; n < sizeof(open); n++)
			assert_int_equal(mapdlg(&msu, open, n), SW_MAL_TCAP_DIALOGUE);
	}
}

/* sendRoutingInfoForSM result: networkNode-Number is the MSC, or the SGSN with gprsNodeIndicator
 * (TS 29.002 17.7.6 LocationInfoWithLMSI); additional-Number gives the other node. */
static void
test_sri_sm_result_nodes(void **state)
{
	struct sw_msu msu;

	(void)state;
	/* { imsi 65501123, locationInfoWithLMSI [0] { networkNode-Number [1] 2782 } } */
	assert_int_equal(RESULT(&msu, 45, 0x30, 0x0d, 0x04, 0x04, 0x56, 0x05, 0x11, 0x32, 0xa0, 0x05,
				0x81, 0x03, 0x91, 0x72, 0x28),
			 SW_MAL_NONE);
	assert_string_equal(msu.map.imsi.d, "65501123");
	assert_string_equal(msu.map.node.d, "2782");
	assert_string_equal(msu.map.msc.d, "2782");
	assert_int_equal(msu.map.sgsn.len, 0);
	assert_false(msu.map.gprs_node);
	/* with gprsNodeIndicator [5] and additional-Number [6] { msc-Number [0] 2783 } */
	assert_int_equal(RESULT(&msu, 45, 0x30, 0x16, 0x04, 0x04, 0x56, 0x05, 0x11, 0x32, 0xa0, 0x0e,
				0x81, 0x03, 0x91, 0x72, 0x28, 0x85, 0x00, 0xa6, 0x05, 0x80, 0x03, 0x91,
				0x72, 0x38),
			 SW_MAL_NONE);
	assert_true(msu.map.gprs_node);
	assert_string_equal(msu.map.sgsn.d, "2782");
	assert_string_equal(msu.map.msc.d, "2783");
	/* gprsNodeIndicator is NULL: with contents it is malformed */
	assert_int_equal(RESULT(&msu, 45, 0x30, 0x0f, 0x04, 0x04, 0x56, 0x05, 0x11, 0x32, 0xa0, 0x07,
				0x81, 0x03, 0x91, 0x72, 0x28, 0x85, 0x00),
			 SW_MAL_NONE);
	assert_int_equal(RESULT(&msu, 45, 0x30, 0x10, 0x04, 0x04, 0x56, 0x05, 0x11, 0x32, 0xa0, 0x08,
				0x81, 0x03, 0x91, 0x72, 0x28, 0x85, 0x01, 0x00),
			 SW_MAL_MAP_PARAM);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_op_names),
		cmocka_unit_test(test_ussd_ucs2_behind_decoy),
		cmocka_unit_test(test_op_table_vs_tshark),
		cmocka_unit_test(test_imsi_odd_even),
		cmocka_unit_test(test_location_management),
		cmocka_unit_test(test_msisdn_and_subscriber_info),
		cmocka_unit_test(test_sms),
		cmocka_unit_test(test_ussd),
		cmocka_unit_test(test_ss_code),
		cmocka_unit_test(test_first_value_kept),
		cmocka_unit_test(test_select_component_decoy),
		cmocka_unit_test(test_select_component_cap),
		cmocka_unit_test(test_first_invoke_over_result),
		cmocka_unit_test(test_not_map),
		cmocka_unit_test(test_operation_table),
		cmocka_unit_test(test_truncated_params),
		cmocka_unit_test(test_error_names_vs_tshark),
		cmocka_unit_test(test_map_dialogue),
		cmocka_unit_test(test_sri_sm_result_nodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
