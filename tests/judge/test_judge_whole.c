/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A packet judged as a whole (IP that is not SCTP, a packet-level malformation) has a verdict
 * whose piece and npieces are set (SW_REASM_NONE, 0), whatever the caller's judgement held
 * before. Found 2026-12-06 (issue 20 D4, judge-batch on corrupted frames): judge_whole left them
 * as they were, the worker's judgement is on its stack, and worker_verdict reads v->piece to
 * decide whether the verdict belongs to held SCTP fragments: with stack garbage a packet-level
 * verdict could be applied to the tickets of held messages (valgrind memcheck: "conditional jump
 * depends on uninitialised value", worker.c worker_verdict), so held packets left or not from
 * run to run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/decode/decode.h"
#include "dataplane/judge/judge.h"

struct seen {
	unsigned calls;
	uint8_t piece, npieces;
};

static void
record(void *arg, const struct sw_pkt *pkt, const struct sw_msu *msu,
       const struct sw_judge_verdict *v)
{
	struct seen *s = arg;

	(void)pkt;
	(void)msu;
	s->calls++;
	s->piece = v->piece;
	s->npieces = v->npieces;
}

/* Ethernet + IPv4 (RFC 791) carrying ESP (protocol 50, RFC 4303): IP that is not SCTP. */
static size_t
esp_frame(uint8_t *f)
{
	static const uint8_t eth[14] = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x08, 0x00};
	uint8_t *ip = f + sizeof(eth);

	memcpy(f, eth, sizeof(eth));
	memset(ip, 0, 28);
	ip[0] = 0x45;                  /* version 4, IHL 5 */
	ip[3] = 28;                    /* total length: header + 8 bytes of ESP */
	ip[8] = 64;                    /* TTL */
	ip[9] = 50;                    /* ESP */
	ip[12] = 192, ip[13] = 0, ip[14] = 2, ip[15] = 1;
	ip[16] = 10, ip[17] = 20, ip[18] = 0, ip[19] = 1;
	return sizeof(eth) + 28;
}

static void
test_whole_packet_is_no_piece(void **state)
{
	uint8_t frame[64];
	size_t len = esp_frame(frame);
	struct sw_judge_ctx ctx;
	struct sw_judgement j;
	static struct sw_msu msu;
	struct sw_pkt pkt;
	struct seen s = {0};

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	ctx.no_image_action = 1; /* SW_ACTION_DROP */
	ctx.non_ip_pass = true;
	sw_decode_packet(frame, (uint32_t)len, SW_LINK_ETH, &pkt);
	assert_int_equal(pkt.mal, SW_MAL_IP_PROTO);
	memset(&j, 0xa5, sizeof(j)); /* what a caller's stack may hold */
	sw_judge_packet(&ctx, frame, &pkt, 0, 0, &msu, &j, record, &s);
	assert_int_equal(j.cls, SW_JUDGE_PACKET);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.piece, 0);   /* SW_REASM_NONE */
	assert_int_equal(s.npieces, 0);
	assert_int_equal(j.pkt.piece, 0);
	assert_int_equal(j.pkt.npieces, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_packet_is_no_piece),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
