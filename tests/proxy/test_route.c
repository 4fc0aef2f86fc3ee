/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Proxy routing (dataplane/proxy/route.c) and answers (answer.c): DPC routes with SLS load
 * sharing that keeps one SLS (one dialogue) on one association through failover, GT prefix
 * translation, and the UDTS/XUDTS and TCAP aborts checked byte-exact against hand-written
 * Q.713/Q.773 encodings, then read back by the project's decoder and, when tshark is installed,
 * by Wireshark from a pcap the test writes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dataplane/decode/decode.h"
#include "dataplane/proxy/answer.h"
#include "dataplane/proxy/route.h"
#include "dataplane/proxy/sccp_wire.h"

/* ---- routes ----------------------------------------------------------------------------- */

static struct sw_route_table rt;

static void
test_route_sls(void **state)
{
	uint16_t l01[] = {0, 1}, l2[] = {2};
	uint32_t changed[4];
	uint16_t before[SW_ROUTE_SLS];

	(void)state;
	sw_route_table_init(&rt);
	assert_int_equal(sw_route_add(&rt, 200, l2, 1), 0);
	assert_int_equal(sw_route_add(&rt, 100, l01, 2), 0);
	assert_int_equal(sw_route_add(&rt, 100, l2, 1), -EEXIST);
	assert_int_equal(sw_route_add(&rt, 300, l2, 0), -EINVAL);
	sw_route_table_seal(&rt);
	/* No link up yet: no route available. */
	assert_int_equal(sw_route_pick(&rt, 100, 3), SW_LINK_NONE);
	assert_false(sw_route_available(&rt, 100));
	assert_int_equal(sw_route_pick(&rt, 999, 3), SW_LINK_NONE); /* no route at all */
	assert_null(sw_route_find(&rt, 999));

	assert_int_equal(sw_route_link_set(&rt, 0, true, changed, 4), 1);
	assert_int_equal(changed[0], 100);
	assert_int_equal(sw_route_link_set(&rt, 0, true, changed, 4), 0); /* no change */
	assert_int_equal(sw_route_link_set(&rt, 1, true, changed, 4), 0); /* still available */
	assert_int_equal(sw_route_link_set(&rt, 2, true, changed, 4), 1);
	assert_int_equal(changed[0], 200);
	/* Both links carry half of the SLS values; one SLS always the same link. */
	unsigned on0 = 0;
	for (unsigned s = 0; s < SW_ROUTE_SLS; s++) {
		before[s] = sw_route_pick(&rt, 100, (uint8_t)s);
		assert_true(before[s] == 0 || before[s] == 1);
		assert_int_equal(sw_route_pick(&rt, 100, (uint8_t)s), before[s]);
		assert_int_equal(sw_route_pick(&rt, 100, (uint8_t)(s + 16)), before[s]);
		on0 += before[s] == 0;
	}
	assert_int_equal(on0, SW_ROUTE_SLS / 2);
	/* Link 0 fails: its SLS values move to link 1, link 1's stay where they were. */
	assert_int_equal(sw_route_link_set(&rt, 0, false, changed, 4), 0);
	for (unsigned s = 0; s < SW_ROUTE_SLS; s++)
		assert_int_equal(sw_route_pick(&rt, 100, (uint8_t)s), 1);
	/* Changeback: balanced again, as before. */
	sw_route_link_set(&rt, 0, true, NULL, 0);
	for (unsigned s = 0; s < SW_ROUTE_SLS; s++)
		assert_int_equal(sw_route_pick(&rt, 100, (uint8_t)s), before[s]);
	/* Both fail: unavailable, reported once. */
	assert_int_equal(sw_route_link_set(&rt, 0, false, changed, 4), 0);
	assert_int_equal(sw_route_link_set(&rt, 1, false, changed, 4), 1);
	assert_int_equal(changed[0], 100);
	assert_false(sw_route_available(&rt, 100));
	assert_true(sw_route_available(&rt, 200));
}

