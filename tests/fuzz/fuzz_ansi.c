/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ANSI networks (issue 17 D6): the first byte picks a whole packet (Ethernet .. M3UA/M2PA) or
 * the M3UA or SCCP layer alone, all decoded in the ANSI variant (T1.112.3 addresses, 24-bit
 * point codes, ANSI SCMG, the ANSI MTP3 label, ANSI TCAP recognition), then printed as
 * `inspect --json` and as its text line prints them.
 */
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
	static struct sw_pkt pkt;
	char line[16384];
	struct sw_sb sb;
	uint8_t sel;

	if (size < 1 || size > 65535)
		return 0;
	sel = data[0] % 3;
	data++;
	size--;
	if (sel == 0) {
		sw_decode_packet(data, (uint32_t)size, SW_LINK_ETH, &pkt);
		for (unsigned i = 0; i < pkt.nchunks; i++) {
			if (!sw_sctp_is_data(pkt.chunks[i].type))
				continue;
			sw_decode_msu_variant(data, &pkt, i, SW_VARIANT_ANSI, &msu);
			sw_sb_init(&sb, line, sizeof(line));
			sw_json_msu(&sb, &pkt, &msu, 1, i);
			sw_sb_init(&sb, line, sizeof(line));
			sw_text_msu(&sb, &pkt, &msu, 1, i);
		}
		return 0;
	}
	memset(&msu, 0, sizeof(msu));
	msu.ansi.variant = SW_VARIANT_ANSI;
	if (sel == 1)
		sw_m3ua_decode(data, 0, (uint32_t)size, &msu);
	else
		sw_sccp_decode(data, 0, (uint32_t)size, &msu);
	sw_sb_init(&sb, line, sizeof(line));
	sw_json_msu(&sb, NULL, &msu, 0, 0);
	sw_sb_init(&sb, line, sizeof(line));
	memset(&pkt, 0, sizeof(pkt));
	sw_text_msu(&sb, &pkt, &msu, 0, 0);
	return 0;
}
