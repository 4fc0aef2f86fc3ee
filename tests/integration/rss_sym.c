/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RSS key of sigwall-dataplane (0x6d5a repeated) makes the Toeplitz hash symmetric, so both
 * directions of an association land on the same worker: checked here with DPDK's software
 * Toeplitz (rte_softrss) over random IPv4 and IPv6 address/port tuples, and shown to be needed:
 * the default Microsoft key is not symmetric.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_thash.h>

static uint8_t key[40];
static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

int
main(void)
{
	unsigned i, asym_ms = 0;

	for (i = 0; i < sizeof(key); i += 2) {
		key[i] = 0x6d;
		key[i + 1] = 0x5a;
	}
	srand(7);
	for (i = 0; i < 100000; i++) {
		struct rte_ipv4_tuple a, b;
		struct rte_ipv6_tuple c, d;
		unsigned k;

		a.src_addr = (uint32_t)rand() ^ ((uint32_t)rand() << 16);
		a.dst_addr = (uint32_t)rand() ^ ((uint32_t)rand() << 16);
		a.sport = (uint16_t)rand();
		a.dport = (uint16_t)rand();
		b.src_addr = a.dst_addr;
		b.dst_addr = a.src_addr;
		b.sport = a.dport;
		b.dport = a.sport;
		/* addresses only (RTE_ETH_RSS_IP) and addresses + ports (RTE_ETH_RSS_SCTP) */
		if (rte_softrss((uint32_t *)&a, RTE_THASH_V4_L3_LEN, key) !=
		    rte_softrss((uint32_t *)&b, RTE_THASH_V4_L3_LEN, key) ||
		    rte_softrss((uint32_t *)&a, RTE_THASH_V4_L4_LEN, key) !=
		    rte_softrss((uint32_t *)&b, RTE_THASH_V4_L4_LEN, key)) {
			printf("FAIL: IPv4 tuple %u hashes differently in the two directions\n", i);
			return 1;
		}
		if (rte_softrss((uint32_t *)&a, RTE_THASH_V4_L3_LEN, ms_key) !=
		    rte_softrss((uint32_t *)&b, RTE_THASH_V4_L3_LEN, ms_key))
			asym_ms++;
		for (k = 0; k < 16; k++) {
			c.src_addr[k] = (uint8_t)rand();
			c.dst_addr[k] = (uint8_t)rand();
			d.src_addr[k] = c.dst_addr[k];
			d.dst_addr[k] = c.src_addr[k];
		}
		c.sport = d.dport = (uint16_t)rand();
		c.dport = d.sport = (uint16_t)rand();
		if (rte_softrss((uint32_t *)&c, RTE_THASH_V6_L4_LEN, key) !=
		    rte_softrss((uint32_t *)&d, RTE_THASH_V6_L4_LEN, key)) {
			printf("FAIL: IPv6 tuple %u hashes differently in the two directions\n", i);
			return 1;
		}
	}
	if (asym_ms == 0) {
		printf("FAIL: the default key looked symmetric too: the check cannot tell\n");
		return 1;
	}
	printf("PASS: 100000 IPv4 and IPv6 tuples hash the same both ways with the 0x6d5a key "
	       "(the default key differs on %u of them)\n", asym_ms);
	return 0;
}