static void
test_route_three_links_failover(void **state)
{
	uint16_t l[] = {4, 5, 6};
	uint16_t before[SW_ROUTE_SLS];

	(void)state;
	sw_route_table_init(&rt);
	assert_int_equal(sw_route_add(&rt, 7, l, 3), 0);
	sw_route_table_seal(&rt);
	for (unsigned i = 0; i < 3; i++)
		sw_route_link_set(&rt, l[i], true, NULL, 0);
	for (unsigned s = 0; s < SW_ROUTE_SLS; s++)
		before[s] = sw_route_pick(&rt, 7, (uint8_t)s);
	sw_route_link_set(&rt, 5, false, NULL, 0);
	unsigned moved_to[7] = {0};
	for (unsigned s = 0; s < SW_ROUTE_SLS; s++) {
		uint16_t now = sw_route_pick(&rt, 7, (uint8_t)s);

		if (before[s] != 5)
			assert_int_equal(now, before[s]); /* untouched dialogues */
		else
			moved_to[now]++;
		assert_int_not_equal(now, 5);
	}
	/* Link 5's values are spread over both survivors. */
	assert_true(moved_to[4] != 0 && moved_to[6] != 0);
}

static void
test_route_gt(void **state)
{
	const struct sw_route_gt *g;

	(void)state;
	sw_route_table_init(&rt);
	assert_int_equal(sw_route_add_gt(&rt, "49", 100, 0), 0);
	assert_int_equal(sw_route_add_gt(&rt, "4917", 200, 6), 0);
	assert_int_equal(sw_route_add_gt(&rt, "491720", 300, 7), 0);
	assert_int_equal(sw_route_add_gt(&rt, "4917", 1, 1), -EEXIST);
	assert_int_equal(sw_route_add_gt(&rt, "49x", 1, 1), -EINVAL);
	assert_int_equal(sw_route_add_gt(&rt, "", 1, 1), -EINVAL);
	sw_route_table_seal(&rt);
	g = sw_route_gt_lookup(&rt, "491720000001");
	assert_non_null(g);
	assert_string_equal(g->prefix, "491720");
	g = sw_route_gt_lookup(&rt, "491710000001");
	assert_non_null(g);
	assert_int_equal(g->dpc, 200);
	assert_int_equal(g->ssn, 6);
	g = sw_route_gt_lookup(&rt, "4930");
	assert_non_null(g);
	assert_int_equal(g->dpc, 100);
	assert_null(sw_route_gt_lookup(&rt, "4"));
	assert_null(sw_route_gt_lookup(&rt, "33123"));
}

/* ---- answers ---------------------------------------------------------------------------- */

/* UDT, class 0 with return on error; cdpa GTI 4 HLR 27821234567, cgpa GTI 4 MSC 491720000001,
 * TCAP Begin OTID 01020304 (the vector of tests/unit/test_sccp.c). */
static const uint8_t udt[] = {
	0x09, 0x80, 0x03, 0x0e, 0x19,
	0x0b, 0x12, 0x06, 0x00, 0x11, 0x04, 0x72, 0x28, 0x21, 0x43, 0x65, 0x07,
	0x0b, 0x12, 0x08, 0x00, 0x12, 0x04, 0x94, 0x71, 0x02, 0x00, 0x00, 0x10,
	0x08, 0x62, 0x06, 0x48, 0x04, 0x01, 0x02, 0x03, 0x04,
};

/* Q.713 4.11: UDTS, return cause 3 (subsystem failure, Q.713 3.12), the caller's address now
 * called, the HLR's now calling, data returned. */
static const uint8_t udts_ss_failure[] = {
	0x0a, 0x03, 0x03, 0x0e, 0x19,
	0x0b, 0x12, 0x08, 0x00, 0x12, 0x04, 0x94, 0x71, 0x02, 0x00, 0x00, 0x10,
	0x0b, 0x12, 0x06, 0x00, 0x11, 0x04, 0x72, 0x28, 0x21, 0x43, 0x65, 0x07,
	0x08, 0x62, 0x06, 0x48, 0x04, 0x01, 0x02, 0x03, 0x04,
};

