/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz the whole decoder stack as the workers run it: an Ethernet frame, every chunk, every MSU,
 * and the printers that inspect uses on the result. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/decode/decode.h"
#include "dataplane/decode/print.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sw_msu msu;
	struct sw_pkt pkt;
	char line[16384];
	struct sw_sb sb;
	enum sw_link link;
	unsigned i;

	if (size < 1 || size > 65535)
		return 0;
	/* The first byte picks the link type so one corpus covers them all. */
	switch (data[0] % 4) {
	case 0: link = SW_LINK_ETH; break;
	case 1: link = SW_LINK_RAW; break;
	case 2: link = SW_LINK_SLL; break;
	default: link = SW_LINK_SLL2; break;
	}
	data++;
	size--;
	sw_decode_packet(data, (uint32_t)size, link, &pkt);
	for (i = 0; i < pkt.nchunks; i++) {
		if (pkt.chunks[i].type != 0 && pkt.chunks[i].type != 64)
			continue;
		sw_decode_msu(data, &pkt, i, &msu);
		sw_sb_init(&sb, line, sizeof(line));
		sw_json_msu(&sb, &pkt, &msu, 1, i);
		sw_text_msu(&sb, &pkt, &msu, 1, i);
	}
	sw_sb_init(&sb, line, sizeof(line));
	sw_json_pkt(&sb, &pkt, 1);
	return 0;
}
