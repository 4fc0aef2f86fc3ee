/* SPDX-License-Identifier: BSD-3-Clause */
/* The proxy's Ethernet/IPv4/ARP framing (dataplane/proxy/proxy_frame.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/decode/decode.h"
#include "dataplane/proxy/proxy_frame.h"

static struct sw_proxy px;
static struct sw_pframe pf;
static const uint8_t our_mac[6] = {0x02, 0, 0, 0, 0, 1}, peer_mac[6] = {0x02, 0, 0, 0, 0, 2};

static int
noop_send(void *user, uint16_t link, uint16_t stream, const uint8_t *msg, size_t len)
{
	(void)user, (void)link, (void)stream, (void)msg, (void)len;
	return 0;
}

static void
setup(void)
{
	struct sw_proxy_ops ops = {.send = noop_send};
	struct sw_proxy_judge j = {0};
	struct sw_proxy_link_cfg lc = {.name = "partner", .sctp_server = true, .lport = 2905,
				       .rport = 2906, .laddr = 0x0a000001, .raddr = 0x0a000002,
				       .role = SW_M3UA_ROLE_SGP, .rctx = 1};

	sw_proxy_init(&px, &ops, &j);
	assert_int_equal(sw_proxy_add_link(&px, &lc), 0);
	sw_proxy_seal(&px);
	sw_pframe_init(&pf, our_mac, &px);
}

/* An ARP request (RFC 826) from the peer's MAC: who has tpa, tell spa (4 octets each). */
static void
arp_request(uint8_t *f, const char *spa, const char *tpa)
{
	memset(f, 0, 42);
	memcpy(f, "\xff\xff\xff\xff\xff\xff", 6);
	memcpy(f + 6, peer_mac, 6);
	f[12] = 0x08, f[13] = 0x06;
	memcpy(f + 14, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	memcpy(f + 22, peer_mac, 6);
	memcpy(f + 28, spa, 4);
	memcpy(f + 38, tpa, 4);
}

static void
test_arp_and_frames(void **state)
{
	uint8_t f[256], out[256];
	uint16_t link = 99;
	size_t off = 0, n = 0, len;
	const uint8_t sctp[16] = {0x0b, 0x5a, 0x0b, 0x59, 0, 0, 0, 1}; /* 2906 -> 2905 */
	struct sw_pkt pkt;

	(void)state;
	setup();
	/* No MAC yet: an ARP request for the peer, not again within a second. */
	len = sw_pframe_output(&pf, 0, sctp, sizeof(sctp), 1000, out, sizeof(out));
	assert_int_equal(len, 42);
	assert_memory_equal(out, "\xff\xff\xff\xff\xff\xff", 6);
	assert_int_equal(out[12] << 8 | out[13], 0x0806);
	assert_int_equal(out[21], 1);                       /* request */
	assert_memory_equal(out + 38, "\x0a\x00\x00\x02", 4); /* who has 10.0.0.2 */
	assert_int_equal(sw_pframe_output(&pf, 0, sctp, sizeof(sctp), 1500, out, sizeof(out)), 0);

	/* The peer asks for our address: a reply, and we learn its MAC. */
	memset(f, 0, sizeof(f));
	arp_request(f, "\x0a\x00\x00\x02", "\x0a\x00\x00\x01");
	assert_int_equal(sw_pframe_input(&pf, f, 42, &link, &off, &n, out, sizeof(out)),
			 SW_PFRAME_REPLY);
	assert_int_equal(n, 42);
	assert_memory_equal(out, peer_mac, 6);
	assert_int_equal(out[21], 2);                      /* reply */
	assert_memory_equal(out + 22, our_mac, 6);         /* 10.0.0.1 is at our MAC */
	assert_memory_equal(out + 28, "\x0a\x00\x00\x01", 4);
	/* ARP for another address: learned from, not answered. */
	f[41] = 9;
	assert_int_equal(sw_pframe_input(&pf, f, 42, &link, &off, &n, out, sizeof(out)),
			 SW_PFRAME_NONE);

	/* Now an IPv4 frame, checksum right, that the decoder reads as SCTP 2905 -> 2906. */
	len = sw_pframe_output(&pf, 0, sctp, sizeof(sctp), 2000, out, sizeof(out));
	assert_int_equal(len, 14 + 20 + sizeof(sctp));
	assert_memory_equal(out, peer_mac, 6);
	memset(&pkt, 0, sizeof(pkt));
	sw_decode_packet(out, (uint32_t)len, SW_LINK_ETH, &pkt);
	assert_int_equal(pkt.ip_ver, 4);
	assert_true(pkt.sctp);
	assert_int_equal(pkt.sport, 2906);
	assert_int_equal(pkt.dport, 2905);
	uint32_t s = 0;
	for (int i = 14; i < 34; i += 2)
		s += (uint32_t)(out[i] << 8 | out[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	assert_int_equal(s, 0xffff);

	/* The peer's SCTP to us: link 0, SCTP part located. Wrong port / address: not ours. */
	memcpy(f, out, len);
	memcpy(f, our_mac, 6);
	memcpy(f + 6, peer_mac, 6);
	memcpy(f + 26, "\x0a\x00\x00\x02\x0a\x00\x00\x01", 8);
	f[34] = 0x0b, f[35] = 0x5a, f[36] = 0x0b, f[37] = 0x59;
	assert_int_equal(sw_pframe_input(&pf, f, len, &link, &off, &n, out, sizeof(out)),
			 SW_PFRAME_SCTP);
	assert_int_equal(link, 0);
	assert_int_equal(off, 34);
	assert_int_equal(n, sizeof(sctp));
	f[37] = 0x58;
	assert_int_equal(sw_pframe_input(&pf, f, len, &link, &off, &n, out, sizeof(out)),
			 SW_PFRAME_NONE);
	/* Truncated: not read past the end. */
	for (size_t cut = 0; cut < len; cut++)
		sw_pframe_input(&pf, f, cut, &link, &off, &n, out, sizeof(out));
}

/* Two ports (issue 21 D1): a port's framing answers ARP and takes SCTP only for the links bound
 * to it (cfg.port); the same frames on the other port are not its links'. */
static void
test_ports(void **state)
{
	static struct sw_pframe p0, p1;
	struct sw_proxy_ops ops = {.send = noop_send};
	struct sw_proxy_judge j = {0};
	struct sw_proxy_link_cfg a = {.name = "partner", .sctp_server = true, .lport = 2905,
				      .rport = 2906, .laddr = 0x0a000001, .raddr = 0x0a000002,
				      .role = SW_M3UA_ROLE_SGP, .rctx = 1};
	struct sw_proxy_link_cfg b = {.name = "home", .lport = 2907, .rport = 2905,
				      .laddr = 0x0a010001, .raddr = 0x0a010003,
				      .role = SW_M3UA_ROLE_ASP, .rctx = 2, .side = 1, .port = 1};
	const uint8_t sctp[16] = {0x0b, 0x59, 0x0b, 0x5b, 0, 0, 0, 1}; /* 2905 -> 2907 */
	uint8_t f[256], out[256];
	uint16_t link = 99;
	size_t off = 0, n = 0, len;

	(void)state;
	sw_proxy_init(&px, &ops, &j);
	assert_int_equal(sw_proxy_add_link(&px, &a), 0);
	assert_int_equal(sw_proxy_add_link(&px, &b), 1);
	sw_proxy_seal(&px);
	sw_pframe_init_port(&p0, our_mac, &px, 0);
	sw_pframe_init_port(&p1, our_mac, &px, 1);
	/* who has 10.1.0.1 (home's local address), from 10.1.0.3: port 1 answers, port 0 not */
	memset(f, 0, sizeof(f));
	arp_request(f, "\x0a\x01\x00\x03", "\x0a\x01\x00\x01");
	assert_int_equal(sw_pframe_input(&p0, f, 42, &link, &off, &n, out, sizeof(out)),
			 SW_PFRAME_NONE);
	assert_false(p0.link[1].mac_known);
	assert_int_equal(sw_pframe_input(&p1, f, 42, &link, &off, &n, out, sizeof(out)),
			 SW_PFRAME_REPLY);
	assert_true(p1.link[1].mac_known);
	/* home's SCTP (its MAC known on port 1): a frame on port 1; in on port 1 only */
	len = sw_pframe_output(&p1, 1, sctp, sizeof(sctp), 1000, out, sizeof(out));
	assert_int_equal(len, 14 + 20 + sizeof(sctp));
	memcpy(f, out, len);
	memcpy(f, our_mac, 6);
	memcpy(f + 6, peer_mac, 6);
	memcpy(f + 26, "\x0a\x01\x00\x03\x0a\x01\x00\x01", 8);
	f[34] = 0x0b, f[35] = 0x59, f[36] = 0x0b, f[37] = 0x5b;
	assert_int_equal(sw_pframe_input(&p0, f, len, &link, &off, &n, out, sizeof(out)),
			 SW_PFRAME_NONE);
	assert_int_equal(sw_pframe_input(&p1, f, len, &link, &off, &n, out, sizeof(out)),
			 SW_PFRAME_SCTP);
	assert_int_equal(link, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp_and_frames),
		cmocka_unit_test(test_ports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