/* XUDT class 1 with return, hop counter 15, SSN-routed addresses with PC, 3 bytes data. */
static const uint8_t xudt[] = {
	0x11, 0x81, 0x0f, 0x04, 0x08, 0x0c, 0x00,
	0x04, 0x43, 0xd2, 0x04, 0x06, /* cdpa: RI SSN, PC 1234, SSN 6 */
	0x04, 0x43, 0x2e, 0x16, 0x08, /* cgpa: RI SSN, PC 5678, SSN 8 */
	0x03, 0x01, 0x02, 0x03,
};

/* Q.713 4.19: XUDTS, cause 1 (no translation for this specific address), hop counter 15, no
 * optional part. */
static const uint8_t xudts_no_trans[] = {
	0x12, 0x01, 0x0f, 0x04, 0x08, 0x0c, 0x00,
	0x04, 0x43, 0x2e, 0x16, 0x08,
	0x04, 0x43, 0xd2, 0x04, 0x06,
	0x03, 0x01, 0x02, 0x03,
};

/* UDT class 0 without return carrying a Q.773 P-Abort (cause 4 resourceLimitation) of DTID
 * 01020304. */
static const uint8_t udt_pabort[] = {
	0x09, 0x00, 0x03, 0x0e, 0x19,
	0x0b, 0x12, 0x08, 0x00, 0x12, 0x04, 0x94, 0x71, 0x02, 0x00, 0x00, 0x10,
	0x0b, 0x12, 0x06, 0x00, 0x11, 0x04, 0x72, 0x28, 0x21, 0x43, 0x65, 0x07,
	0x0b, 0x67, 0x09, 0x49, 0x04, 0x01, 0x02, 0x03, 0x04, 0x4a, 0x01, 0x04,
};

/* The same with a U-Abort: dialogue portion, EXTERNAL dialogue-as-id, ABRT abort-source user. */
static const uint8_t tc_uabort[] = {
	0x67, 0x1a, 0x49, 0x04, 0x01, 0x02, 0x03, 0x04,
	0x6b, 0x12, 0x28, 0x10, 0x06, 0x07, 0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01,
	0xa0, 0x05, 0x64, 0x03, 0x80, 0x01, 0x00,
};

static void
test_udts(void **state)
{
	uint8_t out[300];
	uint8_t m[sizeof(udt)];
	size_t n;
	struct sw_msu msu;

	(void)state;
	n = sw_sccp_build_service(udt, sizeof(udt), SCCP_CAUSE_SS_FAILURE, out, sizeof(out));
	assert_int_equal(n, sizeof(udts_ss_failure));
	assert_memory_equal(out, udts_ss_failure, n);
	/* The project's decoder reads it as a UDTS with the cause and swapped addresses. */
	memset(&msu, 0, sizeof(msu));
	assert_int_equal(sw_sccp_decode(out, 0, (uint32_t)n, &msu), SW_MAL_NONE);
	assert_int_equal(msu.sccp.type, SCCP_MSG_UDTS);
	assert_int_equal(msu.sccp.cause, SCCP_CAUSE_SS_FAILURE);
	assert_string_equal(msu.sccp.cdpa.digits.d, "491720000001");
	assert_string_equal(msu.sccp.cgpa.digits.d, "27821234567");

	n = sw_sccp_build_service(xudt, sizeof(xudt), SCCP_CAUSE_NO_TRANS_ADDR, out, sizeof(out));
	assert_int_equal(n, sizeof(xudts_no_trans));
	assert_memory_equal(out, xudts_no_trans, n);

	/* No return asked: nothing. A service message is never answered. Too small: nothing. */
	memcpy(m, udt, sizeof(udt));
	m[1] = 0x00;
	assert_int_equal(sw_sccp_build_service(m, sizeof(m), 3, out, sizeof(out)), 0);
	assert_int_equal(sw_sccp_build_service(udts_ss_failure, sizeof(udts_ss_failure), 3, out,
					       sizeof(out)),
			 0);
	assert_int_equal(sw_sccp_build_service(udt, sizeof(udt), 3, out, sizeof(udt) - 1), 0);
	/* Malformed: a pointer past the end, a length past the end, truncations. */
	memcpy(m, udt, sizeof(udt));
	m[4] = 0x40;
	assert_int_equal(sw_sccp_build_service(m, sizeof(m), 3, out, sizeof(out)), 0);
	memcpy(m, udt, sizeof(udt));
	m[29] = 0x09;
	assert_int_equal(sw_sccp_build_service(m, sizeof(m), 3, out, sizeof(out)), 0);
	for (size_t cut = 0; cut < sizeof(udt); cut++)
		assert_int_equal(sw_sccp_build_service(udt, cut, 3, out, sizeof(out)), 0);
}

