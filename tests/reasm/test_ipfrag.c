/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * reasm (issue 14 D1): the EAL-free IP fragment table (dataplane/reasm/ipfrag.c) that inspect
 * and the fuzzer use, against rte_ip_frag's rules: in order, out of order, IPv6, and every bad
 * input of the issue with its reason (overlap, conflicting copy, a second first or last
 * fragment, a ninth fragment, too long, table full under a flood, a timeout in the middle).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/decode/decode.h"
#include "dataplane/proto/ip.h"
#include "dataplane/reasm/ipfrag.h"

#define MS 1000000ull

static uint8_t payload[4096]; /* the datagram's payload: an SCTP-looking pattern */

/* An Ethernet + IPv4 fragment of payload[ofs..ofs+len). Returns the frame length. */
static uint32_t
frag4(uint8_t *f, uint16_t id, uint32_t ofs, uint32_t len, int more, const uint8_t *src)
{
	uint8_t *ip = f + ETH_HDR_LEN;

	memset(f, 0, ETH_HDR_LEN);
	f[12] = 0x08;
	memset(ip, 0, IPV4_HDR_MIN);
	ip[0] = 0x45;
	ip[4] = (uint8_t)(id >> 8);
	ip[5] = (uint8_t)id;
	ip[IPV4_OFF_FRAG] = (uint8_t)(((more ? IPV4_FLAG_MF : 0) | ofs / 8) >> 8);
	ip[IPV4_OFF_FRAG + 1] = (uint8_t)(ofs / 8);
	ip[IPV4_OFF_TTL] = 64;
	ip[IPV4_OFF_PROTO] = IP_PROTO_SCTP;
	ip[12] = 10, ip[15] = 1, ip[16] = 10, ip[19] = 2;
	memcpy(ip + IPV4_HDR_MIN, src + ofs, len);
	sw_ipv4_fix(ip, IPV4_HDR_MIN + len, IPV4_HDR_MIN);
	return ETH_HDR_LEN + IPV4_HDR_MIN + len;
}

/* Ethernet + IPv6 + fragment header (RFC 8200 4.5). */
static uint32_t
frag6(uint8_t *f, uint32_t id, uint32_t ofs, uint32_t len, int more)
{
	uint8_t *ip = f + ETH_HDR_LEN, *fh = ip + IPV6_HDR_LEN;

	memset(f, 0, ETH_HDR_LEN);
	f[12] = 0x86, f[13] = 0xdd;
	memset(ip, 0, IPV6_HDR_LEN);
	ip[0] = 0x60;
	ip[IPV6_OFF_NH] = IPV6_NH_FRAGMENT;
	ip[7] = 64;
	ip[IPV6_OFF_SRC + 15] = 1;
	ip[IPV6_OFF_DST + 15] = 2;
	sw_ipv6_fix(ip, IPV6_HDR_LEN + IPV6_FRAG_HDR_LEN + len);
	fh[0] = IP_PROTO_SCTP;
	fh[1] = 0;
	fh[2] = (uint8_t)(ofs >> 8);
	fh[3] = (uint8_t)((ofs & 0xf8) | (more ? 1 : 0));
	fh[4] = (uint8_t)(id >> 24), fh[5] = (uint8_t)(id >> 16), fh[6] = (uint8_t)(id >> 8);
	fh[7] = (uint8_t)id;
	memcpy(fh + IPV6_FRAG_HDR_LEN, payload + ofs, len);
	return ETH_HDR_LEN + IPV6_HDR_LEN + IPV6_FRAG_HDR_LEN + len;
}

static enum sw_ipfrag_res
put(struct sw_ipfrag *t, const uint8_t *f, uint32_t len, uint64_t now, const uint8_t **out,
    uint32_t *outlen, enum sw_mal *mal)
{
	struct sw_pkt pkt;

	sw_decode_packet(f, len, SW_LINK_ETH, &pkt);
	assert_true(pkt.ip_frag);
	assert_int_equal(pkt.mal, SW_MAL_IP_FRAGMENT);
	return sw_ipfrag_put(t, f, len, &pkt, now, out, outlen, mal);
}

static void
check_whole4(const uint8_t *out, uint32_t outlen, uint32_t n)
{
	struct sw_pkt pkt;

	assert_int_equal(outlen, ETH_HDR_LEN + IPV4_HDR_MIN + n);
	assert_memory_equal(out + ETH_HDR_LEN + IPV4_HDR_MIN, payload, n);
	/* rte_ip_frag's header: DF only, total length, and (ours) a valid checksum */
	assert_int_equal(out[ETH_HDR_LEN + IPV4_OFF_FRAG] & 0xbf, 0);
	assert_int_equal(out[ETH_HDR_LEN + IPV4_OFF_FRAG + 1], 0);
	assert_int_equal(sw_ipv4_csum(out + ETH_HDR_LEN, IPV4_HDR_MIN), 0);
	sw_decode_packet(out, outlen, SW_LINK_ETH, &pkt);
	assert_false(pkt.ip_frag);
}