static void
test_tcap_abort(void **state)
{
	uint8_t out[300];
	size_t n;
	struct sw_msu msu;

	(void)state;
	memset(&msu, 0, sizeof(msu));
	assert_int_equal(sw_sccp_decode(udt, 0, sizeof(udt), &msu), SW_MAL_NONE);
	assert_int_equal(msu.tcap.type, SW_TCAP_BEGIN);
	n = sw_tcap_build_abort(udt, sizeof(udt), &msu, SW_ABORT_P, TCAP_PABORT_RESOURCE_LIMIT, out,
				sizeof(out));
	assert_int_equal(n, sizeof(udt_pabort));
	assert_memory_equal(out, udt_pabort, n);
	n = sw_tcap_build_abort(udt, sizeof(udt), &msu, SW_ABORT_U, 0, out, sizeof(out));
	assert_int_equal(n, 29 + 1 + sizeof(tc_uabort));
	assert_int_equal(out[29], sizeof(tc_uabort));
	assert_memory_equal(out + 30, tc_uabort, sizeof(tc_uabort));
	/* Read back: an Abort whose DTID is the caller's OTID. */
	struct sw_msu back;
	memset(&back, 0, sizeof(back));
	assert_int_equal(sw_sccp_decode(out, 0, (uint32_t)n, &back), SW_MAL_NONE);
	assert_int_equal(back.tcap.type, SW_TCAP_ABORT);
	assert_int_equal(back.tcap.dtid_len, 4);
	assert_memory_equal(back.tcap.dtid, msu.tcap.otid, 4);
	/* No originating transaction (an End): no abort. */
	msu.tcap.type = SW_TCAP_END;
	assert_int_equal(sw_tcap_build_abort(udt, sizeof(udt), &msu, SW_ABORT_P, 4, out, 300), 0);
}

static void
test_answer_label(void **state)
{
	struct sw_m3ua_label in = {.opc = 10, .dpc = 20, .si = 3, .ni = 2, .sls = 9}, out;

	(void)state;
	sw_answer_label(&in, 0, &out);
	assert_int_equal(out.opc, 20);
	assert_int_equal(out.dpc, 10);
	assert_int_equal(out.sls, 9);
	assert_int_equal(out.ni, 2);
	sw_answer_label(&in, 77, &out);
	assert_int_equal(out.opc, 77);
}

/* ---- Wireshark's reading ------------------------------------------------------------------ */

static void
put32(FILE *f, uint32_t v)
{
	assert_int_equal(fwrite(&v, 4, 1, f), 1);
}

/* One IPv4/SCTP packet with one DATA chunk (PPID 3) of M3UA DATA around sccp. */
static void
write_packet(FILE *f, const uint8_t *sccp, size_t sccp_len, uint8_t tsn)
{
	struct sw_m3ua_label l = {.opc = 1234, .dpc = 5678, .si = 3, .ni = 2, .sls = 1};
	uint8_t m3ua[400], pkt[600];
	size_t mlen = sw_m3ua_build_data(m3ua, sizeof(m3ua), 100, false, 0, &l, sccp, sccp_len);
	size_t chunk = 16 + mlen, iplen = 20 + 12 + chunk;

	assert_true(mlen != 0 && iplen <= sizeof(pkt));
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x45;
	pkt[2] = iplen >> 8;
	pkt[3] = iplen;
	pkt[8] = 64;
	pkt[9] = 132; /* SCTP */
	memcpy(pkt + 12, (uint8_t[]){10, 0, 0, 1, 10, 0, 0, 2}, 8);
	uint8_t *s = pkt + 20;
	s[0] = 2905 >> 8, s[1] = 2905 & 0xff, s[2] = 2905 >> 8, s[3] = 2905 & 0xff;
	s[7] = 1; /* vtag; checksum left 0 (Wireshark does not verify it by default) */
	uint8_t *c = s + 12;
	c[0] = 0;    /* DATA, RFC 9260 3.3.1 */
	c[1] = 0x03; /* B and E */
	c[2] = chunk >> 8;
	c[3] = chunk;
	c[7] = tsn;  /* TSN: distinct, or Wireshark sees a retransmission */
	c[9] = 1;    /* stream 1 */
	c[15] = 3;   /* PPID M3UA */
	memcpy(c + 16, m3ua, mlen);
	put32(f, 0);
	put32(f, 0);
	put32(f, (uint32_t)iplen);
	put32(f, (uint32_t)iplen);
	assert_int_equal(fwrite(pkt, iplen, 1, f), 1);
}

static void
test_tshark_reads_answers(void **state)
{
	char path[64], cmd[256], line[256];
	uint8_t udts[300], abrt[300];
	size_t nu, na;
	struct sw_msu msu;
	FILE *f, *p;

	(void)state;
	if (system("command -v tshark >/dev/null 2>&1") != 0) {
		printf("SKIP part: tshark not installed; the byte-exact checks above still ran\n");
		return;
	}
	nu = sw_sccp_build_service(udt, sizeof(udt), SCCP_CAUSE_SS_FAILURE, udts, sizeof(udts));
	memset(&msu, 0, sizeof(msu));
	sw_sccp_decode(udt, 0, sizeof(udt), &msu);
	na = sw_tcap_build_abort(udt, sizeof(udt), &msu, SW_ABORT_P, TCAP_PABORT_RESOURCE_LIMIT,
				 abrt, sizeof(abrt));
	snprintf(path, sizeof(path), "/tmp/sw-proxy-answers-%d.pcap", (int)getpid());
	f = fopen(path, "wb");
	assert_non_null(f);
	/* pcap global header: magic, 2.4, LINKTYPE_RAW */
	put32(f, 0xa1b2c3d4);
	put32(f, 0x00040002);
	put32(f, 0);
	put32(f, 0);
	put32(f, 65535);
	put32(f, 101);
	write_packet(f, udts, nu, 1);
	write_packet(f, abrt, na, 2);
	assert_int_equal(fclose(f), 0);
	snprintf(cmd, sizeof(cmd),
		 "tshark -r %s -T fields -E separator=, -e sccp.message_type -e sccp.return_cause"
		 " -e sccp.called.digits -e tcap.p_abortCause 2>/dev/null",
		 path);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(line, sizeof(line), p));
	line[strcspn(line, "\n")] = 0;
	assert_string_equal(line, "0x0a,0x03,491720000001,");
	assert_non_null(fgets(line, sizeof(line), p));
	line[strcspn(line, "\n")] = 0;
	assert_string_equal(line, "0x09,,491720000001,4");
	pclose(p);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_sls),
		cmocka_unit_test(test_route_three_links_failover),
		cmocka_unit_test(test_route_gt),
		cmocka_unit_test(test_udts),
		cmocka_unit_test(test_tcap_abort),
		cmocka_unit_test(test_answer_label),
		cmocka_unit_test(test_tshark_reads_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