/* 3 fragments in every order: whole on the last one to arrive, never before. */
static void
test_orders(void **state)
{
	static const unsigned perm[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
					    {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
	struct sw_ipfrag *t = sw_ipfrag_new(16, 1000 * MS, SW_IPFRAG_LEN_MAX);
	uint8_t f[3][2048];
	uint32_t l[3], outlen;
	const uint8_t *out;
	enum sw_mal mal;

	(void)state;
	for (unsigned p = 0; p < 6; p++) {
		l[0] = frag4(f[0], (uint16_t)(100 + p), 0, 96, 1, payload);
		l[1] = frag4(f[1], (uint16_t)(100 + p), 96, 96, 1, payload);
		l[2] = frag4(f[2], (uint16_t)(100 + p), 192, 50, 0, payload);
		assert_int_equal(put(t, f[perm[p][0]], l[perm[p][0]], 1, &out, &outlen, &mal),
				 SW_IPFRAG_HELD);
		assert_int_equal(put(t, f[perm[p][1]], l[perm[p][1]], 2, &out, &outlen, &mal),
				 SW_IPFRAG_HELD);
		assert_int_equal(put(t, f[perm[p][2]], l[perm[p][2]], 3, &out, &outlen, &mal),
				 SW_IPFRAG_DONE);
		check_whole4(out, outlen, 242);
	}
	assert_int_equal(sw_ipfrag_stats(t)->done, 6);
	sw_ipfrag_free(t);
}

static void
test_ipv6(void **state)
{
	struct sw_ipfrag *t = sw_ipfrag_new(16, 1000 * MS, SW_IPFRAG_LEN_MAX);
	uint8_t f[2048];
	uint32_t l, outlen;
	const uint8_t *out;
	enum sw_mal mal;
	struct sw_pkt pkt;

	(void)state;
	l = frag6(f, 0x12345678, 128, 40, 0);
	assert_int_equal(put(t, f, l, 1, &out, &outlen, &mal), SW_IPFRAG_HELD);
	l = frag6(f, 0x12345678, 0, 128, 1);
	assert_int_equal(put(t, f, l, 2, &out, &outlen, &mal), SW_IPFRAG_DONE);
	/* the fragment header is gone, its next header in the fixed header's place */
	assert_int_equal(outlen, ETH_HDR_LEN + IPV6_HDR_LEN + 168);
	assert_int_equal(out[ETH_HDR_LEN + IPV6_OFF_NH], IP_PROTO_SCTP);
	assert_int_equal(out[ETH_HDR_LEN + IPV6_OFF_PLEN] << 8 | out[ETH_HDR_LEN + 5], 168);
	assert_memory_equal(out + ETH_HDR_LEN + IPV6_HDR_LEN, payload, 168);
	sw_decode_packet(out, outlen, SW_LINK_ETH, &pkt);
	assert_false(pkt.ip_frag);
	/* an atomic fragment (offset 0, M 0) is not for reassembly: it stays ip_fragment */
	l = frag6(f, 7, 0, 64, 0);
	assert_int_equal(put(t, f, l, 3, &out, &outlen, &mal), SW_IPFRAG_NONE);
	sw_ipfrag_free(t);
}

/* Overlap: octets 88..95 twice; the set does not join end to start. */
static void
test_overlap(void **state)
{
	struct sw_ipfrag *t = sw_ipfrag_new(16, 1000 * MS, SW_IPFRAG_LEN_MAX);
	uint8_t f[2048];
	uint32_t l, outlen;
	const uint8_t *out;
	enum sw_mal mal = SW_MAL_NONE;

	(void)state;
	l = frag4(f, 1, 0, 96, 1, payload);
	assert_int_equal(put(t, f, l, 1, &out, &outlen, &mal), SW_IPFRAG_HELD);
	l = frag4(f, 1, 88, 60, 0, payload);
	assert_int_equal(put(t, f, l, 2, &out, &outlen, &mal), SW_IPFRAG_FAIL);
	assert_int_equal(mal, SW_MAL_IP_REASM_OVERLAP);
	/* overlap that sums up right: [0,96) [88,96+8) hole at [96,104)... lengths add to the end
	 * but the pieces do not tile: refused, never joined with either copy's octets */
	l = frag4(f, 2, 0, 96, 1, payload);
	assert_int_equal(put(t, f, l, 3, &out, &outlen, &mal), SW_IPFRAG_HELD);
	l = frag4(f, 2, 88, 16, 1, payload);
	assert_int_equal(put(t, f, l, 4, &out, &outlen, &mal), SW_IPFRAG_HELD);
	l = frag4(f, 2, 112, 8, 0, payload);
	assert_int_equal(put(t, f, l, 5, &out, &outlen, &mal), SW_IPFRAG_FAIL);
	assert_int_equal(mal, SW_MAL_IP_REASM_OVERLAP);
	assert_int_equal(sw_ipfrag_stats(t)->overlap, 2);
	sw_ipfrag_free(t);
}

/* A conflicting copy of the middle fragment, a second first fragment, a second last one. */
static void
test_conflict_and_duplicates(void **state)
{
	static uint8_t other[4096];
	struct sw_ipfrag *t = sw_ipfrag_new(16, 1000 * MS, SW_IPFRAG_LEN_MAX);
	uint8_t f[2048];
	uint32_t l, outlen;
	const uint8_t *out;
	enum sw_mal mal = SW_MAL_NONE;

	(void)state;
	memset(other, 0xee, sizeof(other));
	l = frag4(f, 3, 0, 64, 1, payload);
	assert_int_equal(put(t, f, l, 1, &out, &outlen, &mal), SW_IPFRAG_HELD);
	l = frag4(f, 3, 64, 64, 1, payload);
	assert_int_equal(put(t, f, l, 2, &out, &outlen, &mal), SW_IPFRAG_HELD);
	l = frag4(f, 3, 64, 64, 1, other);
	assert_int_equal(put(t, f, l, 3, &out, &outlen, &mal), SW_IPFRAG_HELD);
	l = frag4(f, 3, 128, 8, 0, payload);
	assert_int_equal(put(t, f, l, 4, &out, &outlen, &mal), SW_IPFRAG_FAIL);
	assert_int_equal(mal, SW_MAL_IP_REASM_OVERLAP);
	/* a second first fragment */
	l = frag4(f, 4, 0, 64, 1, payload);
	assert_int_equal(put(t, f, l, 5, &out, &outlen, &mal), SW_IPFRAG_HELD);
	assert_int_equal(put(t, f, l, 6, &out, &outlen, &mal), SW_IPFRAG_FAIL);
	assert_int_equal(mal, SW_MAL_IP_REASM_OVERLAP);
	/* a second last fragment (duplicate final piece) */
	l = frag4(f, 5, 64, 8, 0, payload);
	assert_int_equal(put(t, f, l, 7, &out, &outlen, &mal), SW_IPFRAG_HELD);
	l = frag4(f, 5, 72, 8, 0, payload);
	assert_int_equal(put(t, f, l, 8, &out, &outlen, &mal), SW_IPFRAG_FAIL);
	assert_int_equal(mal, SW_MAL_IP_REASM_OVERLAP);
	sw_ipfrag_free(t);
}

/* At most 8 fragments (RTE_LIBRTE_IP_FRAG_MAX_FRAG); too long; table full; timeout. */
static void
test_limits(void **state)
{
	struct sw_ipfrag *t = sw_ipfrag_new(4, 10 * MS, 1024);
	uint8_t f[2048];
	uint32_t l, outlen, i;
	const uint8_t *out;
	enum sw_mal mal = SW_MAL_NONE;

	(void)state;
	/* first + 6 middles + last = 8: joins; a 7th middle fails */
	for (i = 0; i < 7; i++) {
		l = frag4(f, 6, i * 8, 8, 1, payload);
		assert_int_equal(put(t, f, l, 1, &out, &outlen, &mal), SW_IPFRAG_HELD);
	}
	l = frag4(f, 6, 56, 8, 0, payload);
	assert_int_equal(put(t, f, l, 1, &out, &outlen, &mal), SW_IPFRAG_DONE);
	check_whole4(out, outlen, 64);
	for (i = 0; i < 8; i++) {
		l = frag4(f, 7, i * 8, 8, 1, payload);
		assert_int_equal(put(t, f, l, 2, &out, &outlen, &mal),
				 i < 7 ? SW_IPFRAG_HELD : SW_IPFRAG_FAIL);
	}
	assert_int_equal(mal, SW_MAL_IP_REASM_OVERLAP);
	/* longer than max_len (1024) */
	l = frag4(f, 8, 1000, 32, 0, payload);
	assert_int_equal(put(t, f, l, 3, &out, &outlen, &mal), SW_IPFRAG_FAIL);
	assert_int_equal(mal, SW_MAL_IP_REASM_LONG);
	/* flood: 4 entries, 1,000 identifications: the 5th on fails as full, memory stays */
	for (i = 0; i < 1000; i++) {
		l = frag4(f, (uint16_t)(1000 + i), 0, 64, 1, payload);
		assert_int_equal(put(t, f, l, 4, &out, &outlen, &mal),
				 i < 4 ? SW_IPFRAG_HELD : SW_IPFRAG_FAIL);
	}
	assert_int_equal(mal, SW_MAL_IP_REASM_FULL);
	assert_int_equal(sw_ipfrag_stats(t)->full, 996);
	/* timeout in the middle: 10 ms later the flood's entries give way; the second half of
	 * identification 1000 starts a datagram of its own (its first half is gone) */
	l = frag4(f, 1000, 64, 8, 0, payload);
	assert_int_equal(put(t, f, l, 4 + 11 * MS, &out, &outlen, &mal), SW_IPFRAG_HELD);
	assert_int_equal(sw_ipfrag_stats(t)->timeout, 1);
	l = frag4(f, 9, 64, 8, 0, payload);
	assert_int_equal(put(t, f, l, 4 + 11 * MS, &out, &outlen, &mal), SW_IPFRAG_HELD);
	assert_int_equal(sw_ipfrag_stats(t)->timeout, 2);
	sw_ipfrag_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_orders),	cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_overlap), cmocka_unit_test(test_conflict_and_duplicates),
		cmocka_unit_test(test_limits),
	};

	for (unsigned i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
